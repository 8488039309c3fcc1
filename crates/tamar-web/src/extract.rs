//! Extractors. The permission a handler needs is in the type of its arguments: a handler that
//! takes `Authorized<PlatformAdmins>` cannot run for anyone else. A handler that takes none of
//! them serves only public information.

use std::marker::PhantomData;
use std::sync::Arc;

use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use base64::Engine as _;
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;
use serde::de::DeserializeOwned;
use tamar_core::{Actor, Code, Lang, Role};
use tamar_identity::{Account, SessionCache};

use crate::access::Access;
use crate::{AppState, WebError};

/// The session cookie's name, without the `__Host-` prefix it has over HTTPS.
pub const SESSION_COOKIE: &str = "tamar_session";

pub use crate::access::Session;

/// The session token that a request's cookies carry, as the session layer reads it (cookie
/// names and values percent-decoded). The page cache asks the same question.
///
/// Either name counts here, with or without the `__Host-` prefix, so that nothing that could be
/// a session is cached for anonymous visitors; the session layer itself reads only the name of
/// its configuration.
pub(crate) fn session_token(headers: &axum::http::HeaderMap) -> Option<String> {
    let jar = CookieJar::from_headers(headers);
    [SESSION_COOKIE, "__Host-tamar_session"].into_iter().find_map(|name| jar.get(name).map(|cookie| cookie.value().to_owned()))
}

pub async fn resolve_session(State((state, sessions)): State<(AppState, Arc<SessionCache>)>, mut req: Request, next: Next) -> Response {
    let mut session = Session::anonymous();
    if let Some(token) = crate::cookies::TamarCookie::Session.read(&state.config, req.headers()) {
        match sessions.resolve(&state.db, &state.ledger, &token).await {
            Ok(Some(record)) => {
                session = Session {
                    actor: record.account.actor(),
                    account: Some(record.account),
                    token: Some(token),
                    authenticated_at: Some(record.authenticated_at),
                    method: Some(record.method),
                };
            }
            Ok(None) => {}
            Err(error) => {
                tracing::error!(%error, "could not resolve a session");
                return axum::response::IntoResponse::into_response(WebError::new(Code::UNAVAILABLE));
            }
        }
    }
    req.extensions_mut().insert(session);
    next.run(req).await
}

/// The current actor, whoever it is (possibly anonymous). For pages that show everyone
/// something, and a little more to those signed in.
pub struct CurrentSession(pub Session);

impl<S: Send + Sync> FromRequestParts<S> for CurrentSession {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(CurrentSession(parts.extensions.get::<Session>().cloned().unwrap_or_else(Session::anonymous)))
    }
}

/// A rule about who may do something: one [`Access`], as the route declares it.
pub trait Policy: Send + Sync + 'static {
    const ACCESS: Access;
}

/// Anyone signed in, even an officer still to set up two-factor sign-in.
pub struct AnySession;
impl Policy for AnySession {
    const ACCESS: Access = Access::AnySession;
}

/// Anyone signed in.
pub struct SignedIn;
impl Policy for SignedIn {
    const ACCESS: Access = Access::SignedIn;
}

/// Officers of any department.
pub struct Officers;
impl Policy for Officers {
    const ACCESS: Access = Access::OFFICER;
}

/// Officers who administer their department.
pub struct DepartmentAdmins;
impl Policy for DepartmentAdmins {
    const ACCESS: Access = Access::Officer(&[Role::DepartmentAdmin]);
}

/// Operators of the platform.
pub struct PlatformAdmins;
impl Policy for PlatformAdmins {
    const ACCESS: Access = Access::PlatformAdmin;
}

/// Department administrators or platform administrators.
pub struct Administrators;
impl Policy for Administrators {
    const ACCESS: Access = Access::Administrator;
}

/// A signed-in actor whom policy `P` allows. Anonymous requests are refused with
/// `unauthenticated` (pages redirect to sign-in), others with `forbidden`.
pub struct Authorized<P: Policy> {
    pub actor: Actor,
    pub account: Account,
    pub token: String,
    _policy: PhantomData<P>,
}

