//! The web layer end to end through the router (no socket), on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use sha2::Digest;
use tamar_store::sea_query::ExprTrait as _;
use base64::Engine as _;
use serde_json::Value;
use tamar_core::{Actor, Lang, LocalizedText, Role, SystemClock};
use tamar_identity::{AccountKind, NewAccount};
use tamar_ledger::{Ledger, SigningKey};
use tamar_store::{BlobConfig, Blobs, Db, Migrator, store_test};
use tamar_tenancy::NewDepartment;
use tamar_web::{AppState, WebConfig};
use tower::ServiceExt;

#[path = "web/hardening.rs"]
mod hardening;
#[path = "web/portal_hardening.rs"]
mod portal_hardening;
#[path = "web/page_cache.rs"]
mod page_cache;
#[path = "web/busy.rs"]
mod busy;
#[path = "web/readiness.rs"]
mod readiness;
#[path = "web/schedule.rs"]
mod schedule;
#[path = "web/sessions.rs"]
mod sessions;

const PASSWORD: &str = "a long test password";

const METRICS_TOKEN: &str = "a metrics token for the tests";

const TOTP_KEY: &str = "TAMARTESTSECRETKEYFORTHEOFFICERS";

/// The portal's search index on this node.
fn search_of(state: &AppState) -> &Arc<tamar_search::SearchIndex> {
    &tamar_web_portal::PortalState::of(state).unwrap().search
}

/// The state of a node with a search index of its own.
fn with_search(state: &AppState, search: &Arc<tamar_search::SearchIndex>) -> AppState {
    let mut parts = tamar_web::StateParts::clone(state);
    parts.modules = parts.modules.with(tamar_web_portal::PortalState::new(search.clone()));
    AppState::new(parts)
}

fn sealer() -> tamar_store::Sealer {
    tamar_store::Sealer::new(&[11u8; 32])
}

/// The TOTP code `offset` steps after now.
fn totp_code(offset: u64) -> String {
    let key = totp_rs::Secret::Encoded(TOTP_KEY.into()).to_bytes().unwrap();
    let totp = totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, key, None, String::new()).unwrap();
    let now = chrono::Utc::now().timestamp() as u64;
    totp.generate(now + offset * 30)
}

struct TestApp {
    codes_used: std::sync::Mutex<std::collections::HashMap<String, u64>>,
    app: Router,
    db: Db,
    ledger: Ledger,
    state: AppState,
    _blobs: tempfile::TempDir,
}

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.body))
    }
    fn cookie(&self, name: &str) -> Option<String> {
        self.headers.get_all(header::SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|c| {
            let pair = c.split(';').next()?;
            let (n, v) = pair.split_once('=')?;
            (n == name).then(|| v.to_owned())
        })
    }
    fn location(&self) -> &str {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
    }
}

/// A browser: cookies it was given, sent back.
#[derive(Clone, Default)]
struct Browser {
    cookies: Vec<(String, String)>,
}

impl Browser {
    fn header(&self) -> String {
        self.cookies.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join("; ")
    }
    fn keep(&mut self, reply: &Reply) {
        for name in ["tamar_csrf", "tamar_session"] {
            if let Some(value) = reply.cookie(name) {
                self.cookies.retain(|(n, _)| n != name);
                if !value.is_empty() {
                    self.cookies.push((name.into(), value));
                }
            }
        }
    }
}

impl TestApp {
    async fn send(&self, req: Request<Body>) -> Reply {
        let response = self.app.clone().oneshot(req).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Reply { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    async fn get(&self, path: &str, browser: &Browser) -> Reply {
        let req = Request::get(path).header(header::COOKIE, browser.header()).body(Body::empty()).unwrap();
        self.send(req).await
    }

    async fn get_lang(&self, path: &str, accept: &str) -> Reply {
        self.send(Request::get(path).header(header::ACCEPT_LANGUAGE, accept).body(Body::empty()).unwrap()).await
    }

    async fn post_form(&self, path: &str, browser: &Browser, fields: &[(&str, &str)]) -> Reply {
        let body = serde_urlencoded::to_string(fields).unwrap();
        let req = Request::post(path)
            .header(header::COOKIE, browser.header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    async fn json(&self, method: Method, path: &str, browser: &Browser, body: &str) -> Reply {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::COOKIE, browser.header())
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT_LANGUAGE, "en")
            .body(Body::from(body.to_owned()))
            .unwrap();
        self.send(req).await
    }

    /// A fresh browser with a CSRF cookie, and the token its forms carry.
    async fn browser(&self) -> (Browser, String) {
        let mut browser = Browser::default();
        let page = self.get("/en/sign-in", &browser).await;
        browser.keep(&page);
        (browser, csrf_token(&page.body))
    }

    async fn sign_in(&self, email: &str) -> (Browser, String) {
        let (mut browser, token) = self.browser().await;
        let mut reply = self
            .post_form("/en/sign-in", &browser, &[("csrf_token", &token), ("email", email), ("password", PASSWORD), ("next", "/en/account")])
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "sign-in of {email}: {}", reply.body);
        if reply.location().starts_with("/en/sign-in/code") {
            // Officers give a TOTP code; each code works once, so a second sign-in uses the next.
            let code = {
                let mut guard = self.codes_used.lock().unwrap();
                let used = guard.entry(email.to_owned()).or_insert(0);
                *used += 1;
                totp_code(*used - 1)
            };
            let mut pending = browser.clone();
            pending.cookies.push(("tamar_mfa".into(), reply.cookie("tamar_mfa").unwrap()));
            reply = self.post_form("/en/sign-in/code", &pending, &[("csrf_token", &token), ("code", &code), ("next", "/en/account")]).await;
            assert_eq!(reply.status, StatusCode::SEE_OTHER, "second factor of {email}: {}", reply.body);
        }
        browser.keep(&reply);
        assert!(browser.cookies.iter().any(|(n, _)| n == "tamar_session"));
        // Form tokens are bound to the session: the one from before signing in is spent.
        let token = self.form_token(&browser).await;
        (browser, token)
    }

    /// The form token of a signed-in browser (from the sign-out form every page has).
    async fn form_token(&self, browser: &Browser) -> String {
        let page = self.get("/en/departments", browser).await;
        csrf_token(&page.body)
    }

    async fn department_count(&self) -> usize {
        tamar_tenancy::list(&self.db).await.unwrap().len()
    }
}

fn csrf_token(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).expect("a form with a CSRF token") + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

const ADMIN: &str = "admin@tamar.test";
const IMMD_ADMIN: &str = "immd.admin@tamar.test";
const DH_OFFICER: &str = "dh.officer@tamar.test";
const CITIZEN: &str = "citizen@tamar.test";
const DH_REVIEWER: &str = "dh.reviewer@tamar.test";

const SMALL_CATALOGUE: &str = r#"[
  {"slug": "vaccination-appointment", "department": "DH", "topics": ["health"], "audiences": ["residents"],
   "name": {"en": "Book a vaccination", "tc": "預約疫苗接種"}, "summary": {"en": "Book a vaccination at a clinic.", "tc": "預約在診所接種疫苗。"},
   "eligibility": {"en": "Hong Kong residents.", "tc": "香港居民。"}, "fees": {"en": "Free.", "tc": "免費。"},
   "how_to_apply": {"en": "1. Choose a clinic.\n2. Pick a time.", "tc": "1. 選擇診所。\n2. 選擇時間。"},
   "processing_time": {"en": "Immediate.", "tc": "即時。"}, "channels": ["online", "phone"], "online_url": "https://www.dh.gov.hk/"},
  {"slug": "flu-vaccination-2026", "department": "DH", "kind": "news", "topics": ["health"], "audiences": ["residents"],
   "title": {"en": "Seasonal influenza vaccination starts", "tc": "季節性流感疫苗接種計劃展開"},
   "summary": {"en": "Free vaccination for eligible groups.", "tc": "合資格人士可免費接種。"},
   "body": {"en": "The programme starts on 1 October.\n\n- Children\n- Elderly people", "tc": "計劃於10月1日展開。\n\n- 兒童\n- 長者"},
   "published": "2026-10-01T09:00:00+08:00"},
  {"slug": "smart-id-card-replacement", "department": "IMMD", "kind": "guide", "topics": ["immigration"], "audiences": ["residents"],
   "title": {"en": "Replacing your identity card", "tc": "更換身份證"},
   "summary": {"en": "When and where to replace your card.", "tc": "何時及何處更換身份證。"},
   "body": {"en": "Check your age group.", "tc": "請查閱你的年齡組別。"}},
  {"slug": "office-relocation", "department": "IMMD", "kind": "notice", "topics": ["immigration"], "audiences": ["residents", "non-residents"],
   "title": {"en": "Office relocation", "tc": "辦事處遷址"},
   "summary": {"en": "An office moves.", "tc": "一個辦事處遷址。"},
   "body": {"en": "The office moves on 1 December.", "tc": "辦事處於12月1日遷址。"}}
]"#;

async fn setup(db: Db) -> TestApp {
    // The same modules, in the same order, as `tamar serve`.
    Migrator::new(&db, &tamar::modules::migrations()).run().await.unwrap();
    tamar_oidc::SigningKeys::ensure(&db, &sealer(), chrono::Utc::now()).await.unwrap();
    let ledger = Ledger::start(db.clone(), SigningKey::from_bytes(&[9u8; 32]), Arc::new(SystemClock));
    let system = Actor::System;
    let mut ids = Vec::new();
    for (code, en, tc, sc) in [("IMMD", "Immigration Department", "入境事務處", "入境事务处"), ("DH", "Department of Health", "衞生署", "卫生署")] {
        let new = NewDepartment { code: code.into(), name: LocalizedText::new(en, tc, sc), website: None };
        ids.push(tamar_tenancy::create(&db, &ledger, &system, new).await.unwrap().id);
    }
    let accounts = [
        (ADMIN, AccountKind::PlatformAdmin, None, vec![]),
        (IMMD_ADMIN, AccountKind::Officer, Some(ids[0]), vec![Role::DepartmentAdmin, Role::IdentityVerifier, Role::ContentReviewer]),
        (DH_OFFICER, AccountKind::Officer, Some(ids[1]), vec![Role::CaseOfficer, Role::ContentEditor]),
        (CITIZEN, AccountKind::Citizen, None, vec![]),
        (DH_REVIEWER, AccountKind::Officer, Some(ids[1]), vec![Role::ContentReviewer]),
    ];
    for (email, kind, department, roles) in accounts {
        let new = NewAccount { kind, email: email.into(), display_name: format!("Name of {email}"), password: PASSWORD.into(), department, roles };
        let account = tamar_identity::create_account(&db, &ledger, &system, new).await.unwrap();
        if kind != AccountKind::Citizen {
            tamar_identity::mfa::enable_totp_with_secret(&db, &sealer(), &account, TOTP_KEY).await.unwrap();
        }
    }
    ledger.sync().await.unwrap();
    let blob_dir = tempfile::tempdir().unwrap();
    let blobs = Blobs::open(&BlobConfig::Local { path: blob_dir.path().to_owned() }).unwrap();
    let config = WebConfig {
        csrf_key: vec![3u8; 32],
        secure_cookies: false,
        // Generous: tests share two cores with builds, and password hashing in a debug build is
        // slow under load; no test here is about the timeout.
        request_timeout: Duration::from_secs(60),
        body_limit: 64 * 1024,
        public_url: "https://tamar.test".into(),
        pairwise_key: vec![6u8; 32],
        metrics_token: Some(METRICS_TOKEN.into()),
    };
    let outbox = blob_dir.path().join("outbox");
    let mailer = tamar_notify::Mailer::open(&tamar_notify::MailConfig::Outbox { path: outbox }, "Tamar <no-reply@tamar.test>").unwrap();
    let state = AppState::new(tamar_web::StateParts {
        db: db.clone(),
        blobs,
        ledger: ledger.clone(),
        mailer: Arc::new(mailer),
        hkid_key: tamar_identity::HkidKey::new([5u8; 32], tamar_store::Sealer::new(&[5u8; 32])),
        signing: tamar_signing::SigningAuthority::ensure(&db, &sealer(), chrono::Utc::now()).await.unwrap(),
        sealer: sealer(),
        config: Arc::new(config),
        modules: tamar_web::module::make_state(&tamar::modules::all(), tamar_web::module::Setup { data_dir: None }).await.unwrap(),
    });
    // One published item of each kind, for the public pages.
    let departments = [("IMMD".to_owned(), ids[0]), ("DH".to_owned(), ids[1])].into_iter().collect();
    let entries: Vec<tamar_portal::import::CatalogueEntry> = serde_json::from_str(SMALL_CATALOGUE).unwrap();
    tamar_portal::import::import(&db, &ledger, &entries, &departments).await.unwrap();
    ledger.sync().await.unwrap();
    // As `tamar serve` does before it is ready (see `it/readiness.rs`).
    tamar_portal::search_docs::catch_up(&db, search_of(&state), ledger.now()).await.unwrap();
    TestApp { codes_used: Default::default(), app: tamar::modules::app(state.clone()), db, ledger, state, _blobs: blob_dir }
}

type R = Result<(), Box<dyn std::error::Error>>;

store_test!(pages_render_in_three_languages, |db| async move {
    let app = setup(db).await;
    let anonymous = Browser::default();
    for lang in Lang::ALL {
        for page in ["/", "/departments", "/departments/IMMD", "/transparency", "/sign-in"] {
            let path = format!("/{}{page}", lang.prefix());
            let reply = app.get(&path, &anonymous).await;
            assert_eq!(reply.status, StatusCode::OK, "{path}");
            assert!(reply.body.contains(&format!("<html lang=\"{}\">", lang.bcp47())), "{path}");
            assert!(reply.body.contains("href=\"#main-content\""), "skip link on {path}");
            assert!(reply.body.contains("<main id=\"main-content\""), "main landmark on {path}");
            assert!(!reply.body.contains("style="), "no inline style on {path}");
            assert!(reply.body.matches("<script").count() == reply.body.matches("<script src=\"/static/").count(), "no inline script on {path}");
        }
    }
    let tc = app.get("/tc/departments", &anonymous).await;
    assert!(tc.body.contains("入境事務處") && tc.body.contains("政策局及部門一覽"));
    let sc = app.get("/sc/departments/DH", &anonymous).await;
    assert!(sc.body.contains("<h1 class=\"heading-xl\">卫生署</h1>"));
    let en = app.get("/en/transparency", &anonymous).await;
    assert!(en.body.contains("Latest signed tree head"));
    assert_eq!(app.get("/en", &anonymous).await.location(), "/en/");
    Ok(()) as R
});

