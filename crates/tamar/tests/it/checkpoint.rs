//! The real `tamar` process: its checkpoints verify with Go's signed-note implementation, and
//! `verify-log` catches a log whose tail was cut, given a head kept elsewhere or the
//! checkpoint file.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};

use tamar_store::sea_query::{Expr, ExprTrait, Order, Query};

use super::*;

/// A plain HTTP/1.1 GET against the server under test: status and body.
fn http_get(port: u16, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: close\r\n\r\n").unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    let (head, body) = reply.split_once("\r\n\r\n").unwrap();
    assert!(!head.to_ascii_lowercase().contains("transfer-encoding: chunked"), "{head}");
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, body.to_owned())
}

/// Builds the Go verifier in tests/go (GOPATH mode, against Debian's
/// golang-golang-x-mod-dev: nothing is downloaded) and returns the program.
fn go_verifier() -> PathBuf {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/go/checkpoint-verify/main.go");
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("checkpoint-verify");
    let built = Command::new("go")
        .arg("build")
        .arg("-o")
        .arg(&out)
        .arg(&source)
        .env("GO111MODULE", "off")
        .env("GOPATH", "/usr/share/gocode")
        .env("GOFLAGS", "")
        .env("GOPROXY", "off")
        .env("GOTOOLCHAIN", "local")
        .env("GOCACHE", Path::new(env!("CARGO_TARGET_TMPDIR")).join("go-build"))
        .output()
        .unwrap_or_else(|e| panic!("Go is needed for this test ({e}): apt-get install golang-go golang-golang-x-mod-dev, as scripts/test does"));
    assert!(built.status.success(), "go build: {}", String::from_utf8_lossy(&built.stderr));
    out
}

/// The attack of issue 9 item 4: with write access to the database only, delete the newest
/// entries and heads, and recompute `ledger_state` so that the database agrees with itself.
async fn cut_tail(db: &Db, keep: u64) {
    db.execute_sql(&format!("DELETE FROM ledger_entries WHERE seq >= {keep}")).await.unwrap();
    db.execute_sql(&format!("DELETE FROM ledger_tree_heads WHERE tree_size > {keep}")).await.unwrap();
    let rows = db
        .fetch_all(&Query::select().column("leaf_hash").from("ledger_entries").and_where(Expr::col("seq").is_not_null()).order_by("seq", Order::Asc).to_owned())
        .await
        .unwrap();
    let mut frontier = tamar_ledger::merkle::Frontier::default();
    for r in &rows {
        frontier.push(tamar_store::row::get::<Vec<u8>>(r, "leaf_hash").unwrap().try_into().unwrap());
    }
    assert_eq!(frontier.size(), keep);
    db.execute(
        &Query::update()
            .table("ledger_state")
            .values([("size", (keep as i64).into()), ("frontier", frontier.to_bytes().into())])
            .and_where(Expr::col("id").eq(1))
            .to_owned(),
    )
    .await
    .unwrap();
}

