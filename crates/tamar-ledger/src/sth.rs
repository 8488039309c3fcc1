use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{DateTime, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};

use crate::merkle::Hash;

/// A tree head signed by the log: its size, root and time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedTreeHead {
    pub tree_size: u64,
    pub timestamp: DateTime<Utc>,
    pub root_hash: Hash,
    pub signature: [u8; 64],
}

impl SignedTreeHead {
    /// The signed bytes, RFC 6962's TreeHeadSignature: version v1 (0), signature type
    /// tree_hash (1), timestamp (ms, u64), tree size (u64), root hash; integers big-endian.
    pub fn signed_message(tree_size: u64, timestamp: DateTime<Utc>, root_hash: &Hash) -> Vec<u8> {
        let mut m = Vec::with_capacity(50);
        m.push(0);
        m.push(1);
        m.extend_from_slice(&(timestamp.timestamp_millis().max(0) as u64).to_be_bytes());
        m.extend_from_slice(&tree_size.to_be_bytes());
        m.extend_from_slice(root_hash);
        m
    }

    pub fn sign(key: &SigningKey, tree_size: u64, timestamp: DateTime<Utc>, root_hash: Hash) -> Self {
        let signature = key.sign(&Self::signed_message(tree_size, timestamp, &root_hash)).to_bytes();
        Self { tree_size, timestamp, root_hash, signature }
    }

    pub fn verify(&self, key: &VerifyingKey) -> bool {
        let message = Self::signed_message(self.tree_size, self.timestamp, &self.root_hash);
        key.verify(&message, &Signature::from_bytes(&self.signature)).is_ok()
    }

    pub fn view(&self, key: &VerifyingKey) -> SthView {
        SthView {
            tree_size: self.tree_size,
            timestamp: self.timestamp.timestamp_millis(),
            sha256_root_hash: B64.encode(self.root_hash),
            tree_head_signature: B64.encode(self.signature),
            public_key: B64.encode(key.as_bytes()),
            signature_algorithm: "ed25519",
        }
    }
}

/// A signed tree head as the API returns it, named as in Certificate Transparency's
/// `get-sth`. Binary values are base64.
#[derive(Clone, Debug)]
pub struct SthView {
    pub tree_size: u64,
    /// Milliseconds since the Unix epoch.
    pub timestamp: i64,
    pub sha256_root_hash: String,
    /// Ed25519 over RFC 6962's TreeHeadSignature structure.
    pub tree_head_signature: String,
    /// The log's Ed25519 public key.
    pub public_key: String,
    pub signature_algorithm: &'static str,
}
