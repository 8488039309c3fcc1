//! The JSON API under `/api/v1`. Its OpenAPI 3.1 document is generated from these handlers.

pub mod departments;
pub mod ledger;
pub mod me;
pub mod portal;
pub mod views;

use axum::routing::{get, post, put};

use crate::csrf::Declared;

/// The platform's own API, declared for nesting under `/api/v1`: the OpenAPI document and
/// the tamper-evident log.
pub fn platform_routes() -> Declared {
    Declared::new("/api/v1")
        .json("/openapi.json", get(crate::openapi::document))
        .json("/ledger/sth", get(ledger::sth))
        .json("/ledger/checkpoint", get(ledger::checkpoint))
        .json("/ledger/verifier-key", get(ledger::verifier_key))
        .json("/ledger/proof/inclusion", get(ledger::inclusion))
        .json("/ledger/proof/consistency", get(ledger::consistency))
}

/// Departments, their officers, and the signed-in person.
pub fn identity_routes() -> Declared {
    Declared::new("/api/v1")
        .json("/departments", get(departments::list).post(departments::create))
        .json("/departments/{code}", get(departments::get))
        .json("/departments/{code}/officers", get(departments::officers).post(departments::create_officer))
        .json("/me", get(me::profile))
        .json("/me/accesses", get(me::accesses))
}

/// The portal: catalogue, search, MyGovHK, the app directory and the office's messages.
pub fn portal_routes() -> Declared {
    Declared::new("/api/v1")
        .json("/catalogue", get(portal::list))
        .json("/catalogue/{kind}/{slug}", get(portal::get))
        .json("/search", get(portal::search))
        .json("/search/suggest", get(portal::suggest))
        .json("/me/inbox", get(portal::my_inbox))
        .json("/me/inbox/{id}/done", put(portal::set_done))
        .json("/me/bookmarks", get(portal::my_bookmarks))
        .json("/me/bookmarks/{slug}", put(portal::add_bookmark).delete(portal::remove_bookmark))
        .json("/apps", get(portal::apps).post(portal::register_app))
        .json("/apps/{slug}/usage", get(portal::usage).put(portal::report_usage))
        .json("/office/messages", post(portal::send_message))
        .json("/office/apps", get(portal::office_apps))
        .json("/office/apps/{slug}", put(portal::save_app))
        .json("/office/apps/{slug}/versions", get(portal::app_versions))
        .json("/office/apps/{slug}/submit", post(portal::submit_app))
        .json("/office/apps/{slug}/approve", post(portal::approve_app))
        .json("/office/apps/{slug}/reject", post(portal::reject_app))
}
