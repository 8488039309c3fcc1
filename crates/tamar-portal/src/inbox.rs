//! MyGovHK inbox: messages and to-dos that departments send to a person.

use chrono::{DateTime, NaiveDate, Utc};
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::{Deserialize, Serialize};
use tamar_core::{AccountId, Actor, Cursor, DepartmentId, LocalizedText, Page, PageRequest, Role, Rule};
use tamar_ledger::{Ledger, LedgerEntry};
use tamar_store::{AnyRow, Db, StoreError, Tx, from_millis, row, to_millis};

use crate::content::{TextInput, required_text};
use crate::{MESSAGES, PortalError};

tamar_core::id_type!(
    /// A message in a person's inbox.
    MessageId
);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// For information.
    Message,
    /// Something the person must do, usually by a date.
    Todo,
}

impl MessageKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            MessageKind::Message => "message",
            MessageKind::Todo => "todo",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub id: MessageId,
    pub kind: MessageKind,
    pub department: DepartmentId,
    pub subject: LocalizedText,
    pub body: LocalizedText,
    /// For to-dos: the day it must be done by (Hong Kong time).
    pub due_on: Option<NaiveDate>,
    pub sent_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
    pub done_at: Option<DateTime<Utc>>,
}

/// A message as a department sends it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewMessage {
    pub to: AccountId,
    pub kind: MessageKind,
    pub subject: TextInput,
    pub body: TextInput,
    #[serde(default)]
    pub due_on: Option<NaiveDate>,
}

const COLUMNS: [&str; 12] = [
    "id", "account_id", "department_id", "kind", "subject", "body", "due_on", "sent_at", "sent_by", "read_at", "done_at", "hidden",
];

fn from_row(r: &AnyRow) -> Result<Message, StoreError> {
    let json = |c: &str| -> Result<LocalizedText, StoreError> {
        serde_json::from_str(&row::get::<String>(r, c)?).map_err(|e| StoreError::Corrupt(e.to_string()))
    };
    let kind: String = row::get(r, "kind")?;
    Ok(Message {
        id: row::parse(r, "id")?,
        kind: if kind == "todo" { MessageKind::Todo } else { MessageKind::Message },
        department: row::parse(r, "department_id")?,
        subject: json("subject")?,
        body: json("body")?,
        due_on: row::get::<Option<String>>(r, "due_on")?.and_then(|d| d.parse().ok()),
        sent_at: from_millis(row::get(r, "sent_at")?),
        read_at: row::get::<Option<i64>>(r, "read_at")?.map(from_millis),
        done_at: row::get::<Option<i64>>(r, "done_at")?.map(from_millis),
    })
}

/// Case officers and department administrators send in their department's name; the text is
/// checked the same whoever it is for.
pub(crate) fn check(
    actor: &Actor,
    department: DepartmentId,
    subject: &TextInput,
    body: &TextInput,
    kind: MessageKind,
    due_on: Option<NaiveDate>,
) -> Result<(LocalizedText, LocalizedText), PortalError> {
    match actor {
        Actor::System => {}
        Actor::Officer { department: own, roles, .. }
            if *own == department && (roles.contains(&Role::CaseOfficer) || roles.contains(&Role::DepartmentAdmin)) => {}
        _ => return Err(PortalError::Forbidden),
    }
    let subject = required_text("subject", subject, 200)?;
    let body = required_text("body", body, 8000)?;
    if kind == MessageKind::Todo && due_on.is_none() {
        return Err(PortalError::Invalid { field: "due_on", rule: Rule::Required, reason: "a to-do needs a due date" });
    }
    Ok((subject, body))
}

/// A message addressed by what the department knows of the person (their email address),
/// who may or may not have an account.
#[derive(Clone, Debug)]
pub struct AddressedMessage {
    /// The person's account, if the address has one.
    pub to: Option<AccountId>,
    pub kind: MessageKind,
    pub subject: TextInput,
    pub body: TextInput,
    pub due_on: Option<NaiveDate>,
}

/// Sends a message to the person's inbox if they have an account, and otherwise only logs
/// that it could not be delivered. Either way the same checks run and a message id comes back,
/// so the sender's answer does not say whether the person has an account; the log keeps, as
/// the officer's own act, which it was.
pub async fn send_if_known(db: &Db, ledger: &Ledger, actor: &Actor, department: DepartmentId, m: AddressedMessage) -> Result<MessageId, PortalError> {
    match m.to {
        Some(to) => {
            let new = NewMessage { to, kind: m.kind, subject: m.subject, body: m.body, due_on: m.due_on };
            Ok(send(db, ledger, actor, department, new).await?.id)
        }
        None => {
            check(actor, department, &m.subject, &m.body, m.kind, m.due_on)?;
            let id = MessageId::new();
            let now = ledger.now();
            let entry = LedgerEntry::change(actor, "portal.inbox.undelivered", format!("message:{id}"), now)
                .because("no account has the address the message was sent to");
            // The same path as a delivered message, so that neither answers sooner.
            db.insert_grouped(vec![tamar_ledger::entry_row(&entry)]).await?;
            ledger.notify();
            Ok(id)
        }
    }
}

