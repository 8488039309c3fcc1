//! "Sign in with Tamar": the OpenID Connect endpoints. Protocol errors follow RFC 6749 (`error`,
//! `error_description`), not Tamar's `{code, message}`, because relying-party libraries read
//! them.

pub mod views;

use std::time::Duration;

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use tamar_core::{Code, Lang};
use tamar_oidc::flow::{self, Interaction, Rejection, SignInNeed};
use tamar_oidc::keys::JWKS_MAX_AGE;
use tamar_oidc::releases::Withheld;
use tamar_oidc::{AuthorizationRequest, LogoutRequest, OidcError, Provider, SigningKeys, TokenRequest, ValidRequest};

use crate::views::{ClientView, JwksView, KeyView, RegisteredClientView, TokenView, UserInfoView};
use tamar_web::views::{ViewJson};
use tamar_web::access::{Access, get, post};
use tamar_web::module::Module;
use tamar_web::schedule::{Job, Placement};
use utoipa::OpenApi;
use tamar_web::csrf::{CrossSite, Declared};
use tamar_web::extract::{ApiJson, Authorized, CurrentSession, PlatformAdmins, SignedIn, StepUp};
use tamar_web::pages::{PageContext, render};
use tamar_web::{AppState, WebError};

tamar_web::translations!(static TRANSLATIONS);

/// Sign in with Tamar: the OpenID Connect provider.
pub fn module() -> Module {
    Module {
        migrations: vec![tamar_oidc::MIGRATIONS],
        routes,
        openapi: OidcApi::openapi,
        codes: vec![tamar_oidc::codes::ALL],
        program_paths: &["/oidc/", "/.well-known/"],
        jobs: || {
            // ID token keys rotate every 90 days, the next key published well before it signs.
            vec![Job::new("oidc-key-rotation", Duration::from_secs(3600), Placement::OneNode, |state| async move {
                tamar_oidc::SigningKeys::ensure(&state.db, &state.sealer, state.ledger.now()).await?;
                state.ledger.notify();
                Ok(())
            })]
        },
        translations: Some(&TRANSLATIONS),
        ..Module::new("oidc")
    }
}

fn routes() -> Declared {
    Declared::new("")
        // JSON for programs, by GET only.
        .json("/.well-known/openid-configuration", get(Access::Public, discovery))
        .json("/oidc/jwks", get(Access::Public, jwks))
        // The authorization endpoint sends people to sign in itself, keeping the request.
        .form("/oidc/authorize", get(Access::Public, authorize_entry))
        .form("/{lang}/oidc/authorize", get(Access::Public, authorize).post(Access::SignedIn, consent))
        // Relying parties call these with a client secret or an access token, never a cookie.
        .route("/oidc/token", CrossSite::NoCookies, post(Access::Client, token))
        .route("/oidc/userinfo", CrossSite::NoCookies, get(Access::Client, userinfo).post(Access::Client, userinfo_post))
        // The end-session endpoint changes nothing by POST: it sends the request on as a GET,
        // which asks for confirmation unless the hint proves the service asked.
        .route("/oidc/logout", CrossSite::ChangesNothing, get(Access::Public, logout).post(Access::Public, logout_post))
        .form("/{lang}/oidc/logout", get(Access::Public, logout_page).post(Access::Public, logout_confirmed))
        .form("/{lang}/account/consents/{client_id}/revoke", post(Access::SignedIn, revoke_consent))
        .form("/{lang}/account/releases", get(Access::SignedIn, releases))
        .json("/api/v1/oidc/clients", get(Access::PlatformAdmin, list_clients).post(Access::PlatformAdmin, register_client))
        .json("/api/v1/oidc/keys/rotate", post(Access::PlatformAdmin, rotate_keys))
}

/// The OpenID Connect provider's paths in the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(discovery, jwks, token, userinfo, userinfo_post, register_client, list_clients, rotate_keys),
    tags((name = "oidc", description = "Sign in with Tamar: the OpenID Connect provider"))
)]
struct OidcApi;

fn issuer(state: &AppState) -> String {
    state.config.public_url.trim_end_matches('/').to_owned()
}

fn provider(state: &AppState) -> (String, Vec<u8>) {
    (issuer(state), state.config.pairwise_key.clone())
}

