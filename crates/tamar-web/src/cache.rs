//! A micro-cache for public pages, as nginx's "microcaching" does in front of a CMS.
//!
//! A handler marks a response [`PublicPage`] when it is the same for everyone who is not
//! signed in: no forms, no personal data. Such responses to anonymous GET requests without a
//! query are kept for [`TTL`], and only while what they show is unchanged: the
//! ledger's public generation, which moves when this node changes published content, the
//! departments or the app directory ([`Ledger::notify_public`]), so that such a change shows
//! at once, and a change made on another node within [`TTL`]. Sign-ins, reads of personal data
//! and everything else a person does leave the cache alone. The log's own pages
//! ([`LogPage`]) also follow the log's generation. Requests with a session cookie always reach
//! their handler. A response from the cache says so in `X-Cache: HIT`.
//!
//! One request at a time renders a page for the cache. When a copy has passed its [`TTL`],
//! the request that renews it waits for the render and the others are given the old copy
//! meanwhile; when this node changed what a page shows, they wait for the one render. So a
//! page that expires under a rush costs one render, not one for each request in flight.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, IntoResponseParts, Response, ResponseParts};
use tamar_ledger::Ledger;
use tokio::sync::watch;

use crate::extract::SESSION_COOKIE;

pub const TTL: Duration = Duration::from_secs(1);
const X_CACHE: HeaderName = HeaderName::from_static("x-cache");
const MAX_ENTRIES: usize = 4096;
const MAX_BODY: usize = 4 * 1024 * 1024;

/// Marks a response as the same for every anonymous visitor.
#[derive(Clone, Copy, Debug)]
pub struct PublicPage;

impl IntoResponseParts for PublicPage {
    type Error = std::convert::Infallible;

    fn into_response_parts(self, mut res: ResponseParts) -> Result<ResponseParts, Self::Error> {
        res.extensions_mut().insert(PublicPage);
        Ok(res)
    }
}

/// Marks a public response that shows the log's state (its newest checkpoint): cached as a
/// [`PublicPage`], but only while the log is unchanged too.
#[derive(Clone, Copy, Debug)]
pub struct LogPage;

impl IntoResponseParts for LogPage {
    type Error = std::convert::Infallible;

    fn into_response_parts(self, mut res: ResponseParts) -> Result<ResponseParts, Self::Error> {
        res.extensions_mut().insert(PublicPage);
        res.extensions_mut().insert(LogPage);
        Ok(res)
    }
}

/// What a cached response was made under: the public generation, and the log's when it
/// shows the log.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Made {
    public: u64,
    log: Option<u64>,
}

impl Made {
    fn still_fresh(&self, ledger: &Ledger) -> bool {
        self.public == ledger.public_generation() && self.log.is_none_or(|g| g == ledger.generation())
    }
}

struct Cached {
    made: Made,
    at: Instant,
    headers: HeaderMap,
    body: Bytes,
}

/// What the cache holds for a page.
enum Lookup {
    /// Made under the current generations, less than [`TTL`] ago.
    Fresh(Arc<Cached>),
    /// Made under the current generations, but [`TTL`] or more ago: another node may have
    /// changed what it shows since.
    Old(Arc<Cached>),
    /// Made before a change on this node.
    Changed,
    /// Nothing kept.
    Missing,
}

#[derive(Default)]
pub struct PageCache {
    entries: RwLock<HashMap<String, Arc<Cached>>>,
    /// The pages being rendered for the cache now, each with the signal its render sends when
    /// it ends (or is dropped).
    rendering: Mutex<HashMap<String, watch::Receiver<()>>>,
}

/// One request rendering a page for the cache: the others that want the page meanwhile wait
/// for it or, when only its age is against the copy kept, are given that copy. Dropping it,
/// however the render ends, lets them go on.
struct Rendering<'a> {
    cache: &'a PageCache,
    key: String,
    _done: watch::Sender<()>,
}

impl Drop for Rendering<'_> {
    fn drop(&mut self) {
        if let Ok(mut rendering) = self.cache.rendering.lock() {
            rendering.remove(&self.key);
        }
    }
}

