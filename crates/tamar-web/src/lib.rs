//! tamar-web
