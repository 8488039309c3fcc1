//! The JSON side of passkeys: the browser's script runs the WebAuthn ceremonies against these.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tamar_identity::passkeys::Passkeys;
use webauthn_rs::prelude::{CreationChallengeResponse, PublicKeyCredential, RegisterPublicKeyCredential, RequestChallengeResponse};

use tamar_web::views::{View, ViewJson};
use tamar_web::access::{Access, post};
use tamar_web::csrf::Declared;
use tamar_web::extract::{ApiJson, SignedIn, StepUp};
use tamar_web::{AppState, WebError};

pub fn routes() -> Declared {
    Declared::new("")
        .json("/api/v1/me/passkeys/registration", post(Access::SignedIn, start_registration))
        .json("/api/v1/me/passkeys", post(Access::SignedIn, finish_registration))
        .json("/api/v1/passkeys/sign-in/options", post(Access::Public, start_sign_in))
        .json("/api/v1/passkeys/sign-in", post(Access::Public, finish_sign_in))
}

fn relying_party(state: &AppState) -> Result<Passkeys, WebError> {
    Ok(Passkeys::new(&state.config.public_url)?)
}

/// A ceremony's id and the WebAuthn options the browser's script hands to the authenticator.
#[derive(Serialize)]
struct Ceremony<T> {
    ceremony: String,
    options: T,
}

impl View for Ceremony<CreationChallengeResponse> {
    /// The options name the account to the authenticator, as WebAuthn requires.
    const PERSONAL: &'static [&'static str] = &["name", "displayName"];
}

impl View for Ceremony<RequestChallengeResponse> {
    const PERSONAL: &'static [&'static str] = &[];
}

/// The password, and the second factor when the account has one, given again.
#[derive(Deserialize)]
pub struct RegistrationProof {
    #[serde(default)]
    password: String,
    #[serde(default)]
    code: String,
}

/// Starts adding a passkey (a sensitive action: a recent sign-in is needed, and the password and
/// second factor again, since the passkey will sign in without them).
pub async fn start_registration(
    State(state): State<AppState>,
    StepUp(user): StepUp<SignedIn>,
    ApiJson(proof): ApiJson<RegistrationProof>,
) -> Result<Response, WebError> {
    let proof = tamar_identity::guard::Proof { password: &proof.password, code: &proof.code };
    let (ceremony, options) = relying_party(&state)?.start_registration(&state.db, &state.ledger, &state.sealer, &user.account, proof).await?;
    Ok(ViewJson(Ceremony { ceremony, options }).into_response())
}

#[derive(Deserialize)]
pub struct Registration {
    ceremony: String,
    credential: RegisterPublicKeyCredential,
}

pub async fn finish_registration(
    State(state): State<AppState>,
    StepUp(user): StepUp<SignedIn>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<Registration>,
) -> Result<StatusCode, WebError> {
    let lang = tamar_core::Lang::negotiate(headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or(""));
    let notice = crate::mail::notice(&state, lang);
    relying_party(&state)?.finish_registration(&state.db, &state.ledger, &user.account, &body.ceremony, &body.credential, &notice).await?;
    Ok(StatusCode::CREATED)
}

pub async fn start_sign_in(State(state): State<AppState>) -> Result<Response, WebError> {
    let (ceremony, options) = relying_party(&state)?.start_sign_in(&state.db, state.ledger.now()).await?;
    Ok(ViewJson(Ceremony { ceremony, options }).into_response())
}

#[derive(Deserialize)]
pub struct SignIn {
    ceremony: String,
    credential: PublicKeyCredential,
}

#[derive(Serialize)]
struct SignedInReply {
    signed_in: bool,
}

impl View for SignedInReply {
    const PERSONAL: &'static [&'static str] = &[];
}

/// Passwordless sign-in: a session by passkey, which counts as two factors.
pub async fn finish_sign_in(State(state): State<AppState>, headers: HeaderMap, ApiJson(body): ApiJson<SignIn>) -> Result<Response, WebError> {
    let user_agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok());
    let (_, token) = relying_party(&state)?.finish_sign_in(&state.db, &state.ledger, &body.ceremony, &body.credential, user_agent).await?;
    let mut response = ViewJson(SignedInReply { signed_in: true }).into_response();
    tamar_web::extract::set_cookie(&mut response, tamar_web::cookies::TamarCookie::Session.with_value(&state.config, token));
    Ok(response)
}

const SCRIPT: &str = include_str!("../static/passkeys.js");

/// The script that offers passkeys where the browser has them; pages work without it.
pub async fn script() -> impl axum::response::IntoResponse {
    ([(axum::http::header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (axum::http::header::CACHE_CONTROL, "public, max-age=3600")], SCRIPT)
}
