//! Guards: every export of the component is exercised by some host test.

use std::path::Path;

use crate::support::HOST;

#[test]
fn every_export_has_a_host_test() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/all");
    let mut sources = String::new();
    for entry in std::fs::read_dir(&dir).expect("test sources") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "rs")
            && path.file_name().is_some_and(|n| n != "coverage.rs")
        {
            sources.push_str(&std::fs::read_to_string(&path).expect("readable"));
        }
    }
    let exports = HOST.export_names();
    assert_eq!(
        exports.len(),
        27,
        "the component exports the 27 tools: {exports:?}"
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
