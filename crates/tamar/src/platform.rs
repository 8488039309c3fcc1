//! Opening the platform: the data folder, the database and its migrations, blobs, keys and the
//! ledger, in that order.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use tamar_core::SystemClock;
use tamar_ledger::Ledger;
use tamar_store::{Blobs, Db, Migration, Migrator};
use tamar_web::{AppState, WebConfig};

use crate::config::Config;

/// Every module's migrations, in the module list's order.
pub fn migrations() -> Vec<&'static [Migration]> {
    crate::modules::migrations()
}

pub struct Platform {
    pub db: Db,
    pub blobs: Blobs,
    pub ledger: Ledger,
    pub mailer: Arc<tamar_notify::Mailer>,
    pub hkid_key: tamar_identity::HkidKey,
    pub signing: tamar_signing::SigningAuthority,
    pub sealer: tamar_store::Sealer,
    pub web: WebConfig,
    /// What each module made at start-up (`Module::state`).
    pub modules: tamar_web::module::ModuleState,
}

pub fn progress(len: u64, message: &'static str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template("{msg:>12} [{bar:30}] {pos}/{len} {elapsed}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(message);
    bar
}

pub async fn connect(config: &Config) -> anyhow::Result<Db> {
    // Only the platform's own user may read the data folder: it holds the database, keys and
    // mail with verification links. A folder made by an older version is tightened.
    tamar_store::private::private_dir(&config.data_dir)
        .with_context(|| format!("cannot create the data folder {}", config.data_dir.display()))?;
    tamar_store::private::tighten(&config.data_dir)
        .with_context(|| format!("cannot restrict the data folder {} to its owner", config.data_dir.display()))?;
    Db::connect(&config.database_url()).await.context("cannot open the database")
}

pub async fn migrate(db: &Db) -> anyhow::Result<Vec<&'static str>> {
    let sets = migrations();
    let migrator = Migrator::new(db, &sets);
    let pending = migrator.pending().await?;
    let bar = progress(pending.len() as u64, "migrating");
    let mut applied = Vec::new();
    for m in pending {
        if migrator.apply(m).await.with_context(|| format!("migration {} failed", m.id))? {
            applied.push(m.id);
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(applied)
}

impl Platform {
    pub async fn open(config: &Config) -> anyhow::Result<Platform> {
        let mut db = connect(config).await?;
        let applied = migrate(&db).await?;
        if !applied.is_empty() {
            tracing::info!(count = applied.len(), "database migrated");
            // Connections opened before a schema change may hold statements prepared against the
            // old schema: start the pool afresh.
            db.close().await;
            db = connect(config).await?;
        }
        let blobs = Blobs::open(&config.blobs()).context("cannot open blob storage")?;
        let key = tamar_ledger::load_or_create_signing_key(&config.ledger_key_path())?;
        let csrf_key = tamar_store::load_or_create_secret(&config.csrf_key_path()).context("cannot read the CSRF key")?;
        let sealer = tamar_store::Sealer::new(&config.sealing_key().context("cannot read the sealing key")?);
        let hkid_key = tamar_identity::HkidKey::new(config.hkid_key().context("cannot read the HKID key")?, sealer.clone());
        let mailer = Arc::new(tamar_notify::Mailer::open(&config.mail(), &config.mail_from).context("cannot set up email")?);
        let pairwise_key = tamar_store::load_or_create_secret(&config.data_dir.join("keys").join("oidc-pairwise.key"))
            .context("cannot read the pairwise subject key")?;
        tamar_oidc::SigningKeys::ensure(&db, &sealer, chrono::Utc::now()).await.context("cannot prepare the ID token signing key")?;
        let signing = tamar_signing::SigningAuthority::ensure(&db, &sealer, chrono::Utc::now()).await.context("cannot prepare the signing CA")?;
        // Each new tree head also leaves the database: to the checkpoint file and the blob store.
        let options = tamar_ledger::LedgerOptions {
            origin: config.ledger_origin(),
            checkpoint_file: Some(config.ledger_checkpoint_path()),
            checkpoint_blobs: Some(blobs.clone()),
        };
        let ledger = Ledger::start_with(db.clone(), key, Arc::new(SystemClock), options).context("cannot start the ledger")?;
        let web = WebConfig {
            // The key file's secret is never used as it is: each purpose gets its own key.
            csrf_key: tamar_store::derive_key(&csrf_key, "tamar-web csrf form token v2").to_vec(),
            secure_cookies: config.secure_cookies(),
            request_timeout: Duration::from_secs(config.request_timeout_secs),
            body_limit: config.body_limit_bytes,
            public_url: config.public_url(),
            pairwise_key: pairwise_key.to_vec(),
            metrics_token: config.metrics_token.as_ref().map(|t| secrecy::ExposeSecret::expose_secret(t).to_owned()),
        };
        // Each node keeps the modules' own state (the portal's search index) in its data folder.
        let setup = tamar_web::module::Setup { data_dir: Some(config.data_dir.clone()) };
        let modules = tamar_web::module::make_state(&crate::modules::all(), setup).await?;
        Ok(Platform { db, blobs, ledger, mailer, hkid_key, signing, sealer, web, modules })
    }

    pub fn state(&self) -> AppState {
        AppState::new(tamar_web::StateParts {
            db: self.db.clone(),
            blobs: self.blobs.clone(),
            ledger: self.ledger.clone(),
            mailer: self.mailer.clone(),
            hkid_key: self.hkid_key.clone(),
            signing: self.signing.clone(),
            sealer: self.sealer.clone(),
            config: Arc::new(self.web.clone()),
            modules: self.modules.clone(),
        })
    }

    /// Lets each module finish (the portal writes its visit counts), flushes the log and closes
    /// the database.
    pub async fn close(self) {
        tamar_web::module::stop(&crate::modules::all(), &self.state()).await;
        if let Err(error) = self.ledger.shutdown().await {
            tracing::error!(%error, "could not flush the ledger");
        }
        self.db.close().await;
    }
}
