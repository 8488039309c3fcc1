//! The authorization code flow: requests, consent, codes, tokens, claims.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sea_query::{Expr, ExprTrait, Query};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tamar_core::AccountId;
use tamar_identity::{Account, Assurance};
use tamar_ledger::{Ledger, LedgerEntry};
use tamar_store::{Db, StoreError, row, to_millis};

use crate::clients::{self, Client};
use crate::keys::SigningKeys;
use crate::{ACR_VALUES, OidcError};

pub const CODE_TTL: chrono::Duration = chrono::Duration::seconds(60);
pub const TOKEN_TTL: chrono::Duration = chrono::Duration::minutes(10);

/// The parameters of `/oidc/authorize`, as sent.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct AuthorizationRequest {
    pub response_type: Option<String>,
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub scope: Option<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub acr_values: Option<String>,
    pub prompt: Option<String>,
    pub max_age: Option<String>,
    pub ui_locales: Option<String>,
}

/// A request that passed every check.
#[derive(Clone, Debug)]
pub struct ValidRequest {
    pub client: Client,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: String,
    /// The level asked for, 1 to 3.
    pub acr: usize,
    pub prompt: Prompt,
    /// Seconds a sign-in stays good enough for this client, if it said.
    pub max_age: Option<i64>,
}

/// What the client asked with `prompt`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Prompt {
    /// Ask the person only what is needed.
    #[default]
    Default,
    /// `prompt=login`: the person signs in again, even with a session.
    Login,
    /// `prompt=none`: an answer without showing the person any page, or an error if one is
    /// needed (OpenID Connect Core §3.1.2.1).
    None,
}

/// A sign-in this recent satisfies `prompt=login` and any `max_age`: the person has just signed
/// in again for this request, and asking once more would loop.
pub const FRESH_SIGN_IN: chrono::Duration = chrono::Duration::seconds(120);

/// Whether the person must sign in before the request goes on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignInNeed {
    /// Nobody is signed in.
    SignIn,
    /// Signed in, but the client wants a newer sign-in (`prompt=login`, or past `max_age`).
    SignInAgain,
    Satisfied,
}

/// A page the person would be shown before a code is issued.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interaction {
    /// Signing in, again or with a passkey for a higher level.
    SignIn,
    /// The consent screen.
    Consent,
    /// Anything else, such as setting up a second factor.
    Other,
}

impl ValidRequest {
    /// Whether the person must sign in (again) first, given the session: signed in or not, and
    /// when it last proved who it is. Under `prompt=none` a needed sign-in is
    /// `login_required`, for the client.
    pub fn sign_in_need(
        &self,
        signed_in: bool,
        authenticated_at: Option<chrono::DateTime<chrono::Utc>>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<SignInNeed, OidcError> {
        let need = if !signed_in {
            SignInNeed::SignIn
        } else {
            let fresh = authenticated_at.is_some_and(|at| now - at < FRESH_SIGN_IN);
            let too_old = match (self.max_age, authenticated_at) {
                (Some(max), Some(at)) => (now - at).num_seconds() > max,
                _ => false,
            };
            if (self.prompt == Prompt::Login || too_old) && !fresh { SignInNeed::SignInAgain } else { SignInNeed::Satisfied }
        };
        if need != SignInNeed::Satisfied {
            self.may_show(Interaction::SignIn)?;
        }
        Ok(need)
    }

    /// Whether the person may be shown a page for `what`: always, except under `prompt=none`,
    /// where the client gets the error that names what was needed.
    pub fn may_show(&self, what: Interaction) -> Result<(), OidcError> {
        if self.prompt != Prompt::None {
            return Ok(());
        }
        Err(match what {
            Interaction::SignIn => OidcError::LoginRequired,
            Interaction::Consent => OidcError::ConsentRequired,
            Interaction::Other => OidcError::InteractionRequired,
        })
    }
}

/// Why a request was refused: before the redirect URI is trusted, the person is told on a page;
/// after, the client is told at its redirect URI.
#[derive(Debug)]
pub enum Rejection {
    Here(OidcError),
    AtClient { redirect_uri: String, state: Option<String>, error: OidcError },
}

impl From<OidcError> for Rejection {
    fn from(e: OidcError) -> Self {
        Rejection::Here(e)
    }
}

fn pkce_ok(value: &str) -> bool {
    (43..=128).contains(&value.len()) && value.chars().all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c))
}

