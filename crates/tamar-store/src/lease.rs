//! Leases: which node does a piece of work that only one node at a time should do. A lease has
//! a name and an expiry; a node holds it by writing its own name with a new expiry, which
//! succeeds only if the lease is free, expired, or already its own. One statement does it, so
//! two nodes asking at once cannot both win.

use sea_query::{Expr, ExprTrait, OnConflict, Query, Table, ColumnDef};

use crate::{Backend, Db, Migration, StoreError, to_millis};

const LEASES: &str = "leases";

/// The store's own tables.
pub static MIGRATIONS: &[Migration] = &[Migration { id: "store_0001_leases", statements: create_leases }];

fn create_leases(backend: Backend) -> Vec<String> {
    let table = Table::create()
        .table(LEASES)
        .col(ColumnDef::new("name").string().not_null().primary_key())
        .col(ColumnDef::new("holder").string().not_null())
        .col(ColumnDef::new("expires_at").big_integer().not_null())
        .to_owned();
    vec![backend.schema(&table)]
}

/// Takes or renews the lease `name` for `holder` until `until`; true if `holder` has it now.
pub async fn acquire(db: &Db, name: &str, holder: &str, now: chrono::DateTime<chrono::Utc>, until: chrono::DateTime<chrono::Utc>) -> Result<bool, StoreError> {
    let insert = Query::insert()
        .into_table(LEASES)
        .columns(["name", "holder", "expires_at"])
        .values_panic([name.into(), holder.into(), to_millis(until).into()])
        .on_conflict(
            OnConflict::column("name")
                .update_columns(["holder", "expires_at"])
                .action_and_where(
                    Expr::col((LEASES, "expires_at")).lt(to_millis(now)).or(Expr::col((LEASES, "holder")).eq(holder)),
                )
                .to_owned(),
        )
        .to_owned();
    Ok(db.execute(&insert).await? == 1)
}

/// Gives the lease up, if `holder` has it, so that another node need not wait for it to expire.
pub async fn release(db: &Db, name: &str, holder: &str) -> Result<(), StoreError> {
    let delete = Query::delete().from_table(LEASES).and_where(Expr::col("name").eq(name)).and_where(Expr::col("holder").eq(holder)).to_owned();
    db.execute(&delete).await?;
    Ok(())
}
