//! Accounts, password sign-in and sessions kept in the database.
//!
//! This is the identity that the foundation needs: who is signed in, as which kind of actor.
//! Sessions live in the database, so any node can serve any request.
//!
//! Architecture invariant: passwords are kept only as Argon2id hashes and session tokens only as
//! SHA-256 hashes; neither a password nor a token is ever logged or stored in the clear.

pub mod codes;
mod account;
pub mod guard;
pub mod mfa;
pub mod passkeys;
mod password;
pub mod policy;
pub mod prefill;
pub mod sign_in;
mod registration;
mod session;
pub mod throttle;
mod verification;

pub use account::{Account, AccountKind, ActorProfile, Assurance, NewAccount, actor_profiles, acts_as, citizen_by_email, citizens_after, create_account, date_of_birth, get_account, list_officers, update_contact};
pub use password::{HashingLimits, configure_hashing, hash_password, hashing_load, verify_password};
pub use registration::{Registered, Registration, issue_email_verification, register, request_email_change, verify_email};
pub use session::{SESSION_TTL, SessionInfo, authenticate, change_password, end_session, list_sessions, resolve_session, resolve_session_at, revoke_session, start_session, start_session_by, SessionCache, SessionRecord};
pub use verification::{HkidKey, PendingVerification, decide_verification, full_hkid, submit_identity, verification_queue};

