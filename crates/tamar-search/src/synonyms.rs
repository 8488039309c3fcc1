//! The bilingual synonym groups of `data/synonyms.txt`.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::analysis::{english_analyzer, is_han};
use crate::query::{Unit, split_units};

const SYNONYMS: &str = include_str!("../data/synonyms.txt");

/// The groups as written: comment and blank lines dropped, members trimmed.
fn groups() -> impl Iterator<Item = Vec<&'static str>> {
    SYNONYMS
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            line.split(',')
                .map(str::trim)
                .filter(|member| !member.is_empty())
                .collect::<Vec<_>>()
        })
        .filter(|members| members.len() > 1)
}

/// The runs of Han characters in the members, which the segmenter learns as words.
pub(crate) fn chinese_words() -> Vec<String> {
    let mut words = Vec::new();
    for member in groups().flatten() {
        let mut run = String::new();
        for c in member.chars().chain([' ']) {
            if is_han(c) {
                run.push(c);
            } else if !run.is_empty() {
                words.push(std::mem::take(&mut run));
            }
        }
    }
    words
}

/// A member of a group, with the keys it is matched on.
#[derive(Debug)]
pub(crate) struct Member {
    pub text: &'static str,
    pub keys: Vec<String>,
}

/// The groups, indexed by the first key of each member for matching against a query.
pub(crate) struct Thesaurus {
    pub groups: Vec<Vec<Member>>,
    /// First key → (group, member) of every member starting with it.
    by_first_key: HashMap<String, Vec<(usize, usize)>>,
}

/// A run of query units that spells a member of one or more groups.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct SynonymSpan {
    /// Units `start..end` of the query.
    pub start: usize,
    pub end: usize,
    /// (group, member) pairs the span matched.
    pub matched: Vec<(usize, usize)>,
}

pub(crate) static THESAURUS: LazyLock<Thesaurus> = LazyLock::new(Thesaurus::load);

impl Thesaurus {
    fn load() -> Thesaurus {
        let english = english_analyzer();
        let mut groups = Vec::new();
        let mut by_first_key: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
        for group in groups_of_text() {
            let group_id = groups.len();
            let mut members: Vec<Member> = Vec::new();
            for text in group {
                let keys: Vec<String> = split_units(text, &english)
                    .into_iter()
                    .flat_map(|unit| unit.keys)
                    .collect();
                // Spellings that analyse alike ("vaccine", "vaccines") are one member.
                if keys.is_empty() || members.iter().any(|member| member.keys == keys) {
                    continue;
                }
                if let Some(first) = keys.first() {
                    by_first_key
                        .entry(first.clone())
                        .or_default()
                        .push((group_id, members.len()));
                }
                members.push(Member { text, keys });
            }
            groups.push(members);
        }
        Thesaurus {
            groups,
            by_first_key,
        }
    }

    /// Finds members in the query, longest first, left to right. A span must start and end
    /// at unit boundaries: a member never covers half of "e-cert".
    pub fn find(&self, units: &[Unit]) -> Vec<SynonymSpan> {
        // Flatten the units' keys, remembering the unit each came from.
        let mut keys: Vec<(&str, usize)> = Vec::new();
        for (at, unit) in units.iter().enumerate() {
            keys.extend(unit.keys.iter().map(|key| (key.as_str(), at)));
        }
        let starts_unit =
            |k: usize| k == 0 || keys.get(k - 1).map(|(_, u)| *u) != keys.get(k).map(|(_, u)| *u);
        let ends_unit = |k: usize| {
            k + 1 == keys.len() || keys.get(k + 1).map(|(_, u)| *u) != keys.get(k).map(|(_, u)| *u)
        };
        let mut spans = Vec::new();
        let mut k = 0;
        while k < keys.len() {
            let mut best: Option<(usize, Vec<(usize, usize)>)> = None;
            if starts_unit(k)
                && let Some(candidates) =
                    keys.get(k).and_then(|(key, _)| self.by_first_key.get(*key))
            {
                for &(group, member) in candidates {
                    let Some(member_keys) = self.member(group, member).map(|m| &m.keys) else {
                        continue;
                    };
                    let len = member_keys.len();
                    let Some(window) = keys.get(k..k + len) else {
                        continue;
                    };
                    if !window
                        .iter()
                        .map(|(key, _)| *key)
                        .eq(member_keys.iter().map(String::as_str))
                        || !ends_unit(k + len - 1)
                    {
                        continue;
                    }
                    match &mut best {
                        Some((best_len, matched)) if *best_len == len => {
                            matched.push((group, member))
                        }
                        Some((best_len, _)) if *best_len > len => {}
                        _ => best = Some((len, vec![(group, member)])),
                    }
                }
            }
            match best {
                Some((len, matched)) => {
                    let start = keys.get(k).map_or(0, |(_, unit)| *unit);
                    let end = keys.get(k + len - 1).map_or(start, |(_, unit)| *unit) + 1;
                    spans.push(SynonymSpan {
                        start,
                        end,
                        matched,
                    });
                    k += len;
                }
                None => k += 1,
            }
        }
        spans
    }

    pub fn member(&self, group: usize, member: usize) -> Option<&Member> {
        self.groups
            .get(group)
            .and_then(|members| members.get(member))
    }
}

fn groups_of_text() -> Vec<Vec<&'static str>> {
    groups().collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn groups_load_and_match_across_scripts() {
        assert!(THESAURUS.groups.len() >= 60);
        assert!(THESAURUS.groups.iter().all(|group| group.len() > 1));
        let english = english_analyzer();
        let units = split_units("renew my 駕駛執照 now", &english);
        let spans = THESAURUS.find(&units);
        assert_eq!(spans.len(), 1);
        let span = &spans[0];
        let (group, member) = span.matched[0];
        assert_eq!(
            THESAURUS.member(group, member).unwrap().keys,
            vec!["驾驶执照"]
        );
        // Possessive and plural spellings analyse to the same keys.
        let units = split_units("drivers licences", &english);
        assert_eq!(THESAURUS.find(&units).len(), 1);
    }
}
