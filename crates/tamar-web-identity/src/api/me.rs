use axum::extract::State;
use axum::extract::OriginalUri;
use serde::Deserialize;

use crate::access_log::Access;
use crate::views::AccountView;
use tamar_web::paging::PageJson;
use tamar_web::views::ViewJson;
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
    /// At most this many, newest first (1 to 200, default 20).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
    /// Where the page starts: the cursor in the previous page's `Link: <…>; rel="next"`.
    after: Option<String>,
}

/// Who accessed or changed my data: the log entries about the signed-in person, newest first,
/// a page at a time, each actor described by kind, department and role (never by an internal
/// id). The next page, if any, is in the `Link` header.
#[utoipa::path(get, path = "/api/v1/me/accesses", tag = "account", params(AccessQuery),
    responses((status = 200, body = Vec<Access>, headers(("Link" = String, description = "The next page: `<…>; rel=\"next\"`"))),
        (status = 400, body = tamar_web::error::ApiErrorBody),
        (status = 401, body = tamar_web::error::ApiErrorBody)))]
pub async fn accesses(
    State(state): State<AppState>,
    user: Authorized<SignedIn>,
    OriginalUri(uri): OriginalUri,
    ApiQuery(q): ApiQuery<AccessQuery>,
) -> Result<PageJson<Access>, WebError> {
    let page = tamar_web::paging::request(q.limit, q.after.as_deref())?;
    Ok(PageJson(crate::access_log::accesses_of(&state, &user.account, &page).await?, uri))
}
