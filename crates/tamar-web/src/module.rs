//! What a module is on the web: its tables, its routes (pages and API, each with who may call
//! it and how it is kept from cross-site use), its OpenAPI paths, its background jobs, its error
//! codes and its translations. Each module's web crate declares its [`Module`] in one place; the
//! binary holds the one list of modules that the server, `tamar migrate`, `tamar demo`, the
//! test harness and the fuzz targets all read. The kernel's own is [`crate::platform`].

use axum::Router;
use tamar_core::Code;
use tamar_store::Migration;

use crate::AppState;
use crate::csrf::Declared;
use crate::i18n::Translations;
use crate::schedule::Job;

/// How a module loads its demo data.
pub type Demo = fn(AppState) -> futures::future::BoxFuture<'static, anyhow::Result<usize>>;

/// One module of the platform.
pub struct Module {
    /// Short and stable: it names the module in logs and metrics.
    pub name: &'static str,
    /// Its tables, in the order they are made. Modules are migrated in the list's order, so a
    /// module comes after those whose tables it refers to.
    pub migrations: Vec<&'static [Migration]>,
    /// Pages and other routes at the root.
    pub routes: fn() -> Declared,
    /// Routes of the JSON API, nested under `/api/v1`.
    pub api: fn() -> Declared,
    /// Its background jobs.
    pub jobs: fn() -> Vec<Job>,
    /// Its paths and tags in the OpenAPI document.
    pub openapi: fn() -> utoipa::openapi::OpenApi,
    /// The error codes it owns (beside the kernel's, `Code::KERNEL`).
    pub codes: Vec<&'static [Code]>,
    /// The paths where it answers programs rather than people (a path, or everything under one
    /// that ends in `/`): errors there are JSON, not a page. Its API under `/api/v1` is one
    /// already.
    pub program_paths: &'static [&'static str],
    /// Its Fluent messages in the three languages (the kernel's are in `tamar-web`).
    pub translations: Option<&'static Translations>,
    /// Loads its demo data (`tamar demo`), after the modules before it in the list; returns
    /// how many records were new. Seeding twice changes nothing.
    pub demo: Demo,
    /// A layer it puts around the whole application, outside the page cache (so that it sees
    /// cached answers too): the portal counts visits of its pages here.
    pub layer: fn(Router, &AppState) -> Router,
}

impl Module {
    /// A module named `name` that has nothing yet: no tables, routes, jobs or codes.
    pub fn new(name: &'static str) -> Module {
        Module {
            name,
            migrations: Vec::new(),
            routes: || Declared::new(""),
            api: || Declared::new("/api/v1"),
            jobs: Vec::new,
            openapi: utoipa::openapi::OpenApi::default,
            codes: Vec::new(),
            program_paths: &[],
            translations: None,
            demo: |_| Box::pin(async { Ok(0) }),
            layer: |router, _| router,
        }
    }
}

/// Every module's migrations, in order.
pub fn migrations(modules: &[Module]) -> Vec<&'static [Migration]> {
    modules.iter().flat_map(|m| m.migrations.iter().copied()).collect()
}

/// Every error code the platform can answer with: the kernel's, then each module's.
pub fn codes(modules: &[Module]) -> Vec<Code> {
    Code::KERNEL.iter().copied().chain(modules.iter().flat_map(|m| m.codes.iter().copied()).flatten().copied()).collect()
}

/// Every module's background jobs.
pub fn jobs(modules: &[Module]) -> Vec<Job> {
    modules.iter().flat_map(|m| (m.jobs)()).collect()
}
