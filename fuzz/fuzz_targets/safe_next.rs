//! `next=` after sign-in comes from anyone's link: whatever it is, Tamar sends the person to a
//! path on this site, never to another host.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tamar_core::Lang;

fuzz_target!(|data: &[u8]| {
    let Ok(next) = std::str::from_utf8(data) else { return };
    let target = tamar_web::pages::safe_next(next, Lang::En);
    assert!(target.starts_with('/'), "{next:?} gave {target:?}");
    assert!(!target.starts_with("//") && !target.starts_with("/\\"), "{next:?} gave {target:?}");
    assert!(!target.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\'), "{next:?} gave {target:?}");
    // As a browser reads it, against this site: same origin.
    let base = url::Url::parse("https://www.example.gov.hk/en/sign-in").unwrap();
    let resolved = base.join(&target).unwrap();
    assert_eq!(resolved.origin(), base.origin(), "{next:?} gave {target:?}");
    // And what Tamar sends on is stable: sending it again changes nothing.
    assert_eq!(tamar_web::pages::safe_next(&target, Lang::En), target, "{next:?}");
});