/// OpenID Provider metadata, as OpenID Connect Discovery 1.0 names its fields.
#[derive(Serialize)]
#[serde(transparent)]
struct ProviderMetadata(serde_json::Value);

impl tamar_web::views::View for ProviderMetadata {
    const PERSONAL: &'static [&'static str] = &[];
}

/// OpenID Provider metadata (OpenID Connect Discovery 1.0).
#[utoipa::path(get, path = "/.well-known/openid-configuration", tag = "oidc", responses((status = 200, description = "Provider metadata")))]
pub async fn discovery(State(state): State<AppState>) -> Response {
    let iss = issuer(&state);
    let body = serde_json::json!({
        "issuer": iss,
        "authorization_endpoint": format!("{iss}/oidc/authorize"),
        "token_endpoint": format!("{iss}/oidc/token"),
        "userinfo_endpoint": format!("{iss}/oidc/userinfo"),
        "jwks_uri": format!("{iss}/oidc/jwks"),
        "end_session_endpoint": format!("{iss}/oidc/logout"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": tamar_oidc::SCOPES.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        "claims_supported": tamar_oidc::SCOPES.iter().flat_map(|(_, c)| c.iter().copied()).chain(["iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "at_hash"]).collect::<Vec<_>>(),
        "acr_values_supported": tamar_oidc::ACR_VALUES,
        "ui_locales_supported": ["en", "zh-HK", "zh-CN"],
        "claims_locales_supported": ["en", "zh-Hant"],
        "authorization_response_iss_parameter_supported": true,
    });
    ([(header::CACHE_CONTROL, "public, max-age=300")], ViewJson(ProviderMetadata(body))).into_response()
}

/// The provider's public signing keys.
#[utoipa::path(get, path = "/oidc/jwks", tag = "oidc", responses((status = 200, body = JwksView)))]
pub async fn jwks(State(state): State<AppState>) -> Result<Response, WebError> {
    let set = SigningKeys::jwks(&state.db, state.ledger.now()).await?;
    // Relying parties cache the keys this long; a new key is published for longer than this
    // before it signs (`tamar_oidc::keys::ACTIVATION_DELAY`).
    let cache = format!("public, max-age={}", JWKS_MAX_AGE.num_seconds());
    Ok(([(header::CACHE_CONTROL, cache)], ViewJson(JwksView::from(set))).into_response())
}

fn lang_of(req: &AuthorizationRequest, headers: &HeaderMap) -> Lang {
    let locales = req.ui_locales.clone().unwrap_or_default().replace(' ', ",");
    let accept = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
    Lang::negotiate(&format!("{locales},{accept}"))
}

/// The authorization endpoint sends people to the page in their language.
pub async fn authorize_entry(headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    let query = query.unwrap_or_default();
    let req: AuthorizationRequest = serde_urlencoded::from_str(&query).unwrap_or_default();
    let lang = lang_of(&req, &headers);
    Redirect::to(&format!("/{}/oidc/authorize?{query}", lang.prefix())).into_response()
}

fn to_client(redirect_uri: &str, params: &[(&str, String)]) -> Response {
    let sep = if redirect_uri.contains('?') { '&' } else { '?' };
    let query = serde_urlencoded::to_string(params).unwrap_or_default();
    Redirect::to(&format!("{redirect_uri}{sep}{query}")).into_response()
}

fn error_to_client(state: &AppState, redirect_uri: &str, client_state: Option<String>, error: &OidcError) -> Response {
    if error.is_server_fault() {
        tracing::error!(%error, "OpenID Connect request failed");
    }
    let mut params = vec![("error", error.oauth_code().to_owned()), ("error_description", error.description()), ("iss", issuer(state))];
    if let Some(s) = client_state {
        params.push(("state", s));
    }
    to_client(redirect_uri, &params)
}

#[derive(Template)]
#[template(path = "oidc/consent.html")]
struct ConsentPage {
    page: PageContext,
    client_name: String,
    purpose: String,
    /// What the service will get.
    claims: Vec<String>,
    /// What it asked for and will not get, and why.
    withheld: Vec<(String, String)>,
    params: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "oidc/problem.html")]
