//! Every JSON GET route answers with a view made for the API, and its body carries no personal
//! field that the view does not declare (`tamar_web::views::View::PERSONAL`).
//!
//! The routes come from the router's declarations (`tamar_web::json_routes`), so a new route is
//! checked as soon as it is declared: one with path parameters, or one that needs a signed-in
//! caller or a query to return data, fails here until it is given a fixture below.

use std::collections::BTreeMap;

use base64::Engine as _;
use tamar_web::views::PersonalFields;

use super::*;

/// Keys that hold a person's details, from the domain structs: `Account` (email, names, masked
/// HKID, contact details), `PendingVerification` (date of birth), the identity verification
/// and its stored HMAC, the OpenID Connect claims, a session's browser, a signer's certificate
/// and serial number, the officers who wrote or reviewed a version, and WebAuthn's user
/// entity. A person's name under `name` is a string (an organisation's or an app's is text in
/// three languages): see [`is_personal`].
const PERSONAL: &[&str] = &[
    "email",
    "to_email",
    "display_name",
    "displayName",
    "name_zh",
    "name_tc",
    "name#zh-Hant",
    "hkid",
    "hkid_masked",
    "hkid_hash",
    "hkid_hmac",
    "date_of_birth",
    "birth_date",
    "birthdate",
    "address",
    "phone",
    "phone_number",
    "user_agent",
    "sub",
    "certificate",
    "serial",
    "author",
    "reviewer",
];

fn is_personal(key: &str, value: &Value) -> bool {
    PERSONAL.contains(&key) || (key == "name" && value.is_string())
}

/// The personal keys anywhere in `value`, with where they are.
fn personal_keys(value: &Value, at: &str, found: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                let here = format!("{at}.{key}");
                if is_personal(key, inner) {
                    found.push((key.clone(), here.clone()));
                }
                personal_keys(inner, &here, found);
            }
        }
        Value::Array(items) => {
            for (i, inner) in items.iter().enumerate() {
                personal_keys(inner, &format!("{at}[{i}]"), found);
            }
        }
        _ => {}
    }
}

/// The OpenAPI document describes the views (their property names include `email`); it
/// carries no one's data.
const DOCUMENT: &str = "/api/v1/openapi.json";

/// Who calls a route.
enum Caller {
    Anonymous,
    Session(Browser),
    /// An OpenID Connect access token.
    Bearer(String),
    /// A relying party's client id and secret (HTTP Basic).
    Service(String),
}

struct Fixture {
    /// The path with its parameters filled in, and a query where the route needs one.
    uri: String,
    caller: Caller,
}

fn fixture(uri: impl Into<String>, caller: Caller) -> Fixture {
    Fixture { uri: uri.into(), caller }
}

fn has_parameters(template: &str) -> bool {
    template.contains('{')
}

fn request(method: Method, uri: &str, caller: &Caller) -> Request<Body> {
    let builder = Request::builder().method(method).uri(uri).header(header::ACCEPT_LANGUAGE, "en");
    let builder = match caller {
        Caller::Anonymous => builder,
        Caller::Session(browser) => builder.header(header::COOKIE, browser.header()),
        Caller::Bearer(token) => builder.header(header::AUTHORIZATION, format!("Bearer {token}")),
        Caller::Service(basic) => builder.header(header::AUTHORIZATION, format!("Basic {basic}")),
    };
    builder.body(Body::empty()).unwrap()
}

struct Answer {
    status: StatusCode,
    content_type: String,
    declared: Option<PersonalFields>,
    body: String,
}

async fn call(app: &TestApp, req: Request<Body>) -> Answer {
    let response = app.app.clone().oneshot(req).await.unwrap();
    let status = response.status();
    let content_type = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let declared = response.extensions().get::<PersonalFields>().copied();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Answer { status, content_type, declared, body: String::from_utf8_lossy(&bytes).into_owned() }
}

