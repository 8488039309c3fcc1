//! What the portal's background jobs do (declared in [`crate::modules`], run by
//! [`crate::schedule`]): keeping each node's search index up to date from the change feed,
//! writing visit counts, and sending the mail that subscriptions ask for.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use tamar_core::{Actor, Lang};
use tamar_portal::content::{self, LiveFilter};
use tamar_portal::feed::{self, ChangeKind, FeedCursor};
use tamar_portal::mygov::{self, SubscriptionTarget};
use tamar_portal::text::markdown_to_text;
use tamar_portal::{ItemKind, LiveItem};
use tamar_search::{DocKind, SearchDoc, SearchIndex, Texts};
use tamar_store::Db;

use crate::AppState;

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

async fn department_codes(db: &Db) -> anyhow::Result<HashMap<tamar_core::DepartmentId, String>> {
    Ok(tamar_tenancy::list(db).await?.into_iter().map(|d| (d.id, d.code)).collect())
}

async fn popularity(db: &Db, now: chrono::DateTime<chrono::Utc>) -> anyhow::Result<HashMap<tamar_portal::ItemId, i64>> {
    Ok(tamar_portal::visits::since(db, now.date_naive() - chrono::Days::new(30)).await?)
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, tamar_search::SearchError> + Send + 'static) -> anyhow::Result<T> {
    Ok(tokio::task::spawn_blocking(f).await??)
}

