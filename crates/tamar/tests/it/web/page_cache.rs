//! The public-page micro-cache never stores or serves a signed-in person's page, however the
//! session cookie is written (found by the `cookies` fuzz target).

use super::*;

store_test!(a_session_cookie_with_an_encoded_name_bypasses_the_page_cache, |db| async move {
    let app = setup(db).await;
    let (admin, _) = app.sign_in(ADMIN).await;
    let token = admin.cookies.iter().find(|(n, _)| n == "tamar_session").map(|(_, v)| v.clone()).unwrap();
    // The session layer decodes cookie names (`%5F` is `_`), so this browser is signed in.
    let encoded = Browser { cookies: vec![("tamar%5Fsession".into(), token)] };
    app.ledger.sync().await.unwrap();
    let started = std::time::Instant::now();
    // An anonymous visit fills the cache; the signed-in request must still reach its handler...
    let anonymous = app.get("/en/departments", &Browser::default()).await;
    assert!(anonymous.body.contains("/en/sign-in") && !anonymous.body.contains("/en/sign-out"));
    let signed_in = app.get("/en/departments", &encoded).await;
    assert!(signed_in.body.contains("/en/sign-out"), "the anonymous page was served from the cache to a signed-in person");
    // ...and a page made for it is not kept for the next anonymous visitor.
    let signed_in = app.get("/tc/departments", &encoded).await;
    assert!(signed_in.body.contains("/tc/sign-out"));
    let anonymous = app.get("/tc/departments", &Browser::default()).await;
    assert!(!anonymous.body.contains("/tc/sign-out"), "a signed-in page was served to an anonymous visitor");
    // Within the cache's lifetime (one second), or the test proves nothing.
    assert!(started.elapsed() < Duration::from_secs(1), "too slow to tell: the cache entries expired");
    Ok(()) as R
});

fn from_cache(reply: &Reply) -> bool {
    reply.headers.get("x-cache").is_some_and(|v| v == "HIT")
}

store_test!(sign_ins_and_personal_reads_leave_cached_pages_but_a_publication_drops_them, |db| async move {
    let app = setup(db).await;
    let anonymous = Browser::default();
    let (citizen, _) = app.sign_in(CITIZEN).await;
    let person = tamar_identity::citizen_by_email(&app.db, CITIZEN).await.unwrap().unwrap();
    let account = tamar_identity::get_account(&app.db, &app.ledger, &Actor::System, person, "test").await.unwrap();
    let started = std::time::Instant::now();
    assert!(!from_cache(&app.get("/en/", &anonymous).await));
    assert!(from_cache(&app.get("/en/", &anonymous).await), "the second visit is served from the cache");
    // Everything people do that anonymous pages do not show: a new session, a change of their
    // own, a read of their data (each logged, each moving the log's generation).
    tamar_identity::start_session(&app.db, &app.ledger, &account, Some("test")).await.unwrap();
    assert_eq!(app.json(Method::PUT, "/api/v1/me/bookmarks/vaccination-appointment", &citizen, "").await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get("/en/account", &citizen).await.status, StatusCode::OK);
    app.ledger.sync().await.unwrap();
    assert!(from_cache(&app.get("/en/", &anonymous).await), "the cache outlived sign-ins and reads of personal data");
    // A publication shows at once.
    let dh = tamar_tenancy::by_code(&app.db, "DH").await.unwrap().id;
    let news = tamar_portal::NewItem {
        kind: tamar_portal::ItemKind::News,
        slug: "clinics-open-late".into(),
        content: tamar_portal::ContentInput {
            title: tamar_portal::TextInput::new("Clinics open late this winter", "診所今冬延長開放"),
            summary: tamar_portal::TextInput::new("Evening hours at every clinic.", "各診所晚間開放。"),
            body: tamar_portal::TextInput::new("Until 9 pm.", "至晚上九時。"),
            service: None,
            topics: vec!["health".into()],
            audiences: vec!["residents".into()],
        },
    };
    tamar_portal::content::import_published(&app.db, &app.ledger, dh, news, app.ledger.now()).await.unwrap();
    let after = app.get("/en/", &anonymous).await;
    assert!(!from_cache(&after) && after.body.contains("Clinics open late this winter"), "a publication shows at once");
    assert!(started.elapsed() < Duration::from_secs(1), "too slow to tell: the cache entries expired");
    Ok(()) as R
});

/// A department's news item, published at once.
async fn publish_news(app: &TestApp, slug: &str, title: &str) {
    let dh = tamar_tenancy::by_code(&app.db, "DH").await.unwrap().id;
    let news = tamar_portal::NewItem {
        kind: tamar_portal::ItemKind::News,
        slug: slug.into(),
        content: tamar_portal::ContentInput {
            title: tamar_portal::TextInput::new(title, "診所今冬延長開放"),
            summary: tamar_portal::TextInput::new("Evening hours at every clinic.", "各診所晚間開放。"),
            body: tamar_portal::TextInput::new("Until 9 pm.", "至晚上九時。"),
            service: None,
            topics: vec!["health".into()],
            audiences: vec!["residents".into()],
        },
    };
    tamar_portal::content::import_published(&app.db, &app.ledger, dh, news, app.ledger.now()).await.unwrap();
}

store_test!(when_a_cached_page_expires_under_a_rush_one_request_renders_it, |db| async move {
    let app = setup(db).await;
    let anonymous = Browser::default();
    let rush = |n: usize| {
        let app = &app;
        let anonymous = &anonymous;
        futures::future::join_all((0..n).map(move |_| app.get("/en/", anonymous)))
    };
    assert!(!from_cache(&app.get("/en/", &anonymous).await));
    // Past its lifetime, one of 32 requests at once renews the page; the others are given the
    // copy meanwhile, not a render of their own each.
    tokio::time::sleep(Duration::from_millis(1_100)).await; // the cache keeps a page for a second
    let replies = rush(32).await;
    assert!(replies.iter().all(|r| r.status == StatusCode::OK));
    assert_eq!(replies.iter().filter(|r| !from_cache(r)).count(), 1, "one render for 32 requests");
    // After a publication, one request renders the page; the others wait for it and are given
    // the new page, never the old one.
    publish_news(&app, "clinics-open-late", "Clinics open late this winter").await;
    let replies = rush(32).await;
    assert!(replies.iter().all(|r| r.body.contains("Clinics open late this winter")), "each sees the publication");
    assert_eq!(replies.iter().filter(|r| !from_cache(r)).count(), 1, "one render for 32 requests");
    // Pages that are never kept are rendered for each request, none waiting for another's.
    let replies = futures::future::join_all((0..8).map(|_| app.get("/en/sign-in", &anonymous))).await;
    assert!(replies.iter().all(|r| r.status == StatusCode::OK && !from_cache(r)));
    Ok(()) as R
});
