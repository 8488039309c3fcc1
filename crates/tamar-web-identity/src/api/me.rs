use axum::extract::State;
use serde::Deserialize;

use crate::access_log::Access;
use crate::views::{AccountView};
use tamar_web::views::{ViewJson};
use tamar_web::extract::{ApiQuery, Authorized, SignedIn};
use tamar_web::{AppState, WebError};

/// The signed-in account.
#[utoipa::path(get, path = "/api/v1/me", tag = "account",
    responses((status = 200, body = AccountView), (status = 401, body = tamar_web::error::ApiErrorBody)))]
pub async fn profile(user: Authorized<SignedIn>) -> ViewJson<AccountView> {
    ViewJson(user.account.into())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AccessQuery {
    /// At most this many, newest first (1 to 1000, default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u64>,
}

/// Who accessed or changed my data: the log entries about the signed-in person, each actor
/// described by kind, department and role (never by an internal id).
#[utoipa::path(get, path = "/api/v1/me/accesses", tag = "account", params(AccessQuery),
    responses((status = 200, body = Vec<Access>), (status = 400, body = tamar_web::error::ApiErrorBody),
        (status = 401, body = tamar_web::error::ApiErrorBody)))]
pub async fn accesses(
    State(state): State<AppState>,
    user: Authorized<SignedIn>,
    ApiQuery(q): ApiQuery<AccessQuery>,
) -> Result<ViewJson<Vec<Access>>, WebError> {
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(WebError::new(tamar_core::Code::INVALID_QUERY));
    }
    Ok(ViewJson(crate::access_log::accesses_of(&state, &user.account, limit).await?))
}
