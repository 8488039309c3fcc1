//! Password rules after NIST SP 800-63B: length, not composition; no password that is common,
//! or made of the account's own details.

use tamar_core::{Rule};
use std::collections::HashSet;
use std::sync::LazyLock;

use crate::IdentityError;

pub const MIN_PASSWORD: usize = 8;
pub const MAX_PASSWORD: usize = 256;

static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../data/common-passwords.txt").lines().filter(|l| !l.starts_with('#') && !l.is_empty()).collect()
});

/// Checks a new password. `context` holds the account's own words (email, names), which a
/// password must not simply repeat.
pub fn check_new_password(password: &str, context: &[&str]) -> Result<(), IdentityError> {
    let length = password.chars().count();
    if length < MIN_PASSWORD {
        return Err(IdentityError::WeakPassword("too_short"));
    }
    if length > MAX_PASSWORD {
        return Err(IdentityError::Invalid { field: "password", rule: Rule::TooLong, reason: "at most 256 characters" });
    }
    let lower = password.to_lowercase();
    if COMMON.contains(lower.as_str()) {
        return Err(IdentityError::WeakPassword("common"));
    }
    let mut chars = lower.chars();
    if let Some(first) = chars.next()
        && chars.all(|c| c == first)
    {
        return Err(IdentityError::WeakPassword("repetitive"));
    }
    for word in context {
        let word = word.trim().to_lowercase();
        let local = word.split('@').next().unwrap_or_default();
        if local.chars().count() >= 4 && (lower == local || lower.contains(local) && lower.len() < local.len() + 4) {
            return Err(IdentityError::WeakPassword("personal"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_not_composition() {
        assert!(check_new_password("correct horse battery staple", &[]).is_ok());
        assert!(check_new_password("碧海藍天長城萬里", &[]).is_ok(), "any script counts");
        assert!(matches!(check_new_password("Ab1!", &[]), Err(IdentityError::WeakPassword("too_short"))));
        assert!(matches!(check_new_password("password1", &[]), Err(IdentityError::WeakPassword("common"))));
        assert!(matches!(check_new_password("PASSWORD1", &[]), Err(IdentityError::WeakPassword("common"))));
        assert!(matches!(check_new_password("aaaaaaaaaaaa", &[]), Err(IdentityError::WeakPassword("repetitive"))));
        assert!(matches!(
            check_new_password("chantaiman1", &["chantaiman@example.hk"]),
            Err(IdentityError::WeakPassword("personal"))
        ));
        assert!(check_new_password(&"x".repeat(64), &[]).is_err());
        assert!(check_new_password(&"xy".repeat(40), &[]).is_ok(), "long passwords are allowed");
        assert!(COMMON.len() > 10_000);
    }
}
