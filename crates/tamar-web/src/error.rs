//! One error type for the web layer, and the one place where errors become responses.
//!
//! A handler returns [`WebError`], which carries only a stable [`Code`]; details of internal
//! faults are logged, never returned. [`render_errors`] then writes the body: JSON
//! `{ "code", "message" }` under `/api/`, an error page elsewhere, always in the request's
//! language. Errors raised by axum or tower layers (unknown route, wrong method, body too
//! large, timeout) get the same treatment.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Serialize;
use tamar_core::{Code, ErrorKind, FieldError, HasCode, Lang};

use crate::i18n::t;

#[derive(Debug)]
pub struct WebError {
    pub code: Code,
    /// For input that breaks a rule: which fields, and which rules.
    pub details: Vec<FieldError>,
}

impl WebError {
    pub fn new(code: Code) -> Self {
        Self { code, details: Vec::new() }
    }
}

impl<E: HasCode + std::fmt::Display> From<E> for WebError {
    fn from(err: E) -> Self {
        let code = err.code();
        if code.kind() == ErrorKind::Internal || code.kind() == ErrorKind::Unavailable {
            tracing::error!(error = %err, code = code.as_str(), "request failed");
        }
        WebError { code, details: err.details() }
    }
}

pub fn status_of(code: Code) -> StatusCode {
    match code.kind() {
        ErrorKind::BadRequest => StatusCode::BAD_REQUEST,
        ErrorKind::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorKind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ErrorKind::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
        ErrorKind::Timeout => StatusCode::REQUEST_TIMEOUT,
        ErrorKind::Unavailable | ErrorKind::Busy => StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Marks a response as an error still to be rendered.
#[derive(Clone, Debug)]
struct PendingError(Code, Vec<FieldError>);

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let mut response = status_of(self.code).into_response();
        response.extensions_mut().insert(PendingError(self.code, self.details));
        response
    }
}

/// The JSON body of every API error.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ApiErrorBody {
    /// Stable error code, e.g. `department_not_found`: one of the kernel's or a module's (the
    /// document lists them all, from the module list).
    pub code: String,
    /// What went wrong, in the request's language.
    pub message: String,
    /// For input that breaks a rule: each field and the rule it breaks.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<ApiFieldError>,
}

/// One field of a request that breaks a rule.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ApiFieldError {
    /// The field, as the request names it (`name`, `service.online_url`).
    pub field: String,
    /// The rule it breaks: `required`, `too_long`, `control_characters`, `format`,
    /// `unknown_value`, `out_of_range` or `inconsistent`.
    pub code: String,
    /// The same, in the request's language.
    pub message: String,
}

pub async fn not_found() -> WebError {
    WebError::new(Code::NOT_FOUND)
}

pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    WebError::new(Code::INTERNAL).into_response()
}

/// The code for an error response that a layer produced without one.
fn code_for_status(status: StatusCode) -> Code {
    match status {
        StatusCode::NOT_FOUND => Code::NOT_FOUND,
        StatusCode::METHOD_NOT_ALLOWED => Code::METHOD_NOT_ALLOWED,
        StatusCode::PAYLOAD_TOO_LARGE => Code::PAYLOAD_TOO_LARGE,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => Code::UNSUPPORTED_MEDIA_TYPE,
        StatusCode::REQUEST_TIMEOUT => Code::TIMEOUT,
        StatusCode::UNAUTHORIZED => Code::UNAUTHENTICATED,
        StatusCode::FORBIDDEN => Code::FORBIDDEN,
        StatusCode::UNPROCESSABLE_ENTITY => Code::INVALID_INPUT,
        StatusCode::TOO_MANY_REQUESTS => Code::TOO_MANY_REQUESTS,
        s if s.is_client_error() => Code::BAD_REQUEST,
        _ => Code::INTERNAL,
    }
}

/// The language of a request: its path prefix, else its `Accept-Language`.
pub fn request_lang(req: &Request) -> Lang {
    let path = req.uri().path();
    if let Some(lang) = path.split('/').nth(1).and_then(Lang::from_prefix) {
        return lang;
    }
    req.headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::negotiate)
        .unwrap_or(Lang::En)
}

