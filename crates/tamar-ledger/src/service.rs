use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{SigningKey, VerifyingKey};
use sea_query::{Expr, ExprTrait, Order, Query};
use tamar_core::{AccountId, Clock, Cursor, Page, PageRequest};
use tamar_store::{Backend, Db, StoreError, Tx, from_millis, row, to_millis};
use tokio::sync::{Mutex, Notify, mpsc, oneshot};

use crate::merkle::{Frontier, Hash, MerkleTree, leaf_hash};
use crate::publish::Publisher;
use crate::schema::{ENTRIES, HEADS, STATE};
use crate::{AccessRecord, Checkpoint, EntryKind, LedgerEntry, LedgerError, NoteKey, SignedTreeHead};

/// How many queued entries the sequencer integrates in one transaction.
const SEQUENCE_BATCH: u64 = 2000;
/// How many entries one statement of the sequencer numbers.
const UPDATE_CHUNK: usize = 250;
/// How many reads the batcher writes in one transaction.
const READ_BATCH: usize = 512;
/// How often the sequencer looks for work it was not told about (e.g. from another node).
const SEQUENCE_INTERVAL: Duration = Duration::from_millis(250);
/// How long the sequencer lets entries gather after integrating a batch, so that under a
/// stream of writes it signs one head for many of them instead of taking turns with every
/// writer for a batch of one. Nothing waits for sequencing: entries are durable once queued.
const SEQUENCE_GATHER: Duration = Duration::from_millis(20);
const SEQUENCER_LOCK: i64 = 0x7a3a_0002;
/// The origin of a log started without one (tests, tools).
pub const DEFAULT_ORIGIN: &str = "tamar.localhost/ledger";
/// The same sequencer error is logged at most this often.
const ERROR_LOG_INTERVAL: Duration = Duration::from_secs(10);

/// How a log names itself and where its checkpoints go.
#[derive(Clone, Debug)]
pub struct LedgerOptions {
    /// The checkpoints' origin line and the name of the log's note key: a schema-less URL
    /// such as `www.example.gov/ledger`, without spaces or `+`. Witnesses know the log by it.
    pub origin: String,
    /// The append-only file each new checkpoint is added to.
    pub checkpoint_file: Option<std::path::PathBuf>,
    /// The blob store each new checkpoint is created in, one object per tree size.
    pub checkpoint_blobs: Option<tamar_store::Blobs>,
}

impl Default for LedgerOptions {
    fn default() -> Self {
        LedgerOptions { origin: DEFAULT_ORIGIN.to_owned(), checkpoint_file: None, checkpoint_blobs: None }
    }
}

/// Queues an entry inside the caller's transaction: it commits with the change it records,
/// or not at all. Call [`Ledger::notify`] after the commit to have it sequenced promptly.
pub async fn record(tx: &mut Tx, entry: &LedgerEntry) -> Result<(), StoreError> {
    record_all(tx, std::slice::from_ref(entry)).await
}

/// The same for many entries at once, in one statement (a bulk message's batch); they are
/// sequenced in the order given.
pub async fn record_all(tx: &mut Tx, entries: &[LedgerEntry]) -> Result<(), StoreError> {
    if entries.is_empty() {
        return Ok(());
    }
    let mut insert = Query::insert().into_table(ENTRIES).columns(ENTRY_COLUMNS).to_owned();
    for entry in entries {
        insert.values_panic(entry_values(entry).into_iter().map(Into::into));
    }
    tx.execute(&insert).await?;
    Ok(())
}

const ENTRY_COLUMNS: [&str; 9] = ["at", "kind", "actor", "action", "object", "subject", "department", "purpose", "body"];

