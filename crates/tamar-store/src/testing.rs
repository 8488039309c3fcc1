//! Real test databases, one per test: a fresh SQLite file always, and a fresh PostgreSQL
//! database when `TAMAR_TEST_DATABASE_URL` names a server (the test script sets it). Each
//! PostgreSQL database is dropped when its [`TestDb`] is.
//!
//! Without `TAMAR_TEST_DATABASE_URL` the PostgreSQL half of a test is skipped, except under
//! CI (`CI` set, as CI services do) or with `TAMAR_REQUIRE_POSTGRES=1`: there a missing
//! database fails the test, as an unreachable one always does, so that a run which never
//! reached PostgreSQL cannot pass.

use crate::{Db, StoreError};

pub const POSTGRES_ENV: &str = "TAMAR_TEST_DATABASE_URL";
pub const REQUIRE_POSTGRES_ENV: &str = "TAMAR_REQUIRE_POSTGRES";

/// Why no PostgreSQL test database could be had.
#[derive(Debug, thiserror::Error)]
pub enum TestDbError {
    #[error("{POSTGRES_ENV} is not set, but PostgreSQL is required here ({0}); set it to a server's URL")]
    PostgresRequired(&'static str),
    #[error("PostgreSQL at {at} is unreachable or refused a test database: {source}")]
    Unreachable { at: String, source: StoreError },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What to do about PostgreSQL, from the values of `TAMAR_TEST_DATABASE_URL`, `CI` and
/// `TAMAR_REQUIRE_POSTGRES`: `Ok(Some(url))` to use it, `Ok(None)` to skip it, an error when
/// it is required and missing.
pub fn postgres_decision(
    url: Option<&str>,
    ci: Option<&str>,
    require: Option<&str>,
) -> Result<Option<String>, TestDbError> {
    let truthy = |v: Option<&str>| {
        v.map(str::trim).is_some_and(|v| !v.is_empty() && !v.eq_ignore_ascii_case("false") && v != "0")
    };
    match url.map(str::trim) {
        Some(url) if !url.is_empty() => Ok(Some(url.to_owned())),
        _ if truthy(require) => Err(TestDbError::PostgresRequired("TAMAR_REQUIRE_POSTGRES is set")),
        _ if truthy(ci) => Err(TestDbError::PostgresRequired("CI is set")),
        _ => Ok(None),
    }
}

/// [`postgres_decision`] on this process's environment.
pub fn postgres_url() -> Result<Option<String>, TestDbError> {
    let var = |name: &str| std::env::var(name).ok();
    postgres_decision(var(POSTGRES_ENV).as_deref(), var("CI").as_deref(), var(REQUIRE_POSTGRES_ENV).as_deref())
}

pub struct TestDb {
    pub db: Db,
    /// The database's URL, for handing to a `tamar` process under test.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

impl TestDb {
    /// A fresh SQLite database in its own temporary folder.
    pub async fn sqlite() -> Result<TestDb, StoreError> {
        let dir = tempfile::tempdir().map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
        Ok(TestDb { db: Db::connect(&url).await?, url, _dir: Some(dir), postgres: None })
    }

    /// A fresh PostgreSQL database, or `None` when no server is configured and none is
    /// required (see [`postgres_url`]).
    pub async fn postgres() -> Result<Option<TestDb>, TestDbError> {
        let Some(admin_url) = postgres_url()? else { return Ok(None) };
        let name = format!("tamar_t_{}", uuid::Uuid::new_v4().simple());
        let unreachable = |source| TestDbError::Unreachable { at: without_credentials(&admin_url), source };
        let admin = Db::connect(&admin_url).await.map_err(unreachable)?;
        admin.execute_sql(&format!("CREATE DATABASE \"{name}\"")).await.map_err(unreachable)?;
        admin.close().await;
        let url = with_database(&admin_url, &name);
        let db = Db::connect(&url).await?;
        Ok(Some(TestDb { db, url, _dir: None, postgres: Some((admin_url, name)) }))
    }
}

/// The URL without a password, for messages.
fn without_credentials(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => format!("{}{}", &url[..scheme + 3], &url[at + 1..]),
        _ => url.to_owned(),
    }
}

/// The URL with its database name replaced.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.postgres.take() else { return };
        let db = self.db.clone();
        // Drop runs inside the test's runtime, which must not block on itself: use a thread
        // with a runtime of its own.
        let handle = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
            rt.block_on(async move {
                db.close().await;
                if let Ok(admin) = Db::connect(&admin_url).await {
                    let _ = admin.execute_sql(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await;
                    admin.close().await;
                }
            });
        });
        let _ = handle.join();
    }
}

/// Declares one test that runs on SQLite and, when configured, on PostgreSQL:
/// `store_test!(name, |db| async move { ... })`, where the body returns `Result<(), E>`.
#[macro_export]
macro_rules! store_test {
    ($name:ident, |$db:ident| $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let test_db = $crate::testing::TestDb::sqlite().await.expect("sqlite test database");
                let $db = test_db.db.clone();
                let outcome = $body.await;
                drop(test_db);
                outcome.expect("test failed on SQLite");
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let test_db = match $crate::testing::TestDb::postgres().await {
                    Ok(found) => found,
                    Err(e) => panic!("no PostgreSQL test database: {e}"),
                };
                let Some(test_db) = test_db else {
                    eprintln!(
                        "{} is not set: PostgreSQL run skipped (set CI or {}=1 to make this fail)",
                        $crate::testing::POSTGRES_ENV,
                        $crate::testing::REQUIRE_POSTGRES_ENV
                    );
                    return;
                };
                let $db = test_db.db.clone();
                let outcome = $body.await;
                drop(test_db);
                outcome.expect("test failed on PostgreSQL");
            }
        }
    };
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{TestDbError, postgres_decision, with_database, without_credentials};

    #[test]
    fn a_missing_postgres_fails_under_ci_or_when_required() {
        let url = Some("postgres://u@h/db");
        // A URL is used whatever else is set.
        for ci in [None, Some("true")] {
            for require in [None, Some("1")] {
                assert_eq!(postgres_decision(url, ci, require).unwrap().as_deref(), url);
            }
        }
        // No URL: skipped on a developer's machine...
        for (ci, require) in [(None, None), (Some(""), None), (Some("false"), Some("0")), (None, Some(""))] {
            assert_eq!(postgres_decision(None, ci, require).unwrap(), None, "CI={ci:?} REQUIRE={require:?}");
        }
        assert_eq!(postgres_decision(Some("  "), None, None).unwrap(), None);
        // ...and an error under CI or when required.
        for (ci, require) in [(Some("true"), None), (Some("1"), None), (None, Some("1")), (Some("false"), Some("1"))] {
            for url in [None, Some("")] {
                let outcome = postgres_decision(url, ci, require);
                assert!(
                    matches!(outcome, Err(TestDbError::PostgresRequired(_))),
                    "CI={ci:?} REQUIRE={require:?} url={url:?}: {outcome:?}"
                );
            }
        }
    }

    #[test]
    fn messages_hide_the_password() {
        assert_eq!(without_credentials("postgres://u:secret@h:5432/db"), "postgres://h:5432/db");
        assert_eq!(without_credentials("postgres://h/db"), "postgres://h/db");
    }

    #[test]
    fn replaces_database_name() {
        assert_eq!(with_database("postgres://u@h:5432/postgres", "x"), "postgres://u@h:5432/x");
        assert_eq!(with_database("postgres://u@h/db?sslmode=disable", "x"), "postgres://u@h/x?sslmode=disable");
        assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
    }
}