use tamar_core::{Code, FieldError, HasCode, Rule};
use tamar_store::{Backend, Migration, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error("not allowed")]
    Forbidden,
    /// A page's cursor that no page of this list gave.
    #[error("not a cursor of this list")]
    BadCursor,
    #[error("this role cannot be granted by this actor, or not in this department")]
    RoleNotGrantable,
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, rule: Rule, reason: &'static str },
    #[error("this email address is taken")]
    EmailTaken,
    #[error("wrong email address or password")]
    InvalidCredentials,
    #[error("password refused: {0}")]
    WeakPassword(&'static str),
    #[error("too many failed attempts")]
    TooManyAttempts,
    #[error("the link is not valid, has been used, or has expired")]
    InvalidLink,
    #[error("invalid HKID: {0}")]
    InvalidHkid(#[from] tamar_core::HkidError),
    #[error("a verification is already waiting")]
    VerificationPending,
    #[error("this identity is already registered to another account")]
    IdentityTaken,
    #[error("the email address must be verified first")]
    EmailNotVerified,
    #[error("the code is wrong, used, or expired")]
    InvalidCode,
    #[error("the sign-in has expired or was finished elsewhere; start again")]
    SignInExpired,
    #[error("two-factor sign-in is already on")]
    TotpAlreadyEnabled,
    #[error("passkey: {0}")]
    Passkey(String),
    #[error("no such account")]
    NotFound,
    #[error("password hashing failed")]
    Hashing,
    #[error("too many sign-ins at once; try again in a moment")]
    Busy,
    #[error("a notice could not be written: {0}")]
    Notice(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Ledger(#[from] tamar_ledger::LedgerError),
}

impl HasCode for IdentityError {
    fn code(&self) -> Code {
        match self {
            IdentityError::Forbidden => Code::FORBIDDEN,
            IdentityError::BadCursor => Code::INVALID_QUERY,
            IdentityError::RoleNotGrantable => crate::codes::ROLE_NOT_GRANTABLE,
            IdentityError::Invalid { .. } => Code::INVALID_INPUT,
            IdentityError::EmailTaken => crate::codes::EMAIL_TAKEN,
            IdentityError::InvalidCredentials => crate::codes::INVALID_CREDENTIALS,
            IdentityError::WeakPassword(_) => crate::codes::WEAK_PASSWORD,
            IdentityError::TooManyAttempts => Code::TOO_MANY_REQUESTS,
            IdentityError::InvalidLink => crate::codes::INVALID_LINK,
            IdentityError::InvalidHkid(tamar_core::HkidError::CheckDigit) => crate::codes::HKID_CHECK_DIGIT,
            IdentityError::InvalidHkid(_) => crate::codes::INVALID_HKID,
            IdentityError::VerificationPending => crate::codes::VERIFICATION_PENDING,
            IdentityError::IdentityTaken => crate::codes::IDENTITY_TAKEN,
            IdentityError::EmailNotVerified => crate::codes::EMAIL_NOT_VERIFIED,
            IdentityError::InvalidCode => crate::codes::INVALID_CODE,
            IdentityError::SignInExpired => crate::codes::SIGN_IN_EXPIRED,
            IdentityError::TotpAlreadyEnabled => crate::codes::TOTP_ALREADY_ENABLED,
            IdentityError::Passkey(_) => crate::codes::PASSKEY_FAILED,
            IdentityError::NotFound => Code::NOT_FOUND,
            IdentityError::Hashing => Code::INTERNAL,
            IdentityError::Busy => Code::BUSY,
            IdentityError::Notice(_) => Code::INTERNAL,
            IdentityError::Store(e) => e.code(),
            IdentityError::Ledger(e) => e.code(),
        }
    }

    fn details(&self) -> Vec<FieldError> {
        match self {
            IdentityError::Invalid { field, rule, .. } => vec![FieldError { field, rule: *rule }],
            IdentityError::BadCursor => vec![FieldError { field: "after", rule: Rule::Format }],
            _ => Vec::new(),
        }
    }
}

pub static MIGRATIONS: &[Migration] = &[
    Migration { id: "identity_0001_accounts_sessions", statements: create_tables },
    Migration { id: "identity_0002_assurance", statements: assurance_tables },
    Migration { id: "identity_0003_totp", statements: totp_tables },
    Migration { id: "identity_0004_passkeys", statements: passkey_tables },
    Migration { id: "identity_0005_contact", statements: contact_columns },
    Migration { id: "identity_0006_sealed_hkid", statements: sealed_hkid_columns },
    Migration { id: "identity_0007_sign_in_challenges", statements: sign_in::challenge_table },
    Migration { id: "identity_0008_account_lang", statements: lang_column },
    Migration { id: "identity_0009_prefill", statements: prefill_table },
];

/// A fresh secret for a link or a cookie: 256 random bits, URL-safe. Only its hash is stored.
pub(crate) fn random_token() -> String {
    use base64::Engine as _;
    use rand::RngCore as _;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The language a citizen registered in, for mail about their account.
fn lang_column(backend: Backend) -> Vec<String> {
    use sea_query::{ColumnDef, Table};
    vec![backend.schema(&Table::alter().table("accounts").add_column(ColumnDef::new("lang").string().null()).to_owned())]
}

/// Pre-fill settings, which moved here from the portal (`portal_0003_prefill_to_identity`
/// copies what people had chosen).
fn prefill_table(backend: Backend) -> Vec<String> {
    use sea_query::{ColumnDef, Table};
    let prefill = Table::create()
        .table(prefill::PREFILL)
        .col(ColumnDef::new("account_id").string().not_null().primary_key())
        .col(ColumnDef::new("fields").string().not_null())
        .col(ColumnDef::new("updated_at").big_integer().not_null())
        .to_owned();
    vec![backend.schema(&prefill)]
}

fn sealed_hkid_columns(backend: Backend) -> Vec<String> {
    use sea_query::{ColumnDef, Table};
    let add = |table: &str| backend.schema(&Table::alter().table(table.to_owned()).add_column(ColumnDef::new("hkid_sealed").text().null()).to_owned());
    vec![add("identity_verifications"), add("accounts")]
}

fn contact_columns(backend: Backend) -> Vec<String> {
    use sea_query::{ColumnDef, Table};
    let add = |column: ColumnDef| backend.schema(&Table::alter().table("accounts").add_column(column).to_owned());
    vec![add(ColumnDef::new("address").text().null().to_owned()), add(ColumnDef::new("phone").string().null().to_owned())]
}

fn passkey_tables(backend: Backend) -> Vec<String> {
    use sea_query::{ColumnDef, Index, Table};
    let add = |table: &str, column: ColumnDef| backend.schema(&Table::alter().table(table.to_owned()).add_column(column).to_owned());
    let passkeys = Table::create()
        .table("passkeys")
        .col(ColumnDef::new("credential_id").string().not_null().primary_key())
        .col(ColumnDef::new("account_id").string().not_null())
        .col(ColumnDef::new("passkey").text().not_null())
        .col(ColumnDef::new("created_at").big_integer().not_null())
        .col(ColumnDef::new("last_used_at").big_integer().null())
        .to_owned();
    let ceremonies = Table::create()
        .table("passkey_ceremonies")
        .col(ColumnDef::new("id").string().not_null().primary_key())
        .col(ColumnDef::new("account_id").string().null())
        .col(ColumnDef::new("state").text().not_null())
        .col(ColumnDef::new("expires_at").big_integer().not_null())
        .to_owned();
    vec![
        backend.schema(&passkeys),
        backend.schema(&Index::create().name("passkeys_account").table("passkeys").col("account_id").to_owned()),
        backend.schema(&ceremonies),
        add("accounts", ColumnDef::new("passkey_added_at").big_integer().null().to_owned()),
        add("sessions", ColumnDef::new("method").string().null().to_owned()),
    ]
}

fn totp_tables(backend: Backend) -> Vec<String> {
    use sea_query::{ColumnDef, Table};
    let add = |column: ColumnDef| backend.schema(&Table::alter().table("accounts").add_column(column).to_owned());
    let codes = Table::create()
        .table("recovery_codes")
        .col(ColumnDef::new("account_id").string().not_null())
        .col(ColumnDef::new("code_hash").string().not_null())
        .col(ColumnDef::new("used_at").big_integer().null())
        .primary_key(sea_query::Index::create().col("account_id").col("code_hash"))
        .to_owned();
    vec![
        add(ColumnDef::new("totp_secret").string().null().to_owned()),
        add(ColumnDef::new("totp_confirmed_at").big_integer().null().to_owned()),
        add(ColumnDef::new("totp_last_step").big_integer().null().to_owned()),
        backend.schema(&codes),
    ]
}

fn create_tables(backend: Backend) -> Vec<String> {
    use sea_query::{ColumnDef, Index, Table};
    let accounts = Table::create()
        .table("accounts")
        .col(ColumnDef::new("id").string().not_null().primary_key())
        .col(ColumnDef::new("kind").string().not_null())
        .col(ColumnDef::new("email").string().not_null().unique_key())
        .col(ColumnDef::new("display_name").string().not_null())
        .col(ColumnDef::new("password_hash").string().not_null())
        .col(ColumnDef::new("department_id").string().null())
        .col(ColumnDef::new("roles").string().not_null())
        .col(ColumnDef::new("created_at").big_integer().not_null())
        .to_owned();
    let by_department = Index::create().name("accounts_department").table("accounts").col("department_id").to_owned();
    let sessions = Table::create()
        .table("sessions")
        .col(ColumnDef::new("token_hash").string().not_null().primary_key())
        .col(ColumnDef::new("account_id").string().not_null())
        .col(ColumnDef::new("created_at").big_integer().not_null())
        .col(ColumnDef::new("expires_at").big_integer().not_null())
        .to_owned();
    let by_account = Index::create().name("sessions_account").table("sessions").col("account_id").to_owned();
    vec![backend.schema(&accounts), backend.schema(&by_department), backend.schema(&sessions), backend.schema(&by_account)]
}

fn assurance_tables(backend: Backend) -> Vec<String> {
    use sea_query::{ColumnDef, Index, Table};
    let add = |table: &str, column: ColumnDef| backend.schema(&Table::alter().table(table.to_owned()).add_column(column).to_owned());
    let mut statements = vec![
        add("accounts", ColumnDef::new("name_zh").string().null().to_owned()),
        add("accounts", ColumnDef::new("email_verified_at").big_integer().null().to_owned()),
        add("accounts", ColumnDef::new("identity_verified_at").big_integer().null().to_owned()),
        add("accounts", ColumnDef::new("hkid_hash").string().null().to_owned()),
        add("accounts", ColumnDef::new("hkid_masked").string().null().to_owned()),
        add("accounts", ColumnDef::new("date_of_birth").string().null().to_owned()),
        add("sessions", ColumnDef::new("user_agent").string().null().to_owned()),
        add("sessions", ColumnDef::new("authenticated_at").big_integer().null().to_owned()),
        backend.schema(&Index::create().name("accounts_hkid").table("accounts").col("hkid_hash").unique().to_owned()),
    ];
    let email = Table::create()
        .table("email_verifications")
        .col(ColumnDef::new("token_hash").string().not_null().primary_key())
        .col(ColumnDef::new("account_id").string().not_null())
        .col(ColumnDef::new("email").string().not_null())
        .col(ColumnDef::new("expires_at").big_integer().not_null())
        .col(ColumnDef::new("used_at").big_integer().null())
        .to_owned();
    let throttle = Table::create()
        .table("sign_in_throttle")
        .col(ColumnDef::new("key").string().not_null().primary_key())
        .col(ColumnDef::new("failures").big_integer().not_null())
        .col(ColumnDef::new("window_start").big_integer().not_null())
        .to_owned();
    let verifications = Table::create()
        .table("identity_verifications")
        .col(ColumnDef::new("id").string().not_null().primary_key())
        .col(ColumnDef::new("account_id").string().not_null())
        .col(ColumnDef::new("hkid_hash").string().not_null())
        .col(ColumnDef::new("hkid_masked").string().not_null())
        .col(ColumnDef::new("date_of_birth").string().not_null())
        .col(ColumnDef::new("status").string().not_null())
        .col(ColumnDef::new("submitted_at").big_integer().not_null())
        .col(ColumnDef::new("decided_at").big_integer().null())
        .col(ColumnDef::new("decided_by").string().null())
        .to_owned();
    statements.push(backend.schema(&email));
    statements.push(backend.schema(&throttle));
    statements.push(backend.schema(&verifications));
    statements.push(backend.schema(&Index::create().name("identity_verifications_status").table("identity_verifications").col("status").col("submitted_at").to_owned()));
    statements
}
