//! Stable error codes.
//!
//! Every error a user can see has a code from this list. The API returns it as `code`, the
//! interface translates it (the Fluent key is `error-` followed by the code), and clients may
//! match on it: a code, once published, never changes meaning.

/// What kind of failure a code is; the web layer maps each kind to one HTTP status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The request is malformed or a value is out of range (400).
    BadRequest,
    /// Well-formed, but fails a rule of the domain (422).
    Unprocessable,
    /// Nobody is signed in, or the credentials are wrong (401).
    Unauthenticated,
    /// Signed in, but not allowed (403).
    Forbidden,
    /// No such thing, or not visible to this actor (404).
    NotFound,
    /// The method is not allowed on this path (405).
    MethodNotAllowed,
    /// Conflicts with the current state, e.g. a duplicate (409).
    Conflict,
    /// The body is larger than allowed (413).
    PayloadTooLarge,
    /// The body is of a type this endpoint does not take (415).
    UnsupportedMediaType,
    /// Too many attempts (429).
    TooManyRequests,
    /// The request took too long (408).
    Timeout,
    /// A dependency is down (503).
    Unavailable,
    /// A fault of ours; details are logged, never shown (500).
    Internal,
}

macro_rules! codes {
    ($($variant:ident => $text:literal, $kind:ident;)*) => {
        /// A stable, user-facing error code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Code { $($variant,)* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $text,)* }
            }

            pub fn kind(self) -> ErrorKind {
                match self { $(Code::$variant => ErrorKind::$kind,)* }
            }
        }
    };
}

codes! {
    BadRequest => "bad_request", BadRequest;
    InvalidJson => "invalid_json", BadRequest;
    InvalidForm => "invalid_form", BadRequest;
    InvalidQuery => "invalid_query", BadRequest;
    InvalidInput => "invalid_input", Unprocessable;
    Unauthenticated => "unauthenticated", Unauthenticated;
    InvalidCredentials => "invalid_credentials", Unauthenticated;
    WeakPassword => "weak_password", Unprocessable;
    InvalidLink => "invalid_link", BadRequest;
    InvalidHkid => "invalid_hkid", Unprocessable;
    HkidCheckDigit => "hkid_check_digit", Unprocessable;
    VerificationPending => "verification_pending", Conflict;
    IdentityTaken => "identity_taken", Conflict;
    EmailNotVerified => "email_not_verified", Forbidden;
    InvalidCode => "invalid_code", Unauthenticated;
    SignInExpired => "sign_in_expired", Unauthenticated;
    TotpAlreadyEnabled => "totp_already_enabled", Conflict;
    MfaRequired => "mfa_required", Forbidden;
    ReauthenticationRequired => "reauthentication_required", Forbidden;
    AssuranceTooLow => "assurance_too_low", Forbidden;
    Conflict => "conflict", Conflict;
    PasskeyFailed => "passkey_failed", BadRequest;
    Forbidden => "forbidden", Forbidden;
    RoleNotGrantable => "role_not_grantable", Forbidden;
    CsrfFailed => "csrf_failed", Forbidden;
    NotFound => "not_found", NotFound;
    DepartmentNotFound => "department_not_found", NotFound;
    LedgerEntryNotFound => "ledger_entry_not_found", NotFound;
    TreeSizeOutOfRange => "tree_size_out_of_range", BadRequest;
    TreeHeadNotFound => "tree_head_not_found", NotFound;
    MethodNotAllowed => "method_not_allowed", MethodNotAllowed;
    DepartmentCodeTaken => "department_code_taken", Conflict;
    SlugTaken => "slug_taken", Conflict;
    ContentState => "content_state", Conflict;
    SecondReviewerRequired => "second_reviewer_required", Forbidden;
    EmailTaken => "email_taken", Conflict;
    SectorIdentifierRequired => "sector_identifier_required", Unprocessable;
    PayloadTooLarge => "payload_too_large", PayloadTooLarge;
    UnsupportedMediaType => "unsupported_media_type", UnsupportedMediaType;
    TooManyRequests => "too_many_requests", TooManyRequests;
    Timeout => "timeout", Timeout;
    Unavailable => "unavailable", Unavailable;
    Internal => "internal", Internal;
}

/// Implemented by every domain error, so the web layer can answer with the right code.
pub trait HasCode {
    fn code(&self) -> Code;
}

#[cfg(test)]
mod tests {
    use super::Code;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_snake_case() {
        let mut seen = HashSet::new();
        for code in Code::ALL {
            let text = code.as_str();
            assert!(seen.insert(text), "duplicate code {text}");
            assert!(text.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{text}");
        }
    }
}