struct ProblemPage {
    page: PageContext,
    message: String,
}

async fn problem(page: PageContext, error: &OidcError) -> Result<Response, WebError> {
    if error.is_server_fault() {
        // Not the request's fault: the error page says so (500 or 503), and the log has why.
        tracing::error!(%error, "OpenID Connect request failed");
        let unavailable = tamar_core::HasCode::code(error).kind() == tamar_core::ErrorKind::Unavailable;
        return Err(WebError::new(if unavailable { Code::UNAVAILABLE } else { Code::INTERNAL }));
    }
    let message = match error {
        OidcError::InvalidClient => page.t("oidc-unknown-client"),
        OidcError::InvalidRequest(_) => page.t("oidc-bad-redirect"),
        _ => page.t("error-internal"),
    };
    Ok((StatusCode::BAD_REQUEST, render(&ProblemPage { page, message })?).into_response())
}

/// After the checks: sign in (again) if needed, ask for consent if not given, else issue a code.
async fn proceed(
    state: &AppState,
    page: PageContext,
    session: &tamar_web::extract::Session,
    valid: ValidRequest,
    raw: &AuthorizationRequest,
    query: &str,
) -> Result<Response, WebError> {
    let now = state.ledger.now();
    let at_client = |error: &OidcError| error_to_client(state, &valid.redirect_uri, valid.state.clone(), error);
    match valid.sign_in_need(session.account.is_some(), session.authenticated_at, now) {
        Ok(SignInNeed::Satisfied) => {}
        Ok(SignInNeed::SignIn) => {
            let back = format!("{}?{query}", page.href("/oidc/authorize"));
            return Ok(Redirect::to(&format!("{}?next={}", page.href("/sign-in"), tamar_web::error::urlencode(&back))).into_response());
        }
        Ok(SignInNeed::SignInAgain) => {
            // Step-up: prove it is still you. The session is replaced by a fresh one.
            let back = format!("{}?{}", page.href("/oidc/authorize"), query.replace("prompt=login", "prompt=").replace("max_age=", "max_age_done="));
            return Ok(Redirect::to(&format!("{}?next={}", page.href("/sign-in"), tamar_web::error::urlencode(&back))).into_response());
        }
        Err(error) => return Ok(at_client(&error)),
    }
    let Some(account) = session.account.clone() else { return Err(WebError::new(Code::UNAUTHENTICATED)) };
    let by_passkey = session.method.as_deref() == Some("passkey");
    if tamar_identity::mfa::mfa_required(&session.actor) && !account.mfa && !by_passkey {
        if let Err(error) = valid.may_show(Interaction::Other) {
            return Ok(at_client(&error));
        }
        return Err(WebError::new(Code::MFA_REQUIRED));
    }
    match flow::check_level(&valid, &account, by_passkey) {
        flow::LevelCheck::Enough => {}
        flow::LevelCheck::StepUp => {
            if let Err(error) = valid.may_show(Interaction::SignIn) {
                return Ok(at_client(&error));
            }
            // Level 3 needs this session to be a passkey's: sign in with it, and come back.
            let back = format!("{}?{query}", page.href("/oidc/authorize"));
            return Ok(Redirect::to(&format!("{}?passkey=1&next={}", page.href("/sign-in"), tamar_web::error::urlencode(&back))).into_response());
        }
        flow::LevelCheck::Unreachable => {
            return Ok(at_client(&OidcError::AccessDenied("the service needs a higher level of assurance than this account has")));
        }
    }
    if !flow::has_consent(&state.db, &account, &valid.client, &valid.scopes).await? {
        if let Err(error) = valid.may_show(Interaction::Consent) {
            return Ok(at_client(&error));
        }
        // The person's pre-fill settings apply on top of consent: say what will not go out.
        let plan = tamar_oidc::releases::plan(&state.db, &account, &valid.scopes).await?;
        let claims = plan.released().map(|s| page.t(&format!("oidc-scope-{s}"))).collect();
        let withheld = plan
            .withheld()
            .map(|(s, why)| {
                let reason = match why {
                    Withheld::NotPrefilled => "oidc-withheld-not-prefilled",
                    Withheld::NotOnAccount => "oidc-withheld-not-on-account",
                };
                (page.t(&format!("oidc-scope-{s}")), page.t(reason))
            })
            .collect();
        let params = serde_urlencoded::from_str::<Vec<(String, String)>>(&serde_urlencoded::to_string(raw).unwrap_or_default()).unwrap_or_default();
        let client_name = valid.client.name.get(page.lang).to_owned();
        let purpose = valid.client.purpose.get(page.lang).to_owned();
        return Ok(render(&ConsentPage { page, client_name, purpose, claims, withheld, params })?.into_response());
    }
    let auth_time = session.authenticated_at.unwrap_or(now);
    match flow::issue_code(&state.db, &state.ledger, &valid, &account, by_passkey, auth_time).await {
        Ok(code) => {
            let mut params = vec![("code", code), ("iss", issuer(state))];
            if let Some(s) = valid.state.clone() {
                params.push(("state", s));
            }
            Ok(to_client(&valid.redirect_uri, &params))
        }
        Err(error @ OidcError::AccessDenied(_)) => Ok(error_to_client(state, &valid.redirect_uri, valid.state.clone(), &error)),
        Err(other) => Err(other.into()),
    }
}

