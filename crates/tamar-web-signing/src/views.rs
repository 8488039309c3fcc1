//! What the signing endpoints answer (see `tamar_web::views`).

use chrono::{DateTime, Utc};
use serde::Serialize;
use tamar_web::views::View;


/// The answer to a service that asks for a signature.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SigningRequestView {
    pub id: String,
    /// Shown by the service and by Tamar, for the person to compare.
    pub short_code: String,
    pub expires_at: DateTime<Utc>,
}

impl View for SigningRequestView {
    const PERSONAL: &'static [&'static str] = &[];
}

impl From<tamar_signing::SigningRequest> for SigningRequestView {
    fn from(r: tamar_signing::SigningRequest) -> Self {
        SigningRequestView { id: r.id, short_code: r.short_code, expires_at: r.expires_at }
    }
}

/// What the service that asked for a signature collects.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SigningOutcomeView {
    pub id: String,
    /// pending, signed, declined or expired.
    pub status: String,
    /// DER ECDSA P-256 signature over the 32-byte document hash, base64.
    pub signature: Option<String>,
    /// The signer's certificate, PEM (it names the signer).
    pub certificate: Option<String>,
    /// The signer's pairwise subject at this service, as in its ID tokens.
    pub sub: Option<String>,
}

impl View for SigningOutcomeView {
    const PERSONAL: &'static [&'static str] = &["certificate", "sub"];
}

impl From<tamar_signing::SigningOutcome> for SigningOutcomeView {
    fn from(o: tamar_signing::SigningOutcome) -> Self {
        SigningOutcomeView { id: o.id, status: o.status, signature: o.signature, certificate: o.certificate, sub: o.sub }
    }
}

/// Who signed, from their certificate.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SignerView {
    pub name: String,
    /// The certificate's subject serial number: stable for the person, and not their HKID.
    pub serial: String,
}

impl From<tamar_signing::Signer> for SignerView {
    fn from(s: tamar_signing::Signer) -> Self {
        SignerView { name: s.name, serial: s.serial }
    }
}