impl<S: Send + Sync, P: Policy> FromRequestParts<S> for Authorized<P> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let session = parts.extensions.get::<Session>().cloned().unwrap_or_else(Session::anonymous);
        P::ACCESS.check(&session).map_err(WebError::new)?;
        let (Some(account), Some(token)) = (session.account, session.token) else {
            return Err(WebError::new(Code::UNAUTHENTICATED));
        };
        Ok(Authorized { actor: session.actor, account, token, _policy: PhantomData })
    }
}

/// The language of a page, from its `/en/`, `/tc/` or `/sc/` prefix.
pub struct PageLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for PageLang {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .uri
            .path()
            .split('/')
            .nth(1)
            .and_then(Lang::from_prefix)
            .map(PageLang)
            .ok_or(WebError::new(Code::NOT_FOUND))
    }
}

/// A JSON body; malformed JSON, wrong fields and a missing content type get stable codes.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::rejection::JsonRejection;
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(WebError::new(Code::UNSUPPORTED_MEDIA_TYPE)),
            Err(JsonRejection::JsonDataError(_)) => Err(WebError::new(Code::INVALID_INPUT)),
            Err(JsonRejection::BytesRejection(_)) => Err(WebError::new(Code::PAYLOAD_TOO_LARGE)),
            Err(_) => Err(WebError::new(Code::INVALID_JSON)),
        }
    }
}

/// Query parameters; malformed ones get `invalid_query`.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|_| WebError::new(Code::INVALID_QUERY))
    }
}

/// Query parameters of an HTML form sent with GET, where a field may repeat (checkboxes:
/// `topic=tax&topic=housing`); malformed ones get `invalid_query`.
pub struct FormQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for FormQuery<T> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        serde_html_form::from_str(parts.uri.query().unwrap_or_default()).map(FormQuery).map_err(|_| WebError::new(Code::INVALID_QUERY))
    }
}

/// A submitted HTML form; malformed ones get `invalid_form`.
pub struct FormData<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for FormData<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::Form::<T>::from_request(req, state)
            .await
            .map(|f| FormData(f.0))
            .map_err(|_| WebError::new(Code::INVALID_FORM))
    }
}

/// The address of the peer, when the server knows it (not in `oneshot` tests).
pub struct PeerAddr(pub Option<std::net::IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for PeerAddr {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(PeerAddr(parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip())))
    }
}

/// Identity verifiers (the Immigration Department in the demo).
pub struct IdentityVerifiers;
impl Policy for IdentityVerifiers {
    const ACCESS: Access = Access::Officer(&[Role::IdentityVerifier]);
}

/// Citizens.
pub struct Citizens;
impl Policy for Citizens {
    const ACCESS: Access = Access::Citizen;
}

/// How recently someone must have signed in for a sensitive action.
pub const STEP_UP_WINDOW: chrono::Duration = chrono::Duration::minutes(10);

/// `Authorized<P>` for a sensitive action: the holder must also have proved who they are in the
/// last [`STEP_UP_WINDOW`]. Otherwise pages ask for the password again, and the API answers
/// `reauthentication_required`.
pub struct StepUp<P: Policy>(pub Authorized<P>);

impl<S: Send + Sync, P: Policy> FromRequestParts<S> for StepUp<P> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let authorized = Authorized::<P>::from_request_parts(parts, state).await?;
        let session = parts.extensions.get::<Session>().cloned().unwrap_or_else(Session::anonymous);
        let recent = session.authenticated_at.is_some_and(|at| chrono::Utc::now() - at < STEP_UP_WINDOW);
        if !recent {
            return Err(WebError::new(Code::REAUTHENTICATION_REQUIRED));
        }
        Ok(StepUp(authorized))
    }
}

/// Adds a `Set-Cookie` header to a response.
pub fn set_cookie(response: &mut Response, cookie: impl std::fmt::Display) {
    if let Ok(value) = axum::http::HeaderValue::from_str(&cookie.to_string()) {
        response.headers_mut().append(axum::http::header::SET_COOKIE, value);
    }
}

/// The client id and secret of HTTP Basic authentication (RFC 6749 section 2.3.1: each
/// form-urlencoded), as services send them.
pub fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = String::from_utf8(base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let unescape = |s: &str| serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("v={s}")).ok().and_then(|v| v.into_iter().next()).map(|(_, v)| v);
    Some((unescape(id)?, unescape(secret)?))
}
