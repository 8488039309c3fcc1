//! Who may call a route, declared with the route and enforced before its handler runs.
//!
//! Every method of every route is registered through [`get`], [`post`], [`put`] or
//! [`delete`] with an [`Access`]: a route cannot be registered without saying who may call it.
//! A layer on that method refuses everyone else (`unauthenticated` for nobody signed in, pages
//! sending them to sign in; `forbidden` for the wrong person) before any extractor or handler
//! runs. Handlers still take the matching extractor (`Authorized<Officers>`), which gives them
//! the actor; both answer the same question through [`Access::allows`], so they cannot disagree.
//!
//! What a route's path names (a department's thing, a person's thing) is declared too, as its
//! [`Scope`]: the domain decides those (an officer of another department, or another person,
//! is refused there), and the authorization matrix test checks each outcome against it.

use axum::extract::Request;
use axum::handler::Handler;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter};
use tamar_core::{Actor, Code, Role};
use tamar_identity::Account;

use crate::{AppState, WebError};

/// Who is making the request, resolved once per request from the session cookie.
#[derive(Clone, Debug)]
pub struct Session {
    pub actor: Actor,
    pub account: Option<Account>,
    pub token: Option<String>,
    /// When the holder last signed in with their credentials.
    pub authenticated_at: Option<chrono::DateTime<chrono::Utc>>,
    /// How: `password` or `passkey`.
    pub method: Option<String>,
}

impl Session {
    pub(crate) fn anonymous() -> Self {
        Self { actor: Actor::Anonymous, account: None, token: None, authenticated_at: None, method: None }
    }
}

/// Who may call one method of a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Anyone signed in, even an officer who has yet to set up a second factor: only for
    /// setting one up and signing out.
    AnySession,
    /// Anyone signed in: citizens, officers and administrators.
    SignedIn,
    /// Citizens (members of the public and businesses), not officers.
    Citizen,
    /// Officers holding at least one of these roles; any officer when the list is empty.
    Officer(&'static [Role]),
    /// A department's administrators, or the platform's.
    Administrator,
    /// Operators of the platform.
    PlatformAdmin,
    /// A registered service, by its client credentials or an access token issued to it. The
    /// browser's cookies are not looked at; the handler authenticates the service.
    Client,
}

impl Access {
    /// Any officer of any department.
    pub const OFFICER: Access = Access::Officer(&[]);

    /// Whether `actor` may call. For [`Access::Client`] the caller is a service, which the
    /// handler authenticates: no actor of a session is one.
    pub fn allows(self, actor: &Actor) -> bool {
        let signed_in = !matches!(actor, Actor::Anonymous | Actor::System);
        match self {
            Access::Public => true,
            Access::AnySession | Access::SignedIn => signed_in,
            Access::Citizen => matches!(actor, Actor::Citizen { .. }),
            Access::Officer(roles) => matches!(actor, Actor::Officer { .. }) && (roles.is_empty() || roles.iter().any(|r| actor.has_role(*r))),
            Access::Administrator => actor.has_role(Role::DepartmentAdmin) || matches!(actor, Actor::PlatformAdmin { .. }),
            Access::PlatformAdmin => matches!(actor, Actor::PlatformAdmin { .. }),
            Access::Client => false,
        }
    }

    /// Whether the caller must be signed in (as opposed to public, or a service).
    pub fn needs_session(self) -> bool {
        !matches!(self, Access::Public | Access::Client)
    }

    /// Whether an officer or administrator who has not set up a second factor may pass.
    pub fn before_mfa(self) -> bool {
        matches!(self, Access::AnySession)
    }

    /// The decision for a request's session: `Ok` to go on, else the error to answer with.
    pub fn check(self, session: &Session) -> Result<(), Code> {
        if !self.needs_session() {
            return Ok(());
        }
        let Some(account) = session.account.as_ref().filter(|_| session.token.is_some()) else {
            return Err(Code::UNAUTHENTICATED);
        };
        if !self.allows(&session.actor) {
            return Err(Code::FORBIDDEN);
        }
        // A passkey with user verification is already two factors.
        let by_passkey = session.method.as_deref() == Some("passkey");
        if !self.before_mfa() && tamar_identity::mfa::mfa_required(&session.actor) && !account.mfa && !by_passkey {
            return Err(Code::MFA_REQUIRED);
        }
        Ok(())
    }
}

/// What a route's path names, beyond who may call it: whose thing it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Scope {
    /// Nothing that belongs to one department or one person (or the caller's own, unnamed).
    #[default]
    Open,
    /// Something of one department (a content item, an app, the department itself): an officer
    /// of another department is refused, a platform administrator is not.
    Department,
    /// Something of one person (an inbox message, a session, a signing request): anyone else is
    /// refused, and does not learn that it exists.
    Owner,
}