impl AuthorizationRequest {
    pub async fn validate(&self, db: &Db) -> Result<ValidRequest, Rejection> {
        let client_id = self.client_id.as_deref().ok_or(OidcError::InvalidRequest("client_id is missing"))?;
        let client = clients::find(db, client_id).await?.ok_or(OidcError::InvalidClient)?;
        let redirect_uri = self.redirect_uri.clone().ok_or(OidcError::InvalidRequest("redirect_uri is missing"))?;
        // Exact match only: no prefix, no normalisation.
        if !client.redirect_uris.contains(&redirect_uri) {
            return Err(OidcError::InvalidRequest("redirect_uri is not registered for this client").into());
        }
        let state = self.state.clone();
        let refuse = |error: OidcError| Rejection::AtClient { redirect_uri: redirect_uri.clone(), state: state.clone(), error };
        if state.as_ref().is_some_and(|s| s.len() > 500) {
            return Err(refuse(OidcError::InvalidRequest("state is too long")));
        }
        if self.response_type.as_deref() != Some("code") {
            return Err(refuse(OidcError::InvalidRequest("response_type must be code")));
        }
        let scopes: Vec<String> = self.scope.as_deref().unwrap_or("").split(' ').filter(|s| !s.is_empty()).map(str::to_owned).collect();
        if !scopes.iter().any(|s| s == "openid") || !scopes.iter().all(|s| client.scopes.contains(s)) {
            return Err(refuse(OidcError::InvalidScope));
        }
        let challenge = self.code_challenge.clone().unwrap_or_default();
        if self.code_challenge_method.as_deref() != Some("S256") || !pkce_ok(&challenge) {
            return Err(refuse(OidcError::InvalidRequest("PKCE with code_challenge_method=S256 is required")));
        }
        if self.nonce.as_ref().is_some_and(|n| n.len() > 255) {
            return Err(refuse(OidcError::InvalidRequest("nonce is too long")));
        }
        let acr = self
            .acr_values
            .as_deref()
            .unwrap_or("")
            .split(' ')
            .filter_map(|v| ACR_VALUES.iter().position(|a| *a == v))
            .map(|i| i + 1)
            .max()
            .unwrap_or(1);
        let max_age = match self.max_age.as_deref() {
            None => None,
            Some(text) => Some(text.parse::<i64>().ok().filter(|v| *v >= 0).ok_or_else(|| refuse(OidcError::InvalidRequest("max_age must be a number of seconds")))?),
        };
        let prompts: Vec<&str> = self.prompt.as_deref().unwrap_or("").split(' ').filter(|p| !p.is_empty()).collect();
        let prompt = if prompts.contains(&"none") {
            if prompts.len() > 1 {
                return Err(refuse(OidcError::InvalidRequest("prompt=none cannot be combined with other values")));
            }
            Prompt::None
        } else if prompts.contains(&"login") {
            Prompt::Login
        } else {
            Prompt::Default
        };
        Ok(ValidRequest { client, redirect_uri, scopes, state, nonce: self.nonce.clone(), code_challenge: challenge, acr, prompt, max_age })
    }
}

/// The `acr` value of an account's level.
pub fn acr_of(assurance: Assurance) -> &'static str {
    match assurance {
        Assurance::L0 | Assurance::L1 => ACR_VALUES[0],
        Assurance::L2 => ACR_VALUES[1],
        Assurance::L3 => ACR_VALUES[2],
    }
}

fn level(assurance: Assurance) -> usize {
    match assurance {
        Assurance::L0 => 0,
        Assurance::L1 => 1,
        Assurance::L2 => 2,
        Assurance::L3 => 3,
    }
}

