//! The ledger against real databases, with proofs checked by a verifier written from
//! RFC 9162 §2.1.3.2 and §2.1.4.2, independently of the code that made them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use sha2::{Digest, Sha256};
use tamar_core::{AccountId, Actor, DepartmentId, Role, SystemClock};
use tamar_ledger::{Ledger, LedgerEntry, SigningKey, VerifyFailure, record, verify_log};
use sea_query::ExprTrait;
use tamar_store::{Db, Migrator, store_test};

type H = [u8; 32];

/// Every access to `person`, read a page of 7 at a time (many share a millisecond, so pages
/// also split entries of the same time), checking that each page costs one statement.
async fn every_access(ledger: &Ledger, person: AccountId) -> Vec<tamar_ledger::AccessRecord> {
    let mut all = Vec::new();
    let mut page = tamar_core::PageRequest::first(7);
    loop {
        let (got, statements) = tamar_store::count_statements(ledger.accesses_to(person, &page)).await;
        let got = got.unwrap();
        assert_eq!(statements, 1, "one page, one statement");
        assert!(got.items.len() <= 7);
        all.extend(got.items);
        match got.next {
            Some(next) => page.after = Some(next),
            None => break,
        }
    }
    // Newest first, each entry once.
    assert!(all.windows(2).all(|w| w[0].at >= w[1].at), "newest first");
    let mut indexes: Vec<_> = all.iter().map(|a| a.index).collect();
    indexes.sort();
    indexes.dedup();
    assert_eq!(indexes.len(), all.len(), "no entry on two pages");
    all
}

