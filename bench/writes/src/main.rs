//! `tamar-writes-baseline DATABASE_URL ADDR`: serves `POST /messages`, which inserts the
//! message it is given into a table shaped like Tamar's `portal_messages`, in a transaction of
//! its own, and answers 202 with the new id. The database is set up as Tamar sets up its own:
//! SQLite in WAL mode with `synchronous = NORMAL` and 8 connections, PostgreSQL with 16, and
//! neither pool pinging a connection before each use.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;

#[derive(Clone)]
enum Pool {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

#[derive(Deserialize)]
struct Outgoing {
    to_email: String,
    kind: String,
    subject: HashMap<String, String>,
    body: HashMap<String, String>,
    due_on: Option<String>,
}

const TABLE: &str = "CREATE TABLE IF NOT EXISTS portal_messages (
    id TEXT NOT NULL PRIMARY KEY, account_id TEXT NOT NULL, department_id TEXT NOT NULL,
    kind TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL, due_on TEXT,
    sent_at BIGINT NOT NULL, sent_by TEXT NOT NULL, read_at BIGINT, done_at BIGINT,
    hidden INTEGER NOT NULL)";
const INDEX: &str = "CREATE INDEX IF NOT EXISTS portal_messages_by_account ON portal_messages (account_id, sent_at)";
const INSERT: &str = "INSERT INTO portal_messages (id, account_id, department_id, kind, subject, body, due_on, sent_at, sent_by, read_at, done_at, hidden) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, NULL, 0)";

async fn send(State(pool): State<Pool>, Json(out): Json<Outgoing>) -> Result<(StatusCode, Json<serde_json::Value>), StatusCode> {
    let id = uuid::Uuid::new_v4().to_string();
    let subject = serde_json::to_string(&out.subject).map_err(|_| StatusCode::UNPROCESSABLE_ENTITY)?;
    let body = serde_json::to_string(&out.body).map_err(|_| StatusCode::UNPROCESSABLE_ENTITY)?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or_default();
    let failed = |_| StatusCode::INTERNAL_SERVER_ERROR;
    macro_rules! insert {
        ($pool:expr) => {{
            let mut tx = $pool.begin().await.map_err(failed)?;
            sqlx::query(INSERT)
                .bind(&id)
                .bind(&out.to_email)
                .bind("DH")
                .bind(&out.kind)
                .bind(&subject)
                .bind(&body)
                .bind(&out.due_on)
                .bind(now)
                .bind("officer")
                .execute(&mut *tx)
                .await
                .map_err(failed)?;
            tx.commit().await.map_err(failed)?;
        }};
    }
    match &pool {
        Pool::Sqlite(p) => insert!(p),
        Pool::Postgres(p) => insert!(p),
    }
    Ok((StatusCode::ACCEPTED, Json(serde_json::json!({ "id": id }))))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(url), Some(addr)) = (args.next(), args.next()) else {
        return Err("usage: tamar-writes-baseline DATABASE_URL ADDR".into());
    };
    let pool = if url.starts_with("sqlite:") {
        let options: sqlx::sqlite::SqliteConnectOptions = url.parse()?;
        let options = options
            .create_if_missing(true)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
            .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
            .busy_timeout(std::time::Duration::from_secs(10));
        let pool = sqlx::sqlite::SqlitePoolOptions::new().max_connections(8).test_before_acquire(false).connect_with(options).await?;
        sqlx::query(TABLE).execute(&pool).await?;
        sqlx::query(INDEX).execute(&pool).await?;
        Pool::Sqlite(pool)
    } else {
        let pool = sqlx::postgres::PgPoolOptions::new().max_connections(16).test_before_acquire(false).connect(&url).await?;
        sqlx::query(TABLE).execute(&pool).await?;
        sqlx::query(INDEX).execute(&pool).await?;
        Pool::Postgres(pool)
    };
    let app = Router::new().route("/messages", post(send)).with_state(pool);
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    axum::serve(listener, app).await?;
    Ok(())
}
