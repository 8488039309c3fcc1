//! Attacks on sign-in, roles and redirects (issue 9), each shown to fail.

use super::*;

/// Signs in with the password only; returns the browser and the sign-in challenge cookie.
async fn password_step(app: &TestApp, email: &str) -> (Browser, String, String) {
    let (browser, token) = app.browser().await;
    let reply = app.post_form("/en/sign-in", &browser, &[("csrf_token", &token), ("email", email), ("password", PASSWORD)]).await;
    assert!(reply.location().starts_with("/en/sign-in/code"), "{}", reply.location());
    (browser, token, reply.cookie("tamar_mfa").expect("a sign-in challenge"))
}

fn with_cookie(browser: &Browser, name: &str, value: &str) -> Browser {
    let mut b = browser.clone();
    b.cookies.retain(|(n, _)| n != name);
    b.cookies.push((name.into(), value.into()));
    b
}

// The attack of the review: a CSRF token made for a chosen nonce used to be a valid "password
// was right" cookie. Now the nonce is refused for its form and the cookie is a random token that
// only the server's table knows.
store_test!(a_csrf_token_cannot_be_forged_into_a_password_step, |db| async move {
    let app = setup(db).await;
    let account = tamar_identity::authenticate(&app.db, IMMD_ADMIN, PASSWORD).await?;
    let chosen = format!("tamar-mfa-pending:{}.9999999999999", account.id.to_string().replace('-', ""));
    let attacker = Browser { cookies: vec![("tamar_csrf".into(), chosen.clone())] };
    let page = app.get("/en/sign-in", &attacker).await;
    let fresh = page.cookie("tamar_csrf").expect("a malformed nonce is replaced");
    assert_ne!(fresh, chosen);
    assert!(fresh.len() == 64 && fresh.bytes().all(|b| b.is_ascii_hexdigit()));
    let token = csrf_token(&page.body);
    let mut forged = attacker.clone();
    forged.keep(&page);
    for cookie in [format!("{}.9999999999999.{token}", account.id), token.clone(), format!("{}.{token}", account.id)] {
        let b = with_cookie(&forged, "tamar_mfa", &cookie);
        assert_eq!(app.get("/en/sign-in/code", &b).await.location(), "/en/sign-in");
        let reply = app.post_form("/en/sign-in/code", &b, &[("csrf_token", &token), ("code", &totp_code(0))]).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        assert!(reply.location().starts_with("/en/sign-in"), "{}", reply.location());
        assert!(reply.cookie("tamar_session").is_none(), "no session without the password");
    }
    // A form posted with the chosen nonce itself is refused before any handler runs.
    let reply = app.post_form("/en/sign-in/code", &attacker, &[("csrf_token", &token), ("code", &totp_code(0))]).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    Ok(()) as R
});

// A copy of someone's challenge cookie is worth nothing in another browser, and the challenge
// works once.
store_test!(a_stolen_sign_in_challenge_does_not_work_elsewhere_or_twice, |db| async move {
    let app = setup(db).await;
    let (victim, victim_token, challenge) = password_step(&app, IMMD_ADMIN).await;
    let (thief, thief_token) = app.browser().await;
    let stolen = with_cookie(&thief, "tamar_mfa", &challenge);
    let reply = app.post_form("/en/sign-in/code", &stolen, &[("csrf_token", &thief_token), ("code", &totp_code(0))]).await;
    assert!(reply.location().starts_with("/en/sign-in"), "{}", reply.location());
    assert!(reply.cookie("tamar_session").is_none());

    let own = with_cookie(&victim, "tamar_mfa", &challenge);
    let reply = app.post_form("/en/sign-in/code", &own, &[("csrf_token", &victim_token), ("code", &totp_code(0))]).await;
    assert!(reply.cookie("tamar_session").is_some(), "the right browser signs in: {}", reply.body);
    let again = app.post_form("/en/sign-in/code", &own, &[("csrf_token", &victim_token), ("code", &totp_code(1))]).await;
    assert!(again.cookie("tamar_session").is_none(), "the challenge was used");
    assert!(again.location().starts_with("/en/sign-in"), "{}", again.location());
    Ok(()) as R
});

