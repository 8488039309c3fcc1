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

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use tokio::sync::{Mutex, mpsc, oneshot};

use crate::{Backend, Db, StoreError, Tx};

/// The most writes in one transaction.
const BATCH: usize = 64;
/// Writes waiting for a committer before callers wait to queue.
const QUEUE: usize = 4096;

/// One write of a batch: what it does inside the shared transaction.
pub type GroupedWrite = Box<dyn for<'t> Fn(&'t mut Tx) -> Pin<Box<dyn Future<Output = Result<(), StoreError>> + Send + 't>> + Send + Sync>;

type Pending = (GroupedWrite, oneshot::Sender<Result<(), StoreError>>);

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

    pub(crate) async fn write(&self, work: GroupedWrite) -> Result<(), StoreError> {
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

async fn together(db: &Db, batch: &[Pending]) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    for (work, _) in batch {
        work(&mut tx).await?;
    }
    tx.commit().await
}

async fn alone(db: &Db, work: &GroupedWrite) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    work(&mut tx).await?;
    tx.commit().await
}
