//! `preview-write`: for every write tool, the requests it would send, with no write sent, equal
//! to what the tool then sends the fake for the same arguments; through the typed export and
//! through the catalogue (arguments as an object); invalid arguments refused by field.

use std::time::Duration;

use harvest_fake::{self as fake, RecordedRequest, ids};
use harvest_host::host::CallOptions;
use serde_json::{Value, json};

use crate::support::{HOST, Session, entry_ids, wit, writes};
use crate::tool_catalogue::{dispatch, examples};

/// The write tools, as `preview-write` takes them.
const WRITE_TOOLS: [&str; 8] = [
    "create_time_entry",
    "update_time_entry",
    "delete_time_entry",
    "stop_timer",
    "restart_timer",
    "create_invoice",
    "update_invoice",
    "create_invoice_payment",
];

/// `preview-write` through the typed export.
fn preview(
    session: &Session,
    tool: &str,
    arguments: &Value,
) -> Result<wit::WritePreview, wit::Error> {
    session.call(|h, s| h.call_preview_write(s, tool, &arguments.to_string()))
}

/// `preview_write` through the catalogue, `arguments` an object as a model passes it.
fn preview_by_name(session: &Session, tool: &str, arguments: &Value) -> Result<Value, wit::Error> {
    dispatch(
        session,
        "preview_write",
        &json!({"tool": tool, "arguments": arguments}),
    )
}

/// (method, path with query, JSON body) of a recorded write.
fn sent(request: &RecordedRequest) -> (String, String, Value) {
    let path = match &request.query {
        Some(query) => format!("{}?{query}", request.path),
        None => request.path.clone(),
    };
    (request.method.clone(), path, request.json())
}

/// (method, path with query, JSON body) of a previewed write.
fn planned(request: &wit::PlannedRequest) -> (String, String, Value) {
    let body = request.body.as_deref().map_or(Value::Null, |text| {
        serde_json::from_str(text).expect("a JSON body")
    });
    (request.method.clone(), request.path.clone(), body)
}

fn example(session: &Session, tool: &str) -> Value {
    examples(session)
        .into_iter()
        .find(|(name, _)| *name == tool)
        .map(|(_, arguments)| arguments)
        .unwrap_or_else(|| panic!("no example for {tool}"))
}

fn invalid<T: std::fmt::Debug>(result: Result<T, wit::Error>) -> wit::InvalidInput {
    match result {
        Err(wit::Error::InvalidInput(invalid)) => invalid,
        other => panic!("expected invalid input, got {other:?}"),
    }
}

#[test]
fn every_write_tool_is_previewed_as_it_then_sends_and_nothing_is_written_before() {
    for tool in WRITE_TOOLS {
        let session = Session::new();
        let arguments = example(&session, tool);
        session.clear();
        let shown = preview(&session, tool, &arguments).unwrap_or_else(|e| panic!("{tool}: {e:?}"));
        assert!(
            writes(&session.requests()).is_empty(),
            "{tool}: the preview wrote {:#?}",
            session.requests()
        );
        assert_eq!(shown.tool, tool);
        assert_eq!(shown.account_id, fake::ACCOUNT_ID);
        assert!(shown.duplicate.is_none(), "{tool}");
        assert!(!shown.writes.is_empty(), "{tool}");
        assert!(
            shown.summary.contains(&fake::ACCOUNT_ID.to_string()),
            "{}",
            shown.summary
        );

        let by_name =
            preview_by_name(&session, tool, &arguments).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            by_name["writes"].as_array().map(Vec::len),
            Some(shown.writes.len())
        );
        assert!(
            writes(&session.requests()).is_empty(),
            "{tool}: no write by name"
        );

        session.clear();
        dispatch(&session, tool, &arguments).unwrap_or_else(|e| panic!("{tool}: {e:?}"));
        let real: Vec<_> = writes(&session.requests()).iter().map(sent).collect();
        let previewed: Vec<_> = shown.writes.iter().map(planned).collect();
        assert_eq!(real, previewed, "{tool}");
    }
}

