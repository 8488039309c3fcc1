//! Pre-fill settings: which parts of a person's profile services may fill in for them, on
//! e-service forms and in what "Sign in with Tamar" releases. They live here, beside the
//! details they govern, so that every module that hands those details out (the OpenID Connect
//! provider today, e-services later) reads one rule from the crate they all depend on.
//!
//! Until a person chooses, name and email may be filled in; nothing else is, and the identity
//! card number never is unless they allow it.

use std::collections::BTreeSet;

use sea_query::{Expr, ExprTrait, OnConflict, Query};
use serde::{Deserialize, Serialize};
use tamar_core::{AccountId, Actor};
use tamar_ledger::{Ledger, LedgerEntry};
use tamar_store::{Db, row, to_millis};

use crate::IdentityError;

pub(crate) const PREFILL: &str = "identity_prefill";

/// The parts of a person's profile that services may fill in for them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrefillField {
    Name,
    Email,
    Phone,
    Address,
    Hkid,
    DateOfBirth,
}

impl PrefillField {
    pub const ALL: [PrefillField; 6] =
        [PrefillField::Name, PrefillField::Email, PrefillField::Phone, PrefillField::Address, PrefillField::Hkid, PrefillField::DateOfBirth];

    pub fn as_str(self) -> &'static str {
        match self {
            PrefillField::Name => "name",
            PrefillField::Email => "email",
            PrefillField::Phone => "phone",
            PrefillField::Address => "address",
            PrefillField::Hkid => "hkid",
            PrefillField::DateOfBirth => "date_of_birth",
        }
    }

    pub fn parse(s: &str) -> Option<PrefillField> {
        PrefillField::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// What applies to a person who has not chosen.
pub fn default_prefill() -> BTreeSet<PrefillField> {
    [PrefillField::Name, PrefillField::Email].into_iter().collect()
}

/// The fields this person lets services fill in.
pub async fn prefill(db: &Db, account: AccountId) -> Result<BTreeSet<PrefillField>, IdentityError> {
    let found = db
        .fetch_optional(&Query::select().column("fields").from(PREFILL).and_where(Expr::col("account_id").eq(account.to_string())).to_owned())
        .await?;
    Ok(match found {
        Some(r) => row::get::<String>(&r, "fields")?.split(',').filter_map(PrefillField::parse).collect(),
        None => default_prefill(),
    })
}

/// Saves a person's choice; only they can make it.
pub async fn set_prefill(db: &Db, ledger: &Ledger, actor: &Actor, fields: &BTreeSet<PrefillField>) -> Result<(), IdentityError> {
    let account = match actor {
        Actor::Citizen { account } | Actor::Officer { account, .. } | Actor::PlatformAdmin { account } => *account,
        _ => return Err(IdentityError::Forbidden),
    };
    let now = ledger.now();
    let list = fields.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(",");
    let mut tx = db.begin().await?;
    tx.execute(
        &Query::insert()
            .into_table(PREFILL)
            .columns(["account_id", "fields", "updated_at"])
            .values_panic([account.to_string().into(), list.clone().into(), to_millis(now).into()])
            .on_conflict(OnConflict::column("account_id").update_columns(["fields", "updated_at"]).to_owned())
            .to_owned(),
    )
    .await?;
    let entry = LedgerEntry::change(actor, "identity.prefill.set", format!("prefill:{list}"), now).about(account).because("choose what services may fill in");
    tamar_ledger::record(&mut tx, &entry).await?;
    tx.commit().await?;
    ledger.notify();
    Ok(())
}
