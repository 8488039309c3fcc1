//! The one-stop portal (GovHK) and the personal account (MyGovHK).
//!
//! - [`content`]: the catalogue's items (service entries, guides, news, notices), their
//!   versions and the publishing workflow (draft, second-officer review, publish or schedule,
//!   withdraw), with [`diff`] between versions.
//! - [`feed`]: the change feed that search indexes and subscription mail follow.
//! - [`catalogue`]: the eleven topics, three audiences, kinds and channels.
//! - [`inbox`], [`mygov`]: a person's messages and to-dos, bookmarks and subscriptions
//!   (pre-fill settings are `tamar_identity::prefill`). [`apps`]: the registry of government mobile apps and their use.
//! - [`visits`]: visit counts per item and day.
//! - [`search_docs`]: the catalogue as a search index's documents, kept up to date from the
//!   feed; [`subscription_mail`]: the mail that subscriptions ask for, also from the feed.
//!
//! Architecture invariant: every change is checked against the actor (editors and reviewers
//! only within their department; a person only their own account) and logged in the same
//! transaction; what the public sees changes only through [`content`], which writes the feed.

pub mod codes;
pub mod apps;
pub mod bulk;
pub mod catalogue;
pub mod content;
pub mod diff;
pub mod facets;
pub mod feed;
pub mod import;
pub mod inbox;
pub mod mygov;
mod review;
pub mod search_docs;
pub mod subscription_mail;
pub mod text;
pub mod visits;

use sea_query::{ColumnDef, Index, Table};
use tamar_core::{Code, FieldError, HasCode, Rule};
use tamar_store::{Backend, Migration, StoreError};

pub use catalogue::{AUDIENCES, Channel, ItemKind, TOPICS};
pub use content::{Content, ContentInput, Item, ItemId, LiveItem, NewItem, ServiceInput, TextInput, Version, VersionState};

pub(crate) const ITEMS: &str = "portal_items";
pub(crate) const VERSIONS: &str = "portal_versions";
pub(crate) const CHANGES: &str = "portal_changes";
pub(crate) const CURSORS: &str = "portal_cursors";
pub(crate) const VISITS: &str = "portal_visits";
pub(crate) const MESSAGES: &str = "portal_messages";
pub(crate) const BOOKMARKS: &str = "portal_bookmarks";
pub(crate) const SUBSCRIPTIONS: &str = "portal_subscriptions";
pub(crate) const PREFILL: &str = "portal_prefill";
pub(crate) const APPS: &str = "portal_apps";
pub(crate) const APP_USAGE: &str = "portal_app_usage";
pub(crate) const APP_VERSIONS: &str = "portal_app_versions";
pub(crate) const EDITS: &str = "portal_edits";
pub(crate) const FACETS: &str = "portal_facets";
pub(crate) const FACET_COUNTS: &str = "portal_facet_counts";
pub(crate) const BULK_SENDS: &str = "portal_bulk_sends";

pub static MIGRATIONS: &[Migration] = &[
    Migration { id: "portal_0001_catalogue", statements: create_tables },
    Migration { id: "portal_0002_review", statements: review_tables },
    Migration { id: "portal_0003_prefill_to_identity", statements: prefill_to_identity },
    Migration { id: "portal_0004_listings", statements: listing_tables },
    Migration { id: "portal_0005_bulk_sends", statements: bulk_tables },
];

