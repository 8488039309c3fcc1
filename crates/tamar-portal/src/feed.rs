//! The change feed: one row for every change to what the public sees, numbered in order.
//!
//! Each node of a deployment reads the feed to keep its own search index (and any other
//! derived view) up to date, from the cursor it last stored; a fresh node rebuilds from all
//! live items and starts at the feed's end. On PostgreSQL numbers are taken from a sequence
//! when a transaction inserts, but transactions commit in any order, so a reader can see
//! number 8 before number 7 commits. [`FeedCursor`] therefore advances only over numbers it
//! has seen, and skips a missing number once it has stayed missing for [`GAP_PATIENCE`] (the
//! transaction that took it rolled back).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sea_query::{Expr, ExprTrait, Func, Order, Query};
use tamar_store::{Db, StoreError, Tx, row, to_millis};

use crate::content::ItemId;
use crate::{CHANGES, PortalError};

pub const GAP_PATIENCE: Duration = Duration::from_secs(30);

/// What happened to an item's public state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// A version went live (the first, or a new one).
    Publish,
    /// The item was taken off the portal.
    Withdraw,
}

impl ChangeKind {
    fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Publish => "publish",
            ChangeKind::Withdraw => "withdraw",
        }
    }
}

pub(crate) async fn record_change(tx: &mut Tx, item: ItemId, kind: ChangeKind, version: i32, at: DateTime<Utc>) -> Result<(), StoreError> {
    tx.execute(
        &Query::insert()
            .into_table(CHANGES)
            .columns(["item_id", "kind", "version", "at"])
            .values_panic([item.to_string().into(), kind.as_str().into(), version.into(), to_millis(at).into()])
            .to_owned(),
    )
    .await?;
    Ok(())
}

/// One change: the item's public state must be read again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Change {
    pub seq: i64,
    pub item: ItemId,
    pub kind: ChangeKind,
    pub version: i32,
}

/// Changes numbered above `after`, in order, at most `limit`.
pub async fn changes_after(db: &Db, after: i64, limit: u64) -> Result<Vec<Change>, PortalError> {
    let rows = db
        .fetch_all(
            &Query::select()
                .columns(["seq", "item_id", "kind", "version"])
                .from(CHANGES)
                .and_where(Expr::col("seq").gt(after))
                .order_by("seq", Order::Asc)
                .limit(limit)
                .to_owned(),
        )
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let kind = if row::get::<String>(r, "kind")? == "withdraw" { ChangeKind::Withdraw } else { ChangeKind::Publish };
        out.push(Change { seq: i64::from(row::get::<i32>(r, "seq")?), item: row::parse(r, "item_id")?, kind, version: row::get(r, "version")? });
    }
    Ok(out)
}

/// The highest change number so far (0 when there are none).
pub async fn last_seq(db: &Db) -> Result<i64, PortalError> {
    let r = db.fetch_one(&Query::select().expr_as(Func::max(Expr::col("seq")), "top").from(CHANGES).to_owned()).await?;
    Ok(row::get::<Option<i32>>(&r, "top")?.map_or(0, i64::from))
}

/// A reader's position in the feed, tolerant of numbers that commit out of order.
#[derive(Clone, Debug, Default)]
pub struct FeedCursor {
    position: i64,
    gaps: HashMap<i64, Instant>,
}

impl FeedCursor {
    pub fn new(position: i64) -> Self {
        FeedCursor { position, gaps: HashMap::new() }
    }

    /// Every change up to and including this number has been applied.
    pub fn position(&self) -> i64 {
        self.position
    }

    /// Moves the cursor over `seen` (the numbers of the changes just applied, ascending, all
    /// above the position). Returns the new position.
    pub fn advance(&mut self, seen: &[i64], now: Instant) -> i64 {
        let mut seen = seen.iter().copied().peekable();
        while let Some(&next) = seen.peek() {
            let expected = self.position + 1;
            if next < expected {
                seen.next();
            } else if next == expected {
                self.position = expected;
                self.gaps.remove(&expected);
                seen.next();
            } else {
                let first_missing = *self.gaps.entry(expected).or_insert(now);
                if now.duration_since(first_missing) >= GAP_PATIENCE {
                    tracing::debug!(seq = expected, "change number never committed; skipped");
                    self.gaps.remove(&expected);
                    self.position = expected;
                } else {
                    break;
                }
            }
        }
        let position = self.position;
        self.gaps.retain(|seq, _| *seq > position);
        self.position
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advances_over_contiguous_numbers() {
        let mut c = FeedCursor::new(3);
        assert_eq!(c.advance(&[4, 5, 6], Instant::now()), 6);
    }

    #[test]
    fn waits_at_a_gap_then_skips_it() {
        let start = Instant::now();
        let mut c = FeedCursor::new(0);
        assert_eq!(c.advance(&[1, 3, 4], start), 1);
        // Number 2 commits late: the next read sees it along with 3 and 4 again.
        assert_eq!(c.advance(&[2, 3, 4], start + Duration::from_secs(1)), 4);
        // Number 5 never commits.
        assert_eq!(c.advance(&[6], start + Duration::from_secs(2)), 4);
        assert_eq!(c.advance(&[6], start + Duration::from_secs(2) + GAP_PATIENCE), 6);
    }
}
