//! Turning what a person typed into a tantivy query.

use std::collections::BTreeMap;

use tantivy::Term;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;

use crate::analysis::{analyze, chinese_query_words, is_han};
use crate::schema::{Fields, LangFields};
use crate::synonyms::THESAURUS;

/// Field weights: a word in the title counts four times one in the body.
pub(crate) const TITLE_BOOST: f32 = 4.0;
pub(crate) const SUMMARY_BOOST: f32 = 2.0;
pub(crate) const BODY_BOOST: f32 = 1.0;
/// A word the index does not have is read as the index's words one or two typos away, each
/// scored like the word itself (BM25), at this weight: a correction is a guess.
const TYPO_WEIGHT: f32 = 0.7;
/// At most this many corrections of a word, the most frequent first.
const MAX_CORRECTIONS: usize = 6;
/// Another member of a synonym group counts for less than the words typed.
const SYNONYM_WEIGHT: f32 = 0.5;
/// The words typed found near one another, in order.
const PROXIMITY_WEIGHT: f32 = 1.0;
const PROXIMITY_SLOP: u32 = 3;
const MAX_UNITS: usize = 24;

/// Chinese words that carry no meaning for search ("how do I", "my", particles); like English
/// stop words they are not required to match. Simplified, as query words are folded first.
const CHINESE_STOP_WORDS: &[&str] = &[
    "的",
    "了",
    "和",
    "与",
    "及",
    "或",
    "在",
    "是",
    "如何",
    "怎样",
    "怎么",
    "怎么样",
    "我",
    "我的",
    "你",
    "请",
    "要",
    "什么",
    "甚么",
    "吗",
    "呢",
    "有",
    "关于",
    "可以",
    "哪里",
    "点样",
    "点",
];

/// The words of a question ("how do I renew my…") that the analyser's stop words (meant for
/// documents) keep, but that a catalogue entry need not contain.
const ENGLISH_QUESTION_WORDS: &[&str] = &[
    "how", "what", "where", "when", "which", "who", "why", "i", "me", "my", "you", "your", "do",
    "does", "can", "could", "should", "would", "want",
];

/// One word of a query: a Latin word as typed between spaces ("driver's", "HK$"), or a
/// Chinese word as jieba cuts a run of Han characters.
#[derive(Debug, Clone)]
pub(crate) struct Unit {
    pub text: String,
    pub han: bool,
    /// What the word is matched on against synonyms: English terms (stemmed, stop words and
    /// the possessive "s" dropped) or the Chinese word folded to Simplified. Empty for a word
    /// that carries no meaning.
    pub keys: Vec<String>,
}

pub(crate) fn split_units(text: &str, english: &TextAnalyzer) -> Vec<Unit> {
    let mut units = Vec::new();
    for chunk in text.split_whitespace() {
        let mut run = String::new();
        let mut run_is_han = false;
        for c in chunk.chars().map(Some).chain([None]) {
            let boundary = match c {
                Some(c) => !run.is_empty() && is_han(c) != run_is_han,
                None => !run.is_empty(),
            };
            if boundary {
                push_run(&mut units, &std::mem::take(&mut run), run_is_han, english);
            }
            if let Some(c) = c {
                run_is_han = is_han(c);
                run.push(c);
            }
        }
    }
    units
}

fn push_run(units: &mut Vec<Unit>, run: &str, han: bool, english: &TextAnalyzer) {
    if han {
        for word in chinese_query_words(run) {
            let keys = if CHINESE_STOP_WORDS.contains(&word.as_str()) {
                Vec::new()
            } else {
                vec![word.clone()]
            };
            units.push(Unit {
                text: word,
                han: true,
                keys,
            });
        }
    } else if ENGLISH_QUESTION_WORDS.contains(&run.to_lowercase().as_str()) {
        units.push(Unit {
            text: run.to_owned(),
            han: false,
            keys: Vec::new(),
        });
    } else {
        let keys = analyze(english, run)
            .into_iter()
            .map(|(_, term)| term)
            .filter(|term| term != "s")
            .collect();
        units.push(Unit {
            text: run.to_owned(),
            han: false,
            keys,
        });
    }
}

/// The analysers a query is built with: clones of those registered with the index.
#[derive(Clone)]
pub(crate) struct Analyzers {
    pub english: TextAnalyzer,
    pub chinese: TextAnalyzer,
    pub suggest: TextAnalyzer,
}

/// A query taken apart: one clause per concept that must match, bonus clauses, and the terms
/// to highlight.
pub(crate) struct Plan {
    clauses: Vec<Box<dyn Query>>,
    proximity: Vec<Box<dyn Query>>,
    /// Terms to highlight in English and Chinese fields, with a weight for picking fragments.
    pub english_terms: BTreeMap<String, f32>,
    pub chinese_terms: BTreeMap<String, f32>,
}

