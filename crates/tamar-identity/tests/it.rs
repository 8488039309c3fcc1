#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use tamar_core::{AccountId, Actor, DepartmentId, Role, SystemClock};
use tamar_identity::{AccountKind, IdentityError, NewAccount};
use tamar_ledger::{Ledger, SigningKey};
use tamar_store::{Db, Migrator, store_test};

#[path = "it/prefill.rs"] mod prefill;

async fn setup(db: &Db) -> Ledger {
    Migrator::new(db, &[tamar_ledger::MIGRATIONS, tamar_tenancy::MIGRATIONS, tamar_identity::MIGRATIONS]).run().await.unwrap();
    Ledger::start(db.clone(), SigningKey::from_bytes(&[2u8; 32]), Arc::new(SystemClock))
}

async fn department(db: &Db, ledger: &Ledger, code: &str) -> DepartmentId {
    let name = tamar_core::LocalizedText::new(code, code, code);
    tamar_tenancy::create(db, ledger, &Actor::System, tamar_tenancy::NewDepartment { code: code.into(), name, website: None }).await.unwrap().id
}

fn new_officer(email: &str, department: DepartmentId) -> NewAccount {
    NewAccount {
        kind: AccountKind::Officer,
        email: email.into(),
        display_name: "Officer".into(),
        password: "correct horse battery".into(),
        department: Some(department),
        roles: vec![Role::CaseOfficer],
    }
}

store_test!(sign_in_and_sessions, |db| async move {
    let ledger = setup(&db).await;
    let citizen = tamar_identity::create_account(
        &db,
        &ledger,
        &Actor::System,
        NewAccount {
            kind: AccountKind::Citizen,
            email: "Chan.TaiMan@example.hk".into(),
            display_name: "陳大文".into(),
            password: "correct horse battery".into(),
            department: None,
            roles: vec![],
        },
    )
    .await?;
    assert!(matches!(tamar_identity::authenticate(&db, "chan.taiman@example.hk", "wrong password").await, Err(IdentityError::InvalidCredentials)));
    assert!(matches!(tamar_identity::authenticate(&db, "nobody@example.hk", "x").await, Err(IdentityError::InvalidCredentials)));
    let signed_in = tamar_identity::authenticate(&db, " chan.taiman@EXAMPLE.hk", "correct horse battery").await?;
    assert_eq!(signed_in, citizen);

    let token = tamar_identity::start_session(&db, &ledger, &signed_in, Some("test")).await?;
    let now = ledger.now();
    assert_eq!(tamar_identity::resolve_session(&db, &token, now).await?, Some(citizen.clone()));
    assert_eq!(tamar_identity::resolve_session(&db, "forged", now).await?, None);
    let later = now + tamar_identity::SESSION_TTL + chrono::Duration::seconds(1);
    assert_eq!(tamar_identity::resolve_session(&db, &token, later).await?, None, "expired");
    tamar_identity::end_session(&db, &ledger, &citizen.actor(), &token).await?;
    assert_eq!(tamar_identity::resolve_session(&db, &token, now).await?, None, "signed out");

    // The citizen sees their account's creation, sign-in and sign-out.
    ledger.sync().await?;
    let actions: Vec<String> = ledger.accesses_to(citizen.id, &tamar_core::PageRequest::first(10)).await?.items.into_iter().map(|a| a.action).collect();
    assert_eq!(actions, ["identity.session.end", "identity.session.create", "identity.account.create"]);
    Ok::<(), IdentityError>(())
});

