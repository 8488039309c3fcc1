//! tamar-tenancy
