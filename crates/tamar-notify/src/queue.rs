//! The outgoing mail queue. A message is queued in the same transaction as the change that
//! causes it, so it is neither lost when delivery fails nor sent for a change that rolled
//! back; [`deliver_pending`] sends queued messages and retries failures with back-off.

use chrono::{DateTime, Utc};
use sea_query::{ColumnDef, Expr, ExprTrait, Index, LockBehavior, LockType, Order, Query, Table};
use tamar_store::{Backend, Db, Migration, StoreError, Tx, row, to_millis};

use crate::{Email, Mailer};

const QUEUE: &str = "notify_queue";

pub static MIGRATIONS: &[Migration] = &[Migration { id: "notify_0001_queue", statements: create_queue }];

fn create_queue(backend: Backend) -> Vec<String> {
    let table = Table::create()
        .table(QUEUE)
        .col(ColumnDef::new("id").string().not_null().primary_key())
        .col(ColumnDef::new("to_address").string().not_null())
        .col(ColumnDef::new("subject").text().not_null())
        .col(ColumnDef::new("body").text().not_null())
        .col(ColumnDef::new("queued_at").big_integer().not_null())
        .col(ColumnDef::new("next_attempt_at").big_integer().not_null())
        .col(ColumnDef::new("attempts").integer().not_null())
        .col(ColumnDef::new("sent_at").big_integer().null())
        .to_owned();
    let pending = Index::create().name("notify_queue_pending").table(QUEUE).col("sent_at").col("next_attempt_at").to_owned();
    vec![backend.schema(&table), backend.schema(&pending)]
}

/// Queues `email` inside the caller's transaction.
pub async fn enqueue(tx: &mut Tx, email: &Email, now: DateTime<Utc>) -> Result<(), StoreError> {
    tx.execute(
        &Query::insert()
            .into_table(QUEUE)
            .columns(["id", "to_address", "subject", "body", "queued_at", "next_attempt_at", "attempts", "sent_at"])
            .values_panic([
                uuid::Uuid::now_v7().to_string().into(),
                email.to.clone().into(),
                email.subject.clone().into(),
                email.body.clone().into(),
                to_millis(now).into(),
                to_millis(now).into(),
                0i32.into(),
                None::<i64>.into(),
            ])
            .to_owned(),
    )
    .await?;
    Ok(())
}

/// Queues `email` in a transaction of its own, for mail that no other change goes with.
pub async fn enqueue_now(db: &Db, email: &Email, now: DateTime<Utc>) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    enqueue(&mut tx, email, now).await?;
    tx.commit().await
}

/// Messages sent at the same time: enough to keep an SMTP relay's connections busy (lettre keeps
/// a pool of them), few enough not to flood it.
const SENDING_AT_ONCE: usize = 16;

/// Sends up to `limit` queued messages that are due; returns how many were sent.
///
/// The batch is claimed in one transaction (on PostgreSQL its rows are locked, and rows another
/// node has locked are skipped), then sent several at a time, and what went out is marked sent
/// in one statement. A message whose sending fails, or whose node stops before marking it, is
/// due again after its back-off: mail is delivered at least once, never lost.
pub async fn deliver_pending(db: &Db, mailer: &Mailer, now: DateTime<Utc>, limit: u64) -> Result<usize, StoreError> {
    use futures::StreamExt as _;
    let mut tx = db.begin().await?;
    let due = tx
        .fetch_all(
            &Query::select()
                .columns(["id", "to_address", "subject", "body", "attempts"])
                .from(QUEUE)
                .and_where(Expr::col("sent_at").is_null())
                .and_where(Expr::col("next_attempt_at").lte(to_millis(now)))
                .order_by("queued_at", Order::Asc)
                .limit(limit)
                .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
                .to_owned(),
        )
        .await?;
    if due.is_empty() {
        return Ok(0);
    }
    let mut batch = Vec::with_capacity(due.len());
    for r in &due {
        let email = Email { to: row::get(r, "to_address")?, subject: row::get(r, "subject")?, body: row::get(r, "body")? };
        batch.push((row::get::<String>(r, "id")?, row::get::<i32>(r, "attempts")?, email));
    }
    // Claimed: each message's next attempt is put off by its back-off, those with the same
    // number of attempts in one statement.
    let mut by_attempts: std::collections::BTreeMap<i32, Vec<String>> = std::collections::BTreeMap::new();
    for (id, attempts, _) in &batch {
        by_attempts.entry(*attempts).or_default().push(id.clone());
    }
    for (attempts, ids) in by_attempts {
        tx.execute(
            &Query::update()
                .table(QUEUE)
                .value("attempts", attempts + 1)
                .value("next_attempt_at", to_millis(now) + backoff_ms(attempts + 1))
                .and_where(Expr::col("id").is_in(ids))
                .and_where(Expr::col("attempts").eq(attempts))
                .and_where(Expr::col("sent_at").is_null())
                .to_owned(),
        )
        .await?;
    }
    tx.commit().await?;

    let outcomes: Vec<(String, Result<(), crate::NotifyError>)> = futures::stream::iter(batch)
        .map(|(id, attempts, email)| async move {
            let outcome = mailer.send(&email).await;
            if let Err(error) = &outcome {
                tracing::warn!(%error, attempts = attempts + 1, "mail delivery failed; will retry");
            }
            (id, outcome)
        })
        .buffer_unordered(SENDING_AT_ONCE)
        .collect()
        .await;
    let sent: Vec<String> = outcomes.into_iter().filter(|(_, outcome)| outcome.is_ok()).map(|(id, _)| id).collect();
    for ids in sent.chunks(500) {
        db.execute(&Query::update().table(QUEUE).value("sent_at", to_millis(now)).and_where(Expr::col("id").is_in(ids.to_vec())).to_owned())
            .await?;
    }
    Ok(sent.len())
}

/// Sends what is due, a batch after another, until less than a full batch was due or `budget`
/// batches went out; returns how many were sent. Mail queued in a rush goes out in the same
/// run of the job, not a batch per run.
pub async fn deliver_due(db: &Db, mailer: &Mailer, now: impl Fn() -> DateTime<Utc>, batch: u64, budget: usize) -> Result<usize, StoreError> {
    let mut total = 0;
    for _ in 0..budget {
        let sent = deliver_pending(db, mailer, now(), batch).await?;
        total += sent;
        if (sent as u64) < batch {
            break;
        }
    }
    Ok(total)
}

/// One minute, doubling per attempt, at most a day.
fn backoff_ms(attempts: i32) -> i64 {
    let minutes = 1i64 << attempts.clamp(0, 10);
    std::cmp::min(minutes, 24 * 60) * 60_000
}
