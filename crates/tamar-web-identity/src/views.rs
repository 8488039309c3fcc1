//! What the identity API answers (see `tamar_web::views`).

use chrono::{DateTime, Utc};
use serde::Serialize;
use tamar_core::{AccountId, DepartmentId, LocalizedText, Role};
use tamar_identity::{Account, AccountKind, Assurance};
use tamar_tenancy::Department;
use tamar_web::views::View;

/// A bureau or department.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DepartmentView {
    pub id: DepartmentId,
    /// Short uppercase code, e.g. `IMMD`.
    pub code: String,
    pub name: LocalizedText,
    pub website: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl View for DepartmentView {
    const PERSONAL: &'static [&'static str] = &[];
}

impl From<Department> for DepartmentView {
    fn from(d: Department) -> Self {
        DepartmentView { id: d.id, code: d.code, name: d.name, website: d.website, created_at: d.created_at }
    }
}

/// An officer, as their department's administrators manage them: no home address, phone,
/// Chinese name or identity document, which the department has no need of.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OfficerView {
    pub id: AccountId,
    pub display_name: String,
    /// The work email address, which the officer signs in with.
    pub email: String,
    pub department: Option<DepartmentId>,
    pub roles: Vec<Role>,
    /// Two-factor sign-in is set up; officers can act only once it is.
    pub mfa: bool,
}

impl View for OfficerView {
    const PERSONAL: &'static [&'static str] = &["display_name", "email"];
}

impl From<Account> for OfficerView {
    fn from(a: Account) -> Self {
        OfficerView { id: a.id, display_name: a.display_name, email: a.email, department: a.department, roles: a.roles, mfa: a.mfa }
    }
}

/// The signed-in person's own account, with the details they keep for services to fill in.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AccountView {
    pub id: AccountId,
    pub kind: AccountKind,
    pub email: String,
    /// The name in English (or as the person writes it in Latin letters).
    pub display_name: String,
    /// The name in Chinese, if the person has one.
    pub name_zh: Option<String>,
    pub department: Option<DepartmentId>,
    pub roles: Vec<Role>,
    pub assurance: Assurance,
    /// The HKID as it may be shown, `A123***(3)`, once identity is verified.
    pub hkid_masked: Option<String>,
    /// Two-factor sign-in (TOTP) is on.
    pub mfa: bool,
    /// Postal address, for services the person lets fill in forms (e-ME).
    pub address: Option<String>,
    /// Phone number, likewise.
    pub phone: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl View for AccountView {
    const PERSONAL: &'static [&'static str] = &["email", "display_name", "name_zh", "hkid_masked", "address", "phone"];
}

impl From<Account> for AccountView {
    fn from(a: Account) -> Self {
        AccountView {
            id: a.id,
            kind: a.kind,
            email: a.email,
            display_name: a.display_name,
            name_zh: a.name_zh,
            department: a.department,
            roles: a.roles,
            assurance: a.assurance,
            hkid_masked: a.hkid_masked,
            mfa: a.mfa,
            address: a.address,
            phone: a.phone,
            created_at: a.created_at,
        }
    }
}