fn entry_values(entry: &LedgerEntry) -> Vec<sea_query::Value> {
    let body = String::from_utf8(entry.canonical_bytes()).unwrap_or_default();
    vec![
        to_millis(entry.at).into(),
        entry.kind.as_str().into(),
        entry.actor.clone().into(),
        entry.action.clone().into(),
        entry.object.clone().into(),
        entry.subject.clone().into(),
        entry.department.clone().into(),
        entry.purpose.clone().into(),
        body.into(),
    ]
}

/// The entry as a row of a grouped write ([`tamar_store::Db::insert_grouped`]): it commits
/// with the rows of the change it records, or not at all.
pub fn entry_row(entry: &LedgerEntry) -> tamar_store::group::Row {
    tamar_store::group::Row { table: ENTRIES, columns: &ENTRY_COLUMNS, values: entry_values(entry) }
}

type ReadRequest = (LedgerEntry, oneshot::Sender<Result<(), String>>);

/// The running log: batches reads, sequences entries, signs tree heads and serves proofs.
#[derive(Clone)]
pub struct Ledger {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    key: SigningKey,
    clock: Arc<dyn Clock>,
    reads: mpsc::Sender<ReadRequest>,
    wake: Notify,
    stop: Notify,
    /// Bumped on every local change and every integrated batch: what the log's own public
    /// pages (its newest checkpoint) are cached under.
    generation: std::sync::atomic::AtomicU64,
    /// Bumped on every local change to what anonymous visitors see ([`Ledger::notify_public`]):
    /// what caches of public pages key on, so that sign-ins and reads do not empty them.
    public_generation: std::sync::atomic::AtomicU64,
    /// Bumped on every local change ([`Ledger::notify`]), and not on reads or integration:
    /// what caches of state a change may alter (the sessions) key on.
    changes: std::sync::atomic::AtomicU64,
    /// The sequenced leaves, loaded lazily, for proofs.
    tree: Mutex<MerkleTree>,
    tasks: Mutex<Vec<tokio::task::JoinHandle<()>>>,
    publisher: Publisher,
}

/// An audit path, named as in Certificate Transparency's `get-proof-by-hash`.
#[derive(Clone, Debug)]
pub struct InclusionProof {
    pub leaf_index: u64,
    pub tree_size: u64,
    /// The leaf's hash, SHA-256(0x00 ‖ entry), base64.
    pub leaf_hash: String,
    /// Sibling hashes from the leaf up, base64.
    pub audit_path: Vec<String>,
}

/// A consistency proof, named as in Certificate Transparency's `get-sth-consistency`.
#[derive(Clone, Debug)]
pub struct ConsistencyProof {
    pub first: u64,
    pub second: u64,
    /// base64 hashes.
    pub consistency: Vec<String>,
}

impl Ledger {
    /// Starts the read batcher and the sequencer on the current runtime, under the default
    /// origin and writing checkpoints nowhere.
    pub fn start(db: Db, key: SigningKey, clock: Arc<dyn Clock>) -> Ledger {
        let publisher = Publisher::nowhere(NoteKey::default_origin(key.verifying_key()));
        Ledger::spawn(db, key, clock, publisher)
    }

    /// Starts the log with an origin and places to write checkpoints to. Reads the newest
    /// checkpoint of the file, which every head signed from now on must extend.
    pub fn start_with(db: Db, key: SigningKey, clock: Arc<dyn Clock>, options: LedgerOptions) -> Result<Ledger, LedgerError> {
        let note_key = NoteKey::new(&options.origin, key.verifying_key())?;
        let publisher = Publisher::new(note_key, &key, options.checkpoint_file, options.checkpoint_blobs)?;
        Ok(Ledger::spawn(db, key, clock, publisher))
    }