fn stdout(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkpoints_verify_with_go_and_catch_a_cut_tail() {
    let verifier = go_verifier();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (child, printed) = start_demo(&data, None);
    let port: u16 = printed.split("http://localhost:").nth(1).unwrap().split('/').next().unwrap().parse().unwrap();

    // The sequencer signs a head within moments of the demo's seeding.
    let mut checkpoint = None;
    for _ in 0..100 {
        let (status, body) = http_get(port, "/checkpoint");
        if status == 200 {
            checkpoint = Some(body);
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let checkpoint = checkpoint.expect("a checkpoint at /checkpoint");
    let (status, verifier_key) = http_get(port, "/api/v1/ledger/verifier-key");
    assert_eq!(status, 200);
    let verifier_key = verifier_key.trim().to_owned();
    let (_, api_copy) = http_get(port, "/api/v1/ledger/checkpoint");
    let (_, transparency) = http_get(port, "/en/transparency");
    assert!(transparency.contains("<pre class=\"checkpoint\""), "{transparency}");
    let stopped = stop(child);
    assert!(!stopped.contains("could not write the checkpoint out"), "{stopped}");

    // Someone keeps the checkpoint and the key.
    let trusted = dir.path().join("trusted-checkpoint.txt");
    std::fs::write(&trusted, &checkpoint).unwrap();
    let key_file = dir.path().join("ledger.vkey");
    std::fs::write(&key_file, format!("{verifier_key}\n")).unwrap();
    let size: u64 = checkpoint.lines().nth(1).unwrap().parse().unwrap();
    assert!(size > 20, "{checkpoint}");
    assert!(api_copy.lines().nth(1).unwrap().parse::<u64>().unwrap() >= size);

    // Go's golang.org/x/mod/sumdb/note opens it with the verifier key ...
    let go = run(Command::new(&verifier).arg(&verifier_key).arg(&trusted));
    assert!(go.status.success(), "{}", stdout(&go));
    let root = checkpoint.lines().nth(2).unwrap();
    assert_eq!(String::from_utf8_lossy(&go.stdout).trim(), format!("tamar.localhost/ledger {size} {root}"));
    // ... and refuses an altered copy, or another key.
    let altered = dir.path().join("altered.txt");
    std::fs::write(&altered, checkpoint.replacen(&format!("\n{size}\n"), &format!("\n{}\n", size + 1), 1)).unwrap();
    assert!(!run(Command::new(&verifier).arg(&verifier_key).arg(&altered)).status.success());
    let stranger = tamar_ledger::NoteKey::new("tamar.localhost/ledger", tamar_ledger::SigningKey::from_bytes(&[1u8; 32]).verifying_key()).unwrap();
    assert!(!run(Command::new(&verifier).arg(stranger.to_string()).arg(&trusted)).status.success());

    // The intact log extends the kept head, the checkpoint file and the blob store.
    let verify = |extra: &[&std::ffi::OsStr]| run(tamar(None).args(["verify-log", "--data"]).arg(&data).args(extra));
    let pinned: [&std::ffi::OsStr; 4] = ["--trusted-head".as_ref(), trusted.as_os_str(), "--public-key".as_ref(), key_file.as_os_str()];
    let ok = verify(&pinned);
    assert!(ok.status.success(), "{}", stdout(&ok));
    let text = stdout(&ok);
    assert!(text.contains("The log is intact") && text.contains("It extends the trusted head in"), "{text}");
    assert!(text.contains("It extends the newest checkpoint in") && text.contains("ledger-checkpoints.txt"), "{text}");
    assert!(text.contains("It extends the newest checkpoint in the blob store"), "{text}");
    assert!(!text.contains("No --public-key given"), "{text}");
    // Without a pinned key it says whose key it trusts.
    let unpinned = verify(&[]);
    assert!(unpinned.status.success(), "{}", stdout(&unpinned));
    assert!(stdout(&unpinned).contains("No --public-key given: trusting the ledger key in"), "{}", stdout(&unpinned));
    // A pinned key that is not the log's refuses the log's checkpoints.
    let wrong = verify(&["--public-key".as_ref(), stranger.to_string().as_ref()]);
    assert_eq!(wrong.status.code(), Some(1), "{}", stdout(&wrong));
    assert!(stdout(&wrong).contains("cannot be trusted"), "{}", stdout(&wrong));

    // Cut the tail behind the application's back.
    let keep = size - 5;
    let db = Db::connect(&format!("sqlite://{}", data.join("tamar.db").display())).await.unwrap();
    cut_tail(&db, keep).await;
    db.close().await;

    // By default, the checkpoint file gives it away ...
    let cut = verify(&[]);
    assert_eq!(cut.status.code(), Some(1), "{}", stdout(&cut));
    let text = stdout(&cut);
    assert!(text.contains("The log has been tampered with: the log was cut: the newest checkpoint in"), "{text}");
    assert!(text.contains(&format!("the database holds only {keep}; entries {keep} to ")), "{text}");
    // ... and so does the head someone kept, naming the gap exactly.
    let cut = verify(&pinned);
    assert_eq!(cut.status.code(), Some(1), "{}", stdout(&cut));
    let text = stdout(&cut);
    assert!(
        text.contains(&format!(
            "the log was cut: the trusted head in {} covers {size} entries, the database holds only {keep}; entries {keep} to {} are missing",
            trusted.display(),
            size - 1
        )),
        "{text}"
    );

    // With the checkpoints outside the database gone too, only the kept head still sees it:
    // the database alone agrees with itself.
    std::fs::remove_file(data.join("ledger-checkpoints.txt")).unwrap();
    std::fs::remove_dir_all(data.join("blobs").join("ledger")).unwrap();
    let blind = verify(&[]);
    assert!(blind.status.success(), "{}", stdout(&blind));
    assert!(stdout(&blind).contains("The log is intact"));
    let kept = verify(&pinned);
    assert_eq!(kept.status.code(), Some(1), "{}", stdout(&kept));
    assert!(stdout(&kept).contains("the log was cut: the trusted head in"));
}

#[test]
fn the_ledger_key_can_live_apart_from_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let key_file = dir.path().join("elsewhere").join("ledger.key");
    let mut child = tamar(None)
        .env("TAMAR_LEDGER_KEY_FILE", &key_file)
        .env("TAMAR_LEDGER_ORIGIN", "tamar.example/ledger")
        .args(["serve", "--addr", "127.0.0.1:0", "--data"])
        .arg(&data)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut out, &mut line).unwrap();
    let port: u16 = line.split("http://localhost:").nth(1).unwrap().split('/').next().unwrap().parse().unwrap();
    let (status, verifier_key) = http_get(port, "/api/v1/ledger/verifier-key");
    stop(child);
    assert_eq!(status, 200);

    // The key was made where configured, not in the data folder, and it is the log's key.
    assert!(key_file.exists());
    assert!(!data.join("keys").join("ledger-ed25519.key").exists());
    let key = tamar_ledger::load_or_create_signing_key(&key_file).unwrap();
    let expected = tamar_ledger::NoteKey::new("tamar.example/ledger", key.verifying_key()).unwrap();
    assert_eq!(verifier_key.trim(), expected.to_string());
    let verify = run(tamar(None).env("TAMAR_LEDGER_KEY_FILE", &key_file).args(["verify-log", "--data"]).arg(&data));
    assert!(verify.status.success(), "{}", stdout(&verify));
    assert!(stdout(&verify).contains(&format!("trusting the ledger key in {}", key_file.display())), "{}", stdout(&verify));
}
