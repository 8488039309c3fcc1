//! The HTML pages, in three languages under `/en/`, `/tc/` and `/sc/`.

//! What every page shares: the page context (language, CSRF token, who is signed in), rendering,
//! the error page, safe redirects, and the platform's own pages (the language choice, static
//! assets, the transparency page). Each module's pages live in its web crate.

mod public;

pub use public::{FAVICON, STYLESHEET};

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Redirect, Response};
use tamar_core::{Actor, Code, Lang};

use crate::access::{Access, get};
use crate::csrf::CsrfToken;
use crate::extract::{PageLang, Session};
use crate::i18n;
use crate::WebError;

/// The platform's own pages and assets.
pub fn routes() -> crate::csrf::Declared {
    crate::csrf::Declared::new("")
        .form("/", get(Access::Public, public::choose_language))
        .form("/static/tamar.css", get(Access::Public, public::stylesheet))
        .form("/static/favicon.svg", get(Access::Public, public::favicon))
        .form("/{lang}", get(Access::Public, public::to_home))
        .form("/{lang}/transparency", get(Access::Public, public::transparency))
}

/// The signed-in user, as the page header needs them.
pub struct UserView {
    pub name: String,
    pub is_platform_admin: bool,
    pub is_officer: bool,
}

pub struct LangLink {
    pub href: String,
    pub label: &'static str,
    pub bcp47: &'static str,
    pub current: bool,
}

/// What every page template needs: language, where we are, the CSRF token and who is signed in.
pub struct PageContext {
    pub lang: Lang,
    /// The path after the language prefix, for the language switcher.
    pub rest: String,
    pub section: &'static str,
    csrf: Option<CsrfToken>,
    pub user: Option<UserView>,
}

impl PageContext {
    pub fn t(&self, key: &str) -> String {
        i18n::t(self.lang, key)
    }

    pub fn ta(&self, key: &str, name: &'static str, value: String) -> String {
        i18n::t_args(self.lang, key, &[(name, value)])
    }

    /// The CSRF token for this page's forms (made on first use).
    pub fn csrf(&self) -> String {
        self.csrf.as_ref().map(CsrfToken::token).unwrap_or_default()
    }

    pub fn href(&self, rest: &str) -> String {
        format!("/{}{}", self.lang.prefix(), rest)
    }

    pub fn langs(&self) -> Vec<LangLink> {
        Lang::ALL
            .into_iter()
            .map(|lang| LangLink {
                href: format!("/{}{}", lang.prefix(), self.rest),
                label: lang.endonym(),
                bcp47: lang.bcp47(),
                current: lang == self.lang,
            })
            .collect()
    }