/// Rebuilds the whole index from what is live, and records the feed position it reflects.
pub async fn rebuild_index(db: &Db, index: &Arc<SearchIndex>, now: chrono::DateTime<chrono::Utc>) -> anyhow::Result<i64> {
    // Read the position first: a change committed while we load is applied again later.
    let position = feed::last_seq(db).await?;
    let codes = department_codes(db).await?;
    let visits = popularity(db, now).await?;
    let docs: Vec<SearchDoc> = content::list_live(db, &LiveFilter::default())
        .await?
        .iter()
        .map(|l| search_doc(l, codes.get(&l.item.department).map_or("", String::as_str), visits.get(&l.item.id).copied().unwrap_or(0).max(0) as u64))
        .collect();
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
pub async fn apply_changes(db: &Db, index: &Arc<SearchIndex>, cursor: &mut FeedCursor, now: chrono::DateTime<chrono::Utc>) -> anyhow::Result<usize> {
    let changes = feed::changes_after(db, cursor.position(), 500).await?;
    if changes.is_empty() {
        return Ok(0);
    }
    let codes = department_codes(db).await?;
    let visits = popularity(db, now).await?;
    let mut ids: Vec<_> = changes.iter().map(|c| c.item).collect();
    ids.sort();
    ids.dedup();
    let live = content::list_live(db, &LiveFilter { ids: Some(ids.clone()), ..Default::default() }).await?;
    let mut gone = Vec::new();
    for id in &ids {
        if !live.iter().any(|l| l.item.id == *id) {
            let item = content::item(db, *id).await?;
            gone.push(search_key(item.kind, &item.slug));
        }
    }
    let docs: Vec<SearchDoc> = live
        .iter()
        .map(|l| search_doc(l, codes.get(&l.item.department).map_or("", String::as_str), visits.get(&l.item.id).copied().unwrap_or(0).max(0) as u64))
        .collect();
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
/// caught up, which `/readyz` waits for. Returns the cursor to follow on from.
pub async fn catch_up(db: &Db, index: &Arc<SearchIndex>, now: chrono::DateTime<chrono::Utc>) -> anyhow::Result<FeedCursor> {
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

/// Visits of public item pages, counted in memory and written in batches.
#[derive(Default)]
pub struct VisitCounter {
    counts: Mutex<HashMap<(ItemKind, String), i64>>,
}

impl VisitCounter {
    fn add(&self, kind: ItemKind, slug: &str) {
        if let Ok(mut counts) = self.counts.lock()
            && counts.len() < 100_000
        {
            *counts.entry((kind, slug.to_owned())).or_insert(0) += 1;
        }
    }

    /// Writes what was counted since the last flush.
    pub async fn flush(&self, db: &Db, day: chrono::NaiveDate) -> anyhow::Result<()> {
        let taken = match self.counts.lock() {
            Ok(mut counts) => std::mem::take(&mut *counts),
            Err(_) => return Ok(()),
        };
        let mut by_id = HashMap::new();
        for ((kind, slug), n) in taken {
            if let Ok(item) = content::item_by_slug(db, &slug).await
                && item.kind == kind
            {
                *by_id.entry(item.id).or_insert(0) += n;
            }
        }
        tamar_portal::visits::add(db, day, &by_id).await?;
        Ok(())
    }
}

/// Counts a successful GET of a public item page; runs outside the page cache so that cached
/// answers count too.
pub async fn count_visits(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let target = if req.method() == Method::GET {
        let mut parts = req.uri().path().trim_start_matches('/').split('/');
        match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(lang), Some(segment), Some(slug), None) if Lang::from_prefix(lang).is_some() => {
                ItemKind::ALL.into_iter().find(|k| k.path_segment() == segment).map(|k| (k, slug.to_owned()))
            }
            _ => None,
        }
    } else {
        None
    };
    let response = next.run(req).await;
    if let Some((kind, slug)) = target
        && response.status() == StatusCode::OK
    {
        state.visits.add(kind, &slug);
    }
    response
}

const SUBSCRIPTION_CURSOR: &str = "subscription-mail";

/// Sends one email per subscriber for each newly published version. One node at a time does
/// this: the shared cursor moves in the same transaction that queues the mail, so a change is
/// mailed once.
pub async fn mail_subscribers(state: &AppState, gaps: &mut FeedCursor) -> anyhow::Result<usize> {
    let db = &state.db;
    let initial = feed::last_seq(db).await?;
    let from = tamar_portal::cursors::get(db, SUBSCRIPTION_CURSOR, initial).await?;
    let changes = feed::changes_after(db, from, 100).await?;
    if gaps.position() != from {
        *gaps = FeedCursor::new(from);
    }
    // Only the changes up to the first number that has not committed yet (see `FeedCursor`).
    let last = gaps.advance(&changes.iter().map(|c| c.seq).collect::<Vec<_>>(), Instant::now());
    if last == from {
        return Ok(0);
    }
    let changes: Vec<_> = changes.into_iter().filter(|c| c.seq <= last).collect();
    let codes = tamar_tenancy::list(db).await?;
    let mut emails = Vec::new();
    for change in changes.iter().filter(|c| c.kind == ChangeKind::Publish) {
        let item = content::item(db, change.item).await?;
        let Ok(version) = content::version(db, change.item, change.version).await else { continue };
        let mut targets: Vec<SubscriptionTarget> = version.content.topics.iter().map(|t| SubscriptionTarget::Topic(t.clone())).collect();
        targets.push(SubscriptionTarget::Department(item.department));
        let department = codes.iter().find(|d| d.id == item.department);
        for (account, lang) in mygov::subscribers(db, &targets).await? {
            let person = match tamar_identity::get_account(db, &state.ledger, &Actor::System, account, "send a subscription update").await {
                Ok(p) => p,
                Err(_) => continue,
            };
            let url = format!("{}{}", state.config.public_url, crate::portal::item_href(lang, item.kind, &item.slug));
            let update = tamar_notify::templates::ContentUpdate {
                lang,
                title: version.content.title.get(lang).to_owned(),
                summary: version.content.summary.get(lang).to_owned(),
                department: department.map(|d| d.name.get(lang).to_owned()).unwrap_or_default(),
                url,
                manage_url: format!("{}/{}/account/subscriptions", state.config.public_url, lang.prefix()),
                is_new: change.version == 1,
            };
            emails.push(update.email(&person.email)?);
        }
    }
    let mut tx = db.begin().await?;
    if !tamar_portal::cursors::advance(&mut tx, SUBSCRIPTION_CURSOR, from, last).await? {
        return Ok(0);
    }
    for email in &emails {
        tamar_notify::enqueue(&mut tx, email, state.ledger.now()).await?;
    }
    tx.commit().await?;
    Ok(emails.len())
}
