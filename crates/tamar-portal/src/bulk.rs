//! A department's message to many people at once: everyone with an account, or everyone
//! subscribed to a topic or to the department.
//!
//! Starting one only records it. A background job ([`advance`]) then delivers it a batch at a
//! time, at no more than the send's rate, so that a message to millions never holds the
//! database for long and never starves people's own requests. Each batch is one transaction:
//! the messages, one log entry for each, and the send's cursor move together, so a crash or a
//! restart neither skips nor repeats anyone. The cursor is also what keeps two nodes from
//! delivering the same batch: a batch commits only if the cursor is still where it read it.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::{Deserialize, Serialize};
use tamar_core::{AccountId, Actor, Cursor, DepartmentId, LocalizedText, Page, PageRequest, Role, Rule};
use tamar_ledger::{Ledger, LedgerEntry};
use tamar_store::{AnyRow, Db, StoreError, from_millis, row, to_millis};

use crate::content::TextInput;
use crate::inbox::{self, Message, MessageId, MessageKind};
use crate::mygov::SubscriptionTarget;
use crate::{BULK_SENDS, PortalError, SUBSCRIPTIONS};

tamar_core::id_type!(
    /// A department's message to many people.
    BulkSendId
);

/// Messages a second a send delivers when its sender does not say.
pub const DEFAULT_RATE: u32 = 200;
/// The most messages a second that one send, or all sends together, may deliver.
pub const MAX_RATE: u32 = 1000;
/// Messages delivered in one transaction: small enough that other writers wait for at most a
/// few milliseconds.
const BATCH: u32 = 50;

/// Who a bulk message goes to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Every person with an account. Only a department administrator may send to everyone.
    Everyone,
    /// Everyone subscribed to a topic, or to the sending department.
    Subscribers(SubscriptionTarget),
}

impl Audience {
    pub fn key(&self) -> String {
        match self {
            Audience::Everyone => "everyone".to_owned(),
            Audience::Subscribers(target) => format!("subscribers:{}", target.key()),
        }
    }

