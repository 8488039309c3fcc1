//! Text analysis: the English analyser, the Chinese tokenizer (folded to Simplified, cut by
//! jieba) and the character tokenizer behind search-as-you-type.

use std::cmp::Reverse;
use std::sync::LazyLock;

use ferrous_opencc::OpenCC;
use ferrous_opencc::config::BuiltinConfig;
use jieba_rs::Jieba;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    StopWordFilter, TextAnalyzer, Token, TokenStream, Tokenizer,
};

use crate::synonyms;

/// Names under which the analysers are registered with each index.
pub(crate) const ENGLISH: &str = "tamar_en";
pub(crate) const CHINESE: &str = "tamar_zh";
pub(crate) const SUGGEST: &str = "tamar_suggest";

/// Hong Kong Traditional to Simplified: the HK variant table first, so that forms such as 着
/// and 綫 that Hong Kong writes its own way fold like the standard ones.
static TO_SIMPLIFIED: LazyLock<Option<OpenCC>> = LazyLock::new(|| {
    match OpenCC::from_config(BuiltinConfig::Hk2s) {
        Ok(converter) => Some(converter),
        Err(error) => {
            // Search still works without folding, only Traditional and Simplified stop meeting.
            tracing::error!(%error, "cannot load the Traditional-to-Simplified tables");
            None
        }
    }
});

/// One segmenter for the process: its dictionary takes a moment to load and is read-only
/// afterwards. The synonym file's Chinese members are added as words so that jieba keeps
/// "驾驶执照" or "公共租住房屋" whole at index and query time alike.
static JIEBA: LazyLock<Jieba> = LazyLock::new(|| {
    let mut jieba = Jieba::new();
    for word in synonyms::chinese_words() {
        let folded = to_simplified(&word).to_lowercase();
        if folded.chars().count() > 1 && !jieba.has_word(&folded) {
            jieba.add_word(&folded, None, None);
        }
    }
    jieba
});

/// Converts Traditional Chinese (Hong Kong usage included) to Simplified; other text passes
/// through unchanged.
pub fn to_simplified(text: &str) -> String {
    match TO_SIMPLIFIED.as_ref() {
        Some(converter) if text.chars().any(is_han) => converter.convert(text),
        _ => text.to_owned(),
    }
}

/// Whether a character is a CJK ideograph (the Han script), the characters jieba cuts.
pub(crate) fn is_han(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2EBEF}'
        | '\u{30000}'..='\u{3134F}'
        | '\u{3007}')
}

/// Text folded to Simplified with, for each of its characters, the byte offset of the
/// character it came from, so that tokens can point back into the original text.
struct Folded {
    text: String,
    /// `origin[i]` is the original byte offset of the folded text's `i`th character; one extra
    /// entry holds the original length.
    origin: Vec<usize>,
}

impl Folded {
    fn new(original: &str) -> Folded {
        let mut origin: Vec<usize> = original.char_indices().map(|(at, _)| at).collect();
        origin.push(original.len());
        let char_count = origin.len() - 1;
        let whole = to_simplified(original);
        let text = if whole.chars().count() == char_count {
            whole
        } else {
            // A phrase rule changed the length (rare): fold one character at a time, which
            // keeps the alignment at the cost of the phrase rules.
            original
                .chars()
                .map(|c| {
                    let mut buffer = [0u8; 4];
                    let one = to_simplified(c.encode_utf8(&mut buffer));
                    let mut chars = one.chars();
                    match (chars.next(), chars.next()) {
                        (Some(folded), None) => folded,
                        _ => c,
                    }
                })
                .collect()
        };
        Folded { text, origin }
    }
}