/// Whether the person has already agreed to give this client these scopes.
pub async fn has_consent(db: &Db, account: &Account, client: &Client, scopes: &[String]) -> Result<bool, OidcError> {
    let found = db
        .fetch_optional(
            &Query::select()
                .column("scopes")
                .from("oidc_consents")
                .and_where(Expr::col("account_id").eq(account.id.to_string()))
                .and_where(Expr::col("client_id").eq(client.client_id.clone()))
                .to_owned(),
        )
        .await?;
    let Some(r) = found else { return Ok(false) };
    let granted: String = row::get(&r, "scopes")?;
    let granted: Vec<&str> = granted.split(' ').collect();
    Ok(scopes.iter().all(|s| granted.contains(&s.as_str())))
}

/// Records consent for these scopes (added to any given before).
pub async fn grant_consent(db: &Db, ledger: &Ledger, account: &Account, client: &Client, scopes: &[String]) -> Result<(), OidcError> {
    let now = ledger.now();
    let mut tx = db.begin().await?;
    let existing = tx
        .fetch_optional(
            &Query::select()
                .column("scopes")
                .from("oidc_consents")
                .and_where(Expr::col("account_id").eq(account.id.to_string()))
                .and_where(Expr::col("client_id").eq(client.client_id.clone()))
                .to_owned(),
        )
        .await?;
    let mut all: Vec<String> = match &existing {
        Some(r) => row::get::<String>(r, "scopes")?.split(' ').map(str::to_owned).collect(),
        None => vec![],
    };
    for s in scopes {
        if !all.contains(s) {
            all.push(s.clone());
        }
    }
    tx.execute(&Query::delete().from_table("oidc_consents").and_where(Expr::col("account_id").eq(account.id.to_string())).and_where(Expr::col("client_id").eq(client.client_id.clone())).to_owned()).await?;
    tx.execute(
        &Query::insert()
            .into_table("oidc_consents")
            .columns(["account_id", "client_id", "scopes", "granted_at"])
            .values_panic([account.id.to_string().into(), client.client_id.clone().into(), all.join(" ").into(), to_millis(now).into()])
            .to_owned(),
    )
    .await?;
    let entry = LedgerEntry::change(&account.actor(), "oidc.consent.grant", format!("oidc-client:{}", client.client_id), now)
        .about(account.id)
        .because(format!("share {} with {}", scopes.join(" "), client.name.en));
    tamar_ledger::record(&mut tx, &entry).await?;
    tx.commit().await?;
    ledger.notify();
    Ok(())
}

/// A consent, as its giver sees it.
#[derive(Clone, Debug)]
pub struct Consent {
    pub client: Client,
    pub scopes: Vec<String>,
    pub granted_at: chrono::DateTime<chrono::Utc>,
}

pub async fn consents_of(db: &Db, account: &Account) -> Result<Vec<Consent>, OidcError> {
    let rows = db
        .fetch_all(
            &Query::select()
                .columns(["client_id", "scopes", "granted_at"])
                .from("oidc_consents")
                .and_where(Expr::col("account_id").eq(account.id.to_string()))
                .order_by("granted_at", sea_query::Order::Desc)
                .to_owned(),
        )
        .await?;
    let mut consents = Vec::new();
    for r in &rows {
        let id: String = row::get(r, "client_id")?;
        if let Some(client) = clients::find(db, &id).await? {
            let scopes: String = row::get(r, "scopes")?;
            consents.push(Consent {
                client,
                scopes: scopes.split(' ').map(str::to_owned).collect(),
                granted_at: tamar_store::from_millis(row::get(r, "granted_at")?),
            });
        }
    }
    Ok(consents)
}

/// Withdraws a consent; the client's unexpired access tokens for the person stop working.
pub async fn revoke_consent(db: &Db, ledger: &Ledger, account: &Account, client_id: &str) -> Result<(), OidcError> {
    let now = ledger.now();
    let mut tx = db.begin().await?;
    let removed = tx
        .execute(&Query::delete().from_table("oidc_consents").and_where(Expr::col("account_id").eq(account.id.to_string())).and_where(Expr::col("client_id").eq(client_id)).to_owned())
        .await?;
    if removed == 0 {
        return Err(OidcError::InvalidRequest("no such consent"));
    }
    tx.execute(&Query::delete().from_table("oidc_access_tokens").and_where(Expr::col("account_id").eq(account.id.to_string())).and_where(Expr::col("client_id").eq(client_id)).to_owned()).await?;
    let entry = LedgerEntry::change(&account.actor(), "oidc.consent.revoke", format!("oidc-client:{client_id}"), now).about(account.id).because("withdraw consent");
    tamar_ledger::record(&mut tx, &entry).await?;
    tx.commit().await?;
    ledger.notify();
    Ok(())
}

