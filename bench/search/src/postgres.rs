//! The peer: PostgreSQL full-text search over the same entries, written as a competent
//! PostgreSQL user would. English: a weighted `tsvector` (title A, summary B, body C, the
//! `english` configuration) with a GIN index, `websearch_to_tsquery` and `ts_rank_cd`, and
//! when every word together finds nothing, any of them (as Tamar does). Chinese: `pg_trgm`
//! GIN indexes on the Traditional and Simplified text: substring (`LIKE`) matches, titles
//! first, and when there are none, word-similarity (`<%`) matches.

use sqlx::{Connection, Executor, PgConnection, Row};
use tamar_core::lang::Lang;
use tamar_search::SearchDoc;

const DATABASE: &str = "tamar_bench";
const BATCH: usize = 2_000;

pub struct Postgres {
    conn: PgConnection,
    admin_url: String,
}

const SCHEMA: &str = "
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TABLE catalogue (
    key text PRIMARY KEY,
    kind text NOT NULL,
    department text NOT NULL,
    topics text[] NOT NULL,
    audiences text[] NOT NULL,
    popularity bigint NOT NULL,
    title_en text NOT NULL, summary_en text NOT NULL, body_en text NOT NULL,
    title_tc text NOT NULL, summary_tc text NOT NULL, body_tc text NOT NULL,
    title_sc text NOT NULL, summary_sc text NOT NULL, body_sc text NOT NULL,
    search_en tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', title_en), 'A')
        || setweight(to_tsvector('english', summary_en), 'B')
        || setweight(to_tsvector('english', body_en), 'C')) STORED,
    text_tc text GENERATED ALWAYS AS (title_tc || ' ' || summary_tc || ' ' || body_tc) STORED,
    text_sc text GENERATED ALWAYS AS (title_sc || ' ' || summary_sc || ' ' || body_sc) STORED
)";

const INDEXES: [&str; 3] = [
    "CREATE INDEX catalogue_search_en ON catalogue USING gin (search_en)",
    "CREATE INDEX catalogue_text_tc ON catalogue USING gin (text_tc gin_trgm_ops)",
    "CREATE INDEX catalogue_text_sc ON catalogue USING gin (text_sc gin_trgm_ops)",
];

const INSERT: &str = "
INSERT INTO catalogue (key, kind, department, topics, audiences, popularity,
    title_en, summary_en, body_en, title_tc, summary_tc, body_tc, title_sc, summary_sc, body_sc)
SELECT key, kind, department, string_to_array(topics, ','), string_to_array(audiences, ','), popularity,
    title_en, summary_en, body_en, title_tc, summary_tc, body_tc, title_sc, summary_sc, body_sc
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[],
    $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[])
    AS t(key, kind, department, topics, audiences, popularity,
         title_en, summary_en, body_en, title_tc, summary_tc, body_tc, title_sc, summary_sc, body_sc)";

/// The columns shown for a hit: title and summary in the language asked ($2), as Tamar returns.
macro_rules! shown {
    () => {
        "key,
        CASE $2 WHEN 'en' THEN title_en WHEN 'tc' THEN title_tc ELSE title_sc END AS title,
        CASE $2 WHEN 'en' THEN summary_en WHEN 'tc' THEN summary_tc ELSE summary_sc END AS summary"
    };
}

const ENGLISH_ALL_WORDS: &str = concat!(
    "SELECT ",
    shown!(),
    " FROM catalogue, websearch_to_tsquery('english', $1) AS query
    WHERE search_en @@ query
    ORDER BY ts_rank_cd(search_en, query) DESC, popularity DESC LIMIT 10"
);

const ENGLISH_ANY_WORD: &str = concat!(
    "SELECT ", shown!(), " FROM catalogue,
        (SELECT replace(websearch_to_tsquery('english', $1)::text, ' & ', ' | ')::tsquery) AS input(query)
    WHERE search_en @@ query
    ORDER BY ts_rank_cd(search_en, query) DESC, popularity DESC LIMIT 10"
);

/// $1 the query, $3 a `LIKE` pattern of its words in order: entries whose text contains
/// them, those with them in the title first, then by how closely the query matches a title.
/// (A pattern of fewer than three characters yields no trigram: that scan reads every row.)
const CHINESE_SUBSTRING: &str = concat!(
    "SELECT ",
    shown!(),
    " FROM catalogue
    WHERE text_tc LIKE $3 OR text_sc LIKE $3
    ORDER BY (title_tc LIKE $3 OR title_sc LIKE $3)::int * 2
        + greatest(word_similarity($1, title_tc), word_similarity($1, title_sc)) DESC,
        popularity DESC
    LIMIT 10"
);

/// When no text contains the query as typed: entries with a similar run of characters
/// (`<%`, word similarity above `pg_trgm.word_similarity_threshold`), best match first.
const CHINESE_SIMILAR: &str = concat!(
    "SELECT ",
    shown!(),
    " FROM catalogue
    WHERE $1 <% text_tc OR $1 <% text_sc
    ORDER BY greatest(word_similarity($1, title_tc), word_similarity($1, title_sc))
        + greatest(word_similarity($1, text_tc), word_similarity($1, text_sc)) * 0.5 DESC,
        popularity DESC
    LIMIT 10"
);

fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}' | '\u{20000}'..='\u{2ffff}')
}

impl Postgres {
    /// Creates a fresh database on the server at `url` (a `postgres://` address without a
    /// database name), with a UTF-8 character classification so that `pg_trgm` treats Han
    /// characters as letters (under the C locale it ignores them).
    pub async fn create(url: &str) -> anyhow::Result<Postgres> {
        let admin_url = format!("{}/postgres", url.trim_end_matches('/'));
        let mut admin = PgConnection::connect(&admin_url).await?;
        admin
            .execute(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {DATABASE}"
            )))
            .await?;
        admin
            .execute(sqlx::AssertSqlSafe(format!(
                "CREATE DATABASE {DATABASE} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
            )))
            .await?;
        admin.close().await?;
        let conn =
            PgConnection::connect(&format!("{}/{DATABASE}", url.trim_end_matches('/'))).await?;
        Ok(Postgres { conn, admin_url })
    }

    /// Creates the table, inserts the entries in batches, builds the indexes and gathers
    /// statistics: what the build time measures.
    pub async fn build(&mut self, docs: &[SearchDoc]) -> anyhow::Result<()> {
        // As one would for a bulk load: room to build each GIN index in memory.
        self.conn
            .execute("SET maintenance_work_mem = '512MB'")
            .await?;
        self.conn.execute(SCHEMA).await?;
        for batch in docs.chunks(BATCH) {
            let column =
                |f: &dyn Fn(&SearchDoc) -> String| batch.iter().map(f).collect::<Vec<String>>();
            sqlx::query(INSERT)
                .bind(column(&|d| d.key.clone()))
                .bind(column(&|d| d.kind.to_string()))
                .bind(column(&|d| d.department.clone()))
                .bind(column(&|d| d.topics.join(",")))
                .bind(column(&|d| d.audiences.join(",")))
                .bind(
                    batch
                        .iter()
                        .map(|d| d.popularity as i64)
                        .collect::<Vec<i64>>(),
                )
                .bind(column(&|d| d.title.en.clone()))
                .bind(column(&|d| d.summary.en.clone()))
                .bind(column(&|d| d.body.en.clone()))
                .bind(column(&|d| d.title.tc.clone()))
                .bind(column(&|d| d.summary.tc.clone()))
                .bind(column(&|d| d.body.tc.clone()))
                .bind(column(&|d| d.title.sc.clone()))
                .bind(column(&|d| d.summary.sc.clone()))
                .bind(column(&|d| d.body.sc.clone()))
                .execute(&mut self.conn)
                .await?;
        }
        for index in INDEXES {
            self.conn.execute(index).await?;
        }
        self.conn.execute("ANALYZE catalogue").await?;
        // The default (0.6) suits words of Latin letters; a Chinese query of a few characters
        // has few trigrams, and one that differs by a character or two still means the same.
        self.conn
            .execute("SET pg_trgm.word_similarity_threshold = 0.3")
            .await?;
        Ok(())
    }

    /// The keys of the first ten results, best first. Statements are prepared once per
    /// connection and reused (sqlx caches them).
    pub async fn search(&mut self, q: &str, lang: Lang) -> anyhow::Result<Vec<String>> {
        let lang_code = lang.prefix();
        let rows = if q.chars().any(is_han) {
            let pattern = format!(
                "%{}%",
                q.split_whitespace()
                    .map(escape_like)
                    .collect::<Vec<_>>()
                    .join("%")
            );
            let rows = sqlx::query(CHINESE_SUBSTRING)
                .bind(q)
                .bind(lang_code)
                .bind(pattern)
                .fetch_all(&mut self.conn)
                .await?;
            if rows.is_empty() {
                sqlx::query(CHINESE_SIMILAR)
                    .bind(q)
                    .bind(lang_code)
                    .fetch_all(&mut self.conn)
                    .await?
            } else {
                rows
            }
        } else {
            let rows = sqlx::query(ENGLISH_ALL_WORDS)
                .bind(q)
                .bind(lang_code)
                .fetch_all(&mut self.conn)
                .await?;
            if rows.is_empty() {
                sqlx::query(ENGLISH_ANY_WORD)
                    .bind(q)
                    .bind(lang_code)
                    .fetch_all(&mut self.conn)
                    .await?
            } else {
                rows
            }
        };
        let mut keys = Vec::with_capacity(rows.len());
        for row in rows {
            let key: String = row.try_get("key")?;
            let _title: String = row.try_get("title")?;
            let _summary: String = row.try_get("summary")?;
            keys.push(key);
        }
        Ok(keys)
    }

    /// The size of table and indexes, in bytes.
    pub async fn size(&mut self) -> anyhow::Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT pg_total_relation_size('catalogue')")
                .fetch_one(&mut self.conn)
                .await?,
        )
    }

    /// Closes the connection and drops the database.
    pub async fn drop_database(self) -> anyhow::Result<()> {
        self.conn.close().await?;
        let mut admin = PgConnection::connect(&self.admin_url).await?;
        admin
            .execute(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {DATABASE}"
            )))
            .await?;
        admin.close().await?;
        Ok(())
    }
}

fn escape_like(word: &str) -> String {
    word.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
