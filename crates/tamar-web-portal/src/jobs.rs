//! The portal's background jobs: each node's search index following the change feed,
//! scheduled publishing, visit counts, and subscription mail. What each does belongs to
//! `tamar_portal`; here they are given a name, an interval and a placement.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tamar_portal::feed::FeedCursor;
use tamar_web::schedule::{Job, Placement};
use tokio::sync::Mutex;

/// How often a node rebuilds its whole search index, so that popularity stays current.
const INDEX_REFRESH: Duration = Duration::from_secs(600);

#[derive(Default)]
struct IndexFollower {
    /// None until the node's index has caught up with the change feed.
    cursor: Option<FeedCursor>,
    last_rebuild: Option<Instant>,
}

pub(crate) fn all() -> Vec<Job> {
    let follower = Arc::new(Mutex::new(IndexFollower::default()));
    let gaps = Arc::new(Mutex::new(FeedCursor::default()));
    vec![
        // Each node keeps its own index following the change feed: it catches up first (until
        // then the node is not ready), then applies new changes; now and then it rebuilds.
        Job::new("search-index", Duration::from_millis(500), Placement::EveryNode, move |state| {
            let follower = follower.clone();
            async move {
                let mut follower = follower.lock().await;
                let follower = &mut *follower;
                let now = state.ledger.now();
                let search = &crate::PortalState::for_job(&state)?.search;
                let due = follower.last_rebuild.is_some_and(|at| at.elapsed() >= INDEX_REFRESH);
                match follower.cursor.as_mut() {
                    None => {
                        follower.cursor = Some(tamar_portal::search_docs::catch_up(&state.db, search, now).await?);
                        follower.last_rebuild = Some(Instant::now());
                    }
                    Some(_) if due => {
                        follower.last_rebuild = Some(Instant::now());
                        let position = tamar_portal::search_docs::rebuild_index(&state.db, search, now).await?;
                        follower.cursor = Some(FeedCursor::new(position));
                    }
                    Some(cursor) => {
                        tamar_portal::search_docs::apply_changes(&state.db, search, cursor, now).await?;
                    }
                }
                Ok(())
            }
        }),
        Job::new("scheduled-publishing", Duration::from_secs(5), Placement::OneNode, |state| async move {
            tamar_portal::content::publish_due(&state.db, &state.ledger).await?;
            Ok(())
        }),
        // Each node counts the visits it served, and writes them in batches.
        Job::new("visit-counts", Duration::from_secs(5), Placement::EveryNode, |state| async move {
            let portal = crate::PortalState::for_job(&state)?;
            if portal.visits.flush(&state.db, state.ledger.now().date_naive()).await? > 0 {
                portal.most_used.forget().await;
            }
            Ok(())
        }),
        // Departments' messages to many people, a second's worth at a time.
        Job::new("bulk-messages", Duration::from_secs(1), Placement::OneNode, |state| async move {
            let delivered = tamar_portal::bulk::advance(&state.db, &state.ledger).await?;
            if delivered > 0 {
                tracing::debug!(messages = delivered, "bulk messages delivered");
            }
            Ok(())
        }),
        Job::new("subscription-mail", Duration::from_secs(5), Placement::OneNode, move |state| {
            let gaps = gaps.clone();
            async move {
                let mut gaps = gaps.lock().await;
                let queued = tamar_portal::subscription_mail::queue_updates(&state.db, &state.ledger, &state.config.public_url, &mut gaps).await?;
                if queued > 0 {
                    tracing::info!(emails = queued, "subscription updates queued");
                }
                Ok(())
            }
        }),
    ]
}
