//! The registry of government mobile apps: each department lists its apps and reports their
//! downloads and use, so that take-up can be assessed and published. An app's entry goes
//! through the same second-officer review as the catalogue's content ([`crate::review`]):
//! draft, in review, published; `portal_apps` holds what the public sees.

use chrono::{DateTime, NaiveDate, Utc};
use sea_query::{Expr, ExprTrait, Func, OnConflict, Order, Query};
use serde::{Deserialize, Serialize};
use tamar_core::{AccountId, Actor, DepartmentId, LocalizedText, Role, Rule};
use tamar_ledger::{Ledger, LedgerEntry};
use tamar_store::{AnyRow, Db, StoreError, Tx, from_millis, row, to_millis};

use crate::content::{TextInput, VersionState, required_text};
use crate::review::{self, Subject, VersionTable, require, require_any};
use crate::{APP_USAGE, APP_VERSIONS, APPS, PortalError};

/// A government mobile app.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MobileApp {
    pub slug: String,
    pub department: DepartmentId,
    pub name: LocalizedText,
    pub summary: LocalizedText,
    pub ios_url: Option<String>,
    pub android_url: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Downloads reported, all days summed.
    pub downloads: i64,
    /// Active users on the latest reported day.
    pub active_users: i64,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApp {
    #[schema(pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$", min_length = 3, max_length = 60)]
    pub slug: String,
    pub name: TextInput,
    pub summary: TextInput,
    #[serde(default)]
    pub ios_url: Option<String>,
    #[serde(default)]
    pub android_url: Option<String>,
}

/// One day's figures for an app, as its department reports them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UsageReport {
    pub day: NaiveDate,
    #[schema(minimum = 0)]
    pub downloads: i64,
    #[schema(minimum = 0)]
    pub active_users: i64,
}

/// An app's entry as its department writes it: the name, the summary and the store links.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppInput {
    pub name: TextInput,
    pub summary: TextInput,
    #[serde(default)]
    pub ios_url: Option<String>,
    #[serde(default)]
    pub android_url: Option<String>,
}

impl From<NewApp> for AppInput {
    fn from(new: NewApp) -> AppInput {
        AppInput { name: new.name, summary: new.summary, ios_url: new.ios_url, android_url: new.android_url }
    }
}

/// One version of an app's entry in the directory. Like the catalogue's content it is written
/// as a draft, submitted, and published when a second officer approves it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppVersion {
    pub slug: String,
    pub number: i32,
    pub state: VersionState,
    pub department: DepartmentId,
    pub name: LocalizedText,
    pub summary: LocalizedText,
    pub ios_url: Option<String>,
    pub android_url: Option<String>,
    /// Who saved it last.
    pub author: Option<AccountId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub reviewer: Option<AccountId>,
    pub review_note: Option<String>,
}

/// Department administrators and content editors write their department's entries and
/// report figures; its content reviewers approve them.
const WRITERS: [Role; 2] = [Role::DepartmentAdmin, Role::ContentEditor];

const VERSION_TABLE: VersionTable = VersionTable { table: APP_VERSIONS, key: "slug" };

const VERSION_COLUMNS: [&str; 14] = [
    "slug",
    "number",
    "state",
    "department_id",
    "name",
    "summary",
    "ios_url",
    "android_url",
    "author_id",
    "created_at",
    "updated_at",
    "reviewer_id",
    "review_note",
    "published_at",
];

fn may_manage(actor: &Actor, department: DepartmentId) -> Result<(), PortalError> {
    require_any(actor, department, &WRITERS)
}

fn store_url(field: &'static str, url: Option<String>) -> Result<Option<String>, PortalError> {
    let url = url.map(|u| u.trim().to_owned()).filter(|u| !u.is_empty());
    if let Some(u) = &url
        && (!u.starts_with("https://") || u.len() > 500 || u.chars().any(char::is_whitespace))
    {
        return Err(PortalError::Invalid { field, rule: Rule::Format, reason: "an https:// address" });
    }
    Ok(url)
}

