//! What the portal API answers (see `tamar_web::views`).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use tamar_core::{AccountId, DepartmentId, LocalizedText};
use tamar_portal::apps::{AppVersion, MobileApp, UsageReport};
use tamar_portal::catalogue::Channel;
use tamar_portal::content::{Content, ServiceDetails, VersionState};
use tamar_portal::bulk::{BulkSend, BulkSendId, BulkStatus};
use tamar_portal::inbox::{Message, MessageId, MessageKind};
use tamar_web::views::View;

/// The service-specific part of a service entry.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ServiceView {
    pub eligibility: LocalizedText,
    pub fees: LocalizedText,
    /// Markdown.
    pub how_to_apply: LocalizedText,
    pub processing_time: LocalizedText,
    pub channels: Vec<Channel>,
    pub online_url: Option<String>,
    /// The code of a Tamar e-service that delivers it.
    pub eservice: Option<String>,
}

impl From<ServiceDetails> for ServiceView {
    fn from(s: ServiceDetails) -> Self {
        ServiceView {
            eligibility: s.eligibility,
            fees: s.fees,
            how_to_apply: s.how_to_apply,
            processing_time: s.processing_time,
            channels: s.channels,
            online_url: s.online_url,
            eservice: s.eservice,
        }
    }
}

/// A published version's content, in the three languages.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ContentView {
    pub title: LocalizedText,
    pub summary: LocalizedText,
    /// Markdown.
    pub body: LocalizedText,
    pub service: Option<ServiceView>,
    pub topics: Vec<String>,
    pub audiences: Vec<String>,
    /// Whether some Simplified Chinese text was converted from the Traditional, rather than
    /// written by hand. The Traditional Chinese text prevails.
    pub sc_converted: bool,
}

impl From<Content> for ContentView {
    fn from(c: Content) -> Self {
        ContentView {
            title: c.title,
            summary: c.summary,
            body: c.body,
            service: c.service.map(ServiceView::from),
            topics: c.topics,
            audiences: c.audiences,
            sc_converted: c.sc_converted,
        }
    }
}

/// A department's message to many people, and how far its delivery has come.
#[derive(Serialize, utoipa::ToSchema)]
pub struct BulkSendView {
    pub id: BulkSendId,
    /// `everyone`, or `subscribers:topic:<slug>` or `subscribers:department:<id>`.
    pub audience: String,
    pub kind: MessageKind,
    pub subject: LocalizedText,
    pub body: LocalizedText,
    pub due_on: Option<NaiveDate>,
    /// Messages a second at most.
    pub rate: u32,
    pub status: BulkStatus,
    /// Messages delivered so far.
    pub sent: u64,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl View for BulkSendView {
    const PERSONAL: &'static [&'static str] = &[];
}

impl From<BulkSend> for BulkSendView {
    fn from(s: BulkSend) -> Self {
        BulkSendView {
            id: s.id,
            audience: s.audience.key(),
            kind: s.kind,
            subject: s.subject,
            body: s.body,
            due_on: s.due_on,
            rate: s.rate,
            status: s.status,
            sent: s.sent,
            created_at: s.created_at,
            finished_at: s.finished_at,
        }
    }
}

/// A message or a to-do in a person's inbox.
#[derive(Serialize, utoipa::ToSchema)]
pub struct MessageView {
    pub id: MessageId,
    pub kind: MessageKind,
    /// The department that sent it.
    pub department: DepartmentId,
    pub subject: LocalizedText,
    pub body: LocalizedText,
    /// For to-dos: the day it must be done by (Hong Kong time).
    pub due_on: Option<NaiveDate>,
    pub sent_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
    pub done_at: Option<DateTime<Utc>>,
}

impl View for MessageView {
    const PERSONAL: &'static [&'static str] = &[];
}

impl From<Message> for MessageView {
    fn from(m: Message) -> Self {
        MessageView {
            id: m.id,
            kind: m.kind,
            department: m.department,
            subject: m.subject,
            body: m.body,
            due_on: m.due_on,
            sent_at: m.sent_at,
            read_at: m.read_at,
            done_at: m.done_at,
        }
    }
}

/// A published government mobile app.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AppView {
    pub slug: String,
    pub department: DepartmentId,
    pub department_code: String,
    pub name: LocalizedText,
    pub summary: LocalizedText,
    pub ios_url: Option<String>,
    pub android_url: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Downloads reported, all days summed.
    pub downloads: i64,
    /// Active users on the latest reported day.
    pub active_users: i64,
}

impl View for AppView {
    const PERSONAL: &'static [&'static str] = &[];
}

impl AppView {
    pub fn new(app: MobileApp, department_code: String) -> Self {
        AppView {
            slug: app.slug,
            department: app.department,
            department_code,
            name: app.name,
            summary: app.summary,
            ios_url: app.ios_url,
            android_url: app.android_url,
            created_at: app.created_at,
            downloads: app.downloads,
            active_users: app.active_users,
        }
    }
}

/// One version of an app's entry, as its department's officers work on it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AppVersionView {
    pub slug: String,
    pub number: i32,
    pub state: VersionState,
    pub department: DepartmentId,
    pub name: LocalizedText,
    pub summary: LocalizedText,
    pub ios_url: Option<String>,
    pub android_url: Option<String>,
    /// The officer who saved it last.
    pub author: Option<AccountId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The officer who approved or rejected it.
    pub reviewer: Option<AccountId>,
    pub review_note: Option<String>,
}

impl View for AppVersionView {
    /// Which officers wrote and reviewed it, for their colleagues in the department.
    const PERSONAL: &'static [&'static str] = &["author", "reviewer"];
}

impl From<AppVersion> for AppVersionView {
    fn from(v: AppVersion) -> Self {
        AppVersionView {
            slug: v.slug,
            number: v.number,
            state: v.state,
            department: v.department,
            name: v.name,
            summary: v.summary,
            ios_url: v.ios_url,
            android_url: v.android_url,
            author: v.author,
            created_at: v.created_at,
            updated_at: v.updated_at,
            reviewer: v.reviewer,
            review_note: v.review_note,
        }
    }
}

/// One day's figures for an app.
#[derive(Serialize, utoipa::ToSchema)]
pub struct UsageView {
    pub day: NaiveDate,
    pub downloads: i64,
    pub active_users: i64,
}

impl View for UsageView {
    const PERSONAL: &'static [&'static str] = &[];
}

impl From<UsageReport> for UsageView {
    fn from(u: UsageReport) -> Self {
        UsageView { day: u.day, downloads: u.downloads, active_users: u.active_users }
    }
}

