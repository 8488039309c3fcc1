//! Content and catalogue files come from officers and from older portals: parsing a catalogue
//! entry, checking it, and rendering its Markdown must never panic, and rendered Markdown
//! must never pass raw HTML through.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tamar_portal::import::CatalogueEntry;
use tamar_portal::text::{markdown_to_text, render_markdown};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let html = render_markdown(text);
    assert!(!html.to_ascii_lowercase().contains("<script"), "raw HTML passed through: {html:?}");
    let _ = markdown_to_text(text);
    if let Ok(entry) = serde_json::from_str::<CatalogueEntry>(text)
        && let Ok(item) = entry.to_new_item()
    {
        let _ = item.content.into_content(item.kind);
    }
});