/// Data for every route to return: a citizen with verified identity, contact details, a
/// message, a bookmark, a signed document and a relying party; officers with contact details
/// (which their department's list must not show); an app with reported figures.
async fn fixtures(app: &TestApp) -> BTreeMap<&'static str, Fixture> {
    use sign_in_with_tamar::*;
    // A signed tree head from before, for a consistency proof with the one after.
    app.ledger.sync().await.unwrap();
    let before = app.get("/api/v1/ledger/sth", &Browser::default()).await.json()["tree_size"].as_u64().unwrap();
    let (admin, _) = app.sign_in(ADMIN).await;
    let (citizen, token) = app.sign_in(CITIZEN).await;
    let (immd_admin, immd_token) = app.sign_in(IMMD_ADMIN).await;
    let (officer, _) = app.sign_in(DH_OFFICER).await;
    let (reviewer, _) = app.sign_in(DH_REVIEWER).await;

    for (browser, token) in [(&citizen, &token), (&immd_admin, &immd_token)] {
        let contact = [("csrf_token", token.as_str()), ("address", "Flat 12A, 1 Harbour Road, Wan Chai"), ("phone", "+852 9123 4567")];
        assert_eq!(app.post_form("/en/account/contact", browser, &contact).await.status, StatusCode::SEE_OTHER);
    }
    let account = tamar_identity::authenticate(&app.db, CITIZEN, PASSWORD).await.unwrap();
    tamar_identity::submit_identity(&app.db, &app.ledger, &app.state.hkid_key, &account, "CA182361(1)", "1980-01-02").await.unwrap();
    let verifier = tamar_identity::authenticate(&app.db, IMMD_ADMIN, PASSWORD).await.unwrap().actor();
    let queue = tamar_identity::verification_queue(&app.db, &app.ledger, &verifier, &tamar_core::PageRequest::default()).await.unwrap().items;
    tamar_identity::decide_verification(&app.db, &app.ledger, &verifier, &queue[0].id, true).await.unwrap();

    let message = serde_json::json!({"to_email": CITIZEN, "kind": "todo", "subject": {"en": "Book your flu vaccination", "tc": "預約流感疫苗接種"},
        "body": {"en": "Book by the end of the month.", "tc": "請於月底前預約。"}, "due_on": "2026-12-31"});
    assert_eq!(app.json(Method::POST, "/api/v1/office/messages", &officer, &message.to_string()).await.status, StatusCode::ACCEPTED);
    let bulk = serde_json::json!({"audience": "department", "kind": "message", "subject": {"en": "Clinic hours", "tc": "診所時間"},
        "body": {"en": "Clinics open at 9.", "tc": "診所九時開門。"}});
    let bulk = app.json(Method::POST, "/api/v1/office/bulk-messages", &officer, &bulk.to_string()).await;
    assert_eq!(bulk.status, StatusCode::ACCEPTED, "{}", bulk.body);
    let bulk_path: &'static str = Box::leak(format!("/api/v1/office/bulk-messages/{}", bulk.json()["id"].as_str().unwrap()).into_boxed_str());
    assert_eq!(app.json(Method::PUT, "/api/v1/me/bookmarks/vaccination-appointment", &citizen, "").await.status, StatusCode::NO_CONTENT);

    let new_app = r#"{"slug": "ehealth", "name": {"en": "eHealth", "tc": "醫健通"}, "summary": {"en": "Your health records.", "tc": "你的健康紀錄。"}}"#;
    assert_eq!(app.json(Method::POST, "/api/v1/apps", &officer, new_app).await.status, StatusCode::CREATED);
    assert_eq!(app.json(Method::POST, "/api/v1/office/apps/ehealth/submit", &officer, "").await.status, StatusCode::OK);
    assert_eq!(app.json(Method::POST, "/api/v1/office/apps/ehealth/approve", &reviewer, "").await.status, StatusCode::OK);
    let usage = r#"{"day": "2026-11-01", "downloads": 120, "active_users": 900}"#;
    assert_eq!(app.json(Method::PUT, "/api/v1/apps/ehealth/usage", &officer, usage).await.status, StatusCode::NO_CONTENT);

    // A relying party the citizen has signed in to, with every detail they let it have.
    let prefill = [("csrf_token", token.as_str()), ("name", "on"), ("email", "on"), ("address", "on"), ("phone", "on"), ("hkid", "on"), ("date_of_birth", "on")];
    assert_eq!(app.post_form("/en/account/prefill", &citizen, &prefill).await.status, StatusCode::OK);
    let scopes = "openid profile email hkid birthdate address phone";
    let rp = register(app, &admin, "views.example.hk", scopes).await;
    let verifier_code = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-long-enough";
    let url = authorize_url(&rp, verifier_code, "").replace("scope=openid%20profile%20email", &format!("scope={}", scopes.replace(' ', "%20")));
    let code = code_for(app, &citizen, &token, &url).await;
    let tokens = exchange(app, &rp, &code, verifier_code, &rp.redirect).await.json();
    let access_token = tokens["access_token"].as_str().unwrap().to_owned();

    // A document the citizen signed for that service.
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", rp.id, rp.secret));
    let hash = hex::encode(sha2::Sha256::digest(b"Tenancy agreement"));
    let create = Request::post("/api/v1/signing/requests")
        .header(header::AUTHORIZATION, format!("Basic {basic}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(format!(r#"{{"document_hash":"{hash}","document_name":"Tenancy agreement"}}"#)))
        .unwrap();
    let created = app.send(create).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let signing_id = created.json()["id"].as_str().unwrap().to_owned();
    let signed = app.post_form(&format!("/en/sign/{signing_id}"), &citizen, &[("csrf_token", &token), ("decision", "sign")]).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);

    app.ledger.sync().await.unwrap();
    let size = app.get("/api/v1/ledger/sth", &Browser::default()).await.json()["tree_size"].as_u64().unwrap();
    use Caller::*;
    BTreeMap::from([
        // Prometheus, with the metrics token: text, and no one's data.
        ("/metrics", fixture("/metrics", Bearer(METRICS_TOKEN.into()))),
        ("/api/v1/departments/{code}", fixture("/api/v1/departments/IMMD", Anonymous)),
        ("/api/v1/departments/{code}/officers", fixture("/api/v1/departments/IMMD/officers", Session(immd_admin.clone()))),
        ("/api/v1/me", fixture("/api/v1/me", Session(citizen.clone()))),
        ("/api/v1/me/accesses", fixture("/api/v1/me/accesses", Session(citizen.clone()))),
        ("/api/v1/catalogue/{kind}/{slug}", fixture("/api/v1/catalogue/service/vaccination-appointment", Anonymous)),
        ("/api/v1/search", fixture("/api/v1/search?q=vaccination", Anonymous)),
        ("/api/v1/search/suggest", fixture("/api/v1/search/suggest?q=vac", Anonymous)),
        ("/api/v1/me/inbox", fixture("/api/v1/me/inbox", Session(citizen.clone()))),
        ("/api/v1/me/bookmarks", fixture("/api/v1/me/bookmarks", Session(citizen.clone()))),
        ("/api/v1/apps/{slug}/usage", fixture("/api/v1/apps/ehealth/usage", Anonymous)),
        ("/api/v1/office/apps", fixture("/api/v1/office/apps", Session(officer.clone()))),
        ("/api/v1/office/bulk-messages", fixture("/api/v1/office/bulk-messages", Session(officer.clone()))),
        ("/api/v1/office/bulk-messages/{id}", fixture(bulk_path, Session(officer.clone()))),
        ("/api/v1/office/apps/{slug}/versions", fixture("/api/v1/office/apps/ehealth/versions", Session(officer.clone()))),
        ("/api/v1/ledger/proof/inclusion", fixture("/api/v1/ledger/proof/inclusion?index=0", Anonymous)),
        ("/api/v1/ledger/proof/consistency", fixture(format!("/api/v1/ledger/proof/consistency?first={before}&second={size}"), Anonymous)),
        ("/api/v1/oidc/clients", fixture("/api/v1/oidc/clients", Session(admin.clone()))),
        ("/oidc/userinfo", fixture("/oidc/userinfo", Bearer(access_token))),
        ("/api/v1/signing/requests/{id}", fixture(format!("/api/v1/signing/requests/{signing_id}"), Service(basic))),
    ])
}

