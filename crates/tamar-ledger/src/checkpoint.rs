//! Tree heads in the transparency-log ecosystem's format: C2SP checkpoints
//! (<https://c2sp.org/tlog-checkpoint>), which are signed notes (<https://c2sp.org/signed-note>):
//!
//! ```text
//! tamar.example/ledger
//! 1234
//! 7Mk0xJ0yvNzVfpO1S9z6bq7a1H0X2m0m3k8Y7mJm1hQ=
//!
//! — tamar.example/ledger AbCdEf...
//! ```
//!
//! The origin, the tree size and the RFC 6962 root hash (base64), a blank line, and an Ed25519
//! signature line by the log's key, named after the origin: `— <name> base64(key id ‖ signature)`
//! with key id = SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4]. The crates `tlog_tiles` (the
//! body) and `signed_note` (the note) implement the two formats; this module ties them to the
//! log's key. No extension lines are written (the spec does not recommend them).
//!
//! The same Ed25519 key signs the RFC 6962 `TreeHeadSignature` kept in the database. The two
//! messages cannot be confused: a note is UTF-8 text without control characters other than
//! newline, and a `TreeHeadSignature` starts with the byte 0x00.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use signed_note::{Note, NoteError, StandardVerifier, VerifierList};

use crate::SignedTreeHead;
use crate::merkle::Hash;

/// The signature type byte of Ed25519 signed notes.
const ED25519: u8 = 0x01;

/// Why a checkpoint or a verifier key was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("not a signed checkpoint: {0}")]
    Malformed(String),
    #[error("not a note verifier key (name+id+key): {0}")]
    Key(String),
    #[error("the origin {0:?} is not a valid key name (non-empty, no spaces, no '+')")]
    Origin(String),
    #[error("it carries no signature by the key {0}")]
    NotSigned(String),
    #[error("its signature by {0} does not verify: it was altered, or signed by another key")]
    BadSignature(String),
    #[error("its origin {origin:?} is not the key's name {name:?}")]
    WrongOrigin { origin: String, name: String },
}

/// A log's note verifier key, as witnesses and `golang.org/x/mod/sumdb/note` take it:
/// `<name>+<key id, 8 hex digits>+<base64(0x01 ‖ Ed25519 public key)>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteKey {
    name: String,
    key: VerifyingKey,
}

impl NoteKey {
    pub fn new(name: &str, key: VerifyingKey) -> Result<NoteKey, CheckpointError> {
        if !signed_note::is_key_name_valid(name) {
            return Err(CheckpointError::Origin(name.to_owned()));
        }
        Ok(NoteKey { name: name.to_owned(), key })
    }

    /// The key under [`crate::DEFAULT_ORIGIN`], a valid name.
    pub(crate) fn default_origin(key: VerifyingKey) -> NoteKey {
        NoteKey { name: crate::DEFAULT_ORIGIN.to_owned(), key }
    }

    /// Reads a verifier key; its key id must match its name and key.
    pub fn parse(text: &str) -> Result<NoteKey, CheckpointError> {
        let text = text.trim();
        let bad = |why: &str| CheckpointError::Key(why.to_owned());
        StandardVerifier::new(text).map_err(|e| bad(&e.to_string()))?;
        let (name, rest) = text.split_once('+').ok_or_else(|| bad("no name"))?;
        let (_, encoded) = rest.split_once('+').ok_or_else(|| bad("no key"))?;
        let bytes = B64.decode(encoded).map_err(|_| bad("the key is not base64"))?;
        let Some((&ED25519, key)) = bytes.split_first() else { return Err(bad("not an Ed25519 key")) };
        let key: [u8; 32] = key.try_into().map_err(|_| bad("an Ed25519 key has 32 bytes"))?;
        let key = VerifyingKey::from_bytes(&key).map_err(|_| bad("not an Ed25519 public key"))?;
        NoteKey::new(name, key)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn public_key(&self) -> &VerifyingKey {
        &self.key
    }

    /// The key id of signature lines: SHA-256(name ‖ 0x0A ‖ 0x01 ‖ key)[:4], big-endian.
    pub fn id(&self) -> u32 {
        signed_note::key_id(&self.name, &self.encoded())
    }

    fn encoded(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(33);
        bytes.push(ED25519);
        bytes.extend_from_slice(self.key.as_bytes());
        bytes
    }
}

impl std::fmt::Display for NoteKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&signed_note::new_ed25519_verifier_key(&self.name, &self.key))
    }
}

