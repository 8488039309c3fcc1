//! The benchmark's catalogue: the ~110 real demo entries, and synthetic entries recombined from
//! their texts and from a trilingual vocabulary of government services, up to the size asked.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use pulldown_cmark::{Event, Parser};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Deserialize;
use tamar_search::{DocKind, SearchDoc, Texts, to_simplified};

/// The demo files, read from `crates/tamar-web-portal/demo/` (see `FORMAT.md` there).
const DEMO_FILES: [&str; 3] = ["services-a.json", "services-b.json", "pages.json"];
/// Every run generates the same catalogue.
const SEED: u64 = 2026_11_27;

#[derive(Deserialize)]
struct DemoEntry {
    slug: String,
    department: String,
    #[serde(default)]
    kind: Option<String>,
    topics: Vec<String>,
    audiences: Vec<String>,
    #[serde(default)]
    popular: bool,
    #[serde(default)]
    name: Option<Localized>,
    #[serde(default)]
    title: Option<Localized>,
    summary: Localized,
    #[serde(default)]
    body: Option<Localized>,
    #[serde(default)]
    eligibility: Option<Localized>,
    #[serde(default)]
    fees: Option<Localized>,
    #[serde(default)]
    how_to_apply: Option<Localized>,
    #[serde(default)]
    processing_time: Option<Localized>,
}

#[derive(Deserialize, Clone, Default)]
struct Localized {
    en: String,
    tc: String,
    #[serde(default)]
    sc: Option<String>,
}

impl Localized {
    /// Plain text in the three languages; Simplified converted from Traditional where not
    /// written by hand, as the portal does on import.
    fn plain(&self) -> Texts {
        let tc = markdown_to_text(&self.tc);
        let sc = match self.sc.as_deref().map(str::trim) {
            Some(sc) if !sc.is_empty() => markdown_to_text(sc),
            _ => to_simplified(&tc),
        };
        Texts::new(markdown_to_text(&self.en), tc, sc)
    }
}

/// The words of a Markdown text, one line per block, as the portal indexes them.
fn markdown_to_text(markdown: &str) -> String {
    let mut text = String::with_capacity(markdown.len());
    for event in Parser::new(markdown) {
        match event {
            Event::Text(words) | Event::Code(words) => text.push_str(&words),
            Event::SoftBreak | Event::HardBreak | Event::End(_) => {
                if !text.ends_with(['\n', ' ']) {
                    text.push('\n');
                }
            }
            _ => {}
        }
    }
    text.trim().to_owned()
}

/// The real entries, indexed the way `tamar-web`'s search job indexes live content: the body
/// is the page text, or a service's eligibility, fees, how to apply and processing time.
pub fn real_entries(demo_dir: &Path) -> anyhow::Result<Vec<SearchDoc>> {
    let mut docs = Vec::new();
    for file in DEMO_FILES {
        let path = demo_dir.join(file);
        let json = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        let entries: Vec<DemoEntry> =
            serde_json::from_str(&json).with_context(|| format!("parsing {}", path.display()))?;
        for (n, entry) in entries.into_iter().enumerate() {
            let kind: DocKind = entry.kind.as_deref().unwrap_or("service").parse()?;
            let title = entry
                .title
                .as_ref()
                .or(entry.name.as_ref())
                .context("entry without a title")?
                .plain();
            let mut body = entry
                .body
                .as_ref()
                .map(Localized::plain)
                .unwrap_or_default();
            for part in [
                &entry.eligibility,
                &entry.fees,
                &entry.how_to_apply,
                &entry.processing_time,
            ]
            .into_iter()
            .flatten()
            {
                let part = part.plain();
                for (into, from) in [
                    (&mut body.en, &part.en),
                    (&mut body.tc, &part.tc),
                    (&mut body.sc, &part.sc),
                ] {
                    into.push('\n');
                    into.push_str(from);
                }
            }
            // Thirty days of visits, about as the demo records them.
            let popularity = if entry.popular {
                38_000 + (n as u64 * 997) % 9_000
            } else {
                2_000 + (n as u64 * 131) % 1_500
            };
            docs.push(SearchDoc {
                key: format!("{kind}:{}", entry.slug),
                kind,
                title,
                summary: entry.summary.plain(),
                body,
                department: entry.department,
                topics: entry.topics,
                audiences: entry.audiences,
                popularity,
                updated_at: 1_793_000_000_000,
            });
        }
    }
    Ok(docs)
}