impl PageCache {
    fn lookup(&self, key: &str, ledger: &Ledger) -> Lookup {
        let Ok(entries) = self.entries.read() else { return Lookup::Missing };
        match entries.get(key) {
            Some(c) if c.made.still_fresh(ledger) && c.at.elapsed() < TTL => Lookup::Fresh(c.clone()),
            Some(c) if c.made.still_fresh(ledger) => Lookup::Old(c.clone()),
            Some(_) => Lookup::Changed,
            None => Lookup::Missing,
        }
    }

    fn store(&self, key: String, cached: Cached) {
        if let Ok(mut entries) = self.entries.write() {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(key, Arc::new(cached));
        }
    }

    /// Takes the page's render for this request, or gives the signal of the one under way.
    fn render(&self, key: &str) -> Result<Rendering<'_>, watch::Receiver<()>> {
        let mut rendering = self.rendering.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(under_way) = rendering.get(key) {
            return Err(under_way.clone());
        }
        let (done, signal) = watch::channel(());
        rendering.insert(key.to_owned(), signal);
        Ok(Rendering { cache: self, key: key.to_owned(), _done: done })
    }
}

/// Whether the request may be signed in: it names the session cookie anywhere, or the session
/// layer would find one (it decodes names, so `tamar%5Fsession` is one too).
pub(crate) fn signed_in(headers: &HeaderMap) -> bool {
    headers.get_all(header::COOKIE).iter().any(|v| v.to_str().map_or(true, |c| c.contains(SESSION_COOKIE)))
        || crate::extract::session_token(headers).is_some()
}

pub async fn serve_cached(State((ledger, cache)): State<(Ledger, Arc<PageCache>)>, req: Request, next: Next) -> Response {
    if req.method() != Method::GET || req.uri().query().is_some() || signed_in(req.headers()) {
        return next.run(req).await;
    }
    let key = req.uri().path().to_owned();
    // Read before the handler runs: a change made while it renders makes the entry stale.
    let (public, log) = (ledger.public_generation(), ledger.generation());
    // At most one request renders a page for the cache at a time (as nginx's
    // `proxy_cache_lock` does): when a copy expires under a rush, the others get the copy
    // while it is renewed (`proxy_cache_use_stale updating`) rather than all rendering it at
    // once; a page changed on this node they wait for, then take from the cache.
    let mut turn = None;
    for attempt in 0..2 {
        let kept = cache.lookup(&key, &ledger);
        if let Lookup::Fresh(hit) = &kept {
            return from_cache(hit);
        }
        match (cache.render(&key), kept) {
            (Ok(mine), _) => {
                turn = Some(mine);
                break;
            }
            (Err(_), Lookup::Old(copy)) => return from_cache(&copy),
            (Err(mut under_way), Lookup::Changed) if attempt == 0 => {
                // Ends when that render does, however it ends.
                let _ = under_way.changed().await;
            }
            // Nothing kept (a page that is not cached, say): rendered as it comes.
            (Err(_), _) => break,
        }
    }
    let response = next.run(req).await;
    if response.status() != StatusCode::OK || response.extensions().get::<PublicPage>().is_none() {
        return response;
    }
    // Only bodies known to be small are kept (a sitemap file can be megabytes): others pass
    // through as they are, uncached.
    let small = axum::body::HttpBody::size_hint(response.body()).upper().is_some_and(|n| n <= MAX_BODY as u64);
    if !small {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return crate::WebError::new(tamar_core::Code::INTERNAL).into_response();
    };
    let mut headers = parts.headers.clone();
    headers.remove(header::SET_COOKIE);
    let made = Made { public, log: parts.extensions.get::<LogPage>().map(|_| log) };
    cache.store(key, Cached { made, at: Instant::now(), headers, body: bytes.clone() });
    drop(turn);
    Response::from_parts(parts, Body::from(bytes))
}

fn from_cache(hit: &Cached) -> Response {
    let mut response = Response::new(Body::from(hit.body.clone()));
    *response.headers_mut() = hit.headers.clone();
    response.headers_mut().insert(X_CACHE, HeaderValue::from_static("HIT"));
    response
}
