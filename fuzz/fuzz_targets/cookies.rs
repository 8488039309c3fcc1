//! The `Cookie` header is the attacker's to write: whatever it holds, Tamar answers without a
//! server error, and a cookie it did not issue (a made-up one, or a real session cookie with
//! any byte changed) never signs anyone in.
#![no_main]

use axum::http::{HeaderValue, Method, StatusCode, header};
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use tamar_fuzz::{App, Browser, assert_no_server_error};

#[derive(Arbitrary, Debug)]
struct Input {
    /// Whose real cookies come along (anonymous, citizen, officer, administrator).
    who: u8,
    /// Byte changes to the real session cookie: (position, xor).
    tamper: Vec<(u8, u8)>,
    /// Anything else in the header, before and after the real cookies.
    before: Vec<u8>,
    after: Vec<u8>,
    /// Send the browser's own form token with a form.
    post: bool,
}

fuzz_target!(|input: Input| {
    let app = App::get();
    let real = app.as_who(input.who);
    let mut cookies = real.cookies.clone();
    let mut forged = input.who % 4 == 0;
    for (name, value) in cookies.iter_mut() {
        if !name.contains("session") {
            continue;
        }
        let mut bytes = value.clone().into_bytes();
        for (at, xor) in &input.tamper {
            if !bytes.is_empty() {
                let i = *at as usize % bytes.len();
                bytes[i] ^= xor;
            }
        }
        let changed = String::from_utf8_lossy(&bytes).into_owned();
        if changed != *value {
            forged = true;
        }
        *value = changed;
    }
    let mut header_value = input.before.clone();
    header_value.extend_from_slice(Browser { cookies, token: String::new() }.cookie_header().as_bytes());
    header_value.extend_from_slice(&input.after);
    let Ok(cookie) = HeaderValue::from_bytes(&header_value) else { return };
    // A session cookie named twice, or given again in `after`, is the client's choice: only a
    // header with no real session value left intact counts as forged.
    let intact = real.cookies.iter().any(|(n, v)| n.contains("session") && String::from_utf8_lossy(&header_value).contains(v.as_str()));
    let forged = forged && !intact;

    let headers = [(header::COOKIE, cookie)];
    let Some(reply) = app.send(Method::GET, "/en/account", &Browser::default(), None, &headers) else { return };
    assert_no_server_error(&reply, "GET /en/account");
    if forged {
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "a forged cookie opened the account page: {header_value:?}");
        assert!(reply.location().starts_with("/en/sign-in"), "{}", reply.location());
    }
    if input.post {
        let form = format!("csrf_token={}&phone=%2B852+2123+4567", real.token).into_bytes();
        let Some(reply) = app.send(Method::POST, "/en/account/contact", &Browser::default(), Some(("application/x-www-form-urlencoded", form)), &headers) else { return };
        assert_no_server_error(&reply, "POST /en/account/contact");
        if forged {
            assert!(reply.status.is_client_error() || reply.location().starts_with("/en/sign-in"), "a forged cookie changed contact details: {}", reply.status);
        }
    }
});
