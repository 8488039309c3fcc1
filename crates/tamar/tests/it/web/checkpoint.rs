//! The log's newest head as a C2SP checkpoint: served for witnesses and verifiers, and shown
//! to people so that they can keep it.

use tamar_ledger::{Checkpoint, NoteKey};

use super::*;

/// What an HTML page shows inside `<pre class="checkpoint">`, unescaped.
fn shown_checkpoint(html: &str) -> Option<String> {
    let start = html.find("<pre class=\"checkpoint\"")?;
    let body = &html[start..];
    let body = &body[body.find('>')? + 1..body.find("</pre>")?];
    Some(body.replace("&#43;", "+").replace("&#x2b;", "+").replace("&#x2f;", "/").replace("&#61;", "=").replace("&#x3d;", "="))
}

store_test!(the_checkpoint_is_served_and_shown, |db| async move {
    let app = setup(db).await;
    let anonymous = Browser::default();
    let served = app.get("/checkpoint", &anonymous).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.headers[header::CONTENT_TYPE], "text/plain; charset=utf-8");
    let key = app.get("/api/v1/ledger/verifier-key", &anonymous).await;
    assert_eq!(key.headers[header::CONTENT_TYPE], "text/plain; charset=utf-8");
    let key = NoteKey::parse(&key.body)?;
    assert_eq!(key.name(), tamar_ledger::DEFAULT_ORIGIN);
    assert_eq!(key.public_key(), &app.ledger.public_key());

    // It is the newest signed head, signed by the log's key.
    let checkpoint = Checkpoint::open(&served.body, &key)?;
    let sth = app.get("/api/v1/ledger/sth", &anonymous).await.json();
    assert_eq!(checkpoint.tree_size, sth["tree_size"].as_u64().unwrap());
    assert_eq!(base64::engine::general_purpose::STANDARD.encode(checkpoint.root_hash), sth["sha256_root_hash"].as_str().unwrap());
    assert_eq!(app.get("/api/v1/ledger/checkpoint", &anonymous).await.body, served.body);
    let doc = app.get("/api/v1/openapi.json", &anonymous).await.json();
    for path in ["/api/v1/ledger/checkpoint", "/api/v1/ledger/verifier-key"] {
        assert!(doc["paths"][path]["get"]["responses"]["200"]["content"]["text/plain"].is_object(), "{path} in OpenAPI");
    }

    // The transparency page shows it, with the key, in every language.
    for lang in Lang::ALL {
        let page = app.get(&format!("/{}/transparency", lang.prefix()), &anonymous).await;
        assert_eq!(shown_checkpoint(&page.body).as_deref(), Some(served.body.as_str()), "{lang:?}");
        assert!(page.body.contains("GET /checkpoint"));
    }
    let en = app.get("/en/transparency", &anonymous).await.body;
    assert!(en.contains("Keep a copy of it"), "{en}");

    // So does the citizen's "who accessed my data".
    let (citizen, _) = app.sign_in(CITIZEN).await;
    app.ledger.sync().await?;
    let newest = app.get("/checkpoint", &anonymous).await.body;
    for lang in Lang::ALL {
        let page = app.get(&format!("/{}/account", lang.prefix()), &citizen).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(shown_checkpoint(&page.body).as_deref(), Some(newest.as_str()), "{lang:?}");
    }
    let tc = app.get("/tc/account", &citizen).await.body;
    assert!(tc.contains("現時的檢查點"));
    Ok(()) as R
});

store_test!(an_empty_log_has_no_checkpoint_yet, |db| async move {
    Migrator::new(&db, &[tamar_ledger::MIGRATIONS]).run().await?;
    let ledger = Ledger::start(db.clone(), SigningKey::from_bytes(&[9u8; 32]), Arc::new(SystemClock));
    assert_eq!(ledger.checkpoint().await?, None);
    ledger.shutdown().await?;
    Ok(()) as R
});
