use std::path::Path;

use ed25519_dalek::SigningKey;

use crate::LedgerError;

/// Loads the tree-head signing key from the data folder, creating it on first use.
pub fn load_or_create_signing_key(path: &Path) -> Result<SigningKey, LedgerError> {
    tamar_store::load_or_create_secret(path)
        .map(|seed| SigningKey::from_bytes(&seed))
        .map_err(|e| LedgerError::Key { path: path.display().to_string(), reason: e.to_string() })
}
