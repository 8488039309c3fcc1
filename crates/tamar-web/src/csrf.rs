//! Cross-site request forgery protection, declared per route.
//!
//! Every route that changes state is protected one way or another, and the way is part of its
//! declaration ([`CrossSite`]): a route registered with plain `Router::route` takes forms and
//! needs a form token; the JSON API and the OpenID Connect back channel are declared as such
//! with [`Declared`].
//!
//! A form token is the HMAC, under a key used for nothing else, of the browser's nonce (a random
//! value in the HttpOnly, SameSite=Strict `tamar_csrf` cookie, exactly 64 hex digits) and of the
//! session it was made for: a token made before signing in, or for another session, is refused.
//! Tokens are made on first use, so pages without forms set no cookie (and can be cached).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

use tamar_core::Code;

use crate::access::{Access, MethodRule, Methods, Scope};
use crate::cookies::TamarCookie;
use crate::extract::Session;
use crate::{AppState, WebConfig, WebError};

pub const CSRF_FIELD: &str = "csrf_token";

/// How a route that changes state is kept from being called by another site.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrossSite {
    /// An HTML form: it must carry a form token made for this browser and session. The default.
    FormToken,
    /// The JSON API: a request that carries a session cookie must be `application/json`, which
    /// no cross-site form can send and Tamar allows no cross-origin script to send (no CORS).
    Json,
    /// A back channel that authenticates its caller by a client secret or a bearer token: the
    /// browser's cookies are not looked at (the request is handled as anonymous).
    NoCookies,
    /// A route that changes nothing by any method: a POST is only sent on to the route's GET
    /// form (OpenID Connect's end-session endpoint, which relying parties may POST to).
    ChangesNothing,
}

/// One declared route: its template (with the prefix it is nested under), how it is kept from
/// cross-site use, and who may call each of its methods.
#[derive(Clone, Debug)]
pub struct Route {
    pub path: String,
    pub cross_site: CrossSite,
    pub methods: Vec<MethodRule>,
    pub scope: Scope,
}

/// Routes together with how each is protected and who may call it.
pub struct Declared {
    prefix: &'static str,
    pub router: Router<AppState>,
    pub routes: Vec<Route>,
}

impl Declared {
    /// Routes that will be nested under `prefix` (`""` when merged).
    pub fn new(prefix: &'static str) -> Self {
        Self { prefix, router: Router::new(), routes: Vec::new() }
    }

    pub fn route(mut self, path: &str, rule: CrossSite, methods: Methods) -> Self {
        let Methods { router, rules, scope } = methods;
        // A service's route ignores cookies, whatever else it says.
        let rule = if rules.iter().any(|r| r.access == Access::Client) { CrossSite::NoCookies } else { rule };
        self.routes.push(Route { path: format!("{}{path}", self.prefix), cross_site: rule, methods: rules, scope });
        let checked = router.route_layer(axum::middleware::from_fn(move |req: Request, next: Next| check(rule, req, next)));
        self.router = self.router.route(path, checked);
        self
    }

    /// A page route: its forms carry a form token.
    pub fn form(self, path: &str, methods: Methods) -> Self {
        self.route(path, CrossSite::FormToken, methods)
    }

    /// A JSON API route.
    pub fn json(self, path: &str, methods: Methods) -> Self {
        self.route(path, CrossSite::Json, methods)
    }

    /// Adds another set's routes (with the same prefix).
    pub fn merge(mut self, other: Declared) -> Self {
        self.routes.extend(other.routes);
        self.router = self.router.merge(other.router);
        self
    }
}

/// Every declared route, by template, with its rule.
#[derive(Default)]
pub struct Rules(HashMap<String, CrossSite>);

impl Rules {
    pub fn add(&mut self, routes: &[Route]) {
        self.0.extend(routes.iter().map(|r| (r.path.clone(), r.cross_site)));
    }

    pub fn declares(&self, route: Option<&str>) -> bool {
        route.is_some_and(|r| self.0.contains_key(r))
    }
}

/// The token that this request's forms must carry.
#[derive(Clone)]
pub struct CsrfToken {
    inner: Arc<Lazy>,
}

struct Lazy {
    config: Arc<WebConfig>,
    nonce: OnceLock<String>,
    /// The nonce came with the request (rather than being made for this response).
    from_cookie: bool,
    session: String,
    fresh: AtomicBool,
}

impl CsrfToken {
    pub fn token(&self) -> String {
        token_for(&self.inner.config.csrf_key, self.nonce(), &self.inner.session)
    }

    /// The browser's nonce (made now if it has none): a value only this browser holds.
    pub fn nonce(&self) -> &str {
        self.inner.nonce.get_or_init(|| {
            self.inner.fresh.store(true, Ordering::Relaxed);
            let mut bytes = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            hex::encode(bytes)
        })
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for CsrfToken {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<CsrfToken>().cloned().ok_or(WebError::new(Code::INTERNAL))
    }
}

/// A nonce is exactly what Tamar makes: 64 lowercase hex digits.
fn well_formed(nonce: &str) -> bool {
    nonce.len() == 64 && nonce.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// What a token is bound to besides the browser: the session, by the hash of its token.
fn session_binding(session: Option<&Session>) -> String {
    session.and_then(|s| s.token.as_deref()).map(|t| hex::encode(Sha256::digest(t.as_bytes()))).unwrap_or_default()
}

fn mac(key: &[u8], nonce: &str, session: &str) -> Option<Hmac<Sha256>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).ok()?;
    // Lengths first, so that no two (nonce, session) pairs give the same input.
    mac.update(b"tamar form token\0");
    mac.update(&(nonce.len() as u64).to_be_bytes());
    mac.update(nonce.as_bytes());
    mac.update(&(session.len() as u64).to_be_bytes());
    mac.update(session.as_bytes());
    Some(mac)
}

