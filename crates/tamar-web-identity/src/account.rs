use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::extract::OriginalUri;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use tamar_core::{DepartmentId, Lang};
use tamar_identity::{Account, AccountKind, IdentityError};

use tamar_web::pages::{PageContext, hong_kong, render, safe_next, see_other};
use tamar_web::cookies::TamarCookie;
use tamar_web::csrf::CsrfToken;
use tamar_web::extract::{ApiQuery, Authorized, FormData, PeerAddr, SignedIn, set_cookie};
use tamar_identity::sign_in;
use tamar_web::i18n;
use tamar_web::{AppState, WebError};

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    page: PageContext,
    error: Option<String>,
    email: String,
    next: String,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
    again: Option<String>,
    passkey: Option<String>,
}

pub async fn sign_in_form(page: PageContext, ApiQuery(q): ApiQuery<NextQuery>) -> Result<Html<String>, WebError> {
    let next = safe_next(q.next.as_deref().unwrap_or(""), page.lang);
    // Sent back for a sensitive action: say why.
    let error = if q.passkey.is_some() {
        Some(page.t("sign-in-passkey-needed"))
    } else {
        q.again.is_some().then(|| page.t("sign-in-again"))
    };
    render(&SignInPage { page: page.section("sign-in"), error, email: String::new(), next })
}