fn empty(value: &Value) -> bool {
    match value {
        Value::Array(items) => items.is_empty(),
        Value::Object(map) => map.is_empty(),
        Value::Null => true,
        _ => false,
    }
}

store_test!(every_json_get_route_answers_with_a_view_that_declares_its_personal_fields, |db| async move {
    let app = setup(db).await;
    let mut fixtures = fixtures(&app).await;
    let mut problems = Vec::new();
    let mut checked = Vec::new();
    for template in tamar_web::json_routes(&tamar::modules::all()) {
        // A route without GET is answered 405 by the router whatever its parameters. HEAD asks
        // the same of the router and, unlike GET, is not kept by the page cache, whose copies
        // do not carry the declaration.
        let probe = template.split('/').map(|s| if s.starts_with('{') { "probe" } else { s }).collect::<Vec<_>>().join("/");
        if call(&app, request(Method::HEAD, &probe, &Caller::Anonymous)).await.status == StatusCode::METHOD_NOT_ALLOWED {
            fixtures.remove(template.as_str());
            continue;
        }
        let fixture = match fixtures.remove(template.as_str()) {
            Some(fixture) => fixture,
            None if has_parameters(&template) => {
                problems.push(format!("{template}: no fixture gives its path parameters"));
                continue;
            }
            None => fixture(template.clone(), Caller::Anonymous),
        };
        let answer = call(&app, request(Method::GET, &fixture.uri, &fixture.caller)).await;
        if answer.status != StatusCode::OK {
            problems.push(format!("{template}: {} as {}; give it a fixture that returns data: {}", answer.status, fixture.uri, answer.body));
            continue;
        }
        checked.push(template.clone());
        if answer.content_type.starts_with("text/plain") {
            assert!(!answer.body.is_empty(), "{template}");
            continue;
        }
        assert!(answer.content_type.starts_with("application/json"), "{template}: {}", answer.content_type);
        let body: Value = serde_json::from_str(&answer.body).unwrap();
        if empty(&body) {
            problems.push(format!("{template}: returned no data as {}; its fixture should make it return some", fixture.uri));
        }
        if template == DOCUMENT {
            continue;
        }
        let Some(PersonalFields(declared)) = answer.declared else {
            problems.push(format!("{template}: not answered through a view (`ViewJson`), so it declares no personal fields"));
            continue;
        };
        let mut found = Vec::new();
        personal_keys(&body, "", &mut found);
        for (key, at) in found {
            if !declared.contains(&key.as_str()) {
                problems.push(format!("{template}: carries `{key}` at {at}, which its view does not declare"));
            }
        }
    }
    for template in fixtures.keys() {
        problems.push(format!("{template}: a fixture for a route that is not a JSON GET route"));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The list comes from the router; these are some of what it must hold.
    for expected in ["/api/v1/departments/{code}/officers", "/api/v1/me", "/oidc/userinfo", "/api/v1/signing/requests/{id}", "/oidc/jwks"] {
        assert!(checked.iter().any(|t| t == expected), "{expected} was checked: {checked:?}");
    }
    Ok(()) as R
});

store_test!(a_departments_officers_are_listed_without_their_personal_details, |db| async move {
    let app = setup(db).await;
    let (immd_admin, token) = app.sign_in(IMMD_ADMIN).await;
    let contact = [("csrf_token", token.as_str()), ("address", "Flat 12A, 1 Harbour Road, Wan Chai"), ("phone", "+852 9123 4567")];
    assert_eq!(app.post_form("/en/account/contact", &immd_admin, &contact).await.status, StatusCode::SEE_OTHER);
    let officers = app.get("/api/v1/departments/IMMD/officers", &immd_admin).await;
    assert_eq!(officers.status, StatusCode::OK);
    let listed = officers.json();
    let keys: Vec<&str> = listed[0].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["department", "display_name", "email", "id", "mfa", "roles"]);
    assert_eq!(listed[0]["email"], IMMD_ADMIN);
    assert!(!officers.body.contains("Harbour Road") && !officers.body.contains("9123"), "{}", officers.body);
    // The officer still sees their own details.
    let me = app.get("/api/v1/me", &immd_admin).await.json();
    assert_eq!(me["address"], "Flat 12A, 1 Harbour Road, Wan Chai");
    Ok(()) as R
});

store_test!(the_client_list_never_shows_a_secret, |db| async move {
    let app = setup(db).await;
    let (admin, _) = app.sign_in(ADMIN).await;
    let rp = sign_in_with_tamar::register(&app, &admin, "secret.example.hk", "openid").await;
    let listed = app.get("/api/v1/oidc/clients", &admin).await;
    assert_eq!(listed.status, StatusCode::OK);
    assert!(!listed.body.contains(&rp.secret) && !listed.body.contains("secret\""), "{}", listed.body);
    assert_eq!(listed.json()[0]["client_id"], rp.id.as_str());
    Ok(()) as R
});

#[test]
fn personal_keys_are_found_at_any_depth() {
    let body = serde_json::json!({"a": [{"b": {"phone": "1"}}], "name": {"en": "Department"}, "signer": {"name": "Chan Tai Man"}});
    let mut found = Vec::new();
    personal_keys(&body, "", &mut found);
    assert_eq!(found, [("phone".to_owned(), ".a[0].b.phone".to_owned()), ("name".to_owned(), ".signer.name".to_owned())]);
}
