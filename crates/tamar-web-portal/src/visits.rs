//! Counting visits of public item pages as they are served, in a layer around the whole
//! application; the `visit-counts` job writes them in batches (`tamar_portal::visits`).

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use tamar_core::Lang;
use tamar_portal::ItemKind;

use tamar_web::AppState;

/// Counts a successful GET of a public item page; runs outside the page cache so that cached
/// answers count too.
async fn count_visits(State(state): State<AppState>, req: Request, next: Next) -> Response {
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
        && let Some(portal) = state.modules.get::<crate::PortalState>()
    {
        portal.visits.add(kind, &slug);
    }
    response
}

/// The layer, outside the page cache.
pub(crate) fn layer(router: Router, state: &AppState) -> Router {
    router.layer(axum::middleware::from_fn_with_state(state.clone(), count_visits))
}
