//! `Accept-Language` comes from any client: negotiation must never panic and always pick one
//! of the three languages.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tamar_core::Lang;

fuzz_target!(|data: &[u8]| {
    if let Ok(header) = std::str::from_utf8(data) {
        let lang = Lang::negotiate(header);
        assert!(Lang::ALL.contains(&lang));
        let _ = Lang::from_tag(header);
    }
});
