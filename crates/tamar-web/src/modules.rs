//! Tamar's modules, each declared once: its tables, its routes (pages and API, each with how it
//! is kept from cross-site use) and its background jobs. The server, `tamar migrate`,
//! `tamar demo`, the test harness and the fuzz targets all read [`all`]; nothing keeps a
//! second list.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tamar_portal::feed::FeedCursor;
use tamar_core::Code;
use tamar_store::Migration;
use tokio::sync::Mutex;
use utoipa::OpenApi;

use crate::csrf::Declared;
use crate::schedule::{Job, Placement};

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
}

fn none() -> Declared {
    Declared::new("")
}

fn no_api() -> Declared {
    Declared::new("/api/v1")
}

fn no_paths() -> utoipa::openapi::OpenApi {
    utoipa::openapi::OpenApi::default()
}

fn no_jobs() -> Vec<Job> {
    Vec::new()
}

/// Every module, in the order they are migrated and mounted.
pub fn all() -> Vec<Module> {
    vec![platform(), identity(), oidc(), signing(), notify(), portal()]
}

/// Every module's migrations, in order.
pub fn migrations() -> Vec<&'static [Migration]> {
    all().into_iter().flat_map(|m| m.migrations).collect()
}

/// Every error code the platform can answer with: the kernel's, then each module's.
pub fn codes() -> Vec<Code> {
    Code::KERNEL.iter().copied().chain(all().into_iter().flat_map(|m| m.codes).flatten().copied()).collect()
}

/// Every module's background jobs.
pub fn jobs() -> Vec<Job> {
    all().iter().flat_map(|m| (m.jobs)()).collect()
}

/// The platform itself: leases for one-node jobs, the tamper-evident log, operations
/// (`/healthz`, `/readyz`, `/metrics`) and the OpenAPI document.
pub fn platform() -> Module {
    Module {
        name: "platform",
        migrations: vec![tamar_store::lease::MIGRATIONS, tamar_ledger::MIGRATIONS],
        routes: || {
            crate::ops::routes()
                // Where transparency-log tools look for a log's newest checkpoint.
                .form("/checkpoint", crate::access::get(crate::access::Access::Public, crate::api::ledger::checkpoint))
        },
        api: crate::api::platform_routes,
        openapi: crate::api::PlatformApi::openapi,
        jobs: no_jobs,
        codes: vec![tamar_ledger::codes::ALL],
    }
}

/// Departments and accounts: registration, sign-in with a second factor or a passkey,
/// identity verification, the personal account and the office's officer pages.
pub fn identity() -> Module {
    Module {
        name: "identity",
        migrations: vec![tamar_tenancy::MIGRATIONS, tamar_identity::MIGRATIONS],
        routes: || crate::pages::routes().merge(crate::passkeys::routes()),
        api: crate::api::identity_routes,
        openapi: crate::api::IdentityApi::openapi,
        jobs: no_jobs,
        codes: vec![tamar_tenancy::codes::ALL, tamar_identity::codes::ALL],
    }
}

/// Sign in with Tamar: the OpenID Connect provider.
pub fn oidc() -> Module {
    Module {
        name: "oidc",
        migrations: vec![tamar_oidc::MIGRATIONS],
        routes: crate::oidc::routes,
        api: no_api,
        openapi: crate::oidc::OidcApi::openapi,
        codes: vec![tamar_oidc::codes::ALL],
        jobs: || {
            // ID token keys rotate every 90 days, the next key published well before it signs.
            vec![Job::new("oidc-key-rotation", Duration::from_secs(3600), Placement::OneNode, |state| async move {
                tamar_oidc::SigningKeys::ensure(&state.db, &state.sealer, state.ledger.now()).await?;
                state.ledger.notify();
                Ok(())
            })]
        },
    }
}

