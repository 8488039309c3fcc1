//! A page's `after` is sent back by clients: a cursor that decodes is exactly one that Tamar
//! could have written, and the checked request never holds more than a page's limit.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tamar_core::{Cursor, PageRequest};

fuzz_target!(|input: (Option<u32>, &str)| {
    let (limit, text) = input;
    if let Some(cursor) = Cursor::decode(text) {
        assert_eq!(Cursor::decode(&cursor.encode()).as_ref(), Some(&cursor), "{text:?}");
        assert!(cursor.encode().len() <= 512, "{text:?}");
    }
    if let Ok(page) = PageRequest::new(limit, Some(text)) {
        assert!((1..=tamar_core::paging::MAX_LIMIT).contains(&page.limit));
        assert!(page.after.is_some());
    }
});
