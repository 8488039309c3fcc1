use sea_query::{Expr, ExprTrait, Order, Query};
use serde::Serialize;
use tamar_core::{AccountId, Actor, DepartmentId, Granter, Role, Rule};
use tamar_ledger::{Ledger, LedgerEntry};
use tamar_store::{AnyRow, Db, StoreError, from_millis, row, to_millis};

use crate::{IdentityError, hash_password};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AccountKind {
    Citizen,
    Officer,
    PlatformAdmin,
}

impl AccountKind {
    fn as_str(self) -> &'static str {
        match self {
            AccountKind::Citizen => "citizen",
            AccountKind::Officer => "officer",
            AccountKind::PlatformAdmin => "platform-admin",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [AccountKind::Citizen, AccountKind::Officer, AccountKind::PlatformAdmin].into_iter().find(|k| k.as_str() == s)
    }
}

/// How sure the platform is of who holds an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
pub enum Assurance {
    /// Registered; email address not yet confirmed.
    L0,
    /// Email address verified.
    L1,
    /// Identity verified against an HKID by an identity verifier.
    L2,
    /// L2, and a passkey is registered.
    L3,
}

/// An account, without its password hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub id: AccountId,
    pub kind: AccountKind,
    pub email: String,
    /// The name in English (or as the person writes it in Latin letters).
    pub display_name: String,
    /// The name in Chinese, if the person has one.
    pub name_zh: Option<String>,
    pub department: Option<DepartmentId>,
    pub roles: Vec<Role>,
    pub assurance: Assurance,
    /// The HKID as it may be shown, `A123***(3)`, once identity is verified.
    pub hkid_masked: Option<String>,
    /// Two-factor sign-in (TOTP) is on.
    pub mfa: bool,
    /// Postal address, for services the person lets fill in forms (e-ME).
    pub address: Option<String>,
    /// Phone number, likewise.
    pub phone: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl Account {
    /// The account's actor; `fallback` for an account that cannot act (a broken officer record).
    pub fn actor_or(&self, fallback: &Actor) -> Actor {
        match self.actor() {
            Actor::Anonymous => fallback.clone(),
            actor => actor,
        }
    }

    /// The actor this account acts as once signed in.
    pub fn actor(&self) -> Actor {
        match (self.kind, self.department) {
            (AccountKind::Citizen, _) => Actor::Citizen { account: self.id },
            (AccountKind::PlatformAdmin, _) => Actor::PlatformAdmin { account: self.id },
            (AccountKind::Officer, Some(department)) => {
                Actor::Officer { account: self.id, department, roles: self.roles.clone() }
            }
            // An officer without a department is a broken record: deny everything.
            (AccountKind::Officer, None) => Actor::Anonymous,
        }
    }
}

pub struct NewAccount {
    pub kind: AccountKind,
    pub email: String,
    pub display_name: String,
    pub password: String,
    pub department: Option<DepartmentId>,
    pub roles: Vec<Role>,
}

impl NewAccount {
    fn validate(&self) -> Result<(), IdentityError> {
        if !valid_email(self.email.trim()) {
            return Err(IdentityError::Invalid { field: "email", rule: Rule::Format, reason: "an email address" });
        }
        let name = self.display_name.trim().chars().count();
        if name == 0 || name > 200 {
            return Err(IdentityError::Invalid { field: "display_name", rule: Rule::TooLong, reason: "1 to 200 characters" });
        }
        crate::policy::check_new_password(&self.password, &[&self.email, &self.display_name])?;
        if (self.kind == AccountKind::Officer) != self.department.is_some() {
            return Err(IdentityError::Invalid { field: "department", rule: Rule::Inconsistent, reason: "officers, and only officers, belong to a department" });
        }
        if self.kind != AccountKind::Officer && !self.roles.is_empty() {
            return Err(IdentityError::Invalid { field: "roles", rule: Rule::Inconsistent, reason: "only officers hold roles" });
        }
        Ok(())
    }
}

