//! Four eyes: what the public sees changes only when a second officer, who saved none of the
//! revisions since the last publication, approves it; for the catalogue and the app directory.

use super::*;

fn hkemobility() -> apps::NewApp {
    apps::NewApp {
        slug: "hkemobility".into(),
        name: t("HKeMobility", "香港出行易"),
        summary: t("Journey planning and traffic news.", "行程規劃及交通消息。"),
        ios_url: Some("https://apps.apple.com/hk/app/hkemobility/id1435603345".into()),
        android_url: None,
    }
}

fn edit(name: &str) -> apps::AppInput {
    apps::AppInput {
        name: t(name, "香港出行易"),
        summary: t("Journey planning and traffic news.", "行程規劃及交通消息。"),
        ios_url: Some("https://apps.apple.com/hk/app/evil/id1".into()),
        android_url: None,
    }
}

/// An officer of TD with both roles, and another with both.
fn editor_reviewers(w: &World) -> (Actor, Actor) {
    let both = || Actor::Officer { account: AccountId::new(), department: w.td, roles: vec![Role::ContentEditor, Role::ContentReviewer] };
    (both(), both())
}

store_test!(an_editor_who_saved_a_revision_cannot_approve_content, |db| async move {
    let w = setup(&db).await;
    let (alice, bob) = editor_reviewers(&w);
    // Alice writes revision 1, Bob saves revision 2 over it and submits: Bob is now the last
    // saver, and Alice, who wrote the first revision, tries to approve the result.
    let (item, _) = content::create(&db, &w.ledger, &alice, w.td, vehicle_licence()).await?;
    let mut input = vehicle_licence().content;
    input.summary = t("Renew it online.", "網上續領。");
    content::save_draft(&db, &w.ledger, &bob, item.id, input.clone()).await?;
    content::submit(&db, &w.ledger, &bob, item.id).await?;
    assert!(matches!(content::approve(&db, &w.ledger, &alice, item.id, None).await, Err(PortalError::OwnWork)));
    assert!(matches!(content::approve(&db, &w.ledger, &bob, item.id, None).await, Err(PortalError::OwnWork)));
    assert!(matches!(content::live(&db, ItemKind::Service, "renew-vehicle-licence").await, Err(PortalError::NotFound)));
    // A reviewer who saved nothing approves.
    content::approve(&db, &w.ledger, &w.reviewer, item.id, None).await?;
    assert_eq!(content::live(&db, ItemKind::Service, "renew-vehicle-licence").await?.version, 1);

    // A change to published content: Alice saves revision 2, Bob revision 3 (the same version,
    // since a version is edited in place until it is submitted), sent back and saved again.
    input.summary = t("Renew it online or by post.", "網上或郵寄續領。");
    let v2 = content::save_draft(&db, &w.ledger, &alice, item.id, input.clone()).await?;
    input.summary = t("Renew it online, by post or in person.", "網上、郵寄或親身續領。");
    content::save_draft(&db, &w.ledger, &bob, item.id, input.clone()).await?;
    content::submit(&db, &w.ledger, &bob, item.id).await?;
    content::reject(&db, &w.ledger, &w.reviewer, item.id, "Say where in person.").await?;
    content::save_draft(&db, &w.ledger, &bob, item.id, input).await?;
    content::submit(&db, &w.ledger, &bob, item.id).await?;
    assert!(matches!(content::approve(&db, &w.ledger, &alice, item.id, None).await, Err(PortalError::OwnWork)), "Alice saved a revision since publication");
    // Scheduling is approval too.
    let later = w.ledger.now() + Duration::days(1);
    assert!(matches!(content::approve(&db, &w.ledger, &alice, item.id, Some(later)).await, Err(PortalError::OwnWork)));
    assert_eq!(content::live(&db, ItemKind::Service, "renew-vehicle-licence").await?.version, 1);
    let published = content::approve(&db, &w.ledger, &w.reviewer, item.id, None).await?;
    assert_eq!((published.number, published.state), (v2.number, VersionState::Published));

    // Edits of an earlier, published version do not count: Bob saved nothing of version 3.
    content::save_draft(&db, &w.ledger, &alice, item.id, vehicle_licence().content).await?;
    content::submit(&db, &w.ledger, &alice, item.id).await?;
    assert_eq!(content::approve(&db, &w.ledger, &bob, item.id, None).await?.number, 3);
    Ok::<(), PortalError>(())
});

