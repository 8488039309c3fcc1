use std::cell::Cell;
use std::future::Future;
use std::sync::{Arc, Once};
use std::time::Duration;

use sea_query::{PostgresQueryBuilder, SchemaBuilder, SqliteQueryBuilder};
use sea_query_sqlx::{SqlxBinder, SqlxValues};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyPool, Executor};

use crate::StoreError;
use crate::readers::Readers;

/// Which database the platform runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Backend, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl)
        }
    }

    /// Renders a query for this backend, with its placeholders and bound values.
    pub fn build<S: SqlxBinder>(self, stmt: &S) -> (String, SqlxValues) {
        match self {
            Backend::Sqlite => stmt.build_sqlx(SqliteQueryBuilder),
            Backend::Postgres => stmt.build_sqlx(PostgresQueryBuilder),
        }
    }

    /// Renders a schema statement (CREATE TABLE, CREATE INDEX, ...) for this backend.
    pub fn schema<S: sea_query::SchemaStatementBuilder>(self, stmt: &S) -> String {
        fn with<S: sea_query::SchemaStatementBuilder, B: SchemaBuilder>(stmt: &S, b: B) -> String {
            stmt.build(b)
        }
        match self {
            Backend::Sqlite => with(stmt, SqliteQueryBuilder),
            Backend::Postgres => with(stmt, PostgresQueryBuilder),
        }
    }
}

static DRIVERS: Once = Once::new();

tokio::task_local! {
    static STATEMENTS: Cell<u64>;
}

/// Counts a statement for [`count_statements`], when one is counting in this task.
fn counted() {
    let _ = STATEMENTS.try_with(|n| n.set(n.get() + 1));
}

/// Runs `work` and counts the statements it runs itself (not those of background tasks): for
/// tests that check that a page costs the same number of queries however long its list is.
pub async fn count_statements<F: Future>(work: F) -> (F::Output, u64) {
    STATEMENTS
        .scope(Cell::new(0), async move {
            let out = work.await;
            (out, STATEMENTS.try_with(Cell::get).unwrap_or(0))
        })
        .await
}

/// The platform's database: connections for reads, and for transactions and writes.
#[derive(Clone)]
pub struct Db {
    /// Transactions and lone writes. On SQLite, which has one writer at a time, a pool of one
    /// connection, lent out in order of asking (its pool of one is the turn to write). Without
    /// it, writers waiting for SQLite's lock poll it in its busy handler, with sleeps that grow
    /// to 100 ms; and a turn taken before a connection would hold every writer up while readers
    /// keep theirs busy.
    pool: AnyPool,
    /// Reads outside a transaction (see [`crate::readers`]).
    readers: Arc<Readers>,
    backend: Backend,
    schema: Arc<SchemaEpoch>,
    /// The group committers of [`Db::write_grouped`], started on first use.
    group: Arc<std::sync::OnceLock<crate::group::Committers>>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("backend", &self.backend).field("pool", &self.pool).finish_non_exhaustive()
    }
}

/// When this process last changed the schema, so that connections opened before it are not
/// used again: a connection's cached statements (and, on SQLite, its idea of a table's
/// columns) may predate a column that a migration added.
#[derive(Debug)]
pub(crate) struct SchemaEpoch {
    base: std::time::Instant,
    /// Nanoseconds after `base` of the last change; 0 when none.
    changed: std::sync::atomic::AtomicU64,
}

impl SchemaEpoch {
    /// Whether a connection of this age was opened after the last change.
    pub(crate) fn fresh(&self, age: Duration) -> bool {
        let changed = self.changed.load(std::sync::atomic::Ordering::Acquire);
        changed == 0 || age < self.base.elapsed().saturating_sub(Duration::from_nanos(changed))
    }
}

