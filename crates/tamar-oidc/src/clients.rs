//! Relying parties: department systems and apps that sign people in with Tamar. Only platform
//! administrators register them.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use rand::RngCore;
use sea_query::{Expr, ExprTrait, Query};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tamar_core::{Actor, Lang, LocalizedText, Rule};
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
    /// Needed when the redirect URIs are on more than one host: the https URI whose host is
    /// the client's sector, so that all its redirect URIs get the same pairwise subjects
    /// (OpenID Connect Core §8.1). Tamar does not fetch it: the platform administrator who
    /// registers the client vouches that the redirect URIs belong to that sector.
    #[serde(default)]
    pub sector_identifier_uri: Option<String>,
}

/// A registered client, without its secret.
#[derive(Clone, Debug)]
pub struct Client {
    pub client_id: String,
    pub name: LocalizedText,
    pub purpose: LocalizedText,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub scopes: Vec<String>,
    /// Pairwise subjects are computed per sector: the host of the redirect URIs, or of the
    /// sector identifier URI.
    pub sector: String,
    pub sector_identifier_uri: Option<String>,
}

/// The answer to a registration: the secret is shown this once.
#[derive(Clone, Debug)]
pub struct RegisteredClient {
    pub client: Client,
    pub client_secret: String,
}

/// The host of an address Tamar may send people to (or that names a sector): https, or http on
/// this machine for development; no fragment, no user name or password, no spaces.
fn valid_redirect(uri: &str) -> Option<String> {
    if uri.len() > 500 || uri.contains('#') || uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let parsed = url::Url::parse(uri).ok()?;
    let host = parsed.host_str().filter(|h| !h.is_empty())?.to_owned();
    let local = matches!(host.as_str(), "localhost" | "127.0.0.1" | "[::1]");
    let ok = (parsed.scheme() == "https" || parsed.scheme() == "http" && local)
        && parsed.username().is_empty()
        && parsed.password().is_none()
        && parsed.fragment().is_none();
    ok.then_some(host)
}

/// The sector of a client's pairwise subjects (OpenID Connect Core §8.1): the host of its
/// sector identifier URI if it has one, else the one host that all its redirect URIs share.
fn sector_of(redirect_hosts: &[String], sector_identifier_uri: Option<&str>) -> Result<String, OidcError> {
    if let Some(uri) = sector_identifier_uri {
        return valid_redirect(uri).ok_or(OidcError::Invalid { field: "sector_identifier_uri", rule: Rule::Format, reason: "an https address" });
    }
    match redirect_hosts.split_first() {
        Some((first, rest)) if rest.iter().all(|h| h == first) => Ok(first.clone()),
        Some(_) => Err(OidcError::SectorIdentifierRequired),
        None => Err(OidcError::Invalid { field: "redirect_uris", rule: Rule::OutOfRange, reason: "1 to 10 addresses" }),
    }
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
                return Err(OidcError::Invalid { field, rule: Rule::TooLong, reason: "1 to 500 characters in each language" });
            }
        }
    }
    if new.redirect_uris.is_empty() || new.redirect_uris.len() > 10 {
        return Err(OidcError::Invalid { field: "redirect_uris", rule: Rule::OutOfRange, reason: "1 to 10 addresses" });
    }
    let mut hosts = Vec::new();
    for uri in &new.redirect_uris {
        hosts.push(valid_redirect(uri).ok_or(OidcError::Invalid { field: "redirect_uris", rule: Rule::Format, reason: "https addresses without fragments" })?);
    }
    if new.post_logout_redirect_uris.len() > 10 || new.post_logout_redirect_uris.iter().any(|uri| valid_redirect(uri).is_none()) {
        return Err(OidcError::Invalid { field: "post_logout_redirect_uris", rule: Rule::Format, reason: "at most 10 https addresses without fragments" });
    }
    let sector = sector_of(&hosts, new.sector_identifier_uri.as_deref())?;
    if !new.scopes.iter().any(|s| s == "openid") || !new.scopes.iter().all(|s| SCOPES.iter().any(|(name, _)| name == s)) {
        return Err(OidcError::Invalid { field: "scopes", rule: Rule::UnknownValue, reason: "openid, and only known scopes" });
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
        sector_identifier_uri: new.sector_identifier_uri,
    };
    let json = |v: &Vec<String>| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
    let now = ledger.now();
    let mut tx = db.begin().await?;
    tx.execute(
        &Query::insert()
            .into_table("oidc_clients")
            .columns([
                "client_id", "secret_hash", "name_en", "name_tc", "name_sc", "purpose_en", "purpose_tc", "purpose_sc", "redirect_uris",
                "post_logout_redirect_uris", "scopes", "sector", "sector_identifier_uri", "created_at",
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
                client.sector_identifier_uri.clone().into(),
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
        sector_identifier_uri: row::get(r, "sector_identifier_uri")?,
    })
}

const COLUMNS: [&str; 13] = [
    "client_id", "name_en", "name_tc", "name_sc", "purpose_en", "purpose_tc", "purpose_sc", "redirect_uris",
    "post_logout_redirect_uris", "scopes", "sector", "sector_identifier_uri", "secret_hash",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sector_is_the_one_host_of_the_redirect_uris_or_the_sector_identifiers() {
        let hosts = |uris: &[&str]| uris.iter().map(|u| valid_redirect(u).unwrap_or_default()).collect::<Vec<_>>();
        assert_eq!(sector_of(&hosts(&["https://a.example.hk/cb", "https://A.example.hk/other"]), None).ok().as_deref(), Some("a.example.hk"));
        assert!(matches!(sector_of(&hosts(&["https://a.example.hk/cb", "https://b.example.hk/cb"]), None), Err(OidcError::SectorIdentifierRequired)));
        let sector = sector_of(&hosts(&["https://a.example.hk/cb", "https://b.example.hk/cb"]), Some("https://sector.example.hk/uris.json"));
        assert_eq!(sector.ok().as_deref(), Some("sector.example.hk"));
        assert!(sector_of(&hosts(&["https://a.example.hk/cb"]), Some("http://sector.example.hk/")).is_err(), "https only");
        // A user name before the host does not make another host the sector.
        assert_eq!(valid_redirect("https://a.example.hk@b.example.hk/cb"), None);
        assert_eq!(valid_redirect("http://localhost:8000/cb").as_deref(), Some("localhost"));
        assert_eq!(valid_redirect("http://a.example.hk/cb"), None);
        assert_eq!(valid_redirect("https://a.example.hk/cb#x"), None);
    }
}
