//! OpenID Connect authorization requests come from any relying party's link, or an attacker's:
//! whatever the parameters, Tamar answers with a page or sends the person back to the client's
//! registered redirect URI, never to another address, and never with a server error.
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use tamar_fuzz::{App, Value, assert_no_server_error, query};

#[derive(Arbitrary, Debug)]
struct Input {
    who: u8,
    lang: u8,
    response_type: Value,
    client_id: Value,
    redirect_uri: Value,
    scope: Value,
    state: Value,
    nonce: Value,
    code_challenge: Value,
    code_challenge_method: Value,
    acr_values: Option<String>,
    prompt: Option<String>,
    max_age: Option<String>,
    ui_locales: Option<String>,
    extra: Vec<(String, String)>,
    /// Then answer the consent page with this decision.
    decision: Option<String>,
}

fuzz_target!(|input: Input| {
    let app = App::get();
    let good = app.good_authorization();
    let good_of = |name: &str| good.iter().find(|(n, _)| *n == name).and_then(|(_, v)| v.clone()).unwrap_or_default();
    let pairs = [
        ("response_type", input.response_type.or(&good_of("response_type"))),
        ("client_id", input.client_id.or(&good_of("client_id"))),
        ("redirect_uri", input.redirect_uri.or(&good_of("redirect_uri"))),
        ("scope", input.scope.or(&good_of("scope"))),
        ("state", input.state.or(&good_of("state"))),
        ("nonce", input.nonce.or(&good_of("nonce"))),
        ("code_challenge", input.code_challenge.or(&good_of("code_challenge"))),
        ("code_challenge_method", input.code_challenge_method.or(&good_of("code_challenge_method"))),
        ("acr_values", input.acr_values.clone()),
        ("prompt", input.prompt.clone()),
        ("max_age", input.max_age.clone()),
        ("ui_locales", input.ui_locales.clone()),
    ];
    let query = query(&pairs, &input.extra);
    let browser = app.as_who(input.who);
    let lang = ["en", "tc", "sc"][input.lang as usize % 3];
    for uri in [format!("/oidc/authorize?{query}"), format!("/{lang}/oidc/authorize?{query}")] {
        let Some(reply) = app.send(axum::http::Method::GET, &uri, browser, None, &[]) else { continue };
        assert_no_server_error(&reply, &uri);
        assert!(app.may_send_to(reply.location()), "{uri} sent the person to {}", reply.location());
    }
    if let Some(decision) = &input.decision {
        let mut fields: Vec<(&str, &str)> = pairs.iter().filter_map(|(n, v)| Some((*n, v.as_deref()?))).collect();
        fields.extend(input.extra.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        fields.push(("decision", decision));
        let uri = format!("/{lang}/oidc/authorize");
        let Some(reply) = app.post_form(&uri, browser, &fields) else { return };
        assert_no_server_error(&reply, &format!("POST {uri}"));
        assert!(app.may_send_to(reply.location()), "the consent answer sent the person to {}", reply.location());
    }
});