impl Db {
    /// Connects to `sqlite://...` or `postgres://...`. SQLite runs in WAL mode with foreign keys
    /// on, so that readers never wait for the writer.
    pub async fn connect(url: &str) -> Result<Db, StoreError> {
        DRIVERS.call_once(sqlx::any::install_default_drivers);
        let backend = Backend::from_url(url)?;
        if backend == Backend::Sqlite {
            private_sqlite_file(url).map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
        }
        let schema = Arc::new(SchemaEpoch { base: std::time::Instant::now(), changed: std::sync::atomic::AtomicU64::new(0) });
        let epoch = schema.clone();
        // No ping before each use (sqlx's default): it doubled the round trips of every query.
        // A connection that has broken fails its statement, and the pool drops it.
        let mut options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(10)).test_before_acquire(false).before_acquire(move |_, meta| {
            // A connection older than the last migration is closed and replaced.
            let fresh = epoch.fresh(meta.age);
            Box::pin(async move { Ok(fresh) })
        });
        options = match backend {
            Backend::Sqlite => options.after_connect(|conn, _| Box::pin(sqlite_settings(conn))),
            Backend::Postgres => options,
        };
        // On SQLite the writer first: it creates the file and sets WAL mode before readers open it.
        let (pool, readers) = match backend {
            Backend::Sqlite => (options.max_connections(1).connect(url).await.map_err(StoreError::from_sqlx)?, 8),
            Backend::Postgres => (options.max_connections(16).connect(url).await.map_err(StoreError::from_sqlx)?, 16),
        };
        let readers = Arc::new(Readers::new(url, backend, readers, schema.clone())?);
        Ok(Db { pool, readers, backend, schema, group: Arc::default() })
    }

    /// Records that the schema changed: connections opened before now are replaced as they
    /// come back into use.
    pub(crate) fn schema_changed(&self) {
        let at = self.schema.base.elapsed().as_nanos().clamp(1, u64::MAX as u128) as u64;
        self.schema.changed.store(at, std::sync::atomic::Ordering::Release);
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    fn build<S: SqlxBinder>(&self, stmt: &S) -> (String, SqlxValues) {
        counted();
        self.backend.build(stmt)
    }

    /// Starts a transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`),
    /// so that two writers queue instead of failing on a lock upgrade.
    /// There it runs on the writer's one connection, lent to one transaction at a time in
    /// order of asking (see `writer`); the lock only arbitrates between processes.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        let inner = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
        .map_err(StoreError::from_sqlx)?;
        Ok(Tx { inner, backend: self.backend })
    }

    /// Runs `work` in a transaction shared with other writes waiting at the same time, and
    /// returns once it is committed (see [`crate::group`]). For writes on the busiest paths.
    pub async fn write_grouped(&self, work: crate::group::GroupedWrite) -> Result<(), StoreError> {
        self.committers().write(crate::group::Grouped::Work(work)).await
    }

    fn committers(&self) -> &crate::group::Committers {
        self.group.get_or_init(|| {
            // The committers' own handle starts none of its own.
            let mut own = self.clone();
            own.group = Arc::default();
            crate::group::Committers::start(own)
        })
    }

    /// Inserts `rows` in a transaction shared with other writes waiting at the same time, and
    /// returns once they are committed: each table's rows of the whole batch go in together
    /// (see [`crate::group`]).
    pub async fn insert_grouped(&self, rows: Vec<crate::group::Row>) -> Result<(), StoreError> {
        self.committers().write(crate::group::Grouped::Rows(rows)).await
    }

    /// Is the database reachable? For `/readyz`.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.readers.read(|conn| Box::pin(async move { conn.execute("SELECT 1").await.map(drop) })).await
    }

    // Reads run on the readers' connections; sea-query renders values as bound parameters,
    // never into the SQL text. A read may run twice (`Readers::read`), hence the clones.

    /// Reads rows, outside any transaction. For statements that change nothing: one that fails
    /// on a connection that was cut while idle runs again (a write with `RETURNING` goes through
    /// a [`Tx`]).
    pub async fn fetch_all<S: SqlxBinder>(&self, stmt: &S) -> Result<Vec<AnyRow>, StoreError> {
        let (sql, values) = self.build(stmt);
        self.readers
            .read(|conn| {
                let query = sqlx::query_with(sqlx::AssertSqlSafe(sql.clone()), values.clone());
                Box::pin(async move { query.fetch_all(conn).await })
            })
            .await
    }

    pub async fn fetch_optional<S: SqlxBinder>(&self, stmt: &S) -> Result<Option<AnyRow>, StoreError> {
        let (sql, values) = self.build(stmt);
        self.readers
            .read(|conn| {
                let query = sqlx::query_with(sqlx::AssertSqlSafe(sql.clone()), values.clone());
                Box::pin(async move { query.fetch_optional(conn).await })
            })
            .await
    }

    pub async fn fetch_one<S: SqlxBinder>(&self, stmt: &S) -> Result<AnyRow, StoreError> {
        let (sql, values) = self.build(stmt);
        self.readers
            .read(|conn| {
                let query = sqlx::query_with(sqlx::AssertSqlSafe(sql.clone()), values.clone());
                Box::pin(async move { query.fetch_one(conn).await })
            })
            .await
    }

    /// Runs one statement on its own; returns the number of rows it touched. A write on its
    /// own goes to the writer like a transaction: polling SQLite's lock while the writer is
    /// lent out one transaction after another, it could wait for seconds.
    pub async fn execute<S: SqlxBinder>(&self, stmt: &S) -> Result<u64, StoreError> {
        let (sql, values) = self.build(stmt);
        let done = sqlx::query_with(sqlx::AssertSqlSafe(sql), values).execute(&self.pool).await.map_err(StoreError::from_sqlx)?;
        Ok(done.rows_affected())
    }

    /// Runs literal SQL without parameters (schema statements, pragmas).
    pub async fn execute_sql(&self, sql: &str) -> Result<(), StoreError> {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(&self.pool)
            .await
            .map_err(StoreError::from_sqlx)?;
        Ok(())
    }

    /// How many connections reads have opened so far: one for each that reads at once, and one
    /// more for each read that was cancelled or whose connection failed.
    pub fn read_connections_opened(&self) -> u64 {
        self.readers.opened()
    }

    pub async fn close(&self) {
        self.readers.close().await;
        self.pool.close().await;
    }
}

