//! A citizen opens their own account, then proves their email address with a link.

use sea_query::{Expr, ExprTrait, Query};
use sha2::{Digest, Sha256};
use tamar_core::{AccountId, Actor, Lang, Rule};
use tamar_ledger::{Ledger, LedgerEntry};
use tamar_store::{Db, StoreError, Tx, row, to_millis};

use crate::account::{COLUMNS, from_row};
use crate::{Account, AccountKind, IdentityError, NewAccount};

/// What a registration led to. The caller answers both alike, so that registering does not
/// tell anyone whether an address has an account, and mails the address either way.
#[derive(Debug)]
pub enum Registered {
    /// A new account at L0, and the token for its email verification link.
    Opened { account: Account, token: String },
    /// The address already had an account: nothing changed, and its owner is to be told, in
    /// their language when they gave one.
    AddressTaken { owner: Account, lang: Option<Lang> },
}

/// How long an email verification link stays valid.
pub const LINK_TTL: chrono::Duration = chrono::Duration::hours(24);

pub struct Registration {
    pub name_en: String,
    pub name_zh: String,
    pub email: String,
    pub password: String,
    /// The language the person registers in, which their mail is written in.
    pub lang: Lang,
}

fn token() -> (String, String) {
    let token = crate::random_token();
    let hash = hex::encode(Sha256::digest(token.as_bytes()));
    (token, hash)
}

/// Opens a citizen's account at L0 and returns it with the token for the email verification
/// link, which the caller sends. An address that already has an account is not an error: the
/// same work is done (the password is checked and hashed either way), nothing changes, the
/// attempt is logged about the owner, and the owner is returned to be told.
pub async fn register(db: &Db, ledger: &Ledger, r: Registration) -> Result<Registered, IdentityError> {
    let name_zh = r.name_zh.trim();
    if name_zh.chars().count() > 100 || name_zh.chars().any(char::is_control) {
        return Err(IdentityError::Invalid { field: "name_zh", rule: Rule::TooLong, reason: "at most 100 characters" });
    }
    if r.name_en.chars().any(char::is_control) {
        return Err(IdentityError::Invalid { field: "display_name", rule: Rule::ControlCharacters, reason: "no control characters" });
    }
    let email = r.email.clone();
    let new = NewAccount {
        kind: AccountKind::Citizen,
        email: r.email,
        display_name: r.name_en,
        password: r.password,
        department: None,
        roles: vec![],
    };
    // The same checks as any account, then the citizen's own extras.
    let account = match crate::account::insert_unverified(db, ledger, new, Some(name_zh.to_owned()).filter(|n| !n.is_empty())).await {
        Ok(account) => account,
        Err(IdentityError::EmailTaken) => return address_taken(db, ledger, &email).await,
        Err(other) => return Err(other),
    };
    let (token, hash) = token();
    let mut tx = db.begin().await?;
    insert_link(&mut tx, &hash, &account, ledger.now()).await?;
    tx.execute(&Query::update().table("accounts").value("lang", r.lang.prefix()).and_where(Expr::col("id").eq(account.id.to_string())).to_owned())
        .await?;
    tx.commit().await?;
    Ok(Registered::Opened { account, token })
}

/// Someone tried to register with the address of an existing account: logged about its owner.
async fn address_taken(db: &Db, ledger: &Ledger, email: &str) -> Result<Registered, IdentityError> {
    let mut tx = db.begin().await?;
    let found = tx
        .fetch_one(
            &Query::select().columns(COLUMNS).column("lang").from("accounts").and_where(Expr::col("email").eq(email.trim().to_lowercase())).to_owned(),
        )
        .await?;
    let owner = from_row(&found)?;
    let lang = row::get::<Option<String>>(&found, "lang")?.as_deref().and_then(Lang::from_prefix);
    let entry = LedgerEntry::change(&Actor::Anonymous, "identity.account.register_taken", format!("account:{}", owner.id), ledger.now())
        .about(owner.id)
        .because("tell the owner that someone tried to register with their address");
    tamar_ledger::record(&mut tx, &entry).await?;
    tx.commit().await?;
    ledger.notify();
    Ok(Registered::AddressTaken { owner, lang })
}

/// A new verification link for an account's current address (also for "send it again").
pub async fn issue_email_verification(db: &Db, ledger: &Ledger, account: &Account) -> Result<String, IdentityError> {
    let (token, hash) = token();
    let mut tx = db.begin().await?;
    insert_link(&mut tx, &hash, account, ledger.now()).await?;
    tx.commit().await?;
    Ok(token)
}