/// A thing a department deals with: (English, Traditional Chinese, department, topic). None
/// is a service of the real catalogue: they share its words ("licence", "booking", 牌照,
/// 登記), not its names, so that the labelled queries keep one right answer.
type Subject = (&'static str, &'static str, &'static str, &'static str);

const SUBJECTS: &[Subject] = &[
    (
        "goods vehicle operating permit",
        "貨車營運許可證",
        "TD",
        "transport",
    ),
    (
        "taxi driver identity plate",
        "的士司機證",
        "TD",
        "transport",
    ),
    (
        "driving instructor licence",
        "駕駛教師執照",
        "TD",
        "transport",
    ),
    ("vehicle emission test", "車輛廢氣測試", "TD", "transport"),
    ("closed road permit", "禁區通行證", "TD", "transport"),
    (
        "cross-boundary vehicle quota",
        "跨境車輛配額",
        "TD",
        "transport",
    ),
    ("school bus endorsement", "校巴加簽", "TD", "transport"),
    ("car park season ticket", "停車場月票", "TD", "transport"),
    (
        "tax representative registration",
        "稅務代表登記",
        "IRD",
        "tax",
    ),
    ("property tax objection", "物業稅反對", "IRD", "tax"),
    ("tax reserve certificate", "儲稅券", "IRD", "tax"),
    ("estate duty clearance", "遺產稅清妥證明", "IRD", "tax"),
    ("betting duty", "博彩稅", "IRD", "tax"),
    ("branch registration", "分行登記", "IRD", "tax"),
    ("rateable value objection", "應課差餉租值反對", "RVD", "tax"),
    ("tenancy notice", "租賃通知書", "RVD", "tax"),
    (
        "right of abode verification",
        "居留權核實",
        "IMMD",
        "immigration",
    ),
    (
        "document of identity for visa purposes",
        "簽證身份書",
        "IMMD",
        "immigration",
    ),
    (
        "dependant visa extension",
        "受養人簽證延期",
        "IMMD",
        "immigration",
    ),
    ("training visa", "培訓簽證", "IMMD", "immigration"),
    ("e-Channel enrolment", "e-道登記", "IMMD", "immigration"),
    ("adoption order record", "領養令紀錄", "IMMD", "immigration"),
    (
        "estate car park permit",
        "屋邨停車場許可證",
        "HD",
        "housing",
    ),
    ("flat alteration works", "單位改動工程", "HD", "housing"),
    ("estate shop tenancy", "屋邨商舖租用", "HD", "housing"),
    ("rent reduction appeal", "減租上訴", "HD", "housing"),
    ("fresh water supply for ships", "船隻供水", "WSD", "housing"),
    ("plumbing works approval", "水喉工程批准", "WSD", "housing"),
    ("water quality testing", "水質檢驗", "WSD", "housing"),
    ("hospital fee waiver", "醫療費用減免", "DH", "health"),
    ("travel health advice", "旅遊健康諮詢", "DH", "health"),
    ("port health certificate", "港口衞生證明書", "DH", "health"),
    ("radiation licence", "輻射牌照", "DH", "health"),
    ("pest control", "防治蟲鼠", "FEHD", "health"),
    ("burial permit", "埋葬許可證", "FEHD", "health"),
    ("bakery licence", "烘製麪包餅食店牌照", "FEHD", "health"),
    ("cold store licence", "凍房牌照", "FEHD", "health"),
    (
        "frozen confection factory licence",
        "冰凍甜點製造廠牌照",
        "FEHD",
        "health",
    ),
    (
        "youth employment programme",
        "青年就業計劃",
        "LD",
        "employment",
    ),
    (
        "employment agency licence",
        "職業介紹所牌照",
        "LD",
        "employment",
    ),
    (
        "occupational safety training",
        "職業安全訓練",
        "LD",
        "employment",
    ),
    ("wage protection", "工資保障", "LD", "employment"),
    ("emergency relief", "緊急救援", "SWD", "welfare"),
    ("family counselling", "家庭輔導", "SWD", "welfare"),
    ("community care voucher", "社區照顧服務券", "SWD", "welfare"),
    ("rehabilitation service", "康復服務", "SWD", "welfare"),
    (
        "school sponsoring body registration",
        "辦學團體註冊",
        "EDB",
        "education",
    ),
    (
        "continuing education fund",
        "持續進修基金",
        "EDB",
        "education",
    ),
    ("teacher registration", "教師註冊", "EDB", "education"),
    (
        "school allocation appeal",
        "學位分配上訴",
        "EDB",
        "education",
    ),
    ("holiday camp", "度假營", "LCSD", "recreation"),
    ("stadium hire", "場館租用", "LCSD", "recreation"),
    ("tennis court", "網球場", "LCSD", "recreation"),
    (
        "cultural programme tickets",
        "文化節目門票",
        "LCSD",
        "recreation",
    ),
    ("water sports centre", "水上活動中心", "LCSD", "recreation"),
    (
        "security personnel permit",
        "保安人員許可證",
        "HKPF",
        "safety",
    ),
    (
        "massage establishment licence",
        "按摩院牌照",
        "HKPF",
        "safety",
    ),
    ("traffic accident report", "交通意外報告", "HKPF", "safety"),
    ("good citizen award", "好市民獎", "HKPF", "safety"),
    (
        "chemical waste producer registration",
        "化學廢物產生者登記",
        "EPD",
        "environment",
    ),
    (
        "air pollution control licence",
        "空氣污染管制牌照",
        "EPD",
        "environment",
    ),
    ("plastic bag charging", "膠袋收費", "EPD", "environment"),
    ("tree felling", "砍伐樹木", "EPD", "environment"),
    ("lightning warning", "雷暴警告", "HKO", "environment"),
    ("tide tables", "潮汐表", "HKO", "environment"),
    ("land boundary survey", "地界測量", "LANDSD", "housing"),
    (
        "government land licence",
        "政府土地牌照",
        "LANDSD",
        "housing",
    ),
    ("lease modification", "修訂地契", "LANDSD", "housing"),
    (
        "digital inclusion programme",
        "數碼共融計劃",
        "OGCIO",
        "recreation",
    ),
    ("open data portal", "資料一線通", "OGCIO", "safety"),
    ("supplier registration", "供應商登記", "GLD", "employment"),
    (
        "auction of government stores",
        "政府物料拍賣",
        "GLD",
        "employment",
    ),
];

