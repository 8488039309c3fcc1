//! A software authenticator, just enough for Tamar's passkey ceremonies: one ES256 (P-256) key
//! per passkey, "none" attestation, user present and verified, and a signature counter.
//!
//! Registration answers `navigator.credentials.create()` with an attestation object (CBOR:
//! `fmt`, `attStmt`, `authData`); signing in answers `navigator.credentials.get()` with
//! authenticator data and a signature over `authData || SHA-256(clientDataJSON)`. The JSON is
//! what Tamar's `passkeys.js` posts for a browser.

use anyhow::{Context, Result};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use rand::RngCore;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// Flags of the authenticator data: user present, user verified, attested credential data.
const USER_PRESENT: u8 = 0x01;
const USER_VERIFIED: u8 = 0x04;
const ATTESTED: u8 = 0x40;

/// A passkey held by one resident's virtual phone.
pub struct Passkey {
    key: SigningKey,
    credential_id: Vec<u8>,
    /// The account's handle, as the server gave it when the passkey was made.
    user_handle: String,
    rp_id: String,
    origin: String,
    counter: u32,
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A CBOR head: major type and length (or value), in the shortest form.
fn head(out: &mut Vec<u8>, major: u8, n: usize) {
    let major = major << 5;
    match n {
        0..=23 => out.push(major | n as u8),
        24..=0xff => out.extend([major | 24, n as u8]),
        0x100..=0xffff => {
            out.push(major | 25);
            out.extend((n as u16).to_be_bytes());
        }
        _ => {
            out.push(major | 26);
            out.extend((n as u32).to_be_bytes());
        }
    }
}

fn text(out: &mut Vec<u8>, s: &str) {
    head(out, 3, s.len());
    out.extend(s.as_bytes());
}

fn bytes(out: &mut Vec<u8>, b: &[u8]) {
    head(out, 2, b.len());
    out.extend(b);
}

/// The public key as a COSE_Key: EC2 (kty 2), ES256 (alg -7), P-256 (crv 1), x and y.
fn cose_key(key: &VerifyingKey) -> Vec<u8> {
    let point = key.to_encoded_point(false);
    let (x, y) = (point.x().map(|x| x.to_vec()).unwrap_or_default(), point.y().map(|y| y.to_vec()).unwrap_or_default());
    let mut out = Vec::with_capacity(77);
    head(&mut out, 5, 5); // a map of five
    out.extend([0x01, 0x02]); // kty: EC2
    out.extend([0x03, 0x26]); // alg: -7 (ES256)
    out.extend([0x20, 0x01]); // crv (-1): P-256
    out.push(0x21); // x (-2)
    bytes(&mut out, &x);
    out.push(0x22); // y (-3)
    bytes(&mut out, &y);
    out
}

fn client_data(kind: &str, challenge: &str, origin: &str) -> Vec<u8> {
    json!({ "type": kind, "challenge": challenge, "origin": origin, "crossOrigin": false }).to_string().into_bytes()
}

fn field<'a>(value: &'a Value, path: &[&str]) -> Result<&'a str> {
    let mut v = value;
    for name in path {
        v = v.get(name).with_context(|| format!("the options have no {}", path.join(".")))?;
    }
    v.as_str().with_context(|| format!("{} is not a string", path.join(".")))
}

