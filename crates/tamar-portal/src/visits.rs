//! How often each item is visited, by day: what "most used" on the home page means, and the
//! raw figures that the published usage statistics start from. Counts are added in batches
//! (a [`VisitCounter`] per node gathers them in memory), so a visit costs no write of its own.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::NaiveDate;
use sea_query::{Expr, ExprTrait, Func, OnConflict, Query};
use tamar_store::{Db, row};

use crate::content::{self, ItemId};
use crate::{ITEMS, ItemKind, PortalError, VISITS};

/// Distinct items a counter holds between flushes: visits to more (made-up addresses, say)
/// are not counted, so memory stays bounded.
const MAX_COUNTED: usize = 100_000;

/// Visits of public item pages on this node, counted in memory and written in batches.
#[derive(Default)]
pub struct VisitCounter {
    counts: Mutex<HashMap<(ItemKind, String), i64>>,
}

impl VisitCounter {
    /// Counts a visit of the page of the item of `kind` at `slug`.
    pub fn add(&self, kind: ItemKind, slug: &str) {
        if let Ok(mut counts) = self.counts.lock()
            && counts.len() < MAX_COUNTED
        {
            *counts.entry((kind, slug.to_owned())).or_insert(0) += 1;
        }
    }

    /// Writes what was counted since the last flush to `day`; addresses that name no item of
    /// their kind are dropped. Returns how many items' counts were written.
    pub async fn flush(&self, db: &Db, day: NaiveDate) -> Result<usize, PortalError> {
        let taken = match self.counts.lock() {
            Ok(mut counts) => std::mem::take(&mut *counts),
            Err(_) => return Ok(0),
        };
        let mut by_id = HashMap::new();
        for ((kind, slug), n) in taken {
            if let Ok(item) = content::item_by_slug(db, &slug).await
                && item.kind == kind
            {
                *by_id.entry(item.id).or_insert(0) += n;
            }
        }
        add(db, day, &by_id).await?;
        Ok(by_id.len())
    }
}

/// Adds `visits` to each item's count for `day`.
pub async fn add(db: &Db, day: NaiveDate, visits: &HashMap<ItemId, i64>) -> Result<(), PortalError> {
    if visits.is_empty() {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    for (item, n) in visits {
        tx.execute(
            &Query::insert()
                .into_table(VISITS)
                .columns(["item_id", "day", "visits"])
                .values_panic([item.to_string().into(), day.to_string().into(), (*n).into()])
                .on_conflict(
                    OnConflict::columns(["item_id", "day"])
                        .value("visits", Expr::col((VISITS, "visits")).add(Expr::col(("excluded", "visits"))))
                        .to_owned(),
                )
                .to_owned(),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Visits per item since `from` (inclusive).
pub async fn since(db: &Db, from: NaiveDate) -> Result<HashMap<ItemId, i64>, PortalError> {
    let rows = db
        .fetch_all(
            &Query::select()
                .column("item_id")
                .expr_as(Func::cast_as(Func::sum(Expr::col("visits")), "bigint"), "total")
                .from(VISITS)
                .and_where(Expr::col("day").gte(from.to_string()))
                .group_by_col("item_id")
                .to_owned(),
        )
        .await?;
    let mut out = HashMap::with_capacity(rows.len());
    for r in &rows {
        out.insert(row::parse(r, "item_id")?, row::get::<Option<i64>>(r, "total")?.unwrap_or(0));
    }
    Ok(out)
}

/// The `n` live items of `kind` visited most since `from` (inclusive), most visited first,
/// with their visits. It reads every visit row of the period, so callers keep the answer for a
/// while rather than asking on each request.
pub async fn most_used(db: &Db, from: NaiveDate, kind: ItemKind, n: u64) -> Result<Vec<(ItemId, i64)>, PortalError> {
    let total = Func::cast_as(Func::sum(Expr::col((VISITS, "visits"))), "bigint");
    let rows = db
        .fetch_all(
            &Query::select()
                .expr_as(Expr::col((VISITS, "item_id")), "item_id")
                .expr_as(total.clone(), "total")
                .from(VISITS)
                .inner_join(ITEMS, Expr::col((ITEMS, "id")).equals((VISITS, "item_id")))
                .and_where(Expr::col((VISITS, "day")).gte(from.to_string()))
                .and_where(Expr::col((ITEMS, "kind")).eq(kind.as_str()))
                .and_where(Expr::col((ITEMS, "live_version")).is_not_null())
                .group_by_col((VISITS, "item_id"))
                .group_by_col((ITEMS, "slug"))
                .order_by_expr(total.into(), sea_query::Order::Desc)
                .order_by((ITEMS, "slug"), sea_query::Order::Asc)
                .limit(n)
                .to_owned(),
        )
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let visits = row::get::<Option<i64>>(r, "total")?.unwrap_or(0);
        if visits > 0 {
            out.push((row::parse(r, "item_id")?, visits));
        }
    }
    Ok(out)
}