fn random_token() -> (String, String) {
    let mut raw = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    let token = B64URL.encode(raw);
    let hash = hex::encode(Sha256::digest(token.as_bytes()));
    (token, hash)
}

/// The level a session holds: the account's, but level 3 only when the person signed in with a
/// passkey in this session.
pub fn session_level(account: &Account, by_passkey: bool) -> usize {
    let account_level = level(account.assurance);
    if by_passkey { account_level } else { account_level.min(2) }
}

/// What to do when a service asks for a level: go on, sign in again with a passkey (step-up),
/// or refuse because the account cannot reach it.
#[derive(Debug, PartialEq, Eq)]
pub enum LevelCheck {
    Enough,
    StepUp,
    Unreachable,
}

pub fn check_level(req: &ValidRequest, account: &Account, by_passkey: bool) -> LevelCheck {
    if session_level(account, by_passkey) >= req.acr {
        LevelCheck::Enough
    } else if level(account.assurance) >= req.acr {
        LevelCheck::StepUp
    } else {
        LevelCheck::Unreachable
    }
}

/// Issues a single-use code for a consenting, signed-in person whose session holds the level asked.
pub async fn issue_code(
    db: &Db,
    ledger: &Ledger,
    req: &ValidRequest,
    account: &Account,
    by_passkey: bool,
    auth_time: chrono::DateTime<chrono::Utc>,
) -> Result<String, OidcError> {
    let held = session_level(account, by_passkey);
    if held < req.acr {
        return Err(OidcError::AccessDenied("the service needs a higher level of assurance than this account has"));
    }
    let (code, hash) = random_token();
    let now = ledger.now();
    db.execute(
        &Query::insert()
            .into_table("oidc_codes")
            .columns(["code_hash", "client_id", "account_id", "redirect_uri", "scope", "nonce", "code_challenge", "acr", "auth_time", "expires_at"])
            .values_panic([
                hash.into(),
                req.client.client_id.clone().into(),
                account.id.to_string().into(),
                req.redirect_uri.clone().into(),
                req.scopes.join(" ").into(),
                req.nonce.clone().into(),
                req.code_challenge.clone().into(),
                ACR_VALUES[held.clamp(1, 3) - 1].into(),
                to_millis(auth_time).into(),
                to_millis(now + CODE_TTL).into(),
            ])
            .to_owned(),
    )
    .await?;
    Ok(code)
}

/// A stable subject for this person at this client's sector, unlinkable across sectors.
pub fn pairwise_subject(key: &[u8], sector: &str, account: AccountId) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else { return String::new() };
    mac.update(sector.as_bytes());
    mac.update(&[0]);
    mac.update(account.to_string().as_bytes());
    B64URL.encode(mac.finalize().into_bytes())
}

#[derive(Clone, Debug)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub id_token: String,
    pub scope: String,
}

#[derive(Serialize)]
struct IdTokenClaims<'a> {
    iss: &'a str,
    sub: String,
    aud: &'a str,
    exp: i64,
    iat: i64,
    auth_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    nonce: Option<String>,
    acr: String,
    at_hash: String,
}

/// What the token endpoint is given, after client authentication.
pub struct TokenRequest<'a> {
    pub code: &'a str,
    pub redirect_uri: &'a str,
    pub code_verifier: &'a str,
}

/// The provider's own settings.
pub struct Provider<'a> {
    pub issuer: &'a str,
    pub pairwise_key: &'a [u8],
    /// For the full HKID, released only under the `hkid_full` scope.
    pub hkid_key: &'a tamar_identity::HkidKey,
    /// Unseals the ID token signing key.
    pub sealer: &'a tamar_store::Sealer,
}

