//! The JSON API under `/api/v1`. Its OpenAPI 3.1 document is generated from these handlers.

pub mod departments;
pub mod ledger;
pub mod me;

use axum::Router;
use axum::routing::get;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(crate::openapi::document))
        .route("/departments", get(departments::list).post(departments::create))
        .route("/departments/{code}", get(departments::get))
        .route("/departments/{code}/officers", get(departments::officers).post(departments::create_officer))
        .route("/me", get(me::profile))
        .route("/me/accesses", get(me::accesses))
        .route("/ledger/sth", get(ledger::sth))
        .route("/ledger/proof/inclusion", get(ledger::inclusion))
        .route("/ledger/proof/consistency", get(ledger::consistency))
}
