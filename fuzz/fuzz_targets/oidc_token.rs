//! The token endpoint is open to any client on the network: whatever the body and the client's
//! credentials, it answers with an OAuth error or tokens, never a server error, and a code it
//! did not issue never buys tokens.
#![no_main]

use axum::http::{HeaderValue, Method, header};
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use tamar_fuzz::{App, CODE_VERIFIER, Value, assert_no_server_error, query};

#[derive(Arbitrary, Debug)]
enum Code {
    /// One Tamar just issued to the registered client.
    Fresh,
    Absent,
    Text(String),
}

#[derive(Arbitrary, Debug)]
enum Credentials {
    Basic(Value, Value),
    Body(Value, Value),
    None,
    /// Any `Authorization` header at all.
    Header(Vec<u8>),
}

#[derive(Arbitrary, Debug)]
struct Input {
    grant_type: Value,
    code: Code,
    redirect_uri: Value,
    code_verifier: Value,
    credentials: Credentials,
    extra: Vec<(String, String)>,
    /// Instead of a form: any body at all.
    raw_body: Option<Vec<u8>>,
    /// Send the same request twice: a code works once.
    twice: bool,
}

fuzz_target!(|input: Input| {
    use base64::Engine;
    let app = App::get();
    let client = &app.client;
    let code = match &input.code {
        Code::Fresh => app.fresh_code(),
        Code::Absent => None,
        Code::Text(text) => Some(text.clone()),
    };
    let mut pairs = vec![
        ("grant_type", input.grant_type.or("authorization_code")),
        ("code", code),
        ("redirect_uri", input.redirect_uri.or(&client.redirect_uri)),
        ("code_verifier", input.code_verifier.or(CODE_VERIFIER)),
    ];
    let mut headers = Vec::new();
    match &input.credentials {
        Credentials::Basic(id, secret) => {
            let pair = format!("{}:{}", id.or(&client.client_id).unwrap_or_default(), secret.or(&client.client_secret).unwrap_or_default());
            let value = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(pair));
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.push((header::AUTHORIZATION, value));
            }
        }
        Credentials::Body(id, secret) => {
            pairs.push(("client_id", id.or(&client.client_id)));
            pairs.push(("client_secret", secret.or(&client.client_secret)));
        }
        Credentials::None => {}
        Credentials::Header(bytes) => {
            if let Ok(value) = HeaderValue::from_bytes(bytes) {
                headers.push((header::AUTHORIZATION, value));
            }
        }
    }
    let body = match &input.raw_body {
        Some(raw) => raw.clone(),
        None => query(&pairs, &input.extra).into_bytes(),
    };
    for round in 0..(1 + usize::from(input.twice)) {
        let Some(reply) = app.send(Method::POST, "/oidc/token", &app.anonymous, Some(("application/x-www-form-urlencoded", body.clone())), &headers) else { return };
        assert_no_server_error(&reply, "POST /oidc/token");
        if reply.status.is_success() {
            assert!(matches!(input.code, Code::Fresh) && input.raw_body.is_none() && round == 0, "tokens for {input:?}: {}", reply.body);
            let tokens: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
            assert!(tokens["id_token"].is_string() && tokens["access_token"].is_string(), "{}", reply.body);
        }
    }
});
