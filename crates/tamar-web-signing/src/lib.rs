//! Digital signing (iAM Smart+): services ask through the API, people sign on a page.

pub mod views;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine;
use serde::{Deserialize, Serialize};
use tamar_core::Code;
use tamar_signing::{NewSigningRequest, RequestForPerson, SigningError};

use crate::views::{SignerView, SigningOutcomeView, SigningRequestView};
use tamar_web::views::{View, ViewJson};
use tamar_web::access::{Access, get, post};
use tamar_web::module::Module;
use tamar_web::csrf::{CrossSite, Declared};
use tamar_web::extract::{ApiJson, Authorized, Citizens, FormData, StepUp};
use tamar_web::pages::{PageContext, render, see_other};
use tamar_web::{AppState, WebError};

tamar_web::translations!(static TRANSLATIONS);

/// Digital signing of documents the person confirms.
pub fn module() -> Module {
    Module {
        migrations: vec![tamar_signing::MIGRATIONS],
        routes,
        openapi: <SigningApi as utoipa::OpenApi>::openapi,
        codes: vec![tamar_signing::codes::ALL],
        program_paths: &["/signing/"],
        translations: Some(&TRANSLATIONS),
        ..Module::new("signing")
    }
}

fn routes() -> Declared {
    Declared::new("")
        .form("/signing/ca.pem", get(Access::Public, ca_certificate))
        // Services authenticate with their client secret; verifying is open to anyone.
        .route("/api/v1/signing/requests", CrossSite::NoCookies, post(Access::Client, create))
        .route("/api/v1/signing/requests/{id}", CrossSite::NoCookies, get(Access::Client, outcome))
        .route("/api/v1/signing/verify", CrossSite::NoCookies, post(Access::Public, verify))
        // Whoever the service sent, with the short code it showed them, signs.
        .form("/{lang}/sign/{id}", get(Access::Citizen, page).post(Access::Citizen, decide))
}

/// Signing's paths in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(ca_certificate, create, outcome, verify), tags((name = "signing", description = "Digital signing with a Tamar-certified key")))]
struct SigningApi;

/// The Tamar Signing CA's certificate, for checking signatures offline.
#[utoipa::path(get, path = "/signing/ca.pem", tag = "signing", responses((status = 200, description = "PEM certificate", content_type = "application/x-pem-file")))]
pub async fn ca_certificate(State(state): State<AppState>) -> Response {
    ([(header::CONTENT_TYPE, "application/x-pem-file"), (header::CACHE_CONTROL, "public, max-age=3600")], state.signing.certificate_pem()).into_response()
}

async fn client_of(state: &AppState, headers: &HeaderMap) -> Result<tamar_oidc::Client, WebError> {
    let (id, secret) = tamar_web::extract::basic_credentials(headers).ok_or(WebError::new(Code::UNAUTHENTICATED))?;
    match tamar_oidc::clients::authenticate(&state.db, &id, &secret).await {
        Ok(client) => Ok(client),
        Err(tamar_oidc::OidcError::InvalidClient) => Err(WebError::new(Code::UNAUTHENTICATED)),
        // The database failing is an outage (503) or a fault (500), never a wrong password.
        Err(other) => Err(other.into()),
    }
}

/// A service asks the person to sign a document (client credentials, HTTP Basic). Show the
/// person `short_code`, and send them to `/{lang}/sign/{id}` on Tamar.
#[utoipa::path(post, path = "/api/v1/signing/requests", tag = "signing", operation_id = "create_signing_request", request_body = NewSigningRequest,
    responses((status = 201, body = SigningRequestView), (status = 401, body = tamar_web::error::ApiErrorBody), (status = 422, body = tamar_web::error::ApiErrorBody)))]
pub async fn create(State(state): State<AppState>, headers: HeaderMap, ApiJson(new): ApiJson<NewSigningRequest>) -> Result<(StatusCode, ViewJson<SigningRequestView>), WebError> {
    let client = client_of(&state, &headers).await?;
    let request = tamar_signing::create_request(&state.db, &state.ledger, &client, new).await?;
    Ok((StatusCode::CREATED, ViewJson(request.into())))
}

