//! Sign in with Tamar (OpenID Connect): the error codes this module owns. Stable once published; each has a message in
//! the three languages (`error-` followed by the code).

use tamar_core::{Code, ErrorKind};

pub const SECTOR_IDENTIFIER_REQUIRED: Code = Code::new("sector_identifier_required", ErrorKind::Unprocessable);

/// Every code of this module, for its module declaration.
pub const ALL: &[Code] = &[SECTOR_IDENTIFIER_REQUIRED];
