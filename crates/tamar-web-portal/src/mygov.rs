use std::collections::BTreeSet;

use askama::Template;
use axum::extract::{OriginalUri, Path, State};
use axum::response::{Html, Response};
use serde::Deserialize;
use tamar_core::{Code, Lang};
use tamar_portal::catalogue::{self, TOPICS};
use tamar_portal::content;
use tamar_portal::inbox::{self, MessageId, MessageKind};
use tamar_identity::prefill::{self, PrefillField};
use tamar_portal::mygov::{self, SubscriptionTarget};
use tamar_portal::text::render_markdown;
use tamar_portal::ItemKind;

use super::{Card, Directory, card, long_date};
use tamar_web::extract::{ApiQuery, Authorized, FormData, SignedIn};
use tamar_web::paging::PageQuery;
use tamar_web::pages::{PageContext, render, see_other};
use tamar_web::{AppState, WebError};

pub(crate) struct MessageRow {
    pub href: String,
    pub subject: String,
    pub department: String,
    pub sent: String,
    pub due: Option<String>,
    pub unread: bool,
    pub todo_open: bool,
}

#[derive(Template)]
#[template(path = "account/inbox.html")]
struct InboxPage {
    page: PageContext,
    messages: Vec<MessageRow>,
    /// The next page, if there are more messages.
    older: Option<String>,
}

fn due_text(lang: Lang, due: chrono::NaiveDate) -> String {
    match lang {
        Lang::En => due.format("%-d %B %Y").to_string(),
        Lang::Tc | Lang::Sc => due.format("%Y年%-m月%-d日").to_string(),
    }
}