/// The outcome of a request, for the service that made it.
#[utoipa::path(get, path = "/api/v1/signing/requests/{id}", tag = "signing", operation_id = "signing_request_outcome", params(("id" = String, Path, description = "Request id")),
    responses((status = 200, body = SigningOutcomeView), (status = 401, body = tamar_web::error::ApiErrorBody), (status = 404, body = tamar_web::error::ApiErrorBody)))]
pub async fn outcome(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Result<ViewJson<SigningOutcomeView>, WebError> {
    let client = client_of(&state, &headers).await?;
    let outcome = tamar_signing::outcome_for_client(&state.db, &client, &id, &state.config.pairwise_key, state.ledger.now()).await?;
    Ok(ViewJson(outcome.into()))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyRequest {
    /// SHA-256 of the document, hexadecimal.
    pub document_hash: String,
    /// The signature, base64.
    pub signature: String,
    /// The signer's certificate, PEM.
    pub certificate: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct VerifyResult {
    pub valid: bool,
    pub signer: Option<SignerView>,
    /// Why not, when not valid.
    pub reason: Option<String>,
}

impl View for VerifyResult {
    /// The signer, as their certificate names them.
    const PERSONAL: &'static [&'static str] = &["name", "serial"];
}

/// Checks a signature against the Tamar Signing CA. Anyone may ask.
#[utoipa::path(post, path = "/api/v1/signing/verify", tag = "signing", operation_id = "verify_signature", request_body = VerifyRequest,
    responses((status = 200, body = VerifyResult), (status = 400, body = tamar_web::error::ApiErrorBody)))]
pub async fn verify(State(state): State<AppState>, ApiJson(req): ApiJson<VerifyRequest>) -> Result<ViewJson<VerifyResult>, WebError> {
    let digest = hex::decode(req.document_hash.trim()).map_err(|_| WebError::new(Code::INVALID_INPUT))?;
    let signature = base64::engine::general_purpose::STANDARD.decode(req.signature.trim()).map_err(|_| WebError::new(Code::INVALID_INPUT))?;
    let certificate = tamar_signing::certificate_der(req.certificate.as_bytes())?;
    let result = match tamar_signing::verify_signature(state.signing.certificate_der(), &certificate, &digest, &signature, state.ledger.now()) {
        Ok(signer) => VerifyResult { valid: true, signer: Some(signer.into()), reason: None },
        Err(SigningError::BadSignature(why)) => VerifyResult { valid: false, signer: None, reason: Some(why.to_owned()) },
        Err(other) => return Err(other.into()),
    };
    Ok(ViewJson(result))
}

#[derive(Template)]
#[template(path = "sign.html")]
struct SignPage {
    page: PageContext,
    request: RequestForPerson,
    client_name: String,
    can_sign: bool,
}

pub async fn page(page: PageContext, State(state): State<AppState>, citizen: Authorized<Citizens>, Path((_, id)): Path<(String, String)>) -> Result<Html<String>, WebError> {
    let request = tamar_signing::request_for_person(&state.db, &id, state.ledger.now()).await?;
    let can_sign = citizen.account.assurance >= tamar_identity::Assurance::L2 && request.status == "pending" && !request.expired;
    let client_name = request.client_name.get(page.lang).to_owned();
    render(&SignPage { page: page.section("account"), request, client_name, can_sign })
}

#[derive(Deserialize)]
pub struct Decision {
    decision: String,
}

/// Signing is sensitive: a sign-in within the last ten minutes is needed (step-up).
pub async fn decide(
    page: PageContext,
    State(state): State<AppState>,
    StepUp(citizen): StepUp<Citizens>,
    Path((_, id)): Path<(String, String)>,
    FormData(form): FormData<Decision>,
) -> Result<Response, WebError> {
    match form.decision.as_str() {
        "sign" => tamar_signing::approve(&state.db, &state.ledger, &state.signing, &citizen.account, &id, &state.config.pairwise_key).await?,
        "decline" => tamar_signing::decline(&state.db, &state.ledger, &citizen.account, &id).await?,
        _ => return Err(WebError::new(Code::INVALID_FORM)),
    }
    Ok(see_other(&page.href(&format!("/sign/{id}"))))
}
