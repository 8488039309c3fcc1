//! MyGovHK: a person's bookmarks and subscriptions. Each belongs to one account and only its
//! owner reads or changes it. (Pre-fill settings are `tamar_identity::prefill`.)

use chrono::{DateTime, Utc};
use sea_query::{Alias, Expr, ExprTrait, OnConflict, Order, Query};
use serde::{Deserialize, Serialize};
use tamar_core::{AccountId, Actor, Cursor, DepartmentId, Lang, Page, PageRequest, Rule};
use tamar_ledger::{Ledger, LedgerEntry};
use tamar_store::{Db, StoreError, from_millis, row, to_millis};

use crate::catalogue::topic;
use crate::content::ItemId;
use crate::{BOOKMARKS, ITEMS, PortalError, SUBSCRIPTIONS};

fn owner(actor: &Actor) -> Result<AccountId, PortalError> {
    match actor {
        Actor::Citizen { account } | Actor::Officer { account, .. } | Actor::PlatformAdmin { account } => Ok(*account),
        _ => Err(PortalError::Forbidden),
    }
}

/// A bookmark of a catalogue item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bookmark {
    pub item: ItemId,
    pub created_at: DateTime<Utc>,
}

/// A page of a person's bookmarks, newest first (keyset on the time and the item).
pub async fn bookmarks(db: &Db, account: AccountId, page: &PageRequest) -> Result<Page<Bookmark>, PortalError> {
    // Only bookmarks of items that are live: a page is never emptied by withdrawn ones.
    let mark = |c: &str| Expr::col((Alias::new(BOOKMARKS), Alias::new(c)));
    let mut query = Query::select()
        .expr_as(mark("item_id"), Alias::new("item_id"))
        .expr_as(mark("created_at"), Alias::new("created_at"))
        .from(BOOKMARKS)
        .inner_join(
            ITEMS,
            Expr::col((Alias::new(ITEMS), Alias::new("id")))
                .equals((Alias::new(BOOKMARKS), Alias::new("item_id")))
                .and(Expr::col((Alias::new(ITEMS), Alias::new("live_version"))).is_not_null()),
        )
        .and_where(mark("account_id").eq(account.to_string()))
        .order_by((Alias::new(BOOKMARKS), Alias::new("created_at")), Order::Desc)
        .order_by((Alias::new(BOOKMARKS), Alias::new("item_id")), Order::Desc)
        .limit(page.fetch())
        .to_owned();
    if let Some(after) = &page.after {
        let (Some(at), Some(item)) = (after.int(0), after.keys().get(1)) else { return Err(PortalError::BadCursor) };
        query.and_where(mark("created_at").lt(at).or(mark("created_at").eq(at).and(mark("item_id").lt(item.clone()))));
    }
    let rows = db.fetch_all(&query).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(Bookmark { item: row::parse(r, "item_id")?, created_at: from_millis(row::get(r, "created_at")?) });
    }
    Ok(Page::from_rows(out, page, |b| Cursor::new([to_millis(b.created_at).to_string(), b.item.to_string()])))
}

pub async fn is_bookmarked(db: &Db, account: AccountId, item: ItemId) -> Result<bool, PortalError> {
    Ok(db
        .fetch_optional(
            &Query::select()
                .column("item_id")
                .from(BOOKMARKS)
                .and_where(Expr::col("account_id").eq(account.to_string()))
                .and_where(Expr::col("item_id").eq(item.to_string()))
                .to_owned(),
        )
        .await?
        .is_some())
}

/// Bookmarks an item; bookmarking it again changes nothing.
pub async fn add_bookmark(db: &Db, ledger: &Ledger, actor: &Actor, item: ItemId) -> Result<(), PortalError> {
    let account = owner(actor)?;
    let now = ledger.now();
    let mut tx = db.begin().await?;
    let added = tx
        .execute(
            &Query::insert()
                .into_table(BOOKMARKS)
                .columns(["account_id", "item_id", "created_at"])
                .values_panic([account.to_string().into(), item.to_string().into(), to_millis(now).into()])
                .on_conflict(OnConflict::columns(["account_id", "item_id"]).do_nothing().to_owned())
                .to_owned(),
        )
        .await?;
    if added == 1 {
        tamar_ledger::record(&mut tx, &LedgerEntry::change(actor, "portal.bookmark.add", format!("item:{item}"), now).about(account)).await?;
    }
    tx.commit().await?;
    ledger.notify();
    Ok(())
}

pub async fn remove_bookmark(db: &Db, ledger: &Ledger, actor: &Actor, item: ItemId) -> Result<(), PortalError> {
    let account = owner(actor)?;
    let now = ledger.now();
    let mut tx = db.begin().await?;
    let removed = tx
        .execute(
            &Query::delete()
                .from_table(BOOKMARKS)
                .and_where(Expr::col("account_id").eq(account.to_string()))
                .and_where(Expr::col("item_id").eq(item.to_string()))
                .to_owned(),
        )
        .await?;
    if removed == 1 {
        tamar_ledger::record(&mut tx, &LedgerEntry::change(actor, "portal.bookmark.remove", format!("item:{item}"), now).about(account))
            .await?;
    }
    tx.commit().await?;
    ledger.notify();
    Ok(())
}