#[test]
fn update_invoice_previews_both_of_its_writes_in_order() {
    let session = Session::new();
    let arguments =
        json!({"invoice_id": ids::INVOICE_DRAFT, "event": "mark_as_sent", "notes": "Thank you"});
    let shown = preview(&session, "update_invoice", &arguments).expect("preview");
    let path = format!("/v2/invoices/{}", ids::INVOICE_DRAFT);
    assert_eq!(
        shown.writes.iter().map(planned).collect::<Vec<_>>(),
        [
            (
                "PATCH".to_string(),
                path.clone(),
                json!({"notes": "Thank you"})
            ),
            (
                "POST".to_string(),
                format!("{path}/messages"),
                json!({"event_type": "send"})
            ),
        ]
    );
    assert!(
        shown.summary.contains("then read it back"),
        "{}",
        shown.summary
    );
}

#[test]
fn delete_stop_and_restart_show_their_path_without_a_body() {
    let session = Session::new();
    let stopped = entry_ids(&session, |e| !e.is_running && !e.is_locked && !e.is_billed)[0];
    for (tool, suffix, method) in [
        ("delete_time_entry", "", "DELETE"),
        ("stop_timer", "/stop", "PATCH"),
        ("restart_timer", "/restart", "PATCH"),
    ] {
        let shown = preview(&session, tool, &json!({"time_entry_id": stopped})).expect(tool);
        assert_eq!(
            shown.writes.iter().map(planned).collect::<Vec<_>>(),
            [(
                method.to_string(),
                format!("/v2/time_entries/{stopped}{suffix}"),
                Value::Null
            )],
            "{tool}"
        );
        assert_eq!(shown.writes[0].body, None);
    }
    assert!(writes(&session.requests()).is_empty());
}

#[test]
fn a_timestamp_account_preview_shows_started_and_ended_times_in_its_clock() {
    let session = Session::new().configured(fake::MULTI_TOKEN, Some(fake::TIMESTAMP_ACCOUNT_ID));
    let labs = fake::ids::TIMESTAMP_OFFSET;
    let arguments = json!({"project_id": ids::WEBSITE_REDESIGN + labs, "task_id": ids::DESIGN + labs,
                           "spent_date": "2026-03-18", "started_time": "9am", "duration": "1h30m"});
    let shown = preview(&session, "create_time_entry", &arguments).expect("preview");
    assert_eq!(shown.account_id, fake::TIMESTAMP_ACCOUNT_ID);
    let body = planned(&shown.writes[0]).2;
    assert_eq!(
        (
            body["started_time"].as_str(),
            body["ended_time"].as_str(),
            body.get("hours")
        ),
        (Some("09:00"), Some("10:30"), None)
    );
    assert!(writes(&session.requests()).is_empty());
    session.clear();
    dispatch(&session, "create_time_entry", &arguments).expect("created");
    let real: Vec<_> = writes(&session.requests()).iter().map(sent).collect();
    assert_eq!(real, shown.writes.iter().map(planned).collect::<Vec<_>>());
}

#[test]
fn the_account_given_in_the_arguments_is_the_one_shown() {
    let session = Session::new().configured(fake::MULTI_TOKEN, None);
    let arguments = json!({"time_entry_id": ids::FIRST_TIME_ENTRY + fake::ids::TIMESTAMP_ENTRY_OFFSET,
                           "account_id": fake::TIMESTAMP_ACCOUNT_ID});
    let shown = preview(&session, "stop_timer", &arguments).expect("preview");
    assert_eq!(shown.account_id, fake::TIMESTAMP_ACCOUNT_ID);
    let ambiguous = preview(&session, "stop_timer", &json!({"time_entry_id": 1}));
    assert_eq!(invalid(ambiguous).field, "arguments.account_id");
}

