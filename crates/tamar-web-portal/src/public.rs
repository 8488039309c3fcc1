use askama::Template;
use axum::extract::{OriginalUri, Path, State};
use axum::http::Uri;
use axum::response::Html;
use serde::Deserialize;
use tamar_core::{Code, Lang};
use tamar_portal::catalogue::{self, AUDIENCES, TOPICS};
use tamar_core::PageRequest;
use tamar_portal::content::{self, LiveFilter};
use tamar_portal::facets::{self, Facet};
use tamar_portal::text::render_markdown;
use tamar_portal::{ItemKind, LiveItem};
use tamar_tenancy::Department;

use super::{Card, Directory, card, item_href, kind_label, long_date};
use crate::PortalState;
use tamar_web::extract::{ApiQuery, Session};
use tamar_web::paging::{PageQuery, next_of};
use tamar_web::pages::{PageContext, render};
use tamar_web::{AppState, PublicPage, WebError};

pub(crate) struct Link {
    pub href: String,
    pub label: String,
    pub count: i64,
}

#[derive(Template)]
#[template(path = "portal/home.html")]
struct HomePage {
    page: PageContext,
    popular: Vec<Card>,
    topics: Vec<Link>,
    audiences: Vec<Link>,
    news: Vec<Card>,
    department_count: usize,
}

/// How many items a listing page shows.
const LISTING_PAGE: u32 = 50;

pub async fn home(page: PageContext, State(state): State<AppState>) -> Result<(PublicPage, Html<String>), WebError> {
    // Every figure here is read from what is kept up to date as content changes (counts,
    // "most used"), or is a short indexed range: the page costs the same at any catalogue size.
    let directory = Directory::load(&state).await?;
    let portal = PortalState::of(&state)?;
    let most_used = portal.most_used.get(&state.db, state.ledger.now().date_naive()).await?;
    let live = content::live_by_ids(&state.db, &most_used).await?;
    let page = page.section("home");
    let popular = most_used.iter().filter_map(|id| live.iter().find(|l| l.item.id == *id)).map(|s| card(&page, s, &directory)).collect();
    let topic_counts = facets::counts(&state.db, Facet::Topic).await?;
    let topics = TOPICS
        .iter()
        .map(|t| Link {
            href: page.href(&format!("/topics/{}", t.slug)),
            label: t.name(page.lang).to_owned(),
            count: topic_counts.get(t.slug).copied().unwrap_or(0),
        })
        .collect();
    let audience_counts = facets::counts(&state.db, Facet::Audience).await?;
    let audiences = AUDIENCES
        .iter()
        .map(|a| Link {
            href: page.href(&format!("/audiences/{}", a.slug)),
            label: a.name(page.lang).to_owned(),
            count: audience_counts.get(a.slug).copied().unwrap_or(0),
        })
        .collect();
    let news = content::live_page(&state.db, &LiveFilter::kind(ItemKind::News), &PageRequest::first(5)).await?;
    let news = news.items.iter().map(|n| card(&page, n, &directory)).collect();
    let department_count = directory.0.len();
    Ok((PublicPage, render(&HomePage { page, popular, topics, audiences, news, department_count })?))
}

/// A titled group of cards on a listing page.
pub(crate) struct Section {
    pub heading: String,
    pub cards: Vec<Card>,
}

#[derive(Template)]
#[template(path = "portal/listing.html")]
struct ListingPage {
    page: PageContext,
    caption: String,
    title: String,
    lead: String,
    sections: Vec<Section>,
    feed: Option<String>,
    department: Option<Department>,
    /// The next page of the listing.
    next: Option<String>,
}

/// A page of a listing, its items grouped by kind.
fn sections(page: &PageContext, items: &[LiveItem], directory: &Directory) -> Vec<Section> {
    let mut out = Vec::new();
    for kind in ItemKind::ALL {
        let mut of_kind: Vec<&LiveItem> = items.iter().filter(|i| i.item.kind == kind).collect();
        if kind == ItemKind::Service || kind == ItemKind::Guide {
            of_kind.sort_by_key(|i| i.content.title.get(page.lang).to_lowercase());
        }
        if !of_kind.is_empty() {
            out.push(Section {
                heading: page.t(&format!("kind-{}-plural", kind.as_str())),
                cards: of_kind.into_iter().map(|i| card(page, i, directory)).collect(),
            });
        }
    }
    out
}

