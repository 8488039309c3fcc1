//! The catalogue, search, a person's inbox and bookmarks, and the app registry, as JSON for
//! apps and other programs.

use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderName, StatusCode, header};
use axum::response::AppendHeaders;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use tamar_core::{Code, Lang, LocalizedText};
use tamar_portal::apps::{AppInput, NewApp, UsageReport};
use tamar_portal::content::{self, LiveFilter};
use tamar_portal::bulk;
use tamar_portal::inbox::{self, MessageId, MessageKind};
use tamar_portal::{ItemKind, LiveItem, TextInput};

use crate::views::{AppVersionView, AppView, BulkSendView, ContentView, MessageView, UsageView};
use tamar_web::views::{View, ViewJson};
use tamar_web::extract::{ApiJson, ApiQuery, Authorized, FormQuery, Officers, SignedIn};
use tamar_web::paging::{PageJson, PageQuery};
use crate::Directory;
use tamar_web::{AppState, PublicPage, WebError};

/// A published item of the catalogue, as listed.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CatalogueItem {
    pub kind: ItemKind,
    pub slug: String,
    /// The page in English; swap `/en/` for `/tc/` or `/sc/`.
    pub url: String,
    pub title: LocalizedText,
    pub summary: LocalizedText,
    /// Department code.
    pub department: String,
    pub topics: Vec<String>,
    pub audiences: Vec<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// A published item with all its content.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CatalogueEntryView {
    #[serde(flatten)]
    pub item: CatalogueItem,
    pub version: i32,
    pub content: ContentView,
}

impl View for CatalogueItem {
    const PERSONAL: &'static [&'static str] = &[];
}

impl View for CatalogueEntryView {
    const PERSONAL: &'static [&'static str] = &[];
}

