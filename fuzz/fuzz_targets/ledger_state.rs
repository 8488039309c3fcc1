//! What `verify-log` reads from a database that may have been tampered with: stored frontiers
//! and entry bodies. Neither may panic, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tamar_ledger::LedgerEntry;
use tamar_ledger::merkle::Frontier;

fuzz_target!(|data: &[u8]| {
    if let Some((&size, rest)) = data.split_first() {
        if let Some(frontier) = Frontier::from_bytes(u64::from(size), rest) {
            let _ = frontier.root();
        }
    }
    if let Ok(entry) = serde_json::from_slice::<LedgerEntry>(data) {
        let _ = entry.canonical_bytes();
    }
});
