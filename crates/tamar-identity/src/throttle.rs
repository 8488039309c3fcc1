//! Throttling of sign-in attempts, per account and per network address, kept in the database so
//! that every node counts the same attempts.
//!
//! An attempt is reserved before the password is checked, in one conditional upsert per key:
//! parallel attempts cannot all slip under the limit while their passwords are being hashed. A
//! successful attempt gives its reservation back.

use sea_query::{Expr, ExprTrait, OnConflict, Query};
use tamar_store::{Db, to_millis};

use crate::IdentityError;

/// Failures allowed per account in a window; the next attempt is refused.
pub const ACCOUNT_LIMIT: i64 = 10;
/// Failures allowed per network address in a window (a household or office shares one).
pub const ADDRESS_LIMIT: i64 = 100;
pub const WINDOW: chrono::Duration = chrono::Duration::minutes(15);

const THROTTLE: &str = "sign_in_throttle";

/// What to count attempts against.
#[derive(Clone, Debug)]
pub struct ThrottleKey {
    key: String,
    limit: i64,
    /// A success forgets every failure (an account), or gives back only its own attempt (an
    /// address shared by many people).
    forget_on_success: bool,
}

impl ThrottleKey {
    pub fn account(email: &str) -> Self {
        Self { key: format!("account:{}", email.trim().to_lowercase()), limit: ACCOUNT_LIMIT, forget_on_success: true }
    }

    pub fn address(ip: &str) -> Self {
        Self { key: format!("address:{ip}"), limit: ADDRESS_LIMIT, forget_on_success: false }
    }

    /// The second step of signing in to one account.
    pub fn second_factor(account: &tamar_core::AccountId) -> Self {
        Self { key: format!("second-factor:{account}"), limit: ACCOUNT_LIMIT, forget_on_success: true }
    }
}

/// Counts an attempt against every key, or refuses with `TooManyAttempts` (counting nothing) if
/// any key has used up its attempts in the current window. A window that has passed starts again.
pub async fn reserve(db: &Db, keys: &[ThrottleKey], now: chrono::DateTime<chrono::Utc>) -> Result<(), IdentityError> {
    let now_ms = to_millis(now);
    let expired = now_ms - WINDOW.num_milliseconds();
    let mut tx = db.begin().await?;
    // Always in the order given, so that two attempts never wait on each other's rows. One
    // statement a key: a first attempt inserts the row, a later one counts itself in it unless
    // the window's attempts are used up. (As an insert, then an update, a successful sign-in
    // deleting the row between the two left the update nothing to count on PostgreSQL, and
    // the attempt was refused as one too many.)
    let existing = |c: &'static str| Expr::col((THROTTLE, c));
    for k in keys {
        let counted = tx
            .execute(
                &Query::insert()
                    .into_table(THROTTLE)
                    .columns(["key", "failures", "window_start"])
                    .values_panic([k.key.clone().into(), 1i64.into(), now_ms.into()])
                    .on_conflict(
                        OnConflict::column("key")
                            .value("failures", Expr::case(existing("window_start").lt(expired), 1i64).finally(existing("failures").add(1i64)))
                            .value("window_start", Expr::case(existing("window_start").lt(expired), now_ms).finally(existing("window_start")))
                            .action_and_where(existing("window_start").lt(expired).or(existing("failures").lt(k.limit)))
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        if counted == 0 {
            // Dropping the transaction rolls back the other keys' counts.
            return Err(IdentityError::TooManyAttempts);
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Gives back the reservation of a successful attempt.
pub async fn succeeded(db: &Db, keys: &[ThrottleKey]) -> Result<(), IdentityError> {
    for k in keys {
        if k.forget_on_success {
            db.execute(&Query::delete().from_table(THROTTLE).and_where(Expr::col("key").eq(k.key.clone())).to_owned()).await?;
        } else {
            give_back_one(db, k).await?;
        }
    }
    Ok(())
}

/// Gives back the reservation of an attempt that was never made (the node was too busy to
/// check the password): it counts as neither a failure nor a success.
pub async fn give_back(db: &Db, keys: &[ThrottleKey]) -> Result<(), IdentityError> {
    for k in keys {
        give_back_one(db, k).await?;
    }
    Ok(())
}

async fn give_back_one(db: &Db, k: &ThrottleKey) -> Result<(), IdentityError> {
    db.execute(
        &Query::update()
            .table(THROTTLE)
            .value("failures", Expr::col("failures").sub(1i64))
            .and_where(Expr::col("key").eq(k.key.clone()))
            .and_where(Expr::col("failures").gt(0i64))
            .to_owned(),
    )
    .await?;
    Ok(())
}

/// Checks a password against the throttle's reservation: a refusal for being busy gives the
/// reservation back; a wrong password keeps it (that is the counted failure).
pub(crate) async fn authenticate(db: &Db, keys: &[ThrottleKey], email: &str, password: &str) -> Result<crate::Account, IdentityError> {
    match crate::authenticate(db, email, password).await {
        Err(IdentityError::Busy) => {
            give_back(db, keys).await?;
            Err(IdentityError::Busy)
        }
        other => other,
    }
}
