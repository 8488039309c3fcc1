//! Second factors: TOTP (RFC 6238) with recovery codes. Officers and platform administrators
//! must have one; citizens may.

use base64::Engine;
use rand::RngCore;
use sea_query::{Expr, ExprTrait, Query};
use sha2::{Digest, Sha256};
use tamar_core::Actor;
use tamar_ledger::{Ledger, LedgerEntry};
use tamar_store::{Db, Sealer, row, to_millis};
use totp_rs::{Algorithm, Secret, TOTP};

use crate::{Account, IdentityError};

pub const RECOVERY_CODES: usize = 10;
const ISSUER: &str = "Tamar";

/// Whether this kind of account must have a second factor before it may act.
pub fn mfa_required(actor: &Actor) -> bool {
    matches!(actor, Actor::Officer { .. } | Actor::PlatformAdmin { .. })
}

fn totp(secret_base32: &str, account: &Account) -> Result<TOTP, IdentityError> {
    let bytes = Secret::Encoded(secret_base32.to_owned()).to_bytes().map_err(|_| IdentityError::InvalidCode)?;
    TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes, Some(ISSUER.to_owned()), account.email.clone()).map_err(|_| IdentityError::InvalidCode)
}

/// A TOTP secret waiting for its first code.
pub struct TotpEnrolment {
    pub secret: String,
    /// The `otpauth://` address that authenticator apps read from the QR code.
    pub url: String,
    /// The QR code of `url`, as an SVG document.
    pub qr_svg: String,
}

fn enrolment(secret: String, account: &Account) -> Result<TotpEnrolment, IdentityError> {
    let url = totp(&secret, account)?.get_url();
    let qr_svg = qrcode::QrCode::new(url.as_bytes())
        .map(|code| code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(200, 200).build())
        // Inline in HTML, the XML declaration has no place.
        .map(|svg| svg.split_once("?>").map(|(_, rest)| rest.to_owned()).unwrap_or(svg))
        .map_err(|_| IdentityError::InvalidCode)?;
    Ok(TotpEnrolment { secret, url, qr_svg })
}

/// Starts (or restarts) enrolment with a new secret, unless a second factor is already on.
fn context(account: &Account) -> String {
    format!("totp:{}", account.id)
}

/// The stored secret, unsealed.
fn unseal(sealer: &Sealer, account: &Account, stored: &str) -> Result<String, IdentityError> {
    let bytes = sealer.open(stored, &context(account))?;
    String::from_utf8(bytes).map_err(|_| IdentityError::InvalidCode)
}

pub async fn begin_totp(db: &Db, sealer: &Sealer, account: &Account) -> Result<TotpEnrolment, IdentityError> {
    if account.mfa {
        return Err(IdentityError::TotpAlreadyEnabled);
    }
    let mut raw = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    let Secret::Encoded(secret) = Secret::Raw(raw.to_vec()).to_encoded() else { return Err(IdentityError::InvalidCode) };
    db.execute(
        &Query::update()
            .table("accounts")
            .value("totp_secret", sealer.seal(secret.as_bytes(), &context(account)))
            .and_where(Expr::col("id").eq(account.id.to_string()))
            .and_where(Expr::col("totp_confirmed_at").is_null())
            .to_owned(),
    )
    .await?;
    enrolment(secret, account)
}

/// The enrolment in progress, to show its QR code again.
pub async fn pending_totp(db: &Db, sealer: &Sealer, account: &Account) -> Result<Option<TotpEnrolment>, IdentityError> {
    let r = db
        .fetch_one(&Query::select().column("totp_secret").from("accounts").and_where(Expr::col("id").eq(account.id.to_string())).to_owned())
        .await?;
    match row::get::<Option<String>>(&r, "totp_secret")? {
        Some(stored) if !account.mfa => Ok(Some(enrolment(unseal(sealer, account, &stored)?, account)?)),
        _ => Ok(None),
    }
}

fn hash_code(code: &str) -> String {
    hex::encode(Sha256::digest(code.trim().to_lowercase().replace([' ', '-'], "").as_bytes()))
}

fn new_recovery_code() -> String {
    let mut raw = [0u8; 6];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    let text = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw).to_lowercase().replace(['-', '_'], "x");
    format!("{}-{}", &text[..4], &text[4..8])
}

/// Confirms enrolment with a first code; returns the recovery codes, shown once.
pub async fn confirm_totp(db: &Db, ledger: &Ledger, sealer: &Sealer, account: &Account, code: &str) -> Result<Vec<String>, IdentityError> {
    let Some(pending) = pending_totp(db, sealer, account).await? else { return Err(IdentityError::TotpAlreadyEnabled) };
    let now = ledger.now();
    let step = check_code(&totp(&pending.secret, account)?, code, now).ok_or(IdentityError::InvalidCode)?;
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect();
    let mut tx = db.begin().await?;
    tx.execute(
        &Query::update()
            .table("accounts")
            .value("totp_confirmed_at", to_millis(now))
            .value("totp_last_step", step as i64)
            .and_where(Expr::col("id").eq(account.id.to_string()))
            .to_owned(),
    )
    .await?;
    tx.execute(&Query::delete().from_table("recovery_codes").and_where(Expr::col("account_id").eq(account.id.to_string())).to_owned()).await?;
    for c in &codes {
        tx.execute(
            &Query::insert()
                .into_table("recovery_codes")
                .columns(["account_id", "code_hash"])
                .values_panic([account.id.to_string().into(), hash_code(c).into()])
                .to_owned(),
        )
        .await?;
    }
    let entry = LedgerEntry::change(&account.actor(), "identity.totp.enable", format!("account:{}", account.id), now)
        .about(account.id)
        .because("turn on two-factor sign-in");
    tamar_ledger::record(&mut tx, &entry).await?;
    tx.commit().await?;
    ledger.notify();
    Ok(codes)
}

