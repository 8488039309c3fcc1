//! Lists are read a page at a time: a page costs the same, in bytes and in statements, however
//! long its list; every item is on exactly one page; bounds are enforced.

use super::*;

/// Logs `count` reads of the person's data by an officer, as a department's systems would.
async fn log_reads(app: &TestApp, person: tamar_core::AccountId, count: usize) {
    let officer = Actor::Officer { account: tamar_core::AccountId::new(), department: tamar_core::DepartmentId::new(), roles: vec![Role::CaseOfficer] };
    for chunk in (0..count).collect::<Vec<_>>().chunks(500) {
        let reads = chunk.iter().map(|i| {
            let entry = tamar_ledger::LedgerEntry::read(&officer, "test.record.read", format!("record:{i}"), app.ledger.now())
                .about(person)
                .because("processing an application");
            app.ledger.record_read(entry)
        });
        for outcome in futures::future::join_all(reads).await {
            outcome.unwrap();
        }
    }
    app.ledger.sync().await.unwrap();
}

/// One GET, after one before it, with what the node keeps for a second (the session, the
/// departments) just dropped, so that every measure reads them, however long it took: its
/// status, its body's length, the statements it ran, and its next link.
async fn measure(app: &TestApp, path: &str, browser: &Browser) -> (StatusCode, usize, u64, Option<String>) {
    app.get(path, browser).await;
    app.ledger.notify_public();
    let (reply, cost) = tamar_store::count_statements(app.get(path, browser)).await;
    let next = next_link(&reply);
    (reply.status, reply.body.len(), cost, next)
}

/// The next page's address in a reply's `Link` header.
fn next_link(reply: &Reply) -> Option<String> {
    let link = reply.headers.get(header::LINK)?.to_str().ok()?;
    Some(link.strip_prefix('<')?.split_once('>')?.0.to_owned())
}

fn about_the_same(a: usize, b: usize) -> bool {
    a.abs_diff(b) * 20 <= a.max(b)
}

store_test!(who_accessed_my_data_is_paged_and_costs_the_same_at_any_length, |db| async move {
    let app = setup(db).await;
    let (citizen, _) = app.sign_in(CITIZEN).await;
    let person = tamar_identity::citizen_by_email(&app.db, CITIZEN).await.unwrap().unwrap();
    log_reads(&app, person, 100).await;
    let (status, api_small, api_cost_small, next) = measure(&app, "/api/v1/me/accesses", &citizen).await;
    assert_eq!(status, StatusCode::OK);
    assert!(next.is_some(), "a next page after 20 of 100");
    let (_, page_small, page_cost_small, _) = measure(&app, "/en/account", &citizen).await;
    log_reads(&app, person, 9_900).await;
    let (_, api_large, api_cost_large, _) = measure(&app, "/api/v1/me/accesses", &citizen).await;
    let (_, page_large, page_cost_large, _) = measure(&app, "/en/account", &citizen).await;
    assert_eq!(api_cost_small, api_cost_large, "the API's statements at 100 and at 10,000 entries");
    assert_eq!(page_cost_small, page_cost_large, "the account page's statements at 100 and at 10,000 entries");
    assert!(about_the_same(api_small, api_large), "{api_small} and {api_large} bytes");
    assert!(about_the_same(page_small, page_large), "{page_small} and {page_large} bytes");
    assert_eq!(app.get("/api/v1/me/accesses", &citizen).await.json().as_array().unwrap().len(), 20, "20 by default");

    // Following the links, pages of 200 hold every entry once, newest first.
    let mut seen = std::collections::HashSet::new();
    let mut last_at = chrono::DateTime::<chrono::FixedOffset>::MAX_UTC.fixed_offset();
    let mut path = Some("/api/v1/me/accesses?limit=200".to_owned());
    let mut pages = 0;
    while let Some(here) = path {
        let reply = app.get(&here, &citizen).await;
        assert_eq!(reply.status, StatusCode::OK, "{here}: {}", reply.body);
        for a in reply.json().as_array().unwrap() {
            // As times, not as text: RFC 3339 drops trailing zeros of the fraction.
            let at = chrono::DateTime::parse_from_rfc3339(a["at"].as_str().unwrap()).unwrap();
            assert!(at <= last_at, "newest first");
            last_at = at;
            assert!(seen.insert(a["index"].as_i64().unwrap()), "an entry on two pages");
        }
        path = next_link(&reply);
        pages += 1;
    }
    assert!(seen.len() >= 10_000, "{} entries", seen.len());
    assert_eq!(pages, seen.len().div_ceil(200));

    // The account page links to the older entries.
    let account = app.get("/en/account", &citizen).await.body;
    assert!(account.contains("rel=\"next\""), "a link to older entries");

    // Out of bounds, or a cursor that no page gave: 400, naming the field, on the page too.
    for (query, field) in [("limit=0", "limit"), ("limit=201", "limit"), ("after=zz", "after"), ("after=6e6f", "after")] {
        let reply = app.get(&format!("/api/v1/me/accesses?{query}"), &citizen).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(reply.json()["code"], "invalid_query", "{query}");
        assert_eq!(reply.json()["details"][0]["field"], field, "{query}");
    }
    assert_eq!(app.get("/en/account?after=zz", &citizen).await.status, StatusCode::BAD_REQUEST);
    Ok(()) as R
});

/// Sends `count` messages to the person from a department, every tenth a to-do.
async fn send_messages(app: &TestApp, to: tamar_core::AccountId, from: tamar_core::DepartmentId, count: usize) {
    use tamar_portal::inbox::{MessageKind, NewMessage};
    for chunk in (0..count).collect::<Vec<_>>().chunks(200) {
        let sends = chunk.iter().map(|i| {
            let todo = i % 10 == 0;
            let new = NewMessage {
                to,
                kind: if todo { MessageKind::Todo } else { MessageKind::Message },
                subject: tamar_portal::TextInput::new(format!("Notice {i:05}"), format!("通知 {i:05}")),
                body: tamar_portal::TextInput::new("Please read this.", "請閱讀。"),
                due_on: todo.then(|| chrono::NaiveDate::from_ymd_opt(2027, 1, 31).unwrap()),
            };
            tamar_portal::inbox::send(&app.db, &app.ledger, &Actor::System, from, new)
        });
        for outcome in futures::future::join_all(sends).await {
            outcome.unwrap();
        }
    }
}