store_test!(a_kept_session_is_read_once_and_never_used_past_its_expiry_or_its_end, |db| async move {
    let clock = Arc::new(tamar_core::FixedClock::new(chrono::DateTime::from_timestamp_millis(1_790_000_000_000).unwrap()));
    Migrator::new(&db, &[tamar_ledger::MIGRATIONS, tamar_tenancy::MIGRATIONS, tamar_identity::MIGRATIONS]).run().await.unwrap();
    let ledger = Ledger::start(db.clone(), SigningKey::from_bytes(&[2u8; 32]), clock.clone());
    let citizen = tamar_identity::create_account(&db, &ledger, &Actor::System, NewAccount {
        kind: AccountKind::Citizen,
        email: "kept@example.hk".into(),
        display_name: "Kept".into(),
        password: "correct horse battery".into(),
        department: None,
        roles: vec![],
    })
    .await?;
    let kept = tamar_identity::SessionCache::default();
    let token = tamar_identity::start_session(&db, &ledger, &citizen, None).await?;
    let (first, cost) = tamar_store::count_statements(kept.resolve(&db, &ledger, &token)).await;
    assert_eq!((first?.map(|s| s.account), cost), (Some(citizen.clone()), 1), "read from the database");
    let (again, cost) = tamar_store::count_statements(kept.resolve(&db, &ledger, &token)).await;
    assert_eq!((again?.map(|s| s.account), cost), (Some(citizen.clone()), 0), "then kept");
    // Unknown and forged tokens are looked up every time, and never kept.
    for _ in 0..2 {
        let (forged, cost) = tamar_store::count_statements(kept.resolve(&db, &ledger, &format!("{token}x"))).await;
        assert_eq!((forged?.is_none(), cost), (true, 1));
    }
    // A kept session is not used past its expiry, even within the moment it is kept for.
    clock.advance(tamar_identity::SESSION_TTL + chrono::Duration::seconds(1));
    assert!(kept.resolve(&db, &ledger, &token).await?.is_none(), "expired");
    // Nor after it ended on this node.
    clock.advance(-(tamar_identity::SESSION_TTL + chrono::Duration::seconds(1)));
    assert!(kept.resolve(&db, &ledger, &token).await?.is_some());
    tamar_identity::end_session(&db, &ledger, &citizen.actor(), &token).await?;
    assert!(kept.resolve(&db, &ledger, &token).await?.is_none(), "signed out");
    Ok::<(), IdentityError>(())
});

store_test!(officers_are_scoped_to_their_department, |db| async move {
    let ledger = setup(&db).await;
    let (immd, dh) = (department(&db, &ledger, "IMMD").await, department(&db, &ledger, "DH").await);
    let admin_of_immd = Actor::Officer { account: AccountId::new(), department: immd, roles: vec![Role::DepartmentAdmin] };
    let clerk_of_immd = Actor::Officer { account: AccountId::new(), department: immd, roles: vec![Role::CaseOfficer] };
    let officer = tamar_identity::create_account(&db, &ledger, &admin_of_immd, new_officer("a@immd.gov.hk", immd)).await?;
    assert!(matches!(
        tamar_identity::create_account(&db, &ledger, &admin_of_immd, new_officer("b@dh.gov.hk", dh)).await,
        Err(IdentityError::Forbidden)
    ));
    assert!(matches!(
        tamar_identity::create_account(&db, &ledger, &clerk_of_immd, new_officer("c@immd.gov.hk", immd)).await,
        Err(IdentityError::Forbidden)
    ));
    assert!(matches!(
        tamar_identity::create_account(&db, &ledger, &Actor::System, new_officer("a@immd.gov.hk", immd)).await,
        Err(IdentityError::EmailTaken)
    ));
    assert_eq!(tamar_identity::list_officers(&db, &ledger, &admin_of_immd, immd).await?, vec![officer.clone()]);
    assert!(matches!(tamar_identity::list_officers(&db, &ledger, &admin_of_immd, dh).await, Err(IdentityError::Forbidden)));
    assert!(matches!(tamar_identity::list_officers(&db, &ledger, &clerk_of_immd, immd).await, Err(IdentityError::Forbidden)));
    // The listing was a logged read of the officer's data.
    ledger.sync().await?;
    let reads = ledger.accesses_to(officer.id, &tamar_core::PageRequest::first(10)).await?.items;
    assert!(reads.iter().any(|a| a.action == "identity.account.read" && a.actor == admin_of_immd.log_name()));
    Ok::<(), IdentityError>(())
});

