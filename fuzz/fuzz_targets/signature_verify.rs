//! Anyone may ask Tamar to check a signed document: the certificate (PEM or DER), the digest
//! and the signature are theirs. Checking never panics or fails on the server's side, and it
//! only says "valid" for a certificate that Tamar's own signing authority issued.
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use tamar_fuzz::{App, assert_no_server_error};

#[derive(Arbitrary, Debug)]
struct Input {
    /// Check against Tamar's authority, or a CA of the input's own.
    own_ca: Option<Vec<u8>>,
    certificate: Vec<u8>,
    digest: Vec<u8>,
    signature: Vec<u8>,
    at: i64,
    /// The same, through `POST /api/v1/signing/verify`, as raw JSON.
    json: Option<Vec<u8>>,
}

fuzz_target!(|input: Input| {
    let app = App::get();
    let ca = input.own_ca.clone().unwrap_or_else(|| app.platform.signing.certificate_der().to_vec());
    let at = chrono::DateTime::from_timestamp(input.at % 8_000_000_000, 0).unwrap_or_default();
    if let Ok(der) = tamar_signing::certificate_der(&input.certificate) {
        // No input can make a signature that Tamar's authority vouches for.
        let verdict = tamar_signing::verify_signature(&ca, &der, &input.digest, &input.signature, at);
        assert!(verdict.is_err() || input.own_ca.is_some(), "accepted {input:?}");
    }
    let body = input.json.clone().unwrap_or_else(|| {
        use base64::Engine;
        let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
        serde_json::json!({
            "document_hash": hex::encode(&input.digest),
            "signature": b64(&input.signature),
            "certificate": String::from_utf8_lossy(&input.certificate),
        })
        .to_string()
        .into_bytes()
    });
    let Some(reply) = app.send(axum::http::Method::POST, "/api/v1/signing/verify", &app.anonymous, Some(("application/json", body)), &[]) else { return };
    assert_no_server_error(&reply, "POST /api/v1/signing/verify");
    if reply.status.is_success() && input.json.is_none() {
        let verdict: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
        assert_eq!(verdict["valid"], false, "{}", reply.body);
    }
});
