#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{Duration, NaiveDate};
use tamar_core::{AccountId, Actor, DepartmentId, Lang, LocalizedText, PageRequest, Role, SystemClock};
use tamar_ledger::{Ledger, SigningKey};
use tamar_portal::content::{self, LiveFilter};
use tamar_portal::inbox::{self, MessageKind, NewMessage};
use tamar_portal::mygov::{self, SubscriptionTarget};
use tamar_portal::{ContentInput, ItemKind, NewItem, PortalError, ServiceInput, TextInput, VersionState, apps, diff, feed, visits};
use tamar_store::{Db, Migrator, store_test};
use tamar_tenancy::NewDepartment;

#[path = "it/feeding.rs"]
mod feeding;
#[path = "it/review.rs"]
mod review;
#[path = "it/listings.rs"]
mod listings;
#[path = "it/bulk.rs"]
mod bulk;

struct World {
    ledger: Ledger,
    td: DepartmentId,
    editor: Actor,
    reviewer: Actor,
    other_dept_reviewer: Actor,
    citizen: Actor,
}

async fn setup(db: &Db) -> World {
    Migrator::new(db, &[tamar_ledger::MIGRATIONS, tamar_tenancy::MIGRATIONS, tamar_identity::MIGRATIONS, tamar_portal::MIGRATIONS]).run().await.unwrap();
    let ledger = Ledger::start(db.clone(), SigningKey::from_bytes(&[3u8; 32]), Arc::new(SystemClock));
    let mut ids = Vec::new();
    for (code, en, tc) in [("TD", "Transport Department", "運輸署"), ("IRD", "Inland Revenue Department", "稅務局")] {
        let d = tamar_tenancy::create(
            db,
            &ledger,
            &Actor::System,
            NewDepartment { code: code.into(), name: LocalizedText::new(en, tc, tc), website: None },
        )
        .await
        .unwrap();
        ids.push(d.id);
    }
    let officer = |department, roles: Vec<Role>| Actor::Officer { account: AccountId::new(), department, roles };
    World {
        td: ids[0],
        editor: officer(ids[0], vec![Role::ContentEditor]),
        reviewer: officer(ids[0], vec![Role::ContentReviewer]),
        other_dept_reviewer: officer(ids[1], vec![Role::ContentReviewer, Role::ContentEditor]),
        citizen: Actor::Citizen { account: AccountId::new() },
        ledger,
    }
}

fn t(en: &str, tc: &str) -> TextInput {
    TextInput::new(en, tc)
}

fn vehicle_licence() -> NewItem {
    NewItem {
        kind: ItemKind::Service,
        slug: "renew-vehicle-licence".into(),
        content: ContentInput {
            title: t("Renew a vehicle licence", "續領車輛牌照"),
            summary: t("Renew your vehicle licence online before it expires.", "在車輛牌照到期前於網上續領。"),
            body: TextInput::default(),
            service: Some(ServiceInput {
                eligibility: t("Registered owners of a licensed vehicle.", "已領牌車輛的登記車主。"),
                fees: t("From HK$ 1,000 a year for a private car.", "私家車每年港幣 1,000 元起。"),
                how_to_apply: t("1. Buy third-party insurance.\n2. Apply online.", "1. 購買第三者保險。\n2. 網上申請。"),
                processing_time: t("Immediately online.", "網上即時辦理。"),
                channels: vec![tamar_portal::Channel::Online, tamar_portal::Channel::Post],
                online_url: Some("https://www.td.gov.hk/en/public_services/licences_and_permits/".into()),
                eservice: None,
            }),
            topics: vec!["transport".into()],
            audiences: vec!["residents".into(), "business".into()],
        },
    }
}

