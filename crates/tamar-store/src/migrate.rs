//! One migration set for both databases.
//!
//! Each domain crate owns its migrations and exposes them as a slice; the binary hands all the
//! slices to [`Migrator`], which applies the pending ones in order, each in its own
//! transaction, and records them in `tamar_migrations`. Several nodes may start at once: on
//! PostgreSQL an advisory lock lets one migrate while the others wait.

use sea_query::{ColumnDef, Expr, ExprTrait, Query, Table};

use crate::{Backend, Db, StoreError, row};

/// A schema change. `id` sorts in the order migrations must run within their crate, and never
/// changes once released; `statements` renders the change for a backend.
#[derive(Clone, Copy)]
pub struct Migration {
    pub id: &'static str,
    pub statements: fn(Backend) -> Vec<String>,
}

impl std::fmt::Debug for Migration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id)
    }
}

const TABLE: &str = "tamar_migrations";
const LOCK_KEY: i64 = 0x7a3a_0001;

pub struct Migrator<'a> {
    db: &'a Db,
    migrations: Vec<Migration>,
}

impl<'a> Migrator<'a> {
    /// `sets` are the crates' migration slices, in dependency order.
    pub fn new(db: &'a Db, sets: &[&[Migration]]) -> Self {
        Self { db, migrations: sets.iter().flat_map(|s| s.iter().copied()).collect() }
    }

    async fn ensure_table(&self) -> Result<(), StoreError> {
        let create = Table::create()
            .table(TABLE)
            .if_not_exists()
            .col(ColumnDef::new("id").string().not_null().primary_key())
            .col(ColumnDef::new("applied_at").big_integer().not_null())
            .to_owned();
        self.db.execute_sql(&self.db.backend().schema(&create)).await
    }

    /// The migrations not yet applied, in the order they will run.
    pub async fn pending(&self) -> Result<Vec<Migration>, StoreError> {
        self.ensure_table().await?;
        let rows = self.db.fetch_all(&Query::select().column("id").from(TABLE).to_owned()).await?;
        let mut applied = std::collections::HashSet::new();
        for r in &rows {
            applied.insert(row::get::<String>(r, "id")?);
        }
        Ok(self.migrations.iter().filter(|m| !applied.contains(m.id)).copied().collect())
    }

    /// Applies one migration in its own transaction, unless another node already has.
    pub async fn apply(&self, migration: Migration) -> Result<bool, StoreError> {
        let backend = self.db.backend();
        let mut tx = self.db.begin().await?;
        if backend == Backend::Postgres {
            tx.execute_sql(&format!("SELECT pg_advisory_xact_lock({LOCK_KEY})")).await?;
        }
        let done = tx
            .fetch_optional(
                &Query::select()
                    .column("id")
                    .from(TABLE)
                    .and_where(Expr::col("id").eq(migration.id))
                    .to_owned(),
            )
            .await?;
        if done.is_some() {
            tx.rollback().await?;
            return Ok(false);
        }
        for sql in (migration.statements)(backend) {
            tx.execute_sql(&sql).await?;
        }
        tx.execute(
            &Query::insert()
                .into_table(TABLE)
                .columns(["id", "applied_at"])
                .values_panic([migration.id.into(), chrono::Utc::now().timestamp_millis().into()])
                .to_owned(),
        )
        .await?;
        tx.commit().await?;
        tracing::info!(migration = migration.id, "applied migration");
        Ok(true)
    }

    /// Applies everything pending; returns the ids applied.
    pub async fn run(&self) -> Result<Vec<&'static str>, StoreError> {
        let mut applied = Vec::new();
        for m in self.pending().await? {
            if self.apply(m).await? {
                applied.push(m.id);
            }
        }
        if !applied.is_empty() {
            self.db.schema_changed();
        }
        Ok(applied)
    }
}