/// An address that mail can be sent to: `local@domain.tld`, no spaces or control characters.
pub(crate) fn valid_email(email: &str) -> bool {
    email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Creates an account. The platform itself and platform administrators may create any account;
/// a department administrator may create officers of their own department. Each role given
/// must be one the creator may grant in that department ([`Role::may_be_granted`]): a
/// platform-scoped role only by a platform administrator, or by the department it is reserved for.
pub async fn create_account(db: &Db, ledger: &Ledger, actor: &Actor, new: NewAccount) -> Result<Account, IdentityError> {
    let allowed = match actor {
        Actor::System | Actor::PlatformAdmin { .. } => true,
        Actor::Officer { department, .. } => {
            actor.has_role(Role::DepartmentAdmin) && new.kind == AccountKind::Officer && new.department == Some(*department)
        }
        _ => false,
    };
    if !allowed {
        return Err(IdentityError::Forbidden);
    }
    if !new.roles.is_empty() {
        let target = match new.department {
            Some(id) => department_code(db, id).await?.ok_or(IdentityError::Invalid { field: "department", rule: Rule::UnknownValue, reason: "an existing department" })?,
            None => return Err(IdentityError::Invalid { field: "roles", rule: Rule::Inconsistent, reason: "only officers hold roles" }),
        };
        let own = match actor.department() {
            Some(id) => department_code(db, id).await?,
            None => None,
        };
        let granter = Granter { actor, department_code: own.as_deref() };
        if !new.roles.iter().all(|role| role.may_be_granted(&granter, &target)) {
            return Err(IdentityError::RoleNotGrantable);
        }
    }
    insert(db, ledger, actor, new, None, true).await
}

/// The code of a department (`IMMD`), by its id.
pub(crate) async fn department_code(db: &Db, id: DepartmentId) -> Result<Option<String>, IdentityError> {
    match tamar_tenancy::by_id(db, id).await {
        Ok(department) => Ok(Some(department.code)),
        Err(tamar_tenancy::TenancyError::NotFound) => Ok(None),
        Err(tamar_tenancy::TenancyError::Store(e)) => Err(e.into()),
        Err(_) => Err(IdentityError::Forbidden),
    }
}

/// Whether `actor` holds `role` and may act in it: an officer holding a role reserved for
/// another department (a record made before roles had scopes, or edited behind Tamar's back)
/// acts in it nowhere.
pub async fn acts_as(db: &Db, actor: &Actor, role: Role) -> Result<bool, IdentityError> {
    let Some(department) = actor.department().filter(|_| actor.has_role(role)) else { return Ok(false) };
    Ok(department_code(db, department).await?.is_some_and(|code| role.may_be_held_in(&code)))
}

/// A citizen's own registration: unverified, and logged as the citizen's own act.
pub(crate) async fn insert_unverified(db: &Db, ledger: &Ledger, new: NewAccount, name_zh: Option<String>) -> Result<Account, IdentityError> {
    insert(db, ledger, &Actor::Anonymous, new, name_zh, false).await
}

async fn insert(
    db: &Db,
    ledger: &Ledger,
    actor: &Actor,
    new: NewAccount,
    name_zh: Option<String>,
    email_verified: bool,
) -> Result<Account, IdentityError> {
    new.validate()?;
    let password_hash = hash_password(&new.password).await?;
    // An account that the platform or an administrator opens has a work or known address; a
    // citizen's own registration goes through `register` and verifies its email first.
    let account = Account {
        id: AccountId::new(),
        kind: new.kind,
        email: new.email.trim().to_lowercase(),
        display_name: new.display_name.trim().to_owned(),
        name_zh,
        department: new.department,
        roles: new.roles,
        assurance: if email_verified { Assurance::L1 } else { Assurance::L0 },
        hkid_masked: None,
        mfa: false,
        address: None,
        phone: None,
        created_at: ledger.now(),
    };
    let roles = account.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(",");
    let mut tx = db.begin().await?;
    let inserted = tx
        .execute(
            &Query::insert()
                .into_table("accounts")
                .columns(["id", "kind", "email", "display_name", "name_zh", "password_hash", "department_id", "roles", "created_at", "email_verified_at"])
                .values_panic([
                    account.id.to_string().into(),
                    account.kind.as_str().into(),
                    account.email.clone().into(),
                    account.display_name.clone().into(),
                    account.name_zh.clone().into(),
                    password_hash.into(),
                    account.department.map(|d| d.to_string()).into(),
                    roles.into(),
                    to_millis(account.created_at).into(),
                    email_verified.then(|| to_millis(account.created_at)).into(),
                ])
                .to_owned(),
        )
        .await;
    match inserted {
        Err(StoreError::UniqueViolation) => return Err(IdentityError::EmailTaken),
        other => other?,
    };
    // A self-registration is the new account holder's own act.
    let by = if matches!(actor, Actor::Anonymous) { account.actor() } else { actor.clone() };
    let entry = LedgerEntry::change(&by, "identity.account.create", format!("account:{}", account.id), account.created_at)
        .about(account.id)
        .because("open an account");
    tamar_ledger::record(&mut tx, &entry).await?;
    tx.commit().await?;
    ledger.notify();
    Ok(account)
}

pub(crate) const COLUMNS: [&str; 15] = [
    "address",
    "phone",
    "passkey_added_at",
    "hkid_masked",
    "totp_confirmed_at",
    "id",
    "kind",
    "email",
    "display_name",
    "name_zh",
    "department_id",
    "roles",
    "created_at",
    "email_verified_at",
    "identity_verified_at",
];

pub(crate) fn from_row(r: &AnyRow) -> Result<Account, StoreError> {
    let kind: String = row::get(r, "kind")?;
    let department: Option<String> = row::get(r, "department_id")?;
    let roles: String = row::get(r, "roles")?;
    let email_verified: Option<i64> = row::get(r, "email_verified_at")?;
    let identity_verified: Option<i64> = row::get(r, "identity_verified_at")?;
    let passkey: Option<i64> = row::get(r, "passkey_added_at")?;
    let assurance = match (email_verified, identity_verified) {
        (_, Some(_)) if passkey.is_some() => Assurance::L3,
        (_, Some(_)) => Assurance::L2,
        (Some(_), None) => Assurance::L1,
        (None, None) => Assurance::L0,
    };
    Ok(Account {
        id: row::parse(r, "id")?,
        kind: AccountKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("account kind {kind}")))?,
        email: row::get(r, "email")?,
        display_name: row::get(r, "display_name")?,
        name_zh: row::get(r, "name_zh")?,
        department: department
            .map(|d| d.parse().map_err(|_| StoreError::Corrupt(format!("department id {d}"))))
            .transpose()?,
        roles: roles.split(',').filter_map(Role::parse).collect(),
        assurance,
        hkid_masked: row::get(r, "hkid_masked")?,
        mfa: row::get::<Option<i64>>(r, "totp_confirmed_at")?.is_some(),
        address: row::get(r, "address")?,
        phone: row::get(r, "phone")?,
        created_at: from_millis(row::get(r, "created_at")?),
    })
}