store_test!(the_workflow_needs_a_second_officer_and_keeps_every_version, |db| async move {
    let w = setup(&db).await;
    let (item, v1) = content::create(&db, &w.ledger, &w.editor, w.td, vehicle_licence()).await?;
    assert_eq!(v1.state, VersionState::Draft);
    // Simplified Chinese is converted from Traditional, and marked so.
    assert_eq!(v1.content.title.sc, "续领车辆牌照");
    assert!(v1.content.sc_converted);
    // Not live yet.
    assert!(matches!(content::live(&db, ItemKind::Service, "renew-vehicle-licence").await, Err(PortalError::NotFound)));
    // A reviewer cannot approve a draft that was not submitted.
    assert!(matches!(content::approve(&db, &w.ledger, &w.reviewer, item.id, None).await, Err(PortalError::WrongState)));
    content::submit(&db, &w.ledger, &w.editor, item.id).await?;
    // The author cannot approve their own work, even holding the reviewer role.
    let Actor::Officer { account, .. } = &w.editor else { unreachable!() };
    let author_as_reviewer = Actor::Officer { account: *account, department: w.td, roles: vec![Role::ContentReviewer] };
    assert!(matches!(content::approve(&db, &w.ledger, &author_as_reviewer, item.id, None).await, Err(PortalError::OwnWork)));
    // Another department's reviewer may not touch it; nor may an editor approve.
    assert!(matches!(content::approve(&db, &w.ledger, &w.other_dept_reviewer, item.id, None).await, Err(PortalError::Forbidden)));
    assert!(matches!(content::approve(&db, &w.ledger, &w.editor, item.id, None).await, Err(PortalError::Forbidden)));
    // Editing while under review is refused.
    assert!(matches!(
        content::save_draft(&db, &w.ledger, &w.editor, item.id, vehicle_licence().content).await,
        Err(PortalError::WrongState)
    ));
    let published = content::approve(&db, &w.ledger, &w.reviewer, item.id, None).await?;
    assert_eq!(published.state, VersionState::Published);
    let live = content::live(&db, ItemKind::Service, "renew-vehicle-licence").await?;
    assert_eq!(live.version, 1);

    // A change after publication is a new version; the public still sees version 1.
    let mut input = vehicle_licence().content;
    input.summary = t("Renew your vehicle licence online, by post or in person.", "可於網上、郵寄或親身續領車輛牌照。");
    input.summary.sc = Some("可于网上、邮寄或亲身续领车辆牌照。".into());
    let v2 = content::save_draft(&db, &w.ledger, &w.editor, item.id, input).await?;
    assert_eq!(v2.number, 2);
    assert_eq!(content::live(&db, ItemKind::Service, "renew-vehicle-licence").await?.version, 1);
    let changes = diff::diff(&v1.content, &v2.content);
    let summary_en = changes.iter().find(|d| d.field == "summary" && d.lang == "en").unwrap();
    assert!(summary_en.lines.iter().any(|l| l.change == diff::LineChange::Removed && l.text.contains("before it expires")));
    assert!(summary_en.lines.iter().any(|l| l.change == diff::LineChange::Added && l.text.contains("by post")));
    assert!(changes.iter().all(|d| d.field != "title"), "unchanged fields are not in the diff");

    // Rejected with a note, fixed, resubmitted, approved: version 1 is superseded.
    content::submit(&db, &w.ledger, &w.editor, item.id).await?;
    let back = content::reject(&db, &w.ledger, &w.reviewer, item.id, "Please add the fee table.").await?;
    assert_eq!(back.state, VersionState::Draft);
    assert_eq!(back.review_note.as_deref(), Some("Please add the fee table."));
    content::submit(&db, &w.ledger, &w.editor, item.id).await?;
    content::approve(&db, &w.ledger, &w.reviewer, item.id, None).await?;
    let all = content::versions(&db, item.id).await?;
    assert_eq!(all.iter().map(|v| (v.number, v.state)).collect::<Vec<_>>(), vec![(2, VersionState::Published), (1, VersionState::Superseded)]);
    let live = content::live(&db, ItemKind::Service, "renew-vehicle-licence").await?;
    assert_eq!((live.version, live.content.summary.sc.as_str()), (2, "可于网上、邮寄或亲身续领车辆牌照。"));

    // Withdrawn: off the portal, in the feed.
    content::withdraw(&db, &w.ledger, &w.reviewer, item.id).await?;
    assert!(matches!(content::live(&db, ItemKind::Service, "renew-vehicle-licence").await, Err(PortalError::NotFound)));
    let changes = feed::changes_after(&db, 0, 100).await?;
    assert_eq!(changes.iter().map(|c| (c.kind, c.version)).collect::<Vec<_>>(), vec![
        (feed::ChangeKind::Publish, 1),
        (feed::ChangeKind::Publish, 2),
        (feed::ChangeKind::Withdraw, 2)
    ]);
    assert_eq!(feed::last_seq(&db).await?, changes.last().unwrap().seq);
    Ok::<(), PortalError>(())
});