/// A department sends a message to the account `new.to` (the caller has checked that it is a
/// person's account). Case officers and department administrators may; the
/// platform itself sends on behalf of a department.
pub async fn send(db: &Db, ledger: &Ledger, actor: &Actor, department: DepartmentId, new: NewMessage) -> Result<Message, PortalError> {
    let (subject, body) = check(actor, department, &new.subject, &new.body, new.kind, new.due_on)?;
    let now = ledger.now();
    let message = Message {
        id: MessageId::new(),
        kind: new.kind,
        department,
        subject,
        body,
        due_on: new.due_on,
        sent_at: now,
        read_at: None,
        done_at: None,
    };
    // The busiest write of a rush: committed together with others waiting at the same time,
    // the batch's messages in one statement and their log entries in another.
    let (row, entry) = message_rows(actor, new.to, &message, "send a message to a person's inbox", None)?;
    db.insert_grouped(vec![row, tamar_ledger::entry_row(&entry)]).await?;
    ledger.notify();
    Ok(message)
}

/// Writes messages into people's inboxes with their log entries, inside the caller's
/// transaction, in two statements (a bulk message's batch). `department` names the department
/// the platform sends for, when the actor is the platform.
pub(crate) async fn deliver_all(
    tx: &mut Tx,
    actor: &Actor,
    messages: &[(AccountId, Message)],
    because: &str,
    department: Option<DepartmentId>,
) -> Result<(), StoreError> {
    if messages.is_empty() {
        return Ok(());
    }
    let mut insert = Query::insert().into_table(MESSAGES).columns(COLUMNS).to_owned();
    let mut entries = Vec::with_capacity(messages.len());
    for (to, message) in messages {
        let (row, entry) = message_rows(actor, *to, message, because, department)?;
        insert.values_panic(row.values.into_iter().map(Into::into));
        entries.push(entry);
    }
    tx.execute(&insert).await?;
    tamar_ledger::record_all(tx, &entries).await
}

/// A message's row in the inbox, and the log entry that records its sending.
fn message_rows(
    actor: &Actor,
    to: AccountId,
    message: &Message,
    because: &str,
    department: Option<DepartmentId>,
) -> Result<(tamar_store::group::Row, LedgerEntry), StoreError> {
    let json = |t: &LocalizedText| serde_json::to_string(t).map_err(|e| StoreError::Corrupt(e.to_string()));
    let values = vec![
        message.id.to_string().into(),
        to.to_string().into(),
        message.department.to_string().into(),
        message.kind.as_str().into(),
        json(&message.subject)?.into(),
        json(&message.body)?.into(),
        message.due_on.map(|d| d.to_string()).into(),
        to_millis(message.sent_at).into(),
        actor.log_name().into(),
        None::<i64>.into(),
        None::<i64>.into(),
        0i32.into(),
    ];
    let mut entry = LedgerEntry::change(actor, "portal.inbox.send", format!("message:{}", message.id), message.sent_at).about(to).because(because);
    if let Some(department) = department {
        entry = entry.in_department(department);
    }
    Ok((tamar_store::group::Row { table: MESSAGES, columns: &COLUMNS, values }, entry))
}

/// Whether a message is an open to-do, in SQL: open to-dos come first in the inbox.
const OPEN_TODO: &str = "CASE WHEN kind = 'todo' AND done_at IS NULL THEN 1 ELSE 0 END";

