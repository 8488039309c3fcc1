//! Who is acting: the actor kinds and the roles an officer may hold.

use serde::{Deserialize, Serialize};

use crate::{AccountId, DepartmentId};

/// A role that an officer holds. Most roles act within the officer's own department; a few act
/// across the platform (see [`RoleScope`]).
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

    /// Where the role acts, and so who may grant it.
    pub fn scope(self) -> RoleScope {
        match self {
            Role::DepartmentAdmin | Role::ContentEditor | Role::ContentReviewer | Role::CaseOfficer => RoleScope::Department,
            // Verifying identity lifts any citizen's assurance level: it is the Immigration
            // Department's work for the whole territory.
            Role::IdentityVerifier => RoleScope::Platform { reserved_for: Some(IMMIGRATION_DEPARTMENT) },
        }
    }
}

/// The code of the department that verifies identity documents.
pub const IMMIGRATION_DEPARTMENT: &str = "IMMD";

/// Where a role acts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoleScope {
    /// Within the holder's own department; that department's administrators grant it.
    Department,
    /// Across the platform. Only platform administrators grant it; a role reserved for one
    /// department (by its code) is held only by that department's officers, and that
    /// department's administrators may grant it too.
    Platform { reserved_for: Option<&'static str> },
}

/// Who grants a role: the granter's actor and, for officers, the code of their department.
pub struct Granter<'a> {
    pub actor: &'a Actor,
    pub department_code: Option<&'a str>,
}

impl Role {
    /// Whether `granter` may give this role to an officer of the department with code
    /// `department_code`. Deny by default: anything not named here is refused.
    pub fn may_be_granted(self, granter: &Granter<'_>, department_code: &str) -> bool {
        let same = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
        let platform = matches!(granter.actor, Actor::System | Actor::PlatformAdmin { .. });
        let own_admin = match granter.actor {
            Actor::Officer { .. } => {
                granter.actor.has_role(Role::DepartmentAdmin) && granter.department_code.is_some_and(|own| same(own, department_code))
            }
            _ => false,
        };
        match self.scope() {
            RoleScope::Department => platform || own_admin,
            RoleScope::Platform { reserved_for: None } => platform,
            RoleScope::Platform { reserved_for: Some(reserved) } => same(reserved, department_code) && (platform || own_admin),
        }
    }

    /// Whether an officer of the department with code `department_code` may act in this role.
    pub fn may_be_held_in(self, department_code: &str) -> bool {
        match self.scope() {
            RoleScope::Platform { reserved_for: Some(reserved) } => reserved.eq_ignore_ascii_case(department_code),
            _ => true,
        }
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