/// What the planner asks of the index's English vocabulary.
pub(crate) trait Lexicon {
    /// Whether some English field has the term.
    fn knows(&self, term: &str) -> bool;
    /// The English terms within `distance` edits of `term` (a transposition counts as one),
    /// most frequent first, at most `limit`.
    fn near(&self, term: &str, distance: u8, limit: usize) -> Vec<String>;
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.clauses.is_empty()
    }

    pub fn concept_count(&self) -> usize {
        self.clauses.len()
    }

    /// The text part of the query: every concept required, or any of them.
    pub fn query(&self, all_required: bool) -> Box<dyn Query> {
        let occur = if all_required {
            Occur::Must
        } else {
            Occur::Should
        };
        let core = BooleanQuery::new(
            self.clauses
                .iter()
                .map(|clause| (occur, clause.box_clone()))
                .collect(),
        );
        let mut parts: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, Box::new(core))];
        parts.extend(
            self.proximity
                .iter()
                .map(|bonus| (Occur::Should, bonus.box_clone())),
        );
        Box::new(BooleanQuery::new(parts))
    }
}

struct Builder<'a> {
    fields: &'a Fields,
    analyzers: &'a Analyzers,
    /// The index's words: a word spelt as some document spells it gets no corrections
    /// (other spellings, British and American, come from the synonyms).
    lexicon: &'a dyn Lexicon,
    plan: Plan,
}

pub(crate) fn plan(text: &str, fields: &Fields, analyzers: &Analyzers, lexicon: &dyn Lexicon) -> Plan {
    let mut builder = Builder {
        fields,
        analyzers,
        lexicon,
        plan: Plan {
            clauses: Vec::new(),
            proximity: Vec::new(),
            english_terms: BTreeMap::new(),
            chinese_terms: BTreeMap::new(),
        },
    };
    let mut units = split_units(text, &analyzers.english);
    // Beyond this many words a query is not a search but pasted text; the rest is ignored
    // to bound the work.
    units.truncate(MAX_UNITS);
    let spans = THESAURUS.find(&units);
    let mut at = 0;
    let mut spans = spans.into_iter().peekable();
    while at < units.len() {
        if let Some(span) = spans.next_if(|span| span.start == at) {
            let literal: Vec<(Occur, Box<dyn Query>)> = units
                .get(span.start..span.end)
                .unwrap_or_default()
                .iter()
                .filter_map(|unit| builder.unit(unit))
                .map(|clause| (Occur::Must, clause))
                .collect();
            let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            if !literal.is_empty() {
                alternatives.push((Occur::Should, Box::new(BooleanQuery::new(literal))));
            }
            for &(group, matched) in &span.matched {
                let Some(members) = THESAURUS.groups.get(group) else {
                    continue;
                };
                for (index, member) in members.iter().enumerate() {
                    if index == matched {
                        continue;
                    }
                    if let Some(query) = builder.member(member.text) {
                        alternatives.push((
                            Occur::Should,
                            Box::new(BoostQuery::new(query, SYNONYM_WEIGHT)),
                        ));
                    }
                }
            }
            if !alternatives.is_empty() {
                builder
                    .plan
                    .clauses
                    .push(Box::new(BooleanQuery::new(alternatives)));
            }
            at = span.end;
        } else {
            if let Some(unit) = units.get(at)
                && let Some(clause) = builder.unit(unit)
            {
                builder.plan.clauses.push(clause);
            }
            at += 1;
        }
    }
    builder.proximity(text, &units);
    builder.plan
}

