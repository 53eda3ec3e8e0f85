//! Users, tasks, task assignments and clients through the component.

use harvest_fake::{self as fake, ids};

use crate::support::{Session, pairs, query, wit};
use crate::values::{client_query, task_assignment_query, task_query, user_query};

fn sorted(mut ids: Vec<u64>) -> Vec<u64> {
    ids.sort();
    ids
}

#[test]
fn list_users_returns_active_users_by_default() {
    let session = Session::new();
    let expected = sorted(
        session
            .fake
            .state()
            .account(fake::ACCOUNT_ID)
            .expect("account")
            .users
            .iter()
            .filter(|u| u.is_active)
            .map(|u| u.id)
            .collect(),
    );
    let page = session
        .call(|h, s| h.call_list_users(s, &user_query(None)))
        .expect("users");
    assert_eq!(sorted(page.items.iter().map(|u| u.id).collect()), expected);
    assert!(
        !expected.contains(&ids::CHARLES),
        "the archived user is left out"
    );
    let request = session.only_request();
    assert_eq!(request.path, "/v2/users");
    assert_eq!(
        query(&request),
        pairs(&[("is_active", "true"), ("per_page", "500")])
    );
}

#[test]
fn list_users_can_include_archived_users() {
    let session = Session::new();
    let page = session
        .call(|h, s| h.call_list_users(s, &user_query(Some(wit::ActivityFilter::All))))
        .expect("users");
    assert!(
        page.items
            .iter()
            .any(|u| u.id == ids::CHARLES && !u.is_active)
    );
    assert_eq!(
        query(&session.only_request()),
        pairs(&[("per_page", "500")])
    );
}

#[test]
fn a_member_may_not_list_users() {
    let session = Session::new().configured(fake::MEMBER_TOKEN, Some(fake::ACCOUNT_ID));
    let result = session.call(|h, s| h.call_list_users(s, &user_query(None)));
    let Err(wit::Error::Forbidden(forbidden)) = result else {
        panic!("expected forbidden, got {result:?}")
    };
    let message = &forbidden.message;
    assert!(
        message.contains("/v2/users") && message.contains("role"),
        "{message}"
    );
    assert_eq!(forbidden.use_instead.as_deref(), Some("get-current-user"));
}

#[test]
fn a_bad_limit_or_continuation_is_refused_before_any_request() {
    let session = Session::new();
    let cases = [
        (
            wit::UserQuery {
                limit: Some(0),
                ..user_query(None)
            },
            "limit",
        ),
        (
            wit::UserQuery {
                continuation: Some("0~/v2/invoices?page=2".into()),
                ..user_query(None)
            },
            "continuation",
        ),
    ];
    for (q, field) in cases {
        let result = session.call(|h, s| h.call_list_users(s, &q));
        assert!(
            matches!(&result, Err(wit::Error::InvalidInput(e)) if e.field == field),
            "{field}: {result:?}"
        );
    }
    assert!(session.requests().is_empty());
}

#[test]
fn list_tasks_filters_archived_tasks() {
    let session = Session::new();
    let q = task_query(Some(wit::ActivityFilter::Archived));
    let page = session
        .call(|h, s| h.call_list_tasks(s, &q))
        .expect("tasks");
    let names: Vec<(u64, bool)> = page.items.iter().map(|t| (t.id, t.is_active)).collect();
    assert_eq!(names, vec![(ids::QUALITY_ASSURANCE, false)]);
    let request = session.only_request();
    assert_eq!(request.path, "/v2/tasks");
    assert_eq!(
        query(&request),
        pairs(&[("is_active", "false"), ("per_page", "500")])
    );
}

#[test]
fn list_project_task_assignments_returns_the_projects_tasks() {
    let session = Session::new();
    let expected = sorted(
        session
            .fake
            .state()
            .account(fake::ACCOUNT_ID)
            .expect("account")
            .task_assignments
            .iter()
            .filter(|a| a.project.id == ids::WEBSITE_REDESIGN)
            .map(|a| a.task.id)
            .collect(),
    );
    assert!(!expected.is_empty());
    let q = task_assignment_query(ids::WEBSITE_REDESIGN);
    let page = session
        .call(|h, s| h.call_list_project_task_assignments(s, &q))
        .expect("assignments");
    assert_eq!(
        sorted(page.items.iter().map(|a| a.task.id).collect()),
        expected
    );
    assert!(
        page.items
            .iter()
            .all(|a| a.project.id == ids::WEBSITE_REDESIGN)
    );
    assert_eq!(
        session.only_request().path,
        format!("/v2/projects/{}/task_assignments", ids::WEBSITE_REDESIGN)
    );
}

#[test]
fn list_project_task_assignments_needs_a_project() {
    let session = Session::new();
    let q = task_assignment_query(0);
    let result = session.call(|h, s| h.call_list_project_task_assignments(s, &q));
    assert!(
        matches!(&result, Err(wit::Error::InvalidInput(e)) if e.field == "project-id"),
        "{result:?}"
    );
    assert!(session.requests().is_empty());
}

#[test]
fn list_clients_and_get_client_agree_with_harvest() {
    let session = Session::new();
    let q = client_query(Some(wit::ActivityFilter::Active));
    let page = session
        .call(|h, s| h.call_list_clients(s, &q))
        .expect("clients");
    let active = sorted(
        session
            .fake
            .state()
            .account(fake::ACCOUNT_ID)
            .expect("account")
            .clients
            .iter()
            .filter(|c| c.is_active)
            .map(|c| c.id)
            .collect(),
    );
    assert_eq!(sorted(page.items.iter().map(|c| c.id).collect()), active);
    assert_eq!(
        query(&session.only_request()),
        pairs(&[("is_active", "true"), ("per_page", "500")])
    );

    session.fake.clear_requests();
    let client = session
        .call(|h, s| h.call_get_client(s, ids::INITECH, None))
        .expect("client");
    assert_eq!((client.id, client.currency.as_str()), (ids::INITECH, "EUR"));
    assert_eq!(
        session.only_request().path,
        format!("/v2/clients/{}", ids::INITECH)
    );
}

#[test]
fn get_client_for_an_unknown_id_is_not_found() {
    let session = Session::new();
    let result = session.call(|h, s| h.call_get_client(s, 42, None));
    assert!(
        matches!(&result, Err(wit::Error::NotFound(m)) if m.contains("/v2/clients/42")),
        "{result:?}"
    );
}

#[test]
fn a_member_may_not_list_tasks_or_clients() {
    let session = Session::new().configured(fake::MEMBER_TOKEN, Some(fake::ACCOUNT_ID));
    type List = fn(&Session) -> Result<(), wit::Error>;
    let cases: [(&str, List); 2] = [
        ("/v2/tasks", |session| {
            session
                .call(|h, s| h.call_list_tasks(s, &task_query(None)))
                .map(drop)
        }),
        ("/v2/clients", |session| {
            session
                .call(|h, s| h.call_list_clients(s, &client_query(None)))
                .map(drop)
        }),
    ];
    for (path, list) in cases {
        let result = list(&session);
        assert!(
            matches!(&result, Err(wit::Error::Forbidden(f)) if f.message.contains(path)
                && f.use_instead.as_deref() == Some("list-my-project-assignments")),
            "{path}: {result:?}"
        );
    }
}
