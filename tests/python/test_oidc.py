"""Sign in with Tamar, from a real relying party: Authlib's OAuth 2.0 client with PKCE, and its
JOSE library to check the ID token against the published keys."""

import re
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt

from conftest import sign_in


def registration(base_url, admin_cookie, host, redirect_uris=None, **extra):
    return requests.post(
        f"{base_url}/api/v1/oidc/clients",
        cookies={"tamar_session": admin_cookie},
        json={
            "name": {"en": f"Relying party {host}", "tc": "依賴方", "sc": "依赖方"},
            "purpose": {"en": "To test sign-in", "tc": "測試登入", "sc": "测试登录"},
            "redirect_uris": redirect_uris or [f"https://{host}/callback"],
            "post_logout_redirect_uris": [f"https://{host}/bye"],
            "scopes": ["openid", "profile", "email"],
            **extra,
        },
    )


def register(base_url, admin_cookie, host, redirect_uris=None, **extra):
    reply = registration(base_url, admin_cookie, host, redirect_uris, **extra)
    assert reply.status_code == 201, reply.text
    return reply.json()


def browser_of(base_url, email):
    browser = requests.Session()
    browser.cookies.set("tamar_session", sign_in(base_url, email))
    browser.get(f"{base_url}/en/")  # a CSRF cookie for the consent form
    return browser


def follow(base_url, browser, url):
    """Plays the person: follows redirects inside Tamar and allows on the consent screen."""
    for _ in range(5):
        reply = browser.get(url, allow_redirects=False)
        if reply.status_code == 200 and "would like to know who you are" in reply.text:
            fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', reply.text))
            fields = {k: v.replace("&amp;", "&") for k, v in fields.items()}
            fields["decision"] = "allow"
            reply = browser.post(f"{base_url}/en/oidc/authorize", data=fields, allow_redirects=False)
        if reply.status_code in (302, 303, 307):
            location = reply.headers["location"]
            if location.startswith("/"):
                url = base_url + location
                continue
            return location
        return reply
    raise AssertionError("too many redirects")


def relying_party(meta, client, redirect_uri=None):
    return OAuth2Session(
        client["client_id"],
        client["client_secret"],
        scope="openid profile email",
        redirect_uri=redirect_uri or client["redirect_uris"][0],
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )


def sign_in_at(base_url, meta, browser, client, redirect_uri=None):
    rp = relying_party(meta, client, redirect_uri)
    verifier, nonce = generate_token(48), generate_token(20)
    uri, state = rp.create_authorization_url(meta["authorization_endpoint"], nonce=nonce, code_verifier=verifier)
    location = follow(base_url, browser, uri)
    assert parse_qs(urlparse(location).query)["state"] == [state]
    token = rp.fetch_token(meta["token_endpoint"], authorization_response=location, code_verifier=verifier)
    keys = JsonWebKey.import_key_set(requests.get(meta["jwks_uri"]).json())
    claims = jwt.decode(
        token["id_token"],
        keys,
        claims_options={
            "iss": {"essential": True, "value": meta["issuer"]},
            "aud": {"essential": True, "value": client["client_id"]},
            "nonce": {"essential": True, "value": nonce},
        },
    )
    claims.validate()
    return rp, token, claims, location, verifier


def test_authlib_completes_the_code_flow_with_pairwise_subjects(base_url):
    meta = requests.get(f"{base_url}/.well-known/openid-configuration").json()
    assert meta["code_challenge_methods_supported"] == ["S256"]
    admin = sign_in(base_url, "admin@tamar.gov.hk")
    a, b = register(base_url, admin, "rp-a.example.hk"), register(base_url, admin, "rp-b.example.hk")
    citizen = browser_of(base_url, "chan.taiman@example.hk")

    rp, token, claims, location, verifier = sign_in_at(base_url, meta, citizen, a)
    info = rp.get(meta["userinfo_endpoint"]).json()
    assert info["sub"] == claims["sub"]
    assert info["email"] == "chan.taiman@example.hk"
    assert info["name"].startswith("Chan Tai-man")

    # The same person, again at A: the same subject. At B: another one.
    _, _, again, _, _ = sign_in_at(base_url, meta, citizen, a)
    _, _, at_b, _, _ = sign_in_at(base_url, meta, citizen, b)
    assert again["sub"] == claims["sub"]
    assert at_b["sub"] != claims["sub"]

    # A replayed code is refused.
    with pytest.raises(OAuthError) as refused:
        relying_party(meta, a).fetch_token(meta["token_endpoint"], authorization_response=location, code_verifier=verifier)
    assert refused.value.error == "invalid_grant"


