//! What the JSON API answers: views made for it, each built from a domain struct by an explicit
//! `From`, with exactly the fields the API promises. Domain structs are never serialized to a
//! client directly, so a field added to one reaches nobody until a view names it.
//!
//! Each view declares the personal fields it may carry ([`View::PERSONAL`]); [`ViewJson`]
//! writes the declaration into the response's extensions ([`PersonalFields`]), where the
//! integration tests read it and check every JSON GET route's body against it.

use axum::Json;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use tamar_core::{AccountId, DepartmentId, LocalizedText, Role};
use tamar_identity::{Account, AccountKind, Assurance};
use tamar_portal::apps::{AppVersion, MobileApp, UsageReport};
use tamar_portal::catalogue::Channel;
use tamar_portal::content::{Content, ServiceDetails, VersionState};
use tamar_portal::inbox::{Message, MessageId, MessageKind};
use tamar_tenancy::Department;

/// A type the API answers with.
pub trait View: Serialize {
    /// The JSON keys, at any depth, that hold a person's details and that this view may carry
    /// (`email`, `address`). An empty list: no personal details at all.
    const PERSONAL: &'static [&'static str];
}

impl<T: View> View for Vec<T> {
    const PERSONAL: &'static [&'static str] = T::PERSONAL;
}

/// The personal fields a response may carry, as its view declared them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PersonalFields(pub &'static [&'static str]);

/// A JSON response made from a view.
pub struct ViewJson<T>(pub T);

impl<T: View> IntoResponse for ViewJson<T> {
    fn into_response(self) -> Response {
        let mut response = Json(self.0).into_response();
        response.extensions_mut().insert(PersonalFields(T::PERSONAL));
        response
    }
}

/// A bureau or department.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DepartmentView {
    pub id: DepartmentId,
    /// Short uppercase code, e.g. `IMMD`.
    pub code: String,
    pub name: LocalizedText,
    pub website: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl View for DepartmentView {
    const PERSONAL: &'static [&'static str] = &[];
}

impl From<Department> for DepartmentView {
    fn from(d: Department) -> Self {
        DepartmentView { id: d.id, code: d.code, name: d.name, website: d.website, created_at: d.created_at }
    }
}

/// An officer, as their department's administrators manage them: no home address, phone,
/// Chinese name or identity document, which the department has no need of.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OfficerView {
    pub id: AccountId,
    pub display_name: String,
    /// The work email address, which the officer signs in with.
    pub email: String,
    pub department: Option<DepartmentId>,
    pub roles: Vec<Role>,
    /// Two-factor sign-in is set up; officers can act only once it is.
    pub mfa: bool,
}

impl View for OfficerView {
    const PERSONAL: &'static [&'static str] = &["display_name", "email"];
}

impl From<Account> for OfficerView {
    fn from(a: Account) -> Self {
        OfficerView { id: a.id, display_name: a.display_name, email: a.email, department: a.department, roles: a.roles, mfa: a.mfa }
    }
}

/// The signed-in person's own account, with the details they keep for services to fill in.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AccountView {
    pub id: AccountId,
    pub kind: AccountKind,
    pub email: String,
    /// The name in English (or as the person writes it in Latin letters).
    pub display_name: String,
    /// The name in Chinese, if the person has one.
    pub name_zh: Option<String>,
    pub department: Option<DepartmentId>,
    pub roles: Vec<Role>,
    pub assurance: Assurance,
    /// The HKID as it may be shown, `A123***(3)`, once identity is verified.
    pub hkid_masked: Option<String>,
    /// Two-factor sign-in (TOTP) is on.
    pub mfa: bool,
    /// Postal address, for services the person lets fill in forms (e-ME).
    pub address: Option<String>,
    /// Phone number, likewise.
    pub phone: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl View for AccountView {
    const PERSONAL: &'static [&'static str] = &["email", "display_name", "name_zh", "hkid_masked", "address", "phone"];
}

impl From<Account> for AccountView {
    fn from(a: Account) -> Self {
        AccountView {
            id: a.id,
            kind: a.kind,
            email: a.email,
            display_name: a.display_name,
            name_zh: a.name_zh,
            department: a.department,
            roles: a.roles,
            assurance: a.assurance,
            hkid_masked: a.hkid_masked,
            mfa: a.mfa,
            address: a.address,
            phone: a.phone,
            created_at: a.created_at,
        }
    }
}

/// The service-specific part of a service entry.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ServiceView {
    pub eligibility: LocalizedText,
    pub fees: LocalizedText,
    /// Markdown.
    pub how_to_apply: LocalizedText,
    pub processing_time: LocalizedText,
    pub channels: Vec<Channel>,
    pub online_url: Option<String>,
    /// The code of a Tamar e-service that delivers it.
    pub eservice: Option<String>,
}

