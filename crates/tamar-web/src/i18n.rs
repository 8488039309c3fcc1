//! Translations from Fluent catalogues, compiled into the binary: the kernel's own
//! (`locales/*/main.ftl`: the page frame, the kernel's error codes, form rules) and each
//! module's, which its `Module` names and [`install`] adds.
//!
//! A module declares its catalogue with [`translations!`](crate::translations), from its own
//! `locales/` folder.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{LazyLock, RwLock};

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};
use tamar_core::Lang;

pub use fluent_templates;

/// A catalogue of messages in the three languages.
pub type Translations = fluent_templates::StaticLoader;

/// Declares `static $name: Translations` from the crate's `locales/` folder, each language in
/// its own folder (`en`, `zh-HK`, `zh-CN`).
#[macro_export]
macro_rules! translations {
    ($vis:vis static $name:ident) => {
        $crate::i18n::fluent_templates::static_loader! {
            $vis static $name = {
                locales: "./locales",
                fallback_language: "en",
                customise: |bundle| bundle.set_use_isolating(false),
            };
        }
    };
}

translations!(static LOCALES);

/// The modules' catalogues, after the kernel's.
static MODULES: RwLock<Vec<&'static Translations>> = RwLock::new(Vec::new());

/// Adds the modules' catalogues that are not there yet.
pub fn install(catalogues: impl IntoIterator<Item = &'static Translations>) {
    let Ok(mut installed) = MODULES.write() else { return };
    for catalogue in catalogues {
        if !installed.iter().any(|c| std::ptr::eq(*c, catalogue)) {
            installed.push(catalogue);
        }
    }
}

/// Every catalogue, the kernel's first.
fn catalogues() -> Vec<&'static Translations> {
    let mut all: Vec<&'static Translations> = vec![&LOCALES];
    if let Ok(modules) = MODULES.read() {
        all.extend(modules.iter().copied());
    }
    all
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
    catalogues().into_iter().find_map(|c| c.try_lookup(id(lang), key)).unwrap_or_else(|| key.to_owned())
}

/// The message `key` in `lang`, with named arguments.
pub fn t_args(lang: Lang, key: &str, args: &[(&'static str, String)]) -> String {
    let map: HashMap<Cow<'static, str>, FluentValue<'_>> =
        args.iter().map(|(name, value)| (Cow::Borrowed(*name), FluentValue::from(value.clone()))).collect();
    catalogues().into_iter().find_map(|c| c.try_lookup_with_args(id(lang), key, &map)).unwrap_or_else(|| key.to_owned())
}

/// Whether `key` exists in `lang`'s own catalogue (not through fallback).
pub fn has(lang: Lang, key: &str) -> bool {
    catalogues().into_iter().any(|c| c.try_lookup_complete(id(lang), key, None).is_some())
}