fn check_slug(slug: &str) -> Result<(), PortalError> {
    let slug_ok = (3..=60).contains(&slug.len())
        && slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-')
        && !slug.ends_with('-');
    if slug_ok { Ok(()) } else { Err(PortalError::Invalid { field: "slug", rule: Rule::Format, reason: "3 to 60 lowercase letters, digits and hyphens" }) }
}

/// The checked text and links of an entry.
struct Checked {
    name: LocalizedText,
    summary: LocalizedText,
    ios_url: Option<String>,
    android_url: Option<String>,
}

fn check(input: AppInput) -> Result<Checked, PortalError> {
    Ok(Checked {
        name: required_text("name", &input.name, 120)?,
        summary: required_text("summary", &input.summary, 600)?,
        ios_url: store_url("ios_url", input.ios_url)?,
        android_url: store_url("android_url", input.android_url)?,
    })
}

fn json(t: &LocalizedText) -> Result<String, PortalError> {
    serde_json::to_string(t).map_err(|e| PortalError::Store(StoreError::Corrupt(e.to_string())))
}

fn version_from_row(r: &AnyRow) -> Result<AppVersion, StoreError> {
    let text = |c: &str| -> Result<LocalizedText, StoreError> {
        serde_json::from_str(&row::get::<String>(r, c)?).map_err(|e| StoreError::Corrupt(e.to_string()))
    };
    let account = |c: &str| -> Result<Option<AccountId>, StoreError> {
        row::get::<Option<String>>(r, c)?.map(|s| s.parse().map_err(|_| StoreError::Corrupt(format!("{c}: {s}")))).transpose()
    };
    let state: String = row::get(r, "state")?;
    Ok(AppVersion {
        slug: row::get(r, "slug")?,
        number: row::get(r, "number")?,
        state: VersionState::ALL.into_iter().find(|v| v.as_str() == state).ok_or_else(|| StoreError::Corrupt(format!("version state {state}")))?,
        department: row::parse(r, "department_id")?,
        name: text("name")?,
        summary: text("summary")?,
        ios_url: row::get(r, "ios_url")?,
        android_url: row::get(r, "android_url")?,
        author: account("author_id")?,
        created_at: from_millis(row::get(r, "created_at")?),
        updated_at: from_millis(row::get(r, "updated_at")?),
        reviewer: account("reviewer_id")?,
        review_note: row::get(r, "review_note")?,
    })
}

async fn insert_version(tx: &mut Tx, v: &AppVersion, published_at: Option<DateTime<Utc>>) -> Result<(), PortalError> {
    let inserted = tx
        .execute(
            &Query::insert()
                .into_table(APP_VERSIONS)
                .columns(VERSION_COLUMNS)
                .values_panic([
                    v.slug.clone().into(),
                    v.number.into(),
                    v.state.as_str().into(),
                    v.department.to_string().into(),
                    json(&v.name)?.into(),
                    json(&v.summary)?.into(),
                    v.ios_url.clone().into(),
                    v.android_url.clone().into(),
                    v.author.map(|a| a.to_string()).into(),
                    to_millis(v.created_at).into(),
                    to_millis(v.updated_at).into(),
                    v.reviewer.map(|a| a.to_string()).into(),
                    v.review_note.clone().into(),
                    published_at.map(to_millis).into(),
                ])
                .to_owned(),
        )
        .await;
    match inserted {
        Err(StoreError::UniqueViolation) => Err(PortalError::SlugTaken(v.slug.clone())),
        other => Ok(other.map(|_| ())?),
    }
}

async fn latest_in(tx: &mut Tx, slug: &str) -> Result<AppVersion, PortalError> {
    let found = tx
        .fetch_optional(
            &Query::select()
                .columns(VERSION_COLUMNS)
                .from(APP_VERSIONS)
                .and_where(Expr::col("slug").eq(slug))
                .order_by("number", Order::Desc)
                .limit(1)
                .to_owned(),
        )
        .await?;
    found.as_ref().map(version_from_row).transpose()?.ok_or(PortalError::NotFound)
}

