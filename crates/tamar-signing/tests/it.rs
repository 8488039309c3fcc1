#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use tamar_store::{Migrator, store_test};

#[path = "it/approve.rs"] mod approve;
#[path = "it/authority.rs"] mod authority;

store_test!(the_ca_is_made_once_and_sealed, |db| async move {
    let applied = Migrator::new(&db, &[tamar_ledger::MIGRATIONS, tamar_identity::MIGRATIONS, tamar_oidc::MIGRATIONS, tamar_signing::MIGRATIONS]).run().await.unwrap();
    assert!(applied.contains(&"signing_0001_ca_requests"));
    let sealer = tamar_store::Sealer::new(&[3u8; 32]);
    let first = tamar_signing::SigningAuthority::ensure(&db, &sealer, chrono::Utc::now()).await.unwrap();
    let again = tamar_signing::SigningAuthority::ensure(&db, &sealer, chrono::Utc::now()).await.unwrap();
    assert_eq!(first.certificate_der(), again.certificate_der());
    Ok::<(), tamar_signing::SigningError>(())
});
