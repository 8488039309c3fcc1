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
