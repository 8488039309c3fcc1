//! ID token signing keys (RS256), kept in the database so that every node signs with the same
//! key, and rotated: the newest key signs, older ones stay in the JWKS until tokens they signed
//! have expired.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use sea_query::{Order, Query};
use serde::Serialize;
use tamar_store::{Db, Sealer, row, to_millis};

use crate::OidcError;

/// How long a key signs before a new one takes over.
pub const ROTATE_AFTER: chrono::Duration = chrono::Duration::days(90);
/// How long a retired key stays published.
pub const KEEP_PUBLISHED: chrono::Duration = chrono::Duration::days(2);

#[derive(Clone)]
struct Key {
    kid: String,
    private_der: Vec<u8>,
    n: String,
    e: String,
    created_at: chrono::DateTime<chrono::Utc>,
}

/// A JSON Web Key, as `/oidc/jwks` publishes it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Jwk {
    pub kty: &'static str,
    #[serde(rename = "use")]
    pub use_: &'static str,
    pub alg: &'static str,
    pub kid: String,
    pub n: String,
    pub e: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

pub struct SigningKeys;

impl SigningKeys {
    /// The keys, newest first; private keys are unsealed only when `sealer` is given.
    async fn all(db: &Db, sealer: Option<&Sealer>) -> Result<Vec<Key>, OidcError> {
        let rows = db
            .fetch_all(
                &Query::select()
                    .columns(["kid", "private_der", "n", "e", "created_at"])
                    .from("oidc_keys")
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
                Ok(Key {
                    kid,
                    private_der,
                    n: row::get(r, "n")?,
                    e: row::get(r, "e")?,
                    created_at: tamar_store::from_millis(row::get(r, "created_at")?),
                })
            })
            .collect()
    }

    /// Makes a new signing key, which signs from now on.
    pub async fn rotate(db: &Db, sealer: &Sealer, now: chrono::DateTime<chrono::Utc>) -> Result<String, OidcError> {
        let key = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).map_err(|e| OidcError::Signing(e.to_string()))?;
        let der = key.to_pkcs1_der().map_err(|e| OidcError::Signing(e.to_string()))?.as_bytes().to_vec();
        let kid = uuid::Uuid::now_v7().simple().to_string();
        db.execute(
            &Query::insert()
                .into_table("oidc_keys")
                .columns(["kid", "private_der", "n", "e", "created_at"])
                .values_panic([
                    kid.clone().into(),
                    sealer.seal(&der, &format!("oidc-key:{kid}")).into_bytes().into(),
                    B64URL.encode(key.n().to_bytes_be()).into(),
                    B64URL.encode(key.e().to_bytes_be()).into(),
                    to_millis(now).into(),
                ])
                .to_owned(),
        )
        .await?;
        Ok(kid)
    }

    /// Makes the first key, or a new one when the newest is due for rotation.
    pub async fn ensure(db: &Db, sealer: &Sealer, now: chrono::DateTime<chrono::Utc>) -> Result<(), OidcError> {
        let keys = Self::all(db, None).await?;
        if keys.first().is_none_or(|k| now - k.created_at > ROTATE_AFTER) {
            Self::rotate(db, sealer, now).await?;
        }
        Ok(())
    }

    /// The keys to publish: the newest, and the ones it replaced recently.
    pub async fn jwks(db: &Db, now: chrono::DateTime<chrono::Utc>) -> Result<Jwks, OidcError> {
        let keys = Self::all(db, None).await?;
        let mut published = Vec::new();
        let mut newer: Option<chrono::DateTime<chrono::Utc>> = None;
        for k in keys {
            // A key retired (replaced) longer ago than KEEP_PUBLISHED signs nothing still valid.
            if newer.is_none_or(|replaced| now - replaced < KEEP_PUBLISHED) {
                published.push(Jwk { kty: "RSA", use_: "sig", alg: "RS256", kid: k.kid.clone(), n: k.n.clone(), e: k.e.clone() });
            }
            newer = Some(k.created_at);
        }
        Ok(Jwks { keys: published })
    }

    /// Signs claims with the newest key.
    pub async fn sign<T: Serialize>(db: &Db, sealer: &Sealer, claims: &T) -> Result<String, OidcError> {
        let key = Self::all(db, Some(sealer)).await?.into_iter().next().ok_or_else(|| OidcError::Signing("no signing key".into()))?;
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
        validation.set_required_spec_claims(&["iss", "sub"]);
        jsonwebtoken::decode::<serde_json::Value>(token, &decoding, &validation)
            .map(|data| data.claims)
            .map_err(|_| OidcError::InvalidToken)
    }
}
