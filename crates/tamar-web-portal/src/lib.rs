//! The portal on the web: GovHK (finding and reading government information and services),
//! MyGovHK (a person's inbox, bookmarks, subscriptions and settings) and the office pages
//! where departments write and review content; feeds, the sitemap and the PWA files; the
//! catalogue, search, MyGovHK and app-directory API; and the portal's background jobs.

mod api;
mod demo;
mod feeds;
mod jobs;
mod mygov;
mod office;
mod public;
mod visits;
pub mod views;

pub use state::PortalState;
mod state;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use tamar_core::{DepartmentId, Lang, Role};
use tamar_portal::{ItemKind, LiveItem};
use tamar_tenancy::Department;

use tamar_web::AppState;
use tamar_web::access::{Access, Scope, get, post, put};
use tamar_web::csrf::Declared;
use tamar_web::module::Module;
use tamar_web::pages::PageContext;
use utoipa::OpenApi;

tamar_web::translations!(static TRANSLATIONS);

/// GovHK and MyGovHK: the catalogue and its review workflow, search, feeds, the inbox,
/// bookmarks, subscriptions and the app directory.
pub fn module() -> Module {
    Module {
        migrations: vec![tamar_portal::MIGRATIONS],
        routes: pages,
        api: api_routes,
        openapi: PortalApi::openapi,
        jobs: jobs::all,
        codes: vec![tamar_portal::codes::ALL],
        layer: visits::layer,
        state: state::make,
        ready: state::ready,
        stop: state::stop,
        translations: Some(&TRANSLATIONS),
        demo: demo::seed,
        ..Module::new("portal")
    }
}

/// The pages, feeds and PWA files.
fn pages() -> Declared {
    Declared::new("")
        .form("/{lang}/", get(Access::Public, public::home))
        .form("/{lang}/topics/{slug}", get(Access::Public, public::topic))
        .form("/{lang}/audiences/{slug}", get(Access::Public, public::audience))
        .form("/{lang}/departments/{code}", get(Access::Public, public::department))
        .form("/{lang}/news", get(Access::Public, public::news))
        .form("/{lang}/services/{slug}", get(Access::Public, public::service))
        .form("/{lang}/guides/{slug}", get(Access::Public, public::guide))
        .form("/{lang}/news/{slug}", get(Access::Public, public::news_item))
        .form("/{lang}/notices/{slug}", get(Access::Public, public::notice))
        .form("/{lang}/search", get(Access::Public, public::search))
        .form("/{lang}/apps", get(Access::Public, public::apps))
        .form("/{lang}/offline", get(Access::Public, public::offline))
        .form("/{lang}/services/{slug}/bookmark", post(Access::SignedIn, mygov::bookmark))
        .form("/{lang}/account/inbox", get(Access::SignedIn, mygov::inbox))
        .form("/{lang}/account/inbox/{id}", get(Access::SignedIn, mygov::message).scoped(Scope::Owner))
        .form("/{lang}/account/inbox/{id}/done", post(Access::SignedIn, mygov::done).scoped(Scope::Owner))
        .form("/{lang}/account/inbox/{id}/delete", post(Access::SignedIn, mygov::delete).scoped(Scope::Owner))
        .form("/{lang}/account/bookmarks", get(Access::SignedIn, mygov::bookmarks))
        .form("/{lang}/account/applications", get(Access::SignedIn, mygov::applications))
        .form("/{lang}/account/bills", get(Access::SignedIn, mygov::bills))
        .form("/{lang}/account/subscriptions", get(Access::SignedIn, mygov::subscriptions).post(Access::SignedIn, mygov::subscribe))
        .form("/{lang}/account/subscriptions/remove", post(Access::SignedIn, mygov::unsubscribe))
        .form("/{lang}/account/prefill", get(Access::SignedIn, mygov::prefill).post(Access::SignedIn, mygov::save_prefill))
        .form("/{lang}/office/content", get(CONTENT_OFFICERS, office::dashboard))
        .form("/{lang}/office/content/new", get(EDITORS, office::new_form).post(EDITORS, office::create))
        .form("/{lang}/office/content/{id}", get(CONTENT_OFFICERS, office::edit_form).post(EDITORS, office::save).scoped(Scope::Department))
        .form("/{lang}/office/content/{id}/submit", post(EDITORS, office::submit).scoped(Scope::Department))
        .form("/{lang}/office/content/{id}/approve", post(REVIEWERS, office::approve).scoped(Scope::Department))
        .form("/{lang}/office/content/{id}/reject", post(REVIEWERS, office::reject).scoped(Scope::Department))
        .form("/{lang}/office/content/{id}/withdraw", post(REVIEWERS, office::withdraw).scoped(Scope::Department))
        .form("/{lang}/office/content/{id}/versions/{number}", get(CONTENT_OFFICERS, office::version).scoped(Scope::Department))
        .form("/{lang}/feeds/news.atom", get(Access::Public, feeds::news_feed))
        .form("/{lang}/feeds/topics/{slug}", get(Access::Public, feeds::topic_feed))
        .form("/{lang}/feeds/departments/{code}", get(Access::Public, feeds::department_feed))
        .form("/sitemap.xml", get(Access::Public, feeds::sitemap))
        .form("/sitemaps/pages.xml", get(Access::Public, feeds::sitemap_pages))
        .form("/sitemaps/{file}", get(Access::Public, feeds::sitemap_content))
        .form("/manifest.webmanifest", get(Access::Public, feeds::manifest))
        .form("/sw.js", get(Access::Public, feeds::service_worker))
        .form("/static/suggest.js", get(Access::Public, feeds::suggest_script))
        .form("/static/icon.svg", get(Access::Public, feeds::icon))
        .form("/static/pwa.js", get(Access::Public, feeds::pwa_script))
}

