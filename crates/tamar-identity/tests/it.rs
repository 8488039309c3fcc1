#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use tamar_core::{AccountId, Actor, DepartmentId, Role, SystemClock};
use tamar_identity::{AccountKind, IdentityError, NewAccount};
use tamar_ledger::{Ledger, SigningKey};
use tamar_store::{Db, Migrator, store_test};

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

    let token = tamar_identity::start_session(&db, &ledger, &signed_in).await?;
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
