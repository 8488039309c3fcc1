//! Bureaux and departments: the error codes this module owns. Stable once published; each has a message in
//! the three languages (`error-` followed by the code).

use tamar_core::{Code, ErrorKind};

pub const DEPARTMENT_NOT_FOUND: Code = Code::new("department_not_found", ErrorKind::NotFound);
pub const DEPARTMENT_CODE_TAKEN: Code = Code::new("department_code_taken", ErrorKind::Conflict);

/// Every code of this module, for its module declaration.
pub const ALL: &[Code] = &[DEPARTMENT_NOT_FOUND, DEPARTMENT_CODE_TAKEN];