    fn spawn(db: Db, key: SigningKey, clock: Arc<dyn Clock>, publisher: Publisher) -> Ledger {
        let (reads, read_rx) = mpsc::channel(8192);
        let inner = Arc::new(Inner {
            db,
            key,
            clock,
            reads,
            wake: Notify::new(),
            stop: Notify::new(),
            generation: std::sync::atomic::AtomicU64::new(0),
            public_generation: std::sync::atomic::AtomicU64::new(0),
            changes: std::sync::atomic::AtomicU64::new(0),
            tree: Mutex::new(MerkleTree::new()),
            tasks: Mutex::new(Vec::new()),
            publisher,
        });
        let ledger = Ledger { inner };
        let batcher = tokio::spawn(read_batcher(ledger.clone(), read_rx));
        let sequencer = tokio::spawn(sequencer(ledger.clone()));
        if let Ok(mut tasks) = ledger.inner.tasks.try_lock() {
            tasks.push(batcher);
            tasks.push(sequencer);
        }
        ledger
    }

    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    pub fn public_key(&self) -> VerifyingKey {
        self.inner.key.verifying_key()
    }

    /// The origin line of this log's checkpoints.
    pub fn origin(&self) -> &str {
        self.inner.publisher.note_key().name()
    }

    /// The note verifier key that checks this log's checkpoints (`name+id+key`).
    pub fn note_key(&self) -> &NoteKey {
        self.inner.publisher.note_key()
    }

    /// The newest signed tree head as a C2SP checkpoint (a signed note), or `None` while the
    /// log is empty.
    pub async fn checkpoint(&self) -> Result<Option<String>, LedgerError> {
        match self.latest_sth().await? {
            Some(head) => Ok(Some(Checkpoint::of(self.origin(), &head).sign(&self.inner.key)?)),
            None => Ok(None),
        }
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.inner.clock.now()
    }

    /// Wakes the sequencer: call after committing a transaction that [`record`]ed entries.
    pub fn notify(&self) {
        self.inner.changes.fetch_add(1, std::sync::atomic::Ordering::Release);
        self.bump();
        self.inner.wake.notify_one();
    }

    /// The same as [`Ledger::notify`], after a transaction that changed what anonymous visitors
    /// see: published content, the departments, the app directory. Caches of public pages are
    /// dropped on this node at once (other nodes' expire within their lifetime).
    pub fn notify_public(&self) {
        self.inner.public_generation.fetch_add(1, std::sync::atomic::Ordering::Release);
        self.notify();
    }

    /// Changes whenever this node changed what anonymous visitors see.
    pub fn public_generation(&self) -> u64 {
        self.inner.public_generation.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Changes whenever this node committed a logged change ([`Ledger::notify`]); not on reads
    /// of personal data, nor when entries are integrated. Every state change is logged, so
    /// what was read under one value may be stale under the next.
    pub fn changes(&self) -> u64 {
        self.inner.changes.load(std::sync::atomic::Ordering::Acquire)
    }

    fn bump(&self) {
        self.inner.generation.fetch_add(1, std::sync::atomic::Ordering::Release);
    }

    /// Changes whenever this node changed anything or integrated entries (its own or another
    /// node's). What was computed under one generation may be stale under the next.
    pub fn generation(&self) -> u64 {
        self.inner.generation.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Records a read of personal data. Returns once the entry is durable; the caller must not
    /// show the data if this fails.
    pub async fn record_read(&self, entry: LedgerEntry) -> Result<(), LedgerError> {
        let (done, wait) = oneshot::channel();
        self.inner.reads.send((entry, done)).await.map_err(|_| LedgerError::Closed)?;
        match wait.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(reason)) => Err(LedgerError::Corrupt(reason)),
            Err(_) => Err(LedgerError::Closed),
        }
    }

