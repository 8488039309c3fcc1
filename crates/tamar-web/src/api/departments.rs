use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use tamar_identity::Account;
use tamar_tenancy::{Department, NewDepartment};

use crate::extract::{Administrators, ApiJson, Authorized, PlatformAdmins, StepUp};
use serde::Deserialize;
use tamar_core::Role;
use crate::{AppState, PublicPage, WebError};

/// Every bureau and department, by code.
#[utoipa::path(get, path = "/api/v1/departments", tag = "departments",
    responses((status = 200, body = Vec<Department>)))]
pub async fn list(State(state): State<AppState>) -> Result<(PublicPage, Json<Vec<Department>>), WebError> {
    Ok((PublicPage, Json(tamar_tenancy::list(&state.db).await?)))
}

/// One department.
#[utoipa::path(get, path = "/api/v1/departments/{code}", tag = "departments",
    params(("code" = String, Path, description = "Department code, e.g. IMMD")),
    responses((status = 200, body = Department), (status = 404, body = crate::error::ApiErrorBody)))]
pub async fn get(State(state): State<AppState>, Path(code): Path<String>) -> Result<(PublicPage, Json<Department>), WebError> {
    Ok((PublicPage, Json(tamar_tenancy::by_code(&state.db, &code).await?)))
}

/// Registers a department (platform administrators).
#[utoipa::path(post, path = "/api/v1/departments", tag = "departments", request_body = NewDepartment,
    responses(
        (status = 201, body = Department),
        (status = 401, body = crate::error::ApiErrorBody),
        (status = 403, body = crate::error::ApiErrorBody),
        (status = 409, body = crate::error::ApiErrorBody),
        (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    StepUp(admin): StepUp<PlatformAdmins>,
    ApiJson(new): ApiJson<NewDepartment>,
) -> Result<(StatusCode, Json<Department>), WebError> {
    let created = tamar_tenancy::create(&state.db, &state.ledger, &admin.actor, new).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// A department's officers (its administrators, and platform administrators). Each officer
/// listed is a logged read of personal data.
#[utoipa::path(get, path = "/api/v1/departments/{code}/officers", tag = "departments",
    params(("code" = String, Path, description = "Department code")),
    responses((status = 200, body = Vec<Account>), (status = 401, body = crate::error::ApiErrorBody),
        (status = 403, body = crate::error::ApiErrorBody), (status = 404, body = crate::error::ApiErrorBody)))]
pub async fn officers(
    State(state): State<AppState>,
    reader: Authorized<Administrators>,
    Path(code): Path<String>,
) -> Result<Json<Vec<Account>>, WebError> {
    let department = tamar_tenancy::by_code(&state.db, &code).await?;
    Ok(Json(tamar_identity::list_officers(&state.db, &state.ledger, &reader.actor, department.id).await?))
}

/// A new officer of a department.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOfficer {
    pub email: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    /// A first password, given to the officer in person; they set up two-factor sign-in at once.
    pub password: String,
}

/// Opens an officer's account in a department: its administrators, or platform administrators.
/// A sensitive action: the caller must have signed in within the last ten minutes.
#[utoipa::path(post, path = "/api/v1/departments/{code}/officers", tag = "departments", request_body = NewOfficer,
    params(("code" = String, Path, description = "Department code")),
    responses((status = 201, body = Account), (status = 401, body = crate::error::ApiErrorBody), (status = 403, body = crate::error::ApiErrorBody),
        (status = 404, body = crate::error::ApiErrorBody), (status = 409, body = crate::error::ApiErrorBody), (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn create_officer(
    State(state): State<AppState>,
    StepUp(admin): StepUp<Administrators>,
    Path(code): Path<String>,
    ApiJson(new): ApiJson<NewOfficer>,
) -> Result<(StatusCode, Json<Account>), WebError> {
    let department = tamar_tenancy::by_code(&state.db, &code).await?;
    let account = tamar_identity::create_account(
        &state.db,
        &state.ledger,
        &admin.actor,
        tamar_identity::NewAccount {
            kind: tamar_identity::AccountKind::Officer,
            email: new.email,
            display_name: new.display_name,
            password: new.password,
            department: Some(department.id),
            roles: new.roles,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(account)))
}
