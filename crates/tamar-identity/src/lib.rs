//! Accounts, password sign-in and sessions kept in the database.
//!
//! This is the identity that the foundation needs: who is signed in, as which kind of actor.
//! Sessions live in the database, so any node can serve any request.
//!
//! Architecture invariant: passwords are kept only as Argon2id hashes and session tokens only as
//! SHA-256 hashes; neither a password nor a token is ever logged or stored in the clear.

mod account;
mod password;
mod session;

pub use account::{Account, AccountKind, NewAccount, create_account, get_account, list_officers};
pub use password::{hash_password, verify_password};
pub use session::{SESSION_TTL, authenticate, end_session, resolve_session, start_session};

use tamar_core::{Code, HasCode};
use tamar_store::{Backend, Migration, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error("not allowed")]
    Forbidden,
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, reason: &'static str },
    #[error("this email address is taken")]
    EmailTaken,
    #[error("wrong email address or password")]
    InvalidCredentials,
    #[error("no such account")]
    NotFound,
    #[error("password hashing failed")]
    Hashing,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Ledger(#[from] tamar_ledger::LedgerError),
}

impl HasCode for IdentityError {
    fn code(&self) -> Code {
        match self {
            IdentityError::Forbidden => Code::Forbidden,
            IdentityError::Invalid { .. } => Code::InvalidInput,
            IdentityError::EmailTaken => Code::EmailTaken,
            IdentityError::InvalidCredentials => Code::InvalidCredentials,
            IdentityError::NotFound => Code::NotFound,
            IdentityError::Hashing => Code::Internal,
            IdentityError::Store(e) => e.code(),
            IdentityError::Ledger(e) => e.code(),
        }
    }
}

pub static MIGRATIONS: &[Migration] = &[Migration { id: "identity_0001_accounts_sessions", statements: create_tables }];

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
