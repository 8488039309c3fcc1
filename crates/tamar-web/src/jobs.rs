//! The part of the portal's background work that sees HTTP: counting visits of public item
//! pages as they are served. What the jobs themselves do (declared in [`crate::modules`], run
//! by [`crate::schedule`]) belongs to `tamar_portal`: `search_docs`, `subscription_mail` and
//! `visits`.

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use tamar_core::Lang;
use tamar_portal::ItemKind;

use crate::AppState;

/// Counts a successful GET of a public item page; runs outside the page cache so that cached
/// answers count too.
pub async fn count_visits(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let target = if req.method() == Method::GET {
        let mut parts = req.uri().path().trim_start_matches('/').split('/');
        match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(lang), Some(segment), Some(slug), None) if Lang::from_prefix(lang).is_some() => {
                ItemKind::ALL.into_iter().find(|k| k.path_segment() == segment).map(|k| (k, slug.to_owned()))
            }
            _ => None,
        }
    } else {
        None
    };
    let response = next.run(req).await;
    if let Some((kind, slug)) = target
        && response.status() == StatusCode::OK
    {
        state.visits.add(kind, &slug);
    }
    response
}