/// An account by id, for the identity crate's own steps (no read is logged: nothing is shown).
pub(crate) async fn by_id(db: &Db, id: AccountId) -> Result<Option<Account>, IdentityError> {
    let found = db
        .fetch_optional(&Query::select().columns(COLUMNS).from("accounts").and_where(Expr::col("id").eq(id.to_string())).to_owned())
        .await?;
    Ok(found.as_ref().map(from_row).transpose()?)
}

/// Reads an account. Reading someone else's account is a read of personal data and is logged
/// before the data is returned.
pub async fn get_account(db: &Db, ledger: &Ledger, reader: &Actor, id: AccountId, purpose: &str) -> Result<Account, IdentityError> {
    let found = db
        .fetch_optional(&Query::select().columns(COLUMNS).from("accounts").and_where(Expr::col("id").eq(id.to_string())).to_owned())
        .await?;
    let account = found.as_ref().map(from_row).transpose()?.ok_or(IdentityError::NotFound)?;
    if reader.account() != Some(id) {
        ledger
            .record_read(LedgerEntry::read(reader, "identity.account.read", format!("account:{id}"), ledger.now()).about(id).because(purpose))
            .await?;
    }
    Ok(account)
}

/// The officers of one department. Only that department's administrators and platform
/// administrators may list them; each officer listed is a logged read.
pub async fn list_officers(db: &Db, ledger: &Ledger, reader: &Actor, department: DepartmentId) -> Result<Vec<Account>, IdentityError> {
    let allowed = match reader {
        Actor::PlatformAdmin { .. } => true,
        Actor::Officer { department: own, .. } => *own == department && reader.has_role(Role::DepartmentAdmin),
        _ => false,
    };
    if !allowed {
        return Err(IdentityError::Forbidden);
    }
    let rows = db
        .fetch_all(
            &Query::select()
                .columns(COLUMNS)
                .from("accounts")
                .and_where(Expr::col("department_id").eq(department.to_string()))
                .order_by("display_name", Order::Asc)
                .to_owned(),
        )
        .await?;
    let officers: Vec<Account> = rows.iter().map(from_row).collect::<Result<_, _>>()?;
    let reads = officers.iter().filter(|o| reader.account() != Some(o.id)).map(|o| {
        ledger.record_read(
            LedgerEntry::read(reader, "identity.account.read", format!("account:{}", o.id), ledger.now())
                .about(o.id)
                .because("list the department's officers"),
        )
    });
    for outcome in futures::future::join_all(reads).await {
        outcome?;
    }
    Ok(officers)
}

/// The date of birth recorded at identity verification (L2), for claims a person consented to.
pub async fn date_of_birth(db: &Db, id: AccountId) -> Result<Option<String>, IdentityError> {
    let found = db
        .fetch_optional(&Query::select().columns(["date_of_birth", "identity_verified_at"]).from("accounts").and_where(Expr::col("id").eq(id.to_string())).to_owned())
        .await?;
    match found {
        Some(r) if row::get::<Option<i64>>(&r, "identity_verified_at")?.is_some() => Ok(row::get(&r, "date_of_birth")?),
        _ => Ok(None),
    }
}

