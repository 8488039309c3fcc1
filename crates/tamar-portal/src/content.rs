//! Content: items of the catalogue (services, guides, news, notices), their versions, and the
//! publishing workflow.
//!
//! An item is written as a draft by a content editor of its department, submitted, reviewed by
//! a second officer (a content reviewer who saved none of its revisions, see [`crate::review`]),
//! and then published at once or scheduled. Every version is kept; a new draft of a published item becomes its next version.
//! Each step is a state change logged in the tamper-evident log, and every change to what is
//! live is also written to the change feed, so that search indexes follow.

use chrono::{DateTime, Utc};
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::{Deserialize, Serialize};
use tamar_core::{AccountId, Actor, Cursor, DepartmentId, LocalizedText, Page, PageRequest, Role, Rule};
use tamar_ledger::{Ledger, LedgerEntry};
use tamar_store::{AnyRow, Db, StoreError, Tx, from_millis, row, to_millis};

use crate::catalogue::{Channel, ItemKind, audience, topic};
// Editors write; reviewers approve, publish and withdraw; both within their department.
use crate::review::{Subject, require};
use crate::text::to_simplified;
use crate::facets::Facet;
use crate::{FACETS, ITEMS, PortalError, VERSIONS, feed};

tamar_core::id_type!(
    /// An item of the portal's catalogue.
    ItemId
);

/// Text as an officer writes it: English and Traditional Chinese are required; Simplified
/// Chinese is converted from the Traditional when left out.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TextInput {
    #[serde(default)]
    pub en: String,
    #[serde(default)]
    pub tc: String,
    /// Hand-written Simplified Chinese; converted from `tc` when absent or blank.
    #[serde(default)]
    pub sc: Option<String>,
}

impl TextInput {
    pub fn new(en: impl Into<String>, tc: impl Into<String>) -> Self {
        TextInput { en: en.into(), tc: tc.into(), sc: None }
    }
}

/// The service-specific part of a service entry, as written.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceInput {
    pub eligibility: TextInput,
    pub fees: TextInput,
    /// Markdown.
    pub how_to_apply: TextInput,
    pub processing_time: TextInput,
    pub channels: Vec<Channel>,
    /// An `https://` address where the service is used online.
    #[serde(default)]
    pub online_url: Option<String>,
    /// The code of a Tamar e-service that delivers it.
    #[serde(default)]
    pub eservice: Option<String>,
}

/// An item's content, as written by an editor.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContentInput {
    pub title: TextInput,
    pub summary: TextInput,
    /// Markdown.
    #[serde(default)]
    pub body: TextInput,
    /// Required for services, absent for pages.
    #[serde(default)]
    pub service: Option<ServiceInput>,
    /// One to three topic slugs.
    pub topics: Vec<String>,
    /// One or more of `residents`, `business`, `non-residents`.
    pub audiences: Vec<String>,
}

/// The service-specific part of a service entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceDetails {
    pub eligibility: LocalizedText,
    pub fees: LocalizedText,
    pub how_to_apply: LocalizedText,
    pub processing_time: LocalizedText,
    pub channels: Vec<Channel>,
    pub online_url: Option<String>,
    pub eservice: Option<String>,
}

/// A version's content, in the three languages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Content {
    pub title: LocalizedText,
    pub summary: LocalizedText,
    pub body: LocalizedText,
    pub service: Option<ServiceDetails>,
    pub topics: Vec<String>,
    pub audiences: Vec<String>,
    /// Whether some Simplified Chinese text was converted from the Traditional, rather than
    /// written by hand. The Traditional Chinese text prevails.
    pub sc_converted: bool,
}

const MAX_TITLE: usize = 200;
const MAX_SUMMARY: usize = 600;
const MAX_BODY: usize = 40_000;
const MAX_FIELD: usize = 8_000;

/// Text that must be given in English and Traditional Chinese, with Simplified Chinese
/// converted where it is left out (messages, app names).
pub(crate) fn required_text(field: &'static str, input: &TextInput, max: usize) -> Result<LocalizedText, PortalError> {
    localize(field, input, true, max, &mut false)
}

fn localize(
    field: &'static str,
    input: &TextInput,
    required: bool,
    max: usize,
    converted: &mut bool,
) -> Result<LocalizedText, PortalError> {
    let en = input.en.trim();
    let tc = input.tc.trim();
    for text in [en, tc] {
        if required && text.is_empty() {
            return Err(PortalError::Invalid { field, rule: Rule::Required, reason: "English and Traditional Chinese are required" });
        }
        if text.chars().count() > max {
            return Err(PortalError::Invalid { field, rule: Rule::TooLong, reason: "too long" });
        }
        if text.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
            return Err(PortalError::Invalid { field, rule: Rule::ControlCharacters, reason: "contains control characters" });
        }
    }
    if en.is_empty() != tc.is_empty() {
        return Err(PortalError::Invalid { field, rule: Rule::Required, reason: "English and Traditional Chinese are required" });
    }
    let sc = match input.sc.as_deref().map(str::trim) {
        Some(sc) if !sc.is_empty() => {
            if sc.chars().count() > max || sc.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
                return Err(PortalError::Invalid { field, rule: Rule::TooLong, reason: "too long or contains control characters" });
            }
            sc.to_owned()
        }
        _ if tc.is_empty() => String::new(),
        _ => {
            *converted = true;
            to_simplified(tc)
        }
    };
    Ok(LocalizedText::new(en.replace("\r\n", "\n"), tc.replace("\r\n", "\n"), sc.replace("\r\n", "\n")))
}

