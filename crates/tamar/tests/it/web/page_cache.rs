//! The public-page micro-cache never stores or serves a signed-in person's page, however the
//! session cookie is written (found by the `cookies` fuzz target).

use super::*;

store_test!(a_session_cookie_with_an_encoded_name_bypasses_the_page_cache, |db| async move {
    let app = setup(db).await;
    let (admin, _) = app.sign_in(ADMIN).await;
    let token = admin.cookies.iter().find(|(n, _)| n == "tamar_session").map(|(_, v)| v.clone()).unwrap();
    // The session layer decodes cookie names (`%5F` is `_`), so this browser is signed in.
    let encoded = Browser { cookies: vec![("tamar%5Fsession".into(), token)] };
    app.ledger.sync().await.unwrap();
    let started = std::time::Instant::now();
    // An anonymous visit fills the cache; the signed-in request must still reach its handler...
    let anonymous = app.get("/en/departments", &Browser::default()).await;
    assert!(anonymous.body.contains("/en/sign-in") && !anonymous.body.contains("/en/sign-out"));
    let signed_in = app.get("/en/departments", &encoded).await;
    assert!(signed_in.body.contains("/en/sign-out"), "the anonymous page was served from the cache to a signed-in person");
    // ...and a page made for it is not kept for the next anonymous visitor.
    let signed_in = app.get("/tc/departments", &encoded).await;
    assert!(signed_in.body.contains("/tc/sign-out"));
    let anonymous = app.get("/tc/departments", &Browser::default()).await;
    assert!(!anonymous.body.contains("/tc/sign-out"), "a signed-in page was served to an anonymous visitor");
    // Within the cache's lifetime (one second), or the test proves nothing.
    assert!(started.elapsed() < Duration::from_secs(1), "too slow to tell: the cache entries expired");
    Ok(()) as R
});
