use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::views::{ConsistencyProofView, InclusionProofView, TreeHeadView, ViewJson};
use crate::cache::LogPage;
use crate::extract::ApiQuery;
use crate::{AppState, WebError};

fn text(body: String) -> Response {
    (LogPage, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

/// The newest signed tree head as a C2SP tlog-checkpoint: a signed note (origin, tree size,
/// base64 root hash, a blank line, the log's Ed25519 signature line), which transparency-log
/// witnesses and verifiers read as it is. Keep a copy: `tamar verify-log --trusted-head`
/// shows whether the log still extends it. Also served at `/checkpoint`.
#[utoipa::path(get, path = "/api/v1/ledger/checkpoint", tag = "ledger",
    responses((status = 200, description = "A signed note (c2sp.org/tlog-checkpoint)", content_type = "text/plain", body = String),
        (status = 404, description = "The log is empty", body = crate::error::ApiErrorBody)))]
pub async fn checkpoint(State(state): State<AppState>) -> Result<Response, WebError> {
    let note = state.ledger.checkpoint().await?.ok_or(WebError::new(tamar_ledger::codes::LEDGER_ENTRY_NOT_FOUND))?;
    Ok(text(note))
}

/// The note verifier key that checks the log's checkpoints (c2sp.org/signed-note,
/// `<origin>+<key id>+<base64(0x01 ‖ Ed25519 public key)>`), as `golang.org/x/mod/sumdb/note`
/// and witnesses take it, and as `tamar verify-log --public-key` pins it.
#[utoipa::path(get, path = "/api/v1/ledger/verifier-key", tag = "ledger",
    responses((status = 200, description = "A note verifier key", content_type = "text/plain", body = String)))]
pub async fn verifier_key(State(state): State<AppState>) -> Response {
    text(format!("{}\n", state.ledger.note_key()))
}

/// The newest signed tree head of the tamper-evident log.
#[utoipa::path(get, path = "/api/v1/ledger/sth", tag = "ledger",
    responses((status = 200, body = TreeHeadView), (status = 404, body = crate::error::ApiErrorBody)))]
pub async fn sth(State(state): State<AppState>) -> Result<ViewJson<TreeHeadView>, WebError> {
    let head = state.ledger.latest_sth().await?.ok_or(WebError::new(tamar_ledger::codes::LEDGER_ENTRY_NOT_FOUND))?;
    Ok(ViewJson(head.view(&state.ledger.public_key()).into()))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct InclusionQuery {
    /// The entry's position in the log, from 0.
    index: u64,
    /// The size of a signed tree; the newest when omitted.
    tree_size: Option<u64>,
}

/// An RFC 6962 audit path for one entry.
#[utoipa::path(get, path = "/api/v1/ledger/proof/inclusion", tag = "ledger", params(InclusionQuery),
    responses((status = 200, body = InclusionProofView), (status = 400, body = crate::error::ApiErrorBody),
        (status = 404, description = "No signed tree head of that size", body = crate::error::ApiErrorBody)))]
pub async fn inclusion(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<InclusionQuery>,
) -> Result<ViewJson<InclusionProofView>, WebError> {
    Ok(ViewJson(state.ledger.inclusion_proof(q.index, q.tree_size).await?.into()))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyQuery {
    /// The size of the older signed tree.
    first: u64,
    /// The size of the newer signed tree.
    second: u64,
}

/// An RFC 6962 consistency proof between two signed trees.
#[utoipa::path(get, path = "/api/v1/ledger/proof/consistency", tag = "ledger", params(ConsistencyQuery),
    responses((status = 200, body = ConsistencyProofView), (status = 400, body = crate::error::ApiErrorBody),
        (status = 404, description = "No signed tree head of that size", body = crate::error::ApiErrorBody)))]
pub async fn consistency(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ConsistencyQuery>,
) -> Result<ViewJson<ConsistencyProofView>, WebError> {
    Ok(ViewJson(state.ledger.consistency_proof(q.first, q.second).await?.into()))
}
