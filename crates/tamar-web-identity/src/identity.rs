//! Registration, email verification, sessions and identity verification pages.

use askama::Template;
use axum::extract::{OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use tamar_core::Lang;
use tamar_identity::{Account, IdentityError, PendingVerification, Registered, Registration};

use tamar_web::pages::{PageContext, render, see_other};
use tamar_web::extract::{ApiQuery, Authorized, Citizens, FormData, IdentityVerifiers, SignedIn};
use tamar_web::i18n;
use crate::forms::message;
use crate::mail::send_verification_to;
use tamar_web::{AppState, WebError};

/// Queues the email verification link in the page's language (the durable queue sends it).
async fn send_verification(state: &AppState, lang: Lang, account: &Account, token: &str) -> Result<(), WebError> {
    send_verification_to(state, lang, &account.display_name, &account.email, token).await
}

/// Queues the mail that tells an account's owner that someone tried to register with their
/// address, in the owner's language (else the page's).
async fn tell_owner(state: &AppState, lang: Lang, owner: &Account) -> Result<(), WebError> {
    let attempt = tamar_notify::templates::RegistrationAttempt {
        lang,
        name: owner.display_name.clone(),
        email: owner.email.clone(),
        sign_in_url: format!("{}/{}/sign-in", state.config.public_url.trim_end_matches('/'), lang.prefix()),
    };
    tamar_notify::enqueue_now(&state.db, &attempt.email()?, state.ledger.now()).await?;
    Ok(())
}

#[derive(Default, Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    name_zh: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    page: PageContext,
    form: RegisterForm,
    error: Option<String>,
    sent_to: Option<String>,
}

pub async fn register_form(page: PageContext) -> Result<Html<String>, WebError> {
    render(&RegisterPage { page: page.section("sign-in"), form: RegisterForm::default(), error: None, sent_to: None })
}

/// Registration answers the same whether or not the address has an account: the same page
/// ("we sent a message to …"), status and work. A new account gets its verification link; the
/// owner of an existing one is told that someone tried, so only the address's owner learns it.
pub async fn register(page: PageContext, State(state): State<AppState>, FormData(mut form): FormData<RegisterForm>) -> Result<Response, WebError> {
    let registration = Registration {
        name_en: form.name_en.clone(),
        name_zh: form.name_zh.clone(),
        email: form.email.clone(),
        password: std::mem::take(&mut form.password),
        lang: page.lang,
    };
    let sent_to = Some(form.email.trim().to_lowercase());
    match tamar_identity::register(&state.db, &state.ledger, registration).await {
        Ok(Registered::Opened { account, token }) => send_verification(&state, page.lang, &account, &token).await?,
        Ok(Registered::AddressTaken { owner, lang }) => tell_owner(&state, lang.unwrap_or(page.lang), &owner).await?,
        Err(error @ (IdentityError::Invalid { .. } | IdentityError::WeakPassword(_))) => {
            let error = Some(message(page.lang, &error));
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&RegisterPage { page: page.section("sign-in"), form, error, sent_to: None })?).into_response());
        }
        Err(other) => return Err(other.into()),
    }
    Ok(render(&RegisterPage { page: page.section("sign-in"), form: RegisterForm::default(), error: None, sent_to })?.into_response())
}

#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

#[derive(Template)]
#[template(path = "verify_email.html")]
struct VerifyEmailPage {
    page: PageContext,
    token: String,
    error: Option<String>,
}

/// The link in the email opens a page with one button: following a link changes nothing, so
/// that mail scanners which fetch links cannot verify an address.
pub async fn verify_email_form(page: PageContext, ApiQuery(q): ApiQuery<TokenQuery>) -> Result<Html<String>, WebError> {
    render(&VerifyEmailPage { page, token: q.token, error: None })
}

