//! What a search may ask, checked in one place: the API and the search page build their
//! requests here, so that both refuse the same things and no request costs more than these
//! limits allow.

use tamar_core::{Code, HasCode, Lang};

use crate::model::{DocKind, SearchRequest};

/// The longest query, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// The furthest a request may page into the results.
pub const MAX_OFFSET: usize = 1000;
/// The most results one request returns.
pub const MAX_RESULTS: usize = 100;
/// Results per request when the caller does not say.
pub const DEFAULT_RESULTS: usize = 20;
/// Results per page of the search page.
pub const PAGE_SIZE: usize = 20;
/// The last page of the search page: the one that starts at `MAX_OFFSET`.
pub const MAX_PAGE: usize = MAX_OFFSET / PAGE_SIZE + 1;
/// The most values one filter may hold.
pub const MAX_FILTER_VALUES: usize = 32;
/// The longest filter value, in characters.
pub const MAX_FILTER_CHARS: usize = 100;
/// The longest prefix to complete, in characters.
pub const MAX_PREFIX_CHARS: usize = 100;
/// The most completions one request returns.
pub const MAX_SUGGESTIONS: usize = 20;
/// Completions when the caller does not say.
pub const DEFAULT_SUGGESTIONS: usize = 8;

/// The facet values a search is filtered by, as the caller sent them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// `DocKind::as_str` names.
    pub kinds: Vec<String>,
    pub topics: Vec<String>,
    /// Department codes.
    pub departments: Vec<String>,
    pub audiences: Vec<String>,
}

/// Why a request was refused. Every reason is the caller's, `invalid_query`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidRequest {
    #[error("the query is longer than {MAX_QUERY_CHARS} characters")]
    QueryTooLong,
    #[error("the offset is beyond {MAX_OFFSET}")]
    OffsetTooLarge,
    #[error("more than {MAX_RESULTS} results asked for")]
    TooManyResults,
    #[error("page {0} is not between 1 and {MAX_PAGE}")]
    PageOutOfRange(usize),
    #[error("unknown document kind {0:?}")]
    UnknownKind(String),
    #[error("a filter has more than {MAX_FILTER_VALUES} values")]
    TooManyFilterValues,
    #[error("a filter value is longer than {MAX_FILTER_CHARS} characters")]
    FilterValueTooLong,
    #[error("the prefix is longer than {MAX_PREFIX_CHARS} characters")]
    PrefixTooLong,
    #[error("the number of suggestions is not between 1 and {MAX_SUGGESTIONS}")]
    SuggestionsOutOfRange,
}

impl HasCode for InvalidRequest {
    fn code(&self) -> Code {
        Code::INVALID_QUERY
    }
}

fn check_query(q: &str) -> Result<String, InvalidRequest> {
    // Counted as sent, before trimming: the limit is on what the caller may send.
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(InvalidRequest::QueryTooLong);
    }
    Ok(q.trim().to_owned())
}

fn check_filters(filters: &Filters) -> Result<(), InvalidRequest> {
    for values in [
        &filters.kinds,
        &filters.topics,
        &filters.departments,
        &filters.audiences,
    ] {
        if values.len() > MAX_FILTER_VALUES {
            return Err(InvalidRequest::TooManyFilterValues);
        }
        if values.iter().any(|v| v.chars().count() > MAX_FILTER_CHARS) {
            return Err(InvalidRequest::FilterValueTooLong);
        }
    }
    if let Some(unknown) = filters.kinds.iter().find(|k| k.parse::<DocKind>().is_err()) {
        return Err(InvalidRequest::UnknownKind(unknown.clone()));
    }
    Ok(())
}

impl SearchRequest {
    fn filtered(
        q: String,
        lang: Lang,
        filters: Filters,
        offset: usize,
        limit: usize,
    ) -> SearchRequest {
        let Filters {
            kinds,
            topics,
            departments,
            audiences,
        } = filters;
        SearchRequest {
            q,
            lang,
            kinds,
            topics,
            departments,
            audiences,
            offset,
            limit,
        }
    }

