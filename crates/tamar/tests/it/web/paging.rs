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

/// One GET, after one before it (so that both sizes find the session just as fresh): its
/// status, its body's length, the statements it ran, and its next link.
async fn measure(app: &TestApp, path: &str, browser: &Browser) -> (StatusCode, usize, u64, Option<String>) {
    app.get(path, browser).await;
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
