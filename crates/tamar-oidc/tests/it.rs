//! The provider's rules, on SQLite and PostgreSQL: key rotation, sectors, what is released.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::sync::Arc;

use base64::Engine;
use sha2::Digest;
use tamar_core::{AccountId, Actor, Clock, FixedClock, HasCode, LocalizedText};
use tamar_identity::prefill::{self, PrefillField};
use tamar_identity::{Account, AccountKind, NewAccount};
use tamar_ledger::{Ledger, SigningKey};
use tamar_oidc::keys::{ACTIVATION_DELAY, JWKS_MAX_AGE, KEEP_PUBLISHED, ROTATE_AFTER};
use tamar_oidc::{KeyState, NewClient, OidcError, SigningKeys};
use tamar_store::sea_query::{Expr, ExprTrait, Query};
use tamar_store::{Db, Migrator, Sealer, row, store_test};

fn sealer() -> Sealer {
    Sealer::new(&[4u8; 32])
}

async fn setup(db: &Db, clock: Arc<FixedClock>) -> Ledger {
    Migrator::new(db, &[tamar_ledger::MIGRATIONS, tamar_identity::MIGRATIONS, tamar_oidc::MIGRATIONS]).run().await.unwrap();
    Ledger::start(db.clone(), SigningKey::from_bytes(&[8u8; 32]), clock)
}

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::new(chrono::DateTime::parse_from_rfc3339("2026-03-01T09:00:00Z").unwrap().to_utc()))
}

fn kid_of(token: &str) -> String {
    jsonwebtoken::decode_header(token).unwrap().kid.unwrap()
}

fn kids(jwks: &tamar_oidc::keys::Jwks) -> Vec<String> {
    jwks.keys.iter().map(|k| k.kid.clone()).collect()
}

/// Who did what to the keys, from the log.
async fn key_rotations(db: &Db) -> Vec<(String, String)> {
    let rows = db
        .fetch_all(&Query::select().columns(["actor", "object"]).from("ledger_entries").and_where(Expr::col("action").eq("oidc.key.rotate")).order_by("id", tamar_store::sea_query::Order::Asc).to_owned())
        .await
        .unwrap();
    rows.iter().map(|r| (row::get(r, "actor").unwrap(), row::get(r, "object").unwrap())).collect()
}

store_test!(a_new_key_is_published_before_it_signs, |db| async move {
    let clock = clock();
    let ledger = setup(&db, clock.clone()).await;
    let claims = serde_json::json!({"iss": "https://tamar.test", "sub": "s", "aud": "c"});
    // The first key signs at once: no one can have cached a key set without it.
    SigningKeys::ensure(&db, &sealer(), clock.now()).await?;
    let first = SigningKeys::sign(&db, &sealer(), clock.now(), &claims).await?;
    let old = kid_of(&first);
    assert_eq!(kids(&SigningKeys::jwks(&db, clock.now()).await?), vec![old.clone()]);

    // An administrator rotates: the new key is published at once, and does not sign yet.
    let admin = Actor::PlatformAdmin { account: AccountId::new() };
    let next = SigningKeys::rotate(&db, &sealer(), &admin, clock.now()).await?;
    assert_eq!(next.state, KeyState::Next);
    assert_eq!(next.signs_from, clock.now() + ACTIVATION_DELAY);
    assert!(ACTIVATION_DELAY > JWKS_MAX_AGE, "longer than relying parties cache the key set");
    assert_eq!(kid_of(&SigningKeys::sign(&db, &sealer(), clock.now(), &claims).await?), old, "still the old key");
    let published = kids(&SigningKeys::jwks(&db, clock.now()).await?);
    assert!(published.contains(&next.kid) && published.contains(&old), "{published:?}");
    // Asking again while a key waits makes no third key.
    assert_eq!(SigningKeys::rotate(&db, &sealer(), &admin, clock.now()).await?.kid, next.kid);
    assert_eq!(SigningKeys::keys(&db, clock.now()).await?.len(), 2);

    // A relying party that fetched the key set just before the rotation has refetched by the
    // time the new key signs.
    clock.advance(JWKS_MAX_AGE + chrono::Duration::seconds(1));
    assert_eq!(kid_of(&SigningKeys::sign(&db, &sealer(), clock.now(), &claims).await?), old);
    clock.advance(ACTIVATION_DELAY - JWKS_MAX_AGE);
    let signed = SigningKeys::sign(&db, &sealer(), clock.now(), &claims).await?;
    assert_eq!(kid_of(&signed), next.kid, "the new key signs after the delay");
    let states: Vec<(String, KeyState)> = SigningKeys::keys(&db, clock.now()).await?.into_iter().map(|k| (k.kid, k.state)).collect();
    assert_eq!(states, vec![(next.kid.clone(), KeyState::Current), (old.clone(), KeyState::Previous)]);
    // Tokens the old key signed can still be checked for a while, then it is retired.
    assert!(SigningKeys::jwks(&db, clock.now()).await?.keys.iter().any(|k| k.kid == old));
    clock.advance(KEEP_PUBLISHED);
    assert_eq!(kids(&SigningKeys::jwks(&db, clock.now()).await?), vec![next.kid.clone()]);

    // After 90 days of signing, the platform publishes the next key by itself.
    SigningKeys::ensure(&db, &sealer(), clock.now()).await?;
    assert_eq!(SigningKeys::keys(&db, clock.now()).await?.len(), 2, "not due yet");
    clock.advance(ROTATE_AFTER);
    SigningKeys::ensure(&db, &sealer(), clock.now()).await?;
    let keys = SigningKeys::keys(&db, clock.now()).await?;
    assert_eq!((keys.len(), keys[0].state), (3, KeyState::Next));

    // Each new key is in the log with whoever made it.
    ledger.sync().await?;
    let log = key_rotations(&db).await;
    assert_eq!(log.len(), 3);
    assert_eq!(log[0], ("system".to_owned(), format!("oidc-key:{old}")));
    assert_eq!(log[1], (admin.log_name(), format!("oidc-key:{}", next.kid)));
    assert_eq!(log[2].0, "system");
    Ok::<(), OidcError>(())
});

