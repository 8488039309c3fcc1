//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0).
//!
//! A relying party sends the person to the end-session endpoint. Tamar signs them out without
//! asking only when the request proves that the client asked for this very person: an
//! `id_token_hint` that Tamar signed, whose audience is the client (and agrees with any
//! `client_id`), whose subject is this person at that client, and any
//! `post_logout_redirect_uri` registered for that client exactly. Otherwise the person is
//! asked first (the web layer shows a form, protected against cross-site requests). After
//! signing out, Tamar sends people back only to a registered address, and to none at all if
//! any check failed.

use serde::{Deserialize, Serialize};
use tamar_core::AccountId;
use tamar_store::Db;

use crate::OidcError;
use crate::clients::{self, Client};
use crate::flow::pairwise_subject;
use crate::keys::SigningKeys;

/// The parameters of the end-session endpoint, as sent (by GET or by form POST).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct LogoutRequest {
    pub id_token_hint: Option<String>,
    pub client_id: Option<String>,
    pub post_logout_redirect_uri: Option<String>,
    pub state: Option<String>,
    pub ui_locales: Option<String>,
    /// Accepted and not used: the hint is enough to know who.
    pub logout_hint: Option<String>,
}

/// What a logout request may lead to.
#[derive(Clone, Debug, Default)]
pub struct Logout {
    /// The client that asked, when it is known and the request passed every check.
    pub client: Option<Client>,
    /// Where to send the person afterwards: a post-logout address registered for the client,
    /// exactly; none when any check failed.
    pub redirect_uri: Option<String>,
    pub state: Option<String>,
    /// The request proves that the client asked to sign out this person: no need to ask them.
    pub without_asking: bool,
}

impl Logout {
    /// The address to go to after signing out, with `state` added, if there is one.
    pub fn target(&self) -> Option<String> {
        let uri = self.redirect_uri.as_ref()?;
        Some(match &self.state {
            Some(state) => {
                let sep = if uri.contains('?') { '&' } else { '?' };
                let query = url::form_urlencoded::Serializer::new(String::new()).append_pair("state", state).finish();
                format!("{uri}{sep}{query}")
            }
            None => uri.clone(),
        })
    }
}

/// The one audience of an ID token.
fn audience(claims: &serde_json::Value) -> Option<String> {
    match claims.get("aud")? {
        serde_json::Value::String(aud) => Some(aud.clone()),
        serde_json::Value::Array(list) if list.len() == 1 => list[0].as_str().map(str::to_owned),
        _ => None,
    }
}

/// Checks a logout request for the person signed in (`account`, if anyone is).
pub async fn check(db: &Db, issuer: &str, pairwise_key: &[u8], req: &LogoutRequest, account: Option<AccountId>) -> Result<Logout, OidcError> {
    let mut valid = true;
    let hint = match req.id_token_hint.as_deref() {
        None => None,
        Some(token) if token.len() > 8192 => {
            valid = false;
            None
        }
        Some(token) => match SigningKeys::verify(db, token, issuer).await {
            Ok(claims) => Some(claims),
            Err(OidcError::InvalidToken) => {
                valid = false;
                None
            }
            Err(other) => return Err(other),
        },
    };
    let from_hint = hint.as_ref().and_then(audience);
    if hint.is_some() && from_hint.is_none() {
        valid = false;
    }
    let client_id = match (from_hint, req.client_id.clone()) {
        // The client named must be the one the ID token was issued to.
        (Some(aud), Some(named)) if aud != named => {
            valid = false;
            None
        }
        (Some(aud), _) => Some(aud),
        (None, named) => named,
    };
    let client = match client_id {
        Some(id) => clients::find(db, &id).await?,
        None => None,
    };
    let state = match &req.state {
        Some(s) if s.len() > 500 || s.chars().any(char::is_control) => {
            valid = false;
            None
        }
        other => other.clone(),
    };
    let redirect_uri = match (&client, &req.post_logout_redirect_uri) {
        (Some(c), Some(uri)) if c.post_logout_redirect_uris.iter().any(|registered| registered == uri) => Some(uri.clone()),
        (_, Some(_)) => {
            valid = false;
            None
        }
        (_, None) => None,
    };
    let for_this_person = match (&hint, &client, account) {
        (Some(claims), Some(c), Some(a)) => claims.get("sub").and_then(|s| s.as_str()) == Some(pairwise_subject(pairwise_key, &c.sector, a).as_str()),
        _ => false,
    };
    // A request that failed any check carries nothing on: no client, no address, no state.
    Ok(Logout {
        without_asking: valid && for_this_person,
        redirect_uri: redirect_uri.filter(|_| valid),
        state: state.filter(|_| valid),
        client: client.filter(|_| valid),
    })
}