impl ContentInput {
    /// Checks the input for an item of `kind` and completes the Simplified Chinese.
    pub fn into_content(self, kind: ItemKind) -> Result<Content, PortalError> {
        let mut converted = false;
        let title = localize("title", &self.title, true, MAX_TITLE, &mut converted)?;
        let summary = localize("summary", &self.summary, true, MAX_SUMMARY, &mut converted)?;
        let body = localize("body", &self.body, kind != ItemKind::Service, MAX_BODY, &mut converted)?;
        let service = match (kind, self.service) {
            (ItemKind::Service, Some(s)) => {
                let mut channels = s.channels.clone();
                channels.dedup();
                if channels.is_empty() {
                    return Err(PortalError::Invalid { field: "service.channels", rule: Rule::Required, reason: "at least one channel" });
                }
                let online_url = s.online_url.map(|u| u.trim().to_owned()).filter(|u| !u.is_empty());
                if let Some(url) = &online_url
                    && (!url.starts_with("https://") || url.len() <= 8 || url.len() > 500 || url.chars().any(char::is_whitespace))
                {
                    return Err(PortalError::Invalid { field: "service.online_url", rule: Rule::Format, reason: "an https:// address" });
                }
                let eservice = s.eservice.map(|e| e.trim().to_owned()).filter(|e| !e.is_empty());
                if let Some(code) = &eservice
                    && (code.len() > 60 || !code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'))
                {
                    return Err(PortalError::Invalid { field: "service.eservice", rule: Rule::Format, reason: "an e-service code" });
                }
                Some(ServiceDetails {
                    eligibility: localize("service.eligibility", &s.eligibility, true, MAX_FIELD, &mut converted)?,
                    fees: localize("service.fees", &s.fees, true, MAX_FIELD, &mut converted)?,
                    how_to_apply: localize("service.how_to_apply", &s.how_to_apply, true, MAX_FIELD, &mut converted)?,
                    processing_time: localize("service.processing_time", &s.processing_time, true, MAX_FIELD, &mut converted)?,
                    channels,
                    online_url,
                    eservice,
                })
            }
            (ItemKind::Service, None) => {
                return Err(PortalError::Invalid { field: "service", rule: Rule::Required, reason: "a service entry needs its service details" });
            }
            (_, Some(_)) => return Err(PortalError::Invalid { field: "service", rule: Rule::Inconsistent, reason: "only service entries have service details" }),
            (_, None) => None,
        };
        let mut topics = self.topics;
        topics.sort();
        topics.dedup();
        if topics.is_empty() || topics.len() > 3 || topics.iter().any(|t| topic(t).is_none()) {
            return Err(PortalError::Invalid { field: "topics", rule: Rule::UnknownValue, reason: "one to three known topics" });
        }
        let mut audiences = self.audiences;
        audiences.sort();
        audiences.dedup();
        if audiences.is_empty() || audiences.iter().any(|a| audience(a).is_none()) {
            return Err(PortalError::Invalid { field: "audiences", rule: Rule::UnknownValue, reason: "one or more known audiences" });
        }
        Ok(Content { title, summary, body, service, topics, audiences, sc_converted: converted })
    }
}

impl Content {
    /// The content back in the form an editor edits; converted Simplified text is left out so
    /// that it is converted again from the edited Traditional text.
    pub fn to_input(&self) -> ContentInput {
        let keep_sc = !self.sc_converted;
        let text = |t: &LocalizedText| TextInput {
            en: t.en.clone(),
            tc: t.tc.clone(),
            sc: if keep_sc && !t.sc.is_empty() { Some(t.sc.clone()) } else { None },
        };
        ContentInput {
            title: text(&self.title),
            summary: text(&self.summary),
            body: text(&self.body),
            service: self.service.as_ref().map(|s| ServiceInput {
                eligibility: text(&s.eligibility),
                fees: text(&s.fees),
                how_to_apply: text(&s.how_to_apply),
                processing_time: text(&s.processing_time),
                channels: s.channels.clone(),
                online_url: s.online_url.clone(),
                eservice: s.eservice.clone(),
            }),
            topics: self.topics.clone(),
            audiences: self.audiences.clone(),
        }
    }

    /// Each text field with its name, in a fixed order, for diffs and for search.
    pub fn fields(&self) -> Vec<(&'static str, &LocalizedText)> {
        let mut fields = vec![("title", &self.title), ("summary", &self.summary), ("body", &self.body)];
        if let Some(s) = &self.service {
            fields.extend([
                ("eligibility", &s.eligibility),
                ("fees", &s.fees),
                ("how_to_apply", &s.how_to_apply),
                ("processing_time", &s.processing_time),
            ]);
        }
        fields
    }
}

/// Where a version is in the workflow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VersionState {
    /// Being written; only drafts can be edited.
    Draft,
    /// Submitted for review by a second officer.
    InReview,
    /// Approved, to be published at `publish_at`.
    Scheduled,
    /// What the public sees.
    Published,
    /// Was published; a later version replaced it.
    Superseded,
    /// Was published; taken down.
    Withdrawn,
}

impl VersionState {
    pub const ALL: [VersionState; 6] = [
        VersionState::Draft,
        VersionState::InReview,
        VersionState::Scheduled,
        VersionState::Published,
        VersionState::Superseded,
        VersionState::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            VersionState::Draft => "draft",
            VersionState::InReview => "in_review",
            VersionState::Scheduled => "scheduled",
            VersionState::Published => "published",
            VersionState::Superseded => "superseded",
            VersionState::Withdrawn => "withdrawn",
        }
    }

    fn parse(s: &str) -> Result<VersionState, StoreError> {
        VersionState::ALL.into_iter().find(|v| v.as_str() == s).ok_or_else(|| StoreError::Corrupt(format!("version state {s}")))
    }

    /// Whether the version is still being worked on (not yet live nor retired).
    pub fn is_open(self) -> bool {
        matches!(self, VersionState::Draft | VersionState::InReview | VersionState::Scheduled)
    }
}

/// An item of the catalogue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub id: ItemId,
    pub kind: ItemKind,
    /// The last segment of its address, unique across the catalogue.
    pub slug: String,
    pub department: DepartmentId,
    pub created_at: DateTime<Utc>,
    /// The number of the published version, if any.
    pub live_version: Option<i32>,
    /// When the live version was published.
    pub live_at: Option<DateTime<Utc>>,
    /// When the item first went live; the date a news item carries.
    pub first_published_at: Option<DateTime<Utc>>,
    /// When any of its versions last changed: what a department's content list sorts by.
    pub updated_at: DateTime<Utc>,
}

/// One version of an item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    pub item: ItemId,
    pub number: i32,
    pub state: VersionState,
    pub content: Content,
    pub author: Option<AccountId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub reviewer: Option<AccountId>,
    pub review_note: Option<String>,
    pub publish_at: Option<DateTime<Utc>>,
}

