//! Realistic trilingual demo data: real Hong Kong bureaux and departments, an account of each
//! kind, and the portal's catalogue (services, guides, news, notices), apps and a citizen's
//! inbox. Seeding twice changes nothing.

use std::collections::HashMap;

use tamar_core::{Actor, LocalizedText, Role};
use tamar_portal::TextInput;
use tamar_portal::import::CatalogueEntry;
use tamar_portal::inbox::{MessageKind, NewMessage};
use tamar_identity::{AccountKind, IdentityError, NewAccount};
use tamar_ledger::Ledger;
use tamar_store::Db;
use tamar_tenancy::{NewDepartment, TenancyError};

use crate::platform::progress;

/// Code, English, Traditional Chinese, Simplified Chinese, website.
const DEPARTMENTS: &[(&str, &str, &str, &str, &str)] = &[
    ("OGCIO", "Office of the Government Chief Information Officer", "政府資訊科技總監辦公室", "政府资讯科技总监办公室", "https://www.ogcio.gov.hk"),
    ("DH", "Department of Health", "衞生署", "卫生署", "https://www.dh.gov.hk"),
    ("GLD", "Government Logistics Department", "政府物流服務署", "政府物流服务署", "https://www.gld.gov.hk"),
    ("IMMD", "Immigration Department", "入境事務處", "入境事务处", "https://www.immd.gov.hk"),
    ("TD", "Transport Department", "運輸署", "运输署", "https://www.td.gov.hk"),
    ("IRD", "Inland Revenue Department", "稅務局", "税务局", "https://www.ird.gov.hk"),
    ("HD", "Housing Department", "房屋署", "房屋署", "https://www.housingauthority.gov.hk"),
    ("LCSD", "Leisure and Cultural Services Department", "康樂及文化事務署", "康乐及文化事务署", "https://www.lcsd.gov.hk"),
    ("FEHD", "Food and Environmental Hygiene Department", "食物環境衞生署", "食物环境卫生署", "https://www.fehd.gov.hk"),
    ("LD", "Labour Department", "勞工處", "劳工处", "https://www.labour.gov.hk"),
    ("SWD", "Social Welfare Department", "社會福利署", "社会福利署", "https://www.swd.gov.hk"),
    ("HKPF", "Hong Kong Police Force", "香港警務處", "香港警务处", "https://www.police.gov.hk"),
    ("EPD", "Environmental Protection Department", "環境保護署", "环境保护署", "https://www.epd.gov.hk"),
    ("LANDSD", "Lands Department", "地政總署", "地政总署", "https://www.landsd.gov.hk"),
    ("EDB", "Education Bureau", "教育局", "教育局", "https://www.edb.gov.hk"),
    ("HKO", "Hong Kong Observatory", "香港天文台", "香港天文台", "https://www.hko.gov.hk"),
    ("RVD", "Rating and Valuation Department", "差餉物業估價署", "差饷物业估价署", "https://www.rvd.gov.hk"),
    ("WSD", "Water Supplies Department", "水務署", "水务署", "https://www.wsd.gov.hk"),
];

pub const DEMO_PASSWORD: &str = "tamar-demo-2026";
/// The TOTP key of the demo officers and administrator, for an authenticator app.
pub const DEMO_TOTP_KEY: &str = "TAMARDEMOSECRETKEYFORTHEOFFICERS";

pub struct DemoAccount {
    pub email: &'static str,
    pub name: &'static str,
    pub kind: AccountKind,
    pub department: Option<&'static str>,
    pub roles: &'static [Role],
    pub what: &'static str,
}

pub const ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        email: "admin@tamar.gov.hk",
        name: "Platform Administrator 平台管理員",
        kind: AccountKind::PlatformAdmin,
        department: None,
        roles: &[],
        what: "platform administrator",
    },
    DemoAccount {
        email: "wong.siuming@immd.gov.hk",
        name: "Wong Siu-ming 黃小明",
        kind: AccountKind::Officer,
        department: Some("IMMD"),
        roles: &[Role::DepartmentAdmin, Role::IdentityVerifier],
        what: "officer, Immigration Department (department admin, identity verifier)",
    },
    DemoAccount {
        email: "lee.kayan@dh.gov.hk",
        name: "Lee Ka-yan 李嘉欣",
        kind: AccountKind::Officer,
        department: Some("DH"),
        roles: &[Role::CaseOfficer],
        what: "officer, Department of Health (case officer)",
    },
    DemoAccount {
        email: "cheung.waiman@td.gov.hk",
        name: "Cheung Wai-man 張偉文",
        kind: AccountKind::Officer,
        department: Some("TD"),
        roles: &[Role::ContentEditor, Role::CaseOfficer],
        what: "officer, Transport Department (content editor, case officer)",
    },
    DemoAccount {
        email: "ho.meiling@td.gov.hk",
        name: "Ho Mei-ling 何美玲",
        kind: AccountKind::Officer,
        department: Some("TD"),
        roles: &[Role::ContentReviewer, Role::DepartmentAdmin],
        what: "officer, Transport Department (content reviewer, department admin)",
    },
    DemoAccount {
        email: "chan.taiman@example.hk",
        name: "Chan Tai-man 陳大文",
        kind: AccountKind::Citizen,
        department: None,
        roles: &[],
        what: "citizen",
    },
];

