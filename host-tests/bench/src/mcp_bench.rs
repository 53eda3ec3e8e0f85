//! `make bench`'s MCP rows: `harvest-host mcp` started by the official Python MCP client
//! (`host-tests/bench/mcp_spawn.py`, in the venv `make mcp-client` installs), with the compiled
//! component cache cold (emptied) and warm, and the server's peak resident memory after 40
//! calls.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use harvest_fake::ids;
use harvest_host::cache::CACHE_DIR_ENV;
use serde::Deserialize;

use crate::Row;

const COLD_RUNS: usize = 3;
const WARM_RUNS: usize = 7;
const CALLS: usize = 40;
const MB: f64 = 1_000_000.0;

#[derive(Debug, Deserialize)]
struct Report {
    spawn_to_tools_ms: f64,
    tools: usize,
    calls_ok: usize,
    peak_rss_kb: Option<u64>,
}

pub fn rows(component: &Path, env: &[(String, String)]) -> Result<Vec<Row>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let python = root.join("target/mcp-client/bin/python");
    let script = root.join("host-tests/bench/mcp_spawn.py");
    let server = std::env::current_exe()?
        .parent()
        .context("the bench's directory")?
        .join("harvest-host");
    if !server.exists() || !python.exists() {
        bail!(
            "{} or {} is missing (make bench builds both)",
            server.display(),
            python.display()
        );
    }
    let cache = root.join("target/bench-cache");
    let run = |count: usize| -> Result<Report> {
        let calls: Vec<_> = (0..count)
            .map(|_| serde_json::json!({"name": "get_project", "arguments": {"project_id": ids::MOBILE_APP}}))
            .collect();
        let output = Command::new(&python)
            .arg(&script)
            .arg(serde_json::Value::Array(calls).to_string())
            .arg("--")
            .arg(&server)
            .args(["mcp", "--component"])
            .arg(component)
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env(CACHE_DIR_ENV, &cache)
            .output()
            .context("running the MCP client")?;
        if !output.status.success() {
            bail!(
                "the MCP client failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let report: Report = serde_json::from_slice(&output.stdout).with_context(|| {
            format!(
                "the MCP client's report: {}",
                String::from_utf8_lossy(&output.stdout)
            )
        })?;
        if report.tools == 0 || report.calls_ok != count {
            bail!("the MCP session went wrong: {report:?}");
        }
        Ok(report)
    };

    eprintln!("MCP: spawn to tools listed, cold and warm cache…");
    let mut cold = Vec::new();
    let mut cold_peak = None;
    for i in 0..COLD_RUNS {
        let _ = std::fs::remove_dir_all(&cache);
        let report = run(if i == 0 { CALLS } else { 0 })?;
        if i == 0 {
            cold_peak = report.peak_rss_kb;
        } else {
            cold.push(report.spawn_to_tools_ms);
        }
    }
    let mut warm = Vec::new();
    for _ in 0..WARM_RUNS {
        warm.push(run(0)?.spawn_to_tools_ms);
    }
    eprintln!("MCP: peak memory after {CALLS} calls…");
    let warm_peak = run(CALLS)?.peak_rss_kb;
    let cold = median(cold);
    let warm = median(warm);
    let mb = |kb: Option<u64>| kb.map(|kb| kb as f64 * 1024.0 / MB);
    let warm_mb = mb(warm_peak);
    let text = |v: Option<f64>| v.map_or("not measured".into(), |v| format!("{v:.1} MB"));
    Ok(vec![
        Row::new("MCP (Python SDK): spawn to tools listed, cold cache (compiles)")
            .component(format!("{cold:.0} ms")),
        Row::new("MCP (Python SDK): spawn to tools listed, warm cache")
            .component(format!("{warm:.0} ms"))
            .budget("≤ 100 ms", warm <= 100.0),
        Row::new(format!(
            "MCP server peak resident memory (VmHWM) after {CALLS} `get_project` calls, warm cache"
        ))
        .component(text(warm_mb))
        .budget("≤ 30 MB", warm_mb.is_some_and(|v| v <= 30.0)),
        Row::new(format!(
            "MCP server peak resident memory after {CALLS} calls, cold cache (compiled in the process)"
        ))
        .component(text(mb(cold_peak))),
    ])
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples.get(samples.len() / 2).copied().unwrap_or(f64::NAN)
}