impl From<ServiceDetails> for ServiceView {
    fn from(s: ServiceDetails) -> Self {
        ServiceView {
            eligibility: s.eligibility,
            fees: s.fees,
            how_to_apply: s.how_to_apply,
            processing_time: s.processing_time,
            channels: s.channels,
            online_url: s.online_url,
            eservice: s.eservice,
        }
    }
}

/// A published version's content, in the three languages.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ContentView {
    pub title: LocalizedText,
    pub summary: LocalizedText,
    /// Markdown.
    pub body: LocalizedText,
    pub service: Option<ServiceView>,
    pub topics: Vec<String>,
    pub audiences: Vec<String>,
    /// Whether some Simplified Chinese text was converted from the Traditional, rather than
    /// written by hand. The Traditional Chinese text prevails.
    pub sc_converted: bool,
}

impl From<Content> for ContentView {
    fn from(c: Content) -> Self {
        ContentView {
            title: c.title,
            summary: c.summary,
            body: c.body,
            service: c.service.map(ServiceView::from),
            topics: c.topics,
            audiences: c.audiences,
            sc_converted: c.sc_converted,
        }
    }
}

/// A message or a to-do in a person's inbox.
#[derive(Serialize, utoipa::ToSchema)]
pub struct MessageView {
    pub id: MessageId,
    pub kind: MessageKind,
    /// The department that sent it.
    pub department: DepartmentId,
    pub subject: LocalizedText,
    pub body: LocalizedText,
    /// For to-dos: the day it must be done by (Hong Kong time).
    pub due_on: Option<NaiveDate>,
    pub sent_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
    pub done_at: Option<DateTime<Utc>>,
}

impl View for MessageView {
    const PERSONAL: &'static [&'static str] = &[];
}

impl From<Message> for MessageView {
    fn from(m: Message) -> Self {
        MessageView {
            id: m.id,
            kind: m.kind,
            department: m.department,
            subject: m.subject,
            body: m.body,
            due_on: m.due_on,
            sent_at: m.sent_at,
            read_at: m.read_at,
            done_at: m.done_at,
        }
    }
}

/// A published government mobile app.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AppView {
    pub slug: String,
    pub department: DepartmentId,
    pub department_code: String,
    pub name: LocalizedText,
    pub summary: LocalizedText,
    pub ios_url: Option<String>,
    pub android_url: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Downloads reported, all days summed.
    pub downloads: i64,
    /// Active users on the latest reported day.
    pub active_users: i64,
}

impl View for AppView {
    const PERSONAL: &'static [&'static str] = &[];
}

impl AppView {
    pub fn new(app: MobileApp, department_code: String) -> Self {
        AppView {
            slug: app.slug,
            department: app.department,
            department_code,
            name: app.name,
            summary: app.summary,
            ios_url: app.ios_url,
            android_url: app.android_url,
            created_at: app.created_at,
            downloads: app.downloads,
            active_users: app.active_users,
        }
    }
}

/// One version of an app's entry, as its department's officers work on it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AppVersionView {
    pub slug: String,
    pub number: i32,
    pub state: VersionState,
    pub department: DepartmentId,
    pub name: LocalizedText,
    pub summary: LocalizedText,
    pub ios_url: Option<String>,
    pub android_url: Option<String>,
    /// The officer who saved it last.
    pub author: Option<AccountId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The officer who approved or rejected it.
    pub reviewer: Option<AccountId>,
    pub review_note: Option<String>,
}

impl View for AppVersionView {
    /// Which officers wrote and reviewed it, for their colleagues in the department.
    const PERSONAL: &'static [&'static str] = &["author", "reviewer"];
}

impl From<AppVersion> for AppVersionView {
    fn from(v: AppVersion) -> Self {
        AppVersionView {
            slug: v.slug,
            number: v.number,
            state: v.state,
            department: v.department,
            name: v.name,
            summary: v.summary,
            ios_url: v.ios_url,
            android_url: v.android_url,
            author: v.author,
            created_at: v.created_at,
            updated_at: v.updated_at,
            reviewer: v.reviewer,
            review_note: v.review_note,
        }
    }
}

/// One day's figures for an app.
#[derive(Serialize, utoipa::ToSchema)]
pub struct UsageView {
    pub day: NaiveDate,
    pub downloads: i64,
    pub active_users: i64,
}

impl View for UsageView {
    const PERSONAL: &'static [&'static str] = &[];
}

impl From<UsageReport> for UsageView {
    fn from(u: UsageReport) -> Self {
        UsageView { day: u.day, downloads: u.downloads, active_users: u.active_users }
    }
}

