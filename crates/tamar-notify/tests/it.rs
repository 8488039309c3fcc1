#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use tamar_notify::{Email, MailConfig, Mailer};

#[tokio::test]
async fn the_outbox_keeps_each_message_as_an_eml_file() {
    let dir = tempfile::tempdir().unwrap();
    let mailer = Mailer::open(&MailConfig::Outbox { path: dir.path().join("outbox") }, "Tamar <no-reply@tamar.localhost>").unwrap();
    let email = Email { to: "陳大文 <chan@example.hk>".into(), subject: "確認你的電郵地址".into(), body: "請按此連結：https://x/y".into() };
    mailer.send(&email).await.unwrap();
    let files: Vec<_> = std::fs::read_dir(dir.path().join("outbox")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 1);
    let text = std::fs::read_to_string(&files[0]).unwrap();
    assert!(text.contains("To: =?utf-8?b?") || text.contains("chan@example.hk"), "{text}");
    assert!(text.contains("Subject: =?utf-8?"), "a Chinese subject is encoded: {text}");
    #[cfg(unix)]
    {
        // The message holds a link that signs someone in: only the platform's user reads it.
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&files[0]), 0o600);
        assert_eq!(mode(&dir.path().join("outbox")), 0o700);
    }
    assert!(mailer.send(&Email { to: "not an address".into(), subject: "x".into(), body: "y".into() }).await.is_err());
}

use tamar_store::{Db, Migrator, store_test};

fn outbox_count(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir.join("outbox")).unwrap().count()
}

async fn queue(db: &Db, from: usize, to: usize) {
    for i in from..to {
        let email = Email { to: format!("resident{i}@example.hk"), subject: "Confirm your email".into(), body: format!("Link {i}") };
        tamar_notify::enqueue_now(db, &email, chrono::Utc::now()).await.unwrap();
    }
}

store_test!(queued_mail_goes_out_batch_after_batch_once_each_and_failures_wait_their_turn, |db| async move {
    Migrator::new(&db, &[tamar_notify::MIGRATIONS]).run().await?;
    let dir = tempfile::tempdir().unwrap();
    let mailer = Mailer::open(&MailConfig::Outbox { path: dir.path().join("outbox") }, "Tamar <no-reply@tamar.localhost>").unwrap();
    queue(&db, 0, 250).await;
    let bad = Email { to: "not an address".into(), subject: "x".into(), body: "y".into() };
    tamar_notify::enqueue_now(&db, &bad, chrono::Utc::now()).await?;

    // One run of the job sends the whole rush, a batch after another.
    let sent = tamar_notify::deliver_due(&db, &mailer, chrono::Utc::now, 100, 20).await?;
    assert_eq!(sent, 250);
    assert_eq!(outbox_count(dir.path()), 250);
    // What could not be sent waits its back-off, then is tried again; what went out is not.
    assert_eq!(tamar_notify::deliver_due(&db, &mailer, chrono::Utc::now, 100, 20).await?, 0);
    let later = chrono::Utc::now() + chrono::Duration::minutes(3);
    assert_eq!(tamar_notify::deliver_pending(&db, &mailer, later, 100).await?, 0);
    assert_eq!(outbox_count(dir.path()), 250);
    use sea_query::ExprTrait as _;
    let bad_row = sea_query::Query::select().columns(["attempts", "sent_at"]).from("notify_queue").and_where(sea_query::Expr::col("to_address").eq("not an address")).to_owned();
    let bad_row = db.fetch_one(&bad_row).await?;
    assert_eq!(tamar_store::row::get::<i32>(&bad_row, "attempts")?, 2, "the bad one was tried twice");
    assert_eq!(tamar_store::row::get::<Option<i64>>(&bad_row, "sent_at")?, None);

    // Two deliveries at once (two nodes, or two runs) send each message once.
    queue(&db, 250, 450).await;
    let (a, b) = futures::join!(
        tamar_notify::deliver_due(&db, &mailer, chrono::Utc::now, 50, 20),
        tamar_notify::deliver_due(&db, &mailer, chrono::Utc::now, 50, 20)
    );
    assert_eq!(a? + b?, 200);
    assert_eq!(outbox_count(dir.path()), 450);
    Ok(()) as Result<(), tamar_store::StoreError>
});
