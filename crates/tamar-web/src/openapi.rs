//! The OpenAPI 3.1 document, generated from the handlers' annotations: the kernel's part here
//! (operations, the error body), each module's paths and tags from its declaration.

use std::sync::Arc;

use axum::{Extension, Json};
use utoipa::OpenApi;

use crate::module::Module;

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
pub fn openapi(modules: &[Module]) -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    for module in modules {
        doc.merge((module.openapi)());
    }
    list_codes(&mut doc, modules);
    doc
}

/// Describes the error body's `code` as an enumeration of every code, the kernel's and each
/// module's.
fn list_codes(doc: &mut utoipa::openapi::OpenApi, modules: &[Module]) {
    use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
    use utoipa::openapi::RefOr;
    let codes: Vec<&'static str> = crate::module::codes(modules).into_iter().map(tamar_core::Code::as_str).collect();
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

/// The document of the application's modules, made once when the application is built.
pub async fn document(Extension(doc): Extension<Arc<utoipa::openapi::OpenApi>>) -> Json<utoipa::openapi::OpenApi> {
    Json(utoipa::openapi::OpenApi::clone(&doc))
}
