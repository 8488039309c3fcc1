//! Accounts, sign-in and identity verification: the error codes this module owns. Stable once published; each has a message in
//! the three languages (`error-` followed by the code).

use tamar_core::{Code, ErrorKind};

pub const INVALID_CREDENTIALS: Code = Code::new("invalid_credentials", ErrorKind::Unauthenticated);
pub const WEAK_PASSWORD: Code = Code::new("weak_password", ErrorKind::Unprocessable);
pub const INVALID_LINK: Code = Code::new("invalid_link", ErrorKind::BadRequest);
pub const INVALID_HKID: Code = Code::new("invalid_hkid", ErrorKind::Unprocessable);
pub const HKID_CHECK_DIGIT: Code = Code::new("hkid_check_digit", ErrorKind::Unprocessable);
pub const VERIFICATION_PENDING: Code = Code::new("verification_pending", ErrorKind::Conflict);
pub const IDENTITY_TAKEN: Code = Code::new("identity_taken", ErrorKind::Conflict);
pub const EMAIL_NOT_VERIFIED: Code = Code::new("email_not_verified", ErrorKind::Forbidden);
pub const INVALID_CODE: Code = Code::new("invalid_code", ErrorKind::Unauthenticated);
pub const SIGN_IN_EXPIRED: Code = Code::new("sign_in_expired", ErrorKind::Unauthenticated);
pub const TOTP_ALREADY_ENABLED: Code = Code::new("totp_already_enabled", ErrorKind::Conflict);
pub const PASSKEY_FAILED: Code = Code::new("passkey_failed", ErrorKind::BadRequest);
pub const ROLE_NOT_GRANTABLE: Code = Code::new("role_not_grantable", ErrorKind::Forbidden);
pub const EMAIL_TAKEN: Code = Code::new("email_taken", ErrorKind::Conflict);

/// Every code of this module, for its module declaration.
pub const ALL: &[Code] = &[INVALID_CREDENTIALS, WEAK_PASSWORD, INVALID_LINK, INVALID_HKID, HKID_CHECK_DIGIT, VERIFICATION_PENDING, IDENTITY_TAKEN, EMAIL_NOT_VERIFIED, INVALID_CODE, SIGN_IN_EXPIRED, TOTP_ALREADY_ENABLED, PASSKEY_FAILED, ROLE_NOT_GRANTABLE, EMAIL_TAKEN];
