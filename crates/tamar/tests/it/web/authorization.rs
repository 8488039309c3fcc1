//! The authorization matrix: every route and method that the module list declares
//! (`tamar_web::routes(&tamar::modules::all())`, read from `tamar::modules::all()`), called for real as seven
//! people, and each outcome checked against the route's declared `Access` and `Scope`.
//!
//! Nothing here lists the routes: a new route is called as soon as it is declared, and one
//! whose path has parameters fails here until it is given a fixture below. State-changing
//! methods are sent with a valid form token (or as JSON) and a body that would succeed, so a
//! refusal is the route's, not the form's. Everyone gets fresh sessions for each call, so a
//! route that signs out or ends sessions does not spoil the next.

use std::collections::BTreeMap;

use tamar_web::access::{Access, Scope};
use tamar_web::csrf::CrossSite;

use super::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Persona {
    Anonymous,
    /// The citizen whose things the fixtures are (inbox messages, sessions).
    Citizen,
    OtherCitizen,
    /// An officer of DH with every role DH may hold; the fixtures are IMMD's.
    OtherDepartmentOfficer,
    /// An officer of IMMD with every role but those the route asks for (no role at all where it
    /// asks for none).
    OfficerWithoutRole,
    /// An officer of IMMD with every role.
    RightOfficer,
    /// The platform's administrator.
    Administrator,
}

use Persona::*;

const PERSONAS: [Persona; 7] = [Anonymous, Citizen, OtherCitizen, OtherDepartmentOfficer, OfficerWithoutRole, RightOfficer, Administrator];

const OTHER_CITIZEN: &str = "other.citizen@tamar.test";
const IMMD_ALL: &str = "immd.all@tamar.test";
const IMMD_PLAIN: &str = "immd.plain@tamar.test";
const IMMD_EDITOR: &str = "immd.editor@tamar.test";
const DH_ALL: &str = "dh.all@tamar.test";

/// Whether the declaration lets `who` through. Written out here, not taken from
/// `Access::allows`, so that the rule is stated twice and the two must agree.
fn admitted(access: Access, who: Persona) -> bool {
    match access {
        Access::Public => true,
        Access::AnySession | Access::SignedIn => who != Anonymous,
        Access::Citizen => matches!(who, Citizen | OtherCitizen),
        // DH's officer holds every role but identity verification (IMMD's alone).
        Access::Officer(roles) => match who {
            RightOfficer => true,
            OfficerWithoutRole => roles.is_empty(),
            OtherDepartmentOfficer => roles.is_empty() || roles.iter().any(|r| *r != Role::IdentityVerifier),
            _ => false,
        },
        Access::Administrator => matches!(who, RightOfficer | OtherDepartmentOfficer | Administrator),
        Access::PlatformAdmin => who == Administrator,
        Access::Client => false,
    }
}

fn within(scope: Scope, access: Access, who: Persona) -> bool {
    match scope {
        _ if access == Access::Public => true,
        Scope::Open => true,
        Scope::Department => who != OtherDepartmentOfficer,
        Scope::Owner => who == Citizen,
    }
}

/// Who should get through and succeed, for the check that the fixture calls the route for real.
fn principal(access: Access, scope: Scope) -> Option<Persona> {
    match access {
        Access::Public => Some(Anonymous),
        Access::AnySession | Access::SignedIn | Access::Citizen => Some(Citizen),
        Access::Officer(_) | Access::Administrator => Some(RightOfficer),
        Access::PlatformAdmin => Some(Administrator),
        Access::Client => None,
    }
    .filter(|p| within(scope, access, *p))
}

/// A signed-in browser made for one call: a session started directly (as signing in with the
/// password and second factor would), a CSRF nonce and the form token bound to both.
#[derive(Clone)]
struct Visitor {
    browser: Browser,
    token: String,
}

struct World {
    accounts: BTreeMap<Persona, tamar_identity::Account>,
    nonce: std::sync::atomic::AtomicU64,
    /// Template parameters and bodies, by what they stand for.
    ids: BTreeMap<&'static str, String>,
    service_basic: String,
    /// IMMD officers each lacking one set of roles, made as routes ask for them.
    lacking: tokio::sync::Mutex<BTreeMap<Vec<&'static str>, tamar_identity::Account>>,
}

impl World {
    fn id(&self, name: &str) -> &str {
        self.ids.get(name).unwrap_or_else(|| panic!("no fixture {name}"))
    }

    async fn visitor(&self, app: &TestApp, who: Persona) -> Visitor {
        self.visitor_of(app, self.accounts.get(&who)).await
    }

