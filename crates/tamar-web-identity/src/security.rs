//! Changes that could hand an account to someone else: a new email address, turning off
//! two-factor sign-in (and, elsewhere, a new password or passkey). Each needs a recent sign-in,
//! the password again and the second factor when there is one; the holder is emailed.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use tamar_web::pages::{PageContext, render, see_other};
use tamar_web::extract::{AnySession, Authorized, FormData, SignedIn, StepUp};
use tamar_web::i18n;
use crate::forms::{ProofFields, mendable};
use crate::mail::notice;
use tamar_web::{AppState, WebError};

#[derive(Template)]
#[template(path = "account/email.html")]
struct EmailPage {
    page: PageContext,
    current: String,
    email: String,
    mfa: bool,
    error: Option<String>,
    sent_to: Option<String>,
}

pub async fn email_form(page: PageContext, user: Authorized<SignedIn>) -> Result<Html<String>, WebError> {
    let (current, mfa) = (user.account.email, user.account.mfa);
    render(&EmailPage { page: page.section("account"), current, email: String::new(), mfa, error: None, sent_to: None })
}

#[derive(Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
    #[serde(flatten)]
    proof: ProofFields,
}

pub async fn change_email(
    page: PageContext,
    State(state): State<AppState>,
    StepUp(user): StepUp<SignedIn>,
    FormData(form): FormData<EmailForm>,
) -> Result<Response, WebError> {
    let notice = notice(&state, page.lang);
    let outcome =
        tamar_identity::request_email_change(&state.db, &state.ledger, &state.sealer, &user.account, form.proof.proof(), &form.email, &notice).await;
    let (current, mfa) = (user.account.email.clone(), user.account.mfa);
    match outcome {
        Ok(token) => {
            let to = form.email.trim().to_lowercase();
            crate::mail::send_verification_to(&state, page.lang, &user.account.display_name, &to, &token).await?;
            let html = render(&EmailPage { page: page.section("account"), current, email: String::new(), mfa, error: None, sent_to: Some(to) })?;
            Ok(html.into_response())
        }
        Err(error) => match mendable(&error) {
            Some(status) => {
                let error = Some(crate::forms::message(page.lang, &error));
                let html = render(&EmailPage { page: page.section("account"), current, email: form.email, mfa, error, sent_to: None })?;
                Ok((status, html).into_response())
            }
            None => Err(error.into()),
        },
    }
}

#[derive(Template)]
#[template(path = "account/two_factor_off.html")]
struct TwoFactorOffPage {
    page: PageContext,
    error: Option<String>,
}

pub async fn two_factor_off_form(page: PageContext, user: Authorized<AnySession>) -> Result<Response, WebError> {
    if !user.account.mfa || tamar_identity::mfa::mfa_required(&user.actor) {
        return Ok(see_other(&page.href("/account")));
    }
    Ok(render(&TwoFactorOffPage { page: page.section("account"), error: None })?.into_response())
}

pub async fn turn_two_factor_off(
    page: PageContext,
    State(state): State<AppState>,
    StepUp(user): StepUp<SignedIn>,
    FormData(form): FormData<ProofFields>,
) -> Result<Response, WebError> {
    let notice = notice(&state, page.lang);
    match tamar_identity::mfa::disable_totp(&state.db, &state.ledger, &state.sealer, &user.account, form.proof(), &notice).await {
        Ok(()) => Ok(see_other(&format!("{}?notice=two-factor-off", page.href("/account")))),
        Err(error) => match mendable(&error) {
            Some(status) => {
                let error = Some(i18n::t(page.lang, &format!("error-{}", tamar_core::HasCode::code(&error).as_str())));
                Ok((status, render(&TwoFactorOffPage { page: page.section("account"), error })?).into_response())
            }
            None => Err(error.into()),
        },
    }
}
