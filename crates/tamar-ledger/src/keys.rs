use std::io::Write;
use std::path::Path;

use ed25519_dalek::SigningKey;
use rand::RngCore;

use crate::LedgerError;

/// Loads the tree-head signing key from `path` (32 bytes, hex), creating it on first use with
/// permissions 0600. Several nodes share a log by sharing this file.
pub fn load_or_create_signing_key(path: &Path) -> Result<SigningKey, LedgerError> {
    let fail = |reason: String| LedgerError::Key { path: path.display().to_string(), reason };
    if path.exists() {
        let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
        let bytes = hex::decode(text.trim()).map_err(|e| fail(e.to_string()))?;
        let seed: [u8; 32] = bytes.try_into().map_err(|_| fail("expected 32 bytes".into()))?;
        return Ok(SigningKey::from_bytes(&seed));
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| fail(e.to_string()))?;
    }
    let mut seed = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut seed);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| fail(e.to_string()))?;
    file.write_all(hex::encode(seed).as_bytes()).map_err(|e| fail(e.to_string()))?;
    Ok(SigningKey::from_bytes(&seed))
}
