//! "Who accessed my data", in people's terms: the log entries about a person, with each actor
//! described by what they are (an officer of a department, in a role; a service the person
//! signed in to; the platform), never by an internal id.

use std::collections::HashMap;

use serde::Serialize;
use tamar_core::{Lang, Role};
use tamar_identity::{Account, AccountKind};
use tamar_core::{Page, PageRequest};
use tamar_ledger::EntryKind;

use tamar_web::{AppState, WebError, i18n};

/// One access to or change of a person's data.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Access {
    /// The position in the tamper-evident log, once sequenced (for checking a proof).
    pub index: Option<i64>,
    pub at: chrono::DateTime<chrono::Utc>,
    /// `read` or `change`.
    pub kind: EntryKind,
    pub who: Accessor,
    /// What was done, as a stable name (`identity.verification.read`).
    pub action: String,
    /// Why, as recorded.
    pub purpose: String,
}

impl tamar_web::views::View for Access {
    const PERSONAL: &'static [&'static str] = &[];
}

/// Who acted.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Accessor {
    /// `you`, `citizen`, `officer`, `platform-admin`, `service` (a service the person signed in
    /// to, through Tamar), `system` or `anonymous`.
    pub kind: String,
    /// For officers: their department's code.
    pub department: Option<String>,
    /// For officers: their roles.
    pub roles: Vec<Role>,
    /// For services: the service's name, in English, Traditional and Simplified Chinese.
    pub service: Option<tamar_core::LocalizedText>,
}

/// Reads a page of the person's log and describes each actor.
pub(crate) async fn accesses_of(state: &AppState, me: &Account, page: &PageRequest) -> Result<Page<Access>, WebError> {
    let Page { items: records, next } = state.ledger.accesses_to(me.id, page).await?;
    let names: Vec<String> = records.iter().map(|r| r.actor.clone()).collect();
    let profiles = tamar_identity::actor_profiles(&state.db, &names).await?;
    let departments: HashMap<String, tamar_tenancy::Department> =
        tamar_tenancy::list(&state.db).await?.into_iter().map(|d| (d.id.to_string(), d)).collect();
    let mut services: HashMap<String, Option<tamar_core::LocalizedText>> = HashMap::new();
    let mine = me.actor().log_name();
    let mut out = Vec::with_capacity(records.len());
    for r in records {
        let client = r.object.strip_prefix("oidc-client:").map(str::to_owned);
        let who = if r.actor == mine {
            Accessor { kind: "you".into(), department: None, roles: vec![], service: None }
        } else if let Some(profile) = profiles.get(&r.actor) {
            let department = profile.department.and_then(|d| departments.get(&d.to_string()));
            let kind = match profile.kind {
                AccountKind::Citizen => "citizen",
                AccountKind::Officer => "officer",
                AccountKind::PlatformAdmin => "platform-admin",
            };
            Accessor {
                kind: kind.into(),
                department: department.map(|d| d.code.clone()),
                roles: if profile.kind == AccountKind::Officer { profile.roles.clone() } else { vec![] },
                service: None,
            }
        } else if let Some(client) = client.filter(|_| r.actor == "system") {
            if !services.contains_key(&client) {
                let name = tamar_oidc::clients::find(&state.db, &client).await?.map(|c| c.name);
                services.insert(client.clone(), name);
            }
            let service = services.get(&client).cloned().flatten();
            Accessor { kind: "service".into(), department: None, roles: vec![], service }
        } else {
            let kind = r.actor.split(':').next().unwrap_or("system");
            let kind = if matches!(kind, "system" | "anonymous" | "citizen" | "officer" | "platform-admin") { kind } else { "system" };
            Accessor { kind: kind.into(), department: None, roles: vec![], service: None }
        };
        out.push(Access { index: r.index, at: r.at, kind: r.kind, who, action: r.action, purpose: r.purpose });
    }
    Ok(Page { items: out, next })
}

/// The actor as a sentence of the page's language: "An officer of the Immigration Department
/// (identity verifier)".
pub(crate) fn describe(lang: Lang, who: &Accessor, department_names: &HashMap<String, String>) -> String {
    let roles = who.roles.iter().map(|r| i18n::t(lang, &format!("role-{}", r.as_str()))).collect::<Vec<_>>().join(", ");
    let base = match (who.kind.as_str(), &who.department) {
        ("officer", Some(code)) => {
            let name = department_names.get(code).cloned().unwrap_or_else(|| code.clone());
            i18n::t_args(lang, "actor-officer-of", &[("department", name)])
        }
        ("service", _) => match &who.service {
            Some(name) => i18n::t_args(lang, "actor-service", &[("service", name.get(lang).to_owned())]),
            None => i18n::t(lang, "actor-system"),
        },
        (kind, _) => i18n::t(lang, &format!("actor-{kind}")),
    };
    if roles.is_empty() { base } else { format!("{base} ({roles})") }
}
