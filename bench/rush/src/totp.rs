//! The officer's authenticator app: RFC 6238 codes (HMAC-SHA-1, 30 seconds, 6 digits) from a
//! base32 key.

use hmac::{Hmac, Mac};
use sha1::Sha1;

fn base32(key: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u64, 0u32);
    for c in key.chars().filter(|c| !matches!(c, ' ' | '=')) {
        let value = match c.to_ascii_uppercase() {
            c @ 'A'..='Z' => c as u64 - 'A' as u64,
            c @ '2'..='7' => c as u64 - '2' as u64 + 26,
            _ => return None,
        };
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// The code for the 30-second step that `unix_seconds` falls in.
pub fn code(key: &str, unix_seconds: u64) -> Option<String> {
    let mut mac = Hmac::<Sha1>::new_from_slice(&base32(key)?).ok()?;
    mac.update(&(unix_seconds / 30).to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let start = (digest[19] & 0x0f) as usize;
    let value = u32::from_be_bytes([digest[start], digest[start + 1], digest[start + 2], digest[start + 3]]) & 0x7fff_ffff;
    Some(format!("{:06}", value % 1_000_000))
}

/// The code now.
pub fn now(key: &str) -> Option<String> {
    code(key, std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok()?.as_secs())
}

#[cfg(test)]
mod tests {
    #[test]
    fn rfc_6238_vectors() {
        // The RFC's SHA-1 key, "12345678901234567890", in base32.
        let key = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
        assert_eq!(super::code(key, 59).as_deref(), Some("287082"));
        assert_eq!(super::code(key, 1_111_111_109).as_deref(), Some("081804"));
        assert_eq!(super::code(key, 20_000_000_000).as_deref(), Some("353130"));
    }
}
