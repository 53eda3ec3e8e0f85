//! What the component may reach, what it may reveal and how much memory it needs.

use harvest_fake::{self as fake, Fault, ids};
use harvest_host::host::CallOptions;
use serde_json::json;

use crate::support::{HOST, Session, wit};

const DISTINCTIVE_TOKEN: &str = "tok-DISTINCTIVE-7f3a9c";

#[test]
fn the_network_policy_denies_every_host_but_harvests() {
    let session = Session::new();
    let options = CallOptions {
        allowed_hosts: Some(vec![
            "api.harvestapp.com".into(),
            "id.getharvest.com".into(),
        ]),
        ..CallOptions::default()
    };
    let (result, record) = HOST
        .call_with(&options, &session.env, |h, s| {
            h.call_get_project(s, ids::MOBILE_APP, None)
        })
        .expect("no trap");
    let Err(wit::Error::Transport(failure)) = result else {
        panic!("expected a transport error, got {result:?}")
    };
    assert!(
        failure.message.contains("denied") && failure.message.contains("network policy"),
        "{}",
        failure.message
    );
    assert_eq!(
        record.denied.len(),
        1,
        "one attempt, not retried: {:?}",
        record.denied
    );
    assert!(record.denied[0].starts_with(&session.fake.url()));
    assert!(session.requests().is_empty());
}