impl Builder<'_> {
    fn lang_fields(&self) -> [(LangFields, f32); 3] {
        [
            (self.fields.title, TITLE_BOOST),
            (self.fields.summary, SUMMARY_BOOST),
            (self.fields.body, BODY_BOOST),
        ]
    }

    /// The clause for one word typed: the word in any field of any language, and for an
    /// English word of five letters or more that no document has, its corrections.
    fn unit(&mut self, unit: &Unit) -> Option<Box<dyn Query>> {
        if unit.keys.is_empty() {
            return None;
        }
        let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let chinese_terms: Vec<(usize, String)> = if unit.han {
            unit.keys.iter().map(|key| (0, key.clone())).collect()
        } else {
            analyze(&self.analyzers.chinese, &unit.text)
        };
        let english_terms = if unit.han {
            Vec::new()
        } else {
            analyze(&self.analyzers.english, &unit.text)
        };
        self.add_everywhere(&mut alternatives, &english_terms, &chinese_terms, 1.0, 3);

        let letters = unit.text.chars().filter(|c| c.is_alphabetic()).count();
        let distance = match letters {
            0..=4 => 0,
            5..=8 => 1,
            _ => 2,
        };
        if let [(_, term)] = english_terms.as_slice()
            && distance > 0
            && !self.lexicon.knows(term)
        {
            for correction in self.lexicon.near(term, distance, MAX_CORRECTIONS) {
                for (fields, boost) in self.lang_fields() {
                    let query = TermQuery::new(
                        Term::from_field_text(fields.en, &correction),
                        IndexRecordOption::WithFreqs,
                    );
                    alternatives.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(Box::new(query), boost * TYPO_WEIGHT)),
                    ));
                }
                self.plan.english_terms.entry(correction).or_insert(TYPO_WEIGHT);
            }
        }
        (!alternatives.is_empty())
            .then(|| Box::new(BooleanQuery::new(alternatives)) as Box<dyn Query>)
    }

    /// A synonym group's member, as a phrase in any field.
    fn member(&mut self, text: &str) -> Option<Box<dyn Query>> {
        let units = split_units(text, &self.analyzers.english);
        let has_latin = units.iter().any(|unit| !unit.han);
        let english_terms = if has_latin {
            analyze(&self.analyzers.english, text)
        } else {
            Vec::new()
        };
        let mut chinese_terms: Vec<(usize, String)> = Vec::new();
        for unit in &units {
            let words = if unit.han {
                vec![unit.text.clone()]
            } else {
                analyze(&self.analyzers.chinese, &unit.text)
                    .into_iter()
                    .map(|(_, term)| term)
                    .collect()
            };
            for word in words {
                chinese_terms.push((chinese_terms.len(), word));
            }
        }
        let mut alternatives = Vec::new();
        // A synonym counts where it says what the item is about, in its title or summary: a
        // synonym in a long body is weak evidence, and phrase matching over every body is the
        // costliest part of a query.
        self.add_everywhere(
            &mut alternatives,
            &english_terms,
            &chinese_terms,
            SYNONYM_WEIGHT,
            2,
        );
        (!alternatives.is_empty())
            .then(|| Box::new(BooleanQuery::new(alternatives)) as Box<dyn Query>)
    }

    /// Adds a term or phrase query for every field, English terms to English fields and
    /// Chinese ones to Chinese fields, and remembers the terms for highlighting.
    fn add_everywhere(
        &mut self,
        alternatives: &mut Vec<(Occur, Box<dyn Query>)>,
        english_terms: &[(usize, String)],
        chinese_terms: &[(usize, String)],
        weight: f32,
        // How many of title, summary and body to search.
        depth: usize,
    ) {
        for (fields, boost) in self.lang_fields().into_iter().take(depth) {
            if let Some(query) = term_or_phrase(fields.en, english_terms, 0) {
                alternatives.push((Occur::Should, Box::new(BoostQuery::new(query, boost))));
            }
            for field in fields.chinese() {
                if let Some(query) = term_or_phrase(field, chinese_terms, 0) {
                    alternatives.push((Occur::Should, Box::new(BoostQuery::new(query, boost))));
                }
            }
        }
        for (_, term) in english_terms {
            self.plan.english_terms.insert(term.clone(), weight);
        }
        for (_, term) in chinese_terms {
            self.plan.chinese_terms.insert(term.clone(), weight);
        }
    }

    /// Bonus for documents where the words typed stand close together, in order.
    fn proximity(&mut self, text: &str, units: &[Unit]) {
        let mut english_terms = analyze(&self.analyzers.english, text);
        english_terms.truncate(MAX_UNITS);
        let chinese_terms: Vec<(usize, String)> = units
            .iter()
            .filter(|unit| unit.han && !unit.keys.is_empty())
            .flat_map(|unit| unit.keys.iter().cloned())
            .enumerate()
            .collect();
        // Titles and summaries only: words near each other in a long body say little, and
        // phrase matching over every body that holds both words is the costliest clause.
        for (fields, boost) in self.lang_fields().into_iter().take(2) {
            let weight = boost * PROXIMITY_WEIGHT;
            if english_terms.len() > 1
                && let Some(query) = term_or_phrase(fields.en, &english_terms, PROXIMITY_SLOP)
            {
                self.plan
                    .proximity
                    .push(Box::new(BoostQuery::new(query, weight)));
            }
            if chinese_terms.len() > 1 {
                for field in fields.chinese() {
                    if let Some(query) = term_or_phrase(field, &chinese_terms, PROXIMITY_SLOP) {
                        self.plan
                            .proximity
                            .push(Box::new(BoostQuery::new(query, weight)));
                    }
                }
            }
        }
    }
}

/// A term query for one term, a phrase query (terms at their analysed positions) for more.
pub(crate) fn term_or_phrase(
    field: Field,
    terms: &[(usize, String)],
    slop: u32,
) -> Option<Box<dyn Query>> {
    match terms {
        [] => None,
        [(_, term)] => Some(Box::new(TermQuery::new(
            Term::from_field_text(field, term),
            IndexRecordOption::WithFreqs,
        ))),
        [(first, _), ..] => {
            let terms = terms
                .iter()
                .map(|(position, term)| (position - first, Term::from_field_text(field, term)))
                .collect();
            Some(Box::new(PhraseQuery::new_with_offset_and_slop(terms, slop)))
        }
    }
}