store_test!(scheduled_versions_go_live_when_due, |db| async move {
    let w = setup(&db).await;
    let (item, _) = content::create(&db, &w.ledger, &w.editor, w.td, vehicle_licence()).await?;
    content::submit(&db, &w.ledger, &w.editor, item.id).await?;
    let at = w.ledger.now() + Duration::milliseconds(300);
    let scheduled = content::approve(&db, &w.ledger, &w.reviewer, item.id, Some(at)).await?;
    assert_eq!(scheduled.state, VersionState::Scheduled);
    assert_eq!(content::publish_due(&db, &w.ledger).await?, 0);
    assert!(content::live(&db, ItemKind::Service, "renew-vehicle-licence").await.is_err());
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(content::publish_due(&db, &w.ledger).await?, 1);
    assert_eq!(content::publish_due(&db, &w.ledger).await?, 0);
    assert_eq!(content::live(&db, ItemKind::Service, "renew-vehicle-licence").await?.version, 1);
    Ok::<(), PortalError>(())
});

store_test!(bad_input_is_refused_and_changes_nothing, |db| async move {
    let w = setup(&db).await;
    let mut bad = vehicle_licence();
    bad.slug = "Renew Licence".into();
    assert!(matches!(content::create(&db, &w.ledger, &w.editor, w.td, bad).await, Err(PortalError::Invalid { field: "slug", .. })));
    let mut bad = vehicle_licence();
    bad.content.topics = vec!["astrology".into()];
    assert!(matches!(content::create(&db, &w.ledger, &w.editor, w.td, bad).await, Err(PortalError::Invalid { field: "topics", .. })));
    let mut bad = vehicle_licence();
    bad.content.title.tc = String::new();
    assert!(matches!(content::create(&db, &w.ledger, &w.editor, w.td, bad).await, Err(PortalError::Invalid { field: "title", .. })));
    let mut bad = vehicle_licence();
    bad.kind = ItemKind::News;
    assert!(matches!(content::create(&db, &w.ledger, &w.editor, w.td, bad).await, Err(PortalError::Invalid { .. })));
    // A citizen or another department's editor cannot create content for TD.
    assert!(matches!(content::create(&db, &w.ledger, &w.citizen, w.td, vehicle_licence()).await, Err(PortalError::Forbidden)));
    assert!(matches!(content::create(&db, &w.ledger, &w.other_dept_reviewer, w.td, vehicle_licence()).await, Err(PortalError::Forbidden)));
    content::create(&db, &w.ledger, &w.editor, w.td, vehicle_licence()).await?;
    assert!(matches!(content::create(&db, &w.ledger, &w.editor, w.td, vehicle_licence()).await, Err(PortalError::SlugTaken(_))));
    assert_eq!(content::department_items(&db, &w.editor, w.td, &PageRequest::default()).await?.items.len(), 1);
    assert!(matches!(content::department_items(&db, &w.other_dept_reviewer, w.td, &PageRequest::default()).await, Err(PortalError::Forbidden)));
    Ok::<(), PortalError>(())
});

store_test!(imported_items_are_live_and_listed, |db| async move {
    let w = setup(&db).await;
    let at = w.ledger.now() - Duration::days(3);
    let item = content::import_published(&db, &w.ledger, w.td, vehicle_licence(), at).await?;
    let listed = content::live_page(&db, &LiveFilter::kind(ItemKind::Service), &PageRequest::default()).await?.items;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].item.id, item.id);
    assert_eq!(listed[0].item.first_published_at.map(|d| d.timestamp()), Some(at.timestamp()));
    assert!(content::live_page(&db, &LiveFilter::kind(ItemKind::News), &PageRequest::default()).await?.items.is_empty());
    let mut day = HashMap::new();
    day.insert(item.id, 5);
    let today = w.ledger.now().date_naive();
    visits::add(&db, today, &day).await?;
    visits::add(&db, today, &day).await?;
    assert_eq!(visits::since(&db, today).await?.get(&item.id), Some(&10));
    Ok::<(), PortalError>(())
});