/// A published item with the content the public sees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveItem {
    pub item: Item,
    pub content: Content,
    pub version: i32,
}

/// A new item as an editor creates it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewItem {
    pub kind: ItemKind,
    /// 3 to 80 lowercase letters, digits and hyphens.
    pub slug: String,
    pub content: ContentInput,
}

fn check_slug(slug: &str) -> Result<(), PortalError> {
    let ok = (3..=80).contains(&slug.len())
        && slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--");
    if ok { Ok(()) } else { Err(PortalError::Invalid { field: "slug", rule: Rule::Format, reason: "3 to 80 lowercase letters, digits and hyphens" }) }
}

/// Where the catalogue's versions are.
const VERSION_TABLE: crate::review::VersionTable = crate::review::VersionTable { table: VERSIONS, key: "item_id" };

fn content_json(content: &Content) -> Result<String, PortalError> {
    serde_json::to_string(content).map_err(|e| PortalError::Store(StoreError::Corrupt(e.to_string())))
}

const ITEM_COLUMNS: [&str; 9] = ["id", "kind", "slug", "department_id", "created_at", "live_version", "live_at", "first_published_at", "updated_at"];
const VERSION_COLUMNS: [&str; 11] = [
    "item_id",
    "number",
    "state",
    "content",
    "author_id",
    "created_at",
    "updated_at",
    "reviewer_id",
    "review_note",
    "publish_at",
    "published_at",
];

fn item_from_row(r: &AnyRow) -> Result<Item, StoreError> {
    let kind: String = row::get(r, "kind")?;
    Ok(Item {
        id: row::parse(r, "id")?,
        kind: ItemKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("item kind {kind}")))?,
        slug: row::get(r, "slug")?,
        department: row::parse(r, "department_id")?,
        created_at: from_millis(row::get(r, "created_at")?),
        live_version: row::get::<Option<i32>>(r, "live_version")?,
        live_at: row::get::<Option<i64>>(r, "live_at")?.map(from_millis),
        first_published_at: row::get::<Option<i64>>(r, "first_published_at")?.map(from_millis),
        updated_at: from_millis(row::get::<Option<i64>>(r, "updated_at")?.unwrap_or(row::get(r, "created_at")?)),
    })
}

/// Records that one of the item's versions changed at `now`.
async fn touch(tx: &mut Tx, id: ItemId, now: DateTime<Utc>) -> Result<(), PortalError> {
    tx.execute(&Query::update().table(ITEMS).value("updated_at", to_millis(now)).and_where(Expr::col("id").eq(id.to_string())).to_owned()).await?;
    Ok(())
}

fn optional_account(r: &AnyRow, column: &str) -> Result<Option<AccountId>, StoreError> {
    row::get::<Option<String>>(r, column)?
        .map(|s| s.parse().map_err(|_| StoreError::Corrupt(format!("{column}: {s}"))))
        .transpose()
}

fn version_from_row(r: &AnyRow) -> Result<Version, StoreError> {
    let content: String = row::get(r, "content")?;
    Ok(Version {
        item: row::parse(r, "item_id")?,
        number: row::get(r, "number")?,
        state: VersionState::parse(&row::get::<String>(r, "state")?)?,
        content: serde_json::from_str(&content).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        author: optional_account(r, "author_id")?,
        created_at: from_millis(row::get(r, "created_at")?),
        updated_at: from_millis(row::get(r, "updated_at")?),
        reviewer: optional_account(r, "reviewer_id")?,
        review_note: row::get(r, "review_note")?,
        publish_at: row::get::<Option<i64>>(r, "publish_at")?.map(from_millis),
    })
}

fn select_items() -> sea_query::SelectStatement {
    Query::select().columns(ITEM_COLUMNS).from(ITEMS).to_owned()
}

fn select_versions() -> sea_query::SelectStatement {
    Query::select().columns(VERSION_COLUMNS).from(VERSIONS).to_owned()
}

async fn insert_version(tx: &mut Tx, version: &Version, published_at: Option<DateTime<Utc>>) -> Result<(), PortalError> {
    tx.execute(
        &Query::insert()
            .into_table(VERSIONS)
            .columns(VERSION_COLUMNS)
            .values_panic([
                version.item.to_string().into(),
                version.number.into(),
                version.state.as_str().into(),
                content_json(&version.content)?.into(),
                version.author.map(|a| a.to_string()).into(),
                to_millis(version.created_at).into(),
                to_millis(version.updated_at).into(),
                version.reviewer.map(|a| a.to_string()).into(),
                version.review_note.clone().into(),
                version.publish_at.map(to_millis).into(),
                published_at.map(to_millis).into(),
            ])
            .to_owned(),
    )
    .await?;
    Ok(())
}

/// Creates an item with its first version, a draft.
pub async fn create(db: &Db, ledger: &Ledger, actor: &Actor, department: DepartmentId, new: NewItem) -> Result<(Item, Version), PortalError> {
    require(actor, department, Role::ContentEditor)?;
    check_slug(&new.slug)?;
    let content = new.content.into_content(new.kind)?;
    let now = ledger.now();
    let item = Item {
        id: ItemId::new(),
        kind: new.kind,
        slug: new.slug,
        department,
        created_at: now,
        live_version: None,
        live_at: None,
        first_published_at: None,
        updated_at: now,
    };
    let version = Version {
        item: item.id,
        number: 1,
        state: VersionState::Draft,
        content,
        author: actor.account(),
        created_at: now,
        updated_at: now,
        reviewer: None,
        review_note: None,
        publish_at: None,
    };
    let mut tx = db.begin().await?;
    let inserted = tx
        .execute(
            &Query::insert()
                .into_table(ITEMS)
                .columns(ITEM_COLUMNS)
                .values_panic([
                    item.id.to_string().into(),
                    item.kind.as_str().into(),
                    item.slug.clone().into(),
                    item.department.to_string().into(),
                    to_millis(now).into(),
                    None::<i32>.into(),
                    None::<i64>.into(),
                    None::<i64>.into(),
                    to_millis(now).into(),
                ])
                .to_owned(),
        )
        .await;
    match inserted {
        Err(StoreError::UniqueViolation) => return Err(PortalError::SlugTaken(item.slug)),
        other => other?,
    };
    insert_version(&mut tx, &version, None).await?;
    crate::review::record_edit(&mut tx, &Subject::item(item.id), 1, actor, now).await?;
    let entry = LedgerEntry::change(actor, "portal.item.create", format!("item:{}", item.id), now).because("write a draft");
    tamar_ledger::record(&mut tx, &entry).await?;
    tx.commit().await?;
    ledger.notify();
    Ok((item, version))
}