/// Updates the contact details a person keeps for pre-filling forms. Empty clears.
pub async fn update_contact(db: &Db, ledger: &Ledger, account: &Account, address: &str, phone: &str) -> Result<(), IdentityError> {
    let address = address.trim();
    let phone = phone.trim();
    if address.chars().count() > 300 || address.chars().any(|c| c.is_control() && c != '\n' && c != '\r') {
        return Err(IdentityError::Invalid { field: "address", rule: Rule::TooLong, reason: "at most 300 characters" });
    }
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let phone_ok = phone.is_empty()
        || (phone.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c)) && (8..=15).contains(&digits) && phone.len() <= 25);
    if !phone_ok {
        return Err(IdentityError::Invalid { field: "phone", rule: Rule::Format, reason: "8 to 15 digits" });
    }
    let now = ledger.now();
    let mut tx = db.begin().await?;
    tx.execute(
        &Query::update()
            .table("accounts")
            .value("address", Some(address.replace('\r', "")).filter(|a| !a.is_empty()))
            .value("phone", Some(phone.to_owned()).filter(|p| !p.is_empty()))
            .and_where(Expr::col("id").eq(account.id.to_string()))
            .to_owned(),
    )
    .await?;
    let entry = LedgerEntry::change(&account.actor(), "identity.contact.update", format!("account:{}", account.id), now)
        .about(account.id)
        .because("keep contact details for forms");
    tamar_ledger::record(&mut tx, &entry).await?;
    tx.commit().await?;
    ledger.notify();
    Ok(())
}

/// The person (citizen) account with this email address, for a department that addresses a
/// message to someone it deals with. Returns only the id: nothing about the person is read.
pub async fn citizen_by_email(db: &Db, email: &str) -> Result<Option<AccountId>, IdentityError> {
    let found = db
        .fetch_optional(
            &Query::select()
                .column("id")
                .from("accounts")
                .and_where(Expr::col("email").eq(email.trim().to_lowercase()))
                .and_where(Expr::col("kind").eq("citizen"))
                .to_owned(),
        )
        .await?;
    Ok(found.map(|r| row::parse(&r, "id")).transpose()?)
}

/// Up to `limit` people's accounts (citizens) after `after` in the order of their ids: for
/// reading every person once, a batch at a time (a department's message to everyone).
pub async fn citizens_after(db: &Db, after: Option<AccountId>, limit: u64) -> Result<Vec<AccountId>, IdentityError> {
    let mut query = Query::select()
        .column("id")
        .from("accounts")
        .and_where(Expr::col("kind").eq("citizen"))
        .order_by("id", Order::Asc)
        .limit(limit)
        .to_owned();
    if let Some(after) = after {
        query.and_where(Expr::col("id").gt(after.to_string()));
    }
    let rows = db.fetch_all(&query).await?;
    Ok(rows.iter().map(|r| row::parse(r, "id")).collect::<Result<_, _>>()?)
}

/// Who an actor written in the log (`officer:<id>`) is, in terms a person can be shown: what
/// kind of account, which department and which roles. Never the account's id or address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActorProfile {
    pub kind: AccountKind,
    pub department: Option<DepartmentId>,
    pub roles: Vec<Role>,
}

/// The profiles of the accounts behind log actors; actors that are no account (the platform,
/// anonymous) or no longer exist are left out.
pub async fn actor_profiles(db: &Db, log_names: &[String]) -> Result<std::collections::HashMap<String, ActorProfile>, IdentityError> {
    let ids: Vec<String> = log_names
        .iter()
        .filter_map(|n| n.split_once(':').map(|(_, id)| id.to_owned()))
        .filter(|id| id.parse::<AccountId>().is_ok())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let rows = db
        .fetch_all(&Query::select().columns(["id", "kind", "department_id", "roles"]).from("accounts").and_where(Expr::col("id").is_in(ids)).to_owned())
        .await?;
    let mut profiles = std::collections::HashMap::new();
    for r in &rows {
        let kind: String = row::get(r, "kind")?;
        let Some(kind) = AccountKind::parse(&kind) else { continue };
        let id: String = row::get(r, "id")?;
        let department: Option<String> = row::get(r, "department_id")?;
        let roles: String = row::get(r, "roles")?;
        let profile = ActorProfile {
            kind,
            department: department.and_then(|d| d.parse().ok()),
            roles: roles.split(',').filter_map(Role::parse).collect(),
        };
        profiles.insert(format!("{}:{id}", kind.as_str()), profile);
    }
    Ok(profiles)
}
