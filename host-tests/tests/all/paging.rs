//! Page-numbered lists are read ahead: after the first page, the pages the limit needs are
//! requested together. The answer must be exactly what following `links.next` one page at a
//! time gives: the same items in Harvest's order, each page sent once, the same continuation,
//! and an error, never a short list, when any page fails.

use harvest_fake::{Fault, RecordedRequest};

use crate::support::{Session, wit};

/// 5 full pages of 2000 and one of 500.
const ENTRIES: u64 = 10_500;

fn seeded() -> (Session, Vec<u64>) {
    let session = Session::new();
    let ids = session
        .fake
        .seed_time_entries(ENTRIES)
        .expect("entries seeded");
    (session, ids)
}

fn query(limit: u32, continuation: Option<String>) -> wit::TimeEntryQuery {
    wit::TimeEntryQuery {
        continuation,
        ..wit::TimeEntryQuery::unfiltered(Some(limit))
    }
}

fn list(session: &Session, limit: u32, continuation: Option<String>) -> wit::TimeEntryPage {
    session
        .call(|h, s| h.call_list_time_entries(s, &query(limit, continuation)))
        .expect("entries")
}

fn list_err(session: &Session) -> wit::Error {
    match session.call(|h, s| h.call_list_time_entries(s, &query(100_000, None))) {
        Ok(page) => panic!("expected an error, got {} entries", page.items.len()),
        Err(error) => error,
    }
}

fn ids(page: &wit::TimeEntryPage) -> Vec<u64> {
    page.items.iter().map(|e| e.id).collect()
}

/// The page number each request asked for (1 when it names none), in the order received.
fn pages_requested(requests: &[RecordedRequest]) -> Vec<u32> {
    requests
        .iter()
        .filter(|r| r.path == "/v2/time_entries")
        .map(|r| {
            r.query_param("page")
                .map_or(1, |p| p.parse().expect("page number"))
        })
        .collect()
}

fn sorted(mut pages: Vec<u32>) -> Vec<u32> {
    pages.sort();
    pages
}

/// A page of the list as Harvest would send it, with `items` entries and the given next link.
fn page_fault(session: &Session, page: u32, items: usize, next: Option<&str>) -> Fault {
    let entries: Vec<serde_json::Value> = {
        let state = session.fake.state();
        let account = state.account(harvest_fake::ACCOUNT_ID).expect("account");
        account
            .time_entries
            .iter()
            .take(items)
            .map(|e| serde_json::to_value(e).expect("json"))
            .collect()
    };
    let body = serde_json::json!({
        "time_entries": entries, "per_page": 2000, "total_pages": 6, "total_entries": ENTRIES,
        "next_page": page + 1, "previous_page": page - 1, "page": page,
        "links": {"first": "f", "next": next, "previous": "p", "last": "l"},
    });
    Fault::Status {
        status: 200,
        content_type: "application/json".into(),
        body: body.to_string(),
    }
}

#[test]
fn concurrent_paging_returns_every_entry_in_harvests_order_sending_each_page_once() {
    let (session, expected) = seeded();
    let page = list(&session, 100_000, None);
    assert_eq!(ids(&page), expected);
    assert_eq!(
        (page.total, page.has_more, page.continuation),
        (Some(ENTRIES), false, None)
    );
    let requests = session.requests();
    assert_eq!(pages_requested(&requests).first(), Some(&1), "page 1 first");
    assert_eq!(sorted(pages_requested(&requests)), [1, 2, 3, 4, 5, 6]);
    for request in &requests {
        assert_eq!(request.query_param("per_page").as_deref(), Some("2000"));
    }
}

#[test]
fn concurrent_and_sequential_paging_give_the_same_answer() {
    let (session, _) = seeded();
    let concurrent = list(&session, 100_000, None);
    let mut session = session;
    session
        .env
        .push(("HARVEST_PAGE_CONCURRENCY".into(), "1".into()));
    session.clear();
    let sequential = list(&session, 100_000, None);
    assert_eq!(ids(&concurrent), ids(&sequential));
    assert_eq!(pages_requested(&session.requests()), [1, 2, 3, 4, 5, 6]);
}