fn subject(v: &AppVersion) -> String {
    format!("app:{}/version:{}", v.slug, v.number)
}

/// Lists a new app of the department, as a draft: the public sees it once a second officer
/// has approved it.
pub async fn register(db: &Db, ledger: &Ledger, actor: &Actor, department: DepartmentId, new: NewApp) -> Result<AppVersion, PortalError> {
    may_manage(actor, department)?;
    check_slug(&new.slug)?;
    let slug = new.slug.clone();
    let checked = check(new.into())?;
    let now = ledger.now();
    let version = AppVersion {
        slug,
        number: 1,
        state: VersionState::Draft,
        department,
        name: checked.name,
        summary: checked.summary,
        ios_url: checked.ios_url,
        android_url: checked.android_url,
        author: actor.account(),
        created_at: now,
        updated_at: now,
        reviewer: None,
        review_note: None,
    };
    let mut tx = db.begin().await?;
    // A slug listed before versions were kept is taken too.
    let listed = tx.fetch_optional(&Query::select().column("slug").from(APPS).and_where(Expr::col("slug").eq(version.slug.clone())).to_owned()).await?;
    if listed.is_some() {
        return Err(PortalError::SlugTaken(version.slug));
    }
    insert_version(&mut tx, &version, None).await?;
    review::record_edit(&mut tx, &Subject::app(&version.slug), 1, actor, now).await?;
    tamar_ledger::record(&mut tx, &LedgerEntry::change(actor, "portal.app.register", subject(&version), now).because("write a draft")).await?;
    tx.commit().await?;
    ledger.notify();
    Ok(version)
}

/// Saves changes to an app's entry: the draft is changed, or, once the entry is published, a
/// new draft is started; an entry under review must be sent back first.
pub async fn save_draft(db: &Db, ledger: &Ledger, actor: &Actor, slug: &str, input: AppInput) -> Result<AppVersion, PortalError> {
    let mut tx = db.begin().await?;
    let latest = latest_in(&mut tx, slug).await?;
    may_manage(actor, latest.department)?;
    let checked = check(input)?;
    let now = ledger.now();
    let changed = AppVersion {
        name: checked.name,
        summary: checked.summary,
        ios_url: checked.ios_url,
        android_url: checked.android_url,
        author: actor.account(),
        updated_at: now,
        ..latest.clone()
    };
    let version = match latest.state {
        VersionState::Draft => {
            review::transition(
                &mut tx,
                &VERSION_TABLE,
                slug,
                latest.number,
                VersionState::Draft,
                VersionState::Draft,
                vec![
                    ("name", json(&changed.name)?.into()),
                    ("summary", json(&changed.summary)?.into()),
                    ("ios_url", changed.ios_url.clone().into()),
                    ("android_url", changed.android_url.clone().into()),
                    ("author_id", changed.author.map(|a| a.to_string()).into()),
                    ("updated_at", to_millis(now).into()),
                ],
            )
            .await?;
            changed
        }
        VersionState::Published | VersionState::Superseded | VersionState::Withdrawn => {
            let next = AppVersion {
                number: latest.number + 1,
                state: VersionState::Draft,
                created_at: now,
                reviewer: None,
                review_note: None,
                ..changed
            };
            insert_version(&mut tx, &next, None).await?;
            next
        }
        VersionState::InReview | VersionState::Scheduled => return Err(PortalError::WrongState),
    };
    review::record_edit(&mut tx, &Subject::app(slug), version.number, actor, now).await?;
    tamar_ledger::record(&mut tx, &LedgerEntry::change(actor, "portal.app.save", subject(&version), now).because("edit a draft")).await?;
    tx.commit().await?;
    ledger.notify();
    Ok(version)
}

