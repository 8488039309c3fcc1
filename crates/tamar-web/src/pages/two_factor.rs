//! Two-factor sign-in: setting up TOTP, and the code step of signing in.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;
use tamar_core::{AccountId, Actor};
use tamar_identity::throttle::{self, ThrottleKey};
use tamar_identity::{Account, IdentityError};

use super::{PageContext, render, safe_next, see_other};
use crate::extract::{AnySession, ApiQuery, Authorized, FormData};
use crate::{AppState, WebError};

const PENDING_COOKIE: &str = "tamar_mfa";
const PENDING_TTL: chrono::Duration = chrono::Duration::minutes(5);

fn pending_mac(state: &AppState, account: &str, expires: i64) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&state.config.csrf_key) else { return String::new() };
    mac.update(format!("tamar-mfa-pending:{account}.{expires}").as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// A short-lived, signed note that this browser gave the right password for `account`.
pub(crate) fn pending_cookie(state: &AppState, account: &Account, now: chrono::DateTime<chrono::Utc>) -> String {
    let expires = (now + PENDING_TTL).timestamp_millis();
    let id = account.id.to_string();
    let value = format!("{id}.{expires}.{}", pending_mac(state, &id, expires));
    let secure = if state.config.secure_cookies { "; Secure" } else { "" };
    format!("{PENDING_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=300{secure}")
}

fn pending_account(state: &AppState, headers: &HeaderMap) -> Option<AccountId> {
    let jar = CookieJar::from_headers(headers);
    let value = jar.get(PENDING_COOKIE)?.value().to_owned();
    let mut parts = value.split('.');
    let (id, expires, mac) = (parts.next()?, parts.next()?, parts.next()?);
    let expires: i64 = expires.parse().ok()?;
    let expected = pending_mac(state, id, expires);
    let same = expected.len() == mac.len() && expected.bytes().zip(mac.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
    (same && expires > state.ledger.now().timestamp_millis()).then(|| id.parse().ok()).flatten()
}

#[derive(Template)]
#[template(path = "sign_in_code.html")]
struct CodePage {
    page: PageContext,
    next: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn code_form(page: PageContext, State(state): State<AppState>, headers: HeaderMap, ApiQuery(q): ApiQuery<NextQuery>) -> Result<Response, WebError> {
    if pending_account(&state, &headers).is_none() {
        return Ok(see_other(&page.href("/sign-in")));
    }
    let next = safe_next(q.next.as_deref().unwrap_or(""), page.lang);
    Ok(render(&CodePage { page: page.section("sign-in"), next, error: None })?.into_response())
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    next: String,
}

pub async fn code(page: PageContext, State(state): State<AppState>, headers: HeaderMap, FormData(form): FormData<CodeForm>) -> Result<Response, WebError> {
    let Some(id) = pending_account(&state, &headers) else { return Ok(see_other(&page.href("/sign-in"))) };
    let next = safe_next(&form.next, page.lang);
    let account = tamar_identity::get_account(&state.db, &state.ledger, &Actor::Citizen { account: id }, id, "sign in").await?;
    let now = state.ledger.now();
    let keys = [ThrottleKey::account(&format!("second-factor:{id}"))];
    let outcome = match throttle::check(&state.db, &keys, now).await {
        Ok(()) => tamar_identity::mfa::verify_second_factor(&state.db, &state.ledger, &state.sealer, &account, &form.code).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(()) => {
            throttle::clear(&state.db, &keys[0]).await?;
            let mut response = super::account::start(&state, &account, &headers, &next).await?;
            crate::extract::set_cookie(&mut response, crate::extract::expired_cookie(PENDING_COOKIE));
            Ok(response)
        }
        Err(error @ (IdentityError::InvalidCode | IdentityError::TooManyAttempts)) => {
            let status = if matches!(error, IdentityError::TooManyAttempts) {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                throttle::record_failure(&state.db, &keys, now).await?;
                StatusCode::UNAUTHORIZED
            };
            let error = Some(page.t(&format!("error-{}", tamar_core::HasCode::code(&error).as_str())));
            Ok((status, render(&CodePage { page: page.section("sign-in"), next, error })?).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template)]
#[template(path = "account/two_factor.html")]
struct SetupPage {
    page: PageContext,
    enabled: bool,
    required: bool,
    secret: String,
    qr_svg: String,
    error: Option<String>,
    recovery_codes: Vec<String>,
}

pub async fn setup_form(page: PageContext, State(state): State<AppState>, user: Authorized<AnySession>) -> Result<Html<String>, WebError> {
    let required = tamar_identity::mfa::mfa_required(&user.actor);
    if user.account.mfa {
        return render(&SetupPage { page: page.section("account"), enabled: true, required, secret: String::new(), qr_svg: String::new(), error: None, recovery_codes: vec![] });
    }
    let enrolment = match tamar_identity::mfa::pending_totp(&state.db, &state.sealer, &user.account).await? {
        Some(e) => e,
        None => tamar_identity::mfa::begin_totp(&state.db, &state.sealer, &user.account).await?,
    };
    render(&SetupPage {
        page: page.section("account"),
        enabled: false,
        required,
        secret: enrolment.secret,
        qr_svg: enrolment.qr_svg,
        error: None,
        recovery_codes: vec![],
    })
}

pub async fn setup(
    page: PageContext,
    State(state): State<AppState>,
    user: Authorized<AnySession>,
    FormData(form): FormData<CodeForm>,
) -> Result<Response, WebError> {
    let required = tamar_identity::mfa::mfa_required(&user.actor);
    match tamar_identity::mfa::confirm_totp(&state.db, &state.ledger, &state.sealer, &user.account, &form.code).await {
        Ok(recovery_codes) => Ok(render(&SetupPage {
            page: page.section("account"),
            enabled: true,
            required,
            secret: String::new(),
            qr_svg: String::new(),
            error: None,
            recovery_codes,
        })?
        .into_response()),
        Err(IdentityError::InvalidCode) => {
            let enrolment = tamar_identity::mfa::pending_totp(&state.db, &state.sealer, &user.account).await?;
            let (secret, qr_svg) = enrolment.map(|e| (e.secret, e.qr_svg)).unwrap_or_default();
            let error = Some(page.t("error-invalid_code"));
            let html = render(&SetupPage { page: page.section("account"), enabled: false, required, secret, qr_svg, error, recovery_codes: vec![] })?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
        }
        Err(other) => Err(other.into()),
    }
}