/// What a subscription follows.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum SubscriptionTarget {
    /// A topic, by slug.
    Topic(String),
    /// A department, by id.
    Department(DepartmentId),
}

impl SubscriptionTarget {
    pub fn key(&self) -> String {
        match self {
            SubscriptionTarget::Topic(slug) => format!("topic:{slug}"),
            SubscriptionTarget::Department(id) => format!("department:{id}"),
        }
    }

    pub fn parse(key: &str) -> Option<SubscriptionTarget> {
        match key.split_once(':')? {
            ("topic", slug) if topic(slug).is_some() => Some(SubscriptionTarget::Topic(slug.to_owned())),
            ("department", id) => id.parse().ok().map(SubscriptionTarget::Department),
            _ => None,
        }
    }
}

/// A person asked for email about new content on a topic or from a department.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscription {
    pub target: SubscriptionTarget,
    /// The language of the emails.
    pub lang: Lang,
    pub created_at: DateTime<Utc>,
}

fn lang_of(code: &str) -> Lang {
    Lang::from_prefix(code).unwrap_or(Lang::En)
}

pub async fn subscriptions(db: &Db, account: AccountId) -> Result<Vec<Subscription>, PortalError> {
    let rows = db
        .fetch_all(
            &Query::select()
                .columns(["target", "lang", "created_at"])
                .from(SUBSCRIPTIONS)
                .and_where(Expr::col("account_id").eq(account.to_string()))
                .order_by("target", Order::Asc)
                .to_owned(),
        )
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let key: String = row::get(r, "target")?;
        let target = SubscriptionTarget::parse(&key).ok_or_else(|| StoreError::Corrupt(format!("subscription {key}")))?;
        out.push(Subscription { target, lang: lang_of(&row::get::<String>(r, "lang")?), created_at: from_millis(row::get(r, "created_at")?) });
    }
    Ok(out)
}

/// Subscribes (or changes the language of an existing subscription).
pub async fn subscribe(db: &Db, ledger: &Ledger, actor: &Actor, target: SubscriptionTarget, lang: Lang) -> Result<(), PortalError> {
    let account = owner(actor)?;
    if let SubscriptionTarget::Topic(slug) = &target
        && topic(slug).is_none()
    {
        return Err(PortalError::Invalid { field: "target", rule: Rule::UnknownValue, reason: "a known topic" });
    }
    let now = ledger.now();
    let mut tx = db.begin().await?;
    tx.execute(
        &Query::insert()
            .into_table(SUBSCRIPTIONS)
            .columns(["account_id", "target", "lang", "created_at"])
            .values_panic([account.to_string().into(), target.key().into(), lang.prefix().into(), to_millis(now).into()])
            .on_conflict(OnConflict::columns(["account_id", "target"]).update_column("lang").to_owned())
            .to_owned(),
    )
    .await?;
    tamar_ledger::record(&mut tx, &LedgerEntry::change(actor, "portal.subscription.add", target.key(), now).about(account)).await?;
    tx.commit().await?;
    ledger.notify();
    Ok(())
}

pub async fn unsubscribe(db: &Db, ledger: &Ledger, actor: &Actor, target: &SubscriptionTarget) -> Result<(), PortalError> {
    let account = owner(actor)?;
    let now = ledger.now();
    let mut tx = db.begin().await?;
    let removed = tx
        .execute(
            &Query::delete()
                .from_table(SUBSCRIPTIONS)
                .and_where(Expr::col("account_id").eq(account.to_string()))
                .and_where(Expr::col("target").eq(target.key()))
                .to_owned(),
        )
        .await?;
    if removed == 1 {
        tamar_ledger::record(&mut tx, &LedgerEntry::change(actor, "portal.subscription.remove", target.key(), now).about(account)).await?;
    }
    tx.commit().await?;
    ledger.notify();
    Ok(())
}

/// Everyone subscribed to any of `targets`, once each, with their language: for sending
/// updates. Used by the platform only.
pub async fn subscribers(db: &Db, targets: &[SubscriptionTarget]) -> Result<Vec<(AccountId, Lang)>, PortalError> {
    if targets.is_empty() {
        return Ok(Vec::new());
    }
    let rows = db
        .fetch_all(
            &Query::select()
                .columns(["account_id", "lang"])
                .from(SUBSCRIPTIONS)
                .and_where(Expr::col("target").is_in(targets.iter().map(SubscriptionTarget::key)))
                .order_by("account_id", Order::Asc)
                .to_owned(),
        )
        .await?;
    let mut out: Vec<(AccountId, Lang)> = Vec::new();
    for r in &rows {
        let account: AccountId = row::parse(r, "account_id")?;
        if out.last().is_none_or(|(a, _)| *a != account) {
            out.push((account, lang_of(&row::get::<String>(r, "lang")?)));
        }
    }
    Ok(out)
}