/// Turns two-factor sign-in off, after the holder gave their password and a code again.
/// Officers and administrators must keep it.
pub async fn disable_totp(
    db: &Db,
    ledger: &Ledger,
    sealer: &Sealer,
    account: &Account,
    proof: crate::guard::Proof<'_>,
    notice: &crate::guard::Notice,
) -> Result<(), IdentityError> {
    if mfa_required(&account.actor()) {
        return Err(IdentityError::Forbidden);
    }
    if !account.mfa {
        return Err(IdentityError::InvalidCode);
    }
    crate::guard::confirm(db, ledger, sealer, account, proof).await?;
    let now = ledger.now();
    let mut tx = db.begin().await?;
    tx.execute(
        &Query::update()
            .table("accounts")
            .value("totp_secret", Option::<String>::None)
            .value("totp_confirmed_at", Option::<i64>::None)
            .value("totp_last_step", Option::<i64>::None)
            .and_where(Expr::col("id").eq(account.id.to_string()))
            .to_owned(),
    )
    .await?;
    tx.execute(&Query::delete().from_table("recovery_codes").and_where(Expr::col("account_id").eq(account.id.to_string())).to_owned()).await?;
    let entry = LedgerEntry::change(&account.actor(), "identity.totp.disable", format!("account:{}", account.id), now)
        .about(account.id)
        .because("turn off two-factor sign-in");
    tamar_ledger::record(&mut tx, &entry).await?;
    crate::guard::tell_holder(&mut tx, account, notice, tamar_notify::templates::AccountChangeKind::SecondFactorOff, now).await?;
    tx.commit().await?;
    ledger.notify();
    Ok(())
}

/// The step a code matches, if any (one step of clock drift either way).
fn check_code(totp: &TOTP, code: &str, now: chrono::DateTime<chrono::Utc>) -> Option<u64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let current = u64::try_from(now.timestamp()).unwrap_or(0) / 30;
    (current.saturating_sub(1)..=current + 1).find(|step| totp.generate(step * 30) == code)
}

/// Checks a second factor at sign-in: a TOTP code, each accepted once, or an unused recovery
/// code, which is then spent.
pub async fn verify_second_factor(db: &Db, ledger: &Ledger, sealer: &Sealer, account: &Account, code: &str) -> Result<(), IdentityError> {
    if !account.mfa {
        return Err(IdentityError::InvalidCode);
    }
    let now = ledger.now();
    let r = db
        .fetch_one(
            &Query::select()
                .columns(["totp_secret", "totp_last_step"])
                .from("accounts")
                .and_where(Expr::col("id").eq(account.id.to_string()))
                .to_owned(),
        )
        .await?;
    let secret: Option<String> = row::get(&r, "totp_secret")?;
    let last: Option<i64> = row::get(&r, "totp_last_step")?;
    let mut tx = db.begin().await?;
    let matched_step = match &secret {
        Some(stored) => check_code(&totp(&unseal(sealer, account, stored)?, account)?, code, now),
        None => None,
    };
    let how = if let Some(step) = matched_step {
        // A code is good once: a replayed or older step is refused.
        if last.is_some_and(|last| step as i64 <= last) {
            return Err(IdentityError::InvalidCode);
        }
        let advanced = tx
            .execute(
                &Query::update()
                    .table("accounts")
                    .value("totp_last_step", step as i64)
                    .and_where(Expr::col("id").eq(account.id.to_string()))
                    .and_where(Expr::col("totp_last_step").is_null().or(Expr::col("totp_last_step").lt(step as i64)))
                    .to_owned(),
            )
            .await?;
        if advanced == 0 {
            return Err(IdentityError::InvalidCode);
        }
        "totp"
    } else {
        let spent = tx
            .execute(
                &Query::update()
                    .table("recovery_codes")
                    .value("used_at", to_millis(now))
                    .and_where(Expr::col("account_id").eq(account.id.to_string()))
                    .and_where(Expr::col("code_hash").eq(hash_code(code)))
                    .and_where(Expr::col("used_at").is_null())
                    .to_owned(),
            )
            .await?;
        if spent == 0 {
            return Err(IdentityError::InvalidCode);
        }
        "recovery-code"
    };
    let entry = LedgerEntry::change(&account.actor(), "identity.mfa.verify", format!("account:{}", account.id), now)
        .about(account.id)
        .because(format!("sign in with a {how}"));
    tamar_ledger::record(&mut tx, &entry).await?;
    tx.commit().await?;
    ledger.notify();
    Ok(())
}

/// For the demo and tests: turns TOTP on with a given secret, without the enrolment dance.
pub async fn enable_totp_with_secret(db: &Db, sealer: &Sealer, account: &Account, secret_base32: &str) -> Result<(), IdentityError> {
    totp(secret_base32, account)?;
    db.execute(
        &Query::update()
            .table("accounts")
            .value("totp_secret", sealer.seal(secret_base32.as_bytes(), &context(account)))
            .value("totp_confirmed_at", to_millis(chrono::Utc::now()))
            .and_where(Expr::col("id").eq(account.id.to_string()))
            .to_owned(),
    )
    .await?;
    Ok(())
}
