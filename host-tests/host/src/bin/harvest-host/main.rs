//! The reference host: runs the fake Harvest, and calls the component's tools.
//!
//! Exit codes of `call`: 0 the tool succeeded (its result as JSON on stdout); 2 the tool
//! returned its typed error (as JSON on stdout); 1 the host itself failed.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use harvest_fake::{self as fake, FakeHarvest, FakeOptions};
use harvest_host::cache::Cache;
use harvest_host::host::{Host, config_from_process_env, error_json};

mod connect;
mod demo;
mod mcp;

#[derive(Parser)]
#[command(
    name = "harvest-host",
    about = "Reference host for the Harvest component"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Compile the component afresh and keep nothing in the cache directory
    /// ($HARVEST_HOST_CACHE_DIR, else $XDG_CACHE_HOME/harvest-host or ~/.cache/harvest-host).
    #[arg(long, global = true)]
    no_cache: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Run the fake Harvest and print its URL and credentials as one JSON line.
    Fake {
        #[arg(long, default_value = "127.0.0.1:0")]
        addr: SocketAddr,
        /// The "today" of the seeded data (YYYY-MM-DD); default: today.
        #[arg(long)]
        anchor: Option<chrono::NaiveDate>,
    },
    /// Start the fake Harvest and walk through the tools an agent would call, printing the answers.
    Demo {
        /// The component to load; default: dist/harvest-host.wasm (the host artifact).
        #[arg(long)]
        component: Option<PathBuf>,
        /// The fake account to play against.
        #[arg(long, value_enum, default_value_t = demo::DemoAccount::Global)]
        account: demo::DemoAccount,
    },
    /// Print the tool catalogue (names, titles, descriptions, annotations, JSON Schemas) as JSON.
    Tools {
        /// The component to load; default: dist/harvest-host.wasm (the host artifact).
        #[arg(long)]
        component: Option<PathBuf>,
    },
    /// Call one tool with JSON arguments, configured by this process's HARVEST_* variables.
    Call {
        /// The tool: its catalogue name (`list_projects`) or export name (`list-projects`).
        tool: String,
        /// Arguments as a JSON object, e.g. '{"project_id": 1}'.
        #[arg(default_value = "{}")]
        args: String,
        /// The component to load; default: dist/harvest-host.wasm (the host artifact).
        #[arg(long)]
        component: Option<PathBuf>,
    },
    /// Serve the tools as an MCP server on stdin and stdout, configured by this process's
    /// HARVEST_* variables.
    Mcp {
        /// The component to load; default: dist/harvest-host.wasm (the host artifact).
        #[arg(long)]
        component: Option<PathBuf>,
    },
    /// Connect a Harvest user through your OAuth application (HARVEST_CLIENT_ID and
    /// HARVEST_CLIENT_SECRET): print the authorization URL, wait for Harvest ID's redirect on
    /// http://127.0.0.1:PORT/callback, and print the HARVEST_* lines to use.
    Connect {
        /// The port to listen on for the redirect; 0 picks a free one.
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// The component to load; default: dist/harvest-host.wasm (the host artifact).
        #[arg(long)]
        component: Option<PathBuf>,
    },
    /// Refresh the OAuth tokens with HARVEST_REFRESH_TOKEN and print the new HARVEST_* lines.
    Refresh {
        /// The component to load; default: dist/harvest-host.wasm (the host artifact).
        #[arg(long)]
        component: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("harvest-host: {error:#}");
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let cache = Cache::from_flag(cli.no_cache);
    let load = |path: &std::path::Path| Host::load_host_artifact(path, &cache);
    match cli.command {
        Command::Fake { addr, anchor } => {
            let mut options = FakeOptions {
                addr,
                ..FakeOptions::default()
            };
            if let Some(anchor) = anchor {
                options.anchor = anchor;
            }
            let server = FakeHarvest::start(options)?;
            let line = serde_json::json!({
                "url": server.url(),
                "access_token": fake::ADMIN_TOKEN,
                "account_id": fake::ACCOUNT_ID,
            });
            println!("{line}");
            loop {
                std::thread::park();
            }
        }
        Command::Demo { component, account } => {
            let host = load(&component.unwrap_or_else(|| PathBuf::from("dist/harvest-host.wasm")))?;
            demo::run(&host, account)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Tools { component } => {
            let host = load(&component.unwrap_or_else(|| PathBuf::from("dist/harvest-host.wasm")))?;
            let tools: Vec<serde_json::Value> = host.tools()?.iter().map(tool_json).collect();
            println!("{}", serde_json::to_string_pretty(&tools)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Call {
            tool,
            args,
            component,
        } => {
            let path = component.unwrap_or_else(|| PathBuf::from("dist/harvest-host.wasm"));
            let host = load(&path)?;
            let name = tool.replace('-', "_");
            let (outcome, _) = host.call_tool(&config_from_process_env(), &name, &args)?;
            let (json, code) = match outcome {
                Ok(text) => (
                    serde_json::from_str(&text).context("the tool's result is not JSON")?,
                    ExitCode::SUCCESS,
                ),
                Err(error) => (error_json(&error), ExitCode::from(2)),
            };
            println!("{}", serde_json::to_string_pretty(&json)?);
            Ok(code)
        }
        Command::Mcp { component } => {
            mcp::serve(
                component.unwrap_or_else(|| PathBuf::from("dist/harvest-host.wasm")),
                cache.clone(),
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Connect { port, component } => {
            let host = load(&component.unwrap_or_else(|| PathBuf::from("dist/harvest-host.wasm")))?;
            connect::connect(&host, port)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Refresh { component } => {
            let host = load(&component.unwrap_or_else(|| PathBuf::from("dist/harvest-host.wasm")))?;
            connect::refresh(&host)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// A catalogue entry as JSON, its schemas as JSON values rather than text.
fn tool_json(tool: &harvest_host::wit::Tool) -> serde_json::Value {
    let schema = |text: &str| serde_json::from_str(text).unwrap_or(serde_json::Value::Null);
    serde_json::json!({
        "name": tool.name,
        "title": tool.title,
        "description": tool.description,
        "access": match tool.access {
            harvest_host::wit::Access::Read => "read",
            harvest_host::wit::Access::Write => "write",
        },
        "annotations": {
            "read_only": tool.annotations.read_only,
            "destructive": tool.annotations.destructive,
            "idempotent": tool.annotations.idempotent,
            "open_world": tool.annotations.open_world,
        },
        "input_schema": schema(&tool.input_schema),
        "output_schema": schema(&tool.output_schema),
    })
}
