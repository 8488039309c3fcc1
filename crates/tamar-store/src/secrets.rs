//! Secret keys kept as files in the data folder.

use std::io::Write;
use std::path::Path;

/// Reads a 32-byte secret (hex) from `path`, or creates one with permissions 0600. Nodes that
/// must agree on a key share the file.
pub fn load_or_create_secret(path: &Path) -> std::io::Result<[u8; 32]> {
    let invalid = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{}: {what}", path.display()));
    if path.exists() {
        let text = std::fs::read_to_string(path)?;
        let mut secret = [0u8; 32];
        let bytes = text.trim().as_bytes();
        if bytes.len() != 64 {
            return Err(invalid("expected 64 hex digits"));
        }
        for (i, pair) in bytes.chunks_exact(2).enumerate() {
            let digits = std::str::from_utf8(pair).map_err(|_| invalid("not hex"))?;
            secret[i] = u8::from_str_radix(digits, 16).map_err(|_| invalid("not hex"))?;
        }
        return Ok(secret);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|e| std::io::Error::other(e.to_string()))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    let hex: String = secret.iter().map(|b| format!("{b:02x}")).collect();
    file.write_all(hex.as_bytes())?;
    Ok(secret)
}
