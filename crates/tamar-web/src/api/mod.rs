//! The JSON API under `/api/v1`. Its OpenAPI 3.1 document is generated from these handlers.

pub mod departments;
pub mod ledger;
pub mod me;
pub mod portal;
pub mod views;

use utoipa::OpenApi;

use crate::access::{Access, Scope, get, post, put};
use crate::csrf::Declared;
use crate::portal::{APP_OFFICERS, APP_WRITERS, CASE_OFFICERS, REVIEWERS};

/// The platform's own API, declared for nesting under `/api/v1`: the OpenAPI document and
/// the tamper-evident log.
pub fn platform_routes() -> Declared {
    Declared::new("/api/v1")
        .json("/openapi.json", get(Access::Public, crate::openapi::document))
        .json("/ledger/sth", get(Access::Public, ledger::sth))
        .json("/ledger/checkpoint", get(Access::Public, ledger::checkpoint))
        .json("/ledger/verifier-key", get(Access::Public, ledger::verifier_key))
        .json("/ledger/proof/inclusion", get(Access::Public, ledger::inclusion))
        .json("/ledger/proof/consistency", get(Access::Public, ledger::consistency))
}

/// The platform's paths in the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(ledger::sth, ledger::checkpoint, ledger::verifier_key, ledger::inclusion, ledger::consistency),
    tags((name = "ledger", description = "The tamper-evident log"))
)]
pub struct PlatformApi;

/// The identity module's paths in the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(departments::list, departments::get, departments::create, departments::officers, departments::create_officer, me::profile, me::accesses),
    tags((name = "departments", description = "Bureaux and departments: the tenants"), (name = "account", description = "The signed-in person"))
)]
pub struct IdentityApi;

/// The portal's paths in the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(
        portal::list, portal::get, portal::search, portal::suggest, portal::my_inbox, portal::set_done, portal::my_bookmarks, portal::add_bookmark,
        portal::remove_bookmark, portal::apps, portal::register_app, portal::office_apps, portal::app_versions, portal::save_app, portal::submit_app,
        portal::approve_app, portal::reject_app, portal::usage, portal::report_usage, portal::send_message,
    ),
    tags(
        (name = "portal", description = "The catalogue of services and pages, and search"),
        (name = "apps", description = "The registry of government mobile apps and their use"),
    )
)]
pub struct PortalApi;

/// Departments, their officers, and the signed-in person.
pub fn identity_routes() -> Declared {
    Declared::new("/api/v1")
        .json("/departments", get(Access::Public, departments::list).post(Access::PlatformAdmin, departments::create))
        .json("/departments/{code}", get(Access::Public, departments::get))
        .json(
            "/departments/{code}/officers",
            get(Access::Administrator, departments::officers).post(Access::Administrator, departments::create_officer).scoped(Scope::Department),
        )
        .json("/me", get(Access::SignedIn, me::profile))
        .json("/me/accesses", get(Access::SignedIn, me::accesses))
}

/// The portal: catalogue, search, MyGovHK, the app directory and the office's messages.
pub fn portal_routes() -> Declared {
    Declared::new("/api/v1")
        .json("/catalogue", get(Access::Public, portal::list))
        .json("/catalogue/{kind}/{slug}", get(Access::Public, portal::get))
        .json("/search", get(Access::Public, portal::search))
        .json("/search/suggest", get(Access::Public, portal::suggest))
        .json("/me/inbox", get(Access::SignedIn, portal::my_inbox))
        .json("/me/inbox/{id}/done", put(Access::SignedIn, portal::set_done).scoped(Scope::Owner))
        .json("/me/bookmarks", get(Access::SignedIn, portal::my_bookmarks))
        .json("/me/bookmarks/{slug}", put(Access::SignedIn, portal::add_bookmark).delete(Access::SignedIn, portal::remove_bookmark))
        .json("/apps", get(Access::Public, portal::apps).post(APP_WRITERS, portal::register_app))
        .json("/apps/{slug}/usage", get(Access::Public, portal::usage).put(APP_WRITERS, portal::report_usage).scoped(Scope::Department))
        .json("/office/messages", post(CASE_OFFICERS, portal::send_message))
        .json("/office/apps", get(APP_OFFICERS, portal::office_apps))
        .json("/office/apps/{slug}", put(APP_WRITERS, portal::save_app).scoped(Scope::Department))
        .json("/office/apps/{slug}/versions", get(APP_OFFICERS, portal::app_versions).scoped(Scope::Department))
        .json("/office/apps/{slug}/submit", post(APP_WRITERS, portal::submit_app).scoped(Scope::Department))
        .json("/office/apps/{slug}/approve", post(REVIEWERS, portal::approve_app).scoped(Scope::Department))
        .json("/office/apps/{slug}/reject", post(REVIEWERS, portal::reject_app).scoped(Scope::Department))
}
