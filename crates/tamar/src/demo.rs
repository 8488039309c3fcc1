//! `tamar demo`: each module's demo data, loaded in the module list's order (departments and
//! accounts before the catalogue that names them). Seeding twice changes nothing.

use tamar_web::AppState;

pub use tamar_web_identity::{ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_KEY, DemoAccount};

use crate::platform::progress;

/// Loads every module's demo data; returns how many records were new.
pub async fn seed(state: &AppState) -> anyhow::Result<usize> {
    let modules = crate::modules::all();
    let bar = progress(modules.len() as u64, "demo data");
    let mut created = 0;
    for module in &modules {
        bar.set_message(module.name);
        created += (module.demo)(state.clone()).await.map_err(|e| e.context(format!("demo data of {}", module.name)))?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    state.ledger.sync().await?;
    Ok(created)
}
