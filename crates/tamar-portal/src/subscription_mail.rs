//! The mail that subscriptions ask for: an email to each subscriber, in the language they
//! chose, for each newly published version of an item of their topic or department.
//!
//! One node at a time does this: a shared cursor in the change feed moves in the same
//! transaction that queues the mail, so a change is mailed once whichever node gets there.

use std::time::Instant;

use tamar_core::Actor;
use tamar_ledger::Ledger;
use tamar_store::Db;

use crate::content;
use crate::feed::{self, ChangeKind, FeedCursor};
use crate::mygov::{self, SubscriptionTarget};
use crate::{PortalError, cursors};

/// The shared cursor's name.
const CURSOR: &str = "subscription-mail";
/// Changes read in one run.
const CHANGES_PER_RUN: u64 = 100;

/// Queues the mail for the changes after the shared cursor, and returns how many emails were
/// queued. `public_url` is the site's address, for the links in the mail; `gaps` waits at a
/// change number that has not committed yet (see `FeedCursor`), kept from run to run.
pub async fn queue_updates(db: &Db, ledger: &Ledger, public_url: &str, gaps: &mut FeedCursor) -> Result<usize, PortalError> {
    let initial = feed::last_seq(db).await?;
    let from = cursors::get(db, CURSOR, initial).await?;
    let changes = feed::changes_after(db, from, CHANGES_PER_RUN).await?;
    if gaps.position() != from {
        *gaps = FeedCursor::new(from);
    }
    // Only the changes up to the first number that has not committed yet.
    let last = gaps.advance(&changes.iter().map(|c| c.seq).collect::<Vec<_>>(), Instant::now());
    if last == from {
        return Ok(0);
    }
    let changes: Vec<_> = changes.into_iter().filter(|c| c.seq <= last).collect();
    let departments = tamar_tenancy::list(db).await?;
    let mut emails = Vec::new();
    for change in changes.iter().filter(|c| c.kind == ChangeKind::Publish) {
        let item = content::item(db, change.item).await?;
        let Ok(version) = content::version(db, change.item, change.version).await else { continue };
        let mut targets: Vec<SubscriptionTarget> = version.content.topics.iter().map(|t| SubscriptionTarget::Topic(t.clone())).collect();
        targets.push(SubscriptionTarget::Department(item.department));
        let department = departments.iter().find(|d| d.id == item.department);
        for (account, lang) in mygov::subscribers(db, &targets).await? {
            // One account that cannot be read does not hold back everyone else's mail.
            let Ok(person) = tamar_identity::get_account(db, ledger, &Actor::System, account, "send a subscription update").await else { continue };
            let update = tamar_notify::templates::ContentUpdate {
                lang,
                title: version.content.title.get(lang).to_owned(),
                summary: version.content.summary.get(lang).to_owned(),
                department: department.map(|d| d.name.get(lang).to_owned()).unwrap_or_default(),
                url: format!("{public_url}{}", item.kind.page_path(lang, &item.slug)),
                manage_url: format!("{public_url}/{}/account/subscriptions", lang.prefix()),
                is_new: change.version == 1,
            };
            emails.push(update.email(&person.email)?);
        }
    }
    let mut tx = db.begin().await?;
    if !cursors::advance(&mut tx, CURSOR, from, last).await? {
        // Another node moved the cursor first, and queued this mail.
        return Ok(0);
    }
    for email in &emails {
        tamar_notify::enqueue(&mut tx, email, ledger.now()).await?;
    }
    tx.commit().await?;
    Ok(emails.len())
}