fn client(redirect_uris: &[&str], sector_identifier_uri: Option<&str>, scopes: &[&str]) -> NewClient {
    let text = LocalizedText::new("Forms", "表格", "表格");
    NewClient {
        name: text.clone(),
        purpose: text,
        redirect_uris: redirect_uris.iter().map(|u| u.to_string()).collect(),
        post_logout_redirect_uris: vec![],
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        sector_identifier_uri: sector_identifier_uri.map(str::to_owned),
    }
}

store_test!(redirect_uris_on_several_hosts_need_a_sector_identifier, |db| async move {
    let ledger = setup(&db, clock()).await;
    let admin = Actor::PlatformAdmin { account: AccountId::new() };
    let register = |new| tamar_oidc::clients::register(&db, &ledger, &admin, new);
    let one_host = register(client(&["https://forms.example.hk/cb", "https://forms.example.hk/cb2"], None, &["openid"])).await?;
    assert_eq!(one_host.client.sector, "forms.example.hk");
    let refused = register(client(&["https://forms.example.hk/cb", "https://evil.example/cb"], None, &["openid"])).await;
    match refused {
        Err(e @ OidcError::SectorIdentifierRequired) => assert_eq!(e.code(), tamar_oidc::codes::SECTOR_IDENTIFIER_REQUIRED),
        other => panic!("registered: {other:?}"),
    }
    let with_sector =
        register(client(&["https://forms.example.hk/cb", "https://apply.example.hk/cb"], Some("https://example.hk/sector.json"), &["openid"])).await?;
    assert_eq!(with_sector.client.sector, "example.hk");
    assert_eq!(with_sector.client.sector_identifier_uri.as_deref(), Some("https://example.hk/sector.json"));
    let stored = tamar_oidc::clients::find(&db, &with_sector.client.client_id).await?.unwrap();
    assert_eq!(stored.sector, "example.hk");
    assert!(matches!(
        register(client(&["https://forms.example.hk/cb"], Some("ftp://example.hk/"), &["openid"])).await,
        Err(OidcError::Invalid { field: "sector_identifier_uri", .. })
    ));
    Ok::<(), OidcError>(())
});

async fn citizen(db: &Db, ledger: &Ledger) -> Account {
    let new = NewAccount {
        kind: AccountKind::Citizen,
        email: "chan@example.hk".into(),
        display_name: "Chan Tai-man".into(),
        password: "a long test password".into(),
        department: None,
        roles: vec![],
    };
    let account = tamar_identity::create_account(db, ledger, &Actor::System, new).await.unwrap();
    tamar_identity::update_contact(db, ledger, &account, "Flat 12A, 1 Harbour Road", "+852 9123 4567").await.unwrap();
    tamar_identity::get_account(db, ledger, &account.actor(), account.id, "test").await.unwrap()
}

/// Signs the person in at the client for these scopes, as the web layer would; returns the
/// access token.
async fn access_token(db: &Db, ledger: &Ledger, provider: &tamar_oidc::Provider<'_>, client: &tamar_oidc::Client, account: &Account, scopes: &str) -> String {
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-long-enough";
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
    let request = tamar_oidc::AuthorizationRequest {
        response_type: Some("code".into()),
        client_id: Some(client.client_id.clone()),
        redirect_uri: Some(client.redirect_uris[0].clone()),
        scope: Some(scopes.into()),
        code_challenge: Some(challenge),
        code_challenge_method: Some("S256".into()),
        ..Default::default()
    };
    let valid = request.validate(db).await.unwrap();
    tamar_oidc::flow::grant_consent(db, ledger, account, client, &valid.scopes).await.unwrap();
    let code = tamar_oidc::flow::issue_code(db, ledger, &valid, account, false, ledger.now()).await.unwrap();
    let token = tamar_oidc::TokenRequest { code: &code, redirect_uri: &client.redirect_uris[0], code_verifier: verifier };
    tamar_oidc::flow::exchange(db, ledger, provider, client, token).await.unwrap().access_token
}