    /// An officer of the right department who holds just `role`.
    async fn officer_with(&self, app: &TestApp, role: Role) -> Visitor {
        let key = vec![role.as_str()];
        let mut lacking = self.lacking.lock().await;
        if !lacking.contains_key(&key) {
            let email = format!("immd.only.{}@tamar.test", role.as_str());
            lacking.insert(key.clone(), create(app, &email, AccountKind::Officer, "IMMD", vec![role]).await);
        }
        let account = lacking[&key].clone();
        drop(lacking);
        self.visitor_of(app, Some(&account)).await
    }

    /// The officer of the right department who holds every role but those `access` asks for.
    async fn officer_without(&self, app: &TestApp, access: Access) -> Visitor {
        let needed: &[Role] = match access {
            Access::Officer(roles) => roles,
            Access::Administrator => &[Role::DepartmentAdmin],
            _ => return self.visitor(app, OfficerWithoutRole).await,
        };
        let held: Vec<Role> = Role::ALL.into_iter().filter(|r| !needed.contains(r)).collect();
        let key: Vec<&'static str> = held.iter().map(|r| r.as_str()).collect();
        let mut lacking = self.lacking.lock().await;
        if !lacking.contains_key(&key) {
            let email = format!("immd.without.{}@tamar.test", needed.iter().map(|r| r.as_str()).collect::<Vec<_>>().join("."));
            lacking.insert(key.clone(), create(app, &email, AccountKind::Officer, "IMMD", held).await);
        }
        let account = lacking[&key].clone();
        drop(lacking);
        self.visitor_of(app, Some(&account)).await
    }

    async fn visitor_of(&self, app: &TestApp, account: Option<&tamar_identity::Account>) -> Visitor {
        let n = self.nonce.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let nonce = format!("{n:064x}");
        let mut browser = Browser { cookies: vec![("tamar_csrf".into(), nonce.clone())] };
        let mut session = String::new();
        if let Some(account) = account {
            let token = tamar_identity::start_session(&app.db, &app.ledger, account, Some("matrix")).await.unwrap();
            session = hex::encode(sha2::Sha256::digest(token.as_bytes()));
            browser.cookies.push(("tamar_session".into(), token));
        }
        let token = tamar_web::csrf::token_for(&app.state.config.csrf_key, &nonce, &session);
        Visitor { browser, token }
    }
}

async fn account(app: &TestApp, email: &str) -> tamar_identity::Account {
    tamar_identity::authenticate(&app.db, email, PASSWORD).await.unwrap()
}

async fn create(app: &TestApp, email: &str, kind: AccountKind, department: &str, roles: Vec<Role>) -> tamar_identity::Account {
    let department = if kind == AccountKind::Officer { Some(tamar_tenancy::by_code(&app.db, department).await.unwrap().id) } else { None };
    let new = NewAccount { kind, email: email.into(), display_name: format!("Name of {email}"), password: PASSWORD.into(), department, roles };
    let account = tamar_identity::create_account(&app.db, &app.ledger, &Actor::System, new).await.unwrap();
    if kind == AccountKind::Officer {
        tamar_identity::mfa::enable_totp_with_secret(&app.db, &sealer(), &account, TOTP_KEY).await.unwrap();
    }
    account
}

