//! Integration tests of the portal search over a small catalogue of Hong Kong services.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use tamar_core::Lang;
use tamar_search::{
    DocKind, SearchDoc, SearchIndex, SearchRequest, SearchResults, Texts, to_simplified,
};

struct Entry {
    key: &'static str,
    kind: DocKind,
    department: &'static str,
    topics: &'static [&'static str],
    audiences: &'static [&'static str],
    popularity: u64,
    title: [&'static str; 3],
    summary: [&'static str; 3],
    body: [&'static str; 3],
}

const CATALOGUE: &[Entry] = &[
    Entry {
        key: "service:renew-vehicle-licence",
        kind: DocKind::Service,
        department: "TD",
        topics: &["transport"],
        audiences: &["residents", "business"],
        popularity: 9_000,
        title: ["Renew a Vehicle Licence", "續領車輛牌照", "续领车辆牌照"],
        summary: [
            "Renew your private car or motorcycle licence online before it expires.",
            "在車輛牌照到期前於網上續領私家車或電單車牌照。",
            "在车辆牌照到期前于网上续领私家车或电单车牌照。",
        ],
        body: [
            "You need a valid certificate of insurance and must pay the licence fee.",
            "你需要有效的保險證明書，並須繳付牌照費。",
            "你需要有效的保险证明书，并须缴付牌照费。",
        ],
    },
    Entry {
        key: "service:renew-driving-licence",
        kind: DocKind::Service,
        department: "TD",
        topics: &["transport"],
        audiences: &["residents"],
        popularity: 12_000,
        title: [
            "Renew a Full Driving Licence",
            "續領正式駕駛執照",
            "续领正式驾驶执照",
        ],
        summary: [
            "Renew your full driving licence for ten years.",
            "續領為期十年的正式駕駛執照。",
            "续领为期十年的正式驾驶执照。",
        ],
        body: [
            "Holders aged 70 or above must submit a medical examination report.",
            "七十歲或以上的持有人須提交體格檢驗報告。",
            "七十岁或以上的持有人须提交体格检验报告。",
        ],
    },
    Entry {
        key: "news:licensing-office-hours",
        kind: DocKind::News,
        department: "TD",
        topics: &["transport"],
        audiences: &["residents"],
        popularity: 300,
        title: ["Licensing offices extend opening hours", "", ""],
        summary: [
            "Applicants for a driving licence can now visit on Saturdays.",
            "",
            "",
        ],
        body: [
            "The Transport Department's licensing offices will open on Saturday mornings from next month.",
            "",
            "",
        ],
    },
    Entry {
        key: "service:tax-return",
        kind: DocKind::Service,
        department: "IRD",
        topics: &["tax"],
        audiences: &["residents"],
        popularity: 15_000,
        title: [
            "File an Individual Tax Return (BIR60)",
            "遞交個別人士報稅表 (BIR60)",
            "递交个别人士报税表 (BIR60)",
        ],
        summary: [
            "File your salaries tax return online with eTAX.",
            "透過「稅務易」網上遞交薪俸稅報稅表。",
            "透过「税务易」网上递交薪俸税报税表。",
        ],
        body: ["", "", ""],
    },
    Entry {
        key: "notice:ird-maintenance",
        kind: DocKind::Notice,
        department: "IRD",
        topics: &["tax"],
        audiences: &["residents", "business"],
        popularity: 100,
        title: ["", "稅務局網上服務暫停通知", "税务局网上服务暂停通知"],
        summary: [
            "",
            "稅務局網上服務將於星期日凌晨暫停。",
            "税务局网上服务将于星期日凌晨暂停。",
        ],
        body: ["", "", ""],
    },
    Entry {
        key: "service:replace-hkid",
        kind: DocKind::Service,
        department: "ImmD",
        topics: &["immigration"],
        audiences: &["residents"],
        popularity: 7_000,
        title: [
            "Replace a Hong Kong Identity Card",
            "補領香港身份證",
            "补领香港身份证",
        ],
        summary: [
            "Report a lost identity card and book an appointment to replace it.",
            "報失身份證並預約補領。",
            "报失身份证并预约补领。",
        ],
        body: ["", "", ""],
    },
    Entry {
        key: "service:passport",
        kind: DocKind::Service,
        department: "ImmD",
        topics: &["immigration"],
        audiences: &["residents"],
        popularity: 7_000,
        title: [
            "Apply for an HKSAR Passport",
            "申請香港特區護照",
            "申请香港特区护照",
        ],
        summary: [
            "Apply online and collect your passport at an Immigration office.",
            "網上申請並於入境事務處辦事處領取護照。",
            "网上申请并于入境事务处办事处领取护照。",
        ],
        body: ["", "", ""],
    },
    Entry {
        key: "guide:travel-tips",
        kind: DocKind::Guide,
        department: "ImmD",
        topics: &["immigration", "travel"],
        audiences: &["residents", "visitors"],
        popularity: 20_000,
        title: ["Travel Tips for Residents", "外遊貼士", "外游贴士"],
        summary: [
            "What to check before you travel abroad.",
            "出發前要檢查的事項。",
            "出发前要检查的事项。",
        ],
        body: [
            "Check that your passport is valid for at least six months before you travel.",
            "出發前請確定護照的有效期最少還有六個月。",
            "出发前请确定护照的有效期最少还有六个月。",
        ],
    },
    Entry {
        key: "service:vaccination",
        kind: DocKind::Service,
        department: "DH",
        topics: &["health"],
        audiences: &["residents", "elderly"],
        popularity: 11_000,
        title: ["Book a Vaccination", "預約接種疫苗", "预约接种疫苗"],
        summary: [
            "Book a seasonal influenza vaccination at a government clinic.",
            "於政府診所預約接種季節性流感疫苗。",
            "于政府诊所预约接种季节性流感疫苗。",
        ],
        body: ["", "", ""],
    },
    Entry {
        key: "news:voucher-extended",
        kind: DocKind::News,
        department: "DH",
        topics: &["health"],
        audiences: &["elderly"],
        popularity: 500,
        title: ["Scheme extended", "", "长者医疗券计划延长"],
        summary: ["", "", "长者医疗券计划延长至明年。"],
        body: ["", "", ""],
    },
    Entry {
        key: "guide:library-card",
        kind: DocKind::Guide,
        department: "LCSD",
        topics: &["recreation"],
        audiences: &["residents"],
        popularity: 400,
        title: ["", "申請公共圖書館借書證", ""],
        summary: ["", "帶同身份證到任何公共圖書館即可申請。", ""],
        body: ["", "", ""],
    },
    Entry {
        key: "service:rates",
        kind: DocKind::Service,
        department: "RVD",
        topics: &["rates", "property"],
        audiences: &["residents", "business"],
        popularity: 6_000,
        title: [
            "Rates & Government Rent <Demand Notes>",
            "差餉及地租 <繳款通知書>",
            "差饷及地租 <缴款通知书>",
        ],
        summary: [
            "Pay rates and government rent by the due date.",
            "於限期前繳交差餉及地租。",
            "于限期前缴交差饷及地租。",
        ],
        body: ["", "", ""],
    },
    Entry {
        key: "service:liquor-licence",
        kind: DocKind::Service,
        department: "FEHD",
        topics: &["food"],
        audiences: &["business"],
        popularity: 3_500,
        title: ["Apply for a Liquor Licence", "申請酒牌", "申请酒牌"],
        summary: [
            "Sell liquor in a restaurant or bar.",
            "在餐廳或酒吧售賣酒類。",
            "在餐厅或酒吧售卖酒类。",
        ],
        body: ["", "", ""],
    },
    Entry {
        key: "guide:liquor-license-checklist",
        kind: DocKind::Guide,
        department: "FEHD",
        topics: &["food"],
        audiences: &["business"],
        popularity: 3_000,
        title: ["Liquor License Checklist", "酒牌申請清單", "酒牌申请清单"],
        summary: ["Documents to prepare.", "須準備的文件。", "须准备的文件。"],
        body: ["", "", ""],
    },
    Entry {
        key: "service:restaurant-licence",
        kind: DocKind::Service,
        department: "FEHD",
        topics: &["food"],
        audiences: &["business"],
        popularity: 4_000,
        title: [
            "Apply for a Restaurant Licence",
            "申請食肆牌照",
            "申请食肆牌照",
        ],
        summary: [
            "A full licence is needed to run a restaurant.",
            "經營食肆須領有正式牌照。",
            "经营食肆须领有正式牌照。",
        ],
        body: ["", "", ""],
    },
    Entry {
        key: "guide:typhoon-signals",
        kind: DocKind::Guide,
        department: "HKO",
        topics: &["weather"],
        audiences: &["residents", "visitors"],
        popularity: 5_000,
        title: [
            "Tropical Cyclone Warning Signals",
            "熱帶氣旋警告信號",
            "热带气旋警告信号",
        ],
        summary: [
            "What each signal means and what to do.",
            "各信號的意思及應採取的行動。",
            "各信号的意思及应采取的行动。",
        ],
        body: ["", "", ""],
    },
];

fn texts([en, tc, sc]: [&str; 3]) -> Texts {
    Texts::new(en, tc, sc)
}

fn doc(entry: &Entry) -> SearchDoc {
    SearchDoc {
        key: entry.key.to_owned(),
        kind: entry.kind,
        title: texts(entry.title),
        summary: texts(entry.summary),
        body: texts(entry.body),
        department: entry.department.to_owned(),
        topics: entry.topics.iter().map(|t| (*t).to_owned()).collect(),
        audiences: entry.audiences.iter().map(|a| (*a).to_owned()).collect(),
        popularity: entry.popularity,
        updated_at: 1_750_000_000_000,
    }
}

fn catalogue() -> SearchIndex {
    let index = SearchIndex::open(None).unwrap();
    let docs: Vec<SearchDoc> = CATALOGUE.iter().map(doc).collect();
    index.upsert(&docs).unwrap();
    index.commit().unwrap();
    index
}

fn search(index: &SearchIndex, q: &str, lang: Lang) -> SearchResults {
    let mut request = SearchRequest::new(q, lang);
    request.limit = 20;
    index.search(&request).unwrap()
}

fn keys(results: &SearchResults) -> Vec<&str> {
    results.hits.iter().map(|hit| hit.key.as_str()).collect()
}

fn rank(results: &SearchResults, key: &str) -> usize {
    results
        .hits
        .iter()
        .position(|hit| hit.key == key)
        .unwrap_or_else(|| panic!("{key} not found in {:?}", keys(results)))
}

#[test]
fn index_is_shareable_between_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<SearchIndex>();
    let index = std::sync::Arc::new(catalogue());
    let searches: Vec<_> = (0..4)
        .map(|_| {
            let index = index.clone();
            std::thread::spawn(move || search(&index, "passport", Lang::En).total)
        })
        .collect();
    index.upsert(&[doc(&CATALOGUE[0])]).unwrap();
    index.commit().unwrap();
    for search in searches {
        assert!(search.join().unwrap() >= 2);
    }
}

#[test]
fn converts_traditional_to_simplified() {
    assert_eq!(to_simplified("續領駕駛執照"), "续领驾驶执照");
    assert_eq!(
        to_simplified("Renew 車輛牌照 (HK$100)"),
        "Renew 车辆牌照 (HK$100)"
    );
}

#[test]
fn traditional_query_finds_simplified_only_text() {
    let index = catalogue();
    let results = search(&index, "醫療券", Lang::Sc);
    assert_eq!(keys(&results).first(), Some(&"news:voucher-extended"));
    // The highlight shows the document's own (Simplified) characters.
    assert_eq!(
        results.hits[0].title_html,
        "长者<mark>医疗券</mark>计划延长"
    );
}

#[test]
fn simplified_query_finds_traditional_only_text() {
    let index = catalogue();
    let results = search(&index, "图书馆", Lang::Tc);
    assert!(
        keys(&results).contains(&"guide:library-card"),
        "{:?}",
        keys(&results)
    );
    let hit = &results.hits[rank(&results, "guide:library-card")];
    assert_eq!(hit.title_html, "申請公共<mark>圖書館</mark>借書證");
    // Simplified display falls back to the Traditional text when there is no Simplified.
    let results = search(&index, "图书馆", Lang::Sc);
    let hit = &results.hits[rank(&results, "guide:library-card")];
    assert_eq!(hit.title_html, "申請公共<mark>圖書館</mark>借書證");
}

#[test]
fn title_match_outranks_body_match() {
    let index = catalogue();
    let results = search(&index, "passport", Lang::En);
    // The travel guide is far more popular but only mentions passports in its body.
    assert!(rank(&results, "service:passport") < rank(&results, "guide:travel-tips"));
    assert_eq!(
        results.hits[0].title_html,
        "Apply for an HKSAR <mark>Passport</mark>"
    );
}

#[test]
fn facets_count_the_matched_set_and_filters_narrow_it() {
    let index = catalogue();
    let results = search(&index, "licence", Lang::En);
    let department = |results: &SearchResults, code: &str| {
        results
            .facets
            .departments
            .iter()
            .find(|(value, _)| value == code)
            .map(|(_, count)| *count)
    };
    assert!(department(&results, "TD").unwrap() >= 2);
    assert!(department(&results, "FEHD").unwrap() >= 2);
    assert_eq!(department(&results, "ImmD"), None);

    let mut request = SearchRequest::new("licence", Lang::En);
    request.departments = vec!["TD".to_owned()];
    request.limit = 20;
    let filtered = index.search(&request).unwrap();
    assert!(filtered.total >= 2);
    assert!(
        filtered
            .hits
            .iter()
            .all(|hit| hit.key.contains("licen") || hit.key.starts_with("news:"))
    );
    assert!(
        !keys(&filtered)
            .iter()
            .any(|key| key.contains("liquor") || key.contains("restaurant"))
    );
    // A facet's own filter does not narrow its counts, so other departments stay on offer…
    assert_eq!(department(&filtered, "FEHD"), department(&results, "FEHD"));
    // …while the other facets count only the filtered set.
    let kinds_total: u64 = filtered.facets.kinds.iter().map(|(_, count)| count).sum();
    assert_eq!(kinds_total, filtered.total as u64);

    // OR within a facet, AND across facets.
    let mut request = SearchRequest::new("licence", Lang::En);
    request.departments = vec!["TD".to_owned(), "FEHD".to_owned()];
    request.kinds = vec!["service".to_owned()];
    request.limit = 20;
    let combined = index.search(&request).unwrap();
    assert!(combined.hits.iter().all(|hit| hit.kind == DocKind::Service));
    assert!(keys(&combined).contains(&"service:renew-vehicle-licence"));
    assert!(keys(&combined).contains(&"service:restaurant-licence"));
}

#[test]
fn highlights_escape_html_and_mark_original_characters() {
    let index = catalogue();
    let results = search(&index, "rates", Lang::En);
    let hit = &results.hits[rank(&results, "service:rates")];
    assert_eq!(
        hit.title_html,
        "<mark>Rates</mark> &amp; Government Rent &lt;Demand Notes&gt;"
    );
    assert_eq!(
        hit.summary_html,
        "Pay <mark>rates</mark> and government rent by the due date."
    );

    // A Simplified query marks the Traditional characters of the document.
    let results = search(&index, "差饷", Lang::Tc);
    let hit = &results.hits[rank(&results, "service:rates")];
    assert_eq!(hit.title_html, "<mark>差餉</mark>及地租 &lt;繳款通知書&gt;");

    // Latin words inside Chinese text are tokens too.
    let results = search(&index, "bir60", Lang::Tc);
    assert_eq!(keys(&results), vec!["service:tax-return"]);
    assert!(
        results.hits[0].title_html.contains("<mark>BIR60</mark>"),
        "{}",
        results.hits[0].title_html
    );
}

#[test]
fn typos_still_find_documents() {
    let index = catalogue();
    let results = search(&index, "vacinnation", Lang::En);
    assert_eq!(keys(&results).first(), Some(&"service:vaccination"));
    assert!(
        results.hits[0]
            .title_html
            .contains("<mark>Vaccination</mark>"),
        "{}",
        results.hits[0].title_html
    );

    let results = search(&index, "renwe", Lang::En);
    assert!(keys(&results).contains(&"service:renew-vehicle-licence"));
    assert!(keys(&results).contains(&"service:renew-driving-licence"));

    // A correction is scored like the word itself: in a title it outranks a more popular
    // entry that has the word in its body, and it is marked.
    let results = search(&index, "pasport", Lang::En);
    assert_eq!(keys(&results).first(), Some(&"service:passport"));
    assert!(rank(&results, "guide:travel-tips") > 0);
    assert_eq!(results.hits[0].title_html, "Apply for an HKSAR <mark>Passport</mark>");

    // Short words get no typo allowance.
    assert_eq!(search(&index, "txa", Lang::En).total, 0);
}

#[test]
fn exact_matches_outrank_typo_matches() {
    let index = catalogue();
    let results = search(&index, "license", Lang::En);
    // "Liquor Licence" is more popular but one letter away; "Licensing" has the same stem.
    let exact = rank(&results, "guide:liquor-license-checklist");
    assert!(
        exact < rank(&results, "service:liquor-licence"),
        "{:?}",
        keys(&results)
    );
    assert!(exact < rank(&results, "service:restaurant-licence"));
    assert!(
        rank(&results, "news:licensing-office-hours") < rank(&results, "service:liquor-licence")
    );
    // A word spelt as no document spells it gets its near misses; a word that the index
    // knows does not (its other spellings come from synonyms), which keeps queries cheap.
    let typo = search(&index, "licenze", Lang::En);
    rank(&typo, "service:liquor-licence");
    rank(&typo, "guide:liquor-license-checklist");
}

#[test]
fn synonyms_cross_languages_both_ways() {
    let index = catalogue();
    // The maintenance notice says 稅務 and never "tax".
    let results = search(&index, "tax", Lang::En);
    assert!(
        keys(&results).contains(&"notice:ird-maintenance"),
        "{:?}",
        keys(&results)
    );
    assert_eq!(keys(&results).first(), Some(&"service:tax-return"));

    // The news item only says "driving licence", in English.
    let results = search(&index, "駕駛執照", Lang::Tc);
    assert!(
        keys(&results).contains(&"news:licensing-office-hours"),
        "{:?}",
        keys(&results)
    );
    assert_eq!(
        keys(&results).first(),
        Some(&"service:renew-driving-licence")
    );

    let results = search(&index, "driving licence", Lang::En);
    assert_eq!(
        keys(&results).first(),
        Some(&"service:renew-driving-licence")
    );

    let results = search(&index, "颱風", Lang::En);
    assert_eq!(keys(&results), vec!["guide:typhoon-signals"]);
}

#[test]
fn every_word_must_match_unless_none_can() {
    let index = catalogue();
    let results = search(&index, "renew driving", Lang::En);
    assert!(results.all_words_matched);
    assert_eq!(keys(&results), vec!["service:renew-driving-licence"]);

    // Question words need not match.
    let results = search(&index, "How do I renew my driving licence?", Lang::En);
    assert!(results.all_words_matched);
    assert_eq!(
        keys(&results).first(),
        Some(&"service:renew-driving-licence")
    );
    let results = search(&index, "我如何續領駕駛執照", Lang::Tc);
    assert!(results.all_words_matched);
    assert_eq!(
        keys(&results).first(),
        Some(&"service:renew-driving-licence")
    );

    let results = search(&index, "passport zebra", Lang::En);
    assert!(!results.all_words_matched);
    assert_eq!(keys(&results).first(), Some(&"service:passport"));

    assert_eq!(search(&index, "the of", Lang::En).total, 0);
}

#[test]
fn suggests_titles_as_you_type() {
    let index = catalogue();
    let keys_of = |suggestions: &[tamar_search::Suggestion]| {
        suggestions
            .iter()
            .map(|s| s.key.clone())
            .collect::<Vec<_>>()
    };
    let suggestions = index.suggest("vacc", Lang::En, 5).unwrap();
    assert_eq!(keys_of(&suggestions), vec!["service:vaccination"]);
    assert_eq!(suggestions[0].title, "Book a Vaccination");

    let suggestions = index.suggest("renew veh", Lang::En, 5).unwrap();
    assert_eq!(keys_of(&suggestions), vec!["service:renew-vehicle-licence"]);

    // Most popular first; Traditional typed, Simplified titles shown.
    let suggestions = index.suggest("續領", Lang::Sc, 5).unwrap();
    assert_eq!(
        keys_of(&suggestions),
        vec![
            "service:renew-driving-licence",
            "service:renew-vehicle-licence"
        ]
    );
    assert_eq!(suggestions[0].title, "续领正式驾驶执照");

    let suggestions = index.suggest("续领车", Lang::Tc, 5).unwrap();
    assert_eq!(keys_of(&suggestions), vec!["service:renew-vehicle-licence"]);
    assert_eq!(suggestions[0].title, "續領車輛牌照");

    assert!(index.suggest("   ", Lang::En, 5).unwrap().is_empty());
    assert!(index.suggest("zzz", Lang::En, 5).unwrap().is_empty());
}

#[test]
fn on_disk_index_keeps_documents_and_cursor() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("search");
    {
        let index = SearchIndex::open(Some(&path)).unwrap();
        assert_eq!(index.cursor(), None);
        let docs: Vec<SearchDoc> = CATALOGUE.iter().take(5).map(doc).collect();
        index.upsert(&docs).unwrap();
        index.commit_with_cursor("feed:42").unwrap();
        assert_eq!(index.cursor().as_deref(), Some("feed:42"));
        // A plain commit keeps the cursor.
        index.delete(&["service:tax-return"]).unwrap();
        index.commit().unwrap();
        assert_eq!(index.cursor().as_deref(), Some("feed:42"));
    }
    let index = SearchIndex::open(Some(&path)).unwrap();
    assert_eq!(index.doc_count(), 4);
    assert_eq!(index.cursor().as_deref(), Some("feed:42"));
    let results = search(&index, "續領", Lang::En);
    assert_eq!(results.total, 2);

    index.clear().unwrap();
    index.commit().unwrap();
    assert_eq!(index.doc_count(), 0);
    assert_eq!(index.cursor(), None);
}