pub async fn inbox(
    page: PageContext,
    State(state): State<AppState>,
    user: Authorized<SignedIn>,
    OriginalUri(uri): OriginalUri,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Html<String>, WebError> {
    let directory = Directory::load(&state).await?;
    let lang = page.lang;
    let listed = inbox::list(&state.db, user.account.id, &q.request()?).await?;
    let older = tamar_web::paging::next_of(&listed, &uri);
    let messages = listed
        .items
        .into_iter()
        .map(|m| MessageRow {
            href: page.href(&format!("/account/inbox/{}", m.id)),
            subject: m.subject.get(lang).to_owned(),
            department: directory.name(m.department, lang),
            sent: long_date(lang, m.sent_at),
            due: m.due_on.map(|d| due_text(lang, d)),
            unread: m.read_at.is_none(),
            todo_open: m.kind == MessageKind::Todo && m.done_at.is_none(),
        })
        .collect();
    render(&InboxPage { page: page.section("account"), messages, older })
}

#[derive(Template)]
#[template(path = "account/message.html")]
struct MessagePage {
    page: PageContext,
    id: String,
    subject: String,
    body_html: String,
    department: String,
    sent: String,
    due: Option<String>,
    is_todo: bool,
    done: bool,
}

pub async fn message(
    page: PageContext,
    State(state): State<AppState>,
    user: Authorized<SignedIn>,
    Path((_, id)): Path<(String, String)>,
) -> Result<Html<String>, WebError> {
    let id: MessageId = id.parse().map_err(|_| WebError::new(Code::NOT_FOUND))?;
    let m = inbox::open(&state.db, user.account.id, id, state.ledger.now()).await?;
    let directory = Directory::load(&state).await?;
    let lang = page.lang;
    render(&MessagePage {
        id: m.id.to_string(),
        subject: m.subject.get(lang).to_owned(),
        body_html: render_markdown(m.body.get(lang)),
        department: directory.name(m.department, lang),
        sent: long_date(lang, m.sent_at),
        due: m.due_on.map(|d| due_text(lang, d)),
        is_todo: m.kind == MessageKind::Todo,
        done: m.done_at.is_some(),
        page: page.section("account"),
    })
}

#[derive(Deserialize)]
pub struct DoneForm {
    #[serde(default)]
    done: String,
}

pub async fn done(
    page: PageContext,
    State(state): State<AppState>,
    user: Authorized<SignedIn>,
    Path((_, id)): Path<(String, String)>,
    FormData(form): FormData<DoneForm>,
) -> Result<Response, WebError> {
    let id: MessageId = id.parse().map_err(|_| WebError::new(Code::NOT_FOUND))?;
    inbox::set_done(&state.db, &state.ledger, &user.actor, id, form.done == "true").await?;
    Ok(see_other(&page.href(&format!("/account/inbox/{id}"))))
}

pub async fn delete(
    page: PageContext,
    State(state): State<AppState>,
    user: Authorized<SignedIn>,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let id: MessageId = id.parse().map_err(|_| WebError::new(Code::NOT_FOUND))?;
    inbox::hide(&state.db, &state.ledger, &user.actor, id).await?;
    Ok(see_other(&page.href("/account/inbox")))
}

#[derive(Template)]
#[template(path = "account/bookmarks.html")]
struct BookmarksPage {
    page: PageContext,
    bookmarks: Vec<(Card, String)>,
    /// The next page, if there are more bookmarks.
    older: Option<String>,
}

pub async fn bookmarks(
    page: PageContext,
    State(state): State<AppState>,
    user: Authorized<SignedIn>,
    OriginalUri(uri): OriginalUri,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Html<String>, WebError> {
    let directory = Directory::load(&state).await?;
    let listed = mygov::bookmarks(&state.db, user.account.id, &q.request()?).await?;
    let older = tamar_web::paging::next_of(&listed, &uri);
    let ids: Vec<_> = listed.items.into_iter().map(|b| b.item).collect();
    let live = content::live_by_ids(&state.db, &ids).await?;
    // Keep the order in which they were bookmarked (newest first).
    let bookmarks = ids
        .iter()
        .filter_map(|id| live.iter().find(|l| l.item.id == *id))
        .map(|l| (card(&page, l, &directory), l.item.slug.clone()))
        .collect();
    render(&BookmarksPage { page: page.section("account"), bookmarks, older })
}

#[derive(Deserialize)]
pub struct BookmarkForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    back: String,
}

pub async fn bookmark(
    page: PageContext,
    State(state): State<AppState>,
    user: Authorized<SignedIn>,
    Path((_, slug)): Path<(String, String)>,
    FormData(form): FormData<BookmarkForm>,
) -> Result<Response, WebError> {
    let live = content::live(&state.db, ItemKind::Service, &slug).await?;
    match form.action.as_str() {
        "add" => mygov::add_bookmark(&state.db, &state.ledger, &user.actor, live.item.id).await?,
        "remove" => mygov::remove_bookmark(&state.db, &state.ledger, &user.actor, live.item.id).await?,
        _ => return Err(WebError::new(Code::INVALID_FORM)),
    }
    let back = if form.back == "bookmarks" { page.href("/account/bookmarks") } else { page.href(&format!("/services/{slug}")) };
    Ok(see_other(&back))
}

#[derive(Template)]
#[template(path = "account/placeholder.html")]
struct PlaceholderPage {
    page: PageContext,
    title: String,
    lead: String,
}

pub async fn applications(page: PageContext, _user: Authorized<SignedIn>) -> Result<Html<String>, WebError> {
    render(&PlaceholderPage { title: page.t("applications-title"), lead: page.t("applications-empty"), page: page.section("account") })
}

pub async fn bills(page: PageContext, _user: Authorized<SignedIn>) -> Result<Html<String>, WebError> {
    render(&PlaceholderPage { title: page.t("bills-title"), lead: page.t("bills-empty"), page: page.section("account") })
}

pub(crate) struct SubscriptionRow {
    pub key: String,
    pub label: String,
    pub lang: &'static str,
}

pub(crate) struct Choice {
    pub value: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "account/subscriptions.html")]
struct SubscriptionsPage {
    page: PageContext,
    subscriptions: Vec<SubscriptionRow>,
    choices: Vec<Choice>,
    error: Option<String>,
}