#[test]
fn a_preview_of_a_duplicate_says_it_would_be_refused_and_what_allow_duplicate_sends() {
    let session = Session::new();
    let at = session.fake.state().clock.now().timestamp();
    let options = CallOptions {
        wall_clock: Some(Duration::from_secs(u64::try_from(at).expect("after 1970"))),
        ..CallOptions::default()
    };
    let arguments = json!({"project_id": ids::MOBILE_APP, "task_id": ids::DESIGN,
                           "spent_date": "2026-03-18", "duration": "2h", "notes": "Icon set"});
    let first = dispatch(&session, "create_time_entry", &arguments).expect("created");
    session.clear();
    let text = arguments.to_string();
    let shown = HOST
        .call_with(&options, &session.env, |h, s| {
            h.call_preview_write(s, "create_time_entry", &text)
        })
        .unwrap_or_else(|e| panic!("{e:#}"))
        .0
        .expect("preview");
    let duplicate = shown.duplicate.expect("a duplicate");
    assert_eq!(Some(duplicate.existing_id), first["id"].as_u64());
    assert!(
        shown.summary.contains("refused as a duplicate"),
        "{}",
        shown.summary
    );
    assert_eq!(
        shown.writes.len(),
        1,
        "what allow-duplicate: true would send"
    );
    assert!(writes(&session.requests()).is_empty());
}

#[test]
fn no_credentials_appear_in_a_preview() {
    let session = Session::new();
    for tool in WRITE_TOOLS {
        let arguments = example(&session, tool);
        let shown = preview_by_name(&session, tool, &arguments).expect("preview");
        let text = shown.to_string();
        for secret in [fake::ADMIN_TOKEN, "authorization", "Bearer"] {
            assert!(!text.contains(secret), "{tool}: {text}");
        }
    }
}

#[test]
fn invalid_arguments_are_refused_naming_the_field_before_any_request() {
    let session = Session::new();
    let unknown = invalid(preview(&session, "create_time_entri", &json!({})));
    assert_eq!(unknown.field, "tool");
    assert!(
        unknown.rule.contains("did you mean `create_time_entry`?"),
        "{}",
        unknown.rule
    );
    let read = invalid(preview(&session, "list_projects", &json!({})));
    assert_eq!(read.field, "tool");
    assert!(read.rule.contains("read tool"), "{}", read.rule);
    let cases = [
        (
            "update_time_entry",
            json!({"time_entry_id": 1, "duratio": "1h"}),
            "arguments.duratio",
        ),
        (
            "stop_timer",
            json!({"time_entry_id": "one"}),
            "arguments.time_entry_id",
        ),
        ("stop_timer", json!({}), "arguments.time_entry_id"),
        (
            "create_invoice",
            json!({"client_id": 1, "payment_term": "net 30"}),
            "arguments.payment_term",
        ),
        (
            "create_time_entry",
            json!({"project_id": 1, "task_id": 2, "spent_date": "2026-13-01"}),
            "arguments.spent_date",
        ),
        (
            "create_invoice_payment",
            json!({"invoice_id": 1, "amount": 5.0, "paid_date": "2026-03-01",
                                          "paid_at": "2026-03-01T10:00:00Z"}),
            "arguments.paid_date",
        ),
    ];
    for (tool, arguments, field) in cases {
        assert_eq!(
            invalid(preview(&session, tool, &arguments)).field,
            field,
            "{tool} {arguments}"
        );
        assert_eq!(
            invalid(preview_by_name(&session, tool, &arguments)).field,
            field,
            "{tool} by name"
        );
    }
    let text = session.call(|h, s| h.call_preview_write(s, "stop_timer", &"[1]".to_string()));
    assert_eq!(invalid(text).field, "arguments");
    let not_an_object = dispatch(
        &session,
        "preview_write",
        &json!({"tool": "stop_timer", "arguments": "{\"time_entry_id\": 1}"}),
    );
    assert_eq!(invalid(not_an_object).field, "arguments");
    assert!(session.requests().is_empty(), "{:#?}", session.requests());
}

#[test]
fn the_wit_spelling_of_a_tool_name_is_taken_too() {
    let session = Session::new();
    let shown = preview(&session, "stop-timer", &json!({"time_entry_id": 1})).expect("preview");
    assert_eq!(shown.tool, "stop_timer");
}
