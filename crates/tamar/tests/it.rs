//! The whole application: the binary itself (configuration, `demo`, graceful shutdown and
//! `verify-log` after tampering), and every module's web layer end to end (`web`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use tamar_store::Db;
use tamar_store::testing::TestDb;

#[cfg(unix)]
#[path = "it/architecture.rs"]
mod architecture;
#[path = "it/data_folder.rs"]
mod data_folder;
#[path = "it/web.rs"]
mod web;

fn tamar(database_url: Option<&str>) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tamar"));
    // Only what a test sets reaches the server's configuration.
    for (key, _) in std::env::vars() {
        if key.starts_with("TAMAR_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("RUST_LOG", "info");
    if let Some(url) = database_url {
        cmd.env("TAMAR_DATABASE_URL", url);
    }
    cmd
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().unwrap()
}

/// Starts `tamar demo` and waits until it serves; returns the child and what it printed.
fn start_demo(data: &Path, database_url: Option<&str>) -> (Child, String) {
    let mut child = tamar(database_url)
        .args(["demo", "--addr", "127.0.0.1:0", "--data"])
        .arg(data)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    loop {
        let mut line = String::new();
        assert!(out.read_line(&mut line).unwrap() > 0, "demo exited early: {printed}");
        printed.push_str(&line);
        if line.contains("authenticator app") {
            break;
        }
    }
    (child, printed)
}

/// SIGTERM, then the server must finish in-flight work and exit cleanly.
fn stop(mut child: Child) -> String {
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    for _ in 0..100 {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
            assert!(status.success(), "tamar exited with {status}: {err}");
            return err;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.kill().unwrap();
    panic!("tamar did not stop within 10 s of SIGTERM");
}

async fn demo_then_tamper(database_url: Option<String>, db: Option<Db>) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let url = database_url.as_deref();

    let (child, printed) = start_demo(&data, url);
    assert!(printed.contains("Tamar is serving at http://localhost:"), "{printed}");
    assert!(printed.contains("admin@tamar.gov.hk"), "{printed}");
    let log = stop(child);
    assert!(log.contains("in-flight requests finished"), "{log}");

    // A second run reuses the folder and seeds nothing twice.
    let (child, _) = start_demo(&data, url);
    let log = stop(child);
    assert!(log.contains("Reusing the demo data"), "{log}");

    let ok = run(tamar(url).args(["verify-log", "--data"]).arg(&data));
    let stdout = String::from_utf8_lossy(&ok.stdout);
    assert!(ok.status.success(), "{stdout}{}", String::from_utf8_lossy(&ok.stderr));
    assert!(stdout.contains("The log is intact"), "{stdout}");

    // Change one row behind the application's back.
    let db = match db {
        Some(db) => db,
        None => Db::connect(&format!("sqlite://{}", data.join("tamar.db").display())).await.unwrap(),
    };
    let departments = db.fetch_all(&tamar_store::sea_query::Query::select().column("code").from("departments").to_owned()).await.unwrap();
    assert_eq!(departments.len(), 18, "demo data seeded once");
    db.execute_sql("UPDATE ledger_entries SET body = replace(body, 'register a department', 'nothing happened') WHERE seq = 3")
        .await
        .unwrap();
    let bad = run(tamar(url).args(["verify-log", "--data"]).arg(&data));
    let stdout = String::from_utf8_lossy(&bad.stdout);
    assert_eq!(bad.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("entry 3:"), "{stdout}");
}

#[path = "it/checkpoint.rs"]
mod checkpoint;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_shutdown_and_verify_log_on_sqlite() {
    demo_then_tamper(None, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_shutdown_and_verify_log_on_postgres() {
    let test_db = TestDb::postgres().await.unwrap_or_else(|e| panic!("no PostgreSQL test database: {e}"));
    let Some(test_db) = test_db else {
        eprintln!("TAMAR_TEST_DATABASE_URL is not set: PostgreSQL run skipped (CI or TAMAR_REQUIRE_POSTGRES=1 make this fail)");
        return;
    };
    let url = test_db.url.clone();
    demo_then_tamper(Some(url), Some(test_db.db.clone())).await;
}

#[test]
fn configuration_rejects_unknown_keys() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tamar.toml");
    std::fs::write(&file, "addr = \"127.0.0.1:9\"\nbogus_setting = 1\n").unwrap();
    let out = run(tamar(None).arg("--config").arg(&file).args(["migrate", "--data"]).arg(dir.path().join("d")));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bogus_setting"));

    let out = run(tamar(None).env("TAMAR_NO_SUCH_KEY", "1").args(["migrate", "--data"]).arg(dir.path().join("d")));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no_such_key"));

    // A good file and an environment override together.
    std::fs::write(&file, "log_format = \"json\"\n[blobs]\nkind = \"local\"\npath = \"files\"\n").unwrap();
    let out = run(tamar(None).arg("--config").arg(&file).env("TAMAR_LOG_LEVEL", "warn").args(["migrate", "--data"]).arg(dir.path().join("d")));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("applied ledger_0001_log"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_signature_offline() {
    use std::sync::Arc;
    use tamar_core::{AccountId, Actor, LocalizedText, Role, SystemClock};
    let test_db = TestDb::sqlite().await.unwrap();
    let db = test_db.db.clone();
    tamar_store::Migrator::new(&db, &tamar::platform::migrations()).run().await.unwrap();
    let ledger = tamar_ledger::Ledger::start(db.clone(), tamar_ledger::SigningKey::from_bytes(&[1u8; 32]), Arc::new(SystemClock));
    let authority = tamar_signing::SigningAuthority::ensure(&db, &tamar_store::Sealer::new(&[3u8; 32]), chrono::Utc::now()).await.unwrap();
    let new = tamar_identity::NewAccount {
        kind: tamar_identity::AccountKind::Citizen,
        email: "signer@example.hk".into(),
        display_name: "CHAN Tai-man".into(),
        password: "a long enough passphrase".into(),
        department: None,
        roles: vec![],
    };
    let account = tamar_identity::create_account(&db, &ledger, &Actor::System, new).await.unwrap();
    let key = tamar_identity::HkidKey::new([2u8; 32], tamar_store::Sealer::new(&[2u8; 32]));
    tamar_identity::submit_identity(&db, &ledger, &key, &account, "G123456(A)", "1970-01-01").await.unwrap();
    let name = LocalizedText::new("Immigration Department", "入境事務處", "入境事务处");
    let immd = tamar_tenancy::create(&db, &ledger, &Actor::System, tamar_tenancy::NewDepartment { code: "IMMD".into(), name, website: None }).await.unwrap();
    let verifier = Actor::Officer { account: AccountId::new(), department: immd.id, roles: vec![Role::IdentityVerifier] };
    let queue = tamar_identity::verification_queue(&db, &ledger, &verifier, &tamar_core::PageRequest::default()).await.unwrap().items;
    tamar_identity::decide_verification(&db, &ledger, &verifier, &queue[0].id, true).await.unwrap();
    let account = tamar_identity::authenticate(&db, "signer@example.hk", "a long enough passphrase").await.unwrap();
    let client = tamar_oidc::clients::register(
        &db,
        &ledger,
        &Actor::System,
        tamar_oidc::NewClient {
            name: LocalizedText::new("Lands Department e-Services", "地政總署電子服務", "地政总署电子服务"),
            purpose: LocalizedText::new("To sign a lease", "簽署租約", "签署租约"),
            redirect_uris: vec!["https://landsd.example.hk/callback".into()],
            post_logout_redirect_uris: vec![],
            scopes: vec!["openid".into()],
            sector_identifier_uri: None,
        },
    )
    .await
    .unwrap()
    .client;

    let dir = tempfile::tempdir().unwrap();
    let document = dir.path().join("lease.txt");
    std::fs::write(&document, "Lease of Government land, lot 1234").unwrap();
    let hash = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(std::fs::read(&document).unwrap()))
    };
    let request = tamar_signing::create_request(&db, &ledger, &client, tamar_signing::NewSigningRequest { document_hash: hash, document_name: "Lease".into() })
        .await
        .unwrap();
    let pairwise_key = [7u8; 32];
    tamar_signing::approve(&db, &ledger, &authority, &account, &request.id, &pairwise_key).await.unwrap();
    let serial = tamar_signing::subject_serial(&pairwise_key, account.id);
    let outcome = tamar_signing::outcome_for_client(&db, &client, &request.id, &[0u8; 32], chrono::Utc::now()).await.unwrap();
    std::fs::write(dir.path().join("ca.pem"), authority.certificate_pem()).unwrap();
    std::fs::write(dir.path().join("signer.pem"), outcome.certificate.unwrap()).unwrap();
    let signature = outcome.signature.unwrap();

    let check = |doc: &Path| {
        run(tamar(None)
            .arg("verify-signature")
            .arg("--ca")
            .arg(dir.path().join("ca.pem"))
            .arg("--certificate")
            .arg(dir.path().join("signer.pem"))
            .args(["--signature", &signature, "--document"])
            .arg(doc))
    };
    let good = check(&document);
    assert!(good.status.success(), "{}", String::from_utf8_lossy(&good.stdout));
    assert!(String::from_utf8_lossy(&good.stdout).contains(&format!("signed by CHAN Tai-man ({serial})")));
    let changed = dir.path().join("changed.txt");
    std::fs::write(&changed, "Lease of Government land, lot 1235").unwrap();
    let bad = check(&changed);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stdout).contains("Not valid"));
    ledger.shutdown().await.unwrap();
}
