//! The identity module on the web: registration, sign-in with a second factor or a passkey,
//! identity verification, the personal account, the office's officer pages, the A-Z of
//! departments, and the departments and `/me` API.

mod access_log;
mod account;
mod admin;
mod api;
mod demo;
mod departments;
mod forms;
mod identity;
mod mail;
mod passkeys;
mod security;
mod two_factor;
pub mod views;

pub use demo::{ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_KEY, DemoAccount};

use tamar_core::Role;
use tamar_web::access::{Access, Scope, get, post};
use tamar_web::csrf::Declared;
use tamar_web::module::Module;
use utoipa::OpenApi;

tamar_web::translations!(static TRANSLATIONS);

/// Departments and accounts.
pub fn module() -> Module {
    Module {
        migrations: vec![tamar_tenancy::MIGRATIONS, tamar_identity::MIGRATIONS],
        routes: || pages().merge(passkeys::routes()),
        api: api_routes,
        openapi: IdentityApi::openapi,
        codes: vec![tamar_tenancy::codes::ALL, tamar_identity::codes::ALL],
        translations: Some(&TRANSLATIONS),
        demo: demo::seed,
        ..Module::new("identity")
    }
}

/// The pages: signing in and out, registration, the account, and the office's officer pages.
fn pages() -> Declared {
    Declared::new("")
        .form("/static/passkeys.js", get(Access::Public, passkeys::script))
        .form("/{lang}/departments", get(Access::Public, departments::departments))
        .form("/{lang}/sign-in", get(Access::Public, account::sign_in_form).post(Access::Public, account::sign_in))
        .form("/{lang}/sign-out", post(Access::AnySession, account::sign_out))
        // The second step of signing in: the pending challenge, not a session, says who it is.
        .form("/{lang}/sign-in/code", get(Access::Public, two_factor::code_form).post(Access::Public, two_factor::code))
        .form("/{lang}/account/two-factor", get(Access::AnySession, two_factor::setup_form).post(Access::AnySession, two_factor::setup))
        .form("/{lang}/account", get(Access::SignedIn, account::account))
        .form("/{lang}/register", get(Access::Public, identity::register_form).post(Access::Public, identity::register))
        .form("/{lang}/verify-email", get(Access::Public, identity::verify_email_form).post(Access::Public, identity::verify_email))
        .form("/{lang}/account/verify-email", post(Access::SignedIn, identity::resend_verification))
        .form("/{lang}/account/sessions/{id}/end", post(Access::SignedIn, identity::revoke_session).scoped(Scope::Owner))
        .form("/{lang}/account/identity", get(Access::Citizen, identity::identity_form).post(Access::Citizen, identity::submit_identity))
        .form("/{lang}/account/contact", get(Access::SignedIn, identity::contact_form).post(Access::SignedIn, identity::save_contact))
        .form("/{lang}/account/password", get(Access::SignedIn, identity::password_form).post(Access::SignedIn, identity::change_password))
        .form("/{lang}/account/email", get(Access::SignedIn, security::email_form).post(Access::SignedIn, security::change_email))
        .form(
            "/{lang}/account/two-factor/off",
            get(Access::AnySession, security::two_factor_off_form).post(Access::Citizen, security::turn_two_factor_off),
        )
        .form("/{lang}/office/verifications", get(VERIFIERS, identity::verification_queue))
        .form("/{lang}/office/verifications/{id}", post(VERIFIERS, identity::decide))
        .form("/{lang}/office", get(Access::OFFICER, admin::office))
        .form("/{lang}/office/officers", post(Access::Officer(&[Role::DepartmentAdmin]), admin::create_officer))
        .form("/{lang}/admin/departments", get(Access::PlatformAdmin, admin::departments).post(Access::PlatformAdmin, admin::create_department))
}

/// Officers who check identity documents (the Immigration Department's).
const VERIFIERS: Access = Access::Officer(&[Role::IdentityVerifier]);

/// Departments, their officers, and the signed-in person.
fn api_routes() -> Declared {
    Declared::new("/api/v1")
        .json("/departments", get(Access::Public, api::departments::list).post(Access::PlatformAdmin, api::departments::create))
        .json("/departments/{code}", get(Access::Public, api::departments::get))
        .json(
            "/departments/{code}/officers",
            get(Access::Administrator, api::departments::officers)
                .post(Access::Administrator, api::departments::create_officer)
                .scoped(Scope::Department),
        )
        .json("/me", get(Access::SignedIn, api::me::profile))
        .json("/me/accesses", get(Access::SignedIn, api::me::accesses))
}

/// The identity module's paths in the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(
        api::departments::list, api::departments::get, api::departments::create, api::departments::officers,
        api::departments::create_officer, api::me::profile, api::me::accesses,
    ),
    tags((name = "departments", description = "Bureaux and departments: the tenants"), (name = "account", description = "The signed-in person"))
)]
struct IdentityApi;