    /// Integrates every queued entry now. The sequencer does this by itself; tests and
    /// shutdown call it to be sure.
    /// Each new head is written out as a checkpoint before this returns.
    pub async fn sync(&self) -> Result<Option<SignedTreeHead>, LedgerError> {
        let inner = &self.inner;
        let mut made = Vec::new();
        let outcome = loop {
            let anchor = inner.publisher.anchor().await;
            match integrate(&inner.db, &inner.key, inner.clock.as_ref(), anchor).await {
                Ok(Some(sth)) => made.push(sth),
                Ok(None) => break Ok(()),
                Err(error) => break Err(error),
            }
        };
        let caught_up = if made.is_empty() {
            // Nothing new here: bring a sink that is behind (a failed write, another node's
            // head) up to the newest head, now and then.
            self.catch_up().await
        } else {
            self.bump();
            inner.publisher.publish(&inner.key, &made).await;
            Ok(())
        };
        outcome?;
        caught_up?;
        Ok(made.pop())
    }

    /// Writes out the newest head in the database if a sink lacks it, once it is sure that
    /// the head extends the newest checkpoint written out (it may come from another node, or
    /// from someone who rewrote the database).
    async fn catch_up(&self) -> Result<(), LedgerError> {
        let inner = &self.inner;
        if !inner.publisher.catch_up_due().await {
            return Ok(());
        }
        let Some(newest) = self.latest_sth().await? else { return Ok(()) };
        if let Some((size, root)) = inner.publisher.anchor().await {
            if newest.tree_size < size {
                return Err(LedgerError::Inconsistent(format!(
                    "the database's newest head has {} entries, the checkpoint {size}: the log was cut",
                    newest.tree_size
                )));
            }
            let extends = match self.sth_at(size).await {
                Ok(head) => head.root_hash == root,
                Err(LedgerError::TreeSizeOutOfRange(_)) => false,
                Err(other) => return Err(other),
            };
            if !extends {
                return Err(LedgerError::Inconsistent(format!("the database's head of size {size} is missing or has another root")));
            }
        }
        if !newest.verify(&inner.key.verifying_key()) {
            return Err(LedgerError::Inconsistent(format!("the head of size {} is not signed by this log's key", newest.tree_size)));
        }
        inner.publisher.publish(&inner.key, std::slice::from_ref(&newest)).await;
        Ok(())
    }

    /// Stops the background tasks after integrating what is queued.
    pub async fn shutdown(&self) -> Result<(), LedgerError> {
        self.inner.stop.notify_waiters();
        let tasks = std::mem::take(&mut *self.inner.tasks.lock().await);
        for task in tasks {
            task.abort();
            let _ = task.await;
        }
        self.sync().await.map(|_| ())
    }

    pub async fn latest_sth(&self) -> Result<Option<SignedTreeHead>, LedgerError> {
        let row = self
            .inner
            .db
            .fetch_optional(
                &Query::select()
                    .columns(["tree_size", "at", "root_hash", "signature"])
                    .from(HEADS)
                    .order_by("tree_size", Order::Desc)
                    .limit(1)
                    .to_owned(),
            )
            .await?;
        row.map(|r| tree_head_from_row(&r)).transpose()
    }

    async fn sth_at(&self, tree_size: u64) -> Result<SignedTreeHead, LedgerError> {
        let row = self
            .inner
            .db
            .fetch_optional(
                &Query::select()
                    .columns(["tree_size", "at", "root_hash", "signature"])
                    .from(HEADS)
                    .and_where(Expr::col("tree_size").eq(tree_size as i64))
                    .to_owned(),
            )
            .await?;
        match row {
            Some(r) => tree_head_from_row(&r),
            None => Err(LedgerError::TreeSizeOutOfRange(tree_size)),
        }
    }

