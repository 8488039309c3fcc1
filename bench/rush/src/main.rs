//! The registration rush: a load generator that plays a day like the opening of Hong Kong's
//! 2021 consumption-voucher registration against a running `tamar demo`.
//!
//! `--connections` virtual users (one keep-alive connection each, from an address of its own
//! on the loopback network, as households are) are shared out by weight between three parts,
//! and each plays its part again and again, without pause:
//!
//! - an anonymous visitor: the home page, a topic or service page (from the sitemap and the
//!   catalogue API), or a search in English or Chinese, as a page or through the API;
//! - a signed-in resident reading their inbox or "who accessed my data", as a page or through
//!   the API, with a session of the demo citizen's or of a resident registered in this run;
//! - a new resident: the registration form, the verification link from the mail in the demo's
//!   outbox, signing in with the password, and for a share of them adding a passkey (a
//!   software authenticator, `passkey.rs`) and signing in with it.
//!
//! Meanwhile a department administrator sends a message to everyone, and follows its
//! progress. A `503` with `Retry-After` (the sign-in queue is bounded on purpose) is waited
//! out and retried, and counted as deferred; transport errors, timeouts, any other 5xx and any
//! unexpected status are errors. Every step counts as its own kind of request.
//!
//! Usage: tamar-rush --url http://127.0.0.1:PORT --data DIR [--pid PID] [options]; `--help`.

mod mail;
mod passkey;
mod totp;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use reqwest::header::{self, HeaderMap};
use reqwest::{Client, Method};
use serde_json::{Value, json};

const USAGE: &str = "\
tamar-rush: a registration rush against a running `tamar demo`

  --url URL            where Tamar is reached, e.g. http://127.0.0.1:18200 (required)
  --origin URL         Tamar's public URL, the passkeys' origin (default: the URL, with
                       127.0.0.1 as localhost, as `tamar demo` announces itself)
  --data DIR           the demo's data folder: verification mail is read from DIR/outbox
                       (without it, residents skip verifying their address)
  --pid PID            the server's process, for its memory (VmRSS) and CPU
  --connections N      virtual users, each on a connection of its own (256)
  --seconds N          the measured run (60)
  --warmup N           seconds of load before measuring (10)
  --anonymous W        share of the users who are anonymous visitors (55)
  --reads W            share of the users who are signed-in readers (30)
  --flows W            share of the users who are new residents registering (15)
  --passkey-share F    share of new residents who add a passkey and sign in with it (0.3)
  --addresses N        client addresses on the loopback network to spread the users over
                       (default: one per user; 1: all from 127.0.0.1)
  --demo-sessions N    sessions of the demo citizen that readers share (4)
  --bulk-rate N        the bulk message's rate, messages a second (200)
  --no-bulk            no bulk message
  --timeout S          a request's timeout (10)
";

const DEMO_CITIZEN: &str = "chan.taiman@example.hk";
const DEMO_OFFICER: &str = "wong.siuming@immd.gov.hk";
const DEMO_PASSWORD: &str = "tamar-demo-2026";
const DEMO_TOTP_KEY: &str = "TAMARDEMOSECRETKEYFORTHEOFFICERS";
/// How long a new resident waits for the verification mail before going on without it.
const MAIL_PATIENCE: Duration = Duration::from_secs(60);
/// Reader sessions kept; past this, new ones replace old ones at random.
const SESSION_POOL: usize = 5000;

const QUERIES_EN: &[&str] = &[
    "renew passport", "driving licence", "identity card", "consumption voucher", "tax return", "public housing",
    "birth certificate", "vaccination", "library card", "typhoon", "elderly allowance", "job seekers",
];
const QUERIES_TC: &[&str] = &["身份證", "交通", "護照", "駕駛執照", "消費券", "公屋", "稅", "疫苗", "天氣", "圖書館"];
const SURNAMES: &[(&str, &str)] =
    &[("Chan", "陳"), ("Wong", "黃"), ("Lee", "李"), ("Cheung", "張"), ("Lau", "劉"), ("Ho", "何"), ("Ng", "吳"), ("Leung", "梁"), ("Lam", "林"), ("Tsang", "曾")];
const GIVEN: &[(&str, &str)] = &[
    ("Siu-wai", "小慧"), ("Ka-ming", "家明"), ("Wing-yan", "詠欣"), ("Chi-keung", "志強"), ("Mei-ling", "美玲"),
    ("Tsz-kin", "子健"), ("Hoi-yan", "凱欣"), ("Man-kit", "文傑"),
];

/// The order kinds are reported in; the first are requests, the last is the wait for mail.
const KINDS: &[&str] = &[
    "home", "page", "search page", "search api", "catalogue api",
    "inbox page", "inbox api", "account page", "accesses api",
    "register form", "register", "verify form", "verify", "sign-in form", "sign-in",
    "passkey add options", "passkey add", "passkey sign-in options", "passkey sign-in",
    "bulk start", "bulk progress",
];
/// Not requests: the wait for the verification mail, and a new resident's whole way from the
/// registration form to signed in (deferrals, mail and all).
const MAIL_KIND: &str = "(verification mail)";
const JOURNEY_KIND: &str = "(registration to signed in)";

struct Options {
    url: String,
    origin: String,
    data: Option<PathBuf>,
    pid: Option<u32>,
    connections: usize,
    seconds: u64,
    warmup: u64,
    anonymous: u32,
    reads: u32,
    flows: u32,
    passkey_share: f64,
    addresses: usize,
    demo_sessions: usize,
    bulk: bool,
    bulk_rate: u32,
    /// Who the bulk message goes to: `everyone`, `department` or `topic:<slug>`.
    bulk_audience: String,
    timeout: u64,
}

