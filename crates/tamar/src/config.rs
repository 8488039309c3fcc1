//! Typed configuration, loaded once: defaults, then a TOML file (`--config`), then `TAMAR_*`
//! environment variables (nested keys with `__`, e.g. `TAMAR_BLOBS__KIND=s3`), then the command
//! line. Unknown keys are rejected; secrets never appear in `Debug`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use tamar_store::BlobConfig;

#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The data folder: the SQLite file, blobs and keys.
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
    #[serde(default = "default_addr")]
    pub addr: SocketAddr,
    /// `sqlite://...` or `postgres://...`; SQLite in the data folder by default.
    #[serde(default)]
    pub database_url: Option<SecretString>,
    /// Where files go; a `blobs` folder in the data folder by default.
    #[serde(default)]
    pub blobs: Option<BlobConfig>,
    /// Where email goes; an `outbox` folder of `.eml` files in the data folder by default.
    #[serde(default)]
    pub mail: Option<tamar_notify::MailConfig>,
    /// The sender of Tamar's email.
    #[serde(default = "default_mail_from")]
    pub mail_from: String,
    /// The address people reach Tamar at, for links in email; `http://{addr}` by default.
    #[serde(default)]
    pub public_url: Option<String>,
    /// The key of the HKID hash (64 hex digits); a key file in the data folder by default.
    /// Every node of one deployment must use the same key.
    #[serde(default)]
    pub hkid_hmac_key: Option<SecretString>,
    /// The key that seals secrets kept in the database (64 hex digits); a key file in the data
    /// folder by default. Every node of one deployment must use the same key.
    #[serde(default)]
    pub sealing_key: Option<SecretString>,
    /// The ledger's Ed25519 tree-head signing key (64 hex digits, made on first use); a file
    /// in the data folder by default. Relative paths are taken inside the data folder. Keep
    /// it apart from the data, so that a copy of the data folder cannot sign tree heads.
    #[serde(default)]
    pub ledger_key_file: Option<PathBuf>,
    /// The append-only file each new checkpoint of the ledger is added to;
    /// `ledger-checkpoints.txt` in the data folder by default. Relative paths are taken
    /// inside the data folder.
    #[serde(default)]
    pub ledger_checkpoint_file: Option<PathBuf>,
    /// The ledger's name in its checkpoints and note key, e.g. `www.example.gov/ledger`;
    /// by default `public_url` without its scheme, then `/ledger` (`tamar.localhost/ledger`
    /// without a `public_url`). Witnesses know the log by it: set it once.
    #[serde(default)]
    pub ledger_origin: Option<String>,
    /// Mark cookies Secure (and name them `__Host-`): set when users reach Tamar over HTTPS.
    /// An `https://` public URL sets it too.
    #[serde(default)]
    pub secure_cookies: bool,
    /// The bearer token Prometheus gives to read `/metrics`. Without one, only requests from
    /// this machine's loopback addresses may read the metrics.
    #[serde(default)]
    pub metrics_token: Option<SecretString>,
    #[serde(default = "default_timeout")]
    pub request_timeout_secs: u64,
    #[serde(default = "default_body_limit")]
    pub body_limit_bytes: usize,
    /// Password hashes computed at once (sign-ins, registrations, password changes); by
    /// default half the cores, at least one, so that the rest keep serving pages.
    #[serde(default)]
    pub hashing_workers: Option<usize>,
    /// Password hashes that may wait for a worker; one more is answered 503 `busy` with
    /// `Retry-After` at once. By default 16 per worker.
    #[serde(default)]
    pub hashing_queue: Option<usize>,
    #[serde(default)]
    pub log_format: LogFormat,
    /// A tracing filter, e.g. `info` or `tamar_web=debug,info`.
    #[serde(default = "default_log_level")]
    pub log_level: String,
}

fn default_data_dir() -> PathBuf {
    PathBuf::from("tamar-data")
}
fn default_addr() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8080))
}
fn default_mail_from() -> String {
    "Tamar <no-reply@tamar.localhost>".into()
}
fn default_timeout() -> u64 {
    30
}
fn default_body_limit() -> usize {
    2 * 1024 * 1024
}
impl Config {
    /// How much password hashing this node takes on.
    pub fn hashing_limits(&self) -> tamar_identity::HashingLimits {
        let default = tamar_identity::HashingLimits::default();
        let workers = self.hashing_workers.unwrap_or(default.workers).max(1);
        tamar_identity::HashingLimits { workers, queue: self.hashing_queue.unwrap_or(workers * 16) }
    }
}