mod assurance {
    use super::*;
    use tamar_core::FixedClock;
    use tamar_identity::throttle::{self, ThrottleKey};
    use tamar_identity::{Assurance, HkidKey, Registration};

    async fn setup_at(db: &Db, clock: Arc<FixedClock>) -> Ledger {
        Migrator::new(db, &[tamar_ledger::MIGRATIONS, tamar_tenancy::MIGRATIONS, tamar_identity::MIGRATIONS]).run().await.unwrap();
        Ledger::start(db.clone(), SigningKey::from_bytes(&[4u8; 32]), clock)
    }

    fn clock() -> Arc<FixedClock> {
        Arc::new(FixedClock::new(chrono::DateTime::from_timestamp_millis(1_790_000_000_000).unwrap()))
    }

    fn registration(email: &str, password: &str) -> Registration {
        Registration { name_en: "CHAN Tai-man".into(), name_zh: "陳大文".into(), email: email.into(), password: password.into(), lang: tamar_core::Lang::Tc }
    }

    async fn opened(db: &Db, ledger: &tamar_ledger::Ledger, r: Registration) -> Result<(tamar_identity::Account, String), IdentityError> {
        match tamar_identity::register(db, ledger, r).await? {
            tamar_identity::Registered::Opened { account, token } => Ok((account, token)),
            other => panic!("expected a new account: {other:?}"),
        }
    }

