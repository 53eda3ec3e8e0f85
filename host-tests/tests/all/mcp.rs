//! `harvest-host mcp` as an MCP client sees it: the official Python SDK (`mcp` from PyPI,
//! installed by `make mcp-client`) starts the server over stdio, initializes, lists the tools
//! and calls them against the fake Harvest.

use std::path::{Path, PathBuf};
use std::process::Command;

use harvest_fake::{self as fake, ids};
use harvest_host::host::Host;
use serde_json::{Value, json};

use crate::support::{HOST, Session};

/// The Python of the virtual environment `make mcp-client` creates.
fn client_python() -> PathBuf {
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/mcp-client/bin/python");
    assert!(
        python.exists(),
        "the Python MCP client is not installed ({} is missing): run `make mcp-client`",
        python.display()
    );
    python
}

/// Runs tests/mcp_client.py against `harvest-host mcp`, the server's environment holding only
/// the session's `HARVEST_*` variables, and returns the client's report.
fn run_client(session: &Session, calls: &Value) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("mcp_client.py");
    let output = Command::new(client_python())
        .arg(script)
        .arg(calls.to_string())
        .arg("--")
        .arg(crate::support::harvest_host_bin())
        .args(["mcp", "--component"])
        .arg(Host::default_component_path())
        .env_clear()
        .envs(session.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .output()
        .unwrap_or_else(|e| panic!("running the MCP client: {e}"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the MCP client failed: {stderr}");
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "the client's report is not JSON ({e}): {}\n{stderr}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

fn schema(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// The text of a result's only content block.
fn text(result: &Value) -> &str {
    assert_eq!(
        result["content"].as_array().map(Vec::len),
        Some(1),
        "{result}"
    );
    assert_eq!(result["content"][0]["type"], "text", "{result}");
    result["content"][0]["text"].as_str().unwrap_or_default()
}

#[test]
fn the_python_mcp_sdk_lists_the_catalogue_and_calls_tools_against_the_fake() {
    let session = Session::new();
    let calls = json!([
        {"name": "list_projects", "arguments": {"activity": "active"}},
        {"name": "get_project", "arguments": {"project_id": ids::WEBSITE_REDESIGN}},
        {"name": "get_project", "arguments": {"project_id": 999}},
        {"name": "get_projekt", "arguments": {"project_id": 999}},
    ]);
    let report = run_client(&session, &calls);

    // initialize
    let init = &report["initialize"];
    assert_eq!(init["serverInfo"]["name"], "harvest", "{init}");
    assert!(init["serverInfo"]["version"].is_string(), "{init}");
    assert!(init["capabilities"]["tools"].is_object(), "{init}");
    let instructions = init["instructions"].as_str().unwrap_or_default();
    for hint in [
        "call list_accounts first",
        "period: today, this_week",
        "list_my_project_assignments",
        "preview_write",
    ] {
        assert!(instructions.contains(hint), "{hint}: {init}");
    }

    // tools/list: the catalogue, entry for entry
    let catalogue = HOST.tools().unwrap_or_else(|e| panic!("{e:#}"));
    let listed = report["tools"].as_array().cloned().unwrap_or_default();
    assert_eq!(listed.len(), 34);
    assert_eq!(catalogue.len(), 34);
    let mut with_output_schema = 0;
    for (tool, entry) in listed.iter().zip(&catalogue) {
        assert_eq!(tool["name"], entry.name.as_str());
        assert_eq!(tool["title"], entry.title.as_str());
        assert_eq!(tool["description"], entry.description.as_str());
        assert_eq!(
            tool["inputSchema"],
            schema(&entry.input_schema),
            "{}",
            entry.name
        );
        let a = &entry.annotations;
        assert_eq!(
            tool["annotations"],
            json!({
                "title": entry.title,
                "readOnlyHint": a.read_only,
                "destructiveHint": a.destructive,
                "idempotentHint": a.idempotent,
                "openWorldHint": a.open_world,
            }),
            "{}",
            entry.name
        );
        let output = schema(&entry.output_schema);
        if output["type"] == "object" {
            assert_eq!(tool["outputSchema"], output, "{}", entry.name);
            with_output_schema += 1;
        } else {
            assert!(tool.get("outputSchema").is_none(), "{}", entry.name);
        }
    }
    assert!(
        with_output_schema >= 20,
        "{with_output_schema} output schemas"
    );

    // tools/call: results as structured content and as text, matching the fake's data
    let results: Vec<&Value> = report["calls"]
        .as_array()
        .map(|calls| calls.iter().map(|call| &call["result"]).collect())
        .unwrap_or_default();
    assert_eq!(results.len(), 4, "{report}");
    let (projects, project, missing, unknown) = (results[0], results[1], results[2], results[3]);

    let mut expected: Vec<(u64, String)> = {
        let state = session.fake.state();
        let account = state.account(fake::ACCOUNT_ID).expect("account");
        account
            .projects
            .iter()
            .filter(|p| p.is_active)
            .map(|p| (p.id, p.name.clone()))
            .collect()
    };
    expected.sort();
    assert_eq!(projects["isError"], false, "{projects}");
    let structured = &projects["structuredContent"];
    let mut listed: Vec<(u64, String)> = structured["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|p| (p["id"].as_u64().unwrap_or_default(), p["name"].to_string()))
                .map(|(id, name)| (id, name.trim_matches('"').to_string()))
                .collect()
        })
        .unwrap_or_default();
    listed.sort();
    assert!(!expected.is_empty());
    assert_eq!(listed, expected);
    assert_eq!(structured["total"], expected.len());
    assert_eq!(schema(text(projects)), *structured);

    assert_eq!(project["isError"], false, "{project}");
    assert_eq!(project["structuredContent"]["id"], ids::WEBSITE_REDESIGN);
    assert_eq!(project["structuredContent"]["name"], "Website Redesign");
    assert_eq!(project["structuredContent"]["client"]["id"], ids::GLOBEX);
    assert_eq!(schema(text(project)), project["structuredContent"]);

    // a tool error: isError with Harvest's message, one line a model can act on
    assert_eq!(missing["isError"], true, "{missing}");
    assert!(missing.get("structuredContent").is_none(), "{missing}");
    let message = text(missing);
    assert!(message.starts_with("not found: "), "{message}");
    assert!(
        message.contains("/v2/projects/999 (Not Found)"),
        "{message}"
    );

    // an unknown tool: the component's own invalid-input, suggesting the nearest name
    assert_eq!(unknown["isError"], true, "{unknown}");
    let message = text(unknown);
    assert!(message.starts_with("invalid input: "), "{message}");
    assert!(message.contains("get_project"), "{message}");

    // the credentials came from the server's environment, never from the client
    let requests = session.requests();
    let paths: Vec<&str> = requests.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/v2/projects".to_string(),
            format!("/v2/projects/{}", ids::WEBSITE_REDESIGN),
            "/v2/projects/999".to_string(),
        ]
    );
    let bearer = format!("Bearer {}", fake::ADMIN_TOKEN);
    for request in &requests {
        assert_eq!(request.header("authorization"), Some(bearer.as_str()));
        assert_eq!(
            request.header("harvest-account-id"),
            Some(fake::ACCOUNT_ID.to_string().as_str())
        );
    }
}
