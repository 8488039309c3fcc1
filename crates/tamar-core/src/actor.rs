//! Who is acting: the actor kinds and the roles an officer may hold.

use serde::{Deserialize, Serialize};

use crate::{AccountId, DepartmentId};

/// A role that an officer holds within their own department.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Manages the department's officers.
    DepartmentAdmin,
    /// Writes and publishes the department's content.
    ContentEditor,
    /// Reviews content written by another officer.
    ContentReviewer,
    /// Checks citizens' identity documents (Immigration Department).
    IdentityVerifier,
    /// Processes applications for the department's e-services.
    CaseOfficer,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::DepartmentAdmin,
        Role::ContentEditor,
        Role::ContentReviewer,
        Role::IdentityVerifier,
        Role::CaseOfficer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::DepartmentAdmin => "department-admin",
            Role::ContentEditor => "content-editor",
            Role::ContentReviewer => "content-reviewer",
            Role::IdentityVerifier => "identity-verifier",
            Role::CaseOfficer => "case-officer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// The one who acts in a request. Everything that is not explicitly allowed is denied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    /// Nobody signed in.
    Anonymous,
    /// A member of the public, or a business.
    Citizen { account: AccountId },
    /// An officer of one bureau or department, with roles within it.
    Officer { account: AccountId, department: DepartmentId, roles: Vec<Role> },
    /// An operator of the platform itself (the central IT office).
    PlatformAdmin { account: AccountId },
    /// The platform acting on its own: migrations, demo data, scheduled jobs. Never the actor
    /// of a request.
    System,
}

impl Actor {
    pub fn account(&self) -> Option<AccountId> {
        match self {
            Actor::Anonymous | Actor::System => None,
            Actor::Citizen { account }
            | Actor::Officer { account, .. }
            | Actor::PlatformAdmin { account } => Some(*account),
        }
    }

    /// The department this actor is scoped to, for officers.
    pub fn department(&self) -> Option<DepartmentId> {
        match self {
            Actor::Officer { department, .. } => Some(*department),
            _ => None,
        }
    }

    pub fn has_role(&self, role: Role) -> bool {
        matches!(self, Actor::Officer { roles, .. } if roles.contains(&role))
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Actor::Anonymous => "anonymous",
            Actor::Citizen { .. } => "citizen",
            Actor::Officer { .. } => "officer",
            Actor::PlatformAdmin { .. } => "platform-admin",
            Actor::System => "system",
        }
    }

    /// How the actor is written in the tamper-evident log: `kind:account-id`.
    pub fn log_name(&self) -> String {
        match self.account() {
            Some(account) => format!("{}:{account}", self.kind()),
            None => self.kind().to_owned(),
        }
    }
}
