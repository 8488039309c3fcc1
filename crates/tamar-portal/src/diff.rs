//! What changed between two versions of an item, field by field and line by line.

use similar::{ChangeTag, TextDiff};
use tamar_core::Lang;

use crate::content::Content;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineChange {
    Same,
    Added,
    Removed,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiffLine {
    pub change: LineChange,
    pub text: String,
}

/// The changes to one field in one language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldDiff {
    /// `title`, `summary`, `body`, `eligibility`, … or `topics`, `audiences`, `channels`,
    /// `online_url`.
    pub field: &'static str,
    /// `en`, `tc` or `sc`; empty for fields that are not text.
    pub lang: &'static str,
    pub lines: Vec<DiffLine>,
}

fn lines(field: &'static str, lang: &'static str, old: &str, new: &str) -> Option<FieldDiff> {
    if old == new {
        return None;
    }
    let diff = TextDiff::from_lines(old, new);
    let lines = diff
        .iter_all_changes()
        .map(|c| DiffLine {
            change: match c.tag() {
                ChangeTag::Equal => LineChange::Same,
                ChangeTag::Insert => LineChange::Added,
                ChangeTag::Delete => LineChange::Removed,
            },
            text: c.value().trim_end_matches('\n').to_owned(),
        })
        .collect();
    Some(FieldDiff { field, lang, lines })
}

/// The fields that differ between `old` and `new`; unchanged fields are left out.
pub fn diff(old: &Content, new: &Content) -> Vec<FieldDiff> {
    let mut out = Vec::new();
    let old_fields = old.fields();
    let new_fields = new.fields();
    let names: Vec<&'static str> = {
        let mut n: Vec<&'static str> = new_fields.iter().map(|(f, _)| *f).collect();
        for (f, _) in &old_fields {
            if !n.contains(f) {
                n.push(f);
            }
        }
        n
    };
    let empty = tamar_core::LocalizedText::new("", "", "");
    for name in names {
        let o = old_fields.iter().find(|(f, _)| *f == name).map_or(&empty, |(_, t)| *t);
        let n = new_fields.iter().find(|(f, _)| *f == name).map_or(&empty, |(_, t)| *t);
        for lang in [Lang::En, Lang::Tc, Lang::Sc] {
            let (a, b) = match lang {
                Lang::En => (&o.en, &n.en),
                Lang::Tc => (&o.tc, &n.tc),
                Lang::Sc => (&o.sc, &n.sc),
            };
            out.extend(lines(name, lang.prefix(), a, b));
        }
    }
    let list = |v: &[String]| v.join("\n");
    out.extend(lines("topics", "", &list(&old.topics), &list(&new.topics)));
    out.extend(lines("audiences", "", &list(&old.audiences), &list(&new.audiences)));
    let channels = |c: &Content| c.service.as_ref().map(|s| s.channels.iter().map(|c| c.as_str()).collect::<Vec<_>>().join("\n")).unwrap_or_default();
    out.extend(lines("channels", "", &channels(old), &channels(new)));
    let url = |c: &Content| c.service.as_ref().and_then(|s| s.online_url.clone()).unwrap_or_default();
    out.extend(lines("online_url", "", &url(old), &url(new)));
    out
}
