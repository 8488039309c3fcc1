//! Tamar's storage: one query set and one migration set, on SQLite or PostgreSQL.
//!
//! Queries and schema are written once with sea-query and run through sqlx's `Any` driver;
//! the backend is chosen at run time from the database URL. Writes that belong together go
//! through one [`Tx`], which commits all or nothing. Files go to a [`Blobs`] store, a local
//! folder or S3-compatible storage, through `object_store`.
//!
//! Architecture invariant: this crate knows tables and rows, never what they mean; domain rules
//! live in the domain crates, which own their migrations.

mod blobs;
mod db;
mod error;
pub mod group;
pub mod lease;
mod migrate;
pub mod private;
mod readers;
mod secrets;
pub mod testing;

pub use blobs::{BlobConfig, Blobs};
pub use db::{Backend, Db, Tx, count_statements, row};
pub use error::StoreError;
pub use migrate::{Migration, Migrator};
pub use secrets::{Sealer, derive_key, load_or_create_secret};

/// Re-exported so that domain crates write queries against the same sea-query version.
pub use sea_query;
pub use sqlx::any::AnyRow;
pub use sqlx::Row;

/// Milliseconds since the Unix epoch: how every timestamp is stored.
pub fn to_millis(at: chrono::DateTime<chrono::Utc>) -> i64 {
    at.timestamp_millis()
}

pub fn from_millis(ms: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default()
}
