//! Relying parties: department systems and apps that sign people in with Tamar. Only platform
//! administrators register them.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use rand::RngCore;
use sea_query::{Expr, ExprTrait, Query};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tamar_core::{Actor, Lang, LocalizedText};
use tamar_ledger::{Ledger, LedgerEntry};
use tamar_store::{AnyRow, Db, row, to_millis};

use crate::{OidcError, SCOPES};

/// What a platform administrator registers.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewClient {
    pub name: LocalizedText,
    /// Why the service asks for people's details: shown on the consent screen.
    pub purpose: LocalizedText,
    /// Exact redirect URIs (https, or http on localhost for development).
    pub redirect_uris: Vec<String>,
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
    /// The scopes it may ask for, among openid, profile, email, hkid, birthdate.
    pub scopes: Vec<String>,
}

/// A registered client, without its secret.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Client {
    pub client_id: String,
    pub name: LocalizedText,
    pub purpose: LocalizedText,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub scopes: Vec<String>,
    /// Pairwise subjects are computed per sector: the host of the redirect URIs.
    pub sector: String,
}

/// The answer to a registration: the secret is shown this once.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RegisteredClient {
    #[serde(flatten)]
    pub client: Client,
    pub client_secret: String,
}

fn valid_redirect(uri: &str) -> Option<String> {
    let (scheme, rest) = uri.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?.rsplit('@').next()?;
    let hostname = host.rsplit_once(':').map_or(host, |(h, _)| h);
    let local = matches!(hostname, "localhost" | "127.0.0.1" | "[::1]");
    let ok = (scheme == "https" || scheme == "http" && local)
        && !hostname.is_empty()
        && !uri.contains('#')
        && !uri.chars().any(|c| c.is_whitespace() || c.is_control())
        && uri.len() <= 500;
    ok.then(|| hostname.to_owned())
}

fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Registers a client; returns it with its secret.
pub async fn register(db: &Db, ledger: &Ledger, actor: &Actor, new: NewClient) -> Result<RegisteredClient, OidcError> {
    if !matches!(actor, Actor::PlatformAdmin { .. } | Actor::System) {
        return Err(OidcError::Forbidden);
    }
    for (field, text) in [("name", &new.name), ("purpose", &new.purpose)] {
        for t in [&text.en, &text.tc, &text.sc] {
            if t.trim().is_empty() || t.chars().count() > 500 || t.chars().any(char::is_control) {
                return Err(OidcError::Invalid { field, reason: "1 to 500 characters in each language" });
            }
        }
    }
    if new.redirect_uris.is_empty() || new.redirect_uris.len() > 10 {
        return Err(OidcError::Invalid { field: "redirect_uris", reason: "1 to 10 addresses" });
    }
    let mut hosts = Vec::new();
    for uri in new.redirect_uris.iter().chain(&new.post_logout_redirect_uris) {
        hosts.push(valid_redirect(uri).ok_or(OidcError::Invalid { field: "redirect_uris", reason: "https addresses without fragments" })?);
    }
    let sector = hosts[0].clone();
    if !new.scopes.iter().any(|s| s == "openid") || !new.scopes.iter().all(|s| SCOPES.iter().any(|(name, _)| name == s)) {
        return Err(OidcError::Invalid { field: "scopes", reason: "openid, and only known scopes" });
    }
    let mut raw = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    let client_secret = B64URL.encode(raw);
    let client_id = format!("tamar-{}", uuid::Uuid::now_v7().simple());
    let client = Client {
        client_id: client_id.clone(),
        name: new.name,
        purpose: new.purpose,
        redirect_uris: new.redirect_uris,
        post_logout_redirect_uris: new.post_logout_redirect_uris,
        scopes: new.scopes,
        sector,
    };
    let json = |v: &Vec<String>| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
    let now = ledger.now();
    let mut tx = db.begin().await?;
    tx.execute(
        &Query::insert()
            .into_table("oidc_clients")
            .columns([
                "client_id", "secret_hash", "name_en", "name_tc", "name_sc", "purpose_en", "purpose_tc", "purpose_sc", "redirect_uris",
                "post_logout_redirect_uris", "scopes", "sector", "created_at",
            ])
            .values_panic([
                client_id.clone().into(),
                hash_secret(&client_secret).into(),
                client.name.en.clone().into(),
                client.name.tc.clone().into(),
                client.name.sc.clone().into(),
                client.purpose.en.clone().into(),
                client.purpose.tc.clone().into(),
                client.purpose.sc.clone().into(),
                json(&client.redirect_uris).into(),
                json(&client.post_logout_redirect_uris).into(),
                client.scopes.join(" ").into(),
                client.sector.clone().into(),
                to_millis(now).into(),
            ])
            .to_owned(),
    )
    .await?;
    let entry = LedgerEntry::change(actor, "oidc.client.register", format!("oidc-client:{client_id}"), now).because("register a relying party");
    tamar_ledger::record(&mut tx, &entry).await?;
    tx.commit().await?;
    ledger.notify();
    Ok(RegisteredClient { client, client_secret })
}