/// Submits an app's draft for review.
pub async fn submit(db: &Db, ledger: &Ledger, actor: &Actor, slug: &str) -> Result<AppVersion, PortalError> {
    let mut tx = db.begin().await?;
    let latest = latest_in(&mut tx, slug).await?;
    may_manage(actor, latest.department)?;
    let now = ledger.now();
    review::transition(
        &mut tx,
        &VERSION_TABLE,
        slug,
        latest.number,
        VersionState::Draft,
        VersionState::InReview,
        vec![("updated_at", to_millis(now).into()), ("review_note", None::<String>.into())],
    )
    .await?;
    tamar_ledger::record(&mut tx, &LedgerEntry::change(actor, "portal.app.submit", subject(&latest), now).because("submit for review")).await?;
    tx.commit().await?;
    ledger.notify();
    Ok(AppVersion { state: VersionState::InReview, updated_at: now, review_note: None, ..latest })
}

/// A content reviewer of the department who saved none of its revisions approves the entry
/// under review, and the directory shows it from then on.
pub async fn approve(db: &Db, ledger: &Ledger, actor: &Actor, slug: &str) -> Result<AppVersion, PortalError> {
    let mut tx = db.begin().await?;
    let latest = latest_in(&mut tx, slug).await?;
    require(actor, latest.department, Role::ContentReviewer)?;
    if latest.state != VersionState::InReview {
        return Err(PortalError::WrongState);
    }
    review::check_reviewer(&mut tx, &Subject::app(slug), latest.number, actor).await?;
    let now = ledger.now();
    review::transition(
        &mut tx,
        &VERSION_TABLE,
        slug,
        latest.number,
        VersionState::InReview,
        VersionState::Published,
        vec![
            ("reviewer_id", actor.account().map(|a| a.to_string()).into()),
            ("updated_at", to_millis(now).into()),
            ("published_at", to_millis(now).into()),
        ],
    )
    .await?;
    let published = AppVersion { state: VersionState::Published, reviewer: actor.account(), updated_at: now, ..latest };
    go_live(&mut tx, actor, &published, now).await?;
    tx.commit().await?;
    ledger.notify_public();
    Ok(published)
}

/// Makes `version` what the directory shows; the version it replaces is superseded.
async fn go_live(tx: &mut Tx, actor: &Actor, version: &AppVersion, now: DateTime<Utc>) -> Result<(), PortalError> {
    tx.execute(
        &Query::update()
            .table(APP_VERSIONS)
            .value("state", VersionState::Superseded.as_str())
            .and_where(Expr::col("slug").eq(version.slug.clone()))
            .and_where(Expr::col("state").eq(VersionState::Published.as_str()))
            .and_where(Expr::col("number").ne(version.number))
            .to_owned(),
    )
    .await?;
    tx.execute(
        &Query::insert()
            .into_table(APPS)
            .columns(["slug", "department_id", "name", "summary", "ios_url", "android_url", "created_at"])
            .values_panic([
                version.slug.clone().into(),
                version.department.to_string().into(),
                json(&version.name)?.into(),
                json(&version.summary)?.into(),
                version.ios_url.clone().into(),
                version.android_url.clone().into(),
                to_millis(version.created_at).into(),
            ])
            .on_conflict(OnConflict::column("slug").update_columns(["name", "summary", "ios_url", "android_url"]).to_owned())
            .to_owned(),
    )
    .await?;
    tamar_ledger::record(tx, &LedgerEntry::change(actor, "portal.app.publish", subject(version), now).because("publish")).await?;
    Ok(())
}

/// Sends the entry under review back to its authors as a draft, with a note.
pub async fn reject(db: &Db, ledger: &Ledger, actor: &Actor, slug: &str, note: &str) -> Result<AppVersion, PortalError> {
    let note = note.trim();
    if note.is_empty() || note.chars().count() > 2000 {
        return Err(PortalError::Invalid { field: "note", rule: Rule::TooLong, reason: "1 to 2000 characters" });
    }
    let mut tx = db.begin().await?;
    let latest = latest_in(&mut tx, slug).await?;
    require(actor, latest.department, Role::ContentReviewer)?;
    let now = ledger.now();
    review::transition(
        &mut tx,
        &VERSION_TABLE,
        slug,
        latest.number,
        VersionState::InReview,
        VersionState::Draft,
        vec![
            ("review_note", note.to_owned().into()),
            ("reviewer_id", actor.account().map(|a| a.to_string()).into()),
            ("updated_at", to_millis(now).into()),
        ],
    )
    .await?;
    tamar_ledger::record(&mut tx, &LedgerEntry::change(actor, "portal.app.reject", subject(&latest), now).because("send back to the author")).await?;
    tx.commit().await?;
    ledger.notify();
    Ok(AppVersion { state: VersionState::Draft, review_note: Some(note.to_owned()), reviewer: actor.account(), updated_at: now, ..latest })
}

