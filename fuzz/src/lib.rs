//! The whole application, opened once per fuzzing process, for the targets that send outside
//! input through it: a temporary data folder with SQLite, every migration, the demo data, an
//! OpenID Connect client, and browsers signed in as a citizen, a department's officer and the
//! platform administrator. Requests go through every layer (`tamar_web::app`) without a socket.
//!
//! A target that finds a server error (5xx) fails: bad input gets a 4xx and changes nothing.

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use tamar::config::{Config, Overrides};
use tamar::platform::Platform;
use tower::ServiceExt;

pub const CITIZEN: &str = "chan.taiman@example.hk";
/// Transport Department: content editor and case officer.
pub const OFFICER: &str = "cheung.waiman@td.gov.hk";
pub const ADMIN: &str = "admin@tamar.gov.hk";

/// Cookies a browser was given, and the form token its pages carry.
#[derive(Clone, Debug, Default)]
pub struct Browser {
    pub cookies: Vec<(String, String)>,
    pub token: String,
}

impl Browser {
    pub fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join("; ")
    }

    fn keep(&mut self, headers: &HeaderMap) {
        for value in headers.get_all(header::SET_COOKIE).iter().filter_map(|v| v.to_str().ok()) {
            let Some((name, rest)) = value.split_once('=') else { continue };
            let value = rest.split(';').next().unwrap_or("").to_owned();
            self.cookies.retain(|(n, _)| n != name);
            if !value.is_empty() {
                self.cookies.push((name.to_owned(), value));
            }
        }
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn location(&self) -> &str {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
    }
}

/// A registered relying party.
pub struct Client {
    pub client_id: String,
    pub client_secret: String,
    pub redirect_uri: String,
}

pub struct App {
    runtime: tokio::runtime::Runtime,
    router: axum::Router,
    pub platform: Platform,
    pub anonymous: Browser,
    pub citizen: Browser,
    pub officer: Browser,
    pub admin: Browser,
    pub client: Client,
    /// Every route whose forms carry a form token.
    pub form_routes: Vec<String>,
    _data: tempfile::TempDir,
}

