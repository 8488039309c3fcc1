//! The rules of second-officer review, shared by the catalogue's items ([`crate::content`]) and
//! the app directory ([`crate::apps`]): who may write and who may approve, the four-eyes rule,
//! and state changes that only one of two officers acting at once can make.
//!
//! Four eyes: every save of a version is recorded with its officer in `portal_edits`. A version
//! is approved only by a reviewer of the same department who saved none of its revisions. Every
//! revision since the last publication belongs to the one open version (a change to published
//! content starts a new version, and a version under review cannot be edited), so this is a
//! reviewer who edited nothing since the last publication: an editor who saved a revision and
//! then let a colleague save the next cannot approve the result.

use chrono::{DateTime, Utc};
use sea_query::{Expr, ExprTrait, OnConflict, Query};
use tamar_core::{Actor, DepartmentId, Role};
use tamar_store::{Tx, to_millis};

use crate::content::VersionState;
use crate::{EDITS, PortalError};

/// What is reviewed: an item of the catalogue or an entry of the app directory, named as
/// `item:<id>` or `app:<slug>` in the edits table and in the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Subject(pub(crate) String);

impl Subject {
    pub(crate) fn item(id: impl std::fmt::Display) -> Subject {
        Subject(format!("item:{id}"))
    }

    pub(crate) fn app(slug: &str) -> Subject {
        Subject(format!("app:{slug}"))
    }
}

/// The platform may do anything; an officer needs `role` in `department`.
pub(crate) fn require(actor: &Actor, department: DepartmentId, role: Role) -> Result<(), PortalError> {
    require_any(actor, department, &[role])
}

/// The platform may do anything; an officer needs one of `roles` in `department`.
pub(crate) fn require_any(actor: &Actor, department: DepartmentId, roles: &[Role]) -> Result<(), PortalError> {
    match actor {
        Actor::System => Ok(()),
        Actor::Officer { department: own, roles: held, .. } if *own == department && roles.iter().any(|r| held.contains(r)) => Ok(()),
        _ => Err(PortalError::Forbidden),
    }
}

/// Records that `actor` saved a revision of version `number` of `subject`.
pub(crate) async fn record_edit(tx: &mut Tx, subject: &Subject, number: i32, actor: &Actor, now: DateTime<Utc>) -> Result<(), PortalError> {
    let Some(account) = actor.account() else { return Ok(()) };
    tx.execute(
        &Query::insert()
            .into_table(EDITS)
            .columns(["subject", "number", "account_id", "at"])
            .values_panic([subject.0.clone().into(), number.into(), account.to_string().into(), to_millis(now).into()])
            .on_conflict(OnConflict::columns(["subject", "number", "account_id"]).update_column("at").to_owned())
            .to_owned(),
    )
    .await?;
    Ok(())
}

/// The four-eyes rule: `reviewer` saved no revision of version `number` of `subject`, the
/// version that holds every revision since the last publication.
pub(crate) async fn check_reviewer(tx: &mut Tx, subject: &Subject, number: i32, reviewer: &Actor) -> Result<(), PortalError> {
    let Some(account) = reviewer.account() else { return Ok(()) };
    let edited = tx
        .fetch_optional(
            &Query::select()
                .column("account_id")
                .from(EDITS)
                .and_where(Expr::col("subject").eq(subject.0.clone()))
                .and_where(Expr::col("number").eq(number))
                .and_where(Expr::col("account_id").eq(account.to_string()))
                .to_owned(),
        )
        .await?;
    if edited.is_some() { Err(PortalError::OwnWork) } else { Ok(()) }
}

/// Where a workflow keeps its versions: the table and the column that names the subject.
pub(crate) struct VersionTable {
    pub(crate) table: &'static str,
    pub(crate) key: &'static str,
}

/// Moves version `number` of `key` from `from` to `to`, only if it is still in the state the
/// caller saw: of two officers acting at once, one succeeds and the other gets `WrongState`.
pub(crate) async fn transition(
    tx: &mut Tx,
    versions: &VersionTable,
    key: &str,
    number: i32,
    from: VersionState,
    to: VersionState,
    set: Vec<(&'static str, sea_query::Value)>,
) -> Result<(), PortalError> {
    let mut update = Query::update();
    update
        .table(versions.table)
        .value("state", to.as_str())
        .and_where(Expr::col(versions.key).eq(key))
        .and_where(Expr::col("number").eq(number))
        .and_where(Expr::col("state").eq(from.as_str()));
    for (column, value) in set {
        update.value(column, value);
    }
    if tx.execute(&update).await? != 1 {
        return Err(PortalError::WrongState);
    }
    Ok(())
}
