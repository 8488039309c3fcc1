//! ID token signing keys (RS256), kept in the database so that every node signs with the same
//! key, and rotated without breaking relying parties that cache the JWKS.
//!
//! A key goes through three states, which follow from its times and the clock alone (so every
//! node agrees, and nothing has to run at the moment a state changes):
//!
//! - **next**: published in the JWKS from the moment it is made, but not signing yet, for
//!   [`ACTIVATION_DELAY`] (longer than [`JWKS_MAX_AGE`], the time relying parties may cache the
//!   JWKS), so that every cached copy has it before the first token it signs;
//! - **current**: the newest key whose activation time has come; it signs;
//! - **previous**: replaced by a newer current key, still published for [`KEEP_PUBLISHED`]
//!   so that tokens it signed can be checked; after that it is retired and no longer published.
//!
//! Every new key is logged in the ledger with whoever asked for it.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use sea_query::{Order, Query};
use serde::Serialize;
use tamar_core::Actor;
use tamar_ledger::LedgerEntry;
use tamar_store::{Db, Sealer, row, to_millis};

use crate::OidcError;

/// How long relying parties may cache the JWKS (its `Cache-Control: max-age`).
pub const JWKS_MAX_AGE: chrono::Duration = chrono::Duration::seconds(300);
/// How long a new key is published before it signs: twice the JWKS cache lifetime.
pub const ACTIVATION_DELAY: chrono::Duration = chrono::Duration::seconds(600);
/// How long a key signs before a new one is published to take over.
pub const ROTATE_AFTER: chrono::Duration = chrono::Duration::days(90);
/// How long a replaced key stays published.
pub const KEEP_PUBLISHED: chrono::Duration = chrono::Duration::days(2);

#[derive(Clone)]
struct Key {
    kid: String,
    private_der: Vec<u8>,
    n: String,
    e: String,
    created_at: DateTime<Utc>,
    activates_at: DateTime<Utc>,
}

/// Where a key is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyState {
    /// Published, signing from `signs_from`.
    Next,
    /// Signing.
    Current,
    /// Replaced, still published.
    Previous,
    /// No longer published.
    Retired,
}

/// A key as an administrator sees it.
#[derive(Clone, Debug)]
pub struct KeyInfo {
    pub kid: String,
    pub state: KeyState,
    /// When it was first published.
    pub published_at: DateTime<Utc>,
    /// When it signs (or signed) its first token.
    pub signs_from: DateTime<Utc>,
}

/// A JSON Web Key, as `/oidc/jwks` publishes it.
#[derive(Clone, Debug)]
pub struct Jwk {
    pub kty: &'static str,
    pub use_: &'static str,
    pub alg: &'static str,
    pub kid: String,
    pub n: String,
    pub e: String,
}

#[derive(Clone, Debug)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

/// The states of `keys` (sorted newest activation first) at `now`.
fn states(keys: &[Key], now: DateTime<Utc>) -> Vec<KeyState> {
    let mut out = Vec::with_capacity(keys.len());
    // When the nearest newer key that has started signing did so: this key's replacement.
    let mut replaced_at: Option<DateTime<Utc>> = None;
    for k in keys {
        let state = if k.activates_at > now {
            KeyState::Next
        } else {
            match replaced_at {
                None => KeyState::Current,
                Some(at) if now - at < KEEP_PUBLISHED => KeyState::Previous,
                Some(_) => KeyState::Retired,
            }
        };
        if k.activates_at <= now {
            replaced_at = Some(k.activates_at);
        }
        out.push(state);
    }
    out
}

pub struct SigningKeys;

/// A key made by [`SigningKeys::generate`], not yet stored.
pub struct NewKey {
    der: Vec<u8>,
    n: String,
    e: String,
}

impl std::fmt::Debug for NewKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewKey([private key redacted])")
    }
}

