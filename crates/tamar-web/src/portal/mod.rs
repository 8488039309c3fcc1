//! The portal's pages: GovHK (finding and reading government information and services),
//! MyGovHK (a person's inbox, bookmarks, subscriptions and settings) and the office pages
//! where departments write and review content. Feeds, the sitemap and the PWA files are here
//! too.

mod feeds;
mod mygov;
mod office;
mod public;

use std::collections::HashMap;

use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use tamar_core::{DepartmentId, Lang};
use tamar_portal::{ItemKind, LiveItem};
use tamar_tenancy::Department;

use crate::AppState;
use crate::pages::PageContext;

pub fn routes() -> crate::csrf::Declared {
    crate::csrf::Declared::new("")
        .form("/{lang}/", get(public::home))
        .form("/{lang}/topics/{slug}", get(public::topic))
        .form("/{lang}/audiences/{slug}", get(public::audience))
        .form("/{lang}/departments/{code}", get(public::department))
        .form("/{lang}/news", get(public::news))
        .form("/{lang}/services/{slug}", get(public::service))
        .form("/{lang}/guides/{slug}", get(public::guide))
        .form("/{lang}/news/{slug}", get(public::news_item))
        .form("/{lang}/notices/{slug}", get(public::notice))
        .form("/{lang}/search", get(public::search))
        .form("/{lang}/apps", get(public::apps))
        .form("/{lang}/offline", get(public::offline))
        .form("/{lang}/services/{slug}/bookmark", post(mygov::bookmark))
        .form("/{lang}/account/inbox", get(mygov::inbox))
        .form("/{lang}/account/inbox/{id}", get(mygov::message))
        .form("/{lang}/account/inbox/{id}/done", post(mygov::done))
        .form("/{lang}/account/inbox/{id}/delete", post(mygov::delete))
        .form("/{lang}/account/bookmarks", get(mygov::bookmarks))
        .form("/{lang}/account/applications", get(mygov::applications))
        .form("/{lang}/account/bills", get(mygov::bills))
        .form("/{lang}/account/subscriptions", get(mygov::subscriptions).post(mygov::subscribe))
        .form("/{lang}/account/subscriptions/remove", post(mygov::unsubscribe))
        .form("/{lang}/account/prefill", get(mygov::prefill).post(mygov::save_prefill))
        .form("/{lang}/office/content", get(office::dashboard))
        .form("/{lang}/office/content/new", get(office::new_form).post(office::create))
        .form("/{lang}/office/content/{id}", get(office::edit_form).post(office::save))
        .form("/{lang}/office/content/{id}/submit", post(office::submit))
        .form("/{lang}/office/content/{id}/approve", post(office::approve))
        .form("/{lang}/office/content/{id}/reject", post(office::reject))
        .form("/{lang}/office/content/{id}/withdraw", post(office::withdraw))
        .form("/{lang}/office/content/{id}/versions/{number}", get(office::version))
        .form("/{lang}/feeds/news.atom", get(feeds::news_feed))
        .form("/{lang}/feeds/topics/{slug}", get(feeds::topic_feed))
        .form("/{lang}/feeds/departments/{code}", get(feeds::department_feed))
        .form("/sitemap.xml", get(feeds::sitemap))
        .form("/manifest.webmanifest", get(feeds::manifest))
        .form("/sw.js", get(feeds::service_worker))
        .form("/static/suggest.js", get(feeds::suggest_script))
        .form("/static/icon.svg", get(feeds::icon))
        .form("/static/pwa.js", get(feeds::pwa_script))
}

/// The departments by id, for labelling items.
pub(crate) struct Directory(HashMap<DepartmentId, Department>);

impl Directory {
    pub(crate) async fn load(state: &AppState) -> Result<Directory, crate::WebError> {
        Ok(Directory(tamar_tenancy::list(&state.db).await?.into_iter().map(|d| (d.id, d)).collect()))
    }

    pub(crate) fn get(&self, id: DepartmentId) -> Option<&Department> {
        self.0.get(&id)
    }

    pub(crate) fn name(&self, id: DepartmentId, lang: Lang) -> String {
        self.0.get(&id).map(|d| d.name.get(lang).to_owned()).unwrap_or_default()
    }

    pub(crate) fn code(&self, id: DepartmentId) -> String {
        self.0.get(&id).map(|d| d.code.clone()).unwrap_or_default()
    }
}

/// An item as a line in a list.
pub(crate) struct Card {
    pub href: String,
    pub title: String,
    pub summary: String,
    pub kind: String,
    pub department: String,
    pub date: Option<String>,
}

pub(crate) fn item_href(lang: Lang, kind: ItemKind, slug: &str) -> String {
    kind.page_path(lang, slug)
}

pub(crate) fn kind_label(page: &PageContext, kind: ItemKind) -> String {
    page.t(&format!("kind-{}", kind.as_str()))
}

pub(crate) fn card(page: &PageContext, live: &LiveItem, directory: &Directory) -> Card {
    let lang = page.lang;
    Card {
        href: item_href(lang, live.item.kind, &live.item.slug),
        title: live.content.title.get(lang).to_owned(),
        summary: live.content.summary.get(lang).to_owned(),
        kind: kind_label(page, live.item.kind),
        department: directory.name(live.item.department, lang),
        date: match live.item.kind {
            ItemKind::News | ItemKind::Notice => live.item.first_published_at.map(|d| long_date(lang, d)),
            _ => None,
        },
    }
}

/// A date as people write it: "27 November 2026", "2026年11月27日", in Hong Kong time.
pub(crate) fn long_date(lang: Lang, at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&crate::pages::hong_kong());
    match lang {
        Lang::En => local.format("%-d %B %Y").to_string(),
        Lang::Tc | Lang::Sc => local.format("%Y年%-m月%-d日").to_string(),
    }
}