/// Loads an app straight into the directory, as the platform itself: for the demo and for
/// imports from an older directory, which were reviewed where they came from.
pub async fn import_published(db: &Db, ledger: &Ledger, department: DepartmentId, new: NewApp) -> Result<AppVersion, PortalError> {
    check_slug(&new.slug)?;
    let slug = new.slug.clone();
    let checked = check(new.into())?;
    let now = ledger.now();
    let version = AppVersion {
        slug,
        number: 1,
        state: VersionState::Published,
        department,
        name: checked.name,
        summary: checked.summary,
        ios_url: checked.ios_url,
        android_url: checked.android_url,
        author: None,
        created_at: now,
        updated_at: now,
        reviewer: None,
        review_note: None,
    };
    let mut tx = db.begin().await?;
    insert_version(&mut tx, &version, Some(now)).await?;
    go_live(&mut tx, &Actor::System, &version, now).await?;
    tx.commit().await?;
    ledger.notify_public();
    Ok(version)
}

/// Every version of an app's entry, newest first, for its department's editors and reviewers.
pub async fn versions(db: &Db, actor: &Actor, slug: &str) -> Result<Vec<AppVersion>, PortalError> {
    let rows = db
        .fetch_all(&Query::select().columns(VERSION_COLUMNS).from(APP_VERSIONS).and_where(Expr::col("slug").eq(slug)).order_by("number", Order::Desc).to_owned())
        .await?;
    let versions: Vec<AppVersion> = rows.iter().map(version_from_row).collect::<Result<_, _>>()?;
    let Some(first) = versions.first() else { return Err(PortalError::NotFound) };
    if require_any(actor, first.department, &[Role::DepartmentAdmin, Role::ContentEditor, Role::ContentReviewer]).is_err() {
        // Another department's drafts are not even said to exist.
        return Err(PortalError::NotFound);
    }
    Ok(versions)
}

/// The latest version of each of a department's apps, for its editors and reviewers.
pub async fn department_apps(db: &Db, actor: &Actor, department: DepartmentId) -> Result<Vec<AppVersion>, PortalError> {
    require_any(actor, department, &[Role::DepartmentAdmin, Role::ContentEditor, Role::ContentReviewer])?;
    let rows = db
        .fetch_all(
            &Query::select()
                .columns(VERSION_COLUMNS)
                .from(APP_VERSIONS)
                .and_where(Expr::col("department_id").eq(department.to_string()))
                .order_by("slug", Order::Asc)
                .order_by("number", Order::Desc)
                .to_owned(),
        )
        .await?;
    let mut out: Vec<AppVersion> = Vec::new();
    for v in rows.iter().map(version_from_row) {
        let v = v?;
        if out.last().is_none_or(|last| last.slug != v.slug) {
            out.push(v);
        }
    }
    Ok(out)
}

fn from_row(r: &AnyRow) -> Result<MobileApp, StoreError> {
    let json = |c: &str| -> Result<LocalizedText, StoreError> {
        serde_json::from_str(&row::get::<String>(r, c)?).map_err(|e| StoreError::Corrupt(e.to_string()))
    };
    Ok(MobileApp {
        slug: row::get(r, "slug")?,
        department: row::parse(r, "department_id")?,
        name: json("name")?,
        summary: json("summary")?,
        ios_url: row::get(r, "ios_url")?,
        android_url: row::get(r, "android_url")?,
        created_at: from_millis(row::get(r, "created_at")?),
        downloads: 0,
        active_users: 0,
    })
}

