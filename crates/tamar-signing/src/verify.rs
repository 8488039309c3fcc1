//! Offline verification: a signature, the signer's certificate, and the CA's certificate are
//! all that is needed.

use ring::signature::{ECDSA_P256_SHA256_ASN1, UnparsedPublicKey};
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::SigningError;

/// Who signed, from their certificate.
#[derive(Clone, Debug)]
pub struct Signer {
    pub name: String,
    /// The certificate's subject serial number: stable for the person, and not their HKID.
    pub serial: String,
}

/// Reads a certificate from PEM or DER.
pub fn certificate_der(input: &[u8]) -> Result<Vec<u8>, SigningError> {
    use base64::Engine;
    let text = String::from_utf8_lossy(input);
    if let Some(start) = text.find("-----BEGIN CERTIFICATE-----") {
        let body: String = text[start + 27..].split("-----END").next().unwrap_or("").chars().filter(|c| !c.is_whitespace()).collect();
        return base64::engine::general_purpose::STANDARD.decode(body).map_err(|_| SigningError::BadSignature("the certificate is not valid PEM"));
    }
    Ok(input.to_vec())
}

/// Checks that `signature` (DER ECDSA) over `digest` (the document's SHA-256) was made with the
/// key of `certificate`, that the certificate was issued by `ca` and was valid at `at`.
pub fn verify_signature(ca: &[u8], certificate: &[u8], digest: &[u8], signature: &[u8], at: chrono::DateTime<chrono::Utc>) -> Result<Signer, SigningError> {
    if digest.len() != 32 {
        return Err(SigningError::BadSignature("the document hash must be 32 bytes of SHA-256"));
    }
    let (_, ca) = X509Certificate::from_der(ca).map_err(|_| SigningError::BadSignature("the CA certificate cannot be read"))?;
    let (_, cert) = X509Certificate::from_der(certificate).map_err(|_| SigningError::BadSignature("the certificate cannot be read"))?;
    if cert.issuer() != ca.subject() {
        return Err(SigningError::BadSignature("the certificate was not issued by this CA"));
    }
    cert.verify_signature(Some(ca.public_key())).map_err(|_| SigningError::BadSignature("the certificate was not issued by this CA"))?;
    let when = x509_parser::time::ASN1Time::from_timestamp(at.timestamp()).map_err(|_| SigningError::BadSignature("bad time"))?;
    if !cert.validity().is_valid_at(when) {
        return Err(SigningError::BadSignature("the certificate was not valid at that time"));
    }
    let key = UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, cert.public_key().subject_public_key.data.as_ref());
    key.verify(digest, signature).map_err(|_| SigningError::BadSignature("the signature does not match the document"))?;
    let attr = |oid: &x509_parser::oid_registry::Oid<'_>| {
        cert.subject().iter_attributes().find(|a| a.attr_type() == oid).and_then(|a| a.as_str().ok()).unwrap_or("").to_owned()
    };
    Ok(Signer { name: attr(&x509_parser::oid_registry::OID_X509_COMMON_NAME), serial: attr(&x509_parser::oid_registry::OID_X509_SERIALNUMBER) })
}
