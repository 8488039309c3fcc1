//! Issue 9, portal items: links in published Markdown, second-officer review of apps and
//! content, and messages that do not reveal who has an account.

use super::*;

/// Known ways of getting a script or a document into a link or an image of published content.
const XSS_LINKS: &[&str] = &[
    "[a](javascript:alert(1))",
    "[b](JaVaScRiPt:alert(1))",
    "[c](<java\tscript:alert(1)>)",
    "[d](java&#09;script:alert(1))",
    "[e](&#106;avascript:alert(1))",
    "[f](&#x6A;avascript&#x3A;alert(1))",
    "[g](javascript&colon;alert(1))",
    "[h](&#x01;javascript:alert(1))",
    "[i](vbscript:msgbox(1))",
    "[j](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[k](DATA:text/html,<script>alert(1)</script>)",
    "[l][ref]\n\n[ref]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "![m](javascript:alert(1))",
    "![n](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "<a href=\"javascript:alert(1)\">o</a>",
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "<svg onload=alert(1)>",
];

/// Every `href` and `src` of the markup in `html`: each must be https, mailto, tel or relative.
fn assert_links_safe(html: &str, context: &str) {
    assert!(!html.contains("<script>alert") && !html.contains("<img src=x") && !html.contains("<svg"), "{context}: {html}");
    // Text is escaped (`<` as `&lt;`): attributes are looked for inside tags only.
    for tag in html.split('<').skip(1).map(|t| t.split('>').next().unwrap()) {
        for attr in [" href=\"", " src=\""] {
            for value in tag.split(attr).skip(1) {
                let value = value.split('"').next().unwrap().replace("&amp;", "&");
                let lower: String = value.to_ascii_lowercase().chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect();
                let scheme = lower.find([':', '/', '?', '#']).filter(|at| lower[*at..].starts_with(':')).map(|at| &lower[..at]);
                assert!(scheme.is_none_or(|s| ["http", "https", "mailto", "tel"].contains(&s)), "{context}: <{tag}> in {html}");
            }
        }
    }
}

store_test!(markdown_links_with_scripts_are_refused_on_pages_and_in_feeds, |db| async move {
    let app = setup(db).await;
    let dh = tamar_tenancy::by_code(&app.db, "DH").await?.id;
    let body = format!("Read [the guide](https://www.dh.gov.hk/guide) or write to [us](mailto:enquiry@dh.gov.hk).\n\n{}", XSS_LINKS.join("\n\n"));
    let new = tamar_portal::NewItem {
        kind: tamar_portal::ItemKind::News,
        slug: "clinic-links".into(),
        content: tamar_portal::ContentInput {
            title: tamar_portal::TextInput::new("Clinic links", "診所連結"),
            summary: tamar_portal::TextInput::new("Links to clinics.", "診所的連結。"),
            body: tamar_portal::TextInput::new(body.clone(), body),
            topics: vec!["health".into()],
            audiences: vec!["residents".into()],
            ..Default::default()
        },
    };
    tamar_portal::content::import_published(&app.db, &app.ledger, dh, new, chrono::Utc::now()).await?;

    let page = app.get("/en/news/clinic-links", &Browser::default()).await;
    assert_eq!(page.status, StatusCode::OK);
    let article = &page.body[page.body.find("Read <a").expect("the body")..];
    assert!(article.contains("<a href=\"https://www.dh.gov.hk/guide\">the guide</a>"), "safe links stay links");
    assert!(article.contains("<a href=\"mailto:enquiry@dh.gov.hk\">us</a>"));
    assert!(article.contains("<p>a</p>") && article.contains("<p>e</p>"), "a refused link is its text");
    assert_links_safe(&page.body, "the news page");

    for feed in ["/en/feeds/news.atom", "/tc/feeds/topics/health.atom", "/en/feeds/departments/DH.atom"] {
        let reply = app.get(feed, &Browser::default()).await;
        assert_eq!(reply.status, StatusCode::OK, "{feed}");
        let parsed = atom_syndication::Feed::read_from(reply.body.as_bytes())?;
        let entry = parsed.entries().iter().find(|e| e.title().as_str() == "Clinic links" || e.title().as_str() == "診所連結").expect("the entry");
        let html = entry.content().and_then(|c| c.value()).expect("HTML content");
        assert!(html.contains("https://www.dh.gov.hk/guide"), "{feed}: {html}");
        assert_links_safe(html, feed);
    }
    Ok(()) as R
});

