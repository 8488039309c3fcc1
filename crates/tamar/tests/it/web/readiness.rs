//! `/readyz` means the node can answer searches: its index has caught up with the change feed.

use super::*;

use tamar_search::SearchIndex;

/// This node's router on the shared database, with its own search index.
fn node(app: &TestApp, search: &Arc<SearchIndex>) -> Router {
    tamar::modules::app(with_search(&app.state, search))
}

async fn get(node: &Router, path: &str) -> (StatusCode, Value) {
    let response = node.clone().oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

fn slugs(found: &Value) -> Vec<String> {
    found["hits"].as_array().unwrap().iter().map(|h| h["slug"].as_str().unwrap().to_owned()).collect()
}

/// Follows the feed as `tamar serve` does (the portal's `search-index` job), and waits for `/readyz` to turn 200: every answer
/// before is 503 `unavailable`. Returns the follower, to stop it.
async fn follow_until_ready(app: &TestApp, index: &Arc<SearchIndex>, node: &Router) -> tamar_web::schedule::Scheduler {
    let state = with_search(&app.state, index);
    let job = tamar::modules::jobs().into_iter().find(|j| j.name == "search-index").expect("the portal's search-index job");
    let follower = tamar_web::schedule::spawn(state, vec![job]);
    for _ in 0..400 {
        let (status, body) = get(node, "/readyz").await;
        if status == StatusCode::OK {
            assert_eq!(body["status"], "ready");
            assert!(index.is_caught_up());
            return follower;
        }
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert_eq!(body["code"], "unavailable", "{body}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the node never became ready");
}

// A fresh node (an empty index with no cursor) is not ready, and would find nothing; once it
// has rebuilt its index it is ready and finds what is published. A node that restarts on an
// index behind the feed is not ready until it has applied the changes since.
store_test!(a_node_is_ready_only_once_its_index_caught_up_with_the_feed, |db| async move {
    let app = setup(db).await;
    let dir = tempfile::tempdir().unwrap();

    let index = Arc::new(SearchIndex::open(Some(dir.path())).unwrap());
    let fresh = node(&app, &index);
    let (status, body) = get(&fresh, "/readyz").await;
    assert_eq!((status, &body["code"]), (StatusCode::SERVICE_UNAVAILABLE, &Value::from("unavailable")), "{body}");
    let (_, found) = get(&fresh, "/api/v1/search?q=vaccination&lang=en").await;
    assert!(slugs(&found).is_empty(), "not caught up yet, so nothing to find: {found}");
    let follower = follow_until_ready(&app, &index, &fresh).await;
    let (status, found) = get(&fresh, "/api/v1/search?q=vaccination&lang=en&limit=5").await;
    assert_eq!(status, StatusCode::OK);
    assert!(slugs(&found).contains(&"vaccination-appointment".to_owned()), "{found}");
    follower.stop().await;
    drop(fresh);
    let position = index.cursor();
    drop(index);

    // Published while the node is down.
    let departments = [("DH".to_owned(), tamar_tenancy::by_code(&app.db, "DH").await.unwrap().id)].into_iter().collect();
    let entry: tamar_portal::import::CatalogueEntry = serde_json::from_str(
        r#"{"slug": "hepatitis-b-test", "department": "DH", "kind": "guide", "topics": ["health"], "audiences": ["residents"],
            "title": {"en": "Hepatitis B testing", "tc": "乙型肝炎檢測"}, "summary": {"en": "Who should be tested.", "tc": "誰應接受檢測。"},
            "body": {"en": "Ask your doctor.", "tc": "請向醫生查詢。"}}"#,
    )
    .unwrap();
    tamar_portal::import::import(&app.db, &app.ledger, &[entry], &departments).await.unwrap();

    let index = Arc::new(SearchIndex::open(Some(dir.path())).unwrap());
    assert_eq!(index.cursor(), position, "the index on disk resumes from where it was");
    let restarted = node(&app, &index);
    assert_eq!(get(&restarted, "/readyz").await.0, StatusCode::SERVICE_UNAVAILABLE);
    let (_, found) = get(&restarted, "/api/v1/search?q=hepatitis&lang=en").await;
    assert!(slugs(&found).is_empty(), "behind the feed: {found}");
    let follower = follow_until_ready(&app, &index, &restarted).await;
    let (_, found) = get(&restarted, "/api/v1/search?q=hepatitis&lang=en&limit=5").await;
    assert_eq!(slugs(&found), ["hepatitis-b-test"], "{found}");
    follower.stop().await;
    Ok(()) as R
});
