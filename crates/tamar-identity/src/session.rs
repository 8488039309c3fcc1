use sea_query::{Alias, Expr, ExprTrait, Query};
use sha2::{Digest, Sha256};
use tamar_core::Actor;
use tamar_core::paging::{Cursor, Page, PageRequest};
use tamar_ledger::{Ledger, LedgerEntry};
use tamar_store::{Db, row, to_millis};

use crate::account::{COLUMNS, from_row};
use crate::{Account, IdentityError, verify_password};

/// How long a session lasts without signing in again.
pub const SESSION_TTL: chrono::Duration = chrono::Duration::hours(12);

/// A valid Argon2id hash of a random password, verified against when the email is unknown, so
/// that a wrong email takes as long as a wrong password.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Jm0hI8b1yrlPBzWzLcCRpfIkSZcGOaOgrF6ryc/SAeU";

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Checks an email address and password.
pub async fn authenticate(db: &Db, email: &str, password: &str) -> Result<Account, IdentityError> {
    let email = email.trim().to_lowercase();
    let mut columns = COLUMNS.to_vec();
    columns.push("password_hash");
    let found = db
        .fetch_optional(&Query::select().columns(columns).from("accounts").and_where(Expr::col("email").eq(email)).to_owned())
        .await?;
    let Some(found) = found else {
        verify_password(password, DUMMY_HASH).await?;
        return Err(IdentityError::InvalidCredentials);
    };
    let hash: String = row::get(&found, "password_hash")?;
    if !verify_password(password, &hash).await? {
        return Err(IdentityError::InvalidCredentials);
    }
    Ok(from_row(&found)?)
}

/// Starts a session for a signed-in account; returns the token for the cookie. Only its hash is
/// stored.
pub async fn start_session(db: &Db, ledger: &Ledger, account: &Account, user_agent: Option<&str>) -> Result<String, IdentityError> {
    start_session_by(db, ledger, account, user_agent, "password").await
}

/// Starts a session, recording how the person proved who they are (`password` or `passkey`).
pub async fn start_session_by(
    db: &Db,
    ledger: &Ledger,
    account: &Account,
    user_agent: Option<&str>,
    method: &str,
) -> Result<String, IdentityError> {
    let user_agent: Option<String> = user_agent.map(|ua| ua.chars().filter(|c| !c.is_control()).take(200).collect());
    let token = crate::random_token();
    let now = ledger.now();
    let mut tx = db.begin().await?;
    tx.execute(
        &Query::insert()
            .into_table("sessions")
            .columns(["token_hash", "account_id", "created_at", "expires_at", "authenticated_at", "user_agent", "method"])
            .values_panic([
                token_hash(&token).into(),
                account.id.to_string().into(),
                to_millis(now).into(),
                to_millis(now + SESSION_TTL).into(),
                to_millis(now).into(),
                user_agent.into(),
                method.into(),
            ])
            .to_owned(),
    )
    .await?;
    let entry = LedgerEntry::change(&account.actor(), "identity.session.create", format!("account:{}", account.id), now)
        .about(account.id)
        .because(if method == "passkey" { "sign in with a passkey" } else { "sign in" });
    tamar_ledger::record(&mut tx, &entry).await?;
    tx.commit().await?;
    ledger.notify();
    Ok(token)
}

/// The account behind a session token, if the session exists and has not expired.
pub async fn resolve_session(db: &Db, token: &str, now: chrono::DateTime<chrono::Utc>) -> Result<Option<Account>, IdentityError> {
    Ok(resolve_session_at(db, token, now).await?.map(|s| s.account))
}

/// A live session: whose, since when proven, and how.
#[derive(Clone, Debug)]
pub struct SessionRecord {
    pub account: Account,
    pub authenticated_at: chrono::DateTime<chrono::Utc>,
    /// `password` or `passkey`.
    pub method: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// Sessions resolved on this node, kept for a moment, so that a signed-in person's requests in
/// quick succession (a page, the next page) do not each read theirs from the database.
///
/// A kept session is used only while nothing has changed on this node since it was read
/// ([`Ledger::changes`]: every change to an account or a session is logged, so signing out, a
/// session revoked, a role taken away or a password changed here shows at once), for at most
/// [`SessionCache::KEEP`], and never past its expiry. A change made on another node shows
/// here within `KEEP`. Unknown tokens are not kept: each is looked up. Keys are the tokens'
/// SHA-256 digests, as in the database.
#[derive(Default)]
pub struct SessionCache {
    kept: std::sync::Mutex<std::collections::HashMap<[u8; 32], KeptSession>>,
}

struct KeptSession {
    at: std::time::Instant,
    changes: u64,
    record: SessionRecord,
}

impl SessionCache {
    pub const KEEP: std::time::Duration = std::time::Duration::from_secs(1);
    /// At most this many sessions are kept; past it, those too old to use are dropped.
    const MAX: usize = 16_384;

