//! The portal's demo data: the trilingual catalogue of services, guides, news and notices
//! (`demo/*.json`, of the identity module's demo departments; the format is `demo/FORMAT.md`),
//! thirty days of visits, government apps with their use, and the demo citizen's inbox.
//! Seeding twice changes nothing.

use std::collections::HashMap;

use futures::future::BoxFuture;
use tamar_core::Actor;
use tamar_portal::TextInput;
use tamar_portal::import::CatalogueEntry;
use tamar_portal::inbox::{MessageKind, NewMessage};
use tamar_store::Db;
use tamar_ledger::Ledger;
use tamar_web::AppState;

/// The identity module's demo citizen, whose inbox the departments write to.
const CITIZEN: &str = "chan.taiman@example.hk";

/// Loads the catalogue, visits, apps and inbox; returns how many entries were new.
pub(crate) fn seed(state: AppState) -> BoxFuture<'static, anyhow::Result<usize>> {
    Box::pin(async move {
        let citizen = tamar_identity::citizen_by_email(&state.db, CITIZEN).await?;
        seed_portal(&state.db, &state.ledger, citizen).await
    })
}

/// The demo catalogue: services of the departments above, guides, news and notices, written
/// in English and Traditional Chinese (a few also in hand-written Simplified Chinese).
fn catalogue() -> anyhow::Result<Vec<CatalogueEntry>> {
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

async fn seed_portal(db: &Db, ledger: &Ledger, citizen: Option<tamar_core::AccountId>) -> anyhow::Result<usize> {
    let departments: HashMap<String, tamar_core::DepartmentId> =
        tamar_tenancy::list(db).await?.into_iter().map(|d| (d.code, d.id)).collect();
    let entries = catalogue()?;
    let report = tamar_portal::import::import(db, ledger, &entries, &departments)
        .await
        .map_err(|(slug, e)| anyhow::anyhow!("demo entry {slug}: {e}"))?;
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
                to: citizen,
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