/// The paths that answer programs (the JSON API, operations, protocol endpoints), as opposed
/// to pages for people, as the modules declared them (`Module::program_paths`): errors there
/// are JSON.
#[derive(Clone, Debug, Default)]
pub struct ProgramPaths(Vec<&'static str>);

impl ProgramPaths {
    pub fn new(paths: impl IntoIterator<Item = &'static str>) -> ProgramPaths {
        ProgramPaths(paths.into_iter().collect())
    }

    /// Whether `path` is one of them: the same path, or under one that ends in `/`.
    pub fn contains(&self, path: &str) -> bool {
        self.0.iter().any(|p| if p.ends_with('/') { path.starts_with(p) } else { path == *p })
    }
}

/// Writes every error as its code and translated message: JSON on program paths, a page
/// elsewhere.
pub async fn render_errors(State(programs): State<Arc<ProgramPaths>>, req: Request, next: Next) -> Response {
    let lang = request_lang(&req);
    let path = req.uri().path().to_owned();
    let query = req.uri().query().map(str::to_owned);
    let response = next.run(req).await;
    let status = response.status();
    let pending = response.extensions().get::<PendingError>().cloned();
    let produced_by_layer = status.is_client_error() || status.is_server_error();
    let has_own_body = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html") || ct.starts_with("application/json"));
    let (code, details) = match pending {
        Some(PendingError(code, details)) => (code, details),
        None if produced_by_layer && !has_own_body => (code_for_status(status), Vec::new()),
        None => return response,
    };
    let status = status_of(code);
    let message = t(lang, &format!("error-{}", code.as_str()));
    let mut rendered = if programs.contains(&path) {
        let details = details
            .into_iter()
            .map(|d| ApiFieldError { field: d.field.to_owned(), code: d.rule.as_str().to_owned(), message: t(lang, &format!("rule-{}", d.rule.as_str())) })
            .collect();
        (status, axum::Json(ApiErrorBody { code: code.as_str().to_owned(), message, details })).into_response()
    } else if code == Code::MFA_REQUIRED {
        // Officers set up their second factor before anything else.
        Redirect::to(&format!("/{}/account/two-factor", lang.prefix())).into_response()
    } else if code == Code::REAUTHENTICATION_REQUIRED {
        let mut back = path.clone();
        if let Some(q) = &query {
            back = format!("{back}?{q}");
        }
        // A form posted to a sensitive action cannot be replayed; come back to the page it was on.
        let back = if back.contains("/admin/") || back.contains("/office") { back.split('?').next().unwrap_or("/").to_owned() } else { back };
        Redirect::to(&format!("/{}/sign-in?again=1&next={}", lang.prefix(), urlencode(&back))).into_response()
    } else if status == StatusCode::UNAUTHORIZED {
        // People who need to sign in are taken to the sign-in page, and back afterwards.
        let mut back = path.clone();
        if let Some(q) = query {
            back = format!("{back}?{q}");
        }
        let target = format!("/{}/sign-in?next={}", lang.prefix(), urlencode(&back));
        Redirect::to(&target).into_response()
    } else {
        let page = crate::pages::error_page(lang, code, &message);
        (status, Html(page)).into_response()
    };
    if let Ok(value) = HeaderValue::from_str(lang.bcp47()) {
        rendered.headers_mut().insert(header::CONTENT_LANGUAGE, value);
    }
    if code.kind() == ErrorKind::Busy {
        // The node is at capacity for this work, not broken: come back in a second.
        rendered.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    rendered
}

pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)]).map(|e| e.trim_start_matches('=').to_owned()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::ProgramPaths;

    #[test]
    fn program_paths_are_exact_or_a_folder() {
        let programs = ProgramPaths::new(["/api/", "/healthz"]);
        assert!(programs.contains("/api/v1/departments"));
        assert!(programs.contains("/healthz"));
        assert!(!programs.contains("/healthz/more"));
        assert!(!programs.contains("/healthzz"));
        assert!(!programs.contains("/apis"));
        assert!(!programs.contains("/en/api/"));
    }
}
