//! The mail that the account pages send: verification links, and how the notice of a sensitive
//! change is written.

use tamar_core::Lang;
use tamar_identity::guard::Notice;
use tamar_web::{AppState, WebError, i18n};

/// How the notice of a change is written: in the page's language, pointing at the account.
pub(crate) fn notice(state: &AppState, lang: Lang) -> Notice {
    Notice { lang, account_url: format!("{}/{}/account", state.config.public_url.trim_end_matches('/'), lang.prefix()) }
}

/// Sends a verification link to an address (a new one, for a change of address).
pub(crate) async fn send_verification_to(state: &AppState, lang: Lang, name: &str, to: &str, token: &str) -> Result<(), WebError> {
    let link = format!("{}/{}/verify-email?token={token}", state.config.public_url.trim_end_matches('/'), lang.prefix());
    let email = tamar_notify::Email {
        to: to.to_owned(),
        subject: i18n::t(lang, "email-verify-subject"),
        body: i18n::t_args(lang, "email-verify-body", &[("name", name.to_owned()), ("link", link)]),
    };
    tamar_notify::enqueue_now(&state.db, &email, state.ledger.now()).await?;
    Ok(())
}

