//! The index's fields.

use tantivy::schema::{
    FAST, FacetOptions, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions,
};

use crate::analysis::{CHINESE, ENGLISH, SUGGEST};

/// Which of the three language fields of a text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LangFields {
    pub en: Field,
    pub tc: Field,
    pub sc: Field,
}

impl LangFields {
    pub fn chinese(&self) -> [Field; 2] {
        [self.tc, self.sc]
    }
}

/// Facet dimensions, in the order of `Facets`' fields.
pub(crate) const FACET_NAMES: [&str; 4] = ["f_kind", "f_topic", "f_department", "f_audience"];

#[derive(Debug, Clone)]
pub(crate) struct Fields {
    pub key: Field,
    pub kind: Field,
    /// The department's code, stored to label hits.
    pub department: Field,
    pub title: LangFields,
    pub summary: LangFields,
    pub body: LangFields,
    pub suggest: Field,
    pub popularity: Field,
    pub updated_at: Field,
    /// The English title lowercased, for browsing in title order.
    pub title_sort: Field,
    pub facets: [Field; 4],
}

pub(crate) const POPULARITY: &str = "popularity";
pub(crate) const TITLE_SORT: &str = "title_sort";

fn text(tokenizer: &str, stored: bool) -> TextOptions {
    let options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    if stored {
        options.set_stored()
    } else {
        options
    }
}

pub(crate) fn build() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let mut lang_fields = |name: &str, stored: bool| LangFields {
        en: builder.add_text_field(&format!("{name}_en"), text(ENGLISH, stored)),
        tc: builder.add_text_field(&format!("{name}_tc"), text(CHINESE, stored)),
        sc: builder.add_text_field(&format!("{name}_sc"), text(CHINESE, stored)),
    };
    let title = lang_fields("title", true);
    let summary = lang_fields("summary", true);
    // Bodies are searched, never shown, so they are not stored.
    let body = lang_fields("body", false);
    let key = builder.add_text_field("key", STRING | STORED);
    let kind = builder.add_text_field("kind", STRING | STORED);
    let department = builder.add_text_field("department", STRING | STORED);
    let suggest = builder.add_text_field("suggest", text(SUGGEST, false));
    let popularity = builder.add_u64_field(POPULARITY, FAST | STORED);
    let updated_at = builder.add_i64_field("updated_at", FAST | STORED);
    let title_sort = builder.add_text_field(TITLE_SORT, TextOptions::default().set_fast("raw"));
    let facets = FACET_NAMES.map(|name| builder.add_facet_field(name, FacetOptions::default()));
    let fields = Fields {
        key,
        kind,
        department,
        title,
        summary,
        body,
        suggest,
        popularity,
        updated_at,
        title_sort,
        facets,
    };
    (builder.build(), fields)
}