    /// A request of the API: `offset` up to `MAX_OFFSET` (0 if not given), `limit` up to
    /// `MAX_RESULTS` (`DEFAULT_RESULTS` if not given; 0 asks for counts and facets only).
    pub fn checked(
        q: &str,
        lang: Lang,
        filters: Filters,
        offset: Option<usize>,
        limit: Option<usize>,
    ) -> Result<SearchRequest, InvalidRequest> {
        let q = check_query(q)?;
        check_filters(&filters)?;
        let offset = offset.unwrap_or(0);
        if offset > MAX_OFFSET {
            return Err(InvalidRequest::OffsetTooLarge);
        }
        let limit = limit.unwrap_or(DEFAULT_RESULTS);
        if limit > MAX_RESULTS {
            return Err(InvalidRequest::TooManyResults);
        }
        Ok(SearchRequest::filtered(q, lang, filters, offset, limit))
    }

    /// A page of the search page: `PAGE_SIZE` results, pages 1 (if not given) to `MAX_PAGE`.
    pub fn page(
        q: &str,
        lang: Lang,
        filters: Filters,
        page: Option<usize>,
    ) -> Result<SearchRequest, InvalidRequest> {
        let q = check_query(q)?;
        check_filters(&filters)?;
        let page = page.unwrap_or(1);
        if !(1..=MAX_PAGE).contains(&page) {
            return Err(InvalidRequest::PageOutOfRange(page));
        }
        Ok(SearchRequest::filtered(
            q,
            lang,
            filters,
            (page - 1) * PAGE_SIZE,
            PAGE_SIZE,
        ))
    }

    /// The page of the search page that this request is.
    pub fn page_number(&self) -> usize {
        self.offset / PAGE_SIZE + 1
    }

    /// The page before this one, if any.
    pub fn previous_page(&self) -> Option<usize> {
        let page = self.page_number();
        (page > 1).then(|| page - 1)
    }

    /// The page after this one, if `total` results reach it and it is not past `MAX_PAGE`.
    pub fn next_page(&self, total: usize) -> Option<usize> {
        let page = self.page_number();
        (page < MAX_PAGE && page * PAGE_SIZE < total).then(|| page + 1)
    }

    /// Whether there is anything to search for: words or a filter (else the page shows no results).
    pub fn has_criteria(&self) -> bool {
        !self.q.is_empty()
            || !self.kinds.is_empty()
            || !self.topics.is_empty()
            || !self.departments.is_empty()
            || !self.audiences.is_empty()
    }
}

/// A request for completions, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuggestRequest {
    pub prefix: String,
    pub lang: Lang,
    pub limit: usize,
}