store_test!(the_inbox_is_paged_and_costs_the_same_at_any_length, |db| async move {
    let app = setup(db).await;
    let (citizen, _) = app.sign_in(CITIZEN).await;
    let person = tamar_identity::citizen_by_email(&app.db, CITIZEN).await.unwrap().unwrap();
    let dh = tamar_tenancy::by_code(&app.db, "DH").await.unwrap().id;
    send_messages(&app, person, dh, 100).await;
    let (_, api_small, api_cost_small, next) = measure(&app, "/api/v1/me/inbox", &citizen).await;
    assert!(next.is_some());
    let (_, page_small, page_cost_small, _) = measure(&app, "/en/account/inbox", &citizen).await;
    send_messages(&app, person, dh, 9_900).await;
    let (_, api_large, api_cost_large, _) = measure(&app, "/api/v1/me/inbox", &citizen).await;
    let (_, page_large, page_cost_large, _) = measure(&app, "/en/account/inbox", &citizen).await;
    assert_eq!(api_cost_small, api_cost_large, "the API's statements at 100 and at 10,000 messages");
    assert_eq!(page_cost_small, page_cost_large, "the page's statements at 100 and at 10,000 messages");
    assert!(about_the_same(api_small, api_large), "{api_small} and {api_large} bytes");
    assert!(about_the_same(page_small, page_large), "{page_small} and {page_large} bytes");

    // Every message once, the open to-dos first, then newest first.
    let mut seen = std::collections::HashSet::new();
    let mut todos_done = false;
    let mut path = Some("/api/v1/me/inbox?limit=200".to_owned());
    while let Some(here) = path {
        let reply = app.get(&here, &citizen).await;
        assert_eq!(reply.status, StatusCode::OK, "{here}: {}", reply.body);
        for m in reply.json().as_array().unwrap() {
            let open_todo = m["kind"] == "todo" && m["done_at"].is_null();
            assert!(!(todos_done && open_todo), "an open to-do after the messages");
            todos_done |= !open_todo;
            assert!(seen.insert(m["id"].as_str().unwrap().to_owned()), "a message on two pages");
        }
        path = next_link(&reply);
    }
    assert_eq!(seen.len(), 10_000);
    assert!(app.get("/en/account/inbox", &citizen).await.body.contains("rel=\"next\""));
    // A cursor only says where a page starts, never whose: another person given this
    // person's next link, or a forged cursor, sees their own inbox and nothing else.
    let link = next_link(&app.get("/api/v1/me/inbox", &citizen).await).unwrap();
    tamar_identity::create_account(&app.db, &app.ledger, &Actor::System, NewAccount {
        kind: AccountKind::Citizen, email: "other@tamar.test".into(), display_name: "Other".into(), password: PASSWORD.into(), department: None, roles: vec![],
    }).await.unwrap();
    let (someone, _) = app.sign_in("other@tamar.test").await;
    let theirs = app.get(&link, &someone).await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert_eq!(theirs.json(), serde_json::json!([]), "nothing of another person's inbox");
    let forged = tamar_core::Cursor::new(["1", &i64::MAX.to_string(), "zzzz"]).encode();
    assert_eq!(app.get(&format!("/api/v1/me/inbox?after={forged}"), &someone).await.json(), serde_json::json!([]));
    let not_a_time = tamar_core::Cursor::new(["soon", "1"]).encode();
    assert_eq!(app.get(&format!("/api/v1/me/accesses?after={not_a_time}"), &someone).await.status, StatusCode::BAD_REQUEST, "not a cursor of that list");
    // Anonymous, the lists are refused.
    assert_eq!(app.get("/api/v1/me/inbox", &Browser::default()).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/api/v1/me/inbox?limit=500", &citizen).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.get("/en/account/inbox?after=zz", &citizen).await.status, StatusCode::BAD_REQUEST);
    Ok(()) as R
});

/// A valid HKID for `n`: the check digit is found by trying each.
fn hkid(n: usize) -> String {
    "0123456789A".chars().map(|c| format!("A{n:06}({c})")).find(|h| tamar_core::Hkid::parse(h).is_ok()).unwrap()
}

store_test!(the_verification_queue_is_paged_oldest_first, |db| async move {
    let app = setup(db).await;
    let system = Actor::System;
    let key = tamar_identity::HkidKey::new([5u8; 32], tamar_store::Sealer::new(&[5u8; 32]));
    for n in 0..45 {
        let new = NewAccount { kind: AccountKind::Citizen, email: format!("resident{n}@tamar.test"), display_name: format!("Resident {n:02}"), password: PASSWORD.into(), department: None, roles: vec![] };
        let account = tamar_identity::create_account(&app.db, &app.ledger, &system, new).await.unwrap();
        tamar_identity::submit_identity(&app.db, &app.ledger, &key, &account, &hkid(n), "1980-01-02").await.unwrap();
    }
    let (verifier, _) = app.sign_in(IMMD_ADMIN).await;
    let mut names = Vec::new();
    let mut path = Some("/en/office/verifications".to_owned());
    let mut pages = 0;
    while let Some(here) = path {
        let reply = app.get(&here, &verifier).await;
        assert_eq!(reply.status, StatusCode::OK, "{here}");
        let mut shown: Vec<String> = reply.body.match_indices("Resident ").map(|(i, _)| reply.body[i..i + 11].to_owned()).collect();
        // Each name stands in its row and in its buttons' labels.
        shown.dedup();
        assert!(shown.len() <= 20, "a page of at most 20: {shown:?}");
        names.extend(shown);
        path = reply.body.split("rel=\"next\"").next().filter(|_| reply.body.contains("rel=\"next\"")).and_then(|before| before.rsplit("href=\"").next()).map(|h| h.trim_end_matches("\" ").replace("&amp;", "&"));
        pages += 1;
    }
    assert_eq!(pages, 3, "45 submissions on pages of 20");
    let expected: Vec<String> = (0..45).map(|n| format!("Resident {n:02}")).collect();
    assert_eq!(names, expected, "oldest first, each once");
    assert_eq!(app.get("/en/office/verifications?after=zz", &verifier).await.status, StatusCode::BAD_REQUEST);
    Ok(()) as R
});

store_test!(bookmarks_are_paged_newest_first, |db| async move {
    let app = setup(db).await;
    let (citizen, _) = app.sign_in(CITIZEN).await;
    let entries: Vec<serde_json::Value> = (0..45)
        .map(|n| {
            serde_json::json!({"slug": format!("service-{n:02}"), "department": "DH", "topics": ["health"], "audiences": ["residents"],
                "name": {"en": format!("Service {n:02}"), "tc": format!("服務 {n:02}")}, "summary": {"en": "A service.", "tc": "一項服務。"},
                "eligibility": {"en": "Everyone.", "tc": "所有人。"}, "fees": {"en": "Free.", "tc": "免費。"},
                "how_to_apply": {"en": "Online.", "tc": "網上。"}, "processing_time": {"en": "A day.", "tc": "一天。"}, "channels": ["online"],
                "online_url": "https://www.dh.gov.hk/"})
        })
        .collect();
    let entries: Vec<tamar_portal::import::CatalogueEntry> = serde_json::from_value(serde_json::Value::Array(entries)).unwrap();
    let dh = tamar_tenancy::by_code(&app.db, "DH").await.unwrap().id;
    tamar_portal::import::import(&app.db, &app.ledger, &entries, &[("DH".to_owned(), dh)].into_iter().collect()).await.unwrap();
    for n in 0..45 {
        let reply = app.json(Method::PUT, &format!("/api/v1/me/bookmarks/service-{n:02}"), &citizen, "").await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.body);
    }
    let mut slugs = Vec::new();
    let mut path = Some("/api/v1/me/bookmarks".to_owned());
    let mut pages = 0;
    while let Some(here) = path {
        let reply = app.get(&here, &citizen).await;
        assert_eq!(reply.status, StatusCode::OK, "{here}: {}", reply.body);
        let items = reply.json();
        assert!(items.as_array().unwrap().len() <= 20);
        slugs.extend(items.as_array().unwrap().iter().map(|i| i["slug"].as_str().unwrap().to_owned()));
        path = next_link(&reply);
        pages += 1;
    }
    assert_eq!(pages, 3);
    let mut sorted = slugs.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 45, "each bookmark once: {slugs:?}");
    let page = app.get("/en/account/bookmarks", &citizen).await.body;
    assert!(page.contains("rel=\"next\""), "the page links to older bookmarks");
    assert_eq!(app.get("/api/v1/me/bookmarks?limit=0", &citizen).await.status, StatusCode::BAD_REQUEST);
    Ok(()) as R
});

