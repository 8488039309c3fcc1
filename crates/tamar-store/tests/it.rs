#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sea_query::{ColumnDef, Expr, ExprTrait, Query, Table};
use tamar_store::{Backend, BlobConfig, Blobs, Migration, Migrator, StoreError, row, store_test};

fn create_things(backend: Backend) -> Vec<String> {
    let t = Table::create()
        .table("things")
        .col(ColumnDef::new("id").big_integer().not_null().auto_increment().primary_key())
        .col(ColumnDef::new("name").string().not_null().unique_key())
        .col(ColumnDef::new("data").blob().null())
        .to_owned();
    vec![backend.schema(&t)]
}

fn add_column(backend: Backend) -> Vec<String> {
    let t = Table::alter().table("things").add_column(ColumnDef::new("note").text().null()).to_owned();
    vec![backend.schema(&t)]
}

static SET: &[Migration] = &[
    Migration { id: "test_0001_things", statements: create_things },
    Migration { id: "test_0002_note", statements: add_column },
];

fn insert(name: &str) -> sea_query::InsertStatement {
    Query::insert().into_table("things").columns(["name", "data"]).values_panic([name.into(), vec![0u8, 255, 7].into()]).to_owned()
}

async fn count(db: &tamar_store::Db) -> i64 {
    let r = db.fetch_one(&Query::select().expr_as(Expr::col("id").count(), "n").from("things").to_owned()).await.unwrap();
    row::get::<i64>(&r, "n").unwrap()
}

store_test!(migrations_apply_once_in_order, |db| async move {
    let migrator = Migrator::new(&db, &[SET]);
    assert_eq!(migrator.pending().await?.len(), 2);
    assert_eq!(migrator.run().await?, vec!["test_0001_things", "test_0002_note"]);
    assert!(migrator.run().await?.is_empty(), "a second run applies nothing");
    db.execute(&Query::insert().into_table("things").columns(["name", "note"]).values_panic(["a".into(), "n".into()]).to_owned()).await?;
    Ok::<(), StoreError>(())
});

store_test!(a_transaction_commits_all_or_nothing, |db| async move {
    Migrator::new(&db, &[SET]).run().await?;
    let mut tx = db.begin().await?;
    tx.execute(&insert("one")).await?;
    tx.execute(&insert("two")).await?;
    tx.rollback().await?;
    assert_eq!(count(&db).await, 0);

    // A failure half way: the first insert must not survive either.
    let mut tx = db.begin().await?;
    tx.execute(&insert("three")).await?;
    let duplicate = tx.execute(&insert("three")).await;
    assert!(matches!(duplicate, Err(StoreError::UniqueViolation)), "{duplicate:?}");
    drop(tx);
    assert_eq!(count(&db).await, 0);

    let mut tx = db.begin().await?;
    tx.execute(&insert("four")).await?;
    tx.commit().await?;
    let r = db.fetch_one(&Query::select().columns(["name", "data"]).from("things").and_where(Expr::col("name").eq("four")).to_owned()).await?;
    assert_eq!(row::get::<Vec<u8>>(&r, "data")?, vec![0u8, 255, 7]);
    assert_eq!(count(&db).await, 1);
    Ok::<(), StoreError>(())
});

store_test!(readiness_ping, |db| async move { db.ping().await });

#[tokio::test]
async fn blobs_on_local_disk() {
    let dir = tempfile::tempdir().unwrap();
    let blobs = Blobs::open(&BlobConfig::Local { path: dir.path().join("blobs") }).unwrap();
    blobs.put("exports/2026/report.csv", b"a,b\n1,2\n".to_vec()).await.unwrap();
    assert_eq!(blobs.get("exports/2026/report.csv").await.unwrap(), b"a,b\n1,2\n");
    assert!(dir.path().join("blobs/exports/2026/report.csv").exists());
    blobs.delete("exports/2026/report.csv").await.unwrap();
    assert!(matches!(blobs.get("exports/2026/report.csv").await, Err(StoreError::BlobNotFound(_))));
}