pub async fn item(db: &Db, id: ItemId) -> Result<Item, PortalError> {
    let found = db.fetch_optional(&select_items().and_where(Expr::col("id").eq(id.to_string())).to_owned()).await?;
    found.as_ref().map(item_from_row).transpose()?.ok_or(PortalError::NotFound)
}

pub async fn item_by_slug(db: &Db, slug: &str) -> Result<Item, PortalError> {
    let found = db.fetch_optional(&select_items().and_where(Expr::col("slug").eq(slug)).to_owned()).await?;
    found.as_ref().map(item_from_row).transpose()?.ok_or(PortalError::NotFound)
}

/// Every version of an item, newest first.
pub async fn versions(db: &Db, id: ItemId) -> Result<Vec<Version>, PortalError> {
    let rows = db
        .fetch_all(&select_versions().and_where(Expr::col("item_id").eq(id.to_string())).order_by("number", Order::Desc).to_owned())
        .await?;
    Ok(rows.iter().map(version_from_row).collect::<Result<_, _>>()?)
}

pub async fn version(db: &Db, id: ItemId, number: i32) -> Result<Version, PortalError> {
    let found = db
        .fetch_optional(
            &select_versions().and_where(Expr::col("item_id").eq(id.to_string())).and_where(Expr::col("number").eq(number)).to_owned(),
        )
        .await?;
    found.as_ref().map(version_from_row).transpose()?.ok_or(PortalError::NotFound)
}

async fn latest_in(tx: &mut Tx, id: ItemId) -> Result<Version, PortalError> {
    let found = tx
        .fetch_optional(
            &select_versions().and_where(Expr::col("item_id").eq(id.to_string())).order_by("number", Order::Desc).limit(1).to_owned(),
        )
        .await?;
    found.as_ref().map(version_from_row).transpose()?.ok_or(PortalError::NotFound)
}

async fn item_in(tx: &mut Tx, id: ItemId) -> Result<Item, PortalError> {
    let found = tx.fetch_optional(&select_items().and_where(Expr::col("id").eq(id.to_string())).to_owned()).await?;
    found.as_ref().map(item_from_row).transpose()?.ok_or(PortalError::NotFound)
}