store_test!(root_redirects_by_accept_language, |db| async move {
    let app = setup(db).await;
    for (accept, to) in [("zh-HK,zh;q=0.9", "/tc/"), ("zh-CN", "/sc/"), ("en-GB,en;q=0.8", "/en/"), ("fr", "/en/"), ("", "/en/")] {
        let reply = app.get_lang("/", accept).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        assert_eq!(reply.location(), to, "{accept}");
        assert_eq!(reply.headers.get(header::VARY).unwrap(), "accept-language");
    }
    Ok(()) as R
});

store_test!(security_headers_on_every_response, |db| async move {
    let app = setup(db).await;
    for path in ["/en/", "/api/v1/departments", "/no/such/page", "/api/v1/nothing", "/static/tamar.css", "/healthz"] {
        let reply = app.get(path, &Browser::default()).await;
        let csp = reply.headers.get(header::CONTENT_SECURITY_POLICY).unwrap().to_str()?;
        assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"), "{path}");
        assert_eq!(reply.headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(), "nosniff", "{path}");
        assert_eq!(reply.headers.get(header::X_FRAME_OPTIONS).unwrap(), "DENY", "{path}");
    }
    Ok(()) as R
});

store_test!(forms_need_a_matching_csrf_token, |db| async move {
    let app = setup(db).await;
    let (browser, token) = app.browser().await;
    let fields = |t: &str| vec![("csrf_token", t.to_owned()), ("email", CITIZEN.to_owned()), ("password", PASSWORD.to_owned())];
    let as_refs = |v: &Vec<(&'static str, String)>| v.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();

    // No cookie at all.
    let reply = app.post_form("/en/sign-in", &Browser::default(), &as_refs(&fields(&token)).iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>()).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(reply.body.contains("csrf_failed"));
    // A token that is not this browser's.
    let (_, other_token) = app.browser().await;
    for bad in [other_token.as_str(), "", "zz", &"0".repeat(64)] {
        let f = fields(bad);
        let reply = app.post_form("/en/sign-in", &browser, &f.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>()).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "token {bad:?}");
    }
    // Its own token works.
    let f = fields(&token);
    let reply = app.post_form("/en/sign-in", &browser, &f.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>()).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    Ok(()) as R
});