/// Exchanges a code for tokens. A code works once: presented again, it also revokes the tokens
/// it gave (RFC 6749 §4.1.2).
pub async fn exchange(db: &Db, ledger: &Ledger, provider: &Provider<'_>, client: &Client, req: TokenRequest<'_>) -> Result<TokenResponse, OidcError> {
    if !pkce_ok(req.code_verifier) {
        return Err(OidcError::InvalidGrant("code_verifier is missing or malformed"));
    }
    let code_hash = hex::encode(Sha256::digest(req.code.as_bytes()));
    let now = ledger.now();
    let mut tx = db.begin().await?;
    let found = tx
        .fetch_optional(
            &Query::select()
                .columns(["client_id", "account_id", "redirect_uri", "scope", "nonce", "code_challenge", "acr", "auth_time", "expires_at", "used_at"])
                .from("oidc_codes")
                .and_where(Expr::col("code_hash").eq(code_hash.clone()))
                .to_owned(),
        )
        .await?
        .ok_or(OidcError::InvalidGrant("unknown code"))?;
    if row::get::<Option<i64>>(&found, "used_at")?.is_some() {
        tx.execute(&Query::delete().from_table("oidc_access_tokens").and_where(Expr::col("code_hash").eq(code_hash)).to_owned()).await?;
        tx.commit().await?;
        return Err(OidcError::InvalidGrant("the code has already been used"));
    }
    let client_id: String = row::get(&found, "client_id")?;
    let redirect_uri: String = row::get(&found, "redirect_uri")?;
    let challenge: String = row::get(&found, "code_challenge")?;
    if client_id != client.client_id {
        return Err(OidcError::InvalidGrant("the code was issued to another client"));
    }
    if redirect_uri != req.redirect_uri {
        return Err(OidcError::InvalidGrant("redirect_uri differs from the authorization request"));
    }
    if row::get::<i64>(&found, "expires_at")? <= to_millis(now) {
        return Err(OidcError::InvalidGrant("the code has expired"));
    }
    if B64URL.encode(Sha256::digest(req.code_verifier.as_bytes())) != challenge {
        return Err(OidcError::InvalidGrant("code_verifier does not match code_challenge"));
    }
    let spent = tx
        .execute(&Query::update().table("oidc_codes").value("used_at", to_millis(now)).and_where(Expr::col("code_hash").eq(code_hash.clone())).and_where(Expr::col("used_at").is_null()).to_owned())
        .await?;
    if spent == 0 {
        return Err(OidcError::InvalidGrant("the code has already been used"));
    }
    let account_text: String = row::get(&found, "account_id")?;
    let account_id: AccountId = account_text.parse().map_err(|_| StoreError::Corrupt(account_text.clone()))?;
    let scope: String = row::get(&found, "scope")?;
    let (access_token, token_hash) = random_token();
    tx.execute(
        &Query::insert()
            .into_table("oidc_access_tokens")
            .columns(["token_hash", "code_hash", "client_id", "account_id", "scope", "expires_at"])
            .values_panic([token_hash.into(), code_hash.into(), client.client_id.clone().into(), account_text.into(), scope.clone().into(), to_millis(now + TOKEN_TTL).into()])
            .to_owned(),
    )
    .await?;
    // at_hash: the left half of SHA-256 of the access token (OpenID Connect Core §3.1.3.6).
    let digest = Sha256::digest(access_token.as_bytes());
    let claims = IdTokenClaims {
        iss: provider.issuer,
        sub: pairwise_subject(provider.pairwise_key, &client.sector, account_id),
        aud: &client.client_id,
        exp: (now + TOKEN_TTL).timestamp(),
        iat: now.timestamp(),
        auth_time: row::get::<i64>(&found, "auth_time")? / 1000,
        nonce: row::get(&found, "nonce")?,
        acr: row::get(&found, "acr")?,
        at_hash: B64URL.encode(&digest[..16]),
    };
    let id_token = SigningKeys::sign(db, provider.sealer, now, &claims).await?;
    let system = tamar_core::Actor::System;
    let entry = LedgerEntry::read(&system, "oidc.token.issue", format!("oidc-client:{}", client.client_id), now)
        .about(account_id)
        .because(client.purpose.en.clone());
    tamar_ledger::record(&mut tx, &entry).await?;
    tx.commit().await?;
    ledger.notify();
    Ok(TokenResponse { access_token, token_type: "Bearer", expires_in: TOKEN_TTL.num_seconds(), id_token, scope })
}

