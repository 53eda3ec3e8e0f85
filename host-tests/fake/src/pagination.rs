//! List envelopes (docs/harvest-notes.md#pagination): page-based and cursor-based, with absolute
//! `links` on the fake's own origin that carry the request's filters.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use serde::Serialize;
use serde_json::{Value, json};

use super::error::ApiError;
use super::params::Params;

pub const MAX_PER_PAGE: u32 = 2000;

/// Where a list lives: its absolute URL, the key of its array and its default page size.
pub struct ListSpec<'a> {
    pub url: String,
    pub key: &'a str,
    pub default_per_page: u32,
}

impl<'a> ListSpec<'a> {
    pub fn new(origin: &str, path: &str, key: &'a str) -> ListSpec<'a> {
        ListSpec {
            url: format!("{origin}{path}"),
            key,
            default_per_page: MAX_PER_PAGE,
        }
    }

    fn per_page(&self, params: &Params) -> Result<u32, ApiError> {
        match params.number("per_page")? {
            None => Ok(self.default_per_page),
            // docs/harvest-notes.md#pagination: 1–2000; above the maximum is a 422.
            Some(n) if (1..=MAX_PER_PAGE).contains(&n) => Ok(n),
            Some(_) => Err(ApiError::Unprocessable(format!(
                "per_page must be between 1 and {MAX_PER_PAGE}"
            ))),
        }
    }

    fn page(params: &Params) -> Result<usize, ApiError> {
        match params.number("page")? {
            None => Ok(1),
            Some(0) => Err(ApiError::Unprocessable("page must be 1 or greater".into())),
            Some(n) => Ok(n as usize),
        }
    }

    fn link(&self, params: &Params, paging: &[(&str, String)]) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (k, v) in paging {
            query.append_pair(k, v);
        }
        for (k, v) in params.filters() {
            query.append_pair(&k, &v);
        }
        format!("{}?{}", self.url, query.finish())
    }

    /// Page-based envelope (`page` works, `links` use `page=`).
    pub fn page_based<T: Serialize>(
        &self,
        items: &[T],
        params: &Params,
    ) -> Result<Value, ApiError> {
        let window = self.page_range(items.len(), params)?;
        self.page_window(items.len(), items.get(window).unwrap_or(&[]), params)
    }

    /// Where the page `params` asks for lies among `total` items (checking `page` and
    /// `per_page`), so that a caller can render only that page.
    pub fn page_range(
        &self,
        total: usize,
        params: &Params,
    ) -> Result<std::ops::Range<usize>, ApiError> {
        let size = self.per_page(params)? as usize;
        let start = (Self::page(params)? - 1).saturating_mul(size).min(total);
        Ok(start..(start + size).min(total))
    }

    /// The page-based envelope of a list of `total` items whose requested page
    /// ([`Self::page_range`]) is `slice`.
    pub fn page_window<T: Serialize>(
        &self,
        total: usize,
        slice: &[T],
        params: &Params,
    ) -> Result<Value, ApiError> {
        let per_page = self.per_page(params)?;
        let page = Self::page(params)?;
        let size = per_page as usize;
        let total_pages = total.div_ceil(size).max(1);
        let link = |p: usize| {
            self.link(
                params,
                &[("page", p.to_string()), ("per_page", per_page.to_string())],
            )
        };
        let next = (page < total_pages).then_some(page + 1);
        let previous = (page > 1).then(|| (page - 1).min(total_pages));
        Ok(json!({
            self.key: slice,
            "per_page": per_page,
            "total_pages": total_pages,
            "total_entries": total,
            "next_page": next,
            "previous_page": previous,
            "page": page,
            "links": {
                "first": link(1),
                "next": next.map(link),
                "previous": previous.map(link),
                "last": link(total_pages),
            },
        }))
    }

    /// Cursor-based envelope. `items` must be sorted newest first, i.e. by descending id: the
    /// opaque cursor is Harvest's `{"after":{"id":N}}` (or `before`) in base64. `page`, `next_page`
    /// and `previous_page` are null except on the first and last pages
    /// (docs/harvest-notes.md#pagination).
    pub fn cursor_based<T: Serialize>(
        &self,
        items: &[T],
        id_of: impl Fn(&T) -> u64,
        params: &Params,
    ) -> Result<Value, ApiError> {
        let per_page = self.per_page(params)?;
        let size = per_page as usize;
        let total = items.len();
        let start = match params.get("cursor") {
            Some(cursor) => match decode_cursor(cursor) {
                Some(Cursor::After(id)) => items.iter().take_while(|i| id_of(i) >= id).count(),
                Some(Cursor::Before(id)) => items
                    .iter()
                    .take_while(|i| id_of(i) > id)
                    .count()
                    .saturating_sub(size),
                None => return Err(ApiError::Unprocessable("cursor is invalid".into())),
            },
            None => (Self::page(params)? - 1).saturating_mul(size).min(total),
        };
        let slice = items.get(start..(start + size).min(total)).unwrap_or(&[]);
        let total_pages = total.div_ceil(size).max(1);
        let (first, last) = (start == 0, start + size >= total);
        let page = if first {
            Some(1)
        } else if last {
            Some(total_pages)
        } else {
            None
        };
        let next_page = (first && !last).then_some(2);
        let previous_page = (last && !first).then(|| total_pages.saturating_sub(1).max(1));
        let pp = per_page.to_string();
        let cursor_link = |c: Cursor, r: &str| {
            self.link(
                params,
                &[
                    ("cursor", c.encode()),
                    ("per_page", pp.clone()),
                    ("ref", r.into()),
                ],
            )
        };
        let page_link = |p: usize, r: &str| {
            self.link(
                params,
                &[
                    ("page", p.to_string()),
                    ("per_page", pp.clone()),
                    ("ref", r.into()),
                ],
            )
        };
        let next = match slice.last() {
            Some(item) if !last => Some(cursor_link(Cursor::After(id_of(item)), "next_cursor")),
            _ => None,
        };
        let previous = match slice.first() {
            Some(item) if !first => {
                Some(cursor_link(Cursor::Before(id_of(item)), "previous_cursor"))
            }
            None if !first => Some(page_link(total_pages, "previous")),
            _ => None,
        };
        Ok(json!({
            self.key: slice,
            "per_page": per_page,
            "total_pages": total_pages,
            "total_entries": total,
            "next_page": next_page,
            "previous_page": previous_page,
            "page": page,
            "links": {
                "first": page_link(1, "first"),
                "next": next,
                "previous": previous,
                "last": page_link(total_pages, "last"),
            },
        }))
    }
}

enum Cursor {
    After(u64),
    Before(u64),
}

impl Cursor {
    fn encode(&self) -> String {
        let json = match self {
            Cursor::After(id) => json!({ "after": { "id": id } }),
            Cursor::Before(id) => json!({ "before": { "id": id } }),
        };
        URL_SAFE_NO_PAD.encode(json.to_string())
    }
}

fn decode_cursor(raw: &str) -> Option<Cursor> {
    let trimmed = raw.trim_end_matches('=');
    let bytes = URL_SAFE_NO_PAD
        .decode(trimmed)
        .or_else(|_| STANDARD_NO_PAD.decode(trimmed))
        .ok()?;
    let value: Value = serde_json::from_slice(&bytes).ok()?;
    if let Some(id) = value.pointer("/after/id").and_then(Value::as_u64) {
        return Some(Cursor::After(id));
    }
    value
        .pointer("/before/id")
        .and_then(Value::as_u64)
        .map(Cursor::Before)
}