/// One method of a route with who may call it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MethodRule {
    pub method: Method,
    pub access: Access,
}

/// The methods of one route, each with its [`Access`], and the route's [`Scope`].
pub struct Methods {
    pub(crate) router: MethodRouter<AppState>,
    pub rules: Vec<MethodRule>,
    pub scope: Scope,
}

async fn enforce(access: Access, req: Request, next: Next) -> Response {
    let decision = match req.extensions().get::<Session>() {
        Some(session) => access.check(session),
        None if access.needs_session() => Err(Code::UNAUTHENTICATED),
        None => Ok(()),
    };
    match decision {
        Ok(()) => next.run(req).await,
        Err(code) => WebError::new(code).into_response(),
    }
}

fn one<H, T>(filter: MethodFilter, access: Access, handler: H) -> MethodRouter<AppState>
where
    H: Handler<T, AppState>,
    T: 'static,
{
    axum::routing::on(filter, handler).route_layer(axum::middleware::from_fn(move |req: Request, next: Next| enforce(access, req, next)))
}

impl Methods {
    fn with<H, T>(mut self, method: Method, filter: MethodFilter, access: Access, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.rules.push(MethodRule { method, access });
        self.router = self.router.merge(one(filter, access, handler));
        self
    }

    /// GET (and HEAD, which axum answers with the GET handler).
    pub fn get<H: Handler<T, AppState>, T: 'static>(self, access: Access, handler: H) -> Self {
        self.with(Method::GET, MethodFilter::GET, access, handler)
    }

    pub fn post<H: Handler<T, AppState>, T: 'static>(self, access: Access, handler: H) -> Self {
        self.with(Method::POST, MethodFilter::POST, access, handler)
    }

    pub fn put<H: Handler<T, AppState>, T: 'static>(self, access: Access, handler: H) -> Self {
        self.with(Method::PUT, MethodFilter::PUT, access, handler)
    }

    pub fn delete<H: Handler<T, AppState>, T: 'static>(self, access: Access, handler: H) -> Self {
        self.with(Method::DELETE, MethodFilter::DELETE, access, handler)
    }

    /// Declares what the route's path names.
    pub fn scoped(mut self, scope: Scope) -> Self {
        self.scope = scope;
        self
    }
}

fn empty() -> Methods {
    Methods { router: MethodRouter::new(), rules: Vec::new(), scope: Scope::Open }
}

/// A route's GET, and who may call it.
pub fn get<H: Handler<T, AppState>, T: 'static>(access: Access, handler: H) -> Methods {
    empty().get(access, handler)
}

pub fn post<H: Handler<T, AppState>, T: 'static>(access: Access, handler: H) -> Methods {
    empty().post(access, handler)
}

pub fn put<H: Handler<T, AppState>, T: 'static>(access: Access, handler: H) -> Methods {
    empty().put(access, handler)
}

pub fn delete<H: Handler<T, AppState>, T: 'static>(access: Access, handler: H) -> Methods {
    empty().delete(access, handler)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tamar_core::{AccountId, DepartmentId};

    #[test]
    fn each_access_allows_exactly_its_callers() {
        let officer = |roles: Vec<Role>| Actor::Officer { account: AccountId::new(), department: DepartmentId::new(), roles };
        let citizen = Actor::Citizen { account: AccountId::new() };
        let admin = Actor::PlatformAdmin { account: AccountId::new() };
        let editor = officer(vec![Role::ContentEditor]);
        let dept_admin = officer(vec![Role::DepartmentAdmin]);
        let plain = officer(vec![]);
        let everyone = [&Actor::Anonymous, &citizen, &editor, &dept_admin, &plain, &admin, &Actor::System];
        let allowed = |access: Access| everyone.iter().map(|a| access.allows(a)).collect::<Vec<_>>();
        assert_eq!(allowed(Access::Public), [true; 7]);
        assert_eq!(allowed(Access::SignedIn), [false, true, true, true, true, true, false]);
        assert_eq!(allowed(Access::Citizen), [false, true, false, false, false, false, false]);
        assert_eq!(allowed(Access::OFFICER), [false, false, true, true, true, false, false]);
        assert_eq!(allowed(Access::Officer(&[Role::ContentEditor])), [false, false, true, false, false, false, false]);
        assert_eq!(allowed(Access::Administrator), [false, false, false, true, false, true, false]);
        assert_eq!(allowed(Access::PlatformAdmin), [false, false, false, false, false, true, false]);
        assert_eq!(allowed(Access::Client), [false; 7], "a service is never a session's actor");
    }
}
