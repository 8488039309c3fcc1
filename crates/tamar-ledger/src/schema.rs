use sea_query::{ColumnDef, Index, Table};
use tamar_store::{Backend, Migration};

pub(crate) const ENTRIES: &str = "ledger_entries";
pub(crate) const STATE: &str = "ledger_state";
pub(crate) const HEADS: &str = "ledger_tree_heads";

pub static MIGRATIONS: &[Migration] = &[Migration { id: "ledger_0001_log", statements: create_log }];

fn create_log(backend: Backend) -> Vec<String> {
    let entries = Table::create()
        .table(ENTRIES)
        .col(ColumnDef::new("id").big_integer().not_null().auto_increment().primary_key())
        .col(ColumnDef::new("seq").big_integer().null().unique_key())
        .col(ColumnDef::new("at").big_integer().not_null())
        .col(ColumnDef::new("kind").string().not_null())
        .col(ColumnDef::new("actor").string().not_null())
        .col(ColumnDef::new("action").string().not_null())
        .col(ColumnDef::new("object").string().not_null())
        .col(ColumnDef::new("subject").string().null())
        .col(ColumnDef::new("department").string().null())
        .col(ColumnDef::new("purpose").text().not_null())
        .col(ColumnDef::new("body").text().not_null())
        .col(ColumnDef::new("leaf_hash").blob().null())
        .to_owned();
    let by_subject = Index::create().name("ledger_entries_subject").table(ENTRIES).col("subject").col("at").to_owned();
    let state = Table::create()
        .table(STATE)
        .col(ColumnDef::new("id").big_integer().not_null().primary_key())
        .col(ColumnDef::new("size").big_integer().not_null())
        .col(ColumnDef::new("frontier").blob().not_null())
        .to_owned();
    let heads = Table::create()
        .table(HEADS)
        .col(ColumnDef::new("tree_size").big_integer().not_null().primary_key())
        .col(ColumnDef::new("at").big_integer().not_null())
        .col(ColumnDef::new("root_hash").blob().not_null())
        .col(ColumnDef::new("signature").blob().not_null())
        .to_owned();
    vec![
        backend.schema(&entries),
        backend.schema(&by_subject),
        backend.schema(&state),
        backend.schema(&heads),
        "INSERT INTO ledger_state (id, size, frontier) VALUES (1, 0, X'')".replace(
            "X''",
            match backend {
                Backend::Sqlite => "X''",
                Backend::Postgres => "'\\x'::bytea",
            },
        ),
    ]
}