    /// The tree of sequenced leaves, caught up to at least `size`.
    async fn tree_of(&self, size: u64) -> Result<tokio::sync::MutexGuard<'_, MerkleTree>, LedgerError> {
        let mut tree = self.inner.tree.lock().await;
        while tree.len() < size {
            let rows = self
                .inner
                .db
                .fetch_all(
                    &Query::select()
                        .columns(["seq", "leaf_hash"])
                        .from(ENTRIES)
                        .and_where(Expr::col("seq").gte(tree.len() as i64))
                        .and_where(Expr::col("seq").lt(size as i64))
                        .order_by("seq", Order::Asc)
                        .limit(50_000)
                        .to_owned(),
                )
                .await?;
            if rows.is_empty() {
                return Err(LedgerError::Corrupt(format!("leaves missing below {size}")));
            }
            for r in rows {
                let seq: i64 = row::get(&r, "seq")?;
                if seq as u64 != tree.len() {
                    return Err(LedgerError::Corrupt(format!("gap in sequence at {}", tree.len())));
                }
                tree.push(hash_from(row::get::<Vec<u8>>(&r, "leaf_hash")?)?);
            }
        }
        Ok(tree)
    }

    /// The size of the newest signed head, or of `requested` if a head of that size exists.
    async fn resolve_size(&self, requested: Option<u64>) -> Result<u64, LedgerError> {
        match requested {
            Some(size) => Ok(self.sth_at(size).await?.tree_size),
            None => Ok(self.latest_sth().await?.map_or(0, |h| h.tree_size)),
        }
    }

    /// Proof that entry `index` is in the tree of `tree_size` entries (the newest signed tree
    /// when `None`). The size must be that of a signed tree head.
    pub async fn inclusion_proof(&self, index: u64, tree_size: Option<u64>) -> Result<InclusionProof, LedgerError> {
        let size = self.resolve_size(tree_size).await?;
        let tree = self.tree_of(size).await?;
        let path = tree.inclusion_proof(index, size)?;
        let leaf = tree.inclusion_leaf(index);
        Ok(InclusionProof {
            leaf_index: index,
            tree_size: size,
            leaf_hash: B64.encode(leaf),
            audit_path: path.iter().map(|h| B64.encode(h)).collect(),
        })
    }

    /// Proof that the signed tree of `first` entries is a prefix of that of `second`.
    pub async fn consistency_proof(&self, first: u64, second: u64) -> Result<ConsistencyProof, LedgerError> {
        if first > second {
            return Err(crate::merkle::ProofError::IndexOutOfRange { index: first, size: second }.into());
        }
        self.sth_at(second).await?;
        if first > 0 {
            self.sth_at(first).await?;
        }
        let tree = self.tree_of(second).await?;
        let proof = tree.consistency_proof(first, second)?;
        Ok(ConsistencyProof { first, second, consistency: proof.iter().map(|h| B64.encode(h)).collect() })
    }

    /// The logged accesses to, or changes of, a person's data, newest first, a page at a time
    /// (keyset on the time and the entry's id, which the `subject, at` index serves).
    pub async fn accesses_to(&self, person: AccountId, page: &PageRequest) -> Result<Page<AccessRecord>, LedgerError> {
        let mut query = Query::select()
            .columns(["id", "seq", "at", "kind", "actor", "action", "object", "department", "purpose"])
            .from(ENTRIES)
            .and_where(Expr::col("subject").eq(person.to_string()))
            .order_by("at", Order::Desc)
            .order_by("id", Order::Desc)
            .limit(page.fetch())
            .to_owned();
        if let Some(after) = &page.after {
            let (Some(at), Some(id)) = (after.int(0), after.int(1)) else { return Err(LedgerError::BadCursor) };
            query.and_where(Expr::col("at").lt(at).or(Expr::col("at").eq(at).and(Expr::col("id").lt(id))));
        }
        let rows = self.inner.db.fetch_all(&query).await?;
        let records = rows
            .iter()
            .map(|r| {
                let kind: String = row::get(r, "kind")?;
                let at: i64 = row::get(r, "at")?;
                let id: i64 = row::get(r, "id")?;
                let record = AccessRecord {
                    index: row::get(r, "seq")?,
                    at: from_millis(at),
                    kind: EntryKind::parse(&kind).ok_or_else(|| LedgerError::Corrupt(kind.clone()))?,
                    actor: row::get(r, "actor")?,
                    action: row::get(r, "action")?,
                    object: row::get(r, "object")?,
                    department: row::get(r, "department")?,
                    purpose: row::get(r, "purpose")?,
                };
                Ok((record, at, id))
            })
            .collect::<Result<Vec<_>, LedgerError>>()?;
        Ok(Page::from_rows(records, page, |(_, at, id)| Cursor::new([at.to_string(), id.to_string()])).map(|(record, _, _)| record))
    }
}

