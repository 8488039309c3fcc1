//! Recomputes the whole log from the database, to catch rows changed behind the
//! application's back, and checks that it extends the tree heads kept outside it.

use ed25519_dalek::VerifyingKey;
use sea_query::{Expr, ExprTrait, Order, Query};
use tamar_store::{Db, row, to_millis};

use crate::merkle::{Frontier, Hash, leaf_hash};
use crate::schema::{ENTRIES, HEADS, STATE};
use crate::service::{hash_from, tree_head_from_row};
use crate::{LedgerEntry, LedgerError};

#[derive(Debug, PartialEq, Eq)]
pub struct VerifyReport {
    pub entries: u64,
    pub tree_heads: u64,
}

/// A tree head kept outside the database (a checkpoint from the checkpoint file, the blob
/// store, or someone's copy) whose signature was checked: the log must extend it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustedHead {
    /// Where it came from, for messages: "the trusted head in head.txt".
    pub name: String,
    pub tree_size: u64,
    pub root_hash: Hash,
}

/// The first thing found wrong.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum VerifyFailure {
    #[error(
        "the log was cut: {head} covers {tree_size} entries, the database holds only {entries}; entries {entries} to {} are missing",
        .tree_size - 1
    )]
    Cut { head: String, tree_size: u64, entries: u64 },
    #[error("the database does not extend {head}: its first {tree_size} entries have another root than the trusted head's")]
    Diverged { head: String, tree_size: u64 },
    #[error("{head} cannot be trusted: {reason}")]
    Untrusted { head: String, reason: String },
    #[error("entry {index}: {reason}")]
    Entry { index: u64, reason: String },
    #[error("signed tree head of size {tree_size}: {reason}")]
    TreeHead { tree_size: u64, reason: String },
    #[error("ledger state: {0}")]
    State(String),
}

const PAGE: u64 = 10_000;

/// Checks every sequenced entry against its leaf hash and its columns, rebuilds the tree and
/// checks every signed tree head's root and signature. `progress(done, total)` is called as
/// it goes.
pub async fn verify_log(
    db: &Db,
    key: &VerifyingKey,
    progress: impl FnMut(u64, u64),
) -> Result<Result<VerifyReport, VerifyFailure>, LedgerError> {
    verify_log_with(db, key, &[], progress).await
}

