//! A rush of sign-ins: password hashing runs off the async workers through one bounded queue,
//! and what does not fit is refused at once with 503 `busy` and `Retry-After`, changing
//! nothing, while pages go on being served.

use super::*;

/// The sign-in throttle's count of failures for a key.
async fn failures(app: &TestApp, key: &str) -> i64 {
    use tamar_store::sea_query::{Expr, Query};
    let row = app
        .db
        .fetch_optional(&Query::select().column("failures").from("sign_in_throttle").and_where(Expr::col("key").eq(key)).to_owned())
        .await
        .unwrap();
    row.map(|r| tamar_store::row::get::<i64>(&r, "failures").unwrap()).unwrap_or(0)
}

async fn sessions_of(app: &TestApp, person: tamar_core::AccountId) -> usize {
    use tamar_store::sea_query::{Expr, Query};
    app.db
        .fetch_all(&Query::select().column("token_hash").from("sessions").and_where(Expr::col("account_id").eq(person.to_string())).to_owned())
        .await
        .unwrap()
        .len()
}

store_test!(a_rush_of_sign_ins_past_the_queue_is_refused_at_once_and_pages_are_still_served, |db| async move {
    // One hash at a time and none waiting: this process's limits, set before anything hashes.
    assert!(tamar_identity::configure_hashing(tamar_identity::HashingLimits { workers: 1, queue: 0 }));
    let app = setup(db).await;
    let person = tamar_identity::citizen_by_email(&app.db, CITIZEN).await.unwrap().unwrap();
    let before = sessions_of(&app, person).await;
    let mut browsers = Vec::new();
    // Fewer than the account's throttle allows in parallel (each attempt is reserved before
    // its password is hashed, and a refused one gives its reservation back only afterwards).
    let rush = (tamar_identity::throttle::ACCOUNT_LIMIT - 2) as usize;
    for _ in 0..rush {
        browsers.push(app.browser().await);
    }
    // Eight sign-ins at once, and an anonymous visitor reads a page meanwhile.
    let app = &app;
    let sign_ins = browsers.iter().map(|(browser, token)| async move {
        app.post_form("/en/sign-in", browser, &[("csrf_token", token), ("email", CITIZEN), ("password", PASSWORD), ("next", "/en/account")]).await
    });
    let anonymous = Browser::default();
    let (replies, page) = futures::join!(futures::future::join_all(sign_ins), app.get("/tc/departments", &anonymous));
    assert_eq!(page.status, StatusCode::OK, "pages are served during the rush");
    let signed_in = replies.iter().filter(|r| r.status == StatusCode::SEE_OTHER).count();
    let refused: Vec<&Reply> = replies.iter().filter(|r| r.status == StatusCode::SERVICE_UNAVAILABLE).collect();
    assert_eq!(signed_in + refused.len(), replies.len(), "each either signs in or is refused: {:?}", replies.iter().map(|r| r.status).collect::<Vec<_>>());
    assert!(signed_in >= 1, "the queue admits what it has room for");
    assert!(!refused.is_empty(), "{rush} at once do not fit one worker with no queue");
    for reply in &refused {
        assert_eq!(reply.headers.get(header::RETRY_AFTER).and_then(|v| v.to_str().ok()), Some("1"), "come back in a second");
        assert!(reply.body.contains("busy right now"), "a page that says why, in the request's language");
        assert!(reply.cookie("tamar_session").is_none(), "no session for a refused sign-in");
    }
    // Nothing changed for the refused ones: no sessions, and no attempts counted against the
    // person or the address.
    assert_eq!(sessions_of(app, person).await, before + signed_in);
    assert_eq!(failures(app, &format!("account:{CITIZEN}")).await, 0);
    let (_, admitted, refused_so_far) = tamar_identity::hashing_load();
    assert_eq!(admitted, 0, "the queue is empty again");
    assert!(refused_so_far >= refused.len(), "refusals are counted for /metrics");
    // Once the rush is over, signing in works.
    app.sign_in(CITIZEN).await;
    Ok(()) as R
});
