use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tamar_core::{AccountId, Actor, DepartmentId};

/// Whether an entry records a change of state or a read of personal data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    Change,
    Read,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Change => "change",
            EntryKind::Read => "read",
        }
    }

    pub fn parse(s: &str) -> Option<EntryKind> {
        match s {
            "change" => Some(EntryKind::Change),
            "read" => Some(EntryKind::Read),
            _ => None,
        }
    }
}

/// One entry of the tamper-evident log. Its canonical form is its JSON serialisation, fields
/// in declaration order; the Merkle leaf is the hash of exactly those bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    /// When it happened (UTC, milliseconds).
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub at: DateTime<Utc>,
    pub kind: EntryKind,
    /// Who acted, as `kind:account-id` (see [`Actor::log_name`]).
    pub actor: String,
    /// What was done: `module.object.verb`, e.g. `tenancy.department.create`.
    pub action: String,
    /// What it was done to: `type:id`.
    pub object: String,
    /// The person whose data this is, if any: the account id.
    pub subject: Option<String>,
    /// The department the actor acted for, if any.
    pub department: Option<String>,
    /// Why: the purpose of the access or change.
    pub purpose: String,
}

impl LedgerEntry {
    pub fn change(actor: &Actor, action: &str, object: impl Into<String>, at: DateTime<Utc>) -> Self {
        Self::new(EntryKind::Change, actor, action, object.into(), at)
    }

    pub fn read(actor: &Actor, action: &str, object: impl Into<String>, at: DateTime<Utc>) -> Self {
        Self::new(EntryKind::Read, actor, action, object.into(), at)
    }

    fn new(kind: EntryKind, actor: &Actor, action: &str, object: String, at: DateTime<Utc>) -> Self {
        Self {
            at,
            kind,
            actor: actor.log_name(),
            action: action.to_owned(),
            object,
            subject: None,
            department: actor.department().map(|d: DepartmentId| d.to_string()),
            purpose: String::new(),
        }
    }

    pub fn about(mut self, subject: AccountId) -> Self {
        self.subject = Some(subject.to_string());
        self
    }

    /// The department the entry is recorded for, when the actor (the platform) acts for one.
    pub fn in_department(mut self, department: DepartmentId) -> Self {
        self.department = Some(department.to_string());
        self
    }

    pub fn because(mut self, purpose: impl Into<String>) -> Self {
        self.purpose = purpose.into();
        self
    }

    pub fn canonical_bytes(&self) -> Vec<u8> {
        // Serialising a plain struct of strings cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// One access to, or change of, a person's data, as shown to that person.
#[derive(Clone, Debug)]
pub struct AccessRecord {
    /// The position in the log, once sequenced.
    pub index: Option<i64>,
    pub at: DateTime<Utc>,
    pub kind: EntryKind,
    pub actor: String,
    pub action: String,
    pub object: String,
    pub department: Option<String>,
    pub purpose: String,
}
