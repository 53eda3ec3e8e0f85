//! The transport's handling of Harvest's answers: ids checked before sending, Harvest's errors
//! passed on, HTML error pages described, and pagination links kept on Harvest's origin.

use harvest_fake::Fault;

use crate::support::{Session, wit};
use crate::values::project_query;

#[test]
fn an_invalid_id_is_refused_before_any_request() {
    let session = Session::new();
    let result = session.call(|h, s| h.call_get_project(s, 0, None));
    let Err(wit::Error::InvalidInput(e)) = result else {
        panic!("expected invalid input, got {result:?}")
    };
    assert_eq!(e.field, "project-id");
    assert!(session.requests().is_empty());
}

#[test]
fn harvests_404_reaches_the_caller() {
    let session = Session::new();
    let result = session.call(|h, s| h.call_get_project(s, 9_999_999_999, None));
    let Err(wit::Error::NotFound(message)) = result else {
        panic!("expected not found, got {result:?}")
    };
    assert!(
        message.contains("Not Found") && message.contains("/v2/projects/9999999999"),
        "{message}"
    );
}

#[test]
fn harvests_422_message_is_passed_verbatim() {
    let session = Session::new();
    let message = "Per page must be less than or equal to 2000";
    session.fake.inject(Fault::Status {
        status: 422,
        content_type: "application/json; charset=utf-8".into(),
        body: format!(r#"{{"message":"{message}"}}"#),
    });
    let result = session.call(|h, s| h.call_list_projects(s, &project_query(None)));
    assert!(
        matches!(&result, Err(wit::Error::Rejected(m)) if m == message),
        "{result:?}"
    );
}

#[test]
fn an_html_error_page_is_described_not_parsed() {
    let session = Session::new();
    session.fake.inject(Fault::Status {
        status: 500,
        content_type: "text/html".into(),
        body: "<html><body><h1>We're sorry, but something went wrong.</h1></body></html>".into(),
    });
    let result = session.call(|h, s| h.call_get_project(s, 1, None));
    let Err(wit::Error::Upstream(e)) = result else {
        panic!("expected upstream, got {result:?}")
    };
    assert_eq!(e.status, 500);
    assert!(e.message.contains("HTML"), "{}", e.message);
}

#[test]
fn an_unknown_route_answered_with_html_is_not_found() {
    let session = Session::new();
    session.fake.inject(Fault::Status {
        status: 404,
        content_type: "text/html".into(),
        body: "<!DOCTYPE html><html>The page you were looking for doesn't exist</html>".into(),
    });
    let result = session.call(|h, s| h.call_get_project(s, 1, None));
    let Err(wit::Error::NotFound(message)) = result else {
        panic!("expected not found, got {result:?}")
    };
    assert!(message.contains("HTML"), "{message}");
}

#[test]
fn a_next_link_to_another_host_is_refused() {
    let session = Session::new();
    let body = serde_json::json!({
        "projects": [], "per_page": 1, "total_pages": 2, "total_entries": 2, "next_page": 2,
        "previous_page": null, "page": 1,
        "links": {"first": "x", "next": "https://evil.example/v2/projects?page=2", "previous": null, "last": "y"}
    });
    session.fake.inject(Fault::Status {
        status: 200,
        content_type: "application/json".into(),
        body: body.to_string(),
    });
    let (result, record) =
        session.call_recorded(|h, s| h.call_list_projects(s, &project_query(None)));
    let Err(wit::Error::Upstream(e)) = result else {
        panic!("expected upstream, got {result:?}")
    };
    assert!(e.message.contains("outside"), "{}", e.message);
    assert_eq!(
        session.requests().len(),
        1,
        "the foreign link was not followed"
    );
    assert!(
        record.denied.is_empty(),
        "nothing was even attempted: {:?}",
        record.denied
    );
}
