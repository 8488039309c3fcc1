//! What the OpenID Connect endpoints answer (see `tamar_web::views`).

use chrono::{DateTime, Utc};
use serde::Serialize;
use tamar_core::LocalizedText;
use tamar_web::views::View;

/// A registered relying party, without its secret (which is stored only as a hash).
#[derive(Serialize, utoipa::ToSchema)]
pub struct ClientView {
    pub client_id: String,
    pub name: LocalizedText,
    /// Why the service asks for people's details: shown on the consent screen.
    pub purpose: LocalizedText,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub scopes: Vec<String>,
    /// Pairwise subjects are computed per sector: the host of the redirect URIs, or of the
    /// sector identifier URI.
    pub sector: String,
    pub sector_identifier_uri: Option<String>,
}

impl View for ClientView {
    const PERSONAL: &'static [&'static str] = &[];
}

impl From<tamar_oidc::Client> for ClientView {
    fn from(c: tamar_oidc::Client) -> Self {
        ClientView {
            client_id: c.client_id,
            name: c.name,
            purpose: c.purpose,
            redirect_uris: c.redirect_uris,
            post_logout_redirect_uris: c.post_logout_redirect_uris,
            scopes: c.scopes,
            sector: c.sector,
            sector_identifier_uri: c.sector_identifier_uri,
        }
    }
}

/// The answer to a registration: the secret is shown this once.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RegisteredClientView {
    #[serde(flatten)]
    pub client: ClientView,
    pub client_secret: String,
}

impl View for RegisteredClientView {
    const PERSONAL: &'static [&'static str] = &[];
}

impl From<tamar_oidc::RegisteredClient> for RegisteredClientView {
    fn from(r: tamar_oidc::RegisteredClient) -> Self {
        RegisteredClientView { client: r.client.into(), client_secret: r.client_secret }
    }
}

/// Where an ID token signing key is in its life.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum KeyStateView {
    /// Published, signing from `signs_from`.
    Next,
    /// Signing.
    Current,
    /// Replaced, still published.
    Previous,
    /// No longer published.
    Retired,
}

/// An ID token signing key, as an administrator sees it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct KeyView {
    pub kid: String,
    pub state: KeyStateView,
    /// When it was first published.
    pub published_at: DateTime<Utc>,
    /// When it signs (or signed) its first token.
    pub signs_from: DateTime<Utc>,
}

impl View for KeyView {
    const PERSONAL: &'static [&'static str] = &[];
}

impl From<tamar_oidc::keys::KeyInfo> for KeyView {
    fn from(k: tamar_oidc::keys::KeyInfo) -> Self {
        use tamar_oidc::keys::KeyState;
        let state = match k.state {
            KeyState::Next => KeyStateView::Next,
            KeyState::Current => KeyStateView::Current,
            KeyState::Previous => KeyStateView::Previous,
            KeyState::Retired => KeyStateView::Retired,
        };
        KeyView { kid: k.kid, state, published_at: k.published_at, signs_from: k.signs_from }
    }
}

/// A public key of the provider, as a JSON Web Key (RFC 7517).
#[derive(Serialize, utoipa::ToSchema)]
pub struct JwkView {
    pub kty: &'static str,
    #[serde(rename = "use")]
    pub use_: &'static str,
    pub alg: &'static str,
    pub kid: String,
    pub n: String,
    pub e: String,
}

/// The provider's published keys.
#[derive(Serialize, utoipa::ToSchema)]
pub struct JwksView {
    pub keys: Vec<JwkView>,
}

impl View for JwksView {
    const PERSONAL: &'static [&'static str] = &[];
}

impl From<tamar_oidc::keys::Jwks> for JwksView {
    fn from(set: tamar_oidc::keys::Jwks) -> Self {
        let keys = set.keys.into_iter().map(|k| JwkView { kty: k.kty, use_: k.use_, alg: k.alg, kid: k.kid, n: k.n, e: k.e }).collect();
        JwksView { keys }
    }
}

/// The token endpoint's answer (OpenID Connect Core §3.1.3.3).
#[derive(Serialize, utoipa::ToSchema)]
pub struct TokenView {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub id_token: String,
    pub scope: String,
}

impl View for TokenView {
    const PERSONAL: &'static [&'static str] = &[];
}

impl From<tamar_oidc::TokenResponse> for TokenView {
    fn from(t: tamar_oidc::TokenResponse) -> Self {
        TokenView { access_token: t.access_token, token_type: t.token_type, expires_in: t.expires_in, id_token: t.id_token, scope: t.scope }
    }
}

/// The UserInfo endpoint's claims: what the person consented to and lets services fill in.
#[derive(Serialize)]
#[serde(transparent)]
pub struct UserInfoView(pub tamar_oidc::flow::Claims);

impl View for UserInfoView {
    /// Every claim of `tamar_oidc::SCOPES` (a test checks that none is missing).
    const PERSONAL: &'static [&'static str] =
        &["sub", "name", "name#zh-Hant", "email", "email_verified", "hkid_masked", "hkid", "birthdate", "address", "phone_number"];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_declares_every_claim_it_can_release() {
        for (scope, claims) in tamar_oidc::SCOPES {
            for claim in claims {
                assert!(UserInfoView::PERSONAL.contains(claim), "{claim} of scope {scope}");
            }
        }
    }
}