/// What one does with a service: (English, Traditional Chinese).
const ACTIONS: &[(&str, &str)] = &[
    ("Apply for", "申請"),
    ("Renew", "續領"),
    ("Replace", "補領"),
    ("Book", "預約"),
    ("Pay", "繳交"),
    ("Register", "登記"),
    ("Cancel", "取消"),
    ("Change the details of", "更改"),
    ("Check the status of", "查詢"),
    ("Appeal against a decision on", "上訴："),
    ("Transfer", "轉讓"),
    ("Extend", "延長"),
    ("Withdraw", "撤回"),
    ("Collect", "領取"),
    ("Enquire about", "查詢有關"),
    ("Report a problem with", "報告問題："),
];

/// Who or where a variant is for: (English, Traditional Chinese).
const QUALIFIERS: &[(&str, &str)] = &[
    ("elderly persons", "長者"),
    ("persons with disabilities", "殘疾人士"),
    ("students", "學生"),
    ("non-residents", "非本地居民"),
    ("companies", "公司"),
    ("new arrivals", "新來港人士"),
    ("by post", "郵寄辦理"),
    ("online", "網上辦理"),
    ("at district offices", "分區辦事處"),
    ("urgent cases", "緊急個案"),
    ("minors", "未成年人士"),
    ("on behalf of another person", "代他人辦理"),
    ("applicants outside Hong Kong", "身處香港以外的申請人"),
    ("Kowloon", "九龍"),
    ("New Territories", "新界"),
    ("Hong Kong Island", "香港島"),
    ("Islands District", "離島區"),
    ("Sha Tin", "沙田"),
    ("Tuen Mun", "屯門"),
    ("Kwun Tong", "觀塘"),
    ("Yuen Long", "元朗"),
    ("Tsuen Wan", "荃灣"),
    ("low-income families", "低收入家庭"),
    ("first-time applicants", "首次申請人"),
    ("Form A", "表格甲"),
    ("Form B", "表格乙"),
    ("2027 cycle", "2027年度"),
    ("pilot scheme", "試驗計劃"),
];