/// A transaction: every write through it commits together, or none does.
/// Dropped without [`Tx::commit`], it rolls back.
pub struct Tx {
    inner: sqlx::Transaction<'static, Any>,
    backend: Backend,
}

impl Tx {
    pub fn backend(&self) -> Backend {
        self.backend
    }

    fn build<S: SqlxBinder>(&self, stmt: &S) -> (String, SqlxValues) {
        counted();
        self.backend.build(stmt)
    }

    pub async fn fetch_all<S: SqlxBinder>(&mut self, stmt: &S) -> Result<Vec<AnyRow>, StoreError> {
        let (sql, values) = self.build(stmt);
        sqlx::query_with(sqlx::AssertSqlSafe(sql), values).fetch_all(&mut *self.inner).await.map_err(StoreError::from_sqlx)
    }

    pub async fn fetch_optional<S: SqlxBinder>(&mut self, stmt: &S) -> Result<Option<AnyRow>, StoreError> {
        let (sql, values) = self.build(stmt);
        sqlx::query_with(sqlx::AssertSqlSafe(sql), values)
            .fetch_optional(&mut *self.inner)
            .await
            .map_err(StoreError::from_sqlx)
    }

    pub async fn fetch_one<S: SqlxBinder>(&mut self, stmt: &S) -> Result<AnyRow, StoreError> {
        let (sql, values) = self.build(stmt);
        sqlx::query_with(sqlx::AssertSqlSafe(sql), values).fetch_one(&mut *self.inner).await.map_err(StoreError::from_sqlx)
    }

    pub async fn execute<S: SqlxBinder>(&mut self, stmt: &S) -> Result<u64, StoreError> {
        let (sql, values) = self.build(stmt);
        let done = sqlx::query_with(sqlx::AssertSqlSafe(sql), values)
            .execute(&mut *self.inner)
            .await
            .map_err(StoreError::from_sqlx)?;
        Ok(done.rows_affected())
    }

    pub async fn execute_sql(&mut self, sql: &str) -> Result<(), StoreError> {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(&mut *self.inner)
            .await
            .map_err(StoreError::from_sqlx)?;
        Ok(())
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        self.inner.commit().await.map_err(StoreError::from_sqlx)
    }

    pub async fn rollback(self) -> Result<(), StoreError> {
        self.inner.rollback().await.map_err(StoreError::from_sqlx)
    }
}

/// Reading typed columns out of rows, with the column named in the error.
pub mod row {
    use sqlx::any::AnyRow;
    use sqlx::{Decode, Row, Type};

    use crate::StoreError;

    pub fn get<'r, T>(row: &'r AnyRow, column: &str) -> Result<T, StoreError>
    where
        T: Decode<'r, sqlx::Any> + Type<sqlx::Any>,
    {
        row.try_get::<T, _>(column)
            .map_err(|source| StoreError::Column { column: column.to_owned(), source })
    }

    /// A column that holds a value parsed from text (ids, enums).
    pub fn parse<T: std::str::FromStr>(row: &AnyRow, column: &str) -> Result<T, StoreError> {
        let text: String = get(row, column)?;
        text.parse()
            .map_err(|_| StoreError::Corrupt(format!("column {column} holds {text:?}")))
    }
}

/// How every SQLite connection is set up: WAL, so that readers never wait for the writer;
/// foreign keys on; and a wait for the lock when another process holds it.
pub(crate) async fn sqlite_settings(conn: &mut sqlx::AnyConnection) -> Result<(), sqlx::Error> {
    conn.execute("PRAGMA journal_mode = WAL").await?;
    conn.execute("PRAGMA synchronous = NORMAL").await?;
    conn.execute("PRAGMA foreign_keys = ON").await?;
    conn.execute("PRAGMA busy_timeout = 10000").await?;
    Ok(())
}

/// The file of a SQLite URL (`sqlite://PATH?…` or `sqlite:PATH`), none for an in-memory one.
fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && !path.starts_with(":memory:")).then(|| std::path::PathBuf::from(path))
}

/// Creates the SQLite file 0600 before SQLite does (SQLite gives its `-wal` and `-shm` files
/// the database file's permissions), and tightens the three files of an existing database.
fn private_sqlite_file(url: &str) -> std::io::Result<()> {
    let Some(path) = sqlite_path(url) else { return Ok(()) };
    if path.parent().is_some_and(|p| !p.as_os_str().is_empty() && !p.exists()) {
        // SQLite will say that the folder is missing.
        return Ok(());
    }
    match crate::private::create_private_file(&path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            for suffix in ["", "-wal", "-shm"] {
                let mut file = path.clone().into_os_string();
                file.push(suffix);
                crate::private::tighten_file(std::path::Path::new(&file))?;
            }
            Ok(())
        }
        Err(e) => Err(e),
    }
}
