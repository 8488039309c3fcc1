#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use tamar_core::{AccountId, Actor, LocalizedText, SystemClock};
use tamar_ledger::{Ledger, SigningKey};
use tamar_store::{Db, Migrator, store_test};
use tamar_tenancy::{NewDepartment, TenancyError};

async fn setup(db: &Db) -> Ledger {
    Migrator::new(db, &[tamar_ledger::MIGRATIONS, tamar_tenancy::MIGRATIONS]).run().await.unwrap();
    Ledger::start(db.clone(), SigningKey::from_bytes(&[1u8; 32]), Arc::new(SystemClock))
}

fn immd() -> NewDepartment {
    NewDepartment {
        code: "IMMD".into(),
        name: LocalizedText::new("Immigration Department", "入境事務處", "入境事务处"),
        website: Some("https://www.immd.gov.hk".into()),
    }
}

async fn log_size(ledger: &Ledger) -> u64 {
    ledger.sync().await.unwrap();
    ledger.latest_sth().await.unwrap().map_or(0, |h| h.tree_size)
}

store_test!(creating_a_department_is_logged_with_it, |db| async move {
    let ledger = setup(&db).await;
    let admin = Actor::PlatformAdmin { account: AccountId::new() };
    let created = tamar_tenancy::create(&db, &ledger, &admin, immd()).await?;
    assert_eq!(tamar_tenancy::by_code(&db, "IMMD").await?, created);
    assert_eq!(tamar_tenancy::by_id(&db, created.id).await?.name.tc, "入境事務處");
    assert_eq!(log_size(&ledger).await, 1);
    Ok::<(), TenancyError>(())
});

store_test!(bad_or_duplicate_input_changes_nothing, |db| async move {
    let ledger = setup(&db).await;
    let admin = Actor::PlatformAdmin { account: AccountId::new() };
    tamar_tenancy::create(&db, &ledger, &admin, immd()).await?;
    let duplicate = tamar_tenancy::create(&db, &ledger, &admin, immd()).await;
    assert!(matches!(duplicate, Err(TenancyError::CodeTaken(_))), "{duplicate:?}");

    let mut bad = immd();
    bad.code = "im md".into();
    assert!(matches!(tamar_tenancy::create(&db, &ledger, &admin, bad).await, Err(TenancyError::Invalid { field: "code", .. })));
    let mut bad = immd();
    bad.code = "TD".into();
    bad.name.tc = "x".repeat(201);
    assert!(matches!(tamar_tenancy::create(&db, &ledger, &admin, bad).await, Err(TenancyError::Invalid { field: "name.tc", .. })));
    let mut bad = immd();
    bad.code = "TD".into();
    bad.website = Some("javascript:alert(1)".into());
    assert!(tamar_tenancy::create(&db, &ledger, &admin, bad).await.is_err());

    assert_eq!(tamar_tenancy::list(&db).await?.len(), 1);
    assert_eq!(log_size(&ledger).await, 1, "failed attempts must leave no log entry");
    Ok::<(), TenancyError>(())
});

store_test!(only_platform_admins_create_departments, |db| async move {
    let ledger = setup(&db).await;
    for actor in [Actor::Anonymous, Actor::Citizen { account: AccountId::new() }] {
        assert!(matches!(tamar_tenancy::create(&db, &ledger, &actor, immd()).await, Err(TenancyError::Forbidden)));
    }
    assert!(tamar_tenancy::list(&db).await?.is_empty());
    Ok::<(), TenancyError>(())
});