store_test!(sign_in_account_page_and_sign_out, |db| async move {
    let app = setup(db).await;
    let (browser, token) = app.browser().await;
    let wrong = app
        .post_form("/tc/sign-in", &browser, &[("csrf_token", &token), ("email", CITIZEN), ("password", "not the password")])
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("電郵地址或密碼不正確"), "translated error summary");
    assert!(wrong.cookie("tamar_session").is_none());

    // An open redirect is refused: `next` must be a path on this site.
    let mut b = browser.clone();
    let reply = app
        .post_form("/en/sign-in", &b, &[("csrf_token", &token), ("email", CITIZEN), ("password", PASSWORD), ("next", "https://evil.example/")])
        .await;
    assert_eq!(reply.location(), "/en/account");
    b.keep(&reply);
    let session = reply.cookie("tamar_session").unwrap();
    let raw = reply.headers.get_all(header::SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_owned()).collect::<Vec<_>>().join("\n");
    assert!(raw.contains("HttpOnly") && raw.contains("SameSite=Lax"));

    app.ledger.sync().await?;
    let account = app.get("/en/account", &b).await;
    assert_eq!(account.status, StatusCode::OK);
    assert!(account.body.contains("Name of citizen@tamar.test"));
    assert!(account.body.contains("Who accessed your data"));
    assert!(account.body.contains("Signed in") && account.body.contains("Opened the account"));
    assert!(account.body.contains("Open an account"), "the purpose is translated");

    // The form token from before signing in is bound to no session: it cannot sign the person
    // out (or do anything else) now. The page's own token can.
    let refused = app.post_form("/en/sign-out", &b, &[("csrf_token", &token)]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("csrf_failed"), "{}", refused.body);
    let token = app.form_token(&b).await;
    let out = app.post_form("/en/sign-out", &b, &[("csrf_token", &token)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let stale = Browser { cookies: vec![("tamar_session".into(), session), ("tamar_csrf".into(), b.cookies[0].1.clone())] };
    let after = app.get("/en/account", &stale).await;
    assert_eq!(after.status, StatusCode::SEE_OTHER, "the session is gone");
    assert_eq!(after.location(), "/en/sign-in?next=%2Fen%2Faccount");
    Ok(()) as R
});

store_test!(api_errors_have_stable_codes_and_change_nothing, |db| async move {
    let app = setup(db).await;
    let reply = app.get_lang("/api/v1/departments/NOPE", "zh-HK").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.json()["code"], "department_not_found");
    assert_eq!(reply.json()["message"], "沒有此代號的部門。");
    assert_eq!(reply.headers.get(header::CONTENT_LANGUAGE).unwrap(), "zh-Hant-HK");

    let (admin, _) = app.sign_in(ADMIN).await;
    let before = app.department_count().await;
    let cases: &[(&str, StatusCode, &str)] = &[
        ("{not json", StatusCode::BAD_REQUEST, "invalid_json"),
        ("[]", StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"),
        (r#"{"code":"TD"}"#, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"),
        (r#"{"code":"TD","name":{"en":"T","tc":"運","sc":"运"},"extra":1}"#, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"),
        (r#"{"code":"t d","name":{"en":"T","tc":"運","sc":"运"}}"#, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"),
        (r#"{"code":"IMMD","name":{"en":"T","tc":"運","sc":"运"}}"#, StatusCode::CONFLICT, "department_code_taken"),
    ];
    for (body, status, code) in cases {
        let reply = app.json(Method::POST, "/api/v1/departments", &admin, body).await;
        assert_eq!(reply.status, *status, "{body}");
        assert_eq!(reply.json()["code"], *code, "{body}");
        assert!(!reply.json()["message"].as_str().unwrap().is_empty());
    }
    let huge = format!(r#"{{"code":"TD","name":{{"en":"{}","tc":"運","sc":"运"}}}}"#, "x".repeat(100_000));
    let reply = app.json(Method::POST, "/api/v1/departments", &admin, &huge).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.json()["code"], "payload_too_large");
    let req = Request::post("/api/v1/departments").header(header::COOKIE, admin.header()).body(Body::from("code=TD")).unwrap();
    let reply = app.send(req).await;
    assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(app.department_count().await, before, "bad input changed nothing");

    let ok = app
        .json(Method::POST, "/api/v1/departments", &admin, r#"{"code":"TD","name":{"en":"Transport Department","tc":"運輸署","sc":"运输署"}}"#)
        .await;
    assert_eq!(ok.status, StatusCode::CREATED);
    assert_eq!(ok.json()["name"]["tc"], "運輸署");
    assert_eq!(app.department_count().await, before + 1);

    let reply = app.json(Method::DELETE, "/api/v1/departments", &admin, "").await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(reply.json()["code"], "method_not_allowed");
    let reply = app.get("/api/v1/ledger/proof/inclusion?index=abc", &Browser::default()).await;
    assert_eq!(reply.json()["code"], "invalid_query");
    let reply = app.get("/api/v1/ledger/proof/inclusion?index=99999", &Browser::default()).await;
    assert_eq!((reply.status, reply.json()["code"].as_str()), (StatusCode::BAD_REQUEST, Some("tree_size_out_of_range")));
    let reply = app.get("/api/v1/ledger/proof/inclusion?index=0&tree_size=999999", &Browser::default()).await;
    assert_eq!((reply.status, reply.json()["code"].as_str()), (StatusCode::NOT_FOUND, Some("tree_head_not_found")));
    Ok(()) as R
});

store_test!(odd_input_never_gets_a_server_error, |db| async move {
    let app = setup(db).await;
    let long = "a".repeat(5000);
    let paths = [
        "/%00", "/en/departments/%FF%FE", "/en/departments/..%2F..%2Fetc%2Fpasswd", "/xx/", "/en//", "/en/departments/", &format!("/en/{long}"),
        "/api/v1/ledger/proof/consistency?first=-1&second=2", "/api/v1/ledger/proof/consistency?first=5&second=1",
        "/api/v1/ledger/proof/inclusion?index=0&tree_size=18446744073709551615", "/api/v1/me/accesses?limit=0", "/en/sign-in?next=%0d%0aSet-Cookie:x",
        "/api/v1/departments/%E5%85%A5",
    ];
    for path in paths {
        let reply = app.get(path, &Browser::default()).await;
        assert!(reply.status.is_client_error() || reply.status.is_success() || reply.status.is_redirection(), "{path}: {}", reply.status);
    }
    Ok(()) as R
});

// Every route, for every kind of actor: who gets in, who is turned away, and how.
store_test!(authorization_matrix, |db| async move {
    let app = setup(db).await;
    let anonymous = Browser::default();
    let (citizen, _) = app.sign_in(CITIZEN).await;
    let (immd_admin, _) = app.sign_in(IMMD_ADMIN).await;
    let (dh_officer, _) = app.sign_in(DH_OFFICER).await;
    let (admin, _) = app.sign_in(ADMIN).await;
    let actors = [("anonymous", &anonymous), ("citizen", &citizen), ("immd-admin", &immd_admin), ("dh-officer", &dh_officer), ("platform-admin", &admin)];

    use StatusCode as S;
    const OK: S = S::OK;
    const IN: S = S::SEE_OTHER; // pages send anonymous people to sign in
    const NO: S = S::FORBIDDEN;
    const AUTH: S = S::UNAUTHORIZED;
    // route: expected status for anonymous, citizen, IMMD admin, DH officer, platform admin
    app.ledger.sync().await?;
    let size = app.get("/api/v1/ledger/sth", &anonymous).await.json()["tree_size"].as_u64().unwrap();
    let consistency: &str = Box::leak(format!("/api/v1/ledger/proof/consistency?first={size}&second={size}").into_boxed_str());
    let matrix: &[(&str, [S; 5])] = &[
        ("/en/", [OK; 5]),
        ("/en/topics/health", [OK; 5]),
        ("/en/topics/astrology", [S::NOT_FOUND; 5]),
        ("/en/audiences/business", [OK; 5]),
        ("/en/news", [OK; 5]),
        ("/en/services/vaccination-appointment", [OK; 5]),
        ("/en/news/flu-vaccination-2026", [OK; 5]),
        ("/en/guides/smart-id-card-replacement", [OK; 5]),
        ("/en/notices/office-relocation", [OK; 5]),
        ("/en/services/flu-vaccination-2026", [S::NOT_FOUND; 5]),
        ("/en/search?q=vaccination&type=service", [OK; 5]),
        ("/en/apps", [OK; 5]),
        ("/en/offline", [OK; 5]),
        ("/en/feeds/news.atom", [OK; 5]),
        ("/en/feeds/topics/health.atom", [OK; 5]),
        ("/en/feeds/departments/DH.atom", [OK; 5]),
        ("/sitemap.xml", [OK; 5]),
        ("/manifest.webmanifest", [OK; 5]),
        ("/sw.js", [OK; 5]),
        ("/static/suggest.js", [OK; 5]),
        ("/static/icon.svg", [OK; 5]),
        ("/static/pwa.js", [OK; 5]),
        ("/en/services/vaccination-appointment/bookmark", [S::METHOD_NOT_ALLOWED; 5]),
        ("/en/account/inbox", [IN, OK, OK, OK, OK]),
        ("/en/account/inbox/0190aaaa-0000-7000-8000-000000000000", [IN, S::NOT_FOUND, S::NOT_FOUND, S::NOT_FOUND, S::NOT_FOUND]),
        ("/en/account/bookmarks", [IN, OK, OK, OK, OK]),
        ("/en/account/applications", [IN, OK, OK, OK, OK]),
        ("/en/account/bills", [IN, OK, OK, OK, OK]),
        ("/en/account/subscriptions", [IN, OK, OK, OK, OK]),
        ("/en/account/prefill", [IN, OK, OK, OK, OK]),
        ("/en/office/content", [IN, NO, OK, OK, NO]),
        ("/en/office/content/new", [IN, NO, NO, OK, NO]),
        ("/api/v1/catalogue", [OK; 5]),
        ("/api/v1/catalogue?type=service&topic=health", [OK; 5]),
        ("/api/v1/catalogue/service/vaccination-appointment", [OK; 5]),
        ("/api/v1/catalogue/service/nothing-here", [S::NOT_FOUND; 5]),
        ("/api/v1/search?q=vaccination&lang=tc&type=service&type=news", [OK; 5]),
        ("/api/v1/search/suggest?q=vac&lang=en", [OK; 5]),
        ("/api/v1/me/inbox", [AUTH, OK, OK, OK, OK]),
        ("/api/v1/me/inbox/abc/done", [S::METHOD_NOT_ALLOWED; 5]),
        ("/api/v1/me/bookmarks", [AUTH, OK, OK, OK, OK]),
        ("/api/v1/me/bookmarks/vaccination-appointment", [S::METHOD_NOT_ALLOWED; 5]),
        ("/api/v1/apps", [OK; 5]),
        ("/api/v1/apps/no-such-app/usage", [S::NOT_FOUND; 5]),
        ("/api/v1/office/messages", [S::METHOD_NOT_ALLOWED; 5]),
        ("/api/v1/office/bulk-messages", [AUTH, NO, OK, OK, NO]),
        ("/api/v1/office/bulk-messages/00000000-0000-4000-8000-000000000000", [AUTH, NO, S::NOT_FOUND, S::NOT_FOUND, NO]),
        ("/api/v1/office/bulk-messages/00000000-0000-4000-8000-000000000000/cancel", [S::METHOD_NOT_ALLOWED; 5]),
        ("/api/v1/office/apps", [AUTH, NO, OK, OK, NO]),
        ("/api/v1/office/apps/no-such-app", [S::METHOD_NOT_ALLOWED; 5]),
        ("/api/v1/office/apps/no-such-app/versions", [AUTH, NO, S::NOT_FOUND, S::NOT_FOUND, NO]),
        ("/api/v1/office/apps/no-such-app/submit", [S::METHOD_NOT_ALLOWED; 5]),
        ("/api/v1/office/apps/no-such-app/approve", [S::METHOD_NOT_ALLOWED; 5]),
        ("/api/v1/office/apps/no-such-app/reject", [S::METHOD_NOT_ALLOWED; 5]),
        ("/en/departments", [OK; 5]),
        ("/en/departments/IMMD", [OK; 5]),
        ("/en/transparency", [OK; 5]),
        ("/en/sign-in", [OK; 5]),
        ("/static/tamar.css", [OK; 5]),
        ("/static/favicon.svg", [OK; 5]),
        ("/en/account", [IN, OK, OK, OK, OK]),
        ("/en/office", [IN, NO, OK, OK, NO]),
        ("/en/admin/departments", [IN, NO, NO, NO, OK]),
        ("/en/register", [OK; 5]),
        ("/en/verify-email?token=abc", [OK; 5]),
        ("/en/account/identity", [IN, OK, NO, NO, NO]),
        ("/en/office/verifications", [IN, NO, OK, NO, NO]),
        ("/en/account/two-factor", [IN, OK, OK, OK, OK]),
        ("/en/account/contact", [IN, OK, OK, OK, OK]),
        ("/en/account/password", [IN, OK, OK, OK, OK]),
        ("/en/sign-in/code", [IN; 5]),
        ("/.well-known/openid-configuration", [OK; 5]),
        ("/oidc/jwks", [OK; 5]),
        ("/oidc/userinfo", [AUTH; 5]),
        ("/api/v1/oidc/clients", [AUTH, NO, NO, NO, OK]),
        ("/oidc/token", [S::METHOD_NOT_ALLOWED; 5]),
        ("/api/v1/oidc/keys/rotate", [S::METHOD_NOT_ALLOWED; 5]),
        ("/signing/ca.pem", [OK; 5]),
        ("/api/v1/signing/requests", [S::METHOD_NOT_ALLOWED; 5]),
        ("/api/v1/signing/requests/abc", [AUTH; 5]),
        ("/api/v1/signing/verify", [S::METHOD_NOT_ALLOWED; 5]),
        ("/en/sign/abc", [IN, S::NOT_FOUND, NO, NO, NO]),
        ("/static/passkeys.js", [OK; 5]),
        ("/api/v1/me/passkeys", [S::METHOD_NOT_ALLOWED; 5]),
        ("/api/v1/me/passkeys/registration", [S::METHOD_NOT_ALLOWED; 5]),
        ("/api/v1/passkeys/sign-in", [S::METHOD_NOT_ALLOWED; 5]),
        ("/api/v1/passkeys/sign-in/options", [S::METHOD_NOT_ALLOWED; 5]),
        ("/api/v1/openapi.json", [OK; 5]),
        ("/api/v1/departments", [OK; 5]),
        ("/api/v1/departments/DH", [OK; 5]),
        ("/api/v1/departments/IMMD/officers", [AUTH, NO, OK, NO, OK]),
        ("/api/v1/departments/DH/officers", [AUTH, NO, NO, NO, OK]),
        ("/api/v1/me", [AUTH, OK, OK, OK, OK]),
        ("/api/v1/me/accesses", [AUTH, OK, OK, OK, OK]),
        ("/api/v1/ledger/sth", [OK; 5]),
        ("/api/v1/ledger/checkpoint", [OK; 5]),
        ("/api/v1/ledger/verifier-key", [OK; 5]),
        ("/checkpoint", [OK; 5]),
        ("/api/v1/ledger/proof/inclusion?index=0", [OK; 5]),
        (consistency, [OK; 5]),
        ("/api/v1/ledger/proof/consistency?first=3&second=2", [S::BAD_REQUEST; 5]),
        ("/healthz", [OK; 5]),
        ("/readyz", [OK; 5]),
        // Only Prometheus, with the configured token (no browser has it).
        ("/metrics", [AUTH; 5]),
    ];
    // Every path of the API document is in the matrix: no route escapes this test.
    let doc = app.get("/api/v1/openapi.json", &anonymous).await.json();
    let fits = |template: &str, path: &str| {
        let (t, p): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('?').next().unwrap().split('/').collect());
        t.len() == p.len() && t.iter().zip(&p).all(|(t, p)| t.starts_with('{') || t == p)
    };
    for path in doc["paths"].as_object().unwrap().keys() {
        assert!(matrix.iter().any(|(p, _)| fits(path, p)), "{path} is not in the authorization matrix");
    }
    for (path, expected) in matrix {
        for ((who, browser), status) in actors.iter().zip(expected) {
            let reply = app.get(path, browser).await;
            assert_eq!(reply.status, *status, "GET {path} as {who}: {}", reply.body);
        }
    }

    // Passkey ceremonies: adding one needs a signed-in (and recent) session and the password
    // (and second factor) again; anyone may start a passwordless sign-in, which proves nothing
    // until an authenticator answers.
    let expected = [(AUTH, "unauthenticated"), (AUTH, "invalid_credentials"), (AUTH, "invalid_credentials"), (AUTH, "invalid_credentials"), (AUTH, "invalid_credentials")];
    for ((who, browser), (status, code)) in actors.iter().zip(expected) {
        let reply = app.json(Method::POST, "/api/v1/me/passkeys/registration", browser, "{}").await;
        assert_eq!((reply.status, reply.json()["code"].as_str()), (status, Some(code)), "passkey registration as {who}: {}", reply.body);
    }
    let proof = format!(r#"{{"password":"{PASSWORD}"}}"#);
    assert_eq!(app.json(Method::POST, "/api/v1/me/passkeys/registration", &citizen, &proof).await.status, OK);
    let options = app.json(Method::POST, "/api/v1/passkeys/sign-in/options", &anonymous, "{}").await;
    assert_eq!(options.status, StatusCode::OK);
    let forged = serde_json::json!({"ceremony": options.json()["ceremony"], "credential": {"id": "AAAA", "rawId": "AAAA", "type": "public-key", "extensions": {},
        "response": {"authenticatorData": "AAAA", "clientDataJSON": "AAAA", "signature": "AAAA", "userHandle": null}}});
    let refused = app.json(Method::POST, "/api/v1/passkeys/sign-in", &anonymous, &forged.to_string()).await;
    assert!(refused.status.is_client_error() && refused.cookie("tamar_session").is_none(), "{}", refused.body);

    // State-changing routes.
    let new = |code: &str| format!(r#"{{"code":"{code}","name":{{"en":"X","tc":"甲","sc":"甲"}}}}"#);
    let expected = [AUTH, NO, NO, NO, S::CREATED];
    for (i, ((who, browser), status)) in actors.iter().zip(expected).enumerate() {
        let reply = app.json(Method::POST, "/api/v1/departments", browser, &new(&format!("NEW{i}"))).await;
        assert_eq!(reply.status, status, "POST /api/v1/departments as {who}");
    }
    // An anonymous visitor with a valid form is sent to sign in; the signed-in but unauthorised
    // are refused.
    let (visitor, _) = app.browser().await;
    let form_actors = [("anonymous", &visitor), actors[1], actors[2], actors[3], actors[4]];
    let expected = [IN, NO, NO, NO, IN];
    for (i, ((who, browser), status)) in form_actors.iter().zip(expected).enumerate() {
        let token = csrf_token(&app.get("/en/sign-in", browser).await.body);
        let code = format!("FORM{i}");
        let fields = [("csrf_token", token.as_str()), ("code", &code), ("name_en", "X"), ("name_tc", "甲"), ("name_sc", "甲"), ("website", "")];
        let reply = app.post_form("/en/admin/departments", browser, &fields).await;
        assert_eq!(reply.status, status, "POST /en/admin/departments as {who}");
        if *who == "platform-admin" {
            assert_eq!(reply.location(), format!("/en/admin/departments?created={code}"));
        } else if *who == "anonymous" {
            assert!(reply.location().starts_with("/en/sign-in"));
        }
    }
    // Exactly one department was added through each route, by the platform admin.
    assert!(tamar_tenancy::by_code(&app.db, "NEW4").await.is_ok());
    assert!(tamar_tenancy::by_code(&app.db, "FORM4").await.is_ok());
    assert_eq!(app.department_count().await, 4);
    Ok(()) as R
});

store_test!(officer_pages_are_scoped_and_reads_are_logged, |db| async move {
    let app = setup(db).await;
    let (immd_admin, _) = app.sign_in(IMMD_ADMIN).await;
    let office = app.get("/en/office", &immd_admin).await;
    assert!(office.body.contains("Immigration Department"));
    assert!(!office.body.contains(DH_OFFICER), "no officer of another department");
    let officers = app.get("/api/v1/departments/IMMD/officers", &immd_admin).await.json();
    assert_eq!(officers.as_array().unwrap().len(), 1);

    let (dh, _) = app.sign_in(DH_OFFICER).await;
    let dh_office = app.get("/tc/office", &dh).await;
    assert!(dh_office.body.contains("衞生署") && dh_office.body.contains("個案主任"));

    // The admin's read of the DH officer's account (as platform admin) shows on that officer's
    // own "who accessed my data".
    let (admin, _) = app.sign_in(ADMIN).await;
    assert_eq!(app.get("/api/v1/departments/DH/officers", &admin).await.status, StatusCode::OK);
    app.ledger.sync().await?;
    let accesses = app.get("/api/v1/me/accesses", &dh).await.json();
    let reads: Vec<&Value> = accesses.as_array().unwrap().iter().filter(|a| a["kind"] == "read").collect();
    assert_eq!(reads.len(), 1);
    assert_eq!(reads[0]["who"]["kind"], "platform-admin");
    // Who acted is said in people's terms: no account id, no raw log actor.
    let admin_id = tamar_identity::authenticate(&app.db, ADMIN, PASSWORD).await?.id.to_string();
    assert!(!accesses.to_string().contains(&admin_id) && reads[0].get("actor").is_none(), "{accesses}");
    let page = app.get("/en/account", &dh).await;
    assert!(page.body.contains("A platform administrator") && page.body.contains("Viewed the account"));
    Ok(()) as R
});

store_test!(openapi_metrics_and_health, |db| async move {
    let app = setup(db).await;
    let doc = app.get("/api/v1/openapi.json", &Browser::default()).await.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in ["/api/v1/ledger/sth", "/api/v1/ledger/proof/inclusion", "/api/v1/ledger/proof/consistency", "/api/v1/departments", "/api/v1/me/accesses", "/readyz"] {
        assert!(doc["paths"][path].is_object(), "{path} missing from OpenAPI");
    }
    assert!(doc["components"]["schemas"]["ApiErrorBody"].is_object());
    // Clients can see every code they may get: the document lists them as an enumeration.
    let listed: Vec<&str> = doc["components"]["schemas"]["ApiErrorBody"]["properties"]["code"]["enum"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    let codes: Vec<&str> = tamar::modules::codes().into_iter().map(|c| c.as_str()).collect();
    assert_eq!(listed, codes);
    assert!(listed.contains(&"second_reviewer_required") && listed.contains(&"not_found"));
    // Operation ids are unique (code generators and validators need them to be).
    let mut ids = std::collections::HashSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if let Some(id) = op["operationId"].as_str() {
                assert!(ids.insert(id.to_owned()), "operationId {id} repeats at {method} {path}");
            }
        }
    }

    let sth = app.get("/api/v1/ledger/sth", &Browser::default()).await.json();
    assert!(sth["tree_size"].as_u64().unwrap() >= 6);
    assert_eq!(sth["signature_algorithm"], "ed25519");
    let proof = app.get("/api/v1/ledger/proof/inclusion?index=2", &Browser::default()).await.json();
    assert_eq!(proof["tree_size"], sth["tree_size"]);
    assert!(!proof["audit_path"].as_array().unwrap().is_empty());

    app.get("/en/departments", &Browser::default()).await;
    let scrape = |token: &str| Request::get("/metrics").header(header::AUTHORIZATION, format!("Bearer {token}")).body(Body::empty()).unwrap();
    assert_eq!(app.send(scrape("not-the-token")).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/metrics", &Browser::default()).await.status, StatusCode::UNAUTHORIZED, "no token, and not from this machine");
    let metrics = app.send(scrape(METRICS_TOKEN)).await.body;
    assert!(metrics.contains(r#"http_requests_total{method="GET",route="/{lang}/departments",status="200"}"#), "{metrics}");
    assert!(metrics.contains("http_request_duration_seconds_bucket"));
    assert_eq!(app.get("/readyz", &Browser::default()).await.json()["status"], "ready");
    Ok(()) as R
});

store_test!(public_pages_are_cached_but_never_stale_after_a_change, |db| async move {
    let app = setup(db).await;
    let visitor = Browser::default();
    let first = app.get("/en/departments", &visitor).await;
    assert!(first.cookie("tamar_csrf").is_none(), "a page without forms sets no cookie");
    assert!(!first.body.contains("Transport Department"));
    let again = app.get("/en/departments", &visitor).await;
    assert_eq!(first.body, again.body);

    let (admin, _) = app.sign_in(ADMIN).await;
    let created = app
        .json(Method::POST, "/api/v1/departments", &admin, r#"{"code":"TD","name":{"en":"Transport Department","tc":"運輸署","sc":"运输署"}}"#)
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let after = app.get("/en/departments", &visitor).await;
    assert!(after.body.contains("Transport Department"), "a change shows at once");
    // Signed-in people never get the anonymous page.
    let signed_in = app.get("/en/departments", &admin).await;
    assert!(signed_in.body.contains("Sign out"));
    assert!(!app.get("/en/departments", &visitor).await.body.contains("Sign out"));
    Ok(()) as R
});

/// The newest email-verification link in the outbox. Several mails may be written in the same
/// instant (a notice to the old address and the link to the new one), so the newest file is
/// not enough: the link is looked for.
fn outbox_link(app: &TestApp) -> String {
    // Mail goes through the durable queue: send what is queued first.
    tokio::task::block_in_place(|| {
        tokio::runtime::Handle::current().block_on(tamar_notify::deliver_pending(&app.db, &app.state.mailer, chrono::Utc::now(), 100)).unwrap()
    });
    let dir = app._blobs.path().join("outbox");
    let mut newest: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    newest.sort_by_key(|p| std::fs::metadata(p).unwrap().modified().unwrap());
    newest
        .iter()
        .rev()
        .find_map(|path| {
            // The body may be quoted-printable or base64; both keep the link recognisable once decoded.
            let decoded = decode_body(&std::fs::read_to_string(path).unwrap());
            let start = decoded.find("https://tamar.test/")?;
            let link = decoded[start..].split_whitespace().next()?.to_owned();
            link.contains("/verify-email?token=").then_some(link)
        })
        .expect("an email with a verification link in the outbox")
}

fn decode_body(eml: &str) -> String {
    let (headers, body) = eml.split_once("\r\n\r\n").unwrap_or((eml, ""));
    if headers.to_ascii_lowercase().contains("content-transfer-encoding: base64") {
        use base64::Engine;
        let joined: String = body.split_whitespace().collect();
        String::from_utf8(base64::engine::general_purpose::STANDARD.decode(joined).unwrap()).unwrap()
    } else {
        body.replace("=\r\n", "").replace("=3D", "=")
    }
}

store_test!(register_verify_email_and_sign_in, |db| async move {
    let app = setup(db).await;
    let (mut browser, token) = app.browser().await;
    let form = |password: &'static str| {
        vec![("csrf_token", token.clone()), ("name_en", "CHAN Siu-ming".to_owned()), ("name_zh", "陳小明".to_owned()), ("email", "siuming@example.hk".to_owned()), ("password", password.to_owned())]
    };
    let post = |fields: Vec<(&'static str, String)>| {
        let browser = browser.clone();
        let app = &app;
        async move { app.post_form("/tc/register", &browser, &fields.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>()).await }
    };
    let weak = post(form("password123")).await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.body.contains("此密碼太常見"), "translated password advice");
    let done = post(form("star ferry at midnight")).await;
    assert_eq!(done.status, StatusCode::OK);
    assert!(done.body.contains("siuming@example.hk"));
    let link = outbox_link(&app);
    assert!(link.starts_with("https://tamar.test/tc/verify-email?token="), "{link}");
    let path = link.trim_start_matches("https://tamar.test");
    let page = app.get(path, &browser).await;
    assert_eq!(page.status, StatusCode::OK);
    browser.keep(&page);
    let token_value = path.split("token=").nth(1).unwrap();
    let confirm = app.post_form("/tc/verify-email", &browser, &[("csrf_token", &csrf_token(&page.body)), ("token", token_value)]).await;
    assert_eq!(confirm.status, StatusCode::SEE_OTHER);
    let again = app.post_form("/tc/verify-email", &browser, &[("csrf_token", &csrf_token(&page.body)), ("token", token_value)]).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "a link works once");

    let signed_in = app
        .post_form("/en/sign-in", &browser, &[("csrf_token", &csrf_token(&page.body)), ("email", "siuming@example.hk"), ("password", "star ferry at midnight")])
        .await;
    browser.keep(&signed_in);
    let account = app.get("/en/account", &browser).await;
    assert!(account.body.contains("Email address confirmed (level 1)"), "{}", account.body);
    assert!(account.body.contains("陳小明"));
    Ok(()) as R
});

store_test!(the_eleventh_bad_password_is_throttled, |db| async move {
    let app = setup(db).await;
    let (browser, token) = app.browser().await;
    for attempt in 1..=10 {
        let reply = app.post_form("/en/sign-in", &browser, &[("csrf_token", &token), ("email", CITIZEN), ("password", "wrong guess")]).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    let reply = app.post_form("/en/sign-in", &browser, &[("csrf_token", &token), ("email", CITIZEN), ("password", "wrong guess")]).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(reply.body.contains("Too many attempts"));
    // Even the right password waits out the window.
    let reply = app.post_form("/en/sign-in", &browser, &[("csrf_token", &token), ("email", CITIZEN), ("password", PASSWORD)]).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    // Other accounts are not locked out.
    app.sign_in(ADMIN).await;
    Ok(()) as R
});

store_test!(identity_verification_through_the_pages, |db| async move {
    let app = setup(db).await;
    let (citizen, token) = app.sign_in(CITIZEN).await;
    let bad = app.post_form("/en/account/identity", &citizen, &[("csrf_token", &token), ("hkid", "CA182361(2)"), ("date_of_birth", "1990-07-01")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("check digit") && !bad.body.contains("182361"), "the number is not echoed back");
    let ok = app.post_form("/en/account/identity", &citizen, &[("csrf_token", &token), ("hkid", "CA182361(1)"), ("date_of_birth", "1990-07-01")]).await;
    assert_eq!(ok.location(), "/en/account?notice=identity-submitted");

    let (immd, immd_token) = app.sign_in(IMMD_ADMIN).await;
    let queue = app.get("/tc/office/verifications", &immd).await;
    assert!(queue.body.contains("CA182***(1)") && !queue.body.contains("182361"));
    let marker = "/tc/office/verifications/";
    let start = queue.body.find(marker).unwrap() + marker.len();
    let id = queue.body[start..].split('"').next().unwrap().to_owned();
    let decided = app.post_form(&format!("/tc/office/verifications/{id}"), &immd, &[("csrf_token", &immd_token), ("decision", "approve")]).await;
    assert_eq!(decided.location(), "/tc/office/verifications?notice=approved");
    let bogus = app.post_form(&format!("/tc/office/verifications/{id}"), &immd, &[("csrf_token", &immd_token), ("decision", "maybe")]).await;
    assert_eq!(bogus.status, StatusCode::BAD_REQUEST);

    app.ledger.sync().await?;
    let account = app.get("/en/account", &citizen).await;
    assert!(account.body.contains("Identity verified (level 2)") && account.body.contains("CA182***(1)"));
    assert!(account.body.contains("An officer of Immigration Department") && account.body.contains("Verified the identity"));
    // Sessions: the citizen ends the IMMD-unrelated second session.
    let (second, _) = app.sign_in(CITIZEN).await;
    let page = app.get("/en/account", &citizen).await;
    let ids: Vec<String> = page.body.match_indices("/en/account/sessions/").map(|(i, m)| page.body[i + m.len()..].split('/').next().unwrap().to_owned()).collect();
    assert_eq!(ids.len(), 2);
    for id in ids {
        let _ = app.post_form(&format!("/en/account/sessions/{id}/end"), &citizen, &[("csrf_token", &token)]).await;
    }
    assert_eq!(app.get("/en/account", &second).await.status, StatusCode::SEE_OTHER, "signed out elsewhere");
    Ok(()) as R
});

store_test!(officers_must_set_up_two_factor_sign_in, |db| async move {
    let app = setup(db).await;
    let immd = tamar_tenancy::by_code(&app.db, "IMMD").await?;
    let new = NewAccount {
        kind: AccountKind::Officer,
        email: "new.officer@tamar.test".into(),
        display_name: "New Officer".into(),
        password: PASSWORD.into(),
        department: Some(immd.id),
        roles: vec![Role::CaseOfficer],
    };
    tamar_identity::create_account(&app.db, &app.ledger, &Actor::System, new).await?;
    // The password alone signs in, but the officer can do nothing until a second factor is set up.
    let (mut officer, token) = app.browser().await;
    let reply = app.post_form("/en/sign-in", &officer, &[("csrf_token", &token), ("email", "new.officer@tamar.test"), ("password", PASSWORD)]).await;
    officer.keep(&reply);
    let token = app.form_token(&officer).await;
    let office = app.get("/en/office", &officer).await;
    assert_eq!(office.location(), "/en/account/two-factor");
    let api = app.get("/api/v1/me", &officer).await;
    assert_eq!((api.status, api.json()["code"].as_str()), (StatusCode::FORBIDDEN, Some("mfa_required")));

    // Set-up: scan (here: read) the key, give a code, get recovery codes.
    let setup = app.get("/en/account/two-factor", &officer).await;
    assert!(setup.body.contains("<svg"), "a QR code");
    let key_marker = "<code class=\"break\">";
    let start = setup.body.find(key_marker).unwrap() + key_marker.len();
    let key = setup.body[start..].split('<').next().unwrap().to_owned();
    let totp = totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, totp_rs::Secret::Encoded(key).to_bytes().unwrap(), None, String::new()).unwrap();
    let wrong = app.post_form("/en/account/two-factor", &officer, &[("csrf_token", &token), ("code", "000000")]).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let now = chrono::Utc::now().timestamp() as u64;
    let done = app.post_form("/en/account/two-factor", &officer, &[("csrf_token", &token), ("code", &totp.generate(now))]).await;
    assert_eq!(done.status, StatusCode::OK);
    let codes: Vec<String> = done.body.match_indices("<li><code>").map(|(i, m)| done.body[i + m.len()..].split('<').next().unwrap().to_owned()).collect();
    assert_eq!(codes.len(), 10);
    assert_eq!(app.get("/en/office", &officer).await.status, StatusCode::OK);
    // The secret is sealed in the database.
    let stored = app.db.fetch_one(&tamar_store::sea_query::Query::select().column("totp_secret").from("accounts").and_where(tamar_store::sea_query::Expr::col("email").eq("new.officer@tamar.test")).to_owned()).await?;
    let stored: String = tamar_store::row::get(&stored, "totp_secret")?;
    assert!(stored.starts_with("sealed:v1:") && !stored.contains(key_marker_value(&setup.body).as_str()));

    // Next sign-in: the password, then a code. A used code and a wrong one fail; a recovery
    // code works once.
    let sign_in = |code: String| {
        let app = &app;
        async move {
            let (browser, token) = app.browser().await;
            let first = app.post_form("/en/sign-in", &browser, &[("csrf_token", &token), ("email", "new.officer@tamar.test"), ("password", PASSWORD)]).await;
            assert!(first.location().starts_with("/en/sign-in/code"), "{}", first.location());
            assert!(first.cookie("tamar_session").is_none(), "no session before the second factor");
            let mut pending = browser.clone();
            pending.cookies.push(("tamar_mfa".into(), first.cookie("tamar_mfa").unwrap()));
            app.post_form("/en/sign-in/code", &pending, &[("csrf_token", &token), ("code", &code)]).await.status
        }
    };
    assert_eq!(sign_in(totp.generate(now)).await, StatusCode::UNAUTHORIZED, "a code works once");
    assert_eq!(sign_in("123456".into()).await, StatusCode::UNAUTHORIZED);
    assert_eq!(sign_in(totp.generate(now + 30)).await, StatusCode::SEE_OTHER);
    assert_eq!(sign_in(codes[0].clone()).await, StatusCode::SEE_OTHER);
    assert_eq!(sign_in(codes[0].clone()).await, StatusCode::UNAUTHORIZED, "a recovery code works once");
    // Without the pending cookie the code page sends people back to the password.
    let (stranger, token) = app.browser().await;
    let reply = app.post_form("/en/sign-in/code", &stranger, &[("csrf_token", &token), ("code", &codes[1])]).await;
    assert_eq!(reply.location(), "/en/sign-in");
    Ok(()) as R
});

#[path = "web/checkpoint.rs"]
mod checkpoint;

mod sign_in_with_tamar {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
    use sha2::{Digest, Sha256};

    pub struct Rp {
        pub id: String,
        pub secret: String,
        pub redirect: String,
    }

    pub async fn register(app: &TestApp, admin: &Browser, host: &str, scopes: &str) -> Rp {
        let body = serde_json::json!({
            "name": {"en": format!("Service at {host}"), "tc": "服務", "sc": "服务"},
            "purpose": {"en": "To process your application", "tc": "處理你的申請", "sc": "处理你的申请"},
            "redirect_uris": [format!("https://{host}/callback")],
            "post_logout_redirect_uris": [format!("https://{host}/bye")],
            "scopes": scopes.split(' ').collect::<Vec<_>>(),
        });
        let reply = app.json(Method::POST, "/api/v1/oidc/clients", admin, &body.to_string()).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        let j = reply.json();
        Rp { id: j["client_id"].as_str().unwrap().into(), secret: j["client_secret"].as_str().unwrap().into(), redirect: format!("https://{host}/callback") }
    }

    pub fn authorize_url(rp: &Rp, verifier: &str, extra: &str) -> String {
        let challenge = B64URL.encode(Sha256::digest(verifier.as_bytes()));
        format!(
            "/en/oidc/authorize?response_type=code&client_id={}&redirect_uri={}&scope=openid%20profile%20email&state=xyz&nonce=n-0S6&code_challenge={challenge}&code_challenge_method=S256{extra}",
            rp.id,
            crate::web::urlencode(&rp.redirect)
        )
    }

    /// Follows the authorization request as the signed-in browser, allowing on the consent page.
    pub async fn code_for(app: &TestApp, browser: &Browser, token: &str, url: &str) -> String {
        let mut reply = app.get(url, browser).await;
        if reply.status == StatusCode::OK {
            assert!(reply.body.contains("would like to know who you are"), "{}", reply.body);
            let mut fields: Vec<(String, String)> = Vec::new();
            for (i, _) in reply.body.match_indices("<input type=\"hidden\" name=\"") {
                let rest = &reply.body[i + 27..];
                let name = rest.split('"').next().unwrap().to_owned();
                let value = rest.split("value=\"").nth(1).unwrap().split('"').next().unwrap().replace("&amp;", "&");
                if name != "csrf_token" {
                    fields.push((name, value));
                }
            }
            fields.push(("csrf_token".into(), token.into()));
            fields.push(("decision".into(), "allow".into()));
            reply = app.post_form("/en/oidc/authorize", browser, &fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect::<Vec<_>>()).await;
        }
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        let location = reply.location().to_owned();
        assert!(location.contains("state=xyz") && location.contains("iss=https%3A%2F%2Ftamar.test"), "{location}");
        location.split("code=").nth(1).unwrap().split('&').next().unwrap().to_owned()
    }

    pub async fn exchange(app: &TestApp, rp: &Rp, code: &str, verifier: &str, redirect: &str) -> Reply {
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", rp.id, rp.secret));
        let body = serde_urlencoded::to_string([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirect), ("code_verifier", verifier)]).unwrap();
        let req = Request::post("/oidc/token")
            .header(header::AUTHORIZATION, format!("Basic {basic}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        app.send(req).await
    }

    pub fn verify_id_token(jwks: &Value, id_token: &str, audience: &str) -> Value {
        let header = jsonwebtoken::decode_header(id_token).unwrap();
        let kid = header.kid.unwrap();
        let key = jwks["keys"].as_array().unwrap().iter().find(|k| k["kid"] == kid.as_str()).expect("the signing key is published");
        let decoding = jsonwebtoken::DecodingKey::from_rsa_components(key["n"].as_str().unwrap(), key["e"].as_str().unwrap()).unwrap();
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
        validation.set_audience(&[audience]);
        validation.set_issuer(&["https://tamar.test"]);
        jsonwebtoken::decode::<Value>(id_token, &decoding, &validation).unwrap().claims
    }
}

#[path = "web/oidc_hardening.rs"] mod oidc_hardening;
#[path = "web/api_views.rs"]
mod api_views;
#[path = "web/authorization.rs"]
mod authorization;
#[path = "web/openapi.rs"]
mod openapi;
#[path = "web/paging.rs"]
mod paging;

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("v", s)]).unwrap().trim_start_matches("v=").to_owned()
}

store_test!(openid_connect_code_flow_with_pkce, |db| async move {
    use sign_in_with_tamar::*;
    let app = setup(db).await;
    let (admin, _) = app.sign_in(ADMIN).await;
    let a = register(&app, &admin, "a.example.hk", "openid profile email").await;
    let b = register(&app, &admin, "b.example.hk", "openid profile email").await;
    let (citizen, token) = app.sign_in(CITIZEN).await;
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-long-enough";

    // Discovery and keys.
    let discovery = app.get("/.well-known/openid-configuration", &Browser::default()).await.json();
    assert_eq!(discovery["issuer"], "https://tamar.test");
    assert_eq!(discovery["code_challenge_methods_supported"][0], "S256");
    let jwks = app.get("/oidc/jwks", &Browser::default()).await.json();

    // The whole flow, with consent the first time.
    let code = code_for(&app, &citizen, &token, &authorize_url(&a, verifier, "")).await;
    let tokens = exchange(&app, &a, &code, verifier, &a.redirect).await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.body);
    assert_eq!(tokens.headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
    let tokens = tokens.json();
    let claims = verify_id_token(&jwks, tokens["id_token"].as_str().unwrap(), &a.id);
    assert_eq!(claims["nonce"], "n-0S6");
    assert_eq!(claims["acr"], "urn:tamar:loa:1");
    let sub_a = claims["sub"].as_str().unwrap().to_owned();

    // The code works once; a second try also revokes what it gave.
    let replay = exchange(&app, &a, &code, verifier, &a.redirect).await;
    assert_eq!((replay.status, replay.json()["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
    let bearer = |t: &str| Request::get("/oidc/userinfo").header(header::AUTHORIZATION, format!("Bearer {t}")).body(Body::empty()).unwrap();
    assert_eq!(app.send(bearer(tokens["access_token"].as_str().unwrap())).await.status, StatusCode::UNAUTHORIZED);

    // Consent is remembered: straight back with a code. UserInfo gives the consented claims.
    let code = code_for(&app, &citizen, &token, &authorize_url(&a, verifier, "")).await;
    let tokens = exchange(&app, &a, &code, verifier, &a.redirect).await.json();
    let info = app.send(bearer(tokens["access_token"].as_str().unwrap())).await.json();
    assert_eq!(info["sub"], sub_a.as_str(), "the subject is stable");
    assert_eq!(info["email"], CITIZEN);
    assert!(info.get("hkid_masked").is_none(), "not consented, not released");

    // e-ME: contact details go only to a client the person lets have them.
    let form = app.get("/en/account/contact", &citizen).await;
    assert_eq!(form.status, StatusCode::OK);
    let bad = app.post_form("/en/account/contact", &citizen, &[("csrf_token", &token), ("address", "Flat 1"), ("phone", "12")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let saved = app
        .post_form("/en/account/contact", &citizen, &[("csrf_token", &token), ("address", "Flat 12A, 1 Harbour Road, Wan Chai"), ("phone", "+852 9123 4567")])
        .await;
    assert_eq!(saved.location(), "/en/account?notice=contact-saved");
    let prefill = [("csrf_token", token.as_str()), ("name", "on"), ("email", "on"), ("address", "on"), ("phone", "on")];
    assert_eq!(app.post_form("/en/account/prefill", &citizen, &prefill).await.status, StatusCode::OK, "services may fill in address and phone");
    let e_me = register(&app, &admin, "forms.example.hk", "openid address phone").await;
    let url = authorize_url(&e_me, verifier, "").replace("scope=openid%20profile%20email", "scope=openid%20address%20phone");
    let code = code_for(&app, &citizen, &token, &url).await;
    let e_tokens = exchange(&app, &e_me, &code, verifier, &e_me.redirect).await.json();
    let filled = app.send(bearer(e_tokens["access_token"].as_str().unwrap())).await.json();
    assert_eq!(filled["address"]["formatted"], "Flat 12A, 1 Harbour Road, Wan Chai");
    assert_eq!(filled["phone_number"], "+852 9123 4567");
    assert!(filled.get("email").is_none(), "only what was consented");

    // Another client sees another subject for the same person.
    let code = code_for(&app, &citizen, &token, &authorize_url(&b, verifier, "")).await;
    let tokens_b = exchange(&app, &b, &code, verifier, &b.redirect).await.json();
    let sub_b = verify_id_token(&jwks, tokens_b["id_token"].as_str().unwrap(), &b.id)["sub"].as_str().unwrap().to_owned();
    assert_ne!(sub_a, sub_b);

    // PKCE and redirect_uri are enforced.
    let code = code_for(&app, &citizen, &token, &authorize_url(&a, verifier, "")).await;
    let wrong = exchange(&app, &a, &code, "another-verifier-that-is-long-enough-to-be-valid-x", &a.redirect).await;
    assert_eq!(wrong.json()["error"], "invalid_grant");
    let code = code_for(&app, &citizen, &token, &authorize_url(&a, verifier, "")).await;
    assert_eq!(exchange(&app, &a, &code, verifier, "https://a.example.hk/other").await.json()["error"], "invalid_grant");
    let code = code_for(&app, &citizen, &token, &authorize_url(&a, verifier, "")).await;
    assert_eq!(exchange(&app, &b, &code, verifier, &a.redirect).await.json()["error"], "invalid_grant", "another client's code");
    let no_pkce = app.get(&authorize_url(&a, verifier, "").replace("&code_challenge_method=S256", ""), &citizen).await;
    assert!(no_pkce.location().starts_with("https://a.example.hk/callback?error=invalid_request"), "{}", no_pkce.location());
    let bad_redirect = app.get(&authorize_url(&a, verifier, "").replace("a.example.hk%2Fcallback", "evil.example%2Fcallback"), &citizen).await;
    assert_eq!(bad_redirect.status, StatusCode::BAD_REQUEST, "never redirect to an unregistered address");
    let prefix = app.get(&authorize_url(&a, verifier, "").replace("%2Fcallback", "%2Fcallback%2Fmore"), &citizen).await;
    assert_eq!(prefix.status, StatusCode::BAD_REQUEST, "exact match only");
    let wrong_secret = exchange(&app, &Rp { id: a.id.clone(), secret: "nope".into(), redirect: a.redirect.clone() }, "x", verifier, &a.redirect).await;
    assert_eq!((wrong_secret.status, wrong_secret.json()["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_client")));

    // Asking for a level the account does not have.
    let l2 = app.get(&authorize_url(&a, verifier, "&acr_values=urn%3Atamar%3Aloa%3A2"), &citizen).await;
    assert!(l2.location().contains("error=access_denied"), "{}", l2.location());

    // Anonymous people are sent to sign in first, and back.
    let anon = app.get(&authorize_url(&a, verifier, ""), &Browser::default()).await;
    assert!(anon.location().starts_with("/en/sign-in?next=%2Fen%2Foidc%2Fauthorize"), "{}", anon.location());

    // Withdrawn consent: tokens stop working, and the next request asks again.
    let page = app.get("/en/account", &citizen).await;
    assert!(page.body.contains("Service at a.example.hk"));
    let revoke = app.post_form(&format!("/en/account/consents/{}/revoke", a.id), &citizen, &[("csrf_token", &token)]).await;
    assert_eq!(revoke.status, StatusCode::SEE_OTHER);
    let again = app.get(&authorize_url(&a, verifier, ""), &citizen).await;
    assert_eq!(again.status, StatusCode::OK, "the consent screen again");

    // Every token and every release of claims is in the citizen's access log.
    app.ledger.sync().await?;
    let log = app.get("/api/v1/me/accesses", &citizen).await.json();
    let actions: Vec<&str> = log.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"oidc.token.issue") && actions.contains(&"oidc.claims.release") && actions.contains(&"oidc.consent.revoke"));

    // Private keys are sealed in the database.
    let rows = app.db.fetch_all(&tamar_store::sea_query::Query::select().column("private_der").from("oidc_keys").to_owned()).await?;
    for r in &rows {
        assert!(tamar_store::row::get::<Vec<u8>>(r, "private_der")?.starts_with(b"sealed:v1:"), "an OIDC key in the clear");
    }
    let ca = app.db.fetch_one(&tamar_store::sea_query::Query::select().column("key_der").from("signing_ca").to_owned()).await?;
    assert!(tamar_store::row::get::<Vec<u8>>(&ca, "key_der")?.starts_with(b"sealed:v1:"), "the CA key in the clear");

    // Key rotation: the next key is published at once; tokens are signed with the old one
    // until relying parties' cached key sets have the new one.
    let rotated = app.json(Method::POST, "/api/v1/oidc/keys/rotate", &admin, "").await;
    assert_eq!(rotated.status, StatusCode::OK);
    assert_eq!(app.json(Method::POST, "/api/v1/oidc/keys/rotate", &citizen, "").await.status, StatusCode::FORBIDDEN);
    let jwks = app.get("/oidc/jwks", &Browser::default()).await.json();
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 2);
    let code = code_for(&app, &citizen, &token, &authorize_url(&b, verifier, "")).await;
    let id_token = exchange(&app, &b, &code, verifier, &b.redirect).await.json()["id_token"].as_str().unwrap().to_owned();
    assert_ne!(jsonwebtoken::decode_header(&id_token).unwrap().kid.as_deref(), rotated.json()["kid"].as_str());
    verify_id_token(&jwks, &id_token, &b.id);

    // RP-initiated logout goes back only to a registered address.
    let out = app.get(&format!("/oidc/logout?id_token_hint={id_token}&post_logout_redirect_uri={}&state=s1", urlencode("https://b.example.hk/bye")), &citizen).await;
    assert_eq!(out.location(), "https://b.example.hk/bye?state=s1");
    assert_eq!(app.get("/en/account", &citizen).await.status, StatusCode::SEE_OTHER, "signed out of Tamar");
    Ok(()) as R
});

store_test!(department_admins_open_officer_accounts_with_a_fresh_sign_in, |db| async move {
    let app = setup(db).await;
    let (immd_admin, _) = app.sign_in(IMMD_ADMIN).await;
    let (dh_officer, _) = app.sign_in(DH_OFFICER).await;
    let (citizen, _) = app.sign_in(CITIZEN).await;
    let (admin, admin_token) = app.sign_in(ADMIN).await;
    let officer = |email: &str| format!(r#"{{"email":"{email}","display_name":"New Officer","roles":["case-officer"],"password":"a first password for work"}}"#);
    let cases = [
        (&immd_admin, "IMMD", "a@immd.test", StatusCode::CREATED),
        (&immd_admin, "DH", "b@dh.test", StatusCode::FORBIDDEN),
        (&dh_officer, "DH", "c@dh.test", StatusCode::FORBIDDEN),
        (&citizen, "DH", "d@dh.test", StatusCode::FORBIDDEN),
        (&Browser::default(), "DH", "e@dh.test", StatusCode::UNAUTHORIZED),
        (&admin, "DH", "f@dh.test", StatusCode::CREATED),
        (&admin, "NOPE", "g@dh.test", StatusCode::NOT_FOUND),
    ];
    for (browser, code, email, status) in cases {
        let reply = app.json(Method::POST, &format!("/api/v1/departments/{code}/officers"), browser, &officer(email)).await;
        assert_eq!(reply.status, status, "{email}: {}", reply.body);
    }
    // The same through the office page's form.
    let immd_token = csrf_token(&app.get("/en/office", &immd_admin).await.body);
    let opened = app
        .post_form("/en/office/officers", &immd_admin, &[("csrf_token", &immd_token), ("email", "form@immd.test"), ("display_name", "Form Officer"), ("password", "another first password"), ("role-identity-verifier", "on")])
        .await;
    assert_eq!(opened.location(), "/en/office?notice=officer-created#officers");
    let weak = app.post_form("/en/office/officers", &immd_admin, &[("csrf_token", &immd_token), ("email", "weak@immd.test"), ("display_name", "W"), ("password", "password1")]).await;
    assert_eq!(weak.location(), "/en/office?problem=weak_password#new-officer");
    let dh_token = csrf_token(&app.get("/en/account", &dh_officer).await.body);
    let not_admin = app.post_form("/en/office/officers", &dh_officer, &[("csrf_token", &dh_token), ("email", "x@dh.test"), ("display_name", "X"), ("password", "another first password")]).await;
    assert_eq!(not_admin.status, StatusCode::FORBIDDEN);
    assert!(not_admin.body.contains("forbidden") && !not_admin.body.contains("csrf_failed"), "refused for the role, not the form");
    let created = app.get("/api/v1/departments/IMMD/officers", &immd_admin).await.json();
    assert!(created.as_array().unwrap().iter().any(|o| o["email"] == "form@immd.test" && o["roles"][0] == "identity-verifier"));
    assert!(created.as_array().unwrap().iter().any(|o| o["email"] == "a@immd.test" && o["roles"][0] == "case-officer"));

    // An hour later, the same session must prove itself again for a sensitive action.
    let an_hour_ago = chrono::Utc::now().timestamp_millis() - 3_600_000;
    app.db.execute_sql(&format!("UPDATE sessions SET authenticated_at = {an_hour_ago}")).await?;
    // Changed behind the platform's back (not through a logged change), which a node's kept
    // sessions see once they are renewed.
    tokio::time::sleep(tamar_identity::SessionCache::KEEP + Duration::from_millis(100)).await;
    let stale = app.json(Method::POST, "/api/v1/departments/IMMD/officers", &immd_admin, &officer("h@immd.test")).await;
    assert_eq!((stale.status, stale.json()["code"].as_str()), (StatusCode::FORBIDDEN, Some("reauthentication_required")));
    let page = app
        .post_form("/en/admin/departments", &admin, &[("csrf_token", &admin_token), ("code", "LATE"), ("name_en", "X"), ("name_tc", "甲"), ("name_sc", "甲")])
        .await;
    assert_eq!(page.location(), "/en/sign-in?again=1&next=%2Fen%2Fadmin%2Fdepartments");
    assert!(tamar_tenancy::by_code(&app.db, "LATE").await.is_err(), "nothing was created");
    let again = app.get("/en/sign-in?again=1&next=%2Fen%2Fadmin%2Fdepartments", &Browser::default()).await;
    assert!(again.body.contains("sign in again to continue"));
    // Reading is not sensitive.
    assert_eq!(app.get("/en/account", &admin).await.status, StatusCode::OK);
    Ok(()) as R
});

store_test!(digital_signing_with_a_short_code_and_offline_verification, |db| async move {
    use sign_in_with_tamar::*;
    let app = setup(db).await;
    let (admin, _) = app.sign_in(ADMIN).await;
    let service = register(&app, &admin, "rvd.example.hk", "openid profile").await;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", service.id, service.secret));
    let as_service = |method: Method, path: String, body: String| {
        Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Basic {basic}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap()
    };
    let document = b"Tenancy agreement, Flat 12A, 1 Harbour Road";
    let hash = hex::encode(sha2::Sha256::digest(document));
    let created = app.send(as_service(Method::POST, "/api/v1/signing/requests".into(), format!(r#"{{"document_hash":"{hash}","document_name":"Tenancy agreement"}}"#))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let created = created.json();
    let (id, short_code) = (created["id"].as_str().unwrap().to_owned(), created["short_code"].as_str().unwrap().to_owned());
    assert_eq!(short_code.len(), 4);
    let bad = app.send(as_service(Method::POST, "/api/v1/signing/requests".into(), r#"{"document_hash":"xyz","document_name":"x"}"#.into())).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    // An L1 citizen sees the request and the code, but cannot sign.
    let (citizen, token) = app.sign_in(CITIZEN).await;
    let page = app.get(&format!("/tc/sign/{id}"), &citizen).await;
    assert!(page.body.contains(&short_code) && page.body.contains("第 2 級"));
    let refused = app.post_form(&format!("/en/sign/{id}"), &citizen, &[("csrf_token", &token), ("decision", "sign")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // Verified (L2), the citizen signs.
    let account = tamar_identity::authenticate(&app.db, CITIZEN, PASSWORD).await?;
    tamar_identity::submit_identity(&app.db, &app.ledger, &tamar_identity::HkidKey::new([5u8; 32], tamar_store::Sealer::new(&[5u8; 32])), &account, "CA182361(1)", "1980-01-02").await?;
    let verifier = tamar_identity::authenticate(&app.db, IMMD_ADMIN, PASSWORD).await?.actor();
    let queue = tamar_identity::verification_queue(&app.db, &app.ledger, &verifier, &tamar_core::PageRequest::default()).await?.items;
    tamar_identity::decide_verification(&app.db, &app.ledger, &verifier, &queue[0].id, true).await?;
    let page = app.get(&format!("/en/sign/{id}"), &citizen).await;
    assert!(page.body.contains("Sign the document"));
    let signed = app.post_form(&format!("/en/sign/{id}"), &citizen, &[("csrf_token", &token), ("decision", "sign")]).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER);
    let again = app.post_form(&format!("/en/sign/{id}"), &citizen, &[("csrf_token", &token), ("decision", "sign")]).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "a request is signed once");

    // The service collects the signature; another service cannot.
    let outcome = app.send(as_service(Method::GET, format!("/api/v1/signing/requests/{id}"), String::new())).await.json();
    assert_eq!(outcome["status"], "signed");
    let other = register(&app, &admin, "other.example.hk", "openid").await;
    let other_basic = base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", other.id, other.secret));
    let peek = Request::get(format!("/api/v1/signing/requests/{id}")).header(header::AUTHORIZATION, format!("Basic {other_basic}")).body(Body::empty()).unwrap();
    assert_eq!(app.send(peek).await.status, StatusCode::NOT_FOUND);

    // Anyone can verify it with the published CA; a changed document fails.
    let verify = |doc_hash: String| {
        serde_json::json!({"document_hash": doc_hash, "signature": outcome["signature"], "certificate": outcome["certificate"]}).to_string()
    };
    let good = app.json(Method::POST, "/api/v1/signing/verify", &Browser::default(), &verify(hash.clone())).await.json();
    assert_eq!(good["valid"], true, "{good}");
    assert!(good["signer"]["name"].as_str().unwrap().contains("citizen@tamar.test"));
    let changed = hex::encode(sha2::Sha256::digest(b"Tenancy agreement, Flat 12B, 1 Harbour Road"));
    let bad = app.json(Method::POST, "/api/v1/signing/verify", &Browser::default(), &verify(changed.clone())).await.json();
    assert_eq!(bad["valid"], false);
    let ca_pem = app.get("/signing/ca.pem", &Browser::default()).await.body;
    let ca = tamar_signing::certificate_der(ca_pem.as_bytes())?;
    let cert = tamar_signing::certificate_der(outcome["certificate"].as_str().unwrap().as_bytes())?;
    let sig = base64::engine::general_purpose::STANDARD.decode(outcome["signature"].as_str().unwrap())?;
    assert!(tamar_signing::verify_signature(&ca, &cert, &hex::decode(&hash)?, &sig, chrono::Utc::now()).is_ok());
    assert!(tamar_signing::verify_signature(&ca, &cert, &hex::decode(&changed)?, &sig, chrono::Utc::now()).is_err());
    // e-ME: the verified citizen lets a service have the masked and the full HKID.
    let prefill = [("csrf_token", token.as_str()), ("name", "on"), ("email", "on"), ("hkid", "on")];
    assert_eq!(app.post_form("/en/account/prefill", &citizen, &prefill).await.status, StatusCode::OK, "services may fill in the HKID");
    let hkid_client = register(&app, &admin, "hkid.example.hk", "openid hkid hkid_full").await;
    let verifier_code = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-long-enough";
    let url = authorize_url(&hkid_client, verifier_code, "").replace("scope=openid%20profile%20email", "scope=openid%20hkid%20hkid_full");
    let code = code_for(&app, &citizen, &token, &url).await;
    let tokens = exchange(&app, &hkid_client, &code, verifier_code, &hkid_client.redirect).await.json();
    let claims = app
        .send(Request::get("/oidc/userinfo").header(header::AUTHORIZATION, format!("Bearer {}", tokens["access_token"].as_str().unwrap())).body(Body::empty()).unwrap())
        .await
        .json();
    assert_eq!(claims["hkid_masked"], "CA182***(1)");
    assert_eq!(claims["hkid"], "CA182361(1)");
    assert_eq!(verify_id_token(&app.get("/oidc/jwks", &Browser::default()).await.json(), tokens["id_token"].as_str().unwrap(), &hkid_client.id)["acr"], "urn:tamar:loa:2");

    // A certificate from another CA is refused.
    let foreign = tamar_signing::SigningAuthority::ensure(&tamar_store::testing::TestDb::sqlite().await?.db, &sealer(), chrono::Utc::now()).await;
    if let Ok(foreign) = foreign {
        assert!(tamar_signing::verify_signature(foreign.certificate_der(), &cert, &hex::decode(&hash)?, &sig, chrono::Utc::now()).is_err());
    }
    Ok(()) as R
});

fn key_marker_value(body: &str) -> String {
    let marker = "<code class=\"break\">";
    let start = body.find(marker).unwrap() + marker.len();
    body[start..].split('<').next().unwrap().to_owned()
}

store_test!(changing_the_password_signs_out_other_sessions, |db| async move {
    let app = setup(db).await;
    let (laptop, token) = app.sign_in(CITIZEN).await;
    let (phone, _) = app.sign_in(CITIZEN).await;
    let wrong = app.post_form("/en/account/password", &laptop, &[("csrf_token", &token), ("proof_password", "not it"), ("new", "a brand new passphrase")]).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let weak = app.post_form("/en/account/password", &laptop, &[("csrf_token", &token), ("proof_password", PASSWORD), ("new", "password1")]).await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    let done = app.post_form("/en/account/password", &laptop, &[("csrf_token", &token), ("proof_password", PASSWORD), ("new", "a brand new passphrase")]).await;
    assert_eq!(done.location(), "/en/account?notice=password-changed");
    assert_eq!(app.get("/en/account", &laptop).await.status, StatusCode::OK, "this session stays");
    assert_eq!(app.get("/en/account", &phone).await.status, StatusCode::SEE_OTHER, "the others end");
    assert!(tamar_identity::authenticate(&app.db, CITIZEN, "a brand new passphrase").await.is_ok());
    assert!(tamar_identity::authenticate(&app.db, CITIZEN, PASSWORD).await.is_err());
    Ok(()) as R
});

/// Each catalogue (the kernel's and each module's web crate's) has the same messages in the
/// three languages, no message is in two catalogues, and every error code is translated.
#[test]
fn every_message_exists_in_all_three_languages() {
    let keys = |dir: &std::path::Path, lang: &str| -> std::collections::BTreeSet<String> {
        std::fs::read_to_string(dir.join(format!("locales/{lang}/main.ftl")))
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with(' '))
            .filter_map(|l| l.split_once(" =").map(|(k, _)| k.trim().to_owned()))
            .filter(|k| !k.starts_with('#') && !k.is_empty())
            .collect()
    };
    let crates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut catalogues: Vec<std::path::PathBuf> = std::fs::read_dir(&crates)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|dir| dir.join("locales/en/main.ftl").exists())
        .collect();
    catalogues.sort();
    assert!(catalogues.len() >= 5, "the kernel's and the modules' catalogues: {catalogues:?}");
    let mut owner: std::collections::BTreeMap<String, std::path::PathBuf> = Default::default();
    for dir in &catalogues {
        let en = keys(dir, "en");
        assert_eq!(en, keys(dir, "zh-HK"), "Traditional Chinese catalogue differs from English in {dir:?}");
        assert_eq!(en, keys(dir, "zh-CN"), "Simplified Chinese catalogue differs from English in {dir:?}");
        for key in en {
            if let Some(first) = owner.insert(key.clone(), dir.clone()) {
                panic!("{key} is in both {first:?} and {dir:?}");
            }
        }
    }
    tamar_web::i18n::install(tamar::modules::all().iter().filter_map(|m| m.translations));
    for code in tamar::modules::codes() {
        for lang in Lang::ALL {
            assert!(tamar_web::i18n::has(lang, &format!("error-{}", code.as_str())), "{code:?} untranslated in {lang}");
        }
    }
}

/// One list of every error code with its HTTP status, by the module that owns it: a code, once
/// published, keeps its meaning and status, so a change here is a change clients see.
#[test]
fn every_error_code_is_listed_with_its_status() {
    let mut seen = std::collections::BTreeSet::new();
    let mut listing = Vec::new();
    let owned = std::iter::once(("kernel", vec![tamar_core::Code::KERNEL])).chain(tamar::modules::all().into_iter().map(|m| (m.name, m.codes)));
    for (module, codes) in owned {
        for code in codes.into_iter().flatten() {
            let text = code.as_str();
            assert!(seen.insert(text), "{text} is declared twice");
            assert!(!text.is_empty() && text.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{text}");
            listing.push(format!("{module:<8} {text:<28} {}", tamar_web::error::status_of(*code).as_u16()));
        }
    }
    assert_eq!(seen.len(), tamar::modules::codes().len());
    insta::assert_snapshot!(listing.join("\n"));
}

// A validation error names the field and the rule it breaks, in the request's language; nothing
// is created.
store_test!(validation_errors_name_the_field_and_the_rule, |db| async move {
    let app = setup(db).await;
    let (admin, _) = app.sign_in(ADMIN).await;
    let body = r#"{"code":"not a code","name":{"en":"X","tc":"甲","sc":"甲"}}"#;
    let reply = app.json(Method::POST, "/api/v1/departments", &admin, body).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);
    let json = reply.json();
    assert_eq!(json["code"], "invalid_input");
    assert_eq!(json["details"], serde_json::json!([{"field": "code", "code": "format", "message": "it is not in the expected form"}]));
    let req = Request::post("/api/v1/departments")
        .header(header::COOKIE, admin.header())
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT_LANGUAGE, "zh-HK")
        .body(Body::from(body))
        .unwrap();
    let reply = app.send(req).await;
    assert_eq!(reply.json()["details"][0]["message"], "格式不正確");
    assert!(tamar_tenancy::by_code(&app.db, "not a code").await.is_err());
    // Errors that are not about a field carry no details.
    let missing = app.get("/api/v1/departments/NOPE", &Browser::default()).await.json();
    assert!(missing.get("details").is_none(), "{missing}");
    for rule in tamar_core::Rule::ALL {
        for lang in Lang::ALL {
            assert!(tamar_web::i18n::has(lang, &format!("rule-{}", rule.as_str())), "{rule:?} untranslated in {lang}");
        }
    }
    Ok(()) as R
});

/// The item id in an office address: `/en/office/content/{id}`.
fn item_id_from(location: &str) -> String {
    location.rsplit('/').next().unwrap().to_owned()
}

store_test!(content_is_written_reviewed_by_a_second_officer_and_published, |db| async move {
    let app = setup(db).await;
    let (editor, token) = app.sign_in(DH_OFFICER).await;
    let (reviewer, reviewer_token) = app.sign_in(DH_REVIEWER).await;
    let (immd, immd_token) = app.sign_in(IMMD_ADMIN).await;
    let news = |title_en: &str, summary_en: &str| {
        vec![
            ("kind", "news".to_owned()),
            ("slug", "dental-clinic-hours".to_owned()),
            ("title_en", title_en.to_owned()),
            ("title_tc", "牙科診所開放時間".to_owned()),
            ("summary_en", summary_en.to_owned()),
            ("summary_tc", "牙科診所由下月起延長開放時間。".to_owned()),
            ("body_en", "Clinics open until 8 pm.\n\n- Monday to Friday".to_owned()),
            ("body_tc", "診所開放至晚上8時。\n\n- 星期一至五".to_owned()),
            ("topic_health", "on".to_owned()),
            ("audience_residents", "on".to_owned()),
        ]
    };
    let with_token = |fields: &[(&'static str, String)], token: &str| {
        let mut v: Vec<(&str, String)> = fields.to_vec();
        v.push(("csrf_token", token.to_owned()));
        v
    };
    let post = |path: String, browser: Browser, fields: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post_form(&path, &browser, &refs).await
        }
    };

    // Bad input: the form comes back with the problem, and nothing is created.
    let mut bad = news("", "Dental clinics open longer from next month.");
    bad.retain(|(k, _)| *k != "title_en");
    let refused = post("/en/office/content/new".into(), editor.clone(), with_token(&bad, &token)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(refused.body.contains("error-summary"));
    assert!(tamar_portal::content::item_by_slug(&app.db, "dental-clinic-hours").await.is_err());

    let created = post("/en/office/content/new".into(), editor.clone(), with_token(&news("Dental clinic hours", "Dental clinics open longer from next month."), &token)).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let id = item_id_from(created.location());
    let edit = format!("/en/office/content/{id}");
    assert_eq!(app.get(&edit, &editor).await.status, StatusCode::OK);
    // Another department's officers cannot see it.
    assert_eq!(app.get(&edit, &immd).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/en/news/dental-clinic-hours", &Browser::default()).await.status, StatusCode::NOT_FOUND, "a draft is not public");

    let submitted = post(format!("{edit}/submit"), editor.clone(), vec![("csrf_token", token.clone())]).await;
    assert_eq!(submitted.status, StatusCode::SEE_OTHER);
    // The author cannot approve (no reviewer role), nor can another department's reviewer.
    let approve = |t: &str| vec![("csrf_token", t.to_owned()), ("publish_at", String::new())];
    assert_eq!(post(format!("{edit}/approve"), editor.clone(), approve(&token)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(post(format!("{edit}/approve"), immd.clone(), approve(&immd_token)).await.status, StatusCode::FORBIDDEN);
    let review_page = app.get(&edit, &reviewer).await;
    assert!(review_page.body.contains("/approve"), "the reviewer sees the review form");
    let published = post(format!("{edit}/approve"), reviewer.clone(), approve(&reviewer_token)).await;
    assert_eq!(published.status, StatusCode::SEE_OTHER);
    assert_eq!(published.location(), "/en/office/content?done=published");

    let public = app.get("/en/news/dental-clinic-hours", &Browser::default()).await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(public.body.contains("Dental clinic hours") && public.body.contains("<li>Monday to Friday</li>"));
    let sc = app.get("/sc/news/dental-clinic-hours", &Browser::default()).await;
    assert!(sc.body.contains("牙科诊所开放时间"), "Simplified Chinese converted from Traditional");
    assert!(sc.body.contains("以繁体中文版本为准"), "and marked as converted");

    // The search index follows the change feed.
    let mut cursor = tamar_portal::feed::FeedCursor::new(0);
    tamar_portal::search_docs::apply_changes(&app.db, search_of(&app.state), &mut cursor, app.ledger.now()).await.unwrap();
    let found = app.get("/api/v1/search?q=dental%20clinic&lang=en", &Browser::default()).await.json();
    assert_eq!(found["hits"][0]["slug"], "dental-clinic-hours", "{found}");

    // A second version: the public keeps version 1 until it is reviewed; the diff shows the change.
    let saved = post(edit.clone(), editor.clone(), with_token(&news("Dental clinic hours", "Dental clinics open until 8 pm from December."), &token)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let diff = app.get(&format!("{edit}/versions/2"), &editor).await;
    assert_eq!(diff.status, StatusCode::OK);
    assert!(diff.body.contains("<del><span class=\"visually-hidden\">Removed: </span>Dental clinics open longer from next month.</del>"), "{}", diff.body);
    assert!(diff.body.contains("<ins><span class=\"visually-hidden\">Added: </span>Dental clinics open until 8 pm from December.</ins>"));
    assert!(app.get("/en/news/dental-clinic-hours", &Browser::default()).await.body.contains("open longer from next month"));

    // Scheduled: approved for a time in the future, published when due.
    post(format!("{edit}/submit"), editor.clone(), vec![("csrf_token", token.clone())]).await;
    let later = (chrono::Utc::now() + chrono::Duration::days(2)).with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap());
    let scheduled = post(
        format!("{edit}/approve"),
        reviewer.clone(),
        vec![("csrf_token", reviewer_token.clone()), ("publish_at", later.format("%Y-%m-%dT%H:%M").to_string())],
    )
    .await;
    assert_eq!(scheduled.location(), "/en/office/content?done=scheduled");
    assert_eq!(tamar_portal::content::publish_due(&app.db, &app.ledger).await.unwrap(), 0);
    assert!(app.get("/en/news/dental-clinic-hours", &Browser::default()).await.body.contains("open longer from next month"));
    let versions = tamar_portal::content::versions(&app.db, tamar_portal::content::item_by_slug(&app.db, "dental-clinic-hours").await.unwrap().id).await.unwrap();
    assert_eq!(versions[0].state, tamar_portal::VersionState::Scheduled);

    // Withdrawn by the reviewer: gone from the portal and, after the feed, from search.
    let withdrawn = post(format!("{edit}/withdraw"), reviewer.clone(), vec![("csrf_token", reviewer_token.clone())]).await;
    assert_eq!(withdrawn.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get("/en/news/dental-clinic-hours", &Browser::default()).await.status, StatusCode::NOT_FOUND);
    tamar_portal::search_docs::apply_changes(&app.db, search_of(&app.state), &mut cursor, app.ledger.now()).await.unwrap();
    let found = app.get("/api/v1/search?q=dental%20clinic&lang=en", &Browser::default()).await.json();
    assert!(found["hits"].as_array().unwrap().iter().all(|h| h["slug"] != "dental-clinic-hours"), "{found}");
    Ok(()) as R
});

store_test!(service_pages_feeds_and_sitemap_speak_open_formats, |db| async move {
    let app = setup(db).await;
    let anonymous = Browser::default();
    let page = app.get("/tc/services/vaccination-appointment", &anonymous).await;
    let start = page.body.find("<script type=\"application/ld+json\">").expect("JSON-LD") + "<script type=\"application/ld+json\">".len();
    let json: Value = serde_json::from_str(&page.body[start..start + page.body[start..].find("</script>").unwrap()]).unwrap();
    assert_eq!(json["@type"], "GovernmentService");
    assert_eq!(json["name"], "預約疫苗接種");
    assert_eq!(json["provider"]["@type"], "GovernmentOrganization");
    assert_eq!(json["provider"]["name"], "衞生署");
    assert_eq!(json["availableChannel"][0]["serviceUrl"], "https://www.dh.gov.hk/");

    let feed = app.get("/en/feeds/topics/health.atom", &anonymous).await;
    assert_eq!(feed.headers[header::CONTENT_TYPE], "application/atom+xml; charset=utf-8");
    let parsed = atom_syndication::Feed::read_from(feed.body.as_bytes()).unwrap();
    assert_eq!(parsed.entries().len(), 1);
    assert_eq!(parsed.entries()[0].title().as_str(), "Seasonal influenza vaccination starts");
    assert_eq!(parsed.entries()[0].links()[0].href(), "https://tamar.test/en/news/flu-vaccination-2026");
    let dept = atom_syndication::Feed::read_from(app.get("/tc/feeds/departments/IMMD.atom", &anonymous).await.body.as_bytes()).unwrap();
    assert_eq!(dept.entries().len(), 1, "the IMMD notice, in Traditional Chinese");
    assert_eq!(dept.entries()[0].title().as_str(), "辦事處遷址");
    assert_eq!(app.get("/en/feeds/topics/astrology.atom", &anonymous).await.status, StatusCode::NOT_FOUND);

    // The sitemap is an index of files: the portal's own pages, then live items in files of
    // 15,000 (45,000 addresses in three languages, under the protocol's 50,000).
    let index = app.get("/sitemap.xml", &anonymous).await.body;
    assert!(index.contains("<sitemapindex") && index.contains("<loc>https://tamar.test/sitemaps/pages.xml</loc>"), "{index}");
    assert!(index.contains("<loc>https://tamar.test/sitemaps/content-0.xml</loc>") && !index.contains("content-1.xml"), "{index}");
    let pages = app.get("/sitemaps/pages.xml", &anonymous).await.body;
    assert!(pages.contains("<loc>https://tamar.test/tc/topics/health</loc>") && pages.contains("<loc>https://tamar.test/en/departments/IMMD</loc>"));
    let sitemap = app.get("/sitemaps/content-0.xml", &anonymous).await.body;
    assert!(sitemap.contains("<urlset") && sitemap.contains("<loc>https://tamar.test/sc/services/vaccination-appointment</loc>"));
    assert!(sitemap.contains(r#"<xhtml:link rel="alternate" hreflang="zh-Hant-HK" href="https://tamar.test/tc/services/vaccination-appointment"/>"#));

    for missing in ["/sitemaps/content-1.xml", "/sitemaps/content-.xml", "/sitemaps/content-x.xml", "/sitemaps/content-0.xml.gz", "/sitemaps/../sitemap.xml"] {
        assert_eq!(app.get(missing, &anonymous).await.status, StatusCode::NOT_FOUND, "{missing}");
    }

    let manifest = app.get("/manifest.webmanifest", &anonymous).await.json();
    assert_eq!(manifest["display"], "standalone");
    assert!(manifest["icons"].as_array().unwrap().iter().any(|i| i["purpose"] == "maskable"));
    let sw = app.get("/sw.js", &anonymous).await;
    assert!(sw.body.contains("addEventListener(\"fetch\"") && sw.body.contains("/offline"));
    // The cache is named after the static files, so a new release replaces them.
    let cache = sw.body.split("const CACHE = \"tamar-static-").nth(1).and_then(|rest| rest.split('"').next()).unwrap();
    assert!(cache.len() == 16 && cache.chars().all(|c| c.is_ascii_hexdigit()), "{cache}");
    assert!(app.get("/en/", &anonymous).await.body.contains("<link rel=\"manifest\" href=\"/manifest.webmanifest\">"));
    Ok(()) as R
});

store_test!(mygovhk_inbox_bookmarks_subscriptions_prefill_and_mail, |db| async move {
    let app = setup(db).await;
    let (citizen, token) = app.sign_in(CITIZEN).await;
    let (officer, _) = app.sign_in(DH_OFFICER).await;

    // Bookmark through the service page's form; it shows in My bookmarks and the API.
    let page = app.get("/en/services/vaccination-appointment", &citizen).await;
    assert!(page.body.contains("Bookmark this service"));
    let added = app.post_form("/en/services/vaccination-appointment/bookmark", &citizen, &[("csrf_token", &token), ("action", "add")]).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    assert!(app.get("/en/account/bookmarks", &citizen).await.body.contains("Book a vaccination"));
    assert_eq!(app.get("/api/v1/me/bookmarks", &citizen).await.json()[0]["slug"], "vaccination-appointment");
    assert_eq!(app.json(Method::DELETE, "/api/v1/me/bookmarks/vaccination-appointment", &citizen, "").await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get("/api/v1/me/bookmarks", &citizen).await.json().as_array().unwrap().len(), 0);

    // A department sends a to-do; only the citizen sees it; an officer without the case officer
    // role cannot send.
    let message = serde_json::json!({"to_email": CITIZEN, "kind": "todo", "subject": {"en": "Book your flu vaccination", "tc": "預約流感疫苗接種"},
        "body": {"en": "Book by the end of the month.", "tc": "請於月底前預約。"}, "due_on": "2026-12-31"});
    let (reviewer, _) = app.sign_in(DH_REVIEWER).await;
    assert_eq!(app.json(Method::POST, "/api/v1/office/messages", &reviewer, &message.to_string()).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.json(Method::POST, "/api/v1/office/messages", &citizen, &message.to_string()).await.status, StatusCode::FORBIDDEN);
    let sent = app.json(Method::POST, "/api/v1/office/messages", &officer, &message.to_string()).await;
    assert_eq!(sent.status, StatusCode::ACCEPTED, "{}", sent.body);
    let id = sent.json()["id"].as_str().unwrap().to_owned();
    let inbox = app.get("/api/v1/me/inbox", &citizen).await.json();
    assert_eq!(inbox[0]["subject"]["sc"], "预约流感疫苗接种");
    assert_eq!(app.get("/api/v1/me/inbox", &officer).await.json().as_array().unwrap().len(), 0);
    let listing = app.get("/tc/account/inbox", &citizen).await;
    assert!(listing.body.contains("預約流感疫苗接種") && listing.body.contains("須於 2026年12月31日 前完成"), "{}", listing.body);
    assert_eq!(app.get(&format!("/en/account/inbox/{id}"), &officer).await.status, StatusCode::NOT_FOUND, "someone else's message");
    assert_eq!(app.json(Method::PUT, &format!("/api/v1/me/inbox/{id}/done"), &citizen, r#"{"done":true}"#).await.status, StatusCode::NO_CONTENT);
    assert!(app.get("/api/v1/me/inbox", &citizen).await.json()[0]["done_at"].is_string());

    // Pre-fill settings.
    let saved = app.post_form("/en/account/prefill", &citizen, &[("csrf_token", &token), ("name", "on"), ("address", "on")]).await;
    assert_eq!(saved.status, StatusCode::OK);
    assert!(saved.body.contains("Your pre-fill settings are saved."));
    assert!(saved.body.contains(r#"id="prefill-address" name="address" checked"#));
    assert!(!saved.body.contains(r#"id="prefill-email" name="email" checked"#));

    // Subscriptions: an update on the topic is mailed once, in the subscriber's language.
    let mut gaps = tamar_portal::feed::FeedCursor::default();
    assert_eq!(tamar_portal::subscription_mail::queue_updates(&app.db, &app.ledger, &app.state.config.public_url, &mut gaps).await.unwrap(), 0, "starts at the end of the feed");
    let subscribed = app.post_form("/en/account/subscriptions", &citizen, &[("csrf_token", &token), ("target", "topic:health"), ("lang", "tc")]).await;
    assert_eq!(subscribed.status, StatusCode::SEE_OTHER);
    assert!(app.get("/en/account/subscriptions", &citizen).await.body.contains("Health and medical"));
    let bad = app.post_form("/en/account/subscriptions", &citizen, &[("csrf_token", &token), ("target", "topic:astrology"), ("lang", "tc")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let departments = [("DH".to_owned(), tamar_tenancy::by_code(&app.db, "DH").await.unwrap().id)].into_iter().collect();
    let entry: tamar_portal::import::CatalogueEntry = serde_json::from_str(
        r#"{"slug": "dental-services", "department": "DH", "kind": "news", "topics": ["health"], "audiences": ["residents"],
            "title": {"en": "More dental services", "tc": "增加牙科服務"}, "summary": {"en": "More clinics.", "tc": "更多診所。"},
            "body": {"en": "Details.", "tc": "詳情。"}}"#,
    )
    .unwrap();
    tamar_portal::import::import(&app.db, &app.ledger, &[entry], &departments).await.unwrap();
    assert_eq!(tamar_portal::subscription_mail::queue_updates(&app.db, &app.ledger, &app.state.config.public_url, &mut gaps).await.unwrap(), 1);
    assert_eq!(tamar_portal::subscription_mail::queue_updates(&app.db, &app.ledger, &app.state.config.public_url, &mut gaps).await.unwrap(), 0, "mailed once");
    assert_eq!(tamar_notify::deliver_pending(&app.db, &app.state.mailer, chrono::Utc::now(), 10).await.unwrap(), 1);
    let outbox = app._blobs.path().join("outbox");
    let mail = std::fs::read_dir(&outbox).unwrap().map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap()).find(|m| m.contains("citizen@tamar.test")).unwrap();
    let body = decode_body(&mail);
    assert!(body.contains("增加牙科服務") && body.contains("https://tamar.test/tc/news/dental-services"), "{body}");
    // The person can see that the platform read their address to send it.
    let accesses = app.get("/api/v1/me/accesses", &citizen).await.json();
    assert!(accesses.as_array().unwrap().iter().any(|a| a["purpose"] == "send a subscription update"), "{accesses}");
    let removed = app.post_form("/en/account/subscriptions/remove", &citizen, &[("csrf_token", &token), ("target", "topic:health")]).await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert!(!app.get("/en/account/subscriptions", &citizen).await.body.contains("(繁體)"));
    Ok(()) as R
});

store_test!(departments_list_apps_and_report_their_use, |db| async move {
    let app = setup(db).await;
    let (officer, _) = app.sign_in(DH_OFFICER).await;
    let (citizen, _) = app.sign_in(CITIZEN).await;
    let (immd, _) = app.sign_in(IMMD_ADMIN).await;
    let new = r#"{"slug": "ehealth", "name": {"en": "eHealth", "tc": "醫健通"}, "summary": {"en": "Your health records.", "tc": "你的健康紀錄。"},
        "ios_url": "https://apps.apple.com/hk/app/ehealth/id1"}"#;
    assert_eq!(app.json(Method::POST, "/api/v1/apps", &citizen, new).await.status, StatusCode::FORBIDDEN);
    let created = app.json(Method::POST, "/api/v1/apps", &officer, new).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.json()["state"], "draft");
    assert_eq!(app.json(Method::POST, "/api/v1/apps", &officer, new).await.status, StatusCode::CONFLICT);
    // Published once a second officer approves it.
    let (reviewer, _) = app.sign_in(DH_REVIEWER).await;
    assert_eq!(app.json(Method::POST, "/api/v1/office/apps/ehealth/submit", &officer, "").await.status, StatusCode::OK);
    assert_eq!(app.json(Method::POST, "/api/v1/office/apps/ehealth/approve", &reviewer, "").await.status, StatusCode::OK);
    assert_eq!(app.get("/api/v1/apps", &Browser::default()).await.json()[0]["department_code"], "DH");
    for (day, downloads, active) in [("2026-11-01", 120, 900), ("2026-11-02", 80, 950)] {
        let report = format!(r#"{{"day": "{day}", "downloads": {downloads}, "active_users": {active}}}"#);
        assert_eq!(app.json(Method::PUT, "/api/v1/apps/ehealth/usage", &officer, &report).await.status, StatusCode::NO_CONTENT);
    }
    // Another department cannot report for it; nonsense is refused.
    let report = r#"{"day": "2026-11-03", "downloads": 1, "active_users": 1}"#;
    assert_eq!(app.json(Method::PUT, "/api/v1/apps/ehealth/usage", &immd, report).await.status, StatusCode::FORBIDDEN);
    let negative = r#"{"day": "2026-11-03", "downloads": -1, "active_users": 1}"#;
    assert_eq!(app.json(Method::PUT, "/api/v1/apps/ehealth/usage", &officer, negative).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let apps = app.get("/api/v1/apps", &Browser::default()).await.json();
    assert_eq!((apps[0]["downloads"].as_i64(), apps[0]["active_users"].as_i64()), (Some(200), Some(950)));
    assert_eq!(app.get("/api/v1/apps/ehealth/usage", &Browser::default()).await.json().as_array().unwrap().len(), 2);
    assert!(app.get("/tc/apps", &Browser::default()).await.body.contains("醫健通"));
    Ok(()) as R
});

// The labelled queries: each expected item must be within its rank, over the whole demo
// catalogue, in the language the query is written in.
store_test!(search_answers_the_labelled_queries_over_the_demo_catalogue, |db| async move {
    let app = setup(db).await;
    let mut entries: Vec<tamar_portal::import::CatalogueEntry> = Vec::new();
    for file in [
        include_str!("../../../tamar-web-portal/demo/services-a.json"),
        include_str!("../../../tamar-web-portal/demo/services-b.json"),
        include_str!("../../../tamar-web-portal/demo/pages.json"),
    ] {
        entries.extend(serde_json::from_str::<Vec<tamar_portal::import::CatalogueEntry>>(file).unwrap());
    }
    let mut departments: std::collections::HashMap<String, tamar_core::DepartmentId> =
        tamar_tenancy::list(&app.db).await.unwrap().into_iter().map(|d| (d.code, d.id)).collect();
    for entry in &entries {
        if !departments.contains_key(&entry.department) {
            let new = NewDepartment { code: entry.department.clone(), name: LocalizedText::new(&entry.department, &entry.department, &entry.department), website: None };
            let d = tamar_tenancy::create(&app.db, &app.ledger, &Actor::System, new).await.unwrap();
            departments.insert(d.code, d.id);
        }
    }
    tamar_portal::import::import(&app.db, &app.ledger, &entries, &departments).await.unwrap();
    tamar_portal::search_docs::rebuild_index(&app.db, search_of(&app.state), app.ledger.now()).await.unwrap();

    #[derive(serde::Deserialize)]
    struct Labelled {
        q: String,
        lang: String,
        expect: String,
        within: usize,
    }
    let mut queries: Vec<Labelled> = serde_json::from_str(include_str!("../../../tamar-web-portal/demo/queries-a.json")).unwrap();
    queries.extend(serde_json::from_str::<Vec<Labelled>>(include_str!("../../../tamar-web-portal/demo/queries-b.json")).unwrap());
    assert!(queries.len() >= 40);
    for lang in ["en", "tc", "sc"] {
        assert!(queries.iter().filter(|q| q.lang == lang).count() >= 8, "queries in {lang}");
    }
    let mut misses = Vec::new();
    for q in &queries {
        let lang = Lang::from_prefix(&q.lang).unwrap();
        let url = format!("/api/v1/search?q={}&lang={}&limit=10", urlencode(&q.q), lang.prefix());
        let found = app.get(&url, &Browser::default()).await.json();
        let slugs: Vec<&str> = found["hits"].as_array().unwrap().iter().map(|h| h["slug"].as_str().unwrap()).collect();
        match slugs.iter().position(|s| *s == q.expect) {
            Some(rank) if rank < q.within => {}
            other => misses.push(format!("{} ({}) -> expected {} within {}, got rank {:?}: {:?}", q.q, q.lang, q.expect, q.within, other.map(|r| r + 1), &slugs[..slugs.len().min(3)])),
        }
    }
    assert!(misses.is_empty(), "{} of {} labelled queries missed:\n{}", misses.len(), queries.len(), misses.join("\n"));
    Ok(()) as R
});

// Each node keeps its own index from the shared change feed; a fresh node (an empty index, no
// cursor) rebuilds from what is live and starts at the feed's end; an index on disk resumes
// from the cursor stored with its last commit.
store_test!(every_node_keeps_its_own_index_from_the_change_feed, |db| async move {
    let app = setup(db).await;
    let dir = tempfile::tempdir().unwrap();
    let node_a = Arc::new(tamar_search::SearchIndex::open(Some(dir.path())).unwrap());
    let node_b = Arc::new(tamar_search::SearchIndex::open(None).unwrap());
    let start = tamar_portal::search_docs::rebuild_index(&app.db, &node_a, app.ledger.now()).await.unwrap();
    assert_eq!(node_a.cursor().as_deref(), Some(start.to_string().as_str()));
    assert_eq!(node_a.doc_count(), 4);
    let mut cursor_b = tamar_portal::feed::FeedCursor::new(0);
    tamar_portal::search_docs::apply_changes(&app.db, &node_b, &mut cursor_b, app.ledger.now()).await.unwrap();
    assert_eq!(node_b.doc_count(), 4, "a node that replays the feed from the start gets the same documents");

    // A change on "another node": both indexes pick it up from the feed.
    let departments = [("DH".to_owned(), tamar_tenancy::by_code(&app.db, "DH").await.unwrap().id)].into_iter().collect();
    let entry: tamar_portal::import::CatalogueEntry = serde_json::from_str(
        r#"{"slug": "hepatitis-b-test", "department": "DH", "kind": "guide", "topics": ["health"], "audiences": ["residents"],
            "title": {"en": "Hepatitis B testing", "tc": "乙型肝炎檢測"}, "summary": {"en": "Who should be tested.", "tc": "誰應接受檢測。"},
            "body": {"en": "Ask your doctor.", "tc": "請向醫生查詢。"}}"#,
    )
    .unwrap();
    tamar_portal::import::import(&app.db, &app.ledger, &[entry], &departments).await.unwrap();
    let mut cursor_a = tamar_portal::feed::FeedCursor::new(start);
    assert_eq!(tamar_portal::search_docs::apply_changes(&app.db, &node_a, &mut cursor_a, app.ledger.now()).await.unwrap(), 1);
    tamar_portal::search_docs::apply_changes(&app.db, &node_b, &mut cursor_b, app.ledger.now()).await.unwrap();
    for node in [&node_a, &node_b] {
        let found = node.search(&tamar_search::SearchRequest::new("乙型肝炎", Lang::Sc)).unwrap();
        assert_eq!(found.hits[0].key, "guide:hepatitis-b-test");
    }
    // Node A restarts: its index on disk remembers where it was in the feed.
    drop(node_a);
    let reopened = tamar_search::SearchIndex::open(Some(dir.path())).unwrap();
    assert_eq!(reopened.cursor().as_deref(), Some(cursor_a.position().to_string().as_str()));
    assert_eq!(reopened.doc_count(), 5);
    Ok(()) as R
});
