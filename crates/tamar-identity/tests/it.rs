#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use tamar_core::{AccountId, Actor, DepartmentId, Role, SystemClock};
use tamar_identity::{AccountKind, IdentityError, NewAccount};
use tamar_ledger::{Ledger, SigningKey};
use tamar_store::{Db, Migrator, store_test};

#[path = "it/prefill.rs"] mod prefill;

async fn setup(db: &Db) -> Ledger {
    Migrator::new(db, &[tamar_ledger::MIGRATIONS, tamar_identity::MIGRATIONS]).run().await.unwrap();
    Ledger::start(db.clone(), SigningKey::from_bytes(&[2u8; 32]), Arc::new(SystemClock))
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
    let actions: Vec<String> = ledger.accesses_to(citizen.id, 10).await?.into_iter().map(|a| a.action).collect();
    assert_eq!(actions, ["identity.session.end", "identity.session.create", "identity.account.create"]);
    Ok::<(), IdentityError>(())
});

store_test!(officers_are_scoped_to_their_department, |db| async move {
    let ledger = setup(&db).await;
    let (immd, dh) = (DepartmentId::new(), DepartmentId::new());
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
    let reads = ledger.accesses_to(officer.id, 10).await?;
    assert!(reads.iter().any(|a| a.action == "identity.account.read" && a.actor == admin_of_immd.log_name()));
    Ok::<(), IdentityError>(())
});

mod assurance {
    use super::*;
    use tamar_core::FixedClock;
    use tamar_identity::throttle::{self, ThrottleKey};
    use tamar_identity::{Assurance, HkidKey, Registration};

    async fn setup_at(db: &Db, clock: Arc<FixedClock>) -> Ledger {
        Migrator::new(db, &[tamar_ledger::MIGRATIONS, tamar_identity::MIGRATIONS]).run().await.unwrap();
        Ledger::start(db.clone(), SigningKey::from_bytes(&[4u8; 32]), clock)
    }

    fn clock() -> Arc<FixedClock> {
        Arc::new(FixedClock::new(chrono::DateTime::from_timestamp_millis(1_790_000_000_000).unwrap()))
    }

    fn registration(email: &str, password: &str) -> Registration {
        Registration { name_en: "CHAN Tai-man".into(), name_zh: "陳大文".into(), email: email.into(), password: password.into() }
    }

    store_test!(registration_then_email_verification, |db| async move {
        let clock = clock();
        let ledger = setup_at(&db, clock.clone()).await;
        let weak = tamar_identity::register(&db, &ledger, registration("chan@example.hk", "password1")).await;
        assert!(matches!(weak, Err(IdentityError::WeakPassword("common"))), "{weak:?}");
        let (account, token) = tamar_identity::register(&db, &ledger, registration("Chan@Example.hk", "harbour ferry at dawn")).await?;
        assert_eq!((account.assurance, account.email.as_str(), account.name_zh.as_deref()), (Assurance::L0, "chan@example.hk", Some("陳大文")));
        assert!(matches!(
            tamar_identity::register(&db, &ledger, registration("chan@example.hk", "another good phrase")).await,
            Err(IdentityError::EmailTaken)
        ));
        assert!(matches!(tamar_identity::verify_email(&db, &ledger, "forged").await, Err(IdentityError::InvalidLink)));
        let verified = tamar_identity::verify_email(&db, &ledger, &token).await?;
        assert_eq!(verified.assurance, Assurance::L1);
        assert!(matches!(tamar_identity::verify_email(&db, &ledger, &token).await, Err(IdentityError::InvalidLink)), "a link works once");

        // A link older than a day no longer works.
        let (other, late) = tamar_identity::register(&db, &ledger, registration("lee@example.hk", "quiet tram to kennedy town")).await?;
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
            throttle::check(&db, &keys, clock.now()).await?;
            throttle::record_failure(&db, &keys, clock.now()).await?;
        }
        assert!(matches!(throttle::check(&db, &keys, clock.now()).await, Err(IdentityError::TooManyAttempts)));
        // Another account from elsewhere is not affected.
        throttle::check(&db, &[ThrottleKey::account("lee@example.hk"), ThrottleKey::address("198.51.100.1")], clock.now()).await?;
        clock.advance(throttle::WINDOW + chrono::Duration::seconds(1));
        throttle::check(&db, &keys, clock.now()).await?;
        throttle::record_failure(&db, &keys, clock.now()).await?;
        throttle::check(&db, &keys, clock.now()).await?;
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
        let verifier = Actor::Officer { account: AccountId::new(), department: DepartmentId::new(), roles: vec![Role::IdentityVerifier] };
        let clerk = Actor::Officer { account: AccountId::new(), department: DepartmentId::new(), roles: vec![Role::CaseOfficer] };

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
        assert!(matches!(tamar_identity::verification_queue(&db, &ledger, &clerk).await, Err(IdentityError::Forbidden)));
        let queue = tamar_identity::verification_queue(&db, &ledger, &verifier).await?;
        assert_eq!(queue.len(), 1);
        assert_eq!(queue[0].hkid_masked, "A123***(3)");
        assert!(matches!(tamar_identity::decide_verification(&db, &ledger, &clerk, &queue[0].id, true).await, Err(IdentityError::Forbidden)));
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
        let queue = tamar_identity::verification_queue(&db, &ledger, &verifier).await?;
        assert!(matches!(tamar_identity::decide_verification(&db, &ledger, &verifier, &queue[0].id, true).await, Err(IdentityError::IdentityTaken)));
        tamar_identity::decide_verification(&db, &ledger, &verifier, &queue[0].id, false).await?;
        let lee = tamar_identity::get_account(&db, &ledger, &Actor::System, lee.id, "test").await?;
        assert_eq!(lee.assurance, Assurance::L1);

        // Chan sees who looked at the submission, and who approved it.
        ledger.sync().await?;
        let log = ledger.accesses_to(chan.id, 20).await?;
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
        let sessions = tamar_identity::list_sessions(&db, &chan, &laptop, clock.now()).await?;
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