/// The fixtures: IMMD's content in each state, IMMD's apps, the citizen's inbox messages and
/// sessions, a pending identity verification, a signing request and a relying party.
async fn world(app: &TestApp) -> World {
    let other = create(app, OTHER_CITIZEN, AccountKind::Citizen, "", vec![]).await;
    tamar_identity::mfa::enable_totp_with_secret(&app.db, &sealer(), &other, TOTP_KEY).await.unwrap();
    create(app, IMMD_ALL, AccountKind::Officer, "IMMD", Role::ALL.to_vec()).await;
    create(app, IMMD_PLAIN, AccountKind::Officer, "IMMD", vec![]).await;
    create(app, IMMD_EDITOR, AccountKind::Officer, "IMMD", vec![Role::ContentEditor]).await;
    let dh_roles = Role::ALL.into_iter().filter(|r| *r != Role::IdentityVerifier).collect();
    create(app, DH_ALL, AccountKind::Officer, "DH", dh_roles).await;
    let mut world = World { accounts: BTreeMap::new(), nonce: Default::default(), ids: BTreeMap::new(), service_basic: String::new(), lacking: Default::default() };
    for (who, email) in [(Citizen, CITIZEN), (OtherCitizen, OTHER_CITIZEN), (OtherDepartmentOfficer, DH_ALL), (OfficerWithoutRole, IMMD_PLAIN), (RightOfficer, IMMD_ALL), (Administrator, ADMIN)] {
        world.accounts.insert(who, account(app, email).await);
    }
    let editor = world.visitor_of(app, Some(&account(app, IMMD_EDITOR).await)).await;
    let (editor, editor_token) = (editor.browser, editor.token);

    // IMMD's content, written by its editor: a draft, two in review, and the imported notice.
    for (name, slug, submit) in [("draft", "matrix-draft", false), ("in-review", "matrix-in-review", true), ("to-reject", "matrix-to-reject", true)] {
        let mut fields = guide_fields(slug);
        fields.push(("csrf_token", editor_token.clone()));
        let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let created = app.post_form("/en/office/content/new", &editor, &refs).await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
        let id = item_id_from(created.location());
        if submit {
            let submitted = app.post_form(&format!("/en/office/content/{id}/submit"), &editor, &[("csrf_token", &editor_token)]).await;
            assert_eq!(submitted.status, StatusCode::SEE_OTHER, "{}", submitted.body);
        }
        world.ids.insert(name, id);
    }
    world.ids.insert("published", tamar_portal::content::item_by_slug(&app.db, "office-relocation").await.unwrap().id.to_string());

    // IMMD's apps: one to edit, one in review, one to reject.
    let reviewer = world.visitor(app, RightOfficer).await;
    for (name, slug, submit) in [("app", "matrix-app", false), ("app-live", "matrix-app-live", true), ("app-in-review", "matrix-app-review", true), ("app-to-reject", "matrix-app-reject", true)] {
        let created = app.json(Method::POST, "/api/v1/apps", &editor, &app_body(slug)).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        if submit {
            let submitted = app.json(Method::POST, &format!("/api/v1/office/apps/{slug}/submit"), &editor, "").await;
            assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.body);
        }
        if name == "app-live" {
            let approved = app.json(Method::POST, &format!("/api/v1/office/apps/{slug}/approve"), &reviewer.browser, "").await;
            assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
        }
        world.ids.insert(name, slug.to_owned());
    }

    // The citizen's inbox: a message for each route that changes one.
    let sender = world.visitor(app, RightOfficer).await;
    for name in ["message", "message-to-delete", "message-api"] {
        let sent = app.json(Method::POST, "/api/v1/office/messages", &sender.browser, &message_body()).await;
        assert_eq!(sent.status, StatusCode::ACCEPTED, "{}", sent.body);
        world.ids.insert(name, sent.json()["id"].as_str().unwrap().to_owned());
    }

    // IMMD's messages to its subscribers: one to read, one to cancel.
    for name in ["bulk", "bulk-to-cancel"] {
        let started = app.json(Method::POST, "/api/v1/office/bulk-messages", &sender.browser, &bulk_body()).await;
        assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.body);
        world.ids.insert(name, started.json()["id"].as_str().unwrap().to_owned());
    }

    // A second session of the citizen's, to end.
    let account = world.accounts[&Citizen].clone();
    tamar_identity::start_session(&app.db, &app.ledger, &account, Some("another browser")).await.unwrap();
    let me = world.visitor(app, Citizen).await;
    let page = app.get("/en/account", &me.browser).await;
    let marker = "/en/account/sessions/";
    let session = page.body.match_indices(marker).map(|(i, m)| page.body[i + m.len()..].split('/').next().unwrap().to_owned()).next().unwrap();
    world.ids.insert("session", session);

    // The other citizen asks for identity verification, for the verifiers' routes.
    let v = world.visitor(app, OtherCitizen).await;
    let asked = app.post_form("/en/account/identity", &v.browser, &[("csrf_token", &v.token), ("hkid", "A1234563"), ("date_of_birth", "1990-07-01")]).await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.body);
    let verifier = world.visitor(app, RightOfficer).await;
    let queue = app.get("/en/office/verifications", &verifier.browser).await;
    let marker = "/en/office/verifications/";
    let pending: Vec<String> = queue.body.match_indices(marker).map(|(i, m)| queue.body[i + m.len()..].split('"').next().unwrap().to_owned()).collect();
    assert_eq!(pending.len(), 1, "{}", queue.body);
    world.ids.insert("verification", pending[0].clone());

    // A relying party, and a signing request it made.
    let admin = world.visitor(app, Administrator).await;
    let rp = sign_in_with_tamar::register(app, &admin.browser, "matrix.example.hk", "openid profile").await;
    world.service_basic = base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", rp.id, rp.secret));
    let hash = hex::encode(sha2::Sha256::digest(b"a document"));
    let req = Request::post("/api/v1/signing/requests")
        .header(header::AUTHORIZATION, format!("Basic {}", world.service_basic))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(format!(r#"{{"document_hash":"{hash}","document_name":"A document"}}"#)))
        .unwrap();
    let created = app.send(req).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    world.ids.insert("signing", created.json()["id"].as_str().unwrap().to_owned());
    world.ids.insert("client", rp.id);

    // The citizen lets the relying party sign them in, so that there is a consent to revoke.
    let me = world.visitor(app, Citizen).await;
    let mut fields = authorization_fields(world.id("client"));
    fields.push(("decision", "allow".into()));
    fields.push(("csrf_token", me.token.clone()));
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let allowed = app.post_form("/en/oidc/authorize", &me.browser, &refs).await;
    assert!(allowed.location().starts_with("https://matrix.example.hk/callback?code="), "{} {}", allowed.location(), allowed.body);

    app.ledger.sync().await.unwrap();
    let size = app.get("/api/v1/ledger/sth", &Browser::default()).await.json()["tree_size"].as_u64().unwrap();
    world.ids.insert("tree-size", size.to_string());
    world
}

/// An authorization request of the fixture's relying party, as the consent form carries it.
fn authorization_fields(client: &str) -> Vec<(&'static str, String)> {
    [
        ("response_type", "code"),
        ("client_id", client),
        ("redirect_uri", "https://matrix.example.hk/callback"),
        ("scope", "openid"),
        ("state", "s"),
        ("nonce", "n"),
        ("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"),
        ("code_challenge_method", "S256"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_owned()))
    .collect()
}

fn guide_fields(slug: &str) -> Vec<(&'static str, String)> {
    vec![
        ("kind", "guide".to_owned()),
        ("slug", slug.to_owned()),
        ("title_en", "Renewing a travel document".to_owned()),
        ("title_tc", "續領旅行證件".to_owned()),
        ("summary_en", "How to renew your travel document.".to_owned()),
        ("summary_tc", "如何續領旅行證件。".to_owned()),
        ("body_en", "Apply online or at an office.".to_owned()),
        ("body_tc", "可網上或親身申請。".to_owned()),
        ("topic_immigration", "on".to_owned()),
        ("audience_residents", "on".to_owned()),
    ]
}

fn app_body(slug: &str) -> String {
    format!(r#"{{"slug": "{slug}", "name": {{"en": "Travel", "tc": "旅遊"}}, "summary": {{"en": "Travel documents.", "tc": "旅行證件。"}}, "ios_url": "https://apps.apple.com/hk/app/x/id1"}}"#)
}

fn bulk_body() -> String {
    serde_json::json!({"audience": "department", "kind": "message", "subject": {"en": "Office hours", "tc": "辦公時間"},
        "body": {"en": "Our offices close at 5 on Friday.", "tc": "本署辦事處星期五五時關門。"}})
    .to_string()
}

fn message_body() -> String {
    serde_json::json!({"to_email": CITIZEN, "kind": "todo", "subject": {"en": "Renew your passport", "tc": "續領護照"},
        "body": {"en": "Renew it before it expires.", "tc": "請於到期前續領。"}, "due_on": "2026-12-31"})
    .to_string()
}

/// What a call sends beyond its path.
enum Payload {
    None,
    Form(Vec<(&'static str, String)>),
    Json(String),
    /// A body as a relying party sends it to the token endpoint.
    Urlencoded(String),
}

/// The concrete path (with a query where the route needs one) and body for a route's method.
fn fixture(template: &str, method: &Method, world: &World) -> (String, Payload) {
    let get = *method == Method::GET;
    let id = |name: &str| world.id(name).to_owned();
    let content_item = |action: &str| match action {
        "approve" => id("in-review"),
        "reject" => id("to-reject"),
        "withdraw" => id("published"),
        _ => id("draft"),
    };
    let path = match template {
        "/{lang}/topics/{slug}" => "/en/topics/immigration".to_owned(),
        "/{lang}/audiences/{slug}" => "/en/audiences/residents".to_owned(),
        "/{lang}/departments/{code}" => "/en/departments/IMMD".to_owned(),
        "/{lang}/services/{slug}" | "/{lang}/services/{slug}/bookmark" => template.replace("{lang}", "en").replace("{slug}", "vaccination-appointment"),
        "/{lang}/guides/{slug}" => "/en/guides/smart-id-card-replacement".to_owned(),
        "/{lang}/news/{slug}" => "/en/news/flu-vaccination-2026".to_owned(),
        "/{lang}/notices/{slug}" => "/en/notices/office-relocation".to_owned(),
        "/{lang}/feeds/topics/{slug}" => "/en/feeds/topics/immigration.atom".to_owned(),
        "/sitemaps/{file}" => "/sitemaps/content-0.xml".to_owned(),
        "/{lang}/feeds/departments/{code}" => "/en/feeds/departments/IMMD.atom".to_owned(),
        "/{lang}/search" => "/en/search?q=identity+card".to_owned(),
        "/{lang}/verify-email" if get => "/en/verify-email?token=not-a-token".to_owned(),
        "/{lang}/account/inbox/{id}" | "/{lang}/account/inbox/{id}/done" => template.replace("{lang}", "en").replace("{id}", &id("message")),
        "/{lang}/account/inbox/{id}/delete" => format!("/en/account/inbox/{}/delete", id("message-to-delete")),
        "/{lang}/account/sessions/{id}/end" => format!("/en/account/sessions/{}/end", id("session")),
        "/{lang}/office/verifications/{id}" => format!("/en/office/verifications/{}", id("verification")),
        "/{lang}/office/content/{id}" => format!("/en/office/content/{}", id("draft")),
        "/{lang}/office/content/{id}/versions/{number}" => format!("/en/office/content/{}/versions/1", id("draft")),
        t if t.starts_with("/{lang}/office/content/{id}/") => {
            let action = t.rsplit('/').next().unwrap();
            format!("/en/office/content/{}/{action}", content_item(action))
        }
        "/{lang}/sign/{id}" => format!("/en/sign/{}", id("signing")),
        "/api/v1/signing/requests/{id}" => format!("/api/v1/signing/requests/{}", id("signing")),
        "/{lang}/account/consents/{client_id}/revoke" => format!("/en/account/consents/{}/revoke", id("client")),
        "/{lang}/oidc/authorize" | "/oidc/authorize" if get => {
            let base = if template.starts_with("/{lang}") { "/en/oidc/authorize" } else { "/oidc/authorize" };
            format!("{base}?{}", serde_urlencoded::to_string(authorization_fields(world.id("client"))).unwrap())
        }
        "/api/v1/departments/{code}" | "/api/v1/departments/{code}/officers" => template.replace("{code}", "IMMD"),
        "/api/v1/catalogue/{kind}/{slug}" => "/api/v1/catalogue/service/vaccination-appointment".to_owned(),
        "/api/v1/search" => "/api/v1/search?q=identity".to_owned(),
        "/api/v1/search/suggest" => "/api/v1/search/suggest?q=iden&lang=en".to_owned(),
        "/api/v1/me/inbox/{id}/done" => format!("/api/v1/me/inbox/{}/done", id("message-api")),
        "/api/v1/office/bulk-messages/{id}" => format!("/api/v1/office/bulk-messages/{}", id("bulk")),
        "/api/v1/office/bulk-messages/{id}/cancel" => format!("/api/v1/office/bulk-messages/{}/cancel", id("bulk-to-cancel")),
        "/api/v1/me/bookmarks/{slug}" => "/api/v1/me/bookmarks/vaccination-appointment".to_owned(),
        "/api/v1/apps/{slug}/usage" => format!("/api/v1/apps/{}/usage", id("app-live")),
        "/api/v1/office/apps/{slug}" | "/api/v1/office/apps/{slug}/versions" | "/api/v1/office/apps/{slug}/submit" => template.replace("{slug}", &id("app")),
        "/api/v1/office/apps/{slug}/approve" => format!("/api/v1/office/apps/{}/approve", id("app-in-review")),
        "/api/v1/office/apps/{slug}/reject" => format!("/api/v1/office/apps/{}/reject", id("app-to-reject")),
        "/api/v1/ledger/proof/inclusion" => "/api/v1/ledger/proof/inclusion?index=0".to_owned(),
        "/api/v1/ledger/proof/consistency" => format!("/api/v1/ledger/proof/consistency?first={0}&second={0}", id("tree-size")),
        t if t.contains('{') && t != "/{lang}" && !t.starts_with("/{lang}/") => panic!("{t} has path parameters: give it a fixture in it/authorization.rs"),
        t if t.contains('{') && t.trim_start_matches("/{lang}").contains('{') => panic!("{t} has path parameters: give it a fixture in it/authorization.rs"),
        t => t.replace("{lang}", "en"),
    };
    if get {
        return (path, Payload::None);
    }
    let form = |fields: &[(&'static str, &str)]| Payload::Form(fields.iter().map(|(k, v)| (*k, (*v).to_owned())).collect());
    let payload = match template {
        "/{lang}/sign-in" => form(&[("email", IMMD_EDITOR), ("password", PASSWORD), ("next", "/en/account")]),
        "/{lang}/register" => form(&[("name_en", "New Resident"), ("email", "new.resident@tamar.test"), ("password", "another long password")]),
        "/{lang}/verify-email" => form(&[("token", "not-a-token")]),
        "/{lang}/sign-in/code" => form(&[("code", "000000")]),
        "/{lang}/account/two-factor" => form(&[("code", "000000")]),
        "/{lang}/account/identity" => form(&[("hkid", "A1234563"), ("date_of_birth", "1990-07-01")]),
        "/{lang}/account/contact" => form(&[("address", "1 Harbour Road"), ("phone", "21234567")]),
        "/{lang}/account/password" => form(&[("proof_password", PASSWORD), ("new", "a different long password")]),
        "/{lang}/account/email" => form(&[("email", "moved@tamar.test"), ("proof_password", PASSWORD)]),
        "/{lang}/account/two-factor/off" => form(&[("proof_password", PASSWORD), ("proof_code", &totp_code(0))]),
        "/{lang}/office/verifications/{id}" => form(&[("decision", "approve")]),
        "/{lang}/office/officers" => form(&[("email", "new.officer@tamar.test"), ("display_name", "New Officer"), ("password", "an officer's long password")]),
        "/{lang}/admin/departments" => form(&[("code", "NEWD"), ("name_en", "New Department"), ("name_tc", "新部門"), ("name_sc", "新部门")]),
        "/{lang}/services/{slug}/bookmark" => form(&[("action", "add")]),
        "/{lang}/account/inbox/{id}/done" => form(&[("done", "true")]),
        "/{lang}/account/subscriptions" => form(&[("target", "topic:immigration"), ("lang", "en")]),
        "/{lang}/account/subscriptions/remove" => form(&[("target", "topic:immigration")]),
        "/{lang}/account/prefill" => form(&[("name", "on")]),
        "/{lang}/office/content/new" => Payload::Form(guide_fields("matrix-new")),
        "/{lang}/office/content/{id}" => Payload::Form(guide_fields("matrix-draft")),
        "/{lang}/office/content/{id}/approve" => form(&[("publish_at", "")]),
        "/{lang}/office/content/{id}/reject" => form(&[("note", "Please add the fees.")]),
        "/{lang}/sign/{id}" => form(&[("decision", "decline")]),
        "/{lang}/oidc/authorize" => {
            let mut fields = authorization_fields(world.id("client"));
            fields.push(("decision", "deny".into()));
            Payload::Form(fields)
        }
        "/{lang}/oidc/logout" => form(&[]),
        "/oidc/logout" => Payload::Urlencoded(String::new()),
        "/oidc/token" => Payload::Urlencoded("grant_type=authorization_code&code=not-a-code&redirect_uri=https%3A%2F%2Fmatrix.example.hk%2Fcallback".into()),
        "/oidc/userinfo" => Payload::Urlencoded(String::new()),
        "/api/v1/departments" => Payload::Json(r#"{"code":"NEWA","name":{"en":"X","tc":"甲","sc":"甲"}}"#.into()),
        "/api/v1/departments/{code}/officers" => {
            Payload::Json(r#"{"email":"api.officer@tamar.test","display_name":"API Officer","roles":["content-editor"],"password":"an officer's long password"}"#.into())
        }
        "/api/v1/me/inbox/{id}/done" => Payload::Json(r#"{"done": true}"#.into()),
        "/api/v1/apps" => Payload::Json(app_body("matrix-new-app")),
        "/api/v1/apps/{slug}/usage" => Payload::Json(r#"{"day": "2026-11-01", "downloads": 1, "active_users": 1}"#.into()),
        "/api/v1/office/messages" => Payload::Json(message_body()),
        "/api/v1/office/bulk-messages" => Payload::Json(bulk_body()),
        "/api/v1/office/apps/{slug}" => Payload::Json(r#"{"name": {"en": "Travel", "tc": "旅遊"}, "summary": {"en": "Travel documents.", "tc": "旅行證件。"}, "ios_url": "https://apps.apple.com/hk/app/x/id1"}"#.into()),
        "/api/v1/office/apps/{slug}/reject" => Payload::Json(r#"{"note": "Please add a summary in Chinese."}"#.into()),
        "/api/v1/signing/requests" => Payload::Json(r#"{"document_hash":"00","document_name":"x"}"#.into()),
        "/api/v1/signing/verify" => Payload::Json(r#"{"document_hash":"00","signature":"AA=="}"#.into()),
        "/api/v1/passkeys/sign-in/options" | "/api/v1/me/passkeys/registration" => Payload::Json(format!(r#"{{"password":"{PASSWORD}"}}"#)),
        "/api/v1/passkeys/sign-in" | "/api/v1/me/passkeys" => Payload::Json("{}".into()),
        "/api/v1/oidc/clients" => Payload::Json(
            serde_json::json!({
                "name": {"en": "Another service", "tc": "服務", "sc": "服务"},
                "purpose": {"en": "To process your application", "tc": "處理你的申請", "sc": "处理你的申请"},
                "redirect_uris": ["https://another.example.hk/callback"], "post_logout_redirect_uris": [], "scopes": ["openid"],
            })
            .to_string(),
        ),
        t if t.starts_with("/api/") => Payload::Json(String::new()),
        _ => form(&[]),
    };
    (path, payload)
}

fn request(method: &Method, path: &str, cross_site: CrossSite, payload: &Payload, visitor: &Visitor) -> Request<Body> {
    let builder = Request::builder().method(method.clone()).uri(path).header(header::COOKIE, visitor.browser.header()).header(header::ACCEPT_LANGUAGE, "en");
    let (builder, body) = match payload {
        Payload::None => (builder, String::new()),
        Payload::Form(fields) => {
            let mut fields = fields.clone();
            if cross_site == CrossSite::FormToken {
                fields.push(("csrf_token", visitor.token.clone()));
            }
            (builder.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded"), serde_urlencoded::to_string(&fields).unwrap())
        }
        Payload::Json(body) => (builder.header(header::CONTENT_TYPE, "application/json"), body.clone()),
        Payload::Urlencoded(body) => (builder.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded"), body.clone()),
    };
    builder.body(Body::from(body)).unwrap()
}

/// How a call came out, as far as who may call is concerned.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    /// Sent to sign in: `unauthenticated` from the API, a redirect to the sign-in page for people.
    SignIn,
    /// `forbidden`.
    Forbidden,
    /// `not_found`: what another person or department's thing looks like from outside.
    Hidden,
    /// Through to the handler: what it answered, with its code if it was an error.
    Through(StatusCode, Option<String>),
}

fn error_code(reply: &Reply) -> Option<String> {
    if let Ok(json) = serde_json::from_str::<Value>(&reply.body) {
        return json["code"].as_str().or(json["error"].as_str()).map(str::to_owned);
    }
    let start = reply.body.find("<code>")? + "<code>".len();
    reply.body[start..].split('<').next().map(str::to_owned)
}

fn outcome(reply: &Reply) -> Outcome {
    let code = error_code(reply);
    let to_sign_in = reply.status.is_redirection() && reply.location().starts_with("/en/sign-in?next=");
    match (reply.status, code.as_deref()) {
        _ if to_sign_in => Outcome::SignIn,
        (StatusCode::UNAUTHORIZED, Some("unauthenticated")) => Outcome::SignIn,
        (StatusCode::FORBIDDEN, Some("forbidden")) => Outcome::Forbidden,
        (StatusCode::NOT_FOUND, Some("not_found")) => Outcome::Hidden,
        (status, _) => Outcome::Through(status, code),
    }
}

/// The public pages that themselves ask a visitor to sign in: the OpenID Connect authorization
/// endpoint keeps the service's request and sends the person to sign in first.
fn asks_to_sign_in_itself(template: &str) -> bool {
    matches!(template, "/oidc/authorize" | "/{lang}/oidc/authorize")
}

/// Whether `got` is what the declaration says `who` should get.
fn as_declared(template: &str, access: Access, scope: Scope, who: Persona, got: &Outcome) -> bool {
    if admitted(access, who) && within(scope, access, who) {
        let page_asks = asks_to_sign_in_itself(template) && who == Anonymous && *got == Outcome::SignIn;
        return page_asks || matches!(got, Outcome::Through(status, _) if !status.is_server_error());
    }
    if !admitted(access, who) {
        return match access {
            // A service's route takes no one's cookies: without its credentials, no one gets in.
            Access::Client => matches!(got, Outcome::SignIn | Outcome::Through(StatusCode::UNAUTHORIZED | StatusCode::BAD_REQUEST, _)),
            _ if who == Anonymous => *got == Outcome::SignIn,
            _ => *got == Outcome::Forbidden,
        };
    }
    // Admitted, but the path names another department's or person's thing.
    matches!(got, Outcome::Forbidden | Outcome::Hidden)
}

store_test!(every_declared_route_refuses_exactly_whom_its_declaration_refuses, |db| async move {
    let app = setup(db).await;
    let world = world(&app).await;
    let mut routes = tamar_web::routes(&tamar::modules::all());
    // Reads first, so that what the writes change (a withdrawn notice, an approved app) is seen
    // only by the writes that come after.
    let mut calls: Vec<(tamar_web::csrf::Route, tamar_web::access::MethodRule)> = Vec::new();
    routes.sort_by_key(|r| r.path.clone());
    for route in &routes {
        for rule in &route.methods {
            calls.push((route.clone(), rule.clone()));
        }
    }
    // A new password ends the holder's other sessions and spoils the password the later
    // fixtures give again: it comes last.
    calls.sort_by_key(|(route, rule)| (rule.method != Method::GET, route.path.ends_with("/account/password") && rule.method == Method::POST));
    assert!(calls.len() > 100, "the module list declares {} route methods", calls.len());

    let mut wrong = Vec::new();
    let mut principals = 0;
    for (route, rule) in &calls {
        let (path, payload) = fixture(&route.path, &rule.method, &world);
        // Those to be refused go first, then the principal, who finds the fixture as made.
        // Only someone with a second factor can turn it off: the other citizen has one.
        let principal = if route.path.ends_with("/two-factor/off") && rule.method == Method::POST { Some(OtherCitizen) } else { principal(rule.access, route.scope) };
        let allowed = |p: &Persona| admitted(rule.access, *p) && within(route.scope, rule.access, *p);
        let mut order: Vec<Persona> = PERSONAS.into_iter().filter(|p| !allowed(p)).collect();
        order.extend(principal);
        order.extend(PERSONAS.into_iter().filter(|p| allowed(p) && Some(*p) != principal));
        for who in order {
            let visitor = if who == OfficerWithoutRole { world.officer_without(&app, rule.access).await } else { world.visitor(&app, who).await };
            let reply = app.send(request(&rule.method, &path, route.cross_site, &payload, &visitor)).await;
            let got = outcome(&reply);
            if !as_declared(&route.path, rule.access, route.scope, who, &got) {
                wrong.push(format!("{} {path} ({:?}, {:?}) as {who:?}: {got:?} {}", rule.method, rule.access, route.scope, reply.body.chars().take(160).collect::<String>()));
            }
            // The principal's call is real: it succeeds, so the refusals above were refusals of
            // a call that works.
            if Some(who) == principal {
                principals += 1;
                let succeeded = reply.status.is_success() || (reply.status.is_redirection() && (got != Outcome::SignIn || asks_to_sign_in_itself(&route.path)));
                if !succeeded && !refused_for_its_own_reason(&route.path, &rule.method) {
                    wrong.push(format!("{} {path} as {who:?} (the principal) did not succeed: {got:?} {}", rule.method, reply.body.chars().take(160).collect::<String>()));
                }
            }
        }
    }
    // A service's routes let the service through with its own credentials, where no person's
    // session gets in.
    let mut services = 0;
    for (route, rule) in calls.iter().filter(|(_, rule)| rule.access == Access::Client) {
        let (path, payload) = fixture(&route.path, &rule.method, &world);
        let Some(credentials) = service_credentials(&route.path, &world) else { continue };
        let mut req = request(&rule.method, &path, route.cross_site, &payload, &world.visitor(&app, Anonymous).await);
        req.headers_mut().insert(header::AUTHORIZATION, credentials.parse().unwrap());
        let reply = app.send(req).await;
        services += 1;
        if reply.status == StatusCode::UNAUTHORIZED || reply.status.is_server_error() {
            wrong.push(format!("{} {path} as the service with its credentials: {} {}", rule.method, reply.status, reply.body.chars().take(160).collect::<String>()));
        }
    }
    assert!(services >= 4, "{services} service routes called with credentials");

    // Each role a route names is enough by itself: an officer holding only that one is let
    // through (so a declaration is never wider than what the domain allows).
    for (route, rule) in &calls {
        let Access::Officer(roles) = rule.access else { continue };
        let (path, payload) = fixture(&route.path, &rule.method, &world);
        for role in roles.iter().filter(|_| roles.len() > 1) {
            let visitor = world.officer_with(&app, *role).await;
            let reply = app.send(request(&rule.method, &path, route.cross_site, &payload, &visitor)).await;
            let got = outcome(&reply);
            if !as_declared(&route.path, rule.access, route.scope, RightOfficer, &got) {
                wrong.push(format!("{} {path} ({:?}) as an officer with only {role:?}: {got:?} {}", rule.method, rule.access, reply.body.chars().take(160).collect::<String>()));
            }
        }
    }
    assert!(wrong.is_empty(), "{} of {} calls were not as declared:\n{}", wrong.len(), calls.len() * PERSONAS.len(), wrong.join("\n"));
    assert!(principals > 100);
    Ok(()) as R
});

/// How a service authenticates to one of its routes: the relying party's client secret, or
/// Prometheus's metrics token. None for UserInfo, whose access token comes from a whole sign-in
/// (`oidc_hardening` goes through one).
fn service_credentials(template: &str, world: &World) -> Option<String> {
    match template {
        "/oidc/userinfo" => None,
        "/metrics" => Some(format!("Bearer {METRICS_TOKEN}")),
        _ => Some(format!("Basic {}", world.service_basic)),
    }
}

/// Routes whose principal's call, as the matrix can make it, is refused for a reason that is not
/// who is calling: a one-time code or token that a fixture cannot know, or a credential that
/// only a real authenticator has.
fn refused_for_its_own_reason(template: &str, method: &Method) -> bool {
    let post = *method == Method::POST;
    match template {
        // The code a person's authenticator app shows, and the email's one-time token.
        "/{lang}/sign-in/code" | "/{lang}/account/two-factor" | "/{lang}/verify-email" => post,
        // A passkey ceremony needs an authenticator's signature.
        "/api/v1/passkeys/sign-in" | "/api/v1/me/passkeys" => true,
        // A document and signature the fixture cannot make.
        "/api/v1/signing/verify" => true,
        _ => false,
    }
}