store_test!(pre_fill_settings_decide_what_is_released, |db| async move {
    let clock = clock();
    let ledger = setup(&db, clock.clone()).await;
    SigningKeys::ensure(&db, &sealer(), clock.now()).await?;
    let admin = Actor::PlatformAdmin { account: AccountId::new() };
    let scopes = "openid profile email address phone hkid";
    let forms = tamar_oidc::clients::register(&db, &ledger, &admin, client(&["https://forms.example.hk/cb"], None, &scopes.split(' ').collect::<Vec<_>>())).await?.client;
    let hkid_key = tamar_identity::HkidKey::new([5u8; 32], Sealer::new(&[5u8; 32]));
    let provider = tamar_oidc::Provider { issuer: "https://tamar.test", pairwise_key: &[6u8; 32], hkid_key: &hkid_key, sealer: &sealer() };
    let me = citizen(&db, &ledger).await;
    let asked: Vec<String> = scopes.split(' ').map(str::to_owned).collect();

    // Nothing chosen yet: name and email go out; address and phone, although consented, do not.
    let plan = tamar_oidc::releases::plan(&db, &me, &asked).await?;
    assert_eq!(plan.released().collect::<Vec<_>>(), ["profile", "email"]);
    use tamar_oidc::releases::Withheld;
    assert_eq!(plan.withheld().collect::<Vec<_>>(), [("address", Withheld::NotPrefilled), ("phone", Withheld::NotPrefilled), ("hkid", Withheld::NotPrefilled)]);
    let token = access_token(&db, &ledger, &provider, &forms, &me, scopes).await;
    let claims = tamar_oidc::flow::userinfo(&db, &ledger, &provider, &token).await?;
    assert!(claims.contains_key("email") && claims.contains_key("name"));
    assert!(!claims.contains_key("address") && !claims.contains_key("phone_number"), "{claims:?}");

    // The person lets services fill in the address, and stops them filling in the email.
    prefill::set_prefill(&db, &ledger, &me.actor(), &[PrefillField::Name, PrefillField::Address, PrefillField::Hkid].into_iter().collect::<BTreeSet<_>>()).await?;
    let claims = tamar_oidc::flow::userinfo(&db, &ledger, &provider, &token).await?;
    assert_eq!(claims["address"]["formatted"], "Flat 12A, 1 Harbour Road");
    assert!(!claims.contains_key("email") && !claims.contains_key("phone_number"), "a consent given before does not override the setting");
    let plan = tamar_oidc::releases::plan(&db, &me, &asked).await?;
    assert!(plan.withheld().any(|w| w == ("hkid", Withheld::NotOnAccount)), "allowed, but the identity is not verified");

    // Each release is listed for the person: what, to whom, when; newest first.
    let listed = tamar_oidc::releases::releases_of(&db, me.id, None).await?;
    assert_eq!(listed.releases.len(), 2);
    assert_eq!(listed.releases[0].scopes, ["profile", "address"]);
    assert_eq!(listed.releases[1].scopes, ["profile", "email"]);
    assert_eq!(listed.releases[0].client_name.as_ref().unwrap().en, "Forms");
    assert_eq!(listed.releases[0].released_at, clock.now());
    assert!(listed.older.is_none());
    // Nobody else sees them.
    assert!(tamar_oidc::releases::releases_of(&db, AccountId::new(), None).await?.releases.is_empty());

    // The list comes in pages.
    for _ in 0..tamar_oidc::releases::PAGE_SIZE {
        tamar_oidc::flow::userinfo(&db, &ledger, &provider, &token).await?;
    }
    let first = tamar_oidc::releases::releases_of(&db, me.id, None).await?;
    assert_eq!(first.releases.len() as u64, tamar_oidc::releases::PAGE_SIZE);
    let second = tamar_oidc::releases::releases_of(&db, me.id, first.older.as_deref()).await?;
    assert_eq!(second.releases.len(), 2);
    assert!(second.older.is_none());
    assert!(second.releases.iter().all(|r| first.releases.iter().all(|f| f.id != r.id)));
    assert!(matches!(tamar_oidc::releases::releases_of(&db, me.id, Some("' OR 1=1 --")).await, Err(OidcError::InvalidRequest(_))));
    Ok::<(), OidcError>(())
});

#[test]
fn faults_of_the_server_are_described_without_their_detail() {
    let detail = "database error: connection to 10.0.0.5 refused for user tamar";
    let faults = [
        OidcError::Store(tamar_store::StoreError::Corrupt(detail.into())),
        OidcError::Identity(tamar_identity::IdentityError::Store(tamar_store::StoreError::Corrupt(detail.into()))),
        OidcError::Signing(detail.into()),
    ];
    for fault in faults {
        assert!(fault.is_server_fault());
        assert_eq!(fault.oauth_code(), "server_error");
        assert_eq!(fault.description(), "the server could not complete the request");
        assert!(fault.to_string().contains("10.0.0.5"), "the detail stays in the error, for the log");
    }
    assert_eq!(OidcError::InvalidGrant("the code has expired").description(), "the code has expired");
}