    pub fn parse(key: &str) -> Option<Audience> {
        match key {
            "everyone" => Some(Audience::Everyone),
            _ => SubscriptionTarget::parse(key.strip_prefix("subscribers:")?).map(Audience::Subscribers),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BulkStatus {
    /// Being delivered.
    Sending,
    /// Delivered to everyone in the audience.
    Done,
    /// Stopped by an officer; those already reached keep their message.
    Cancelled,
}

impl BulkStatus {
    fn as_str(self) -> &'static str {
        match self {
            BulkStatus::Sending => "sending",
            BulkStatus::Done => "done",
            BulkStatus::Cancelled => "cancelled",
        }
    }

    fn parse(text: &str) -> Option<BulkStatus> {
        match text {
            "sending" => Some(BulkStatus::Sending),
            "done" => Some(BulkStatus::Done),
            "cancelled" => Some(BulkStatus::Cancelled),
            _ => None,
        }
    }
}

/// A bulk message as an officer starts it.
#[derive(Clone, Debug)]
pub struct NewBulkSend {
    pub audience: Audience,
    pub kind: MessageKind,
    pub subject: TextInput,
    pub body: TextInput,
    pub due_on: Option<NaiveDate>,
    /// Messages a second, 1 to [`MAX_RATE`]; [`DEFAULT_RATE`] when not given.
    pub rate: Option<u32>,
}

/// A bulk message and how far its delivery has come.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BulkSend {
    pub id: BulkSendId,
    pub department: DepartmentId,
    pub audience: Audience,
    pub kind: MessageKind,
    pub subject: LocalizedText,
    pub body: LocalizedText,
    pub due_on: Option<NaiveDate>,
    pub rate: u32,
    pub status: BulkStatus,
    /// Messages delivered so far.
    pub sent: u64,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

const COLUMNS: [&str; 15] = [
    "id", "department_id", "audience", "kind", "subject", "body", "due_on", "rate", "status", "cursor", "sent", "created_at",
    "created_by", "finished_at", "updated_at",
];

fn from_row(r: &AnyRow) -> Result<BulkSend, StoreError> {
    let json = |c: &str| -> Result<LocalizedText, StoreError> {
        serde_json::from_str(&row::get::<String>(r, c)?).map_err(|e| StoreError::Corrupt(e.to_string()))
    };
    let audience: String = row::get(r, "audience")?;
    let status: String = row::get(r, "status")?;
    let kind: String = row::get(r, "kind")?;
    Ok(BulkSend {
        id: row::parse(r, "id")?,
        department: row::parse(r, "department_id")?,
        audience: Audience::parse(&audience).ok_or_else(|| StoreError::Corrupt(format!("audience {audience}")))?,
        kind: if kind == "todo" { MessageKind::Todo } else { MessageKind::Message },
        subject: json("subject")?,
        body: json("body")?,
        due_on: row::get::<Option<String>>(r, "due_on")?.and_then(|d| d.parse().ok()),
        rate: u32::try_from(row::get::<i64>(r, "rate")?).unwrap_or(DEFAULT_RATE),
        status: BulkStatus::parse(&status).ok_or_else(|| StoreError::Corrupt(format!("status {status}")))?,
        sent: u64::try_from(row::get::<i64>(r, "sent")?).unwrap_or_default(),
        created_at: from_millis(row::get(r, "created_at")?),
        finished_at: row::get::<Option<i64>>(r, "finished_at")?.map(from_millis),
    })
}

/// Records a bulk message for delivery. The same officers who may message one person may
/// message a topic's or their department's subscribers; only a department administrator may
/// message everyone.
pub async fn start(db: &Db, ledger: &Ledger, actor: &Actor, department: DepartmentId, new: NewBulkSend) -> Result<BulkSend, PortalError> {
    let (subject, body) = inbox::check(actor, department, &new.subject, &new.body, new.kind, new.due_on)?;
    match &new.audience {
        Audience::Everyone => {
            let admin = matches!(actor, Actor::System) || matches!(actor, Actor::Officer { roles, .. } if roles.contains(&Role::DepartmentAdmin));
            if !admin {
                return Err(PortalError::Forbidden);
            }
        }
        Audience::Subscribers(SubscriptionTarget::Department(id)) if *id != department => {
            return Err(PortalError::Invalid { field: "audience", rule: Rule::UnknownValue, reason: "only the sending department's subscribers" });
        }
        Audience::Subscribers(_) => {}
    }
    let rate = new.rate.unwrap_or(DEFAULT_RATE);
    if !(1..=MAX_RATE).contains(&rate) {
        return Err(PortalError::Invalid { field: "rate", rule: Rule::OutOfRange, reason: "1 to 1000 messages a second" });
    }
    let now = ledger.now();
    let send = BulkSend {
        id: BulkSendId::new(),
        department,
        audience: new.audience,
        kind: new.kind,
        subject,
        body,
        due_on: new.due_on,
        rate,
        status: BulkStatus::Sending,
        sent: 0,
        created_at: now,
        finished_at: None,
    };
    let json = |t: &LocalizedText| serde_json::to_string(t).map_err(|e| StoreError::Corrupt(e.to_string()));
    let mut tx = db.begin().await?;
    tx.execute(
        &Query::insert()
            .into_table(BULK_SENDS)
            .columns(COLUMNS)
            .values_panic([
                send.id.to_string().into(),
                department.to_string().into(),
                send.audience.key().into(),
                send.kind.as_str().into(),
                json(&send.subject)?.into(),
                json(&send.body)?.into(),
                send.due_on.map(|d| d.to_string()).into(),
                i64::from(rate).into(),
                BulkStatus::Sending.as_str().into(),
                None::<String>.into(),
                0i64.into(),
                to_millis(now).into(),
                actor.log_name().into(),
                None::<i64>.into(),
                to_millis(now).into(),
            ])
            .to_owned(),
    )
    .await?;
    let entry = LedgerEntry::change(actor, "portal.bulk.start", format!("bulk:{}", send.id), now)
        .in_department(department)
        .because("send a message to many people");
    tamar_ledger::record(&mut tx, &entry).await?;
    tx.commit().await?;
    ledger.notify();
    Ok(send)
}

/// One of the department's bulk messages; another department's is not found.
pub async fn get(db: &Db, department: DepartmentId, id: BulkSendId) -> Result<BulkSend, PortalError> {
    let found = db
        .fetch_optional(
            &Query::select()
                .columns(COLUMNS)
                .from(BULK_SENDS)
                .and_where(Expr::col("id").eq(id.to_string()))
                .and_where(Expr::col("department_id").eq(department.to_string()))
                .to_owned(),
        )
        .await?;
    Ok(from_row(&found.ok_or(PortalError::NotFound)?)?)
}

/// The department's bulk messages, newest first, a page at a time (keyset on the time it was
/// started and its id).
pub async fn list(db: &Db, department: DepartmentId, page: &PageRequest) -> Result<Page<BulkSend>, PortalError> {
    let mut query = Query::select()
        .columns(COLUMNS)
        .from(BULK_SENDS)
        .and_where(Expr::col("department_id").eq(department.to_string()))
        .order_by("created_at", Order::Desc)
        .order_by("id", Order::Desc)
        .limit(page.fetch())
        .to_owned();
    if let Some(after) = &page.after {
        let (Some(at), Some(id)) = (after.int(0), after.keys().get(1)) else { return Err(PortalError::BadCursor) };
        query.and_where(Expr::col("created_at").lt(at).or(Expr::col("created_at").eq(at).and(Expr::col("id").lt(id.clone()))));
    }
    let sends = db.fetch_all(&query).await?.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_rows(sends, page, |s| Cursor::new([to_millis(s.created_at).to_string(), s.id.to_string()])))
}

/// Stops a bulk message that is still being delivered. Those already reached keep it.
pub async fn cancel(db: &Db, ledger: &Ledger, actor: &Actor, department: DepartmentId, id: BulkSendId) -> Result<BulkSend, PortalError> {
    if !matches!(actor, Actor::Officer { department: own, .. } if *own == department) {
        return Err(PortalError::Forbidden);
    }
    let now = ledger.now();
    let mut tx = db.begin().await?;
    let changed = tx
        .execute(
            &Query::update()
                .table(BULK_SENDS)
                .values([
                    ("status", BulkStatus::Cancelled.as_str().into()),
                    ("finished_at", to_millis(now).into()),
                    ("updated_at", to_millis(now).into()),
                ])
                .and_where(Expr::col("id").eq(id.to_string()))
                .and_where(Expr::col("department_id").eq(department.to_string()))
                .and_where(Expr::col("status").eq(BulkStatus::Sending.as_str()))
                .to_owned(),
        )
        .await?;
    if changed == 0 {
        drop(tx);
        // Not this department's, or no longer being delivered.
        get(db, department, id).await?;
        return Err(PortalError::BulkFinished);
    }
    let entry = LedgerEntry::change(actor, "portal.bulk.cancel", format!("bulk:{id}"), now)
        .in_department(department)
        .because("stop a message to many people");
    tamar_ledger::record(&mut tx, &entry).await?;
    tx.commit().await?;
    ledger.notify();
    get(db, department, id).await
}

/// The next people of a send's audience after `after`, in a stable order.
async fn recipients(db: &Db, audience: &Audience, after: Option<AccountId>, limit: u32) -> Result<Vec<AccountId>, PortalError> {
    match audience {
        Audience::Everyone => tamar_identity::citizens_after(db, after, u64::from(limit)).await.map_err(|e| match e {
            tamar_identity::IdentityError::Store(s) => PortalError::Store(s),
            other => PortalError::Store(StoreError::Corrupt(other.to_string())),
        }),
        Audience::Subscribers(target) => {
            let mut query = Query::select()
                .column("account_id")
                .from(SUBSCRIPTIONS)
                .and_where(Expr::col("target").eq(target.key()))
                .order_by("account_id", Order::Asc)
                .limit(u64::from(limit))
                .to_owned();
            if let Some(after) = after {
                query.and_where(Expr::col("account_id").gt(after.to_string()));
            }
            let rows = db.fetch_all(&query).await?;
            Ok(rows.iter().map(|r| row::parse(r, "account_id")).collect::<Result<_, _>>()?)
        }
    }
}

/// What one batch came to.
struct Batch {
    delivered: u32,
    /// Where the next batch starts; `None` once everyone has it.
    next: Option<AccountId>,
}

/// Delivers one batch of `send` (at most `limit` messages) from `cursor`. `None` if the send
/// was cancelled, or advanced by another node, meanwhile: then nothing of the batch is kept.
async fn deliver_batch(db: &Db, ledger: &Ledger, send: &BulkSend, cursor: Option<AccountId>, limit: u32) -> Result<Option<Batch>, PortalError> {
    let people = recipients(db, &send.audience, cursor, limit).await?;
    let now = ledger.now();
    // The platform delivers, in the department's name; the officer who started the send is in
    // its own entry.
    let actor = Actor::System;
    let because = format!("a message from a department to many people (bulk:{})", send.id);
    let messages: Vec<(AccountId, Message)> = people
        .iter()
        .map(|person| {
            let message = Message {
                id: MessageId::new(),
                kind: send.kind,
                department: send.department,
                subject: send.subject.clone(),
                body: send.body.clone(),
                due_on: send.due_on,
                sent_at: now,
                read_at: None,
                done_at: None,
            };
            (*person, message)
        })
        .collect();
    let mut tx = db.begin().await?;
    inbox::deliver_all(&mut tx, &actor, &messages, &because, Some(send.department)).await?;
    let done = (people.len() as u32) < limit;
    let last = people.last().copied().or(cursor);
    let mut values = vec![
        ("sent", Expr::col("sent").add(people.len() as i64)),
        ("cursor", Expr::val(last.map(|p| p.to_string()))),
        ("updated_at", Expr::val(to_millis(now))),
    ];
    if done {
        values.push(("status", Expr::val(BulkStatus::Done.as_str())));
        values.push(("finished_at", Expr::val(to_millis(now))));
    }
    let mut update = Query::update()
        .table(BULK_SENDS)
        .values(values)
        .and_where(Expr::col("id").eq(send.id.to_string()))
        .and_where(Expr::col("status").eq(BulkStatus::Sending.as_str()))
        .to_owned();
    match cursor {
        Some(c) => update.and_where(Expr::col("cursor").eq(c.to_string())),
        None => update.and_where(Expr::col("cursor").is_null()),
    };
    if tx.execute(&update).await? == 0 {
        // Cancelled, or another node delivered this batch first: nothing of it is kept.
        tx.rollback().await?;
        return Ok(None);
    }
    if done {
        let entry = LedgerEntry::change(&actor, "portal.bulk.done", format!("bulk:{}", send.id), now)
            .in_department(send.department)
            .because("a message to many people was delivered to all of them");
        tamar_ledger::record(&mut tx, &entry).await?;
    }
    tx.commit().await?;
    ledger.notify();
    Ok(Some(Batch { delivered: people.len() as u32, next: if done { None } else { last } }))
}

/// The background job's work for one second: delivers the sends in progress, oldest first, each
/// at no more than its rate and all together at no more than [`MAX_RATE`], in batches spread
/// over the second. Returns the number of messages delivered.
pub async fn advance(db: &Db, ledger: &Ledger) -> Result<u64, PortalError> {
    let sending = db
        .fetch_all(
            &Query::select()
                .columns(COLUMNS)
                .from(BULK_SENDS)
                .and_where(Expr::col("status").eq(BulkStatus::Sending.as_str()))
                .order_by("created_at", Order::Asc)
                .limit(16)
                .to_owned(),
        )
        .await?;
    let mut budget = MAX_RATE;
    let mut delivered = 0u64;
    for r in &sending {
        let send = from_row(r)?;
        let mut cursor: Option<AccountId> = row::get::<Option<String>>(r, "cursor")?.and_then(|c| c.parse().ok());
        let mut allowance = std::cmp::min(send.rate, budget);
        // Batches are spread over the second: the next starts when the send's rate allows it.
        let started = tokio::time::Instant::now();
        let mut this_second = 0u32;
        while allowance > 0 {
            let limit = std::cmp::min(allowance, BATCH);
            let Some(batch) = deliver_batch(db, ledger, &send, cursor, limit).await? else { break };
            delivered += u64::from(batch.delivered);
            allowance -= limit;
            budget -= limit;
            this_second += limit;
            match batch.next {
                Some(next) => cursor = Some(next),
                None => break,
            }
            // No pause after the second's last batch: the next second's run starts on time.
            if allowance > 0 {
                let due = started + Duration::from_secs_f64(f64::from(this_second) / f64::from(send.rate));
                tokio::time::sleep_until(due).await;
            }
        }
        if budget == 0 {
            break;
        }
    }
    Ok(delivered)
}