/// Departments' messages to many people, and the orders that subscribers and bookmarks are
/// read in.
fn bulk_tables(backend: Backend) -> Vec<String> {
    let sends = Table::create()
        .table(BULK_SENDS)
        .col(ColumnDef::new("id").string().not_null().primary_key())
        .col(ColumnDef::new("department_id").string().not_null())
        .col(ColumnDef::new("audience").string().not_null())
        .col(ColumnDef::new("kind").string().not_null())
        .col(ColumnDef::new("subject").text().not_null())
        .col(ColumnDef::new("body").text().not_null())
        .col(ColumnDef::new("due_on").string().null())
        .col(ColumnDef::new("rate").big_integer().not_null())
        .col(ColumnDef::new("status").string().not_null())
        .col(ColumnDef::new("cursor").string().null())
        .col(ColumnDef::new("sent").big_integer().not_null())
        .col(ColumnDef::new("created_at").big_integer().not_null())
        .col(ColumnDef::new("created_by").string().not_null())
        .col(ColumnDef::new("finished_at").big_integer().null())
        .col(ColumnDef::new("updated_at").big_integer().not_null())
        .to_owned();
    let by_department =
        Index::create().name("portal_bulk_sends_by_department").table(BULK_SENDS).col("department_id").col("created_at").col("id").to_owned();
    let by_status = Index::create().name("portal_bulk_sends_by_status").table(BULK_SENDS).col("status").col("created_at").to_owned();
    let subscribers_in_order =
        Index::create().name("portal_subscriptions_in_order").table(SUBSCRIPTIONS).col("target").col("account_id").to_owned();
    // A person's bookmarks, newest first, read a page at a time without sorting them all.
    let bookmarks_in_order =
        Index::create().name("portal_bookmarks_in_order").table(BOOKMARKS).col("account_id").col("created_at").col("item_id").to_owned();
    // Versions in review, oldest first: the review queue.
    let versions_by_state =
        Index::create().name("portal_versions_by_state").table(VERSIONS).col("state").col("updated_at").col("item_id").to_owned();
    vec![
        backend.schema(&bookmarks_in_order),
        backend.schema(&versions_by_state),
        backend.schema(&sends),
        backend.schema(&by_department),
        backend.schema(&by_status),
        backend.schema(&subscribers_in_order),
    ]
}

/// What listings and counts read (`facets`), filled from what is live now, and each item's
/// latest change (`updated_at`), which a department's content list is sorted by.
fn listing_tables(backend: Backend) -> Vec<String> {
    let facets = Table::create()
        .table(FACETS)
        .col(ColumnDef::new("facet").string().not_null())
        .col(ColumnDef::new("value").string().not_null())
        .col(ColumnDef::new("item_id").string().not_null())
        .col(ColumnDef::new("first_published_at").big_integer().not_null())
        .col(ColumnDef::new("item_slug").string().not_null())
        .col(ColumnDef::new("item_kind").string().not_null())
        .primary_key(Index::create().col("facet").col("value").col("item_id"))
        .to_owned();
    let facets_in_order = Index::create()
        .name("portal_facets_in_order")
        .table(FACETS)
        .col("facet")
        .col("value")
        .col("first_published_at")
        .col("item_slug")
        .to_owned();
    let facets_by_item = Index::create().name("portal_facets_by_item").table(FACETS).col("item_id").to_owned();
    let counts = Table::create()
        .table(FACET_COUNTS)
        .col(ColumnDef::new("facet").string().not_null())
        .col(ColumnDef::new("value").string().not_null())
        .col(ColumnDef::new("items").big_integer().not_null())
        .primary_key(Index::create().col("facet").col("value"))
        .to_owned();
    let updated_at = Table::alter().table(ITEMS).add_column(ColumnDef::new("updated_at").big_integer().null()).to_owned();
    let items_in_order = Index::create().name("portal_items_in_order").table(ITEMS).col("first_published_at").col("slug").to_owned();
    let items_by_change =
        Index::create().name("portal_items_by_change").table(ITEMS).col("department_id").col("updated_at").col("slug").to_owned();
    let live = format!("FROM {ITEMS} i JOIN {VERSIONS} v ON v.item_id = i.id AND v.number = i.live_version");
    let columns = format!("INSERT INTO {FACETS} (facet, value, item_id, first_published_at, item_slug, item_kind)");
    let mut out = vec![
        backend.schema(&facets),
        backend.schema(&facets_in_order),
        backend.schema(&facets_by_item),
        backend.schema(&counts),
        backend.schema(&updated_at),
        format!("UPDATE {ITEMS} SET updated_at = (SELECT MAX(v.updated_at) FROM {VERSIONS} v WHERE v.item_id = {ITEMS}.id)"),
        backend.schema(&items_in_order),
        backend.schema(&items_by_change),
        format!("{columns} SELECT 'kind', i.kind, i.id, i.first_published_at, i.slug, i.kind {live}"),
        format!("{columns} SELECT 'department', i.department_id, i.id, i.first_published_at, i.slug, i.kind {live}"),
    ];
    for (facet, field) in [("topic", "topics"), ("audience", "audiences")] {
        // The values sit in the version's JSON; each database has its own way to list them.
        let each = match backend {
            Backend::Sqlite => format!("JOIN json_each(v.content, '$.{field}') j"),
            Backend::Postgres => format!("CROSS JOIN LATERAL jsonb_array_elements_text(v.content::jsonb -> '{field}') AS j(value)"),
        };
        out.push(format!("{columns} SELECT DISTINCT '{facet}', j.value, i.id, i.first_published_at, i.slug, i.kind {live} {each}"));
    }
    out.push(format!("INSERT INTO {FACET_COUNTS} (facet, value, items) SELECT facet, value, COUNT(*) FROM {FACETS} GROUP BY facet, value"));
    out
}

