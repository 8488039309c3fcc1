//! The configuration file is written by hand: any text gives a configuration or a clear error,
//! never a panic, and every value read from a configuration that loads is usable.
#![no_main]

use libfuzzer_sys::fuzz_target;
use secrecy::ExposeSecret;
use tamar::config::{Config, hex_key};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let config = match Config::from_toml(text) {
        Ok(config) => config,
        Err(error) => {
            // The error says what is wrong; it never echoes a secret it could not parse.
            let _ = error.to_string();
            return;
        }
    };
    let _ = config.database_url();
    let _ = config.blobs();
    let _ = config.mail();
    let _ = config.secure_cookies();
    let public_url = config.public_url();
    assert!(!public_url.is_empty());
    let _ = config.ledger_origin();
    let _ = config.ledger_key_path();
    let _ = config.ledger_checkpoint_path();
    // Keys given in the file are parsed, never created on disk here.
    for key in [&config.hkid_hmac_key, &config.sealing_key].into_iter().flatten() {
        if let Ok(bytes) = hex_key(key.expose_secret(), "key") {
            assert_eq!(hex::encode(bytes), key.expose_secret().trim().to_ascii_lowercase());
        }
    }
    let _ = format!("{config:?}");
});