#[test]
fn s3_secrets_are_hidden_in_debug() {
    let config = BlobConfig::S3 {
        bucket: "tamar".into(),
        endpoint: Some("http://127.0.0.1:9000".into()),
        region: "us-east-1".into(),
        access_key_id: "AKID".into(),
        secret_access_key: "very-secret".into(),
        allow_http: true,
    };
    assert!(!format!("{config:?}").contains("very-secret"));
    assert!(Blobs::open(&config).is_ok(), "an S3-compatible store is built from configuration");
}

// A lease goes to one holder at a time: the first to ask gets it, another only once it has
// expired or was given up; the holder may renew it. Two nodes asking at once: one wins.
store_test!(a_lease_has_one_holder_at_a_time, |db| async move {
    use tamar_store::lease;
    Migrator::new(&db, &[lease::MIGRATIONS]).run().await?;
    let t = |s: i64| chrono::DateTime::from_timestamp(1_800_000_000 + s, 0).unwrap();
    assert!(lease::acquire(&db, "job", "node-a", t(0), t(30)).await?, "a free lease is taken");
    assert!(!lease::acquire(&db, "job", "node-b", t(10), t(40)).await?, "another node waits");
    assert!(lease::acquire(&db, "job", "node-a", t(20), t(50)).await?, "the holder renews");
    assert!(!lease::acquire(&db, "job", "node-b", t(45), t(75)).await?, "the renewal counts");
    assert!(lease::acquire(&db, "other-job", "node-b", t(45), t(75)).await?, "each name is a lease of its own");
    assert!(lease::acquire(&db, "job", "node-b", t(51), t(81)).await?, "an expired lease passes on");
    assert!(!lease::acquire(&db, "job", "node-a", t(52), t(82)).await?);
    lease::release(&db, "job", "node-a").await?;
    assert!(!lease::acquire(&db, "job", "node-a", t(53), t(83)).await?, "only the holder gives a lease up");
    lease::release(&db, "job", "node-b").await?;
    assert!(lease::acquire(&db, "job", "node-a", t(54), t(84)).await?, "a lease given up is free at once");

    // Many nodes at once, on a fresh lease: exactly one gets it.
    let tries = (0..8).map(|i| {
        let db = db.clone();
        async move { lease::acquire(&db, "race", &format!("node-{i}"), t(0), t(30)).await }
    });
    let won = futures::future::join_all(tries).await.into_iter().collect::<Result<Vec<_>, _>>()?;
    assert_eq!(won.iter().filter(|w| **w).count(), 1, "{won:?}");
    Ok::<(), StoreError>(())
});

static FIRST: &[Migration] = &[Migration { id: "test_0001_things", statements: create_things }];

// Statements that every pooled connection prepared and cached before a migration added a
// column see the column afterwards: connections opened before the migration are replaced.
store_test!(statements_cached_before_a_migration_see_its_new_column, |db| async move {
    Migrator::new(&db, &[FIRST]).run().await?;
    db.execute(&insert("before")).await?;
    let everything = Query::select().column(sea_query::Asterisk).from("things").to_owned();
    // Several at once, so that several connections cache the statement.
    let reads = (0..6).map(|_| db.fetch_all(&everything));
    for rows in futures::future::join_all(reads).await {
        assert_eq!(rows?.len(), 1);
    }
    Migrator::new(&db, &[SET]).run().await?;
    let reads = (0..6).map(|_| db.fetch_all(&everything));
    for rows in futures::future::join_all(reads).await {
        let rows = rows?;
        assert_eq!(row::get::<Option<String>>(&rows[0], "note")?, None, "the new column is there");
    }
    Ok::<(), StoreError>(())
});

/// A grouped write that inserts `name`, and a second row when `twice` (which then breaks the
/// unique name, as a bad write in a batch would).
fn grouped_insert(name: String, twice: bool) -> tamar_store::group::GroupedWrite {
    Box::new(move |tx| {
        let name = name.clone();
        Box::pin(async move {
            tx.execute(&insert(&name)).await?;
            if twice {
                tx.execute(&insert(&name)).await?;
            }
            Ok(())
        })
    })
}

