//! A micro-cache for public pages, as nginx's "microcaching" does in front of a CMS.
//!
//! A handler marks a response [`PublicPage`] when it is the same for everyone who is not
//! signed in: no forms, no personal data. Such responses to anonymous GET requests without a
//! query are kept for at most [`TTL`], and only while the ledger's generation is unchanged, so
//! that a change made on this node shows at once and a change made on another node within
//! [`TTL`]. Requests with a session cookie always reach their handler.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, IntoResponseParts, Response, ResponseParts};
use tamar_ledger::Ledger;

use crate::extract::SESSION_COOKIE;

pub const TTL: Duration = Duration::from_secs(1);
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

struct Cached {
    generation: u64,
    at: Instant,
    headers: HeaderMap,
    body: Bytes,
}

#[derive(Default)]
pub struct PageCache {
    entries: RwLock<HashMap<String, Arc<Cached>>>,
}

impl PageCache {
    fn lookup(&self, key: &str, generation: u64) -> Option<Arc<Cached>> {
        let entries = self.entries.read().ok()?;
        entries.get(key).filter(|c| c.generation == generation && c.at.elapsed() < TTL).cloned()
    }

    fn store(&self, key: String, cached: Cached) {
        if let Ok(mut entries) = self.entries.write() {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(key, Arc::new(cached));
        }
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
    let generation = ledger.generation();
    if let Some(hit) = cache.lookup(&key, generation) {
        let mut response = Response::new(Body::from(hit.body.clone()));
        *response.headers_mut() = hit.headers.clone();
        return response;
    }
    let response = next.run(req).await;
    if response.status() != StatusCode::OK || response.extensions().get::<PublicPage>().is_none() {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return crate::WebError::new(tamar_core::Code::INTERNAL).into_response();
    };
    let mut headers = parts.headers.clone();
    headers.remove(header::SET_COOKIE);
    cache.store(key, Cached { generation, at: Instant::now(), headers, body: bytes.clone() });
    Response::from_parts(parts, Body::from(bytes))
}
