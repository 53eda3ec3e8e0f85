//! Collecting list endpoints: follows `links.next` until the caller's limit, and hands back
//! a continuation so nothing is ever cut off silently.

use std::collections::HashSet;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{DeserializeOwned, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::api::Api;
use crate::bindings::harvest::tools::types::Error;
use crate::transport::{Query, Request};

pub const DEFAULT_LIMIT: u32 = 500;
pub const MAX_LIMIT: u32 = 100_000;
/// Harvest's largest page (§5.1).
pub const MAX_PER_PAGE: u32 = 2000;

/// What a list tool asks for, checked before any request is sent.
pub struct Listing {
    /// The page to fetch first: the endpoint with the caller's filters, or a continuation's page.
    first: String,
    /// Items of the first page already returned by an earlier call.
    skip: usize,
    limit: usize,
    /// True when continuing an earlier call, whose items are not counted here.
    resumed: bool,
}

impl Listing {
    /// `endpoint` is e.g. `/v2/time_entries`; `query` the caller's filters.
    pub fn new(
        endpoint: &str,
        query: Query,
        limit: Option<u32>,
        continuation: Option<&str>,
    ) -> Result<Listing, Error> {
        let limit = self::limit(limit)?;
        match continuation {
            Some(continuation) => {
                let (skip, first) = decode_continuation(continuation, endpoint)?;
                Ok(Listing {
                    first: first.to_string(),
                    skip,
                    limit,
                    resumed: true,
                })
            }
            None => {
                let query = query.set("per_page", limit.min(MAX_PER_PAGE as usize));
                Ok(Listing {
                    first: Request::get(endpoint).query(&query).path,
                    skip: 0,
                    limit,
                    resumed: false,
                })
            }
        }
    }
}

/// A collected slice of a list.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: Option<u64>,
    pub has_more: bool,
    pub continuation: Option<String>,
}

/// One page of a Harvest list answer. The one array-valued key that is not page metadata
/// (`time_entries`, `projects`, `results`, ...) holds the items.
pub struct Envelope<T> {
    pub items: Vec<T>,
    pub total_entries: Option<u64>,
    pub next: Option<String>,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Envelope<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EnvelopeVisitor<T>(PhantomData<T>);

        #[derive(Deserialize)]
        struct Links {
            next: Option<String>,
        }

        impl<'de, T: Deserialize<'de>> Visitor<'de> for EnvelopeVisitor<T> {
            type Value = Envelope<T>;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a Harvest list answer")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut items = None;
                let mut total_entries = None;
                let mut next = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "total_entries" => total_entries = map.next_value::<Option<u64>>()?,
                        "links" => next = map.next_value::<Option<Links>>()?.and_then(|l| l.next),
                        "per_page" | "total_pages" | "next_page" | "previous_page" | "page" => {
                            map.next_value::<IgnoredAny>()?;
                        }
                        _ if items.is_none() => items = Some(map.next_value::<Vec<T>>()?),
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                let items =
                    items.ok_or_else(|| serde::de::Error::custom("the answer has no list"))?;
                Ok(Envelope {
                    items,
                    total_entries,
                    next,
                })
            }
        }

        deserializer.deserialize_map(EnvelopeVisitor(PhantomData))
    }
}

/// Parses a limit argument.
pub fn limit(limit: Option<u32>) -> Result<usize, Error> {
    match limit.unwrap_or(DEFAULT_LIMIT) {
        n @ 1..=MAX_LIMIT => Ok(n as usize),
        _ => Err(Error::invalid(
            "limit",
            format!("must be between 1 and {MAX_LIMIT}"),
        )),
    }
}

/// A continuation names the page to fetch and how many of its items were already returned.
fn encode_continuation(skip: usize, path: &str) -> String {
    format!("{skip}~{path}")
}

fn decode_continuation<'c>(
    continuation: &'c str,
    endpoint: &str,
) -> Result<(usize, &'c str), Error> {
    let invalid = || {
        Error::invalid(
            "continuation",
            "must be the `continuation` value of a previous answer of the same tool, unchanged",
        )
    };
    let (skip, path) = continuation.split_once('~').ok_or_else(invalid)?;
    let skip = skip.parse::<usize>().map_err(|_| invalid())?;
    let on_endpoint = path
        .strip_prefix(endpoint)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('?'));
    if !on_endpoint {
        return Err(invalid());
    }
    Ok((skip, path))
}