impl SigningKeys {
    /// The keys, latest activation first; private keys are unsealed only when `sealer` is given.
    async fn all(db: &Db, sealer: Option<&Sealer>) -> Result<Vec<Key>, OidcError> {
        let rows = db
            .fetch_all(
                &Query::select()
                    .columns(["kid", "private_der", "n", "e", "created_at", "activates_at"])
                    .from("oidc_keys")
                    .order_by("activates_at", Order::Desc)
                    .order_by("created_at", Order::Desc)
                    .to_owned(),
            )
            .await?;
        rows.iter()
            .map(|r| {
                let kid: String = row::get(r, "kid")?;
                // `private_der` holds the sealed key, as text bytes.
                let private_der = match sealer {
                    Some(sealer) => {
                        let stored = String::from_utf8(row::get(r, "private_der")?).map_err(|_| OidcError::Signing("a key is not sealed".into()))?;
                        sealer.open(&stored, &format!("oidc-key:{kid}"))?
                    }
                    None => Vec::new(),
                };
                let created_at = tamar_store::from_millis(row::get(r, "created_at")?);
                let activates_at = row::get::<Option<i64>>(r, "activates_at")?.map_or(created_at, tamar_store::from_millis);
                Ok(Key { kid, private_der, n: row::get(r, "n")?, e: row::get(r, "e")?, created_at, activates_at })
            })
            .collect()
    }

    /// Every key and its state, latest first.
    pub async fn keys(db: &Db, now: DateTime<Utc>) -> Result<Vec<KeyInfo>, OidcError> {
        let keys = Self::all(db, None).await?;
        Ok(keys
            .iter()
            .zip(states(&keys, now))
            .map(|(k, state)| KeyInfo { kid: k.kid.clone(), state, published_at: k.created_at, signs_from: k.activates_at })
            .collect())
    }