fn default_log_level() -> String {
    "info".into()
}

/// Values given on the command line, which win over everything else.
#[derive(Default)]
pub struct Overrides {
    pub addr: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
}

impl Config {
    pub fn load(file: Option<&Path>, overrides: Overrides) -> Result<Config, Box<figment::Error>> {
        let mut figment = Figment::new();
        if let Some(file) = file {
            figment = figment.merge(Toml::file_exact(file));
        }
        // TAMAR_TEST_* variables belong to the test suite, not to the server.
        figment = figment.merge(Env::prefixed("TAMAR_").filter(|key| !key.as_str().to_ascii_lowercase().starts_with("test_")).split("__"));
        if let Some(addr) = overrides.addr {
            figment = figment.merge(Serialized::default("addr", addr.to_string()));
        }
        if let Some(dir) = overrides.data_dir {
            figment = figment.merge(Serialized::default("data_dir", dir));
        }
        figment.extract().map_err(Box::new)
    }

    /// The configuration a TOML text alone gives, without the environment: what `load` makes
    /// of a configuration file.
    pub fn from_toml(text: &str) -> Result<Config, Box<figment::Error>> {
        Figment::new().merge(Toml::string(text)).extract().map_err(Box::new)
    }

    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.expose_secret().to_owned(),
            None => format!("sqlite://{}?mode=rwc", self.data_dir.join("tamar.db").display()),
        }
    }

    pub fn blobs(&self) -> BlobConfig {
        match &self.blobs {
            Some(BlobConfig::Local { path }) if path.is_relative() => BlobConfig::Local { path: self.data_dir.join(path) },
            Some(other) => other.clone(),
            None => BlobConfig::Local { path: self.data_dir.join("blobs") },
        }
    }

    pub fn mail(&self) -> tamar_notify::MailConfig {
        match &self.mail {
            Some(tamar_notify::MailConfig::Outbox { path }) if path.is_relative() => {
                tamar_notify::MailConfig::Outbox { path: self.data_dir.join(path) }
            }
            Some(other) => other.clone(),
            None => tamar_notify::MailConfig::Outbox { path: self.data_dir.join("outbox") },
        }
    }

    /// Whether cookies are marked Secure: when asked to, or when people reach Tamar over HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.secure_cookies || self.public_url().to_ascii_lowercase().starts_with("https://")
    }

    pub fn public_url(&self) -> String {
        self.public_url.clone().unwrap_or_else(|| {
            if self.addr.ip().is_loopback() { format!("http://localhost:{}", self.addr.port()) } else { format!("http://{}", self.addr) }
        })
    }

    /// The HKID key from configuration, else from its file in the data folder.
    pub fn hkid_key(&self) -> std::io::Result<[u8; 32]> {
        key_from(self.hkid_hmac_key.as_ref(), "hkid_hmac_key", &self.data_dir.join("keys").join("hkid-hmac.key"))
    }

    /// The sealing key from configuration, else from its file in the data folder.
    pub fn sealing_key(&self) -> std::io::Result<[u8; 32]> {
        key_from(self.sealing_key.as_ref(), "sealing_key", &self.data_dir.join("keys").join("sealing.key"))
    }

    pub fn ledger_key_path(&self) -> PathBuf {
        match &self.ledger_key_file {
            Some(path) => self.data_dir.join(path),
            None => self.data_dir.join("keys").join("ledger-ed25519.key"),
        }
    }

    pub fn ledger_checkpoint_path(&self) -> PathBuf {
        self.data_dir.join(self.ledger_checkpoint_file.as_deref().unwrap_or(Path::new("ledger-checkpoints.txt")))
    }

    /// The configured origin, or one made from `public_url`.
    pub fn ledger_origin(&self) -> String {
        if let Some(origin) = &self.ledger_origin {
            return origin.clone();
        }
        match &self.public_url {
            Some(url) => {
                let host_and_path = url.split_once("://").map_or(url.as_str(), |(_, rest)| rest).trim_end_matches('/');
                format!("{host_and_path}/ledger")
            }
            None => tamar_ledger::DEFAULT_ORIGIN.to_owned(),
        }
    }

    pub fn csrf_key_path(&self) -> PathBuf {
        self.data_dir.join("keys").join("csrf.key")
    }
}