pub async fn verify_email(page: PageContext, State(state): State<AppState>, FormData(q): FormData<TokenQuery>) -> Result<Response, WebError> {
    match tamar_identity::verify_email(&state.db, &state.ledger, &q.token).await {
        Ok(_) => Ok(see_other(&format!("{}?notice=email-verified", page.href("/account")))),
        Err(IdentityError::InvalidLink) => {
            let error = Some(i18n::t(page.lang, "error-invalid_link"));
            Ok((StatusCode::BAD_REQUEST, render(&VerifyEmailPage { page, token: String::new(), error })?).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn resend_verification(page: PageContext, State(state): State<AppState>, user: Authorized<SignedIn>) -> Result<Response, WebError> {
    if user.account.assurance == tamar_identity::Assurance::L0 {
        let token = tamar_identity::issue_email_verification(&state.db, &state.ledger, &user.account).await?;
        send_verification(&state, page.lang, &user.account, &token).await?;
    }
    Ok(see_other(&format!("{}?notice=email-sent", page.href("/account"))))
}

pub async fn revoke_session(
    page: PageContext,
    State(state): State<AppState>,
    user: Authorized<SignedIn>,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    tamar_identity::revoke_session(&state.db, &state.ledger, &user.account, &id).await?;
    Ok(see_other(&format!("{}?notice=session-ended#sessions", page.href("/account"))))
}

#[derive(Default, Deserialize)]
pub struct IdentityForm {
    #[serde(default)]
    hkid: String,
    #[serde(default)]
    date_of_birth: String,
}

#[derive(Template)]
#[template(path = "account/identity.html")]
struct IdentityPage {
    page: PageContext,
    form: IdentityForm,
    error: Option<String>,
}

pub async fn identity_form(page: PageContext, _citizen: Authorized<Citizens>) -> Result<Html<String>, WebError> {
    render(&IdentityPage { page: page.section("account"), form: IdentityForm::default(), error: None })
}

pub async fn submit_identity(
    page: PageContext,
    State(state): State<AppState>,
    citizen: Authorized<Citizens>,
    FormData(form): FormData<IdentityForm>,
) -> Result<Response, WebError> {
    match tamar_identity::submit_identity(&state.db, &state.ledger, &state.hkid_key, &citizen.account, &form.hkid, &form.date_of_birth).await {
        Ok(()) => Ok(see_other(&format!("{}?notice=identity-submitted", page.href("/account")))),
        Err(error @ (IdentityError::Invalid { .. } | IdentityError::InvalidHkid(_) | IdentityError::VerificationPending | IdentityError::EmailNotVerified)) => {
            let error = Some(message(page.lang, &error));
            // The number is never sent back into the page.
            let form = IdentityForm { hkid: String::new(), date_of_birth: form.date_of_birth };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&IdentityPage { page: page.section("account"), form, error })?).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template)]
#[template(path = "office_verifications.html")]
struct QueuePage {
    page: PageContext,
    queue: Vec<PendingVerification>,
    notice: Option<String>,
    /// The next page of the queue, if more are waiting.
    later: Option<String>,
}

#[derive(Deserialize)]
pub struct NoticeQuery {
    notice: Option<String>,
    /// Where the page of the queue starts.
    after: Option<String>,
}

pub async fn verification_queue(
    page: PageContext,
    State(state): State<AppState>,
    officer: Authorized<IdentityVerifiers>,
    OriginalUri(uri): OriginalUri,
    ApiQuery(q): ApiQuery<NoticeQuery>,
) -> Result<Html<String>, WebError> {
    let request = tamar_web::paging::request(None, q.after.as_deref())?;
    let listed = tamar_identity::verification_queue(&state.db, &state.ledger, &officer.actor, &request).await?;
    let later = tamar_web::paging::next_of(&listed, &uri);
    let queue = listed.items;
    let notice = q.notice.filter(|n| matches!(n.as_str(), "approved" | "rejected")).map(|n| page.t(&format!("verification-{n}")));
    render(&QueuePage { page: page.section("office"), queue, notice, later })
}

#[derive(Deserialize)]
pub struct DecisionForm {
    decision: String,
}

pub async fn decide(
    page: PageContext,
    State(state): State<AppState>,
    tamar_web::extract::StepUp(officer): tamar_web::extract::StepUp<IdentityVerifiers>,
    Path((_, id)): Path<(String, String)>,
    FormData(form): FormData<DecisionForm>,
) -> Result<Response, WebError> {
    let approve = match form.decision.as_str() {
        "approve" => true,
        "reject" => false,
        _ => return Err(WebError::new(tamar_core::Code::INVALID_FORM)),
    };
    tamar_identity::decide_verification(&state.db, &state.ledger, &officer.actor, &id, approve).await?;
    let notice = if approve { "approved" } else { "rejected" };
    Ok(see_other(&format!("{}?notice={notice}", page.href("/office/verifications"))))
}

#[derive(Default, Deserialize)]
pub struct ContactForm {
    #[serde(default)]
    address: String,
    #[serde(default)]
    phone: String,
}

#[derive(Template)]
#[template(path = "account/contact.html")]
struct ContactPage {
    page: PageContext,
    form: ContactForm,
    error: Option<String>,
}

pub async fn contact_form(page: PageContext, user: Authorized<SignedIn>) -> Result<Html<String>, WebError> {
    let form = ContactForm { address: user.account.address.clone().unwrap_or_default(), phone: user.account.phone.clone().unwrap_or_default() };
    render(&ContactPage { page: page.section("account"), form, error: None })
}

pub async fn save_contact(
    page: PageContext,
    State(state): State<AppState>,
    user: Authorized<SignedIn>,
    FormData(form): FormData<ContactForm>,
) -> Result<Response, WebError> {
    match tamar_identity::update_contact(&state.db, &state.ledger, &user.account, &form.address, &form.phone).await {
        Ok(()) => Ok(see_other(&format!("{}?notice=contact-saved", page.href("/account")))),
        Err(error @ IdentityError::Invalid { .. }) => {
            let error = Some(message(page.lang, &error));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&ContactPage { page: page.section("account"), form, error })?).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Default, Deserialize)]
pub struct PasswordForm {
    #[serde(flatten)]
    proof: crate::forms::ProofFields,
    #[serde(default)]
    new: String,
}

#[derive(Template)]
#[template(path = "account/password.html")]
struct PasswordPage {
    page: PageContext,
    mfa: bool,
    error: Option<String>,
}

pub async fn password_form(page: PageContext, user: Authorized<SignedIn>) -> Result<Html<String>, WebError> {
    render(&PasswordPage { page: page.section("account"), mfa: user.account.mfa, error: None })
}

/// Changing the password is sensitive: a recent sign-in is needed, the current password, and
/// the second factor when there is one.
pub async fn change_password(
    page: PageContext,
    State(state): State<AppState>,
    tamar_web::extract::StepUp(user): tamar_web::extract::StepUp<SignedIn>,
    FormData(form): FormData<PasswordForm>,
) -> Result<Response, WebError> {
    let notice = crate::mail::notice(&state, page.lang);
    let proof = form.proof.proof();
    match tamar_identity::change_password(&state.db, &state.ledger, &state.sealer, &user.account, &user.token, proof, &form.new, &notice).await {
        Ok(()) => Ok(see_other(&format!("{}?notice=password-changed", page.href("/account")))),
        Err(error) => match crate::forms::mendable(&error) {
            Some(status) => {
                let error = Some(message(page.lang, &error));
                Ok((status, render(&PasswordPage { page: page.section("account"), mfa: user.account.mfa, error })?).into_response())
            }
            None => Err(error.into()),
        },
    }
}