/// Moves a version from one state to another, only if it is still in the state the caller
/// saw: two reviewers acting at once cannot both succeed.
async fn transition(
    tx: &mut Tx,
    version: &Version,
    to: VersionState,
    set: Vec<(&'static str, sea_query::Value)>,
) -> Result<(), PortalError> {
    crate::review::transition(tx, &VERSION_TABLE, &version.item.to_string(), version.number, version.state, to, set).await
}

/// Saves an editor's changes. The latest version is changed if it is a draft; after a version
/// went live (or was retired) a new draft is started; a version under review or scheduled
/// must be rejected first.
pub async fn save_draft(db: &Db, ledger: &Ledger, actor: &Actor, id: ItemId, input: ContentInput) -> Result<Version, PortalError> {
    let mut tx = db.begin().await?;
    let item = item_in(&mut tx, id).await?;
    require(actor, item.department, Role::ContentEditor)?;
    let content = input.into_content(item.kind)?;
    let latest = latest_in(&mut tx, id).await?;
    let now = ledger.now();
    let version = match latest.state {
        VersionState::Draft => {
            let updated = Version { content, author: actor.account(), updated_at: now, ..latest.clone() };
            transition(
                &mut tx,
                &latest,
                VersionState::Draft,
                vec![
                    ("content", content_json(&updated.content)?.into()),
                    ("author_id", updated.author.map(|a| a.to_string()).into()),
                    ("updated_at", to_millis(now).into()),
                ],
            )
            .await?;
            updated
        }
        VersionState::Published | VersionState::Superseded | VersionState::Withdrawn => {
            let next = Version {
                item: id,
                number: latest.number + 1,
                state: VersionState::Draft,
                content,
                author: actor.account(),
                created_at: now,
                updated_at: now,
                reviewer: None,
                review_note: None,
                publish_at: None,
            };
            insert_version(&mut tx, &next, None).await?;
            next
        }
        VersionState::InReview | VersionState::Scheduled => return Err(PortalError::WrongState),
    };
    crate::review::record_edit(&mut tx, &Subject::item(id), version.number, actor, now).await?;
    touch(&mut tx, id, now).await?;
    let entry = LedgerEntry::change(actor, "portal.version.save", format!("item:{id}/version:{}", version.number), now)
        .because("edit a draft");
    tamar_ledger::record(&mut tx, &entry).await?;
    tx.commit().await?;
    ledger.notify();
    Ok(version)
}

/// Submits the latest draft for review.
pub async fn submit(db: &Db, ledger: &Ledger, actor: &Actor, id: ItemId) -> Result<Version, PortalError> {
    let mut tx = db.begin().await?;
    let item = item_in(&mut tx, id).await?;
    require(actor, item.department, Role::ContentEditor)?;
    let latest = latest_in(&mut tx, id).await?;
    if latest.state != VersionState::Draft {
        return Err(PortalError::WrongState);
    }
    let now = ledger.now();
    transition(&mut tx, &latest, VersionState::InReview, vec![("updated_at", to_millis(now).into()), ("review_note", None::<String>.into())])
        .await?;
    touch(&mut tx, id, now).await?;
    let entry = LedgerEntry::change(actor, "portal.version.submit", format!("item:{id}/version:{}", latest.number), now)
        .because("submit for review");
    tamar_ledger::record(&mut tx, &entry).await?;
    tx.commit().await?;
    ledger.notify();
    Ok(Version { state: VersionState::InReview, updated_at: now, review_note: None, ..latest })
}

/// A second officer approves the version under review: it is published now, or at
/// `publish_at` when that is in the future.
pub async fn approve(
    db: &Db,
    ledger: &Ledger,
    actor: &Actor,
    id: ItemId,
    publish_at: Option<DateTime<Utc>>,
) -> Result<Version, PortalError> {
    let mut tx = db.begin().await?;
    let item = item_in(&mut tx, id).await?;
    require(actor, item.department, Role::ContentReviewer)?;
    let latest = latest_in(&mut tx, id).await?;
    if latest.state != VersionState::InReview {
        return Err(PortalError::WrongState);
    }
    if latest.author.is_some() && latest.author == actor.account() {
        return Err(PortalError::OwnWork);
    }
    // Nor anyone else who saved a revision of it since the last publication.
    crate::review::check_reviewer(&mut tx, &Subject::item(id), latest.number, actor).await?;
    let now = ledger.now();
    let reviewed = Version { reviewer: actor.account(), updated_at: now, ..latest.clone() };
    let version = match publish_at.filter(|at| *at > now) {
        Some(at) => {
            transition(
                &mut tx,
                &latest,
                VersionState::Scheduled,
                vec![
                    ("reviewer_id", actor.account().map(|a| a.to_string()).into()),
                    ("updated_at", to_millis(now).into()),
                    ("publish_at", to_millis(at).into()),
                ],
            )
            .await?;
            touch(&mut tx, id, now).await?;
            let entry = LedgerEntry::change(actor, "portal.version.schedule", format!("item:{id}/version:{}", latest.number), now)
                .because("approve and schedule");
            tamar_ledger::record(&mut tx, &entry).await?;
            Version { state: VersionState::Scheduled, publish_at: Some(at), ..reviewed }
        }
        None => {
            transition(
                &mut tx,
                &latest,
                VersionState::Published,
                vec![
                    ("reviewer_id", actor.account().map(|a| a.to_string()).into()),
                    ("updated_at", to_millis(now).into()),
                    ("publish_at", to_millis(now).into()),
                    ("published_at", to_millis(now).into()),
                ],
            )
            .await?;
            touch(&mut tx, id, now).await?;
            go_live(&mut tx, actor, &item, latest.number, &latest.content, now).await?;
            Version { state: VersionState::Published, publish_at: Some(now), ..reviewed }
        }
    };
    tx.commit().await?;
    ledger.notify_public();
    Ok(version)
}

/// Makes `number` the item's live version: the one it replaces is superseded, the change is
/// logged and written to the change feed.
async fn go_live(tx: &mut Tx, actor: &Actor, item: &Item, number: i32, content: &Content, now: DateTime<Utc>) -> Result<(), PortalError> {
    if let Some(previous) = item.live_version
        && previous != number
    {
        tx.execute(
            &Query::update()
                .table(VERSIONS)
                .value("state", VersionState::Superseded.as_str())
                .and_where(Expr::col("item_id").eq(item.id.to_string()))
                .and_where(Expr::col("number").eq(previous))
                .to_owned(),
        )
        .await?;
    }
    let first = item.first_published_at.unwrap_or(now);
    tx.execute(
        &Query::update()
            .table(ITEMS)
            .value("live_version", number)
            .value("live_at", to_millis(now))
            .value("first_published_at", to_millis(first))
            .and_where(Expr::col("id").eq(item.id.to_string()))
            .to_owned(),
    )
    .await?;
    feed::record_change(tx, item.id, feed::ChangeKind::Publish, number, now).await?;
    crate::facets::set_live(tx, item, Some((content, first))).await?;
    let entry = LedgerEntry::change(actor, "portal.version.publish", format!("item:{}/version:{number}", item.id), now).because("publish");
    tamar_ledger::record(tx, &entry).await?;
    Ok(())
}

/// Sends the version under review (or scheduled) back to its author as a draft, with a note.
pub async fn reject(db: &Db, ledger: &Ledger, actor: &Actor, id: ItemId, note: &str) -> Result<Version, PortalError> {
    let note = note.trim();
    if note.is_empty() || note.chars().count() > 2000 {
        return Err(PortalError::Invalid { field: "note", rule: Rule::TooLong, reason: "1 to 2000 characters" });
    }
    let mut tx = db.begin().await?;
    let item = item_in(&mut tx, id).await?;
    require(actor, item.department, Role::ContentReviewer)?;
    let latest = latest_in(&mut tx, id).await?;
    if !matches!(latest.state, VersionState::InReview | VersionState::Scheduled) {
        return Err(PortalError::WrongState);
    }
    let now = ledger.now();
    transition(
        &mut tx,
        &latest,
        VersionState::Draft,
        vec![
            ("review_note", note.to_owned().into()),
            ("reviewer_id", actor.account().map(|a| a.to_string()).into()),
            ("updated_at", to_millis(now).into()),
            ("publish_at", None::<i64>.into()),
        ],
    )
    .await?;
    touch(&mut tx, id, now).await?;
    let entry = LedgerEntry::change(actor, "portal.version.reject", format!("item:{id}/version:{}", latest.number), now)
        .because("send back to the author");
    tamar_ledger::record(&mut tx, &entry).await?;
    tx.commit().await?;
    ledger.notify();
    Ok(Version {
        state: VersionState::Draft,
        review_note: Some(note.to_owned()),
        reviewer: actor.account(),
        updated_at: now,
        publish_at: None,
        ..latest
    })
}

/// Takes an item off the portal. Its versions stay; a new draft can be published again.
pub async fn withdraw(db: &Db, ledger: &Ledger, actor: &Actor, id: ItemId) -> Result<(), PortalError> {
    let mut tx = db.begin().await?;
    let item = item_in(&mut tx, id).await?;
    require(actor, item.department, Role::ContentReviewer)?;
    let Some(live) = item.live_version else { return Err(PortalError::WrongState) };
    let now = ledger.now();
    tx.execute(
        &Query::update()
            .table(VERSIONS)
            .value("state", VersionState::Withdrawn.as_str())
            .value("updated_at", to_millis(now))
            .and_where(Expr::col("item_id").eq(id.to_string()))
            .and_where(Expr::col("number").eq(live))
            .to_owned(),
    )
    .await?;
    tx.execute(
        &Query::update()
            .table(ITEMS)
            .value("live_version", None::<i32>)
            .value("live_at", None::<i64>)
            .and_where(Expr::col("id").eq(id.to_string()))
            .to_owned(),
    )
    .await?;
    feed::record_change(&mut tx, id, feed::ChangeKind::Withdraw, live, now).await?;
    crate::facets::set_live(&mut tx, &item, None).await?;
    touch(&mut tx, id, now).await?;
    let entry = LedgerEntry::change(actor, "portal.item.withdraw", format!("item:{id}/version:{live}"), now).because("take off the portal");
    tamar_ledger::record(&mut tx, &entry).await?;
    tx.commit().await?;
    ledger.notify_public();
    Ok(())
}

/// Publishes every scheduled version whose time has come; returns how many. Run by each node
/// from time to time; the state check in [`transition`] makes concurrent runs safe.
pub async fn publish_due(db: &Db, ledger: &Ledger) -> Result<usize, PortalError> {
    let now = ledger.now();
    let due = db
        .fetch_all(
            &select_versions()
                .and_where(Expr::col("state").eq(VersionState::Scheduled.as_str()))
                .and_where(Expr::col("publish_at").lte(to_millis(now)))
                .to_owned(),
        )
        .await?;
    let mut published = 0;
    for version in due.iter().map(version_from_row) {
        let version = version?;
        let mut tx = db.begin().await?;
        let item = item_in(&mut tx, version.item).await?;
        match transition(&mut tx, &version, VersionState::Published, vec![("published_at", to_millis(now).into())]).await {
            Ok(()) => {}
            Err(PortalError::WrongState) => continue,
            Err(e) => return Err(e),
        }
        go_live(&mut tx, &Actor::System, &item, version.number, &version.content, now).await?;
        tx.commit().await?;
        published += 1;
    }
    if published > 0 {
        ledger.notify_public();
    }
    Ok(published)
}

/// Loads an item straight into the published state, as the platform itself: for the demo
/// content and for imports from an older portal, which were reviewed where they came from.
pub async fn import_published(
    db: &Db,
    ledger: &Ledger,
    department: DepartmentId,
    new: NewItem,
    published_at: DateTime<Utc>,
) -> Result<Item, PortalError> {
    check_slug(&new.slug)?;
    let content = new.content.into_content(new.kind)?;
    let now = ledger.now();
    let item = Item {
        id: ItemId::new(),
        kind: new.kind,
        slug: new.slug,
        department,
        created_at: now,
        live_version: Some(1),
        live_at: Some(published_at),
        first_published_at: Some(published_at),
        updated_at: now,
    };
    let version = Version {
        item: item.id,
        number: 1,
        state: VersionState::Published,
        content,
        author: None,
        created_at: now,
        updated_at: now,
        reviewer: None,
        review_note: None,
        publish_at: Some(published_at),
    };
    let mut tx = db.begin().await?;
    let inserted = tx
        .execute(
            &Query::insert()
                .into_table(ITEMS)
                .columns(ITEM_COLUMNS)
                .values_panic([
                    item.id.to_string().into(),
                    item.kind.as_str().into(),
                    item.slug.clone().into(),
                    item.department.to_string().into(),
                    to_millis(now).into(),
                    1i32.into(),
                    to_millis(published_at).into(),
                    to_millis(published_at).into(),
                    to_millis(now).into(),
                ])
                .to_owned(),
        )
        .await;
    match inserted {
        Err(StoreError::UniqueViolation) => return Err(PortalError::SlugTaken(item.slug)),
        other => other?,
    };
    insert_version(&mut tx, &version, Some(published_at)).await?;
    feed::record_change(&mut tx, item.id, feed::ChangeKind::Publish, 1, now).await?;
    crate::facets::set_live(&mut tx, &item, Some((&version.content, published_at))).await?;
    let entry = LedgerEntry::change(&Actor::System, "portal.item.import", format!("item:{}", item.id), now).because("import published content");
    tamar_ledger::record(&mut tx, &entry).await?;
    tx.commit().await?;
    ledger.notify_public();
    Ok(item)
}

fn select_live() -> sea_query::SelectStatement {
    let mut select = Query::select();
    for c in ITEM_COLUMNS {
        select.expr_as(Expr::col((ITEMS, c)), c);
    }
    select
        .expr_as(Expr::col((VERSIONS, "content")), "content")
        .from(ITEMS)
        .inner_join(
            VERSIONS,
            Expr::col((VERSIONS, "item_id")).equals((ITEMS, "id")).and(Expr::col((VERSIONS, "number")).equals((ITEMS, "live_version"))),
        )
        .to_owned()
}

fn live_from_row(r: &AnyRow) -> Result<LiveItem, StoreError> {
    let item = item_from_row(r)?;
    let content: String = row::get(r, "content")?;
    let version = item.live_version.ok_or_else(|| StoreError::Corrupt("live item without a version".into()))?;
    Ok(LiveItem { item, content: serde_json::from_str(&content).map_err(|e| StoreError::Corrupt(e.to_string()))?, version })
}

/// The published item of `kind` at `slug`.
pub async fn live(db: &Db, kind: ItemKind, slug: &str) -> Result<LiveItem, PortalError> {
    let found = db
        .fetch_optional(
            &select_live()
                .and_where(Expr::col((ITEMS, "slug")).eq(slug))
                .and_where(Expr::col((ITEMS, "kind")).eq(kind.as_str()))
                .to_owned(),
        )
        .await?;
    found.as_ref().map(live_from_row).transpose()?.ok_or(PortalError::NotFound)
}

/// What a listing of published items is narrowed to; each part left out takes any.
#[derive(Clone, Debug, Default)]
pub struct LiveFilter {
    /// Of one of these kinds (any when empty).
    pub kinds: Vec<ItemKind>,
    pub department: Option<DepartmentId>,
    pub topic: Option<String>,
    pub audience: Option<String>,
}

impl LiveFilter {
    pub fn kind(kind: ItemKind) -> LiveFilter {
        LiveFilter { kinds: vec![kind], ..Default::default() }
    }

    /// The facet values the filter asks for, the narrowest first: the listing is read in the
    /// order of the first, and checked against the others.
    fn facets(&self) -> Vec<(Facet, String)> {
        let mut out = Vec::new();
        if let Some(t) = &self.topic {
            out.push((Facet::Topic, t.clone()));
        }
        if let Some(a) = &self.audience {
            out.push((Facet::Audience, a.clone()));
        }
        if let Some(d) = self.department {
            out.push((Facet::Department, d.to_string()));
        }
        out
    }
}

/// The sort keys of a listing's item: newest first, then by address.
fn listing_cursor(live: &LiveItem) -> Cursor {
    Cursor::new([live.item.first_published_at.map_or(0, to_millis).to_string(), live.item.slug.clone()])
}

/// One page of published items, newest first (by when each first went live, then by
/// address). Each page is an indexed range of the listing tables of [`crate::facets`], so a
/// page costs the same whatever the catalogue's size.
pub async fn live_page(db: &Db, filter: &LiveFilter, page: &PageRequest) -> Result<Page<LiveItem>, PortalError> {
    let after = match &page.after {
        None => None,
        Some(c) => match (c.int(0), c.keys().get(1)) {
            (Some(at), Some(slug)) if c.keys().len() == 2 => Some((at, slug.clone())),
            _ => return Err(PortalError::BadCursor),
        },
    };
    let facets = filter.facets();
    let mut rows = if facets.is_empty() && filter.kinds.len() > 1 {
        // Several kinds and nothing else: each kind's listing is read in order, and the
        // newest of them all make the page.
        let mut merged = Vec::new();
        for kind in &filter.kinds {
            merged.extend(read_listing(db, &[(Facet::Kind, kind.as_str().to_owned())], &[], after.as_ref(), page.fetch()).await?);
        }
        merged.sort_by(|a, b| b.item.first_published_at.cmp(&a.item.first_published_at).then_with(|| a.item.slug.cmp(&b.item.slug)));
        merged
    } else if facets.is_empty() {
        let kind: Vec<(Facet, String)> = filter.kinds.iter().map(|k| (Facet::Kind, k.as_str().to_owned())).collect();
        read_listing(db, &kind, &[], after.as_ref(), page.fetch()).await?
    } else {
        read_listing(db, &facets, &filter.kinds, after.as_ref(), page.fetch()).await?
    };
    rows.truncate(page.fetch() as usize);
    Ok(Page::from_rows(rows, page, listing_cursor))
}

/// Reads a listing in order: of the first of `facets` (of every live item when there is
/// none), keeping items that carry the others too and are of one of `kinds`.
async fn read_listing(
    db: &Db,
    facets: &[(Facet, String)],
    kinds: &[ItemKind],
    after: Option<&(i64, String)>,
    limit: u64,
) -> Result<Vec<LiveItem>, PortalError> {
    let mut select = Query::select();
    for c in ITEM_COLUMNS {
        select.expr_as(Expr::col((ITEMS, c)), c);
    }
    select.expr_as(Expr::col((VERSIONS, "content")), "content");
    let (order_table, at, slug) = match facets.split_first() {
        Some(((facet, value), others)) => {
            select
                .from(FACETS)
                .inner_join(ITEMS, Expr::col((ITEMS, "id")).equals((FACETS, "item_id")))
                .and_where(Expr::col((FACETS, "facet")).eq(facet.as_str()))
                .and_where(Expr::col((FACETS, "value")).eq(value.as_str()));
            for (facet, value) in others {
                select.and_where(Expr::exists(
                    Query::select()
                        .expr(Expr::val(1))
                        .from_as(FACETS, "other")
                        .and_where(Expr::col(("other", "item_id")).equals((FACETS, "item_id")))
                        .and_where(Expr::col(("other", "facet")).eq(facet.as_str()))
                        .and_where(Expr::col(("other", "value")).eq(value.as_str()))
                        .to_owned(),
                ));
            }
            if !kinds.is_empty() {
                select.and_where(Expr::col((FACETS, "item_kind")).is_in(kinds.iter().map(|k| k.as_str())));
            }
            (FACETS, "first_published_at", "item_slug")
        }
        None => {
            select.from(ITEMS).and_where(Expr::col((ITEMS, "live_version")).is_not_null());
            (ITEMS, "first_published_at", "slug")
        }
    };
    select.inner_join(
        VERSIONS,
        Expr::col((VERSIONS, "item_id")).equals((ITEMS, "id")).and(Expr::col((VERSIONS, "number")).equals((ITEMS, "live_version"))),
    );
    if let Some((after_at, after_slug)) = after {
        select.and_where(
            Expr::col((order_table, at))
                .lt(*after_at)
                .or(Expr::col((order_table, at)).eq(*after_at).and(Expr::col((order_table, slug)).gt(after_slug.as_str()))),
        );
    }
    select.order_by((order_table, at), Order::Desc).order_by((order_table, slug), Order::Asc).limit(limit);
    let rows = db.fetch_all(&select).await?;
    Ok(rows.iter().map(live_from_row).collect::<Result<_, _>>()?)
}

/// Every published item, newest first, read a page at a time: for rebuilding what is derived
/// from the whole catalogue (a node's search index), never for a request's listing.
pub async fn all_live(db: &Db) -> Result<Vec<LiveItem>, PortalError> {
    let mut out = Vec::new();
    let mut request = PageRequest::first(tamar_core::paging::MAX_LIMIT);
    loop {
        let page = live_page(db, &LiveFilter::default(), &request).await?;
        out.extend(page.items);
        match page.next {
            Some(next) => request.after = Some(next),
            None => return Ok(out),
        }
    }
}

/// Where a live item is, for the sitemap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveAddress {
    pub kind: ItemKind,
    pub slug: String,
    /// When its live version was published.
    pub live_at: Option<DateTime<Utc>>,
}

