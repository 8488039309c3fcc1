//! "Sign in with Tamar": an OpenID Connect provider for department systems and third-party
//! apps, as iAM Smart is for Hong Kong.
//!
//! The authorization code flow only, with PKCE (S256) required of every client; redirect URIs
//! match exactly; codes are single-use and short-lived; subjects are pairwise, so that two
//! clients cannot link the same person; claims are released only with the person's consent,
//! remembered per client and revocable; every token issued and every release of claims is a
//! read of personal data in the tamper-evident log.
//!
//! Architecture invariant: this crate knows OAuth and OpenID Connect, not HTTP. The web layer
//! turns its results into redirects and JSON.

pub mod codes;
pub mod clients;
pub mod flow;
pub mod keys;
pub mod logout;
pub mod releases;

use tamar_core::{Code, FieldError, HasCode, Rule};
use tamar_store::{Backend, Migration, StoreError};

pub use clients::{Client, NewClient, RegisteredClient};
pub use flow::{AuthorizationRequest, Claims, Consent, Provider, Rejection, TokenRequest, TokenResponse, ValidRequest};
pub use keys::{KeyState, SigningKeys};
pub use logout::{Logout, LogoutRequest};
pub use releases::{Release, ReleasePlan, Releases};

/// The assurance levels, as `acr` values.
pub const ACR_VALUES: [&str; 3] = ["urn:tamar:loa:1", "urn:tamar:loa:2", "urn:tamar:loa:3"];

/// Scopes a client may ask for, and the claims each releases.
pub const SCOPES: [(&str, &[&str]); 8] = [
    ("openid", &["sub"]),
    ("profile", &["name", "name#zh-Hant"]),
    ("email", &["email", "email_verified"]),
    ("hkid", &["hkid_masked"]),
    ("hkid_full", &["hkid"]),
    ("birthdate", &["birthdate"]),
    ("address", &["address"]),
    ("phone", &["phone_number"]),
];