/// Cuts folded text with jieba, returning (start char, end char, lowercased word).
fn cut_words(text: &str, for_search: bool) -> Vec<(usize, usize, String)> {
    let tokens = if for_search {
        JIEBA.cut_for_search(text, true)
    } else {
        JIEBA.cut(text, true)
    };
    tokens
        .into_iter()
        .filter(|token| token.word.chars().any(char::is_alphanumeric))
        .map(|token| (token.start, token.end, token.word.to_lowercase()))
        .collect()
}

/// Splits Chinese text into the words a query is made of: folded to Simplified, cut in
/// jieba's precise mode, lowercased, punctuation dropped.
pub(crate) fn chinese_query_words(text: &str) -> Vec<String> {
    cut_words(&to_simplified(text), false)
        .into_iter()
        .map(|(_, _, word)| word)
        .collect()
}

/// The Chinese tokenizer for the `tc` and `sc` fields.
///
/// Text is folded to Simplified, then cut in jieba's search mode, which also emits the
/// dictionary words inside a long word (中华人民共和国 gives 中华, 华人, 人民, 共和, 共和国 and
/// the whole), so a search for a part finds the whole. The words of the precise cut get
/// consecutive positions and each sub-word shares the position of the word it lies in, so
/// phrases of whole words still match. Offsets point into the original text.
#[derive(Clone, Default)]
pub(crate) struct ChineseTokenizer;

impl Tokenizer for ChineseTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        let folded = Folded::new(text);
        let mut words = cut_words(&folded.text, true);
        // Longest first among words starting together: the precise word comes before its
        // sub-words, and words of the precise cut never overlap one another.
        words.sort_by_key(|(start, end, _)| (*start, Reverse(*end)));
        let mut tokens = Vec::with_capacity(words.len());
        let mut position = 0usize;
        let mut covered_to = 0usize;
        let mut first = true;
        for (start, end, word) in words {
            if start >= covered_to {
                if !first {
                    position += 1;
                }
                first = false;
                covered_to = end;
            }
            let (Some(&offset_from), Some(&offset_to)) =
                (folded.origin.get(start), folded.origin.get(end))
            else {
                continue;
            };
            tokens.push(Token {
                offset_from,
                offset_to,
                position,
                text: word,
                position_length: 1,
            });
        }
        VecTokenStream::new(tokens)
    }
}

/// The tokenizer behind search-as-you-type over titles: Latin words lowercased and folded to
/// ASCII but not stemmed (a prefix of "vaccination" must find it), and each Han character,
/// folded to Simplified, as a token of its own, so that typed characters match wherever
/// they stand in a title, whatever jieba would make of them.
#[derive(Clone, Default)]
pub(crate) struct SuggestTokenizer;

impl Tokenizer for SuggestTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        let folded = Folded::new(text);
        let mut tokens = Vec::new();
        let mut word = String::new();
        let mut word_start = 0usize;
        let chars: Vec<char> = folded.text.chars().collect();
        let push = |tokens: &mut Vec<Token>, text: String, from: usize, to: usize| {
            let (Some(&offset_from), Some(&offset_to)) =
                (folded.origin.get(from), folded.origin.get(to))
            else {
                return;
            };
            let position = tokens.len();
            tokens.push(Token {
                offset_from,
                offset_to,
                position,
                text,
                position_length: 1,
            });
        };
        for (at, &c) in chars.iter().enumerate() {
            if c.is_alphanumeric() && !is_han(c) {
                if word.is_empty() {
                    word_start = at;
                }
                word.extend(c.to_lowercase());
                continue;
            }
            if !word.is_empty() {
                push(&mut tokens, word.clone(), word_start, at);
                word.clear();
            }
            if is_han(c) {
                push(&mut tokens, c.to_string(), at, at + 1);
            }
        }
        if !word.is_empty() {
            push(&mut tokens, word, word_start, chars.len());
        }
        VecTokenStream::new(tokens)
    }
}

/// A token stream over tokens computed up front.
pub(crate) struct VecTokenStream {
    tokens: std::vec::IntoIter<Token>,
    current: Token,
}

