//! Collecting list endpoints: follows `links.next` until the caller's limit, and hands back
//! a continuation so nothing is ever cut off silently.

use std::collections::HashSet;
use std::ops::ControlFlow;

use crate::json::{FromJson, Json, Mismatch};

use crate::bindings::wit::{self, Error, ResolvedPeriod};
use crate::http::response::{self, Response};
use crate::http::{Client, Query, Request};
use crate::period::{Calendar, Dates, Span};

pub const DEFAULT_LIMIT: u32 = 500;
pub const MAX_LIMIT: u32 = 100_000;
/// Harvest's largest page (docs/harvest-notes.md#pagination).
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
                    first: Request::<()>::get(endpoint).query(query).path_and_query(),
                    skip: 0,
                    limit,
                    resumed: false,
                })
            }
        }
    }
}

#[cfg(test)]
impl Listing {
    /// The request of the page to fetch first, as `collect` sends it.
    pub fn first_request<T>(&self) -> Request<T> {
        Request::get(self.first.as_str())
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

/// One page of a Harvest list answer but for its items: the one array-valued key that is not
/// page metadata (`time_entries`, `projects`, `results`, ...) holds them.
pub struct Envelope {
    pub total_entries: Option<u64>,
    pub next: Option<String>,
    /// This page's number, the number of pages and their size: set on page-numbered lists
    /// (cursor-paginated lists leave `page` null between their first and last pages).
    pub page: Option<u64>,
    pub total_pages: Option<u64>,
    pub per_page: Option<u64>,
}

/// A whole page, its items read as `T`, for the tests.
#[cfg(test)]
pub struct Listed<T> {
    pub items: Vec<T>,
    pub envelope: Envelope,
}

#[cfg(test)]
impl<T: FromJson> FromJson for Listed<T> {
    fn stand_in() -> Self {
        Listed {
            items: Vec::new(),
            envelope: Envelope {
                total_entries: None,
                next: None,
                page: None,
                total_pages: None,
                per_page: None,
            },
        }
    }

    fn from_json(value: &Json) -> Result<Self, Mismatch> {
        let (key, items, envelope) = Envelope::around(value)?;
        Ok(Listed {
            items: Vec::from_json(items).map_err(|m| m.within(key))?,
            envelope,
        })
    }
}

impl Envelope {
    /// The page's metadata, and the key and value of its list.
    fn around<'j, 'a>(value: &'j Json<'a>) -> Result<(&'j str, &'j Json<'a>, Self), Mismatch> {
        let mut items = None;
        let mut envelope = Envelope {
            total_entries: None,
            next: None,
            page: None,
            total_pages: None,
            per_page: None,
        };
        for (key, value) in value.fields()?.members() {
            let field = |m: Mismatch| m.within(key);
            match key {
                "total_entries" => {
                    envelope.total_entries = FromJson::from_json(value).map_err(field)?
                }
                "links" => {
                    envelope.next = value.fields().map_err(field)?.take("next").map_err(field)?
                }
                // Only a hint for reading ahead: a value of another type is ignored.
                "page" => envelope.page = value.as_u64(),
                "total_pages" => envelope.total_pages = value.as_u64(),
                "per_page" => envelope.per_page = value.as_u64(),
                _ if is_list_key(key) && items.is_none() => items = Some((key, value)),
                _ => {}
            }
        }
        let (key, items) = items.ok_or_else(|| Mismatch::new("the answer has no list"))?;
        Ok((key, items, envelope))
    }
}

/// Whether `key` of a list answer may hold its list: every key but the page metadata.
fn is_list_key(key: &str) -> bool {
    !matches!(
        key,
        "total_entries"
            | "links"
            | "page"
            | "total_pages"
            | "per_page"
            | "next_page"
            | "previous_page"
    )
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

/// Collects up to the listing's limit, following `links.next` on the API origin only (see
/// [`walk`]).
pub fn collect<T: FromJson>(client: &Client, listing: Listing) -> Result<Page<T>, Error> {
    let mut items = Vec::new();
    let end = walk(client, listing, |item| items.push(item))?;
    Ok(Page {
        items,
        total: end.total,
        has_more: end.has_more,
        continuation: end.continuation,
    })
}

/// Hands every item of the list at `endpoint` to `each` as its page arrives, keeping only the
/// pages in flight, so that what the caller keeps is all the memory used. Returns Harvest's
/// count. Reads every page, as [`collect`] would with no limit.
pub fn for_each<T: FromJson>(
    client: &Client,
    endpoint: &str,
    query: Query,
    each: impl FnMut(T),
) -> Result<Option<u64>, Error> {
    let listing = Listing {
        first: Request::<()>::get(endpoint)
            .query(query.set("per_page", MAX_PER_PAGE))
            .path_and_query(),
        skip: 0,
        limit: usize::MAX,
        resumed: false,
    };
    walk(client, listing, each).map(|end| end.total)
}

/// Where a list ended: what a [`Page`] says besides its items.
struct End {
    total: Option<u64>,
    has_more: bool,
    continuation: Option<String>,
}

/// Takes up to the listing's limit, handing each item to `take`.
///
/// Page-numbered lists are read ahead: once a page says how many pages there are, the pages the
/// limit still needs are requested together (up to `HARVEST_PAGE_CONCURRENCY` at a time) at the
/// addresses its `links.next` predicts, and taken in order exactly as if each had been followed.
/// A page whose `links.next` differs from the prediction ends the read-ahead, and the list is
/// followed from that link one page at a time. Cursor-paginated lists are always followed one
/// page at a time.
fn walk<T: FromJson>(
    client: &Client,
    listing: Listing,
    mut take: impl FnMut(T),
) -> Result<End, Error> {
    walk_items(client, listing, &mut |item| {
        T::from_json(item).map(&mut take)
    })
}

/// Where each item of a page goes: read as its type and taken. Only this depends on the items'
/// type, so the component carries the page walk once rather than once per record.
type Sink<'s> = dyn FnMut(&Json) -> Result<(), Mismatch> + 's;

/// [`walk`], with each item handed to `sink` as it is read.
fn walk_items(client: &Client, listing: Listing, sink: &mut Sink) -> Result<End, Error> {
    let concurrency = client.config.policy.page_concurrency;
    let mut tally = Tally {
        taken: 0,
        total: None,
        seen: HashSet::new(),
        limit: listing.limit,
        resumed: listing.resumed,
        status: 200,
    };
    let mut path = listing.first;
    let mut skip = listing.skip;
    loop {
        tally.visit(&path)?;
        let response = client.checked(&Request::<()>::get(path.as_str()))?;
        let (mut step, envelope) = tally.take(client, &path, skip, &response, sink)?;
        let ahead = plan_ahead(&envelope, tally.wanted(0));
        skip = 0;
        if let (Step::More(next), Some(ahead)) = (&step, ahead)
            && concurrency > 1
        {
            let paths = ahead.paths(next);
            if paths.len() > 1 {
                step = tally.fetch_ahead(client, &paths, concurrency, sink)?;
            }
        }
        match step {
            Step::Done(end) => return Ok(end),
            Step::More(next) => path = next,
        }
    }
}

/// A request's path without its query.
fn path_only(path: &str) -> &str {
    path.split_once('?').map_or(path, |(path, _)| path)
}

/// What taking a list has seen so far.
struct Tally {
    taken: usize,
    total: Option<u64>,
    /// Every page path requested, to catch a pagination loop.
    seen: HashSet<String>,
    limit: usize,
    /// True when continuing an earlier call, whose items are not counted here.
    resumed: bool,
    /// The status of the last page taken, named when its content breaks the rules.
    status: u16,
}

/// Where taking goes after a page.
enum Step {
    /// The path of the next page to take.
    More(String),
    Done(End),
}

impl Tally {
    /// How many more items the limit wants once `coming` more have been taken.
    fn wanted(&self, coming: usize) -> usize {
        self.limit.saturating_sub(self.taken.saturating_add(coming))
    }

    /// Records that `path` is about to be taken; a path taken twice is a pagination loop.
    fn visit(&mut self, path: &str) -> Result<(), Error> {
        if self.seen.insert(path.to_string()) {
            return Ok(());
        }
        Err(Error::unreadable(
            self.status,
            format!("Harvest's pagination repeated {path}; the list could not be completed"),
        ))
    }

    /// After the items of the page at `path` were taken (`consumed` of its `page_len`,
    /// counting those skipped), where to go next.
    fn after_page(
        &mut self,
        client: &Client,
        path: &str,
        (page_len, consumed): (usize, usize),
        next: Option<String>,
    ) -> Result<Step, Error> {
        let status = self.status;
        let next = match next {
            Some(next) => Some(next_path(client, status, &next)?),
            None => None,
        };
        if self.taken >= self.limit {
            let continuation = if consumed < page_len {
                Some(encode_continuation(consumed, path))
            } else {
                next.map(|next| encode_continuation(0, &next))
            };
            return Ok(Step::Done(End {
                total: self.total,
                has_more: continuation.is_some(),
                continuation,
            }));
        }
        match next {
            Some(next) if page_len == 0 => Err(Error::unreadable(
                status,
                format!("Harvest returned an empty page with a next link ({next})"),
            )),
            Some(next) => Ok(Step::More(next)),
            None => {
                // The pages ended short of Harvest's own count: never hand that on as complete.
                if let Some(total) = self
                    .total
                    .filter(|t| !self.resumed && (self.taken as u64) < *t)
                {
                    return Err(Error::unreadable(
                        status,
                        format!(
                            "Harvest counted {total} records but its pages held {}; the list is \
                             incomplete, try again",
                            self.taken
                        ),
                    ));
                }
                Ok(Step::Done(End {
                    total: self.total,
                    has_more: false,
                    continuation: None,
                }))
            }
        }
    }

    /// Takes the items of `response`, the page at `path` (less the first `skip`), up to the
    /// limit, each as it is read; says where to go next, and what the page said of the list.
    fn take(
        &mut self,
        client: &Client,
        path: &str,
        skip: usize,
        response: &Response,
        sink: &mut Sink,
    ) -> Result<(Step, Envelope), Error> {
        self.status = response.status;
        let wanted = self.limit.saturating_sub(self.taken);
        let mut taken = 0;
        let page = response.parse_list(path_only(path), is_list_key, &mut |key, index, item| {
            if index < skip || taken >= wanted {
                return Ok(());
            }
            sink(item).map_err(|m| m.at_index(index).within(key))?;
            taken += 1;
            Ok(())
        })?;
        let unreadable =
            |m: Mismatch| response::unreadable(response.status, path_only(path), &m.to_string());
        let (key, items, mut envelope) = Envelope::around(&page.rest).map_err(unreadable)?;
        if !matches!(items, Json::Array(_)) {
            return Err(unreadable(
                Mismatch::expected("an array", items).within(key),
            ));
        }
        self.total = self.total.or(envelope.total_entries);
        self.taken += taken;
        let consumed = skip.min(page.items) + taken;
        let next = envelope.next.take();
        let step = self.after_page(client, path, (page.items, consumed), next)?;
        Ok((step, envelope))
    }

    /// Requests the pages at `paths` together and takes them in order, each only if the page
    /// before it links to it. Returns where to go after the last page taken. An error on any
    /// page taken is the answer: nothing partial is returned.
    fn fetch_ahead(
        &mut self,
        client: &Client,
        paths: &[String],
        concurrency: usize,
        sink: &mut Sink,
    ) -> Result<Step, Error> {
        let requests: Vec<Request<()>> = paths.iter().map(|p| Request::get(p.as_str())).collect();
        let mut step = None;
        client.exchange_all(&requests, concurrency, &mut |index, response| {
            let path = paths.get(index).map_or("", String::as_str);
            self.visit(path)?;
            let (taken, _) = self.take(client, path, 0, &response, sink)?;
            let flow = match (&taken, paths.get(index + 1)) {
                (Step::More(next), Some(predicted)) if next == predicted => {
                    ControlFlow::Continue(())
                }
                _ => ControlFlow::Break(()),
            };
            step = Some(taken);
            Ok(flow)
        })?;
        step.ok_or_else(|| Error::internal("Harvest's pages could not be read ahead"))
    }
}

/// A page-numbered list's position, read from one of its pages: the pages to fetch ahead.
struct PagesAhead {
    /// The page number the page's `links.next` points at.
    next_page: u64,
    /// The last page the limit needs.
    last_page: u64,
}

/// When `page` is of a page-numbered list with pages after it, the pages still needed for
/// `wanted` more items.
fn plan_ahead(page: &Envelope, wanted: usize) -> Option<PagesAhead> {
    let (number, total_pages, per_page) = (page.page?, page.total_pages?, page.per_page?);
    if per_page == 0 || wanted == 0 || number >= total_pages {
        return None;
    }
    let pages_wanted = (wanted as u64).div_ceil(per_page);
    Some(PagesAhead {
        next_page: number + 1,
        last_page: total_pages.min(number.saturating_add(pages_wanted)),
    })
}

impl PagesAhead {
    /// The paths of the pages from `next` (the path of the page after this one) on, or
    /// nothing when `next` is not a page-numbered link to that page.
    fn paths(&self, next: &str) -> Vec<String> {
        if with_page(next, self.next_page).as_deref() != Some(next) {
            return Vec::new();
        }
        (self.next_page..=self.last_page)
            .map_while(|number| with_page(next, number))
            .collect()
    }
}

/// `path` with its one `page` query parameter set to `number`; nothing if it has no `page`,
/// several, or a `cursor`.
fn with_page(path: &str, number: u64) -> Option<String> {
    let (endpoint, query) = path.split_once('?')?;
    let mut pages = 0;
    let mut pairs = Vec::new();
    for pair in query.split('&') {
        let key = pair.split_once('=').map_or(pair, |(key, _)| key);
        match key {
            "cursor" => return None,
            "page" => {
                pages += 1;
                pairs.push(format!("page={number}"));
            }
            _ => pairs.push(pair.to_string()),
        }
    }
    (pages == 1).then(|| format!("{endpoint}?{}", pairs.join("&")))
}

/// The path of a `links.next` URL, refused unless it is on the configured API origin.
fn next_path(client: &Client, status: u16, next: &str) -> Result<String, Error> {
    let api = &client.config.api;
    api.relative(next).map(str::to_string).ok_or_else(|| {
        Error::unreadable(
            status,
            format!("Harvest's next-page link points outside {api}; it was not followed"),
        )
    })
}

/// A WIT page record (`ClientPage`, `TaskPage`, ...): what a list tool returns, built from a
/// collected [`Page`] of its items.
pub trait Paged {
    type Item: FromJson;
    fn from_page(page: Page<Self::Item>) -> Self;
}

/// A list tool's query record: how much it wants, where to continue, and in which account.
pub trait PageQuery {
    fn limit(&self) -> Option<u32>;
    fn continuation(&self) -> Option<&str>;
    fn account_id(&self) -> Option<u64>;
}

/// Every list tool, after its filters are checked: describes the first page (or the
/// continuation's), and collects the pages the limit needs in the query's account.
pub fn list<P: Paged>(endpoint: &str, filters: Query, query: &impl PageQuery) -> Result<P, Error> {
    let listing = Listing::new(endpoint, filters, query.limit(), query.continuation())?;
    let client = Client::for_account(query.account_id())?;
    collect(&client, listing).map(P::from_page)
}

/// A list tool over dates that may be given as a `period`: `filters` builds its query from
/// the dates. Everything is checked with the dates as given before any request; a period is
/// then resolved (not on a continuation, whose page already holds its dates) and echoed.
pub fn list_dated<P: Paged + Dated>(
    endpoint: &str,
    query: &(impl PageQuery + DatedQuery),
    filters: impl Fn(&Dates) -> Result<Query, Error>,
) -> Result<P, Error> {
    let dated = collect_dated(endpoint, query, filters)?;
    Ok(P::from_page(dated.page).dated(dated.period))
}

/// What [`collect_dated`] gathered, with the client that read it.
pub struct DatedPage<T> {
    pub client: Client,
    pub page: Page<T>,
    pub period: Option<ResolvedPeriod>,
    /// The user's calendar, when resolving the period read it.
    pub calendar: Option<Calendar>,
}

/// As [`list_dated`], for a list tool that builds its page record itself.
pub fn collect_dated<T: FromJson>(
    endpoint: &str,
    query: &(impl PageQuery + DatedQuery),
    filters: impl Fn(&Dates) -> Result<Query, Error>,
) -> Result<DatedPage<T>, Error> {
    let span = query.span()?;
    let given = span.explicit().unwrap_or_default();
    let listing = Listing::new(
        endpoint,
        filters(&given)?,
        query.limit(),
        query.continuation(),
    )?;
    let client = Client::for_account(query.account_id())?;
    let (listing, calendar) = match (span, query.continuation()) {
        (Span::Period(_), None) => {
            let calendar = Calendar::read(&client)?;
            let dates = span.resolve_in(&calendar);
            let listing = Listing::new(endpoint, filters(&dates)?, query.limit(), None)?;
            (listing, Some((calendar, dates.resolved)))
        }
        _ => (listing, None),
    };
    let page = collect(&client, listing)?;
    let (calendar, period) = calendar.unzip();
    Ok(DatedPage {
        client,
        page,
        period: period.flatten(),
        calendar,
    })
}

/// A page record that echoes the period its dates came from.
pub trait Dated {
    fn dated(self, period: Option<ResolvedPeriod>) -> Self;
}

/// A list query that takes `period` or `from`/`to`.
pub trait DatedQuery {
    /// The query's dates, checked: a period, or the dates as given.
    fn span(&self) -> Result<Span, Error>;

    /// The dates as given, as the filters are checked before any request.
    #[cfg(test)]
    fn given(&self) -> Result<Dates, Error> {
        Ok(self.span()?.explicit().unwrap_or_default())
    }
}

/// Each list tool's query record, page record and item type: all share `limit`,
/// `continuation` and `account-id`, and `items`, `total`, `has-more` and `continuation`; those
/// marked `dated` also echo a `period`. `list-invoices` builds its page itself
/// (`src/invoices.rs`), which adds totals: its query alone is listed, under `queries`.
macro_rules! list_records {
    ($($query:ident => $page:ident of $item:ident $($dated:ident)?),* $(,)?) => {$(
        impl Paged for wit::$page {
            type Item = wit::$item;
            fn from_page(page: Page<wit::$item>) -> Self {
                let Page { items, total, has_more, continuation } = page;
                Self { items, total, has_more, continuation $(, period: list_records!(@$dated))? }
            }
        }
        $(list_records!(@$dated $page);)?
        list_records!(@query $query $($dated)?);
    )*};
    (@query $query:ident $($dated:ident)?) => {
        $(list_records!(@$dated $query query);)?
        impl PageQuery for wit::$query {
            fn limit(&self) -> Option<u32> {
                self.limit
            }
            fn continuation(&self) -> Option<&str> {
                self.continuation.as_deref()
            }
            fn account_id(&self) -> Option<u64> {
                self.account_id
            }
        }
    };
    (queries: $($query:ident $($dated:ident)?),* $(,)?) => {
        $(list_records!(@query $query $($dated)?);)*
    };
    (@dated) => { None };
    (@dated $page:ident) => {
        impl Dated for wit::$page {
            fn dated(self, period: Option<ResolvedPeriod>) -> Self {
                Self { period, ..self }
            }
        }
    };
    (@dated $query:ident query) => {
        impl DatedQuery for wit::$query {
            fn span(&self) -> Result<Span, Error> {
                Span::new(self.period, self.from.as_deref(), self.to.as_deref())
            }
        }
    };
}

list_records! {
    UserQuery => UserPage of User,
    TimeEntryQuery => TimeEntryPage of TimeEntry dated,
    ProjectQuery => ProjectPage of Project,
    ProjectAssignmentQuery => ProjectAssignmentPage of ProjectAssignment,
    TaskQuery => TaskPage of Task,
    TaskAssignmentQuery => TaskAssignmentPage of TaskAssignment,
    ClientQuery => ClientPage of Client,
    InvoicePaymentQuery => InvoicePaymentPage of InvoicePayment,
    ExpenseQuery => ExpensePage of Expense dated,
}

list_records! { queries: InvoiceQuery dated }

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_finds_the_list_under_any_key() -> Result<(), String> {
        let json = r#"{"time_entries":[1,2,3],"per_page":3,"total_pages":2,"total_entries":5,
            "next_page":2,"previous_page":null,"page":1,
            "links":{"first":"a","next":"http://h/v2/time_entries?page=2","previous":null,"last":"b"}}"#;
        let page: Listed<u8> = crate::json::decode(json.as_bytes())?;
        assert_eq!(page.items, vec![1, 2, 3]);
        assert_eq!(page.envelope.total_entries, Some(5));
        assert_eq!(
            page.envelope.next.as_deref(),
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

    fn envelope(page: u64, total_pages: u64, per_page: u64) -> Envelope {
        Envelope {
            total_entries: Some(total_pages * per_page),
            next: None,
            page: Some(page),
            total_pages: Some(total_pages),
            per_page: Some(per_page),
        }
    }

    #[test]
    fn plan_ahead_predicts_the_page_numbered_links_the_limit_needs() {
        let next = "/v2/time_entries?page=2&per_page=2000&from=2026-01-01";
        let ahead = plan_ahead(&envelope(1, 25, 2000), 48_000);
        let paths = ahead.map(|a| a.paths(next)).unwrap_or_default();
        assert_eq!(paths.len(), 24);
        assert_eq!(paths.first().map(String::as_str), Some(next));
        assert_eq!(
            paths.last().map(String::as_str),
            Some("/v2/time_entries?page=25&per_page=2000&from=2026-01-01")
        );
        // The limit needs only three more pages (the last one partly).
        let ahead = plan_ahead(&envelope(1, 25, 2000), 5_000);
        assert_eq!(ahead.map(|a| a.paths(next).len()), Some(3));
    }

    #[test]
    fn plan_ahead_stays_off_cursors_last_pages_and_unpredictable_links() {
        assert!(plan_ahead(&envelope(25, 25, 2000), 10).is_none());
        assert!(plan_ahead(&envelope(1, 25, 2000), 0).is_none());
        let mut cursor = envelope(1, 3, 10);
        cursor.page = None;
        assert!(plan_ahead(&cursor, 20).is_none());
        let ahead = plan_ahead(&envelope(1, 3, 10), 20);
        let paths = |next: &str| ahead.as_ref().map(|a| a.paths(next)).unwrap_or_default();
        assert!(paths("/v2/projects?cursor=abc&page=2").is_empty());
        assert!(
            paths("/v2/x?page=3").is_empty(),
            "not the page after page 1"
        );
        assert!(paths("/v2/x?page=2&page=2").is_empty());
        assert!(paths("/v2/x?per_page=10").is_empty());
        assert_eq!(paths("/v2/x?page=2"), ["/v2/x?page=2", "/v2/x?page=3"]);
    }

    #[test]
    fn envelope_reads_page_numbers_and_ignores_odd_ones() -> Result<(), String> {
        let json = r#"{"x":[1],"page":"one","total_pages":4,"per_page":null}"#;
        let page: Envelope = crate::json::decode::<Listed<u8>>(json.as_bytes())?.envelope;
        assert_eq!(
            (page.page, page.total_pages, page.per_page),
            (None, Some(4), None)
        );
        Ok(())
    }

    #[test]
    fn limit_is_bounded() {
        assert_eq!(limit(None).ok(), Some(500));
        assert!(limit(Some(0)).is_err());
        assert!(limit(Some(MAX_LIMIT + 1)).is_err());
    }
}
