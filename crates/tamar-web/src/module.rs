//! What a module is on the web: its tables, its routes (pages and API, each with who may call
//! it and how it is kept from cross-site use), its OpenAPI paths, its background jobs, its error
//! codes and its translations. Each module's web crate declares its [`Module`] in one place; the
//! binary holds the one list of modules that the server, `tamar migrate`, `tamar demo`, the
//! test harness and the fuzz targets all read. The kernel's own is [`crate::platform`].

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::http::Extensions;
use tamar_core::Code;
use tamar_store::Migration;

use crate::AppState;
use crate::csrf::Declared;
use crate::i18n::Translations;
use crate::schedule::Job;

/// What the modules keep from start-up for their handlers and jobs (the portal's search index
/// and visit counter), one value of each type. A module reads its own with [`ModuleState::get`].
#[derive(Clone, Default)]
pub struct ModuleState(Arc<Extensions>);

impl ModuleState {
    /// The value of type `T`, if a module made one.
    pub fn get<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.0.get::<T>()
    }

    /// This with `value` added, or in place of the one of its type: for start-up, and for tests
    /// that give one node state of its own.
    pub fn with<T: Clone + Send + Sync + 'static>(&self, value: T) -> ModuleState {
        let mut values = Extensions::clone(&self.0);
        values.insert(value);
        ModuleState(Arc::new(values))
    }
}

/// Where a module makes its start-up state.
#[derive(Clone, Debug)]
pub struct Setup {
    /// This node's data folder, for files the module keeps of its own (the search index); none
    /// when the state lives in memory only, as in tests.
    pub data_dir: Option<PathBuf>,
}

/// How a module makes its start-up state: the values it puts in [`ModuleState`].
pub type MakeState = fn(Setup) -> futures::future::BoxFuture<'static, anyhow::Result<Extensions>>;

/// Work a module does on the application's state: loading demo data, or what must be done
/// before the node stops.
pub type Task<T> = fn(AppState) -> futures::future::BoxFuture<'static, anyhow::Result<T>>;

/// How a module loads its demo data.
pub type Demo = Task<usize>;

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
    /// Its start-up state, made once per node before it serves.
    pub state: MakeState,
    /// Whether this node can serve the module yet (`/readyz`): the portal's search index has
    /// caught up with the change feed.
    pub ready: fn(&AppState) -> bool,
    /// What it must do before the node stops (write what it holds in memory).
    pub stop: Task<()>,
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
            state: |_| Box::pin(async { Ok(Extensions::new()) }),
            ready: |_| true,
            stop: |_| Box::pin(async { Ok(()) }),
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

/// Every module's start-up state, made in the list's order.
pub async fn make_state(modules: &[Module], setup: Setup) -> anyhow::Result<ModuleState> {
    let mut values = Extensions::new();
    for module in modules {
        let made = (module.state)(setup.clone()).await.map_err(|e| e.context(format!("cannot prepare the {} module", module.name)))?;
        values.extend(made);
    }
    Ok(ModuleState(Arc::new(values)))
}

/// Runs every module's work before the node stops; a failure is logged, and the others still
/// run.
pub async fn stop(modules: &[Module], state: &AppState) {
    for module in modules {
        if let Err(error) = (module.stop)(state.clone()).await {
            tracing::warn!(module = module.name, error = %error, "could not finish before stopping");
        }
    }
}
