//! tamar-identity