pub async fn authorize(
    page: PageContext,
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let query = query.unwrap_or_default();
    let raw: AuthorizationRequest = serde_urlencoded::from_str(&query).map_err(|_| WebError::new(Code::INVALID_QUERY))?;
    match raw.validate(&state.db).await {
        Ok(valid) => proceed(&state, page, &session, valid, &raw, &query).await,
        Err(Rejection::Here(error)) => problem(page, &error).await,
        Err(Rejection::AtClient { redirect_uri, state: client_state, error }) => Ok(error_to_client(&state, &redirect_uri, client_state, &error)),
    }
}

#[derive(Deserialize)]
pub struct ConsentForm {
    decision: String,
    #[serde(flatten)]
    request: AuthorizationRequest,
}

pub async fn consent(
    page: PageContext,
    State(state): State<AppState>,
    user: Authorized<SignedIn>,
    CurrentSession(session): CurrentSession,
    tamar_web::extract::FormData(form): tamar_web::extract::FormData<ConsentForm>,
) -> Result<Response, WebError> {
    let query = serde_urlencoded::to_string(&form.request).unwrap_or_default();
    let valid = match form.request.validate(&state.db).await {
        Ok(valid) => valid,
        Err(Rejection::Here(error)) => return problem(page, &error).await,
        Err(Rejection::AtClient { redirect_uri, state: s, error }) => return Ok(error_to_client(&state, &redirect_uri, s, &error)),
    };
    if form.decision != "allow" {
        let denied = OidcError::AccessDenied("the person did not agree to share their details");
        return Ok(error_to_client(&state, &valid.redirect_uri, valid.state.clone(), &denied));
    }
    flow::grant_consent(&state.db, &state.ledger, &user.account, &valid.client, &valid.scopes).await?;
    proceed(&state, page, &session, valid, &form.request, &query).await
}

#[derive(Serialize)]
struct OAuthError {
    error: &'static str,
    error_description: String,
}

fn oauth_error(error: &OidcError) -> Response {
    // The detail of a fault of ours goes to the log; the client gets a fixed description.
    if error.is_server_fault() {
        tracing::error!(%error, "OpenID Connect request failed");
    }
    let status = match error {
        OidcError::InvalidClient | OidcError::InvalidToken => StatusCode::UNAUTHORIZED,
        e if e.is_server_fault() && tamar_core::HasCode::code(e).kind() == tamar_core::ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        e if e.is_server_fault() => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    };
    let mut response = (status, axum::Json(OAuthError { error: error.oauth_code(), error_description: error.description() })).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    match error {
        OidcError::InvalidClient => {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"tamar\""));
        }
        OidcError::InvalidToken => {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer error=\"invalid_token\""));
        }
        _ => {}
    }
    response
}