/// A signed tree head, named as in Certificate Transparency's `get-sth`. Binary values are
/// base64.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TreeHeadView {
    pub tree_size: u64,
    /// Milliseconds since the Unix epoch.
    pub timestamp: i64,
    pub sha256_root_hash: String,
    /// Ed25519 over RFC 6962's TreeHeadSignature structure.
    pub tree_head_signature: String,
    /// The log's Ed25519 public key.
    pub public_key: String,
    pub signature_algorithm: &'static str,
}

impl View for TreeHeadView {
    const PERSONAL: &'static [&'static str] = &[];
}

impl From<tamar_ledger::SthView> for TreeHeadView {
    fn from(h: tamar_ledger::SthView) -> Self {
        TreeHeadView {
            tree_size: h.tree_size,
            timestamp: h.timestamp,
            sha256_root_hash: h.sha256_root_hash,
            tree_head_signature: h.tree_head_signature,
            public_key: h.public_key,
            signature_algorithm: h.signature_algorithm,
        }
    }
}

/// An audit path, named as in Certificate Transparency's `get-proof-by-hash`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct InclusionProofView {
    pub leaf_index: u64,
    pub tree_size: u64,
    /// The leaf's hash, SHA-256(0x00 ‖ entry), base64.
    pub leaf_hash: String,
    /// Sibling hashes from the leaf up, base64.
    pub audit_path: Vec<String>,
}

impl View for InclusionProofView {
    const PERSONAL: &'static [&'static str] = &[];
}

impl From<tamar_ledger::InclusionProof> for InclusionProofView {
    fn from(p: tamar_ledger::InclusionProof) -> Self {
        InclusionProofView { leaf_index: p.leaf_index, tree_size: p.tree_size, leaf_hash: p.leaf_hash, audit_path: p.audit_path }
    }
}

/// A consistency proof, named as in Certificate Transparency's `get-sth-consistency`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ConsistencyProofView {
    pub first: u64,
    pub second: u64,
    /// base64 hashes.
    pub consistency: Vec<String>,
}

impl View for ConsistencyProofView {
    const PERSONAL: &'static [&'static str] = &[];
}

impl From<tamar_ledger::ConsistencyProof> for ConsistencyProofView {
    fn from(p: tamar_ledger::ConsistencyProof) -> Self {
        ConsistencyProofView { first: p.first, second: p.second, consistency: p.consistency }
    }
}

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

/// The answer to a service that asks for a signature.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SigningRequestView {
    pub id: String,
    /// Shown by the service and by Tamar, for the person to compare.
    pub short_code: String,
    pub expires_at: DateTime<Utc>,
}

impl View for SigningRequestView {
    const PERSONAL: &'static [&'static str] = &[];
}

impl From<tamar_signing::SigningRequest> for SigningRequestView {
    fn from(r: tamar_signing::SigningRequest) -> Self {
        SigningRequestView { id: r.id, short_code: r.short_code, expires_at: r.expires_at }
    }
}

/// What the service that asked for a signature collects.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SigningOutcomeView {
    pub id: String,
    /// pending, signed, declined or expired.
    pub status: String,
    /// DER ECDSA P-256 signature over the 32-byte document hash, base64.
    pub signature: Option<String>,
    /// The signer's certificate, PEM (it names the signer).
    pub certificate: Option<String>,
    /// The signer's pairwise subject at this service, as in its ID tokens.
    pub sub: Option<String>,
}

impl View for SigningOutcomeView {
    const PERSONAL: &'static [&'static str] = &["certificate", "sub"];
}

impl From<tamar_signing::SigningOutcome> for SigningOutcomeView {
    fn from(o: tamar_signing::SigningOutcome) -> Self {
        SigningOutcomeView { id: o.id, status: o.status, signature: o.signature, certificate: o.certificate, sub: o.sub }
    }
}

/// Who signed, from their certificate.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SignerView {
    pub name: String,
    /// The certificate's subject serial number: stable for the person, and not their HKID.
    pub serial: String,
}

impl From<tamar_signing::Signer> for SignerView {
    fn from(s: tamar_signing::Signer) -> Self {
        SignerView { name: s.name, serial: s.serial }
    }
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

    #[test]
    fn a_view_json_response_carries_its_declaration() {
        let response = ViewJson(vec![UsageView { day: NaiveDate::MIN, downloads: 1, active_users: 1 }]).into_response();
        assert_eq!(response.extensions().get::<PersonalFields>(), Some(&PersonalFields(&[])));
        let response = ViewJson(UserInfoView(Default::default())).into_response();
        assert_eq!(response.extensions().get::<PersonalFields>(), Some(&PersonalFields(UserInfoView::PERSONAL)));
    }
}
