//! Throttling of failed sign-ins, per account and per network address, kept in the database so
//! that every node counts the same failures.

use sea_query::{Expr, ExprTrait, OnConflict, Query};
use tamar_store::{Db, row, to_millis};

use crate::IdentityError;

/// Failures allowed per account in a window; the next attempt is refused.
pub const ACCOUNT_LIMIT: i64 = 10;
/// Failures allowed per network address in a window (a household or office shares one).
pub const ADDRESS_LIMIT: i64 = 100;
pub const WINDOW: chrono::Duration = chrono::Duration::minutes(15);

/// What to count failures against.
pub struct ThrottleKey {
    key: String,
    limit: i64,
}

impl ThrottleKey {
    pub fn account(email: &str) -> Self {
        Self { key: format!("account:{}", email.trim().to_lowercase()), limit: ACCOUNT_LIMIT }
    }

    pub fn address(ip: &str) -> Self {
        Self { key: format!("address:{ip}"), limit: ADDRESS_LIMIT }
    }
}

/// Refuses with `TooManyAttempts` if any key has used up its failures in the current window.
pub async fn check(db: &Db, keys: &[ThrottleKey], now: chrono::DateTime<chrono::Utc>) -> Result<(), IdentityError> {
    for k in keys {
        let found = db
            .fetch_optional(
                &Query::select().columns(["failures", "window_start"]).from("sign_in_throttle").and_where(Expr::col("key").eq(k.key.clone())).to_owned(),
            )
            .await?;
        if let Some(r) = found {
            let failures: i64 = row::get(&r, "failures")?;
            let start: i64 = row::get(&r, "window_start")?;
            if failures >= k.limit && to_millis(now) < start + WINDOW.num_milliseconds() {
                return Err(IdentityError::TooManyAttempts);
            }
        }
    }
    Ok(())
}

/// Counts one failure against every key; a window that has passed starts again.
pub async fn record_failure(db: &Db, keys: &[ThrottleKey], now: chrono::DateTime<chrono::Utc>) -> Result<(), IdentityError> {
    let now_ms = to_millis(now);
    let expired = now_ms - WINDOW.num_milliseconds();
    for k in keys {
        let mut tx = db.begin().await?;
        tx.execute(
            &Query::insert()
                .into_table("sign_in_throttle")
                .columns(["key", "failures", "window_start"])
                .values_panic([k.key.clone().into(), 0i64.into(), now_ms.into()])
                .on_conflict(OnConflict::column("key").do_nothing().to_owned())
                .to_owned(),
        )
        .await?;
        tx.execute(
            &Query::update()
                .table("sign_in_throttle")
                .value("failures", Expr::case(Expr::col("window_start").lt(expired), 1i64).finally(Expr::col("failures").add(1i64)))
                .value("window_start", Expr::case(Expr::col("window_start").lt(expired), now_ms).finally(Expr::col("window_start")))
                .and_where(Expr::col("key").eq(k.key.clone()))
                .to_owned(),
        )
        .await?;
        tx.commit().await?;
    }
    Ok(())
}

/// Forgets the failures of a key after a successful sign-in.
pub async fn clear(db: &Db, key: &ThrottleKey) -> Result<(), IdentityError> {
    db.execute(&Query::delete().from_table("sign_in_throttle").and_where(Expr::col("key").eq(key.key.clone())).to_owned()).await?;
    Ok(())
}