/// Publishes catalogue entries numbered `from` to `to` (services, guides, news and notices in
/// turn, over every topic, from the two departments), a minute apart, as an import would.
async fn grow_catalogue(app: &TestApp, from: usize, to: usize) {
    let departments = [tamar_tenancy::by_code(&app.db, "IMMD").await.unwrap().id, tamar_tenancy::by_code(&app.db, "DH").await.unwrap().id];
    let start = app.ledger.now() - chrono::Duration::days(30);
    for chunk in (from..to).collect::<Vec<_>>().chunks(200) {
        let imports = chunk.iter().map(|&i| {
            let kind = tamar_portal::ItemKind::ALL[i % 4];
            let topic = tamar_portal::TOPICS[i % tamar_portal::TOPICS.len()].slug;
            let audience = tamar_portal::AUDIENCES[i % tamar_portal::AUDIENCES.len()].slug;
            let service = (kind == tamar_portal::ItemKind::Service).then(|| tamar_portal::ServiceInput {
                eligibility: tamar_portal::TextInput::new("Residents of Hong Kong.", "香港居民。"),
                fees: tamar_portal::TextInput::new("Free.", "免費。"),
                how_to_apply: tamar_portal::TextInput::new("Apply online.", "網上申請。"),
                processing_time: tamar_portal::TextInput::new("Five working days.", "五個工作天。"),
                channels: vec![tamar_portal::Channel::Online],
                online_url: None,
                eservice: None,
            });
            let new = tamar_portal::NewItem {
                kind,
                slug: format!("entry-{i:05}"),
                content: tamar_portal::ContentInput {
                    title: tamar_portal::TextInput::new(format!("Entry {i:05}"), format!("項目 {i:05}")),
                    summary: tamar_portal::TextInput::new("A summary of the entry.", "項目摘要。"),
                    body: tamar_portal::TextInput::new("What the entry says.", "項目內容。"),
                    service,
                    topics: vec![topic.to_owned()],
                    audiences: vec![audience.to_owned()],
                },
            };
            let at = start + chrono::Duration::minutes(i as i64);
            tamar_portal::content::import_published(&app.db, &app.ledger, departments[i % 2], new, at)
        });
        for outcome in futures::future::join_all(imports).await {
            outcome.unwrap();
        }
    }
    app.ledger.sync().await.unwrap();
}

store_test!(the_catalogue_its_listings_and_the_home_page_cost_the_same_at_any_size, |db| async move {
    let app = setup(db).await;
    let anonymous = Browser::default();
    // A thousand entries fill every page measured here (the rarest list, health news, holds
    // about twenty), so that the small and the large catalogue show pages of the same length.
    grow_catalogue(&app, 0, 1_000).await;
    // A query string keeps the micro-cache out of the way: each is rendered afresh.
    let paths = [
        "/api/v1/catalogue",
        "/api/v1/catalogue?topic=health&type=news&limit=10",
        "/api/v1/catalogue?department=DH&audience=business",
        "/en/?fresh=1",
        "/en/topics/health?limit=50",
        "/en/audiences/residents?limit=50",
        "/en/departments/DH?limit=50",
        "/en/news?limit=50",
        "/en/feeds/news.atom?limit=50",
        "/tc/feeds/topics/transport.atom?limit=20",
    ];
    let mut small = Vec::new();
    for path in paths {
        let (status, bytes, statements, _) = measure(&app, path, &anonymous).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        small.push((bytes, statements));
    }
    grow_catalogue(&app, 1_000, 10_000).await;
    for (path, (small_bytes, small_statements)) in paths.iter().zip(small) {
        let (status, bytes, statements, _) = measure(&app, path, &anonymous).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(statements, small_statements, "{path}: statements at 1,000 and at 10,000 entries");
        assert!(about_the_same(bytes, small_bytes), "{path}: {small_bytes} and {bytes} bytes");
    }

    // The pages of one topic hold each of its entries once, newest first, and as many as the
    // count that the home page and the topic page show.
    let health = tamar_portal::facets::count(&app.db, tamar_portal::facets::Facet::Topic, "health").await.unwrap();
    assert!(health > 800, "{health}");
    let mut seen = std::collections::HashSet::new();
    let mut last = chrono::DateTime::<chrono::FixedOffset>::MAX_UTC.fixed_offset();
    let mut path = Some("/api/v1/catalogue?topic=health&limit=200".to_owned());
    while let Some(here) = path {
        let reply = app.get(&here, &anonymous).await;
        assert_eq!(reply.status, StatusCode::OK, "{here}");
        for item in reply.json().as_array().unwrap() {
            assert!(item["topics"].as_array().unwrap().iter().any(|t| t == "health"));
            let at = chrono::DateTime::parse_from_rfc3339(item["published_at"].as_str().unwrap()).unwrap();
            assert!(at <= last, "newest first");
            last = at;
            assert!(seen.insert(item["slug"].as_str().unwrap().to_owned()), "an entry on two pages");
        }
        path = next_link(&reply);
    }
    assert_eq!(seen.len() as i64, health);
    let home = app.get("/en/?fresh=1", &anonymous).await.body;
    assert!(home.contains(&health.to_string()), "the home page shows the count");
    let topic = app.get("/en/topics/health", &anonymous).await.body;
    assert!(topic.contains(&health.to_string()) && topic.contains("rel=\"next\""), "the topic page shows the count and links on");
    // Atom's paged feeds: the next page is linked from the feed.
    let feed = app.get("/en/feeds/news.atom", &anonymous).await.body;
    assert!(feed.contains("rel=\"next\""), "{}", &feed[..feed.len().min(600)]);
    // The sitemap's file of items holds every live entry in the three languages, each once.
    let live = tamar_portal::content::live_count(&app.db).await.unwrap();
    let file = app.get("/sitemaps/content-0.xml", &anonymous).await;
    assert_eq!(file.status, StatusCode::OK, "{}", file.body);
    let file = file.body;
    assert_eq!(file.matches("<url>").count() as i64, 3 * live, "three addresses for each of {live} entries");
    assert!(!app.get("/sitemap.xml", &anonymous).await.body.contains("content-1.xml"), "10,000 entries fit one file of 15,000");
    for bad in ["/api/v1/catalogue?after=zz", "/api/v1/catalogue?limit=201", "/en/topics/health?after=6e6f"] {
        assert_eq!(app.get(bad, &anonymous).await.status, StatusCode::BAD_REQUEST, "{bad}");
    }
    Ok(()) as R
});

/// The address of the page's link to the next page of a list, by the link's text.
fn link_before(body: &str, text: &str) -> Option<String> {
    let at = body.find(&format!("rel=\"next\">{text}<"))?;
    let href = body[..at].rsplit("href=\"").next()?;
    Some(href.split('"').next()?.replace("&amp;", "&"))
}

store_test!(a_persons_sessions_are_paged_newest_first, |db| async move {
    let app = setup(db).await;
    let (citizen, _) = app.sign_in(CITIZEN).await;
    let person = tamar_identity::citizen_by_email(&app.db, CITIZEN).await.unwrap().unwrap();
    let account = tamar_identity::get_account(&app.db, &app.ledger, &Actor::System, person, "test").await.unwrap();
    // Forty-five more sessions, on as many devices (started as a sign-in would, without
    // hashing the password forty-five times).
    for n in 0..45 {
        tamar_identity::start_session(&app.db, &app.ledger, &account, Some(&format!("Device {n:02}"))).await.unwrap();
    }
    let mut ids = Vec::new();
    let mut path = Some("/en/account".to_owned());
    let mut pages = 0;
    while let Some(here) = path {
        let reply = app.get(&here, &citizen).await;
        assert_eq!(reply.status, StatusCode::OK, "{here}");
        let on_page: Vec<String> = reply
            .body
            .split("/en/account/sessions/")
            .skip(1)
            .filter_map(|rest| rest.split_once("/end\"").map(|(id, _)| id.to_owned()))
            .collect();
        assert!(on_page.len() <= 20, "a page holds at most 20: {}", on_page.len());
        ids.extend(on_page);
        pages += 1;
        path = link_before(&reply.body, "Older sessions");
        assert!(path.as_deref().is_none_or(|p| p.contains("sessions_after=")), "{path:?}");
    }
    assert_eq!(pages, 3, "46 sessions in pages of 20");
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((ids.len(), unique.len()), (46, 46), "each session once");
    assert_eq!(app.get("/en/account?sessions_after=zz", &citizen).await.status, StatusCode::BAD_REQUEST);

    // At 10,000 sessions the page costs what it cost at 46.
    let (status, small_bytes, small_cost, _) = measure(&app, "/en/account", &citizen).await;
    assert_eq!(status, StatusCode::OK);
    let more: Vec<usize> = (45..10_045).collect();
    for chunk in more.chunks(100) {
        let starts = chunk.iter().map(|n| {
            let (app, account) = (&app, &account);
            async move { tamar_identity::start_session(&app.db, &app.ledger, account, Some(&format!("Device {n:02}"))).await }
        });
        for started in futures::future::join_all(starts).await {
            started.unwrap();
        }
    }
    app.ledger.sync().await.unwrap();
    let (status, large_bytes, large_cost, next) = measure(&app, "/en/account", &citizen).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(small_cost, large_cost, "the account page's statements at 46 and 10,046 sessions");
    assert!(about_the_same(small_bytes, large_bytes), "{small_bytes} and {large_bytes} bytes");
    assert!(next.is_none(), "pages link in their body, not a header");
    Ok(()) as R
});