#[test]
fn no_error_path_shows_the_token() {
    let session = Session::new();
    let closed_port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
        listener.local_addr().expect("addr").port()
    };
    let wrong_token = session
        .fake
        .env_as(DISTINCTIVE_TOKEN, Some(fake::ACCOUNT_ID));
    let unreachable = fake::harvest_env(
        &format!("http://127.0.0.1:{closed_port}"),
        Some(DISTINCTIVE_TOKEN),
        Some(fake::ACCOUNT_ID),
    );
    let mut bad_account = wrong_token.clone();
    bad_account.retain(|(k, _)| k != "HARVEST_ACCOUNT_ID");
    bad_account.push((
        "HARVEST_ACCOUNT_ID".into(),
        format!("not-a-number-{DISTINCTIVE_TOKEN}"),
    ));
    let mut echoing = session
        .fake
        .env_as(DISTINCTIVE_TOKEN, Some(fake::ACCOUNT_ID));
    echoing.push(("HARVEST_RATE_LIMIT_WAIT_SECONDS".into(), "0".into()));
    // The fake knows only its own tokens; accept the distinctive one for the echo cases.
    {
        let mut state = session.fake.state();
        let admin = state.tokens[fake::ADMIN_TOKEN].clone();
        state.tokens.insert(DISTINCTIVE_TOKEN.into(), admin);
    }

    let mut outputs = Vec::new();
    // Every call goes through the catalogue's dispatcher, as JSON hosts make them.
    let mut run = |env: &Vec<(String, String)>, tool: &str, args: serde_json::Value| {
        let (outcome, record) = HOST
            .call_tool(env, tool, &args.to_string())
            .expect("no trap");
        assert!(outcome.is_err(), "{tool} should fail here: {outcome:?}");
        outputs.push(format!("{outcome:?} {}", record.stderr));
    };
    for tool in [
        "list_accounts",
        "get_current_user",
        "list_projects",
        "list_time_entries",
        "list_invoices",
    ] {
        run(
            &wrong_token
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        if k == "HARVEST_ACCESS_TOKEN" {
                            "tok-other".into()
                        } else {
                            v.clone()
                        },
                    )
                })
                .collect(),
            tool,
            json!({}),
        );
        run(&unreachable, tool, json!({}));
        run(&bad_account, tool, json!({}));
    }
    let hostile = [
        Fault::Status {
            status: 422,
            content_type: "application/json".into(),
            body: format!(r#"{{"message":"token {DISTINCTIVE_TOKEN} rejected"}}"#),
        },
        Fault::Status {
            status: 500,
            content_type: "text/html".into(),
            body: format!("<html>{DISTINCTIVE_TOKEN}</html>"),
        },
        Fault::Status {
            status: 403,
            content_type: "application/json".into(),
            body: format!(r#"{{"error":"Bearer {DISTINCTIVE_TOKEN}"}}"#),
        },
        Fault::Status {
            status: 200,
            content_type: "application/json".into(),
            body: format!(r#"{{"oops": "{DISTINCTIVE_TOKEN}""#),
        },
        Fault::RateLimited {
            retry_after: Some(3),
        },
    ];
    for fault in hostile {
        session.fake.inject(fault);
        run(
            &echoing,
            "get_project",
            json!({"project_id": ids::MOBILE_APP}),
        );
    }
    session.fake.inject(Fault::ResetMidBody);
    run(
        &echoing,
        "stop_timer",
        json!({"time_entry_id": 3_000_000_759u64}),
    );
    run(&echoing, "get_time_entry", json!({"time_entry_id": 1}));

    run(&unreachable, "list_projects", json!({}));
    run(&bad_account, "get_current_user", json!({}));
    session.fake.inject(Fault::Status {
        status: 422,
        content_type: "application/json".into(),
        body: format!(r#"{{"message":"token {DISTINCTIVE_TOKEN} rejected"}}"#),
    });
    run(
        &echoing,
        "get_project",
        json!({"project_id": ids::MOBILE_APP}),
    );

    assert_eq!(outputs.len(), 25);
    for output in &outputs {
        assert!(
            !output.contains(DISTINCTIVE_TOKEN),
            "the token leaked: {output}"
        );
    }
}

#[test]
fn listing_fifty_thousand_entries_fits_the_memory_bound() {
    const ENTRIES: usize = 50_000;
    const BOUND_BYTES: usize = 256 * 1024 * 1024;
    let session = Session::new();
    session
        .fake
        .seed_time_entries(ENTRIES as u64)
        .expect("seeded");
    let q = wit::TimeEntryQuery::unfiltered(Some(ENTRIES as u32));
    let (page, record) = session.call_recorded(|h, s| h.call_list_time_entries(s, &q));
    let page = page.expect("entries");
    assert_eq!(
        (page.items.len(), page.total, page.has_more),
        (ENTRIES, Some(ENTRIES as u64), false)
    );
    assert_eq!(session.requests().len(), ENTRIES / 2000, "pages of 2000");
    println!(
        "peak guest memory for {ENTRIES} entries: {} bytes",
        record.peak_memory_bytes
    );
    assert!(
        record.peak_memory_bytes > 0 && record.peak_memory_bytes < BOUND_BYTES,
        "peak {} bytes",
        record.peak_memory_bytes
    );
}

#[test]
fn the_shipped_policy_allows_harvests_hosts_and_every_configuration_key() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let policy: serde_json::Value = serde_norway::from_str(
        &std::fs::read_to_string(root.join("harvest.policy.yaml")).expect("policy file"),
    )
    .expect("YAML");
    let listed = |section: &str, field: &str| -> Vec<String> {
        let items = policy["permissions"][section]["allow"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let mut values: Vec<String> = items
            .iter()
            .filter_map(|i| i[field].as_str().map(str::to_string))
            .collect();
        values.sort();
        values
    };
    assert_eq!(
        listed("network", "host"),
        ["api.harvestapp.com", "id.getharvest.com"]
    );
    let config = std::fs::read_to_string(root.join("src/config.rs")).expect("config source");
    let mut keys: Vec<String> = config
        .split('"')
        .filter(|part| {
            part.starts_with("HARVEST_") && part.chars().all(|c| c.is_ascii_uppercase() || c == '_')
        })
        .map(str::to_string)
        .collect();
    keys.sort();
    keys.dedup();
    assert!(keys.len() >= 9, "the keys the component reads: {keys:?}");
    assert_eq!(listed("environment", "key"), keys);
}

#[test]
fn more_calls_at_once_than_the_instance_pool_holds_all_answer() {
    let session = Session::new();
    // Slow answers keep every call's instance alive while the others start.
    session
        .fake
        .set_latency(std::time::Duration::from_millis(300));
    let calls = harvest_host::engine::POOLED_INSTANCES as usize + 8;
    let results: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..calls)
            .map(|_| {
                scope.spawn(|| {
                    HOST.call(&session.env, |h, s| {
                        h.call_get_project(s, ids::MOBILE_APP, None)
                    })
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join()).collect()
    });
    for result in results {
        let (project, _) = result
            .expect("no panic")
            .unwrap_or_else(|e| panic!("a call beyond the pool must wait, not fail: {e:#}"));
        assert_eq!(project.expect("the project").id, ids::MOBILE_APP);
    }
}
