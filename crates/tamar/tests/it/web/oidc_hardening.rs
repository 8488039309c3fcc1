//! Sign in with Tamar, attacked: logout without asking, details released against the person's
//! settings, subjects shared across sectors, keys that sign before relying parties know them,
//! and faults that leak or pass for wrong credentials.

use base64::Engine as _;

use super::sign_in_with_tamar::*;
use super::*;

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-long-enough";
const OTHER_CITIZEN: &str = "other.citizen@tamar.test";

/// An ID token from the client for whoever is signed in in `browser`.
async fn id_token(app: &TestApp, browser: &Browser, token: &str, rp: &Rp) -> String {
    let code = code_for(app, browser, token, &authorize_url(rp, VERIFIER, "")).await;
    let tokens = exchange(app, rp, &code, VERIFIER, &rp.redirect).await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.body);
    tokens.json()["id_token"].as_str().unwrap().to_owned()
}

async fn signed_in(app: &TestApp, browser: &Browser) -> bool {
    app.get("/en/account", browser).await.status == StatusCode::OK
}

async fn another_citizen(app: &TestApp) -> (Browser, String) {
    let new = NewAccount { kind: AccountKind::Citizen, email: OTHER_CITIZEN.into(), display_name: "Other".into(), password: PASSWORD.into(), department: None, roles: vec![] };
    tamar_identity::create_account(&app.db, &app.ledger, &Actor::System, new).await.unwrap();
    app.sign_in(OTHER_CITIZEN).await
}

fn logout_url(hint: Option<&str>, extra: &str) -> String {
    let hint = hint.map(|h| format!("id_token_hint={h}&")).unwrap_or_default();
    format!("/oidc/logout?{hint}{extra}")
}

