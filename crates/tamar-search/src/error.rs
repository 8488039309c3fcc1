//! The crate's error type.

/// What can go wrong with the search index.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// tantivy failed: an I/O error, a corrupt segment, or an index made with another schema.
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// The index folder cannot be opened.
    #[error("search index folder: {0}")]
    Directory(#[from] tantivy::directory::error::OpenDirectoryError),
    /// The index folder cannot be created.
    #[error("search index folder: {0}")]
    Io(#[from] std::io::Error),
    /// A thread panicked while holding the writer; the index on disk is intact, but this
    /// handle can no longer write and must be reopened.
    #[error("the search index writer was poisoned by a panic")]
    WriterPoisoned,
}

pub type Result<T, E = SearchError> = std::result::Result<T, E>;
