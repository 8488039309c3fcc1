//! Importing published content from a JSON catalogue: the format an older portal's content
//! is exported to (and that Tamar's demo content is written in). See
//! `crates/tamar-web-portal/demo/FORMAT.md`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use tamar_core::{DepartmentId, Rule};
use tamar_ledger::Ledger;
use tamar_store::Db;

use crate::catalogue::{Channel, ItemKind};
use crate::content::{self, ContentInput, NewItem, ServiceInput, TextInput};
use crate::PortalError;

/// One entry of a catalogue file: a service (with `name` and the service fields) or a page
/// (with `kind`, `title` and `body`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueEntry {
    pub slug: String,
    /// A department code.
    pub department: String,
    #[serde(default)]
    pub kind: Option<String>,
    pub topics: Vec<String>,
    pub audiences: Vec<String>,
    /// Services marked as most used where the catalogue came from.
    #[serde(default)]
    pub popular: bool,
    #[serde(default)]
    pub name: Option<TextInput>,
    #[serde(default)]
    pub title: Option<TextInput>,
    pub summary: TextInput,
    #[serde(default)]
    pub body: Option<TextInput>,
    #[serde(default)]
    pub eligibility: Option<TextInput>,
    #[serde(default)]
    pub fees: Option<TextInput>,
    #[serde(default)]
    pub how_to_apply: Option<TextInput>,
    #[serde(default)]
    pub processing_time: Option<TextInput>,
    #[serde(default)]
    pub channels: Vec<String>,
    #[serde(default)]
    pub online_url: Option<String>,
    /// RFC 3339; when absent, the time of import.
    #[serde(default)]
    pub published: Option<DateTime<Utc>>,
}

impl CatalogueEntry {
    pub fn kind(&self) -> Result<ItemKind, PortalError> {
        match &self.kind {
            None => Ok(ItemKind::Service),
            Some(k) => ItemKind::parse(k).ok_or(PortalError::Invalid { field: "kind", rule: Rule::UnknownValue, reason: "service, guide, news or notice" }),
        }
    }

    /// The entry as a new item.
    pub fn to_new_item(&self) -> Result<NewItem, PortalError> {
        let kind = self.kind()?;
        let title = self.title.clone().or_else(|| self.name.clone()).ok_or(PortalError::Invalid { field: "title", rule: Rule::Required, reason: "required" })?;
        let service = if kind == ItemKind::Service {
            let need = |t: &Option<TextInput>, field: &'static str| t.clone().ok_or(PortalError::Invalid { field, rule: Rule::Required, reason: "required" });
            Some(ServiceInput {
                eligibility: need(&self.eligibility, "eligibility")?,
                fees: need(&self.fees, "fees")?,
                how_to_apply: need(&self.how_to_apply, "how_to_apply")?,
                processing_time: need(&self.processing_time, "processing_time")?,
                channels: self
                    .channels
                    .iter()
                    .map(|c| Channel::parse(c).ok_or(PortalError::Invalid { field: "channels", rule: Rule::UnknownValue, reason: "a known channel" }))
                    .collect::<Result<_, _>>()?,
                online_url: self.online_url.clone(),
                eservice: None,
            })
        } else {
            None
        };
        Ok(NewItem {
            kind,
            slug: self.slug.clone(),
            content: ContentInput {
                title,
                summary: self.summary.clone(),
                body: self.body.clone().unwrap_or_default(),
                service,
                topics: self.topics.clone(),
                audiences: self.audiences.clone(),
            },
        })
    }
}

/// What an import did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub created: usize,
    /// Already there (same address): left as they are.
    pub existing: usize,
}

/// Imports every entry as published content. Entries whose address exists are skipped, so
/// importing twice changes nothing. Stops at the first invalid entry, naming it.
pub async fn import(
    db: &Db,
    ledger: &Ledger,
    entries: &[CatalogueEntry],
    departments: &HashMap<String, DepartmentId>,
) -> Result<ImportReport, (String, PortalError)> {
    let mut report = ImportReport::default();
    for entry in entries {
        let fail = |e: PortalError| (entry.slug.clone(), e);
        let department = *departments.get(&entry.department).ok_or_else(|| fail(PortalError::Invalid { field: "department", rule: Rule::UnknownValue, reason: "a known department code" }))?;
        let new = entry.to_new_item().map_err(fail)?;
        let at = entry.published.unwrap_or_else(|| ledger.now());
        match content::import_published(db, ledger, department, new, at).await {
            Ok(_) => report.created += 1,
            Err(PortalError::SlugTaken(_)) => report.existing += 1,
            Err(e) => return Err(fail(e)),
        }
    }
    Ok(report)
}