#[test]
fn merging_segments_keeps_documents_cursor_and_staged_changes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("search");
    let index = SearchIndex::open(Some(&path)).unwrap();
    // One commit per document: one segment each.
    for entry in CATALOGUE.iter().take(6) {
        index.upsert(&[doc(entry)]).unwrap();
        index.commit_with_cursor("feed:7").unwrap();
    }
    assert!(index.segment_count() > 1, "{} segments", index.segment_count());
    let before = keys(&search(&index, "renew", Lang::En))
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>();
    assert!(!before.is_empty());
    // A change staged before the merge is still staged after it.
    index.delete(&["service:tax-return"]).unwrap();

    assert!(index.merge_segments().unwrap() > 1);
    assert_eq!(index.segment_count(), 1);
    assert_eq!(index.doc_count(), 6);
    assert_eq!(keys(&search(&index, "renew", Lang::En)), before);
    index.commit().unwrap();
    assert_eq!(index.doc_count(), 5);
    drop(index);

    let index = SearchIndex::open(Some(&path)).unwrap();
    assert_eq!(index.cursor().as_deref(), Some("feed:7"));
    assert_eq!(index.doc_count(), 5);
    // Nothing to merge.
    assert_eq!(index.merge_segments().unwrap(), 1);
}

#[test]
fn an_index_with_other_fields_is_replaced_by_an_empty_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("search");
    std::fs::create_dir_all(&path).unwrap();
    {
        // As if an older version had written it.
        let mut schema = tantivy::schema::Schema::builder();
        let title = schema.add_text_field("title", tantivy::schema::TEXT);
        let old = tantivy::Index::create_in_dir(&path, schema.build()).unwrap();
        let mut writer: tantivy::IndexWriter = old.writer(15_000_000).unwrap();
        writer.add_document(tantivy::doc!(title => "old")).unwrap();
        let mut commit = writer.prepare_commit().unwrap();
        commit.set_payload("feed:99");
        commit.commit().unwrap();
    }
    let index = SearchIndex::open(Some(&path)).unwrap();
    assert_eq!(index.doc_count(), 0);
    // No cursor: the owner rebuilds from the catalogue.
    assert_eq!(index.cursor(), None);
    index.upsert(&[doc(&CATALOGUE[0])]).unwrap();
    index.commit_with_cursor("feed:1").unwrap();
    drop(index);
    let index = SearchIndex::open(Some(&path)).unwrap();
    assert_eq!(index.doc_count(), 1);
    assert_eq!(index.cursor().as_deref(), Some("feed:1"));
}