impl App {
    /// The one application of this process, opened on first use.
    pub fn get() -> &'static App {
        static APP: OnceLock<App> = OnceLock::new();
        APP.get_or_init(|| match App::open() {
            Ok(app) => app,
            Err(error) => {
                eprintln!("cannot open the application to fuzz: {error:#}");
                std::process::exit(2)
            }
        })
    }

    fn open() -> anyhow::Result<App> {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let template = runtime.block_on(template())?;
        let data = tempfile::tempdir()?;
        copy_dir(&template, data.path())?;
        let config = Config::load(None, Overrides { addr: None, data_dir: Some(data.path().to_owned()) })?;
        let (platform, client) = runtime.block_on(async {
            let platform = Platform::open(&config).await?;
            let redirect_uri = "https://service.example.gov.hk/callback".to_owned();
            let new = tamar_oidc::clients::NewClient {
                name: tamar_core::LocalizedText::new("Fuzz service", "測試服務", "测试服务"),
                purpose: tamar_core::LocalizedText::new("To test", "測試", "测试"),
                redirect_uris: vec![redirect_uri.clone()],
                post_logout_redirect_uris: vec!["https://service.example.gov.hk/".into()],
                scopes: ["openid", "profile", "email", "hkid", "birthdate"].map(String::from).to_vec(),
                sector_identifier_uri: None,
            };
            let registered = tamar_oidc::clients::register(&platform.db, &platform.ledger, &tamar_core::Actor::System, new).await?;
            let client = Client { client_id: registered.client.client_id, client_secret: registered.client_secret, redirect_uri };
            anyhow::Ok((platform, client))
        })?;
        let router = tamar::modules::app(platform.state());
        let mut app = App {
            runtime,
            router,
            platform,
            anonymous: Browser::default(),
            citizen: Browser::default(),
            officer: Browser::default(),
            admin: Browser::default(),
            client,
            form_routes: tamar_web::form_routes(&tamar::modules::all()),
            _data: data,
        };
        app.anonymous = app.browser()?;
        app.citizen = app.sign_in(CITIZEN)?;
        app.officer = app.sign_in(OFFICER)?;
        app.admin = app.sign_in(ADMIN)?;
        Ok(app)
    }

    /// Sends one request through the whole application.
    pub fn send(&self, method: Method, uri: &str, browser: &Browser, body: Option<(&str, Vec<u8>)>, headers: &[(header::HeaderName, HeaderValue)]) -> Option<Reply> {
        let mut request = Request::builder().method(method).uri(uri);
        if !browser.cookies.is_empty() {
            request = request.header(header::COOKIE, browser.cookie_header());
        }
        for (name, value) in headers {
            request = request.header(name, value.clone());
        }
        let request = match body {
            Some((content_type, bytes)) => request.header(header::CONTENT_TYPE, content_type).body(Body::from(bytes)),
            None => request.body(Body::empty()),
        };
        // An input that is not even a valid HTTP request never reaches Tamar.
        let request = request.ok()?;
        self.runtime.block_on(async {
            let response = self.router.clone().oneshot(request).await.ok()?;
            let (parts, body) = response.into_parts();
            let bytes = body.collect().await.ok()?.to_bytes();
            Some(Reply { status: parts.status, headers: parts.headers, body: String::from_utf8_lossy(&bytes).into_owned() })
        })
    }

    /// Sends a form, with the browser's form token first.
    pub fn post_form(&self, uri: &str, browser: &Browser, fields: &[(&str, &str)]) -> Option<Reply> {
        let mut body = url::form_urlencoded::Serializer::new(String::new());
        body.append_pair("csrf_token", &browser.token);
        for (name, value) in fields {
            body.append_pair(name, value);
        }
        self.send(Method::POST, uri, browser, Some(("application/x-www-form-urlencoded", body.finish().into_bytes())), &[])
    }

    /// A new browser that has been given a form token.
    fn browser(&self) -> anyhow::Result<Browser> {
        let mut browser = Browser::default();
        let page = self.send(Method::GET, "/en/sign-in", &browser, None, &[]).ok_or_else(|| anyhow::anyhow!("no sign-in page"))?;
        browser.keep(&page.headers);
        browser.token = form_token(&page.body)?;
        Ok(browser)
    }

    /// Signs in with the demo password, and the demo authenticator's code where one is asked.
    fn sign_in(&self, email: &str) -> anyhow::Result<Browser> {
        let mut browser = self.browser()?;
        let password = tamar::demo::DEMO_PASSWORD;
        let reply = self
            .post_form("/en/sign-in", &browser, &[("email", email), ("password", password), ("next", "/en/account")])
            .ok_or_else(|| anyhow::anyhow!("sign-in failed"))?;
        anyhow::ensure!(reply.status == StatusCode::SEE_OTHER, "sign-in of {email}: {}", reply.status);
        browser.keep(&reply.headers);
        if reply.location().starts_with("/en/sign-in/code") {
            let key = totp_rs::Secret::Encoded(tamar::demo::DEMO_TOTP_KEY.into()).to_bytes().map_err(|e| anyhow::anyhow!("{e:?}"))?;
            let totp = totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, key, None, String::new())?;
            let code = totp.generate_current()?;
            let reply = self
                .post_form("/en/sign-in/code", &browser, &[("code", &code), ("next", "/en/account")])
                .ok_or_else(|| anyhow::anyhow!("second factor failed"))?;
            anyhow::ensure!(reply.status == StatusCode::SEE_OTHER, "second factor of {email}: {}", reply.status);
            browser.keep(&reply.headers);
        }
        // Form tokens are bound to the session: take the signed-in one.
        let page = self.send(Method::GET, "/en/departments", &browser, None, &[]).ok_or_else(|| anyhow::anyhow!("no page"))?;
        browser.token = form_token(&page.body)?;
        anyhow::ensure!(page.body.contains("sign-out"), "{email} is not signed in");
        Ok(browser)
    }

    /// One of the four browsers.
    pub fn as_who(&self, which: u8) -> &Browser {
        match which % 4 {
            0 => &self.anonymous,
            1 => &self.citizen,
            2 => &self.officer,
            _ => &self.admin,
        }
    }
}

