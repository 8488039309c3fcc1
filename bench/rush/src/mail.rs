//! The residents' mailboxes: Tamar's demo writes each email as a `.eml` file into the outbox
//! folder of its data folder. A thread reads each new file once and keeps the verification
//! link's token for its address, for the resident's flow to pick up.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Clone, Default)]
pub struct Mailboxes {
    tokens: Arc<Mutex<HashMap<String, String>>>,
}

impl Mailboxes {
    /// Watches `outbox` until the process ends.
    pub fn watch(outbox: PathBuf) -> Mailboxes {
        let boxes = Mailboxes::default();
        let tokens = boxes.tokens.clone();
        std::thread::spawn(move || {
            let mut seen = HashSet::new();
            loop {
                if let Ok(entries) = std::fs::read_dir(&outbox) {
                    for entry in entries.flatten() {
                        let name = entry.file_name();
                        if seen.contains(&name) || !name.to_string_lossy().ends_with(".eml") {
                            continue;
                        }
                        // A file is written in one call; one still empty is read again later.
                        let Ok(raw) = std::fs::read(entry.path()) else { continue };
                        if raw.is_empty() {
                            continue;
                        }
                        seen.insert(name);
                        if let Some((to, token)) = verification(&raw)
                            && let Ok(mut t) = tokens.lock()
                        {
                            t.insert(to, token);
                        }
                    }
                }
                std::thread::sleep(Duration::from_millis(200));
            }
        });
        boxes
    }

    /// Takes the verification token mailed to `address`, waiting until `until`.
    pub async fn wait_for(&self, address: &str, until: Instant) -> Option<String> {
        loop {
            if let Some(token) = self.tokens.lock().ok().and_then(|mut t| t.remove(address)) {
                return Some(token);
            }
            if Instant::now() >= until {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// The recipient and the token of an email with a verification link, if this is one.
fn verification(raw: &[u8]) -> Option<(String, String)> {
    let text = String::from_utf8_lossy(raw).replace("\r\n", "\n");
    let (headers, body) = text.split_once("\n\n")?;
    let mut to = None;
    let mut encoding = String::new();
    for line in headers.lines() {
        if let Some((name, value)) = line.split_once(':') {
            match name.trim().to_ascii_lowercase().as_str() {
                "to" => to = Some(address_of(value.trim())),
                "content-transfer-encoding" => encoding = value.trim().to_ascii_lowercase(),
                _ => {}
            }
        }
    }
    let body = match encoding.as_str() {
        "quoted-printable" => quoted_printable(body),
        "base64" => {
            use base64::Engine;
            let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            String::from_utf8_lossy(&base64::engine::general_purpose::STANDARD.decode(compact).ok()?).into_owned()
        }
        _ => body.to_owned(),
    };
    let start = body.find("verify-email?token=")? + "verify-email?token=".len();
    let token: String = body[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~' | '%')).collect();
    if token.is_empty() {
        return None;
    }
    Some((to?.to_lowercase(), token))
}

/// `Name <a@b>` or `a@b`.
fn address_of(value: &str) -> String {
    match (value.rfind('<'), value.rfind('>')) {
        (Some(a), Some(b)) if a < b => value[a + 1..b].to_owned(),
        _ => value.to_owned(),
    }
}

fn quoted_printable(body: &str) -> String {
    let bytes = body.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' {
            if bytes.get(i + 1) == Some(&b'\n') {
                i += 2; // a soft line break
                continue;
            }
            if let Some(hex) = body.get(i + 1..i + 3)
                && let Ok(b) = u8::from_str_radix(hex, 16)
            {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_comes_out_of_a_quoted_printable_mail() {
        let raw = "From: Tamar <no-reply@tamar.localhost>\r\nTo: t1@example.hk\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
            Dear Test,\r\n\r\nhttp://localhost:1/en/verify-email?token=3DuFZrQlsPQ9CTEHzaZZBXpPTrjYwD=\r\nqbneixgNizqkD2I\r\n\r\nBye.\r\n";
        assert_eq!(verification(raw.as_bytes()), Some(("t1@example.hk".into(), "uFZrQlsPQ9CTEHzaZZBXpPTrjYwDqbneixgNizqkD2I".into())));
        assert_eq!(verification(b"To: a@b\n\nno link here"), None);
    }
}
