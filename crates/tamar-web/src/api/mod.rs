//! The platform's own JSON API under `/api/v1`: the OpenAPI document and the tamper-evident
//! log. Each module's API lives in its web crate.

pub mod ledger;

use utoipa::OpenApi;

use crate::access::{Access, get};
use crate::csrf::Declared;

/// The platform's own API, declared for nesting under `/api/v1`.
pub fn routes() -> Declared {
    Declared::new("/api/v1")
        .json("/openapi.json", get(Access::Public, crate::openapi::document))
        .json("/ledger/sth", get(Access::Public, ledger::sth))
        .json("/ledger/checkpoint", get(Access::Public, ledger::checkpoint))
        .json("/ledger/verifier-key", get(Access::Public, ledger::verifier_key))
        .json("/ledger/proof/inclusion", get(Access::Public, ledger::inclusion))
        .json("/ledger/proof/consistency", get(Access::Public, ledger::consistency))
}

/// The platform's paths in the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(ledger::sth, ledger::checkpoint, ledger::verifier_key, ledger::inclusion, ledger::consistency),
    tags((name = "ledger", description = "The tamper-evident log"))
)]
pub struct PlatformApi;