/// The log's key as a note signer.
struct NoteSigner<'a> {
    key: &'a NoteKey,
    signing: &'a SigningKey,
}

impl signed_note::Signer for NoteSigner<'_> {
    fn name(&self) -> &str {
        self.key.name()
    }

    fn key_id(&self) -> u32 {
        self.key.id()
    }

    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, ed25519_dalek::SignatureError> {
        Ok(self.signing.try_sign(msg)?.to_bytes().to_vec())
    }
}

/// What a checkpoint says: the log's origin, its size and its root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub tree_size: u64,
    pub root_hash: Hash,
}

impl Checkpoint {
    pub fn of(origin: &str, head: &SignedTreeHead) -> Checkpoint {
        Checkpoint { origin: origin.to_owned(), tree_size: head.tree_size, root_hash: head.root_hash }
    }

    /// The signed note, signed by `key` under the origin's name. Ed25519 is deterministic:
    /// the same head always gives the same bytes.
    pub fn sign(&self, key: &SigningKey) -> Result<String, CheckpointError> {
        let malformed = |e: &dyn std::fmt::Display| CheckpointError::Malformed(e.to_string());
        let note_key = NoteKey::new(&self.origin, key.verifying_key())?;
        let body = tlog_tiles::Checkpoint::new(&self.origin, self.tree_size, tlog_tiles::Hash(self.root_hash), "")
            .map_err(|e| malformed(&e))?;
        let mut note = Note::new(&body.to_bytes(), &[]).map_err(|e| malformed(&e))?;
        note.add_sigs(&[&NoteSigner { key: &note_key, signing: key }]).map_err(|e| malformed(&e))?;
        String::from_utf8(note.to_bytes()).map_err(|e| malformed(&e))
    }

    /// Checks that `note` is signed by `key` and that its origin is the key's name, and reads it.
    /// Signatures by other keys (witnesses' cosignatures) are ignored, as the spec says.
    pub fn open(note: &str, key: &NoteKey) -> Result<Checkpoint, CheckpointError> {
        let parsed = Note::from_bytes(note.as_bytes()).map_err(|e| CheckpointError::Malformed(e.to_string()))?;
        let verifier = StandardVerifier::new(&key.to_string()).map_err(|e| CheckpointError::Key(e.to_string()))?;
        match parsed.verify(&VerifierList::new(vec![Box::new(verifier)])) {
            Ok(_) => {}
            Err(NoteError::UnverifiedNote) => return Err(CheckpointError::NotSigned(key.to_string())),
            Err(NoteError::InvalidSignature { .. }) => return Err(CheckpointError::BadSignature(key.to_string())),
            Err(other) => return Err(CheckpointError::Malformed(other.to_string())),
        }
        let body = tlog_tiles::Checkpoint::from_bytes(parsed.text()).map_err(|e| CheckpointError::Malformed(e.to_string()))?;
        if body.origin() != key.name() {
            return Err(CheckpointError::WrongOrigin { origin: body.origin().to_owned(), name: key.name().to_owned() });
        }
        Ok(Checkpoint { origin: body.origin().to_owned(), tree_size: body.size(), root_hash: body.hash().0 })
    }

    /// Like [`Checkpoint::open`], with a bare public key: the key's name is taken from the
    /// checkpoint's own origin line.
    pub fn open_with_key(note: &str, key: &VerifyingKey) -> Result<Checkpoint, CheckpointError> {
        let origin = note.split('\n').next().unwrap_or_default();
        Checkpoint::open(note, &NoteKey::new(origin, *key)?)
    }
}