/// Who saved each version (for the four-eyes rule), and the app directory's versions. Apps
/// listed before are kept as their published version 1; authors of content versions become
/// their first recorded editors.
fn review_tables(backend: Backend) -> Vec<String> {
    use sea_query::{Expr, ExprTrait, PostgresQueryBuilder, Query, SqliteQueryBuilder};
    let edits = Table::create()
        .table(EDITS)
        .col(ColumnDef::new("subject").string().not_null())
        .col(ColumnDef::new("number").integer().not_null())
        .col(ColumnDef::new("account_id").string().not_null())
        .col(ColumnDef::new("at").big_integer().not_null())
        .primary_key(Index::create().col("subject").col("number").col("account_id"))
        .to_owned();
    let app_versions = Table::create()
        .table(APP_VERSIONS)
        .col(ColumnDef::new("slug").string().not_null())
        .col(ColumnDef::new("number").integer().not_null())
        .col(ColumnDef::new("state").string().not_null())
        .col(ColumnDef::new("department_id").string().not_null())
        .col(ColumnDef::new("name").text().not_null())
        .col(ColumnDef::new("summary").text().not_null())
        .col(ColumnDef::new("ios_url").string().null())
        .col(ColumnDef::new("android_url").string().null())
        .col(ColumnDef::new("author_id").string().null())
        .col(ColumnDef::new("created_at").big_integer().not_null())
        .col(ColumnDef::new("updated_at").big_integer().not_null())
        .col(ColumnDef::new("reviewer_id").string().null())
        .col(ColumnDef::new("review_note").text().null())
        .col(ColumnDef::new("published_at").big_integer().null())
        .primary_key(Index::create().col("slug").col("number"))
        .to_owned();
    let authors = Query::insert()
        .into_table(EDITS)
        .columns(["subject", "number", "account_id", "at"])
        .select_from(
            Query::select()
                .expr(Expr::cust("'item:' || item_id"))
                .columns(["number", "author_id", "updated_at"])
                .from(VERSIONS)
                .and_where(Expr::col("author_id").is_not_null())
                .to_owned(),
        )
        .map(|s| s.to_owned());
    let published_apps = Query::insert()
        .into_table(APP_VERSIONS)
        .columns(["slug", "number", "state", "department_id", "name", "summary", "ios_url", "android_url", "created_at", "updated_at", "published_at"])
        .select_from(
            Query::select()
                .column("slug")
                .expr(Expr::val(1))
                .expr(Expr::val("published"))
                .columns(["department_id", "name", "summary", "ios_url", "android_url", "created_at", "created_at", "created_at"])
                .from(APPS)
                .to_owned(),
        )
        .map(|s| s.to_owned());
    let mut out = vec![backend.schema(&edits), backend.schema(&app_versions)];
    for statement in [authors, published_apps].into_iter().flatten() {
        out.push(match backend {
            Backend::Sqlite => statement.to_string(SqliteQueryBuilder),
            Backend::Postgres => statement.to_string(PostgresQueryBuilder),
        });
    }
    out
}


/// Pre-fill settings now belong to `tamar-identity` (what services may fill in is a rule on
/// the person's details, which the OpenID Connect provider applies too): the choices people
/// made move to `identity_prefill`, made by `identity_0009_prefill`, which runs first because
/// identity's migrations come before the portal's.
fn prefill_to_identity(backend: Backend) -> Vec<String> {
    vec![
        format!("INSERT INTO identity_prefill (account_id, fields, updated_at) SELECT account_id, fields, updated_at FROM {PREFILL}"),
        backend.schema(&Table::drop().table(PREFILL).to_owned()),
    ]
}

