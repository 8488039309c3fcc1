//! The portal's pages: GovHK (finding and reading government information and services),
//! MyGovHK (a person's inbox, bookmarks, subscriptions and settings) and the office pages
//! where departments write and review content. Feeds, the sitemap and the PWA files are here
//! too.

mod feeds;
mod mygov;
mod office;
mod public;

use std::collections::HashMap;

use axum::Router;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use tamar_core::{DepartmentId, Lang};
use tamar_portal::{ItemKind, LiveItem};
use tamar_tenancy::Department;

use crate::AppState;
use crate::pages::PageContext;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/{lang}/", get(public::home))
        .route("/{lang}/topics/{slug}", get(public::topic))
        .route("/{lang}/audiences/{slug}", get(public::audience))
        .route("/{lang}/departments/{code}", get(public::department))
        .route("/{lang}/news", get(public::news))
        .route("/{lang}/services/{slug}", get(public::service))
        .route("/{lang}/guides/{slug}", get(public::guide))
        .route("/{lang}/news/{slug}", get(public::news_item))
        .route("/{lang}/notices/{slug}", get(public::notice))
        .route("/{lang}/search", get(public::search))
        .route("/{lang}/apps", get(public::apps))
        .route("/{lang}/offline", get(public::offline))
        .route("/{lang}/services/{slug}/bookmark", post(mygov::bookmark))
        .route("/{lang}/account/inbox", get(mygov::inbox))
        .route("/{lang}/account/inbox/{id}", get(mygov::message))
        .route("/{lang}/account/inbox/{id}/done", post(mygov::done))
        .route("/{lang}/account/inbox/{id}/delete", post(mygov::delete))
        .route("/{lang}/account/bookmarks", get(mygov::bookmarks))
        .route("/{lang}/account/applications", get(mygov::applications))
        .route("/{lang}/account/bills", get(mygov::bills))
        .route("/{lang}/account/subscriptions", get(mygov::subscriptions).post(mygov::subscribe))
        .route("/{lang}/account/subscriptions/remove", post(mygov::unsubscribe))
        .route("/{lang}/account/prefill", get(mygov::prefill).post(mygov::save_prefill))
        .route("/{lang}/office/content", get(office::dashboard))
        .route("/{lang}/office/content/new", get(office::new_form).post(office::create))
        .route("/{lang}/office/content/{id}", get(office::edit_form).post(office::save))
        .route("/{lang}/office/content/{id}/submit", post(office::submit))
        .route("/{lang}/office/content/{id}/approve", post(office::approve))
        .route("/{lang}/office/content/{id}/reject", post(office::reject))
        .route("/{lang}/office/content/{id}/withdraw", post(office::withdraw))
        .route("/{lang}/office/content/{id}/versions/{number}", get(office::version))
        .route("/{lang}/feeds/news.atom", get(feeds::news_feed))
        .route("/{lang}/feeds/topics/{slug}", get(feeds::topic_feed))
        .route("/{lang}/feeds/departments/{code}", get(feeds::department_feed))
        .route("/sitemap.xml", get(feeds::sitemap))
        .route("/manifest.webmanifest", get(feeds::manifest))
        .route("/sw.js", get(feeds::service_worker))
        .route("/static/suggest.js", get(feeds::suggest_script))
        .route("/static/icon.svg", get(feeds::icon))
        .route("/static/pwa.js", get(feeds::pwa_script))
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
    format!("/{}/{}/{slug}", lang.prefix(), kind.path_segment())
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