/// The page of a listing that the request asks for (`?after=`), newest first.
async fn listing(state: &AppState, filter: &LiveFilter, q: &PageQuery, uri: &Uri) -> Result<(Vec<LiveItem>, Option<String>), WebError> {
    let request = PageRequest { limit: q.limit.unwrap_or(LISTING_PAGE), ..q.request()? };
    let listed = content::live_page(&state.db, filter, &request).await?;
    let next = next_of(&listed, uri);
    Ok((listed.items, next))
}

pub async fn topic(
    page: PageContext,
    State(state): State<AppState>,
    Path((_, slug)): Path<(String, String)>,
    OriginalUri(uri): OriginalUri,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<(PublicPage, Html<String>), WebError> {
    let topic = catalogue::topic(&slug).ok_or_else(|| WebError::new(Code::NOT_FOUND))?;
    let directory = Directory::load(&state).await?;
    let (items, next) = listing(&state, &LiveFilter { topic: Some(topic.slug.to_owned()), ..Default::default() }, &q, &uri).await?;
    let count = facets::count(&state.db, Facet::Topic, topic.slug).await?;
    let page = page.section("topics");
    let sections = sections(&page, &items, &directory);
    let feed = Some(page.href(&format!("/feeds/topics/{}", topic.slug)));
    Ok((
        PublicPage,
        render(&ListingPage {
            caption: page.t("topic-caption"),
            title: topic.name(page.lang).to_owned(),
            lead: page.ta("topic-lead", "count", count.to_string()),
            page,
            sections,
            feed,
            department: None,
            next,
        })?,
    ))
}

pub async fn audience(
    page: PageContext,
    State(state): State<AppState>,
    Path((_, slug)): Path<(String, String)>,
    OriginalUri(uri): OriginalUri,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<(PublicPage, Html<String>), WebError> {
    let audience = catalogue::audience(&slug).ok_or_else(|| WebError::new(Code::NOT_FOUND))?;
    let directory = Directory::load(&state).await?;
    let (items, next) = listing(&state, &LiveFilter { audience: Some(audience.slug.to_owned()), ..Default::default() }, &q, &uri).await?;
    let count = facets::count(&state.db, Facet::Audience, audience.slug).await?;
    let page = page.section("topics");
    let sections = sections(&page, &items, &directory);
    Ok((
        PublicPage,
        render(&ListingPage {
            caption: page.t("audience-caption"),
            title: audience.name(page.lang).to_owned(),
            lead: page.ta("topic-lead", "count", count.to_string()),
            page,
            sections,
            feed: None,
            department: None,
            next,
        })?,
    ))
}

pub async fn department(
    page: PageContext,
    State(state): State<AppState>,
    Path((_, code)): Path<(String, String)>,
    OriginalUri(uri): OriginalUri,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<(PublicPage, Html<String>), WebError> {
    let department = tamar_tenancy::by_code(&state.db, &code).await?;
    let directory = Directory::load(&state).await?;
    let (items, next) = listing(&state, &LiveFilter { department: Some(department.id), ..Default::default() }, &q, &uri).await?;
    let count = facets::count(&state.db, Facet::Department, &department.id.to_string()).await?;
    let page = page.section("departments");
    let sections = sections(&page, &items, &directory);
    let feed = Some(page.href(&format!("/feeds/departments/{}", department.code)));
    Ok((
        PublicPage,
        render(&ListingPage {
            caption: page.t("department-caption"),
            title: department.name.get(page.lang).to_owned(),
            lead: page.ta("topic-lead", "count", count.to_string()),
            page,
            sections,
            feed,
            department: Some(department),
            next,
        })?,
    ))
}

pub async fn news(
    page: PageContext,
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<(PublicPage, Html<String>), WebError> {
    let directory = Directory::load(&state).await?;
    let filter = LiveFilter { kinds: vec![ItemKind::News, ItemKind::Notice], ..Default::default() };
    let (items, next) = listing(&state, &filter, &q, &uri).await?;
    let page = page.section("news");
    let sections = sections(&page, &items, &directory);
    let feed = Some(page.href("/feeds/news.atom"));
    Ok((
        PublicPage,
        render(&ListingPage {
            caption: String::new(),
            title: page.t("news-title"),
            lead: page.t("news-lead"),
            page,
            sections,
            feed,
            department: None,
            next,
        })?,
    ))
}

/// One row of a service's key facts.
pub(crate) struct Fact {
    pub label: String,
    pub value: String,
}

#[derive(Template)]
#[template(path = "portal/item.html")]
struct ItemPage {
    page: PageContext,
    kind: ItemKind,
    kind_label: String,
    title: String,
    summary: String,
    /// Rendered Markdown, made safe by `render_markdown`.
    body_html: String,
    facts: Vec<Fact>,
    eligibility_html: String,
    how_to_apply_html: String,
    online_url: Option<String>,
    department_name: String,
    department_href: String,
    topics: Vec<Link>,
    published: Option<String>,
    updated: Option<String>,
    sc_converted: bool,
    json_ld: Option<String>,
    bookmarked: Option<bool>,
    slug: String,
}

/// The schema.org `GovernmentService` description of a service, as JSON-LD that is safe
/// inside a `<script>` element.
fn government_service(state: &AppState, live: &LiveItem, department: Option<&Department>, lang: Lang) -> Option<String> {
    let service = live.content.service.as_ref()?;
    let url = format!("{}{}", state.config.public_url, item_href(lang, ItemKind::Service, &live.item.slug));
    let mut channels = Vec::new();
    if let Some(online) = &service.online_url {
        channels.push(serde_json::json!({ "@type": "ServiceChannel", "serviceUrl": online, "name": "online" }));
    }
    let value = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "GovernmentService",
        "name": live.content.title.get(lang),
        "description": live.content.summary.get(lang),
        "url": url,
        "inLanguage": lang.bcp47(),
        "serviceType": live.content.topics.iter().filter_map(|t| catalogue::topic(t)).map(|t| t.name(lang)).collect::<Vec<_>>(),
        "audience": live.content.audiences.iter().filter_map(|a| catalogue::audience(a)).map(|a| serde_json::json!({"@type": "Audience", "audienceType": a.name(lang)})).collect::<Vec<_>>(),
        "areaServed": { "@type": "AdministrativeArea", "name": "Hong Kong" },
        "provider": department.map(|d| serde_json::json!({
            "@type": "GovernmentOrganization",
            "name": d.name.get(lang),
            "url": d.website,
        })),
        "availableChannel": channels,
        "termsOfService": service.eligibility.get(lang),
    });
    // `</script>` inside a string must not end the element.
    Some(value.to_string().replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026"))
}

async fn item_page(
    page: PageContext,
    state: &AppState,
    session: Option<Session>,
    kind: ItemKind,
    slug: &str,
) -> Result<Html<String>, WebError> {
    let live = content::live(&state.db, kind, slug).await?;
    let directory = Directory::load(state).await?;
    let lang = page.lang;
    let department = directory.get(live.item.department);
    let c = &live.content;
    let mut facts = Vec::new();
    let (mut eligibility_html, mut how_to_apply_html, mut online_url) = (String::new(), String::new(), None);
    if let Some(s) = &c.service {
        facts.push(Fact { label: page.t("service-fees"), value: s.fees.get(lang).to_owned() });
        facts.push(Fact { label: page.t("service-processing-time"), value: s.processing_time.get(lang).to_owned() });
        facts.push(Fact {
            label: page.t("service-channels"),
            value: s.channels.iter().map(|ch| page.t(&format!("channel-{}", ch.as_str()))).collect::<Vec<_>>().join(page.t("list-separator").as_str()),
        });
        eligibility_html = render_markdown(s.eligibility.get(lang));
        how_to_apply_html = render_markdown(s.how_to_apply.get(lang));
        online_url = s.online_url.clone();
    }
    let topics = c
        .topics
        .iter()
        .filter_map(|t| catalogue::topic(t))
        .map(|t| Link { href: page.href(&format!("/topics/{}", t.slug)), label: t.name(lang).to_owned(), count: 0 })
        .collect();
    let bookmarked = match session.as_ref().and_then(|s| s.account.as_ref()) {
        Some(account) if kind == ItemKind::Service => Some(tamar_portal::mygov::is_bookmarked(&state.db, account.id, live.item.id).await?),
        _ => None,
    };
    let json_ld = government_service(state, &live, department, lang);
    let template = ItemPage {
        kind,
        kind_label: kind_label(&page, kind),
        title: c.title.get(lang).to_owned(),
        summary: c.summary.get(lang).to_owned(),
        body_html: render_markdown(c.body.get(lang)),
        facts,
        eligibility_html,
        how_to_apply_html,
        online_url,
        department_name: directory.name(live.item.department, lang),
        department_href: page.href(&format!("/departments/{}", directory.code(live.item.department))),
        topics,
        published: live.item.first_published_at.map(|d| long_date(lang, d)),
        updated: live.item.live_at.map(|d| long_date(lang, d)),
        sc_converted: lang == Lang::Sc && c.sc_converted,
        json_ld,
        bookmarked,
        slug: live.item.slug.clone(),
        page: page.section("topics"),
    };
    render(&template)
}

/// Pages that show a bookmark button differ for signed-in people; they are cached only for
/// anonymous visitors (the cache never serves requests that carry a session).
pub async fn service(
    page: PageContext,
    State(state): State<AppState>,
    session: Option<axum::Extension<Session>>,
    Path((_, slug)): Path<(String, String)>,
) -> Result<(PublicPage, Html<String>), WebError> {
    let session = session.map(|s| s.0).filter(|s| s.account.is_some());
    Ok((PublicPage, item_page(page, &state, session, ItemKind::Service, &slug).await?))
}

pub async fn guide(page: PageContext, State(state): State<AppState>, Path((_, slug)): Path<(String, String)>) -> Result<(PublicPage, Html<String>), WebError> {
    Ok((PublicPage, item_page(page, &state, None, ItemKind::Guide, &slug).await?))
}

pub async fn news_item(page: PageContext, State(state): State<AppState>, Path((_, slug)): Path<(String, String)>) -> Result<(PublicPage, Html<String>), WebError> {
    Ok((PublicPage, item_page(page, &state, None, ItemKind::News, &slug).await?))
}

pub async fn notice(page: PageContext, State(state): State<AppState>, Path((_, slug)): Path<(String, String)>) -> Result<(PublicPage, Html<String>), WebError> {
    Ok((PublicPage, item_page(page, &state, None, ItemKind::Notice, &slug).await?))
}

#[derive(Deserialize, Default)]
pub struct SearchForm {
    #[serde(default)]
    q: String,
    #[serde(default, rename = "type")]
    kind: Vec<String>,
    #[serde(default)]
    topic: Vec<String>,
    #[serde(default)]
    department: Vec<String>,
    #[serde(default)]
    audience: Vec<String>,
    #[serde(default)]
    page: Option<usize>,
}

pub(crate) struct FacetOption {
    pub value: String,
    pub label: String,
    pub count: u64,
    pub checked: bool,
}

pub(crate) struct FacetGroup {
    pub name: &'static str,
    pub legend: String,
    pub options: Vec<FacetOption>,
}

pub(crate) struct ResultView {
    pub href: String,
    /// Highlighted by the search engine: content escaped, matches in `<mark>`.
    pub title_html: String,
    pub summary_html: String,
    pub kind: String,
    pub department: String,
}

#[derive(Template)]
#[template(path = "portal/search.html")]
struct SearchPage {
    page: PageContext,
    q: String,
    total: usize,
    results: Vec<ResultView>,
    facets: Vec<FacetGroup>,
    previous: Option<String>,
    next: Option<String>,
    searched: bool,
    /// How many filters are chosen: the filters start open when there are any.
    chosen: usize,
}

pub async fn search(
    page: PageContext,
    State(state): State<AppState>,
    tamar_web::extract::FormQuery(form): tamar_web::extract::FormQuery<SearchForm>,
) -> Result<Html<String>, WebError> {
    let filters = tamar_search::Filters { kinds: form.kind, topics: form.topic, departments: form.department, audiences: form.audience };
    let mut request = tamar_search::SearchRequest::page(&form.q, page.lang, filters, form.page)?;
    let directory = Directory::load(&state).await?;
    // A topic, audience or department that the portal does not have is no filter on the page.
    request.topics.retain(|t| catalogue::topic(t).is_some());
    request.audiences.retain(|a| catalogue::audience(a).is_some());
    request.departments.retain(|d| directory.0.values().any(|x| &x.code == d));
    let searched = request.has_criteria();
    let found = if searched { crate::api::run_search(&state, request.clone()).await? } else { tamar_search::SearchResults::default() };
    let lang = page.lang;
    let by_code: std::collections::HashMap<&str, &Department> = directory.0.values().map(|d| (d.code.as_str(), d)).collect();
    let results = found
        .hits
        .iter()
        .filter_map(|hit| {
            let (kind, slug) = tamar_portal::search_docs::parse_search_key(&hit.key)?;
            Some(ResultView {
                href: item_href(lang, kind, slug),
                title_html: hit.title_html.clone(),
                summary_html: hit.summary_html.clone(),
                kind: kind_label(&page, kind),
                department: by_code.get(hit.department.as_str()).map(|d| d.name.get(lang).to_owned()).unwrap_or_default(),
            })
        })
        .collect();
    let option = |_field: &str, value: &str, label: String, count: u64, chosen: &[String]| FacetOption {
        value: value.to_owned(),
        label,
        count,
        checked: chosen.iter().any(|c| c == value),
    };
    let facets = vec![
        FacetGroup {
            name: "type",
            legend: page.t("search-facet-type"),
            options: found.facets.kinds.iter().filter_map(|(k, n)| ItemKind::parse(k).map(|kind| option("type", k, page.t(&format!("kind-{}-plural", kind.as_str())), *n, &request.kinds))).collect(),
        },
        FacetGroup {
            name: "topic",
            legend: page.t("search-facet-topic"),
            options: found.facets.topics.iter().filter_map(|(t, n)| catalogue::topic(t).map(|topic| option("topic", t, topic.name(lang).to_owned(), *n, &request.topics))).collect(),
        },
        FacetGroup {
            name: "department",
            legend: page.t("search-facet-department"),
            options: found.facets.departments.iter().filter_map(|(d, n)| by_code.get(d.as_str()).map(|dep| option("department", d, dep.name.get(lang).to_owned(), *n, &request.departments))).collect(),
        },
        FacetGroup {
            name: "audience",
            legend: page.t("search-facet-audience"),
            options: found.facets.audiences.iter().filter_map(|(a, n)| catalogue::audience(a).map(|aud| option("audience", a, aud.name(lang).to_owned(), *n, &request.audiences))).collect(),
        },
    ];
    let link_to = |p: usize| {
        let mut pairs: Vec<(&str, String)> = vec![("q", form.q.clone())];
        pairs.extend(request.kinds.iter().map(|v| ("type", v.clone())));
        pairs.extend(request.topics.iter().map(|v| ("topic", v.clone())));
        pairs.extend(request.departments.iter().map(|v| ("department", v.clone())));
        pairs.extend(request.audiences.iter().map(|v| ("audience", v.clone())));
        pairs.push(("page", p.to_string()));
        format!("{}?{}", page.href("/search"), serde_urlencoded::to_string(&pairs).unwrap_or_default())
    };
    let previous = request.previous_page().map(link_to);
    let next = request.next_page(found.total).map(link_to);
    let chosen = facets.iter().flat_map(|group| &group.options).filter(|option| option.checked).count();
    render(&SearchPage { page: page.section("search"), q: form.q, total: found.total, results, facets, previous, next, searched, chosen })
}

pub(crate) struct AppView {
    pub name: String,
    pub summary: String,
    pub department: String,
    pub ios_url: Option<String>,
    pub android_url: Option<String>,
    pub downloads: i64,
    pub active_users: i64,
}

#[derive(Template)]
#[template(path = "portal/apps.html")]
struct AppsPage {
    page: PageContext,
    apps: Vec<AppView>,
}

pub async fn apps(page: PageContext, State(state): State<AppState>) -> Result<(PublicPage, Html<String>), WebError> {
    let directory = Directory::load(&state).await?;
    let lang = page.lang;
    let apps = tamar_portal::apps::list(&state.db)
        .await?
        .into_iter()
        .map(|a| AppView {
            name: a.name.get(lang).to_owned(),
            summary: a.summary.get(lang).to_owned(),
            department: directory.name(a.department, lang),
            ios_url: a.ios_url,
            android_url: a.android_url,
            downloads: a.downloads,
            active_users: a.active_users,
        })
        .collect();
    Ok((PublicPage, render(&AppsPage { page: page.section("apps"), apps })?))
}

#[derive(Template)]
#[template(path = "portal/offline.html")]
struct OfflinePage {
    page: PageContext,
}

pub async fn offline(page: PageContext) -> Result<(PublicPage, Html<String>), WebError> {
    Ok((PublicPage, render(&OfflinePage { page })?))
}