impl MerkleTree {
    fn inclusion_leaf(&self, index: u64) -> Hash {
        self.leaf(index).unwrap_or_default()
    }
}

pub(crate) fn hash_from(bytes: Vec<u8>) -> Result<Hash, LedgerError> {
    bytes.try_into().map_err(|_| LedgerError::Corrupt("a stored hash is not 32 bytes".into()))
}

pub(crate) fn tree_head_from_row(r: &tamar_store::AnyRow) -> Result<SignedTreeHead, LedgerError> {
    let signature: Vec<u8> = row::get(r, "signature")?;
    Ok(SignedTreeHead {
        tree_size: row::get::<i64>(r, "tree_size")? as u64,
        timestamp: from_millis(row::get(r, "at")?),
        root_hash: hash_from(row::get(r, "root_hash")?)?,
        signature: signature
            .try_into()
            .map_err(|_| LedgerError::Corrupt("a stored signature is not 64 bytes".into()))?,
    })
}

/// Integrates one batch of queued entries; returns the new signed head, or `None` if nothing
/// was queued. Nodes that share a database take turns through a lock. The tree must extend
/// `anchor`, the newest checkpoint written out.
async fn integrate(
    db: &Db,
    key: &SigningKey,
    clock: &dyn Clock,
    anchor: Option<(u64, Hash)>,
) -> Result<Option<SignedTreeHead>, LedgerError> {
    let mut tx = db.begin().await?;
    if db.backend() == Backend::Postgres {
        tx.execute_sql(&format!("SELECT pg_advisory_xact_lock({SEQUENCER_LOCK})")).await?;
    }
    let pending = tx
        .fetch_all(
            &Query::select()
                .columns(["id", "body"])
                .from(ENTRIES)
                .and_where(Expr::col("seq").is_null())
                .order_by("id", Order::Asc)
                .limit(SEQUENCE_BATCH)
                .to_owned(),
        )
        .await?;
    if pending.is_empty() {
        tx.rollback().await?;
        return Ok(None);
    }
    let state = tx
        .fetch_one(&Query::select().columns(["size", "frontier"]).from(STATE).and_where(Expr::col("id").eq(1)).to_owned())
        .await?;
    let size: i64 = row::get(&state, "size")?;
    if let Some((published, root)) = anchor {
        if (size as u64) < published {
            return Err(LedgerError::Inconsistent(format!(
                "the database holds {size} entries, the checkpoint {published}: the log was cut"
            )));
        }
        let head = tx
            .fetch_optional(&Query::select().column("root_hash").from(HEADS).and_where(Expr::col("tree_size").eq(published as i64)).to_owned())
            .await?;
        let stored = head.map(|r| row::get::<Vec<u8>>(&r, "root_hash")).transpose()?;
        if stored.as_deref() != Some(&root[..]) {
            return Err(LedgerError::Inconsistent(format!("the database's head of size {published} is missing or has another root")));
        }
    }
    let mut frontier = Frontier::from_bytes(size as u64, &row::get::<Vec<u8>>(&state, "frontier")?)
        .ok_or_else(|| LedgerError::Corrupt("frontier does not match the tree size".into()))?;
    // Numbered and hashed in order, then written a chunk at a time: one statement per chunk,
    // not one per entry.
    let mut numbered = Vec::with_capacity(pending.len());
    for r in &pending {
        let id: i64 = row::get(r, "id")?;
        let body: String = row::get(r, "body")?;
        let leaf = leaf_hash(body.as_bytes());
        numbered.push((id, frontier.size() as i64, leaf));
        frontier.push(leaf);
    }
    for chunk in numbered.chunks(UPDATE_CHUNK) {
        let mut seqs = sea_query::CaseStatement::new();
        let mut leaves = sea_query::CaseStatement::new();
        for (id, seq, leaf) in chunk {
            seqs = seqs.case(Expr::col("id").eq(*id), *seq);
            leaves = leaves.case(Expr::col("id").eq(*id), leaf.to_vec());
        }
        let numbered_now = tx.execute(
            &Query::update()
                .table(ENTRIES)
                .value("seq", seqs.finally(Expr::col("seq")))
                .value("leaf_hash", leaves.finally(Expr::col("leaf_hash")))
                .and_where(Expr::col("id").is_in(chunk.iter().map(|(id, _, _)| *id)))
                .and_where(Expr::col("seq").is_null())
                .to_owned(),
        )
        .await?;
        if numbered_now != chunk.len() as u64 {
            return Err(LedgerError::Corrupt(format!("numbered {numbered_now} of {} queued entries", chunk.len())));
        }
    }
    let sth = SignedTreeHead::sign(key, frontier.size(), clock.now(), frontier.root());
    tx.execute(
        &Query::update()
            .table(STATE)
            .values([("size", (frontier.size() as i64).into()), ("frontier", frontier.to_bytes().into())])
            .and_where(Expr::col("id").eq(1))
            .to_owned(),
    )
    .await?;
    tx.execute(
        &Query::insert()
            .into_table(HEADS)
            .columns(["tree_size", "at", "root_hash", "signature"])
            .values_panic([
                (sth.tree_size as i64).into(),
                to_millis(sth.timestamp).into(),
                sth.root_hash.to_vec().into(),
                sth.signature.to_vec().into(),
            ])
            .to_owned(),
    )
    .await?;
    tx.commit().await?;
    Ok(Some(sth))
}