/// Two officers of the Department of Health who each write and review content.
async fn two_editor_reviewers(app: &TestApp) -> [&'static str; 2] {
    let dh = tamar_tenancy::by_code(&app.db, "DH").await.unwrap().id;
    let emails = ["dh.alice@tamar.test", "dh.bob@tamar.test"];
    for email in emails {
        let new = NewAccount {
            kind: AccountKind::Officer,
            email: email.into(),
            display_name: format!("Name of {email}"),
            password: PASSWORD.into(),
            department: Some(dh),
            roles: vec![Role::ContentEditor, Role::ContentReviewer],
        };
        let account = tamar_identity::create_account(&app.db, &app.ledger, &Actor::System, new).await.unwrap();
        tamar_identity::mfa::enable_totp_with_secret(&app.db, &sealer(), &account, TOTP_KEY).await.unwrap();
    }
    emails
}

store_test!(office_pages_refuse_an_approval_by_someone_who_edited_the_content, |db| async move {
    let app = setup(db).await;
    let [alice_email, bob_email] = two_editor_reviewers(&app).await;
    let (alice, alice_token) = app.sign_in(alice_email).await;
    let (bob, bob_token) = app.sign_in(bob_email).await;
    let (reviewer, reviewer_token) = app.sign_in(DH_REVIEWER).await;
    let news = |summary: &str, token: &str| {
        vec![
            ("csrf_token", token.to_owned()),
            ("kind", "news".to_owned()),
            ("slug", "clinic-hours".to_owned()),
            ("title_en", "Clinic hours".to_owned()),
            ("title_tc", "診所開放時間".to_owned()),
            ("summary_en", summary.to_owned()),
            ("summary_tc", "診所延長開放時間。".to_owned()),
            ("body_en", "Clinics open until 8 pm.".to_owned()),
            ("body_tc", "診所開放至晚上8時。".to_owned()),
            ("topic_health", "on".to_owned()),
            ("audience_residents", "on".to_owned()),
        ]
    };
    let post = |path: String, browser: Browser, fields: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post_form(&path, &browser, &refs).await
        }
    };
    let only_token = |token: &str| vec![("csrf_token", token.to_owned()), ("publish_at", String::new())];

    // Alice writes the first revision; Bob saves the next and submits it.
    let created = post("/en/office/content/new".into(), alice.clone(), news("Clinics open longer.", &alice_token)).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let edit = format!("/en/office/content/{}", item_id_from(created.location()));
    assert_eq!(post(edit.clone(), bob.clone(), news("Clinics open until 8 pm.", &bob_token)).await.status, StatusCode::SEE_OTHER);
    assert_eq!(post(format!("{edit}/submit"), bob.clone(), only_token(&bob_token)).await.status, StatusCode::SEE_OTHER);
    // Alice is not the last saver, but she wrote a revision: she may not approve it, nor Bob.
    let refused = post(format!("{edit}/approve"), alice.clone(), only_token(&alice_token)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(refused.body.contains("second"), "the page says why: {}", refused.body);
    assert_eq!(post(format!("{edit}/approve"), bob.clone(), only_token(&bob_token)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/en/news/clinic-hours", &Browser::default()).await.status, StatusCode::NOT_FOUND);
    let approved = post(format!("{edit}/approve"), reviewer.clone(), only_token(&reviewer_token)).await;
    assert_eq!(approved.location(), "/en/office/content?done=published");

    // A change to the published news: Bob saves, then Alice, and Alice submits. Bob may not
    // approve; the public keeps the approved text until someone else does.
    assert_eq!(post(edit.clone(), bob.clone(), news("Clinics close at noon.", &bob_token)).await.status, StatusCode::SEE_OTHER);
    assert_eq!(post(edit.clone(), alice.clone(), news("Clinics close at noon on Saturdays.", &alice_token)).await.status, StatusCode::SEE_OTHER);
    assert_eq!(post(format!("{edit}/submit"), alice.clone(), only_token(&alice_token)).await.status, StatusCode::SEE_OTHER);
    assert_eq!(post(format!("{edit}/approve"), bob.clone(), only_token(&bob_token)).await.status, StatusCode::FORBIDDEN);
    assert!(app.get("/en/news/clinic-hours", &Browser::default()).await.body.contains("Clinics open until 8 pm."));
    assert_eq!(post(format!("{edit}/approve"), reviewer.clone(), only_token(&reviewer_token)).await.status, StatusCode::SEE_OTHER);
    assert!(app.get("/en/news/clinic-hours", &Browser::default()).await.body.contains("Clinics close at noon on Saturdays."));
    Ok(()) as R
});

store_test!(apps_wait_for_a_second_officer_through_the_api, |db| async move {
    let app = setup(db).await;
    let [alice_email, bob_email] = two_editor_reviewers(&app).await;
    let (alice, _) = app.sign_in(alice_email).await;
    let (bob, _) = app.sign_in(bob_email).await;
    let (reviewer, _) = app.sign_in(DH_REVIEWER).await;
    let (immd, _) = app.sign_in(IMMD_ADMIN).await;
    let public = || async { app.get("/api/v1/apps", &Browser::default()).await.json() };
    let new = r#"{"slug": "dh-vaccines", "name": {"en": "Vaccines", "tc": "疫苗"}, "summary": {"en": "Book a vaccine.", "tc": "預約疫苗。"},
        "ios_url": "https://apps.apple.com/hk/app/dh/id1"}"#;
    let created = app.json(Method::POST, "/api/v1/apps", &alice, new).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.json()["state"], "draft");
    // Registering no longer publishes: the directory does not have it.
    assert_eq!(public().await, serde_json::json!([]));
    assert_eq!(app.get("/api/v1/apps/dh-vaccines/usage", &Browser::default()).await.status, StatusCode::NOT_FOUND);
    let usage = r#"{"day": "2026-11-01", "downloads": 10, "active_users": 10}"#;
    assert_eq!(app.json(Method::PUT, "/api/v1/apps/dh-vaccines/usage", &alice, usage).await.status, StatusCode::NOT_FOUND);

    let edit = r#"{"name": {"en": "Vaccines", "tc": "疫苗"}, "summary": {"en": "Book a vaccine.", "tc": "預約疫苗。"},
        "ios_url": "https://apps.apple.com/hk/app/not-the-department/id2"}"#;
    assert_eq!(app.json(Method::PUT, "/api/v1/office/apps/dh-vaccines", &bob, edit).await.status, StatusCode::OK);
    assert_eq!(app.json(Method::POST, "/api/v1/office/apps/dh-vaccines/submit", &bob, "").await.status, StatusCode::OK);
    for (who, what) in [(&alice, "wrote the first revision"), (&bob, "saved the last")] {
        let refused = app.json(Method::POST, "/api/v1/office/apps/dh-vaccines/approve", who, "").await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{what}: {}", refused.body);
        assert_eq!(refused.json()["code"], "second_reviewer_required");
    }
    let other = app.json(Method::POST, "/api/v1/office/apps/dh-vaccines/approve", &immd, "").await;
    assert_eq!(other.status, StatusCode::FORBIDDEN, "another department's reviewer");
    assert_eq!(app.json(Method::GET, "/api/v1/office/apps/dh-vaccines/versions", &immd, "").await.status, StatusCode::NOT_FOUND);
    assert_eq!(public().await, serde_json::json!([]));

    let sent_back = app.json(Method::POST, "/api/v1/office/apps/dh-vaccines/reject", &reviewer, r#"{"note": "Use the department's store link."}"#).await;
    assert_eq!(sent_back.json()["state"], "draft");
    let fixed = r#"{"name": {"en": "Vaccines", "tc": "疫苗"}, "summary": {"en": "Book a vaccine.", "tc": "預約疫苗。"},
        "ios_url": "https://apps.apple.com/hk/app/dh/id1"}"#;
    assert_eq!(app.json(Method::PUT, "/api/v1/office/apps/dh-vaccines", &bob, fixed).await.status, StatusCode::OK);
    assert_eq!(app.json(Method::POST, "/api/v1/office/apps/dh-vaccines/submit", &bob, "").await.status, StatusCode::OK);
    let approved = app.json(Method::POST, "/api/v1/office/apps/dh-vaccines/approve", &reviewer, "").await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    assert_eq!(approved.json()["state"], "published");
    let listed = public().await;
    assert_eq!(listed[0]["slug"], "dh-vaccines");
    assert_eq!(listed[0]["ios_url"], "https://apps.apple.com/hk/app/dh/id1");
    assert_eq!(app.json(Method::PUT, "/api/v1/apps/dh-vaccines/usage", &alice, usage).await.status, StatusCode::NO_CONTENT);
    let mine = app.json(Method::GET, "/api/v1/office/apps", &alice, "").await.json();
    assert_eq!(mine.as_array().unwrap().len(), 1);
    Ok(()) as R
});

