//! Lists on the web, a page at a time (`tamar_core::paging`): the `limit` and `after` of a
//! request, checked, and the link to the next page. The API answers a page as a JSON array,
//! with the next page's address in a `Link: <…>; rel="next"` header (RFC 8288), so that a
//! list's shape does not change; pages show the same link.

use axum::http::{HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};
use tamar_core::{Code, Cursor, Page, PageRequest};

use crate::WebError;
use crate::views::{View, ViewJson};

/// The query of a list that takes nothing but its page: `?limit=&after=`.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// At most this many items (1 to 200, default 20).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// Where the page starts: the cursor in the previous page's `Link: <…>; rel="next"`.
    pub after: Option<String>,
}

impl PageQuery {
    pub fn request(&self) -> Result<PageRequest, WebError> {
        request(self.limit, self.after.as_deref())
    }
}

/// The page a request asks for, from its `limit` and `after`: a limit out of bounds or a cursor
/// that no page gave is 400 `invalid_query`, naming the field.
pub fn request(limit: Option<u32>, after: Option<&str>) -> Result<PageRequest, WebError> {
    PageRequest::new(limit, after).map_err(|field| WebError { code: Code::INVALID_QUERY, details: vec![field] })
}

/// The address of the page after `cursor`: the request's own path and query, with `after` set.
pub fn next_href(uri: &Uri, cursor: &Cursor) -> String {
    next_href_as(uri, "after", cursor)
}

/// The same, for a list whose cursor goes in `param` (a page with two lists keeps one
/// `after` for each).
pub fn next_href_as(uri: &Uri, param: &str, cursor: &Cursor) -> String {
    with_param(uri, param, &cursor.encode())
}

/// What a page is told once, after an action that led to it ("published", "approved"), which
/// the next page of its list must not repeat.
const ONE_TIME: &[&str] = &["done", "notice"];

/// The request's own path and query, with `param` set to `value` (for lists paged by an
/// offset, such as search results ranked by relevance). One-time notices are left out.
pub fn with_param(uri: &Uri, param: &str, value: &str) -> String {
    let kept = uri
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .filter(|(k, _)| k != param && !ONE_TIME.contains(&k.as_str()))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.extend_pairs(kept);
    query.append_pair(param, value);
    format!("{}?{}", uri.path(), query.finish())
}

/// The address of the page after `page`, if another follows: for a page's "next" link.
pub fn next_of<T>(page: &Page<T>, uri: &Uri) -> Option<String> {
    page.next.as_ref().map(|next| next_href(uri, next))
}

/// A page of a JSON list: the items as an array, and the next page in a `Link` header. The
/// address is the request's as it came in (`OriginalUri`: under `/api/v1`, not the nested path).
pub struct PageJson<T>(pub Page<T>, pub Uri);

impl<T: View> IntoResponse for PageJson<T> {
    fn into_response(self) -> Response {
        let PageJson(page, uri) = self;
        let link = next_of(&page, &uri).map(|href| format!("<{href}>; rel=\"next\""));
        let mut response = ViewJson(page.items).into_response();
        if let Some(value) = link.and_then(|l| HeaderValue::from_str(&l).ok()) {
            response.headers_mut().insert(header::LINK, value);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_link_does_not_repeat_a_one_time_notice() {
        let uri: Uri = "/en/office/content?done=published&notice=approved&kind=news".parse().unwrap_or_default();
        assert_eq!(with_param(&uri, "after", "00"), "/en/office/content?kind=news&after=00");
    }

    #[test]
    fn the_next_link_keeps_the_query_and_replaces_after() {
        let uri: Uri = "/api/v1/me/accesses?limit=5&after=00&lang=tc".parse().unwrap_or_default();
        let next = next_href(&uri, &Cursor::new(["1", "2"]));
        assert_eq!(next, format!("/api/v1/me/accesses?limit=5&lang=tc&after={}", Cursor::new(["1", "2"]).encode()));
    }

    #[test]
    fn out_of_bounds_is_a_query_error_naming_the_field() {
        let error = request(Some(201), None).err().map(|e| (e.code, e.details));
        assert_eq!(error, Some((Code::INVALID_QUERY, vec![tamar_core::FieldError { field: "limit", rule: tamar_core::Rule::OutOfRange }])));
        assert!(request(None, Some("zz")).is_err());
        assert_eq!(request(None, None).map(|p| p.limit).ok(), Some(20));
    }
}