def test_requests_without_pkce_or_with_a_wrong_redirect_are_refused(base_url):
    meta = requests.get(f"{base_url}/.well-known/openid-configuration").json()
    admin = sign_in(base_url, "admin@tamar.gov.hk")
    client = register(base_url, admin, "rp-c.example.hk")
    citizen = browser_of(base_url, "chan.taiman@example.hk")
    plain = OAuth2Session(client["client_id"], client["client_secret"], scope="openid", redirect_uri=client["redirect_uris"][0])
    uri, _ = plain.create_authorization_url(meta["authorization_endpoint"], nonce="n")
    location = follow(base_url, citizen, uri)
    assert parse_qs(urlparse(location).query)["error"] == ["invalid_request"]

    wrong = OAuth2Session(client["client_id"], client["client_secret"], scope="openid", redirect_uri="https://evil.example/callback", code_challenge_method="S256")
    uri, _ = wrong.create_authorization_url(meta["authorization_endpoint"], nonce="n", code_verifier=generate_token(48))
    reply = follow(base_url, citizen, uri)
    assert not isinstance(reply, str), "never redirected to an unregistered address"
    assert reply.status_code == 400


def test_redirect_uris_on_two_hosts_share_a_sector_only_when_one_is_named(base_url):
    meta = requests.get(f"{base_url}/.well-known/openid-configuration").json()
    admin = sign_in(base_url, "admin@tamar.gov.hk")
    two_hosts = ["https://apply.example.hk/callback", "https://evil.example/callback"]
    refused = registration(base_url, admin, "apply.example.hk", two_hosts)
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "sector_identifier_required"

    client = register(base_url, admin, "apply.example.hk", two_hosts, sector_identifier_uri="https://example.hk/sector.json")
    assert client["sector"] == "example.hk"
    citizen = browser_of(base_url, "chan.taiman@example.hk")
    _, _, at_apply, _, _ = sign_in_at(base_url, meta, citizen, client, two_hosts[0])
    _, _, at_other, _, _ = sign_in_at(base_url, meta, citizen, client, two_hosts[1])
    assert at_apply["sub"] == at_other["sub"], "one sector, one subject"
    _, _, elsewhere, _, _ = sign_in_at(base_url, meta, citizen, register(base_url, admin, "apply.example.hk"))
    assert elsewhere["sub"] != at_apply["sub"]


def test_logout_with_the_id_token_goes_back_and_without_it_asks(base_url):
    meta = requests.get(f"{base_url}/.well-known/openid-configuration").json()
    admin = sign_in(base_url, "admin@tamar.gov.hk")
    client = register(base_url, admin, "rp-logout.example.hk")
    # A session of its own, since this test ends it.
    browser = requests.Session()
    page = browser.get(f"{base_url}/en/sign-in")
    csrf = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text).group(1)
    reply = browser.post(f"{base_url}/en/sign-in", data={"csrf_token": csrf, "email": "chan.taiman@example.hk", "password": "tamar-demo-2026"}, allow_redirects=False)
    assert reply.status_code == 303
    _, token, _, _, _ = sign_in_at(base_url, meta, browser, client)

    bye = "https://rp-logout.example.hk/bye"
    asked = browser.get(meta["end_session_endpoint"], params={"client_id": client["client_id"], "post_logout_redirect_uri": bye}, allow_redirects=False)
    assert asked.status_code == 303 and asked.headers["location"].startswith("/en/oidc/logout?")
    assert browser.get(f"{base_url}/en/account", allow_redirects=False).status_code == 200, "still signed in"

    done = browser.get(meta["end_session_endpoint"], params={"id_token_hint": token["id_token"], "post_logout_redirect_uri": bye, "state": "s"}, allow_redirects=False)
    assert done.headers["location"] == f"{bye}?state=s"
    assert browser.get(f"{base_url}/en/account", allow_redirects=False).status_code == 303, "signed out"
