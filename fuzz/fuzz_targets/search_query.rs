//! Search queries and search-as-you-type prefixes come from anyone: analysing and running them
//! (Chinese conversion, jieba, synonyms, typo expansion, highlighting) must never panic, and
//! the highlighted snippets must never carry markup other than `<mark>`.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tamar_core::Lang;
use tamar_search::{DocKind, SearchDoc, SearchIndex, SearchRequest, Texts};

fn index() -> &'static SearchIndex {
    static INDEX: OnceLock<SearchIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let index = SearchIndex::open(None).expect("an index in memory");
        let doc = |key: &str, en: &str, tc: &str| SearchDoc {
            key: key.into(),
            kind: DocKind::Service,
            title: Texts::new(en, tc, ""),
            summary: Texts::new(format!("{en} <b>&amp;</b>"), tc, ""),
            body: Texts::new(en, tc, ""),
            department: "TD".into(),
            topics: vec!["transport".into()],
            audiences: vec!["residents".into()],
            popularity: 1,
            updated_at: 0,
        };
        index
            .upsert(&[
                doc("service:renew-driving-licence", "Renew a driving licence", "續領駕駛執照"),
                doc("service:file-tax-return", "File a tax return (BIR60)", "提交報稅表"),
            ])
            .expect("upsert");
        index.commit().expect("commit");
        index
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let lang = Lang::ALL[data.len() % 3];
    let index = index();
    if let Ok(found) = index.search(&SearchRequest::new(text, lang)) {
        for hit in found.hits {
            for html in [hit.title_html, hit.summary_html] {
                let stripped = html.replace("<mark>", "").replace("</mark>", "");
                assert!(!stripped.contains('<') && !stripped.contains('>'), "unescaped markup in {html:?}");
            }
        }
    }
    let _ = index.suggest(text, lang, 8);
    let _ = tamar_search::to_simplified(text);
});
