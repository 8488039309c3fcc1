//! How often each item is visited, by day: what "most used" on the home page means, and the
//! raw figures that the published usage statistics start from. Counts are added in batches
//! (the web layer buffers them), so a visit costs no write of its own.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_query::{Expr, ExprTrait, Func, OnConflict, Query};
use tamar_store::{Db, row};

use crate::content::ItemId;
use crate::{PortalError, VISITS};

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