fn listed(state: &AppState, live: &LiveItem, directory: &Directory) -> CatalogueItem {
    CatalogueItem {
        kind: live.item.kind,
        slug: live.item.slug.clone(),
        url: format!("{}{}", state.config.public_url, crate::item_href(Lang::En, live.item.kind, &live.item.slug)),
        title: live.content.title.clone(),
        summary: live.content.summary.clone(),
        department: directory.code(live.item.department),
        topics: live.content.topics.clone(),
        audiences: live.content.audiences.clone(),
        published_at: live.item.first_published_at,
        updated_at: live.item.live_at,
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CatalogueQuery {
    /// `service`, `guide`, `news` or `notice`.
    #[serde(default, rename = "type", deserialize_with = "present_kind")]
    #[param(rename = "type")]
    kind: Option<ItemKind>,
    /// A topic slug, e.g. `transport`.
    topic: Option<String>,
    /// A department code, e.g. `TD`.
    department: Option<String>,
    /// `residents`, `business` or `non-residents`.
    audience: Option<String>,
    /// At most this many items (1 to 200, default 20).
    #[serde(default, deserialize_with = "present")]
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
    /// Where the page starts: the cursor in the previous page's `Link: <…>; rel="next"`.
    after: Option<String>,
}

/// Published services and pages, newest first, optionally filtered, a page at a time: the
/// next page is in the `Link` header.
#[utoipa::path(get, path = "/api/v1/catalogue", operation_id = "list_catalogue", tag = "portal", params(CatalogueQuery),
    responses((status = 200, body = Vec<CatalogueItem>, headers(("Link" = String, description = "The next page: `<…>; rel=\"next\"`"))),
        (status = 400, body = tamar_web::error::ApiErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    FormQuery(q): FormQuery<CatalogueQuery>,
) -> Result<(PublicPage, PageJson<CatalogueItem>), WebError> {
    let request = tamar_web::paging::request(q.limit, q.after.as_deref())?;
    let directory = Directory::load(&state).await?;
    let department = match &q.department {
        Some(code) => Some(tamar_tenancy::by_code(&state.db, code).await?.id),
        None => None,
    };
    let filter = LiveFilter { kinds: q.kind.into_iter().collect(), department, topic: q.topic, audience: q.audience };
    let page = content::live_page(&state.db, &filter, &request).await?;
    Ok((PublicPage, PageJson(page.map(|i| listed(&state, &i, &directory)), uri)))
}

/// One published item with its full content.
#[utoipa::path(get, path = "/api/v1/catalogue/{kind}/{slug}", operation_id = "get_catalogue_item", tag = "portal",
    params(("kind" = ItemKind, Path, description = "service, guide, news or notice"), ("slug" = String, Path, description = "The item's address")),
    responses((status = 200, body = CatalogueEntryView), (status = 404, body = tamar_web::error::ApiErrorBody)))]
pub async fn get(State(state): State<AppState>, Path((kind, slug)): Path<(String, String)>) -> Result<(PublicPage, ViewJson<CatalogueEntryView>), WebError> {
    let kind = ItemKind::parse(&kind).ok_or_else(|| WebError::new(Code::NOT_FOUND))?;
    let live = content::live(&state.db, kind, &slug).await?;
    let directory = Directory::load(&state).await?;
    let item = listed(&state, &live, &directory);
    Ok((PublicPage, ViewJson(CatalogueEntryView { item, version: live.version, content: live.content.into() })))
}

/// A query parameter that, when present, must hold a value: `limit=` is refused rather than
/// taken as absent (HTML form decoding would otherwise read an empty value as none).
fn present<'de, D: serde::Deserializer<'de>, T: std::str::FromStr>(d: D) -> Result<Option<T>, D::Error> {
    let text = String::deserialize(d)?;
    text.parse().map(Some).map_err(|_| serde::de::Error::custom("an invalid value"))
}

fn present_kind<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<ItemKind>, D::Error> {
    let text = String::deserialize(d)?;
    ItemKind::parse(&text).map(Some).ok_or_else(|| serde::de::Error::custom("service, guide, news or notice"))
}

fn present_lang<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Lang>, D::Error> {
    let text = String::deserialize(d)?;
    Lang::from_prefix(&text).map(Some).ok_or_else(|| serde::de::Error::custom("en, tc or sc"))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    /// The words, in English or Chinese (up to 200 characters); empty to browse by filters.
    #[serde(default)]
    #[param(max_length = 200)]
    q: String,
    /// The language of titles and highlighted snippets.
    #[serde(default, deserialize_with = "present_lang")]
    lang: Option<Lang>,
    /// Filter by kind (repeatable).
    #[serde(default, rename = "type")]
    #[param(rename = "type")]
    kind: Vec<ItemKind>,
    /// Filter by topic slug (repeatable).
    #[serde(default)]
    topic: Vec<String>,
    /// Filter by department code (repeatable).
    #[serde(default)]
    department: Vec<String>,
    /// Filter by audience (repeatable).
    #[serde(default)]
    audience: Vec<String>,
    #[serde(default, deserialize_with = "present")]
    #[param(minimum = 0, maximum = 1000)]
    offset: Option<usize>,
    #[serde(default, deserialize_with = "present")]
    #[param(minimum = 0, maximum = 100)]
    limit: Option<usize>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SearchHit {
    pub kind: ItemKind,
    pub slug: String,
    pub url: String,
    /// Department code.
    pub department: String,
    pub score: f32,
    /// The title with matches in `<mark>`; everything else HTML-escaped.
    pub title_html: String,
    pub summary_html: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SearchFacets {
    #[serde(rename = "type")]
    pub kinds: Vec<FacetCount>,
    pub topic: Vec<FacetCount>,
    pub department: Vec<FacetCount>,
    pub audience: Vec<FacetCount>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SearchResponse {
    pub total: usize,
    /// False when no item had every word, and items with some of them are shown.
    pub all_words_matched: bool,
    pub hits: Vec<SearchHit>,
    pub facets: SearchFacets,
}

impl View for SearchResponse {
    const PERSONAL: &'static [&'static str] = &[];
}

fn counts(v: Vec<(String, u64)>) -> Vec<FacetCount> {
    v.into_iter().map(|(value, count)| FacetCount { value, count }).collect()
}

pub(crate) async fn run_search(state: &AppState, req: tamar_search::SearchRequest) -> Result<tamar_search::SearchResults, WebError> {
    let index = crate::PortalState::of(state)?.search.clone();
    tokio::task::spawn_blocking(move || index.search(&req))
        .await
        .map_err(|error| {
            tracing::error!(%error, "search panicked");
            WebError::new(Code::INTERNAL)
        })?
        .map_err(|error| {
            tracing::error!(%error, "search failed");
            WebError::new(Code::INTERNAL)
        })
}

/// Searches the catalogue in English, Traditional and Simplified Chinese, with facets and
/// highlighted snippets. Results are ranked, so they are paged by `offset` (up to 1,000); when
/// more follow, the next page is in the `Link` header.
#[utoipa::path(get, path = "/api/v1/search", tag = "portal", params(SearchQuery),
    responses((status = 200, body = SearchResponse, headers(("Link" = String, description = "The next page of results: `<…>; rel=\"next\"`"))),
        (status = 400, body = tamar_web::error::ApiErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    FormQuery(q): FormQuery<SearchQuery>,
) -> Result<(AppendHeaders<Option<(HeaderName, String)>>, ViewJson<SearchResponse>), WebError> {
    let lang = q.lang.unwrap_or(Lang::En);
    let filters = tamar_search::Filters { kinds: q.kind.iter().map(|k| k.as_str().to_owned()).collect(), topics: q.topic, departments: q.department, audiences: q.audience };
    let req = tamar_search::SearchRequest::checked(&q.q, lang, filters, q.offset, q.limit)?;
    let (offset, limit) = (req.offset, req.limit);
    let found = run_search(&state, req).await?;
    let following = offset + limit;
    let link = (limit > 0 && following < found.total as usize && following <= tamar_search::request::MAX_OFFSET)
        .then(|| (header::LINK, format!("<{}>; rel=\"next\"", tamar_web::paging::with_param(&uri, "offset", &following.to_string()))));
    let hits = found
        .hits
        .into_iter()
        .filter_map(|h| {
            let (kind, slug) = tamar_portal::search_docs::parse_search_key(&h.key)?;
            Some(SearchHit {
                kind,
                slug: slug.to_owned(),
                url: format!("{}{}", state.config.public_url, crate::item_href(lang, kind, slug)),
                department: h.department,
                score: h.score,
                title_html: h.title_html,
                summary_html: h.summary_html,
            })
        })
        .collect();
    let f = found.facets;
    Ok((AppendHeaders(link), ViewJson(SearchResponse {
        total: found.total,
        all_words_matched: found.all_words_matched,
        hits,
        facets: SearchFacets { kinds: counts(f.kinds), topic: counts(f.topics), department: counts(f.departments), audience: counts(f.audiences) },
    })))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SuggestQuery {
    /// What has been typed so far (up to 100 characters).
    #[param(max_length = 100)]
    q: String,
    #[serde(default, deserialize_with = "present_lang")]
    lang: Option<Lang>,
    #[serde(default, deserialize_with = "present")]
    #[param(minimum = 1, maximum = 20)]
    limit: Option<usize>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SuggestionView {
    pub title: String,
    pub url: String,
}

impl View for SuggestionView {
    const PERSONAL: &'static [&'static str] = &[];
}

/// Titles that complete what has been typed, for search-as-you-type.
#[utoipa::path(get, path = "/api/v1/search/suggest", tag = "portal", params(SuggestQuery),
    responses((status = 200, body = Vec<SuggestionView>), (status = 400, body = tamar_web::error::ApiErrorBody)))]
pub async fn suggest(State(state): State<AppState>, FormQuery(q): FormQuery<SuggestQuery>) -> Result<ViewJson<Vec<SuggestionView>>, WebError> {
    let lang = q.lang.unwrap_or(Lang::En);
    let req = tamar_search::SuggestRequest::checked(&q.q, lang, q.limit)?;
    let index = crate::PortalState::of(&state)?.search.clone();
    let found = tokio::task::spawn_blocking(move || index.suggest(&req.prefix, req.lang, req.limit))
        .await
        .map_err(|error| {
            tracing::error!(%error, "search suggestions panicked");
            WebError::new(Code::INTERNAL)
        })?
        .map_err(|error| {
            tracing::error!(%error, "search suggestions failed");
            WebError::new(Code::INTERNAL)
        })?;
    Ok(ViewJson(
        found
            .into_iter()
            .filter_map(|s| {
                let (kind, slug) = tamar_portal::search_docs::parse_search_key(&s.key)?;
                Some(SuggestionView { title: s.title, url: crate::item_href(lang, kind, slug) })
            })
            .collect(),
    ))
}

/// My inbox: messages and to-dos from departments, open to-dos first, then newest first, a
/// page at a time (the next page in the `Link` header).
#[utoipa::path(get, path = "/api/v1/me/inbox", tag = "account", params(PageQuery),
    responses((status = 200, body = Vec<MessageView>, headers(("Link" = String, description = "The next page: `<…>; rel=\"next\"`"))),
        (status = 400, body = tamar_web::error::ApiErrorBody), (status = 401, body = tamar_web::error::ApiErrorBody)))]
pub async fn my_inbox(
    State(state): State<AppState>,
    user: Authorized<SignedIn>,
    OriginalUri(uri): OriginalUri,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<PageJson<MessageView>, WebError> {
    let messages = inbox::list(&state.db, user.account.id, &q.request()?).await?;
    Ok(PageJson(messages.map(MessageView::from), uri))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DoneRequest {
    pub done: bool,
}

/// Marks one of my to-dos done (or not done).
#[utoipa::path(put, path = "/api/v1/me/inbox/{id}/done", tag = "account", request_body = DoneRequest,
    params(("id" = String, Path, description = "The message's id")),
    responses((status = 204), (status = 400, body = tamar_web::error::ApiErrorBody), (status = 401, body = tamar_web::error::ApiErrorBody), (status = 404, body = tamar_web::error::ApiErrorBody)))]
pub async fn set_done(
    State(state): State<AppState>,
    user: Authorized<SignedIn>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DoneRequest>,
) -> Result<StatusCode, WebError> {
    let id: MessageId = id.parse().map_err(|_| WebError::new(Code::NOT_FOUND))?;
    inbox::set_done(&state.db, &state.ledger, &user.actor, id, body.done).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// My bookmarked services, newest first, a page at a time (the next page in the `Link` header).
#[utoipa::path(get, path = "/api/v1/me/bookmarks", tag = "account", params(PageQuery),
    responses((status = 200, body = Vec<CatalogueItem>, headers(("Link" = String, description = "The next page: `<…>; rel=\"next\"`"))),
        (status = 400, body = tamar_web::error::ApiErrorBody), (status = 401, body = tamar_web::error::ApiErrorBody)))]
