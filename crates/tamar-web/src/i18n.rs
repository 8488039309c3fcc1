//! Translations from Fluent catalogues (`locales/*/main.ftl`), compiled into the binary.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};
use tamar_core::Lang;

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static IDS: LazyLock<[LanguageIdentifier; 3]> = LazyLock::new(|| {
    ["en", "zh-HK", "zh-CN"].map(|tag| tag.parse().unwrap_or_default())
});

fn id(lang: Lang) -> &'static LanguageIdentifier {
    &IDS[match lang {
        Lang::En => 0,
        Lang::Tc => 1,
        Lang::Sc => 2,
    }]
}

/// The message `key` in `lang`; the key itself if no catalogue has it.
pub fn t(lang: Lang, key: &str) -> String {
    LOCALES.try_lookup(id(lang), key).unwrap_or_else(|| key.to_owned())
}

/// The message `key` in `lang`, with named arguments.
pub fn t_args(lang: Lang, key: &str, args: &[(&'static str, String)]) -> String {
    let map: HashMap<Cow<'static, str>, FluentValue<'_>> =
        args.iter().map(|(name, value)| (Cow::Borrowed(*name), FluentValue::from(value.clone()))).collect();
    LOCALES.try_lookup_with_args(id(lang), key, &map).unwrap_or_else(|| key.to_owned())
}

/// Whether `key` exists in `lang`'s own catalogue (not through fallback).
pub fn has(lang: Lang, key: &str) -> bool {
    LOCALES.try_lookup_complete(id(lang), key, None).is_some()
}