/// Every registered app with its reported figures, by department then name.
pub async fn list(db: &Db) -> Result<Vec<MobileApp>, PortalError> {
    let rows = db
        .fetch_all(
            &Query::select()
                .columns(["slug", "department_id", "name", "summary", "ios_url", "android_url", "created_at"])
                .from(APPS)
                .order_by("slug", Order::Asc)
                .to_owned(),
        )
        .await?;
    let mut apps: Vec<MobileApp> = rows.iter().map(from_row).collect::<Result<_, _>>()?;
    let totals = db
        .fetch_all(
            &Query::select()
                .column("app_slug")
                .expr_as(Func::cast_as(Func::sum(Expr::col("downloads")), "bigint"), "downloads")
                .expr_as(Func::max(Expr::col("day")), "last_day")
                .from(APP_USAGE)
                .group_by_col("app_slug")
                .to_owned(),
        )
        .await?;
    for t in &totals {
        let slug: String = row::get(t, "app_slug")?;
        let downloads: i64 = row::get::<Option<i64>>(t, "downloads").unwrap_or_default().unwrap_or_default();
        let last_day: String = row::get(t, "last_day")?;
        let active = db
            .fetch_optional(
                &Query::select()
                    .column("active_users")
                    .from(APP_USAGE)
                    .and_where(Expr::col("app_slug").eq(slug.clone()))
                    .and_where(Expr::col("day").eq(last_day))
                    .to_owned(),
            )
            .await?
            .map(|r| row::get::<i64>(&r, "active_users"))
            .transpose()?
            .unwrap_or(0);
        if let Some(app) = apps.iter_mut().find(|a| a.slug == slug) {
            app.downloads = downloads;
            app.active_users = active;
        }
    }
    Ok(apps)
}

/// Reported figures of one app, by day.
pub async fn usage(db: &Db, slug: &str) -> Result<Vec<UsageReport>, PortalError> {
    let rows = db
        .fetch_all(
            &Query::select()
                .columns(["day", "downloads", "active_users"])
                .from(APP_USAGE)
                .and_where(Expr::col("app_slug").eq(slug))
                .order_by("day", Order::Asc)
                .to_owned(),
        )
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let day: String = row::get(r, "day")?;
        out.push(UsageReport {
            day: day.parse().map_err(|_| StoreError::Corrupt(format!("day {day}")))?,
            downloads: row::get(r, "downloads")?,
            active_users: row::get(r, "active_users")?,
        });
    }
    Ok(out)
}

/// The department reports a day's figures; reporting the same day again replaces them.
pub async fn report_usage(db: &Db, ledger: &Ledger, actor: &Actor, slug: &str, report: UsageReport) -> Result<(), PortalError> {
    let app = list(db).await?.into_iter().find(|a| a.slug == slug).ok_or(PortalError::NotFound)?;
    may_manage(actor, app.department)?;
    if report.downloads < 0 || report.active_users < 0 {
        return Err(PortalError::Invalid { field: "downloads", rule: Rule::OutOfRange, reason: "not negative" });
    }
    let now = ledger.now();
    if report.day > now.date_naive() + chrono::Days::new(1) {
        return Err(PortalError::Invalid { field: "day", rule: Rule::OutOfRange, reason: "not in the future" });
    }
    let mut tx = db.begin().await?;
    tx.execute(
        &Query::insert()
            .into_table(APP_USAGE)
            .columns(["app_slug", "day", "downloads", "active_users"])
            .values_panic([slug.into(), report.day.to_string().into(), report.downloads.into(), report.active_users.into()])
            .on_conflict(OnConflict::columns(["app_slug", "day"]).update_columns(["downloads", "active_users"]).to_owned())
            .to_owned(),
    )
    .await?;
    tamar_ledger::record(&mut tx, &LedgerEntry::change(actor, "portal.app.usage", format!("app:{slug}/day:{}", report.day), now)).await?;
    tx.commit().await?;
    ledger.notify_public();
    Ok(())
}