/// Loads the demo data; returns how many records were new.
pub async fn seed(db: &Db, ledger: &Ledger, sealer: &tamar_store::Sealer) -> anyhow::Result<usize> {
    let system = Actor::System;
    let mut created = 0;
    let bar = progress((DEPARTMENTS.len() + ACCOUNTS.len()) as u64, "demo data");
    for (code, en, tc, sc, site) in DEPARTMENTS {
        let new = NewDepartment { code: (*code).into(), name: LocalizedText::new(*en, *tc, *sc), website: Some((*site).into()) };
        match tamar_tenancy::create(db, ledger, &system, new).await {
            Ok(_) => created += 1,
            Err(TenancyError::CodeTaken(_)) => {}
            Err(other) => return Err(other.into()),
        }
        bar.inc(1);
    }
    let mut new_accounts = Vec::new();
    for a in ACCOUNTS {
        let department = match a.department {
            Some(code) => Some(tamar_tenancy::by_code(db, code).await?.id),
            None => None,
        };
        let new = NewAccount {
            kind: a.kind,
            email: a.email.into(),
            display_name: a.name.into(),
            password: DEMO_PASSWORD.into(),
            department,
            roles: a.roles.to_vec(),
        };
        match tamar_identity::create_account(db, ledger, &system, new).await {
            Ok(account) => {
                created += 1;
                if account.kind != AccountKind::Citizen {
                    tamar_identity::mfa::enable_totp_with_secret(db, sealer, &account, DEMO_TOTP_KEY).await?;
                }
                new_accounts.push(account);
            }
            Err(IdentityError::EmailTaken) => {}
            Err(other) => return Err(other.into()),
        }
        bar.inc(1);
    }
    bar.finish_and_clear();

    // A first entry in the citizen's "who accessed my data": the Immigration Department's
    // identity verifier looked at their account.
    let citizen = new_accounts.iter().find(|a| a.kind == AccountKind::Citizen);
    let verifier = new_accounts.iter().find(|a| a.roles.contains(&Role::IdentityVerifier));
    if let (Some(citizen), Some(verifier)) = (citizen, verifier) {
        tamar_identity::get_account(db, ledger, &verifier.actor(), citizen.id, "verify identity for a smart ID card application").await?;
    }
    created += seed_portal(db, ledger, new_accounts.iter().find(|a| a.kind == AccountKind::Citizen)).await?;
    ledger.sync().await?;
    Ok(created)
}

/// The demo catalogue: services of the departments above, guides, news and notices, written
/// in English and Traditional Chinese (a few also in hand-written Simplified Chinese).
pub fn catalogue() -> anyhow::Result<Vec<CatalogueEntry>> {
    let mut entries: Vec<CatalogueEntry> = Vec::new();
    for file in [include_str!("../demo/services-a.json"), include_str!("../demo/services-b.json"), include_str!("../demo/pages.json")] {
        entries.extend(serde_json::from_str::<Vec<CatalogueEntry>>(file)?);
    }
    Ok(entries)
}

/// A government mobile app of the demo.
struct DemoApp {
    slug: &'static str,
    department: &'static str,
    name: (&'static str, &'static str),
    summary: (&'static str, &'static str),
    ios: Option<&'static str>,
    android: Option<&'static str>,
}

const APPS: &[DemoApp] = &[
    DemoApp { slug: "hkemobility", department: "TD", name: ("HKeMobility", "香港出行易"), summary: ("Plan journeys by public transport, car or on foot, with live traffic news.", "以公共交通、駕車或步行規劃行程，並提供實時交通消息。"), ios: Some("https://apps.apple.com/hk/app/hkemobility/id1435603345"), android: Some("https://play.google.com/store/apps/details?id=hk.gov.td.hkemobility") },
    DemoApp { slug: "myobservatory", department: "HKO", name: ("MyObservatory", "我的天文台"), summary: ("Local weather forecasts, warnings and rainfall nowcasts for where you are.", "按所在位置提供本地天氣預報、警告及降雨臨近預報。"), ios: Some("https://apps.apple.com/hk/app/myobservatory/id361319719"), android: Some("https://play.google.com/store/apps/details?id=hko.MyObservatory_v1_0") },
    DemoApp { slug: "iamsmart", department: "OGCIO", name: ("iAM Smart", "智方便"), summary: ("One digital identity to sign in to government and commercial online services.", "以一個數碼身分登入政府及商業網上服務。"), ios: Some("https://apps.apple.com/hk/app/iam-smart/id1502865213"), android: Some("https://play.google.com/store/apps/details?id=hk.gov.ogcio.iamsmart") },
    DemoApp { slug: "leisure-link", department: "LCSD", name: ("My SmartPLAY", "康體通"), summary: ("Book sports facilities and enrol in leisure programmes.", "預訂康體設施及報名參加康樂活動。"), ios: Some("https://apps.apple.com/hk/app/my-smartplay/id6447201466"), android: None },
    DemoApp { slug: "etax-mobile", department: "IRD", name: ("eTAX Mobile", "稅務易流動版"), summary: ("File your tax return and check your tax account on the go.", "隨時隨地提交報稅表及查閱稅務帳戶。"), ios: None, android: Some("https://play.google.com/store/apps/details?id=hk.gov.ird.etax") },
];

