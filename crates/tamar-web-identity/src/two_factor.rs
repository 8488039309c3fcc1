//! Two-factor sign-in: setting up TOTP, and the code step of signing in.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use tamar_core::AccountId;
use tamar_identity::{IdentityError, sign_in};

use tamar_web::pages::{PageContext, render, safe_next, see_other};
use tamar_web::cookies::TamarCookie;
use tamar_web::csrf::CsrfToken;
use tamar_web::extract::{AnySession, ApiQuery, Authorized, FormData, set_cookie};
use tamar_web::{AppState, WebError};

/// The account waiting for its second factor in this browser, if any.
async fn pending_account(state: &AppState, headers: &HeaderMap, csrf: &CsrfToken) -> Result<Option<AccountId>, WebError> {
    let Some(token) = TamarCookie::SignInChallenge.read(&state.config, headers) else { return Ok(None) };
    Ok(sign_in::pending(&state.db, &token, csrf.nonce(), state.ledger.now()).await?)
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

pub async fn code_form(
    page: PageContext,
    State(state): State<AppState>,
    csrf: CsrfToken,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<NextQuery>,
) -> Result<Response, WebError> {
    if pending_account(&state, &headers, &csrf).await?.is_none() {
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

pub async fn code(
    page: PageContext,
    State(state): State<AppState>,
    csrf: CsrfToken,
    headers: HeaderMap,
    FormData(form): FormData<CodeForm>,
) -> Result<Response, WebError> {
    let next = safe_next(&form.next, page.lang);
    let Some(token) = TamarCookie::SignInChallenge.read(&state.config, &headers) else { return Ok(see_other(&page.href("/sign-in"))) };
    let challenge = sign_in::SecondFactorAttempt { token: &token, browser: csrf.nonce(), user_agent: crate::account::user_agent(&headers) };
    match sign_in::second_factor(&state.db, &state.ledger, &state.sealer, challenge, &form.code).await {
        Ok((_, session)) => {
            let mut response = crate::account::signed_in(&state, session, &next);
            set_cookie(&mut response, TamarCookie::SignInChallenge.expired(&state.config));
            Ok(response)
        }
        Err(IdentityError::SignInExpired) => {
            let mut response = see_other(&format!("{}?next={}", page.href("/sign-in"), tamar_web::error::urlencode(&next)));
            set_cookie(&mut response, TamarCookie::SignInChallenge.expired(&state.config));
            Ok(response)
        }
        Err(error @ (IdentityError::InvalidCode | IdentityError::TooManyAttempts)) => {
            let status = if matches!(error, IdentityError::TooManyAttempts) { StatusCode::TOO_MANY_REQUESTS } else { StatusCode::UNAUTHORIZED };
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
