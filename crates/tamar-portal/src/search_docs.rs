//! Feeding the catalogue to a search index: what the index holds for a live item, a rebuild
//! from what is live, and following the change feed. Each node keeps its own index; the
//! position it is up to is committed with the index, so a restarted node resumes there.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tamar_core::DepartmentId;
use tamar_search::{DocKind, SearchDoc, SearchIndex, Texts};
use tamar_store::Db;

use crate::content::{self, ItemId};
use crate::feed::{self, FeedCursor};
use crate::text::markdown_to_text;
use crate::{ItemKind, LiveItem, PortalError};

/// Changes applied to the index in one commit.
const CHANGES_PER_COMMIT: u64 = 500;
/// Days of visits that popularity counts.
const POPULARITY_DAYS: u64 = 30;

fn doc_kind(kind: ItemKind) -> DocKind {
    match kind {
        ItemKind::Service => DocKind::Service,
        ItemKind::Guide => DocKind::Guide,
        ItemKind::News => DocKind::News,
        ItemKind::Notice => DocKind::Notice,
    }
}

/// The search index's key for an item: `kind:slug`.
pub fn search_key(kind: ItemKind, slug: &str) -> String {
    format!("{}:{slug}", kind.as_str())
}

/// The item a search hit stands for: its kind and slug.
pub fn parse_search_key(key: &str) -> Option<(ItemKind, &str)> {
    let (kind, slug) = key.split_once(':')?;
    Some((ItemKind::parse(kind)?, slug))
}

/// What the index holds for a live item: the body is the page text, and for a service its
/// eligibility, fees, how to apply and processing time.
fn search_doc(live: &LiveItem, department: &str, popularity: u64) -> SearchDoc {
    let c = &live.content;
    let mut body = Texts::new(markdown_to_text(&c.body.en), markdown_to_text(&c.body.tc), markdown_to_text(&c.body.sc));
    if let Some(s) = &c.service {
        for t in [&s.eligibility, &s.fees, &s.how_to_apply, &s.processing_time] {
            for (into, from) in [(&mut body.en, &t.en), (&mut body.tc, &t.tc), (&mut body.sc, &t.sc)] {
                into.push('\n');
                into.push_str(&markdown_to_text(from));
            }
        }
    }
    SearchDoc {
        key: search_key(live.item.kind, &live.item.slug),
        kind: doc_kind(live.item.kind),
        title: Texts::new(&c.title.en, &c.title.tc, &c.title.sc),
        summary: Texts::new(&c.summary.en, &c.summary.tc, &c.summary.sc),
        body,
        department: department.to_owned(),
        topics: c.topics.clone(),
        audiences: c.audiences.clone(),
        popularity,
        updated_at: live.item.live_at.map_or(0, |d| d.timestamp_millis()),
    }
}

/// What documents are built from besides the items: department codes and recent visits.
struct Context {
    codes: HashMap<DepartmentId, String>,
    visits: HashMap<ItemId, i64>,
}

impl Context {
    async fn load(db: &Db, now: chrono::DateTime<chrono::Utc>) -> Result<Context, PortalError> {
        let codes = tamar_tenancy::list(db).await?.into_iter().map(|d| (d.id, d.code)).collect();
        let visits = crate::visits::since(db, now.date_naive() - chrono::Days::new(POPULARITY_DAYS)).await?;
        Ok(Context { codes, visits })
    }

    fn doc(&self, live: &LiveItem) -> SearchDoc {
        let department = self.codes.get(&live.item.department).map_or("", String::as_str);
        search_doc(live, department, self.visits.get(&live.item.id).copied().unwrap_or(0).max(0) as u64)
    }
}

/// Runs index work off the async threads: it is CPU and file work.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, tamar_search::SearchError> + Send + 'static) -> Result<T, PortalError> {
    Ok(tokio::task::spawn_blocking(f).await??)
}

/// Rebuilds the whole index from what is live, and records the feed position it reflects.
pub async fn rebuild_index(db: &Db, index: &Arc<SearchIndex>, now: chrono::DateTime<chrono::Utc>) -> Result<i64, PortalError> {
    // Read the position first: a change committed while we load is applied again later.
    let position = feed::last_seq(db).await?;
    let context = Context::load(db, now).await?;
    let docs: Vec<SearchDoc> = content::all_live(db).await?.iter().map(|l| context.doc(l)).collect();
    let index = index.clone();
    let count = docs.len();
    blocking(move || {
        index.clear()?;
        index.upsert(&docs)?;
        index.commit_with_cursor(&position.to_string())?;
        // A bulk load leaves a segment per writer flush; searches are faster on one. The
        // index is whole either way, so a merge that fails only costs speed.
        if let Err(error) = index.merge_segments() {
            tracing::warn!(%error, "search index left in several segments");
        }
        Ok(())
    })
    .await?;
    tracing::info!(documents = count, position, "search index rebuilt");
    Ok(position)
}

/// Applies the changes after the cursor to the index; returns how many were applied.
pub async fn apply_changes(db: &Db, index: &Arc<SearchIndex>, cursor: &mut FeedCursor, now: chrono::DateTime<chrono::Utc>) -> Result<usize, PortalError> {
    let changes = feed::changes_after(db, cursor.position(), CHANGES_PER_COMMIT).await?;
    if changes.is_empty() {
        return Ok(0);
    }
    let context = Context::load(db, now).await?;
    let mut ids: Vec<_> = changes.iter().map(|c| c.item).collect();
    ids.sort();
    ids.dedup();
    let live = content::live_by_ids(db, &ids).await?;
    let mut gone = Vec::new();
    for id in &ids {
        if !live.iter().any(|l| l.item.id == *id) {
            let item = content::item(db, *id).await?;
            gone.push(search_key(item.kind, &item.slug));
        }
    }
    let docs: Vec<SearchDoc> = live.iter().map(|l| context.doc(l)).collect();
    let seen: Vec<i64> = changes.iter().map(|c| c.seq).collect();
    let position = cursor.advance(&seen, Instant::now());
    let index = index.clone();
    blocking(move || {
        index.delete(&gone)?;
        index.upsert(&docs)?;
        index.commit_with_cursor(&position.to_string())
    })
    .await?;
    Ok(changes.len())
}

/// Brings the index up to the feed's end as it is now: a fresh index (no cursor) is rebuilt
/// from what is live, one with a cursor applies the changes since; then the index is marked
/// caught up, which readiness waits for. Returns the cursor to follow on from.
pub async fn catch_up(db: &Db, index: &Arc<SearchIndex>, now: chrono::DateTime<chrono::Utc>) -> Result<FeedCursor, PortalError> {
    let start = match index.cursor().and_then(|c| c.parse::<i64>().ok()) {
        Some(position) => position,
        None => rebuild_index(db, index, now).await?,
    };
    let mut cursor = FeedCursor::new(start);
    let end = feed::last_seq(db).await?;
    while cursor.position() < end {
        let before = cursor.position();
        apply_changes(db, index, &mut cursor, now).await?;
        if cursor.position() == before {
            // Waiting at a number that has not committed yet (see `FeedCursor`).
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
    index.mark_caught_up();
    tracing::info!(position = cursor.position(), "search index caught up with the change feed");
    Ok(cursor)
}
