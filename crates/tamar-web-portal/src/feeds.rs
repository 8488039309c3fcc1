//! Open formats and the installable web app: Atom feeds of news and notices (all, per topic,
//! per department), `sitemap.xml` with every page in the three languages, the web app
//! manifest and the service worker.

use askama::Template;
use atom_syndication::{Content as AtomContent, Entry, Feed, Link, Person, Text};
use axum::extract::{OriginalUri, Path, State};
use axum::http::Uri;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use tamar_core::{Code, Lang, Page, PageRequest};
use tamar_portal::catalogue;
use tamar_portal::content::{self, LiveFilter};
use tamar_portal::text::render_markdown;
use tamar_portal::{ItemKind, LiveItem};

use super::{Directory, item_href};
use tamar_web::extract::{ApiQuery, PageLang};
use tamar_web::paging::{PageQuery, next_of};
use tamar_web::{AppState, PublicPage, WebError};

const FEED_SIZE: u32 = 50;

/// The page of news and notices (of a topic or a department, as `filter` says) that the feed
/// request asks for: the newest [`FEED_SIZE`], or those after `?after=`.
async fn news_and_notices(state: &AppState, mut filter: LiveFilter, q: &PageQuery) -> Result<Page<LiveItem>, WebError> {
    filter.kinds = vec![ItemKind::News, ItemKind::Notice];
    let request = PageRequest { limit: q.limit.unwrap_or(FEED_SIZE), ..q.request()? };
    Ok(content::live_page(&state.db, &filter, &request).await?)
}