    /// The session behind `token`, from what this node keeps or else from the database (see
    /// [`resolve_session_at`]).
    pub async fn resolve(&self, db: &Db, ledger: &Ledger, token: &str) -> Result<Option<SessionRecord>, IdentityError> {
        if token.is_empty() || token.len() > 100 {
            return Ok(None);
        }
        let now = ledger.now();
        let key: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        // Read before the query: a change committed while it runs leaves the copy unused.
        let changes = ledger.changes();
        if let Some(kept) = self.fresh(&key, changes, now) {
            return Ok(Some(kept));
        }
        let found = resolve_session_at(db, token, now).await?;
        if let Some(record) = &found {
            self.keep(key, changes, record.clone());
        }
        Ok(found)
    }

    fn fresh(&self, key: &[u8; 32], changes: u64, now: chrono::DateTime<chrono::Utc>) -> Option<SessionRecord> {
        let kept = self.kept.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        kept.get(key).filter(|k| k.changes == changes && k.at.elapsed() < Self::KEEP && k.record.expires_at > now).map(|k| k.record.clone())
    }

    fn keep(&self, key: [u8; 32], changes: u64, record: SessionRecord) {
        let mut kept = self.kept.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if kept.len() >= Self::MAX {
            kept.retain(|_, k| k.changes == changes && k.at.elapsed() < Self::KEEP);
            if kept.len() >= Self::MAX {
                kept.clear();
            }
        }
        kept.insert(key, KeptSession { at: std::time::Instant::now(), changes, record });
    }
}

/// The account behind a session token, with the time its holder last proved who they are.
pub async fn resolve_session_at(db: &Db, token: &str, now: chrono::DateTime<chrono::Utc>) -> Result<Option<SessionRecord>, IdentityError> {
    if token.is_empty() || token.len() > 100 {
        return Ok(None);
    }
    // One query for the session and its account: every signed-in request runs it.
    let mut query = Query::select();
    for column in COLUMNS {
        query.column((Alias::new("accounts"), Alias::new(column)));
    }
    let found = db
        .fetch_optional(
            &query
                .expr_as(Expr::col((Alias::new("sessions"), Alias::new("authenticated_at"))), Alias::new("session_authenticated_at"))
                .expr_as(Expr::col((Alias::new("sessions"), Alias::new("created_at"))), Alias::new("session_created_at"))
                .expr_as(Expr::col((Alias::new("sessions"), Alias::new("method"))), Alias::new("session_method"))
                .expr_as(Expr::col((Alias::new("sessions"), Alias::new("expires_at"))), Alias::new("session_expires_at"))
                .from("sessions")
                .inner_join(
                    "accounts",
                    Expr::col((Alias::new("accounts"), Alias::new("id"))).equals((Alias::new("sessions"), Alias::new("account_id"))),
                )
                .and_where(Expr::col((Alias::new("sessions"), Alias::new("token_hash"))).eq(token_hash(token)))
                .and_where(Expr::col((Alias::new("sessions"), Alias::new("expires_at"))).gt(to_millis(now)))
                .to_owned(),
        )
        .await?;
    let Some(r) = found else { return Ok(None) };
    let at: Option<i64> = row::get(&r, "session_authenticated_at")?;
    let at = tamar_store::from_millis(at.unwrap_or(row::get(&r, "session_created_at")?));
    let method = row::get::<Option<String>>(&r, "session_method")?.unwrap_or_else(|| "password".into());
    let expires_at = tamar_store::from_millis(row::get(&r, "session_expires_at")?);
    Ok(Some(SessionRecord { account: from_row(&r)?, authenticated_at: at, method, expires_at }))
}

/// Ends a session (signing out).
pub async fn end_session(db: &Db, ledger: &Ledger, actor: &Actor, token: &str) -> Result<(), IdentityError> {
    let mut tx = db.begin().await?;
    let removed = tx
        .execute(&Query::delete().from_table("sessions").and_where(Expr::col("token_hash").eq(token_hash(token))).to_owned())
        .await?;
    if removed > 0
        && let Some(account) = actor.account()
    {
        let entry = LedgerEntry::change(actor, "identity.session.end", format!("account:{account}"), ledger.now())
            .about(account)
            .because("sign out");
        tamar_ledger::record(&mut tx, &entry).await?;
    }
    tx.commit().await?;
    ledger.notify();
    Ok(())
}

/// One of a person's sessions, as they see it in their account.
#[derive(Clone, Debug)]
pub struct SessionInfo {
    /// Identifies the session for revoking it; not usable to sign in.
    pub id: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    pub user_agent: Option<String>,
    /// The session this request came with.
    pub current: bool,
}

/// The account's live sessions, newest first. `current_token` marks the caller's own.
pub async fn list_sessions(
    db: &Db,
    account: &Account,
    current_token: &str,
    now: chrono::DateTime<chrono::Utc>,
    page: &PageRequest,
) -> Result<Page<SessionInfo>, IdentityError> {
    let current = token_hash(current_token);
    let mut query = Query::select()
        .columns(["token_hash", "created_at", "expires_at", "user_agent"])
        .from("sessions")
        .and_where(Expr::col("account_id").eq(account.id.to_string()))
        .and_where(Expr::col("expires_at").gt(to_millis(now)))
        .order_by("created_at", sea_query::Order::Desc)
        .order_by("token_hash", sea_query::Order::Desc)
        .limit(page.fetch())
        .to_owned();
    if let Some(after) = &page.after {
        // Newest first; ties by the session's id (the start of its token's hash), which is
        // what the page shows, so the cursor reveals nothing more.
        let (Some(at), Some(id)) = (after.int(0), after.keys().get(1)) else { return Err(IdentityError::BadCursor) };
        query.and_where(Expr::col("created_at").lt(at).or(Expr::col("created_at").eq(at).and(Expr::col("token_hash").lt(id.clone()))));
    }
    let rows = db.fetch_all(&query).await?;
    let sessions = rows
        .iter()
        .map(|r| {
            let hash: String = row::get(r, "token_hash")?;
            Ok(SessionInfo {
                id: hash.get(..32).unwrap_or(&hash).to_owned(),
                current: hash == current,
                created_at: tamar_store::from_millis(row::get(r, "created_at")?),
                expires_at: tamar_store::from_millis(row::get(r, "expires_at")?),
                user_agent: row::get(r, "user_agent")?,
            })
        })
        .collect::<Result<Vec<_>, IdentityError>>()?;
    Ok(Page::from_rows(sessions, page, |s| Cursor::new([to_millis(s.created_at).to_string(), s.id.clone()])))
}

/// Ends one of the account's own sessions, by the id that [`list_sessions`] shows.
pub async fn revoke_session(db: &Db, ledger: &Ledger, account: &Account, id: &str) -> Result<(), IdentityError> {
    if id.len() != 32 || !id.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(IdentityError::NotFound);
    }
    let mut tx = db.begin().await?;
    let removed = tx
        .execute(
            &Query::delete()
                .from_table("sessions")
                .and_where(Expr::col("account_id").eq(account.id.to_string()))
                .and_where(Expr::col("token_hash").like(format!("{}%", id.to_ascii_lowercase())))
                .to_owned(),
        )
        .await?;
    if removed == 0 {
        return Err(IdentityError::NotFound);
    }
    let entry = LedgerEntry::change(&account.actor(), "identity.session.revoke", format!("account:{}", account.id), ledger.now())
        .about(account.id)
        .because("sign out elsewhere");
    tamar_ledger::record(&mut tx, &entry).await?;
    tx.commit().await?;
    ledger.notify();
    Ok(())
}