/// Asks to move an account to a new email address: the holder gives their password (and second
/// factor) again, the old address is told at once, and the new one must follow the returned
/// link before the change takes effect.
pub async fn request_email_change(
    db: &Db,
    ledger: &Ledger,
    sealer: &tamar_store::Sealer,
    account: &Account,
    proof: crate::guard::Proof<'_>,
    new_email: &str,
    notice: &crate::guard::Notice,
) -> Result<String, IdentityError> {
    let new_email = new_email.trim().to_lowercase();
    if !crate::account::valid_email(&new_email) || new_email == account.email {
        return Err(IdentityError::Invalid { field: "email", rule: Rule::Inconsistent, reason: "a new email address" });
    }
    crate::guard::confirm(db, ledger, sealer, account, proof).await?;
    let now = ledger.now();
    let (token, hash) = token();
    let mut tx = db.begin().await?;
    insert_link_to(&mut tx, &hash, account, &new_email, now).await?;
    let entry = LedgerEntry::change(&account.actor(), "identity.email.change-request", format!("account:{}", account.id), now)
        .about(account.id)
        .because("change the email address");
    tamar_ledger::record(&mut tx, &entry).await?;
    let change = tamar_notify::templates::AccountChangeKind::EmailChangeRequested(new_email);
    crate::guard::tell_holder(&mut tx, account, notice, change, now).await?;
    tx.commit().await?;
    ledger.notify();
    Ok(token)
}

async fn insert_link(tx: &mut Tx, hash: &str, account: &Account, now: chrono::DateTime<chrono::Utc>) -> Result<(), StoreError> {
    insert_link_to(tx, hash, account, &account.email, now).await
}

async fn insert_link_to(tx: &mut Tx, hash: &str, account: &Account, email: &str, now: chrono::DateTime<chrono::Utc>) -> Result<(), StoreError> {
    tx.execute(
        &Query::insert()
            .into_table("email_verifications")
            .columns(["token_hash", "account_id", "email", "expires_at"])
            .values_panic([hash.into(), account.id.to_string().into(), email.into(), to_millis(now + LINK_TTL).into()])
            .to_owned(),
    )
    .await?;
    Ok(())
}

/// Follows a verification link: the account reaches L1. A link works once, within its time,
/// and only for the address it was sent to.
pub async fn verify_email(db: &Db, ledger: &Ledger, token: &str) -> Result<Account, IdentityError> {
    if token.is_empty() || token.len() > 100 {
        return Err(IdentityError::InvalidLink);
    }
    let hash = hex::encode(Sha256::digest(token.as_bytes()));
    let now = ledger.now();
    let mut tx = db.begin().await?;
    let link = tx
        .fetch_optional(
            &Query::select()
                .columns(["account_id", "email"])
                .from("email_verifications")
                .and_where(Expr::col("token_hash").eq(hash.clone()))
                .and_where(Expr::col("used_at").is_null())
                .and_where(Expr::col("expires_at").gt(to_millis(now)))
                .to_owned(),
        )
        .await?
        .ok_or(IdentityError::InvalidLink)?;
    let account_id: String = row::get(&link, "account_id")?;
    let email: String = row::get(&link, "email")?;
    tx.execute(
        &Query::update()
            .table("email_verifications")
            .value("used_at", to_millis(now))
            .and_where(Expr::col("token_hash").eq(hash))
            .to_owned(),
    )
    .await?;
    let current = tx
        .fetch_optional(&Query::select().column("email").from("accounts").and_where(Expr::col("id").eq(account_id.clone())).to_owned())
        .await?
        .ok_or(IdentityError::InvalidLink)?;
    // A link to another address than the account's is a change of address, asked for by its holder.
    let moves = row::get::<String>(&current, "email")? != email;
    let changed = tx
        .execute(
            &Query::update()
                .table("accounts")
                .value("email_verified_at", to_millis(now))
                .value("email", email.clone())
                .and_where(Expr::col("id").eq(account_id.clone()))
                .to_owned(),
        )
        .await;
    match changed {
        Err(StoreError::UniqueViolation) => return Err(IdentityError::EmailTaken),
        Ok(0) => return Err(IdentityError::InvalidLink),
        other => other?,
    };
    let id: AccountId = account_id.parse().map_err(|_| StoreError::Corrupt(account_id.clone()))?;
    let account = from_row(
        &tx.fetch_one(&Query::select().columns(COLUMNS).from("accounts").and_where(Expr::col("id").eq(account_id)).to_owned()).await?,
    )?;
    let action = if moves { "identity.email.change" } else { "identity.email.verify" };
    let entry = LedgerEntry::change(&account.actor_or(&Actor::Anonymous), action, format!("account:{id}"), now)
        .about(id)
        .because("verify an email address");
    tamar_ledger::record(&mut tx, &entry).await?;
    tx.commit().await?;
    ledger.notify();
    Ok(account)
}