    /// A fresh RSA key, for [`SigningKeys::publish`]. It takes a while (up to seconds): callers
    /// on an async runtime run it where blocking is allowed.
    pub fn generate() -> Result<NewKey, OidcError> {
        let key = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).map_err(|e| OidcError::Signing(e.to_string()))?;
        let der = key.to_pkcs1_der().map_err(|e| OidcError::Signing(e.to_string()))?.as_bytes().to_vec();
        Ok(NewKey { der, n: B64URL.encode(key.n().to_bytes_be()), e: B64URL.encode(key.e().to_bytes_be()) })
    }

    /// Makes and publishes the next key: [`SigningKeys::generate`], then [`SigningKeys::publish`].
    pub async fn rotate(db: &Db, sealer: &Sealer, actor: &Actor, now: DateTime<Utc>) -> Result<KeyInfo, OidcError> {
        if let Some(next) = Self::waiting(db, now).await? {
            return Ok(next);
        }
        Self::publish(db, sealer, actor, Self::generate()?, now).await
    }

    async fn waiting(db: &Db, now: DateTime<Utc>) -> Result<Option<KeyInfo>, OidcError> {
        Ok(Self::keys(db, now).await?.into_iter().find(|k| k.state == KeyState::Next))
    }

    /// Publishes `key` as the next one, which signs from [`ACTIVATION_DELAY`] on; if a next key
    /// is already waiting, that one is returned and `key` is dropped. The very first key signs
    /// at once (no one can have cached a JWKS without it). Logged with `actor`.
    pub async fn publish(db: &Db, sealer: &Sealer, actor: &Actor, key: NewKey, now: DateTime<Utc>) -> Result<KeyInfo, OidcError> {
        if let Some(next) = Self::waiting(db, now).await? {
            return Ok(next);
        }
        let kid = uuid::Uuid::now_v7().simple().to_string();
        let mut tx = db.begin().await?;
        let first = tx.fetch_optional(&Query::select().column("kid").from("oidc_keys").limit(1).to_owned()).await?.is_none();
        let signs_from = if first { now } else { now + ACTIVATION_DELAY };
        tx.execute(
            &Query::insert()
                .into_table("oidc_keys")
                .columns(["kid", "private_der", "n", "e", "created_at", "activates_at"])
                .values_panic([
                    kid.clone().into(),
                    sealer.seal(&key.der, &format!("oidc-key:{kid}")).into_bytes().into(),
                    key.n.clone().into(),
                    key.e.clone().into(),
                    to_millis(now).into(),
                    to_millis(signs_from).into(),
                ])
                .to_owned(),
        )
        .await?;
        let why = if first { "make the first ID token signing key".to_owned() } else { format!("publish the next ID token signing key, which signs from {}", signs_from.to_rfc3339()) };
        tamar_ledger::record(&mut tx, &LedgerEntry::change(actor, "oidc.key.rotate", format!("oidc-key:{kid}"), now).because(why)).await?;
        tx.commit().await?;
        let state = if first { KeyState::Current } else { KeyState::Next };
        Ok(KeyInfo { kid, state, published_at: now, signs_from })
    }

    /// Makes the first key, or publishes the next one when the current key has signed for
    /// [`ROTATE_AFTER`]. Each node runs this at start and then every hour.
    pub async fn ensure(db: &Db, sealer: &Sealer, now: DateTime<Utc>) -> Result<(), OidcError> {
        let keys = Self::keys(db, now).await?;
        let current = keys.iter().find(|k| k.state == KeyState::Current);
        let waiting = keys.iter().any(|k| k.state == KeyState::Next);
        if !waiting && current.is_none_or(|k| now - k.signs_from > ROTATE_AFTER) {
            Self::rotate(db, sealer, &Actor::System, now).await?;
        }
        Ok(())
    }

    /// The keys to publish: the next one, the current one, and the ones it replaced recently.
    pub async fn jwks(db: &Db, now: DateTime<Utc>) -> Result<Jwks, OidcError> {
        let keys = Self::all(db, None).await?;
        let published = keys
            .iter()
            .zip(states(&keys, now))
            .filter(|(_, state)| *state != KeyState::Retired)
            .map(|(k, _)| Jwk { kty: "RSA", use_: "sig", alg: "RS256", kid: k.kid.clone(), n: k.n.clone(), e: k.e.clone() })
            .collect();
        Ok(Jwks { keys: published })
    }

    /// Signs claims with the current key.
    pub async fn sign<T: Serialize>(db: &Db, sealer: &Sealer, now: DateTime<Utc>, claims: &T) -> Result<String, OidcError> {
        let keys = Self::all(db, Some(sealer)).await?;
        let states = states(&keys, now);
        let key = keys
            .into_iter()
            .zip(states)
            .find_map(|(k, state)| (state == KeyState::Current).then_some(k))
            .ok_or_else(|| OidcError::Signing("no signing key".into()))?;
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(key.kid);
        jsonwebtoken::encode(&header, claims, &EncodingKey::from_rsa_der(&key.private_der)).map_err(|e| OidcError::Signing(e.to_string()))
    }

    /// Checks a token this provider signed (an `id_token_hint`), whatever its expiry.
    pub async fn verify(db: &Db, token: &str, issuer: &str) -> Result<serde_json::Value, OidcError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| OidcError::InvalidToken)?;
        let kid = header.kid.ok_or(OidcError::InvalidToken)?;
        let key = Self::all(db, None).await?.into_iter().find(|k| k.kid == kid).ok_or(OidcError::InvalidToken)?;
        let decoding = DecodingKey::from_rsa_components(&key.n, &key.e).map_err(|_| OidcError::InvalidToken)?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.set_issuer(&[issuer]);
        validation.set_required_spec_claims(&["iss", "sub", "aud"]);
        jsonwebtoken::decode::<serde_json::Value>(token, &decoding, &validation)
            .map(|data| data.claims)
            .map_err(|_| OidcError::InvalidToken)
    }
}
