//! The catalogue's JSON Schemas applied to JSON values: arguments are checked against the
//! input schema (and put in the form the typed exports decode), results are trimmed to the
//! form the output schema describes.
//!
//! Only the keywords `build.rs` emits are understood: `type`, `properties`, `required`,
//! `additionalProperties`, `items`, `enum`, `minimum`, `maximum`, `exclusiveMinimum` and
//! `default`. A general validator would triple the component's size; the host tests check
//! every schema, and this reading of it, against the `jsonschema` crate.

use serde_json::{Map, Number, Value};

use crate::bindings::wit::Error;
use crate::json::{self, FromJson};

/// Where an argument broke its schema, and how.
#[derive(Debug, PartialEq)]
pub struct Violation {
    /// A JSON path such as `line_items[2].unit_price`; empty for the arguments object.
    pub path: String,
    pub rule: String,
}

/// A tool's arguments, checked against its input schema.
pub struct Arguments(Map<String, Value>);

impl Arguments {
    /// Reads `text`, a JSON object (empty: no arguments), checked against `schema` and put in
    /// the form the typed exports decode. An invalid argument is named as its path under
    /// `under` (empty: at the top level); the object as a whole as `whole`.
    pub fn checked(
        text: &str,
        schema: &Value,
        whole: &str,
        under: &str,
    ) -> Result<Arguments, Error> {
        let mut value = match text.trim() {
            "" => Value::Object(Map::new()),
            text => json::parse_value(text.as_bytes()).map_err(|error| {
                Error::invalid(
                    whole,
                    format!("must be a JSON object; it is not valid JSON ({error})"),
                )
            })?,
        };
        conform(&mut value, schema, under).map_err(|Violation { path, rule }| {
            let field = if path.is_empty() { whole.into() } else { path };
            Error::invalid(field, rule)
        })?;
        let Value::Object(object) = value else {
            return Err(Error::invalid(whole, "must be a JSON object"));
        };
        Ok(Arguments(object))
    }

    // Values are decoded from bytes rather than from `Value`: the decoder is the one every
    // Harvest answer goes through already, which keeps the component small.

    /// A parameter that is a key of its own.
    pub fn take<T: FromJson>(&self, key: &str) -> Result<T, Error> {
        let bytes = match self.0.get(key) {
            Some(value) => value.to_string(),
            None => "null".into(),
        };
        json::decode(bytes.as_bytes()).map_err(|error| Error::invalid(key, error))
    }

    /// A record parameter, whose fields are spread among the arguments.
    pub fn spread<T: FromJson>(&self) -> Result<T, Error> {
        let bytes = serde_json::to_vec(&self.0).map_err(|error| unencodable(&error))?;
        json::decode(&bytes).map_err(|error| Error::invalid("arguments", error))
    }

    /// A JSON object parameter, as its text.
    pub fn text(&self, key: &str) -> Result<String, Error> {
        let object = self
            .0
            .get(key)
            .cloned()
            .unwrap_or(Value::Object(Map::new()));
        serde_json::to_string(&object).map_err(|error| unencodable(&error))
    }
}

pub fn unencodable(error: &serde_json::Error) -> Error {
    Error::internal(format!("the result could not be written as JSON: {error}"))
}

/// Checks `value` against `schema`, filling in defaults, dropping `null` for optional fields
/// and reading whole floats as integers.
pub fn conform(value: &mut Value, schema: &Value, path: &str) -> Result<(), Violation> {
    let fail = |rule: String| {
        Err(Violation {
            path: path.to_string(),
            rule,
        })
    };
    if let Some(cases) = schema.get("enum").and_then(Value::as_array) {
        let known = value
            .as_str()
            .is_some_and(|text| cases.iter().any(|case| case.as_str() == Some(text)));
        return match known {
            true => Ok(()),
            false => fail(format!("must be one of {}; got {value}", quoted(cases))),
        };
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("object") => {
            let Value::Object(object) = value else {
                return fail(format!("must be a JSON object; got {}", kind(value)));
            };
            conform_object(object, schema, path)
        }
        Some("array") => {
            let Value::Array(items) = value else {
                return fail(format!("must be a JSON array; got {}", kind(value)));
            };
            let item_schema = schema.get("items").unwrap_or(&Value::Bool(true));
            for (index, item) in items.iter_mut().enumerate() {
                conform(item, item_schema, &format!("{path}[{index}]"))?;
            }
            Ok(())
        }
        Some("integer") => {
            // 2^53: beyond it a float no longer holds every whole number exactly.
            const EXACT: f64 = 9_007_199_254_740_992.0;
            let whole = match value.as_f64() {
                _ if value.is_i64() || value.is_u64() => value.as_number().cloned(),
                Some(number) if number.fract() == 0.0 && number.abs() < EXACT => {
                    Some(Number::from(number as i64))
                }
                _ => None,
            };
            let Some(whole) = whole else {
                return fail(format!("must be a whole number; got {value}"));
            };
            *value = Value::Number(whole);
            within(value, schema).or_else(fail)
        }
        Some("number") if value.is_number() => within(value, schema).or_else(fail),
        Some("number") => fail(format!("must be a number; got {value}")),
        Some("string") if value.is_string() => Ok(()),
        Some("string") => fail(format!("must be a string; got {value}")),
        Some("boolean") if value.is_boolean() => Ok(()),
        Some("boolean") => fail(format!("must be true or false; got {value}")),
        _ => Ok(()),
    }
}

