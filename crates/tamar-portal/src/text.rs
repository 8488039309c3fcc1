//! Text handling for published content: Simplified Chinese from Traditional, and Markdown.

use std::sync::OnceLock;

use ferrous_opencc::{OpenCC, config::BuiltinConfig};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

fn converter() -> Option<&'static OpenCC> {
    static CONVERTER: OnceLock<Option<OpenCC>> = OnceLock::new();
    CONVERTER
        .get_or_init(|| match OpenCC::from_config(BuiltinConfig::Hk2s) {
            Ok(c) => Some(c),
            Err(e) => {
                tracing::error!(error = %e, "the Traditional-to-Simplified converter did not load");
                None
            }
        })
        .as_ref()
}

/// Hong Kong Traditional Chinese converted to Simplified Chinese with OpenCC's `hk2s`
/// dictionaries (phrases first, then characters).
pub fn to_simplified(traditional: &str) -> String {
    match converter() {
        Some(c) => c.convert(traditional),
        None => traditional.to_owned(),
    }
}

/// Markdown written by officers, as HTML. Raw HTML in the source is shown as text, never
/// passed through, so content cannot inject markup or scripts. Links and images keep only
/// addresses that [`is_safe_link`] allows; any other link is rendered as its text, and any other
/// image as its description.
pub fn render_markdown(source: &str) -> String {
    // Links and images nest like brackets; each end must match its start.
    let mut kept: Vec<bool> = Vec::new();
    let parser = Parser::new_ext(source, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH).filter_map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
        Event::Start(Tag::Link { ref dest_url, .. } | Tag::Image { ref dest_url, .. }) => {
            let keep = is_safe_link(dest_url);
            kept.push(keep);
            keep.then_some(event)
        }
        Event::End(TagEnd::Link | TagEnd::Image) => kept.pop().unwrap_or(false).then_some(event),
        other => Some(other),
    });
    let mut out = String::with_capacity(source.len() * 3 / 2);
    html::push_html(&mut out, parser);
    out
}

/// The schemes a link in published content may have; anything else (`javascript:`, `data:`,
/// `vbscript:`, `file:`, …) is refused.
const SAFE_SCHEMES: [&str; 4] = ["http", "https", "mailto", "tel"];

/// Whether a link or image address (as Markdown gives it, entities and escapes already
/// decoded) is an `http(s):`, `mailto:` or `tel:` address, or relative. It is read as a browser
/// reads it: leading and trailing spaces and control characters are ignored, and tabs and line
/// breaks anywhere, so `" java\tscript:"` counts as `javascript:`; any other control character
/// refuses the address; the scheme's case does not matter.
pub fn is_safe_link(url: &str) -> bool {
    let trimmed = url.trim_matches(|c: char| c.is_ascii_control() || c == ' ');
    let cleaned: String = trimmed.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
    if cleaned.chars().any(char::is_control) {
        return false;
    }
    // A scheme is what comes before the first colon, if no `/`, `?` or `#` comes before it.
    match cleaned.find([':', '/', '?', '#']) {
        Some(at) if cleaned[at..].starts_with(':') => SAFE_SCHEMES.iter().any(|s| s.eq_ignore_ascii_case(&cleaned[..at])),
        _ => true,
    }
}

/// Markdown reduced to plain text, for search indexes, feeds and descriptions.
pub fn markdown_to_text(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    for event in Parser::new(source) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::End(_) if !out.ends_with(['\n', ' ']) => out.push('\n'),
            _ => {}
        }
    }
    out.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Known ways of getting a script or a document of the author's into a link or an image.
    const XSS_LINKS: &[&str] = &[
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x]( javascript:alert(1))",
        "[x](<java\tscript:alert(1)>)",
        "[x](<java\nscript:alert(1)>)",
        "[x](java&#09;script:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](&#x6A;avascript&#x3A;alert(1))",
        "[x](&#0000106;avascript:alert(1))",
        "[x](javascript&colon;alert(1))",
        "[x](\\javascript:alert(1))",
        "[x](&#x01;javascript:alert(1))",
        "[x](\u{1}javascript:alert(1))",
        "[x](\u{0}javascript:alert(1))",
        "[x](java\u{0}script:alert(1))",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[x](DATA:text/html,<script>alert(1)</script>)",
        "[x](file:///etc/passwd)",
        "[x][r]\n\n[r]: javascript:alert(1)",
        "<javascript:alert(1)>",
        "![x](javascript:alert(1))",
        "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
        "[![x](https://example.org/i.png)](javascript:alert(1))",
        "[x](javascript:alert(1) \"title\")",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<img src=x onerror=alert(1)>",
        "<script>alert(1)</script>",
    ];

    #[test]
    fn only_web_mail_phone_and_relative_links() {
        for ok in ["https://www.gov.hk/", "http://example.org", "HTTPS://x", "mailto:enquiry@td.gov.hk", "tel:+85228048200", "/en/services/x",
            "services/x", "#top", "?q=1", "//www.gov.hk/x", "a/b:c", ""]
        {
            assert!(is_safe_link(ok), "{ok}");
        }
        for bad in ["javascript:alert(1)", " JavaScript:x", "java\tscript:x", "\u{1}javascript:x", "jav\u{7f}ascript:x", "data:text/html,x",
            "vbscript:x", "file:///etc/passwd", "blob:https://x/y", "ftp://x"]
        {
            assert!(!is_safe_link(bad), "{bad:?}");
        }
    }

    #[test]
    fn refused_links_are_plain_text() {
        for payload in XSS_LINKS {
            let html = render_markdown(payload);
            // Text is escaped (`<` as `&lt;`), so every `<a href="` and `<img src="` is markup.
            assert!(!html.contains("<script") && !html.contains("<img src=x"), "{payload:?} gave {html}");
            for attr in ["<a href=\"", "<img src=\""] {
                for value in html.split(attr).skip(1) {
                    let value = value.split('"').next().unwrap_or_default();
                    assert!(value.starts_with("https://"), "{payload:?} gave {html}");
                }
            }
        }
        assert_eq!(render_markdown("[the form](javascript:alert(1))"), "<p>the form</p>\n");
        assert_eq!(render_markdown("![a map](data:image/png;base64,AAAA)"), "<p>a map</p>\n");
        assert_eq!(
            render_markdown("[Apply](https://www.gov.hk/apply) or [write](mailto:a@td.gov.hk)"),
            "<p><a href=\"https://www.gov.hk/apply\">Apply</a> or <a href=\"mailto:a@td.gov.hk\">write</a></p>\n"
        );
        // A safe image inside a refused link keeps the image, not the link.
        assert_eq!(render_markdown("[![i](https://x/i.png)](javascript:1)"), "<p><img src=\"https://x/i.png\" alt=\"i\" /></p>\n");
    }
}
