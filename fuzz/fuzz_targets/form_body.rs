//! Every HTML form, with any body: a bad field gets a 4xx page with a stable code, never a
//! server error. The first byte picks the form, the second who sends it (anonymous, a citizen,
//! an officer, the administrator), the first line fills the route's `{parameters}`, and the
//! rest is the form body, after a valid form token.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tamar_fuzz::{App, assert_no_server_error, encode};

fuzz_target!(|data: &[u8]| {
    let app = App::get();
    let [route, who, rest @ ..] = data else { return };
    // Signing out and ending sessions would sign out the browsers that later inputs use.
    let routes: Vec<&String> = app.form_routes.iter().filter(|r| !r.ends_with("/sign-out") && !r.ends_with("/end")).collect();
    let template = routes[*route as usize % routes.len()];
    let (params, body) = match rest.iter().position(|&b| b == b'\n') {
        Some(at) => (&rest[..at], &rest[at + 1..]),
        None => (&rest[..0], rest),
    };
    let path = fill(template, params);
    let browser = app.as_who(*who);
    let mut form = format!("csrf_token={}&", browser.token).into_bytes();
    form.extend_from_slice(body);
    let Some(reply) = app.send(axum::http::Method::POST, &path, browser, Some(("application/x-www-form-urlencoded", form)), &[]) else { return };
    assert_no_server_error(&reply, &format!("POST {path}"));
});

/// The route with `{lang}` set from the first parameter byte and every other `{name}` from the
/// parameter line's `/`-separated parts.
fn fill(template: &str, params: &[u8]) -> String {
    let lang = ["en", "tc", "sc"][params.first().copied().unwrap_or(0) as usize % 3];
    let mut parts = params.get(1..).unwrap_or_default().split(|&b| b == b'/');
    template
        .split('/')
        .map(|segment| match segment {
            "{lang}" => lang.to_owned(),
            s if s.starts_with('{') => encode(parts.next().unwrap_or_default()),
            s => s.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}
