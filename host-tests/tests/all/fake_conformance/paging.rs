//! Page-based and cursor-based pagination, followed through `links`
//! (docs/harvest-notes.md#pagination).

use harvest_fake::{ACCOUNT_ID, ids};
use serde_json::{Value, json};

use super::client::{Caller, ids_of, walk};
use super::start;

#[test]
fn cursor_pagination_walks_links_to_the_end() {
    let fake = start();
    let admin = Caller::admin(&fake);
    let pages = walk(&admin, "/v2/users?is_active=true&per_page=2");
    let expected: Vec<u64> = {
        let st = fake.state();
        let mut ids: Vec<u64> = st
            .account(ACCOUNT_ID)
            .expect("main")
            .users
            .iter()
            .filter(|u| u.is_active)
            .map(|u| u.id)
            .collect();
        ids.sort_unstable_by(|a, b| b.cmp(a));
        ids
    };
    assert_eq!(
        ids_of(&pages, "users"),
        expected,
        "every active user once, newest first"
    );
    assert_eq!(pages.len(), 3);
    let meta = |p: &Value| {
        (
            p["page"].clone(),
            p["next_page"].clone(),
            p["previous_page"].clone(),
        )
    };
    assert_eq!(meta(&pages[0]), (json!(1), json!(2), Value::Null));
    assert_eq!(
        meta(&pages[1]),
        (Value::Null, Value::Null, Value::Null),
        "mid-stream pages carry nulls"
    );
    assert_eq!(meta(&pages[2]), (json!(3), Value::Null, json!(2)));
    let next = pages[0]["links"]["next"].as_str().expect("next link");
    assert!(
        next.contains("per_page=2&ref=next_cursor")
            && next.contains("cursor=")
            && next.contains("is_active=true")
    );
    assert!(
        pages[0]["links"]["first"]
            .as_str()
            .is_some_and(|l| l.contains("ref=first"))
    );
    let previous = pages[2]["links"]["previous"]
        .as_str()
        .expect("previous link");
    assert_eq!(
        ids_of(&[admin.ok(previous)], "users"),
        ids_of(&pages[1..2], "users")
    );
}

#[test]
fn page_pagination_walks_links_to_the_end() {
    let fake = start();
    let admin = Caller::admin(&fake);
    let target = format!(
        "/v2/time_entries?project_id={}&per_page=40",
        ids::WEBSITE_REDESIGN
    );
    let pages = walk(&admin, &target);
    let expected = {
        let st = fake.state();
        let entries = &st.account(ACCOUNT_ID).expect("main").time_entries;
        entries
            .iter()
            .filter(|e| e.project.id == ids::WEBSITE_REDESIGN)
            .count()
    };
    let ids = ids_of(&pages, "time_entries");
    assert_eq!(ids.len(), expected);
    assert_eq!(pages[0]["total_entries"], expected);
    assert_eq!(pages.len(), expected.div_ceil(40));
    let last = pages.last().expect("a page");
    assert_eq!(
        (last["page"].clone(), last["next_page"].clone()),
        (json!(pages.len()), Value::Null)
    );
    assert!(
        pages[1]["links"]["next"]
            .as_str()
            .is_some_and(|l| l.contains("project_id=") && l.contains("page=3"))
    );
    let dates: Vec<String> = pages
        .iter()
        .flat_map(|p| p["time_entries"].as_array().cloned().unwrap_or_default())
        .filter_map(|e| e["spent_date"].as_str().map(str::to_owned))
        .collect();
    assert!(
        dates.windows(2).all(|w| w[0] >= w[1]),
        "newest spent_date first"
    );
}
