//! `harvest-host demo`: the fake Harvest, and the calls an agent makes through the component.

use anyhow::{Result, bail};
use host_tests::fake::{self, FakeHarvest, FakeOptions};
use host_tests::host::Host;
use serde_json::{Value, json};

pub fn run(host: &Host) -> Result<()> {
    let server = FakeHarvest::start(FakeOptions::default())?;
    let env = vec![
        (
            "HARVEST_ACCESS_TOKEN".to_string(),
            fake::ADMIN_TOKEN.to_string(),
        ),
        ("HARVEST_API_URL".to_string(), server.url()),
        ("HARVEST_ID_URL".to_string(), server.url()),
    ];
    let call = |tool: &str, args: Value| -> Result<Value> {
        println!("\n> {tool} {args}");
        match host.call_json(&env, tool, &args)?.0 {
            Ok(value) => Ok(value),
            Err(error) => bail!("{tool} failed: {error}"),
        }
    };
    println!("Fake Harvest at {}", server.url());

    let accounts = call("list-accounts", json!({}))?;
    for account in accounts["accounts"].as_array().into_iter().flatten() {
        let usable = if account["usable"] == true {
            "usable"
        } else {
            "not usable"
        };
        println!(
            "  account {} {} ({}, {usable})",
            account["id"],
            str(&account["name"]),
            str(&account["product"])
        );
    }

    let me = call("get-current-user", json!({}))?;
    println!(
        "  signed in as {} {} <{}>",
        str(&me["first_name"]),
        str(&me["last_name"]),
        str(&me["email"])
    );

    let projects = call("list-projects", json!({"activity": "active", "limit": 10}))?;
    println!(
        "  {} active project(s):",
        projects["items"].as_array().map_or(0, Vec::len)
    );
    for project in projects["items"].as_array().into_iter().flatten() {
        println!(
            "  - {} {} (client {}, billed by {})",
            project["id"],
            str(&project["name"]),
            str(&project["client"]["name"]),
            str(&project["bill_by"])
        );
    }

    if let Some(id) = projects["items"][0]["id"].as_u64() {
        let project = call("get-project", json!({"project_id": id}))?;
        let budget = project["budget"]
            .as_f64()
            .map_or("no budget".to_string(), |b| format!("budget {b} h"));
        println!(
            "  {}: starts {}, {budget}",
            str(&project["name"]),
            project["starts_on"]
        );
    }
    Ok(())
}

fn str(value: &Value) -> &str {
    value.as_str().unwrap_or("-")
}
