//! Tamar's tamper-evident log.
//!
//! Every state change and every read of personal data, from any module, becomes a
//! [`LedgerEntry`]. Entries are appended in two ways:
//!
//! - [`record`] queues an entry inside the caller's own transaction, so that a state change and
//!   its log entry commit together or not at all;
//! - [`Ledger::record_read`] queues a read of personal data; concurrent reads are written in
//!   batches (group commit) and the caller waits until its entry is durable.
//!
//! A sequencer then integrates queued entries in batches: it gives each a sequence number,
//! hashes it into an RFC 6962 Merkle tree and signs a new tree head with Ed25519. Clients check
//! inclusion and consistency proofs against the signed heads; `tamar verify-log` recomputes the
//! whole tree from the database.
//!
//! Each new head also leaves the database at once, as a C2SP checkpoint (a signed note, the
//! transparency-log ecosystem's format): appended to a checkpoint file and created in the blob
//! store (see `publish`). `verify-log` checks that the database extends those checkpoints, and
//! any other trusted head, so that cutting entries off the end of the log is detected.
//!
//! Architecture invariant: entries are only ever appended. No code path updates an entry's
//! contents or deletes one; the sequencer only fills in `seq` and `leaf_hash` once.

pub mod codes;
mod checkpoint;
mod entry;
mod error;
mod keys;
pub mod merkle;
mod schema;
mod publish;
mod service;
mod sth;
mod verify;

pub use checkpoint::{Checkpoint, CheckpointError, NoteKey, last_checkpoint};
pub use entry::{AccessRecord, EntryKind, LedgerEntry};
pub use error::LedgerError;
pub use keys::load_or_create_signing_key;
pub use schema::MIGRATIONS;
pub use publish::{CHECKPOINT_PREFIX, checkpoint_blob_key, latest_checkpoint_in_blobs, latest_checkpoint_in_file};
pub use service::{ConsistencyProof, DEFAULT_ORIGIN, InclusionProof, Ledger, LedgerOptions, entry_row, record, record_all};
pub use sth::{SignedTreeHead, SthView};
pub use verify::{TrustedHead, VerifyFailure, VerifyReport, verify_log, verify_log_with};

pub use ed25519_dalek::{SigningKey, VerifyingKey};
