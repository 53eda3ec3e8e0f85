//! The two artifacts: `dist/harvest.wasm` (world `harvest`) shows a generic host the tools and
//! nothing else; `dist/harvest-host.wasm` (world `harvest-host`, which every other test loads)
//! adds exactly the `oauth` and `catalogue` interfaces. Every tool of the tools-only artifact
//! is called here as a generic host calls it.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use harvest_fake::ids;
use harvest_host::host::{ExportKind, Host};
use serde_json::{Map, Value};
use wasmtime::component::Val;
use wasmtime::component::types::Type;

use crate::support::{HOST, Session};
use crate::tool_catalogue::{dispatch, examples};

/// The tools-only artifact, loaded once, as generic hosts load it.
static TOOLS_ONLY: LazyLock<Host> = LazyLock::new(|| {
    Host::load(&Host::tools_only_component_path()).unwrap_or_else(|e| panic!("{e:#}"))
});

fn functions(host: &Host) -> BTreeSet<String> {
    host.exports()
        .into_iter()
        .filter(|(_, kind)| *kind == ExportKind::Function)
        .map(|(name, _)| name)
        .collect()
}

#[test]
fn the_tools_only_artifact_exports_the_tools_and_no_interface() {
    let exports = TOOLS_ONLY.exports();
    let not_functions: Vec<&(String, ExportKind)> = exports
        .iter()
        .filter(|(_, kind)| *kind != ExportKind::Function)
        .collect();
    assert!(
        not_functions.is_empty(),
        "a generic host would turn these into tools too: {not_functions:?}"
    );
    let catalogue: BTreeSet<String> = HOST
        .tools()
        .expect("the host artifact's catalogue")
        .iter()
        .map(|tool| tool.name.replace('_', "-"))
        .collect();
    assert_eq!(functions(&TOOLS_ONLY), catalogue, "exactly the tools");
    assert_eq!(exports.len(), catalogue.len());
    assert!(!TOOLS_ONLY.has_host_interfaces());
    let refused = TOOLS_ONLY.tools().map(|_| ()).unwrap_err().to_string();
    assert!(refused.contains("dist/harvest-host.wasm"), "{refused}");
}

#[test]
fn the_host_artifact_exports_the_same_tools_and_exactly_oauth_and_catalogue() {
    let exports = HOST.exports();
    let interfaces: BTreeSet<String> = exports
        .iter()
        .filter(|(_, kind)| *kind == ExportKind::Interface)
        .map(|(name, _)| name.split('@').next().unwrap_or(name).to_string())
        .collect();
    assert_eq!(
        interfaces,
        BTreeSet::from([
            "harvest:tools/catalogue".to_string(),
            "harvest:tools/oauth".to_string()
        ])
    );
    assert!(
        exports.iter().all(|(_, kind)| *kind != ExportKind::Other),
        "{exports:?}"
    );
    assert_eq!(functions(&HOST), functions(&TOOLS_ONLY));
    assert!(HOST.has_host_interfaces());
}

/// A catalogue example (snake_case keys, a record parameter spread, optional keys left out) as
/// a generic host such as Wassette takes a tool's arguments: one key per parameter, records as
/// objects with every field present in WIT spelling, an `option` left out sent as `null`.
fn generic_host_arguments(params: &[(String, Type)], example: &Value) -> Value {
    let object = example.as_object().cloned().unwrap_or_default();
    let arguments = params
        .iter()
        .map(|(name, ty)| {
            let value = match ty {
                Type::Record(_) => wit_spelling(ty, &Value::Object(object.clone())),
                _ => object
                    .get(&name.replace('-', "_"))
                    .map(|value| wit_spelling(ty, value))
                    .unwrap_or(Value::Null),
            };
            (name.clone(), value)
        })
        .collect();
    Value::Object(arguments)
}

/// A catalogue-spelled JSON value in WIT spelling for `ty`: kebab-case record keys and enum
/// cases, every record field present (`null` for an absent `option`).
fn wit_spelling(ty: &Type, value: &Value) -> Value {
    match (ty, value) {
        (Type::Record(record), Value::Object(object)) => Value::Object(
            record
                .fields()
                .map(|field| {
                    // Left out: `null` for an option, `[]` for a list, as a model sends them.
                    let absent = match field.ty {
                        Type::List(_) => Value::Array(Vec::new()),
                        _ => Value::Null,
                    };
                    let value = object
                        .get(&field.name.replace('-', "_"))
                        .map(|value| wit_spelling(&field.ty, value))
                        .unwrap_or(absent);
                    (field.name.to_string(), value)
                })
                .collect::<Map<String, Value>>(),
        ),
        (Type::Option(option), value) if !value.is_null() => wit_spelling(&option.ty(), value),
        (Type::List(list), Value::Array(items)) => Value::Array(
            items
                .iter()
                .map(|item| wit_spelling(&list.ty(), item))
                .collect(),
        ),
        (Type::Enum(_), Value::String(case)) => Value::String(case.replace('_', "-")),
        (_, value) => value.clone(),
    }
}

