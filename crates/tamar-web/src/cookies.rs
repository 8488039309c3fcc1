//! The cookies Tamar sets: what each holds, and how it is marked.
//!
//! | cookie | holds | marked |
//! |---|---|---|
//! | `tamar_session` | a random session token; the database keeps only its SHA-256 | HttpOnly, SameSite=Lax, 12 hours |
//! | `tamar_csrf` | a random nonce (64 hex digits) that form tokens are derived from | HttpOnly, SameSite=Strict, until the browser closes |
//! | `tamar_mfa` | a random token of a sign-in waiting for its second factor; the database keeps its SHA-256 | HttpOnly, SameSite=Strict, 5 minutes |
//!
//! When Tamar is reached over HTTPS (`secure_cookies`, or an `https://` public URL) every cookie
//! is `Secure` and named with the `__Host-` prefix, so that no other host or path can set it.

use axum::http::HeaderMap;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

use crate::WebConfig;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TamarCookie {
    Session,
    Csrf,
    SignInChallenge,
}

impl TamarCookie {
    fn base(self) -> &'static str {
        match self {
            TamarCookie::Session => "tamar_session",
            TamarCookie::Csrf => "tamar_csrf",
            TamarCookie::SignInChallenge => "tamar_mfa",
        }
    }

    /// The cookie's name under this configuration.
    pub fn name(self, config: &WebConfig) -> &'static str {
        match (self, config.secure_cookies) {
            (_, false) => self.base(),
            (TamarCookie::Session, true) => "__Host-tamar_session",
            (TamarCookie::Csrf, true) => "__Host-tamar_csrf",
            (TamarCookie::SignInChallenge, true) => "__Host-tamar_mfa",
        }
    }

    /// The value the browser sent, if any.
    pub fn read(self, config: &WebConfig, headers: &HeaderMap) -> Option<String> {
        CookieJar::from_headers(headers).get(self.name(config)).map(|c| c.value().to_owned())
    }

    /// A cookie holding `value`.
    pub fn with_value(self, config: &WebConfig, value: String) -> Cookie<'static> {
        let mut cookie = Cookie::build((self.name(config), value)).path("/").http_only(true).secure(config.secure_cookies);
        cookie = match self {
            TamarCookie::Session => cookie
                .same_site(SameSite::Lax)
                .max_age(cookie::time::Duration::seconds(tamar_identity::SESSION_TTL.num_seconds())),
            TamarCookie::Csrf => cookie.same_site(SameSite::Strict),
            TamarCookie::SignInChallenge => cookie
                .same_site(SameSite::Strict)
                .max_age(cookie::time::Duration::seconds(tamar_identity::sign_in::CHALLENGE_TTL.num_seconds())),
        };
        cookie.build()
    }

    /// A cookie that tells the browser to forget this one.
    pub fn expired(self, config: &WebConfig) -> Cookie<'static> {
        let mut cookie = self.with_value(config, String::new());
        cookie.set_max_age(cookie::time::Duration::ZERO);
        cookie
    }
}

#[cfg(test)]
mod tests {
    use super::TamarCookie;

    fn config(secure: bool) -> crate::WebConfig {
        crate::WebConfig {
            csrf_key: vec![1; 32],
            secure_cookies: secure,
            request_timeout: std::time::Duration::from_secs(1),
            body_limit: 1024,
            public_url: "http://localhost".into(),
            pairwise_key: vec![2; 32],
            metrics_token: None,
        }
    }

    #[test]
    fn cookies_are_secure_and_host_prefixed_when_served_over_tls() {
        for kind in [TamarCookie::Session, TamarCookie::Csrf, TamarCookie::SignInChallenge] {
            let plain = kind.with_value(&config(false), "t".into()).to_string();
            let tls = kind.with_value(&config(true), "t".into()).to_string();
            for cookie in [&plain, &tls] {
                assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=") && cookie.contains("Path=/"), "{cookie}");
                assert!(!cookie.contains("Domain"), "{cookie}");
            }
            assert!(!plain.contains("Secure") && !plain.starts_with("__Host-"), "{plain}");
            assert!(tls.contains("Secure") && tls.starts_with("__Host-"), "{tls}");
            assert!(kind.expired(&config(true)).to_string().contains("Max-Age=0"));
        }
    }
}
