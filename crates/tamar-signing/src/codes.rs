//! Digital signing: the error codes this module owns. Stable once published; each has a message in
//! the three languages (`error-` followed by the code).

use tamar_core::{Code, ErrorKind};

pub const ASSURANCE_TOO_LOW: Code = Code::new("assurance_too_low", ErrorKind::Forbidden);

/// Every code of this module, for its module declaration.
pub const ALL: &[Code] = &[ASSURANCE_TOO_LOW];
