//! Tenants: the bureaux and departments (B/Ds) of the government that runs Tamar.
//!
//! Every officer belongs to one department and sees only its data; every module that keeps
//! departmental data keys it by [`DepartmentId`].
//!
//! Architecture invariant: a department is created or changed only through this crate, and
//! every change is logged in the same transaction.

pub mod codes;

use sea_query::{ColumnDef, Expr, ExprTrait, Order, Query, Table};
use serde::Deserialize;
use tamar_core::{Actor, Code, DepartmentId, FieldError, HasCode, LocalizedText, Rule};
use tamar_ledger::{Ledger, LedgerEntry};
use tamar_store::{AnyRow, Backend, Db, Migration, StoreError, from_millis, row, to_millis};

const DEPARTMENTS: &str = "departments";

pub static MIGRATIONS: &[Migration] = &[Migration { id: "tenancy_0001_departments", statements: create_departments }];

fn create_departments(backend: Backend) -> Vec<String> {
    let table = Table::create()
        .table(DEPARTMENTS)
        .col(ColumnDef::new("id").string().not_null().primary_key())
        .col(ColumnDef::new("code").string().not_null().unique_key())
        .col(ColumnDef::new("name_en").string().not_null())
        .col(ColumnDef::new("name_tc").string().not_null())
        .col(ColumnDef::new("name_sc").string().not_null())
        .col(ColumnDef::new("website").string().null())
        .col(ColumnDef::new("created_at").big_integer().not_null())
        .to_owned();
    vec![backend.schema(&table)]
}

/// A bureau or department: a tenant of the platform.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Department {
    pub id: DepartmentId,
    /// Short uppercase code, e.g. `IMMD`.
    pub code: String,
    pub name: LocalizedText,
    pub website: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// What is needed to register a department.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDepartment {
    /// 2 to 12 capital letters or digits.
    #[schema(pattern = r"^[A-Z0-9]{2,12}$", min_length = 2, max_length = 12)]
    pub code: String,
    #[schema(value_type = DepartmentNameInput)]
    pub name: LocalizedText,
    /// An `https://` address.
    #[serde(default)]
    #[schema(pattern = r"^https://\S+$", max_length = 300)]
    pub website: Option<String>,
}

/// A department's name in the three languages: each 1 to 200 characters, not blank, without
/// control characters. (Documents the rules that [`NewDepartment::validate`] applies.)
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct DepartmentNameInput {
    #[schema(pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$", min_length = 1, max_length = 200)]
    en: String,
    #[schema(pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$", min_length = 1, max_length = 200)]
    tc: String,
    #[schema(pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$", min_length = 1, max_length = 200)]
    sc: String,
}

#[derive(Debug, thiserror::Error)]
pub enum TenancyError {
    #[error("only platform administrators may do this")]
    Forbidden,
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, rule: Rule, reason: &'static str },
    #[error("department code {0} is taken")]
    CodeTaken(String),
    #[error("no such department")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl HasCode for TenancyError {
    fn code(&self) -> Code {
        match self {
            TenancyError::Forbidden => Code::FORBIDDEN,
            TenancyError::Invalid { .. } => Code::INVALID_INPUT,
            TenancyError::CodeTaken(_) => crate::codes::DEPARTMENT_CODE_TAKEN,
            TenancyError::NotFound => crate::codes::DEPARTMENT_NOT_FOUND,
            TenancyError::Store(e) => e.code(),
        }
    }

    fn details(&self) -> Vec<FieldError> {
        match self {
            TenancyError::Invalid { field, rule, .. } => vec![FieldError { field, rule: *rule }],
            _ => Vec::new(),
        }
    }
}

const MAX_NAME: usize = 200;