/// Department codes and names: (code, English, Traditional Chinese).
const DEPARTMENTS: &[(&str, &str, &str)] = &[
    (
        "OGCIO",
        "Office of the Government Chief Information Officer",
        "政府資訊科技總監辦公室",
    ),
    ("DH", "Department of Health", "衞生署"),
    ("GLD", "Government Logistics Department", "政府物流服務署"),
    ("IMMD", "Immigration Department", "入境事務處"),
    ("TD", "Transport Department", "運輸署"),
    ("IRD", "Inland Revenue Department", "稅務局"),
    ("HD", "Housing Department", "房屋署"),
    (
        "LCSD",
        "Leisure and Cultural Services Department",
        "康樂及文化事務署",
    ),
    (
        "FEHD",
        "Food and Environmental Hygiene Department",
        "食物環境衞生署",
    ),
    ("LD", "Labour Department", "勞工處"),
    ("SWD", "Social Welfare Department", "社會福利署"),
    ("HKPF", "Hong Kong Police Force", "香港警務處"),
    ("EPD", "Environmental Protection Department", "環境保護署"),
    ("LANDSD", "Lands Department", "地政總署"),
    ("EDB", "Education Bureau", "教育局"),
    ("HKO", "Hong Kong Observatory", "香港天文台"),
    ("RVD", "Rating and Valuation Department", "差餉物業估價署"),
    ("WSD", "Water Supplies Department", "水務署"),
];

const AUDIENCES: [&str; 3] = ["residents", "business", "non-residents"];

