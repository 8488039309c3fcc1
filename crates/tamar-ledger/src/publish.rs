//! Signed tree heads leave the database as they are made: each is written as a checkpoint to
//! an append-only file and to the blob store, so that someone who can rewrite the database
//! cannot also take back what the log has already published.
//!
//! What is durable when:
//! - an entry, when the transaction that records it commits (`record`, `record_read`);
//! - a signed tree head, in the database, when the sequencer's transaction commits;
//! - its checkpoint, outside the database, right after: appended to the checkpoint file and
//!   flushed to disk (`fsync`), and created in the blob store with a create-only put (S3:
//!   `If-None-Match: *`; the production bucket has object lock, so that no one can delete or
//!   replace it for the retention period).
//!
//! A crash, or a failed write, between the commit and the writes leaves that head out; the
//! failure is logged, counted in `ledger_checkpoint_failures_total{sink}`, and the next head
//! is written instead (it covers the same entries and more). Every few seconds the newest head
//! in the database is also written if a sink is behind (after a failure, or when another node
//! made it). So the checkpoints outside lag the database by the heads made since the last
//! successful write, normally under a second: removing entries that a checkpoint outside
//! covers is detected by `verify-log`; entries younger than every checkpoint are not.
//!
//! The sequencer also refuses to sign a head that does not extend the newest checkpoint
//! written out (the log shrank below it, or its head at that size is gone or different): a
//! log must never sign two inconsistent checkpoints.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ed25519_dalek::SigningKey;
use tamar_store::Blobs;
use tokio::sync::Mutex;

use crate::checkpoint::{Checkpoint, NoteKey, last_checkpoint};
use crate::merkle::Hash;
use crate::{LedgerError, SignedTreeHead};

/// Blob keys of checkpoints: `ledger/checkpoints/<tree size, 20 digits>`, so that keys sort
/// as sizes do.
pub const CHECKPOINT_PREFIX: &str = "ledger/checkpoints";
/// How often a sink that is behind is brought up to the newest head without a new head.
const CATCH_UP_INTERVAL: Duration = Duration::from_secs(5);
/// How much of the end of a checkpoint file is read to find its newest checkpoint.
const TAIL: u64 = 64 * 1024;

pub fn checkpoint_blob_key(tree_size: u64) -> String {
    format!("{CHECKPOINT_PREFIX}/{tree_size:020}")
}

/// The newest checkpoint in a checkpoint file, or `None` if there is no file or none in it.
pub fn latest_checkpoint_in_file(path: &Path) -> std::io::Result<Option<String>> {
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let len = file.metadata()?.len();
    file.seek(SeekFrom::Start(len.saturating_sub(TAIL)))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    let text = String::from_utf8_lossy(&bytes);
    Ok(last_checkpoint(&text).map(str::to_owned))
}

/// The checkpoint of the largest tree in the blob store, or `None` if there is none. Takes
/// a number of listings that grows with the logarithm of the size.
pub async fn latest_checkpoint_in_blobs(blobs: &Blobs) -> Result<Option<String>, LedgerError> {
    let size_of = |key: String| -> Result<u64, LedgerError> {
        key.strip_prefix(CHECKPOINT_PREFIX)
            .and_then(|k| k.strip_prefix('/'))
            .filter(|digits| digits.len() == 20)
            .and_then(|digits| digits.parse::<u64>().ok())
            .ok_or_else(|| LedgerError::Corrupt(format!("{key} is not a checkpoint's name")))
    };
    let after = |size: u64| async move { blobs.key_after(CHECKPOINT_PREFIX, &checkpoint_blob_key(size)).await };
    // No head has size 0: any checkpoint sorts after it.
    let Some(first) = after(0).await? else { return Ok(None) };
    // `low` is a size that has a checkpoint; none is larger than `high` once it is known.
    let mut low = size_of(first)?;
    let mut high: Option<u64> = None;
    let mut step: u64 = 1;
    loop {
        let probe = match high {
            None => low.saturating_add(step),
            Some(high) => low + (high - low) / 2,
        };
        match after(probe).await? {
            Some(key) => {
                low = size_of(key)?.max(low);
                step = step.saturating_mul(2);
            }
            None if probe == low => break,
            None => high = Some(probe),
        }
    }
    let bytes = blobs.get(&checkpoint_blob_key(low)).await?;
    Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
}

#[derive(Clone, Copy, Debug)]
enum Sink {
    File,
    Blobs,
}

impl Sink {
    fn label(self) -> &'static str {
        match self {
            Sink::File => "file",
            Sink::Blobs => "blobs",
        }
    }
}

/// Where this node writes checkpoints, and how far each place has got.
pub(crate) struct Publisher {
    note_key: NoteKey,
    file: Option<PathBuf>,
    blobs: Option<Blobs>,
    state: Mutex<Published>,
}

#[derive(Default)]
struct Published {
    file: u64,
    blobs: u64,
    /// The newest checkpoint written anywhere; every later head must extend it.
    anchor: Option<(u64, Hash)>,
    /// The file ends in a partial write: start the next checkpoint on a fresh line.
    file_torn: bool,
    last_catch_up: Option<Instant>,
}

impl Publisher {
    /// Writes checkpoints nowhere.
    pub(crate) fn nowhere(note_key: NoteKey) -> Publisher {
        Publisher { note_key, file: None, blobs: None, state: Mutex::new(Published::default()) }
    }

