//! Stable error codes.
//!
//! Every error a user can see has a code from this list. The API returns it as `code`, the
//! interface translates it (the Fluent key is `error-` followed by the code), and clients may
//! match on it: a code, once published, never changes meaning.

/// What kind of failure a code is; the web layer maps each kind to one HTTP status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
    /// This node has as much of this kind of work as it takes on; try again shortly (503 with
    /// `Retry-After`). Expected under load, so not logged as a fault.
    Busy,
    /// A fault of ours; details are logged, never shown (500).
    Internal,
}

/// A stable, user-facing error code: its text and what kind of failure it is.
///
/// The kernel's codes are here; each module owns the codes of its own domain (`codes.rs` in its
/// crate) and lists them in its module declaration, so adding one recompiles only that module.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Code {
    text: &'static str,
    kind: ErrorKind,
}

impl Code {
    /// A code: lowercase snake case, unique across the platform (a test checks every module's).
    pub const fn new(text: &'static str, kind: ErrorKind) -> Self {
        Self { text, kind }
    }

    pub fn as_str(self) -> &'static str {
        self.text
    }

    pub fn kind(self) -> ErrorKind {
        self.kind
    }

    pub const BAD_REQUEST: Code = Code::new("bad_request", ErrorKind::BadRequest);
    pub const INVALID_JSON: Code = Code::new("invalid_json", ErrorKind::BadRequest);
    pub const INVALID_FORM: Code = Code::new("invalid_form", ErrorKind::BadRequest);
    pub const INVALID_QUERY: Code = Code::new("invalid_query", ErrorKind::BadRequest);
    pub const INVALID_INPUT: Code = Code::new("invalid_input", ErrorKind::Unprocessable);
    pub const UNAUTHENTICATED: Code = Code::new("unauthenticated", ErrorKind::Unauthenticated);
    pub const MFA_REQUIRED: Code = Code::new("mfa_required", ErrorKind::Forbidden);
    pub const REAUTHENTICATION_REQUIRED: Code = Code::new("reauthentication_required", ErrorKind::Forbidden);
    pub const CONFLICT: Code = Code::new("conflict", ErrorKind::Conflict);
    pub const FORBIDDEN: Code = Code::new("forbidden", ErrorKind::Forbidden);
    pub const CSRF_FAILED: Code = Code::new("csrf_failed", ErrorKind::Forbidden);
    pub const NOT_FOUND: Code = Code::new("not_found", ErrorKind::NotFound);
    pub const METHOD_NOT_ALLOWED: Code = Code::new("method_not_allowed", ErrorKind::MethodNotAllowed);
    pub const PAYLOAD_TOO_LARGE: Code = Code::new("payload_too_large", ErrorKind::PayloadTooLarge);
    pub const UNSUPPORTED_MEDIA_TYPE: Code = Code::new("unsupported_media_type", ErrorKind::UnsupportedMediaType);
    pub const TOO_MANY_REQUESTS: Code = Code::new("too_many_requests", ErrorKind::TooManyRequests);
    pub const TIMEOUT: Code = Code::new("timeout", ErrorKind::Timeout);
    pub const UNAVAILABLE: Code = Code::new("unavailable", ErrorKind::Unavailable);
    pub const BUSY: Code = Code::new("busy", ErrorKind::Busy);
    pub const INTERNAL: Code = Code::new("internal", ErrorKind::Internal);

    /// The kernel's codes, which any module may answer with.
    pub const KERNEL: &'static [Code] = &[Code::BAD_REQUEST, Code::INVALID_JSON, Code::INVALID_FORM, Code::INVALID_QUERY, Code::INVALID_INPUT, Code::UNAUTHENTICATED, Code::MFA_REQUIRED, Code::REAUTHENTICATION_REQUIRED, Code::CONFLICT, Code::FORBIDDEN, Code::CSRF_FAILED, Code::NOT_FOUND, Code::METHOD_NOT_ALLOWED, Code::PAYLOAD_TOO_LARGE, Code::UNSUPPORTED_MEDIA_TYPE, Code::TOO_MANY_REQUESTS, Code::TIMEOUT, Code::UNAVAILABLE, Code::BUSY, Code::INTERNAL];
}

/// Implemented by every domain error, so the web layer can answer with the right code.
pub trait HasCode {
    fn code(&self) -> Code;

    /// For input that breaks a rule: which field, and which rule.
    fn details(&self) -> Vec<FieldError> {
        Vec::new()
    }
}

/// One field of the input that breaks a rule, for the `details` of a validation error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub rule: Rule,
}

/// The rules that input is checked against, each with a stable code that the API returns in
/// `details` and the interface translates (`rule-` followed by the code).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rule {
    /// A value must be given.
    Required,
    /// The value is longer than allowed.
    TooLong,
    /// The value holds control characters.
    ControlCharacters,
    /// The value is not of the expected form (an email address, a date, an https address).
    Format,
    /// The value is not one of those allowed (a topic, a channel, a department).
    UnknownValue,
    /// The value is out of the allowed range (a date in the future, a negative count).
    OutOfRange,
    /// The value does not go with the rest of the input.
    Inconsistent,
}

impl Rule {
    pub const ALL: [Rule; 7] = [Rule::Required, Rule::TooLong, Rule::ControlCharacters, Rule::Format, Rule::UnknownValue, Rule::OutOfRange, Rule::Inconsistent];

    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Required => "required",
            Rule::TooLong => "too_long",
            Rule::ControlCharacters => "control_characters",
            Rule::Format => "format",
            Rule::UnknownValue => "unknown_value",
            Rule::OutOfRange => "out_of_range",
            Rule::Inconsistent => "inconsistent",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Code;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_snake_case() {
        let mut seen = HashSet::new();
        for code in Code::KERNEL {
            let text = code.as_str();
            assert!(seen.insert(text), "duplicate code {text}");
            assert!(text.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{text}");
        }
    }
}