/// The claims released to a client.
pub type Claims = serde_json::Map<String, serde_json::Value>;

/// The UserInfo response for an access token: the claims of the consented scopes that the
/// person's pre-fill settings let out ([`crate::releases::plan`]). Each release is kept for the
/// person to see, with its log entry.
pub async fn userinfo(db: &Db, ledger: &Ledger, provider: &Provider<'_>, access_token: &str) -> Result<Claims, OidcError> {
    if access_token.is_empty() || access_token.len() > 100 {
        return Err(OidcError::InvalidToken);
    }
    let hash = hex::encode(Sha256::digest(access_token.as_bytes()));
    let now = ledger.now();
    let found = db
        .fetch_optional(
            &Query::select()
                .columns(["client_id", "account_id", "scope"])
                .from("oidc_access_tokens")
                .and_where(Expr::col("token_hash").eq(hash))
                .and_where(Expr::col("expires_at").gt(to_millis(now)))
                .to_owned(),
        )
        .await?
        .ok_or(OidcError::InvalidToken)?;
    let client_id: String = row::get(&found, "client_id")?;
    let client = clients::find(db, &client_id).await?.ok_or(OidcError::InvalidToken)?;
    let account_text: String = row::get(&found, "account_id")?;
    let account_id: AccountId = account_text.parse().map_err(|_| StoreError::Corrupt(account_text.clone()))?;
    let account = tamar_identity::get_account(db, ledger, &tamar_core::Actor::Citizen { account: account_id }, account_id, "userinfo").await?;
    let scopes: Vec<String> = row::get::<String>(&found, "scope")?.split(' ').map(str::to_owned).collect();
    let plan = crate::releases::plan(db, &account, &scopes).await?;
    let mut claims = Claims::new();
    claims.insert("sub".into(), pairwise_subject(provider.pairwise_key, &client.sector, account_id).into());
    let mut released = Vec::new();
    for s in plan.released() {
        let before = claims.len();
        match s {
            "profile" => {
                claims.insert("name".into(), account.display_name.clone().into());
                if let Some(zh) = &account.name_zh {
                    claims.insert("name#zh-Hant".into(), zh.clone().into());
                }
            }
            "email" => {
                claims.insert("email".into(), account.email.clone().into());
                claims.insert("email_verified".into(), (account.assurance >= Assurance::L1).into());
            }
            "hkid" => {
                if let Some(masked) = &account.hkid_masked {
                    claims.insert("hkid_masked".into(), masked.clone().into());
                }
            }
            "hkid_full" => {
                if let Some(full) = tamar_identity::full_hkid(db, provider.hkid_key, account_id).await? {
                    claims.insert("hkid".into(), full.into());
                }
            }
            "birthdate" => {
                if let Some(date) = tamar_identity::date_of_birth(db, account_id).await? {
                    claims.insert("birthdate".into(), date.into());
                }
            }
            "address" => {
                if let Some(address) = &account.address {
                    claims.insert("address".into(), serde_json::json!({ "formatted": address, "country": "HK" }));
                }
            }
            "phone" => {
                if let Some(phone) = &account.phone {
                    claims.insert("phone_number".into(), phone.clone().into());
                }
            }
            _ => {}
        }
        if claims.len() > before {
            released.push(s);
        }
    }
    let names: Vec<&str> = claims.keys().map(String::as_str).collect();
    let mut tx = db.begin().await?;
    crate::releases::record(&mut tx, &client, account_id, &released, &names, now).await?;
    tx.commit().await?;
    ledger.notify();
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tamar_core::{LocalizedText, Role};
    use tamar_identity::AccountKind;

    fn account(assurance: Assurance) -> Account {
        Account {
            id: AccountId::new(),
            kind: AccountKind::Citizen,
            email: "a@example.hk".into(),
            display_name: "A".into(),
            name_zh: None,
            department: None,
            roles: Vec::<Role>::new(),
            assurance,
            hkid_masked: None,
            mfa: false,
            address: None,
            phone: None,
            created_at: chrono::Utc::now(),
        }
    }

    fn asking(acr: usize) -> ValidRequest {
        let text = LocalizedText::new("x", "x", "x");
        ValidRequest {
            client: Client {
                client_id: "c".into(),
                name: text.clone(),
                purpose: text,
                redirect_uris: vec![],
                post_logout_redirect_uris: vec![],
                scopes: vec![],
                sector: "s".into(),
                sector_identifier_uri: None,
            },
            redirect_uri: String::new(),
            scopes: vec![],
            state: None,
            nonce: None,
            code_challenge: String::new(),
            acr,
            prompt: Prompt::Default,
            max_age: None,
        }
    }

    fn prompting(prompt: Prompt, max_age: Option<i64>) -> ValidRequest {
        ValidRequest { prompt, max_age, ..asking(1) }
    }

    #[test]
    fn sign_in_need_follows_prompt_and_max_age() {
        let now = chrono::Utc::now();
        let minutes_ago = |m: i64| Some(now - chrono::Duration::minutes(m));
        let need = |req: &ValidRequest, signed_in, at| req.sign_in_need(signed_in, at, now).map_err(|e| e.oauth_code());
        let plain = prompting(Prompt::Default, None);
        assert_eq!(need(&plain, false, None), Ok(SignInNeed::SignIn));
        assert_eq!(need(&plain, true, minutes_ago(600)), Ok(SignInNeed::Satisfied), "any session will do");

        let login = prompting(Prompt::Login, None);
        assert_eq!(need(&login, false, None), Ok(SignInNeed::SignIn));
        assert_eq!(need(&login, true, minutes_ago(5)), Ok(SignInNeed::SignInAgain));
        assert_eq!(need(&login, true, minutes_ago(1)), Ok(SignInNeed::Satisfied), "just signed in again for it");

        let max_age = prompting(Prompt::Default, Some(600));
        assert_eq!(need(&max_age, true, minutes_ago(9)), Ok(SignInNeed::Satisfied), "within max_age");
        assert_eq!(need(&max_age, true, minutes_ago(11)), Ok(SignInNeed::SignInAgain), "past max_age");
        assert_eq!(need(&prompting(Prompt::Default, Some(0)), true, minutes_ago(1)), Ok(SignInNeed::Satisfied), "fresh beats max_age=0");
        assert_eq!(need(&max_age, true, None), Ok(SignInNeed::Satisfied), "no time to compare");

        let none = prompting(Prompt::None, Some(600));
        assert_eq!(need(&none, false, None), Err("login_required"));
        assert_eq!(need(&none, true, minutes_ago(11)), Err("login_required"), "past max_age, and no page may be shown");
        assert_eq!(need(&none, true, minutes_ago(9)), Ok(SignInNeed::Satisfied));
    }

    #[test]
    fn prompt_none_shows_no_page() {
        let none = prompting(Prompt::None, None);
        assert_eq!(none.may_show(Interaction::Consent).map_err(|e| e.oauth_code()), Err("consent_required"));
        assert_eq!(none.may_show(Interaction::SignIn).map_err(|e| e.oauth_code()), Err("login_required"));
        assert_eq!(none.may_show(Interaction::Other).map_err(|e| e.oauth_code()), Err("interaction_required"));
        for prompt in [Prompt::Default, Prompt::Login] {
            assert!(prompting(prompt, None).may_show(Interaction::Consent).is_ok());
        }
    }

    #[test]
    fn level_three_needs_a_passkey_session() {
        let l3 = account(Assurance::L3);
        assert_eq!(check_level(&asking(3), &l3, true), LevelCheck::Enough);
        assert_eq!(check_level(&asking(3), &l3, false), LevelCheck::StepUp, "a password session steps up");
        assert_eq!(check_level(&asking(2), &l3, false), LevelCheck::Enough);
        assert_eq!(check_level(&asking(3), &account(Assurance::L2), true), LevelCheck::Unreachable);
        assert_eq!(check_level(&asking(2), &account(Assurance::L1), false), LevelCheck::Unreachable);
        assert_eq!(session_level(&l3, false), 2);
        assert_eq!(acr_of(Assurance::L3), "urn:tamar:loa:3");
    }
}