store_test!(a_person_keeps_inbox_bookmarks_and_subscriptions, |db| async move {
    let w = setup(&db).await;
    let Actor::Citizen { account: me } = w.citizen else { unreachable!() };
    let case_officer = Actor::Officer { account: AccountId::new(), department: w.td, roles: vec![Role::CaseOfficer] };
    let todo = NewMessage {
        to: me,
        kind: MessageKind::Todo,
        subject: t("Your vehicle licence expires soon", "你的車輛牌照即將到期"),
        body: t("Renew it by 31 December.", "請於12月31日前續領。"),
        due_on: Some(NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()),
    };
    // Only the department's officers send in its name; a to-do needs a due date.
    assert!(matches!(inbox::send(&db, &w.ledger, &w.citizen, w.td, todo.clone()).await, Err(PortalError::Forbidden)));
    assert!(matches!(inbox::send(&db, &w.ledger, &w.editor, w.td, todo.clone()).await, Err(PortalError::Forbidden)));
    let no_date = NewMessage { due_on: None, ..todo.clone() };
    assert!(matches!(inbox::send(&db, &w.ledger, &case_officer, w.td, no_date).await, Err(PortalError::Invalid { .. })));
    let sent = inbox::send(&db, &w.ledger, &case_officer, w.td, todo).await?;
    assert_eq!(sent.subject.sc, "你的车辆牌照即将到期");
    assert_eq!(inbox::unread(&db, me).await?, 1);
    // Someone else cannot open or complete it.
    let stranger = Actor::Citizen { account: AccountId::new() };
    assert!(matches!(inbox::open(&db, AccountId::new(), sent.id, w.ledger.now()).await, Err(PortalError::NotFound)));
    assert!(matches!(inbox::set_done(&db, &w.ledger, &stranger, sent.id, true).await, Err(PortalError::NotFound)));
    assert!(inbox::open(&db, me, sent.id, w.ledger.now()).await?.read_at.is_some());
    inbox::set_done(&db, &w.ledger, &w.citizen, sent.id, true).await?;
    assert_eq!(inbox::unread(&db, me).await?, 0);
    inbox::hide(&db, &w.ledger, &w.citizen, sent.id).await?;
    assert!(inbox::list(&db, me, &tamar_core::PageRequest::default()).await?.items.is_empty());

    let item = content::import_published(&db, &w.ledger, w.td, vehicle_licence(), w.ledger.now()).await?;
    mygov::add_bookmark(&db, &w.ledger, &w.citizen, item.id).await?;
    mygov::add_bookmark(&db, &w.ledger, &w.citizen, item.id).await?;
    assert_eq!(mygov::bookmarks(&db, me, &tamar_core::PageRequest::default()).await?.items.len(), 1);
    assert!(mygov::is_bookmarked(&db, me, item.id).await?);
    assert!(matches!(mygov::add_bookmark(&db, &w.ledger, &Actor::Anonymous, item.id).await, Err(PortalError::Forbidden)));
    mygov::remove_bookmark(&db, &w.ledger, &w.citizen, item.id).await?;
    assert!(mygov::bookmarks(&db, me, &tamar_core::PageRequest::default()).await?.items.is_empty());

    mygov::subscribe(&db, &w.ledger, &w.citizen, SubscriptionTarget::Topic("transport".into()), Lang::Tc).await?;
    mygov::subscribe(&db, &w.ledger, &w.citizen, SubscriptionTarget::Department(w.td), Lang::Tc).await?;
    assert!(matches!(
        mygov::subscribe(&db, &w.ledger, &w.citizen, SubscriptionTarget::Topic("astrology".into()), Lang::Tc).await,
        Err(PortalError::Invalid { .. })
    ));
    assert_eq!(mygov::subscriptions(&db, me).await?.len(), 2);
    let who = mygov::subscribers(&db, &[SubscriptionTarget::Topic("transport".into()), SubscriptionTarget::Department(w.td)]).await?;
    assert_eq!(who, vec![(me, Lang::Tc)], "one email per person, however many subscriptions match");
    mygov::unsubscribe(&db, &w.ledger, &w.citizen, &SubscriptionTarget::Department(w.td)).await?;
    assert_eq!(mygov::subscriptions(&db, me).await?.len(), 1);

    Ok::<(), PortalError>(())
});

