//! What the JSON API answers: views made for it, each built from a domain struct by an explicit
//! `From`, with exactly the fields the API promises. Domain structs are never serialized to a
//! client directly, so a field added to one reaches nobody until a view names it.
//!
//! Each view declares the personal fields it may carry ([`View::PERSONAL`]); [`ViewJson`]
//! writes the declaration into the response's extensions ([`PersonalFields`]), where the
//! integration tests read it and check every JSON GET route's body against it.

use axum::Json;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
/// A type the API answers with.
pub trait View: Serialize {
    /// The JSON keys, at any depth, that hold a person's details and that this view may carry
    /// (`email`, `address`). An empty list: no personal details at all.
    const PERSONAL: &'static [&'static str];
}

impl<T: View> View for Vec<T> {
    const PERSONAL: &'static [&'static str] = T::PERSONAL;
}

/// The personal fields a response may carry, as its view declared them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PersonalFields(pub &'static [&'static str]);

/// A JSON response made from a view.
pub struct ViewJson<T>(pub T);

impl<T: View> IntoResponse for ViewJson<T> {
    fn into_response(self) -> Response {
        let mut response = Json(self.0).into_response();
        response.extensions_mut().insert(PersonalFields(T::PERSONAL));
        response
    }
}


/// A signed tree head, named as in Certificate Transparency's `get-sth`. Binary values are
/// base64.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TreeHeadView {
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

impl View for TreeHeadView {
    const PERSONAL: &'static [&'static str] = &[];
}

impl From<tamar_ledger::SthView> for TreeHeadView {
    fn from(h: tamar_ledger::SthView) -> Self {
        TreeHeadView {
            tree_size: h.tree_size,
            timestamp: h.timestamp,
            sha256_root_hash: h.sha256_root_hash,
            tree_head_signature: h.tree_head_signature,
            public_key: h.public_key,
            signature_algorithm: h.signature_algorithm,
        }
    }
}

/// An audit path, named as in Certificate Transparency's `get-proof-by-hash`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct InclusionProofView {
    pub leaf_index: u64,
    pub tree_size: u64,
    /// The leaf's hash, SHA-256(0x00 ‖ entry), base64.
    pub leaf_hash: String,
    /// Sibling hashes from the leaf up, base64.
    pub audit_path: Vec<String>,
}

impl View for InclusionProofView {
    const PERSONAL: &'static [&'static str] = &[];
}

impl From<tamar_ledger::InclusionProof> for InclusionProofView {
    fn from(p: tamar_ledger::InclusionProof) -> Self {
        InclusionProofView { leaf_index: p.leaf_index, tree_size: p.tree_size, leaf_hash: p.leaf_hash, audit_path: p.audit_path }
    }
}

/// A consistency proof, named as in Certificate Transparency's `get-sth-consistency`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ConsistencyProofView {
    pub first: u64,
    pub second: u64,
    /// base64 hashes.
    pub consistency: Vec<String>,
}

impl View for ConsistencyProofView {
    const PERSONAL: &'static [&'static str] = &[];
}

impl From<tamar_ledger::ConsistencyProof> for ConsistencyProofView {
    fn from(p: tamar_ledger::ConsistencyProof) -> Self {
        ConsistencyProofView { first: p.first, second: p.second, consistency: p.consistency }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Contact {
        email: &'static str,
    }

    impl View for Contact {
        const PERSONAL: &'static [&'static str] = &["email"];
    }

    #[test]
    fn a_view_json_response_carries_its_declaration() {
        let response = ViewJson(vec![ConsistencyProofView { first: 1, second: 2, consistency: vec![] }]).into_response();
        assert_eq!(response.extensions().get::<PersonalFields>(), Some(&PersonalFields(&[])));
        let response = ViewJson(Contact { email: "chan@example.hk" }).into_response();
        assert_eq!(response.extensions().get::<PersonalFields>(), Some(&PersonalFields(&["email"])));
    }
}