pub async fn my_bookmarks(
    State(state): State<AppState>,
    user: Authorized<SignedIn>,
    OriginalUri(uri): OriginalUri,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<PageJson<CatalogueItem>, WebError> {
    let directory = Directory::load(&state).await?;
    let page = tamar_portal::mygov::bookmarks(&state.db, user.account.id, &q.request()?).await?;
    let ids: Vec<_> = page.items.iter().map(|b| b.item).collect();
    let live = content::live_by_ids(&state.db, &ids).await?;
    let items = ids.iter().filter_map(|id| live.iter().find(|l| l.item.id == *id)).map(|l| listed(&state, l, &directory)).collect();
    Ok(PageJson(tamar_core::Page { items, next: page.next }, uri))
}

/// Bookmarks a service.
#[utoipa::path(put, path = "/api/v1/me/bookmarks/{slug}", tag = "account",
    params(("slug" = String, Path, description = "The service's address")),
    responses((status = 204), (status = 401, body = tamar_web::error::ApiErrorBody), (status = 404, body = tamar_web::error::ApiErrorBody)))]
pub async fn add_bookmark(State(state): State<AppState>, user: Authorized<SignedIn>, Path(slug): Path<String>) -> Result<StatusCode, WebError> {
    let live = content::live(&state.db, ItemKind::Service, &slug).await?;
    tamar_portal::mygov::add_bookmark(&state.db, &state.ledger, &user.actor, live.item.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a bookmark.
#[utoipa::path(delete, path = "/api/v1/me/bookmarks/{slug}", tag = "account",
    params(("slug" = String, Path, description = "The service's address")),
    responses((status = 204), (status = 401, body = tamar_web::error::ApiErrorBody), (status = 404, body = tamar_web::error::ApiErrorBody)))]