fn sha(parts: &[&[u8]]) -> H {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

fn b64(s: &str) -> H {
    B64.decode(s).unwrap().try_into().unwrap()
}

/// RFC 9162 §2.1.3.2: verifying an inclusion proof.
fn verify_inclusion(index: u64, size: u64, leaf: H, path: &[H], root: H) -> bool {
    if index >= size {
        return false;
    }
    let (mut fnode, mut snode, mut r) = (index, size - 1, leaf);
    for p in path {
        if snode == 0 {
            return false;
        }
        if fnode & 1 == 1 || fnode == snode {
            r = sha(&[&[1], p, &r]);
            if fnode & 1 == 0 {
                while fnode & 1 == 0 && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            r = sha(&[&[1], &r, p]);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    snode == 0 && r == root
}

/// RFC 9162 §2.1.4.2: verifying a consistency proof.
fn verify_consistency(first: u64, second: u64, first_root: H, second_root: H, proof: &[H]) -> bool {
    if first == second {
        return proof.is_empty() && first_root == second_root;
    }
    if first == 0 || first > second || proof.is_empty() {
        return false;
    }
    let mut path: Vec<H> = proof.to_vec();
    if first.is_power_of_two() {
        path.insert(0, first_root);
    }
    let (mut fnode, mut snode) = (first - 1, second - 1);
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    let (mut fr, mut sr) = (path[0], path[0]);
    for c in &path[1..] {
        if snode == 0 {
            return false;
        }
        if fnode & 1 == 1 || fnode == snode {
            fr = sha(&[&[1], c, &fr]);
            sr = sha(&[&[1], c, &sr]);
            if fnode & 1 == 0 {
                while fnode & 1 == 0 && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            sr = sha(&[&[1], &sr, c]);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    snode == 0 && fr == first_root && sr == second_root
}

async fn ledger(db: &Db) -> Ledger {
    Migrator::new(db, &[tamar_ledger::MIGRATIONS]).run().await.unwrap();
    Ledger::start(db.clone(), SigningKey::from_bytes(&[7u8; 32]), Arc::new(SystemClock))
}

fn citizen() -> (Actor, AccountId) {
    let account = AccountId::new();
    (Actor::Citizen { account }, account)
}

async fn append(ledger: &Ledger, n: usize) {
    let (actor, _) = citizen();
    let mut tx = ledger.db().begin().await.unwrap();
    for i in 0..n {
        let e = LedgerEntry::change(&actor, "test.thing.create", format!("thing:{i}"), ledger.now());
        record(&mut tx, &e).await.unwrap();
    }
    tx.commit().await.unwrap();
}

store_test!(proofs_verify_independently, |db| async move {
    let ledger = ledger(&db).await;
    let mut roots = vec![(0u64, sha(&[]))];
    // One signed head per size 1..=17, then a batch of 20: heads at 1..=17 and 37.
    for _ in 0..17 {
        append(&ledger, 1).await;
        // The background sequencer may have got there first; either way a head now covers it.
        ledger.sync().await.unwrap();
        let sth = ledger.latest_sth().await.unwrap().unwrap();
        roots.push((sth.tree_size, sth.root_hash));
    }
    append(&ledger, 20).await;
    ledger.sync().await.unwrap();
    let sth = ledger.latest_sth().await.unwrap().unwrap();
    assert_eq!(sth.tree_size, 37);
    assert!(sth.verify(&ledger.public_key()));
    roots.push((37, sth.root_hash));

    for &(size, root) in &roots[1..] {
        for index in 0..size {
            let p = ledger.inclusion_proof(index, Some(size)).await.unwrap();
            let path: Vec<H> = p.audit_path.iter().map(|s| b64(s)).collect();
            assert!(verify_inclusion(index, size, b64(&p.leaf_hash), &path, root), "inclusion {index} in {size}");
            // The same proof must fail for a different leaf or root.
            assert!(!verify_inclusion(index, size, sha(&[b"forged"]), &path, root));
        }
    }
    for &(first, first_root) in &roots[1..] {
        for &(second, second_root) in &roots {
            if second < first {
                continue;
            }
            let p = ledger.consistency_proof(first, second).await.unwrap();
            let proof: Vec<H> = p.consistency.iter().map(|s| b64(s)).collect();
            assert!(verify_consistency(first, second, first_root, second_root, &proof), "consistency {first}->{second}");
            if first != second {
                assert!(!verify_consistency(first, second, first_root, sha(&[b"x"]), &proof));
            }
        }
    }
    // The newest head is the default, and sizes without a signed head are refused.
    assert_eq!(ledger.inclusion_proof(0, None).await.unwrap().tree_size, 37);
    assert!(ledger.inclusion_proof(0, Some(30)).await.is_err());
    assert!(ledger.inclusion_proof(37, Some(37)).await.is_err());
    assert!(ledger.consistency_proof(5, 3).await.is_err());
    ledger.shutdown().await.unwrap();
    Ok::<(), Box<dyn std::error::Error>>(())
});

store_test!(an_entry_commits_with_its_change_or_not_at_all, |db| async move {
    let ledger = ledger(&db).await;
    let (actor, _) = citizen();
    let mut tx = db.begin().await?;
    record(&mut tx, &LedgerEntry::change(&actor, "test.thing.create", "thing:1", ledger.now())).await?;
    tx.rollback().await?;
    ledger.sync().await?;
    assert!(ledger.latest_sth().await?.is_none(), "a rolled-back entry must not be sequenced");
    append(&ledger, 3).await;
    ledger.sync().await?;
    assert_eq!(ledger.latest_sth().await?.map(|h| h.tree_size), Some(3));
    ledger.shutdown().await?;
    Ok::<(), Box<dyn std::error::Error>>(())
});

store_test!(concurrent_reads_are_batched_and_durable, |db| async move {
    let ledger = ledger(&db).await;
    let (_, person) = citizen();
    let officer = Actor::Officer { account: AccountId::new(), department: DepartmentId::new(), roles: vec![Role::CaseOfficer] };
    let reads = (0..300).map(|i| {
        let ledger = ledger.clone();
        let entry = LedgerEntry::read(&officer, "test.record.read", format!("record:{i}"), ledger.now())
            .about(person)
            .because("processing an application");
        async move { ledger.record_read(entry).await }
    });
    for outcome in futures::future::join_all(reads).await {
        outcome?;
    }
    ledger.sync().await?;
    let accesses = every_access(&ledger, person).await;
    assert_eq!(accesses.len(), 300);
    assert!(accesses.iter().all(|a| a.index.is_some() && a.purpose == "processing an application"));
    assert!(accesses.iter().all(|a| a.department == officer.department().map(|d| d.to_string())));
    // One page holds at most what was asked, and a cursor that no page gave is refused.
    assert_eq!(ledger.accesses_to(person, &tamar_core::PageRequest::first(1000)).await?.items.len(), 200);
    let forged = tamar_core::PageRequest { limit: 5, after: Some(tamar_core::Cursor::new(["soon", "1"])) };
    assert!(matches!(ledger.accesses_to(person, &forged).await, Err(tamar_ledger::LedgerError::BadCursor)));
    // Nobody else's accesses are listed.
    assert!(ledger.accesses_to(AccountId::new(), &tamar_core::PageRequest::first(10)).await?.items.is_empty());
    let heads = ledger.latest_sth().await?.unwrap();
    assert_eq!(heads.tree_size, 300);
    // Far fewer writes than reads: the reads were committed and sequenced in batches.
    let count = db.fetch_one(&sea_query::Query::select().expr_as(sea_query::Expr::col("tree_size").count(), "n").from("ledger_tree_heads").to_owned()).await?;
    let signed_heads: i64 = tamar_store::row::get(&count, "n")?;
    assert!(signed_heads < 100, "{signed_heads} tree heads for 300 entries");
    ledger.shutdown().await?;
    Ok::<(), Box<dyn std::error::Error>>(())
});

store_test!(verify_log_names_the_first_changed_entry, |db| async move {
    let ledger = ledger(&db).await;
    append(&ledger, 5).await;
    ledger.sync().await?;
    append(&ledger, 5).await;
    ledger.sync().await?;
    ledger.shutdown().await?;
    let key = ledger.public_key();
    assert_eq!(
        verify_log(&db, &key, |_, _| {}).await?,
        Ok(tamar_ledger::VerifyReport { entries: 10, tree_heads: 2 })
    );

    // A column changed without its body.
    db.execute_sql("UPDATE ledger_entries SET object = 'thing:forged' WHERE seq = 7").await?;
    let outcome = verify_log(&db, &key, |_, _| {}).await?;
    assert!(matches!(outcome, Err(VerifyFailure::Entry { index: 7, .. })), "{outcome:?}");

    // The body changed too: its leaf hash no longer matches, and entry 3 comes first.
    db.execute_sql("UPDATE ledger_entries SET body = replace(body, 'thing:3', 'thing:9') WHERE seq = 3").await?;
    let outcome = verify_log(&db, &key, |_, _| {}).await?;
    assert!(matches!(outcome, Err(VerifyFailure::Entry { index: 3, .. })), "{outcome:?}");
    Ok::<(), Box<dyn std::error::Error>>(())
});

store_test!(verify_log_catches_rewritten_hashes_and_heads, |db| async move {
    let ledger = ledger(&db).await;
    append(&ledger, 4).await;
    ledger.sync().await?;
    ledger.shutdown().await?;
    let key = ledger.public_key();
    // Rewrite an entry and its leaf hash consistently: the signed root gives it away.
    let forged = LedgerEntry::change(&Actor::Anonymous, "test.thing.create", "thing:1", ledger.now());
    let body = String::from_utf8(forged.canonical_bytes())?;
    let leaf = hex_string(&tamar_ledger::merkle::leaf_hash(body.as_bytes()));
    let literal = match db.backend() {
        tamar_store::Backend::Sqlite => format!("X'{leaf}'"),
        tamar_store::Backend::Postgres => format!("'\\x{leaf}'::bytea"),
    };
    db.execute_sql(&format!(
        "UPDATE ledger_entries SET body = '{body}', leaf_hash = {literal}, actor = 'anonymous', at = {} , department = NULL WHERE seq = 1",
        forged.at.timestamp_millis()
    ))
    .await?;
    let outcome = verify_log(&db, &key, |_, _| {}).await?;
    assert!(matches!(outcome, Err(VerifyFailure::TreeHead { tree_size: 4, .. })), "{outcome:?}");
    Ok::<(), Box<dyn std::error::Error>>(())
});

#[path = "it/checkpoints.rs"]
mod checkpoints;

fn hex_string(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