#[derive(Default, Deserialize)]
pub struct TokenForm {
    grant_type: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

/// The token endpoint: a code and its PKCE verifier for an ID token and an access token.
#[utoipa::path(post, path = "/oidc/token", tag = "oidc", responses((status = 200, body = TokenView), (status = 400, description = "RFC 6749 error")))]
pub async fn token(State(state): State<AppState>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let form: TokenForm = match serde_urlencoded::from_bytes(&body) {
        Ok(form) => form,
        Err(_) => return oauth_error(&OidcError::InvalidRequest("the body must be application/x-www-form-urlencoded")),
    };
    let credentials = tamar_web::extract::basic_credentials(&headers).or_else(|| Some((form.client_id.clone()?, form.client_secret.clone()?)));
    let Some((client_id, secret)) = credentials else { return oauth_error(&OidcError::InvalidClient) };
    let client = match tamar_oidc::clients::authenticate(&state.db, &client_id, &secret).await {
        Ok(client) => client,
        Err(e) => return oauth_error(&e),
    };
    if form.grant_type.as_deref() != Some("authorization_code") {
        return oauth_error(&OidcError::UnsupportedGrantType);
    }
    let (iss, key) = provider(&state);
    let request = TokenRequest {
        code: form.code.as_deref().unwrap_or(""),
        redirect_uri: form.redirect_uri.as_deref().unwrap_or(""),
        code_verifier: form.code_verifier.as_deref().unwrap_or(""),
    };
    match flow::exchange(&state.db, &state.ledger, &Provider { issuer: &iss, pairwise_key: &key, hkid_key: &state.hkid_key, sealer: &state.sealer }, &client, request).await {
        Ok(tokens) => ([(header::CACHE_CONTROL, "no-store"), (header::PRAGMA, "no-cache")], ViewJson(TokenView::from(tokens))).into_response(),
        Err(e) => oauth_error(&e),
    }
}

/// The UserInfo endpoint: the consented claims for a bearer access token.
#[utoipa::path(get, path = "/oidc/userinfo", tag = "oidc", responses((status = 200, description = "Claims"), (status = 401, description = "invalid_token")))]
pub async fn userinfo(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let token = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")).unwrap_or("").trim();
    let (iss, key) = provider(&state);
    match flow::userinfo(&state.db, &state.ledger, &Provider { issuer: &iss, pairwise_key: &key, hkid_key: &state.hkid_key, sealer: &state.sealer }, token).await {
        Ok(claims) => ([(header::CACHE_CONTROL, "no-store")], ViewJson(UserInfoView(claims))).into_response(),
        Err(e) => oauth_error(&e),
    }
}

/// The UserInfo endpoint, by POST (OpenID Connect Core §5.3.1 allows both).
#[utoipa::path(post, path = "/oidc/userinfo", tag = "oidc", operation_id = "userinfo_post",
    responses((status = 200, description = "Claims"), (status = 401, description = "invalid_token")))]
pub async fn userinfo_post(state: State<AppState>, headers: HeaderMap) -> Response {
    userinfo(state, headers).await
}

fn logout_lang(req: &LogoutRequest, headers: &HeaderMap) -> Lang {
    let locales = req.ui_locales.clone().unwrap_or_default().replace(' ', ",");
    let accept = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
    Lang::negotiate(&format!("{locales},{accept}"))
}

/// Ends this browser's session, and sends it on.
async fn sign_out_to(state: &AppState, session: &tamar_web::extract::Session, to: &str) -> Result<Response, WebError> {
    if let (Some(token), Some(account)) = (&session.token, &session.account) {
        tamar_identity::end_session(&state.db, &state.ledger, &account.actor(), token).await?;
    }
    let mut response = Redirect::to(to).into_response();
    tamar_web::extract::set_cookie(&mut response, tamar_web::cookies::TamarCookie::Session.expired(&state.config));
    Ok(response)
}

/// The checked client, address and state, as the confirmation page carries them.
fn logout_params(checked: &tamar_oidc::Logout) -> Vec<(&'static str, String)> {
    let mut params = Vec::new();
    if let Some(client) = &checked.client {
        params.push(("client_id", client.client_id.clone()));
    }
    if let Some(uri) = &checked.redirect_uri {
        params.push(("post_logout_redirect_uri", uri.clone()));
    }
    if let Some(s) = &checked.state {
        params.push(("state", s.clone()));
    }
    params
}

/// RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0). With an `id_token_hint` that
/// proves the client asked for this person, the session ends at once and the person goes
/// back to the client's registered address; otherwise they are asked on a page first.
pub async fn logout(State(state): State<AppState>, CurrentSession(session): CurrentSession, headers: HeaderMap, RawQuery(query): RawQuery) -> Result<Response, WebError> {
    let req: LogoutRequest = serde_urlencoded::from_str(query.as_deref().unwrap_or("")).map_err(|_| WebError::new(Code::INVALID_QUERY))?;
    let lang = logout_lang(&req, &headers);
    let account = session.account.as_ref().map(|a| a.id);
    let checked = tamar_oidc::logout::check(&state.db, &issuer(&state), &state.config.pairwise_key, &req, account).await?;
    let home = format!("/{}/", lang.prefix());
    if account.is_none() {
        // Nobody is signed in here: nothing to end.
        return Ok(Redirect::to(&checked.target().unwrap_or(home)).into_response());
    }
    if checked.without_asking {
        return sign_out_to(&state, &session, &checked.target().unwrap_or(home)).await;
    }
    let params = logout_params(&checked);
    let query = if params.is_empty() { String::new() } else { format!("?{}", serde_urlencoded::to_string(params).unwrap_or_default()) };
    Ok(Redirect::to(&format!("/{}/oidc/logout{query}", lang.prefix())).into_response())
}

/// The same by form POST, which the specification allows. A cross-site POST carries no session
/// cookie (SameSite), so it goes on as a GET with the same parameters.
pub async fn logout_post(body: axum::body::Bytes) -> Result<Response, WebError> {
    let req: LogoutRequest = serde_urlencoded::from_bytes(&body).map_err(|_| WebError::new(Code::INVALID_FORM))?;
    let query = serde_urlencoded::to_string(&req).unwrap_or_default();
    Ok(Redirect::to(&format!("/oidc/logout?{query}")).into_response())
}

#[derive(Template)]
#[template(path = "oidc/logout.html")]
struct LogoutPage {
    page: PageContext,
    client_name: Option<String>,
    params: Vec<(&'static str, String)>,
}

/// The end-session parameters this page carries; an ID token hint is not needed here, where
/// the person answers for themselves.
#[derive(Deserialize)]
pub struct LogoutForm {
    client_id: Option<String>,
    post_logout_redirect_uri: Option<String>,
    state: Option<String>,
}

impl LogoutForm {
    fn request(self) -> LogoutRequest {
        LogoutRequest { client_id: self.client_id, post_logout_redirect_uri: self.post_logout_redirect_uri, state: self.state, ..LogoutRequest::default() }
    }
}

/// Asks the person whether to sign out of Tamar, as a service asked.
pub async fn logout_page(
    page: PageContext,
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
    tamar_web::extract::ApiQuery(form): tamar_web::extract::ApiQuery<LogoutForm>,
) -> Result<Response, WebError> {
    let checked = tamar_oidc::logout::check(&state.db, &issuer(&state), &state.config.pairwise_key, &form.request(), None).await?;
    if session.account.is_none() {
        return Ok(Redirect::to(&checked.target().unwrap_or_else(|| page.href("/"))).into_response());
    }
    let client_name = checked.client.as_ref().map(|c| c.name.get(page.lang).to_owned());
    let params = logout_params(&checked);
    Ok(render(&LogoutPage { page, client_name, params })?.into_response())
}

/// The person confirmed (a form with a CSRF token): sign out, and go back to the service if it
/// gave a registered address.
pub async fn logout_confirmed(
    page: PageContext,
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
    tamar_web::extract::FormData(form): tamar_web::extract::FormData<LogoutForm>,
) -> Result<Response, WebError> {
    let checked = tamar_oidc::logout::check(&state.db, &issuer(&state), &state.config.pairwise_key, &form.request(), None).await?;
    sign_out_to(&state, &session, &checked.target().unwrap_or_else(|| page.href("/"))).await
}

pub async fn revoke_consent(
    page: PageContext,
    State(state): State<AppState>,
    user: Authorized<SignedIn>,
    Path((_, client_id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    flow::revoke_consent(&state.db, &state.ledger, &user.account, &client_id).await?;
    Ok(tamar_web::pages::see_other(&format!("{}?notice=consent-revoked#consents", page.href("/account"))))
}

/// Registers a relying party (platform administrators). The secret is in this answer only.
#[utoipa::path(post, path = "/api/v1/oidc/clients", tag = "oidc", request_body = tamar_oidc::NewClient,
    responses((status = 201, body = RegisteredClientView), (status = 401, body = tamar_web::error::ApiErrorBody),
        (status = 403, body = tamar_web::error::ApiErrorBody), (status = 422, body = tamar_web::error::ApiErrorBody)))]
pub async fn register_client(
    State(state): State<AppState>,
    StepUp(admin): StepUp<PlatformAdmins>,
    ApiJson(new): ApiJson<tamar_oidc::NewClient>,
) -> Result<(StatusCode, ViewJson<RegisteredClientView>), WebError> {
    let registered = tamar_oidc::clients::register(&state.db, &state.ledger, &admin.actor, new).await?;
    Ok((StatusCode::CREATED, ViewJson(registered.into())))
}

/// The registered relying parties (platform administrators), never with their secrets.
#[utoipa::path(get, path = "/api/v1/oidc/clients", tag = "oidc",
    responses((status = 200, body = Vec<ClientView>), (status = 401, body = tamar_web::error::ApiErrorBody), (status = 403, body = tamar_web::error::ApiErrorBody)))]