impl NewDepartment {
    fn validate(&self) -> Result<(), TenancyError> {
        let code = &self.code;
        if !(2..=12).contains(&code.len()) || !code.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) {
            return Err(TenancyError::Invalid { field: "code", rule: Rule::Format, reason: "2 to 12 capital letters or digits" });
        }
        for (field, text) in [("name.en", &self.name.en), ("name.tc", &self.name.tc), ("name.sc", &self.name.sc)] {
            if text.trim().is_empty() || text.chars().count() > MAX_NAME || text.chars().any(char::is_control) {
                return Err(TenancyError::Invalid { field, rule: Rule::TooLong, reason: "1 to 200 characters" });
            }
        }
        if let Some(site) = &self.website
            && (!site.starts_with("https://")
                || site.len() == "https://".len()
                || site.chars().count() > 300
                || site.chars().any(char::is_whitespace))
        {
            return Err(TenancyError::Invalid { field: "website", rule: Rule::Format, reason: "an https:// address" });
        }
        Ok(())
    }
}

/// Registers a department. Only platform administrators and the platform itself may.
pub async fn create(db: &Db, ledger: &Ledger, actor: &Actor, new: NewDepartment) -> Result<Department, TenancyError> {
    if !matches!(actor, Actor::PlatformAdmin { .. } | Actor::System) {
        return Err(TenancyError::Forbidden);
    }
    new.validate()?;
    let department = Department {
        id: DepartmentId::new(),
        code: new.code.clone(),
        name: LocalizedText::new(new.name.en.trim(), new.name.tc.trim(), new.name.sc.trim()),
        website: new.website,
        created_at: ledger.now(),
    };
    let mut tx = db.begin().await?;
    let inserted = tx
        .execute(
            &Query::insert()
                .into_table(DEPARTMENTS)
                .columns(["id", "code", "name_en", "name_tc", "name_sc", "website", "created_at"])
                .values_panic([
                    department.id.to_string().into(),
                    department.code.clone().into(),
                    department.name.en.clone().into(),
                    department.name.tc.clone().into(),
                    department.name.sc.clone().into(),
                    department.website.clone().into(),
                    to_millis(department.created_at).into(),
                ])
                .to_owned(),
        )
        .await;
    match inserted {
        Err(StoreError::UniqueViolation) => return Err(TenancyError::CodeTaken(new.code)),
        other => other?,
    };
    let entry = LedgerEntry::change(actor, "tenancy.department.create", format!("department:{}", department.id), department.created_at)
        .because("register a department");
    tamar_ledger::record(&mut tx, &entry).await?;
    tx.commit().await?;
    ledger.notify_public();
    Ok(department)
}

fn from_row(r: &AnyRow) -> Result<Department, StoreError> {
    Ok(Department {
        id: row::parse(r, "id")?,
        code: row::get(r, "code")?,
        name: LocalizedText::new(
            row::get::<String>(r, "name_en")?,
            row::get::<String>(r, "name_tc")?,
            row::get::<String>(r, "name_sc")?,
        ),
        website: row::get(r, "website")?,
        created_at: from_millis(row::get(r, "created_at")?),
    })
}

fn select() -> sea_query::SelectStatement {
    Query::select()
        .columns(["id", "code", "name_en", "name_tc", "name_sc", "website", "created_at"])
        .from(DEPARTMENTS)
        .to_owned()
}

/// Every department, by code.
pub async fn list(db: &Db) -> Result<Vec<Department>, TenancyError> {
    let rows = db.fetch_all(&select().order_by("code", Order::Asc).to_owned()).await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

pub async fn by_code(db: &Db, code: &str) -> Result<Department, TenancyError> {
    let found = db.fetch_optional(&select().and_where(Expr::col("code").eq(code)).to_owned()).await?;
    found.as_ref().map(from_row).transpose()?.ok_or(TenancyError::NotFound)
}

pub async fn by_id(db: &Db, id: DepartmentId) -> Result<Department, TenancyError> {
    let found = db.fetch_optional(&select().and_where(Expr::col("id").eq(id.to_string())).to_owned()).await?;
    found.as_ref().map(from_row).transpose()?.ok_or(TenancyError::NotFound)
}
