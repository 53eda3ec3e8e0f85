//! The reference host's compiled-component cache (`host_tests::cache`): always in a temporary
//! directory of the test's own, never the user's cache.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

use harvest_host::cache::{CACHE_DIR_ENV, Cache, Outcome};
use harvest_host::host::Host;
use serde_json::Value;

use crate::support::{self, Session};

/// A directory removed when the test ends.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            "harvest-host-cache-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&path);
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn entries(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let Ok(listing) = fs::read_dir(dir) else {
        return Vec::new();
    };
    listing
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect()
}

fn load(cache: &Cache) -> (Host, Outcome) {
    Host::load_with(&Host::default_component_path(), cache).unwrap_or_else(|e| panic!("{e:#}"))
}

#[test]
fn a_warm_load_uses_the_entry_and_gives_the_same_component() {
    let dir = TempDir::new();
    let cache = Cache::at(&dir.0);
    let (cold, outcome) = load(&cache);
    assert_eq!(outcome, Outcome::Miss);
    let (warm, outcome) = load(&cache);
    assert_eq!(outcome, Outcome::Hit);
    assert_eq!(cold.export_names(), warm.export_names());
    assert_eq!(cold.imports(), warm.imports());
    let names = |host: &Host| -> Vec<String> {
        let tools = host.tools().unwrap_or_else(|e| panic!("{e:#}"));
        tools.into_iter().map(|t| t.name).collect()
    };
    assert_eq!(names(&cold), names(&warm));
    assert!(!names(&warm).is_empty());
}

#[test]
fn entries_are_private_to_the_user() {
    let dir = TempDir::new();
    load(&Cache::at(&dir.0));
    let mode = |p: &Path| fs::metadata(p).map(|m| m.permissions().mode() & 0o777).ok();
    assert_eq!(mode(&dir.0), Some(0o700));
    let written = entries(&dir.0, ".cwasm");
    assert_eq!(written.len(), 1, "one entry: {written:?}");
    assert_eq!(mode(&written[0]), Some(0o600));
    assert!(
        entries(&dir.0, "")
            .iter()
            .all(|p| !p.to_string_lossy().contains(".tmp-")),
        "no temporary file is left behind"
    );
}

#[test]
fn a_damaged_or_foreign_entry_is_rebuilt_not_trusted() {
    let dir = TempDir::new();
    let cache = Cache::at(&dir.0);
    let (reference, _) = load(&cache);
    let path = entries(&dir.0, ".cwasm")
        .pop()
        .unwrap_or_else(|| panic!("no entry written"));
    let good = fs::read(&path).unwrap_or_else(|e| panic!("{e}"));
    let mut flipped = good.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x40;
    let component = fs::read(Host::default_component_path()).unwrap_or_else(|e| panic!("{e}"));
    for (what, bytes) in [
        ("truncated", good[..good.len() / 3].to_vec()),
        ("flipped", flipped),
        ("a foreign file (the .wasm itself)", component),
        ("empty", Vec::new()),
    ] {
        fs::write(&path, &bytes).unwrap_or_else(|e| panic!("{e}"));
        let (host, outcome) = load(&cache);
        assert!(
            matches!(outcome, Outcome::Rebuilt(_)),
            "{what}: loaded as {outcome:?}"
        );
        assert_eq!(host.export_names(), reference.export_names(), "{what}");
        assert_eq!(
            fs::read(&path).ok().as_deref(),
            Some(good.as_slice()),
            "{what}: the entry is rewritten"
        );
        assert_eq!(load(&cache).1, Outcome::Hit, "{what}: then used");
    }
}

fn harvest_host(session: &Session, cache_dir: &Path, args: &[&str]) -> (Option<i32>, Value) {
    let output = Command::new(support::harvest_host_bin())
        .args(args)
        .arg("--component")
        .arg(Host::default_component_path())
        .env_clear()
        .envs(session.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .env(CACHE_DIR_ENV, cache_dir)
        .output()
        .unwrap_or_else(|e| panic!("harvest-host: {e}"));
    let stdout = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
    (output.status.code(), stdout)
}

#[test]
fn no_cache_writes_nothing_and_the_cli_caches_by_default() {
    let session = Session::new();
    let dir = TempDir::new();
    let (code, uncached) = harvest_host(
        &session,
        &dir.0,
        &["--no-cache", "call", "get_current_user"],
    );
    assert_eq!(code, Some(0), "{uncached}");
    assert!(!dir.0.exists(), "--no-cache created {}", dir.0.display());
    let (code, cached) = harvest_host(&session, &dir.0, &["call", "get_current_user"]);
    assert_eq!(code, Some(0), "{cached}");
    assert_eq!(uncached, cached);
    assert_eq!(entries(&dir.0, ".cwasm").len(), 1);
    let (_, warm) = harvest_host(&session, &dir.0, &["call", "get_current_user"]);
    assert_eq!(warm, cached);
}

/// The MCP server through the official Python client, with the cache in `dir`.
fn mcp_session(session: &Session, dir: &Path) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("mcp_client.py");
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/mcp-client/bin/python");
    let calls = serde_json::json!([{"name": "get_current_user", "arguments": {}}]);
    let output = Command::new(python)
        .arg(script)
        .arg(calls.to_string())
        .arg("--")
        .arg(support::harvest_host_bin())
        .args(["mcp", "--component"])
        .arg(Host::default_component_path())
        .env_clear()
        .envs(session.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .env(CACHE_DIR_ENV, dir)
        .output()
        .unwrap_or_else(|e| panic!("running the MCP client (make mcp-client): {e}"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the MCP client failed: {stderr}");
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"))
}

#[test]
fn the_mcp_server_keeps_the_catalogue_beside_the_entry_and_lists_it_unchanged() {
    let session = Session::new();
    let dir = TempDir::new();
    let cold = mcp_session(&session, &dir.0);
    assert_eq!(
        entries(&dir.0, ".catalogue").len(),
        1,
        "the catalogue is kept"
    );
    let warm = mcp_session(&session, &dir.0);
    assert_eq!(cold["tools"], warm["tools"]);
    assert!(cold["tools"].as_array().is_some_and(|t| !t.is_empty()));
    assert_eq!(cold["calls"], warm["calls"]);
    assert_eq!(warm["calls"][0]["result"]["isError"], Value::Bool(false));

    // A damaged catalogue is not served: the server lists what the component says.
    let catalogue = entries(&dir.0, ".catalogue").pop().unwrap_or_default();
    let mut bytes = fs::read(&catalogue).unwrap_or_default();
    let last = bytes.len().saturating_sub(1);
    if let Some(byte) = bytes.get_mut(last) {
        *byte ^= 1;
    }
    fs::write(&catalogue, &bytes).unwrap_or_else(|e| panic!("{e}"));
    let repaired = mcp_session(&session, &dir.0);
    assert_eq!(repaired["tools"], cold["tools"]);
}
