//! The catalogue and the call-by-name dispatcher: one source of truth with the typed exports,
//! schemas that are valid JSON Schema and describe what the tools take and give, and an
//! example call per tool that goes through the dispatcher to the fake and back.

use harvest_fake::{self as fake, ids};
use harvest_host::wit::{Access, Tool};
use jsonschema::Validator;
use serde_json::{Value, json};

use crate::support::{ANCHOR, HOST, Session, entry_ids, wit};

fn tools() -> Vec<Tool> {
    HOST.tools().unwrap_or_else(|e| panic!("{e:#}"))
}

fn tool(name: &str) -> Tool {
    tools()
        .into_iter()
        .find(|tool| tool.name == name)
        .unwrap_or_else(|| panic!("no tool {name}"))
}

fn schema(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("schema is not JSON ({e}): {text}"))
}

fn validator(text: &str) -> Validator {
    jsonschema::draft202012::new(&schema(text)).unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn errors(validator: &Validator, value: &Value) -> Vec<String> {
    validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// Calls a tool through the dispatcher: the JSON result, or the typed error.
pub fn dispatch(session: &Session, name: &str, arguments: &Value) -> Result<Value, wit::Error> {
    let (outcome, record) = HOST
        .call_tool(&session.env, name, &arguments.to_string())
        .unwrap_or_else(|e| panic!("{name} trapped: {e:#}"));
    assert!(record.denied.is_empty(), "{name}: {:?}", record.denied);
    outcome.map(|text| serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}")))
}

fn invalid(result: Result<Value, wit::Error>) -> wit::InvalidInput {
    match result {
        Err(wit::Error::InvalidInput(invalid)) => invalid,
        other => panic!("expected invalid-input, got {other:?}"),
    }
}

#[test]
fn every_tool_export_is_in_the_catalogue_and_nothing_else() {
    let mut exports: Vec<String> = HOST
        .export_names()
        .iter()
        .map(|name| name.replace('-', "_"))
        .collect();
    let mut names: Vec<String> = tools().into_iter().map(|tool| tool.name).collect();
    assert_eq!(names.len(), 34);
    exports.sort();
    names.sort();
    assert_eq!(names, exports);
}

#[test]
fn entries_carry_a_title_a_description_for_a_model_and_their_effect() {
    for tool in tools() {
        let words: Vec<&str> = tool.name.split('_').collect();
        assert_eq!(
            tool.title.to_lowercase().split(' ').collect::<Vec<_>>(),
            words,
            "{}",
            tool.title
        );
        assert!(tool.description.len() > 20, "{}", tool.name);
        assert!(
            !tool.description.contains("list-") && !tool.description.contains("account-id"),
            "{}: descriptions use the catalogue's names: {}",
            tool.name,
            tool.description
        );
        let reads = [
            "list_",
            "get_",
            "time_report_",
            "invoice_report",
            "find_",
            "preview_",
            "summarize_time",
            "team_time_status",
        ]
        .iter()
        .any(|prefix| tool.name.starts_with(prefix));
        assert_eq!(matches!(tool.access, Access::Read), reads, "{}", tool.name);
        assert_eq!(tool.annotations.read_only, reads, "{}", tool.name);
        assert!(tool.annotations.open_world);
        if reads {
            assert!(!tool.annotations.destructive && tool.annotations.idempotent);
        }
    }
    let delete = tool("delete_time_entry").annotations;
    assert!(delete.destructive && !delete.read_only);
    assert!(!tool("create_invoice").annotations.idempotent);
    assert!(tool("list_accounts").description.contains("`account_id`"));
}

#[test]
fn every_schema_is_valid_json_schema() {
    for tool in tools() {
        for text in [&tool.input_schema, &tool.output_schema] {
            let value = schema(text);
            if let Err(e) = jsonschema::meta::validate(&value) {
                panic!("{}: not a valid JSON Schema ({e}): {text}", tool.name);
            }
            validator(text);
        }
        let input = schema(&tool.input_schema);
        assert_eq!(input["type"], "object", "{}", tool.name);
        assert_eq!(input["additionalProperties"], false, "{}", tool.name);
    }
}

#[test]
fn input_schemas_state_what_is_optional_dates_enums_and_bounds() {
    let create = schema(&tool("create_time_entry").input_schema);
    assert_eq!(create["required"], json!(["project_id", "task_id"]));
    assert_eq!(create["properties"]["spent_date"]["format"], "date");
    assert_eq!(create["properties"]["notes"]["type"], "string");
    let project = schema(&tool("get_project").input_schema);
    assert!(
        project["properties"]["account_id"]["description"]
            .as_str()
            .is_some_and(|d| d.contains("list_accounts"))
    );

    let entries = schema(&tool("list_time_entries").input_schema);
    assert_eq!(entries.get("required"), None, "every filter is optional");
    assert_eq!(entries["properties"]["limit"]["minimum"], 1);
    assert_eq!(entries["properties"]["limit"]["maximum"], 100_000);
    assert_eq!(entries["properties"]["from"]["format"], "date");
    assert_eq!(
        entries["properties"]["updated_since"]["format"],
        "date-time"
    );

    let invoice = schema(&tool("create_invoice").input_schema);
    assert_eq!(
        invoice["properties"]["payment_term"]["enum"],
        json!(["upon_receipt", "net15", "net30", "net45", "net60", "custom"])
    );
    assert_eq!(invoice["properties"]["line_items"]["default"], json!([]));
    assert_eq!(invoice["properties"]["tax"]["maximum"], 100);
    let item = &invoice["properties"]["line_items"]["items"];
    assert_eq!(item["additionalProperties"], false);
    assert!(
        item["required"]
            .as_array()
            .is_some_and(|r| r.contains(&json!("unit_price")))
    );

    let update = schema(&tool("update_time_entry").input_schema);
    assert_eq!(update["required"], json!(["time_entry_id"]));
    assert!(
        update["properties"]["notes"].is_object(),
        "record parameters are spread"
    );

    for tool in tools() {
        assert!(
            !tool.input_schema.contains("\"null\""),
            "{}: optional inputs are left out, not null",
            tool.name
        );
    }
}

/// One argument set per tool, valid for the fake's seeded data.
pub(crate) fn examples(session: &Session) -> Vec<(&'static str, Value)> {
    let running = entry_ids(session, |e| e.is_running);
    let stopped = entry_ids(session, |e| !e.is_running && !e.is_locked && !e.is_billed);
    let today = ANCHOR.to_string();
    vec![
        ("list_accounts", json!({})),
        ("get_current_user", json!({})),
        ("get_company", json!({})),
        ("list_my_project_assignments", json!({"limit": 10})),
        ("list_users", json!({"activity": "active", "limit": 3})),
        (
            "list_time_entries",
            json!({"project_id": ids::WEBSITE_REDESIGN, "from": "2026-03-01", "to": today, "limit": 5}),
        ),
        ("get_time_entry", json!({"time_entry_id": stopped[0]})),
        (
            "create_time_entry",
            json!({"project_id": ids::WEBSITE_REDESIGN, "task_id": ids::DESIGN,
                   "spent_date": today, "duration": "1h30m", "notes": "Wireframes"}),
        ),
        (
            "update_time_entry",
            json!({"time_entry_id": stopped[1], "notes": "Reviewed", "duration": "2:15"}),
        ),
        ("delete_time_entry", json!({"time_entry_id": stopped[2]})),
        ("stop_timer", json!({"time_entry_id": running[0]})),
        ("restart_timer", json!({"time_entry_id": stopped[3]})),
        (
            "list_projects",
            json!({"activity": "active", "client_id": ids::GLOBEX}),
        ),
        ("get_project", json!({"project_id": ids::WEBSITE_REDESIGN})),
        ("list_tasks", json!({"activity": "all"})),
        (
            "list_project_task_assignments",
            json!({"project_id": ids::WEBSITE_REDESIGN}),
        ),
        ("list_clients", json!({"activity": "active"})),
        ("get_client", json!({"client_id": ids::GLOBEX})),
        ("list_invoices", json!({"state": "open", "limit": 10})),
        ("get_invoice", json!({"invoice_id": ids::INVOICE_OVERDUE})),
        (
            "create_invoice",
            json!({"client_id": ids::GLOBEX, "subject": "March work", "payment_term": "net30",
                   "line_items": [{"kind": "Service", "description": "Design", "quantity": 3, "unit_price": 120.0}]}),
        ),
        (
            "update_invoice",
            json!({"invoice_id": ids::INVOICE_DRAFT, "event": "mark_as_sent", "notes": "Thank you"}),
        ),
        (
            "list_invoice_payments",
            json!({"invoice_id": ids::INVOICE_PAID}),
        ),
        (
            "create_invoice_payment",
            json!({"invoice_id": ids::INVOICE_OPEN, "amount": 100.0, "paid_date": today}),
        ),
        (
            "time_report_by_project",
            json!({"from": "2026-03-01", "to": today}),
        ),
        (
            "time_report_by_team",
            json!({"from": "2026-03-01", "to": today}),
        ),
        (
            "time_report_by_client",
            json!({"from": "2026-03-01", "to": today}),
        ),
        (
            "time_report_by_task",
            json!({"from": "2026-03-01", "to": today}),
        ),
        ("invoice_report", json!({"from": "2026-01-01", "to": today})),
        (
            "list_expenses",
            json!({"is_billed": false, "from": "2026-01-01", "to": today, "limit": 5}),
        ),
        (
            "find_by_name",
            json!({"kind": "project", "text": "website", "limit": 3}),
        ),
        (
            "preview_write",
            json!({"tool": "delete_time_entry", "arguments": {"time_entry_id": stopped[4]}}),
        ),
        (
            "summarize_time",
            json!({"from": "2026-03-01", "to": today, "group_by": ["user", "project"], "billable": true}),
        ),
        (
            "team_time_status",
            json!({"from": "2026-03-16", "to": today}),
        ),
    ]
}

#[test]
fn every_tool_runs_an_example_through_the_dispatcher_within_its_schemas() {
    let session = Session::new();
    let examples = examples(&session);
    let catalogue = tools();
    assert_eq!(examples.len(), catalogue.len());
    for tool in &catalogue {
        let (_, arguments) = examples
            .iter()
            .find(|(name, _)| *name == tool.name)
            .unwrap_or_else(|| panic!("no example for {}", tool.name));
        let input = validator(&tool.input_schema);
        assert_eq!(
            errors(&input, arguments),
            Vec::<String>::new(),
            "{}",
            tool.name
        );
        let result = dispatch(&session, &tool.name, arguments)
            .unwrap_or_else(|e| panic!("{} {arguments}: {e:?}", tool.name));
        let output = validator(&tool.output_schema);
        assert_eq!(
            errors(&output, &result),
            Vec::<String>::new(),
            "{}: {result}",
            tool.name
        );
    }
}

#[test]
fn the_dispatcher_answers_as_the_typed_export_does() {
    let session = Session::new();
    let typed = session.call(|h, s| h.call_get_invoice(s, ids::INVOICE_OVERDUE, None));
    let typed = typed.unwrap_or_else(|e| panic!("{e:?}"));
    let json = dispatch(
        &session,
        "get_invoice",
        &json!({"invoice_id": ids::INVOICE_OVERDUE}),
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(json["id"], typed.id);
    assert_eq!(json["amount"], typed.amount);
    assert_eq!(json["due_amount"], typed.due_amount);
    assert_eq!(json["state"], "open");
    assert_eq!(
        json["line_items"].as_array().map(Vec::len),
        Some(typed.line_items.len())
    );
    assert!(
        json.as_object()
            .is_some_and(|o| o.values().all(|v| !v.is_null())),
        "empty optional fields are left out: {json}"
    );

    let entries = dispatch(&session, "list_time_entries", &json!({"limit": 50}))
        .unwrap_or_else(|e| panic!("{e:?}"));
    let mut query = crate::values::entries_query();
    query.limit = Some(50);
    let typed = session
        .call(|h, s| h.call_list_time_entries(s, &query))
        .unwrap_or_else(|e| panic!("{e:?}"));
    let json_ids: Vec<u64> = entries["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|entry| entry["id"].as_u64())
        .collect();
    let typed_ids: Vec<u64> = typed.items.iter().map(|entry| entry.id).collect();
    assert_eq!(json_ids, typed_ids);
    assert_eq!(entries["total"], json!(typed.total));
    assert_eq!(entries["has_more"], typed.has_more);
}

#[test]
fn an_unknown_tool_name_suggests_the_nearest_and_sends_nothing() {
    let session = Session::new();
    let error = invalid(dispatch(&session, "list_time_entry", &json!({})));
    assert_eq!(error.field, "name");
    assert!(error.rule.contains("`list_time_entries`"), "{}", error.rule);
    let error = invalid(dispatch(&session, "list-projects", &json!({})));
    assert!(error.rule.contains("`list_projects`"), "{}", error.rule);
    assert!(session.requests().is_empty());
}

#[test]
fn arguments_that_break_the_schema_name_the_json_path_and_the_rule_and_send_nothing() {
    let session = Session::new();
    let cases = [
        ("get_project", json!({}), "project_id", "is required"),
        (
            "get_project",
            json!({"project_id": "7400001"}),
            "project_id",
            "whole number",
        ),
        (
            "get_project",
            json!({"project_id": 1, "projectId": 2}),
            "projectId",
            "did you mean `project_id`",
        ),
        (
            "list_time_entries",
            json!({"limit": 0}),
            "limit",
            "at least 1",
        ),
        (
            "list_invoices",
            json!({"state": "unpaid"}),
            "state",
            "`draft`, `open`, `paid`, `closed`",
        ),
        (
            "create_invoice",
            json!({"client_id": ids::GLOBEX, "line_items": [{"kind": "Service", "unit_price": 1}, {"kind": "Service", "unit_price": "x"}]}),
            "line_items[1].unit_price",
            "must be a number",
        ),
        (
            "create_invoice",
            json!({"client_id": ids::GLOBEX, "import": {"project_ids": [ids::WEBSITE_REDESIGN], "time": {"summary": "by_task"}}}),
            "import.time.summary",
            "must be one of",
        ),
        (
            "create_invoice_payment",
            json!({"invoice_id": ids::INVOICE_OPEN, "amount": 0}),
            "amount",
            "more than 0",
        ),
        (
            "list_accounts",
            json!({"account": 1}),
            "account",
            "takes no arguments",
        ),
        ("list_projects", json!([1, 2]), "arguments", "JSON object"),
    ];
    for (name, arguments, field, rule) in cases {
        let error = invalid(dispatch(&session, name, &arguments));
        assert_eq!(error.field, field, "{name} {arguments}: {}", error.rule);
        assert!(
            error.rule.contains(rule),
            "{name} {arguments}: {}",
            error.rule
        );
    }
    let (outcome, _) = HOST
        .call_tool(&session.env, "get_project", "{not json")
        .unwrap_or_else(|e| panic!("{e:#}"));
    let Err(wit::Error::InvalidInput(error)) = outcome else {
        panic!("malformed JSON is invalid input: {outcome:?}");
    };
    assert_eq!(error.field, "arguments");
    // A key given twice: only one copy would be checked, and either could be used.
    for (name, text, field) in [
        ("list_time_entries", r#"{"limit": 5, "limit": 0}"#, "limit"),
        (
            "create_invoice",
            r#"{"client_id": 1, "line_items": [{"kind": "Service", "unit_price": 1, "unit_price": -1}]}"#,
            "line_items[0].unit_price",
        ),
    ] {
        let (outcome, _) = HOST
            .call_tool(&session.env, name, text)
            .unwrap_or_else(|e| panic!("{e:#}"));
        let Err(wit::Error::InvalidInput(error)) = outcome else {
            panic!("{text}: a repeated key is invalid input: {outcome:?}");
        };
        assert_eq!(error.field, field, "{text}");
        assert_eq!(error.rule, "is given twice; give each field once", "{text}");
    }
    assert!(session.requests().is_empty());
}

#[test]
fn the_tools_own_rules_come_back_in_the_catalogues_spelling() {
    let session = Session::new();
    let error = invalid(dispatch(
        &session,
        "create_time_entry",
        &json!({"project_id": ids::WEBSITE_REDESIGN, "task_id": ids::DESIGN,
                "spent_date": ANCHOR.to_string(), "ended_time": "5pm"}),
    ));
    assert_eq!(error.field, "ended_time");
    assert!(error.rule.contains("started_time"), "{}", error.rule);
    let error = invalid(dispatch(
        &session,
        "create_time_entry",
        &json!({"project_id": ids::WEBSITE_REDESIGN, "task_id": ids::DESIGN, "spent_date": "2026-02-30"}),
    ));
    assert_eq!(error.field, "spent_date");
    assert!(session.requests().is_empty());
}

#[test]
fn harvests_errors_reach_the_caller_through_the_dispatcher() {
    let session = Session::new();
    let result = dispatch(&session, "get_project", &json!({"project_id": 999}));
    assert!(
        matches!(&result, Err(wit::Error::NotFound(m)) if !m.is_empty()),
        "{result:?}"
    );
    let session = session.configured("not-a-token", Some(fake::ACCOUNT_ID));
    let result = dispatch(&session, "list_clients", &json!({}));
    assert!(
        matches!(result, Err(wit::Error::Unauthorized(_))),
        "{result:?}"
    );
}

#[test]
fn harvest_host_prints_the_catalogue_and_calls_tools_by_either_name() {
    let session = Session::new();
    let run = |args: &[&str]| {
        let output = std::process::Command::new(crate::support::harvest_host_bin())
            .args(args)
            .env_clear()
            .envs(session.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .output()
            .unwrap_or_else(|e| panic!("harvest-host: {e}"));
        let stdout: Value = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
        (output.status.code(), stdout)
    };
    let component = harvest_host::host::Host::default_component_path();
    let component = component.to_string_lossy();
    let (code, catalogue) = run(&["tools", "--component", &component]);
    assert_eq!(code, Some(0));
    assert_eq!(catalogue.as_array().map(Vec::len), Some(34));
    assert_eq!(catalogue[0]["name"], "list_accounts");
    assert_eq!(catalogue[0]["input_schema"]["type"], "object");

    let project = ids::WEBSITE_REDESIGN.to_string();
    let arguments = format!("{{\"project_id\": {project}}}");
    for name in ["get_project", "get-project"] {
        let (code, answer) = run(&["call", name, &arguments, "--component", &component]);
        assert_eq!(code, Some(0), "{answer}");
        assert_eq!(answer["id"], ids::WEBSITE_REDESIGN);
    }
    let (code, answer) = run(&[
        "call",
        "get_project",
        "{\"project_id\": 999}",
        "--component",
        &component,
    ]);
    assert_eq!(code, Some(2));
    assert_eq!(answer["tag"], "not-found");
}
