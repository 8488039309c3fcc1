use tamar_core::{Code, HasCode};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("unique constraint violated")]
    UniqueViolation,
    #[error("blob storage error: {0}")]
    Blob(#[from] object_store::Error),
    #[error("blob not found: {0}")]
    BlobNotFound(String),
    #[error("unsupported database URL (use sqlite:// or postgres://)")]
    UnsupportedUrl,
    #[error("column {column}: {source}")]
    Column { column: String, source: sqlx::Error },
    #[error("stored value is corrupt: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// Classifies driver errors that a caller may want to act on.
    pub(crate) fn from_sqlx(err: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &err
            && db.is_unique_violation()
        {
            return StoreError::UniqueViolation;
        }
        StoreError::Database(err)
    }
}

impl HasCode for StoreError {
    fn code(&self) -> Code {
        match self {
            // The database cannot be reached (or the pool is shut down): a dependency is down.
            StoreError::Database(sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_)) => Code::UNAVAILABLE,
            StoreError::BlobNotFound(_) => Code::NOT_FOUND,
            _ => Code::INTERNAL,
        }
    }
}