/// The newest complete checkpoint in the text of a checkpoint file (checkpoints one after
/// another, each followed by a blank line). A partly written one at the end is skipped.
pub fn last_checkpoint(text: &str) -> Option<&str> {
    // Lines with their byte ranges; a last line without its newline was cut short.
    let mut lines = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let end = start + line.len();
        if let Some(content) = line.strip_suffix('\n') {
            lines.push((start, end, content));
        }
        start = end;
    }
    let is_signature = |l: &str| l.starts_with("— ");
    let last_sig = lines.iter().rposition(|(_, _, l)| is_signature(l))?;
    let mut first_sig = last_sig;
    while first_sig > 0 && is_signature(lines[first_sig - 1].2) {
        first_sig -= 1;
    }
    // The blank line between the text and its signatures, then the text back to the blank
    // line that ends the previous checkpoint.
    let blank = first_sig.checked_sub(1)?;
    if !lines[blank].2.is_empty() {
        return None;
    }
    let mut first_text = blank;
    while first_text > 0 && !lines[first_text - 1].2.is_empty() {
        first_text -= 1;
    }
    if first_text == blank {
        return None;
    }
    Some(&text[lines[first_text].0..lines[last_sig].1])
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn head(size: u64) -> SignedTreeHead {
        SignedTreeHead::sign(&SigningKey::from_bytes(&[5u8; 32]), size, chrono::Utc::now(), [size as u8; 32])
    }

    #[test]
    fn signs_and_opens_checkpoints() {
        let key = SigningKey::from_bytes(&[5u8; 32]);
        let note_key = NoteKey::new("tamar.example/ledger", key.verifying_key()).unwrap();
        let text = Checkpoint::of("tamar.example/ledger", &head(12)).sign(&key).unwrap();
        let lines: Vec<&str> = text.split('\n').collect();
        assert_eq!(lines[0], "tamar.example/ledger");
        assert_eq!(lines[1], "12");
        assert_eq!(B64.decode(lines[2]).unwrap(), vec![12u8; 32]);
        assert_eq!(lines[3], "");
        // The signature line: the name, then base64 of the key id and 64 signature bytes.
        let sig = lines[4].strip_prefix("— tamar.example/ledger ").unwrap();
        let sig = B64.decode(sig).unwrap();
        assert_eq!(sig.len(), 68);
        assert_eq!(u32::from_be_bytes(sig[..4].try_into().unwrap()), note_key.id());
        assert!(text.ends_with('\n'));

        let opened = Checkpoint::open(&text, &note_key).unwrap();
        assert_eq!((opened.tree_size, opened.root_hash), (12, [12u8; 32]));
        assert_eq!(Checkpoint::open_with_key(&text, &key.verifying_key()).unwrap(), opened);
        // The verifier key round-trips.
        assert_eq!(NoteKey::parse(&note_key.to_string()).unwrap(), note_key);

        // Altered: another size, another key, another origin.
        let altered = text.replacen("\n12\n", "\n13\n", 1);
        assert!(matches!(Checkpoint::open(&altered, &note_key), Err(CheckpointError::BadSignature(_))));
        let other = NoteKey::new("tamar.example/ledger", SigningKey::from_bytes(&[6u8; 32]).verifying_key()).unwrap();
        assert!(matches!(Checkpoint::open(&text, &other), Err(CheckpointError::NotSigned(_))));
        let elsewhere = Checkpoint::of("elsewhere.example/log", &head(12)).sign(&key).unwrap();
        assert!(Checkpoint::open(&elsewhere, &note_key).is_err());
        assert!(NoteKey::parse("tamar.example/ledger+00000000+AQ==").is_err());
        assert!(NoteKey::new("has space", key.verifying_key()).is_err());
    }

    #[test]
    fn finds_the_last_complete_checkpoint() {
        let key = SigningKey::from_bytes(&[5u8; 32]);
        let a = Checkpoint::of("o.example/l", &head(1)).sign(&key).unwrap();
        let b = Checkpoint::of("o.example/l", &head(2)).sign(&key).unwrap();
        assert_eq!(last_checkpoint(""), None);
        assert_eq!(last_checkpoint(&format!("{a}\n")), Some(a.as_str()));
        assert_eq!(last_checkpoint(&format!("{a}\n{b}\n")), Some(b.as_str()));
        // A write cut short at the end, and the repair that follows it.
        let torn = format!("{a}\n{}", &b[..20]);
        assert_eq!(last_checkpoint(&torn), Some(a.as_str()));
        assert_eq!(last_checkpoint(&format!("{torn}\n\n{b}\n")), Some(b.as_str()));
        // The tail of a large file, starting in the middle of a checkpoint.
        let tail = format!("{}\n{b}\n", &a[30..]);
        assert_eq!(last_checkpoint(&tail), Some(b.as_str()));
    }
}
