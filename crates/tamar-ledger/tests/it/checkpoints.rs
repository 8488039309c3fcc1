//! Tree heads leave the database as checkpoints, and cutting the log's tail, the attack of
//! issue 9 item 4, is caught by them.

use std::path::{Path, PathBuf};

use sea_query::{Expr, Order, Query};
use tamar_ledger::merkle::Frontier;
use tamar_ledger::{Checkpoint, LedgerError, LedgerOptions, NoteKey, TrustedHead, verify_log_with};
use tamar_store::{BlobConfig, Blobs};

use super::*;

const ORIGIN: &str = "tamar.test/ledger";

fn key() -> SigningKey {
    SigningKey::from_bytes(&[7u8; 32])
}

struct Place {
    _dir: tempfile::TempDir,
    file: PathBuf,
    blobs: Blobs,
}

fn place() -> Place {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ledger-checkpoints.txt");
    let blobs = Blobs::open(&BlobConfig::Local { path: dir.path().join("blobs") }).unwrap();
    Place { _dir: dir, file, blobs }
}

/// A ledger that writes its checkpoints to `place`.
async fn publishing(db: &Db, place: &Place) -> Ledger {
    Migrator::new(db, &[tamar_ledger::MIGRATIONS]).run().await.unwrap();
    let options =
        LedgerOptions { origin: ORIGIN.into(), checkpoint_file: Some(place.file.clone()), checkpoint_blobs: Some(place.blobs.clone()) };
    Ledger::start_with(db.clone(), key(), Arc::new(SystemClock), options).unwrap()
}

fn note_key() -> NoteKey {
    NoteKey::new(ORIGIN, key().verifying_key()).unwrap()
}

fn signatures_in(path: &Path) -> usize {
    std::fs::read_to_string(path).unwrap_or_default().lines().filter(|l| l.starts_with("— ")).count()
}

async fn trusted_from_file(path: &Path) -> TrustedHead {
    let text = tamar_ledger::latest_checkpoint_in_file(path).unwrap().expect("a checkpoint in the file");
    let c = Checkpoint::open(&text, &note_key()).unwrap();
    TrustedHead { name: "the checkpoint file".into(), tree_size: c.tree_size, root_hash: c.root_hash }
}

async fn trusted_from_blobs(blobs: &Blobs) -> TrustedHead {
    let text = tamar_ledger::latest_checkpoint_in_blobs(blobs).await.unwrap().expect("a checkpoint in the blob store");
    let c = Checkpoint::open(&text, &note_key()).unwrap();
    TrustedHead { name: "the blob store".into(), tree_size: c.tree_size, root_hash: c.root_hash }
}

/// The attack: with write access to the database only, delete the newest entries and heads
/// and recompute `ledger_state` from what is left, so that the database agrees with itself.
async fn cut_tail(db: &Db, keep: u64) {
    db.execute_sql(&format!("DELETE FROM ledger_entries WHERE seq >= {keep}")).await.unwrap();
    db.execute_sql(&format!("DELETE FROM ledger_tree_heads WHERE tree_size > {keep}")).await.unwrap();
    let rows = db
        .fetch_all(&Query::select().column("leaf_hash").from("ledger_entries").and_where(Expr::col("seq").is_not_null()).order_by("seq", Order::Asc).to_owned())
        .await
        .unwrap();
    let mut frontier = Frontier::default();
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

store_test!(each_head_leaves_the_database_as_a_checkpoint, |db| async move {
    let place = place();
    let ledger = publishing(&db, &place).await;
    append(&ledger, 3).await;
    ledger.sync().await?;
    let head = ledger.latest_sth().await?.unwrap();
    assert_eq!(head.tree_size, 3);

    // The file, the blob store and the served checkpoint agree, and open with the note key.
    let served = ledger.checkpoint().await?.unwrap();
    assert_eq!(tamar_ledger::latest_checkpoint_in_file(&place.file)?.as_deref(), Some(served.as_str()));
    assert_eq!(tamar_ledger::latest_checkpoint_in_blobs(&place.blobs).await?.as_deref(), Some(served.as_str()));
    let opened = Checkpoint::open(&served, ledger.note_key())?;
    assert_eq!((opened.origin.as_str(), opened.tree_size, opened.root_hash), (ORIGIN, 3, head.root_hash));
    assert!(served.starts_with(&format!("{ORIGIN}\n3\n")), "{served}");

    append(&ledger, 2).await;
    ledger.sync().await?;
    append(&ledger, 4).await;
    ledger.sync().await?;
    assert_eq!(signatures_in(&place.file), 3, "one checkpoint per head, appended");
    assert_eq!(trusted_from_file(&place.file).await.tree_size, 9);
    assert_eq!(trusted_from_blobs(&place.blobs).await.tree_size, 9);
    for size in [3, 5, 9] {
        assert!(place.blobs.get(&tamar_ledger::checkpoint_blob_key(size)).await.is_ok(), "an object for size {size}");
    }
    // An object is never overwritten.
    assert!(!place.blobs.put_new(&tamar_ledger::checkpoint_blob_key(9), b"forged".to_vec()).await?);
    ledger.shutdown().await?;

    // Started again, the log writes nothing twice, and goes on from where it was.
    let again = publishing(&db, &place).await;
    again.sync().await?;
    assert_eq!(signatures_in(&place.file), 3);
    append(&again, 1).await;
    again.sync().await?;
    assert_eq!(signatures_in(&place.file), 4);
    assert_eq!(trusted_from_blobs(&place.blobs).await.tree_size, 10);
    again.shutdown().await?;
    Ok::<(), Box<dyn std::error::Error>>(())
});

/// The process's metrics recorder (nextest runs each test in a process of its own).
fn metrics() -> &'static metrics_exporter_prometheus::PrometheusHandle {
    static HANDLE: std::sync::OnceLock<metrics_exporter_prometheus::PrometheusHandle> = std::sync::OnceLock::new();
    HANDLE.get_or_init(|| metrics_exporter_prometheus::PrometheusBuilder::new().install_recorder().unwrap())
}

