use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use tamar_core::{Code, LocalizedText};
use tamar_tenancy::{Department, NewDepartment, TenancyError};

use tamar_web::pages::{PageContext, render, see_other};
use tamar_web::extract::{ApiQuery, Authorized, Officers, PlatformAdmins};
use tamar_web::i18n;
use tamar_web::{AppState, WebError};

#[derive(Default, Deserialize)]
pub struct DepartmentForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    name_tc: String,
    #[serde(default)]
    name_sc: String,
    #[serde(default)]
    website: String,
}

#[derive(Template)]
#[template(path = "admin/departments.html")]
struct DepartmentsAdminPage {
    page: PageContext,
    departments: Vec<Department>,
    form: DepartmentForm,
    error: Option<String>,
    created: Option<String>,
}

#[derive(Deserialize)]
pub struct CreatedQuery {
    created: Option<String>,
}

pub async fn departments(
    page: PageContext,
    State(state): State<AppState>,
    _admin: Authorized<PlatformAdmins>,
    ApiQuery(q): ApiQuery<CreatedQuery>,
) -> Result<Html<String>, WebError> {
    let departments = tamar_tenancy::list(&state.db).await?;
    let created = q.created.filter(|c| departments.iter().any(|d| &d.code == c));
    render(&DepartmentsAdminPage { page: page.section("admin"), departments, form: DepartmentForm::default(), error: None, created })
}

pub async fn create_department(
    page: PageContext,
    State(state): State<AppState>,
    tamar_web::extract::StepUp(admin): tamar_web::extract::StepUp<PlatformAdmins>,
    tamar_web::extract::FormData(form): tamar_web::extract::FormData<DepartmentForm>,
) -> Result<Response, WebError> {
    let new = NewDepartment {
        code: form.code.trim().to_owned(),
        name: LocalizedText::new(&form.name_en, &form.name_tc, &form.name_sc),
        website: Some(form.website.trim().to_owned()).filter(|w| !w.is_empty()),
    };
    match tamar_tenancy::create(&state.db, &state.ledger, &admin.actor, new).await {
        Ok(created) => Ok(see_other(&format!("{}?created={}", page.href("/admin/departments"), created.code))),
        Err(error @ (TenancyError::Invalid { .. } | TenancyError::CodeTaken(_))) => {
            let code = tamar_core::HasCode::code(&error);
            let mut message = i18n::t(page.lang, &format!("error-{}", code.as_str()));
            if let TenancyError::Invalid { field, .. } = error {
                message = i18n::t_args(page.lang, "admin-departments-invalid", &[("field", i18n::t(page.lang, &format!("field-{}", field.replace('.', "-"))))]);
            }
            let departments = tamar_tenancy::list(&state.db).await?;
            let html = render(&DepartmentsAdminPage { page: page.section("admin"), departments, form, error: Some(message), created: None })?;
            let status = if code == tamar_tenancy::codes::DEPARTMENT_CODE_TAKEN { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
            Ok((status, html).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize)]
pub struct OfficeQuery {
    notice: Option<String>,
    problem: Option<String>,
}

struct OfficerRow {
    name: String,
    email: String,
    roles: String,
}

#[derive(Template)]
#[template(path = "office.html")]
struct OfficePage {
    page: PageContext,
    department: Department,
    name: String,
    roles: Vec<String>,
    officers: Option<Vec<OfficerRow>>,
    verifier: bool,
    all_roles: Vec<(&'static str, String)>,
    notice: Option<String>,
    problem: Option<String>,
}

/// An officer's own department. Department administrators also see its officers; each one
/// shown is a logged read.
pub async fn office(
    page: PageContext,
    State(state): State<AppState>,
    officer: Authorized<Officers>,
    ApiQuery(q): ApiQuery<OfficeQuery>,
) -> Result<Html<String>, WebError> {
    let Some(department_id) = officer.actor.department() else { return Err(WebError::new(Code::FORBIDDEN)) };
    let department = tamar_tenancy::by_id(&state.db, department_id).await?;
    let role_label = |r: &tamar_core::Role| i18n::t(page.lang, &format!("role-{}", r.as_str()));
    let roles = officer.account.roles.iter().map(role_label).collect();
    let officers = if officer.actor.has_role(tamar_core::Role::DepartmentAdmin) {
        let list = tamar_identity::list_officers(&state.db, &state.ledger, &officer.actor, department_id).await?;
        Some(
            list.into_iter()
                .map(|o| OfficerRow {
                    roles: o.roles.iter().map(role_label).collect::<Vec<_>>().join(", "),
                    name: o.display_name,
                    email: o.email,
                })
                .collect(),
        )
    } else {
        None
    };
    let name = department.name.get(page.lang).to_owned();
    let verifier = tamar_identity::acts_as(&state.db, &officer.actor, tamar_core::Role::IdentityVerifier).await?;
    // Only the roles this administrator may grant in their department are offered.
    let granter = tamar_core::Granter { actor: &officer.actor, department_code: Some(&department.code) };
    let all_roles = tamar_core::Role::ALL
        .iter()
        .filter(|r| r.may_be_granted(&granter, &department.code))
        .map(|r| (r.as_str(), role_label(r)))
        .collect();
    let notice = q.notice.filter(|n| n == "officer-created").map(|n| page.t(&format!("notice-{n}")));
    let problem = q.problem.filter(|p| p.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') && tamar_web::i18n::has(page.lang, &format!("error-{p}"))).map(|p| page.t(&format!("error-{p}")));
    render(&OfficePage { page: page.section("office"), department, name, roles, officers, verifier, all_roles, notice, problem })
}

/// A department administrator opens an officer's account in their own department.
pub async fn create_officer(
    page: PageContext,
    State(state): State<AppState>,
    tamar_web::extract::StepUp(admin): tamar_web::extract::StepUp<tamar_web::extract::DepartmentAdmins>,
    tamar_web::extract::FormData(form): tamar_web::extract::FormData<std::collections::HashMap<String, String>>,
) -> Result<Response, WebError> {
    let field = |name: &str| form.get(name).cloned().unwrap_or_default();
    let roles = tamar_core::Role::ALL.into_iter().filter(|r| form.contains_key(&format!("role-{}", r.as_str()))).collect();
    let new = tamar_identity::NewAccount {
        kind: tamar_identity::AccountKind::Officer,
        email: field("email"),
        display_name: field("display_name"),
        password: field("password"),
        department: admin.actor.department(),
        roles,
    };
    match tamar_identity::create_account(&state.db, &state.ledger, &admin.actor, new).await {
        Ok(_) => Ok(see_other(&format!("{}?notice=officer-created#officers", page.href("/office")))),
        Err(error @ (tamar_identity::IdentityError::Invalid { .. } | tamar_identity::IdentityError::WeakPassword(_) | tamar_identity::IdentityError::EmailTaken | tamar_identity::IdentityError::RoleNotGrantable)) => {
            let code = tamar_core::HasCode::code(&error);
            Ok(see_other(&format!("{}?problem={}#new-officer", page.href("/office"), code.as_str())))
        }
        Err(other) => Err(other.into()),
    }
}
