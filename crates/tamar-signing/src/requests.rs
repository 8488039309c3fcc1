//! Signing requests: a service asks, the person confirms the short code and signs, the service
//! collects the signature.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use rand::Rng;
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair};
use sea_query::{Expr, ExprTrait, Query};
use serde::Deserialize;
use tamar_core::{AccountId, Actor, LocalizedText, Rule};
use tamar_identity::{Account, Assurance};
use tamar_ledger::{Ledger, LedgerEntry};
use tamar_oidc::Client;
use tamar_store::{Db, StoreError, row, to_millis};

use crate::authority::pem;
use crate::{SigningAuthority, SigningError};

pub const REQUEST_TTL: chrono::Duration = chrono::Duration::minutes(10);

/// What a service sends to ask for a signature.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSigningRequest {
    /// SHA-256 of the document, 64 hexadecimal digits.
    #[schema(pattern = "^[0-9a-fA-F]{64}$")]
    pub document_hash: String,
    /// The document's name, shown to the person.
    #[schema(min_length = 1, max_length = 200)]
    pub document_name: String,
}

/// The answer to a service: show `short_code` to the person and send them to `approve_path`.
#[derive(Clone, Debug)]
pub struct SigningRequest {
    pub id: String,
    pub short_code: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// A request as the person sees it before signing.
#[derive(Clone, Debug)]
pub struct RequestForPerson {
    pub id: String,
    pub client_name: LocalizedText,
    pub document_name: String,
    pub document_hash: String,
    pub short_code: String,
    pub status: String,
    pub expired: bool,
}

/// What the service collects.
#[derive(Clone, Debug)]
pub struct SigningOutcome {
    pub id: String,
    /// pending, signed, declined or expired.
    pub status: String,
    /// DER ECDSA P-256 signature over the 32-byte document hash, base64.
    pub signature: Option<String>,
    /// The signer's certificate, PEM.
    pub certificate: Option<String>,
    /// The signer's pairwise subject at this service, as in its ID tokens.
    pub sub: Option<String>,
}

fn digest_of(hex_text: &str) -> Result<Vec<u8>, SigningError> {
    let bytes = hex::decode(hex_text.trim()).map_err(|_| SigningError::Invalid { field: "document_hash", rule: Rule::Format, reason: "64 hexadecimal digits" })?;
    if bytes.len() != 32 {
        return Err(SigningError::Invalid { field: "document_hash", rule: Rule::Format, reason: "64 hexadecimal digits" });
    }
    Ok(bytes)
}

pub async fn create_request(db: &Db, ledger: &Ledger, client: &Client, new: NewSigningRequest) -> Result<SigningRequest, SigningError> {
    digest_of(&new.document_hash)?;
    let name = new.document_name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(SigningError::Invalid { field: "document_name", rule: Rule::TooLong, reason: "1 to 200 characters" });
    }
    let now = ledger.now();
    let id = uuid::Uuid::now_v7().simple().to_string();
    let short_code = format!("{:04}", rand::rngs::OsRng.gen_range(0..10_000));
    let mut tx = db.begin().await?;
    tx.execute(
        &Query::insert()
            .into_table("signing_requests")
            .columns(["id", "client_id", "document_hash", "document_name", "short_code", "status", "created_at", "expires_at"])
            .values_panic([
                id.clone().into(),
                client.client_id.clone().into(),
                new.document_hash.trim().to_lowercase().into(),
                name.to_owned().into(),
                short_code.clone().into(),
                "pending".into(),
                to_millis(now).into(),
                to_millis(now + REQUEST_TTL).into(),
            ])
            .to_owned(),
    )
    .await?;
    let entry = LedgerEntry::change(&Actor::System, "signing.request.create", format!("signing-request:{id}"), now)
        .because(format!("{} asks for a signature", client.client_id));
    tamar_ledger::record(&mut tx, &entry).await?;
    tx.commit().await?;
    ledger.notify();
    Ok(SigningRequest { id, short_code, expires_at: now + REQUEST_TTL })
}

async fn load(db: &Db, id: &str) -> Result<tamar_store::AnyRow, SigningError> {
    if id.len() > 64 {
        return Err(SigningError::NotFound);
    }
    db.fetch_optional(
        &Query::select()
            .columns(["id", "client_id", "document_hash", "document_name", "short_code", "status", "expires_at", "account_id", "signature", "cert_der"])
            .from("signing_requests")
            .and_where(Expr::col("id").eq(id))
            .to_owned(),
    )
    .await?
    .ok_or(SigningError::NotFound)
}

pub async fn request_for_person(db: &Db, id: &str, now: chrono::DateTime<chrono::Utc>) -> Result<RequestForPerson, SigningError> {
    let r = load(db, id).await?;
    let client_id: String = row::get(&r, "client_id")?;
    // A database that cannot be read is an outage, not a missing request.
    let client = tamar_oidc::clients::find(db, &client_id).await?.ok_or(SigningError::NotFound)?;
    Ok(RequestForPerson {
        id: row::get(&r, "id")?,
        client_name: client.name,
        document_name: row::get(&r, "document_name")?,
        document_hash: row::get(&r, "document_hash")?,
        short_code: row::get(&r, "short_code")?,
        status: row::get(&r, "status")?,
        expired: row::get::<i64>(&r, "expires_at")? <= to_millis(now),
    })
}