/// Digital signing of documents the person confirms.
pub fn signing() -> Module {
    Module {
        name: "signing",
        migrations: vec![tamar_signing::MIGRATIONS],
        routes: crate::signing::routes,
        api: no_api,
        openapi: crate::signing::SigningApi::openapi,
        jobs: no_jobs,
        codes: vec![tamar_signing::codes::ALL],
    }
}

/// Email: the durable queue and its delivery.
pub fn notify() -> Module {
    Module {
        name: "notify",
        migrations: vec![tamar_notify::MIGRATIONS],
        routes: none,
        api: no_api,
        openapi: no_paths,
        codes: vec![],
        jobs: || {
            vec![Job::new("mail-delivery", Duration::from_secs(5), Placement::OneNode, |state| async move {
                tamar_notify::deliver_pending(&state.db, &state.mailer, state.ledger.now(), 100).await?;
                Ok(())
            })]
        },
    }
}

/// GovHK and MyGovHK: the catalogue and its review workflow, search, feeds, the inbox,
/// bookmarks, subscriptions and the app directory.
pub fn portal() -> Module {
    Module {
        name: "portal",
        migrations: vec![tamar_portal::MIGRATIONS],
        routes: crate::portal::routes,
        api: crate::api::portal_routes,
        openapi: crate::api::PortalApi::openapi,
        jobs: portal_jobs,
        codes: vec![tamar_portal::codes::ALL],
    }
}

/// How often a node rebuilds its whole search index, so that popularity stays current.
const INDEX_REFRESH: Duration = Duration::from_secs(600);

#[derive(Default)]
struct IndexFollower {
    /// None until the node's index has caught up with the change feed.
    cursor: Option<FeedCursor>,
    last_rebuild: Option<Instant>,
}

fn portal_jobs() -> Vec<Job> {
    let follower = Arc::new(Mutex::new(IndexFollower::default()));
    let gaps = Arc::new(Mutex::new(FeedCursor::default()));
    vec![
        // Each node keeps its own index following the change feed: it catches up first (until
        // then the node is not ready), then applies new changes; now and then it rebuilds.
        Job::new("search-index", Duration::from_millis(500), Placement::EveryNode, move |state| {
            let follower = follower.clone();
            async move {
                let mut follower = follower.lock().await;
                let follower = &mut *follower;
                let now = state.ledger.now();
                let due = follower.last_rebuild.is_some_and(|at| at.elapsed() >= INDEX_REFRESH);
                match follower.cursor.as_mut() {
                    None => {
                        follower.cursor = Some(tamar_portal::search_docs::catch_up(&state.db, &state.search, now).await?);
                        follower.last_rebuild = Some(Instant::now());
                    }
                    Some(_) if due => {
                        follower.last_rebuild = Some(Instant::now());
                        let position = tamar_portal::search_docs::rebuild_index(&state.db, &state.search, now).await?;
                        follower.cursor = Some(FeedCursor::new(position));
                    }
                    Some(cursor) => {
                        tamar_portal::search_docs::apply_changes(&state.db, &state.search, cursor, now).await?;
                    }
                }
                Ok(())
            }
        }),
        Job::new("scheduled-publishing", Duration::from_secs(5), Placement::OneNode, |state| async move {
            tamar_portal::content::publish_due(&state.db, &state.ledger).await?;
            Ok(())
        }),
        // Each node counts the visits it served, and writes them in batches.
        Job::new("visit-counts", Duration::from_secs(5), Placement::EveryNode, |state| async move {
            state.visits.flush(&state.db, state.ledger.now().date_naive()).await?;
            Ok(())
        }),
        Job::new("subscription-mail", Duration::from_secs(5), Placement::OneNode, move |state| {
            let gaps = gaps.clone();
            async move {
                let mut gaps = gaps.lock().await;
                let queued = tamar_portal::subscription_mail::queue_updates(&state.db, &state.ledger, &state.config.public_url, &mut gaps).await?;
                if queued > 0 {
                    tracing::info!(emails = queued, "subscription updates queued");
                }
                Ok(())
            }
        }),
    ]
}
