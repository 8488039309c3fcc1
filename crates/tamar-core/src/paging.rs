//! Keyset paging. Every list is read a page at a time: the request names how many items it
//! wants (at most [`MAX_LIMIT`]) and, after the first page, the cursor that the page before it
//! gave. A cursor holds the sort keys of the last item of its page, so the next page starts
//! right after it with an indexed condition, whatever the list's length; it is opaque to
//! clients.

use crate::{FieldError, Rule};

/// Items on a page when the request does not say.
pub const DEFAULT_LIMIT: u32 = 20;
/// The most items a page may hold.
pub const MAX_LIMIT: u32 = 200;

/// Longest cursor accepted, in characters.
const MAX_CURSOR: usize = 512;

/// Where a page starts: the sort keys of the item just before it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor(Vec<String>);

impl Cursor {
    pub fn new<I, S>(keys: I) -> Cursor
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Cursor(keys.into_iter().map(Into::into).collect())
    }

    /// The keys, in the order the list sorts by.
    pub fn keys(&self) -> &[String] {
        &self.0
    }

    /// The cursor as clients see it: URL-safe, and opaque.
    pub fn encode(&self) -> String {
        hex::encode(self.0.join("\n"))
    }

    /// A cursor from what a client sent back; `None` if it is not one that [`Cursor::encode`]
    /// makes.
    pub fn decode(text: &str) -> Option<Cursor> {
        if text.is_empty() || text.len() > MAX_CURSOR {
            return None;
        }
        let joined = String::from_utf8(hex::decode(text).ok()?).ok()?;
        Some(Cursor(joined.split('\n').map(str::to_owned).collect()))
    }

    /// The key at `i` as an integer, as lists sorted by time or by number keep it.
    pub fn int(&self, i: usize) -> Option<i64> {
        self.0.get(i)?.parse().ok()
    }
}

/// Which page of a list to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: u32,
    pub after: Option<Cursor>,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest { limit: DEFAULT_LIMIT, after: None }
    }
}

impl PageRequest {
    /// The first page of at most `limit` items (kept between 1 and [`MAX_LIMIT`]).
    pub fn first(limit: u32) -> PageRequest {
        PageRequest { limit: limit.clamp(1, MAX_LIMIT), after: None }
    }

    /// A page as a client asked for it: `limit` (1 to [`MAX_LIMIT`], default
    /// [`DEFAULT_LIMIT`]) items after the cursor `after`.
    pub fn new(limit: Option<u32>, after: Option<&str>) -> Result<PageRequest, FieldError> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(FieldError { field: "limit", rule: Rule::OutOfRange });
        }
        let after = match after {
            None => None,
            Some(text) => Some(Cursor::decode(text).ok_or(FieldError { field: "after", rule: Rule::Format })?),
        };
        Ok(PageRequest { limit, after })
    }

    /// How many rows to read: one more than the page holds, to know whether another follows.
    pub fn fetch(&self) -> u64 {
        u64::from(self.limit) + 1
    }
}

/// One page of a list, and where the next one starts (none after the last).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<Cursor>,
}

impl<T> Page<T> {
    /// The page made of `rows`, read with [`PageRequest::fetch`]: the extra row, if there is
    /// one, only says that another page follows, from the keys of the page's last item.
    pub fn from_rows(mut rows: Vec<T>, request: &PageRequest, keys: impl Fn(&T) -> Cursor) -> Page<T> {
        let limit = request.limit as usize;
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next = if more { rows.last().map(keys) } else { None };
        Page { items: rows, next }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { items: self.items.into_iter().map(f).collect(), next: self.next }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_survives_the_round_trip_and_nothing_else_is_one() {
        let cursor = Cursor::new(["1733140000000", "42"]);
        let text = cursor.encode();
        assert!(text.chars().all(|c| c.is_ascii_hexdigit()), "{text}");
        assert_eq!(Cursor::decode(&text), Some(cursor.clone()));
        assert_eq!(cursor.int(0), Some(1_733_140_000_000));
        assert_eq!(cursor.int(1), Some(42));
        assert_eq!(cursor.int(2), None);
        for bad in ["", "zz", "abc", &"a".repeat(600), "ff"] {
            assert_eq!(Cursor::decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn page_requests_are_bounded() {
        assert_eq!(PageRequest::new(None, None), Ok(PageRequest::default()));
        assert_eq!(PageRequest::new(Some(200), None).map(|p| p.limit), Ok(200));
        assert_eq!(PageRequest::new(Some(0), None), Err(FieldError { field: "limit", rule: Rule::OutOfRange }));
        assert_eq!(PageRequest::new(Some(201), None), Err(FieldError { field: "limit", rule: Rule::OutOfRange }));
        assert_eq!(PageRequest::new(None, Some("not a cursor")), Err(FieldError { field: "after", rule: Rule::Format }));
        assert_eq!(PageRequest::first(5000).limit, MAX_LIMIT);
        assert_eq!(PageRequest::first(0).limit, 1);
    }

    #[test]
    fn a_page_says_whether_another_follows() {
        let request = PageRequest::first(3);
        let page = Page::from_rows(vec![1, 2, 3, 4], &request, |n| Cursor::new([n.to_string()]));
        assert_eq!(page.items, [1, 2, 3]);
        assert_eq!(page.next, Some(Cursor::new(["3"])));
        let last = Page::from_rows(vec![1, 2, 3], &request, |n| Cursor::new([n.to_string()]));
        assert_eq!(last.next, None);
        assert_eq!(request.fetch(), 4);
    }
}