/// The page without what differs from one request to the next (the CSRF token).
fn without_tokens(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let mut out = String::new();
    let mut rest = html;
    while let Some(at) = rest.find(marker) {
        out.push_str(&rest[..at + marker.len()]);
        rest = &rest[at + marker.len()..];
        rest = &rest[rest.find('"').unwrap()..];
    }
    out.push_str(rest);
    out
}

/// Every message in the outbox, decoded, after the queue has been sent.
async fn outbox(app: &TestApp) -> Vec<String> {
    tamar_notify::deliver_pending(&app.db, &app.state.mailer, chrono::Utc::now(), 100).await.unwrap();
    let dir = app._blobs.path().join("outbox");
    std::fs::read_dir(&dir).map(|d| d.map(|e| decode_body(&std::fs::read_to_string(e.unwrap().path()).unwrap())).collect()).unwrap_or_default()
}

async fn log_count(app: &TestApp, action: &str) -> usize {
    app.ledger.sync().await.unwrap();
    let q = tamar_store::sea_query::Query::select()
        .column("seq")
        .from("ledger_entries")
        .and_where(tamar_store::sea_query::Expr::col("action").eq(action))
        .to_owned();
    app.db.fetch_all(&q).await.unwrap().len()
}

store_test!(registration_does_not_say_whether_an_address_has_an_account, |db| async move {
    let app = setup(db).await;
    let register = |lang: &'static str, email: &'static str| {
        let app = &app;
        async move {
            let (browser, token) = app.browser().await;
            let fields = [("csrf_token", token.as_str()), ("name_en", "CHAN Siu-ming"), ("name_zh", ""), ("email", email), ("password", "star ferry at midnight")];
            app.post_form(&format!("/{lang}/register"), &browser, &fields).await
        }
    };
    // Someone registers in Traditional Chinese; then an attacker tries the same address (with
    // other case and spaces) and a fresh one, in English.
    assert_eq!(register("tc", "siuming@example.hk").await.status, StatusCode::OK);
    let before = outbox(&app).await.len();
    let taken = register("en", " SiuMing@Example.hk ").await;
    let fresh = register("en", "siuming@example.hk.invalid").await;
    assert_eq!(taken.status, StatusCode::OK, "not 409");
    assert_eq!(taken.status, fresh.status);
    let same = |html: &str| without_tokens(html).replace("siuming@example.hk.invalid", "siuming@example.hk");
    assert_eq!(same(&taken.body), same(&fresh.body), "the same page either way");
    assert!(taken.body.contains("siuming@example.hk"));
    for name in ["tamar_session", "tamar_mfa"] {
        assert_eq!(taken.cookie(name), fresh.cookie(name), "{name}");
    }

    // The owner is told, in the language they registered in; the new address gets its link.
    let mail = outbox(&app).await;
    assert_eq!(mail.len(), before + 2);
    let to_owner: Vec<&String> = mail.iter().filter(|m| m.contains("有人嘗試以這個電郵地址")).collect();
    assert_eq!(to_owner.len(), 1, "{mail:?}");
    assert!(to_owner[0].contains("siuming@example.hk") && to_owner[0].contains("https://tamar.test/tc/sign-in"), "{}", to_owner[0]);
    assert!(!to_owner[0].contains("verify-email"), "no link that confirms anything");
    assert!(mail.iter().any(|m| m.contains("https://tamar.test/en/verify-email?token=")), "the fresh address gets its link");
    assert_eq!(log_count(&app, "identity.account.register_taken").await, 1, "the attempt is in the owner's log");

    // An account opened by an administrator has no language: the owner is told in the page's.
    let (browser, token) = app.browser().await;
    let fields = [("csrf_token", token.as_str()), ("name_en", "X"), ("name_zh", ""), ("email", CITIZEN), ("password", "star ferry at midnight")];
    assert_eq!(app.post_form("/sc/register", &browser, &fields).await.status, StatusCode::OK);
    assert!(outbox(&app).await.iter().any(|m| m.contains("有人尝试以这个电邮地址") && m.contains(CITIZEN)));
    // A weak password is refused the same way for a taken address as for a fresh one.
    let (browser, token) = app.browser().await;
    let weak = |email: &'static str| [("csrf_token", token.clone()), ("name_en", "X".into()), ("name_zh", String::new()), ("email", email.into()), ("password", "password123".into())];
    let weak_taken = app.post_form("/en/register", &browser, &weak(CITIZEN).iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>()).await;
    let weak_fresh = app.post_form("/en/register", &browser, &weak("nobody@example.hk").iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>()).await;
    assert_eq!((weak_taken.status, weak_fresh.status), (StatusCode::UNPROCESSABLE_ENTITY, StatusCode::UNPROCESSABLE_ENTITY));
    Ok(()) as R
});