// A department admin of the Department of Health tries to make an identity verifier (the
// review's attack), through the API and the page.
store_test!(a_department_admin_cannot_grant_a_platform_role, |db| async move {
    let app = setup(db).await;
    let dh = tamar_tenancy::by_code(&app.db, "DH").await?;
    let new = NewAccount {
        kind: AccountKind::Officer,
        email: "dh.admin@tamar.test".into(),
        display_name: "DH admin".into(),
        password: PASSWORD.into(),
        department: Some(dh.id),
        roles: vec![Role::DepartmentAdmin],
    };
    let account = tamar_identity::create_account(&app.db, &app.ledger, &Actor::System, new).await?;
    tamar_identity::mfa::enable_totp_with_secret(&app.db, &sealer(), &account, TOTP_KEY).await?;
    let (dh_admin, token) = app.sign_in("dh.admin@tamar.test").await;
    let officer = |email: &str, role: &str| format!(r#"{{"email":"{email}","display_name":"New","password":"{PASSWORD}","roles":["{role}"]}}"#);
    let reply = app.json(Method::POST, "/api/v1/departments/DH/officers", &dh_admin, &officer("verifier@dh.test", "identity-verifier")).await;
    assert_eq!((reply.status, reply.json()["code"].as_str()), (StatusCode::FORBIDDEN, Some("role_not_grantable")), "{}", reply.body);
    let form = app
        .post_form("/en/office/officers", &dh_admin, &[("csrf_token", &token), ("email", "verifier2@dh.test"), ("display_name", "New"), ("password", "another first password"), ("role-identity-verifier", "on")])
        .await;
    assert!(form.location().contains("problem=role_not_grantable"), "{}", form.location());
    // The page does not even offer it.
    assert!(!app.get("/en/office", &dh_admin).await.body.contains("role-identity-verifier"));
    // Nor may the platform administrator put the role outside the Immigration Department.
    let (admin, _) = app.sign_in(ADMIN).await;
    let reply = app.json(Method::POST, "/api/v1/departments/DH/officers", &admin, &officer("verifier3@dh.test", "identity-verifier")).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    for email in ["verifier@dh.test", "verifier2@dh.test", "verifier3@dh.test"] {
        assert!(tamar_identity::authenticate(&app.db, email, PASSWORD).await.is_err(), "{email} was not created");
    }
    // What the department may grant still works.
    let reply = app.json(Method::POST, "/api/v1/departments/DH/officers", &dh_admin, &officer("clerk@dh.test", "case-officer")).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    Ok(()) as R
});

store_test!(sign_in_never_redirects_off_the_site, |db| async move {
    let app = setup(db).await;
    for next in ["/%09/evil.example", "/\t/evil.example", "//evil.example", "/\\evil.example", "/%5C%5Cevil.example", "/%2F%2Fevil.example", "https://evil.example", "/\r\n/evil.example", "/.//evil.example"] {
        let (browser, token) = app.browser().await;
        let reply = app.post_form("/en/sign-in", &browser, &[("csrf_token", &token), ("email", CITIZEN), ("password", PASSWORD), ("next", next)]).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        let to = reply.location();
        assert!(to.starts_with('/') && !to.starts_with("//") && !to.contains("evil.example") || to == "/en/account", "{next:?} went to {to:?}");
        let page = app.get(&format!("/en/sign-in?next={}", urlencode(next)), &Browser::default()).await;
        assert!(!page.body.contains("evil.example"), "{next:?} is not carried in the form");
    }
    Ok(()) as R
});

// The review sent 30 wrong passwords at once and all got 401 against a limit of 10.
store_test!(parallel_wrong_passwords_are_throttled_at_the_limit, |db| async move {
    let app = setup(db).await;
    let (browser, token) = app.browser().await;
    let fields = [("csrf_token", token.as_str()), ("email", CITIZEN), ("password", "not the password")];
    let attempts = (0..30).map(|_| app.post_form("/en/sign-in", &browser, &fields));
    let replies = futures::future::join_all(attempts).await;
    let count = |s: StatusCode| replies.iter().filter(|r| r.status == s).count();
    assert_eq!((count(StatusCode::UNAUTHORIZED), count(StatusCode::TOO_MANY_REQUESTS)), (10, 20));
    let right = app.post_form("/en/sign-in", &browser, &[("csrf_token", &token), ("email", CITIZEN), ("password", PASSWORD)]).await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS, "even the right password waits now");
    Ok(()) as R
});

