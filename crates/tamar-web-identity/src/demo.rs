//! The identity module's demo data: real Hong Kong bureaux and departments, and an account of
//! each kind (the officers and the administrator with a second factor). Seeding twice changes
//! nothing.

use futures::future::BoxFuture;
use tamar_core::{Actor, LocalizedText, Role};
use tamar_identity::{AccountKind, IdentityError, NewAccount};
use tamar_tenancy::{NewDepartment, TenancyError};
use tamar_web::AppState;

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

/// Loads the departments and accounts; returns how many records were new.
pub(crate) fn seed(state: AppState) -> BoxFuture<'static, anyhow::Result<usize>> {
    Box::pin(async move {
        let (db, ledger, sealer) = (&state.db, &state.ledger, &state.sealer);
        let system = Actor::System;
        let mut created = 0;
        for (code, en, tc, sc, site) in DEPARTMENTS {
            let new = NewDepartment { code: (*code).into(), name: LocalizedText::new(*en, *tc, *sc), website: Some((*site).into()) };
            match tamar_tenancy::create(db, ledger, &system, new).await {
                Ok(_) => created += 1,
                Err(TenancyError::CodeTaken(_)) => {}
                Err(other) => return Err(other.into()),
            }
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
        }

        // A first entry in the citizen's "who accessed my data": the Immigration Department's
        // identity verifier looked at their account.
        let citizen = new_accounts.iter().find(|a| a.kind == AccountKind::Citizen);
        let verifier = new_accounts.iter().find(|a| a.roles.contains(&Role::IdentityVerifier));
        if let (Some(citizen), Some(verifier)) = (citizen, verifier) {
            tamar_identity::get_account(db, ledger, &verifier.actor(), citizen.id, "verify identity for a smart ID card application").await?;
        }
        Ok(created)
    })
}
