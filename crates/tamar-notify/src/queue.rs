//! The outgoing mail queue. A message is queued in the same transaction as the change that
//! causes it, so it is neither lost when delivery fails nor sent for a change that rolled
//! back; [`deliver_pending`] sends queued messages and retries failures with back-off.

use chrono::{DateTime, Utc};
use sea_query::{ColumnDef, Expr, ExprTrait, Index, Order, Query, Table};
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

/// Sends up to `limit` queued messages that are due; returns how many were sent.
pub async fn deliver_pending(db: &Db, mailer: &Mailer, now: DateTime<Utc>, limit: u64) -> Result<usize, StoreError> {
    let due = db
        .fetch_all(
            &Query::select()
                .columns(["id", "to_address", "subject", "body", "attempts"])
                .from(QUEUE)
                .and_where(Expr::col("sent_at").is_null())
                .and_where(Expr::col("next_attempt_at").lte(to_millis(now)))
                .order_by("queued_at", Order::Asc)
                .limit(limit)
                .to_owned(),
        )
        .await?;
    let mut sent = 0;
    for r in &due {
        let id: String = row::get(r, "id")?;
        let attempts: i32 = row::get(r, "attempts")?;
        let email = Email { to: row::get(r, "to_address")?, subject: row::get(r, "subject")?, body: row::get(r, "body")? };
        // Claim the message first, so that two nodes do not both send it.
        let claimed = db
            .execute(
                &Query::update()
                    .table(QUEUE)
                    .value("attempts", attempts + 1)
                    .value("next_attempt_at", to_millis(now) + backoff_ms(attempts + 1))
                    .and_where(Expr::col("id").eq(id.clone()))
                    .and_where(Expr::col("attempts").eq(attempts))
                    .and_where(Expr::col("sent_at").is_null())
                    .to_owned(),
            )
            .await?;
        if claimed != 1 {
            continue;
        }
        match mailer.send(&email).await {
            Ok(()) => {
                db.execute(&Query::update().table(QUEUE).value("sent_at", to_millis(now)).and_where(Expr::col("id").eq(id)).to_owned()).await?;
                sent += 1;
            }
            Err(error) => tracing::warn!(%error, attempts = attempts + 1, "mail delivery failed; will retry"),
        }
    }
    Ok(sent)
}

/// One minute, doubling per attempt, at most a day.
fn backoff_ms(attempts: i32) -> i64 {
    let minutes = 1i64 << attempts.clamp(0, 10);
    std::cmp::min(minutes, 24 * 60) * 60_000
}