/// A data folder with every migration, the demo data and the platform's keys, made once and
/// copied for each process: making the keys (RSA for ID tokens) takes a minute in an
/// instrumented build. It is kept in `TAMAR_FUZZ_TEMPLATE`, else beside the build cache.
async fn template() -> anyhow::Result<std::path::PathBuf> {
    let dir = match std::env::var_os("TAMAR_FUZZ_TEMPLATE") {
        Some(dir) => std::path::PathBuf::from(dir),
        None => std::env::var_os("CARGO_TARGET_DIR").map_or_else(std::env::temp_dir, std::path::PathBuf::from).join("fuzz-app-template"),
    };
    // Made anew when the migrations change, so that it never lags behind the schema.
    let stamp: String = tamar::platform::migrations().iter().flat_map(|set| set.iter()).map(|m| format!("{}\n", m.id)).collect();
    let ready = dir.join("ready");
    if std::fs::read_to_string(&ready).is_ok_and(|s| s == stamp) {
        return Ok(dir);
    }
    let _ = std::fs::remove_dir_all(&dir);
    let config = Config::load(None, Overrides { addr: None, data_dir: Some(dir.clone()) })?;
    let platform = Platform::open(&config).await?;
    tamar::demo::seed(&platform.state()).await?;
    platform.close().await;
    std::fs::write(&ready, stamp)?;
    Ok(dir)
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else if entry.file_name() != "ready" {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

fn form_token(html: &str) -> anyhow::Result<String> {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).ok_or_else(|| anyhow::anyhow!("no form token on the page"))? + marker.len();
    Ok(html[start..].split('"').next().unwrap_or_default().to_owned())
}

/// Fails the run on a server error: whatever came in, Tamar answers it with a 4xx at worst.
pub fn assert_no_server_error(reply: &Reply, what: &str) {
    assert!(!reply.status.is_server_error(), "{what} gave {}: {}", reply.status, reply.body.chars().take(500).collect::<String>());
}

/// Percent-encodes one path segment or query value.
pub fn encode(bytes: &[u8]) -> String {
    url::form_urlencoded::byte_serialize(bytes).collect()
}

/// A value of a protocol parameter: the one a well-behaved client sends, none, or anything.
#[derive(arbitrary::Arbitrary, Clone, Debug)]
pub enum Value {
    Good,
    Absent,
    Text(String),
}

impl Value {
    pub fn or(&self, good: &str) -> Option<String> {
        match self {
            Value::Good => Some(good.to_owned()),
            Value::Absent => None,
            Value::Text(text) => Some(text.clone()),
        }
    }
}

/// The PKCE verifier the well-behaved client uses, and its S256 challenge.
pub const CODE_VERIFIER: &str = "fuzz-verifier-0123456789-0123456789-0123456789";

pub fn code_challenge() -> String {
    use base64::Engine;
    use sha2::Digest;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(CODE_VERIFIER.as_bytes()))
}

/// An authorization request, as a query string.
pub fn query(pairs: &[(&str, Option<String>)], extra: &[(String, String)]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        if let Some(value) = value {
            query.append_pair(name, value);
        }
    }
    for (name, value) in extra {
        query.append_pair(name, value);
    }
    query.finish()
}

impl App {
    /// The parameters of a well-formed authorization request of the registered client.
    pub fn good_authorization(&self) -> Vec<(&'static str, Option<String>)> {
        vec![
            ("response_type", Some("code".into())),
            ("client_id", Some(self.client.client_id.clone())),
            ("redirect_uri", Some(self.client.redirect_uri.clone())),
            ("scope", Some("openid profile email".into())),
            ("state", Some("fuzz-state".into())),
            ("nonce", Some("fuzz-nonce".into())),
            ("code_challenge", Some(code_challenge())),
            ("code_challenge_method", Some("S256".into())),
        ]
    }

    /// A fresh authorization code for the citizen, through the consent page the first time.
    pub fn fresh_code(&self) -> Option<String> {
        let good = self.good_authorization();
        let query = query(&good, &[]);
        let mut reply = self.send(Method::GET, &format!("/en/oidc/authorize?{query}"), &self.citizen, None, &[])?;
        if reply.status == StatusCode::OK {
            let mut fields: Vec<(&str, &str)> = good.iter().filter_map(|(n, v)| Some((*n, v.as_deref()?))).collect();
            fields.push(("decision", "allow"));
            reply = self.post_form("/en/oidc/authorize", &self.citizen, &fields)?;
        }
        let location = url::Url::parse(reply.location()).ok()?;
        location.query_pairs().find(|(n, _)| n == "code").map(|(_, v)| v.into_owned())
    }

    /// Whether an absolute address Tamar sent someone to is this site or the client's
    /// registered redirect URI: an authorization request never sends people anywhere else.
    pub fn may_send_to(&self, location: &str) -> bool {
        let Ok(url) = url::Url::parse(location) else { return true };
        let registered = url::Url::parse(&self.client.redirect_uri).ok();
        let this_site = url::Url::parse(&self.platform.web.public_url).ok();
        let same_place = |other: &Option<url::Url>| {
            other.as_ref().is_some_and(|o| o.origin() == url.origin() && (o.path() == url.path() || this_site.as_ref() == Some(o)))
        };
        same_place(&registered) || same_place(&this_site)
    }
}