store_test!(search_results_are_paged_by_offset_with_next_links, |db| async move {
    let app = setup(db).await;
    let anonymous = Browser::default();
    // Browsing everything in Traditional Chinese, one at a time.
    let first = app.get("/api/v1/search?q=&lang=tc&limit=1", &anonymous).await;
    assert_eq!(first.status, StatusCode::OK);
    let total = first.json()["total"].as_u64().unwrap() as usize;
    assert!(total >= 3, "{total}");
    let mut seen = Vec::new();
    let mut path = Some("/api/v1/search?q=&lang=tc&limit=1".to_owned());
    while let Some(here) = path {
        let reply = app.get(&here, &anonymous).await;
        assert_eq!(reply.status, StatusCode::OK, "{here}");
        let body = reply.json();
        assert_eq!(body["total"].as_u64().unwrap() as usize, total, "the same total on every page");
        seen.extend(body["hits"].as_array().unwrap().iter().map(|h| format!("{}:{}", h["kind"], h["slug"])));
        path = next_link(&reply);
        assert!(path.as_deref().is_none_or(|p| p.contains("lang=tc") && p.contains("limit=1")), "the next page keeps the query: {path:?}");
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((seen.len(), unique.len()), (total, total), "every result once");
    Ok(()) as R
});

/// The address of the page's link on to the next page of its list (`rel="next"`), without the
/// fragment that takes the reader down to the list.
fn next_in_body(body: &str) -> Option<String> {
    let at = body.find(" rel=\"next\"")?;
    let href = body[..at].rsplit("href=\"").next()?;
    Some(href.split(['"', '#']).next()?.replace("&amp;", "&"))
}

/// The number at the end of a slug or a name: `service-00042`, `Resident 00042`.
fn number_of(text: &str) -> usize {
    text.rsplit(['-', ' ']).next().and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("no number in {text}"))
}

/// Writes rows to `table` in one transaction, as many to a statement as stay under SQLite's
/// oldest limit of 999 parameters: ten thousand rows in a second, where as many calls of the
/// domain functions that write them take a minute on two busy cores.
async fn insert_rows(app: &TestApp, table: &'static str, columns: &[&'static str], rows: Vec<Vec<tamar_store::sea_query::Value>>) {
    let mut tx = app.db.begin().await.unwrap();
    for chunk in rows.chunks(900 / columns.len()) {
        let mut insert = tamar_store::sea_query::Query::insert().into_table(table).columns(columns.iter().copied()).to_owned();
        for row in chunk {
            assert_eq!(row.len(), columns.len());
            insert.values_panic(row.iter().cloned().map(Into::into));
        }
        tx.execute(&insert).await.unwrap();
    }
    tx.commit().await.unwrap();
}

/// The columns of `portal_items` and `portal_versions`, as `tamar_portal::content` writes them.
const ITEM_COLUMNS: [&str; 9] = ["id", "kind", "slug", "department_id", "created_at", "live_version", "live_at", "first_published_at", "updated_at"];
const VERSION_COLUMNS: [&str; 11] =
    ["item_id", "number", "state", "content", "author_id", "created_at", "updated_at", "reviewer_id", "review_note", "publish_at", "published_at"];

/// Service number `i` of a department, for a person to bookmark.
fn service(i: usize) -> tamar_portal::NewItem {
    tamar_portal::NewItem {
        kind: tamar_portal::ItemKind::Service,
        slug: format!("service-{i:05}"),
        content: tamar_portal::ContentInput {
            title: tamar_portal::TextInput::new(format!("Service {i:05}"), format!("服務 {i:05}")),
            summary: tamar_portal::TextInput::new("A service to bookmark.", "可加入書籤的服務。"),
            body: tamar_portal::TextInput::new("What the service does.", "服務內容。"),
            service: Some(tamar_portal::ServiceInput {
                eligibility: tamar_portal::TextInput::new("Residents of Hong Kong.", "香港居民。"),
                fees: tamar_portal::TextInput::new("Free.", "免費。"),
                how_to_apply: tamar_portal::TextInput::new("Apply online.", "網上申請。"),
                processing_time: tamar_portal::TextInput::new("Five working days.", "五個工作天。"),
                channels: vec![tamar_portal::Channel::Online],
                online_url: None,
                eservice: None,
            }),
            topics: vec!["health".to_owned()],
            audiences: vec!["residents".to_owned()],
        },
    }
}

/// When service number `i` was published: a minute after the one before.
fn service_published_at(i: usize) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(1_764_547_200, 0).unwrap() + chrono::Duration::minutes(i as i64)
}

/// Publishes services `from` to `to` of the Department of Health through `import_published`,
/// as an import would. Their numbers and ids.
async fn publish_services(app: &TestApp, from: usize, to: usize) -> Vec<(usize, tamar_portal::ItemId)> {
    let dh = tamar_tenancy::by_code(&app.db, "DH").await.unwrap().id;
    let imports = (from..to).map(|i| async move {
        (i, tamar_portal::content::import_published(&app.db, &app.ledger, dh, service(i), service_published_at(i)).await.unwrap().id)
    });
    let ids = futures::future::join_all(imports).await;
    app.ledger.sync().await.unwrap();
    ids
}

/// Loads services `from` to `to` as the rows that `import_published` writes to the items and
/// their versions; not its change feed, facets and log entries, which no list of bookmarks
/// reads. Their numbers and ids.
async fn load_services(app: &TestApp, from: usize, to: usize) -> Vec<(usize, tamar_portal::ItemId)> {
    use tamar_store::to_millis;
    let dh = tamar_tenancy::by_code(&app.db, "DH").await.unwrap().id;
    let now = to_millis(app.ledger.now());
    let ids: Vec<(usize, tamar_portal::ItemId)> = (from..to).map(|i| (i, tamar_portal::ItemId::new())).collect();
    let mut items = Vec::new();
    let mut versions = Vec::new();
    for &(i, id) in &ids {
        let new = service(i);
        let content = serde_json::to_string(&new.content.into_content(new.kind).unwrap()).unwrap();
        let published = to_millis(service_published_at(i));
        items.push(vec![
            id.to_string().into(),
            new.kind.as_str().into(),
            new.slug.into(),
            dh.to_string().into(),
            now.into(),
            Some(1i32).into(),
            Some(published).into(),
            Some(published).into(),
            now.into(),
        ]);
        versions.push(vec![
            id.to_string().into(),
            1i32.into(),
            tamar_portal::VersionState::Published.as_str().into(),
            content.into(),
            None::<String>.into(),
            now.into(),
            now.into(),
            None::<String>.into(),
            None::<String>.into(),
            Some(published).into(),
            Some(published).into(),
        ]);
    }
    insert_rows(app, "portal_items", &ITEM_COLUMNS, items).await;
    insert_rows(app, "portal_versions", &VERSION_COLUMNS, versions).await;
    ids
}

/// When the `n`th bookmark was made: three to a millisecond, so that the order of bookmarks
/// made at once (by their items) is paged over too.
fn bookmarked_at(n: usize) -> i64 {
    1_767_225_600_000 + (n / 3) as i64
}

