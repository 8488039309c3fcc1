//! Secret keys kept as files in the data folder.

use std::io::Write;
use std::path::Path;

/// Reads a 32-byte secret (hex) from `path`, or creates one with permissions 0600 (in a folder made 0700);
/// an existing file is made 0600. Nodes that
/// must agree on a key share the file.
pub fn load_or_create_secret(path: &Path) -> std::io::Result<[u8; 32]> {
    let invalid = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{}: {what}", path.display()));
    if path.exists() {
        // A key file written by an older version may be readable by others.
        crate::private::tighten_file(path)?;
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
        crate::private::private_dir(dir)?;
    }
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|e| std::io::Error::other(e.to_string()))?;
    let mut file = crate::private::create_private_file(path)?;
    let hex: String = secret.iter().map(|b| format!("{b:02x}")).collect();
    file.write_all(hex.as_bytes())?;
    Ok(secret)
}

/// Seals secrets that the platform must read back (TOTP secrets) with AES-256-GCM, so that a
/// copy of the database alone does not give them away. `context` binds a sealed value to its
/// place: a value moved to another row does not open.
///
/// The cipher (its expanded keys, some hundreds of bytes) is shared: a `Sealer` is part of the
/// state every request clones.
#[derive(Clone)]
pub struct Sealer {
    cipher: std::sync::Arc<aes_gcm::Aes256Gcm>,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer([key redacted])")
    }
}

const SEALED_PREFIX: &str = "sealed:v1:";

impl Sealer {
    pub fn new(key: &[u8; 32]) -> Sealer {
        use aes_gcm::KeyInit;
        Sealer { cipher: std::sync::Arc::new(aes_gcm::Aes256Gcm::new(key.into())) }
    }

    pub fn seal(&self, plaintext: &[u8], context: &str) -> String {
        use aes_gcm::aead::{Aead, AeadCore, OsRng, Payload};
        use base64::Engine;
        let nonce = aes_gcm::Aes256Gcm::generate_nonce(&mut OsRng);
        let sealed = self.cipher.encrypt(&nonce, Payload { msg: plaintext, aad: context.as_bytes() }).unwrap_or_default();
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        format!("{SEALED_PREFIX}{}", base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    pub fn open(&self, sealed: &str, context: &str) -> Result<Vec<u8>, crate::StoreError> {
        use aes_gcm::aead::{Aead, Payload};
        use base64::Engine;
        let corrupt = || crate::StoreError::Corrupt("a sealed value does not open".into());
        let body = sealed.strip_prefix(SEALED_PREFIX).ok_or_else(corrupt)?;
        let bytes = base64::engine::general_purpose::STANDARD.decode(body).map_err(|_| corrupt())?;
        if bytes.len() < 12 {
            return Err(corrupt());
        }
        let (nonce, ciphertext) = bytes.split_at(12);
        self.cipher.decrypt(aes_gcm::Nonce::from_slice(nonce), Payload { msg: ciphertext, aad: context.as_bytes() }).map_err(|_| corrupt())
    }
}

/// A key for one purpose, derived from a secret kept on disk with HKDF-SHA256 (RFC 5869), so
/// that no two purposes (a CSRF token, a cookie, a pairwise subject) share a key.
pub fn derive_key(secret: &[u8], purpose: &str) -> [u8; 32] {
    let mut key = [0u8; 32];
    // 32 bytes is far below HKDF-SHA256's limit of 8160, so expand cannot fail.
    let _ = hkdf::Hkdf::<sha2::Sha256>::new(Some(b"tamar key derivation"), secret).expand(purpose.as_bytes(), &mut key);
    key
}

#[cfg(test)]
mod tests {
    use super::Sealer;

    #[test]
    fn sealed_values_open_only_in_their_place() {
        let sealer = Sealer::new(&[7u8; 32]);
        let sealed = sealer.seal(b"JBSWY3DPEHPK3PXP", "totp:account-1");
        assert!(!sealed.contains("JBSWY3DPEHPK3PXP"));
        assert_eq!(sealer.open(&sealed, "totp:account-1").ok(), Some(b"JBSWY3DPEHPK3PXP".to_vec()));
        assert!(sealer.open(&sealed, "totp:account-2").is_err(), "bound to its row");
        assert!(Sealer::new(&[8u8; 32]).open(&sealed, "totp:account-1").is_err(), "another key");
        assert!(sealer.open("JBSWY3DPEHPK3PXP", "totp:account-1").is_err());
    }

    #[test]
    fn each_purpose_gets_its_own_key() {
        let secret = [7u8; 32];
        let csrf = super::derive_key(&secret, "csrf");
        assert_eq!(csrf, super::derive_key(&secret, "csrf"), "the same on every node");
        assert_ne!(csrf, super::derive_key(&secret, "cookie"));
        assert_ne!(csrf, super::derive_key(&[8u8; 32], "csrf"));
        assert_ne!(&csrf[..], &secret[..]);
    }
}
