//! The connections that reads run on, lent one read at a time and taken back as they are.
//!
//! sqlx's pool tests every connection that comes back to it with a ping before anyone may use
//! it again: a network round trip on PostgreSQL, and on SQLite a round trip to the thread that
//! owns the connection, which on two cores cost as much as the read itself (a futex wake and a
//! switch each way, measured in `bench/README.md`). A read that completed leaves its
//! connection as it found it, outside any transaction, so these connections go straight back
//! to the idle list. A read that did not complete (its request was cancelled, or the
//! connection failed) gives its connection up instead, so that nothing half-read is ever
//! handed on; and a read that failed on a connection that had sat idle is tried once more on a
//! new one, since a read changes nothing and an idle connection may have been cut.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use sqlx::AnyConnection;
use sqlx::any::AnyConnectOptions;
use sqlx::{ConnectOptions, Connection};
use tokio::sync::Semaphore;

use crate::db::SchemaEpoch;
use crate::{Backend, StoreError};

/// How long a read waits for a connection before the database is reported unavailable.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);
/// A connection is closed and replaced after this long, as sqlx's pool does by default, so that
/// none lives on through a server's restart or a proxy's limits.
const MAX_LIFETIME: Duration = Duration::from_secs(30 * 60);

struct Idle {
    conn: AnyConnection,
    opened: Instant,
}

pub(crate) struct Readers {
    options: AnyConnectOptions,
    backend: Backend,
    schema: std::sync::Arc<SchemaEpoch>,
    /// One per connection that may be open at once.
    permits: Semaphore,
    idle: Mutex<Vec<Idle>>,
    closed: AtomicBool,
    /// Connections opened so far.
    opened: AtomicU64,
}

/// A connection lent to one read. Dropped without [`Lent::give_back`] (the read was cancelled
/// or failed), the connection is closed rather than kept.
struct Lent<'a> {
    readers: &'a Readers,
    conn: Option<Idle>,
}

impl Lent<'_> {
    fn give_back(mut self) {
        if let Some(idle) = self.conn.take()
            && !self.readers.closed.load(Ordering::Acquire)
            && let Ok(mut list) = self.readers.idle.lock()
        {
            list.push(idle);
        }
    }
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        // A connection that was not given back is dropped here, which closes it.
        self.conn.take();
    }
}

impl Readers {
    pub(crate) fn new(url: &str, backend: Backend, size: usize, schema: std::sync::Arc<SchemaEpoch>) -> Result<Readers, StoreError> {
        let options: AnyConnectOptions = url.parse().map_err(StoreError::from_sqlx)?;
        Ok(Readers { options, backend, schema, permits: Semaphore::new(size), idle: Mutex::new(Vec::new()), closed: AtomicBool::new(false), opened: AtomicU64::new(0) })
    }

    /// Runs `read` on a connection of its own. `read` may run twice (see the module's notes),
    /// so it must only read.
    pub(crate) async fn read<T>(&self, read: impl for<'c> Fn(&'c mut AnyConnection) -> BoxFuture<'c, Result<T, sqlx::Error>>) -> Result<T, StoreError> {
        let _permit = match tokio::time::timeout(ACQUIRE_TIMEOUT, self.permits.acquire()).await {
            Ok(Ok(permit)) => permit,
            Ok(Err(_)) => return Err(StoreError::Database(sqlx::Error::PoolClosed)),
            Err(_) => return Err(StoreError::Database(sqlx::Error::PoolTimedOut)),
        };
        let (idle, reused) = match self.take_idle() {
            Some(idle) => (idle, true),
            None => (self.open().await?, false),
        };
        let mut lent = Lent { readers: self, conn: Some(idle) };
        let outcome = match lent.conn.as_mut() {
            Some(idle) => read(&mut idle.conn).await,
            None => return Err(StoreError::Database(sqlx::Error::PoolClosed)),
        };
        match outcome {
            Ok(value) => {
                lent.give_back();
                Ok(value)
            }
            Err(error) if connection_unharmed(&error) => {
                lent.give_back();
                Err(StoreError::from_sqlx(error))
            }
            Err(error) if reused => {
                tracing::debug!(%error, "a read failed on an idle connection; trying a new one");
                drop(lent);
                let mut lent = Lent { readers: self, conn: Some(self.open().await?) };
                let outcome = match lent.conn.as_mut() {
                    Some(idle) => read(&mut idle.conn).await,
                    None => return Err(StoreError::Database(sqlx::Error::PoolClosed)),
                };
                if outcome.as_ref().err().is_none_or(connection_unharmed) {
                    lent.give_back();
                }
                outcome.map_err(StoreError::from_sqlx)
            }
            Err(error) => Err(StoreError::from_sqlx(error)),
        }
    }

    /// The most recently used idle connection that is still fit for use; those opened before
    /// the last migration, or too long ago, are closed.
    fn take_idle(&self) -> Option<Idle> {
        let mut list = self.idle.lock().ok()?;
        while let Some(idle) = list.pop() {
            let age = idle.opened.elapsed();
            if age < MAX_LIFETIME && self.schema.fresh(age) {
                return Some(idle);
            }
        }
        None
    }

    async fn open(&self) -> Result<Idle, StoreError> {
        if self.closed.load(Ordering::Acquire) {
            return Err(StoreError::Database(sqlx::Error::PoolClosed));
        }
        let opened = Instant::now();
        self.opened.fetch_add(1, Ordering::Relaxed);
        let mut conn = self.options.connect().await.map_err(StoreError::from_sqlx)?;
        if self.backend == Backend::Sqlite {
            crate::db::sqlite_settings(&mut conn).await.map_err(StoreError::from_sqlx)?;
        }
        Ok(Idle { conn, opened })
    }

    pub(crate) fn opened(&self) -> u64 {
        self.opened.load(Ordering::Relaxed)
    }

    /// Closes the idle connections and refuses reads from now on; reads under way finish and
    /// close theirs.
    pub(crate) async fn close(&self) {
        self.closed.store(true, Ordering::Release);
        self.permits.close();
        let idle = self.idle.lock().map(|mut list| std::mem::take(&mut *list)).unwrap_or_default();
        for Idle { conn, .. } in idle {
            // Bounded: a connection whose server is gone is dropped instead.
            let _ = tokio::time::timeout(Duration::from_secs(1), conn.close()).await;
        }
    }
}

/// Whether a connection is as good as before after a read failed with `error`: the database
/// answered (a statement it refused, no row where one was expected, a value that did not
/// decode). Anything else (the connection's I/O, its protocol, its worker) leaves it in doubt,
/// and so does PostgreSQL ending the session itself: SQLSTATE class 08 (connection exception)
/// and 57P01-57P05 (an administrator, a crash or a shutdown ended it).
fn connection_unharmed(error: &sqlx::Error) -> bool {
    if let sqlx::Error::Database(db) = error {
        let code = db.code();
        let code = code.as_deref().unwrap_or_default();
        return !(code.starts_with("08") || code.starts_with("57P"));
    }
    matches!(
        error,
        sqlx::Error::RowNotFound
            | sqlx::Error::ColumnNotFound(_)
            | sqlx::Error::ColumnIndexOutOfBounds { .. }
            | sqlx::Error::ColumnDecode { .. }
            | sqlx::Error::Decode(_)
            | sqlx::Error::Encode(_)
            | sqlx::Error::TypeNotFound { .. }
    )
}