async fn seed_portal(db: &Db, ledger: &Ledger, citizen: Option<&tamar_identity::Account>) -> anyhow::Result<usize> {
    let departments: HashMap<String, tamar_core::DepartmentId> =
        tamar_tenancy::list(db).await?.into_iter().map(|d| (d.code, d.id)).collect();
    let entries = catalogue()?;
    let bar = progress(entries.len() as u64, "catalogue");
    let report = tamar_portal::import::import(db, ledger, &entries, &departments)
        .await
        .map_err(|(slug, e)| anyhow::anyhow!("demo entry {slug}: {e}"))?;
    bar.finish_and_clear();
    if report.created == 0 {
        return Ok(0);
    }
    // Thirty days of visits, so that the home page's "most used" has figures to go by: the
    // services marked popular get the most.
    let today = ledger.now().date_naive();
    for day in 0..30u64 {
        let mut visits = HashMap::new();
        for (n, entry) in entries.iter().enumerate() {
            if let Ok(item) = tamar_portal::content::item_by_slug(db, &entry.slug).await {
                let base: i64 = if entry.popular { 900 } else { 40 };
                visits.insert(item.id, base + ((n as i64 * 37 + day as i64 * 11) % 97) * if entry.popular { 9 } else { 1 });
            }
        }
        tamar_portal::visits::add(db, today - chrono::Days::new(day), &visits).await?;
    }
    for app in APPS {
        let Some(department) = departments.get(app.department) else { continue };
        let slug = app.slug;
        let new = tamar_portal::apps::NewApp {
            slug: slug.into(),
            name: TextInput::new(app.name.0, app.name.1),
            summary: TextInput::new(app.summary.0, app.summary.1),
            ios_url: app.ios.map(str::to_owned),
            android_url: app.android.map(str::to_owned),
        };
        // The platform loads the demo directory as published, as it loads the demo catalogue.
        match tamar_portal::apps::import_published(db, ledger, *department, new).await {
            Ok(_) | Err(tamar_portal::PortalError::SlugTaken(_)) => {}
            Err(e) => return Err(e.into()),
        }
        for day in 1..=7u64 {
            let seed = slug.len() as i64 * 131 + day as i64 * 17;
            let report = tamar_portal::apps::UsageReport {
                day: today - chrono::Days::new(day),
                downloads: 200 + seed % 300,
                active_users: 20_000 + seed * 7,
            };
            tamar_portal::apps::report_usage(db, ledger, &Actor::System, slug, report).await?;
        }
    }
    if let Some(citizen) = citizen {
        let messages = [
            ("TD", MessageKind::Todo, Some(today + chrono::Days::new(21)),
                ("Your vehicle licence expires soon", "你的車輛牌照即將到期"),
                ("The licence of your private car KT 2046 expires in three weeks. Renew it online with valid third-party insurance.", "你的私家車 KT 2046 的車輛牌照將於三星期後到期。請備妥有效的第三者保險，於網上續領。")),
            ("IRD", MessageKind::Message, None,
                ("Your tax return for 2025/26 is ready to file", "你的2025/26年度個別人士報稅表已可提交"),
                ("Your Tax Return - Individuals (BIR60) has been issued. File it online within one month, or within two months if you file through eTAX.", "你的個別人士報稅表（BIR60）已經發出。請於一個月內提交；如經「稅務易」提交，可於兩個月內提交。")),
            ("DH", MessageKind::Todo, Some(today + chrono::Days::new(10)),
                ("Book your seasonal influenza vaccination", "預約季節性流感疫苗接種"),
                ("You are eligible for a free seasonal influenza vaccination this winter. Book a time at a Maternal and Child Health Centre or an Elderly Health Centre.", "你今年冬季合資格免費接種季節性流感疫苗。請預約於母嬰健康院或長者健康中心接種。")),
        ];
        for (code, kind, due, subject, body) in messages {
            let Some(department) = departments.get(code) else { continue };
            let new = NewMessage {
                to: citizen.id,
                kind,
                subject: TextInput::new(subject.0, subject.1),
                body: TextInput::new(body.0, body.1),
                due_on: due,
            };
            tamar_portal::inbox::send(db, ledger, &Actor::System, *department, new).await?;
        }
    }
    Ok(report.created)
}
