//! What the account forms share: the proof fields of sensitive changes, how an identity error
//! reads to people, and which errors they can mend by trying again.

use axum::http::StatusCode;
use serde::Deserialize;
use tamar_core::{HasCode, Lang};
use tamar_identity::IdentityError;
use tamar_identity::guard::Proof;
use tamar_web::i18n;

/// The message for a domain error, in the page's language.
pub(crate) fn message(lang: Lang, error: &IdentityError) -> String {
    match error {
        IdentityError::WeakPassword(why) => i18n::t(lang, &format!("password-{why}")),
        IdentityError::Invalid { field, .. } => {
            i18n::t_args(lang, "form-invalid-field", &[("field", i18n::t(lang, &format!("field-{}", field.replace(['.', '_'], "-"))))])
        }
        other => i18n::t(lang, &format!("error-{}", other.code().as_str())),
    }
}

/// The proof fields that forms of sensitive changes carry.
#[derive(Default, Deserialize)]
pub struct ProofFields {
    #[serde(default)]
    pub proof_password: String,
    #[serde(default)]
    pub proof_code: String,
}

impl ProofFields {
    pub fn proof(&self) -> Proof<'_> {
        Proof { password: &self.proof_password, code: &self.proof_code }
    }
}

/// Errors that a person can mend by trying again, with the status to answer.
pub(crate) fn mendable(error: &IdentityError) -> Option<StatusCode> {
    match error {
        IdentityError::InvalidCredentials | IdentityError::InvalidCode => Some(StatusCode::UNAUTHORIZED),
        IdentityError::TooManyAttempts => Some(StatusCode::TOO_MANY_REQUESTS),
        IdentityError::WeakPassword(_) | IdentityError::Invalid { .. } => Some(StatusCode::UNPROCESSABLE_ENTITY),
        _ => None,
    }
}