/// How many items are live (one count, kept with each publication).
pub async fn live_count(db: &Db) -> Result<i64, PortalError> {
    Ok(crate::facets::counts(db, Facet::Kind).await?.values().sum())
}

/// The addresses of live items `offset..offset + limit` in order of first publication, oldest
/// first: the sitemap's files, which keep their entries as new items are added at the end.
pub async fn live_addresses(db: &Db, offset: u64, limit: u64) -> Result<Vec<LiveAddress>, PortalError> {
    let rows = db
        .fetch_all(
            &Query::select()
                .columns(["kind", "slug", "live_at"])
                .from(ITEMS)
                .and_where(Expr::col("live_version").is_not_null())
                .order_by("first_published_at", Order::Asc)
                .order_by("slug", Order::Asc)
                .limit(limit)
                .offset(offset)
                .to_owned(),
        )
        .await?;
    rows.iter()
        .map(|r| {
            let kind: String = row::get(r, "kind")?;
            Ok(LiveAddress {
                kind: ItemKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("item kind {kind}")))?,
                slug: row::get(r, "slug")?,
                live_at: row::get::<Option<i64>>(r, "live_at")?.map(from_millis),
            })
        })
        .collect::<Result<_, StoreError>>()
        .map_err(PortalError::from)
}

/// The published items among `ids`, newest first (those no longer live are left out).
pub async fn live_by_ids(db: &Db, ids: &[ItemId]) -> Result<Vec<LiveItem>, PortalError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut select = select_live();
    select
        .and_where(Expr::col((ITEMS, "id")).is_in(ids.iter().map(ToString::to_string)))
        .order_by((ITEMS, "first_published_at"), Order::Desc)
        .order_by((ITEMS, "slug"), Order::Asc);
    let rows = db.fetch_all(&select).await?;
    Ok(rows.iter().map(live_from_row).collect::<Result<_, _>>()?)
}

