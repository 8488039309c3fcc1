//! Where departments write and review content: a dashboard of the department's items, the
//! editor, the review actions, and each version with what changed.

use askama::Template;
use axum::extract::{OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::{NaiveDateTime, TimeZone};
use serde::Deserialize;
use tamar_core::{Actor, Code, HasCode, Role};
use tamar_portal::catalogue::{AUDIENCES, Channel, TOPICS};
use tamar_portal::content::{self, ItemSummary};
use tamar_portal::diff::{self, FieldDiff};
use tamar_portal::{ContentInput, ItemId, ItemKind, NewItem, PortalError, ServiceInput, TextInput, Version, VersionState};

use super::{item_href, kind_label, long_date};
use tamar_web::extract::{ApiQuery, Authorized, FormData, Officers};
use tamar_web::pages::{PageContext, hong_kong, render, see_other};
use tamar_web::paging;
use tamar_web::{AppState, WebError, i18n};

fn department_of(actor: &Actor) -> Result<tamar_core::DepartmentId, WebError> {
    actor.department().ok_or_else(|| WebError::new(Code::FORBIDDEN))
}

pub(crate) struct Row {
    pub href: String,
    pub title: String,
    pub kind: String,
    pub state: String,
    pub updated: String,
    pub live: bool,
}

#[derive(Template)]
#[template(path = "office/content.html")]
struct DashboardPage {
    page: PageContext,
    rows: Vec<Row>,
    to_review: Vec<Row>,
    can_write: bool,
    notice: Option<String>,
    /// The next page of all items, and of the review queue.
    next: Option<String>,
    review_next: Option<String>,
}

fn state_label(page: &PageContext, state: VersionState) -> String {
    page.t(&format!("state-{}", state.as_str().replace('_', "-")))
}

fn row(page: &PageContext, s: &ItemSummary) -> Row {
    Row {
        href: page.href(&format!("/office/content/{}", s.item.id)),
        title: s.latest.content.title.get(page.lang).to_owned(),
        kind: kind_label(page, s.item.kind),
        state: state_label(page, s.latest.state),
        updated: long_date(page.lang, s.latest.updated_at),
        live: s.item.live_version.is_some(),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DashboardQuery {
    done: Option<String>,
    /// Where the list of all items goes on from.
    after: Option<String>,
    /// Where the review queue goes on from.
    review_after: Option<String>,
}

pub async fn dashboard(
    page: PageContext,
    State(state): State<AppState>,
    officer: Authorized<Officers>,
    OriginalUri(uri): OriginalUri,
    ApiQuery(q): ApiQuery<DashboardQuery>,
) -> Result<Html<String>, WebError> {
    let department = department_of(&officer.actor)?;
    let items = content::department_items(&state.db, &officer.actor, department, &paging::request(None, q.after.as_deref())?).await?;
    let page = page.section("content");
    let (to_review, review_next) = if officer.actor.has_role(Role::ContentReviewer) {
        let queue = content::in_review(&state.db, &officer.actor, department, &paging::request(None, q.review_after.as_deref())?).await?;
        let next = queue.next.as_ref().map(|c| paging::next_href_as(&uri, "review_after", c));
        (queue.items.iter().map(|s| row(&page, s)).collect(), next)
    } else {
        (Vec::new(), None)
    };
    let next = paging::next_of(&items, &uri);
    let rows = items.items.iter().map(|s| row(&page, s)).collect();
    let notice = q.done.filter(|d| ["submitted", "published", "scheduled", "rejected", "withdrawn", "created"].contains(&d.as_str())).map(|d| page.t(&format!("content-done-{d}")));
    render(&DashboardPage { can_write: officer.actor.has_role(Role::ContentEditor), page, rows, to_review, notice, next, review_next })
}

/// The editor's form, with every field as a flat name (`title_en`, `fees_tc`, …).
#[derive(Default, Deserialize)]
pub struct ContentForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    title_en: String,
    #[serde(default)]
    title_tc: String,
    #[serde(default)]
    title_sc: String,
    #[serde(default)]
    summary_en: String,
    #[serde(default)]
    summary_tc: String,
    #[serde(default)]
    summary_sc: String,
    #[serde(default)]
    body_en: String,
    #[serde(default)]
    body_tc: String,
    #[serde(default)]
    body_sc: String,
    #[serde(default)]
    eligibility_en: String,
    #[serde(default)]
    eligibility_tc: String,
    #[serde(default)]
    fees_en: String,
    #[serde(default)]
    fees_tc: String,
    #[serde(default)]
    how_to_apply_en: String,
    #[serde(default)]
    how_to_apply_tc: String,
    #[serde(default)]
    processing_time_en: String,
    #[serde(default)]
    processing_time_tc: String,
    #[serde(default)]
    online_url: String,
    /// Checkboxes, each its own field so that the form needs no repeated keys.
    #[serde(flatten)]
    flags: std::collections::HashMap<String, String>,
}

impl ContentForm {
    fn checked(&self, name: &str) -> bool {
        self.flags.get(name).is_some_and(|v| v == "on")
    }

    fn input(&self, kind: ItemKind) -> ContentInput {
        let text = |en: &str, tc: &str, sc: &str| TextInput { en: en.to_owned(), tc: tc.to_owned(), sc: Some(sc.to_owned()).filter(|s| !s.trim().is_empty()) };
        ContentInput {
            title: text(&self.title_en, &self.title_tc, &self.title_sc),
            summary: text(&self.summary_en, &self.summary_tc, &self.summary_sc),
            body: text(&self.body_en, &self.body_tc, &self.body_sc),
            service: (kind == ItemKind::Service).then(|| ServiceInput {
                eligibility: TextInput::new(&self.eligibility_en, &self.eligibility_tc),
                fees: TextInput::new(&self.fees_en, &self.fees_tc),
                how_to_apply: TextInput::new(&self.how_to_apply_en, &self.how_to_apply_tc),
                processing_time: TextInput::new(&self.processing_time_en, &self.processing_time_tc),
                channels: Channel::ALL.into_iter().filter(|c| self.checked(&format!("channel_{}", c.as_str()))).collect(),
                online_url: Some(self.online_url.clone()),
                eservice: None,
            }),
            topics: TOPICS.iter().filter(|t| self.checked(&format!("topic_{}", t.slug))).map(|t| t.slug.to_owned()).collect(),
            audiences: AUDIENCES.iter().filter(|a| self.checked(&format!("audience_{}", a.slug))).map(|a| a.slug.to_owned()).collect(),
        }
    }

    fn from_version(kind: ItemKind, slug: &str, v: &Version) -> ContentForm {
        let c = v.content.to_input();
        let mut flags = std::collections::HashMap::new();
        for t in &c.topics {
            flags.insert(format!("topic_{t}"), "on".to_owned());
        }
        for a in &c.audiences {
            flags.insert(format!("audience_{a}"), "on".to_owned());
        }
        let s = c.service.clone().unwrap_or_default();
        for ch in &s.channels {
            flags.insert(format!("channel_{}", ch.as_str()), "on".to_owned());
        }
        ContentForm {
            kind: kind.as_str().to_owned(),
            slug: slug.to_owned(),
            title_en: c.title.en,
            title_tc: c.title.tc,
            title_sc: c.title.sc.unwrap_or_default(),
            summary_en: c.summary.en,
            summary_tc: c.summary.tc,
            summary_sc: c.summary.sc.unwrap_or_default(),
            body_en: c.body.en,
            body_tc: c.body.tc,
            body_sc: c.body.sc.unwrap_or_default(),
            eligibility_en: s.eligibility.en,
            eligibility_tc: s.eligibility.tc,
            fees_en: s.fees.en,
            fees_tc: s.fees.tc,
            how_to_apply_en: s.how_to_apply.en,
            how_to_apply_tc: s.how_to_apply.tc,
            processing_time_en: s.processing_time.en,
            processing_time_tc: s.processing_time.tc,
            online_url: s.online_url.unwrap_or_default(),
            flags,
        }
    }
}

pub(crate) struct Check {
    pub name: String,
    pub label: String,
    pub checked: bool,
}

pub(crate) struct VersionRow {
    pub number: i32,
    pub state: String,
    pub updated: String,
    pub href: String,
}

#[derive(Template)]
#[template(path = "office/content_edit.html")]
struct EditPage {
    page: PageContext,
    /// `None` for a new item.
    id: Option<String>,
    kind: ItemKind,
    kind_label: String,
    /// The service's text fields: (name, label, English, Traditional Chinese).
    service_fields: Vec<(&'static str, String, String, String)>,
    form: ContentForm,
    topics: Vec<Check>,
    audiences: Vec<Check>,
    channels: Vec<Check>,
    error: Option<String>,
    /// The latest version, for an existing item.
    state: Option<String>,
    can_edit: bool,
    can_submit: bool,
    can_review: bool,
    can_withdraw: bool,
    review_note: Option<String>,
    publish_at: Option<String>,
    public_href: Option<String>,
    versions: Vec<VersionRow>,
}

fn checks(page: &PageContext, form: &ContentForm) -> (Vec<Check>, Vec<Check>, Vec<Check>) {
    let topics = TOPICS.iter().map(|t| { let name = format!("topic_{}", t.slug); Check { checked: form.checked(&name), name, label: t.name(page.lang).to_owned() } }).collect();
    let audiences = AUDIENCES.iter().map(|a| { let name = format!("audience_{}", a.slug); Check { checked: form.checked(&name), name, label: a.name(page.lang).to_owned() } }).collect();
    let channels = Channel::ALL.into_iter().map(|c| { let name = format!("channel_{}", c.as_str()); Check { checked: form.checked(&name), name, label: page.t(&format!("channel-{}", c.as_str())) } }).collect();
    (topics, audiences, channels)
}

fn service_fields(page: &PageContext, form: &ContentForm) -> Vec<(&'static str, String, String, String)> {
    [
        ("eligibility", &form.eligibility_en, &form.eligibility_tc),
        ("fees", &form.fees_en, &form.fees_tc),
        ("how_to_apply", &form.how_to_apply_en, &form.how_to_apply_tc),
        ("processing_time", &form.processing_time_en, &form.processing_time_tc),
    ]
    .into_iter()
    .map(|(name, en, tc)| (name, page.t(&format!("content-field-{}", name.replace('_', "-"))), en.clone(), tc.clone()))
    .collect()
}

fn new_page(page: PageContext, kind: ItemKind, form: ContentForm, error: Option<String>) -> Result<Html<String>, WebError> {
    let (topics, audiences, channels) = checks(&page, &form);
    render(&EditPage {
        kind_label: kind_label(&page, kind),
        service_fields: service_fields(&page, &form),
        page: page.section("content"),
        id: None,
        kind,
        form,
        topics,
        audiences,
        channels,
        error,
        state: None,
        can_edit: true,
        can_submit: false,
        can_review: false,
        can_withdraw: false,
        review_note: None,
        publish_at: None,
        public_href: None,
        versions: Vec::new(),
    })
}

#[derive(Deserialize)]
pub struct KindQuery {
    kind: Option<String>,
}

pub async fn new_form(page: PageContext, officer: Authorized<Officers>, ApiQuery(q): ApiQuery<KindQuery>) -> Result<Html<String>, WebError> {
    if !officer.actor.has_role(Role::ContentEditor) {
        return Err(WebError::new(Code::FORBIDDEN));
    }
    let kind = q.kind.as_deref().and_then(ItemKind::parse).unwrap_or(ItemKind::Service);
    new_page(page, kind, ContentForm { kind: kind.as_str().to_owned(), ..Default::default() }, None)
}

/// A domain refusal shown on the form (422 or 409), rather than an error page.
fn form_error(page: &PageContext, error: &PortalError) -> (StatusCode, String) {
    let code = error.code();
    let message = match error {
        PortalError::Invalid { field, rule, .. } => {
            let field = page.t(&format!("content-field-{}", field.replace(['.', '_'], "-")));
            i18n::t_args(page.lang, "content-invalid", &[("field", field), ("reason", page.t(&format!("rule-{}", rule.as_str())))])
        }
        _ => page.t(&format!("error-{}", code.as_str())),
    };
    let status = if code.kind() == tamar_core::ErrorKind::Conflict { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
    (status, message)
}

pub async fn create(
    page: PageContext,
    State(state): State<AppState>,
    officer: Authorized<Officers>,
    FormData(form): FormData<ContentForm>,
) -> Result<Response, WebError> {
    let department = department_of(&officer.actor)?;
    let kind = ItemKind::parse(&form.kind).ok_or_else(|| WebError::new(Code::INVALID_FORM))?;
    let new = NewItem { kind, slug: form.slug.trim().to_owned(), content: form.input(kind) };
    match content::create(&state.db, &state.ledger, &officer.actor, department, new).await {
        Ok((item, _)) => Ok(see_other(&page.href(&format!("/office/content/{}", item.id)))),
        Err(e @ (PortalError::Invalid { .. } | PortalError::SlugTaken(_))) => {
            let (status, message) = form_error(&page, &e);
            Ok((status, new_page(page, kind, form, Some(message))?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

fn parse_id(id: &str) -> Result<ItemId, WebError> {
    id.parse().map_err(|_| WebError::new(Code::NOT_FOUND))
}

async fn edit_page(page: PageContext, state: &AppState, actor: &Actor, id: ItemId, form: Option<ContentForm>, error: Option<String>) -> Result<Html<String>, WebError> {
    let item = content::item(&state.db, id).await?;
    content::may_edit_view(actor, &item).map_err(|_| WebError::new(Code::NOT_FOUND))?;
    let versions = content::versions(&state.db, id).await?;
    let latest = versions.first().ok_or_else(|| WebError::new(Code::NOT_FOUND))?;
    let form = form.unwrap_or_else(|| ContentForm::from_version(item.kind, &item.slug, latest));
    let (topics, audiences, channels) = checks(&page, &form);
    let editor = actor.has_role(Role::ContentEditor);
    let reviewer = actor.has_role(Role::ContentReviewer);
    let version_rows = versions
        .iter()
        .map(|v| VersionRow {
            number: v.number,
            state: state_label(&page, v.state),
            updated: long_date(page.lang, v.updated_at),
            href: page.href(&format!("/office/content/{id}/versions/{}", v.number)),
        })
        .collect();
    render(&EditPage {
        id: Some(id.to_string()),
        kind: item.kind,
        kind_label: kind_label(&page, item.kind),
        service_fields: service_fields(&page, &form),
        form,
        topics,
        audiences,
        channels,
        error,
        state: Some(state_label(&page, latest.state)),
        can_edit: editor && !matches!(latest.state, VersionState::InReview | VersionState::Scheduled),
        can_submit: editor && latest.state == VersionState::Draft,
        can_review: reviewer && latest.state == VersionState::InReview,
        can_withdraw: reviewer && item.live_version.is_some(),
        review_note: latest.review_note.clone().filter(|_| latest.state == VersionState::Draft),
        publish_at: latest.publish_at.filter(|_| latest.state == VersionState::Scheduled).map(|d| d.with_timezone(&hong_kong()).format("%Y-%m-%d %H:%M").to_string()),
        public_href: item.live_version.map(|_| item_href(page.lang, item.kind, &item.slug)),
        versions: version_rows,
        page: page.section("content"),
    })
}

pub async fn edit_form(page: PageContext, State(state): State<AppState>, officer: Authorized<Officers>, Path((_, id)): Path<(String, String)>) -> Result<Html<String>, WebError> {
    edit_page(page, &state, &officer.actor, parse_id(&id)?, None, None).await
}

pub async fn save(
    page: PageContext,
    State(state): State<AppState>,
    officer: Authorized<Officers>,
    Path((_, id)): Path<(String, String)>,
    FormData(form): FormData<ContentForm>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let item = content::item(&state.db, id).await?;
    match content::save_draft(&state.db, &state.ledger, &officer.actor, id, form.input(item.kind)).await {
        Ok(_) => Ok(see_other(&page.href(&format!("/office/content/{id}")))),
        Err(e @ (PortalError::Invalid { .. } | PortalError::WrongState)) => {
            let (status, message) = form_error(&page, &e);
            Ok((status, edit_page(page, &state, &officer.actor, id, Some(form), Some(message)).await?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn submit(page: PageContext, State(state): State<AppState>, officer: Authorized<Officers>, Path((_, id)): Path<(String, String)>) -> Result<Response, WebError> {
    content::submit(&state.db, &state.ledger, &officer.actor, parse_id(&id)?).await?;
    Ok(see_other(&format!("{}?done=submitted", page.href("/office/content"))))
}

#[derive(Deserialize)]
pub struct ApproveForm {
    /// Hong Kong local time, `YYYY-MM-DDTHH:MM` (from `<input type="datetime-local">`); empty
    /// to publish now.
    #[serde(default)]
    publish_at: String,
}

pub async fn approve(
    page: PageContext,
    State(state): State<AppState>,
    officer: Authorized<Officers>,
    Path((_, id)): Path<(String, String)>,
    FormData(form): FormData<ApproveForm>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let at = match form.publish_at.trim() {
        "" => None,
        text => {
            let local = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M").map_err(|_| WebError::new(Code::INVALID_FORM))?;
            Some(hong_kong().from_local_datetime(&local).single().ok_or_else(|| WebError::new(Code::INVALID_FORM))?.with_timezone(&chrono::Utc))
        }
    };
    let version = content::approve(&state.db, &state.ledger, &officer.actor, id, at).await?;
    let done = if version.state == VersionState::Scheduled { "scheduled" } else { "published" };
    Ok(see_other(&format!("{}?done={done}", page.href("/office/content"))))
}

#[derive(Deserialize)]
pub struct RejectForm {
    #[serde(default)]
    note: String,
}

pub async fn reject(
    page: PageContext,
    State(state): State<AppState>,
    officer: Authorized<Officers>,
    Path((_, id)): Path<(String, String)>,
    FormData(form): FormData<RejectForm>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    match content::reject(&state.db, &state.ledger, &officer.actor, id, &form.note).await {
        Ok(_) => Ok(see_other(&format!("{}?done=rejected", page.href("/office/content")))),
        Err(e @ PortalError::Invalid { .. }) => {
            let (status, message) = form_error(&page, &e);
            Ok((status, edit_page(page, &state, &officer.actor, id, None, Some(message)).await?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn withdraw(page: PageContext, State(state): State<AppState>, officer: Authorized<Officers>, Path((_, id)): Path<(String, String)>) -> Result<Response, WebError> {
    content::withdraw(&state.db, &state.ledger, &officer.actor, parse_id(&id)?).await?;
    Ok(see_other(&format!("{}?done=withdrawn", page.href("/office/content"))))
}

pub(crate) struct FieldView {
    pub label: String,
    pub lang: &'static str,
    pub diff: FieldDiff,
}

#[derive(Template)]
#[template(path = "office/content_version.html")]
struct VersionPage {
    page: PageContext,
    id: String,
    title: String,
    number: i32,
    state: String,
    previous: Option<i32>,
    changes: Vec<FieldView>,
    summary: String,
    updated: String,
}

pub async fn version(
    page: PageContext,
    State(state): State<AppState>,
    officer: Authorized<Officers>,
    Path((_, id, number)): Path<(String, String, i32)>,
) -> Result<Html<String>, WebError> {
    let id = parse_id(&id)?;
    let item = content::item(&state.db, id).await?;
    content::may_edit_view(&officer.actor, &item).map_err(|_| WebError::new(Code::NOT_FOUND))?;
    let this = content::version(&state.db, id, number).await?;
    let previous = if number > 1 { Some(content::version(&state.db, id, number - 1).await?) } else { None };
    let changes = match &previous {
        Some(p) => diff::diff(&p.content, &this.content),
        None => Vec::new(),
    }
    .into_iter()
    .map(|d| FieldView {
        label: page.t(&format!("content-field-{}", d.field.replace('_', "-"))),
        lang: match d.lang {
            "en" => "English",
            "tc" => "繁體",
            "sc" => "简体",
            _ => "",
        },
        diff: d,
    })
    .collect();
    render(&VersionPage {
        id: id.to_string(),
        title: this.content.title.get(page.lang).to_owned(),
        number,
        state: state_label(&page, this.state),
        previous: previous.map(|p| p.number),
        changes,
        summary: this.content.summary.get(page.lang).to_owned(),
        updated: long_date(page.lang, this.updated_at),
        page: page.section("content"),
    })
}