/// Bookmarks the numbered items for the person: the rows that `mygov::add_bookmark` writes,
/// without its log entries, which no list reads.
async fn bookmark_all(app: &TestApp, person: tamar_core::AccountId, items: &[(usize, tamar_portal::ItemId)]) {
    let rows = items.iter().map(|(n, item)| vec![person.to_string().into(), item.to_string().into(), bookmarked_at(*n).into()]).collect();
    insert_rows(app, "portal_bookmarks", &["account_id", "item_id", "created_at"], rows).await;
}

/// Follows the next links of the person's bookmarks from a first page of 200: the slugs seen,
/// each once and newest bookmark first, and the number of pages.
async fn walk_bookmarks(app: &TestApp, citizen: &Browser) -> (std::collections::HashSet<String>, usize) {
    let mut seen = std::collections::HashSet::new();
    let mut last = i64::MAX;
    let mut path = Some("/api/v1/me/bookmarks?limit=200".to_owned());
    let mut pages = 0;
    while let Some(here) = path {
        let reply = app.get(&here, citizen).await;
        assert_eq!(reply.status, StatusCode::OK, "{here}: {}", reply.body);
        let items = reply.json();
        assert!(items.as_array().unwrap().len() <= 200);
        for item in items.as_array().unwrap() {
            let slug = item["slug"].as_str().unwrap().to_owned();
            let at = bookmarked_at(number_of(&slug));
            assert!(at <= last, "newest first: {slug}");
            last = at;
            assert!(seen.insert(slug), "a bookmark on two pages");
        }
        path = next_link(&reply);
        pages += 1;
    }
    (seen, pages)
}

store_test!(bookmarks_cost_the_same_at_any_length_and_each_is_on_one_page, |db| async move {
    let app = setup(db).await;
    let (citizen, _) = app.sign_in(CITIZEN).await;
    let person = tamar_identity::citizen_by_email(&app.db, CITIZEN).await.unwrap().unwrap();
    let mut services = publish_services(&app, 0, 100).await;
    bookmark_all(&app, person, &services).await;
    let (status, api_small, api_cost_small, next) = measure(&app, "/api/v1/me/bookmarks", &citizen).await;
    assert_eq!(status, StatusCode::OK);
    assert!(next.is_some(), "a next page after 20 of 100");
    let (status, page_small, page_cost_small, _) = measure(&app, "/en/account/bookmarks", &citizen).await;
    assert_eq!(status, StatusCode::OK);
    assert!(next_in_body(&app.get("/en/account/bookmarks", &citizen).await.body).is_some(), "the page links to older bookmarks");
    let more = load_services(&app, 100, 10_000).await;
    bookmark_all(&app, person, &more).await;
    services.extend(more);
    let (status, api_large, api_cost_large, next) = measure(&app, "/api/v1/me/bookmarks", &citizen).await;
    assert_eq!(status, StatusCode::OK);
    assert!(next.is_some());
    let (status, page_large, page_cost_large, _) = measure(&app, "/en/account/bookmarks", &citizen).await;
    assert_eq!(status, StatusCode::OK);
    eprintln!(
        "bookmarks: API {api_small} bytes, {api_cost_small} statements at 100, {api_large} bytes, {api_cost_large} at 10,000; \
         page {page_small} bytes, {page_cost_small} statements at 100, {page_large} bytes, {page_cost_large} at 10,000"
    );
    assert_eq!(api_cost_small, api_cost_large, "the API's statements at 100 and at 10,000 bookmarks");
    assert_eq!(page_cost_small, page_cost_large, "the page's statements at 100 and at 10,000 bookmarks");
    assert!(about_the_same(api_small, api_large), "{api_small} and {api_large} bytes");
    assert!(about_the_same(page_small, page_large), "{page_small} and {page_large} bytes");
    let first = app.get("/api/v1/me/bookmarks", &citizen).await.json();
    assert_eq!(first.as_array().unwrap().len(), 20, "20 by default");
    assert_eq!(number_of(first[0]["slug"].as_str().unwrap()) / 3, 9_999 / 3, "the newest first");
    assert!(next_in_body(&app.get("/en/account/bookmarks", &citizen).await.body).is_some());

    // Following the links, pages of 200 hold every bookmark once, newest first.
    let (seen, pages) = walk_bookmarks(&app, &citizen).await;
    assert_eq!(seen.len(), 10_000, "every bookmark");
    assert_eq!(pages, 10_000_usize.div_ceil(200));

    // A bookmarked service taken off the portal is left out, and the page is still full.
    let reviewer = tamar_identity::get_account(&app.db, &app.ledger, &Actor::System, account_id(&app, DH_REVIEWER).await, "test").await.unwrap();
    tamar_portal::content::withdraw(&app.db, &app.ledger, &reviewer.actor(), services[9_990].1).await.unwrap();
    let first = app.get("/api/v1/me/bookmarks", &citizen).await;
    let listed = first.json();
    assert_eq!(listed.as_array().unwrap().len(), 20, "a full page");
    assert!(listed.as_array().unwrap().iter().all(|b| b["slug"] != "service-09990"), "without the withdrawn service");
    assert!(next_link(&first).is_some());
    let (seen, pages) = walk_bookmarks(&app, &citizen).await;
    assert_eq!((seen.len(), pages), (9_999, 10_000_usize.div_ceil(200)), "every live bookmark once, on as many pages");
    assert!(!seen.contains("service-09990"));

    // Out of bounds, or a cursor that no page gave: 400, naming the field, on the page too.
    for (query, field) in [("limit=0", "limit"), ("limit=201", "limit"), ("after=zz", "after"), ("after=6e6f", "after")] {
        let reply = app.get(&format!("/api/v1/me/bookmarks?{query}"), &citizen).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(reply.json()["code"], "invalid_query", "{query}");
        assert_eq!(reply.json()["details"][0]["field"], field, "{query}");
        assert_eq!(app.get(&format!("/en/account/bookmarks?{query}"), &citizen).await.status, StatusCode::BAD_REQUEST, "{query}");
    }
    Ok(()) as R
});

/// The id of an account, by its email address.
async fn account_id(app: &TestApp, email: &str) -> tamar_core::AccountId {
    use tamar_store::sea_query::{Expr, Query};
    let found = app.db.fetch_one(&Query::select().column("id").from("accounts").and_where(Expr::col("email").eq(email)).to_owned()).await.unwrap();
    tamar_store::row::parse(&found, "id").unwrap()
}

/// Opens the accounts of residents `from` to `to`, their email addresses verified: the rows that
/// `create_account` writes, with one password hash for all (a debug build takes about a second
/// to hash a password), without its log entries.
async fn open_residents(app: &TestApp, from: usize, to: usize) -> Vec<(usize, tamar_identity::Account)> {
    use tamar_store::sea_query::{Expr, Query};
    let hash = app.db.fetch_one(&Query::select().column("password_hash").from("accounts").and_where(Expr::col("email").eq(CITIZEN)).to_owned()).await.unwrap();
    let hash: String = tamar_store::row::get(&hash, "password_hash").unwrap();
    let now = app.ledger.now();
    let residents: Vec<(usize, tamar_identity::Account)> = (from..to)
        .map(|n| {
            let account = tamar_identity::Account {
                id: tamar_core::AccountId::new(),
                kind: AccountKind::Citizen,
                email: format!("resident{n}@tamar.test"),
                display_name: format!("Resident {n:05}"),
                name_zh: None,
                department: None,
                roles: vec![],
                assurance: tamar_identity::Assurance::L1,
                hkid_masked: None,
                mfa: false,
                address: None,
                phone: None,
                created_at: now,
            };
            (n, account)
        })
        .collect();
    let at = tamar_store::to_millis(now);
    let rows = residents
        .iter()
        .map(|(_, a)| {
            vec![
                a.id.to_string().into(),
                "citizen".into(),
                a.email.clone().into(),
                a.display_name.clone().into(),
                None::<String>.into(),
                hash.clone().into(),
                None::<String>.into(),
                "".into(),
                at.into(),
                Some(at).into(),
            ]
        })
        .collect();
    let columns = ["id", "kind", "email", "display_name", "name_zh", "password_hash", "department_id", "roles", "created_at", "email_verified_at"];
    insert_rows(app, "accounts", &columns, rows).await;
    residents
}