fn create_tables(backend: Backend) -> Vec<String> {
    let items = Table::create()
        .table(ITEMS)
        .col(ColumnDef::new("id").string().not_null().primary_key())
        .col(ColumnDef::new("kind").string().not_null())
        .col(ColumnDef::new("slug").string().not_null().unique_key())
        .col(ColumnDef::new("department_id").string().not_null())
        .col(ColumnDef::new("created_at").big_integer().not_null())
        .col(ColumnDef::new("live_version").integer().null())
        .col(ColumnDef::new("live_at").big_integer().null())
        .col(ColumnDef::new("first_published_at").big_integer().null())
        .to_owned();
    let versions = Table::create()
        .table(VERSIONS)
        .col(ColumnDef::new("item_id").string().not_null())
        .col(ColumnDef::new("number").integer().not_null())
        .col(ColumnDef::new("state").string().not_null())
        .col(ColumnDef::new("content").text().not_null())
        .col(ColumnDef::new("author_id").string().null())
        .col(ColumnDef::new("created_at").big_integer().not_null())
        .col(ColumnDef::new("updated_at").big_integer().not_null())
        .col(ColumnDef::new("reviewer_id").string().null())
        .col(ColumnDef::new("review_note").text().null())
        .col(ColumnDef::new("publish_at").big_integer().null())
        .col(ColumnDef::new("published_at").big_integer().null())
        .primary_key(Index::create().col("item_id").col("number"))
        .to_owned();
    let changes = Table::create()
        .table(CHANGES)
        .col(ColumnDef::new("seq").integer().not_null().auto_increment().primary_key())
        .col(ColumnDef::new("item_id").string().not_null())
        .col(ColumnDef::new("kind").string().not_null())
        .col(ColumnDef::new("version").integer().not_null())
        .col(ColumnDef::new("at").big_integer().not_null())
        .to_owned();
    let cursors = Table::create()
        .table(CURSORS)
        .col(ColumnDef::new("name").string().not_null().primary_key())
        .col(ColumnDef::new("position").big_integer().not_null())
        .to_owned();
    let visits = Table::create()
        .table(VISITS)
        .col(ColumnDef::new("item_id").string().not_null())
        .col(ColumnDef::new("day").string().not_null())
        .col(ColumnDef::new("visits").big_integer().not_null())
        .primary_key(Index::create().col("item_id").col("day"))
        .to_owned();
    let messages = Table::create()
        .table(MESSAGES)
        .col(ColumnDef::new("id").string().not_null().primary_key())
        .col(ColumnDef::new("account_id").string().not_null())
        .col(ColumnDef::new("department_id").string().not_null())
        .col(ColumnDef::new("kind").string().not_null())
        .col(ColumnDef::new("subject").text().not_null())
        .col(ColumnDef::new("body").text().not_null())
        .col(ColumnDef::new("due_on").string().null())
        .col(ColumnDef::new("sent_at").big_integer().not_null())
        .col(ColumnDef::new("sent_by").string().not_null())
        .col(ColumnDef::new("read_at").big_integer().null())
        .col(ColumnDef::new("done_at").big_integer().null())
        .col(ColumnDef::new("hidden").integer().not_null())
        .to_owned();
    let messages_by_account =
        Index::create().name("portal_messages_by_account").table(MESSAGES).col("account_id").col("sent_at").to_owned();
    let bookmarks = Table::create()
        .table(BOOKMARKS)
        .col(ColumnDef::new("account_id").string().not_null())
        .col(ColumnDef::new("item_id").string().not_null())
        .col(ColumnDef::new("created_at").big_integer().not_null())
        .primary_key(Index::create().col("account_id").col("item_id"))
        .to_owned();
    let subscriptions = Table::create()
        .table(SUBSCRIPTIONS)
        .col(ColumnDef::new("account_id").string().not_null())
        .col(ColumnDef::new("target").string().not_null())
        .col(ColumnDef::new("lang").string().not_null())
        .col(ColumnDef::new("created_at").big_integer().not_null())
        .primary_key(Index::create().col("account_id").col("target"))
        .to_owned();
    let subscriptions_by_target = Index::create().name("portal_subscriptions_by_target").table(SUBSCRIPTIONS).col("target").to_owned();
    let prefill = Table::create()
        .table(PREFILL)
        .col(ColumnDef::new("account_id").string().not_null().primary_key())
        .col(ColumnDef::new("fields").string().not_null())
        .col(ColumnDef::new("updated_at").big_integer().not_null())
        .to_owned();
    let apps = Table::create()
        .table(APPS)
        .col(ColumnDef::new("slug").string().not_null().primary_key())
        .col(ColumnDef::new("department_id").string().not_null())
        .col(ColumnDef::new("name").text().not_null())
        .col(ColumnDef::new("summary").text().not_null())
        .col(ColumnDef::new("ios_url").string().null())
        .col(ColumnDef::new("android_url").string().null())
        .col(ColumnDef::new("created_at").big_integer().not_null())
        .to_owned();
    let app_usage = Table::create()
        .table(APP_USAGE)
        .col(ColumnDef::new("app_slug").string().not_null())
        .col(ColumnDef::new("day").string().not_null())
        .col(ColumnDef::new("downloads").big_integer().not_null())
        .col(ColumnDef::new("active_users").big_integer().not_null())
        .primary_key(Index::create().col("app_slug").col("day"))
        .to_owned();
    vec![
        backend.schema(&items),
        backend.schema(&versions),
        backend.schema(&changes),
        backend.schema(&cursors),
        backend.schema(&visits),
        backend.schema(&messages),
        backend.schema(&messages_by_account),
        backend.schema(&bookmarks),
        backend.schema(&subscriptions),
        backend.schema(&subscriptions_by_target),
        backend.schema(&prefill),
        backend.schema(&apps),
        backend.schema(&app_usage),
    ]
}