impl VecTokenStream {
    fn new(tokens: Vec<Token>) -> VecTokenStream {
        VecTokenStream {
            tokens: tokens.into_iter(),
            current: Token::default(),
        }
    }
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        match self.tokens.next() {
            Some(token) => {
                self.current = token;
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &Token {
        &self.current
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.current
    }
}

/// The English analyser: words lowercased, folded to ASCII, stop words dropped, stemmed.
pub(crate) fn english_analyzer() -> TextAnalyzer {
    let builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .dynamic();
    let builder = match StopWordFilter::new(Language::English) {
        Some(stop_words) => builder.filter_dynamic(stop_words),
        None => builder,
    };
    builder
        .filter_dynamic(Stemmer::new(Language::English))
        .build()
}

pub(crate) fn chinese_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(ChineseTokenizer)
        .filter(RemoveLongFilter::limit(40))
        .build()
}

pub(crate) fn suggest_analyzer() -> TextAnalyzer {
    // Folding accents here too lets a typed "cafe" find "Café".
    TextAnalyzer::builder(SuggestTokenizer)
        .filter(RemoveLongFilter::limit(40))
        .filter(AsciiFoldingFilter)
        .build()
}

/// Runs an analyser over text and returns (position, term) for each token, keeping only the
/// first (longest) token at each position so that sub-words do not turn into phrase gaps.
pub(crate) fn analyze(analyzer: &TextAnalyzer, text: &str) -> Vec<(usize, String)> {
    let mut analyzer = analyzer.clone();
    let mut stream = analyzer.token_stream(text);
    let mut terms: Vec<(usize, String)> = Vec::new();
    while let Some(token) = stream.next() {
        if terms
            .last()
            .is_some_and(|(position, _)| *position == token.position)
        {
            continue;
        }
        terms.push((token.position, token.text.clone()));
    }
    terms
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(String, usize, String)> {
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(token) = stream.next() {
            let original = text[token.offset_from..token.offset_to].to_owned();
            out.push((token.text.clone(), token.position, original));
        }
        out
    }

    #[test]
    fn chinese_tokens_are_simplified_and_point_into_the_original() {
        let mut analyzer = chinese_analyzer();
        let found = tokens(&mut analyzer, "續領駕駛執照，HK$100 BIR60");
        let find = |term: &str| found.iter().find(|(text, _, _)| text == term).cloned();
        assert_eq!(find("驾驶执照").map(|t| t.2), Some("駕駛執照".to_owned()));
        assert_eq!(find("bir60").map(|t| t.2), Some("BIR60".to_owned()));
        assert_eq!(find("hk").map(|t| t.2), Some("HK".to_owned()));
        assert!(find("，").is_none() && find("$").is_none());
        // Search mode adds the words inside a word, at that word's position.
        let whole = find("驾驶执照").unwrap().1;
        assert_eq!(find("驾驶").map(|t| t.1), Some(whole));
        // Positions of whole words are consecutive.
        let positions: Vec<usize> = found.iter().map(|t| t.1).collect();
        assert!(
            positions
                .windows(2)
                .all(|w| w[1] == w[0] || w[1] == w[0] + 1),
            "{found:?}"
        );
    }

    #[test]
    fn suggest_tokens_are_single_characters_and_plain_words() {
        let mut analyzer = suggest_analyzer();
        let found: Vec<String> = tokens(&mut analyzer, "續領 Café licences")
            .into_iter()
            .map(|t| t.0)
            .collect();
        assert_eq!(found, vec!["续", "领", "cafe", "licences"]);
    }

    #[test]
    fn english_is_stemmed_and_folded() {
        let mut analyzer = english_analyzer();
        let found: Vec<String> = tokens(&mut analyzer, "Renewing the Licences, Café")
            .into_iter()
            .map(|t| t.0)
            .collect();
        assert_eq!(found, vec!["renew", "licenc", "cafe"]);
    }
}
