//! Tamar's web kernel: the server's layers, extractors, `WebError`, the page context and base
//! templates, static assets, i18n, the scheduler, and the [`Module`](module::Module) that each
//! module's web crate (`tamar-web-identity`, `tamar-web-portal`, ...) declares its pages, API
//! and jobs with. [`app`] builds the whole application from a list of modules.
//!
//! Handlers are thin: they extract (the permission a handler needs is in its extractor's type),
//! call a domain function, and render. Errors from every layer end up as a [`WebError`], which
//! [`error::render_errors`] turns into `{ "code", "message" }` for the API or a page for people,
//! in the request's language.
//!
//! Architecture invariant: no business rule lives here. This crate knows HTTP, HTML and JSON;
//! what is allowed and what is stored is decided by the domain crates.

pub mod access;
pub mod api;
mod cache;
pub mod cookies;
pub mod csrf;
pub mod error;
pub mod extract;
pub mod i18n;
pub mod module;
pub mod ops;
pub mod openapi;
pub mod pages;
pub mod paging;
pub mod schedule;
mod security;
pub mod views;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use tamar_ledger::Ledger;
use tamar_store::Db;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::module::Module;

pub use cache::PublicPage;
pub use error::WebError;

/// Settings of the web layer, from the configuration.
#[derive(Clone)]
pub struct WebConfig {
    /// Key for CSRF form tokens, and for nothing else (derived for this one purpose from a
    /// secret in the data folder). Never logged.
    pub csrf_key: Vec<u8>,
    /// Mark cookies `Secure` (when served over TLS, directly or behind a proxy).
    pub secure_cookies: bool,
    pub request_timeout: Duration,
    pub body_limit: usize,
    /// The address people reach Tamar at, for links in email: `https://www.example.gov.hk`.
    /// It is also the OpenID Connect issuer.
    pub public_url: String,
    /// Key for pairwise subject identifiers. Never logged.
    pub pairwise_key: Vec<u8>,
    /// The bearer token that Prometheus gives for `/metrics`. Without one, only this machine
    /// (a loopback address) may read the metrics. Never logged.
    pub metrics_token: Option<String>,
}

