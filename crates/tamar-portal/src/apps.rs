//! The registry of government mobile apps: each department lists its apps and reports their
//! downloads and use, so that take-up can be assessed and published.

use chrono::{DateTime, NaiveDate, Utc};
use sea_query::{Expr, ExprTrait, Func, OnConflict, Order, Query};
use serde::{Deserialize, Serialize};
use tamar_core::{Actor, DepartmentId, LocalizedText, Role};
use tamar_ledger::{Ledger, LedgerEntry};
use tamar_store::{AnyRow, Db, StoreError, from_millis, row, to_millis};

use crate::content::{TextInput, required_text};
use crate::{APP_USAGE, APPS, PortalError};

/// A government mobile app.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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

fn may_manage(actor: &Actor, department: DepartmentId) -> Result<(), PortalError> {
    match actor {
        Actor::System => Ok(()),
        Actor::Officer { department: own, roles, .. }
            if *own == department && (roles.contains(&Role::DepartmentAdmin) || roles.contains(&Role::ContentEditor)) =>
        {
            Ok(())
        }
        _ => Err(PortalError::Forbidden),
    }
}

fn store_url(field: &'static str, url: Option<String>) -> Result<Option<String>, PortalError> {
    let url = url.map(|u| u.trim().to_owned()).filter(|u| !u.is_empty());
    if let Some(u) = &url
        && (!u.starts_with("https://") || u.len() > 500 || u.chars().any(char::is_whitespace))
    {
        return Err(PortalError::Invalid { field, reason: "an https:// address" });
    }
    Ok(url)
}

pub async fn register(db: &Db, ledger: &Ledger, actor: &Actor, department: DepartmentId, new: NewApp) -> Result<MobileApp, PortalError> {
    may_manage(actor, department)?;
    let slug_ok = (3..=60).contains(&new.slug.len())
        && new.slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !new.slug.starts_with('-')
        && !new.slug.ends_with('-');
    if !slug_ok {
        return Err(PortalError::Invalid { field: "slug", reason: "3 to 60 lowercase letters, digits and hyphens" });
    }
    let now = ledger.now();
    let app = MobileApp {
        slug: new.slug,
        department,
        name: required_text("name", &new.name, 120)?,
        summary: required_text("summary", &new.summary, 600)?,
        ios_url: store_url("ios_url", new.ios_url)?,
        android_url: store_url("android_url", new.android_url)?,
        created_at: now,
        downloads: 0,
        active_users: 0,
    };
    let json = |t: &LocalizedText| serde_json::to_string(t).map_err(|e| StoreError::Corrupt(e.to_string()));
    let mut tx = db.begin().await?;
    let inserted = tx
        .execute(
            &Query::insert()
                .into_table(APPS)
                .columns(["slug", "department_id", "name", "summary", "ios_url", "android_url", "created_at"])
                .values_panic([
                    app.slug.clone().into(),
                    department.to_string().into(),
                    json(&app.name)?.into(),
                    json(&app.summary)?.into(),
                    app.ios_url.clone().into(),
                    app.android_url.clone().into(),
                    to_millis(now).into(),
                ])
                .to_owned(),
        )
        .await;
    match inserted {
        Err(StoreError::UniqueViolation) => return Err(PortalError::SlugTaken(app.slug)),
        other => other?,
    };
    tamar_ledger::record(&mut tx, &LedgerEntry::change(actor, "portal.app.register", format!("app:{}", app.slug), now)).await?;
    tx.commit().await?;
    ledger.notify();
    Ok(app)
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
        return Err(PortalError::Invalid { field: "downloads", reason: "not negative" });
    }
    let now = ledger.now();
    if report.day > now.date_naive() + chrono::Days::new(1) {
        return Err(PortalError::Invalid { field: "day", reason: "not in the future" });
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
    ledger.notify();
    Ok(())
}