fn parse_options() -> Result<Options> {
    let mut args = std::env::args().skip(1);
    let mut given: HashMap<String, String> = HashMap::new();
    let mut bulk = true;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => {
                print!("{USAGE}");
                std::process::exit(0);
            }
            "--no-bulk" => bulk = false,
            flag if flag.starts_with("--") => {
                let value = args.next().with_context(|| format!("{flag} needs a value"))?;
                given.insert(flag[2..].to_owned(), value);
            }
            other => bail!("unexpected argument {other:?}\n\n{USAGE}"),
        }
    }
    fn take<T: std::str::FromStr>(given: &mut HashMap<String, String>, name: &str, default: T) -> Result<T> {
        match given.remove(name) {
            Some(v) => v.parse().map_err(|_| anyhow::anyhow!("--{name}: cannot read {v:?}")),
            None => Ok(default),
        }
    }
    let url = given.remove("url").context("--url is required")?.trim_end_matches('/').to_owned();
    let origin = given.remove("origin").unwrap_or_else(|| url.replace("://127.0.0.1", "://localhost"));
    let connections = take(&mut given, "connections", 256usize)?.max(1);
    let options = Options {
        origin: origin.trim_end_matches('/').to_owned(),
        data: given.remove("data").map(PathBuf::from),
        pid: given.remove("pid").map(|p| p.parse()).transpose().context("--pid")?,
        connections,
        seconds: take(&mut given, "seconds", 60)?,
        warmup: take(&mut given, "warmup", 10)?,
        anonymous: take(&mut given, "anonymous", 55)?,
        reads: take(&mut given, "reads", 30)?,
        flows: take(&mut given, "flows", 15)?,
        passkey_share: take(&mut given, "passkey-share", 0.3)?,
        addresses: take(&mut given, "addresses", connections)?.max(1),
        demo_sessions: take(&mut given, "demo-sessions", 4)?,
        bulk_rate: take(&mut given, "bulk-rate", 200)?,
        bulk_audience: take(&mut given, "bulk-audience", "everyone".to_owned())?,
        timeout: take(&mut given, "timeout", 10)?,
        bulk,
        url,
    };
    if let Some(unknown) = given.keys().next() {
        bail!("unknown option --{unknown}\n\n{USAGE}");
    }
    anyhow::ensure!(options.anonymous + options.reads + options.flows > 0, "the weights add up to nothing");
    Ok(options)
}

/// When the load runs, and which part of it is measured.
struct Clock {
    start: Instant,
    measure_from: Instant,
    until: Instant,
    /// Milliseconds from the start at which the run was cut short (the server went away);
    /// zero while it runs its course.
    cut_at: AtomicU64,
}

impl Clock {
    fn new(warmup: Duration, measured: Duration) -> Clock {
        let start = Instant::now();
        Clock { start, measure_from: start + warmup, until: start + warmup + measured, cut_at: AtomicU64::new(0) }
    }

    /// A clock for set-up: running, never measuring.
    fn setup() -> Clock {
        let start = Instant::now();
        let far = start + Duration::from_secs(365 * 24 * 3600);
        Clock { start, measure_from: far, until: far, cut_at: AtomicU64::new(0) }
    }

    /// When the run ends: as planned, or when it was cut short.
    fn end(&self) -> Instant {
        match self.cut_at.load(Ordering::Relaxed) {
            0 => self.until,
            ms => (self.start + Duration::from_millis(ms)).min(self.until),
        }
    }

    fn cut(&self) {
        let ms = (self.start.elapsed().as_millis() as u64).max(1);
        let _ = self.cut_at.compare_exchange(0, ms, Ordering::Relaxed, Ordering::Relaxed);
    }

    fn running(&self) -> bool {
        Instant::now() < self.end()
    }

    fn measures(&self, at: Instant) -> bool {
        at >= self.measure_from && at <= self.end()
    }

    /// The measured seconds (fewer when the run was cut short).
    fn measured_seconds(&self) -> f64 {
        self.end().saturating_duration_since(self.measure_from).as_secs_f64().max(0.001)
    }
}

/// What one kind of request came to.
#[derive(Default)]
struct KindStats {
    /// Latencies of the answered requests, in microseconds.
    latencies: Vec<u32>,
    errors: u64,
    deferred: u64,
    reasons: BTreeMap<String, u64>,
}

#[derive(Default)]
struct Stats {
    kinds: HashMap<&'static str, KindStats>,
}

impl Stats {
    fn kind(&mut self, kind: &'static str) -> &mut KindStats {
        self.kinds.entry(kind).or_default()
    }

    fn answered(&mut self, kind: &'static str, took: Duration) {
        self.kind(kind).latencies.push(took.as_micros().min(u32::MAX as u128) as u32);
    }

    fn error(&mut self, kind: &'static str, reason: String) {
        let k = self.kind(kind);
        k.errors += 1;
        *k.reasons.entry(reason).or_default() += 1;
    }

    fn merge(&mut self, other: Stats) {
        for (name, k) in other.kinds {
            let mine = self.kind(name);
            mine.latencies.extend(k.latencies);
            mine.errors += k.errors;
            mine.deferred += k.deferred;
            for (reason, n) in k.reasons {
                *mine.reasons.entry(reason).or_default() += n;
            }
        }
    }
}

/// A browser's cookies for Tamar (one host, every cookie on path `/`).
#[derive(Default, Clone)]
struct Jar(Vec<(String, String)>);

impl Jar {
    fn with(name: &str, value: &str) -> Jar {
        Jar(vec![(name.to_owned(), value.to_owned())])
    }

