//! Passkeys (WebAuthn, through webauthn-rs): a second way to sign in, without a password, and
//! the third level of assurance. Ceremony state is kept in the database, so that any node can
//! finish what another started.

use std::sync::Arc;

use sea_query::{Expr, ExprTrait, Query};
use tamar_ledger::{Ledger, LedgerEntry};
use tamar_store::{Db, row, to_millis};
use webauthn_rs::prelude::{
    CreationChallengeResponse, CredentialID, DiscoverableAuthentication, DiscoverableKey, Passkey, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, RequestChallengeResponse, Url, Webauthn, WebauthnBuilder,
};

use crate::account::{COLUMNS, from_row};
use crate::{Account, IdentityError};

const CEREMONY_TTL: chrono::Duration = chrono::Duration::minutes(5);

/// The relying party: Tamar at its public address.
#[derive(Clone)]
pub struct Passkeys {
    webauthn: Arc<Webauthn>,
}

impl std::fmt::Debug for Passkeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Passkeys")
    }
}

fn failed(e: impl std::fmt::Display) -> IdentityError {
    IdentityError::Passkey(e.to_string())
}

impl Passkeys {
    /// `public_url` is where people reach Tamar; its host is the relying party id.
    pub fn new(public_url: &str) -> Result<Passkeys, IdentityError> {
        let origin = Url::parse(public_url).map_err(failed)?;
        let rp_id = origin.host_str().ok_or_else(|| failed("the public URL has no host"))?.to_owned();
        let webauthn = WebauthnBuilder::new(&rp_id, &origin).map_err(failed)?.rp_name("Tamar").build().map_err(failed)?;
        Ok(Passkeys { webauthn: Arc::new(webauthn) })
    }

    async fn keys_of(db: &Db, account: &str) -> Result<Vec<Passkey>, IdentityError> {
        let rows = db.fetch_all(&Query::select().column("passkey").from("passkeys").and_where(Expr::col("account_id").eq(account)).to_owned()).await?;
        rows.iter().map(|r| serde_json::from_str::<Passkey>(&row::get::<String>(r, "passkey")?).map_err(failed)).collect()
    }

    async fn save_ceremony(db: &Db, account: Option<&Account>, state: String, now: chrono::DateTime<chrono::Utc>) -> Result<String, IdentityError> {
        let id = uuid::Uuid::new_v4().simple().to_string();
        db.execute(&Query::delete().from_table("passkey_ceremonies").and_where(Expr::col("expires_at").lt(to_millis(now))).to_owned()).await?;
        db.execute(
            &Query::insert()
                .into_table("passkey_ceremonies")
                .columns(["id", "account_id", "state", "expires_at"])
                .values_panic([id.clone().into(), account.map(|a| a.id.to_string()).into(), state.into(), to_millis(now + CEREMONY_TTL).into()])
                .to_owned(),
        )
        .await?;
        Ok(id)
    }

    /// Takes a ceremony's state, once.
    async fn take_ceremony(db: &Db, id: &str, account: Option<&Account>, now: chrono::DateTime<chrono::Utc>) -> Result<String, IdentityError> {
        if id.len() > 64 {
            return Err(IdentityError::InvalidCode);
        }
        let mut tx = db.begin().await?;
        let found = tx
            .fetch_optional(&Query::select().columns(["account_id", "state", "expires_at"]).from("passkey_ceremonies").and_where(Expr::col("id").eq(id)).to_owned())
            .await?
            .ok_or(IdentityError::InvalidCode)?;
        tx.execute(&Query::delete().from_table("passkey_ceremonies").and_where(Expr::col("id").eq(id)).to_owned()).await?;
        tx.commit().await?;
        let owner: Option<String> = row::get(&found, "account_id")?;
        if owner != account.map(|a| a.id.to_string()) || row::get::<i64>(&found, "expires_at")? <= to_millis(now) {
            return Err(IdentityError::InvalidCode);
        }
        Ok(row::get(&found, "state")?)
    }

    /// Starts adding a passkey to a signed-in account, once its holder has given their password
    /// (and second factor) again: a passkey signs in without either.
    pub async fn start_registration(
        &self,
        db: &Db,
        ledger: &Ledger,
        sealer: &tamar_store::Sealer,
        account: &Account,
        proof: crate::guard::Proof<'_>,
    ) -> Result<(String, CreationChallengeResponse), IdentityError> {
        crate::guard::confirm(db, ledger, sealer, account, proof).await?;
        let now = ledger.now();
        let existing: Vec<CredentialID> = Self::keys_of(db, &account.id.to_string()).await?.iter().map(|k| k.cred_id().clone()).collect();
        let (mut challenge, state) = self
            .webauthn
            .start_passkey_registration(account.id.0, &account.email, &account.display_name, Some(existing))
            .map_err(failed)?;
        // Ask for a discoverable credential, so that it can sign in without a user name.
        if let Some(selection) = challenge.public_key.authenticator_selection.as_mut() {
            selection.resident_key = Some(webauthn_rs_proto::ResidentKeyRequirement::Required);
            selection.require_resident_key = true;
        }
        let id = Self::save_ceremony(db, Some(account), serde_json::to_string(&state).map_err(failed)?, now).await?;
        Ok((id, challenge))
    }

