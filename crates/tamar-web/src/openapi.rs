//! The OpenAPI 3.1 document, generated from the handlers' annotations: the kernel's part here
//! (operations, the error body), each module's paths and tags from its declaration.

use axum::Json;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tamar API",
        description = "The JSON API of Tamar, the digital-government platform. Errors are `{ \"code\", \"message\" }`, with a stable code and a message in the request's language (Accept-Language).",
        license(name = "Apache-2.0"),
    ),
    paths(crate::ops::healthz, crate::ops::readyz, crate::ops::metrics),
    components(schemas(crate::error::ApiErrorBody, crate::error::ApiFieldError, tamar_core::LocalizedText, tamar_core::Role, tamar_core::Lang)),
    tags((name = "operations", description = "Health and metrics"))
)]
pub struct ApiDoc;

/// The whole document: the kernel's part and every module's.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    for module in crate::modules::all() {
        doc.merge((module.openapi)());
    }
    list_codes(&mut doc);
    doc
}

/// Describes the error body's `code` as an enumeration of every code, the kernel's and each
/// module's.
fn list_codes(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
    use utoipa::openapi::RefOr;
    let codes: Vec<&'static str> = crate::modules::codes().into_iter().map(tamar_core::Code::as_str).collect();
    let body = doc.components.as_mut().and_then(|c| c.schemas.get_mut("ApiErrorBody"));
    if let Some(RefOr::T(Schema::Object(body))) = body {
        let described = ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("Stable error code, e.g. `department_not_found`: one of the kernel's or a module's."))
            .enum_values(Some(codes))
            .build();
        body.properties.insert("code".into(), described.into());
    }
}

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(openapi())
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

    /// Each path the document describes is a route some module declares, with that method: the
    /// document is made of the modules' declarations and cannot describe a route that is gone.
    #[test]
    fn every_documented_operation_is_a_declared_route() -> Result<(), serde_json::Error> {
        let doc = serde_json::to_value(openapi())?;
        let declared = crate::routes();
        let paths = doc["paths"].as_object().cloned().unwrap_or_default();
        assert!(paths.len() >= 40, "{} paths", paths.len());
        for (path, operations) in &paths {
            let route = declared.iter().find(|r| &r.path == path);
            assert!(route.is_some(), "{path} is documented but no module declares it");
            let Some(route) = route else { continue };
            for method in operations.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>()).unwrap_or_default() {
                assert!(route.methods.iter().any(|m| m.method.as_str().eq_ignore_ascii_case(&method)), "{method} {path} is documented but not declared");
            }
        }
        let tags: Vec<&str> = doc["tags"].as_array().map(|t| t.iter().filter_map(|t| t["name"].as_str()).collect()).unwrap_or_default();
        for tag in ["operations", "ledger", "departments", "portal", "oidc", "signing"] {
            assert!(tags.contains(&tag), "the {tag} module's tag is in the document: {tags:?}");
        }
        Ok(())
    }

    #[test]
    fn the_document_describes_views_and_every_reference_resolves() -> Result<(), serde_json::Error> {
        let doc = serde_json::to_value(openapi())?;
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
