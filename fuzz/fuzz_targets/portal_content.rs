//! Content and catalogue files come from officers and from older portals: parsing a catalogue
//! entry, checking it, and rendering its Markdown must never panic, and rendered Markdown
//! must never pass raw HTML through, nor give a link or an image a scheme other than http(s),
//! mailto or tel.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tamar_portal::import::CatalogueEntry;
use tamar_portal::text::{markdown_to_text, render_markdown};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let html = render_markdown(text);
    assert!(!html.to_ascii_lowercase().contains("<script"), "raw HTML passed through: {html:?}");
    assert_links_safe(&html);
    let _ = markdown_to_text(text);
    if let Ok(entry) = serde_json::from_str::<CatalogueEntry>(text)
        && let Ok(item) = entry.to_new_item()
    {
        let _ = item.content.into_content(item.kind);
    }
});

/// Every `href` and `src` in the markup (text is escaped, so attributes are only inside tags)
/// is relative or has an allowed scheme, read as a browser reads it: entities that the
/// renderer writes decoded, tabs, line breaks and other control characters dropped, any case.
fn assert_links_safe(html: &str) {
    for tag in html.split('<').skip(1).map(|t| t.split('>').next().unwrap_or_default()) {
        for attr in [" href=\"", " src=\""] {
            for value in tag.split(attr).skip(1) {
                let value = value.split('"').next().unwrap_or_default();
                let decoded = value.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&#39;", "'").replace("&amp;", "&");
                let url: String = decoded.chars().filter(|c| !c.is_control() && *c != ' ').collect::<String>().to_ascii_lowercase();
                if let Some(at) = url.find([':', '/', '?', '#']).filter(|at| url[*at..].starts_with(':')) {
                    let scheme = &url[..at];
                    assert!(["http", "https", "mailto", "tel"].contains(&scheme), "a {scheme}: link in {html:?}");
                }
            }
        }
    }
}