async fn sequencer(ledger: Ledger) {
    let inner = &ledger.inner;
    let mut last_error: Option<(String, std::time::Instant)> = None;
    loop {
        tokio::select! {
            _ = inner.wake.notified() => {}
            _ = tokio::time::sleep(SEQUENCE_INTERVAL) => {}
            _ = inner.stop.notified() => return,
        }
        match ledger.sync().await {
            Ok(Some(_)) => {
                last_error = None;
                tokio::select! {
                    _ = tokio::time::sleep(SEQUENCE_GATHER) => {}
                    _ = inner.stop.notified() => return,
                }
            }
            Ok(None) => last_error = None,
            Err(error) => {
                let text = error.to_string();
                let repeat = last_error.as_ref().is_some_and(|(t, at)| *t == text && at.elapsed() < ERROR_LOG_INTERVAL);
                if !repeat {
                    tracing::error!(%error, "ledger sequencer failed; retrying");
                    last_error = Some((text, std::time::Instant::now()));
                }
            }
        }
    }
}

/// Group commit for reads: whatever is waiting goes into one transaction.
async fn read_batcher(ledger: Ledger, mut rx: mpsc::Receiver<ReadRequest>) {
    let mut batch: Vec<ReadRequest> = Vec::with_capacity(READ_BATCH);
    while rx.recv_many(&mut batch, READ_BATCH).await > 0 {
        let outcome = write_reads(&ledger.inner.db, &batch).await;
        let reply = outcome.map_err(|e| e.to_string());
        if let Err(error) = &reply {
            tracing::error!(%error, "could not record reads of personal data");
        }
        for (_, done) in batch.drain(..) {
            let _ = done.send(reply.clone());
        }
        ledger.notify();
    }
}

async fn write_reads(db: &Db, batch: &[ReadRequest]) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    for (entry, _) in batch {
        record(&mut tx, entry).await?;
    }
    tx.commit().await
}