    fn header(&self) -> Option<String> {
        (!self.0.is_empty()).then(|| self.0.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join("; "))
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    fn update(&mut self, headers: &HeaderMap) {
        for value in headers.get_all(header::SET_COOKIE) {
            let Ok(value) = value.to_str() else { continue };
            let mut parts = value.split(';');
            let Some((name, v)) = parts.next().and_then(|p| p.split_once('=')) else { continue };
            let (name, v) = (name.trim().to_owned(), v.trim().to_owned());
            let gone = v.is_empty() || parts.any(|a| a.trim().eq_ignore_ascii_case("max-age=0"));
            self.0.retain(|(n, _)| *n != name);
            if !gone {
                self.0.push((name, v));
            }
        }
    }
}

enum Body {
    Empty,
    Form(Vec<(&'static str, String)>),
    Json(Value),
}

struct Reply {
    status: u16,
    location: Option<String>,
    body: String,
}

impl Reply {
    fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.body).ok()
    }
}

/// The form token of a page's form.
fn csrf_token(html: &str) -> Option<String> {
    let at = html.find("name=\"csrf_token\" value=\"")? + "name=\"csrf_token\" value=\"".len();
    let token: String = html[at..].chars().take_while(|c| *c != '"').collect();
    (!token.is_empty()).then_some(token)
}

fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// What went wrong with a request, short enough to count by.
fn transport_reason(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        return "timeout".into();
    }
    let mut reason = if error.is_connect() { "connect".to_owned() } else { "transport".to_owned() };
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(error);
    while let Some(s) = source {
        reason.push_str(": ");
        reason.push_str(&s.to_string());
        source = s.source();
    }
    reason.chars().take(120).collect()
}

/// One virtual user: a client with its own connection and address.
struct Vu {
    client: Client,
    base: Arc<str>,
    clock: Arc<Clock>,
    stats: Stats,
    rng: StdRng,
    /// The last error, for set-up to explain itself.
    last_error: Option<String>,
}

impl Vu {
    fn new(options: &Options, clock: Arc<Clock>, address: Option<std::net::IpAddr>) -> Result<Vu> {
        let mut builder = Client::builder()
            .timeout(Duration::from_secs(options.timeout))
            .connect_timeout(Duration::from_secs(options.timeout))
            .redirect(reqwest::redirect::Policy::none())
            .tcp_nodelay(true)
            .pool_max_idle_per_host(2)
            .user_agent("tamar-rush/0.1 (a virtual resident)");
        if let Some(address) = address {
            builder = builder.local_address(address);
        }
        Ok(Vu { client: builder.build()?, base: options.url.as_str().into(), clock, stats: Stats::default(), rng: StdRng::from_entropy(), last_error: None })
    }

    /// Sends one request of a kind until it is answered; `503` with `Retry-After` is waited out
    /// and sent again. `None` when it failed (counted) or the run ended.
    async fn call(&mut self, kind: &'static str, method: Method, path: &str, body: &Body, jar: &mut Jar, expect: &[u16]) -> Option<Reply> {
        loop {
            if !self.clock.running() {
                return None;
            }
            let mut request = self.client.request(method.clone(), format!("{}{path}", self.base));
            if let Some(cookies) = jar.header() {
                request = request.header(header::COOKIE, cookies);
            }
            request = match body {
                Body::Empty => request,
                Body::Form(fields) => request.form(fields),
                Body::Json(value) => request.header(header::ACCEPT, "application/json").json(value),
            };
            let started = Instant::now();
            let result = async {
                let response = request.send().await?;
                let status = response.status().as_u16();
                let headers = response.headers().clone();
                let body = response.text().await?;
                Ok::<_, reqwest::Error>((status, headers, body))
            }
            .await;
            let done = Instant::now();
            let measured = self.clock.measures(done);
            let (status, headers, text) = match result {
                Ok(answer) => answer,
                Err(e) => {
                    let reason = transport_reason(&e);
                    if measured {
                        self.stats.error(kind, reason.clone());
                    }
                    self.last_error = Some(format!("{kind} {path}: {reason}"));
                    return None;
                }
            };
            jar.update(&headers);
            let retry_after = headers.get(header::RETRY_AFTER).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok());
            if status == 503
                && let Some(seconds) = retry_after
            {
                if measured {
                    self.stats.kind(kind).deferred += 1;
                }
                // Back when asked, give or take half a second, as people do.
                let wait = Duration::from_secs(seconds.min(30)) + Duration::from_millis(self.rng.gen_range(0..500));
                tokio::time::sleep(wait).await;
                continue;
            }
            if expect.contains(&status) {
                if measured {
                    self.stats.answered(kind, done - started);
                }
                let location = headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
                return Some(Reply { status, location, body: text });
            }
            let code = serde_json::from_str::<Value>(&text).ok().and_then(|v| v.get("code").and_then(Value::as_str).map(str::to_owned));
            let reason = match code {
                Some(code) => format!("{status} {code}"),
                None => status.to_string(),
            };
            if measured {
                self.stats.error(kind, reason.clone());
            }
            self.last_error = Some(format!("{kind} {path}: {reason}: {}", text.chars().take(300).collect::<String>()));
            return None;
        }
    }

    async fn get(&mut self, kind: &'static str, path: &str, jar: &mut Jar) -> Option<Reply> {
        self.call(kind, Method::GET, path, &Body::Empty, jar, &[200]).await
    }

    /// A failure of the generator's own making (a page without its form, say), counted as an error.
    fn fail(&mut self, kind: &'static str, reason: &str) -> Option<()> {
        if self.clock.measures(Instant::now()) {
            self.stats.error(kind, reason.to_owned());
        }
        self.last_error = Some(format!("{kind}: {reason}"));
        None
    }

    /// Signs in with a password through the forms, and the second factor when asked for one;
    /// the session is in `jar` after.
    async fn sign_in(&mut self, email: &str, password: &str, totp_key: Option<&str>, jar: &mut Jar) -> Option<()> {
        let page = self.get("sign-in form", "/en/sign-in", jar).await?;
        let Some(token) = csrf_token(&page.body) else { return self.fail("sign-in form", "no csrf_token in the form") };
        let form = Body::Form(vec![
            ("csrf_token", token.clone()),
            ("email", email.to_owned()),
            ("password", password.to_owned()),
            ("next", "/en/account".to_owned()),
        ]);
        let reply = self.call("sign-in", Method::POST, "/en/sign-in", &form, jar, &[303]).await?;
        if reply.location.as_deref().is_some_and(|l| l.starts_with("/en/sign-in/code")) {
            let Some(key) = totp_key else { return self.fail("sign-in", "a code was asked for") };
            let code = totp::now(key).unwrap_or_default();
            let form = Body::Form(vec![("csrf_token", token), ("code", code), ("next", "/en/account".to_owned())]);
            self.call("sign-in code", Method::POST, "/en/sign-in/code", &form, jar, &[303]).await?;
        }
        if jar.get("tamar_session").is_none() {
            return self.fail("sign-in", "no session cookie after signing in");
        }
        Some(())
    }
}

