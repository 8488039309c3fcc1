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

/// The first thing `find` finds in a catalogue, the kernel's first.
fn first_in_catalogues<T>(mut find: impl FnMut(&Translations) -> Option<T>) -> Option<T> {
    if let Some(found) = find(&LOCALES) {
        return Some(found);
    }
    let modules = MODULES.read().ok()?;
    modules.iter().find_map(|c| find(c))
}

/// The message `key` in `lang` from the first catalogue that has it in `lang` itself, else from
/// the first that has it through its fallback chain. Asking for `lang` alone first finds every
/// message the catalogues have in all three languages without negotiating a chain, which
/// fluent-templates does on every lookup in every catalogue it asks.
fn lookup(lang: Lang, key: &str, args: Option<&HashMap<Cow<'static, str>, FluentValue<'_>>>) -> Option<String> {
    first_in_catalogues(|c| c.lookup_single_language(id(lang), key, args).ok())
        .or_else(|| first_in_catalogues(|c| c.try_lookup_complete(id(lang), key, args)))
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

/// Messages without arguments, once looked up: a lookup negotiates the language and formats
/// the message in each catalogue in turn, and a page makes dozens. Only messages found are
/// kept, so the map is bounded by the catalogues; a catalogue installed later is searched after
/// those before it, so it never changes a message already found.
static FOUND: LazyLock<[Found; 3]> = LazyLock::new(Default::default);

/// One language's messages found so far, by key.
type Found = RwLock<HashMap<Box<str>, Box<str>>>;

fn found(lang: Lang) -> &'static Found {
    &FOUND[match lang {
        Lang::En => 0,
        Lang::Tc => 1,
        Lang::Sc => 2,
    }]
}

/// The message `key` in `lang`; the key itself if no catalogue has it.
pub fn t(lang: Lang, key: &str) -> String {
    if let Some(text) = found(lang).read().ok().and_then(|kept| kept.get(key).map(|t| String::from(&**t))) {
        return text;
    }
    match lookup(lang, key, None) {
        Some(text) => {
            if let Ok(mut kept) = found(lang).write() {
                kept.insert(key.into(), text.as_str().into());
            }
            text
        }
        None => key.to_owned(),
    }
}

/// The message `key` in `lang`, with named arguments.
pub fn t_args(lang: Lang, key: &str, args: &[(&'static str, String)]) -> String {
    let map: HashMap<Cow<'static, str>, FluentValue<'_>> =
        args.iter().map(|(name, value)| (Cow::Borrowed(*name), FluentValue::from(value.clone()))).collect();
    lookup(lang, key, Some(&map)).unwrap_or_else(|| key.to_owned())
}

/// Whether a catalogue has `key` for `lang` (itself or through its fallback).
pub fn has(lang: Lang, key: &str) -> bool {
    lookup(lang, key, None).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A lookup as fluent-templates makes it, through each catalogue's fallback chain.
    fn looked_up(lang: Lang, key: &str) -> Option<String> {
        first_in_catalogues(|c| c.try_lookup(id(lang), key))
    }

    #[test]
    fn a_kept_message_is_the_one_a_lookup_gives_in_each_language() {
        for lang in Lang::ALL {
            let fresh = looked_up(lang, "skip-to-content");
            assert!(fresh.is_some(), "the kernel's catalogue has the message");
            assert_eq!(Some(t(lang, "skip-to-content")), fresh);
            // The second time it comes from what was kept, and is the same.
            assert_eq!(Some(t(lang, "skip-to-content")), fresh);
        }
        assert_ne!(t(Lang::En, "skip-to-content"), t(Lang::Tc, "skip-to-content"));
    }

    #[test]
    fn a_missing_message_is_its_key_and_is_not_kept() {
        assert_eq!(t(Lang::Sc, "no-such-message-anywhere"), "no-such-message-anywhere");
        let kept = found(Lang::Sc).read().map(|k| k.contains_key("no-such-message-anywhere"));
        assert_eq!(kept.ok(), Some(false));
    }
}