/// Each resident asks for identity verification through `submit_identity`.
async fn submit_identities(app: &TestApp, residents: &[(usize, tamar_identity::Account)]) {
    let submissions = residents.iter().map(|(n, a)| async move {
        tamar_identity::submit_identity(&app.db, &app.ledger, &app.state.hkid_key, a, &hkid(*n), "1980-01-02").await
    });
    for outcome in futures::future::join_all(submissions).await {
        outcome.unwrap();
    }
    app.ledger.sync().await.unwrap();
}

/// Each resident's submission as the row that `submit_identity` writes, four to a millisecond
/// from now on; without its log entry, which the queue does not read. The hash and the sealed
/// number are made with the keys of the test's node, so that an approval works on them.
async fn load_submissions(app: &TestApp, residents: &[(usize, tamar_identity::Account)]) {
    let sealer = tamar_store::Sealer::new(&[5u8; 32]);
    let start = tamar_store::to_millis(app.ledger.now());
    let rows = residents
        .iter()
        .enumerate()
        .map(|(k, (n, a))| {
            let number = tamar_core::Hkid::parse(&hkid(*n)).unwrap();
            vec![
                tamar_core::AccountId::new().0.to_string().into(),
                a.id.to_string().into(),
                app.state.hkid_key.digest(&number).into(),
                number.masked().into(),
                "1980-01-02".into(),
                "pending".into(),
                (start + (k / 4) as i64).into(),
                sealer.seal(number.full().as_bytes(), &format!("hkid:{}", a.id)).into(),
            ]
        })
        .collect();
    let columns = ["id", "account_id", "hkid_hash", "hkid_masked", "date_of_birth", "status", "submitted_at", "hkid_sealed"];
    insert_rows(app, "identity_verifications", &columns, rows).await;
}

/// The submissions on a page of the queue, by the addresses of their decision forms.
fn submissions_on(body: &str) -> Vec<String> {
    body.split("action=\"/en/office/verifications/").skip(1).filter_map(|rest| rest.split_once('"').map(|(id, _)| id.to_owned())).collect()
}

store_test!(the_verification_queue_costs_the_same_at_any_length_and_each_is_on_one_page, |db| async move {
    let app = setup(db).await;
    let (verifier, _) = app.sign_in(IMMD_ADMIN).await;
    let officer = tamar_identity::get_account(&app.db, &app.ledger, &Actor::System, account_id(&app, IMMD_ADMIN).await, "test").await.unwrap().actor();
    let residents = open_residents(&app, 0, 10_000).await;
    submit_identities(&app, &residents[..100]).await;
    let (status, small, cost_small, _) = measure(&app, "/en/office/verifications", &verifier).await;
    assert_eq!(status, StatusCode::OK);
    assert!(next_in_body(&app.get("/en/office/verifications", &verifier).await.body).is_some(), "later submissions after 20 of 100");
    load_submissions(&app, &residents[100..]).await;
    let (status, large, cost_large, _) = measure(&app, "/en/office/verifications", &verifier).await;
    assert_eq!(status, StatusCode::OK);
    eprintln!("verification queue: {small} bytes, {cost_small} statements at 100; {large} bytes, {cost_large} statements at 10,000");
    assert_eq!(cost_small, cost_large, "the queue's statements at 100 and at 10,000 submissions");
    assert!(about_the_same(small, large), "{small} and {large} bytes");
    let first = app.get("/en/office/verifications", &verifier).await.body;
    assert_eq!(submissions_on(&first).len(), 20, "20 to a page");
    let names: Vec<usize> = first.match_indices("Resident ").map(|(i, _)| number_of(&first[i..i + 14])).collect();
    assert!(!names.is_empty() && names.iter().all(|&n| n < 100), "the oldest first: {names:?}");
    assert!(next_in_body(&first).is_some());

    // The queue has no API: read through the domain, pages of 200 hold every submission once,
    // oldest first. (Each person shown is a logged read: this reads ten thousand.)
    let mut seen = Vec::new();
    let mut last = chrono::DateTime::<chrono::Utc>::MIN_UTC;
    let mut requests = vec![tamar_core::PageRequest::first(200)];
    loop {
        let page = tamar_identity::verification_queue(&app.db, &app.ledger, &officer, requests.last().unwrap()).await.unwrap();
        assert!(page.items.len() <= 200);
        for p in &page.items {
            assert!(p.submitted_at >= last, "oldest first");
            last = p.submitted_at;
            seen.push(p.id.clone());
        }
        let Some(next) = page.next else { break };
        requests.push(tamar_core::PageRequest { limit: 200, after: Some(next) });
    }
    let unique: std::collections::HashSet<&String> = seen.iter().collect();
    assert_eq!((seen.len(), unique.len(), requests.len()), (10_000, 10_000, 10_000_usize.div_ceil(200)), "each submission once");
    // The page's own links lead on from where the page before ended.
    let mut path = Some("/en/office/verifications".to_owned());
    for page in 0..3 {
        let reply = app.get(path.as_deref().unwrap(), &verifier).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(submissions_on(&reply.body), seen[page * 20..(page + 1) * 20], "page {page}");
        path = next_in_body(&reply.body);
    }
    assert!(path.unwrap().contains("after="));

    // A submission loaded as rows is one that the domain decides on: approved, it gives the
    // person their number, and leaves the queue.
    let (n, resident) = &residents[5_000];
    let id = {
        use tamar_store::sea_query::{Expr, Query};
        let found = app
            .db
            .fetch_one(&Query::select().column("id").from("identity_verifications").and_where(Expr::col("account_id").eq(resident.id.to_string())).to_owned())
            .await?;
        tamar_store::row::get::<String>(&found, "id")?
    };
    tamar_identity::decide_verification(&app.db, &app.ledger, &officer, &id, true).await?;
    let full = tamar_identity::full_hkid(&app.db, &app.state.hkid_key, resident.id).await?;
    assert_eq!(full, Some(tamar_core::Hkid::parse(&hkid(*n)).unwrap().full()));
    let at = seen.iter().position(|s| *s == id).unwrap();
    let page = tamar_identity::verification_queue(&app.db, &app.ledger, &officer, &requests[at / 200]).await?;
    let ids: Vec<&String> = page.items.iter().map(|p| &p.id).collect();
    assert_eq!(ids.len(), 200, "the page fills up from the next");
    assert!(!ids.contains(&&id), "a decided submission leaves the queue");

    for bad in ["after=zz", "after=6e6f"] {
        assert_eq!(app.get(&format!("/en/office/verifications?{bad}"), &verifier).await.status, StatusCode::BAD_REQUEST, "{bad}");
    }
    Ok(()) as R
});

/// Guide number `i` of a department, being written.
fn draft(i: usize) -> tamar_portal::NewItem {
    tamar_portal::NewItem {
        kind: tamar_portal::ItemKind::Guide,
        slug: format!("draft-{i:05}"),
        content: tamar_portal::ContentInput {
            title: tamar_portal::TextInput::new(format!("Draft {i:05}"), format!("草稿 {i:05}")),
            summary: tamar_portal::TextInput::new("A guide being written.", "撰寫中的指南。"),
            body: tamar_portal::TextInput::new("What the guide will say.", "指南內容。"),
            service: None,
            topics: vec!["health".to_owned()],
            audiences: vec!["residents".to_owned()],
        },
    }
}

/// Drafts guides `from` to `to` of the department, written by `editor` through `create`;
/// every other one (the even numbers) is sent for review with `submit`.
async fn write_drafts(app: &TestApp, editor: &Actor, department: tamar_core::DepartmentId, from: usize, to: usize) {
    let drafts = (from..to).map(|i| async move {
        let (item, _) = tamar_portal::content::create(&app.db, &app.ledger, editor, department, draft(i)).await?;
        if i.is_multiple_of(2) {
            tamar_portal::content::submit(&app.db, &app.ledger, editor, item.id).await?;
        }
        Ok::<_, tamar_portal::PortalError>(())
    });
    for outcome in futures::future::join_all(drafts).await {
        outcome.unwrap();
    }
    app.ledger.sync().await.unwrap();
}

