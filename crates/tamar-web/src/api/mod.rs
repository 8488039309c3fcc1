//! The JSON API under `/api/v1`. Its OpenAPI 3.1 document is generated from these handlers.

pub mod departments;
pub mod ledger;
pub mod me;
pub mod portal;

use axum::Router;
use axum::routing::{get, post, put};

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(crate::openapi::document))
        .route("/departments", get(departments::list).post(departments::create))
        .route("/departments/{code}", get(departments::get))
        .route("/departments/{code}/officers", get(departments::officers).post(departments::create_officer))
        .route("/me", get(me::profile))
        .route("/me/accesses", get(me::accesses))
        .route("/catalogue", get(portal::list))
        .route("/catalogue/{kind}/{slug}", get(portal::get))
        .route("/search", get(portal::search))
        .route("/search/suggest", get(portal::suggest))
        .route("/me/inbox", get(portal::my_inbox))
        .route("/me/inbox/{id}/done", put(portal::set_done))
        .route("/me/bookmarks", get(portal::my_bookmarks))
        .route("/me/bookmarks/{slug}", put(portal::add_bookmark).delete(portal::remove_bookmark))
        .route("/apps", get(portal::apps).post(portal::register_app))
        .route("/apps/{slug}/usage", get(portal::usage).put(portal::report_usage))
        .route("/office/messages", post(portal::send_message))
        .route("/office/apps", get(portal::office_apps))
        .route("/office/apps/{slug}", put(portal::save_app))
        .route("/office/apps/{slug}/versions", get(portal::app_versions))
        .route("/office/apps/{slug}/submit", post(portal::submit_app))
        .route("/office/apps/{slug}/approve", post(portal::approve_app))
        .route("/office/apps/{slug}/reject", post(portal::reject_app))
        .route("/ledger/sth", get(ledger::sth))
        .route("/ledger/proof/inclusion", get(ledger::inclusion))
        .route("/ledger/proof/consistency", get(ledger::consistency))
}