store_test!(office_messages_do_not_say_whether_a_person_has_an_account, |db| async move {
    let app = setup(db).await;
    let (officer, _) = app.sign_in(DH_OFFICER).await;
    let (citizen, _) = app.sign_in(CITIZEN).await;
    let message = |to: &str| {
        serde_json::json!({"to_email": to, "kind": "message", "subject": {"en": "Your appointment", "tc": "你的預約"},
            "body": {"en": "See you on Monday.", "tc": "星期一見。"}})
        .to_string()
    };
    let known = app.json(Method::POST, "/api/v1/office/messages", &officer, &message(CITIZEN)).await;
    let unknown = app.json(Method::POST, "/api/v1/office/messages", &officer, &message("nobody@example.hk")).await;
    let officer_account = app.json(Method::POST, "/api/v1/office/messages", &officer, &message(DH_REVIEWER)).await;
    for reply in [&known, &unknown, &officer_account] {
        assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
        let body = reply.json();
        assert_eq!(body.as_object().unwrap().keys().collect::<Vec<_>>(), ["id"], "only a receipt: {body}");
    }
    assert_ne!(known.json()["id"], unknown.json()["id"]);
    // Delivered only where there is a person's account; the log keeps both, as the officer's acts.
    assert_eq!(app.get("/api/v1/me/inbox", &citizen).await.json().as_array().unwrap().len(), 1);
    assert_eq!(log_count(&app, "portal.inbox.send").await, 1);
    assert_eq!(log_count(&app, "portal.inbox.undelivered").await, 2);
    // Bad input is refused alike for both.
    let bad = |to: &str| serde_json::json!({"to_email": to, "kind": "todo", "subject": {"en": "x", "tc": "x"}, "body": {"en": "x", "tc": "x"}}).to_string();
    let (a, b) = (app.json(Method::POST, "/api/v1/office/messages", &officer, &bad(CITIZEN)).await, app.json(Method::POST, "/api/v1/office/messages", &officer, &bad("nobody@example.hk")).await);
    assert_eq!((a.status, a.body), (b.status, b.body));
    Ok(()) as R
});

