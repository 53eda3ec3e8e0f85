//! Thousands of generated and mutated argument sets through the real component: every call
//! ends in a value or a typed error, never a trap, and reaches no host but the configured one;
//! through the dispatcher, arguments that break the input schema never reach Harvest.

use serde_json::{Value, json};
use wasmtime::component::Val;
use wasmtime::component::types::Type;

use crate::support::{HOST, Session, wit};

/// Calls per export.
const CALLS_PER_EXPORT: usize = 120;

/// A small deterministic generator (xorshift64*), so a failure replays exactly.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Strings that are valid somewhere, nearly valid, or hostile.
const STRINGS: &[&str] = &[
    "",
    " ",
    "2026-03-18",
    "2026-03-01",
    "2026-02-30",
    "18/03/2026",
    "2026-3-1",
    "1.5",
    "1:30",
    "1h30m",
    "90m",
    "25h",
    "-1",
    "0",
    "24",
    "8:00am",
    "5:30pm",
    "17:30",
    "25:00",
    "12pm",
    "2026-03-01T00:00:00Z",
    "2026-03-01T00:00:00",
    "Service",
    "Product",
    "USD",
    "usd",
    "EURO",
    "garbage",
    "0~/v2/projects?cursor=x",
    "3~/v2/time_entries?page=2&per_page=10",
    "~",
    "9999999999999999999999~/v2/x",
    "\0",
    "🎉 ünïcødé",
    "line\nbreak",
    "\"quoted\" & <tagged>",
    "%00%ff",
    "../../etc/passwd",
    "http://evil.example/v2/projects",
];

const NUMBERS: &[u64] = &[
    0,
    1,
    2,
    42,
    100,
    500,
    2000,
    100_000,
    100_001,
    4_100_001,
    5_200_002,
    7_400_001,
    6_300_001,
    2_700_005,
    3_000_000_010,
    u32::MAX as u64,
    u64::MAX,
];

const FLOATS: &[f64] = &[
    0.0,
    -1.0,
    0.5,
    1.5,
    10.0,
    100.0,
    100.5,
    1e12,
    f64::NAN,
    f64::INFINITY,
    f64::MIN_POSITIVE,
];

fn generate(ty: &Type, rng: &mut Rng, depth: usize) -> Val {
    match ty {
        Type::Bool => Val::Bool(rng.next().is_multiple_of(2)),
        Type::U8 => Val::U8(*rng.pick(NUMBERS) as u8),
        Type::U16 => Val::U16(*rng.pick(NUMBERS) as u16),
        Type::U32 => Val::U32(u32::try_from(*rng.pick(NUMBERS)).unwrap_or(u32::MAX)),
        Type::U64 => Val::U64(if rng.below(8) == 0 {
            rng.next()
        } else {
            *rng.pick(NUMBERS)
        }),
        Type::Float64 => Val::Float64(*rng.pick(FLOATS)),
        Type::String => {
            let text = if rng.below(20) == 0 {
                "x".repeat(20_000)
            } else {
                rng.pick(STRINGS).to_string()
            };
            Val::String(text)
        }
        Type::List(list) => {
            let len = if depth > 3 { 0 } else { rng.below(4) };
            Val::List(
                (0..len)
                    .map(|_| generate(&list.ty(), rng, depth + 1))
                    .collect(),
            )
        }
        Type::Record(record) => Val::Record(
            record
                .fields()
                .map(|f| (f.name.to_string(), generate(&f.ty, rng, depth + 1)))
                .collect(),
        ),
        Type::Option(option) => match rng.below(3) {
            0 => Val::Option(None),
            _ => Val::Option(Some(Box::new(generate(&option.ty(), rng, depth + 1)))),
        },
        Type::Enum(cases) => {
            let names: Vec<&str> = cases.names().collect();
            Val::Enum(rng.pick(&names).to_string())
        }
        other => panic!("the tools take no {other:?} arguments"),
    }
}

/// Replaces one top-level argument of a generated set with a fresh value: mutation around a set.
fn mutate(params: &mut [Val], types: &[Type], rng: &mut Rng) {
    if !params.is_empty() {
        let at = rng.below(params.len());
        params[at] = generate(&types[at], rng, 0);
    }
}

#[test]
fn generated_arguments_never_trap_and_always_give_a_typed_answer() {
    let mut session = Session::new();
    session
        .env
        .push(("HARVEST_RATE_LIMIT_WAIT_SECONDS".into(), "0".into()));
    let mut rng = Rng(0x5EED_CAFE_F00D_BEEF);
    let mut calls = 0;
    let mut errors = 0;
    for name in HOST.export_names() {
        let mut previous: Option<Vec<Val>> = None;
        for i in 0..CALLS_PER_EXPORT {
            let (result, record) = HOST
                .call_dynamic(&session.env, &name, |ty| {
                    let types: Vec<Type> = ty.params().map(|(_, t)| t).collect();
                    let mut params = match previous.take() {
                        Some(mut params) if i % 2 == 1 => {
                            mutate(&mut params, &types, &mut rng);
                            params
                        }
                        _ => types.iter().map(|t| generate(t, &mut rng, 0)).collect(),
                    };
                    previous = Some(params.clone());
                    Ok(std::mem::take(&mut params))
                })
                .unwrap_or_else(|e| panic!("{name} call {i} trapped: {e:#}"));
            calls += 1;
            match result {
                Some(Val::Result(Ok(_))) => {}
                Some(Val::Result(Err(Some(error)))) => {
                    errors += 1;
                    assert!(
                        matches!(*error, Val::Variant(..)),
                        "{name}: the error is the typed variant: {error:?}"
                    );
                }
                other => panic!("{name}: expected a result, got {other:?}"),
            }
            assert!(
                record.denied.is_empty(),
                "{name} tried to reach another host: {:?}",
                record.denied
            );
        }
    }
    println!("fuzzed {calls} calls through the component: 0 traps, {errors} typed errors");
    assert_eq!(calls, HOST.export_names().len() * CALLS_PER_EXPORT);
    assert!(
        errors > calls / 4,
        "the corpus reaches the validation paths"
    );
}