/// An item with its latest version, for a department's content dashboard.
#[derive(Clone, Debug)]
pub struct ItemSummary {
    pub item: Item,
    pub latest: Version,
}

/// A page of a department's items with their latest versions, most recently changed first.
/// Officers see only their own department's.
pub async fn department_items(db: &Db, actor: &Actor, department: DepartmentId, page: &PageRequest) -> Result<Page<ItemSummary>, PortalError> {
    match actor {
        Actor::System => {}
        Actor::Officer { department: own, roles, .. }
            if *own == department && (roles.contains(&Role::ContentEditor) || roles.contains(&Role::ContentReviewer)) => {}
        _ => return Err(PortalError::Forbidden),
    }
    let mut select = select_items().and_where(Expr::col("department_id").eq(department.to_string())).to_owned();
    if let Some(c) = &page.after {
        let (Some(at), Some(slug), 2) = (c.int(0), c.keys().get(1), c.keys().len()) else { return Err(PortalError::BadCursor) };
        select.and_where(Expr::col("updated_at").lt(at).or(Expr::col("updated_at").eq(at).and(Expr::col("slug").gt(slug.as_str()))));
    }
    select.order_by("updated_at", Order::Desc).order_by("slug", Order::Asc).limit(page.fetch());
    let items = db.fetch_all(&select).await?.iter().map(item_from_row).collect::<Result<Vec<_>, _>>()?;
    let mut latest: std::collections::HashMap<ItemId, Version> = std::collections::HashMap::new();
    if !items.is_empty() {
        let rows = db
            .fetch_all(&select_versions().and_where(Expr::col("item_id").is_in(items.iter().map(|i| i.id.to_string()))).to_owned())
            .await?;
        for v in rows.iter().map(version_from_row) {
            let v = v?;
            if latest.get(&v.item).is_none_or(|have| have.number < v.number) {
                latest.insert(v.item, v);
            }
        }
    }
    let out: Vec<ItemSummary> =
        items.into_iter().filter_map(|item| latest.remove(&item.id).map(|latest| ItemSummary { item, latest })).collect();
    Ok(Page::from_rows(out, page, |s| Cursor::new([to_millis(s.item.updated_at).to_string(), s.item.slug.clone()])))
}