pub async fn remove_bookmark(State(state): State<AppState>, user: Authorized<SignedIn>, Path(slug): Path<String>) -> Result<StatusCode, WebError> {
    let item = content::item_by_slug(&state.db, &slug).await?;
    tamar_portal::mygov::remove_bookmark(&state.db, &state.ledger, &user.actor, item.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Government mobile apps, with downloads and active users as their departments report them.
#[utoipa::path(get, path = "/api/v1/apps", operation_id = "list_apps", tag = "apps", responses((status = 200, body = Vec<AppView>)))]
pub async fn apps(State(state): State<AppState>) -> Result<(PublicPage, ViewJson<Vec<AppView>>), WebError> {
    let directory = Directory::load(&state).await?;
    let apps = tamar_portal::apps::list(&state.db).await?;
    Ok((PublicPage, ViewJson(apps.into_iter().map(|app| {
        let code = directory.code(app.department);
        AppView::new(app, code)
    }).collect())))
}

/// Lists an app of the officer's department (its administrators and content editors) as a
/// draft; it is published when a content reviewer of the department approves it.
#[utoipa::path(post, path = "/api/v1/apps", tag = "apps", request_body = NewApp,
    responses((status = 201, body = AppVersionView), (status = 401, body = tamar_web::error::ApiErrorBody), (status = 403, body = tamar_web::error::ApiErrorBody),
        (status = 409, body = tamar_web::error::ApiErrorBody), (status = 422, body = tamar_web::error::ApiErrorBody)))]