fn conform_object(
    object: &mut Map<String, Value>,
    schema: &Value,
    path: &str,
) -> Result<(), Violation> {
    let empty = Map::new();
    let properties = schema
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|keys| keys.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let at = |key: &str| match path {
        "" => key.to_string(),
        _ => format!("{path}.{key}"),
    };
    if schema.get("additionalProperties") == Some(&Value::Bool(false))
        && let Some(unknown) = object.keys().find(|key| !properties.contains_key(*key))
    {
        let known: Vec<&str> = properties.keys().map(String::as_str).collect();
        let rule = match nearest(unknown, &known) {
            Some(near) => format!("is not a field here; did you mean `{near}`?"),
            None if known.is_empty() => "is not a field here; this takes no arguments".into(),
            None => format!("is not a field here; the fields are {}", ticked(&known)),
        };
        return Err(Violation {
            path: at(unknown),
            rule,
        });
    }
    object.retain(|key, value| !value.is_null() || required.contains(&key.as_str()));
    for (key, property) in properties {
        match object.get_mut(key) {
            Some(value) => conform(value, property, &at(key))?,
            None if required.contains(&key.as_str()) => {
                return Err(Violation {
                    path: at(key),
                    rule: "is required".into(),
                });
            }
            None => {
                if let Some(default) = property.get("default") {
                    object.insert(key.clone(), default.clone());
                }
            }
        }
    }
    Ok(())
}

/// Trims a result to its output schema's form: no `null` fields, enum values spelled as the
/// schema spells them (`MarkAsSent` → `mark_as_sent`).
pub fn present(value: &mut Value, schema: &Value) {
    if let Some(cases) = schema.get("enum").and_then(Value::as_array) {
        let spelled = cases
            .iter()
            .filter_map(Value::as_str)
            .find(|case| Some(pascal(case).as_str()) == value.as_str());
        if let Some(spelled) = spelled {
            *value = Value::String(spelled.to_string());
        }
        return;
    }
    match value {
        Value::Object(object) => {
            object.retain(|_, field| !field.is_null());
            if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
                for (key, field) in object.iter_mut() {
                    if let Some(property) = properties.get(key) {
                        present(field, property);
                    }
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                items.iter_mut().for_each(|item| present(item, item_schema));
            }
        }
        _ => {}
    }
}

fn within(value: &Value, schema: &Value) -> Result<(), String> {
    let number = value.as_f64().unwrap_or(f64::NAN);
    let bound = |keyword: &str| schema.get(keyword).and_then(Value::as_f64);
    if let Some(minimum) = bound("minimum")
        && (number.is_nan() || number < minimum)
    {
        return Err(format!("must be at least {minimum}; got {value}"));
    }
    if let Some(maximum) = bound("maximum")
        && (number.is_nan() || number > maximum)
    {
        return Err(format!("must be at most {maximum}; got {value}"));
    }
    if let Some(minimum) = bound("exclusiveMinimum")
        && (number.is_nan() || number <= minimum)
    {
        return Err(format!("must be more than {minimum}; got {value}"));
    }
    Ok(())
}