/// Loads guides `from` to `to` as the rows that `create` (and, for the even numbers, `submit`)
/// write to the items and their versions, four to a millisecond from now on; not their log
/// entries and records of who edited what, which no list reads.
async fn load_drafts(app: &TestApp, editor: tamar_core::AccountId, department: tamar_core::DepartmentId, from: usize, to: usize) {
    let start = tamar_store::to_millis(app.ledger.now());
    let mut items = Vec::new();
    let mut versions = Vec::new();
    for i in from..to {
        let new = draft(i);
        let id = tamar_portal::ItemId::new();
        let content = serde_json::to_string(&new.content.into_content(new.kind).unwrap()).unwrap();
        let created = start + ((i - from) / 4) as i64;
        let submitted = i.is_multiple_of(2);
        let updated = if submitted { created + 1 } else { created };
        let state = if submitted { tamar_portal::VersionState::InReview } else { tamar_portal::VersionState::Draft };
        items.push(vec![
            id.to_string().into(),
            new.kind.as_str().into(),
            new.slug.into(),
            department.to_string().into(),
            created.into(),
            None::<i32>.into(),
            None::<i64>.into(),
            None::<i64>.into(),
            updated.into(),
        ]);
        versions.push(vec![
            id.to_string().into(),
            1i32.into(),
            state.as_str().into(),
            content.into(),
            Some(editor.to_string()).into(),
            created.into(),
            updated.into(),
            None::<String>.into(),
            None::<String>.into(),
            None::<i64>.into(),
            None::<i64>.into(),
        ]);
    }
    insert_rows(app, "portal_items", &ITEM_COLUMNS, items).await;
    insert_rows(app, "portal_versions", &VERSION_COLUMNS, versions).await;
}

/// The address of the dashboard's link to the next page of its review queue.
fn review_next_in(body: &str) -> Option<String> {
    let at = body.find("#review\"")?;
    let href = body[..at].rsplit("href=\"").next()?;
    Some(href.replace("&amp;", "&"))
}

/// The numbers of the drafts in a part of a page.
fn drafts_in(html: &str) -> Vec<usize> {
    html.match_indices("Draft ").map(|(i, _)| number_of(&html[i..i + 11])).collect()
}

store_test!(a_departments_content_and_review_queue_cost_the_same_at_any_length, |db| async move {
    let app = setup(db).await;
    let (editor_browser, _) = app.sign_in(DH_OFFICER).await;
    let (reviewer_browser, _) = app.sign_in(DH_REVIEWER).await;
    let editor = tamar_identity::get_account(&app.db, &app.ledger, &Actor::System, account_id(&app, DH_OFFICER).await, "test").await?;
    let reviewer = tamar_identity::get_account(&app.db, &app.ledger, &Actor::System, account_id(&app, DH_REVIEWER).await, "test").await?.actor();
    let dh = tamar_tenancy::by_code(&app.db, "DH").await?.id;
    // The department's two published items from the setup, and its editor's drafts.
    let before = tamar_portal::content::department_items(&app.db, &reviewer, dh, &tamar_core::PageRequest::first(200)).await?.items.len();
    write_drafts(&app, &editor.actor(), dh, 0, 100).await;
    let path = "/en/office/content";
    let (status, editor_small, editor_cost_small, _) = measure(&app, path, &editor_browser).await;
    assert_eq!(status, StatusCode::OK);
    let (status, reviewer_small, reviewer_cost_small, _) = measure(&app, path, &reviewer_browser).await;
    assert_eq!(status, StatusCode::OK);
    let page = app.get(path, &reviewer_browser).await.body;
    assert!(next_in_body(&page).is_some() && review_next_in(&page).is_some(), "both lists go on after 20");
    load_drafts(&app, editor.id, dh, 100, 10_000).await;
    let (status, editor_large, editor_cost_large, _) = measure(&app, path, &editor_browser).await;
    assert_eq!(status, StatusCode::OK);
    let (status, reviewer_large, reviewer_cost_large, _) = measure(&app, path, &reviewer_browser).await;
    assert_eq!(status, StatusCode::OK);
    eprintln!(
        "office content: editor {editor_small} bytes, {editor_cost_small} statements at 100; {editor_large} bytes, {editor_cost_large} at 10,000; \
         reviewer {reviewer_small} bytes, {reviewer_cost_small} statements at 100; {reviewer_large} bytes, {reviewer_cost_large} at 10,000"
    );
    assert_eq!(editor_cost_small, editor_cost_large, "the editor's dashboard's statements at 100 and at 10,000 items");
    assert_eq!(reviewer_cost_small, reviewer_cost_large, "the reviewer's dashboard's statements at 100 and at 10,000 items");
    assert!(about_the_same(editor_small, editor_large), "{editor_small} and {editor_large} bytes");
    assert!(about_the_same(reviewer_small, reviewer_large), "{reviewer_small} and {reviewer_large} bytes");
    let page = app.get(path, &reviewer_browser).await.body;
    assert!(next_in_body(&page).is_some() && review_next_in(&page).is_some());
    let (queue, all) = page.split_once("id=\"all-items\"").unwrap();
    let (queued, listed) = (drafts_in(queue), drafts_in(all));
    assert_eq!((queued.len(), listed.len()), (20, 20), "20 of each");
    assert!(queued.iter().all(|&n| n < 100 && n.is_multiple_of(2)), "the queue's oldest first: {queued:?}");
    assert!(listed.iter().all(|&n| n >= 9_900), "the most recently changed first: {listed:?}");

    // The list has no API: read through the domain, pages of 200 hold every item once, most
    // recently changed first, and the review queue every submitted one once, oldest first.
    let mut seen = Vec::new();
    let mut last = (i64::MAX, String::new());
    let mut request = tamar_core::PageRequest::first(200);
    let mut pages = 0;
    loop {
        let page = tamar_portal::content::department_items(&app.db, &editor.actor(), dh, &request).await?;
        for s in &page.items {
            assert_eq!(s.item.department, dh);
            let key = (tamar_store::to_millis(s.item.updated_at), s.item.slug.clone());
            assert!(key.0 < last.0 || (key.0 == last.0 && key.1 > last.1), "most recently changed first: {key:?} after {last:?}");
            last = key;
            seen.push(s.item.slug.clone());
        }
        pages += 1;
        let Some(next) = page.next else { break };
        request = tamar_core::PageRequest { limit: 200, after: Some(next) };
    }
    let unique: std::collections::HashSet<&String> = seen.iter().collect();
    assert_eq!((seen.len(), unique.len(), pages), (10_000 + before, 10_000 + before, (10_000 + before).div_ceil(200)), "each item once");
    assert!((0..10_000).all(|i| unique.contains(&format!("draft-{i:05}"))));
    let mut in_review = Vec::new();
    let mut last = (i64::MIN, String::new());
    let mut request = tamar_core::PageRequest::first(200);
    let mut pages = 0;
    loop {
        let page = tamar_portal::content::in_review(&app.db, &reviewer, dh, &request).await?;
        for s in &page.items {
            assert_eq!(s.latest.state, tamar_portal::VersionState::InReview);
            let key = (tamar_store::to_millis(s.latest.updated_at), s.item.id.to_string());
            assert!(key.0 > last.0 || (key.0 == last.0 && key.1 > last.1), "oldest first: {key:?} after {last:?}");
            last = key;
            in_review.push(s.item.slug.clone());
        }
        pages += 1;
        let Some(next) = page.next else { break };
        request = tamar_core::PageRequest { limit: 200, after: Some(next) };
    }
    let unique: std::collections::HashSet<&String> = in_review.iter().collect();
    assert_eq!((in_review.len(), unique.len(), pages), (5_000, 5_000, 5_000_usize.div_ceil(200)), "each submitted version once");
    assert!(in_review.iter().all(|slug| number_of(slug).is_multiple_of(2)), "only what was sent for review");

    // The dashboard's own links lead on from where the page before ended, each list with its
    // own cursor.
    let mut path = Some(path.to_owned());
    for n in 0..3 {
        let reply = app.get(path.as_deref().unwrap(), &editor_browser).await;
        assert_eq!(reply.status, StatusCode::OK);
        let expected: Vec<usize> = seen[n * 20..(n + 1) * 20].iter().map(|slug| number_of(slug)).collect();
        assert_eq!(drafts_in(&reply.body), expected, "page {n} of all items");
        path = next_in_body(&reply.body);
    }
    let mut path = Some("/en/office/content".to_owned());
    for n in 0..3 {
        let reply = app.get(path.as_deref().unwrap(), &reviewer_browser).await;
        assert_eq!(reply.status, StatusCode::OK);
        let expected: Vec<usize> = in_review[n * 20..(n + 1) * 20].iter().map(|slug| number_of(slug)).collect();
        assert_eq!(drafts_in(reply.body.split("id=\"all-items\"").next().unwrap()), expected, "page {n} of the queue");
        // Turning the queue's page leaves the list of all items at its first page.
        assert_eq!(drafts_in(reply.body.split("id=\"all-items\"").nth(1).unwrap()), listed, "page {n} of the queue");
        path = review_next_in(&reply.body);
        assert!(path.as_deref().is_some_and(|p| p.contains("review_after=") && !p.contains("&after=")), "{path:?}");
    }

    // Items loaded as rows are items that the domain works on: approved, one goes live.
    let slug = &in_review[4_000];
    let item = tamar_portal::content::item_by_slug(&app.db, slug).await?;
    tamar_portal::content::approve(&app.db, &app.ledger, &reviewer, item.id, None).await?;
    assert!(tamar_portal::content::live(&app.db, tamar_portal::ItemKind::Guide, slug).await.is_ok());

    // Out of bounds, or a cursor that no page gave: 400.
    for query in ["limit=201", "after=zz", "after=6e6f", "review_after=zz"] {
        assert_eq!(app.get(&format!("/en/office/content?{query}"), &reviewer_browser).await.status, StatusCode::BAD_REQUEST, "{query}");
    }
    Ok(()) as R
});

