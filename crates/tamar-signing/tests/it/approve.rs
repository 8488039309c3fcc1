//! Signing a request: the certificate names the person by their subject serial, which is
//! stable for them and no service's subject.

use std::sync::Arc;

use base64::Engine;
use tamar_core::{AccountId, Actor, LocalizedText, Role, SystemClock};

use super::*;

const PAIRWISE_KEY: [u8; 32] = [7u8; 32];

async fn verified_citizen(db: &tamar_store::Db, ledger: &tamar_ledger::Ledger, email: &str, hkid: &str) -> tamar_identity::Account {
    let new = tamar_identity::NewAccount {
        kind: tamar_identity::AccountKind::Citizen,
        email: email.into(),
        display_name: "CHAN Tai-man".into(),
        password: "a long enough passphrase".into(),
        department: None,
        roles: vec![],
    };
    let account = tamar_identity::create_account(db, ledger, &Actor::System, new).await.unwrap();
    let key = tamar_identity::HkidKey::new([2u8; 32], tamar_store::Sealer::new(&[2u8; 32]));
    tamar_identity::submit_identity(db, ledger, &key, &account, hkid, "1970-01-01").await.unwrap();
    let immd = match tamar_tenancy::by_code(db, "IMMD").await {
        Ok(found) => found,
        Err(_) => {
            let name = LocalizedText::new("Immigration Department", "入境事務處", "入境事务处");
            tamar_tenancy::create(db, ledger, &Actor::System, tamar_tenancy::NewDepartment { code: "IMMD".into(), name, website: None }).await.unwrap()
        }
    };
    let verifier = Actor::Officer { account: AccountId::new(), department: immd.id, roles: vec![Role::IdentityVerifier] };
    let queue = tamar_identity::verification_queue(db, ledger, &verifier, &tamar_core::PageRequest::default()).await.unwrap().items;
    tamar_identity::decide_verification(db, ledger, &verifier, &queue[0].id, true).await.unwrap();
    tamar_identity::authenticate(db, email, "a long enough passphrase").await.unwrap()
}

async fn client(db: &tamar_store::Db, ledger: &tamar_ledger::Ledger) -> tamar_oidc::Client {
    let new = tamar_oidc::NewClient {
        name: LocalizedText::new("Lands Department e-Services", "地政總署電子服務", "地政总署电子服务"),
        purpose: LocalizedText::new("To sign a lease", "簽署租約", "签署租约"),
        redirect_uris: vec!["https://landsd.example.hk/callback".into()],
        post_logout_redirect_uris: vec![],
        scopes: vec!["openid".into()],
        sector_identifier_uri: None,
    };
    tamar_oidc::clients::register(db, ledger, &Actor::System, new).await.unwrap().client
}

async fn sign(db: &tamar_store::Db, ledger: &tamar_ledger::Ledger, authority: &tamar_signing::SigningAuthority, client: &tamar_oidc::Client, account: &tamar_identity::Account) -> tamar_signing::Signer {
    let new = tamar_signing::NewSigningRequest { document_hash: "ab".repeat(32), document_name: "Lease".into() };
    let request = tamar_signing::create_request(db, ledger, client, new).await.unwrap();
    tamar_signing::approve(db, ledger, authority, account, &request.id, &PAIRWISE_KEY).await.unwrap();
    let outcome = tamar_signing::outcome_for_client(db, client, &request.id, &PAIRWISE_KEY, ledger.now()).await.unwrap();
    let certificate = tamar_signing::certificate_der(outcome.certificate.unwrap().as_bytes()).unwrap();
    let signature = base64::engine::general_purpose::STANDARD.decode(outcome.signature.unwrap()).unwrap();
    tamar_signing::verify_signature(authority.certificate_der(), &certificate, &[0xab; 32], &signature, ledger.now()).unwrap()
}

#[test]
fn the_subject_serial_is_stable_per_person_and_key_and_no_services_subject() {
    let (a, b) = (AccountId::new(), AccountId::new());
    let serial = tamar_signing::subject_serial(&PAIRWISE_KEY, a);
    assert_eq!(serial, tamar_signing::subject_serial(&PAIRWISE_KEY, a), "stable");
    assert!(serial.starts_with("TAMAR-") && serial.len() == "TAMAR-".len() + 20, "{serial}");
    assert_ne!(serial, tamar_signing::subject_serial(&PAIRWISE_KEY, b), "one per person");
    assert_ne!(serial, tamar_signing::subject_serial(&[8u8; 32], a), "bound to the key");
    let subject = tamar_oidc::flow::pairwise_subject(&PAIRWISE_KEY, "landsd.example.hk", a);
    assert!(!subject.starts_with(&serial["TAMAR-".len()..]), "a service's subject is not the serial");
}

store_test!(the_certificate_names_the_signer_by_their_subject_serial, |db| async move {
    Migrator::new(&db, &[tamar_ledger::MIGRATIONS, tamar_tenancy::MIGRATIONS, tamar_identity::MIGRATIONS, tamar_oidc::MIGRATIONS, tamar_signing::MIGRATIONS]).run().await.unwrap();
    let ledger = tamar_ledger::Ledger::start(db.clone(), tamar_ledger::SigningKey::from_bytes(&[1u8; 32]), Arc::new(SystemClock));
    let authority = tamar_signing::SigningAuthority::ensure(&db, &tamar_store::Sealer::new(&[3u8; 32]), chrono::Utc::now()).await.unwrap();
    let client = client(&db, &ledger).await;
    let chan = verified_citizen(&db, &ledger, "chan@example.hk", "G123456(A)").await;
    let signer = sign(&db, &ledger, &authority, &client, &chan).await;
    assert_eq!(signer.serial, tamar_signing::subject_serial(&PAIRWISE_KEY, chan.id));
    assert_eq!(signer.name, "CHAN Tai-man");
    assert_eq!(sign(&db, &ledger, &authority, &client, &chan).await.serial, signer.serial, "the same certificate signs again");
    let other = verified_citizen(&db, &ledger, "lee@example.hk", "C876300(1)").await;
    assert_ne!(sign(&db, &ledger, &authority, &client, &other).await.serial, signer.serial, "another person, another serial");

    // Without a verified identity nothing is signed, whatever the key.
    let new = tamar_identity::NewAccount {
        kind: tamar_identity::AccountKind::Citizen,
        email: "unverified@example.hk".into(),
        display_name: "Unverified".into(),
        password: "a long enough passphrase".into(),
        department: None,
        roles: vec![],
    };
    let unverified = tamar_identity::create_account(&db, &ledger, &Actor::System, new).await.unwrap();
    let request = tamar_signing::create_request(&db, &ledger, &client, tamar_signing::NewSigningRequest { document_hash: "cd".repeat(32), document_name: "Lease".into() }).await.unwrap();
    let refused = tamar_signing::approve(&db, &ledger, &authority, &unverified, &request.id, &PAIRWISE_KEY).await;
    assert!(matches!(refused, Err(tamar_signing::SigningError::AssuranceTooLow)), "{refused:?}");
    Ok::<(), tamar_signing::SigningError>(())
});