/// A 32-byte key: 64 hex digits from configuration, or a key file made on first use.
fn key_from(configured: Option<&SecretString>, name: &str, file: &Path) -> std::io::Result<[u8; 32]> {
    match configured {
        Some(hex) => hex_key(hex.expose_secret(), name),
        None => tamar_store::load_or_create_secret(file),
    }
}

/// A key given as exactly 64 hex digits (surrounding whitespace aside); nothing else, not even
/// a sign, is taken for a digit.
pub fn hex_key(text: &str, name: &str) -> std::io::Result<[u8; 32]> {
    let mut key = [0u8; 32];
    hex::decode_to_slice(text.trim(), &mut key)
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{name}: expected 64 hex digits")))?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn secrets_are_hidden_in_debug() {
        let dir = std::env::temp_dir().join(format!("tamar-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("c.toml");
        std::fs::write(
            &file,
            "database_url = \"postgres://tamar:hunter2@db/tamar\"\n[blobs]\nkind = \"s3\"\nbucket = \"b\"\naccess_key_id = \"AK\"\nsecret_access_key = \"s3cr3t\"\n",
        )
        .unwrap();
        let config = Config::load(Some(&file), Overrides::default()).unwrap();
        let shown = format!("{config:?}");
        assert!(!shown.contains("hunter2") && !shown.contains("s3cr3t"), "{shown}");
        assert_eq!(config.database_url(), "postgres://tamar:hunter2@db/tamar");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn cookies_are_secure_when_people_reach_tamar_over_https() {
        let dir = std::env::temp_dir().join(format!("tamar-config-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("c.toml");
        for (text, secure) in [
            ("", false),
            ("public_url = \"http://localhost:8080\"\n", false),
            ("public_url = \"https://www.example.gov.hk\"\n", true),
            ("public_url = \"HTTPS://www.example.gov.hk\"\n", true),
            ("secure_cookies = true\n", true),
        ] {
            std::fs::write(&file, format!("{text}metrics_token = \"prom-secret\"\n")).unwrap();
            let config = Config::load(Some(&file), Overrides::default()).unwrap();
            assert_eq!(config.secure_cookies(), secure, "{text}");
            assert!(!format!("{config:?}").contains("prom-secret"), "the metrics token is a secret");
        }
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn keys_are_exactly_64_hex_digits() {
        let good = "00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF";
        assert_eq!(hex_key(good, "k").unwrap()[1], 0x11);
        assert!(hex_key(&format!(" {good}\n"), "k").is_ok(), "whitespace around the key is ignored");
        // `u8::from_str_radix` would take "+f" for 15: a sign is not a digit.
        let signed = format!("+f{}", &good[2..]);
        for bad in [&good[..62], &signed, &format!("{good}00"), "zz", ""] {
            let error = hex_key(bad, "sealing_key").unwrap_err();
            assert_eq!(error.to_string(), "sealing_key: expected 64 hex digits", "{bad}");
        }
        let config = Config::from_toml("sealing_key = \"+f112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\"").unwrap();
        assert!(config.sealing_key().is_err());
        assert!(Config::from_toml("no_such_key = 1").is_err(), "unknown keys are refused");
    }

    #[test]
    fn ledger_places_and_origin() {
        let config = Config::load(None, Overrides { addr: None, data_dir: Some("/srv/tamar".into()) }).unwrap();
        assert_eq!(config.ledger_key_path(), PathBuf::from("/srv/tamar/keys/ledger-ed25519.key"));
        assert_eq!(config.ledger_checkpoint_path(), PathBuf::from("/srv/tamar/ledger-checkpoints.txt"));
        assert_eq!(config.ledger_origin(), "tamar.localhost/ledger");
        let config = Config {
            ledger_key_file: Some("/etc/tamar/ledger.key".into()),
            ledger_checkpoint_file: Some("log/checkpoints.txt".into()),
            public_url: Some("https://www.tamar.example/".into()),
            ..config
        };
        // Absolute paths stand; relative ones are inside the data folder.
        assert_eq!(config.ledger_key_path(), PathBuf::from("/etc/tamar/ledger.key"));
        assert_eq!(config.ledger_checkpoint_path(), PathBuf::from("/srv/tamar/log/checkpoints.txt"));
        assert_eq!(config.ledger_origin(), "www.tamar.example/ledger");
        assert_eq!(Config { ledger_origin: Some("gov.example/log".into()), ..config }.ledger_origin(), "gov.example/log");
    }
}
