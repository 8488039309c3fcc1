//! The tamper-evident log: the error codes this module owns. Stable once published; each has a message in
//! the three languages (`error-` followed by the code).

use tamar_core::{Code, ErrorKind};

pub const LEDGER_ENTRY_NOT_FOUND: Code = Code::new("ledger_entry_not_found", ErrorKind::NotFound);
pub const TREE_SIZE_OUT_OF_RANGE: Code = Code::new("tree_size_out_of_range", ErrorKind::BadRequest);
pub const TREE_HEAD_NOT_FOUND: Code = Code::new("tree_head_not_found", ErrorKind::NotFound);

/// Every code of this module, for its module declaration.
pub const ALL: &[Code] = &[LEDGER_ENTRY_NOT_FOUND, TREE_SIZE_OUT_OF_RANGE, TREE_HEAD_NOT_FOUND];
