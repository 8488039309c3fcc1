//! Making the CA: a conflict between nodes is resolved; any other failure is an error.

use std::time::Duration;

use super::*;

async fn migrated(db: &tamar_store::Db) {
    Migrator::new(db, &[tamar_ledger::MIGRATIONS, tamar_identity::MIGRATIONS, tamar_oidc::MIGRATIONS, tamar_signing::MIGRATIONS]).run().await.unwrap();
}

store_test!(a_ca_that_cannot_be_stored_is_an_error_not_an_endless_retry, |db| async move {
    migrated(&db).await;
    // Every insert now fails, and not on the unique key.
    db.execute_sql("ALTER TABLE signing_ca ADD COLUMN refuse TEXT NOT NULL DEFAULT 'x' CHECK (refuse <> 'x')").await.unwrap();
    let sealer = tamar_store::Sealer::new(&[3u8; 32]);
    let outcome = tokio::time::timeout(Duration::from_secs(30), tamar_signing::SigningAuthority::ensure(&db, &sealer, chrono::Utc::now())).await;
    match outcome {
        Ok(Err(tamar_signing::SigningError::Store(_))) => {}
        Ok(other) => panic!("expected the store's error, got {other:?}"),
        Err(_) => panic!("still retrying after 30 seconds"),
    }
    Ok::<(), tamar_signing::SigningError>(())
});

store_test!(nodes_starting_at_once_share_one_ca, |db| async move {
    migrated(&db).await;
    let sealer = tamar_store::Sealer::new(&[3u8; 32]);
    let now = chrono::Utc::now();
    let starts = (0..4).map(|_| {
        let (db, sealer) = (db.clone(), sealer.clone());
        tokio::spawn(async move { tamar_signing::SigningAuthority::ensure(&db, &sealer, now).await })
    });
    let mut certificates = Vec::new();
    for start in starts.collect::<Vec<_>>() {
        certificates.push(start.await.unwrap()?.certificate_der().to_vec());
    }
    assert!(certificates.windows(2).all(|w| w[0] == w[1]), "every node uses the CA that was stored");
    Ok::<(), tamar_signing::SigningError>(())
});