pub fn token_for(key: &[u8], nonce: &str, session: &str) -> String {
    mac(key, nonce, session).map(|m| hex::encode(m.finalize().into_bytes())).unwrap_or_default()
}

fn token_matches(key: &[u8], nonce: &str, session: &str, token: &str) -> bool {
    let Ok(bytes) = hex::decode(token) else { return false };
    mac(key, nonce, session).is_some_and(|m| m.verify_slice(&bytes).is_ok())
}

/// The one method another site can make a browser send with its cookies: a form's POST. PUT,
/// PATCH and DELETE from another origin need a CORS preflight, which Tamar never grants, so
/// they reach the router (which answers 405 where a route does not take them).
fn cross_site_capable(method: &Method) -> bool {
    *method == Method::POST
}

fn is_json(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"))
}

/// The form field `csrf_token` of an `application/x-www-form-urlencoded` body.
pub fn form_token(body: &[u8]) -> Option<String> {
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
    fields.into_iter().find(|(name, _)| name == CSRF_FIELD).map(|(_, v)| v)
}

/// The outer half, on every request: finds the browser's nonce and the session it is bound
/// to, and hands the per-route check (and the pages' forms) a [`CsrfToken`]. A POST to a route
/// that was not declared with a rule is refused: deny by default.
pub async fn protect(State((state, rules)): State<(AppState, Arc<Rules>)>, mut req: Request, next: Next) -> Response {
    let config = &state.config;
    let existing = TamarCookie::Csrf.read(config, req.headers()).filter(|v| well_formed(v));
    let route = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned());
    if cross_site_capable(req.method()) && route.is_some() && !rules.declares(route.as_deref()) {
        return WebError::new(Code::CSRF_FAILED).into_response();
    }
    let session = session_binding(req.extensions().get::<Session>());
    let from_cookie = existing.is_some();
    let nonce = OnceLock::new();
    if let Some(existing) = existing {
        let _ = nonce.set(existing);
    }
    let handle = CsrfToken { inner: Arc::new(Lazy { config: config.clone(), nonce, session, fresh: AtomicBool::new(false), from_cookie }) };
    req.extensions_mut().insert(handle.clone());
    let mut response = next.run(req).await;
    if handle.inner.fresh.load(Ordering::Relaxed)
        && let Some(nonce) = handle.inner.nonce.get()
        && let Ok(value) = HeaderValue::from_str(&TamarCookie::Csrf.with_value(config, nonce.clone()).to_string())
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// The inner half, on each declared route and only for the methods it takes (a method it does
/// not take is answered 405 by the router, before this runs).
async fn check(rule: CrossSite, mut req: Request, next: Next) -> Response {
    let Some(handle) = req.extensions().get::<CsrfToken>().cloned() else {
        return WebError::new(Code::INTERNAL).into_response();
    };
    if cross_site_capable(req.method()) {
        match rule {
            CrossSite::FormToken => {
                let config = &handle.inner.config;
                let Some(nonce) = handle.inner.nonce.get().filter(|_| handle.inner.from_cookie) else {
                    return WebError::new(Code::CSRF_FAILED).into_response();
                };
                let (parts, body) = req.into_parts();
                let Ok(bytes) = axum::body::to_bytes(body, config.body_limit).await else {
                    return WebError::new(Code::PAYLOAD_TOO_LARGE).into_response();
                };
                let token = form_token(&bytes).unwrap_or_default();
                if !token_matches(&config.csrf_key, nonce, &handle.inner.session, &token) {
                    return WebError::new(Code::CSRF_FAILED).into_response();
                }
                req = Request::from_parts(parts, Body::from(bytes));
            }
            CrossSite::Json => {
                let with_session = req.extensions().get::<Session>().is_some_and(|s| s.token.is_some());
                if with_session && !is_json(&req) {
                    return WebError::new(Code::UNSUPPORTED_MEDIA_TYPE).into_response();
                }
            }
            CrossSite::NoCookies | CrossSite::ChangesNothing => {}
        }
    }
    if rule == CrossSite::NoCookies {
        req.extensions_mut().insert(Session::anonymous());
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_bound_to_its_nonce_and_session() {
        let key = [7u8; 32];
        let nonce = "a".repeat(64);
        let token = token_for(&key, &nonce, "session-1");
        assert!(token_matches(&key, &nonce, "session-1", &token));
        assert!(!token_matches(&key, &nonce, "session-2", &token), "another session");
        assert!(!token_matches(&key, &nonce, "", &token), "signed out");
        assert!(!token_matches(&key, &"b".repeat(64), "session-1", &token), "another browser");
        assert!(!token_matches(&[8u8; 32], &nonce, "session-1", &token), "another key");
    }

    #[test]
    fn only_nonces_tamar_makes_are_accepted() {
        assert!(well_formed(&"0123456789abcdef".repeat(4)));
        for bad in ["", "short", &"A".repeat(64), &"g".repeat(64), &"a".repeat(63), &"a".repeat(65), &format!("tamar-mfa-pending:{}", "a".repeat(46))] {
            assert!(!well_formed(bad), "{bad}");
        }
    }
}
