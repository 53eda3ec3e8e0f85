//! `harvest-openapi.yaml` as JSON Schema, and the check that the fake's answers match it.

use std::path::Path;
use std::sync::LazyLock;

use serde_json::{Value, json};

use super::client::Caller;

/// `components.schemas` of harvest-openapi.yaml, adapted to JSON Schema: `nullable` becomes a
/// `null` type, `int32` formats go (ids are 64-bit, docs/harvest-notes.md#dates-and-times), `page`
/// may be null (cursor pages, docs/harvest-notes.md#pagination), and objects refuse unknown
/// properties so a misspelt field fails the test.
static SCHEMAS: LazyLock<Value> = LazyLock::new(|| {
    // Vendored (MIT, JoliCode): see host-tests/vendor/README.md.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vendor/harvest-openapi.yaml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc: serde_norway::Value = serde_norway::from_str(&text).expect("valid YAML");
    let mut schemas = serde_json::to_value(&doc["components"]["schemas"]).expect("schemas as JSON");
    adapt(&mut schemas);
    // Fields real responses carry beyond the 2024 OpenAPI file: docs/harvest-notes.md#time-entries
    // (approval_status, 2025 docs) and the client currency / project code recorded in real time
    // entries (docs/harvest-notes.md#time-entries [OBS]).
    let entry = &mut schemas["TimeEntry"]["properties"];
    entry["approval_status"] = json!({ "type": "string" });
    entry["client"]["properties"]["currency"] = json!({ "type": "string" });
    entry["project"]["properties"]["code"] = json!({ "type": ["string", "null"] });
    // An expense's embedded category: the file types `unit_price` as a string, the category
    // object itself (and the docs) as a decimal (docs/harvest-notes.md#expenses).
    schemas["Expense"]["properties"]["expense_category"]["properties"]["unit_price"] =
        json!({ "type": ["number", "null"] });
    json!({ "components": { "schemas": schemas } })
});

fn adapt(node: &mut Value) {
    match node {
        Value::Object(map) => {
            if map.remove("nullable") == Some(json!(true))
                && let Some(Value::String(t)) = map.get("type").cloned()
            {
                map.insert("type".into(), json!([t, "null"]));
            }
            if map
                .get("format")
                .is_some_and(|f| f == "int32" || f == "int64")
            {
                map.remove("format");
            }
            if let Some(page) = map.get_mut("properties").and_then(|p| p.get_mut("page")) {
                page["type"] = json!(["integer", "null"]);
            }
            if map.get("type") == Some(&json!("object")) && map.contains_key("properties") {
                map.insert("additionalProperties".into(), json!(false));
            }
            map.values_mut().for_each(adapt);
        }
        Value::Array(items) => items.iter_mut().for_each(adapt),
        _ => {}
    }
}

pub(super) fn schema_errors(schema: &str, instance: &Value) -> Vec<String> {
    let mut root = SCHEMAS.clone();
    root["$ref"] = json!(format!("#/components/schemas/{schema}"));
    let validator =
        jsonschema::validator_for(&root).unwrap_or_else(|e| panic!("schema {schema}: {e}"));
    validator
        .iter_errors(instance)
        .take(10)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

pub(super) fn assert_schema(schema: &str, instance: &Value) {
    let errors = schema_errors(schema, instance);
    assert!(errors.is_empty(), "{schema} mismatch: {errors:#?}");
}

#[test]
fn the_schema_check_catches_misshapen_answers() {
    assert!(
        schema_errors(
            "TimeEntry",
            &json!({ "id": 3_000_000_001_u64, "hours": null })
        )
        .is_empty()
    );
    assert!(
        !schema_errors("TimeEntry", &json!({ "hours": "1.5" })).is_empty(),
        "wrong type"
    );
    assert!(
        !schema_errors("TimeEntry", &json!({ "hourz": 1.5 })).is_empty(),
        "unknown field"
    );
    assert!(
        !schema_errors("Clients", &json!({ "clients": [{ "id": "x" }] })).is_empty(),
        "nested, required"
    );
}

pub(super) fn assert_list(caller: &Caller, target: &str, schema: &str, key: &str) -> Value {
    let page = caller.ok(target);
    assert!(
        page[key].as_array().is_some_and(|a| !a.is_empty()),
        "{target} lists some {key}"
    );
    assert_schema(schema, &page);
    page
}
