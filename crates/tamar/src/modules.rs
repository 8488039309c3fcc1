//! The one list of Tamar's modules. The server, `tamar migrate`, `tamar demo`, the test
//! harness and the fuzz targets all read [`all`]; nothing keeps a second list. Each module is
//! declared once, in its web crate (`tamar_web_portal::module`), or here when it has no web
//! part.

use std::time::Duration;

use tamar_store::Migration;
use tamar_web::module::{self, Module};
use tamar_web::schedule::{Job, Placement};

/// Every module, in the order they are migrated and mounted: a module comes after those whose
/// tables it refers to.
pub fn all() -> Vec<Module> {
    vec![
        tamar_web::platform(),
        tamar_web_identity::module(),
        tamar_web_oidc::module(),
        tamar_web_signing::module(),
        notify(),
        tamar_web_portal::module(),
    ]
}

/// Every module's migrations, in order.
pub fn migrations() -> Vec<&'static [Migration]> {
    module::migrations(&all())
}

/// Every module's background jobs.
pub fn jobs() -> Vec<Job> {
    module::jobs(&all())
}

/// Every error code the platform can answer with.
pub fn codes() -> Vec<tamar_core::Code> {
    module::codes(&all())
}

/// Email: the durable queue and its delivery. It has no pages of its own.
fn notify() -> Module {
    Module {
        migrations: vec![tamar_notify::MIGRATIONS],
        jobs: || {
            // Every second, and batch after batch while a full one was due: a verification
            // link is in the person's mailbox within a second or two, in a rush too.
            vec![Job::new("mail-delivery", Duration::from_secs(1), Placement::OneNode, |state| async move {
                tamar_notify::deliver_due(&state.db, &state.mailer, || state.ledger.now(), 100, 20).await?;
                Ok(())
            })]
        },
        ..Module::new("notify")
    }
}

/// The whole application, every module mounted.
pub fn app(state: tamar_web::AppState) -> axum::Router {
    tamar_web::app(state, &all())
}
