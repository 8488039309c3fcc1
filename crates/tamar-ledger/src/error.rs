use tamar_core::{Code, FieldError, HasCode, Rule};
use tamar_store::StoreError;

use crate::merkle::ProofError;

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Proof(#[from] ProofError),
    #[error("no signed tree head has size {0}")]
    TreeSizeOutOfRange(u64),
    #[error("the ledger is shutting down")]
    Closed,
    #[error("signing key {path}: {reason}")]
    Key { path: String, reason: String },
    #[error("ledger state is corrupt: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Checkpoint(#[from] crate::CheckpointError),
    #[error("checkpoints: {0}")]
    Checkpoints(String),
    #[error("the log does not extend the newest checkpoint written out ({0}); refusing to sign")]
    Inconsistent(String),
    /// A page's cursor that no page of this list gave.
    #[error("not a cursor of this list")]
    BadCursor,
}

impl HasCode for LedgerError {
    fn code(&self) -> Code {
        match self {
            LedgerError::Store(e) => e.code(),
            LedgerError::Proof(_) => crate::codes::TREE_SIZE_OUT_OF_RANGE,
            LedgerError::TreeSizeOutOfRange(_) => crate::codes::TREE_HEAD_NOT_FOUND,
            LedgerError::Closed => Code::UNAVAILABLE,
            LedgerError::BadCursor => Code::INVALID_QUERY,
            LedgerError::Key { .. }
            | LedgerError::Corrupt(_)
            | LedgerError::Checkpoint(_)
            | LedgerError::Checkpoints(_)
            | LedgerError::Inconsistent(_) => Code::INTERNAL,
        }
    }

    fn details(&self) -> Vec<FieldError> {
        match self {
            LedgerError::BadCursor => vec![FieldError { field: "after", rule: Rule::Format }],
            _ => Vec::new(),
        }
    }
}