// A cross-site form can post text/plain with the person's cookie; the JSON API refuses it
// before anything happens.
store_test!(the_json_api_refuses_form_posts_that_carry_a_session, |db| async move {
    let app = setup(db).await;
    let (admin, _) = app.sign_in(ADMIN).await;
    let before = app.department_count().await;
    for content_type in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"] {
        let req = Request::post("/api/v1/departments")
            .header(header::COOKIE, admin.header())
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(r#"{"code":"XS","name":{"en":"Cross site","tc":"跨","sc":"跨"}}"#))
            .unwrap();
        assert_eq!(app.send(req).await.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{content_type}");
    }
    assert_eq!(app.department_count().await, before);
    Ok(()) as R
});

/// The security notices queued for an address, newest last.
async fn notices_to(app: &TestApp, to: &str) -> Vec<String> {
    use tamar_store::sea_query::{Expr, Order, Query};
    let rows = app
        .db
        .fetch_all(&Query::select().columns(["subject", "body"]).from("notify_queue").and_where(Expr::col("to_address").eq(to)).order_by("queued_at", Order::Asc).to_owned())
        .await
        .unwrap();
    rows.iter().map(|r| tamar_store::row::get::<String>(r, "body").unwrap()).collect()
}

// A stolen, freshly signed-in session (the cookie alone) cannot add a passkey: that would sign
// in later without the password or the second factor.
store_test!(a_stolen_session_cannot_add_a_passkey_or_drop_the_second_factor, |db| async move {
    let app = setup(db).await;
    let (officer, _) = app.sign_in(IMMD_ADMIN).await;
    for (body, code) in [("{}", "invalid_credentials"), (r#"{"password":"guess"}"#, "invalid_credentials"), (&format!(r#"{{"password":"{PASSWORD}"}}"#) as &str, "invalid_code")] {
        let reply = app.json(Method::POST, "/api/v1/me/passkeys/registration", &officer, body).await;
        assert_eq!((reply.status, reply.json()["code"].as_str()), (StatusCode::UNAUTHORIZED, Some(code)), "{body}: {}", reply.body);
    }
    let proof = format!(r#"{{"password":"{PASSWORD}","code":"{}"}}"#, totp_code(1));
    let reply = app.json(Method::POST, "/api/v1/me/passkeys/registration", &officer, &proof).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(reply.json()["options"]["publicKey"]["challenge"].is_string());

    // Officers keep their second factor whatever they give.
    let reply = app.get("/en/account/two-factor/off", &officer).await;
    assert_eq!(reply.location(), "/en/account");

    // A citizen with TOTP turns it off only with the password and a code, and is told.
    let citizen = tamar_identity::authenticate(&app.db, CITIZEN, PASSWORD).await?;
    tamar_identity::mfa::enable_totp_with_secret(&app.db, &sealer(), &citizen, TOTP_KEY).await?;
    let (browser, _) = app.browser().await;
    let token = csrf_token(&app.get("/en/sign-in", &browser).await.body);
    let step = app.post_form("/en/sign-in", &browser, &[("csrf_token", &token), ("email", CITIZEN), ("password", PASSWORD)]).await;
    let with_challenge = with_cookie(&browser, "tamar_mfa", &step.cookie("tamar_mfa").unwrap());
    let mut signed_in = browser.clone();
    signed_in.keep(&app.post_form("/en/sign-in/code", &with_challenge, &[("csrf_token", &token), ("code", &totp_code(0))]).await);
    let token = app.form_token(&signed_in).await;
    let only_cookie = app.post_form("/en/account/two-factor/off", &signed_in, &[("csrf_token", &token)]).await;
    assert_eq!(only_cookie.status, StatusCode::UNAUTHORIZED);
    let no_code = app.post_form("/en/account/two-factor/off", &signed_in, &[("csrf_token", &token), ("proof_password", PASSWORD)]).await;
    assert_eq!(no_code.status, StatusCode::UNAUTHORIZED);
    assert!(tamar_identity::authenticate(&app.db, CITIZEN, PASSWORD).await?.mfa, "still on");
    let off = app.post_form("/en/account/two-factor/off", &signed_in, &[("csrf_token", &token), ("proof_password", PASSWORD), ("proof_code", &totp_code(1))]).await;
    assert_eq!(off.location(), "/en/account?notice=two-factor-off");
    assert!(!tamar_identity::authenticate(&app.db, CITIZEN, PASSWORD).await?.mfa);
    let notices = notices_to(&app, CITIZEN).await;
    assert!(notices.last().is_some_and(|n| n.contains("Two-factor sign-in was turned off")), "{notices:?}");
    Ok(()) as R
});

// Changing the email address needs the password; the old address is told at once, and the
// change happens only when the new address follows its link.
store_test!(an_email_change_needs_the_password_and_tells_the_old_address, |db| async move {
    let app = setup(db).await;
    let (citizen, token) = app.sign_in(CITIZEN).await;
    let without = app.post_form("/en/account/email", &citizen, &[("csrf_token", &token), ("email", "new@example.hk")]).await;
    assert_eq!(without.status, StatusCode::UNAUTHORIZED);
    let asked = app.post_form("/en/account/email", &citizen, &[("csrf_token", &token), ("email", "New@Example.hk"), ("proof_password", PASSWORD)]).await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    assert!(asked.body.contains("new@example.hk"));
    let notices = notices_to(&app, CITIZEN).await;
    assert!(notices.last().is_some_and(|n| n.contains("change the email address of your Tamar account to new@example.hk")), "{notices:?}");
    assert!(tamar_identity::authenticate(&app.db, CITIZEN, PASSWORD).await.is_ok(), "nothing changed yet");
    let link = outbox_link(&app);
    let token_param = link.split("token=").nth(1).unwrap().to_owned();
    let verified = tamar_identity::verify_email(&app.db, &app.ledger, &token_param).await?;
    assert_eq!(verified.email, "new@example.hk");
    assert!(tamar_identity::authenticate(&app.db, "new@example.hk", PASSWORD).await.is_ok());

    // Changing the password is told too.
    let (browser, token) = app.sign_in("new@example.hk").await;
    let done = app.post_form("/en/account/password", &browser, &[("csrf_token", &token), ("proof_password", PASSWORD), ("new", "a brand new passphrase")]).await;
    assert_eq!(done.location(), "/en/account?notice=password-changed");
    assert!(notices_to(&app, "new@example.hk").await.last().is_some_and(|n| n.contains("password of your Tamar account was changed")));
    Ok(()) as R
});
