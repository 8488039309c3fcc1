//! What goes into the index and what comes out of it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use tamar_core::Lang;

/// One entry of the portal catalogue, as the search index sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchDoc {
    /// Unique across the catalogue, e.g. `service:renew-vehicle-licence`; upserting a document
    /// with a key already in the index replaces it.
    pub key: String,
    pub kind: DocKind,
    pub title: Texts,
    pub summary: Texts,
    pub body: Texts,
    /// The owning department's code, e.g. `TD`.
    pub department: String,
    pub topics: Vec<String>,
    pub audiences: Vec<String>,
    /// Any non-negative measure of use (visits in the last 30 days, say); only its order of
    /// magnitude nudges ranking.
    pub popularity: u64,
    /// Unix time in milliseconds.
    pub updated_at: i64,
}

/// A text in the portal's three languages. An empty string means "not written in this
/// language"; display falls back from Simplified to Traditional, and from Chinese to English.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Texts {
    pub en: String,
    pub tc: String,
    pub sc: String,
}

impl Texts {
    pub fn new(en: impl Into<String>, tc: impl Into<String>, sc: impl Into<String>) -> Texts {
        Texts {
            en: en.into(),
            tc: tc.into(),
            sc: sc.into(),
        }
    }

    /// The text in `lang`, falling back as described on the type.
    pub fn display(&self, lang: Lang) -> &str {
        display_lang(lang, &self.en, &self.tc, &self.sc).1
    }
}

/// Picks the language to show and its text: `sc` falls back to `tc`, and Chinese to `en`;
/// English falls back to Chinese only when it has nothing at all.
pub(crate) fn display_lang<'a>(
    lang: Lang,
    en: &'a str,
    tc: &'a str,
    sc: &'a str,
) -> (Lang, &'a str) {
    let order: [Lang; 3] = match lang {
        Lang::En => [Lang::En, Lang::Tc, Lang::Sc],
        Lang::Tc => [Lang::Tc, Lang::En, Lang::Sc],
        Lang::Sc => [Lang::Sc, Lang::Tc, Lang::En],
    };
    let text_of = |lang: Lang| match lang {
        Lang::En => en,
        Lang::Tc => tc,
        Lang::Sc => sc,
    };
    order
        .into_iter()
        .map(|lang| (lang, text_of(lang)))
        .find(|(_, text)| !text.trim().is_empty())
        .unwrap_or((lang, ""))
}

/// The kinds of catalogue entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocKind {
    Service,
    Guide,
    News,
    Notice,
}

impl DocKind {
    pub const ALL: [DocKind; 4] = [
        DocKind::Service,
        DocKind::Guide,
        DocKind::News,
        DocKind::Notice,
    ];

    /// The stable name used in the index, in facet counts and in `SearchRequest::kinds`.
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Service => "service",
            DocKind::Guide => "guide",
            DocKind::News => "news",
            DocKind::Notice => "notice",
        }
    }
}

impl fmt::Display for DocKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The name is not one of `service`, `guide`, `news`, `notice`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown document kind {0:?}")]
pub struct UnknownDocKind(pub String);

impl FromStr for DocKind {
    type Err = UnknownDocKind;

    fn from_str(name: &str) -> Result<DocKind, UnknownDocKind> {
        DocKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == name)
            .ok_or_else(|| UnknownDocKind(name.to_owned()))
    }
}

/// A search. Filters hold facet values: within one facet any value may match, across
/// facets all must.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchRequest {
    /// The words typed, in any of the three languages; empty to browse by the filters.
    pub q: String,
    /// The language that titles and summaries are shown in.
    pub lang: Lang,
    /// `DocKind::as_str` names.
    pub kinds: Vec<String>,
    pub topics: Vec<String>,
    /// Department codes.
    pub departments: Vec<String>,
    pub audiences: Vec<String>,
    pub offset: usize,
    /// At most `SearchIndex::MAX_LIMIT`; 0 gives counts and facets without hits.
    pub limit: usize,
}

impl SearchRequest {
    /// A request for the first ten results of `q`, without filters.
    pub fn new(q: impl Into<String>, lang: Lang) -> SearchRequest {
        SearchRequest {
            q: q.into(),
            lang,
            kinds: Vec::new(),
            topics: Vec::new(),
            departments: Vec::new(),
            audiences: Vec::new(),
            offset: 0,
            limit: 10,
        }
    }
}

/// The answer to a `SearchRequest`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    /// How many documents matched, filters applied.
    pub total: usize,
    /// The page asked for, best first.
    pub hits: Vec<Hit>,
    pub facets: Facets,
    /// False when not every word could be matched and the results are for any of the words.
    pub all_words_matched: bool,
}

/// One result, ready to show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    pub key: String,
    pub kind: DocKind,
    /// The department's code.
    pub department: String,
    pub score: f32,
    /// The title in the requested language, HTML-escaped, query words in `<mark>`.
    pub title_html: String,
    /// The summary (a fragment of it when long), escaped and marked the same way.
    pub summary_html: String,
}

/// Counts of matching documents per facet value, most frequent first.
///
/// Each facet is counted over the documents matching the query and the other facets'
/// filters, but not its own, so that the interface can offer the alternatives to a value
/// already chosen ("disjunctive" faceting).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facets {
    pub kinds: Vec<(String, u64)>,
    pub topics: Vec<(String, u64)>,
    pub departments: Vec<(String, u64)>,
    pub audiences: Vec<(String, u64)>,
}

/// A completion for search-as-you-type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    pub key: String,
    /// The title in the requested language (with the usual fallback), plain text.
    pub title: String,
}
