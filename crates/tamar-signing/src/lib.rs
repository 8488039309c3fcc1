//! Digital signing, as iAM Smart+ offers: a service asks, the person confirms on Tamar, and
//! Tamar signs the document's hash with the person's key, under a certificate from Tamar's
//! signing CA. Anyone can check the signature offline with the CA's published certificate.
//!
//! The signature is ECDSA P-256 with SHA-256 over the 32-byte SHA-256 digest of the document;
//! the certificate is X.509, issued to the person by the Tamar Signing CA.
//!
//! Architecture invariant: Tamar signs only what the person confirmed, after they proved who
//! they are moments before, and only for people whose identity was verified (L2 or above).

pub mod codes;
mod authority;
mod requests;
mod verify;

pub use authority::SigningAuthority;
pub use requests::{NewSigningRequest, RequestForPerson, SigningOutcome, SigningRequest, approve, create_request, decline, outcome_for_client, request_for_person, subject_serial};
pub use authority::pem;
pub use verify::{Signer, certificate_der, verify_signature};

use tamar_core::{Code, FieldError, HasCode, Rule};
use tamar_store::{Backend, Migration, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, rule: Rule, reason: &'static str },
    #[error("no such signing request")]
    NotFound,
    #[error("the request is no longer waiting")]
    NotPending,
    #[error("signing needs a verified identity (level 2)")]
    AssuranceTooLow,
    #[error("the signature does not verify: {0}")]
    BadSignature(&'static str),
    #[error("certificate error: {0}")]
    Certificate(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Ledger(#[from] tamar_ledger::LedgerError),
    #[error(transparent)]
    Oidc(#[from] tamar_oidc::OidcError),
}

impl HasCode for SigningError {
    fn code(&self) -> Code {
        match self {
            SigningError::Invalid { .. } => Code::INVALID_INPUT,
            SigningError::NotFound => Code::NOT_FOUND,
            SigningError::NotPending => Code::CONFLICT,
            SigningError::AssuranceTooLow => crate::codes::ASSURANCE_TOO_LOW,
            SigningError::BadSignature(_) => Code::INVALID_INPUT,
            SigningError::Certificate(_) => Code::INTERNAL,
            SigningError::Store(e) => e.code(),
            SigningError::Ledger(e) => e.code(),
            SigningError::Oidc(e) => e.code(),
        }
    }

    fn details(&self) -> Vec<FieldError> {
        match self {
            SigningError::Invalid { field, rule, .. } => vec![FieldError { field, rule: *rule }],
            _ => Vec::new(),
        }
    }
}

pub static MIGRATIONS: &[Migration] = &[Migration { id: "signing_0001_ca_requests", statements: create_tables }];

fn create_tables(backend: Backend) -> Vec<String> {
    use sea_query::{ColumnDef, Table};
    let ca = Table::create()
        .table("signing_ca")
        .col(ColumnDef::new("id").big_integer().not_null().primary_key())
        .col(ColumnDef::new("key_der").blob().not_null())
        .col(ColumnDef::new("cert_der").blob().not_null())
        .to_owned();
    let keys = Table::create()
        .table("signing_keys")
        .col(ColumnDef::new("account_id").string().not_null().primary_key())
        .col(ColumnDef::new("key_der").blob().not_null())
        .col(ColumnDef::new("cert_der").blob().not_null())
        .col(ColumnDef::new("not_after").big_integer().not_null())
        .to_owned();
    let requests = Table::create()
        .table("signing_requests")
        .col(ColumnDef::new("id").string().not_null().primary_key())
        .col(ColumnDef::new("client_id").string().not_null())
        .col(ColumnDef::new("document_hash").string().not_null())
        .col(ColumnDef::new("document_name").string().not_null())
        .col(ColumnDef::new("short_code").string().not_null())
        .col(ColumnDef::new("status").string().not_null())
        .col(ColumnDef::new("created_at").big_integer().not_null())
        .col(ColumnDef::new("expires_at").big_integer().not_null())
        .col(ColumnDef::new("account_id").string().null())
        .col(ColumnDef::new("signature").text().null())
        .col(ColumnDef::new("cert_der").blob().null())
        .to_owned();
    vec![backend.schema(&ca), backend.schema(&keys), backend.schema(&requests)]
}