/// The columns of `portal_bulk_sends`, as `tamar_portal::bulk::start` writes them.
const BULK_COLUMNS: [&str; 15] = [
    "id", "department_id", "audience", "kind", "subject", "body", "due_on", "rate", "status", "cursor", "sent", "created_at",
    "created_by", "finished_at", "updated_at",
];

/// Loads `count` finished bulk messages of a department as the rows that `start` and the job
/// leave behind, one to a millisecond from `start` on, subjects numbered from `from`.
async fn load_bulk_sends(app: &TestApp, department: tamar_core::DepartmentId, from: usize, count: usize, start: i64) {
    let rows = (from..from + count)
        .map(|i| {
            let subject = serde_json::json!({"en": format!("Notice {i:05}"), "tc": format!("通告 {i:05}"), "sc": format!("通告 {i:05}")});
            let body = serde_json::json!({"en": "Clinics open at 9.", "tc": "診所九時開門。", "sc": "诊所九时开门。"});
            let at = start + (i - from) as i64;
            vec![
                tamar_portal::bulk::BulkSendId::new().to_string().into(),
                department.to_string().into(),
                format!("subscribers:department:{department}").into(),
                "message".into(),
                subject.to_string().into(),
                body.to_string().into(),
                None::<String>.into(),
                200i64.into(),
                "done".into(),
                None::<String>.into(),
                3i64.into(),
                at.into(),
                "officer:test".into(),
                Some(at + 1).into(),
                (at + 1).into(),
            ]
        })
        .collect();
    insert_rows(app, "portal_bulk_sends", &BULK_COLUMNS, rows).await;
}

fn notices_in(reply: &Reply) -> Vec<usize> {
    reply.json().as_array().unwrap().iter().map(|s| number_of(s["subject"]["en"].as_str().unwrap())).collect()
}

store_test!(a_departments_bulk_messages_cost_the_same_at_any_length, |db| async move {
    let app = setup(db).await;
    let (officer, _) = app.sign_in(DH_OFFICER).await;
    let (immd, _) = app.sign_in(IMMD_ADMIN).await;
    let dh = tamar_tenancy::by_code(&app.db, "DH").await?.id;
    let immd_id = tamar_tenancy::by_code(&app.db, "IMMD").await?.id;
    const PATH: &str = "/api/v1/office/bulk-messages";
    // Another department's messages, older and newer than all of DH's: never on DH's pages.
    let start = tamar_store::to_millis(app.ledger.now()) - 100_000;
    load_bulk_sends(&app, immd_id, 90_000, 50, start - 1_000).await;
    load_bulk_sends(&app, dh, 0, 100, start).await;
    let (status, small, cost_small, next) = measure(&app, PATH, &officer).await;
    assert_eq!(status, StatusCode::OK);
    assert!(next.is_some(), "a next page after 20 of 100");
    load_bulk_sends(&app, dh, 100, 9_900, start + 100).await;
    load_bulk_sends(&app, immd_id, 95_000, 50, start + 20_000).await;
    let (status, large, cost_large, _) = measure(&app, PATH, &officer).await;
    assert_eq!(status, StatusCode::OK);
    eprintln!("bulk messages: {small} bytes, {cost_small} statements at 100; {large} bytes, {cost_large} at 10,000");
    assert_eq!(cost_small, cost_large, "the list's statements at 100 and at 10,000 messages");
    assert!(about_the_same(small, large), "{small} and {large} bytes");
    let first = app.get(PATH, &officer).await;
    assert_eq!(notices_in(&first), (9_980..10_000).rev().collect::<Vec<_>>(), "20 by default, newest first");

    // Following the links, pages of 200 hold every message of the department once, newest first.
    let mut seen = Vec::new();
    let mut path = Some(format!("{PATH}?limit=200"));
    let mut pages = 0;
    while let Some(here) = path {
        let reply = app.get(&here, &officer).await;
        assert_eq!(reply.status, StatusCode::OK, "{here}: {}", reply.body);
        seen.extend(notices_in(&reply));
        path = next_link(&reply);
        pages += 1;
    }
    assert_eq!(seen, (0..10_000).rev().collect::<Vec<_>>(), "each of the department's messages once, newest first");
    assert_eq!(pages, 50);
    // The other department sees its own hundred and nothing of DH's.
    let theirs = app.get(&format!("{PATH}?limit=200"), &immd).await;
    assert_eq!(notices_in(&theirs).len(), 100);
    assert!(notices_in(&theirs).iter().all(|&n| n >= 90_000));

    // Rows loaded are rows as the domain writes them: one started through the API comes first.
    let body = serde_json::json!({"audience": "department", "kind": "message", "subject": {"en": "Notice 10000", "tc": "通告 10000"},
        "body": {"en": "Clinics open at 9.", "tc": "診所九時開門。"}});
    assert_eq!(app.json(Method::POST, PATH, &officer, &body.to_string()).await.status, StatusCode::ACCEPTED);
    assert_eq!(notices_in(&app.get(PATH, &officer).await), (9_981..=10_000).rev().collect::<Vec<_>>());

    // Out of bounds, or a cursor that no page gave: 400, naming the field.
    for (query, field) in [("limit=0", "limit"), ("limit=201", "limit"), ("after=zz", "after"), ("after=6e6f", "after")] {
        let reply = app.get(&format!("{PATH}?{query}"), &officer).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(reply.json()["code"], "invalid_query", "{query}");
        assert_eq!(reply.json()["details"][0]["field"], field, "{query}");
    }
    Ok(()) as R
});