/// Collects up to the listing's limit, following `links.next` on the API origin only.
pub fn collect<T: DeserializeOwned>(api: &Api, listing: Listing) -> Result<Page<T>, Error> {
    let Listing {
        first: mut path,
        mut skip,
        limit,
        resumed,
    } = listing;
    let mut items = Vec::new();
    let mut total = None;
    let mut seen = HashSet::new();
    loop {
        if !seen.insert(path.clone()) {
            return Err(Error::upstream(
                200,
                format!("Harvest's pagination repeated {path}; the list could not be completed"),
            ));
        }
        let page: Envelope<T> = api.call(&Request::get(path.as_str()))?;
        total = total.or(page.total_entries);
        let page_len = page.items.len();
        let wanted = limit - items.len();
        let taken: Vec<T> = page.items.into_iter().skip(skip).take(wanted).collect();
        let consumed = skip + taken.len();
        items.extend(taken);
        let next = match page.next {
            Some(next) => Some(next_path(api, &next)?),
            None => None,
        };
        if items.len() >= limit {
            let continuation = if consumed < page_len {
                Some(encode_continuation(consumed, &path))
            } else {
                next.map(|next| encode_continuation(0, &next))
            };
            return Ok(Page {
                items,
                total,
                has_more: continuation.is_some(),
                continuation,
            });
        }
        match next {
            Some(next) if page_len == 0 => {
                return Err(Error::upstream(
                    200,
                    format!("Harvest returned an empty page with a next link ({next})"),
                ));
            }
            Some(next) => {
                path = next;
                skip = 0;
            }
            None => {
                // The pages ended short of Harvest's own count: never hand that on as complete.
                if let Some(total) = total.filter(|t| !resumed && (items.len() as u64) < *t) {
                    return Err(Error::upstream(
                        200,
                        format!(
                            "Harvest counted {total} records but its pages held {}; the list is \
                             incomplete, try again",
                            items.len()
                        ),
                    ));
                }
                return Ok(Page {
                    items,
                    total,
                    has_more: false,
                    continuation: None,
                });
            }
        }
    }
}

/// The path of a `links.next` URL, refused unless it is on the configured API origin.
fn next_path(api: &Api, next: &str) -> Result<String, Error> {
    api.config
        .api
        .relative(next)
        .map(str::to_string)
        .ok_or_else(|| {
            Error::upstream(
                200,
                format!(
                    "Harvest's next-page link points outside {}; it was not followed",
                    api.config.api
                ),
            )
        })
}

/// Declares the WIT page record of an item type as built from a collected [`Page`].
macro_rules! page_record {
    ($record:ty, $item:ty) => {
        impl From<$crate::paging::Page<$item>> for $record {
            fn from(page: $crate::paging::Page<$item>) -> Self {
                Self {
                    items: page.items,
                    total: page.total,
                    has_more: page.has_more,
                    continuation: page.continuation,
                }
            }
        }
    };
}
pub(crate) use page_record;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_finds_the_list_under_any_key() -> Result<(), serde_json::Error> {
        let json = r#"{"time_entries":[1,2,3],"per_page":3,"total_pages":2,"total_entries":5,
            "next_page":2,"previous_page":null,"page":1,
            "links":{"first":"a","next":"http://h/v2/time_entries?page=2","previous":null,"last":"b"}}"#;
        let page: Envelope<u8> = serde_json::from_str(json)?;
        assert_eq!(page.items, vec![1, 2, 3]);
        assert_eq!(page.total_entries, Some(5));
        assert_eq!(
            page.next.as_deref(),
            Some("http://h/v2/time_entries?page=2")
        );
        Ok(())
    }

    #[test]
    fn continuation_round_trips_and_stays_on_its_endpoint() {
        let c = encode_continuation(7, "/v2/projects?cursor=abc&per_page=2000");
        assert_eq!(
            decode_continuation(&c, "/v2/projects").ok(),
            Some((7, "/v2/projects?cursor=abc&per_page=2000"))
        );
        assert!(decode_continuation(&c, "/v2/clients").is_err());
        assert!(decode_continuation("7~/v2/projects_x?a", "/v2/projects").is_err());
        assert!(decode_continuation("garbage", "/v2/projects").is_err());
    }

    #[test]
    fn limit_is_bounded() {
        assert_eq!(limit(None).ok(), Some(500));
        assert!(limit(Some(0)).is_err());
        assert!(limit(Some(MAX_LIMIT + 1)).is_err());
    }
}