store_test!(prefill_settings_move_to_identity_with_what_people_chose, |db| async move {
    use tamar_identity::prefill::{self, PrefillField};
    // A database from before the move: the portal kept the settings.
    let before: Vec<&[tamar_store::Migration]> = vec![tamar_ledger::MIGRATIONS, tamar_tenancy::MIGRATIONS, &tamar_identity::MIGRATIONS[..6], &tamar_portal::MIGRATIONS[..1]];
    Migrator::new(&db, &before).run().await.unwrap();
    let me = AccountId::new();
    db.execute_sql(&format!("INSERT INTO portal_prefill (account_id, fields, updated_at) VALUES ('{me}', 'name,hkid', 1)")).await.unwrap();
    let applied = Migrator::new(&db, &[tamar_ledger::MIGRATIONS, tamar_tenancy::MIGRATIONS, tamar_identity::MIGRATIONS, tamar_portal::MIGRATIONS]).run().await.unwrap();
    assert_eq!(applied, vec!["identity_0007_sign_in_challenges", "identity_0008_account_lang", "identity_0009_prefill", "portal_0002_review", "portal_0003_prefill_to_identity", "portal_0004_listings", "portal_0005_bulk_sends"]);
    assert_eq!(prefill::prefill(&db, me).await.unwrap(), [PrefillField::Name, PrefillField::Hkid].into_iter().collect::<BTreeSet<_>>());
    assert!(db.execute_sql("SELECT 1 FROM portal_prefill").await.is_err(), "the old table is gone");
    Ok::<(), PortalError>(())
});

store_test!(departments_register_apps_and_report_their_use, |db| async move {
    let w = setup(&db).await;
    let new = apps::NewApp {
        slug: "hkemobility".into(),
        name: t("HKeMobility", "香港出行易"),
        summary: t("Journey planning and traffic news.", "行程規劃及交通消息。"),
        ios_url: Some("https://apps.apple.com/hk/app/hkemobility/id1435603345".into()),
        android_url: None,
    };
    assert!(matches!(apps::register(&db, &w.ledger, &w.citizen, w.td, new.clone()).await, Err(PortalError::Forbidden)));
    apps::register(&db, &w.ledger, &w.editor, w.td, new).await?;
    apps::submit(&db, &w.ledger, &w.editor, "hkemobility").await?;
    apps::approve(&db, &w.ledger, &w.reviewer, "hkemobility").await?;
    let d1 = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    let d2 = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
    apps::report_usage(&db, &w.ledger, &w.editor, "hkemobility", apps::UsageReport { day: d1, downloads: 120, active_users: 900 }).await?;
    apps::report_usage(&db, &w.ledger, &w.editor, "hkemobility", apps::UsageReport { day: d2, downloads: 80, active_users: 950 }).await?;
    // Reporting a day again replaces it.
    apps::report_usage(&db, &w.ledger, &w.editor, "hkemobility", apps::UsageReport { day: d2, downloads: 85, active_users: 960 }).await?;
    assert!(matches!(
        apps::report_usage(&db, &w.ledger, &w.other_dept_reviewer, "hkemobility", apps::UsageReport { day: d2, downloads: 1, active_users: 1 }).await,
        Err(PortalError::Forbidden)
    ));
    let listed = apps::list(&db).await?;
    assert_eq!((listed[0].downloads, listed[0].active_users), (205, 960));
    assert_eq!(apps::usage(&db, "hkemobility").await?.len(), 2);
    Ok::<(), PortalError>(())
});