pub async fn register_app(
    State(state): State<AppState>,
    officer: Authorized<Officers>,
    ApiJson(new): ApiJson<NewApp>,
) -> Result<(StatusCode, ViewJson<AppVersionView>), WebError> {
    let department = officer.actor.department().ok_or_else(|| WebError::new(Code::FORBIDDEN))?;
    let app = tamar_portal::apps::register(&state.db, &state.ledger, &officer.actor, department, new).await?;
    Ok((StatusCode::CREATED, ViewJson(app.into())))
}

/// The officer's department's apps, each with its latest version (drafts and entries under
/// review included), for its administrators, content editors and reviewers.
#[utoipa::path(get, path = "/api/v1/office/apps", tag = "apps",
    responses((status = 200, body = Vec<AppVersionView>), (status = 401, body = tamar_web::error::ApiErrorBody), (status = 403, body = tamar_web::error::ApiErrorBody)))]
pub async fn office_apps(State(state): State<AppState>, officer: Authorized<Officers>) -> Result<ViewJson<Vec<AppVersionView>>, WebError> {
    let department = officer.actor.department().ok_or_else(|| WebError::new(Code::FORBIDDEN))?;
    let apps = tamar_portal::apps::department_apps(&state.db, &officer.actor, department).await?;
    Ok(ViewJson(apps.into_iter().map(AppVersionView::from).collect()))
}

/// Every version of one of the department's app entries, newest first.
#[utoipa::path(get, path = "/api/v1/office/apps/{slug}/versions", tag = "apps", params(("slug" = String, Path, description = "The app")),
    responses((status = 200, body = Vec<AppVersionView>), (status = 401, body = tamar_web::error::ApiErrorBody), (status = 404, body = tamar_web::error::ApiErrorBody)))]
pub async fn app_versions(State(state): State<AppState>, officer: Authorized<Officers>, Path(slug): Path<String>) -> Result<ViewJson<Vec<AppVersionView>>, WebError> {
    let versions = tamar_portal::apps::versions(&state.db, &officer.actor, &slug).await?;
    Ok(ViewJson(versions.into_iter().map(AppVersionView::from).collect()))
}

/// Saves changes to an app's entry: its draft, or a new draft after publication.
#[utoipa::path(put, path = "/api/v1/office/apps/{slug}", tag = "apps", request_body = AppInput, params(("slug" = String, Path, description = "The app")),
    responses((status = 200, body = AppVersionView), (status = 401, body = tamar_web::error::ApiErrorBody), (status = 403, body = tamar_web::error::ApiErrorBody),
        (status = 404, body = tamar_web::error::ApiErrorBody), (status = 409, body = tamar_web::error::ApiErrorBody), (status = 422, body = tamar_web::error::ApiErrorBody)))]
