//! Changes that could hand an account to someone else (adding a passkey, a new password or email
//! address, turning off the second factor). A stolen session is not enough for them: the holder
//! gives their password again, and their second factor when they have one; and they are told of
//! each change by email, in the same transaction as the change.

use tamar_core::Lang;
use tamar_ledger::Ledger;
use tamar_store::{Db, Sealer, Tx};

use crate::throttle::{self, ThrottleKey};
use crate::{Account, IdentityError};

/// What the holder gives again.
#[derive(Clone, Copy)]
pub struct Proof<'a> {
    pub password: &'a str,
    /// A TOTP or recovery code; needed when the account has two-factor sign-in.
    pub code: &'a str,
}

/// How to write the notice: in which language, and where the holder reviews their account.
#[derive(Clone, Debug)]
pub struct Notice {
    pub lang: Lang,
    pub account_url: String,
}

/// Checks the proof. Wrong passwords count against the account's sign-in throttle.
pub async fn confirm(db: &Db, ledger: &Ledger, sealer: &Sealer, account: &Account, proof: Proof<'_>) -> Result<(), IdentityError> {
    let keys = [ThrottleKey::account(&account.email)];
    throttle::reserve(db, &keys, ledger.now()).await?;
    throttle::authenticate(db, &keys, &account.email, proof.password).await?;
    if account.mfa {
        crate::mfa::verify_second_factor(db, ledger, sealer, account, proof.code).await?;
    }
    throttle::succeeded(db, &keys).await?;
    Ok(())
}

/// Queues the notice of a change to the holder's address, inside the change's transaction.
pub(crate) async fn tell_holder(
    tx: &mut Tx,
    account: &Account,
    notice: &Notice,
    change: tamar_notify::templates::AccountChangeKind,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), IdentityError> {
    use chrono::Offset as _;
    let hong_kong = chrono::FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| chrono::Utc.fix());
    let message = tamar_notify::templates::AccountChange {
        lang: notice.lang,
        name: account.display_name.clone(),
        change,
        when: now.with_timezone(&hong_kong).format("%Y-%m-%d %H:%M").to_string(),
        account_url: notice.account_url.clone(),
    };
    let email = message.email(&account.email).map_err(|e| IdentityError::Notice(e.to_string()))?;
    tamar_notify::enqueue(tx, &email, now).await?;
    Ok(())
}
