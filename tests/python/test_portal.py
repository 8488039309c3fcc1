"""The portal's open formats read by real third-party parsers: feedparser for the Atom
feeds, and the standard library's XML parser for the sitemap."""

import json
import re
import xml.etree.ElementTree as ET

import feedparser
import requests


def test_atom_feeds_parse_cleanly_in_three_languages(base_url):
    for lang, path in [("en", "/en/feeds/news.atom"), ("tc", "/tc/feeds/topics/housing.atom"), ("sc", "/sc/feeds/departments/HKO.atom")]:
        feed = feedparser.parse(requests.get(base_url + path).content)
        assert not feed.bozo, (path, feed.get("bozo_exception"))
        assert feed.entries, path
        entry = feed.entries[0]
        assert entry.link.startswith(base_url + f"/{lang}/")
        assert entry.title and entry.summary and entry.updated_parsed
        assert entry.author


def test_sitemap_lists_every_page_with_its_languages(base_url):
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    # A sitemap index, as crawlers read it: each file it lists, each within the protocol's limits.
    index = ET.fromstring(requests.get(base_url + "/sitemap.xml").content)
    assert index.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
    files = [s.find("s:loc", ns).text for s in index.findall("s:sitemap", ns)]
    assert base_url + "/sitemaps/pages.xml" in files and base_url + "/sitemaps/content-0.xml" in files
    urls = []
    for f in files:
        reply = requests.get(f)
        assert reply.status_code == 200 and reply.headers["content-type"].startswith("application/xml")
        found = ET.fromstring(reply.content).findall("s:url", ns)
        assert 0 < len(found) <= 50000 and len(reply.content) <= 50 * 1024 * 1024
        urls.extend(found)
    locs = {u.find("s:loc", ns).text for u in urls}
    assert base_url + "/tc/services/renew-vehicle-licence" in locs
    assert base_url + "/sc/topics/health" in locs
    assert len(locs) >= 3 * 110
    for u in urls[:20] + urls[-20:]:
        assert {l.get("hreflang") for l in u.findall("x:link", ns)} == {"en", "zh-Hant-HK", "zh-Hans"}


def test_service_pages_describe_a_government_service_in_json_ld(base_url):
    html = requests.get(base_url + "/en/services/file-tax-return-bir60").text
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    data = json.loads(block)
    assert data["@type"] == "GovernmentService"
    assert data["provider"]["name"] == "Inland Revenue Department"
    assert "BIR60" in data["name"]