pub async fn save_app(
    State(state): State<AppState>,
    officer: Authorized<Officers>,
    Path(slug): Path<String>,
    ApiJson(input): ApiJson<AppInput>,
) -> Result<ViewJson<AppVersionView>, WebError> {
    Ok(ViewJson(tamar_portal::apps::save_draft(&state.db, &state.ledger, &officer.actor, &slug, input).await?.into()))
}

/// Submits an app's draft for review.
#[utoipa::path(post, path = "/api/v1/office/apps/{slug}/submit", tag = "apps", params(("slug" = String, Path, description = "The app")),
    responses((status = 200, body = AppVersionView), (status = 401, body = tamar_web::error::ApiErrorBody), (status = 403, body = tamar_web::error::ApiErrorBody),
        (status = 404, body = tamar_web::error::ApiErrorBody), (status = 409, body = tamar_web::error::ApiErrorBody)))]
pub async fn submit_app(State(state): State<AppState>, officer: Authorized<Officers>, Path(slug): Path<String>) -> Result<ViewJson<AppVersionView>, WebError> {
    Ok(ViewJson(tamar_portal::apps::submit(&state.db, &state.ledger, &officer.actor, &slug).await?.into()))
}

/// Approves and publishes an app's entry under review: a content reviewer of the department
/// who saved none of its revisions.
#[utoipa::path(post, path = "/api/v1/office/apps/{slug}/approve", tag = "apps", params(("slug" = String, Path, description = "The app")),
    responses((status = 200, body = AppVersionView), (status = 401, body = tamar_web::error::ApiErrorBody), (status = 403, body = tamar_web::error::ApiErrorBody),
        (status = 404, body = tamar_web::error::ApiErrorBody), (status = 409, body = tamar_web::error::ApiErrorBody)))]
pub async fn approve_app(State(state): State<AppState>, officer: Authorized<Officers>, Path(slug): Path<String>) -> Result<ViewJson<AppVersionView>, WebError> {
    Ok(ViewJson(tamar_portal::apps::approve(&state.db, &state.ledger, &officer.actor, &slug).await?.into()))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectRequest {
    /// What to change, for the authors (1 to 2000 characters).
    pub note: String,
}

/// Sends an app's entry under review back to its authors, with a note.
#[utoipa::path(post, path = "/api/v1/office/apps/{slug}/reject", tag = "apps", request_body = RejectRequest, params(("slug" = String, Path, description = "The app")),
    responses((status = 200, body = AppVersionView), (status = 401, body = tamar_web::error::ApiErrorBody), (status = 403, body = tamar_web::error::ApiErrorBody),
        (status = 404, body = tamar_web::error::ApiErrorBody), (status = 409, body = tamar_web::error::ApiErrorBody), (status = 422, body = tamar_web::error::ApiErrorBody)))]
pub async fn reject_app(
    State(state): State<AppState>,
    officer: Authorized<Officers>,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<RejectRequest>,
) -> Result<ViewJson<AppVersionView>, WebError> {
    Ok(ViewJson(tamar_portal::apps::reject(&state.db, &state.ledger, &officer.actor, &slug, &body.note).await?.into()))
}

/// An app's reported figures, by day.
#[utoipa::path(get, path = "/api/v1/apps/{slug}/usage", operation_id = "get_app_usage", tag = "apps", params(("slug" = String, Path, description = "The app")),
    responses((status = 200, body = Vec<UsageView>), (status = 404, body = tamar_web::error::ApiErrorBody)))]
pub async fn usage(State(state): State<AppState>, Path(slug): Path<String>) -> Result<(PublicPage, ViewJson<Vec<UsageView>>), WebError> {
    if !tamar_portal::apps::list(&state.db).await?.iter().any(|a| a.slug == slug) {
        return Err(WebError::new(Code::NOT_FOUND));
    }
    let days = tamar_portal::apps::usage(&state.db, &slug).await?;
    Ok((PublicPage, ViewJson(days.into_iter().map(UsageView::from).collect())))
}

/// Reports a day's downloads and active users of an app of the officer's department.
#[utoipa::path(put, path = "/api/v1/apps/{slug}/usage", tag = "apps", request_body = UsageReport, params(("slug" = String, Path, description = "The app")),
    responses((status = 204), (status = 400, body = tamar_web::error::ApiErrorBody), (status = 401, body = tamar_web::error::ApiErrorBody), (status = 403, body = tamar_web::error::ApiErrorBody),
        (status = 404, body = tamar_web::error::ApiErrorBody), (status = 422, body = tamar_web::error::ApiErrorBody)))]