/// How the generated bindings name a case: `upon_receipt` → `UponReceipt`.
pub fn pascal(name: &str) -> String {
    name.split(['_', '-'])
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or(String::new(), |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

/// The candidate closest to `name`, if it is close enough to be a likely typo; among equally
/// close ones, the one that shares the longest start with it.
pub fn nearest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let shared_start = |candidate: &str| {
        name.bytes()
            .zip(candidate.bytes())
            .take_while(|(a, b)| a == b)
            .count()
    };
    candidates
        .iter()
        .map(|candidate| {
            let distance = strsim::levenshtein(name, candidate);
            (
                distance,
                std::cmp::Reverse(shared_start(candidate)),
                *candidate,
            )
        })
        .filter(|(distance, _, candidate)| *distance <= 3.max(candidate.len() / 3))
        .min()
        .map(|(_, _, candidate)| candidate)
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn quoted(cases: &[Value]) -> String {
    let names: Vec<&str> = cases.iter().filter_map(Value::as_str).collect();
    ticked(&names)
}

fn ticked(names: &[&str]) -> String {
    let ticked: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
    ticked.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Value {
        json!({
            "type": "object",
            "properties": {
                "project_id": {"type": "integer", "minimum": 0},
                "limit": {"type": "integer", "minimum": 1, "maximum": 100000},
                "payment_term": {"type": "string", "enum": ["upon_receipt", "net15"]},
                "line_items": {"type": "array", "default": [], "items": {
                    "type": "object",
                    "properties": {"unit_price": {"type": "number"}},
                    "required": ["unit_price"],
                    "additionalProperties": false
                }}
            },
            "required": ["project_id"],
            "additionalProperties": false
        })
    }

    fn violation(mut value: Value) -> Violation {
        match conform(&mut value, &schema(), "") {
            Err(violation) => violation,
            Ok(()) => Violation {
                path: "none".into(),
                rule: format!("accepted {value}"),
            },
        }
    }

    #[test]
    fn arguments_get_defaults_and_whole_numbers_and_lose_nulls() -> Result<(), String> {
        let mut value = json!({"project_id": 7.0, "payment_term": "upon_receipt", "limit": null});
        conform(&mut value, &schema(), "").map_err(|v| v.rule)?;
        assert_eq!(
            value,
            json!({"project_id": 7, "payment_term": "upon_receipt", "line_items": []})
        );
        Ok(())
    }

    #[test]
    fn violations_name_the_path_and_the_rule() {
        let cases = [
            (json!({}), "project_id", "is required"),
            (
                json!({"project_id": -1}),
                "project_id",
                "must be at least 0",
            ),
            (
                json!({"project_id": 1.5}),
                "project_id",
                "must be a whole number",
            ),
            (
                json!({"project_id": "1"}),
                "project_id",
                "must be a whole number",
            ),
            (
                json!({"project_id": 1, "limit": 0}),
                "limit",
                "must be at least 1",
            ),
            (
                json!({"project_id": 1, "payment_term": "net_15"}),
                "payment_term",
                "must be one of `upon_receipt`, `net15`",
            ),
            (
                json!({"project_id": 1, "projectid": 2}),
                "projectid",
                "did you mean `project_id`?",
            ),
            (
                json!({"project_id": 1, "line_items": [{"unit_price": 1}, {}]}),
                "line_items[1].unit_price",
                "is required",
            ),
            (
                json!({"project_id": 1, "line_items": {}}),
                "line_items",
                "must be a JSON array",
            ),
            (json!([]), "", "must be a JSON object"),
        ];
        for (value, path, rule) in cases {
            let violation = violation(value.clone());
            assert_eq!(violation.path, path, "{value}");
            assert!(violation.rule.contains(rule), "{value}: {}", violation.rule);
        }
    }

    #[test]
    fn results_drop_nulls_and_spell_enums_as_the_schema() {
        let schema = json!({"type": "object", "properties": {
            "state": {"type": "string", "enum": ["mark_as_sent", "draft"]},
            "items": {"type": "array", "items": {"type": "object", "properties": {
                "term": {"type": "string", "enum": ["net15"]}}}}
        }});
        let mut value =
            json!({"state": "MarkAsSent", "notes": null, "items": [{"term": "Net15", "x": null}]});
        present(&mut value, &schema);
        assert_eq!(
            value,
            json!({"state": "mark_as_sent", "items": [{"term": "net15"}]})
        );
    }

    #[test]
    fn typos_find_their_nearest_name() {
        let names = ["list_projects", "get_project", "list_time_entries"];
        assert_eq!(nearest("list_project", &names), Some("list_projects"));
        assert_eq!(
            nearest("list_time_entry", &names),
            Some("list_time_entries")
        );
        assert_eq!(
            nearest("get_time_entry", &["list_time_entries", "get_time_entry"]),
            Some("get_time_entry")
        );
        assert_eq!(nearest("delete_everything", &names), None);
    }
}