/// A generic host's arguments as WIT values, by the mapping generic hosts use: objects to
/// records, `null` to `none`, strings to enum cases, numbers to integers or floats.
fn wit_value(ty: &Type, value: &Value) -> Val {
    match (ty, value) {
        (Type::Option(_), Value::Null) => Val::Option(None),
        (Type::Option(option), value) => {
            Val::Option(Some(Box::new(wit_value(&option.ty(), value))))
        }
        (Type::Record(record), Value::Object(object)) => Val::Record(
            record
                .fields()
                .map(|field| {
                    let value = object.get(field.name).unwrap_or_else(|| {
                        panic!("a generic host sends every field: {} missing", field.name)
                    });
                    (field.name.to_string(), wit_value(&field.ty, value))
                })
                .collect(),
        ),
        (Type::List(list), Value::Array(items)) => Val::List(
            items
                .iter()
                .map(|item| wit_value(&list.ty(), item))
                .collect(),
        ),
        (Type::Enum(_), Value::String(case)) => Val::Enum(case.clone()),
        (Type::String, Value::String(text)) => Val::String(text.clone()),
        // A `json-object` (`preview-write`'s `arguments`): its text.
        (Type::String, object @ Value::Object(_)) => Val::String(object.to_string()),
        (Type::Bool, Value::Bool(flag)) => Val::Bool(*flag),
        (Type::U8, Value::Number(n)) => {
            Val::U8(n.as_u64().and_then(|n| n.try_into().ok()).expect("u8"))
        }
        (Type::U16, Value::Number(n)) => {
            Val::U16(n.as_u64().and_then(|n| n.try_into().ok()).expect("u16"))
        }
        (Type::U32, Value::Number(n)) => {
            Val::U32(n.as_u64().and_then(|n| n.try_into().ok()).expect("u32"))
        }
        (Type::U64, Value::Number(n)) => Val::U64(n.as_u64().expect("u64")),
        (Type::Float32, Value::Number(n)) => Val::Float32(n.as_f64().expect("f32") as f32),
        (Type::Float64, Value::Number(n)) => Val::Float64(n.as_f64().expect("f64")),
        (ty, value) => panic!("no mapping of {value} to {ty:?}"),
    }
}

/// (method, path, query, body) of every request since the last `clear`.
fn sent(session: &Session) -> Vec<(String, String, Option<String>, String)> {
    session
        .requests()
        .into_iter()
        .map(|r| (r.method, r.path, r.query, r.body))
        .collect()
}

/// Every tool once, as a generic host calls the tools-only artifact (each key present, options
/// `null`), against one fake; the same examples through the host artifact's dispatcher against
/// a second, identically seeded fake. Each call succeeds and sends Harvest the same requests.
#[test]
fn a_generic_host_calls_every_tool_of_the_tools_only_artifact_as_the_dispatcher_does() {
    let generic = Session::new();
    let reference = Session::new();
    let examples = examples(&generic);
    assert_eq!(examples, crate::tool_catalogue::examples(&reference));
    assert_eq!(
        examples.len(),
        functions(&TOOLS_ONLY).len(),
        "an example per tool"
    );
    for (name, example) in &examples {
        let export = name.replace('_', "-");
        generic.clear();
        let mut shown = Value::Null;
        let (result, record) = TOOLS_ONLY
            .call_dynamic(&generic.env, &export, |ty| {
                let params: Vec<(String, Type)> = ty
                    .params()
                    .map(|(name, ty)| (name.to_string(), ty))
                    .collect();
                shown = generic_host_arguments(&params, example);
                Ok(params
                    .iter()
                    .map(|(name, ty)| wit_value(ty, &shown[name]))
                    .collect())
            })
            .unwrap_or_else(|e| panic!("{export} trapped: {e:#}"));
        assert!(
            matches!(result, Some(Val::Result(Ok(_)))),
            "{export} {shown}: {result:?}"
        );
        assert!(record.denied.is_empty(), "{export}: {:?}", record.denied);

        reference.clear();
        dispatch(&reference, name, example).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(sent(&generic), sent(&reference), "{export} {shown}");
    }
}

#[test]
fn the_typed_tool_bindings_call_the_tools_only_artifact() {
    let session = Session::new();
    let (project, _) = TOOLS_ONLY
        .call(&session.env, |h, s| {
            h.call_get_project(s, ids::WEBSITE_REDESIGN, None)
        })
        .unwrap_or_else(|e| panic!("{e:#}"));
    let project = project.unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(project.id, ids::WEBSITE_REDESIGN);
    let typed = HOST
        .call(&session.env, |h, s| {
            h.call_get_project(s, ids::WEBSITE_REDESIGN, None)
        })
        .unwrap_or_else(|e| panic!("{e:#}"))
        .0
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(project.name, typed.name);
}
