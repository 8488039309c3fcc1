//! Real test databases, one per test: a fresh SQLite file always, and a fresh PostgreSQL
//! database when `TAMAR_TEST_DATABASE_URL` names a server (the test script sets it). Each
//! PostgreSQL database is dropped when its [`TestDb`] is.

use crate::{Db, StoreError};

pub const POSTGRES_ENV: &str = "TAMAR_TEST_DATABASE_URL";

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

    /// A fresh PostgreSQL database, or `None` when no server is configured.
    pub async fn postgres() -> Result<Option<TestDb>, StoreError> {
        let Ok(admin_url) = std::env::var(POSTGRES_ENV) else { return Ok(None) };
        let name = format!("tamar_t_{}", uuid::Uuid::new_v4().simple());
        let admin = Db::connect(&admin_url).await?;
        admin.execute_sql(&format!("CREATE DATABASE \"{name}\"")).await?;
        admin.close().await;
        let url = with_database(&admin_url, &name);
        let db = Db::connect(&url).await?;
        Ok(Some(TestDb { db, url, _dir: None, postgres: Some((admin_url, name)) }))
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
                let Some(test_db) = $crate::testing::TestDb::postgres().await.expect("postgres test database") else {
                    eprintln!("{} is not set: PostgreSQL run skipped", $crate::testing::POSTGRES_ENV);
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
mod tests {
    use super::with_database;

    #[test]
    fn replaces_database_name() {
        assert_eq!(with_database("postgres://u@h:5432/postgres", "x"), "postgres://u@h:5432/x");
        assert_eq!(with_database("postgres://u@h/db?sslmode=disable", "x"), "postgres://u@h/x?sslmode=disable");
        assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
    }
}