/// An Atom feed of a page of items. Older entries are in the next page, which the feed links
/// to with `rel="next"`, as RFC 5005's paged feeds do.
fn atom(state: &AppState, lang: Lang, id_path: &str, title: String, items: &Page<LiveItem>, uri: &Uri, directory: &Directory) -> Result<Response, WebError> {
    let base = &state.config.public_url;
    let self_url = format!("{base}/{}{id_path}", lang.prefix());
    let entries: Vec<Entry> = items
        .items
        .iter()
        .map(|i| {
            let url = format!("{base}{}", item_href(lang, i.item.kind, &i.item.slug));
            let updated = i.item.live_at.unwrap_or(i.item.created_at).fixed_offset();
            Entry {
                id: url.clone(),
                title: Text::plain(i.content.title.get(lang)),
                updated,
                published: i.item.first_published_at.map(|d| d.fixed_offset()),
                authors: vec![Person { name: directory.name(i.item.department, lang), ..Default::default() }],
                links: vec![Link { href: url, rel: "alternate".into(), mime_type: Some("text/html".into()), ..Default::default() }],
                summary: Some(Text::plain(i.content.summary.get(lang))),
                content: Some(AtomContent {
                    value: Some(render_markdown(i.content.body.get(lang))),
                    content_type: Some("html".into()),
                    lang: Some(lang.bcp47().into()),
                    ..Default::default()
                }),
                ..Default::default()
            }
        })
        .collect();
    let updated = entries.iter().map(|e| e.updated).max().unwrap_or_else(|| state.ledger.now().fixed_offset());
    let mut links = vec![Link { href: self_url.clone(), rel: "self".into(), mime_type: Some("application/atom+xml".into()), ..Default::default() }];
    if let Some(next) = next_of(items, uri) {
        links.push(Link { href: format!("{base}{next}"), rel: "next".into(), mime_type: Some("application/atom+xml".into()), ..Default::default() });
    }
    let feed = Feed {
        id: self_url,
        title: Text::plain(title),
        updated,
        lang: Some(lang.bcp47().into()),
        links,
        entries,
        ..Default::default()
    };
    Ok((PublicPage, [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")], feed.to_string()).into_response())
}

/// News and notices from every department.
pub async fn news_feed(
    PageLang(lang): PageLang,
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Response, WebError> {
    let directory = Directory::load(&state).await?;
    let items = news_and_notices(&state, LiveFilter::default(), &q).await?;
    atom(&state, lang, "/feeds/news.atom", tamar_web::i18n::t(lang, "feed-news-title"), &items, &uri, &directory)
}

fn strip_atom(name: &str) -> Result<&str, WebError> {
    name.strip_suffix(".atom").ok_or_else(|| WebError::new(Code::NOT_FOUND))
}

/// News and notices on one topic: `/{lang}/feeds/topics/{slug}.atom`.
pub async fn topic_feed(
    PageLang(lang): PageLang,
    State(state): State<AppState>,
    Path((_, file)): Path<(String, String)>,
    OriginalUri(uri): OriginalUri,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Response, WebError> {
    let slug = strip_atom(&file)?;
    let topic = catalogue::topic(slug).ok_or_else(|| WebError::new(Code::NOT_FOUND))?;
    let directory = Directory::load(&state).await?;
    let items = news_and_notices(&state, LiveFilter { topic: Some(topic.slug.to_owned()), ..Default::default() }, &q).await?;
    let title = format!("{} - {}", tamar_web::i18n::t(lang, "feed-news-title"), topic.name(lang));
    atom(&state, lang, &format!("/feeds/topics/{}.atom", topic.slug), title, &items, &uri, &directory)
}

/// News and notices of one department: `/{lang}/feeds/departments/{code}.atom`.
pub async fn department_feed(
    PageLang(lang): PageLang,
    State(state): State<AppState>,
    Path((_, file)): Path<(String, String)>,
    OriginalUri(uri): OriginalUri,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Response, WebError> {
    let code = strip_atom(&file)?;
    let department = tamar_tenancy::by_code(&state.db, code).await?;
    let directory = Directory::load(&state).await?;
    let items = news_and_notices(&state, LiveFilter { department: Some(department.id), ..Default::default() }, &q).await?;
    let title = format!("{} - {}", tamar_web::i18n::t(lang, "feed-news-title"), department.name.get(lang));
    atom(&state, lang, &format!("/feeds/departments/{}.atom", department.code), title, &items, &uri, &directory)
}

pub(crate) struct SitemapUrl {
    pub loc: String,
    pub lastmod: Option<String>,
    /// The same page in each language: (hreflang, href).
    pub alternates: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "portal/sitemap.xml")]
struct Sitemap {
    urls: Vec<SitemapUrl>,
}

fn localized(base: &str, rest: &str, lastmod: Option<String>) -> Vec<SitemapUrl> {
    let alternates: Vec<(&'static str, String)> = Lang::ALL.into_iter().map(|l| (l.bcp47(), format!("{base}/{}{rest}", l.prefix()))).collect();
    alternates.iter().map(|(_, href)| SitemapUrl { loc: href.clone(), lastmod: lastmod.clone(), alternates: alternates.clone() }).collect()
}

/// Live items per file of the sitemap: in three languages, 45,000 addresses, under the
/// protocol's 50,000.
pub const SITEMAP_ITEMS: u64 = 15_000;

#[derive(Template)]
#[template(path = "portal/sitemap_index.xml")]
struct SitemapIndex {
    files: Vec<String>,
}

fn xml(body: String) -> impl IntoResponse {
    (PublicPage, [(header::CONTENT_TYPE, "application/xml; charset=utf-8")], body)
}

/// The sitemap index: the file of the portal's own pages, and one file for every
/// [`SITEMAP_ITEMS`] live items, however large the catalogue grows.
pub async fn sitemap(State(state): State<AppState>) -> Result<impl IntoResponse, WebError> {
    let base = &state.config.public_url;
    let live = content::live_count(&state.db).await?.max(0) as u64;
    let mut files = vec![format!("{base}/sitemaps/pages.xml")];
    files.extend((0..live.div_ceil(SITEMAP_ITEMS)).map(|n| format!("{base}/sitemaps/content-{n}.xml")));
    Ok(xml(SitemapIndex { files }.render().map_err(|_| WebError::new(Code::INTERNAL))?))
}

/// The portal's own pages (home, listings, topics, audiences, departments) in the three
/// languages, with `hreflang` alternates.
pub async fn sitemap_pages(State(state): State<AppState>) -> Result<impl IntoResponse, WebError> {
    let base = state.config.public_url.clone();
    let mut urls = Vec::new();
    for rest in ["/", "/news", "/departments", "/apps", "/search", "/transparency"] {
        urls.extend(localized(&base, rest, None));
    }
    for t in catalogue::TOPICS.iter() {
        urls.extend(localized(&base, &format!("/topics/{}", t.slug), None));
    }
    for a in catalogue::AUDIENCES.iter() {
        urls.extend(localized(&base, &format!("/audiences/{}", a.slug), None));
    }
    for d in tamar_tenancy::list(&state.db).await? {
        urls.extend(localized(&base, &format!("/departments/{}", d.code), None));
    }
    Ok(xml(Sitemap { urls }.render().map_err(|_| WebError::new(Code::INTERNAL))?))
}

/// One file of live items (`content-0.xml`, `content-1.xml`, …), oldest first.
pub async fn sitemap_content(State(state): State<AppState>, Path(file): Path<String>) -> Result<impl IntoResponse, WebError> {
    let n: u64 = file
        .strip_prefix("content-")
        .and_then(|rest| rest.strip_suffix(".xml"))
        .filter(|n| !n.is_empty() && n.len() <= 6 && n.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|n| n.parse().ok())
        .ok_or(WebError::new(Code::NOT_FOUND))?;
    let items = content::live_addresses(&state.db, n * SITEMAP_ITEMS, SITEMAP_ITEMS).await?;
    if items.is_empty() && n > 0 {
        return Err(WebError::new(Code::NOT_FOUND));
    }
    let base = &state.config.public_url;
    let mut urls = Vec::with_capacity(items.len() * 3);
    for i in items {
        let lastmod = i.live_at.map(|d| d.format("%Y-%m-%d").to_string());
        urls.extend(localized(base, &format!("/{}/{}", i.kind.path_segment(), i.slug), lastmod));
    }
    Ok(xml(Sitemap { urls }.render().map_err(|_| WebError::new(Code::INTERNAL))?))
}

/// The web app manifest: Tamar can be installed on a phone's home screen.
pub async fn manifest() -> impl IntoResponse {
    let manifest = serde_json::json!({
        "name": "Tamar: GovHK",
        "short_name": "GovHK",
        "description": "Government information and services in one place",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b3d6e",
        "lang": "en",
        "icons": [
            { "src": "/static/icon.svg", "sizes": "any", "type": "image/svg+xml", "purpose": "any" },
            { "src": "/static/icon.svg", "sizes": "512x512", "type": "image/svg+xml", "purpose": "maskable" }
        ]
    });
    ([(header::CONTENT_TYPE, "application/manifest+json"), (header::CACHE_CONTROL, "public, max-age=3600")], manifest.to_string())
}

const SERVICE_WORKER: &str = include_str!("../static/sw.js");
const SUGGEST: &str = include_str!("../static/suggest.js");
const ICON: &str = include_str!("../static/icon.svg");
const PWA: &str = include_str!("../static/pwa.js");

/// Served from the root so that it may control every page.
pub async fn service_worker() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], service_worker_source())
}

/// The worker with its cache named after what it keeps: the static files and this release.
/// A new stylesheet or script changes the worker's bytes, so browsers install it again and
/// it replaces the cache; with a fixed name, installed apps would keep the old files.
fn service_worker_source() -> &'static str {
    static SOURCE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SOURCE.get_or_init(|| {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        for part in [tamar_web::pages::STYLESHEET, tamar_web::pages::FAVICON, SUGGEST, PWA, ICON, env!("CARGO_PKG_VERSION")] {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
        let version = hex::encode(&hasher.finalize()[..8]);
        SERVICE_WORKER.replace("tamar-static-dev", &format!("tamar-static-{version}"))
    })
}

pub async fn suggest_script() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], SUGGEST)
}

pub async fn icon() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=86400")], ICON)
}

pub async fn pwa_script() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], PWA)
}