impl std::fmt::Debug for WebConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebConfig")
            .field("csrf_key", &"[redacted]")
            .field("secure_cookies", &self.secure_cookies)
            .field("request_timeout", &self.request_timeout)
            .field("body_limit", &self.body_limit)
            .field("public_url", &self.public_url)
            .field("pairwise_key", &"[redacted]")
            .field("metrics_token", &self.metrics_token.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

/// What every handler can reach, shared: every layer and handler clones it for each request, so
/// a clone is one reference count. Its parts are reached through `Deref` (`state.db`).
#[derive(Clone)]
pub struct AppState(Arc<StateParts>);

impl AppState {
    pub fn new(parts: StateParts) -> AppState {
        AppState(Arc::new(parts))
    }
}

impl std::ops::Deref for AppState {
    type Target = StateParts;

    fn deref(&self) -> &StateParts {
        &self.0
    }
}

/// The parts of [`AppState`].
#[derive(Clone)]
pub struct StateParts {
    pub db: Db,
    /// Files (attachments, exports); modules that keep files use this.
    pub blobs: tamar_store::Blobs,
    pub ledger: Ledger,
    pub mailer: Arc<tamar_notify::Mailer>,
    pub hkid_key: tamar_identity::HkidKey,
    pub signing: tamar_signing::SigningAuthority,
    /// Seals secrets kept in the database (TOTP secrets).
    pub sealer: tamar_store::Sealer,
    pub config: Arc<WebConfig>,
    /// What each module made at start-up for its handlers and jobs (`Module::state`).
    pub modules: module::ModuleState,
}

/// The platform itself: leases for one-node jobs, the tamper-evident log, operations
/// (`/healthz`, `/readyz`, `/metrics`), the OpenAPI document, and the pages every module
/// shares (the language choice, static assets, the transparency page).
pub fn platform() -> Module {
    Module {
        migrations: vec![tamar_store::lease::MIGRATIONS, tamar_ledger::MIGRATIONS],
        routes: || {
            crate::ops::routes()
                .merge(crate::pages::routes())
                // Where transparency-log tools look for a log's newest checkpoint.
                .form("/checkpoint", access::get(access::Access::Public, api::ledger::checkpoint))
        },
        api: crate::api::routes,
        openapi: <crate::api::PlatformApi as utoipa::OpenApi>::openapi,
        codes: vec![tamar_ledger::codes::ALL],
        // The API of every module is nested under `/api/v1`.
        program_paths: &["/api/", "/healthz", "/readyz", "/metrics"],
        ..Module::new("platform")
    }
}

/// Every module's routes, with how each is kept from cross-site use: the API (nested under
/// `/api/v1`) and all the others.
fn declared_routes(modules: &[Module]) -> (csrf::Declared, csrf::Declared) {
    let mut api = csrf::Declared::new("/api/v1");
    let mut others = csrf::Declared::new("");
    for module in modules {
        api = api.merge((module.api)());
        others = others.merge((module.routes)());
    }
    (api, others)
}

/// The templates of the routes whose forms carry a form token (`/{lang}/account/contact`): the
/// pages people fill in, for tests and fuzz targets that go through every one.
pub fn form_routes(modules: &[Module]) -> Vec<String> {
    routes(modules).into_iter().filter(|r| r.cross_site == csrf::CrossSite::FormToken).map(|r| r.path).collect()
}

/// Every declared route with who may call each of its methods, for the authorization matrix.
pub fn routes(modules: &[Module]) -> Vec<csrf::Route> {
    let (api, others) = declared_routes(modules);
    api.routes.into_iter().chain(others.routes).collect()
}

/// The templates of the routes that answer programs in JSON (declared `CrossSite::Json` or
/// `NoCookies`: the API, and the OpenID Connect and signing back channels), for tests that go
/// through every one.
pub fn json_routes(modules: &[Module]) -> Vec<String> {
    routes(modules).into_iter().filter(|r| matches!(r.cross_site, csrf::CrossSite::Json | csrf::CrossSite::NoCookies)).map(|r| r.path).collect()
}

/// The whole application made of `modules`: pages, API, operations, with every cross-cutting
/// layer.
pub fn app(state: AppState, modules: &[Module]) -> Router {
    i18n::install(modules.iter().filter_map(|m| m.translations));
    let cache = Arc::new(cache::PageCache::default());
    let programs = error::ProgramPaths::new(modules.iter().flat_map(|m| m.program_paths.iter().copied()));
    // Routes that are not plain forms say so where they are declared.
    let mut cross_site = csrf::Rules::default();
    let mut declared = |d: csrf::Declared| {
        cross_site.add(&d.routes);
        d.router
    };
    let (api, others) = declared_routes(modules);
    let api = declared(api);
    let others = declared(others);
    let routes = Router::new()
        .nest("/api/v1", api)
        .merge(others)
        .fallback(error::not_found)
        .with_state(state.clone());

    // Listed innermost first; each `layer` wraps all before it. So: a panic still gets a proper
    // error page with security headers, every response is counted, and errors are rendered after
    // every inner layer has spoken.
    let inner = routes
        .layer(axum::middleware::from_fn_with_state((state.clone(), Arc::new(cross_site)), csrf::protect))
        .layer(axum::middleware::from_fn_with_state((state.clone(), Arc::new(tamar_identity::SessionCache::default())), extract::resolve_session))
        .layer(DefaultBodyLimit::max(state.config.body_limit))
        .layer(RequestBodyLimitLayer::new(state.config.body_limit))
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, state.config.request_timeout))
        .layer(axum::middleware::from_fn_with_state((state.ledger.clone(), cache), cache::serve_cached))
        .layer(axum::Extension(Arc::new(openapi::openapi(modules))))
        .layer(axum::Extension(Arc::new(ops::Readiness(modules.iter().map(|m| m.ready).collect()))));
    let modules_layered = modules.iter().fold(inner, |router, module| (module.layer)(router, &state));
    modules_layered
        .layer(axum::middleware::from_fn_with_state(Arc::new(programs), error::render_errors))
        .layer(axum::middleware::from_fn(security::headers))
        .layer(axum::middleware::from_fn(ops::record_metrics))
        // No log line per 5xx: failures are logged where they happen (`WebError` logs internal
        // and unavailable errors with their cause), and a deliberate 503 (a full sign-in queue
        // in a rush) is not an error to alert on.
        .layer(TraceLayer::new_for_http().on_failure(()))
        .layer(CatchPanicLayer::custom(error::panic_response))
}