impl Passkey {
    /// Makes a passkey for the creation options (`options.publicKey` of Tamar's answer); returns
    /// it and the credential to post back.
    pub fn create(options: &Value, origin: &str) -> Result<(Passkey, Value)> {
        let public_key = options.get("publicKey").context("the options have no publicKey")?;
        let challenge = field(public_key, &["challenge"])?;
        let rp_id = field(public_key, &["rp", "id"])?.to_owned();
        let user_handle = field(public_key, &["user", "id"])?.to_owned();
        let key = SigningKey::random(&mut rand::rngs::OsRng);
        let mut credential_id = vec![0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut credential_id);

        let mut auth_data = Vec::with_capacity(200);
        auth_data.extend(Sha256::digest(rp_id.as_bytes()));
        auth_data.push(USER_PRESENT | USER_VERIFIED | ATTESTED);
        auth_data.extend(0u32.to_be_bytes());
        auth_data.extend([0u8; 16]); // AAGUID: none
        auth_data.extend((credential_id.len() as u16).to_be_bytes());
        auth_data.extend(&credential_id);
        auth_data.extend(cose_key(key.verifying_key()));

        let mut attestation = Vec::with_capacity(auth_data.len() + 32);
        head(&mut attestation, 5, 3);
        text(&mut attestation, "fmt");
        text(&mut attestation, "none");
        text(&mut attestation, "attStmt");
        head(&mut attestation, 5, 0);
        text(&mut attestation, "authData");
        bytes(&mut attestation, &auth_data);

        let client_data = client_data("webauthn.create", challenge, origin);
        let credential = json!({
            "id": b64(&credential_id),
            "rawId": b64(&credential_id),
            "type": "public-key",
            "extensions": {},
            "response": { "attestationObject": b64(&attestation), "clientDataJSON": b64(&client_data) },
        });
        let passkey = Passkey { key, credential_id, user_handle, rp_id, origin: origin.to_owned(), counter: 0 };
        Ok((passkey, credential))
    }

    /// Answers the request options of a sign-in (`options.publicKey`): the assertion to post.
    pub fn assert(&mut self, options: &Value) -> Result<Value> {
        let public_key = options.get("publicKey").context("the options have no publicKey")?;
        let challenge = field(public_key, &["challenge"])?;
        if let Some(rp_id) = public_key.get("rpId").and_then(Value::as_str) {
            anyhow::ensure!(rp_id == self.rp_id, "the sign-in is for {rp_id}, the passkey for {}", self.rp_id);
        }
        self.counter += 1;
        let mut auth_data = Vec::with_capacity(37);
        auth_data.extend(Sha256::digest(self.rp_id.as_bytes()));
        auth_data.push(USER_PRESENT | USER_VERIFIED);
        auth_data.extend(self.counter.to_be_bytes());
        let client_data = client_data("webauthn.get", challenge, &self.origin);
        let mut signed = auth_data.clone();
        signed.extend(Sha256::digest(&client_data));
        let signature: Signature = self.key.sign(&signed);
        Ok(json!({
            "id": b64(&self.credential_id),
            "rawId": b64(&self.credential_id),
            "type": "public-key",
            "extensions": {},
            "response": {
                "authenticatorData": b64(&auth_data),
                "clientDataJSON": b64(&client_data),
                "signature": b64(signature.to_der().as_bytes()),
                "userHandle": self.user_handle,
            },
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::Verifier;

    #[test]
    fn cbor_heads_take_the_shortest_form() {
        let mut out = Vec::new();
        head(&mut out, 2, 23);
        head(&mut out, 2, 24);
        head(&mut out, 2, 300);
        assert_eq!(out, [0x57, 0x58, 24, 0x59, 0x01, 0x2c]);
    }

    #[test]
    fn an_assertion_verifies_under_the_registered_key() {
        let options = json!({ "publicKey": { "challenge": "abc", "rp": { "id": "localhost" }, "user": { "id": "dXNlcg" } } });
        let (mut passkey, credential) = Passkey::create(&options, "http://localhost:1").unwrap();
        let attestation = URL_SAFE_NO_PAD.decode(credential["response"]["attestationObject"].as_str().unwrap()).unwrap();
        assert_eq!(attestation[0], 0xa3, "a map of three");
        let assertion = passkey.assert(&json!({ "publicKey": { "challenge": "xyz", "rpId": "localhost" } })).unwrap();
        let response = &assertion["response"];
        let decode = |name: &str| URL_SAFE_NO_PAD.decode(response[name].as_str().unwrap()).unwrap();
        let mut signed = decode("authenticatorData");
        assert_eq!(signed[32], USER_PRESENT | USER_VERIFIED);
        signed.extend(Sha256::digest(decode("clientDataJSON")));
        let signature = Signature::from_der(&decode("signature")).unwrap();
        passkey.key.verifying_key().verify(&signed, &signature).unwrap();
        assert_eq!(response["userHandle"], "dXNlcg");
    }
}
