//! CSRF protection for every HTML form that changes state.
//!
//! Each browser gets a random value in an HttpOnly, SameSite=Strict cookie; every form carries
//! `csrf_token`, the HMAC of that value under the server's key. A state-changing request to a
//! page (anything but GET, HEAD and OPTIONS outside `/api/`) must carry a token that matches
//! its cookie, or it is refused with `csrf_failed` before any handler runs. The JSON API is not
//! reachable by a cross-site form: it takes only `application/json`, which browsers will not
//! send cross-site without CORS, and Tamar grants no CORS.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use tamar_core::Code;

use crate::{AppState, WebConfig, WebError};

pub const CSRF_COOKIE: &str = "tamar_csrf";
pub const CSRF_FIELD: &str = "csrf_token";

/// The token that this request's forms must carry. It is made on first use, so that pages
/// without forms set no cookie (and can be cached).
#[derive(Clone)]
pub struct CsrfToken {
    inner: Arc<Lazy>,
}

struct Lazy {
    config: Arc<WebConfig>,
    nonce: OnceLock<String>,
    fresh: AtomicBool,
}

impl CsrfToken {
    pub fn token(&self) -> String {
        let nonce = self.inner.nonce.get_or_init(|| {
            self.inner.fresh.store(true, Ordering::Relaxed);
            let mut bytes = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            hex::encode(bytes)
        });
        token_for(&self.inner.config.csrf_key, nonce)
    }
}

fn mac(key: &[u8], nonce: &str) -> Option<Hmac<Sha256>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).ok()?;
    mac.update(nonce.as_bytes());
    Some(mac)
}

pub fn token_for(key: &[u8], nonce: &str) -> String {
    mac(key, nonce).map(|m| hex::encode(m.finalize().into_bytes())).unwrap_or_default()
}

fn token_matches(key: &[u8], nonce: &str, token: &str) -> bool {
    let Ok(bytes) = hex::decode(token) else { return false };
    mac(key, nonce).is_some_and(|m| m.verify_slice(&bytes).is_ok())
}

/// The methods a form or script can use to change something. Any other method reaches the
/// router, which answers 405 where a route does not take it.
fn changes_state(method: &Method) -> bool {
    matches!(*method, Method::POST | Method::PUT | Method::PATCH | Method::DELETE)
}

pub async fn protect(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let key = &state.config.csrf_key;
    let jar = CookieJar::from_headers(req.headers());
    let existing = jar.get(CSRF_COOKIE).map(|c| c.value().to_owned()).filter(|v| v.len() == 64);
    let is_page = !crate::error::is_api(req.uri().path());

    let mut req = req;
    if is_page && changes_state(req.method()) {
        let Some(nonce) = existing.as_deref() else {
            return WebError::new(Code::CsrfFailed).into_response();
        };
        let (parts, body) = req.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, state.config.body_limit).await else {
            return WebError::new(Code::PayloadTooLarge).into_response();
        };
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
        let token = fields.iter().find(|(name, _)| name == CSRF_FIELD).map(|(_, v)| v.as_str()).unwrap_or("");
        if !token_matches(key, nonce, token) {
            return WebError::new(Code::CsrfFailed).into_response();
        }
        req = Request::from_parts(parts, Body::from(bytes));
    }

    let nonce = OnceLock::new();
    if let Some(existing) = existing {
        let _ = nonce.set(existing);
    }
    let handle = CsrfToken { inner: Arc::new(Lazy { config: state.config.clone(), nonce, fresh: AtomicBool::new(false) }) };
    req.extensions_mut().insert(handle.clone());
    let mut response = next.run(req).await;
    if handle.inner.fresh.load(Ordering::Relaxed)
        && let Some(nonce) = handle.inner.nonce.get()
    {
        let cookie = Cookie::build((CSRF_COOKIE, nonce.clone()))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Strict)
            .secure(state.config.secure_cookies)
            .build();
        if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}