    store_test!(registration_then_email_verification, |db| async move {
        let clock = clock();
        let ledger = setup_at(&db, clock.clone()).await;
        let weak = tamar_identity::register(&db, &ledger, registration("chan@example.hk", "password1")).await;
        assert!(matches!(weak, Err(IdentityError::WeakPassword("common"))), "{weak:?}");
        let (account, token) = opened(&db, &ledger, registration("Chan@Example.hk", "harbour ferry at dawn")).await?;
        assert_eq!((account.assurance, account.email.as_str(), account.name_zh.as_deref()), (Assurance::L0, "chan@example.hk", Some("陳大文")));
        // The address has an account: the same answer as a new one, with its owner to be told
        // in the language they registered in; a weak password is refused either way.
        match tamar_identity::register(&db, &ledger, registration(" CHAN@example.hk", "another good phrase")).await? {
            tamar_identity::Registered::AddressTaken { owner, lang } => assert_eq!((owner.id, lang), (account.id, Some(tamar_core::Lang::Tc))),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            tamar_identity::register(&db, &ledger, registration("chan@example.hk", "password1")).await,
            Err(IdentityError::WeakPassword("common"))
        ));
        assert!(matches!(tamar_identity::verify_email(&db, &ledger, "forged").await, Err(IdentityError::InvalidLink)));
        let verified = tamar_identity::verify_email(&db, &ledger, &token).await?;
        assert_eq!(verified.assurance, Assurance::L1);
        assert!(matches!(tamar_identity::verify_email(&db, &ledger, &token).await, Err(IdentityError::InvalidLink)), "a link works once");

        // A link older than a day no longer works.
        let (other, late) = opened(&db, &ledger, registration("lee@example.hk", "quiet tram to kennedy town")).await?;
        clock.advance(chrono::Duration::hours(25));
        assert!(matches!(tamar_identity::verify_email(&db, &ledger, &late).await, Err(IdentityError::InvalidLink)));
        let fresh = tamar_identity::issue_email_verification(&db, &ledger, &other).await?;
        assert_eq!(tamar_identity::verify_email(&db, &ledger, &fresh).await?.assurance, Assurance::L1);
        Ok::<(), IdentityError>(())
    });

    store_test!(the_eleventh_failure_is_refused_until_the_window_passes, |db| async move {
        let clock = clock();
        let _ledger = setup_at(&db, clock.clone()).await;
        let keys = [ThrottleKey::account("Chan@example.hk"), ThrottleKey::address("192.0.2.7")];
        for _ in 0..throttle::ACCOUNT_LIMIT {
            throttle::reserve(&db, &keys, clock.now()).await?;
        }
        assert!(matches!(throttle::reserve(&db, &keys, clock.now()).await, Err(IdentityError::TooManyAttempts)));
        // Another account from elsewhere is not affected.
        throttle::reserve(&db, &[ThrottleKey::account("lee@example.hk"), ThrottleKey::address("198.51.100.1")], clock.now()).await?;
        // A refused attempt counted nothing against the address.
        let other = [ThrottleKey::account("ho@example.hk"), ThrottleKey::address("192.0.2.7")];
        for _ in 0..throttle::ADDRESS_LIMIT - throttle::ACCOUNT_LIMIT {
            throttle::reserve(&db, &other, clock.now()).await?;
            throttle::succeeded(&db, &other).await?;
        }
        clock.advance(throttle::WINDOW + chrono::Duration::seconds(1));
        throttle::reserve(&db, &keys, clock.now()).await?;
        throttle::reserve(&db, &keys, clock.now()).await?;
        Ok::<(), IdentityError>(())
    });

    // Thirty wrong passwords at once, against a limit of ten: the attempts are reserved before
    // any password is hashed, so no more than ten are even checked.
    store_test!(parallel_wrong_passwords_cannot_outrun_the_throttle, |db| async move {
        let clock = clock();
        let ledger = setup_at(&db, clock.clone()).await;
        let chan = citizen(&db, &ledger, "chan@example.hk").await;
        let attempts = (0..30).map(|_| {
            let (db, ledger) = (db.clone(), ledger.clone());
            async move {
                let attempt = tamar_identity::sign_in::PasswordAttempt { email: "chan@example.hk", password: "not the password", address: Some("192.0.2.9"), user_agent: None };
                tamar_identity::sign_in::attempt(&db, &ledger, attempt, "a browser value of enough length here").await
            }
        });
        let outcomes = futures::future::join_all(attempts).await;
        let wrong = outcomes.iter().filter(|o| matches!(o, Err(IdentityError::InvalidCredentials))).count();
        let refused = outcomes.iter().filter(|o| matches!(o, Err(IdentityError::TooManyAttempts))).count();
        assert_eq!((wrong, refused), (throttle::ACCOUNT_LIMIT as usize, 30 - throttle::ACCOUNT_LIMIT as usize), "{outcomes:?}");
        // Even the right password now waits for the window.
        let right = tamar_identity::sign_in::PasswordAttempt { email: "chan@example.hk", password: "a perfectly fine passphrase", address: None, user_agent: None };
        assert!(matches!(tamar_identity::sign_in::attempt(&db, &ledger, right, "x").await, Err(IdentityError::TooManyAttempts)));
        clock.advance(throttle::WINDOW + chrono::Duration::seconds(1));
        let right = tamar_identity::sign_in::PasswordAttempt { email: "chan@example.hk", password: "a perfectly fine passphrase", address: None, user_agent: Some("test") };
        let outcome = tamar_identity::sign_in::attempt(&db, &ledger, right, "x").await?;
        let tamar_identity::sign_in::SignInOutcome::Session { account, token } = outcome else { panic!("{outcome:?}") };
        assert_eq!(account.id, chan.id);
        assert_eq!(tamar_identity::resolve_session(&db, &token, clock.now()).await?.map(|a| a.id), Some(chan.id), "signed in with a session");
        Ok::<(), IdentityError>(())
    });

    async fn with_second_factor(
        db: &Db,
        ledger: &Ledger,
        sealer: &tamar_store::Sealer,
        token: &str,
        browser: &str,
        code: &str,
    ) -> Result<(tamar_identity::Account, String), IdentityError> {
        let challenge = tamar_identity::sign_in::SecondFactorAttempt { token, browser, user_agent: None };
        tamar_identity::sign_in::second_factor(db, ledger, sealer, challenge, code).await
    }

    // The "password was right" step lives on the server: a token of the browser that gave the
    // password, usable once, for five minutes, and only with that browser's own value.
    store_test!(the_second_step_is_a_single_use_challenge_bound_to_its_browser, |db| async move {
        let clock = clock();
        let ledger = setup_at(&db, clock.clone()).await;
        let sealer = tamar_store::Sealer::new(&[8u8; 32]);
        let officer = citizen(&db, &ledger, "officer@example.hk").await;
        let secret = "TAMARTESTSECRETKEYFORTHEOFFICERS";
        tamar_identity::mfa::enable_totp_with_secret(&db, &sealer, &officer, secret).await?;
        let code_at = |offset: i64| {
            let key = totp_rs::Secret::Encoded(secret.into()).to_bytes().unwrap();
            let totp = totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, key, None, String::new()).unwrap();
            totp.generate((clock.now().timestamp() + offset * 30) as u64)
        };
        let browser = "f".repeat(64);
        let attempt = || tamar_identity::sign_in::PasswordAttempt { email: "officer@example.hk", password: "a perfectly fine passphrase", address: None, user_agent: None };
        let tamar_identity::sign_in::SignInOutcome::SecondFactorPending { token, .. } = tamar_identity::sign_in::attempt(&db, &ledger, attempt(), &browser).await? else {
            panic!("an account with TOTP needs a second step")
        };
        use tamar_identity::sign_in::pending;
        assert_eq!(pending(&db, &token, &browser, clock.now()).await?, Some(officer.id));
        // Another browser holding a copy of the token, or a made-up token, gets nowhere.
        assert_eq!(pending(&db, &token, &"e".repeat(64), clock.now()).await?, None);
        assert!(matches!(with_second_factor(&db, &ledger, &sealer, &token, &"e".repeat(64), &code_at(0)).await, Err(IdentityError::SignInExpired)));
        assert!(matches!(with_second_factor(&db, &ledger, &sealer, "forged", &browser, &code_at(0)).await, Err(IdentityError::SignInExpired)));
        assert!(matches!(with_second_factor(&db, &ledger, &sealer, &token, &browser, "000000").await, Err(IdentityError::InvalidCode)));
        let (account, session) = with_second_factor(&db, &ledger, &sealer, &token, &browser, &code_at(0)).await?;
        assert_eq!(account.id, officer.id);
        assert_eq!(tamar_identity::resolve_session(&db, &session, clock.now()).await?.map(|a| a.id), Some(officer.id), "signed in with a session");
        // Used once: the next code does not reopen it.
        assert!(matches!(with_second_factor(&db, &ledger, &sealer, &token, &browser, &code_at(1)).await, Err(IdentityError::SignInExpired)));
        // A new challenge expires after five minutes.
        let tamar_identity::sign_in::SignInOutcome::SecondFactorPending { token, .. } = tamar_identity::sign_in::attempt(&db, &ledger, attempt(), &browser).await? else {
            panic!()
        };
        clock.advance(tamar_identity::sign_in::CHALLENGE_TTL + chrono::Duration::seconds(1));
        assert!(matches!(with_second_factor(&db, &ledger, &sealer, &token, &browser, &code_at(0)).await, Err(IdentityError::SignInExpired)));
        Ok::<(), IdentityError>(())
    });

    use tamar_core::Clock as _;

    async fn citizen(db: &Db, ledger: &Ledger, email: &str) -> tamar_identity::Account {
        let new = NewAccount {
            kind: AccountKind::Citizen,
            email: email.into(),
            display_name: "Citizen".into(),
            password: "a perfectly fine passphrase".into(),
            department: None,
            roles: vec![],
        };
        tamar_identity::create_account(db, ledger, &Actor::System, new).await.unwrap()
    }

    store_test!(identity_verification_by_an_officer, |db| async move {
        let clock = clock();
        let ledger = setup_at(&db, clock.clone()).await;
        let key = HkidKey::new([9u8; 32], tamar_store::Sealer::new(&[9u8; 32]));
        let chan = citizen(&db, &ledger, "chan@example.hk").await;
        let immd = department(&db, &ledger, "IMMD").await;
        let td = department(&db, &ledger, "TD").await;
        let verifier = Actor::Officer { account: AccountId::new(), department: immd, roles: vec![Role::IdentityVerifier] };
        let clerk = Actor::Officer { account: AccountId::new(), department: immd, roles: vec![Role::CaseOfficer] };
        // A verifier role held outside the Immigration Department (written behind Tamar's back)
        // acts nowhere.
        let elsewhere = Actor::Officer { account: AccountId::new(), department: td, roles: vec![Role::IdentityVerifier] };

        for (hkid, dob, expected) in [
            ("A12345(3)", "1990-07-01", "invalid_hkid"),
            ("A123456(4)", "1990-07-01", "hkid_check_digit"),
            ("A123456(3)", "1990-13-01", "invalid_input"),
            ("A123456(3)", "2999-01-01", "invalid_input"),
        ] {
            let e = tamar_identity::submit_identity(&db, &ledger, &key, &chan, hkid, dob).await.unwrap_err();
            assert_eq!(tamar_core::HasCode::code(&e).as_str(), expected, "{hkid} {dob}");
        }
        tamar_identity::submit_identity(&db, &ledger, &key, &chan, "a123456(3)", "1990-07-01").await?;
        assert!(matches!(
            tamar_identity::submit_identity(&db, &ledger, &key, &chan, "A123456(3)", "1990-07-01").await,
            Err(IdentityError::VerificationPending)
        ));
        assert!(matches!(tamar_identity::verification_queue(&db, &ledger, &clerk, &tamar_core::PageRequest::default()).await, Err(IdentityError::Forbidden)));
        assert!(matches!(tamar_identity::verification_queue(&db, &ledger, &elsewhere, &tamar_core::PageRequest::default()).await, Err(IdentityError::Forbidden)));
        let queue = tamar_identity::verification_queue(&db, &ledger, &verifier, &tamar_core::PageRequest::default()).await?.items;
        assert_eq!(queue.len(), 1);
        assert_eq!(queue[0].hkid_masked, "A123***(3)");
        assert!(matches!(tamar_identity::decide_verification(&db, &ledger, &clerk, &queue[0].id, true).await, Err(IdentityError::Forbidden)));
        assert!(matches!(tamar_identity::decide_verification(&db, &ledger, &elsewhere, &queue[0].id, true).await, Err(IdentityError::Forbidden)));
        tamar_identity::decide_verification(&db, &ledger, &verifier, &queue[0].id, true).await?;
        assert!(matches!(tamar_identity::decide_verification(&db, &ledger, &verifier, &queue[0].id, true).await, Err(IdentityError::NotFound)));
        let chan = tamar_identity::get_account(&db, &ledger, &Actor::System, chan.id, "test").await?;
        assert_eq!((chan.assurance, chan.hkid_masked.as_deref()), (Assurance::L2, Some("A123***(3)")));

        // The full number is stored nowhere: not in the account, the queue or the log.
        for (table, columns) in [
            ("accounts", &["hkid_hash", "hkid_masked", "hkid_sealed", "display_name"][..]),
            ("identity_verifications", &["hkid_hash", "hkid_masked", "hkid_sealed"][..]),
            ("ledger_entries", &["body", "object"][..]),
        ] {
            let rows = db.fetch_all(&sea_query::Query::select().columns(columns.iter().copied()).from(table).to_owned()).await?;
            for r in &rows {
                for c in columns {
                    let value: Option<String> = tamar_store::row::get(r, c)?;
                    assert!(!value.unwrap_or_default().contains("123456"), "{table}.{c} holds the full HKID");
                }
            }
        }

        // Sealed, it can be read back for a claim the person consents to.
        assert_eq!(tamar_identity::full_hkid(&db, &key, chan.id).await?.as_deref(), Some("A123456(3)"));

        // The same HKID cannot verify a second account; a rejected submission leaves L1.
        let lee = citizen(&db, &ledger, "lee@example.hk").await;
        tamar_identity::submit_identity(&db, &ledger, &key, &lee, "A1234563", "1990-07-01").await?;
        let queue = tamar_identity::verification_queue(&db, &ledger, &verifier, &tamar_core::PageRequest::default()).await?.items;
        assert!(matches!(tamar_identity::decide_verification(&db, &ledger, &verifier, &queue[0].id, true).await, Err(IdentityError::IdentityTaken)));
        tamar_identity::decide_verification(&db, &ledger, &verifier, &queue[0].id, false).await?;
        let lee = tamar_identity::get_account(&db, &ledger, &Actor::System, lee.id, "test").await?;
        assert_eq!(lee.assurance, Assurance::L1);

        // Chan sees who looked at the submission, and who approved it.
        ledger.sync().await?;
        let log = ledger.accesses_to(chan.id, &tamar_core::PageRequest::first(20)).await?.items;
        assert!(log.iter().any(|a| a.action == "identity.verification.read" && a.actor == verifier.log_name()));
        assert!(log.iter().any(|a| a.action == "identity.verification.approve"));
        Ok::<(), IdentityError>(())
    });

    store_test!(people_list_and_end_their_own_sessions, |db| async move {
        let clock = clock();
        let ledger = setup_at(&db, clock.clone()).await;
        let chan = citizen(&db, &ledger, "chan@example.hk").await;
        let lee = citizen(&db, &ledger, "lee@example.hk").await;
        let phone = tamar_identity::start_session(&db, &ledger, &chan, Some("Phone")).await?;
        let laptop = tamar_identity::start_session(&db, &ledger, &chan, Some("Laptop\u{7}")).await?;
        let sessions = tamar_identity::list_sessions(&db, &chan, &laptop, clock.now(), &Default::default()).await?.items;
        assert_eq!(sessions.len(), 2);
        let this = sessions.iter().find(|s| s.current).unwrap();
        assert_eq!(this.user_agent.as_deref(), Some("Laptop"), "control characters are dropped");
        let other = sessions.iter().find(|s| !s.current).unwrap();
        assert!(matches!(tamar_identity::revoke_session(&db, &ledger, &lee, &other.id).await, Err(IdentityError::NotFound)));
        tamar_identity::revoke_session(&db, &ledger, &chan, &other.id).await?;
        assert!(tamar_identity::resolve_session(&db, &phone, clock.now()).await?.is_none());
        assert!(tamar_identity::resolve_session(&db, &laptop, clock.now()).await?.is_some());
        assert!(matches!(tamar_identity::revoke_session(&db, &ledger, &chan, "not-an-id").await, Err(IdentityError::NotFound)));
        Ok::<(), IdentityError>(())
    });
}