/// Counts of what new residents got through, in the measured part of the run.
#[derive(Default)]
struct Residents {
    registered: AtomicU64,
    verified: AtomicU64,
    signed_in: AtomicU64,
    passkeys: AtomicU64,
    passkey_sign_ins: AtomicU64,
}

/// What every virtual user shares.
struct Shared {
    origin: String,
    pages: Vec<String>,
    mail: Option<mail::Mailboxes>,
    sessions: Mutex<Vec<String>>,
    run_id: String,
    next_resident: AtomicU64,
    residents: Residents,
    passkey_share: f64,
}

impl Shared {
    fn add_session(&self, token: &str, rng: &mut StdRng) {
        if let Ok(mut pool) = self.sessions.lock() {
            if pool.len() < SESSION_POOL {
                pool.push(token.to_owned());
            } else {
                let at = rng.gen_range(0..pool.len());
                pool[at] = token.to_owned();
            }
        }
    }

    fn session(&self, rng: &mut StdRng) -> Option<String> {
        self.sessions.lock().ok().and_then(|pool| pool.choose(rng).cloned())
    }

    fn count(&self, clock: &Clock, counter: &AtomicU64) {
        if clock.measures(Instant::now()) {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl Vu {
    async fn anonymous(&mut self, shared: &Shared) -> Option<()> {
        let mut jar = Jar::default();
        let roll = self.rng.gen_range(0..100);
        if roll < 25 {
            let lang = ["en", "en", "tc", "tc", "sc"][self.rng.gen_range(0..5)];
            self.get("home", &format!("/{lang}/"), &mut jar).await?;
        } else if roll < 65 && !shared.pages.is_empty() {
            let path = shared.pages.choose(&mut self.rng)?.clone();
            self.get("page", &path, &mut jar).await?;
        } else if roll < 95 {
            let (lang, query) = if self.rng.gen_bool(0.6) {
                ("en", *QUERIES_EN.choose(&mut self.rng)?)
            } else {
                ("tc", *QUERIES_TC.choose(&mut self.rng)?)
            };
            if roll < 80 {
                self.get("search page", &format!("/{lang}/search?q={}", percent_encode(query)), &mut jar).await?;
            } else {
                self.get("search api", &format!("/api/v1/search?q={}", percent_encode(query)), &mut jar).await?;
            }
        } else {
            self.get("catalogue api", "/api/v1/catalogue?limit=20", &mut jar).await?;
        }
        Some(())
    }

    async fn read(&mut self, shared: &Shared) -> Option<()> {
        let Some(session) = shared.session(&mut self.rng) else { return self.anonymous(shared).await };
        let mut jar = Jar::with("tamar_session", &session);
        match self.rng.gen_range(0..4) {
            0 => self.get("inbox page", "/en/account/inbox", &mut jar).await?,
            1 => self.get("inbox api", "/api/v1/me/inbox", &mut jar).await?,
            2 => self.get("account page", "/en/account", &mut jar).await?,
            _ => self.get("accesses api", "/api/v1/me/accesses", &mut jar).await?,
        };
        Some(())
    }

    /// A new resident: registers, verifies the address from the mail, signs in, and perhaps
    /// adds a passkey and signs in with it.
    async fn resident(&mut self, shared: &Shared) -> Option<()> {
        let lang = if self.rng.gen_bool(0.3) { "tc" } else { "en" };
        let n = shared.next_resident.fetch_add(1, Ordering::Relaxed);
        let email = format!("rush.{}.{n}@example.hk", shared.run_id);
        let password: String = (0..18).map(|_| b"abcdefghjkmnpqrstuvwxyz23456789"[self.rng.gen_range(0..31)] as char).collect();
        let (surname, given) = (SURNAMES.choose(&mut self.rng)?, GIVEN.choose(&mut self.rng)?);
        let mut jar = Jar::default();
        let began = Instant::now();

        let page = self.get("register form", &format!("/{lang}/register"), &mut jar).await?;
        let Some(token) = csrf_token(&page.body) else { return self.fail("register form", "no csrf_token in the form") };
        let form = Body::Form(vec![
            ("csrf_token", token),
            ("name_en", format!("{} {}", surname.0, given.0)),
            ("name_zh", format!("{}{}", surname.1, given.1)),
            ("email", email.clone()),
            ("password", password.clone()),
        ]);
        self.call("register", Method::POST, &format!("/{lang}/register"), &form, &mut jar, &[200]).await?;
        shared.count(&self.clock, &shared.residents.registered);

        if let Some(mail) = &shared.mail {
            let asked = Instant::now();
            let patience = (asked + MAIL_PATIENCE).min(self.clock.end());
            match mail.wait_for(&email, patience).await {
                Some(link) => {
                    if self.clock.measures(Instant::now()) {
                        self.stats.answered(MAIL_KIND, asked.elapsed());
                    }
                    let page = self.get("verify form", &format!("/{lang}/verify-email?token={link}"), &mut jar).await?;
                    let Some(token) = csrf_token(&page.body) else { return self.fail("verify form", "no csrf_token in the form") };
                    let form = Body::Form(vec![("csrf_token", token), ("token", link)]);
                    self.call("verify", Method::POST, &format!("/{lang}/verify-email"), &form, &mut jar, &[303]).await?;
                    shared.count(&self.clock, &shared.residents.verified);
                }
                None if self.clock.running() => {
                    self.fail(MAIL_KIND, "no verification mail within 60 s");
                }
                None => return None,
            }
        }

        self.sign_in(&email, &password, None, &mut jar).await?;
        shared.count(&self.clock, &shared.residents.signed_in);
        if self.clock.measures(Instant::now()) {
            self.stats.answered(JOURNEY_KIND, began.elapsed());
        }
        self.get("account page", "/en/account", &mut jar).await?;
        let session = jar.get("tamar_session")?.to_owned();
        shared.add_session(&session, &mut self.rng);

        if !self.rng.gen_bool(shared.passkey_share.clamp(0.0, 1.0)) {
            return Some(());
        }
        let proof = Body::Json(json!({ "password": password, "code": "" }));
        let reply = self.call("passkey add options", Method::POST, "/api/v1/me/passkeys/registration", &proof, &mut jar, &[200]).await?;
        let Some(answer) = reply.json() else { return self.fail("passkey add options", "not JSON") };
        let (mut passkey, credential) = match passkey::Passkey::create(&answer["options"], &shared.origin) {
            Ok(made) => made,
            Err(e) => return self.fail("passkey add options", &e.to_string()),
        };
        let body = Body::Json(json!({ "ceremony": answer["ceremony"], "credential": credential }));
        self.call("passkey add", Method::POST, "/api/v1/me/passkeys", &body, &mut jar, &[201]).await?;
        shared.count(&self.clock, &shared.residents.passkeys);

        // Later, on another browser: the passkey alone.
        let mut jar = Jar::default();
        let reply = self.call("passkey sign-in options", Method::POST, "/api/v1/passkeys/sign-in/options", &Body::Json(json!({})), &mut jar, &[200]).await?;
        let Some(answer) = reply.json() else { return self.fail("passkey sign-in options", "not JSON") };
        let assertion = match passkey.assert(&answer["options"]) {
            Ok(a) => a,
            Err(e) => return self.fail("passkey sign-in options", &e.to_string()),
        };
        let body = Body::Json(json!({ "ceremony": answer["ceremony"], "credential": assertion }));
        self.call("passkey sign-in", Method::POST, "/api/v1/passkeys/sign-in", &body, &mut jar, &[200]).await?;
        let Some(session) = jar.get("tamar_session").map(str::to_owned) else { return self.fail("passkey sign-in", "no session cookie") };
        shared.count(&self.clock, &shared.residents.passkey_sign_ins);
        shared.add_session(&session, &mut self.rng);
        Some(())
    }

    /// Its part, again and again, until the run ends.
    async fn run(mut self, part: Part, shared: Arc<Shared>) -> Stats {
        while self.clock.running() {
            match part {
                Part::Anonymous => self.anonymous(&shared).await,
                Part::Reader => self.read(&shared).await,
                Part::Resident => self.resident(&shared).await,
            };
        }
        self.stats
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    Anonymous,
    Reader,
    Resident,
}

/// Shares `n` users out by weight (largest remainders), each part with a weight getting at
/// least one user when there are enough.
fn share_out(n: usize, weights: [u32; 3]) -> [usize; 3] {
    let total: u32 = weights.iter().sum();
    let exact: Vec<f64> = weights.iter().map(|w| n as f64 * *w as f64 / total as f64).collect();
    let mut counts = [0usize; 3];
    for (c, e) in counts.iter_mut().zip(&exact) {
        *c = e.floor() as usize;
    }
    let mut order: Vec<usize> = (0..3).collect();
    order.sort_by(|a, b| (exact[*b] - exact[*b].floor()).total_cmp(&(exact[*a] - exact[*a].floor())));
    let mut left = n - counts.iter().sum::<usize>();
    for i in order.iter().cycle().take(3 * n.max(1)) {
        if left == 0 {
            break;
        }
        if weights[*i] > 0 {
            counts[*i] += 1;
            left -= 1;
        }
    }
    // A part with a weight but no user takes one from the largest part.
    for i in 0..3 {
        if weights[i] > 0 && counts[i] == 0 {
            let largest = (0..3).max_by_key(|j| counts[*j]).unwrap_or(0);
            if counts[largest] > 1 {
                counts[largest] -= 1;
                counts[i] += 1;
            }
        }
    }
    counts
}

/// The public pages to visit: every address in the sitemap, and the catalogue API's first page.
async fn discover_pages(vu: &mut Vu) -> Vec<String> {
    let strip = |url: &str| -> Option<String> {
        let rest = url.split_once("://").map_or(url, |(_, r)| r);
        rest.find('/').map(|at| rest[at..].to_owned())
    };
    let locations = |xml: &str| -> Vec<String> {
        xml.split("<loc>").skip(1).filter_map(|part| part.split("</loc>").next()).map(|s| s.trim().replace("&amp;", "&")).collect()
    };
    let mut pages = Vec::new();
    let mut jar = Jar::default();
    if let Some(index) = vu.get("sitemap", "/sitemap.xml", &mut jar).await {
        for sitemap in locations(&index.body) {
            let Some(path) = strip(&sitemap) else { continue };
            if let Some(map) = vu.get("sitemap", &path, &mut jar).await {
                pages.extend(locations(&map.body).iter().filter_map(|u| strip(u)));
            }
        }
    }
    if let Some(list) = vu.get("catalogue api", "/api/v1/catalogue?limit=100", &mut jar).await
        && let Some(Value::Array(items)) = list.json()
    {
        pages.extend(items.iter().filter_map(|i| i.get("url").and_then(Value::as_str)).filter_map(strip));
    }
    pages.sort();
    pages.dedup();
    pages
}

/// How the department's message to everyone went.
enum Bulk {
    Off,
    Missing,
    Failed(String),
    Sent { started: Option<Instant>, last: Value, polls: u64, finished_seen: Option<Instant> },
}

/// The department administrator starts a message to everyone as the measured run starts, and
/// follows its progress every two seconds.
async fn bulk_message(mut vu: Vu, session: String, rate: u32, audience: String) -> (Bulk, Stats) {
    let clock = vu.clock.clone();
    tokio::time::sleep_until(clock.measure_from.into()).await;
    let mut jar = Jar::with("tamar_session", &session);
    let body = Body::Json(json!({
        "audience": audience,
        "kind": "message",
        "subject": { "en": "Consumption voucher: registration is open", "tc": "消費券：現已接受登記" },
        "body": {
            "en": "Register by 14 August on the consumption voucher website. Keep your stored-value card with you.",
            "tc": "請於8月14日前於消費券網站登記，並請保管好你的儲值支付工具。"
        },
        "rate": rate,
    }));
    let started = Instant::now();
    let Some(reply) = vu.call("bulk start", Method::POST, "/api/v1/office/bulk-messages", &body, &mut jar, &[202, 404]).await else {
        let why = vu.last_error.take().unwrap_or_else(|| "the run ended".into());
        return (Bulk::Failed(why), vu.stats);
    };
    if reply.status == 404 {
        return (Bulk::Missing, vu.stats);
    }
    let Some(location) = reply.location.clone() else { return (Bulk::Failed("202 without a Location".into()), vu.stats) };
    let mut last = reply.json().unwrap_or(Value::Null);
    let (mut polls, mut finished_seen) = (0, None);
    while clock.running() {
        tokio::time::sleep(Duration::from_secs(2)).await;
        if let Some(progress) = vu.get("bulk progress", &location, &mut jar).await.and_then(|r| r.json()) {
            polls += 1;
            if finished_seen.is_none() && progress.get("status").and_then(Value::as_str) != Some("sending") {
                finished_seen = Some(Instant::now());
            }
            last = progress;
        }
    }
    // The state at the end, outside the clock.
    let stats = std::mem::take(&mut vu.stats);
    vu.clock = Arc::new(Clock::setup());
    if let Some(progress) = vu.get("bulk progress", &location, &mut jar).await.and_then(|r| r.json()) {
        last = progress;
    }
    (Bulk::Sent { started: Some(started), last, polls, finished_seen }, stats)
}

/// The server's resident memory in KiB: all of it (VmRSS), and its parts: anonymous (the heap),
/// file pages mapped in (the search index, SQLite's database if mapped) and shared memory
/// (SQLite's WAL index).
#[derive(Clone, Copy, Debug, Default)]
struct Rss {
    total: u64,
    anon: u64,
    file: u64,
    shmem: u64,
}

fn rss_kib(pid: u32) -> Option<Rss> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        line.split_whitespace().nth(1)?.parse().ok()
    };
    Some(Rss { total: field("VmRSS:")?, anon: field("RssAnon:").unwrap_or(0), file: field("RssFile:").unwrap_or(0), shmem: field("RssShmem:").unwrap_or(0) })
}

/// CPU time of a process (user and system), in clock ticks.
fn cpu_ticks(pid: &str) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

/// Samples the server's memory every second until the run ends: (seconds since start, KiB).
/// When the server is gone, the run is cut short.
async fn sample_memory(pid: u32, clock: Arc<Clock>) -> Vec<(f64, Rss)> {
    let mut samples = Vec::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tick.tick().await;
        let now = Instant::now();
        match rss_kib(pid) {
            Some(kib) => samples.push(((now - clock.start).as_secs_f64(), kib)),
            None => {
                eprintln!("tamar-rush: the server (pid {pid}) is gone, {:.0} s into the run; stopping", (now - clock.start).as_secs_f64());
                clock.cut();
                return samples;
            }
        }
        if now >= clock.until {
            return samples;
        }
    }
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1] as f64 / 1000.0
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

#[tokio::main]
async fn main() -> Result<()> {
    let options = parse_options()?;
    let setup_clock = Arc::new(Clock::setup());
    let mut setup = Vu::new(&options, setup_clock.clone(), None)?;

    // Ready, and what there is to visit.
    let mut jar = Jar::default();
    let ready = Instant::now();
    while setup.get("readyz", "/readyz", &mut jar).await.is_none() {
        if ready.elapsed() > Duration::from_secs(120) {
            bail!("Tamar at {} is not ready: {}", options.url, setup.last_error.unwrap_or_default());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let pages = discover_pages(&mut setup).await;
    anyhow::ensure!(!pages.is_empty(), "no pages in the sitemap or the catalogue: {}", setup.last_error.unwrap_or_default());

    // Sessions of the demo citizen for readers, one after another (the account's sign-in
    // throttle counts attempts in flight).
    let mut sessions = Vec::new();
    for _ in 0..options.demo_sessions {
        let mut jar = Jar::default();
        if setup.sign_in(DEMO_CITIZEN, DEMO_PASSWORD, None, &mut jar).await.is_none() {
            bail!("could not sign the demo citizen in: {}", setup.last_error.unwrap_or_default());
        }
        sessions.extend(jar.get("tamar_session").map(str::to_owned));
    }
    // The department administrator, with a code from the authenticator app; a code works once,
    // so a refused one is tried again in the next 30-second step.
    let mut officer = None;
    if options.bulk {
        for attempt in 0..3 {
            let mut jar = Jar::default();
            if setup.sign_in(DEMO_OFFICER, DEMO_PASSWORD, Some(DEMO_TOTP_KEY), &mut jar).await.is_some() {
                officer = jar.get("tamar_session").map(str::to_owned);
                break;
            }
            eprintln!("the officer's sign-in failed ({}); trying again with the next code", setup.last_error.clone().unwrap_or_default());
            if attempt < 2 {
                let into_step = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs() % 30;
                tokio::time::sleep(Duration::from_secs(31 - into_step)).await;
            }
        }
    }

    let outbox = options.data.as_ref().map(|d| d.join("outbox"));
    let mail = outbox.clone().map(mail::Mailboxes::watch);
    let run_id = format!("{:06x}", rand::thread_rng().gen_range(0..0xffffffu32));
    let shared = Arc::new(Shared {
        origin: options.origin.clone(),
        pages,
        mail,
        sessions: Mutex::new(sessions),
        run_id,
        next_resident: AtomicU64::new(0),
        residents: Residents::default(),
        passkey_share: options.passkey_share,
    });
    let [anonymous, readers, residents] = share_out(options.connections, [options.anonymous, options.reads, options.flows]);
    println!(
        "tamar-rush: {} connections ({anonymous} anonymous visitors, {readers} signed-in readers, {residents} new residents), {} s warm-up + {} s measured; passkeys for {:.0}% of new residents; {} pages to visit; {} client address{}",
        options.connections,
        options.warmup,
        options.seconds,
        options.passkey_share * 100.0,
        shared.pages.len(),
        options.addresses,
        if options.addresses == 1 { "" } else { "es" },
    );
    if outbox.is_none() {
        println!("no --data: residents do not verify their address");
    }

    let clock = Arc::new(Clock::new(Duration::from_secs(options.warmup), Duration::from_secs(options.seconds)));
    let memory = options.pid.map(|pid| tokio::spawn(sample_memory(pid, clock.clone())));
    let bulk = match (&officer, options.bulk) {
        (Some(session), true) => Some(tokio::spawn(bulk_message(Vu::new(&options, clock.clone(), None)?, session.clone(), options.bulk_rate, options.bulk_audience.clone()))),
        _ => None,
    };
    let mut users = Vec::with_capacity(options.connections);
    for i in 0..options.connections {
        let address = (options.addresses > 1).then(|| {
            let a = i % options.addresses;
            std::net::IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 1 + (a / 250) as u8, 1 + (a % 250) as u8))
        });
        let part = if i < anonymous {
            Part::Anonymous
        } else if i < anonymous + readers {
            Part::Reader
        } else {
            Part::Resident
        };
        users.push(tokio::spawn(Vu::new(&options, clock.clone(), address)?.run(part, shared.clone())));
    }
    let cpu = |pid: &str| cpu_ticks(pid).unwrap_or(0);
    let server_pid = options.pid.map(|p| p.to_string());
    tokio::time::sleep_until(clock.measure_from.into()).await;
    let (self_from, server_from) = (cpu("self"), server_pid.as_deref().map_or(0, cpu));
    while clock.running() {
        tokio::time::sleep_until((Instant::now() + Duration::from_millis(200)).min(clock.end()).into()).await;
    }
    let (self_to, server_to) = (cpu("self"), server_pid.as_deref().map_or(0, cpu));

    let mut stats = Stats::default();
    for user in users {
        stats.merge(user.await?);
    }
    let bulk = match bulk {
        Some(task) => {
            let (outcome, bulk_stats) = task.await?;
            stats.merge(bulk_stats);
            outcome
        }
        None if options.bulk => Bulk::Failed(format!("the officer could not sign in: {}", setup.last_error.clone().unwrap_or_default())),
        None => Bulk::Off,
    };
    let samples = match memory {
        Some(task) => task.await?,
        None => Vec::new(),
    };

    report(&options, &shared, stats, &bulk, &samples, clock.as_ref());
    let ticks = 100.0; // USER_HZ on Linux
    let seconds = clock.measured_seconds();
    print!("cpu: generator {:.0}% of a core", self_to.saturating_sub(self_from) as f64 / ticks / seconds * 100.0);
    if server_pid.is_some() && server_to >= server_from && server_to > 0 {
        print!(", server {:.0}%", (server_to - server_from) as f64 / ticks / seconds * 100.0);
    }
    println!(" ({} cores)", std::thread::available_parallelism().map_or(1, usize::from));
    Ok(())
}

fn report(options: &Options, shared: &Shared, mut stats: Stats, bulk: &Bulk, parts: &[(f64, Rss)], clock: &Clock) {
    let samples: Vec<(f64, u64)> = parts.iter().map(|(t, r)| (*t, r.total)).collect();
    let seconds = clock.measured_seconds();
    println!();
    if clock.end() < clock.until {
        println!(
            "**the run was cut short: the server went away {:.0} s into it; rates are over the {seconds:.0} s measured before**",
            (clock.end() - clock.start).as_secs_f64()
        );
    }
    println!("| kind | count | req/s | p50 ms | p99 ms | errors | deferred |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let mut names: Vec<&'static str> = KINDS.iter().copied().filter(|k| stats.kinds.contains_key(k)).collect();
    let mut others: Vec<&'static str> = stats.kinds.keys().copied().filter(|k| !KINDS.contains(k) && !k.starts_with('(')).collect();
    others.sort();
    names.extend(others);
    let mut all: Vec<u32> = Vec::new();
    let (mut errors, mut deferred) = (0, 0);
    for name in &names {
        let k = stats.kinds.get_mut(name).expect("listed");
        k.latencies.sort_unstable();
        all.extend(&k.latencies);
        errors += k.errors;
        deferred += k.deferred;
        println!(
            "| {name} | {} | {:.1} | {:.1} | {:.1} | {} | {} |",
            k.latencies.len(),
            k.latencies.len() as f64 / seconds,
            percentile(&k.latencies, 0.5),
            percentile(&k.latencies, 0.99),
            k.errors,
            k.deferred
        );
    }
    all.sort_unstable();
    println!(
        "| **total** | {} | {:.1} | {:.1} | {:.1} | {} | {} |",
        all.len(),
        all.len() as f64 / seconds,
        percentile(&all, 0.5),
        percentile(&all, 0.99),
        errors,
        deferred
    );
    if let Some(k) = stats.kinds.get_mut(MAIL_KIND) {
        k.latencies.sort_unstable();
        println!(
            "\nverification mail, from the registration's answer to the link in the outbox: {} arrived, p50 {:.0} ms, p99 {:.0} ms, {} not within {} s",
            k.latencies.len(),
            percentile(&k.latencies, 0.5),
            percentile(&k.latencies, 0.99),
            k.errors,
            MAIL_PATIENCE.as_secs()
        );
    }
    if let Some(k) = stats.kinds.get_mut(JOURNEY_KIND) {
        k.latencies.sort_unstable();
        println!(
            "a new resident's way from the registration form to signed in (waits for 503 and for mail included): p50 {:.1} s, p99 {:.1} s",
            percentile(&k.latencies, 0.5) / 1000.0,
            percentile(&k.latencies, 0.99) / 1000.0
        );
    }
    let r = &shared.residents;
    let n = |c: &AtomicU64| c.load(Ordering::Relaxed);
    println!(
        "new residents (measured part): {} registered, {} verified their address, {} signed in with a password, {} added a passkey, {} signed in with it",
        n(&r.registered),
        n(&r.verified),
        n(&r.signed_in),
        n(&r.passkeys),
        n(&r.passkey_sign_ins)
    );
    let reasons: Vec<String> = names
        .iter()
        .chain(std::iter::once(&MAIL_KIND))
        .filter_map(|name| stats.kinds.get(name).map(|k| (name, k)))
        .flat_map(|(name, k)| k.reasons.iter().map(move |(reason, count)| format!("  {name}: {count} × {reason}")))
        .collect();
    if !reasons.is_empty() {
        println!("errors:");
        for line in reasons {
            println!("{line}");
        }
    }
    match bulk {
        Bulk::Off => {}
        Bulk::Missing => println!("bulk message: bulk endpoint missing (POST /api/v1/office/bulk-messages answered 404)"),
        Bulk::Failed(why) => println!("bulk message: could not start: {why}"),
        Bulk::Sent { started, last, polls, finished_seen } => {
            let sent = last.get("sent").and_then(Value::as_u64).unwrap_or(0);
            let status = last.get("status").and_then(Value::as_str).unwrap_or("?");
            let took = match (started, finished_seen) {
                (Some(s), Some(f)) => format!(", {} within {:.0} s of starting", status, (*f - *s).as_secs_f64()),
                _ => String::new(),
            };
            println!(
                "bulk message to everyone at {} a second: {sent} delivered during the run, status {status}{took}; progress read {polls} times",
                last.get("rate").and_then(Value::as_u64).unwrap_or(options.bulk_rate as u64)
            );
        }
    }
    if let Some(pid) = options.pid {
        let warm = clock.measure_from - clock.start;
        let after_warmup = samples.iter().find(|(t, _)| *t >= warm.as_secs_f64()).or(samples.first());
        match (after_warmup, samples.last()) {
            (Some((_, from)), Some((_, to))) => {
                let peak = samples.iter().map(|(_, k)| *k).max().unwrap_or(0);
                let growth = |a: u64, b: u64| (b as f64 - a as f64) / a.max(1) as f64 * 100.0;
                println!(
                    "server memory (pid {pid}, VmRSS each second): {} after warm-up, {} at the end ({:+.1}%), peak {}",
                    mib(*from),
                    mib(*to),
                    growth(*from, *to),
                    mib(peak)
                );
                // A password hash takes 19 MiB for a moment, so single samples jump: the
                // medians of the first and last ten seconds measured say more.
                let measured: Vec<u64> = samples.iter().filter(|(t, _)| *t >= warm.as_secs_f64()).map(|(_, k)| *k).collect();
                let median = |part: &[u64]| {
                    let mut v = part.to_vec();
                    v.sort_unstable();
                    v.get(v.len() / 2).copied().unwrap_or(0)
                };
                let window = measured.len().min(10);
                if window > 0 {
                    let (first, last) = (median(&measured[..window]), median(&measured[measured.len() - window..]));
                    println!(
                        "  medians of the first and last {window} s measured: {} and {} ({:+.1}%; goal < 10%)",
                        mib(first),
                        mib(last),
                        growth(first, last)
                    );
                }
            }
            _ => println!("server memory: pid {pid} could not be read"),
        }
        // The course of it: every ten seconds from the start of the warm-up.
        let course: Vec<String> = samples
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 10 == 0 || *i + 1 == samples.len())
            .map(|(_, (t, kib))| format!("{t:.0} s {:.0}", *kib as f64 / 1024.0))
            .collect();
        println!("  MiB by time: {}", course.join(", "));
        // What it is made of, every ten seconds: the heap (anonymous), mapped files, shared memory.
        let made_of: Vec<String> = parts
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 10 == 0 || *i + 1 == parts.len())
            .map(|(_, (t, r))| format!("{t:.0} s {:.0}/{:.0}/{:.0}", r.anon as f64 / 1024.0, r.file as f64 / 1024.0, r.shmem as f64 / 1024.0))
            .collect();
        println!("  of which anonymous/file/shared MiB: {}", made_of.join(", "));
    }
    let pool = shared.sessions.lock().map(|p| p.len()).unwrap_or(0);
    println!("reader sessions at the end: {pool}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_are_shared_out_by_weight() {
        assert_eq!(share_out(256, [55, 30, 15]), [141, 77, 38]);
        assert_eq!(share_out(32, [55, 30, 15]), [18, 9, 5]);
        assert_eq!(share_out(3, [98, 1, 1]), [1, 1, 1]);
        assert_eq!(share_out(10, [1, 0, 0]), [10, 0, 0]);
        assert_eq!(share_out(1, [55, 30, 15]), [1, 0, 0]);
    }

    #[test]
    fn cookies_are_kept_and_forgotten_as_set() {
        let mut headers = HeaderMap::new();
        headers.append(header::SET_COOKIE, "tamar_csrf=abc; Path=/; HttpOnly; SameSite=Strict".parse().unwrap());
        headers.append(header::SET_COOKIE, "tamar_session=s1; Path=/; Max-Age=43200".parse().unwrap());
        let mut jar = Jar::default();
        jar.update(&headers);
        assert_eq!(jar.header().as_deref(), Some("tamar_csrf=abc; tamar_session=s1"));
        let mut gone = HeaderMap::new();
        gone.append(header::SET_COOKIE, "tamar_session=; Path=/; Max-Age=0".parse().unwrap());
        jar.update(&gone);
        assert_eq!(jar.get("tamar_session"), None);
        assert_eq!(csrf_token(r#"<input type="hidden" name="csrf_token" value="f00d">"#).as_deref(), Some("f00d"));
    }
}
