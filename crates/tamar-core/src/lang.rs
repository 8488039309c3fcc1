//! The three languages of the platform and how a request picks one.

use serde::{Deserialize, Serialize};

/// A language of the interface and of content.
///
/// Traditional Chinese is the authoritative Chinese text, as on GovHK.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English.
    En,
    /// Traditional Chinese (Hong Kong).
    Tc,
    /// Simplified Chinese.
    Sc,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Tc, Lang::Sc];

    /// The GovHK-style path prefix: `en`, `tc` or `sc`.
    pub fn prefix(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Tc => "tc",
            Lang::Sc => "sc",
        }
    }

    /// The BCP 47 tag for `<html lang>` and `Content-Language`.
    pub fn bcp47(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Tc => "zh-Hant-HK",
            Lang::Sc => "zh-Hans",
        }
    }

    /// The language's own name, as shown in the language switcher.
    pub fn endonym(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Tc => "繁體",
            Lang::Sc => "简体",
        }
    }

    pub fn from_prefix(prefix: &str) -> Option<Lang> {
        match prefix {
            "en" => Some(Lang::En),
            "tc" => Some(Lang::Tc),
            "sc" => Some(Lang::Sc),
            _ => None,
        }
    }

    /// Maps one language tag from `Accept-Language` to a platform language, if any fits.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let tag = tag.trim().to_ascii_lowercase();
        let mut parts = tag.split(['-', '_']);
        let primary = parts.next().unwrap_or_default();
        match primary {
            "en" => Some(Lang::En),
            "zh" => {
                let rest: Vec<&str> = parts.collect();
                if rest.iter().any(|p| matches!(*p, "hans" | "cn" | "sg")) {
                    Some(Lang::Sc)
                } else {
                    // Plain `zh`, `zh-Hant`, `zh-HK`, `zh-TW`, `zh-MO`: Traditional prevails.
                    Some(Lang::Tc)
                }
            }
            _ => None,
        }
    }

    /// Picks the best language for an `Accept-Language` header, honouring q-values.
    /// Falls back to English.
    pub fn negotiate(accept_language: &str) -> Lang {
        let mut best: Option<(f32, usize, Lang)> = None;
        for (position, item) in accept_language.split(',').enumerate() {
            let mut fields = item.split(';');
            let tag = fields.next().unwrap_or_default();
            let quality = fields
                .find_map(|f| f.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if quality <= 0.0 {
                continue;
            }
            let Some(lang) = Lang::from_tag(tag) else { continue };
            let better = match best {
                None => true,
                Some((q, pos, _)) => quality > q || (quality == q && position < pos),
            };
            if better {
                best = Some((quality, position, lang));
            }
        }
        best.map(|(_, _, lang)| lang).unwrap_or(Lang::En)
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.prefix())
    }
}

#[cfg(test)]
mod tests {
    use super::Lang;

    #[test]
    fn negotiates_by_quality_and_region() {
        assert_eq!(Lang::negotiate("zh-HK,zh;q=0.9,en;q=0.8"), Lang::Tc);
        assert_eq!(Lang::negotiate("zh-CN,zh;q=0.9"), Lang::Sc);
        assert_eq!(Lang::negotiate("zh-Hans-CN"), Lang::Sc);
        assert_eq!(Lang::negotiate("zh-TW"), Lang::Tc);
        assert_eq!(Lang::negotiate("fr-FR, en;q=0.5, zh-CN;q=0.7"), Lang::Sc);
        assert_eq!(Lang::negotiate("de, fr"), Lang::En);
        assert_eq!(Lang::negotiate(""), Lang::En);
        assert_eq!(Lang::negotiate("zh;q=0, en"), Lang::En);
        assert_eq!(Lang::negotiate("garbage;;;q=x,,"), Lang::En);
    }

    #[test]
    fn prefixes_round_trip() {
        for lang in Lang::ALL {
            assert_eq!(Lang::from_prefix(lang.prefix()), Some(lang));
        }
        assert_eq!(Lang::from_prefix("fr"), None);
    }
}