// Every role, granted by every kind of granter, to an officer of the Transport Department and
// of the Immigration Department: only what the role's scope allows goes through.
store_test!(roles_are_granted_only_within_their_scope, |db| async move {
    let ledger = setup(&db).await;
    let mut ids = std::collections::HashMap::new();
    for code in ["IMMD", "TD"] {
        let name = tamar_core::LocalizedText::new(code, code, code);
        let d = tamar_tenancy::create(&db, &ledger, &Actor::System, tamar_tenancy::NewDepartment { code: code.into(), name, website: None }).await.unwrap();
        ids.insert(code, d.id);
    }
    let admin = Actor::PlatformAdmin { account: AccountId::new() };
    let td_admin = Actor::Officer { account: AccountId::new(), department: ids["TD"], roles: vec![Role::DepartmentAdmin] };
    let immd_admin = Actor::Officer { account: AccountId::new(), department: ids["IMMD"], roles: vec![Role::DepartmentAdmin] };
    let td_clerk = Actor::Officer { account: AccountId::new(), department: ids["TD"], roles: vec![Role::CaseOfficer, Role::ContentEditor] };
    let citizen = Actor::Citizen { account: AccountId::new() };
    let granters = [("system", &Actor::System), ("platform admin", &admin), ("TD admin", &td_admin), ("IMMD admin", &immd_admin), ("TD clerk", &td_clerk), ("citizen", &citizen), ("anonymous", &Actor::Anonymous)];
    let mut n = 0;
    for (who, granter) in granters {
        for target in ["TD", "IMMD"] {
            for role in Role::ALL {
                let platform = matches!(granter, Actor::System | Actor::PlatformAdmin { .. });
                let own_admin = granter.has_role(Role::DepartmentAdmin) && granter.department() == Some(ids[target]);
                let expected = match role {
                    // Reserved for the Immigration Department: only there, by the platform or IMMD's own admin.
                    Role::IdentityVerifier => target == "IMMD" && (platform || own_admin),
                    _ => platform || own_admin,
                };
                n += 1;
                let new = NewAccount {
                    kind: AccountKind::Officer,
                    email: format!("officer{n}@{}.gov.hk", target.to_lowercase()),
                    display_name: "Officer".into(),
                    password: "correct horse battery".into(),
                    department: Some(ids[target]),
                    roles: vec![role],
                };
                let outcome = tamar_identity::create_account(&db, &ledger, granter, new).await;
                assert_eq!(outcome.is_ok(), expected, "{who} granting {} in {target}: {outcome:?}", role.as_str());
                if let Err(e) = outcome {
                    let code = tamar_core::HasCode::code(&e);
                    assert!(matches!(code, tamar_core::Code::FORBIDDEN | tamar_identity::codes::ROLE_NOT_GRANTABLE), "{who}: {code:?}");
                }
            }
        }
    }
    Ok::<(), IdentityError>(())
});