    pub async fn finish_registration(
        &self,
        db: &Db,
        ledger: &Ledger,
        account: &Account,
        ceremony: &str,
        credential: &RegisterPublicKeyCredential,
        notice: &crate::guard::Notice,
    ) -> Result<(), IdentityError> {
        let now = ledger.now();
        let state: PasskeyRegistration = serde_json::from_str(&Self::take_ceremony(db, ceremony, Some(account), now).await?).map_err(failed)?;
        let passkey = self.webauthn.finish_passkey_registration(credential, &state).map_err(failed)?;
        let mut tx = db.begin().await?;
        tx.execute(
            &Query::insert()
                .into_table("passkeys")
                .columns(["credential_id", "account_id", "passkey", "created_at"])
                .values_panic([
                    hex::encode(passkey.cred_id().as_ref()).into(),
                    account.id.to_string().into(),
                    serde_json::to_string(&passkey).map_err(failed)?.into(),
                    to_millis(now).into(),
                ])
                .to_owned(),
        )
        .await?;
        tx.execute(&Query::update().table("accounts").value("passkey_added_at", to_millis(now)).and_where(Expr::col("id").eq(account.id.to_string())).to_owned()).await?;
        let entry = LedgerEntry::change(&account.actor(), "identity.passkey.add", format!("account:{}", account.id), now).about(account.id).because("add a passkey");
        tamar_ledger::record(&mut tx, &entry).await?;
        crate::guard::tell_holder(&mut tx, account, notice, tamar_notify::templates::AccountChangeKind::PasskeyAdded, now).await?;
        tx.commit().await?;
        ledger.notify();
        Ok(())
    }

    /// Starts a passwordless sign-in: the browser offers the passkeys it holds for Tamar.
    pub async fn start_sign_in(&self, db: &Db, now: chrono::DateTime<chrono::Utc>) -> Result<(String, RequestChallengeResponse), IdentityError> {
        let (challenge, state) = self.webauthn.start_discoverable_authentication().map_err(failed)?;
        let id = Self::save_ceremony(db, None, serde_json::to_string(&state).map_err(failed)?, now).await?;
        Ok((id, challenge))
    }

    /// Finishes signing in with a passkey and starts the session (which counts as two factors);
    /// returns the account and the session's token. `user_agent` is shown in the account's list
    /// of sessions.
    pub async fn finish_sign_in(
        &self,
        db: &Db,
        ledger: &Ledger,
        ceremony: &str,
        credential: &PublicKeyCredential,
        user_agent: Option<&str>,
    ) -> Result<(Account, String), IdentityError> {
        let now = ledger.now();
        let state: DiscoverableAuthentication = serde_json::from_str(&Self::take_ceremony(db, ceremony, None, now).await?).map_err(failed)?;
        let (user, _) = self.webauthn.identify_discoverable_authentication(credential).map_err(|_| IdentityError::InvalidCredentials)?;
        let account_id = user.to_string();
        let mut keys = Self::keys_of(db, &account_id).await?;
        let discoverable: Vec<DiscoverableKey> = keys.iter().map(DiscoverableKey::from).collect();
        let result = self
            .webauthn
            .finish_discoverable_authentication(credential, state, &discoverable)
            .map_err(|_| IdentityError::InvalidCredentials)?;
        // Keep the signature counter and backup state current.
        for key in keys.iter_mut() {
            if key.update_credential(&result).is_some() {
                db.execute(
                    &Query::update()
                        .table("passkeys")
                        .value("passkey", serde_json::to_string(&key).map_err(failed)?)
                        .value("last_used_at", to_millis(now))
                        .and_where(Expr::col("credential_id").eq(hex::encode(key.cred_id().as_ref())))
                        .to_owned(),
                )
                .await?;
            }
        }
        let found = db
            .fetch_optional(&Query::select().columns(COLUMNS).from("accounts").and_where(Expr::col("id").eq(account_id.clone())).to_owned())
            .await?
            .ok_or(IdentityError::InvalidCredentials)?;
        let account = from_row(&found)?;
        let token = crate::start_session_by(db, ledger, &account, user_agent, "passkey").await?;
        Ok((account, token))
    }

    /// How many passkeys an account has.
    pub async fn count(db: &Db, account: &Account) -> Result<usize, IdentityError> {
        Ok(Self::keys_of(db, &account.id.to_string()).await?.len())
    }
}