pub async fn report_usage(
    State(state): State<AppState>,
    officer: Authorized<Officers>,
    Path(slug): Path<String>,
    ApiJson(report): ApiJson<UsageReport>,
) -> Result<StatusCode, WebError> {
    tamar_portal::apps::report_usage(&state.db, &state.ledger, &officer.actor, &slug, report).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A message that a department sends to a person's inbox.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutgoingMessage {
    /// The person's email address, as they gave it to the department.
    pub to_email: String,
    pub kind: MessageKind,
    pub subject: TextInput,
    pub body: TextInput,
    #[serde(default)]
    pub due_on: Option<NaiveDate>,
}

/// What the sender learns: the message was accepted, under this id. It does not say whether
/// the address has an account (so that the endpoint cannot be used to find out who does).
#[derive(Serialize, utoipa::ToSchema)]
pub struct MessageReceipt {
    pub id: MessageId,
}

impl View for MessageReceipt {
    const PERSONAL: &'static [&'static str] = &[];
}

/// Sends a message or a to-do to a person's inbox, in the officer's department's name (case
/// officers and department administrators). The answer is 202 whether or not the address has
/// an account: the message is delivered when it has one, and the log keeps which it was.
#[utoipa::path(post, path = "/api/v1/office/messages", tag = "portal", request_body = OutgoingMessage,
    responses((status = 202, body = MessageReceipt), (status = 401, body = tamar_web::error::ApiErrorBody), (status = 403, body = tamar_web::error::ApiErrorBody),
        (status = 422, body = tamar_web::error::ApiErrorBody)))]
pub async fn send_message(
    State(state): State<AppState>,
    officer: Authorized<Officers>,
    ApiJson(out): ApiJson<OutgoingMessage>,
) -> Result<(StatusCode, ViewJson<MessageReceipt>), WebError> {
    let department = officer.actor.department().ok_or_else(|| WebError::new(Code::FORBIDDEN))?;
    let to = tamar_identity::citizen_by_email(&state.db, &out.to_email).await?;
    let message = inbox::AddressedMessage { to, kind: out.kind, subject: out.subject, body: out.body, due_on: out.due_on };
    let id = inbox::send_if_known(&state.db, &state.ledger, &officer.actor, department, message).await?;
    Ok((StatusCode::ACCEPTED, ViewJson(MessageReceipt { id })))
}

/// A message to many people, as a department starts it.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutgoingBulkMessage {
    /// `everyone` (department administrators only), `topic:<slug>` (the topic's subscribers)
    /// or `department` (the sending department's subscribers).
    pub audience: String,
    pub kind: MessageKind,
    pub subject: TextInput,
    pub body: TextInput,
    #[serde(default)]
    pub due_on: Option<NaiveDate>,
    /// Messages a second at most, 1 to 1000 (default 200).
    #[serde(default)]
    pub rate: Option<u32>,
}

fn audience_of(text: &str, department: tamar_core::DepartmentId) -> Result<bulk::Audience, WebError> {
    use tamar_portal::mygov::SubscriptionTarget;
    let audience = match text {
        "everyone" => Some(bulk::Audience::Everyone),
        "department" => Some(bulk::Audience::Subscribers(SubscriptionTarget::Department(department))),
        other => other
            .strip_prefix("topic:")
            .filter(|slug| tamar_portal::catalogue::topic(slug).is_some())
            .map(|slug| bulk::Audience::Subscribers(SubscriptionTarget::Topic(slug.to_owned()))),
    };
    audience.ok_or_else(|| WebError {
        code: Code::INVALID_INPUT,
        details: vec![tamar_core::FieldError { field: "audience", rule: tamar_core::Rule::UnknownValue }],
    })
}

/// Starts a message to many people in the officer's department's name. It is delivered in the
/// background, at no more than its rate; the answer says where to follow its progress.
#[utoipa::path(post, path = "/api/v1/office/bulk-messages", tag = "portal", request_body = OutgoingBulkMessage,
    responses((status = 202, body = BulkSendView, headers(("Location" = String, description = "Where its progress is"))),
        (status = 401, body = tamar_web::error::ApiErrorBody), (status = 403, body = tamar_web::error::ApiErrorBody),
        (status = 422, body = tamar_web::error::ApiErrorBody)))]