store_test!(apps_are_published_only_after_a_second_officer_approves, |db| async move {
    let w = setup(&db).await;
    let (alice, bob) = editor_reviewers(&w);
    let draft = apps::register(&db, &w.ledger, &alice, w.td, hkemobility()).await?;
    assert_eq!((draft.number, draft.state), (1, VersionState::Draft));
    assert!(apps::list(&db).await?.is_empty(), "a registered app is not public until approved");
    assert!(matches!(apps::register(&db, &w.ledger, &bob, w.td, hkemobility()).await, Err(PortalError::SlugTaken(_))));
    // Not submitted: nothing to approve. Reporting figures needs a published app.
    assert!(matches!(apps::approve(&db, &w.ledger, &w.reviewer, "hkemobility").await, Err(PortalError::WrongState)));
    let day = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    assert!(matches!(
        apps::report_usage(&db, &w.ledger, &alice, "hkemobility", apps::UsageReport { day, downloads: 1, active_users: 1 }).await,
        Err(PortalError::NotFound)
    ));
    apps::submit(&db, &w.ledger, &alice, "hkemobility").await?;
    // The author may not approve, nor an editor without the reviewer role, nor another department.
    assert!(matches!(apps::approve(&db, &w.ledger, &alice, "hkemobility").await, Err(PortalError::OwnWork)));
    assert!(matches!(apps::approve(&db, &w.ledger, &w.editor, "hkemobility").await, Err(PortalError::Forbidden)));
    assert!(matches!(apps::approve(&db, &w.ledger, &w.other_dept_reviewer, "hkemobility").await, Err(PortalError::Forbidden)));
    assert!(matches!(apps::save_draft(&db, &w.ledger, &alice, "hkemobility", edit("x")).await, Err(PortalError::WrongState)));
    apps::reject(&db, &w.ledger, &bob, "hkemobility", "Add the Android link.").await?;
    apps::submit(&db, &w.ledger, &alice, "hkemobility").await?;
    let published = apps::approve(&db, &w.ledger, &bob, "hkemobility").await?;
    assert_eq!(published.state, VersionState::Published);
    assert_eq!(apps::list(&db).await?[0].name.en, "HKeMobility");

    // A change to the published entry (a new store link) waits for review; the public keeps
    // the approved one. Bob saves revision 1, Alice revision 2: neither may approve.
    apps::save_draft(&db, &w.ledger, &bob, "hkemobility", edit("HKeMobility 2")).await?;
    let v2 = apps::save_draft(&db, &w.ledger, &alice, "hkemobility", edit("HKeMobility (new)")).await?;
    assert_eq!((v2.number, v2.state), (2, VersionState::Draft));
    apps::submit(&db, &w.ledger, &alice, "hkemobility").await?;
    assert!(matches!(apps::approve(&db, &w.ledger, &bob, "hkemobility").await, Err(PortalError::OwnWork)));
    assert!(matches!(apps::approve(&db, &w.ledger, &alice, "hkemobility").await, Err(PortalError::OwnWork)));
    let listed = apps::list(&db).await?;
    assert_eq!((listed[0].name.en.as_str(), listed[0].ios_url.as_deref()), ("HKeMobility", Some("https://apps.apple.com/hk/app/hkemobility/id1435603345")));
    apps::approve(&db, &w.ledger, &w.reviewer, "hkemobility").await?;
    let listed = apps::list(&db).await?;
    assert_eq!((listed.len(), listed[0].name.en.as_str()), (1, "HKeMobility (new)"));
    let versions = apps::versions(&db, &alice, "hkemobility").await?;
    assert_eq!(versions.iter().map(|v| v.state).collect::<Vec<_>>(), [VersionState::Published, VersionState::Superseded]);
    assert!(matches!(apps::versions(&db, &w.other_dept_reviewer, "hkemobility").await, Err(PortalError::NotFound)));
    assert_eq!(apps::department_apps(&db, &w.reviewer, w.td).await?.len(), 1);

    // The platform loads reviewed directories (the demo's) as published.
    let mut imported = hkemobility();
    imported.slug = "td-traffic".into();
    apps::import_published(&db, &w.ledger, w.td, imported).await?;
    assert_eq!(apps::list(&db).await?.len(), 2);
    Ok::<(), PortalError>(())
});

store_test!(apps_and_drafts_from_before_review_are_carried_over, |db| async move {
    // A database of the version before: an app listed without review, and a draft in review.
    Migrator::new(&db, &[tamar_ledger::MIGRATIONS, tamar_tenancy::MIGRATIONS, &tamar_portal::MIGRATIONS[..1]]).run().await.unwrap();
    let department = DepartmentId::new();
    let author = AccountId::new();
    db.execute_sql(&format!(
        "INSERT INTO portal_apps (slug, department_id, name, summary, ios_url, android_url, created_at) \
         VALUES ('td-app', '{department}', '{{\"en\":\"TD\",\"tc\":\"運輸署\",\"sc\":\"运输署\"}}', '{{\"en\":\"s\",\"tc\":\"s\",\"sc\":\"s\"}}', NULL, NULL, 1700000000000)"
    ))
    .await
    .unwrap();
    let item = tamar_portal::ItemId::new();
    db.execute_sql(&format!(
        "INSERT INTO portal_items (id, kind, slug, department_id, created_at) VALUES ('{item}', 'news', 'old-news', '{department}', 1700000000000)"
    ))
    .await
    .unwrap();
    let content = serde_json::to_string(&vehicle_licence().content.into_content(ItemKind::Service).unwrap()).unwrap();
    db.execute_sql(&format!(
        "INSERT INTO portal_versions (item_id, number, state, content, author_id, created_at, updated_at) \
         VALUES ('{item}', 1, 'in_review', '{content}', '{author}', 1700000000000, 1700000000000)"
    ))
    .await
    .unwrap();
    // The portal's later migrations move pre-fill settings to identity, whose tables come first.
    Migrator::new(&db, &[tamar_ledger::MIGRATIONS, tamar_tenancy::MIGRATIONS, tamar_identity::MIGRATIONS, tamar_portal::MIGRATIONS]).run().await.unwrap();
    let ledger = Ledger::start(db.clone(), SigningKey::from_bytes(&[3u8; 32]), Arc::new(SystemClock));
    assert_eq!(apps::list(&db).await?.len(), 1, "still public");
    let reviewer = Actor::Officer { account: AccountId::new(), department, roles: vec![Role::ContentReviewer] };
    let versions = apps::versions(&db, &reviewer, "td-app").await?;
    assert_eq!((versions.len(), versions[0].state), (1, VersionState::Published));
    // The draft's author is its first recorded editor.
    let author_reviewing = Actor::Officer { account: author, department, roles: vec![Role::ContentReviewer] };
    assert!(matches!(content::approve(&db, &ledger, &author_reviewing, item, None).await, Err(PortalError::OwnWork)));
    content::approve(&db, &ledger, &reviewer, item, None).await?;
    Ok::<(), PortalError>(())
});