/// The catalogue, search, MyGovHK, the app directory and the office's messages.
fn api_routes() -> Declared {
    Declared::new("/api/v1")
        .json("/catalogue", get(Access::Public, api::list))
        .json("/catalogue/{kind}/{slug}", get(Access::Public, api::get))
        .json("/search", get(Access::Public, api::search))
        .json("/search/suggest", get(Access::Public, api::suggest))
        .json("/me/inbox", get(Access::SignedIn, api::my_inbox))
        .json("/me/inbox/{id}/done", put(Access::SignedIn, api::set_done).scoped(Scope::Owner))
        .json("/me/bookmarks", get(Access::SignedIn, api::my_bookmarks))
        .json("/me/bookmarks/{slug}", put(Access::SignedIn, api::add_bookmark).delete(Access::SignedIn, api::remove_bookmark))
        .json("/apps", get(Access::Public, api::apps).post(APP_WRITERS, api::register_app))
        .json("/apps/{slug}/usage", get(Access::Public, api::usage).put(APP_WRITERS, api::report_usage).scoped(Scope::Department))
        .json("/office/messages", post(CASE_OFFICERS, api::send_message))
        .json("/office/bulk-messages", get(CASE_OFFICERS, api::bulk_sends).post(CASE_OFFICERS, api::start_bulk))
        .json("/office/bulk-messages/{id}", get(CASE_OFFICERS, api::bulk_send).scoped(Scope::Department))
        .json("/office/bulk-messages/{id}/cancel", post(CASE_OFFICERS, api::cancel_bulk).scoped(Scope::Department))
        .json("/office/apps", get(APP_OFFICERS, api::office_apps))
        .json("/office/apps/{slug}", put(APP_WRITERS, api::save_app).scoped(Scope::Department))
        .json("/office/apps/{slug}/versions", get(APP_OFFICERS, api::app_versions).scoped(Scope::Department))
        .json("/office/apps/{slug}/submit", post(APP_WRITERS, api::submit_app).scoped(Scope::Department))
        .json("/office/apps/{slug}/approve", post(REVIEWERS, api::approve_app).scoped(Scope::Department))
        .json("/office/apps/{slug}/reject", post(REVIEWERS, api::reject_app).scoped(Scope::Department))
}

/// The portal's paths in the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(
        api::list, api::get, api::search, api::suggest, api::my_inbox, api::set_done, api::my_bookmarks, api::add_bookmark,
        api::remove_bookmark, api::apps, api::register_app, api::office_apps, api::app_versions, api::save_app, api::submit_app,
        api::approve_app, api::reject_app, api::usage, api::report_usage, api::send_message, api::start_bulk, api::bulk_sends,
        api::bulk_send, api::cancel_bulk,
    ),
    tags(
        (name = "portal", description = "The catalogue of services and pages, and search"),
        (name = "apps", description = "The registry of government mobile apps and their use"),
    )
)]
struct PortalApi;

/// Officers who write a department's content.
pub(crate) const EDITORS: Access = Access::Officer(&[Role::ContentEditor]);
/// Officers who review and publish it (a second pair of eyes).
pub(crate) const REVIEWERS: Access = Access::Officer(&[Role::ContentReviewer]);
/// Either.
pub(crate) const CONTENT_OFFICERS: Access = Access::Officer(&[Role::ContentEditor, Role::ContentReviewer]);
/// Officers who register and update a department's apps.
pub(crate) const APP_WRITERS: Access = Access::Officer(&[Role::DepartmentAdmin, Role::ContentEditor]);
/// Officers who see a department's apps and their versions.
pub(crate) const APP_OFFICERS: Access = Access::Officer(&[Role::DepartmentAdmin, Role::ContentEditor, Role::ContentReviewer]);
/// Officers who send people messages and to-dos for their department.
pub(crate) const CASE_OFFICERS: Access = Access::Officer(&[Role::CaseOfficer, Role::DepartmentAdmin]);

/// The departments by id, for labelling items.
pub(crate) struct Directory(Arc<HashMap<DepartmentId, Department>>);

impl Directory {
    /// The departments as this node keeps them (see [`state::Departments`]): read again at most
    /// once a second, and at once after this node changed them.
    pub(crate) async fn load(state: &AppState) -> Result<Directory, tamar_web::WebError> {
        let kept = &state::PortalState::of(state)?.departments;
        // Read before the query: a change made while it runs leaves the copy stale, not kept.
        let generation = state.ledger.public_generation();
        if let Some(departments) = kept.fresh(generation) {
            return Ok(Directory(departments));
        }
        let departments: Arc<HashMap<_, _>> = Arc::new(tamar_tenancy::list(&state.db).await?.into_iter().map(|d| (d.id, d)).collect());
        kept.keep(generation, departments.clone());
        Ok(Directory(departments))
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
    let local = at.with_timezone(&tamar_web::pages::hong_kong());
    match lang {
        Lang::En => local.format("%-d %B %Y").to_string(),
        Lang::Tc | Lang::Sc => local.format("%Y年%-m月%-d日").to_string(),
    }
}
