//! Projects through the component: listing with filters and continuations, and one project.

use harvest_fake as fake;

use crate::support::{Session, pairs, query, wit};
use crate::values::project_query;

#[test]
fn list_projects_returns_every_project_with_the_total() {
    let session = Session::new();
    let page = session
        .call(|h, s| h.call_list_projects(s, &project_query(None)))
        .expect("projects");
    let mut expected: Vec<u64> = session
        .fake
        .state()
        .account(fake::ACCOUNT_ID)
        .expect("account")
        .projects
        .iter()
        .map(|p| p.id)
        .collect();
    let mut got: Vec<u64> = page.items.iter().map(|p| p.id).collect();
    expected.sort();
    got.sort();
    assert_eq!(got, expected);
    assert_eq!(page.total, Some(expected.len() as u64));
    assert!(!page.has_more && page.continuation.is_none());
    let request = session.only_request();
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("GET", "/v2/projects")
    );
    assert_eq!(query(&request), pairs(&[("per_page", "500")]));
}

#[test]
fn list_projects_hands_back_a_continuation_until_the_end() {
    let session = Session::new();
    let total = session
        .fake
        .state()
        .account(fake::ACCOUNT_ID)
        .expect("account")
        .projects
        .len();
    assert!(total > 4, "the seed should have several projects");
    let mut seen = Vec::new();
    let mut continuation = None;
    loop {
        let mut q = project_query(Some(2));
        q.continuation = continuation.take();
        let page = session
            .call(|h, s| h.call_list_projects(s, &q))
            .expect("page");
        assert!(page.items.len() <= 2);
        assert_eq!(page.total, Some(total as u64));
        seen.extend(page.items.iter().map(|p| p.id));
        assert_eq!(page.has_more, page.continuation.is_some());
        match page.continuation {
            Some(next) => continuation = Some(next),
            None => break,
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        (seen.len(), unique.len()),
        (total, total),
        "every project exactly once"
    );
    let requests = session.requests();
    assert!(
        requests[1..]
            .iter()
            .all(|r| r.query_param("cursor").is_some()),
        "later pages follow Harvest's cursor links"
    );
}

#[test]
fn list_projects_sends_the_filters() {
    let session = Session::new();
    let client_id = session
        .fake
        .state()
        .account(fake::ACCOUNT_ID)
        .expect("account")
        .projects[0]
        .client
        .id;
    let mut q = project_query(Some(10));
    q.activity = Some(wit::ActivityFilter::Active);
    q.client_id = Some(client_id);
    q.updated_since = Some("2020-01-01T00:00:00Z".into());
    let page = session
        .call(|h, s| h.call_list_projects(s, &q))
        .expect("projects");
    assert!(!page.items.is_empty());
    assert!(
        page.items
            .iter()
            .all(|p| p.is_active && p.client.id == client_id)
    );
    assert_eq!(
        query(&session.only_request()),
        pairs(&[
            ("client_id", &client_id.to_string()),
            ("is_active", "true"),
            ("per_page", "10"),
            ("updated_since", "2020-01-01T00:00:00Z")
        ])
    );
}

#[test]
fn get_project_returns_the_project() {
    let session = Session::new();
    let expected = session
        .fake
        .state()
        .account(fake::ACCOUNT_ID)
        .expect("account")
        .projects[1]
        .clone();
    let project = session
        .call(|h, s| h.call_get_project(s, expected.id, None))
        .expect("project");
    assert_eq!(
        (project.id, project.name.as_str(), project.client.id),
        (expected.id, expected.name.as_str(), expected.client.id)
    );
    assert_eq!(
        (project.bill_by.as_str(), project.budget_by.as_str()),
        (expected.bill_by.as_str(), expected.budget_by.as_str())
    );
    assert_eq!(
        project.client.currency.as_deref(),
        Some(expected.client.currency.as_str())
    );
    let request = session.only_request();
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("GET", format!("/v2/projects/{}", expected.id).as_str())
    );
}
