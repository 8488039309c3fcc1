//! Signing in with a password, and the second step for accounts with a second factor: each
//! step is one call, [`attempt`] and [`second_factor`], which ends with a session when it
//! succeeds, so every way into an account goes through the same checks.
//!
//! Both steps are throttled (an attempt is reserved before the password or code is checked). The
//! second step is a challenge kept here, in the database: the browser holds only a random token,
//! usable once, for five minutes, and only together with the browser value it gave with the
//! password (Tamar's web layer passes its CSRF cookie's value). Nothing the browser holds can be
//! forged into a "password was right" note.

use sea_query::{Expr, ExprTrait, Query};
use sha2::{Digest, Sha256};
use tamar_core::AccountId;
use tamar_ledger::Ledger;
use tamar_store::{Db, Sealer, row, to_millis};

use crate::throttle::{self, ThrottleKey};
use crate::{Account, IdentityError};

/// How long the second step may wait after the password.
pub const CHALLENGE_TTL: chrono::Duration = chrono::Duration::minutes(5);

const CHALLENGES: &str = "sign_in_challenges";

/// A password attempt, and where it came from.
pub struct PasswordAttempt<'a> {
    pub email: &'a str,
    pub password: &'a str,
    /// The network address, for the per-address throttle.
    pub address: Option<&'a str>,
    /// The browser's description of itself, shown in the account's list of sessions.
    pub user_agent: Option<&'a str>,
}

#[derive(Debug)]
pub enum SignInOutcome {
    /// Signed in: `token` is the new session's, for the browser.
    Session { account: Account, token: String },
    /// The password was right and a second factor comes next: `token` is the challenge's, for
    /// the browser, to give back with the code.
    SecondFactorPending { account: AccountId, token: String },
}

fn digest(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

/// The first step. `browser` is a value only the signing-in browser holds (at least 128 random
/// bits); the second step must present it again. The attempt is reserved against the account's
/// and the address's limits before the password is hashed, so parallel guesses cannot pass them.
pub async fn attempt(db: &Db, ledger: &Ledger, given: PasswordAttempt<'_>, browser: &str) -> Result<SignInOutcome, IdentityError> {
    let now = ledger.now();
    let mut keys = vec![ThrottleKey::account(given.email)];
    if let Some(address) = given.address {
        keys.push(ThrottleKey::address(address));
    }
    throttle::reserve(db, &keys, now).await?;
    // A wrong password keeps its reservation: that is the counted failure.
    let account = throttle::authenticate(db, &keys, given.email, given.password).await?;
    throttle::succeeded(db, &keys).await?;
    if !account.mfa {
        let token = crate::start_session(db, ledger, &account, given.user_agent).await?;
        return Ok(SignInOutcome::Session { account, token });
    }
    if browser.len() < 32 {
        return Err(IdentityError::SignInExpired);
    }
    let token = crate::random_token();
    db.execute(&Query::delete().from_table(CHALLENGES).and_where(Expr::col("expires_at").lt(to_millis(now))).to_owned()).await?;
    db.execute(
        &Query::insert()
            .into_table(CHALLENGES)
            .columns(["token_hash", "account_id", "browser_hash", "expires_at"])
            .values_panic([digest(&token).into(), account.id.to_string().into(), digest(browser).into(), to_millis(now + CHALLENGE_TTL).into()])
            .to_owned(),
    )
    .await?;
    Ok(SignInOutcome::SecondFactorPending { account: account.id, token })
}

/// The challenge that a second factor answers, as the browser gives it back.
pub struct SecondFactorAttempt<'a> {
    /// The challenge's token, from the first step.
    pub token: &'a str,
    /// The same browser value as in the first step.
    pub browser: &'a str,
    pub user_agent: Option<&'a str>,
}

/// The account waiting for its second factor under this token and browser, if the challenge is
/// still open.
pub async fn pending(db: &Db, token: &str, browser: &str, now: chrono::DateTime<chrono::Utc>) -> Result<Option<AccountId>, IdentityError> {
    let found = db
        .fetch_optional(
            &Query::select()
                .column("account_id")
                .from(CHALLENGES)
                .and_where(Expr::col("token_hash").eq(digest(token)))
                .and_where(Expr::col("browser_hash").eq(digest(browser)))
                .and_where(Expr::col("expires_at").gt(to_millis(now)))
                .to_owned(),
        )
        .await?;
    Ok(found.map(|r| row::parse(&r, "account_id")).transpose()?)
}

/// The second step: a TOTP or recovery code for the challenge. Succeeds once per challenge,
/// with a session, whose token it returns with the account.
pub async fn second_factor(
    db: &Db,
    ledger: &Ledger,
    sealer: &Sealer,
    challenge: SecondFactorAttempt<'_>,
    code: &str,
) -> Result<(Account, String), IdentityError> {
    let SecondFactorAttempt { token, browser, user_agent } = challenge;
    let now = ledger.now();
    let Some(id) = pending(db, token, browser, now).await? else { return Err(IdentityError::SignInExpired) };
    let keys = [ThrottleKey::second_factor(&id)];
    throttle::reserve(db, &keys, now).await?;
    let account = crate::account::by_id(db, id).await?.ok_or(IdentityError::SignInExpired)?;
    crate::mfa::verify_second_factor(db, ledger, sealer, &account, code).await?;
    // Whoever closes the challenge first signs in; a copy of the token is worth nothing after.
    let closed = db
        .execute(
            &Query::delete()
                .from_table(CHALLENGES)
                .and_where(Expr::col("token_hash").eq(digest(token)))
                .and_where(Expr::col("browser_hash").eq(digest(browser)))
                .to_owned(),
        )
        .await?;
    if closed == 0 {
        return Err(IdentityError::SignInExpired);
    }
    throttle::succeeded(db, &keys).await?;
    let session = crate::start_session(db, ledger, &account, user_agent).await?;
    Ok((account, session))
}

pub(crate) fn challenge_table(backend: tamar_store::Backend) -> Vec<String> {
    use sea_query::{ColumnDef, Table};
    let table = Table::create()
        .table(CHALLENGES)
        .col(ColumnDef::new("token_hash").string().not_null().primary_key())
        .col(ColumnDef::new("account_id").string().not_null())
        .col(ColumnDef::new("browser_hash").string().not_null())
        .col(ColumnDef::new("expires_at").big_integer().not_null())
        .to_owned();
    vec![backend.schema(&table)]
}