store_test!(the_search_page_and_the_api_refuse_the_same_requests, |db| async move {
    let app = setup(db).await;
    let anyone = Browser::default();
    let long = "a".repeat(201);
    let many_topics = vec!["topic=tax"; 33].join("&");
    let long_topic = format!("topic={}", "t".repeat(101));
    for (page, api) in [
        (format!("/en/search?q={long}"), format!("/api/v1/search?q={long}")),
        ("/en/search?q=tax&type=leaflet".to_owned(), "/api/v1/search?q=tax&type=leaflet".to_owned()),
        (format!("/en/search?q=tax&{many_topics}"), format!("/api/v1/search?q=tax&{many_topics}")),
        (format!("/en/search?q=tax&{long_topic}"), format!("/api/v1/search?q=tax&{long_topic}")),
        // Page 52 would start past the API's furthest offset, 1000.
        ("/en/search?q=tax&page=0".to_owned(), "/api/v1/search?q=tax&offset=1001".to_owned()),
        ("/en/search?q=tax&page=52".to_owned(), "/api/v1/search?q=tax&limit=101".to_owned()),
    ] {
        assert_eq!(app.get(&page, &anyone).await.status, StatusCode::BAD_REQUEST, "{page}");
        let reply = app.get(&api, &anyone).await;
        assert_eq!((reply.status, reply.json()["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_query")), "{api}");
    }
    for ok in ["/en/search?q=tax&page=51", "/en/search?q=tax&page=1&type=service"] {
        assert_eq!(app.get(ok, &anyone).await.status, StatusCode::OK, "{ok}");
    }
    for ok in ["/api/v1/search?q=tax&offset=1000&limit=100", "/api/v1/search?q=tax&limit=0"] {
        assert_eq!(app.get(ok, &anyone).await.status, StatusCode::OK, "{ok}");
    }
    for refused in [format!("q={}", "a".repeat(101)), "q=tax&limit=0".into(), "q=tax&limit=21".into()] {
        let reply = app.get(&format!("/api/v1/search/suggest?{refused}"), &anyone).await;
        assert_eq!((reply.status, reply.json()["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_query")), "{refused}");
    }
    assert_eq!(app.get("/api/v1/search/suggest?q=tax&limit=20", &anyone).await.status, StatusCode::OK);
    Ok(()) as R
});