#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// RFC 6749 `invalid_request`.
    #[error("invalid_request: {0}")]
    InvalidRequest(&'static str),
    #[error("invalid_client")]
    InvalidClient,
    #[error("invalid_grant: {0}")]
    InvalidGrant(&'static str),
    #[error("unsupported_grant_type")]
    UnsupportedGrantType,
    #[error("invalid_scope")]
    InvalidScope,
    #[error("access_denied: {0}")]
    AccessDenied(&'static str),
    /// `prompt=none`, and the person would have to sign in.
    #[error("login_required")]
    LoginRequired,
    /// `prompt=none`, and the person would have to consent.
    #[error("consent_required")]
    ConsentRequired,
    /// `prompt=none`, and the person would have to do something else on a page.
    #[error("interaction_required")]
    InteractionRequired,
    #[error("invalid_token")]
    InvalidToken,
    #[error("only platform administrators may do this")]
    Forbidden,
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, rule: Rule, reason: &'static str },
    /// Redirect URIs on several hosts need a sector identifier (OpenID Connect Core §8.1).
    #[error("redirect URIs on different hosts need a sector_identifier_uri")]
    SectorIdentifierRequired,
    #[error("signing failed: {0}")]
    Signing(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Ledger(#[from] tamar_ledger::LedgerError),
    #[error(transparent)]
    Identity(#[from] tamar_identity::IdentityError),
}

impl OidcError {
    /// The error code of RFC 6749 §5.2 and OpenID Connect, for redirects and token responses.
    pub fn oauth_code(&self) -> &'static str {
        match self {
            OidcError::InvalidRequest(_) | OidcError::Invalid { .. } | OidcError::SectorIdentifierRequired => "invalid_request",
            OidcError::InvalidClient => "invalid_client",
            OidcError::InvalidGrant(_) => "invalid_grant",
            OidcError::UnsupportedGrantType => "unsupported_grant_type",
            OidcError::InvalidScope => "invalid_scope",
            OidcError::AccessDenied(_) => "access_denied",
            OidcError::LoginRequired => "login_required",
            OidcError::ConsentRequired => "consent_required",
            OidcError::InteractionRequired => "interaction_required",
            OidcError::InvalidToken => "invalid_token",
            OidcError::Forbidden => "access_denied",
            OidcError::Signing(_) | OidcError::Store(_) | OidcError::Ledger(_) | OidcError::Identity(_) => "server_error",
        }
    }

    /// A fault of the server (its database, log or keys), not of the request. Its detail is
    /// for the server's log only.
    pub fn is_server_fault(&self) -> bool {
        matches!(self, OidcError::Signing(_) | OidcError::Store(_) | OidcError::Ledger(_) | OidcError::Identity(_))
    }

    /// The `error_description` a client is given: what was wrong with its request, and for
    /// faults of the server one fixed sentence (the detail is logged, never sent).
    pub fn description(&self) -> String {
        match self {
            OidcError::InvalidRequest(why) | OidcError::InvalidGrant(why) | OidcError::AccessDenied(why) => (*why).to_owned(),
            OidcError::InvalidClient => "client authentication failed".into(),
            OidcError::UnsupportedGrantType => "only the authorization_code grant is supported".into(),
            OidcError::InvalidScope => "a scope is unknown or not allowed for this client".into(),
            OidcError::InvalidToken => "the access token is not valid".into(),
            OidcError::LoginRequired => "the person must sign in, and prompt=none allows no page".into(),
            OidcError::ConsentRequired => "the person must consent, and prompt=none allows no page".into(),
            OidcError::InteractionRequired => "the person must act on a page, and prompt=none allows none".into(),
            OidcError::Forbidden => "only platform administrators may do this".into(),
            OidcError::Invalid { field, reason, .. } => format!("invalid {field}: {reason}"),
            OidcError::SectorIdentifierRequired => "redirect URIs on different hosts need a sector_identifier_uri".into(),
            OidcError::Signing(_) | OidcError::Store(_) | OidcError::Ledger(_) | OidcError::Identity(_) => {
                "the server could not complete the request".into()
            }
        }
    }
}

impl HasCode for OidcError {
    fn code(&self) -> Code {
        match self {
            OidcError::InvalidRequest(_) | OidcError::InvalidScope | OidcError::UnsupportedGrantType => Code::BAD_REQUEST,
            OidcError::Invalid { .. } => Code::INVALID_INPUT,
            OidcError::SectorIdentifierRequired => crate::codes::SECTOR_IDENTIFIER_REQUIRED,
            OidcError::InvalidClient | OidcError::InvalidToken => Code::UNAUTHENTICATED,
            OidcError::InvalidGrant(_) => Code::BAD_REQUEST,
            OidcError::AccessDenied(_) | OidcError::Forbidden | OidcError::ConsentRequired | OidcError::InteractionRequired => Code::FORBIDDEN,
            OidcError::LoginRequired => Code::UNAUTHENTICATED,
            OidcError::Signing(_) => Code::INTERNAL,
            OidcError::Store(e) => e.code(),
            OidcError::Ledger(e) => e.code(),
            OidcError::Identity(e) => e.code(),
        }
    }

    fn details(&self) -> Vec<FieldError> {
        match self {
            OidcError::Invalid { field, rule, .. } => vec![FieldError { field, rule: *rule }],
            _ => Vec::new(),
        }
    }
}

pub static MIGRATIONS: &[Migration] = &[
    Migration { id: "oidc_0001_provider", statements: create_tables },
    Migration { id: "oidc_0002_key_activation", statements: key_activation },
    Migration { id: "oidc_0003_sector_identifier", statements: sector_identifier },
    Migration { id: "oidc_0004_releases", statements: releases_table },
];

/// A key signs from `activates_at`, published some time before; the keys made before this
/// signed from when they were made.
fn key_activation(backend: Backend) -> Vec<String> {
    use sea_query::{ColumnDef, Table};
    vec![
        backend.schema(&Table::alter().table("oidc_keys").add_column(ColumnDef::new("activates_at").big_integer().null()).to_owned()),
        "UPDATE oidc_keys SET activates_at = created_at".to_owned(),
    ]
}

fn sector_identifier(backend: Backend) -> Vec<String> {
    use sea_query::{ColumnDef, Table};
    vec![backend.schema(&Table::alter().table("oidc_clients").add_column(ColumnDef::new("sector_identifier_uri").text().null()).to_owned())]
}

/// What each person's details went to, for their account pages.
fn releases_table(backend: Backend) -> Vec<String> {
    use sea_query::{ColumnDef, Index, Table};
    let releases = Table::create()
        .table("oidc_releases")
        .col(ColumnDef::new("id").string().not_null().primary_key())
        .col(ColumnDef::new("account_id").string().not_null())
        .col(ColumnDef::new("client_id").string().not_null())
        .col(ColumnDef::new("scopes").string().not_null())
        .col(ColumnDef::new("released_at").big_integer().not_null())
        .to_owned();
    vec![
        backend.schema(&releases),
        backend.schema(&Index::create().name("oidc_releases_account").table("oidc_releases").col("account_id").col("id").to_owned()),
    ]
}

fn create_tables(backend: Backend) -> Vec<String> {
    use sea_query::{ColumnDef, Index, Table};
    let keys = Table::create()
        .table("oidc_keys")
        .col(ColumnDef::new("kid").string().not_null().primary_key())
        .col(ColumnDef::new("private_der").blob().not_null())
        .col(ColumnDef::new("n").text().not_null())
        .col(ColumnDef::new("e").string().not_null())
        .col(ColumnDef::new("created_at").big_integer().not_null())
        .to_owned();
    let clients = Table::create()
        .table("oidc_clients")
        .col(ColumnDef::new("client_id").string().not_null().primary_key())
        .col(ColumnDef::new("secret_hash").string().not_null())
        .col(ColumnDef::new("name_en").string().not_null())
        .col(ColumnDef::new("name_tc").string().not_null())
        .col(ColumnDef::new("name_sc").string().not_null())
        .col(ColumnDef::new("purpose_en").text().not_null())
        .col(ColumnDef::new("purpose_tc").text().not_null())
        .col(ColumnDef::new("purpose_sc").text().not_null())
        .col(ColumnDef::new("redirect_uris").text().not_null())
        .col(ColumnDef::new("post_logout_redirect_uris").text().not_null())
        .col(ColumnDef::new("scopes").string().not_null())
        .col(ColumnDef::new("sector").string().not_null())
        .col(ColumnDef::new("created_at").big_integer().not_null())
        .to_owned();
    let consents = Table::create()
        .table("oidc_consents")
        .col(ColumnDef::new("account_id").string().not_null())
        .col(ColumnDef::new("client_id").string().not_null())
        .col(ColumnDef::new("scopes").string().not_null())
        .col(ColumnDef::new("granted_at").big_integer().not_null())
        .primary_key(Index::create().col("account_id").col("client_id"))
        .to_owned();
    let codes = Table::create()
        .table("oidc_codes")
        .col(ColumnDef::new("code_hash").string().not_null().primary_key())
        .col(ColumnDef::new("client_id").string().not_null())
        .col(ColumnDef::new("account_id").string().not_null())
        .col(ColumnDef::new("redirect_uri").text().not_null())
        .col(ColumnDef::new("scope").string().not_null())
        .col(ColumnDef::new("nonce").text().null())
        .col(ColumnDef::new("code_challenge").string().not_null())
        .col(ColumnDef::new("acr").string().not_null())
        .col(ColumnDef::new("auth_time").big_integer().not_null())
        .col(ColumnDef::new("expires_at").big_integer().not_null())
        .col(ColumnDef::new("used_at").big_integer().null())
        .to_owned();
    let tokens = Table::create()
        .table("oidc_access_tokens")
        .col(ColumnDef::new("token_hash").string().not_null().primary_key())
        .col(ColumnDef::new("code_hash").string().not_null())
        .col(ColumnDef::new("client_id").string().not_null())
        .col(ColumnDef::new("account_id").string().not_null())
        .col(ColumnDef::new("scope").string().not_null())
        .col(ColumnDef::new("expires_at").big_integer().not_null())
        .to_owned();
    vec![
        backend.schema(&keys),
        backend.schema(&clients),
        backend.schema(&consents),
        backend.schema(&codes),
        backend.schema(&tokens),
        backend.schema(&Index::create().name("oidc_access_tokens_code").table("oidc_access_tokens").col("code_hash").to_owned()),
    ]
}