store_test!(successful_sign_ins_in_parallel_are_never_refused_as_too_many, |db| async move {
    setup(&db).await;
    let keys = [tamar_identity::throttle::ThrottleKey::account("chan.taiman@example.hk")];
    // Rounds of attempts that all succeed: each success forgets the account's count, deleting
    // the row that the others are counting themselves in at that moment.
    for round in 0..40 {
        let attempts = (0..8).map(|_| async {
            tamar_identity::throttle::reserve(&db, &keys, chrono::Utc::now()).await?;
            tamar_identity::throttle::succeeded(&db, &keys).await?;
            Ok::<(), IdentityError>(())
        });
        for outcome in futures::future::join_all(attempts).await {
            assert!(outcome.is_ok(), "round {round}: {outcome:?}");
        }
    }
    // The limit itself still holds: failures count, and the one past the limit is refused.
    for _ in 0..tamar_identity::throttle::ACCOUNT_LIMIT {
        tamar_identity::throttle::reserve(&db, &keys, chrono::Utc::now()).await?;
    }
    let refused = tamar_identity::throttle::reserve(&db, &keys, chrono::Utc::now()).await;
    assert!(matches!(refused, Err(IdentityError::TooManyAttempts)), "{refused:?}");
    // A window later, attempts count from one again.
    let later = chrono::Utc::now() + tamar_identity::throttle::WINDOW + chrono::Duration::seconds(1);
    tamar_identity::throttle::reserve(&db, &keys, later).await?;
    Ok::<(), IdentityError>(())
});