fn failures(sink: &str) -> u64 {
    let rendered = metrics().render();
    rendered
        .lines()
        .find(|l| l.starts_with(&format!("ledger_checkpoint_failures_total{{sink=\"{sink}\"}}")))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

store_test!(a_failed_write_is_counted_and_the_next_head_is_written, |db| async move {
    let place = place();
    metrics();
    let ledger = publishing(&db, &place).await;
    let before = failures("blobs");
    // The blob store cannot take objects: a file stands where its folder would be.
    let root = place.file.parent().unwrap().join("blobs");
    std::fs::write(root.join("ledger"), b"in the way")?;
    append(&ledger, 2).await;
    // The background sequencer may have made the head already: the newest head is what counts.
    ledger.sync().await?;
    assert_eq!(ledger.latest_sth().await?.map(|h| h.tree_size), Some(2), "the head is made all the same");
    assert_eq!(failures("blobs"), before + 1, "and the failure counted");
    assert_eq!(signatures_in(&place.file), 1, "the file still has it");
    assert!(place.blobs.get(&tamar_ledger::checkpoint_blob_key(2)).await.is_err());

    // Once the store is back, the next head is written.
    std::fs::remove_file(root.join("ledger"))?;
    append(&ledger, 1).await;
    ledger.sync().await?;
    assert_eq!(trusted_from_blobs(&place.blobs).await.tree_size, 3);
    assert!(place.blobs.get(&tamar_ledger::checkpoint_blob_key(2)).await.is_err(), "skipped, covered by 3");
    assert_eq!(failures("blobs"), before + 1);
    ledger.shutdown().await?;
    Ok::<(), Box<dyn std::error::Error>>(())
});

store_test!(cutting_the_tail_is_caught_by_the_checkpoints, |db| async move {
    let place = place();
    let ledger = publishing(&db, &place).await;
    for _ in 0..3 {
        append(&ledger, 5).await;
        ledger.sync().await?;
    }
    ledger.shutdown().await?;
    let key = ledger.public_key();
    let trusted = vec![trusted_from_file(&place.file).await, trusted_from_blobs(&place.blobs).await];
    assert!(trusted.iter().all(|t| t.tree_size == 15));
    assert_eq!(verify_log_with(&db, &key, &trusted, |_, _| {}).await?, Ok(tamar_ledger::VerifyReport { entries: 15, tree_heads: 3 }));

    cut_tail(&db, 10).await;
    // The database alone agrees with itself: that was the hole.
    assert_eq!(verify_log(&db, &key, |_, _| {}).await?, Ok(tamar_ledger::VerifyReport { entries: 10, tree_heads: 2 }));
    // The checkpoints outside it give the cut away, naming the gap.
    for head in &trusted {
        let outcome = verify_log_with(&db, &key, std::slice::from_ref(head), |_, _| {}).await?;
        let failure = outcome.unwrap_err();
        assert_eq!(failure, VerifyFailure::Cut { head: head.name.clone(), tree_size: 15, entries: 10 });
        let text = failure.to_string();
        assert!(text.starts_with("the log was cut:") && text.contains("entries 10 to 14 are missing"), "{text}");
    }

    // A sequencer started on the cut log refuses to sign over the gap, so the checkpoint file
    // keeps its newest head, and no later head can hide the cut.
    let again = publishing(&db, &place).await;
    append(&again, 8).await;
    let refused = again.sync().await;
    assert!(matches!(refused, Err(LedgerError::Inconsistent(_))), "{refused:?}");
    assert_eq!(again.latest_sth().await?.map(|h| h.tree_size), Some(10));
    assert_eq!(trusted_from_file(&place.file).await.tree_size, 15);
    again.shutdown().await.ok();
    Ok::<(), Box<dyn std::error::Error>>(())
});

store_test!(a_rewritten_tail_is_caught_by_the_checkpoints, |db| async move {
    let place = place();
    let ledger = publishing(&db, &place).await;
    append(&ledger, 6).await;
    ledger.sync().await?;
    append(&ledger, 6).await;
    ledger.sync().await?;
    ledger.shutdown().await?;
    let trusted = trusted_from_file(&place.file).await;
    assert_eq!(trusted.tree_size, 12);

    // Cut to 6, then grow the log again to 14 with other entries, signed with the log's own
    // key by a sequencer that writes no checkpoints: a self-consistent, validly signed fork.
    cut_tail(&db, 6).await;
    let forger = Ledger::start(db.clone(), key(), Arc::new(SystemClock));
    append(&forger, 8).await;
    forger.sync().await?;
    forger.shutdown().await?;
    let key = forger.public_key();
    assert_eq!(verify_log(&db, &key, |_, _| {}).await?, Ok(tamar_ledger::VerifyReport { entries: 14, tree_heads: 2 }));
    let outcome = verify_log_with(&db, &key, std::slice::from_ref(&trusted), |_, _| {}).await?;
    assert_eq!(outcome, Err(VerifyFailure::Diverged { head: "the checkpoint file".into(), tree_size: 12 }));

    // The publishing sequencer will not write the forged head out, nor extend the fork.
    let again = publishing(&db, &place).await;
    let _ = again.sync().await;
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    assert_eq!(trusted_from_file(&place.file).await.tree_size, 12);
    assert!(tamar_ledger::latest_checkpoint_in_blobs(&place.blobs).await?.unwrap().contains("\n12\n"));
    append(&again, 1).await;
    assert!(matches!(again.sync().await, Err(LedgerError::Inconsistent(_))));
    again.shutdown().await.ok();
    Ok::<(), Box<dyn std::error::Error>>(())
});

#[test]
fn a_checkpoint_from_another_key_is_refused() {
    let text = Checkpoint { origin: ORIGIN.into(), tree_size: 4, root_hash: [1u8; 32] }.sign(&SigningKey::from_bytes(&[8u8; 32])).unwrap();
    assert!(Checkpoint::open(&text, &note_key()).is_err());
    assert!(Checkpoint::open_with_key(&text, &key().verifying_key()).is_err());
}

#[tokio::test]
async fn the_blob_store_s_newest_checkpoint_is_found_by_size() {
    let place = place();
    assert_eq!(tamar_ledger::latest_checkpoint_in_blobs(&place.blobs).await.unwrap(), None);
    for size in [1u64, 7, 1000, 123_456_789, 64] {
        assert!(place.blobs.put_new(&tamar_ledger::checkpoint_blob_key(size), format!("head {size}").into_bytes()).await.unwrap());
        let newest = tamar_ledger::latest_checkpoint_in_blobs(&place.blobs).await.unwrap();
        let expected = if size == 64 { 123_456_789 } else { size };
        assert_eq!(newest, Some(format!("head {expected}")));
    }
    // Something else among them is an error, not a silent skip.
    place.blobs.put_new(&format!("{}/notes.txt", tamar_ledger::CHECKPOINT_PREFIX), b"x".to_vec()).await.unwrap();
    assert!(tamar_ledger::latest_checkpoint_in_blobs(&place.blobs).await.is_err());
}
