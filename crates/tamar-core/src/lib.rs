//! Tamar's shared vocabulary.
//!
//! Every other crate speaks in these types: newtype ids, the three languages and text in them,
//! the actors who act on the platform and their roles, the clock, and the stable error codes
//! that the API returns and the interface translates.
//!
//! Architecture invariant: this crate knows nothing of databases, HTTP or any one module.

pub mod actor;
pub mod clock;
pub mod error;
pub mod hkid;
pub mod ids;
pub mod lang;
pub mod paging;
pub mod text;

pub use actor::{Actor, Granter, IMMIGRATION_DEPARTMENT, Role, RoleScope};
pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{Code, ErrorKind, FieldError, HasCode, Rule};
pub use hkid::{Hkid, HkidError};
pub use ids::{AccountId, DepartmentId};
pub use lang::Lang;
pub use paging::{Cursor, Page, PageRequest};
pub use text::LocalizedText;
