//! Text handling for published content: Simplified Chinese from Traditional, and Markdown.

use std::sync::OnceLock;

use ferrous_opencc::{OpenCC, config::BuiltinConfig};
use pulldown_cmark::{Event, Options, Parser, html};

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
/// passed through, so content cannot inject markup or scripts.
pub fn render_markdown(source: &str) -> String {
    let parser = Parser::new_ext(source, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        other => other,
    });
    let mut out = String::with_capacity(source.len() * 3 / 2);
    html::push_html(&mut out, parser);
    out
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
