//! HKID numbers are typed by people and sent by services: parsing never panics, and a number
//! that parses has a valid check digit and reads the same in every form Tamar writes it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tamar_core::Hkid;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(hkid) = Hkid::parse(text) else { return };
    let normalized = hkid.normalized();
    assert!((8..=9).contains(&normalized.len()) && normalized.is_ascii(), "{normalized}");
    assert_eq!(Hkid::parse(&normalized).as_ref(), Ok(&hkid), "{text:?}");
    assert_eq!(Hkid::parse(&hkid.full()).as_ref(), Ok(&hkid), "{text:?}");
    // The masked form hides the last three digits and is never itself a number.
    let masked = hkid.masked();
    assert!(masked.contains("***") && Hkid::parse(&masked).is_err(), "{masked}");
    // Neither `{:?}` nor `{}` can leak the whole number into a log.
    let digits = &normalized[normalized.len() - 7..normalized.len() - 1];
    assert!(!format!("{hkid:?}").contains(digits) && !hkid.to_string().contains(digits), "{text:?}");
});