/// A page of a person's own inbox: open to-dos first, then newest first (keyset on being an
/// open to-do, the time it was sent and its id).
pub async fn list(db: &Db, owner: AccountId, page: &PageRequest) -> Result<Page<Message>, PortalError> {
    let mut query = Query::select()
        .columns(COLUMNS)
        .from(MESSAGES)
        .and_where(Expr::col("account_id").eq(owner.to_string()))
        .and_where(Expr::col("hidden").eq(0))
        .order_by_expr(Expr::cust(OPEN_TODO), Order::Desc)
        .order_by("sent_at", Order::Desc)
        .order_by("id", Order::Desc)
        .limit(page.fetch())
        .to_owned();
    if let Some(after) = &page.after {
        let (Some(open), Some(sent), Some(id)) = (after.int(0), after.int(1), after.keys().get(2)) else { return Err(PortalError::BadCursor) };
        let open_todo = || Expr::cust(OPEN_TODO);
        query.and_where(
            open_todo()
                .lt(open)
                .or(open_todo().eq(open).and(Expr::col("sent_at").lt(sent)))
                .or(open_todo().eq(open).and(Expr::col("sent_at").eq(sent)).and(Expr::col("id").lt(id.clone()))),
        );
    }
    let rows = db.fetch_all(&query).await?;
    let messages: Vec<Message> = rows.iter().map(from_row).collect::<Result<_, _>>()?;
    Ok(Page::from_rows(messages, page, |m| {
        let open = i64::from(m.kind == MessageKind::Todo && m.done_at.is_none());
        Cursor::new([open.to_string(), to_millis(m.sent_at).to_string(), m.id.to_string()])
    }))
}

/// How many unread messages and open to-dos a person has.
pub async fn unread(db: &Db, owner: AccountId) -> Result<usize, PortalError> {
    let row = db
        .fetch_one(
            &Query::select()
                .expr_as(Expr::col("id").count(), "n")
                .from(MESSAGES)
                .and_where(Expr::col("account_id").eq(owner.to_string()))
                .and_where(Expr::col("hidden").eq(0))
                .and_where(Expr::col("read_at").is_null().or(Expr::cust(OPEN_TODO).eq(1)))
                .to_owned(),
        )
        .await?;
    let n: i64 = row::get(&row, "n")?;
    Ok(usize::try_from(n).unwrap_or_default())
}

/// Opens one of the person's own messages, marking it read.
pub async fn open(db: &Db, owner: AccountId, id: MessageId, now: DateTime<Utc>) -> Result<Message, PortalError> {
    let found = db
        .fetch_optional(
            &Query::select()
                .columns(COLUMNS)
                .from(MESSAGES)
                .and_where(Expr::col("id").eq(id.to_string()))
                .and_where(Expr::col("account_id").eq(owner.to_string()))
                .and_where(Expr::col("hidden").eq(0))
                .to_owned(),
        )
        .await?;
    let mut message = found.as_ref().map(from_row).transpose()?.ok_or(PortalError::NotFound)?;
    if message.read_at.is_none() {
        db.execute(&Query::update().table(MESSAGES).value("read_at", to_millis(now)).and_where(Expr::col("id").eq(id.to_string())).to_owned())
            .await?;
        message.read_at = Some(now);
    }
    Ok(message)
}

/// The person marks a to-do done (or not done again).
pub async fn set_done(db: &Db, ledger: &Ledger, actor: &Actor, id: MessageId, done: bool) -> Result<(), PortalError> {
    let Some(owner) = actor.account() else { return Err(PortalError::Forbidden) };
    let now = ledger.now();
    let mut tx = db.begin().await?;
    let changed = tx
        .execute(
            &Query::update()
                .table(MESSAGES)
                .value("done_at", if done { Some(to_millis(now)) } else { None })
                .value("read_at", to_millis(now))
                .and_where(Expr::col("id").eq(id.to_string()))
                .and_where(Expr::col("account_id").eq(owner.to_string()))
                .and_where(Expr::col("kind").eq("todo"))
                .and_where(Expr::col("hidden").eq(0))
                .to_owned(),
        )
        .await?;
    if changed != 1 {
        return Err(PortalError::NotFound);
    }
    let action = if done { "portal.inbox.done" } else { "portal.inbox.undone" };
    tamar_ledger::record(&mut tx, &LedgerEntry::change(actor, action, format!("message:{id}"), now).about(owner)).await?;
    tx.commit().await?;
    ledger.notify();
    Ok(())
}

/// The person deletes a message from their inbox (it stays in the department's records).
pub async fn hide(db: &Db, ledger: &Ledger, actor: &Actor, id: MessageId) -> Result<(), PortalError> {
    let Some(owner) = actor.account() else { return Err(PortalError::Forbidden) };
    let now = ledger.now();
    let mut tx = db.begin().await?;
    let changed = tx
        .execute(
            &Query::update()
                .table(MESSAGES)
                .value("hidden", 1)
                .and_where(Expr::col("id").eq(id.to_string()))
                .and_where(Expr::col("account_id").eq(owner.to_string()))
                .to_owned(),
        )
        .await?;
    if changed != 1 {
        return Err(PortalError::NotFound);
    }
    tamar_ledger::record(&mut tx, &LedgerEntry::change(actor, "portal.inbox.delete", format!("message:{id}"), now).about(owner)).await?;
    tx.commit().await?;
    ledger.notify();
    Ok(())
}