pub async fn list_clients(State(state): State<AppState>, _admin: Authorized<PlatformAdmins>) -> Result<ViewJson<Vec<ClientView>>, WebError> {
    let clients = tamar_oidc::clients::list(&state.db).await?;
    Ok(ViewJson(clients.into_iter().map(ClientView::from).collect()))
}

#[derive(Template)]
#[template(path = "account/releases.html")]
struct ReleasesPage {
    page: PageContext,
    releases: Vec<ReleaseRow>,
    older: Option<String>,
}

struct ReleaseRow {
    at: String,
    at_display: String,
    service: String,
    what: String,
}

#[derive(Deserialize)]
pub struct ReleasesQuery {
    before: Option<String>,
}

/// What of the person's details went to which service, and when (newest first, in pages).
pub async fn releases(
    page: PageContext,
    State(state): State<AppState>,
    user: Authorized<SignedIn>,
    tamar_web::extract::ApiQuery(q): tamar_web::extract::ApiQuery<ReleasesQuery>,
) -> Result<Response, WebError> {
    let found = tamar_oidc::releases::releases_of(&state.db, user.account.id, q.before.as_deref()).await?;
    let lang = page.lang;
    let releases = found
        .releases
        .iter()
        .map(|r| ReleaseRow {
            at: r.released_at.to_rfc3339(),
            at_display: r.released_at.with_timezone(&tamar_web::pages::hong_kong()).format("%Y-%m-%d %H:%M").to_string(),
            service: r.client_name.as_ref().map_or_else(|| page.t("releases-service-gone"), |n| n.get(lang).to_owned()),
            what: r.scopes.iter().map(|s| page.t(&format!("oidc-scope-{s}"))).collect::<Vec<_>>().join("; "),
        })
        .collect();
    Ok(render(&ReleasesPage { page: page.section("account"), releases, older: found.older })?.into_response())
}

/// Publishes the next signing key (platform administrators). It signs only after
/// `signs_from`, once relying parties' cached copies of the JWKS have it.
#[utoipa::path(post, path = "/api/v1/oidc/keys/rotate", tag = "oidc",
    responses((status = 200, body = KeyView), (status = 401, body = tamar_web::error::ApiErrorBody), (status = 403, body = tamar_web::error::ApiErrorBody)))]
pub async fn rotate_keys(State(state): State<AppState>, StepUp(admin): StepUp<PlatformAdmins>) -> Result<ViewJson<KeyView>, WebError> {
    // Making an RSA key takes a while: not on the request's thread.
    let key = tokio::task::spawn_blocking(SigningKeys::generate).await.map_err(|error| {
        tracing::error!(%error, "making an ID token key panicked");
        WebError::new(Code::INTERNAL)
    })??;
    let next = SigningKeys::publish(&state.db, &state.sealer, &admin.actor, key, state.ledger.now()).await?;
    state.ledger.notify();
    Ok(ViewJson(next.into()))
}
