//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use axum::Json;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tamar API",
        description = "The JSON API of Tamar, the digital-government platform. Errors are `{ \"code\", \"message\" }`, with a stable code and a message in the request's language (Accept-Language).",
        license(name = "Apache-2.0"),
    ),
    paths(
        crate::api::departments::list,
        crate::api::departments::get,
        crate::api::departments::create,
        crate::api::departments::officers,
        crate::api::departments::create_officer,
        crate::api::me::profile,
        crate::api::me::accesses,
        crate::api::portal::list,
        crate::api::portal::get,
        crate::api::portal::search,
        crate::api::portal::suggest,
        crate::api::portal::my_inbox,
        crate::api::portal::set_done,
        crate::api::portal::my_bookmarks,
        crate::api::portal::add_bookmark,
        crate::api::portal::remove_bookmark,
        crate::api::portal::apps,
        crate::api::portal::register_app,
        crate::api::portal::office_apps,
        crate::api::portal::app_versions,
        crate::api::portal::save_app,
        crate::api::portal::submit_app,
        crate::api::portal::approve_app,
        crate::api::portal::reject_app,
        crate::api::portal::usage,
        crate::api::portal::report_usage,
        crate::api::portal::send_message,
        crate::api::ledger::sth,
        crate::api::ledger::checkpoint,
        crate::api::ledger::verifier_key,
        crate::api::ledger::inclusion,
        crate::api::ledger::consistency,
        crate::oidc::discovery,
        crate::oidc::jwks,
        crate::oidc::token,
        crate::oidc::userinfo,
        crate::oidc::userinfo_post,
        crate::oidc::register_client,
        crate::oidc::list_clients,
        crate::oidc::rotate_keys,
        crate::signing::ca_certificate,
        crate::signing::create,
        crate::signing::outcome,
        crate::signing::verify,
        crate::ops::healthz,
        crate::ops::readyz,
        crate::ops::metrics,
    ),
    components(schemas(crate::error::ApiErrorBody, crate::error::ApiFieldError, tamar_core::LocalizedText, tamar_core::Role, tamar_core::Lang)),
    tags(
        (name = "departments", description = "Bureaux and departments: the tenants"),
        (name = "account", description = "The signed-in person"),
        (name = "portal", description = "The catalogue of services and pages, and search"),
        (name = "apps", description = "The registry of government mobile apps and their use"),
        (name = "ledger", description = "The tamper-evident log"),
        (name = "signing", description = "Digital signing with a Tamar-certified key"),
        (name = "oidc", description = "Sign in with Tamar: the OpenID Connect provider"),
        (name = "operations", description = "Health and metrics"),
    )
)]
pub struct ApiDoc;

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `$ref` anywhere in the document.
    fn refs(value: &serde_json::Value, out: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, inner) in map {
                    match (key.as_str(), inner) {
                        ("$ref", serde_json::Value::String(r)) => out.push(r.clone()),
                        _ => refs(inner, out),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|i| refs(i, out)),
            _ => {}
        }
    }

    #[test]
    fn the_document_describes_views_and_every_reference_resolves() -> Result<(), serde_json::Error> {
        let doc = serde_json::to_value(ApiDoc::openapi())?;
        let schemas = doc["components"]["schemas"].as_object().cloned().unwrap_or_default();
        let mut found = Vec::new();
        refs(&doc, &mut found);
        for r in &found {
            let name = r.trim_start_matches("#/components/schemas/");
            assert!(schemas.contains_key(name), "{r} is referenced but not described");
        }
        // The domain structs that the API used to answer with directly.
        for domain in [
            "Account", "Department", "MobileApp", "AppVersion", "Message", "Content", "ServiceDetails", "Client", "RegisteredClient", "KeyInfo",
            "Jwks", "TokenResponse", "SthView", "InclusionProof", "ConsistencyProof", "SigningRequest", "SigningOutcome", "Signer",
        ] {
            assert!(!schemas.contains_key(domain), "{domain} is a domain struct; the API answers with its view");
        }
        for view in ["OfficerView", "AccountView", "ContentView", "ServiceView", "ClientView", "KeyView", "KeyStateView", "SigningOutcomeView"] {
            assert!(schemas.contains_key(view), "{view} is described");
        }
        let officer = schemas["OfficerView"]["properties"].as_object().map(|p| p.keys().cloned().collect::<Vec<_>>()).unwrap_or_default();
        assert_eq!(officer, ["department", "display_name", "email", "id", "mfa", "roles"]);
        Ok(())
    }
}
