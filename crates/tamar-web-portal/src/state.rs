//! What the portal keeps on each node: its own search index of the catalogue, fed from the change
//! feed by the `search-index` job, and the visits it served, written in batches by the
//! `visit-counts` job and when the node stops.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::Extensions;
use futures::future::BoxFuture;
use tamar_core::{Code, DepartmentId};
use tamar_tenancy::Department;
use chrono::NaiveDate;
use tamar_portal::visits::{self, VisitCounter};
use tamar_portal::{ItemId, ItemKind, PortalError};
use tamar_store::Db;
use tamar_search::SearchIndex;
use tamar_web::module::Setup;
use tamar_web::{AppState, WebError};

/// The portal's state on this node.
#[derive(Clone)]
pub struct PortalState {
    pub search: Arc<SearchIndex>,
    pub visits: Arc<VisitCounter>,
    pub most_used: Arc<MostUsed>,
    pub departments: Arc<Departments>,
}

/// The departments, which nearly every page names, kept on each node: read again once
/// [`Departments::KEEP`] has passed, or at once when this node changed what anonymous visitors
/// see (the ledger's public generation), as a new department does. Another node's new
/// department shows here within that second.
#[derive(Default)]
pub struct Departments {
    kept: std::sync::Mutex<Option<KeptDepartments>>,
}

struct KeptDepartments {
    at: Instant,
    generation: u64,
    departments: Arc<HashMap<DepartmentId, Department>>,
}

impl Departments {
    pub const KEEP: Duration = Duration::from_secs(1);

    /// The kept departments, if read under `generation` less than [`Departments::KEEP`] ago.
    pub fn fresh(&self, generation: u64) -> Option<Arc<HashMap<DepartmentId, Department>>> {
        let kept = self.kept.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        kept.as_ref().filter(|k| k.generation == generation && k.at.elapsed() < Self::KEEP).map(|k| k.departments.clone())
    }

    /// Keeps `departments`, read under `generation`.
    pub fn keep(&self, generation: u64, departments: Arc<HashMap<DepartmentId, Department>>) {
        let mut kept = self.kept.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *kept = Some(KeptDepartments { at: Instant::now(), generation, departments });
    }
}

/// "Most used" on the home page: the services visited most in the last 30 days, worked out
/// from the visits table at most once per [`MostUsed::KEEP`] on each node, and again after
/// this node writes a batch of visits; never on every request.
#[derive(Default)]
pub struct MostUsed {
    kept: tokio::sync::Mutex<Option<(Instant, Arc<Vec<ItemId>>)>>,
}

impl MostUsed {
    pub const KEEP: Duration = Duration::from_secs(60);
    const DAYS: u64 = 30;
    const SHOWN: u64 = 8;

    /// The services, most used first.
    pub async fn get(&self, db: &Db, today: NaiveDate) -> Result<Arc<Vec<ItemId>>, PortalError> {
        // One request works the list out; the others wait for it rather than repeat it.
        let mut kept = self.kept.lock().await;
        if let Some((at, ids)) = kept.as_ref()
            && at.elapsed() < Self::KEEP
        {
            return Ok(ids.clone());
        }
        let since = today - chrono::Days::new(Self::DAYS);
        let ids: Arc<Vec<ItemId>> =
            Arc::new(visits::most_used(db, since, ItemKind::Service, Self::SHOWN).await?.into_iter().map(|(id, _)| id).collect());
        *kept = Some((Instant::now(), ids.clone()));
        Ok(ids)
    }

    /// Drops the list kept, after visits were written.
    pub async fn forget(&self) {
        *self.kept.lock().await = None;
    }
}

impl PortalState {
    /// A node's state with this search index, and no visits yet.
    pub fn new(search: Arc<SearchIndex>) -> PortalState {
        PortalState { search, visits: Arc::default(), most_used: Arc::default(), departments: Arc::default() }
    }

    /// The portal's state in the application's, for a handler.
    pub fn of(state: &AppState) -> Result<&PortalState, WebError> {
        state.modules.get::<PortalState>().ok_or_else(|| {
            tracing::error!("the portal module's state was not made at start-up");
            WebError::new(Code::INTERNAL)
        })
    }

    /// The same, for a job.
    pub(crate) fn for_job(state: &AppState) -> anyhow::Result<&PortalState> {
        state.modules.get::<PortalState>().ok_or_else(|| anyhow::anyhow!("the portal module's state was not made at start-up"))
    }
}

/// Opens the node's search index (in `search/` of the data folder, or in memory).
pub(crate) fn make(setup: Setup) -> BoxFuture<'static, anyhow::Result<Extensions>> {
    Box::pin(async move {
        let dir = setup.data_dir.map(|d| d.join("search"));
        let search = tokio::task::spawn_blocking(move || SearchIndex::open(dir.as_deref())).await??;
        let mut made = Extensions::new();
        made.insert(PortalState::new(Arc::new(search)));
        Ok(made)
    })
}

/// Ready once the search index has caught up with the change feed.
pub(crate) fn ready(state: &AppState) -> bool {
    state.modules.get::<PortalState>().is_some_and(|p| p.search.is_caught_up())
}

/// Writes the visits counted since the last batch.
pub(crate) fn stop(state: AppState) -> BoxFuture<'static, anyhow::Result<()>> {
    Box::pin(async move {
        let portal = PortalState::for_job(&state)?;
        portal.visits.flush(&state.db, state.ledger.now().date_naive()).await?;
        Ok(())
    })
}
