//! The portal's content and its review: the error codes this module owns. Stable once published; each has a message in
//! the three languages (`error-` followed by the code).

use tamar_core::{Code, ErrorKind};

pub const SLUG_TAKEN: Code = Code::new("slug_taken", ErrorKind::Conflict);
pub const CONTENT_STATE: Code = Code::new("content_state", ErrorKind::Conflict);
pub const SECOND_REVIEWER_REQUIRED: Code = Code::new("second_reviewer_required", ErrorKind::Forbidden);
/// A bulk message that is no longer being delivered cannot be cancelled.
pub const BULK_SEND_FINISHED: Code = Code::new("bulk_send_finished", ErrorKind::Conflict);

/// Every code of this module, for its module declaration.
pub const ALL: &[Code] = &[SLUG_TAKEN, CONTENT_STATE, SECOND_REVIEWER_REQUIRED, BULK_SEND_FINISHED];