store_test!(a_department_messages_its_subscribers_in_bulk_through_the_api, |db| async move {
    let app = setup(db).await;
    let (officer, _) = app.sign_in(DH_OFFICER).await;
    let (immd, _) = app.sign_in(IMMD_ADMIN).await;
    let (citizen, _) = app.sign_in(CITIZEN).await;
    let person = tamar_identity::citizen_by_email(&app.db, CITIZEN).await.unwrap().unwrap();
    let dh = tamar_tenancy::list(&app.db).await.unwrap().into_iter().find(|d| d.code == "DH").unwrap().id;
    let target = tamar_portal::mygov::SubscriptionTarget::Department(dh);
    tamar_portal::mygov::subscribe(&app.db, &app.ledger, &Actor::Citizen { account: person }, target, Lang::En).await.unwrap();
    let bulk = |audience: &str| {
        serde_json::json!({"audience": audience, "kind": "message", "subject": {"en": "Clinic hours change", "tc": "診所時間更改"},
            "body": {"en": "Clinics open at 9 from Monday.", "tc": "診所由星期一起九時開門。"}})
        .to_string()
    };
    const PATH: &str = "/api/v1/office/bulk-messages";

    // Everyone needs a department administrator; an audience must be one Tamar knows; people
    // cannot send.
    assert_eq!(app.json(Method::POST, PATH, &officer, &bulk("everyone")).await.status, StatusCode::FORBIDDEN);
    let unknown = app.json(Method::POST, PATH, &officer, &bulk("topic:astrology")).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", unknown.body);
    assert_eq!(unknown.json()["details"][0]["field"], "audience");
    assert_eq!(app.json(Method::POST, PATH, &citizen, &bulk("department")).await.status, StatusCode::FORBIDDEN);

    let started = app.json(Method::POST, PATH, &officer, &bulk("department")).await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.body);
    let location = started.headers.get(header::LOCATION).unwrap().to_str().unwrap().to_owned();
    assert_eq!(started.json()["status"], "sending");
    assert_eq!(started.json()["audience"], format!("subscribers:department:{dh}"));
    // Another department neither sees nor stops it.
    assert_eq!(app.get(&location, &immd).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.json(Method::POST, &format!("{location}/cancel"), &immd, "").await.status, StatusCode::NOT_FOUND);
    assert!(app.get(PATH, &immd).await.json().as_array().unwrap().is_empty());

    // The module's job delivers it.
    let job = tamar::modules::jobs().into_iter().find(|j| j.name == "bulk-messages").unwrap();
    job.run_once(&app.state).await.unwrap();
    let done = app.get(&location, &officer).await.json();
    assert_eq!((done["status"].as_str(), done["sent"].as_u64()), (Some("done"), Some(1)), "{done}");
    let inbox = app.get("/api/v1/me/inbox", &citizen).await.json();
    assert_eq!(inbox[0]["subject"]["en"], "Clinic hours change");
    assert_eq!(app.get(PATH, &officer).await.json().as_array().unwrap().len(), 1);
    let late = app.json(Method::POST, &format!("{location}/cancel"), &officer, "").await;
    assert_eq!((late.status, late.json()["code"].as_str()), (StatusCode::CONFLICT, Some("bulk_send_finished")));
    // The person's access history shows the department's message.
    assert_eq!(log_count(&app, "portal.bulk.start").await, 1);
    assert_eq!(log_count(&app, "portal.inbox.send").await, 1);
    Ok(()) as R
});