/// Synthetic entries, so that `real` and they number `total`: variants of services ("Replace
/// a driving licence (New Territories)"), guides, news and notices on the same subjects,
/// whose bodies are passages of real entries on the same topic. They share the real entries'
/// words, so the labelled queries have plausible rivals.
pub fn synthetic_entries(real: &[SearchDoc], total: usize) -> Vec<SearchDoc> {
    let mut rng = StdRng::seed_from_u64(SEED);
    // Passages of real text, by topic, in the three languages.
    let mut passages: BTreeMap<String, Vec<Texts>> = BTreeMap::new();
    for doc in real {
        let split = |text: &str| {
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        let (en, tc, sc) = (
            split(&doc.body.en),
            split(&doc.body.tc),
            split(&doc.body.sc),
        );
        // Only where the languages line up paragraph for paragraph.
        if en.len() != tc.len() || tc.len() != sc.len() {
            continue;
        }
        for topic in &doc.topics {
            let slot = passages.entry(topic.clone()).or_default();
            for ((en, tc), sc) in en.iter().zip(&tc).zip(&sc) {
                slot.push(Texts::new(en.clone(), tc.clone(), sc.clone()));
            }
        }
    }
    let subjects_sc: Vec<String> = SUBJECTS.iter().map(|s| to_simplified(s.1)).collect();
    let actions_sc: Vec<String> = ACTIONS.iter().map(|a| to_simplified(a.1)).collect();
    let qualifiers_sc: Vec<String> = QUALIFIERS.iter().map(|q| to_simplified(q.1)).collect();
    let departments_sc: Vec<String> = DEPARTMENTS.iter().map(|d| to_simplified(d.2)).collect();

    let count = total.saturating_sub(real.len());
    let mut docs = Vec::with_capacity(count);
    for n in 0..count {
        let s = rng.gen_range(0..SUBJECTS.len());
        let a = rng.gen_range(0..ACTIONS.len());
        let q = rng.gen_range(0..QUALIFIERS.len());
        let (subject_en, subject_tc, code, topic) = SUBJECTS[s];
        let (action_en, action_tc) = ACTIONS[a];
        let (qual_en, qual_tc) = QUALIFIERS[q];
        let (subject_sc, action_sc, qual_sc) = (&subjects_sc[s], &actions_sc[a], &qualifiers_sc[q]);
        let d = DEPARTMENTS.iter().position(|d| d.0 == code).unwrap_or(0);
        let (_, dept_en, dept_tc) = DEPARTMENTS[d];
        let dept_sc = &departments_sc[d];
        let day = rng.gen_range(1..=28);
        let month = rng.gen_range(1..=12);
        let kind = match rng.gen_range(0..100) {
            0..=59 => DocKind::Service,
            60..=74 => DocKind::Guide,
            75..=89 => DocKind::News,
            _ => DocKind::Notice,
        };
        let title = match kind {
            DocKind::Service => Texts::new(
                format!("{action_en} {subject_en} ({qual_en})"),
                format!("{action_tc}{subject_tc}（{qual_tc}）"),
                format!("{action_sc}{subject_sc}（{qual_sc}）"),
            ),
            DocKind::Guide => Texts::new(
                format!("Guide to {subject_en} for {qual_en}"),
                format!("{subject_tc}指南：{qual_tc}"),
                format!("{subject_sc}指南：{qual_sc}"),
            ),
            DocKind::News => Texts::new(
                format!(
                    "Changes to {subject_en} arrangements for {qual_en} from {day} {}",
                    MONTHS[month - 1]
                ),
                format!("{month}月{day}日起{qual_tc}{subject_tc}安排更改"),
                format!("{month}月{day}日起{qual_sc}{subject_sc}安排更改"),
            ),
            DocKind::Notice => Texts::new(
                format!("Temporary suspension of {subject_en} services: {qual_en}"),
                format!("{qual_tc}{subject_tc}服務暫停"),
                format!("{qual_sc}{subject_sc}服务暂停"),
            ),
        };
        let summary = Texts::new(
            format!(
                "The {dept_en} explains how to {} {subject_en} for {qual_en}, and what to bring.",
                action_en.to_lowercase()
            ),
            format!("{dept_tc}說明{qual_tc}如何{action_tc}{subject_tc}，以及所需文件。"),
            format!("{dept_sc}说明{qual_sc}如何{action_sc}{subject_sc}，以及所需文件。"),
        );
        let mut body = Texts::default();
        if let Some(pool) = passages.get(topic).filter(|pool| !pool.is_empty()) {
            for _ in 0..rng.gen_range(2..=4) {
                let passage = &pool[rng.gen_range(0..pool.len())];
                for (into, from) in [
                    (&mut body.en, &passage.en),
                    (&mut body.tc, &passage.tc),
                    (&mut body.sc, &passage.sc),
                ] {
                    if !into.is_empty() {
                        into.push('\n');
                    }
                    into.push_str(from);
                }
            }
        }
        let audiences = AUDIENCES
            .iter()
            .filter(|_| rng.gen_bool(0.5))
            .map(|a| (*a).to_owned())
            .collect();
        // A long tail: most variants are seldom visited.
        let popularity = (rng.gen_range(0.0f64..1.0).powi(3) * 3_000.0) as u64;
        docs.push(SearchDoc {
            key: format!("{kind}:variant-{n}"),
            kind,
            title,
            summary,
            body,
            department: code.to_owned(),
            topics: vec![topic.to_owned()],
            audiences,
            popularity,
            updated_at: 1_780_000_000_000 + n as i64 * 60_000,
        });
    }
    docs
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