async fn subscriptions_page(page: PageContext, state: &AppState, user: &Authorized<SignedIn>, error: Option<String>) -> Result<Html<String>, WebError> {
    let directory = Directory::load(state).await?;
    let lang = page.lang;
    let label = |t: &SubscriptionTarget| match t {
        SubscriptionTarget::Topic(slug) => catalogue::topic(slug).map(|t| t.name(lang).to_owned()).unwrap_or_default(),
        SubscriptionTarget::Department(id) => directory.name(*id, lang),
    };
    let subscriptions = mygov::subscriptions(&state.db, user.account.id)
        .await?
        .into_iter()
        .map(|s| SubscriptionRow { key: s.target.key(), label: label(&s.target), lang: s.lang.endonym() })
        .collect();
    let mut choices: Vec<Choice> =
        TOPICS.iter().map(|t| Choice { value: format!("topic:{}", t.slug), label: format!("{}: {}", page.t("subscriptions-topic"), t.name(lang)) }).collect();
    let mut departments: Vec<_> = directory.0.values().collect();
    departments.sort_by_key(|d| d.name.en.to_lowercase());
    choices.extend(departments.into_iter().map(|d| Choice { value: format!("department:{}", d.id), label: format!("{}: {}", page.t("subscriptions-department"), d.name.get(lang)) }));
    render(&SubscriptionsPage { page: page.section("account"), subscriptions, choices, error })
}

pub async fn subscriptions(page: PageContext, State(state): State<AppState>, user: Authorized<SignedIn>) -> Result<Html<String>, WebError> {
    subscriptions_page(page, &state, &user, None).await
}

#[derive(Deserialize)]
pub struct SubscribeForm {
    #[serde(default)]
    target: String,
    #[serde(default)]
    lang: String,
}

pub async fn subscribe(
    page: PageContext,
    State(state): State<AppState>,
    user: Authorized<SignedIn>,
    FormData(form): FormData<SubscribeForm>,
) -> Result<Response, WebError> {
    let target = SubscriptionTarget::parse(&form.target);
    let lang = Lang::from_prefix(&form.lang);
    let (Some(target), Some(lang)) = (target, lang) else {
        let error = page.t("subscriptions-invalid");
        let html = subscriptions_page(page, &state, &user, Some(error)).await?;
        return Ok(axum::response::IntoResponse::into_response((axum::http::StatusCode::UNPROCESSABLE_ENTITY, html)));
    };
    mygov::subscribe(&state.db, &state.ledger, &user.actor, target, lang).await?;
    Ok(see_other(&page.href("/account/subscriptions")))
}

pub async fn unsubscribe(
    page: PageContext,
    State(state): State<AppState>,
    user: Authorized<SignedIn>,
    FormData(form): FormData<SubscribeForm>,
) -> Result<Response, WebError> {
    let target = SubscriptionTarget::parse(&form.target).ok_or_else(|| WebError::new(Code::INVALID_FORM))?;
    mygov::unsubscribe(&state.db, &state.ledger, &user.actor, &target).await?;
    Ok(see_other(&page.href("/account/subscriptions")))
}

pub(crate) struct PrefillRow {
    pub field: &'static str,
    pub label: String,
    pub allowed: bool,
}

#[derive(Template)]
#[template(path = "account/prefill.html")]
struct PrefillPage {
    page: PageContext,
    rows: Vec<PrefillRow>,
    saved: bool,
}

async fn prefill_page(page: PageContext, state: &AppState, user: &Authorized<SignedIn>, saved: bool) -> Result<Html<String>, WebError> {
    let allowed = prefill::prefill(&state.db, user.account.id).await?;
    let rows = PrefillField::ALL
        .into_iter()
        .map(|f| PrefillRow { field: f.as_str(), label: page.t(&format!("prefill-{}", f.as_str().replace('_', "-"))), allowed: allowed.contains(&f) })
        .collect();
    render(&PrefillPage { page: page.section("account"), rows, saved })
}

pub async fn prefill(page: PageContext, State(state): State<AppState>, user: Authorized<SignedIn>) -> Result<Html<String>, WebError> {
    prefill_page(page, &state, &user, false).await
}

/// Each checkbox is its own field (`name=on`), so the form needs no repeated keys.
pub async fn save_prefill(
    page: PageContext,
    State(state): State<AppState>,
    user: Authorized<SignedIn>,
    FormData(form): FormData<std::collections::HashMap<String, String>>,
) -> Result<Html<String>, WebError> {
    let chosen: BTreeSet<PrefillField> = PrefillField::ALL.into_iter().filter(|f| form.get(f.as_str()).is_some_and(|v| v == "on")).collect();
    prefill::set_prefill(&state.db, &state.ledger, &user.actor, &chosen).await?;
    prefill_page(page, &state, &user, true).await
}