fn from_row(r: &AnyRow) -> Result<Client, OidcError> {
    let list = |c: &str| -> Result<Vec<String>, OidcError> {
        let text: String = row::get(r, c)?;
        serde_json::from_str(&text).map_err(|_| OidcError::Store(tamar_store::StoreError::Corrupt(c.into())))
    };
    let scopes: String = row::get(r, "scopes")?;
    Ok(Client {
        client_id: row::get(r, "client_id")?,
        name: LocalizedText::new(row::get::<String>(r, "name_en")?, row::get::<String>(r, "name_tc")?, row::get::<String>(r, "name_sc")?),
        purpose: LocalizedText::new(
            row::get::<String>(r, "purpose_en")?,
            row::get::<String>(r, "purpose_tc")?,
            row::get::<String>(r, "purpose_sc")?,
        ),
        redirect_uris: list("redirect_uris")?,
        post_logout_redirect_uris: list("post_logout_redirect_uris")?,
        scopes: scopes.split(' ').map(str::to_owned).collect(),
        sector: row::get(r, "sector")?,
    })
}

const COLUMNS: [&str; 12] = [
    "client_id", "name_en", "name_tc", "name_sc", "purpose_en", "purpose_tc", "purpose_sc", "redirect_uris",
    "post_logout_redirect_uris", "scopes", "sector", "secret_hash",
];

pub async fn find(db: &Db, client_id: &str) -> Result<Option<Client>, OidcError> {
    if client_id.len() > 100 {
        return Ok(None);
    }
    let found = db.fetch_optional(&Query::select().columns(COLUMNS).from("oidc_clients").and_where(Expr::col("client_id").eq(client_id)).to_owned()).await?;
    found.as_ref().map(from_row).transpose()
}

pub async fn list(db: &Db) -> Result<Vec<Client>, OidcError> {
    let rows = db.fetch_all(&Query::select().columns(COLUMNS).from("oidc_clients").order_by("created_at", sea_query::Order::Asc).to_owned()).await?;
    rows.iter().map(from_row).collect()
}

/// Checks a client's credentials (client_secret_basic or client_secret_post).
pub async fn authenticate(db: &Db, client_id: &str, secret: &str) -> Result<Client, OidcError> {
    let found = db
        .fetch_optional(&Query::select().columns(COLUMNS).from("oidc_clients").and_where(Expr::col("client_id").eq(client_id)).to_owned())
        .await?
        .ok_or(OidcError::InvalidClient)?;
    let stored: String = row::get(&found, "secret_hash")?;
    let given = hash_secret(secret);
    let same = stored.len() == given.len() && stored.bytes().zip(given.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
    if !same {
        return Err(OidcError::InvalidClient);
    }
    from_row(&found)
}

impl Client {
    pub fn display_name(&self, lang: Lang) -> &str {
        self.name.get(lang)
    }
}