    pub(crate) fn new(note_key: NoteKey, key: &SigningKey, file: Option<PathBuf>, blobs: Option<Blobs>) -> Result<Publisher, LedgerError> {
        let mut published = Published::default();
        if let Some(path) = &file {
            let io = |e: std::io::Error| LedgerError::Checkpoints(format!("{}: {e}", path.display()));
            published.file_torn = file_is_torn(path).map_err(io)?;
            if let Some(text) = latest_checkpoint_in_file(path).map_err(io)? {
                match Checkpoint::open(&text, &note_key) {
                    Ok(c) => {
                        published.file = c.tree_size;
                        published.anchor = Some((c.tree_size, c.root_hash));
                    }
                    Err(error) => {
                        metrics::counter!("ledger_checkpoint_failures_total", "sink" => "file").increment(1);
                        tracing::error!(path = %path.display(), %error, "the newest checkpoint in the checkpoint file is not this log's");
                    }
                }
            }
        }
        for sink in ["file", "blobs"] {
            metrics::counter!("ledger_checkpoint_failures_total", "sink" => sink).increment(0);
        }
        debug_assert_eq!(note_key.public_key(), &key.verifying_key());
        Ok(Publisher { note_key, file, blobs, state: Mutex::new(published) })
    }

    pub(crate) fn note_key(&self) -> &NoteKey {
        &self.note_key
    }

    fn sinks(&self) -> impl Iterator<Item = Sink> + '_ {
        self.file.iter().map(|_| Sink::File).chain(self.blobs.iter().map(|_| Sink::Blobs))
    }

    /// The newest checkpoint written out, which the sequencer must extend.
    pub(crate) async fn anchor(&self) -> Option<(u64, Hash)> {
        self.state.lock().await.anchor
    }

    /// Whether it is time to bring the sinks up to the newest head in the database: on the
    /// first call, then every few seconds.
    pub(crate) async fn catch_up_due(&self) -> bool {
        if self.file.is_none() && self.blobs.is_none() {
            return false;
        }
        let mut state = self.state.lock().await;
        let due = state.last_catch_up.is_none_or(|at| at.elapsed() >= CATCH_UP_INTERVAL);
        if due {
            state.last_catch_up = Some(Instant::now());
        }
        due
    }

    /// Writes out each head that a sink does not have yet, oldest first. A failure is logged
    /// and counted, and that sink waits for the next head.
    pub(crate) async fn publish(&self, key: &SigningKey, heads: &[SignedTreeHead]) {
        let mut state = self.state.lock().await;
        for sink in self.sinks().collect::<Vec<_>>() {
            for head in heads {
                let done = match sink {
                    Sink::File => state.file,
                    Sink::Blobs => state.blobs,
                };
                if head.tree_size <= done {
                    continue;
                }
                match self.write(sink, key, head, &mut state).await {
                    Ok(()) => {
                        match sink {
                            Sink::File => state.file = head.tree_size,
                            Sink::Blobs => state.blobs = head.tree_size,
                        }
                        if state.anchor.is_none_or(|(size, _)| size < head.tree_size) {
                            state.anchor = Some((head.tree_size, head.root_hash));
                        }
                        metrics::gauge!("ledger_checkpoint_tree_size", "sink" => sink.label()).set(head.tree_size as f64);
                    }
                    Err(error) => {
                        metrics::counter!("ledger_checkpoint_failures_total", "sink" => sink.label()).increment(1);
                        tracing::error!(sink = sink.label(), tree_size = head.tree_size, %error,
                            "could not write the checkpoint out; the next head will be written instead");
                        break;
                    }
                }
            }
        }
    }

    async fn write(&self, sink: Sink, key: &SigningKey, head: &SignedTreeHead, state: &mut Published) -> Result<(), LedgerError> {
        let text = Checkpoint::of(self.note_key.name(), head).sign(key)?;
        match (sink, &self.file, &self.blobs) {
            (Sink::File, Some(path), _) => {
                let path = path.clone();
                let torn = state.file_torn;
                tokio::task::spawn_blocking(move || append(&path, &text, torn))
                    .await
                    .map_err(|e| LedgerError::Checkpoints(e.to_string()))?
                    .map_err(|e| LedgerError::Checkpoints(e.to_string()))?;
                state.file_torn = false;
                Ok(())
            }
            (Sink::Blobs, _, Some(blobs)) => {
                let name = checkpoint_blob_key(head.tree_size);
                if blobs.put_new(&name, text.clone().into_bytes()).await? {
                    return Ok(());
                }
                // Already there: written by another node, or by an earlier try. It must be the same.
                let existing = blobs.get(&name).await?;
                if existing == text.as_bytes() {
                    Ok(())
                } else {
                    Err(LedgerError::Checkpoints(format!("{name} already holds a different checkpoint")))
                }
            }
            _ => Ok(()),
        }
    }
}

/// Appends one checkpoint and the blank line after it, in one write, and flushes it to disk.
fn append(path: &Path, text: &str, torn: bool) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    let record = if torn { format!("\n\n{text}\n") } else { format!("{text}\n") };
    file.write_all(record.as_bytes())?;
    file.sync_data()
}

/// Whether a checkpoint file ends anywhere but after a checkpoint and its blank line.
fn file_is_torn(path: &Path) -> std::io::Result<bool> {
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e),
    };
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok(false);
    }
    file.seek(SeekFrom::Start(len.saturating_sub(2)))?;
    let mut end = Vec::new();
    file.read_to_end(&mut end)?;
    Ok(end != b"\n\n")
}