impl SuggestRequest {
    /// `prefix` up to `MAX_PREFIX_CHARS`, `limit` from 1 to `MAX_SUGGESTIONS`
    /// (`DEFAULT_SUGGESTIONS` if not given).
    pub fn checked(
        prefix: &str,
        lang: Lang,
        limit: Option<usize>,
    ) -> Result<SuggestRequest, InvalidRequest> {
        if prefix.chars().count() > MAX_PREFIX_CHARS {
            return Err(InvalidRequest::PrefixTooLong);
        }
        let limit = limit.unwrap_or(DEFAULT_SUGGESTIONS);
        if !(1..=MAX_SUGGESTIONS).contains(&limit) {
            return Err(InvalidRequest::SuggestionsOutOfRange);
        }
        Ok(SuggestRequest {
            prefix: prefix.to_owned(),
            lang,
            limit,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn kinds(names: &[&str]) -> Filters {
        Filters {
            kinds: names.iter().map(|n| (*n).to_owned()).collect(),
            ..Filters::default()
        }
    }

    #[test]
    fn the_api_is_held_to_the_limits() {
        let ok =
            SearchRequest::checked("  licence ", Lang::En, Filters::default(), None, None).unwrap();
        assert_eq!(
            (ok.q.as_str(), ok.offset, ok.limit),
            ("licence", 0, DEFAULT_RESULTS)
        );
        let edge = SearchRequest::checked(
            &"字".repeat(MAX_QUERY_CHARS),
            Lang::Tc,
            kinds(&["service", "notice"]),
            Some(MAX_OFFSET),
            Some(MAX_RESULTS),
        )
        .unwrap();
        assert_eq!(
            (edge.offset, edge.limit, edge.kinds.len()),
            (MAX_OFFSET, MAX_RESULTS, 2)
        );
        assert_eq!(
            SearchRequest::checked("x", Lang::En, Filters::default(), None, Some(0))
                .unwrap()
                .limit,
            0,
            "counts only"
        );
        let refused = |q: &str, filters: Filters, offset, limit| {
            SearchRequest::checked(q, Lang::En, filters, offset, limit).unwrap_err()
        };
        assert_eq!(
            refused(
                &"字".repeat(MAX_QUERY_CHARS + 1),
                Filters::default(),
                None,
                None
            ),
            InvalidRequest::QueryTooLong
        );
        assert_eq!(
            refused("x", Filters::default(), Some(MAX_OFFSET + 1), None),
            InvalidRequest::OffsetTooLarge
        );
        assert_eq!(
            refused("x", Filters::default(), None, Some(MAX_RESULTS + 1)),
            InvalidRequest::TooManyResults
        );
        assert_eq!(
            refused("x", kinds(&["service", "leaflet"]), None, None),
            InvalidRequest::UnknownKind("leaflet".into())
        );
    }

    #[test]
    fn filters_are_bounded_in_number_and_length() {
        let many = Filters {
            topics: vec!["tax".to_owned(); MAX_FILTER_VALUES],
            ..Filters::default()
        };
        assert!(SearchRequest::checked("", Lang::En, many.clone(), None, None).is_ok());
        let mut too_many = many;
        too_many.topics.push("housing".into());
        assert_eq!(
            SearchRequest::page("", Lang::En, too_many, None).unwrap_err(),
            InvalidRequest::TooManyFilterValues
        );
        let long = Filters {
            departments: vec!["D".repeat(MAX_FILTER_CHARS + 1)],
            ..Filters::default()
        };
        assert_eq!(
            SearchRequest::checked("", Lang::En, long, None, None).unwrap_err(),
            InvalidRequest::FilterValueTooLong
        );
    }

    #[test]
    fn the_page_goes_from_page_one_to_the_last_offset() {
        let first = SearchRequest::page("tax", Lang::En, Filters::default(), None).unwrap();
        assert_eq!(
            (first.offset, first.limit, first.page_number()),
            (0, PAGE_SIZE, 1)
        );
        assert_eq!(
            (
                first.previous_page(),
                first.next_page(PAGE_SIZE),
                first.next_page(PAGE_SIZE + 1)
            ),
            (None, None, Some(2))
        );
        let last =
            SearchRequest::page("tax", Lang::En, Filters::default(), Some(MAX_PAGE)).unwrap();
        assert_eq!(
            (MAX_PAGE, last.offset),
            (51, MAX_OFFSET),
            "the last page starts where the API stops"
        );
        assert_eq!(
            (last.previous_page(), last.next_page(usize::MAX)),
            (Some(MAX_PAGE - 1), None)
        );
        for page in [0, MAX_PAGE + 1] {
            assert_eq!(
                SearchRequest::page("tax", Lang::En, Filters::default(), Some(page)).unwrap_err(),
                InvalidRequest::PageOutOfRange(page)
            );
        }
        assert_eq!(
            SearchRequest::page("tax", Lang::En, kinds(&["Service"]), None).unwrap_err(),
            InvalidRequest::UnknownKind("Service".into())
        );
        assert!(
            !SearchRequest::page("  ", Lang::En, Filters::default(), None)
                .unwrap()
                .has_criteria()
        );
        assert!(
            SearchRequest::page("", Lang::En, kinds(&["news"]), None)
                .unwrap()
                .has_criteria()
        );
    }

    #[test]
    fn suggestions_are_held_to_their_limits() {
        assert_eq!(
            SuggestRequest::checked("vacc", Lang::En, None)
                .unwrap()
                .limit,
            DEFAULT_SUGGESTIONS
        );
        assert!(
            SuggestRequest::checked(
                &"a".repeat(MAX_PREFIX_CHARS),
                Lang::En,
                Some(MAX_SUGGESTIONS)
            )
            .is_ok()
        );
        assert_eq!(
            SuggestRequest::checked(&"a".repeat(MAX_PREFIX_CHARS + 1), Lang::En, None).unwrap_err(),
            InvalidRequest::PrefixTooLong
        );
        for limit in [0, MAX_SUGGESTIONS + 1] {
            assert_eq!(
                SuggestRequest::checked("a", Lang::En, Some(limit)).unwrap_err(),
                InvalidRequest::SuggestionsOutOfRange
            );
        }
        assert_eq!(InvalidRequest::PrefixTooLong.code(), Code::INVALID_QUERY);
    }
}
