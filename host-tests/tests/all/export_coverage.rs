//! Guards: every export of the component is exercised by some host test.

use std::path::Path;

use crate::support::HOST;

#[test]
fn every_export_has_a_host_test() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("all");
    let mut sources = String::new();
    for entry in std::fs::read_dir(&dir).expect("test sources") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "rs")
            && path.file_name().is_some_and(|n| n != "export_coverage.rs")
        {
            sources.push_str(&std::fs::read_to_string(&path).expect("readable"));
        }
    }
    let exports = HOST.export_names();
    assert_eq!(
        exports.len(),
        34,
        "the component exports the 34 tools: {exports:?}"
    );
    let untested: Vec<&String> = exports
        .iter()
        .filter(|name| !sources.contains(&format!("call_{}(", name.replace('-', "_"))))
        .collect();
    assert!(
        untested.is_empty(),
        "exports without a host test: {untested:?}"
    );
}

#[test]
fn the_host_provides_only_standard_wasi_0_2_interfaces() {
    let imports = HOST.imports();
    let names: Vec<&str> = imports.iter().map(|(name, _)| name.as_str()).collect();
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("wasi:http/outgoing-handler@0.2.")),
        "{names:?}"
    );
    assert!(
        !names.iter().any(|n| n.starts_with("wasi:config")),
        "no wasi:config: its draft versions differ between hosts"
    );
    // The tools' shared records are an interface of the component's own package; it carries
    // types only, so a host has nothing to provide for it.
    let needs_host: Vec<&(String, usize)> = imports
        .iter()
        .filter(|(name, functions)| {
            !(name.starts_with("wasi:") && name.contains("@0.2.")) && *functions > 0
        })
        .collect();
    assert!(
        needs_host.is_empty(),
        "imports a host would have to implement beyond WASI 0.2: {needs_host:?}"
    );
}