    pub fn section(mut self, section: &'static str) -> Self {
        self.section = section;
        self
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PageContext {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let PageLang(lang) = PageLang::from_request_parts(parts, state).await?;
        let path = parts.uri.path();
        let rest = path.get(3..).filter(|r| !r.is_empty()).unwrap_or("/").to_owned();
        let csrf = parts.extensions.get::<CsrfToken>().cloned();
        let user = parts.extensions.get::<Session>().and_then(|s| {
            s.account.as_ref().map(|a| UserView {
                name: a.display_name.clone(),
                is_platform_admin: matches!(s.actor, Actor::PlatformAdmin { .. }),
                is_officer: matches!(s.actor, Actor::Officer { .. }),
            })
        });
        Ok(PageContext { lang, rest, section: "", csrf, user })
    }
}

pub fn render<T: Template>(template: &T) -> Result<Html<String>, WebError> {
    template.render().map(Html).map_err(|error| {
        tracing::error!(%error, "template failed");
        WebError::new(Code::INTERNAL)
    })
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    page: PageContext,
    code: &'a str,
    message: &'a str,
}

/// The page shown for an error; used by [`crate::error::render_errors`].
pub fn error_page(lang: Lang, code: Code, message: &str) -> String {
    let page = PageContext { lang, rest: "/".into(), section: "", csrf: None, user: None };
    ErrorPage { page, code: code.as_str(), message }.render().unwrap_or_else(|_| message.to_owned())
}

/// Only paths on this site may be redirect targets after sign-in; anything else goes to the
/// account page.
///
/// Browsers forgive a lot in a URL (they drop tabs and newlines, read `\\` as `/`, and treat
/// `//host` as another site), so the target is refused outright if it holds a control
/// character, white space or a backslash, or anything percent-encoded that decodes to one of
/// those or to a slash at the start, and it must parse, against this site, as a URL with no
/// scheme and no host of its own.
pub fn safe_next(next: &str, lang: Lang) -> String {
    local_path(next).unwrap_or_else(|| format!("/{}/account", lang.prefix()))
}

/// The target as a normalised path, query and fragment on this site, if it is one.
fn local_path(next: &str) -> Option<String> {
    const BASE: &str = "https://tamar.invalid/";
    let bad = |c: char| c.is_control() || c.is_whitespace() || c == '\\';
    if next.len() >= 500 || !next.starts_with('/') || next.starts_with("//") || next.chars().any(bad) {
        return None;
    }
    // What the path says once decoded: no hidden "//", backslash or control character either.
    let hides_a_trick = |path: &str| {
        let decoded = url::form_urlencoded::parse(format!("p={}", path.replace('+', "%2B")).as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        decoded.starts_with("//") || decoded.chars().any(bad)
    };
    if hides_a_trick(next) {
        return None;
    }
    let base = url::Url::parse(BASE).ok()?;
    let target = base.join(next).ok()?;
    // Same scheme, host and port as the base: the target has none of its own. What is sent on
    // is the parsed form, and never one that a browser could read as `//host`.
    let path = &target[url::Position::BeforePath..];
    // Encoding can make the path longer: the limit holds for what is sent on too, so that
    // sending it through again gives the same.
    // Dot segments are resolved (`/%2e/%2fx` becomes `/%2fx`), so the resolved path is checked
    // again, as it would be when sent through once more.
    (target.origin() == base.origin() && path.starts_with('/') && !path.starts_with("//") && path.len() < 500 && !hides_a_trick(path))
        .then(|| path.to_owned())
}

/// Hong Kong time, for showing times to people.
pub fn hong_kong() -> chrono::FixedOffset {
    use chrono::Offset;
    chrono::FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| chrono::Utc.fix())
}

pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

#[cfg(test)]
mod tests {
    use super::local_path;
    fn is_local_path(s: &str) -> bool {
        local_path(s).is_some()
    }

    /// Found by the `safe_next` fuzz target: paths accepted once and refused when sent through
    /// again (encoding took one over the length limit; resolving dot segments made another decode
    /// to `//`).
    #[test]
    fn a_path_that_encoding_lengthens_past_the_limit_is_refused() {
        let next = format!("/{}", "<".repeat(300));
        assert_eq!(local_path(&next), None);
        // Resolving its dot segments leaves a path that decodes to `//`.
        assert_eq!(local_path("/%2e/%2fLLLL/%2e/%2e"), None);
        let fits = format!("/{}", "<".repeat(100));
        let sent = local_path(&fits).unwrap_or_default();
        assert_eq!(local_path(&sent).as_deref(), Some(sent.as_str()));
    }

    #[test]
    fn known_open_redirect_tricks_are_refused() {
        for bad in [
            "//evil.example",
            "/%09/evil.example",
            "/\t/evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/\\/evil.example",
            "/%5C/evil.example",
            "/%5c%5cevil.example",
            "/%2F/evil.example",
            "/%2f%2fevil.example",
            "/ /evil.example",
            "/\n/evil.example",
            "/%0a/evil.example",
            "/%0d%0a/evil.example",
            "/%00/evil.example",
            "https://evil.example",
            "http:evil.example",
            "javascript:alert(1)",
            "evil.example",
            "",
            "/\u{3000}/evil.example",
            "/\u{2028}/evil.example",
            "/%E3%80%80/evil.example",
            "///evil.example",
            "/.//evil.example",
        ] {
            assert!(!is_local_path(bad), "{bad:?} passed");
        }
        for good in ["/en/account", "/tc/services/renew-licence?from=search", "/sc/search?q=%E9%A6%99%E6%B8%AF#results", "/en/"] {
            assert!(is_local_path(good), "{good:?} refused");
        }
    }
}