#[derive(Deserialize)]
pub struct SignInForm {
    email: String,
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn sign_in(
    page: PageContext,
    State(state): State<AppState>,
    PeerAddr(peer): PeerAddr,
    csrf: CsrfToken,
    headers: axum::http::HeaderMap,
    FormData(form): FormData<SignInForm>,
) -> Result<Response, WebError> {
    let next = safe_next(&form.next, page.lang);
    let address = peer.map(|ip| ip.to_string());
    let attempt = sign_in::PasswordAttempt { email: &form.email, password: &form.password, address: address.as_deref(), user_agent: user_agent(&headers) };
    // The second step is bound to this browser's CSRF nonce, which this form just proved it holds.
    match sign_in::attempt(&state.db, &state.ledger, attempt, csrf.nonce()).await {
        Ok(sign_in::SignInOutcome::Session { token, .. }) => Ok(signed_in(&state, token, &next)),
        Ok(sign_in::SignInOutcome::SecondFactorPending { token, .. }) => {
            let mut response = see_other(&format!("{}?next={}", page.href("/sign-in/code"), tamar_web::error::urlencode(&next)));
            set_cookie(&mut response, TamarCookie::SignInChallenge.with_value(&state.config, token));
            Ok(response)
        }
        Err(error @ (IdentityError::InvalidCredentials | IdentityError::TooManyAttempts)) => {
            let status = if matches!(error, IdentityError::TooManyAttempts) { StatusCode::TOO_MANY_REQUESTS } else { StatusCode::UNAUTHORIZED };
            let error = Some(page.t(&format!("error-{}", tamar_core::HasCode::code(&error).as_str())));
            let html = render(&SignInPage { page: page.section("sign-in"), error, email: form.email, next })?;
            Ok((status, html).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// What the browser says it is, for the account's list of sessions.
pub(crate) fn user_agent(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers.get(axum::http::header::USER_AGENT).and_then(|v| v.to_str().ok())
}

/// Sends the person on, with the cookie of the session that signing in started.
pub(crate) fn signed_in(state: &AppState, token: String, next: &str) -> Response {
    let mut response = see_other(next);
    set_cookie(&mut response, TamarCookie::Session.with_value(&state.config, token));
    response
}

pub async fn sign_out(page: PageContext, State(state): State<AppState>, user: Authorized<tamar_web::extract::AnySession>) -> Result<Response, WebError> {
    tamar_identity::end_session(&state.db, &state.ledger, &user.actor, &user.token).await?;
    let mut response = see_other(&page.href("/"));
    set_cookie(&mut response, TamarCookie::Session.expired(&state.config));
    Ok(response)
}

struct AccessRow {
    at: String,
    at_display: String,
    who: String,
    what: String,
    why: String,
}

struct ConsentRow {
    client_id: String,
    name: String,
    what: String,
    since: String,
}

struct SessionRow {
    id: String,
    started: String,
    device: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "account/index.html")]
struct AccountPage {
    page: PageContext,
    account: Account,
    kind: String,
    level: String,
    department: Option<String>,
    accesses: Vec<AccessRow>,
    /// The next page of accesses, if there are older ones.
    older: Option<String>,
    sessions: Vec<SessionRow>,
    /// The next page of sessions, if there are older ones.
    older_sessions: Option<String>,
    consents: Vec<ConsentRow>,
    passkeys: usize,
    mfa_required: bool,
    notice: Option<String>,
    can_verify_identity: bool,
    /// The log's newest checkpoint, which covers the accesses listed: for the person to keep.
    checkpoint: Option<String>,
}

#[derive(Deserialize)]
pub struct AccountQuery {
    notice: Option<String>,
    /// Where the list of accesses starts (older entries).
    after: Option<String>,
    /// Where the list of sessions starts (older sessions).
    sessions_after: Option<String>,
}

pub(crate) fn kind_label(lang: Lang, kind: AccountKind) -> String {
    let key = match kind {
        AccountKind::Citizen => "actor-citizen",
        AccountKind::Officer => "actor-officer",
        AccountKind::PlatformAdmin => "actor-platform-admin",
    };
    i18n::t(lang, key)
}

/// Purposes are recorded in English; known ones are shown translated.
fn purpose_label(lang: Lang, purpose: &str) -> String {
    let slug: String = purpose.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    let key = format!("purpose-{slug}");
    if i18n::has(Lang::En, &key) { i18n::t(lang, &key) } else { purpose.to_owned() }
}

fn action_label(lang: Lang, action: &str) -> String {
    let key = format!("action-{}", action.replace('.', "-"));
    if i18n::has(Lang::En, &key) { i18n::t(lang, &key) } else { action.to_owned() }
}

pub async fn account(
    page: PageContext,
    State(state): State<AppState>,
    user: Authorized<SignedIn>,
    OriginalUri(uri): OriginalUri,
    ApiQuery(q): ApiQuery<AccountQuery>,
) -> Result<Html<String>, WebError> {
    let departments = tamar_tenancy::list(&state.db).await?;
    let names: HashMap<String, String> = departments.iter().map(|d| (d.code.clone(), d.name.get(page.lang).to_owned())).collect();
    let department = user.account.department.and_then(|id: DepartmentId| departments.iter().find(|d| d.id == id)).map(|d| d.name.get(page.lang).to_owned());
    let checkpoint = state.ledger.checkpoint().await?;
    let session_page = tamar_web::paging::request(None, q.sessions_after.as_deref()).map_err(|mut e| {
        e.details.iter_mut().for_each(|d| d.field = "sessions_after");
        e
    })?;
    let accesses = crate::access_log::accesses_of(&state, &user.account, &tamar_web::paging::request(None, q.after.as_deref())?).await?;
    let older = tamar_web::paging::next_of(&accesses, &uri).map(|href| format!("{href}#accesses"));
    let accesses = accesses
        .items
        .iter()
        .map(|r| AccessRow {
            at: r.at.to_rfc3339(),
            at_display: r.at.with_timezone(&hong_kong()).format("%Y-%m-%d %H:%M").to_string(),
            who: crate::access_log::describe(page.lang, &r.who, &names),
            what: action_label(page.lang, &r.action),
            why: purpose_label(page.lang, &r.purpose),
        })
        .collect();
    let kind = kind_label(page.lang, user.account.kind);
    let level = page.t(&format!("assurance-{:?}", user.account.assurance).to_lowercase());
    let sessions = tamar_identity::list_sessions(&state.db, &user.account, &user.token, state.ledger.now(), &session_page)
        .await?;
    let older_sessions =
        sessions.next.as_ref().map(|next| format!("{}#sessions", tamar_web::paging::next_href_as(&uri, "sessions_after", next)));
    let sessions = sessions
        .items
        .into_iter()
        .map(|s| SessionRow {
            id: s.id,
            started: s.created_at.with_timezone(&hong_kong()).format("%Y-%m-%d %H:%M").to_string(),
            device: s.user_agent.unwrap_or_default(),
            current: s.current,
        })
        .collect();
    let notice = q
        .notice
        .filter(|n| matches!(n.as_str(), "email-verified" | "email-sent" | "session-ended" | "identity-submitted" | "consent-revoked" | "contact-saved" | "password-changed" | "two-factor-off"))
        .map(|n| page.t(&format!("notice-{n}")));
    let consents = tamar_oidc::flow::consents_of(&state.db, &user.account)
        .await?
        .into_iter()
        .map(|c| ConsentRow {
            name: c.client.name.get(page.lang).to_owned(),
            what: c.scopes.iter().filter(|s| *s != "openid").map(|s| page.t(&format!("oidc-scope-{s}"))).collect::<Vec<_>>().join("; "),
            since: c.granted_at.with_timezone(&hong_kong()).format("%Y-%m-%d").to_string(),
            client_id: c.client.client_id,
        })
        .collect();
    let passkeys = tamar_identity::passkeys::Passkeys::count(&state.db, &user.account).await?;
    let can_verify_identity =
        user.account.kind == AccountKind::Citizen && user.account.assurance == tamar_identity::Assurance::L1;
    render(&AccountPage {
        page: page.section("account"),
        account: user.account,
        kind,
        level,
        department,
        accesses,
        older,
        older_sessions,
        sessions,
        consents,
        passkeys,
        mfa_required: tamar_identity::mfa::mfa_required(&user.actor),
        notice,
        can_verify_identity,
        checkpoint,
    })
}

