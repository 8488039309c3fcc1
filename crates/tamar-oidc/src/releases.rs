//! What a person's details go to.
//!
//! A claim is released only when both hold: the person consented to its scope for this
//! client, and their pre-fill settings (`tamar_identity::prefill`, chosen in MyGovHK) let
//! services fill in that part of their profile. [`plan`] applies the rule, for the consent
//! screen (which shows what will and will not be released) and for UserInfo alike. Each
//! release is kept in `oidc_releases`, in the transaction that logs it, so that the person can
//! see what went to whom and when.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::Serialize;
use tamar_core::{AccountId, Actor, LocalizedText};
use tamar_identity::Account;
use tamar_identity::prefill::{self, PrefillField};
use tamar_ledger::LedgerEntry;
use tamar_store::{Tx, from_millis, row, to_millis};

use crate::clients::{self, Client};
use crate::OidcError;

/// The pre-fill setting that governs a scope's claims; `openid` (the pairwise subject) has none.
pub fn governing_field(scope: &str) -> Option<PrefillField> {
    match scope {
        "profile" => Some(PrefillField::Name),
        "email" => Some(PrefillField::Email),
        "hkid" | "hkid_full" => Some(PrefillField::Hkid),
        "birthdate" => Some(PrefillField::DateOfBirth),
        "address" => Some(PrefillField::Address),
        "phone" => Some(PrefillField::Phone),
        _ => None,
    }
}

/// Why a consented scope's claims are not released.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Withheld {
    /// The person's pre-fill settings do not let services fill this in.
    NotPrefilled,
    /// The account has no such detail (no phone, identity not verified, ...).
    NotOnAccount,
}

/// One scope a client asked for, and whether its claims go out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlannedScope {
    pub scope: String,
    pub withheld: Option<Withheld>,
}

/// What a client gets of a person's details, scope by scope (`openid` left out).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ReleasePlan {
    pub scopes: Vec<PlannedScope>,
}

impl ReleasePlan {
    pub fn releases(&self, scope: &str) -> bool {
        self.scopes.iter().any(|p| p.scope == scope && p.withheld.is_none())
    }

    pub fn released(&self) -> impl Iterator<Item = &str> {
        self.scopes.iter().filter(|p| p.withheld.is_none()).map(|p| p.scope.as_str())
    }

    pub fn withheld(&self) -> impl Iterator<Item = (&str, Withheld)> {
        self.scopes.iter().filter_map(|p| p.withheld.map(|w| (p.scope.as_str(), w)))
    }
}

/// What these scopes would release of this person's details, now.
pub async fn plan(db: &tamar_store::Db, account: &Account, scopes: &[String]) -> Result<ReleasePlan, OidcError> {
    let allowed = prefill::prefill(db, account.id).await?;
    let mut planned = Vec::new();
    for scope in scopes.iter().filter(|s| *s != "openid") {
        let Some(field) = governing_field(scope) else { continue };
        let present = match scope.as_str() {
            "hkid" | "hkid_full" => account.hkid_masked.is_some(),
            "birthdate" => tamar_identity::date_of_birth(db, account.id).await?.is_some(),
            "address" => account.address.is_some(),
            "phone" => account.phone.is_some(),
            _ => true,
        };
        let withheld = if !allowed.contains(&field) {
            Some(Withheld::NotPrefilled)
        } else if !present {
            Some(Withheld::NotOnAccount)
        } else {
            None
        };
        planned.push(PlannedScope { scope: scope.clone(), withheld });
    }
    Ok(ReleasePlan { scopes: planned })
}

/// Keeps a release, with its log entry, in the caller's transaction. `scopes` are those whose
/// claims went out; nothing is kept when only the pairwise subject did.
pub(crate) async fn record(tx: &mut Tx, client: &Client, account: AccountId, scopes: &[&str], claims: &[&str], now: DateTime<Utc>) -> Result<(), OidcError> {
    if !scopes.is_empty() {
        tx.execute(
            &Query::insert()
                .into_table("oidc_releases")
                .columns(["id", "account_id", "client_id", "scopes", "released_at"])
                .values_panic([
                    uuid::Uuid::now_v7().simple().to_string().into(),
                    account.to_string().into(),
                    client.client_id.clone().into(),
                    scopes.join(" ").into(),
                    to_millis(now).into(),
                ])
                .to_owned(),
        )
        .await?;
    }
    let entry = LedgerEntry::read(&Actor::System, "oidc.claims.release", format!("oidc-client:{}", client.client_id), now)
        .about(account)
        .because(format!("{} ({})", client.purpose.en, claims.join(", ")));
    tamar_ledger::record(tx, &entry).await?;
    Ok(())
}

/// One release of a person's details, as they see it.
#[derive(Clone, Debug)]
pub struct Release {
    pub id: String,
    pub client_id: String,
    /// The service's name; none if it is no longer registered.
    pub client_name: Option<LocalizedText>,
    /// The scopes whose details went out.
    pub scopes: Vec<String>,
    pub released_at: DateTime<Utc>,
}

/// A page of releases, newest first, and where the next (older) page starts.
#[derive(Clone, Debug, Default)]
pub struct Releases {
    pub releases: Vec<Release>,
    pub older: Option<String>,
}

pub const PAGE_SIZE: u64 = 20;

/// What went to whom and when, newest first, `PAGE_SIZE` at a time; `before` is the `older`
/// of the page before.
pub async fn releases_of(db: &tamar_store::Db, account: AccountId, before: Option<&str>) -> Result<Releases, OidcError> {
    let mut query = Query::select()
        .columns(["id", "client_id", "scopes", "released_at"])
        .from("oidc_releases")
        .and_where(Expr::col("account_id").eq(account.to_string()))
        .order_by("id", Order::Desc)
        .limit(PAGE_SIZE + 1)
        .to_owned();
    if let Some(before) = before {
        if before.len() != 32 || !before.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(OidcError::InvalidRequest("not a page of releases"));
        }
        query.and_where(Expr::col("id").lt(before));
    }
    let rows = db.fetch_all(&query).await?;
    let mut names: HashMap<String, Option<Client>> = HashMap::new();
    let mut releases = Vec::new();
    for r in rows.iter().take(PAGE_SIZE as usize) {
        let client_id: String = row::get(r, "client_id")?;
        if !names.contains_key(&client_id) {
            names.insert(client_id.clone(), clients::find(db, &client_id).await?);
        }
        let scopes: String = row::get(r, "scopes")?;
        releases.push(Release {
            id: row::get(r, "id")?,
            client_name: names.get(&client_id).cloned().flatten().map(|c| c.name),
            client_id,
            scopes: scopes.split(' ').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
            released_at: from_millis(row::get(r, "released_at")?),
        });
    }
    let older = if rows.len() as u64 > PAGE_SIZE { releases.last().map(|r| r.id.clone()) } else { None };
    Ok(Releases { releases, older })
}
