//! The Tamar Signing CA and the people's signing keys it certifies.

use chrono::Datelike;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose, PKCS_ECDSA_P256_SHA256,
    SerialNumber, date_time_ymd,
};
use sea_query::{Expr, ExprTrait, Query};
use tamar_identity::Account;
use tamar_store::{Db, Sealer, StoreError, row, to_millis};

use crate::SigningError;

fn cert_error(e: rcgen::Error) -> SigningError {
    SigningError::Certificate(e.to_string())
}

/// The CA: its key (PKCS#8) and self-signed certificate, kept in the database so that every
/// node issues under the same CA.
/// Cheap to clone (it is part of the state every request clones): the bytes are shared.
#[derive(Clone)]
pub struct SigningAuthority {
    key_der: std::sync::Arc<[u8]>,
    cert_der: std::sync::Arc<[u8]>,
    sealer: Sealer,
}

/// A private key from its row. The `key_der` column holds the sealed key as text bytes.
fn private_key(r: &tamar_store::AnyRow, sealer: &Sealer, context: &str) -> Result<Vec<u8>, SigningError> {
    let stored: Vec<u8> = row::get(r, "key_der")?;
    let sealed = String::from_utf8(stored).map_err(|_| SigningError::Certificate("a signing key is not sealed".into()))?;
    Ok(sealer.open(&sealed, context)?)
}

impl std::fmt::Debug for SigningAuthority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningAuthority([key redacted])")
    }
}

fn serial() -> SerialNumber {
    let mut bytes = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    bytes[0] &= 0x7f;
    SerialNumber::from_slice(&bytes)
}

impl SigningAuthority {
    /// Loads the CA, creating it on first use. Two nodes starting at once both make one; the
    /// first insert wins, and the other, refused on the unique key, reads the stored CA. Any
    /// other error is returned, and a conflict is tried again only a few times.
    pub async fn ensure(db: &Db, sealer: &Sealer, now: chrono::DateTime<chrono::Utc>) -> Result<SigningAuthority, SigningError> {
        const ATTEMPTS: usize = 3;
        for _ in 0..ATTEMPTS {
            if let Some(found) = Self::load(db, sealer).await? {
                return Ok(found);
            }
            let (key_der, cert_der) = Self::make(now)?;
            let sealed = sealer.seal(&key_der, "signing-ca");
            let inserted = db
                .execute(
                    &Query::insert()
                        .into_table("signing_ca")
                        .columns(["id", "key_der", "cert_der"])
                        .values_panic([1.into(), sealed.into_bytes().into(), cert_der.clone().into()])
                        .to_owned(),
                )
                .await;
            match inserted {
                Ok(_) => return Ok(SigningAuthority { key_der: key_der.into(), cert_der: cert_der.into(), sealer: sealer.clone() }),
                // Another node stored its CA first: use that one.
                Err(StoreError::UniqueViolation) => continue,
                Err(other) => return Err(other.into()),
            }
        }
        Err(SigningError::Certificate("the signing CA could not be stored".into()))
    }

    async fn load(db: &Db, sealer: &Sealer) -> Result<Option<SigningAuthority>, SigningError> {
        let found = db
            .fetch_optional(&Query::select().columns(["key_der", "cert_der"]).from("signing_ca").and_where(Expr::col("id").eq(1)).to_owned())
            .await?;
        match found {
            Some(r) => Ok(Some(SigningAuthority {
                key_der: private_key(&r, sealer, "signing-ca")?.into(),
                cert_der: row::get::<Vec<u8>>(&r, "cert_der")?.into(),
                sealer: sealer.clone(),
            })),
            None => Ok(None),
        }
    }

    /// A new CA key (PKCS#8) and its self-signed certificate.
    fn make(now: chrono::DateTime<chrono::Utc>) -> Result<(Vec<u8>, Vec<u8>), SigningError> {
        let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(cert_error)?;
        let mut params = CertificateParams::new(Vec::<String>::new()).map_err(cert_error)?;
        let mut name = DistinguishedName::new();
        name.push(DnType::CommonName, "Tamar Signing CA");
        name.push(DnType::OrganizationName, "Tamar");
        name.push(DnType::CountryName, "HK");
        params.distinguished_name = name;
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
        params.not_before = date_time_ymd(now.year(), now.month() as u8, 1);
        params.not_after = date_time_ymd(now.year() + 20, 1, 1);
        params.serial_number = Some(serial());
        let cert = params.self_signed(&key).map_err(cert_error)?;
        Ok((key.serialize_der(), cert.der().to_vec()))
    }

    pub fn certificate_der(&self) -> &[u8] {
        &self.cert_der
    }

    pub fn certificate_pem(&self) -> String {
        pem("CERTIFICATE", &self.cert_der)
    }

    /// The person's signing key and certificate, issued on first use (valid two years).
    pub(crate) async fn key_for(
        &self,
        db: &Db,
        account: &Account,
        subject_serial: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(Vec<u8>, Vec<u8>), SigningError> {
        let found = db
            .fetch_optional(
                &Query::select()
                    .columns(["key_der", "cert_der", "not_after"])
                    .from("signing_keys")
                    .and_where(Expr::col("account_id").eq(account.id.to_string()))
                    .to_owned(),
            )
            .await?;
        if let Some(r) = found
            && row::get::<i64>(&r, "not_after")? > to_millis(now + chrono::Duration::days(1))
        {
            return Ok((private_key(&r, &self.sealer, &format!("signing-key:{}", account.id))?, row::get(&r, "cert_der")?));
        }
        let ca_key = KeyPair::try_from(&self.key_der[..]).map_err(cert_error)?;
        let issuer = Issuer::from_ca_cert_der(&self.cert_der.to_vec().into(), ca_key).map_err(cert_error)?;
        let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(cert_error)?;
        let mut params = CertificateParams::new(Vec::<String>::new()).map_err(cert_error)?;
        let mut name = DistinguishedName::new();
        name.push(DnType::CommonName, account.display_name.clone());
        name.push(DnType::CustomDnType(vec![2, 5, 4, 5]), subject_serial.to_owned());
        name.push(DnType::CountryName, "HK");
        params.distinguished_name = name;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::ContentCommitment];
        params.not_before = date_time_ymd(now.year(), now.month() as u8, now.day() as u8);
        let not_after = now + chrono::Duration::days(730);
        params.not_after = date_time_ymd(not_after.year(), not_after.month() as u8, not_after.day() as u8);
        params.serial_number = Some(serial());
        let cert = params.signed_by(&key, &issuer).map_err(cert_error)?;
        let (key_der, cert_der) = (key.serialize_der(), cert.der().to_vec());
        db.execute(&Query::delete().from_table("signing_keys").and_where(Expr::col("account_id").eq(account.id.to_string())).to_owned()).await?;
        db.execute(
            &Query::insert()
                .into_table("signing_keys")
                .columns(["account_id", "key_der", "cert_der", "not_after"])
                .values_panic([
                    account.id.to_string().into(),
                    self.sealer.seal(&key_der, &format!("signing-key:{}", account.id)).into_bytes().into(),
                    cert_der.clone().into(),
                    to_millis(not_after).into(),
                ])
                .to_owned(),
        )
        .await?;
        Ok((key_der, cert_der))
    }
}

/// PEM armour for DER bytes.
pub fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = body.as_bytes().chunks(64).filter_map(|c| std::str::from_utf8(c).ok()).collect();
    format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", lines.join("\n"))
}