pub async fn start_bulk(
    State(state): State<AppState>,
    officer: Authorized<Officers>,
    ApiJson(out): ApiJson<OutgoingBulkMessage>,
) -> Result<(StatusCode, AppendHeaders<[(HeaderName, String); 1]>, ViewJson<BulkSendView>), WebError> {
    let department = officer.actor.department().ok_or_else(|| WebError::new(Code::FORBIDDEN))?;
    let audience = audience_of(&out.audience, department)?;
    let new = bulk::NewBulkSend { audience, kind: out.kind, subject: out.subject, body: out.body, due_on: out.due_on, rate: out.rate };
    let send = bulk::start(&state.db, &state.ledger, &officer.actor, department, new).await?;
    let location = format!("/api/v1/office/bulk-messages/{}", send.id);
    Ok((StatusCode::ACCEPTED, AppendHeaders([(header::LOCATION, location)]), ViewJson(send.into())))
}

/// The department's messages to many people, newest first, a page at a time.
#[utoipa::path(get, path = "/api/v1/office/bulk-messages", tag = "portal", params(PageQuery),
    responses((status = 200, body = Vec<BulkSendView>, headers(("Link" = String, description = "The next page: `<…>; rel=\"next\"`"))),
        (status = 400, body = tamar_web::error::ApiErrorBody), (status = 401, body = tamar_web::error::ApiErrorBody),
        (status = 403, body = tamar_web::error::ApiErrorBody)))]
pub async fn bulk_sends(
    State(state): State<AppState>,
    officer: Authorized<Officers>,
    OriginalUri(uri): OriginalUri,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<PageJson<BulkSendView>, WebError> {
    let department = officer.actor.department().ok_or_else(|| WebError::new(Code::FORBIDDEN))?;
    let sends = bulk::list(&state.db, department, &q.request()?).await?;
    Ok(PageJson(sends.map(BulkSendView::from), uri))
}

fn bulk_id(id: &str) -> Result<bulk::BulkSendId, WebError> {
    id.parse().map_err(|_| WebError::new(Code::NOT_FOUND))
}

/// One of the department's messages to many people: how many it has reached so far.
#[utoipa::path(get, path = "/api/v1/office/bulk-messages/{id}", tag = "portal",
    params(("id" = String, Path, description = "The bulk message's id")),
    responses((status = 200, body = BulkSendView), (status = 401, body = tamar_web::error::ApiErrorBody),
        (status = 403, body = tamar_web::error::ApiErrorBody), (status = 404, body = tamar_web::error::ApiErrorBody)))]
pub async fn bulk_send(
    State(state): State<AppState>,
    officer: Authorized<Officers>,
    Path(id): Path<String>,
) -> Result<ViewJson<BulkSendView>, WebError> {
    let department = officer.actor.department().ok_or_else(|| WebError::new(Code::FORBIDDEN))?;
    Ok(ViewJson(bulk::get(&state.db, department, bulk_id(&id)?).await?.into()))
}

/// Stops a message to many people that is still being delivered; those it reached keep it.
#[utoipa::path(post, path = "/api/v1/office/bulk-messages/{id}/cancel", tag = "portal",
    params(("id" = String, Path, description = "The bulk message's id")),
    responses((status = 200, body = BulkSendView), (status = 401, body = tamar_web::error::ApiErrorBody),
        (status = 403, body = tamar_web::error::ApiErrorBody), (status = 404, body = tamar_web::error::ApiErrorBody),
        (status = 409, body = tamar_web::error::ApiErrorBody)))]
pub async fn cancel_bulk(
    State(state): State<AppState>,
    officer: Authorized<Officers>,
    Path(id): Path<String>,
) -> Result<ViewJson<BulkSendView>, WebError> {
    let department = officer.actor.department().ok_or_else(|| WebError::new(Code::FORBIDDEN))?;
    Ok(ViewJson(bulk::cancel(&state.db, &state.ledger, &officer.actor, department, bulk_id(&id)?).await?.into()))
}
