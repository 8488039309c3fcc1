//! What the catalogue's listings and counts read, kept up to date as items go live.
//!
//! Each live item has one row per facet value it carries (its kind, its department, each of
//! its topics and audiences), with the keys a listing sorts by, and each facet value has a
//! count of live items. Both change in the same transaction as the change to what is live,
//! the one that writes the change feed ([`crate::content`]'s `go_live`, `withdraw` and
//! `import_published`), so a listing of one topic or the home page's counts cost the same
//! whatever the catalogue's size: an indexed range and one small read, never a pass over every
//! item.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use sea_query::{Expr, ExprTrait, OnConflict, Query};
use tamar_store::{Db, StoreError, Tx, row, to_millis};

use crate::content::{Content, Item};
use crate::{FACET_COUNTS, FACETS, PortalError};

/// What a listing can be narrowed to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Facet {
    Kind,
    Department,
    Topic,
    Audience,
}

impl Facet {
    pub fn as_str(self) -> &'static str {
        match self {
            Facet::Kind => "kind",
            Facet::Department => "department",
            Facet::Topic => "topic",
            Facet::Audience => "audience",
        }
    }
}

/// The facet values of an item whose live content is `content`.
fn values(item: &Item, content: &Content) -> BTreeSet<(Facet, String)> {
    let mut out = BTreeSet::new();
    out.insert((Facet::Kind, item.kind.as_str().to_owned()));
    out.insert((Facet::Department, item.department.to_string()));
    out.extend(content.topics.iter().map(|t| (Facet::Topic, t.clone())));
    out.extend(content.audiences.iter().map(|a| (Facet::Audience, a.clone())));
    out
}

async fn add_to_count(tx: &mut Tx, facet: &str, value: &str, delta: i64) -> Result<(), StoreError> {
    tx.execute(
        &Query::insert()
            .into_table(FACET_COUNTS)
            .columns(["facet", "value", "items"])
            .values_panic([facet.into(), value.into(), delta.into()])
            .on_conflict(
                OnConflict::columns(["facet", "value"])
                    .value("items", Expr::col((FACET_COUNTS, "items")).add(Expr::col(("excluded", "items"))))
                    .to_owned(),
            )
            .to_owned(),
    )
    .await?;
    Ok(())
}

/// Records what `item` now shows the public: `live` is its live content and the time it first
/// went live, or `None` once it is withdrawn. Inside the transaction of the change.
pub(crate) async fn set_live(tx: &mut Tx, item: &Item, live: Option<(&Content, DateTime<Utc>)>) -> Result<(), PortalError> {
    let id = item.id.to_string();
    let before = tx.fetch_all(&Query::select().columns(["facet", "value"]).from(FACETS).and_where(Expr::col("item_id").eq(&id)).to_owned()).await?;
    for r in &before {
        add_to_count(tx, &row::get::<String>(r, "facet")?, &row::get::<String>(r, "value")?, -1).await?;
    }
    if !before.is_empty() {
        tx.execute(&Query::delete().from_table(FACETS).and_where(Expr::col("item_id").eq(&id)).to_owned()).await?;
    }
    let Some((content, first_published_at)) = live else { return Ok(()) };
    let values = values(item, content);
    let mut insert = Query::insert();
    insert.into_table(FACETS).columns(["facet", "value", "item_id", "first_published_at", "item_slug", "item_kind"]);
    for (facet, value) in &values {
        insert.values_panic([
            facet.as_str().into(),
            value.clone().into(),
            id.clone().into(),
            to_millis(first_published_at).into(),
            item.slug.clone().into(),
            item.kind.as_str().into(),
        ]);
    }
    tx.execute(&insert).await?;
    for (facet, value) in &values {
        add_to_count(tx, facet.as_str(), value, 1).await?;
    }
    Ok(())
}

/// How many live items carry each value of `facet` (values with none are left out).
pub async fn counts(db: &Db, facet: Facet) -> Result<HashMap<String, i64>, PortalError> {
    let rows = db
        .fetch_all(
            &Query::select()
                .columns(["value", "items"])
                .from(FACET_COUNTS)
                .and_where(Expr::col("facet").eq(facet.as_str()))
                .and_where(Expr::col("items").gt(0))
                .to_owned(),
        )
        .await?;
    let mut out = HashMap::with_capacity(rows.len());
    for r in &rows {
        out.insert(row::get::<String>(r, "value")?, row::get::<i64>(r, "items")?);
    }
    Ok(out)
}

/// How many live items carry `value` of `facet`.
pub async fn count(db: &Db, facet: Facet, value: &str) -> Result<i64, PortalError> {
    let found = db
        .fetch_optional(
            &Query::select()
                .column("items")
                .from(FACET_COUNTS)
                .and_where(Expr::col("facet").eq(facet.as_str()))
                .and_where(Expr::col("value").eq(value))
                .to_owned(),
        )
        .await?;
    Ok(found.map(|r| row::get::<i64>(&r, "items")).transpose()?.map_or(0, |n: i64| Ord::max(n, 0)))
}
