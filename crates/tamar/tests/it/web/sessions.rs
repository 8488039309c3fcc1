//! Each node keeps the sessions it resolved for a moment (`tamar_identity::SessionCache`, whose
//! own test shows that a kept session is read once), and whatever ends a session on this node
//! shows on the very next request.

use super::*;

/// The session token a signed-in browser carries.
fn token_of(browser: &Browser) -> String {
    browser.cookies.iter().find(|(n, _)| n == "tamar_session").map(|(_, v)| v.clone()).expect("signed in")
}

store_test!(a_session_revoked_on_this_node_stops_working_on_the_next_request, |db| async move {
    let app = setup(db).await;
    let (phone, _) = app.sign_in(CITIZEN).await;
    let (laptop, _) = app.sign_in(CITIZEN).await;
    assert_eq!(app.get("/en/account/inbox", &laptop).await.status, StatusCode::OK);
    assert_eq!(app.get("/en/account/inbox", &laptop).await.status, StatusCode::OK, "kept now");
    // From the phone, the person ends the laptop's session.
    let phone_token = token_of(&phone);
    let account = tamar_identity::resolve_session(&app.db, &phone_token, chrono::Utc::now()).await?.unwrap();
    let listed = tamar_identity::list_sessions(&app.db, &account, &phone_token, chrono::Utc::now(), &Default::default()).await?;
    let laptops: Vec<_> = listed.items.iter().filter(|s| !s.current).collect();
    assert_eq!(laptops.len(), 1);
    tamar_identity::revoke_session(&app.db, &app.ledger, &account, &laptops[0].id).await?;
    let after = app.get("/en/account/inbox", &laptop).await;
    assert_eq!(after.status, StatusCode::SEE_OTHER, "signed out at once");
    assert!(after.location().starts_with("/en/sign-in"));
    assert_eq!(app.get("/en/account/inbox", &phone).await.status, StatusCode::OK, "the phone's own session goes on");
    Ok(()) as R
});

store_test!(a_session_deleted_behind_the_platforms_back_stops_working_within_a_second, |db| async move {
    let app = setup(db).await;
    let (browser, _) = app.sign_in(CITIZEN).await;
    assert_eq!(app.get("/en/account/inbox", &browser).await.status, StatusCode::OK);
    // Not a logged change: nothing on this node knows of it but the database.
    app.db.execute_sql("DELETE FROM sessions").await?;
    tokio::time::sleep(tamar_identity::SessionCache::KEEP + Duration::from_millis(100)).await;
    let after = app.get("/en/account/inbox", &browser).await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    Ok(()) as R
});

store_test!(a_forged_or_unknown_session_token_is_never_taken_from_what_the_node_keeps, |db| async move {
    let app = setup(db).await;
    let (browser, _) = app.sign_in(CITIZEN).await;
    assert_eq!(app.get("/en/account/inbox", &browser).await.status, StatusCode::OK);
    // The kept token with one character changed, and with a character added.
    let token = token_of(&browser);
    let mut changed = token.clone().into_bytes();
    changed[0] = if changed[0] == b'A' { b'B' } else { b'A' };
    for forged in [String::from_utf8(changed).unwrap(), format!("{token}A")] {
        let mut other = browser.clone();
        other.cookies.retain(|(n, _)| n != "tamar_session");
        other.cookies.push(("tamar_session".into(), forged));
        let reply = app.get("/en/account/inbox", &other).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "a forged token is not signed in");
    }
    Ok(()) as R
});

store_test!(kept_sessions_never_cross_between_people_or_departments, |db| async move {
    let app = setup(db).await;
    let other = "kept.other@tamar.test";
    let new = tamar_identity::NewAccount {
        kind: tamar_identity::AccountKind::Citizen,
        email: other.into(),
        display_name: format!("Name of {other}"),
        password: PASSWORD.into(),
        department: None,
        roles: vec![],
    };
    tamar_identity::create_account(&app.db, &app.ledger, &tamar_core::Actor::System, new).await?;
    let people = [(app.sign_in(CITIZEN).await.0, CITIZEN), (app.sign_in(other).await.0, other), (app.sign_in(DH_OFFICER).await.0, DH_OFFICER)];
    // In turn, several times over, while every one of them is kept: each sees their own account.
    for _ in 0..3 {
        for (browser, email) in &people {
            let page = app.get("/en/account", browser).await;
            assert_eq!(page.status, StatusCode::OK, "{email}");
            for (_, someone) in &people {
                assert_eq!(page.body.contains(&format!("Name of {someone}")), someone == email, "{email}'s page and {someone}");
            }
        }
    }
    // The citizens are kept as citizens: the department's office is still refused to them.
    for (browser, email) in &people[..2] {
        assert_eq!(app.get("/api/v1/departments/DH/officers", browser).await.status, StatusCode::FORBIDDEN, "{email}");
    }
    Ok(()) as R
});