/// Changes a password: the current one must be right, the new one must pass the rules. Every
/// other session of the account ends, so that whoever knew the old password is signed out.
#[allow(clippy::too_many_arguments)]
pub async fn change_password(
    db: &Db,
    ledger: &Ledger,
    sealer: &tamar_store::Sealer,
    account: &Account,
    current_token: &str,
    proof: crate::guard::Proof<'_>,
    new: &str,
    notice: &crate::guard::Notice,
) -> Result<(), IdentityError> {
    crate::policy::check_new_password(new, &[&account.email, &account.display_name])?;
    crate::guard::confirm(db, ledger, sealer, account, proof).await?;
    let hash = crate::hash_password(new).await?;
    let mut tx = db.begin().await?;
    tx.execute(&Query::update().table("accounts").value("password_hash", hash).and_where(Expr::col("id").eq(account.id.to_string())).to_owned()).await?;
    tx.execute(
        &Query::delete()
            .from_table("sessions")
            .and_where(Expr::col("account_id").eq(account.id.to_string()))
            .and_where(Expr::col("token_hash").ne(token_hash(current_token)))
            .to_owned(),
    )
    .await?;
    let entry = LedgerEntry::change(&account.actor(), "identity.password.change", format!("account:{}", account.id), ledger.now())
        .about(account.id)
        .because("change the password");
    tamar_ledger::record(&mut tx, &entry).await?;
    crate::guard::tell_holder(&mut tx, account, notice, tamar_notify::templates::AccountChangeKind::PasswordChanged, ledger.now()).await?;
    tx.commit().await?;
    ledger.notify();
    Ok(())
}
