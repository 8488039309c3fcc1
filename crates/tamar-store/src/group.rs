//! Group commit: writes from many requests share one transaction.
//!
//! A request that must only know that its write is durable hands it to [`Db::write_grouped`]
//! and waits. Committers take whatever writes are waiting (up to [`BATCH`]), run them one after
//! another in one transaction, commit once, and answer each. The commit (and on PostgreSQL its
//! WAL flush, on SQLite the one writer's turn) is paid once per batch instead of once per write;
//! each write still commits with everything it wrote, or not at all. If one write of a batch
//! fails, or the commit does, nothing of the batch is kept and each write is run again in a
//! transaction of its own, so one bad write costs the others only time.
//!
//! A grouped write must be a function of its inputs that may run twice (it is a `Fn`), and must
//! not read what another write of the batch may have written (it cannot see whether it ran
//! alone). Statements it runs are not counted by [`crate::count_statements`] in the caller.
//!
//! The commonest grouped write only inserts rows: [`Db::insert_grouped`] takes them as
//! [`Row`]s, and the batch's rows for one table go in together, in multi-row statements of
//! 1, 2, 4, … [`BATCH`] rows (so that each connection prepares few shapes of statement): a
//! batch of 64 messages with their log entries is two statements, not 128.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use tokio::sync::{Mutex, mpsc, oneshot};

use sea_query::{Query, Value};

use crate::{Backend, Db, StoreError, Tx};

/// The most writes in one transaction.
const BATCH: usize = 64;
/// Writes waiting for a committer before callers wait to queue.
const QUEUE: usize = 4096;

/// One write of a batch: what it does inside the shared transaction.
pub type GroupedWrite = Box<dyn for<'t> Fn(&'t mut Tx) -> Pin<Box<dyn Future<Output = Result<(), StoreError>> + Send + 't>> + Send + Sync>;

/// A row to insert as part of a grouped write.
#[derive(Clone, Debug)]
pub struct Row {
    pub table: &'static str,
    pub columns: &'static [&'static str],
    pub values: Vec<Value>,
}

/// What one caller hands to the committers.
pub(crate) enum Grouped {
    Work(GroupedWrite),
    Rows(Vec<Row>),
}

type Pending = (Grouped, oneshot::Sender<Result<(), StoreError>>);

/// The queue to this pool's committers.
#[derive(Debug)]
pub(crate) struct Committers {
    queue: mpsc::Sender<Pending>,
}

impl Committers {
    /// Starts the committers on the current runtime: one on SQLite (one writer at a time in any
    /// case), a few on PostgreSQL, which commits several transactions at once.
    pub(crate) fn start(db: Db) -> Committers {
        let (queue, waiting) = mpsc::channel(QUEUE);
        let waiting = Arc::new(Mutex::new(waiting));
        let count = match db.backend() {
            Backend::Sqlite => 1,
            Backend::Postgres => 4,
        };
        for _ in 0..count {
            tokio::spawn(commit_batches(db.clone(), waiting.clone()));
        }
        Committers { queue }
    }

    pub(crate) async fn write(&self, work: Grouped) -> Result<(), StoreError> {
        let (done, answer) = oneshot::channel();
        self.queue.send((work, done)).await.map_err(|_| StoreError::Database(sqlx::Error::PoolClosed))?;
        answer.await.map_err(|_| StoreError::Database(sqlx::Error::PoolClosed))?
    }
}

async fn commit_batches(db: Db, waiting: Arc<Mutex<mpsc::Receiver<Pending>>>) {
    let mut batch: Vec<Pending> = Vec::with_capacity(BATCH);
    loop {
        let received = waiting.lock().await.recv_many(&mut batch, BATCH).await;
        if received == 0 {
            return;
        }
        match together(&db, &batch).await {
            Ok(()) => {
                for (_, done) in batch.drain(..) {
                    let _ = done.send(Ok(()));
                }
            }
            Err(error) => {
                if batch.len() > 1 {
                    tracing::debug!(%error, writes = batch.len(), "a grouped write failed; running each alone");
                }
                for (work, done) in batch.drain(..) {
                    let _ = done.send(alone(&db, &work).await);
                }
            }
        }
    }
}

/// The rows a grouped batch puts into one table: its name, its columns and each row's values.
type TableRows<'a> = (&'static str, &'static [&'static str], Vec<&'a [Value]>);

async fn together(db: &Db, batch: &[Pending]) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    // The rows of every write, by table and columns, in the order each first appears (so that
    // a parent row still goes in before its child).
    let mut tables: Vec<TableRows<'_>> = Vec::new();
    for (work, _) in batch {
        match work {
            Grouped::Work(work) => work(&mut tx).await?,
            Grouped::Rows(rows) => {
                for row in rows {
                    match tables.iter_mut().find(|(table, columns, _)| *table == row.table && *columns == row.columns) {
                        Some((_, _, values)) => values.push(&row.values),
                        None => tables.push((row.table, row.columns, vec![&row.values])),
                    }
                }
            }
        }
    }
    for (table, columns, rows) in tables {
        insert(&mut tx, table, columns, &rows).await?;
    }
    tx.commit().await
}

async fn alone(db: &Db, work: &Grouped) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    match work {
        Grouped::Work(work) => work(&mut tx).await?,
        Grouped::Rows(rows) => {
            for row in rows {
                insert(&mut tx, row.table, row.columns, &[&row.values]).await?;
            }
        }
    }
    tx.commit().await
}

/// Inserts rows into one table in statements of a power of two rows each, largest first.
async fn insert(tx: &mut Tx, table: &'static str, columns: &'static [&'static str], rows: &[&[Value]]) -> Result<(), StoreError> {
    let mut rest = rows;
    while !rest.is_empty() {
        let size = 1usize << rest.len().min(BATCH).ilog2();
        let (these, after) = rest.split_at(size);
        let mut statement = Query::insert().into_table(table).columns(columns.iter().copied()).to_owned();
        for values in these {
            if values.len() != columns.len() {
                return Err(StoreError::Corrupt(format!("a row for {table} has {} values for {} columns", values.len(), columns.len())));
            }
            statement.values_panic(values.iter().cloned().map(Into::into));
        }
        tx.execute(&statement).await?;
        rest = after;
    }
    Ok(())
}
