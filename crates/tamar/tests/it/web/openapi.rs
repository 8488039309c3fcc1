//! The OpenAPI document, made of the modules' declarations.

fn openapi() -> utoipa::openapi::OpenApi {
    tamar_web::openapi::openapi(&tamar::modules::all())
}

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
    let declared = tamar_web::routes(&tamar::modules::all());
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