#[test]
fn upsert_replaces_and_delete_removes() {
    let index = catalogue();
    let count = index.doc_count();
    assert_eq!(count, CATALOGUE.len() as u64);

    let mut passport = doc(&CATALOGUE[6]);
    passport.title.en = "Apply for or Renew an HKSAR Passport".to_owned();
    // The same key twice in one batch: the last one wins.
    index.upsert(&[passport.clone(), passport]).unwrap();
    index.commit().unwrap();
    assert_eq!(index.doc_count(), count);
    let results = search(&index, "hksar passport", Lang::En);
    assert_eq!(keys(&results), vec!["service:passport"]);
    assert_eq!(
        results.hits[0].title_html,
        "Apply for or Renew an <mark>HKSAR</mark> <mark>Passport</mark>"
    );

    index.delete(&["service:passport".to_owned()]).unwrap();
    index.commit().unwrap();
    assert_eq!(index.doc_count(), count - 1);
    assert!(!keys(&search(&index, "passport", Lang::En)).contains(&"service:passport"));
}

#[test]
fn empty_query_browses_by_popularity_then_title() {
    let index = catalogue();
    let mut request = SearchRequest::new("", Lang::En);
    request.departments = vec!["ImmD".to_owned()];
    request.limit = 20;
    let results = index.search(&request).unwrap();
    assert_eq!(results.total, 3);
    // Passport and identity card are equally popular: title order decides.
    assert_eq!(
        keys(&results),
        vec![
            "guide:travel-tips",
            "service:passport",
            "service:replace-hkid"
        ]
    );
    assert_eq!(results.hits[1].title_html, "Apply for an HKSAR Passport");

    let mut request = SearchRequest::new(" ", Lang::Tc);
    request.topics = vec!["tax".to_owned()];
    request.offset = 1;
    request.limit = 1;
    let results = index.search(&request).unwrap();
    assert_eq!(results.total, 2);
    assert_eq!(keys(&results), vec!["notice:ird-maintenance"]);
    // The topic facet ignores its own filter; the others count the filtered set.
    assert!(results.facets.topics.contains(&("tax".to_owned(), 2)));
    assert!(results.facets.topics.contains(&("transport".to_owned(), 3)));
    assert_eq!(
        results.facets.kinds,
        vec![("notice".to_owned(), 1), ("service".to_owned(), 1)]
    );
}