/// A page of the department's versions waiting for review, oldest first: a reviewer's queue.
pub async fn in_review(db: &Db, actor: &Actor, department: DepartmentId, page: &PageRequest) -> Result<Page<ItemSummary>, PortalError> {
    require(actor, department, Role::ContentReviewer)?;
    let mut select = Query::select();
    for c in ITEM_COLUMNS {
        select.expr_as(Expr::col((ITEMS, c)), c);
    }
    for c in VERSION_COLUMNS {
        select.expr_as(Expr::col((VERSIONS, c)), format!("v_{c}"));
    }
    select
        .from(VERSIONS)
        .inner_join(ITEMS, Expr::col((ITEMS, "id")).equals((VERSIONS, "item_id")))
        .and_where(Expr::col((VERSIONS, "state")).eq(VersionState::InReview.as_str()))
        .and_where(Expr::col((ITEMS, "department_id")).eq(department.to_string()));
    if let Some(c) = &page.after {
        let (Some(at), Some(id), 2) = (c.int(0), c.keys().get(1), c.keys().len()) else { return Err(PortalError::BadCursor) };
        select.and_where(
            Expr::col((VERSIONS, "updated_at"))
                .gt(at)
                .or(Expr::col((VERSIONS, "updated_at")).eq(at).and(Expr::col((VERSIONS, "item_id")).gt(id.as_str()))),
        );
    }
    select.order_by((VERSIONS, "updated_at"), Order::Asc).order_by((VERSIONS, "item_id"), Order::Asc).limit(page.fetch());
    let mut out = Vec::new();
    for r in &db.fetch_all(&select).await? {
        let content: String = row::get(r, "v_content")?;
        let latest = Version {
            item: row::parse(r, "v_item_id")?,
            number: row::get(r, "v_number")?,
            state: VersionState::InReview,
            content: serde_json::from_str(&content).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            author: optional_account(r, "v_author_id")?,
            created_at: from_millis(row::get(r, "v_created_at")?),
            updated_at: from_millis(row::get(r, "v_updated_at")?),
            reviewer: optional_account(r, "v_reviewer_id")?,
            review_note: row::get(r, "v_review_note")?,
            publish_at: row::get::<Option<i64>>(r, "v_publish_at")?.map(from_millis),
        };
        out.push(ItemSummary { item: item_from_row(r)?, latest });
    }
    Ok(Page::from_rows(out, page, |s| Cursor::new([to_millis(s.latest.updated_at).to_string(), s.item.id.to_string()])))
}

/// Checks that the actor may see the item's drafts and history (its own department's
/// editors and reviewers).
pub fn may_edit_view(actor: &Actor, item: &Item) -> Result<(), PortalError> {
    require(actor, item.department, Role::ContentEditor).or_else(|_| require(actor, item.department, Role::ContentReviewer))
}
