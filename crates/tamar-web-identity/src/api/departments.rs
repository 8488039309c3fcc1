use axum::extract::{Path, State};
use axum::http::StatusCode;
use tamar_tenancy::NewDepartment;

use tamar_web::extract::{Administrators, ApiJson, Authorized, PlatformAdmins, StepUp};
use serde::Deserialize;
use tamar_core::Role;
use crate::views::{DepartmentView, OfficerView};
use tamar_web::views::{ViewJson};
use tamar_web::{AppState, PublicPage, WebError};

/// Every bureau and department, by code.
#[utoipa::path(get, path = "/api/v1/departments", tag = "departments",
    responses((status = 200, body = Vec<DepartmentView>)))]
pub async fn list(State(state): State<AppState>) -> Result<(PublicPage, ViewJson<Vec<DepartmentView>>), WebError> {
    let departments = tamar_tenancy::list(&state.db).await?;
    Ok((PublicPage, ViewJson(departments.into_iter().map(DepartmentView::from).collect())))
}

/// One department.
#[utoipa::path(get, path = "/api/v1/departments/{code}", tag = "departments",
    params(("code" = String, Path, description = "Department code, e.g. IMMD")),
    responses((status = 200, body = DepartmentView), (status = 404, body = tamar_web::error::ApiErrorBody)))]
pub async fn get(State(state): State<AppState>, Path(code): Path<String>) -> Result<(PublicPage, ViewJson<DepartmentView>), WebError> {
    Ok((PublicPage, ViewJson(tamar_tenancy::by_code(&state.db, &code).await?.into())))
}

/// Registers a department (platform administrators).
#[utoipa::path(post, path = "/api/v1/departments", tag = "departments", request_body = NewDepartment,
    responses(
        (status = 201, body = DepartmentView),
        (status = 401, body = tamar_web::error::ApiErrorBody),
        (status = 403, body = tamar_web::error::ApiErrorBody),
        (status = 409, body = tamar_web::error::ApiErrorBody),
        (status = 422, body = tamar_web::error::ApiErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    StepUp(admin): StepUp<PlatformAdmins>,
    ApiJson(new): ApiJson<NewDepartment>,
) -> Result<(StatusCode, ViewJson<DepartmentView>), WebError> {
    let created = tamar_tenancy::create(&state.db, &state.ledger, &admin.actor, new).await?;
    Ok((StatusCode::CREATED, ViewJson(created.into())))
}

/// A department's officers (its administrators, and platform administrators): what managing
/// them needs, and no more. Each officer listed is a logged read of personal data.
#[utoipa::path(get, path = "/api/v1/departments/{code}/officers", tag = "departments",
    params(("code" = String, Path, description = "Department code")),
    responses((status = 200, body = Vec<OfficerView>), (status = 401, body = tamar_web::error::ApiErrorBody),
        (status = 403, body = tamar_web::error::ApiErrorBody), (status = 404, body = tamar_web::error::ApiErrorBody)))]
pub async fn officers(
    State(state): State<AppState>,
    reader: Authorized<Administrators>,
    Path(code): Path<String>,
) -> Result<ViewJson<Vec<OfficerView>>, WebError> {
    let department = tamar_tenancy::by_code(&state.db, &code).await?;
    let officers = tamar_identity::list_officers(&state.db, &state.ledger, &reader.actor, department.id).await?;
    Ok(ViewJson(officers.into_iter().map(OfficerView::from).collect()))
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
    responses((status = 201, body = OfficerView), (status = 401, body = tamar_web::error::ApiErrorBody), (status = 403, body = tamar_web::error::ApiErrorBody),
        (status = 404, body = tamar_web::error::ApiErrorBody), (status = 409, body = tamar_web::error::ApiErrorBody), (status = 422, body = tamar_web::error::ApiErrorBody)))]
pub async fn create_officer(
    State(state): State<AppState>,
    StepUp(admin): StepUp<Administrators>,
    Path(code): Path<String>,
    ApiJson(new): ApiJson<NewOfficer>,
) -> Result<(StatusCode, ViewJson<OfficerView>), WebError> {
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
    Ok((StatusCode::CREATED, ViewJson(account.into())))
}