#[test]
fn the_limit_bounds_the_pages_read_ahead_and_the_continuation_resumes_exactly() {
    let (session, expected) = seeded();
    let first = list(&session, 5_000, None);
    assert_eq!(ids(&first), expected[..5_000]);
    assert!(first.has_more);
    assert_eq!(
        sorted(pages_requested(&session.requests())),
        [1, 2, 3],
        "only the pages the limit needs"
    );

    session.clear();
    let rest = list(&session, 100_000, first.continuation.clone());
    assert_eq!(ids(&rest), expected[5_000..]);
    assert_eq!((rest.has_more, rest.continuation), (false, None));
    // Page 3 again (half of it was returned already), then 4 to 6 read ahead.
    assert_eq!(sorted(pages_requested(&session.requests())), [3, 4, 5, 6]);

    // A limit that ends on a page boundary hands back the next page's link.
    session.clear();
    let two_pages = list(&session, 4_000, None);
    assert_eq!(ids(&two_pages), expected[..4_000]);
    assert_eq!(sorted(pages_requested(&session.requests())), [1, 2]);
    let continuation = two_pages.continuation.expect("continuation");
    assert!(
        continuation.starts_with("0~/v2/time_entries?page=3&"),
        "{continuation}"
    );
}

#[test]
fn a_failing_page_among_concurrent_ones_is_a_typed_error_not_a_short_list() {
    let (session, _) = seeded();
    session.fake.inject_on(
        "page=4&",
        Fault::Status {
            status: 500,
            content_type: "application/json".into(),
            body: r#"{"message":"Internal error on page four"}"#.into(),
        },
    );
    let error = list_err(&session);
    assert!(
        matches!(&error, wit::Error::Upstream(e) if e.status == 500 && e.message.contains("page four")),
        "{error:?}"
    );
}

#[test]
fn a_gateway_error_on_one_concurrent_page_is_retried_alone() {
    let (session, expected) = seeded();
    session.fake.inject_on(
        "page=3&",
        Fault::Status {
            status: 503,
            content_type: "text/html".into(),
            body: String::new(),
        },
    );
    let page = list(&session, 100_000, None);
    assert_eq!(ids(&page), expected);
    assert_eq!(
        sorted(pages_requested(&session.requests())),
        [1, 2, 3, 3, 4, 5, 6]
    );
}

#[test]
fn a_rate_limited_concurrent_page_waits_and_is_sent_again() {
    let (session, expected) = seeded();
    session.fake.inject_on(
        "page=5&",
        Fault::RateLimited {
            retry_after: Some(1),
        },
    );
    let page = list(&session, 100_000, None);
    assert_eq!(ids(&page), expected);
    assert_eq!(
        sorted(pages_requested(&session.requests())),
        [1, 2, 3, 4, 5, 5, 6]
    );
}

#[test]
fn an_empty_page_read_ahead_that_claims_more_is_an_error() {
    let (session, _) = seeded();
    let next = format!(
        "{}/v2/time_entries?page=4&per_page=2000",
        session.fake.url()
    );
    session
        .fake
        .inject_on("page=3&", page_fault(&session, 3, 0, Some(&next)));
    let error = list_err(&session);
    assert!(
        matches!(&error, wit::Error::Upstream(e) if e.message.contains("empty page")),
        "{error:?}"
    );
}

#[test]
fn a_page_read_ahead_that_ends_the_list_early_is_an_error_not_a_short_list() {
    let (session, _) = seeded();
    session
        .fake
        .inject_on("page=2&", page_fault(&session, 2, 2000, None));
    let error = list_err(&session);
    assert!(
        matches!(&error, wit::Error::Upstream(e) if e.message.contains("counted 10500") && e.message.contains("held 4000")),
        "{error:?}"
    );
}

#[test]
fn a_next_link_off_the_api_origin_on_a_page_read_ahead_is_not_followed() {
    let (session, _) = seeded();
    session.fake.inject_on(
        "page=2&",
        page_fault(
            &session,
            2,
            2000,
            Some("http://evil.example/v2/time_entries?page=3&per_page=2000"),
        ),
    );
    let error = list_err(&session);
    assert!(
        matches!(&error, wit::Error::Upstream(e) if e.message.contains("outside")),
        "{error:?}"
    );
    assert!(
        session
            .requests()
            .iter()
            .all(|r| r.path == "/v2/time_entries"),
        "nothing else was asked for"
    );
}