/// The serial number that a person's signing certificate names them by: a pairwise subject
/// under a sector of its own, so that it is stable for the person, links them to no service's
/// subject, and is not their HKID.
pub fn subject_serial(pairwise_key: &[u8], account: AccountId) -> String {
    let subject = tamar_oidc::flow::pairwise_subject(pairwise_key, SIGNING_SECTOR, account);
    format!("TAMAR-{}", &subject[..SERIAL_CHARS.min(subject.len())])
}

/// The sector of signing certificates' serial numbers, apart from every service's.
const SIGNING_SECTOR: &str = "tamar-signing";
/// Characters of the pairwise subject in a serial: 120 bits, short enough to read out.
const SERIAL_CHARS: usize = 20;

/// The person signs: they must be at L2 or above, and the request still waiting. A person's
/// first signature issues their certificate, naming them by `subject_serial(pairwise_key, ..)`.
pub async fn approve(
    db: &Db,
    ledger: &Ledger,
    authority: &SigningAuthority,
    account: &Account,
    id: &str,
    pairwise_key: &[u8],
) -> Result<(), SigningError> {
    if account.assurance < Assurance::L2 {
        return Err(SigningError::AssuranceTooLow);
    }
    let now = ledger.now();
    let request = request_for_person(db, id, now).await?;
    if request.status != "pending" || request.expired {
        return Err(SigningError::NotPending);
    }
    let digest = digest_of(&request.document_hash)?;
    let (key_der, cert_der) = authority.key_for(db, account, &subject_serial(pairwise_key, account.id), now).await?;
    let rng = SystemRandom::new();
    let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &key_der, &rng).map_err(|e| SigningError::Certificate(e.to_string()))?;
    let signature = key.sign(&rng, &digest).map_err(|e| SigningError::Certificate(e.to_string()))?;
    let mut tx = db.begin().await?;
    let updated = tx
        .execute(
            &Query::update()
                .table("signing_requests")
                .value("status", "signed")
                .value("account_id", account.id.to_string())
                .value("signature", B64.encode(signature.as_ref()))
                .value("cert_der", cert_der)
                .and_where(Expr::col("id").eq(id))
                .and_where(Expr::col("status").eq("pending"))
                .to_owned(),
        )
        .await?;
    if updated == 0 {
        return Err(SigningError::NotPending);
    }
    let entry = LedgerEntry::change(&account.actor(), "signing.document.sign", format!("signing-request:{id}"), now)
        .about(account.id)
        .because(format!("sign {} for {}", request.document_name, request.client_name.en));
    tamar_ledger::record(&mut tx, &entry).await?;
    tx.commit().await?;
    ledger.notify();
    Ok(())
}

pub async fn decline(db: &Db, ledger: &Ledger, account: &Account, id: &str) -> Result<(), SigningError> {
    let now = ledger.now();
    let mut tx = db.begin().await?;
    let updated = tx
        .execute(
            &Query::update()
                .table("signing_requests")
                .value("status", "declined")
                .value("account_id", account.id.to_string())
                .and_where(Expr::col("id").eq(id))
                .and_where(Expr::col("status").eq("pending"))
                .to_owned(),
        )
        .await?;
    if updated == 0 {
        return Err(SigningError::NotPending);
    }
    let entry = LedgerEntry::change(&account.actor(), "signing.document.decline", format!("signing-request:{id}"), now).about(account.id).because("decline to sign");
    tamar_ledger::record(&mut tx, &entry).await?;
    tx.commit().await?;
    ledger.notify();
    Ok(())
}

/// The outcome, for the service that asked (and no other).
pub async fn outcome_for_client(db: &Db, client: &Client, id: &str, pairwise_key: &[u8], now: chrono::DateTime<chrono::Utc>) -> Result<SigningOutcome, SigningError> {
    let r = load(db, id).await?;
    if row::get::<String>(&r, "client_id")? != client.client_id {
        return Err(SigningError::NotFound);
    }
    let mut status: String = row::get(&r, "status")?;
    if status == "pending" && row::get::<i64>(&r, "expires_at")? <= to_millis(now) {
        status = "expired".into();
    }
    let account: Option<String> = row::get(&r, "account_id")?;
    let sub = match (&account, status.as_str()) {
        (Some(a), "signed") => {
            let id: AccountId = a.parse().map_err(|_| StoreError::Corrupt(a.clone()))?;
            Some(tamar_oidc::flow::pairwise_subject(pairwise_key, &client.sector, id))
        }
        _ => None,
    };
    let cert: Option<Vec<u8>> = row::get(&r, "cert_der")?;
    Ok(SigningOutcome {
        id: row::get(&r, "id")?,
        status,
        signature: row::get(&r, "signature")?,
        certificate: cert.map(|der| pem("CERTIFICATE", &der)),
        sub,
    })
}
