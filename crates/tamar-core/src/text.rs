//! Text that exists in the three languages.

use serde::{Deserialize, Serialize};

use crate::Lang;

/// A piece of content in English, Traditional Chinese and Simplified Chinese.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LocalizedText {
    pub en: String,
    pub tc: String,
    pub sc: String,
}

impl LocalizedText {
    pub fn new(en: impl Into<String>, tc: impl Into<String>, sc: impl Into<String>) -> Self {
        Self { en: en.into(), tc: tc.into(), sc: sc.into() }
    }

    /// The text in `lang`; an empty Simplified text falls back to the Traditional one, and an
    /// empty Chinese text to English, so a page never shows a blank.
    pub fn get(&self, lang: Lang) -> &str {
        let pick = match lang {
            Lang::En => &self.en,
            Lang::Tc => &self.tc,
            Lang::Sc if self.sc.is_empty() => &self.tc,
            Lang::Sc => &self.sc,
        };
        if pick.is_empty() { &self.en } else { pick }
    }
}