/// [`verify_log`], and the log must also extend each of `trusted`: hold at least as many
/// entries, with the same root at that size.
pub async fn verify_log_with(
    db: &Db,
    key: &VerifyingKey,
    trusted: &[TrustedHead],
    mut progress: impl FnMut(u64, u64),
) -> Result<Result<VerifyReport, VerifyFailure>, LedgerError> {
    let mut trusted: Vec<&TrustedHead> = trusted.iter().collect();
    trusted.sort_by_key(|t| t.tree_size);
    let mut trusted = trusted.into_iter().peekable();
    let mut check_trusted = |frontier: &Frontier| {
        while let Some(head) = trusted.next_if(|t| t.tree_size <= frontier.size()) {
            if head.root_hash != frontier.root() {
                return Err(VerifyFailure::Diverged { head: head.name.clone(), tree_size: head.tree_size });
            }
        }
        Ok(())
    };
    let total_row = db
        .fetch_one(&Query::select().expr_as(Expr::col("seq").count(), "n").from(ENTRIES).to_owned())
        .await?;
    let total = row::get::<i64>(&total_row, "n")? as u64;
    let head_rows = db
        .fetch_all(
            &Query::select()
                .columns(["tree_size", "at", "root_hash", "signature"])
                .from(HEADS)
                .order_by("tree_size", Order::Asc)
                .to_owned(),
        )
        .await?;
    let mut heads = Vec::with_capacity(head_rows.len());
    for r in &head_rows {
        heads.push(tree_head_from_row(r)?);
    }
    let mut heads_iter = heads.iter().peekable();
    let mut frontier = Frontier::default();

    let check_heads = |frontier: &Frontier, heads_iter: &mut std::iter::Peekable<std::slice::Iter<'_, crate::SignedTreeHead>>| {
        while let Some(head) = heads_iter.peek() {
            if head.tree_size != frontier.size() {
                break;
            }
            if head.root_hash != frontier.root() {
                return Err(VerifyFailure::TreeHead {
                    tree_size: head.tree_size,
                    reason: format!(
                        "its root does not match entries 0..{}: an entry in that range was changed",
                        head.tree_size
                    ),
                });
            }
            if !head.verify(key) {
                return Err(VerifyFailure::TreeHead { tree_size: head.tree_size, reason: "bad signature".into() });
            }
            heads_iter.next();
        }
        Ok(())
    };
    if let Err(failure) = check_heads(&frontier, &mut heads_iter).and_then(|()| check_trusted(&frontier)) {
        return Ok(Err(failure));
    }

    loop {
        let rows = db
            .fetch_all(
                &Query::select()
                    .columns(["seq", "at", "kind", "actor", "action", "object", "subject", "department", "purpose", "body", "leaf_hash"])
                    .from(ENTRIES)
                    .and_where(Expr::col("seq").gte(frontier.size() as i64))
                    .order_by("seq", Order::Asc)
                    .limit(PAGE)
                    .to_owned(),
            )
            .await?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let index = frontier.size();
            let seq = row::get::<i64>(r, "seq")? as u64;
            if seq != index {
                return Ok(Err(VerifyFailure::Entry { index, reason: format!("missing; the next entry is {seq}") }));
            }
            let body: String = row::get(r, "body")?;
            let leaf = hash_from(row::get::<Vec<u8>>(r, "leaf_hash")?)?;
            if leaf_hash(body.as_bytes()) != leaf {
                return Ok(Err(VerifyFailure::Entry { index, reason: "its contents do not match its leaf hash".into() }));
            }
            if let Err(reason) = columns_match(r, &body) {
                return Ok(Err(VerifyFailure::Entry { index, reason }));
            }
            frontier.push(leaf);
            if let Err(failure) = check_heads(&frontier, &mut heads_iter).and_then(|()| check_trusted(&frontier)) {
                return Ok(Err(failure));
            }
        }
        progress(frontier.size(), total);
    }
    if let Some(head) = trusted.next() {
        return Ok(Err(VerifyFailure::Cut { head: head.name.clone(), tree_size: head.tree_size, entries: frontier.size() }));
    }
    if let Some(head) = heads_iter.next() {
        return Ok(Err(VerifyFailure::TreeHead {
            tree_size: head.tree_size,
            reason: format!("the log has only {} entries", frontier.size()),
        }));
    }
    let state = db
        .fetch_one(&Query::select().columns(["size", "frontier"]).from(STATE).and_where(Expr::col("id").eq(1)).to_owned())
        .await?;
    let size = row::get::<i64>(&state, "size")? as u64;
    let stored = Frontier::from_bytes(size, &row::get::<Vec<u8>>(&state, "frontier")?);
    if size != frontier.size() || stored.as_ref() != Some(&frontier) {
        return Ok(Err(VerifyFailure::State(format!(
            "records a tree of {size} entries that does not match the {} entries found",
            frontier.size()
        ))));
    }
    Ok(Ok(VerifyReport { entries: frontier.size(), tree_heads: heads.len() as u64 }))
}

/// The queryable columns must say what the hashed body says.
fn columns_match(r: &tamar_store::AnyRow, body: &str) -> Result<(), String> {
    let entry: LedgerEntry = serde_json::from_str(body).map_err(|e| format!("its contents are not an entry: {e}"))?;
    let get = |c: &str| row::get::<String>(r, c).map_err(|e| e.to_string());
    let get_opt = |c: &str| row::get::<Option<String>>(r, c).map_err(|e| e.to_string());
    let at: i64 = row::get(r, "at").map_err(|e| e.to_string())?;
    let same = at == to_millis(entry.at)
        && get("kind")? == entry.kind.as_str()
        && get("actor")? == entry.actor
        && get("action")? == entry.action
        && get("object")? == entry.object
        && get_opt("subject")? == entry.subject
        && get_opt("department")? == entry.department
        && get("purpose")? == entry.purpose;
    if same { Ok(()) } else { Err("its columns differ from its hashed contents".into()) }
}
