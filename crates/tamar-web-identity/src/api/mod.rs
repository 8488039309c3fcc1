//! The identity module's part of the JSON API.

pub mod departments;
pub mod me;