store_test!(rp_initiated_logout_asks_unless_the_hint_proves_the_client_asked, |db| async move {
    let app = setup(db).await;
    let (admin, _) = app.sign_in(ADMIN).await;
    let rp = register(&app, &admin, "b.example.hk", "openid profile email").await;
    let (citizen, token) = app.sign_in(CITIZEN).await;
    let (attacker, attacker_token) = another_citizen(&app).await;
    let bye = urlencode("https://b.example.hk/bye");

    // A page anywhere links to the end-session endpoint: no sign-out without asking.
    for attack in [
        logout_url(None, ""),
        logout_url(None, &format!("client_id={}&post_logout_redirect_uri={bye}&state=s1", rp.id)),
        logout_url(None, "post_logout_redirect_uri=https%3A%2F%2Fevil.example%2F"),
    ] {
        let reply = app.get(&attack, &citizen).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{attack}");
        assert!(reply.location().starts_with("/en/oidc/logout"), "{attack} -> {}", reply.location());
        assert!(!reply.location().contains("evil.example"), "an unregistered address is dropped");
        assert!(signed_in(&app, &citizen).await, "still signed in after {attack}");
    }
    // The attacker's own valid ID token, sent from the victim's browser: not for this person.
    let attackers_hint = id_token(&app, &attacker, &attacker_token, &rp).await;
    let reply = app.get(&logout_url(Some(&attackers_hint), &format!("post_logout_redirect_uri={bye}")), &citizen).await;
    assert!(reply.location().starts_with("/en/oidc/logout"), "{}", reply.location());
    assert!(signed_in(&app, &citizen).await);
    // A forged hint (the payload changed, so the signature no longer holds).
    let parts: Vec<&str> = attackers_hint.split('.').collect();
    let mut claims: Value = serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    claims["sub"] = "someone-else".into();
    let forged = format!("{}.{}.{}", parts[0], base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims.to_string()), parts[2]);
    let reply = app.get(&logout_url(Some(&forged), &format!("post_logout_redirect_uri={bye}")), &citizen).await;
    assert_eq!(reply.location(), "/en/oidc/logout", "a bad hint: no client, no address carried on");
    assert!(signed_in(&app, &citizen).await);

    // The person's own hint, with an address not registered for the client: asked, and the
    // address is never used.
    let hint = id_token(&app, &citizen, &token, &rp).await;
    let reply = app.get(&logout_url(Some(&hint), "post_logout_redirect_uri=https%3A%2F%2Fb.example.hk%2Fbye%2Fmore"), &citizen).await;
    assert_eq!(reply.location(), "/en/oidc/logout");
    assert!(signed_in(&app, &citizen).await);
    // ... and with a client_id that is not the token's audience.
    let other_rp = register(&app, &admin, "c.example.hk", "openid").await;
    let reply = app.get(&logout_url(Some(&hint), &format!("client_id={}&post_logout_redirect_uri={bye}", other_rp.id)), &citizen).await;
    assert_eq!(reply.location(), "/en/oidc/logout");
    assert!(signed_in(&app, &citizen).await);

    // The confirmation page, in three languages, a form that works without scripts.
    let ask = format!("/en/oidc/logout?client_id={}&post_logout_redirect_uri={bye}&state=s1", rp.id);
    for (lang, heading, asked) in [
        ("en", "Do you want to sign out of Tamar?", "Service at b.example.hk asked Tamar to sign you out."),
        ("tc", "你要登出 Tamar 嗎？", "服務 要求 Tamar 將你登出。"),
        ("sc", "你要登出 Tamar 吗？", "服务 要求 Tamar 将你登出。"),
    ] {
        let page = app.get(&ask.replace("/en/", &format!("/{lang}/")), &citizen).await;
        assert_eq!(page.status, StatusCode::OK, "{lang}");
        assert!(page.body.contains(heading) && page.body.contains(asked), "{lang}: {}", page.body);
        assert!(page.body.contains(&format!(r#"<form method="post" action="/{lang}/oidc/logout""#)));
        assert!(page.body.contains(r#"name="csrf_token""#) && page.body.contains(r#"<button type="submit""#));
        assert!(page.body.contains(r#"name="post_logout_redirect_uri" value="https://b.example.hk/bye""#));
    }
    // A cross-site form posting the confirmation, without the token, is refused.
    let fields = [("client_id", rp.id.as_str()), ("post_logout_redirect_uri", "https://b.example.hk/bye"), ("state", "s1")];
    let forged_post = app.post_form("/en/oidc/logout", &citizen, &fields).await;
    assert_eq!(forged_post.status, StatusCode::FORBIDDEN);
    assert!(signed_in(&app, &citizen).await);
    // The person confirms: signed out, and back at the client's registered address.
    let mut confirmed = fields.to_vec();
    confirmed.push(("csrf_token", &token));
    let reply = app.post_form("/en/oidc/logout", &citizen, &confirmed).await;
    assert_eq!(reply.location(), "https://b.example.hk/bye?state=s1");
    assert!(!signed_in(&app, &citizen).await, "signed out");
    // A confirmed request with an address the client did not register goes home instead.
    let (citizen, token) = app.sign_in(CITIZEN).await;
    let reply = app.post_form("/en/oidc/logout", &citizen, &[("csrf_token", token.as_str()), ("client_id", &rp.id), ("post_logout_redirect_uri", "https://evil.example/")]).await;
    assert_eq!(reply.location(), "/en/");
    assert!(!signed_in(&app, &citizen).await);

    // With the person's own hint and a registered address, the client may sign them out.
    let (citizen, token) = app.sign_in(CITIZEN).await;
    let hint = id_token(&app, &citizen, &token, &rp).await;
    let reply = app.get(&logout_url(Some(&hint), &format!("post_logout_redirect_uri={bye}&state=s2")), &citizen).await;
    assert_eq!(reply.location(), "https://b.example.hk/bye?state=s2");
    assert!(!signed_in(&app, &citizen).await);
    // The same by form POST goes on as a GET (a cross-site POST carries no session cookie).
    let (citizen, token) = app.sign_in(CITIZEN).await;
    let hint = id_token(&app, &citizen, &token, &rp).await;
    let req = Request::post("/oidc/logout")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(serde_urlencoded::to_string([("id_token_hint", hint.as_str()), ("post_logout_redirect_uri", "https://b.example.hk/bye")]).unwrap()))
        .unwrap();
    let posted = app.send(req).await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER);
    assert!(posted.location().starts_with("/oidc/logout?id_token_hint="), "{}", posted.location());
    assert_eq!(app.get(posted.location(), &citizen).await.location(), "https://b.example.hk/bye");
    assert!(!signed_in(&app, &citizen).await);
    // Nobody signed in: nothing to end, and only a registered address.
    assert_eq!(app.get(&logout_url(None, &format!("client_id={}&post_logout_redirect_uri={bye}", rp.id)), &Browser::default()).await.location(), "https://b.example.hk/bye");
    assert_eq!(app.get(&logout_url(None, "post_logout_redirect_uri=https%3A%2F%2Fevil.example%2F"), &Browser::default()).await.location(), "/en/");
    Ok(()) as R
});

store_test!(pre_fill_choices_decide_what_services_get_and_the_person_sees_each_release, |db| async move {
    let app = setup(db).await;
    let (admin, _) = app.sign_in(ADMIN).await;
    let forms = register(&app, &admin, "forms.example.hk", "openid profile email phone").await;
    let (citizen, token) = app.sign_in(CITIZEN).await;
    app.post_form("/en/account/contact", &citizen, &[("csrf_token", &token), ("address", ""), ("phone", "+852 9123 4567")]).await;
    // The person does not let services fill in their phone number (nor, by default, anything
    // but name and email).
    let url = authorize_url(&forms, VERIFIER, "").replace("scope=openid%20profile%20email", "scope=openid%20profile%20email%20phone");
    let consent = app.get(&url, &citizen).await;
    assert_eq!(consent.status, StatusCode::OK);
    let (will, wont) = consent.body.split_once("What they will not get").expect("the consent screen says what will not be released");
    assert!(will.contains("Your email address") && !will.contains("Your phone number"), "{will}");
    assert!(wont.contains("Your phone number (your pre-fill settings do not allow it)"), "{wont}");
    assert!(wont.contains(r#"href="/en/account/prefill""#));
    let tc = app.get(&url.replace("/en/", "/tc/"), &citizen).await;
    assert!(tc.body.contains("他們不會取得的資料") && tc.body.contains("你的預填設定不允許"));

    let bearer = |t: &str| Request::get("/oidc/userinfo").header(header::AUTHORIZATION, format!("Bearer {t}")).body(Body::empty()).unwrap();
    let code = code_for(&app, &citizen, &token, &url).await;
    let access = exchange(&app, &forms, &code, VERIFIER, &forms.redirect).await.json()["access_token"].as_str().unwrap().to_owned();
    let claims = app.send(bearer(&access)).await.json();
    assert_eq!(claims["email"], CITIZEN);
    assert!(claims.get("phone_number").is_none(), "consented, but the person chose not to pre-fill it: {claims}");

    // The person sees what went to whom, and when.
    let page = app.get("/en/account/releases", &citizen).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Service at forms.example.hk") && page.body.contains("Your email address"), "{}", page.body);
    assert!(!page.body.contains("Your phone number"));
    assert!(page.body.contains("<time datetime="));
    assert!(page.body.contains(r#"href="/en/account/releases" aria-current="page""#), "in the MyGovHK navigation");
    for (lang, title) in [("tc", "已提供予服務的資料"), ("sc", "已提供给服务的资料")] {
        let page = app.get(&format!("/{lang}/account/releases"), &citizen).await;
        assert!(page.body.contains(title), "{lang}");
    }
    let (other, _) = another_citizen(&app).await;
    assert!(app.get("/en/account/releases", &other).await.body.contains("No service has received your details."));
    assert_eq!(app.get("/en/account/releases", &Browser::default()).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get("/en/account/releases?before=nope", &citizen).await.status, StatusCode::BAD_REQUEST);

    // Allowed later, the same consent releases it.
    let prefill = [("csrf_token", token.as_str()), ("name", "on"), ("email", "on"), ("phone", "on")];
    app.post_form("/en/account/prefill", &citizen, &prefill).await;
    assert_eq!(app.send(bearer(&access)).await.json()["phone_number"], "+852 9123 4567");
    assert!(app.get("/en/account/releases", &citizen).await.body.contains("Your phone number"));
    Ok(()) as R
});

store_test!(redirect_uris_on_several_hosts_need_a_sector_identifier, |db| async move {
    let app = setup(db).await;
    let (admin, _) = app.sign_in(ADMIN).await;
    let body = |sector: Option<&str>| {
        let mut body = serde_json::json!({
            "name": {"en": "Two hosts", "tc": "兩個主機", "sc": "两个主机"},
            "purpose": {"en": "To test", "tc": "測試", "sc": "测试"},
            "redirect_uris": ["https://apply.example.hk/callback", "https://evil.example/callback"],
            "scopes": ["openid"],
        });
        if let Some(sector) = sector {
            body["sector_identifier_uri"] = sector.into();
        }
        body.to_string()
    };
    // A client that could send people to another host would get that host's subjects too.
    let refused = app.json(Method::POST, "/api/v1/oidc/clients", &admin, &body(None)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.json()["code"], "sector_identifier_required");
    assert!(refused.json()["message"].as_str().unwrap().contains("sector_identifier_uri"));
    // The platform administrator names the sector.
    let registered = app.json(Method::POST, "/api/v1/oidc/clients", &admin, &body(Some("https://example.hk/sector.json"))).await;
    assert_eq!(registered.status, StatusCode::CREATED, "{}", registered.body);
    let j = registered.json();
    assert_eq!((j["sector"].as_str(), j["sector_identifier_uri"].as_str()), (Some("example.hk"), Some("https://example.hk/sector.json")));
    // Both addresses get the same subject: the sector's.
    let (citizen, token) = app.sign_in(CITIZEN).await;
    let mut subjects = Vec::new();
    for redirect in ["https://apply.example.hk/callback", "https://evil.example/callback"] {
        let rp = Rp { id: j["client_id"].as_str().unwrap().into(), secret: j["client_secret"].as_str().unwrap().into(), redirect: redirect.into() };
        let url = authorize_url(&rp, VERIFIER, "").replace("scope=openid%20profile%20email", "scope=openid");
        let code = code_for(&app, &citizen, &token, &url).await;
        let tokens = exchange(&app, &rp, &code, VERIFIER, redirect).await.json();
        let jwks = app.get("/oidc/jwks", &Browser::default()).await.json();
        subjects.push(verify_id_token(&jwks, tokens["id_token"].as_str().unwrap(), &rp.id)["sub"].as_str().unwrap().to_owned());
    }
    assert_eq!(subjects[0], subjects[1]);
    let one_host = register(&app, &admin, "apply.example.hk", "openid").await;
    let url = authorize_url(&one_host, VERIFIER, "").replace("scope=openid%20profile%20email", "scope=openid");
    let code = code_for(&app, &citizen, &token, &url).await;
    let tokens = exchange(&app, &one_host, &code, VERIFIER, &one_host.redirect).await.json();
    let jwks = app.get("/oidc/jwks", &Browser::default()).await.json();
    assert_ne!(verify_id_token(&jwks, tokens["id_token"].as_str().unwrap(), &one_host.id)["sub"].as_str().unwrap(), subjects[0], "another sector, another subject");
    Ok(()) as R
});

store_test!(a_rotated_key_is_published_before_it_signs_and_the_rotation_is_logged, |db| async move {
    let app = setup(db).await;
    let (admin, _) = app.sign_in(ADMIN).await;
    let rp = register(&app, &admin, "b.example.hk", "openid").await;
    let (citizen, token) = app.sign_in(CITIZEN).await;
    let before = app.get("/oidc/jwks", &Browser::default()).await;
    assert_eq!(before.headers.get(header::CACHE_CONTROL).unwrap(), "public, max-age=300");
    let old_kid = before.json()["keys"][0]["kid"].as_str().unwrap().to_owned();

    let rotated = app.json(Method::POST, "/api/v1/oidc/keys/rotate", &admin, "").await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.body);
    let next = rotated.json();
    assert_eq!(next["state"], "next");
    let new_kid = next["kid"].as_str().unwrap().to_owned();
    let signs_from = chrono::DateTime::parse_from_rfc3339(next["signs_from"].as_str().unwrap()).unwrap();
    assert!(signs_from.to_utc() - chrono::Utc::now() > chrono::Duration::seconds(300), "later than cached key sets expire");
    // Right after: the key set has the new key, and tokens are still signed with the old one.
    let jwks = app.get("/oidc/jwks", &Browser::default()).await.json();
    let published: Vec<&str> = jwks["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap()).collect();
    assert!(published.contains(&new_kid.as_str()) && published.contains(&old_kid.as_str()), "{published:?}");
    let code = code_for(&app, &citizen, &token, &authorize_url(&rp, VERIFIER, "").replace("scope=openid%20profile%20email", "scope=openid")).await;
    let id_token = exchange(&app, &rp, &code, VERIFIER, &rp.redirect).await.json()["id_token"].as_str().unwrap().to_owned();
    assert_eq!(jsonwebtoken::decode_header(&id_token).unwrap().kid.unwrap(), old_kid);

    // The rotation is in the log, with the administrator who asked.
    app.ledger.sync().await?;
    let admin_id = tamar_identity::authenticate(&app.db, ADMIN, PASSWORD).await?.id;
    let logged = app
        .db
        .fetch_all(&tamar_store::sea_query::Query::select().columns(["actor", "object"]).from("ledger_entries").and_where(tamar_store::sea_query::Expr::col("action").eq("oidc.key.rotate")).to_owned())
        .await?;
    let entries: Vec<(String, String)> = logged.iter().map(|r| (tamar_store::row::get(r, "actor").unwrap(), tamar_store::row::get(r, "object").unwrap())).collect();
    assert!(entries.contains(&(format!("platform-admin:{admin_id}"), format!("oidc-key:{new_kid}"))), "{entries:?}");
    Ok(()) as R
});

store_test!(database_faults_are_neither_leaked_nor_passed_off_as_wrong_credentials, |db| async move {
    let app = setup(db).await;
    let (admin, _) = app.sign_in(ADMIN).await;
    let rp = register(&app, &admin, "rvd.example.hk", "openid profile").await;
    let (citizen, token) = app.sign_in(CITIZEN).await;
    let code = code_for(&app, &citizen, &token, &authorize_url(&rp, VERIFIER, "").replace("scope=openid%20profile%20email", "scope=openid%20profile")).await;
    let access = exchange(&app, &rp, &code, VERIFIER, &rp.redirect).await.json()["access_token"].as_str().unwrap().to_owned();
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", rp.id, rp.secret));
    let sign_request = || {
        Request::post("/api/v1/signing/requests")
            .header(header::AUTHORIZATION, format!("Basic {basic}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(format!(r#"{{"document_hash":"{}","document_name":"Lease"}}"#, "ab".repeat(32))))
            .unwrap()
    };
    assert_eq!(app.send(sign_request()).await.status, StatusCode::CREATED);

    // The accounts table is gone: UserInfo fails, and says nothing of why.
    app.db.execute_sql("DROP TABLE accounts").await?;
    let info = app.send(Request::get("/oidc/userinfo").header(header::AUTHORIZATION, format!("Bearer {access}")).body(Body::empty()).unwrap()).await;
    assert_eq!(info.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(info.json()["error"], "server_error");
    assert_eq!(info.json()["error_description"], "the server could not complete the request");
    for detail in ["database", "accounts", "relation", "table", "sqlx"] {
        assert!(!info.body.to_lowercase().contains(detail), "{detail} in {}", info.body);
    }

    // The clients table is gone: a service with the right secret is not told it is wrong.
    app.db.execute_sql("DROP TABLE oidc_clients").await?;
    let signing = app.send(sign_request()).await;
    assert_eq!((signing.status, signing.json()["code"].as_str()), (StatusCode::INTERNAL_SERVER_ERROR, Some("internal")), "{}", signing.body);
    let outcome = app.send(Request::get("/api/v1/signing/requests/x").header(header::AUTHORIZATION, format!("Basic {basic}")).body(Body::empty()).unwrap()).await;
    assert_eq!(outcome.status, StatusCode::INTERNAL_SERVER_ERROR);
    let tokens = exchange(&app, &rp, "x", VERIFIER, &rp.redirect).await;
    assert_eq!((tokens.status, tokens.json()["error"].as_str()), (StatusCode::INTERNAL_SERVER_ERROR, Some("server_error")));
    let page = app.get(&authorize_url(&rp, VERIFIER, ""), &Browser::default()).await;
    assert_eq!(page.status, StatusCode::INTERNAL_SERVER_ERROR, "the sign-in page: a fault of ours, not a bad request");
    assert!(!tokens.body.to_lowercase().contains("database") && !tokens.body.contains("oidc_clients"), "{}", tokens.body);

    // The database is down: 503, still not 401.
    app.db.close().await;
    let signing = app.send(sign_request()).await;
    assert_eq!((signing.status, signing.json()["code"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("unavailable")), "{}", signing.body);
    let tokens = exchange(&app, &rp, "x", VERIFIER, &rp.redirect).await;
    assert_eq!((tokens.status, tokens.json()["error"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("server_error")));
    Ok(()) as R
});

/// Log lines written while a test runs.
#[derive(Clone, Default)]
struct Captured(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// A search index in a folder whose stored documents were damaged on disk after it was written.
fn damaged_index(dir: &std::path::Path) -> tamar_search::SearchIndex {
    {
        let index = tamar_search::SearchIndex::open(Some(dir)).unwrap();
        let texts = |en: &str| tamar_search::Texts::new(en, "", "");
        let docs: Vec<tamar_search::SearchDoc> = (0..50)
            .map(|i| tamar_search::SearchDoc {
                key: format!("service:vaccination-{i}"),
                kind: tamar_search::DocKind::Service,
                title: texts(&format!("Vaccination appointment {i}")),
                summary: texts("Book a vaccination."),
                body: texts("At a clinic."),
                department: "DH".into(),
                topics: vec!["health".into()],
                audiences: vec!["residents".into()],
                popularity: i,
                updated_at: 0,
            })
            .collect();
        index.upsert(&docs).unwrap();
        index.commit().unwrap();
        index.merge_segments().unwrap();
    }
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "store") {
            let mut bytes = std::fs::read(&path).unwrap();
            // Past the first block's length, up to the middle: the index and footer stay whole.
            let end = bytes.len() / 2;
            bytes[4..end].fill(0xff);
            std::fs::write(&path, bytes).unwrap();
        }
    }
    tamar_search::SearchIndex::open(Some(dir)).unwrap()
}

store_test!(failed_search_suggestions_are_logged, |db| async move {
    let app = setup(db).await;
    let folder = tempfile::tempdir()?;
    let state = with_search(&app.state, &Arc::new(damaged_index(folder.path())));
    let router = tamar::modules::app(state);
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt().with_writer(captured.clone()).with_ansi(false).finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let reply = router.oneshot(Request::get("/api/v1/search/suggest?q=vacc&lang=en").body(Body::empty()).unwrap()).await?;
    assert_eq!(reply.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let log = captured.text();
    assert!(log.contains("search suggestions failed"), "{log}");
    assert!(log.contains("ERROR"), "{log}");
    Ok(()) as R
});

store_test!(prompt_none_answers_without_a_page_and_prompt_login_signs_in_again, |db| async move {
    let app = setup(db).await;
    let (admin, _) = app.sign_in(ADMIN).await;
    let rp = register(&app, &admin, "p.example.hk", "openid profile email").await;
    let error_at_client = |reply: &Reply| {
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        let location = reply.location();
        assert!(location.starts_with("https://p.example.hk/callback?") && location.contains("state=xyz"), "{location}");
        location.split("error=").nth(1).map(|e| e.split('&').next().unwrap().to_owned())
    };
    // Nobody signed in: the client hears it, and nobody is sent to a sign-in page.
    let reply = app.get(&authorize_url(&rp, VERIFIER, "&prompt=none"), &Browser::default()).await;
    assert_eq!(error_at_client(&reply).as_deref(), Some("login_required"));
    // Signed in, but never asked about this client: consent would need a page.
    let (citizen, token) = app.sign_in(CITIZEN).await;
    let reply = app.get(&authorize_url(&rp, VERIFIER, "&prompt=none"), &citizen).await;
    assert_eq!(error_at_client(&reply).as_deref(), Some("consent_required"));
    // `none` with anything else is a malformed request.
    let reply = app.get(&authorize_url(&rp, VERIFIER, "&prompt=none%20login"), &citizen).await;
    assert_eq!(error_at_client(&reply).as_deref(), Some("invalid_request"));
    // Once consented, a silent request gets a code, as a normal one does.
    code_for(&app, &citizen, &token, &authorize_url(&rp, VERIFIER, "")).await;
    let reply = app.get(&authorize_url(&rp, VERIFIER, "&prompt=none"), &citizen).await;
    assert_eq!(error_at_client(&reply), None);
    assert!(reply.location().contains("code="), "{}", reply.location());
    // prompt=login: a session that signed in just now satisfies it (tamar-oidc tests older ones).
    let reply = app.get(&authorize_url(&rp, VERIFIER, "&prompt=login"), &citizen).await;
    assert!(reply.location().contains("code="), "just signed in: {}", reply.location());
    Ok(()) as R
});