#[derive(Debug, thiserror::Error)]
pub enum PortalError {
    #[error("not allowed")]
    Forbidden,
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, rule: Rule, reason: &'static str },
    #[error("the address {0} is taken")]
    SlugTaken(String),
    #[error("not found")]
    NotFound,
    #[error("the version is not in a state that allows this")]
    WrongState,
    #[error("a second officer must review this")]
    OwnWork,
    #[error("the bulk message is no longer being delivered")]
    BulkFinished,
    /// A page's cursor that no page of this list gave.
    #[error("not a cursor of this list")]
    BadCursor,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Tenancy(#[from] tamar_tenancy::TenancyError),
    #[error(transparent)]
    Notify(#[from] tamar_notify::NotifyError),
    #[error(transparent)]
    Search(#[from] tamar_search::SearchError),
    /// A task given the search index's blocking work panicked or was cancelled.
    #[error("the search index task failed: {0}")]
    SearchTask(#[from] tokio::task::JoinError),
}

impl HasCode for PortalError {
    fn code(&self) -> Code {
        match self {
            PortalError::Forbidden => Code::FORBIDDEN,
            PortalError::Invalid { .. } => Code::INVALID_INPUT,
            PortalError::SlugTaken(_) => crate::codes::SLUG_TAKEN,
            PortalError::NotFound => Code::NOT_FOUND,
            PortalError::WrongState => crate::codes::CONTENT_STATE,
            PortalError::OwnWork => crate::codes::SECOND_REVIEWER_REQUIRED,
            PortalError::BulkFinished => crate::codes::BULK_SEND_FINISHED,
            PortalError::BadCursor => Code::INVALID_QUERY,
            PortalError::Store(e) => e.code(),
            PortalError::Tenancy(e) => e.code(),
            PortalError::Notify(e) => e.code(),
            PortalError::Search(_) | PortalError::SearchTask(_) => Code::INTERNAL,
        }
    }

    fn details(&self) -> Vec<FieldError> {
        match self {
            PortalError::Invalid { field, rule, .. } => vec![FieldError { field, rule: *rule }],
            PortalError::BadCursor => vec![FieldError { field: "after", rule: Rule::Format }],
            _ => Vec::new(),
        }
    }
}

/// A shared cursor in the change feed (for jobs that one node at a time must do, such as
/// sending subscription mail).
pub mod cursors {
    use sea_query::{Expr, ExprTrait, OnConflict, Query};
    use tamar_store::{Db, Tx, row};

    use crate::{CURSORS, PortalError};

    /// The named cursor's position; a cursor seen for the first time starts at `initial`.
    pub async fn get(db: &Db, name: &str, initial: i64) -> Result<i64, PortalError> {
        db.execute(
            &Query::insert()
                .into_table(CURSORS)
                .columns(["name", "position"])
                .values_panic([name.into(), initial.into()])
                .on_conflict(OnConflict::column("name").do_nothing().to_owned())
                .to_owned(),
        )
        .await?;
        let r = db.fetch_one(&Query::select().column("position").from(CURSORS).and_where(Expr::col("name").eq(name)).to_owned()).await?;
        Ok(row::get(&r, "position")?)
    }

    /// Moves the cursor from `from` to `to` inside `tx`; false if another node moved it first.
    pub async fn advance(tx: &mut Tx, name: &str, from: i64, to: i64) -> Result<bool, PortalError> {
        let n = tx
            .execute(
                &Query::update()
                    .table(CURSORS)
                    .value("position", to)
                    .and_where(Expr::col("name").eq(name))
                    .and_where(Expr::col("position").eq(from))
                    .to_owned(),
            )
            .await?;
        Ok(n == 1)
    }
}
