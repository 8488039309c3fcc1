//! Identity verification (L2): a citizen gives their HKID and date of birth, and an identity
//! verifier checks them, as a registration in person would. The HKID is kept only as a keyed
//! hash and a masked form.

use hmac::{Hmac, Mac};
use sea_query::{Expr, ExprTrait, Order, Query};
use sha2::Sha256;
use tamar_core::{AccountId, Actor, Cursor, Hkid, Page, PageRequest, Role, Rule};
use tamar_ledger::{Ledger, LedgerEntry};
use tamar_store::{Db, StoreError, from_millis, row, to_millis};

use crate::{Account, Assurance, IdentityError};

/// The key of the HKID hash, from configuration, and the sealer that keeps the full number for
/// the claims a person consents to release. Never printed.
#[derive(Clone)]
pub struct HkidKey {
    hmac: [u8; 32],
    sealer: tamar_store::Sealer,
}

impl std::fmt::Debug for HkidKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HkidKey([redacted])")
    }
}

impl HkidKey {
    pub fn new(hmac: [u8; 32], sealer: tamar_store::Sealer) -> Self {
        Self { hmac, sealer }
    }

    fn context(account: AccountId) -> String {
        format!("hkid:{account}")
    }

    /// HMAC-SHA256 of the normalised number: equal numbers match, and the number cannot be
    /// read back without the key.
    pub fn digest(&self, hkid: &Hkid) -> String {
        let mut mac = match Hmac::<Sha256>::new_from_slice(&self.hmac) {
            Ok(mac) => mac,
            Err(_) => return String::new(),
        };
        mac.update(hkid.normalized().as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

fn parse_birth_date(text: &str, today: chrono::NaiveDate) -> Result<chrono::NaiveDate, IdentityError> {
    let date = chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| IdentityError::Invalid { field: "date_of_birth", rule: Rule::Format, reason: "a date, YYYY-MM-DD" })?;
    let earliest = chrono::NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(chrono::NaiveDate::MIN);
    if date < earliest || date > today {
        return Err(IdentityError::Invalid { field: "date_of_birth", rule: Rule::OutOfRange, reason: "a date in the past" });
    }
    Ok(date)
}

/// Submits an HKID and date of birth for checking. The citizen must have verified their email
/// address, and may have one submission waiting at a time.
pub async fn submit_identity(
    db: &Db,
    ledger: &Ledger,
    key: &HkidKey,
    citizen: &Account,
    hkid: &str,
    date_of_birth: &str,
) -> Result<(), IdentityError> {
    if citizen.kind != crate::AccountKind::Citizen {
        return Err(IdentityError::Forbidden);
    }
    if citizen.assurance < Assurance::L1 {
        return Err(IdentityError::EmailNotVerified);
    }
    if citizen.assurance >= Assurance::L2 {
        return Err(IdentityError::VerificationPending);
    }
    let hkid = Hkid::parse(hkid)?;
    let now = ledger.now();
    let birth = parse_birth_date(date_of_birth, now.date_naive())?;
    let mut tx = db.begin().await?;
    let waiting = tx
        .fetch_optional(
            &Query::select()
                .column("id")
                .from("identity_verifications")
                .and_where(Expr::col("account_id").eq(citizen.id.to_string()))
                .and_where(Expr::col("status").eq("pending"))
                .to_owned(),
        )
        .await?;
    if waiting.is_some() {
        return Err(IdentityError::VerificationPending);
    }
    let id = uuid::Uuid::now_v7().to_string();
    tx.execute(
        &Query::insert()
            .into_table("identity_verifications")
            .columns(["id", "account_id", "hkid_hash", "hkid_masked", "date_of_birth", "status", "submitted_at", "hkid_sealed"])
            .values_panic([
                id.clone().into(),
                citizen.id.to_string().into(),
                key.digest(&hkid).into(),
                hkid.masked().into(),
                birth.to_string().into(),
                "pending".into(),
                to_millis(now).into(),
                key.sealer.seal(hkid.full().as_bytes(), &HkidKey::context(citizen.id)).into(),
            ])
            .to_owned(),
    )
    .await?;
    let entry = LedgerEntry::change(&citizen.actor(), "identity.verification.submit", format!("identity-verification:{id}"), now)
        .about(citizen.id)
        .because("ask for identity verification");
    tamar_ledger::record(&mut tx, &entry).await?;
    tx.commit().await?;
    ledger.notify();
    Ok(())
}

/// A submission waiting for an identity verifier.
#[derive(Clone, Debug)]
pub struct PendingVerification {
    pub id: String,
    pub account: AccountId,
    pub name: String,
    pub name_zh: Option<String>,
    pub hkid_masked: String,
    pub date_of_birth: String,
    pub submitted_at: chrono::DateTime<chrono::Utc>,
}

/// Identity verifiers are officers of the department the role is reserved for.
async fn verifier(db: &Db, actor: &Actor) -> Result<(), IdentityError> {
    if crate::account::acts_as(db, actor, Role::IdentityVerifier).await? { Ok(()) } else { Err(IdentityError::Forbidden) }
}

/// The work queue of identity verifiers, oldest first. Each person shown is a logged read.
pub async fn verification_queue(db: &Db, ledger: &Ledger, reader: &Actor, page: &PageRequest) -> Result<Page<PendingVerification>, IdentityError> {
    verifier(db, reader).await?;
    let mut query = Query::select()
                .columns([("v", "id"), ("v", "account_id"), ("v", "hkid_masked"), ("v", "date_of_birth"), ("v", "submitted_at")])
                .columns([("a", "display_name"), ("a", "name_zh")])
                .from_as("identity_verifications", "v")
                .join_as(sea_query::JoinType::InnerJoin, "accounts", "a", Expr::col(("a", "id")).equals(("v", "account_id")))
                .and_where(Expr::col(("v", "status")).eq("pending"))
                .order_by(("v", "submitted_at"), Order::Asc)
                .order_by(("v", "id"), Order::Asc)
                .limit(page.fetch())
                .to_owned();
    if let Some(after) = &page.after {
        let (Some(at), Some(id)) = (after.int(0), after.keys().get(1)) else { return Err(IdentityError::BadCursor) };
        query.and_where(
            Expr::col(("v", "submitted_at")).gt(at).or(Expr::col(("v", "submitted_at")).eq(at).and(Expr::col(("v", "id")).gt(id.clone()))),
        );
    }
    let rows = db.fetch_all(&query).await?;
    let mut queue = Vec::with_capacity(rows.len());
    for r in &rows {
        queue.push(PendingVerification {
            id: row::get(r, "id")?,
            account: row::parse(r, "account_id")?,
            name: row::get(r, "display_name")?,
            name_zh: row::get(r, "name_zh")?,
            hkid_masked: row::get(r, "hkid_masked")?,
            date_of_birth: row::get(r, "date_of_birth")?,
            submitted_at: from_millis(row::get(r, "submitted_at")?),
        });
    }
    let queue = Page::from_rows(queue, page, |p| Cursor::new([to_millis(p.submitted_at).to_string(), p.id.clone()]));
    // Only what is shown is read; the reads are logged together (one transaction of the
    // log's batcher), and the page is shown only once every one is durable.
    let reads = queue.items.iter().map(|p| {
        ledger.record_read(
            LedgerEntry::read(reader, "identity.verification.read", format!("identity-verification:{}", p.id), ledger.now())
                .about(p.account)
                .because("check an identity for verification"),
        )
    });
    for logged in futures::future::join_all(reads).await {
        logged?;
    }
    Ok(queue)
}

/// Approves or rejects a submission. An approved one raises the account to L2, unless the same
/// HKID already belongs to another account.
pub async fn decide_verification(db: &Db, ledger: &Ledger, officer: &Actor, id: &str, approve: bool) -> Result<(), IdentityError> {
    verifier(db, officer).await?;
    let now = ledger.now();
    let mut tx = db.begin().await?;
    let found = tx
        .fetch_optional(
            &Query::select()
                .columns(["account_id", "hkid_hash", "hkid_masked", "date_of_birth", "hkid_sealed"])
                .from("identity_verifications")
                .and_where(Expr::col("id").eq(id))
                .and_where(Expr::col("status").eq("pending"))
                .to_owned(),
        )
        .await?
        .ok_or(IdentityError::NotFound)?;
    let account: String = row::get(&found, "account_id")?;
    let account_id: AccountId = account.parse().map_err(|_| StoreError::Corrupt(account.clone()))?;
    if officer.account() == Some(account_id) {
        return Err(IdentityError::Forbidden);
    }
    if approve {
        let updated = tx
            .execute(
                &Query::update()
                    .table("accounts")
                    .value("identity_verified_at", to_millis(now))
                    .value("hkid_hash", row::get::<String>(&found, "hkid_hash")?)
                    .value("hkid_masked", row::get::<String>(&found, "hkid_masked")?)
                    .value("date_of_birth", row::get::<String>(&found, "date_of_birth")?)
                    .value("hkid_sealed", row::get::<Option<String>>(&found, "hkid_sealed")?)
                    .and_where(Expr::col("id").eq(account.clone()))
                    .to_owned(),
            )
            .await;
        match updated {
            Err(StoreError::UniqueViolation) => return Err(IdentityError::IdentityTaken),
            other => other?,
        };
    }
    let status = if approve { "approved" } else { "rejected" };
    tx.execute(
        &Query::update()
            .table("identity_verifications")
            .value("status", status)
            .value("decided_at", to_millis(now))
            .value("decided_by", officer.log_name())
            .and_where(Expr::col("id").eq(id))
            .to_owned(),
    )
    .await?;
    let action = if approve { "identity.verification.approve" } else { "identity.verification.reject" };
    let entry = LedgerEntry::change(officer, action, format!("identity-verification:{id}"), now)
        .about(account_id)
        .because("verify identity");
    tamar_ledger::record(&mut tx, &entry).await?;
    tx.commit().await?;
    ledger.notify();
    Ok(())
}

/// The full HKID of a verified person, for a service they let have it.
pub async fn full_hkid(db: &Db, key: &HkidKey, account: AccountId) -> Result<Option<String>, IdentityError> {
    let found = db
        .fetch_optional(&Query::select().column("hkid_sealed").from("accounts").and_where(Expr::col("id").eq(account.to_string())).to_owned())
        .await?;
    let Some(r) = found else { return Ok(None) };
    let Some(sealed) = row::get::<Option<String>>(&r, "hkid_sealed")? else { return Ok(None) };
    let bytes = key.sealer.open(&sealed, &HkidKey::context(account))?;
    Ok(String::from_utf8(bytes).ok())
}