/// A JSON value of any shape: valid for some field, wrong for most.
fn any_json(rng: &mut Rng, depth: usize) -> Value {
    match rng.below(if depth > 2 { 6 } else { 8 }) {
        0 => Value::Null,
        1 => json!(rng.below(2) == 0),
        2 => json!(*rng.pick(NUMBERS)),
        3 => serde_json::Number::from_f64(*rng.pick(FLOATS)).map_or(json!(-7), Value::Number),
        4 => json!(rng.pick(STRINGS)),
        5 => json!(-(rng.below(1000) as i64)),
        6 => Value::Array(
            (0..rng.below(3))
                .map(|_| any_json(rng, depth + 1))
                .collect(),
        ),
        _ => {
            let keys = ["kind", "unit_price", "summary", "project_ids", "from", "x"];
            Value::Object(
                (0..rng.below(3))
                    .map(|_| (rng.pick(&keys).to_string(), any_json(rng, depth + 1)))
                    .collect(),
            )
        }
    }
}

/// One mutation of a valid argument set: a key dropped, added, or given another value, or
/// the whole set replaced.
fn mutate_json(arguments: &mut Value, rng: &mut Rng) {
    let Some(object) = arguments.as_object_mut() else {
        *arguments = any_json(rng, 0);
        return;
    };
    let keys: Vec<String> = object.keys().cloned().collect();
    match rng.below(10) {
        0 if !keys.is_empty() => {
            object.remove(rng.pick(&keys));
        }
        1 => {
            object.insert("unexpected_field".into(), any_json(rng, 0));
        }
        2 => *arguments = any_json(rng, 0),
        _ if !keys.is_empty() => {
            let key = rng.pick(&keys).clone();
            object.insert(key, any_json(rng, 0));
        }
        _ => {
            object.insert("limit".into(), any_json(rng, 0));
        }
    }
}

fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(object) => Value::Object(
            object
                .into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_nulls).collect()),
        other => other,
    }
}

/// A tool name as a model might garble it.
fn garble(name: &str, rng: &mut Rng) -> String {
    match rng.below(5) {
        0 => name.replace('_', "-"),
        1 => name[..name.len() - 1].to_string(),
        2 => name.to_uppercase(),
        3 => format!("{name}s"),
        _ => rng.pick(STRINGS).to_string(),
    }
}

#[test]
fn generated_json_through_the_dispatcher_never_traps_and_schema_violations_send_nothing() {
    let mut session = Session::new();
    session
        .env
        .push(("HARVEST_RATE_LIMIT_WAIT_SECONDS".into(), "0".into()));
    let examples = crate::tool_catalogue::examples(&session);
    let tools = HOST.tools().unwrap_or_else(|e| panic!("{e:#}"));
    let mut rng = Rng(0xD15_BA7C_4E55_0001);
    let (mut calls, mut refused_by_schema, mut typed_errors) = (0, 0, 0);
    for tool in &tools {
        let schema: Value = serde_json::from_str(&tool.input_schema).unwrap_or_default();
        let validator = jsonschema::draft202012::new(&schema).unwrap_or_else(|e| panic!("{e}"));
        let example = examples
            .iter()
            .find(|(name, _)| *name == tool.name)
            .map(|(_, arguments)| arguments.clone())
            .unwrap_or_default();
        for i in 0..CALLS_PER_EXPORT {
            let mut arguments = example.clone();
            for _ in 0..=rng.below(3) {
                mutate_json(&mut arguments, &mut rng);
            }
            let name = if i % 10 == 9 {
                garble(&tool.name, &mut rng)
            } else {
                tool.name.clone()
            };
            let text = arguments.to_string();
            let text = match i % 25 {
                24 => text.chars().take(text.chars().count() / 2).collect(),
                _ => text,
            };
            let before = session.requests().len();
            let (outcome, record) = HOST
                .call_tool(&session.env, &name, &text)
                .unwrap_or_else(|e| panic!("{name} {text} trapped: {e:#}"));
            calls += 1;
            assert!(record.denied.is_empty(), "{name}: {:?}", record.denied);
            // The dispatcher reads an empty text as `{}` and `null` as an absent field.
            let parsed = match text.trim() {
                "" => Ok(json!({})),
                text => serde_json::from_str::<Value>(text).map(without_nulls),
            };
            let breaks_schema =
                name != tool.name || parsed.map_or(true, |v| !validator.is_valid(&v));
            match outcome {
                Ok(json) => {
                    assert!(!breaks_schema, "{name} accepted {text}");
                    assert!(
                        serde_json::from_str::<Value>(&json).is_ok(),
                        "{name}: {json}"
                    );
                }
                Err(error) => {
                    typed_errors += 1;
                    if breaks_schema {
                        refused_by_schema += 1;
                        assert!(
                            matches!(error, wit::Error::InvalidInput(_)),
                            "{name} {text}: {error:?}"
                        );
                        assert_eq!(session.requests().len(), before, "{name} {text} was sent");
                    }
                }
            }
        }
    }
    println!(
        "fuzzed {calls} dispatcher calls: 0 traps, {typed_errors} typed errors, \
         {refused_by_schema} refused before any request"
    );
    assert_eq!(calls, tools.len() * CALLS_PER_EXPORT);
    assert!(
        refused_by_schema > calls / 4,
        "the corpus breaks the schemas often"
    );
}
