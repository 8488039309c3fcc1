use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use tamar_core::Lang;
use tamar_ledger::SthView;

use super::{PageContext, render};
use crate::cache::LogPage;
use crate::extract::PageLang;
use crate::{AppState, WebError};

/// `/` sends people to their language, from `Accept-Language`.
pub async fn choose_language(headers: HeaderMap) -> Response {
    let lang = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::negotiate)
        .unwrap_or(Lang::En);
    let mut response = Redirect::to(&format!("/{}/", lang.prefix())).into_response();
    response.headers_mut().insert(header::VARY, HeaderValue::from_static("accept-language"));
    response
}

pub async fn to_home(PageLang(lang): PageLang) -> Redirect {
    Redirect::permanent(&format!("/{}/", lang.prefix()))
}

pub const STYLESHEET: &str = include_str!("../../static/tamar.css");
pub const FAVICON: &str = include_str!("../../static/favicon.svg");
pub async fn stylesheet() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], STYLESHEET)
}

pub async fn favicon() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=86400")], FAVICON)
}

#[derive(Template)]
#[template(path = "transparency.html")]
struct TransparencyPage {
    page: PageContext,
    head: Option<SthView>,
    head_time: String,
    /// The newest head as a C2SP checkpoint, for people to keep.
    checkpoint: Option<String>,
    verifier_key: String,
}

pub async fn transparency(page: PageContext, State(state): State<AppState>) -> Result<(LogPage, Html<String>), WebError> {
    let sth = state.ledger.latest_sth().await?;
    let head_time = sth.as_ref().map(|h| h.timestamp.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)).unwrap_or_default();
    let head = sth.map(|h| h.view(&state.ledger.public_key()));
    let checkpoint = state.ledger.checkpoint().await?;
    let verifier_key = state.ledger.note_key().to_string();
    Ok((LogPage, render(&TransparencyPage { page: page.section("transparency"), head, head_time, checkpoint, verifier_key })?))
}