store_test!(grouped_writes_commit_each_and_a_bad_one_takes_no_other_down, |db| async move {
    Migrator::new(&db, &[SET]).run().await?;
    // Many writers at once: each write commits with everything it wrote.
    let writes = (0..200).map(|i| db.write_grouped(grouped_insert(format!("w{i}"), false)));
    for outcome in futures::future::join_all(writes).await {
        outcome?;
    }
    assert_eq!(count(&db).await, 200);
    // One bad write among good ones waiting at the same time: it fails alone, and none of its
    // rows stays; the others are kept.
    let writes = (0..100).map(|i| db.write_grouped(grouped_insert(format!("x{i}"), i == 37)));
    let outcomes = futures::future::join_all(writes).await;
    for (i, outcome) in outcomes.iter().enumerate() {
        match i {
            37 => assert!(matches!(outcome, Err(StoreError::UniqueViolation)), "{outcome:?}"),
            _ => assert!(outcome.is_ok(), "write {i}: {outcome:?}"),
        }
    }
    assert_eq!(count(&db).await, 299);
    let kept = db.fetch_optional(&Query::select().column("id").from("things").and_where(Expr::col("name").eq("x37")).to_owned()).await?;
    assert!(kept.is_none(), "nothing of the failed write is kept");
    Ok::<(), StoreError>(())
});

fn big_read() -> sea_query::SelectStatement {
    use sea_query::IntoTableRef;
    Query::select()
        .expr_as(Expr::col(("a", "id")), "x")
        .from_as("things", "a")
        .cross_join("things".into_table_ref().alias("b"))
        .cross_join("things".into_table_ref().alias("c"))
        .to_owned()
}

// Reads give their connection back as it is, without a round trip, so that one connection
// serves one read after another; a read that was cancelled half way gives its connection up
// instead, and the reads after it see nothing of it.
store_test!(reads_reuse_their_connection_and_a_cancelled_read_leaves_nothing_behind, |db| async move {
    Migrator::new(&db, &[SET]).run().await?;
    let mut tx = db.begin().await?;
    for i in 0..200 {
        tx.execute(&insert(&format!("t{i}"))).await?;
    }
    tx.commit().await?;
    let before = db.read_connections_opened();
    for _ in 0..50 {
        assert_eq!(count(&db).await, 200);
    }
    assert!(db.read_connections_opened() - before <= 1, "50 reads one after another share a connection");

    // Eight million rows: cancelled long before they are all read.
    let cancelled = tokio::time::timeout(std::time::Duration::from_millis(5), db.fetch_all(&big_read())).await;
    assert!(cancelled.is_err(), "the read was cancelled");
    let before = db.read_connections_opened();
    for _ in 0..20 {
        assert_eq!(count(&db).await, 200);
        let one = db.fetch_one(&Query::select().column("name").from("things").and_where(Expr::col("name").eq("t7")).to_owned()).await?;
        assert_eq!(row::get::<String>(&one, "name")?, "t7");
    }
    assert!(db.read_connections_opened() - before <= 1, "the cancelled read's connection was not handed on");
    // A read the database refuses leaves its connection fit for the next.
    let before = db.read_connections_opened();
    let refused = db.fetch_all(&Query::select().column("id").from("no_such_table").to_owned()).await;
    assert!(refused.is_err());
    assert_eq!(count(&db).await, 200);
    assert_eq!(db.read_connections_opened(), before, "the connection was kept");
    Ok::<(), StoreError>(())
});

// A connection that sat idle may have been cut (a server restart, a proxy's limit): the read is
// run again on a new connection, and whoever asked never sees the cut one.
store_test!(a_read_on_a_connection_the_server_cut_runs_again_on_a_new_one, |db| async move {
    if db.backend() != Backend::Postgres {
        return Ok(());
    }
    Migrator::new(&db, &[SET]).run().await?;
    db.execute(&insert("kept")).await?;
    assert_eq!(count(&db).await, 1);
    let before = db.read_connections_opened();
    // Every other connection to this database is ended by the server.
    let cut = Query::select()
        .expr(sea_query::Func::cust("pg_terminate_backend").arg(Expr::col("pid")))
        .from("pg_stat_activity")
        .and_where(Expr::col("datname").eq(Expr::cust("current_database()")))
        .and_where(Expr::col("pid").ne(Expr::cust("pg_backend_pid()")))
        .to_owned();
    db.execute(&cut).await?;
    assert_eq!(count(&db).await, 1, "the read succeeded on a new connection");
    assert_eq!(db.read_connections_opened(), before + 1);
    Ok::<(), StoreError>(())
});
