//! The catalogue's JSON Schemas applied to JSON values: arguments are checked against the
//! input schema (and put in the form the typed exports decode), results are trimmed to the
//! form the output schema describes.
//!
//! Only the keywords `build.rs` emits are understood: `type`, `properties`, `required`,
//! `additionalProperties`, `items`, `enum`, `minimum`, `maximum`, `exclusiveMinimum` and
//! `default`. A general validator would triple the component's size; the host tests check
//! every schema, and this reading of it, against the `jsonschema` crate.

use std::borrow::Cow;

use serde_json::Value;

use crate::bindings::wit::Error;
use crate::json::{self, FromJson, Json};

/// Where an argument broke its schema, and how.
#[derive(Debug, PartialEq)]
pub struct Violation {
    /// A JSON path such as `line_items[2].unit_price`; empty for the arguments object.
    pub path: String,
    pub rule: String,
}

/// A tool's arguments, checked against its input schema: a JSON object.
pub struct Arguments<'a>(Json<'a>);

impl<'a> Arguments<'a> {
    /// Reads `text`, a JSON object (empty: no arguments), checked against `schema` and put in
    /// the form the typed exports decode. An invalid argument is named as its path under
    /// `under` (empty: at the top level); the object as a whole as `whole`.
    pub fn checked(
        text: &'a str,
        schema: &Json,
        whole: &str,
        under: &str,
    ) -> Result<Arguments<'a>, Error> {
        let mut value = match text.trim() {
            "" => Json::Object(Vec::new()),
            text => json::parse(text.as_bytes()).map_err(|error| {
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
        if !matches!(value, Json::Object(_)) {
            return Err(Error::invalid(whole, "must be a JSON object"));
        }
        Ok(Arguments(value))
    }

    /// A parameter that is a key of its own.
    pub fn take<T: FromJson>(&self, key: &str) -> Result<T, Error> {
        match self.0.get(key) {
            Some(value) => T::from_json(value),
            None => T::missing(),
        }
        .map_err(|error| Error::invalid(key, error.to_string()))
    }

    /// A record parameter, whose fields are spread among the arguments.
    pub fn spread<T: FromJson>(&self) -> Result<T, Error> {
        T::from_json(&self.0).map_err(|error| Error::invalid("arguments", error.to_string()))
    }

    /// A JSON object parameter, as its text.
    pub fn text(&self, key: &str) -> String {
        self.0
            .get(key)
            .map_or_else(|| "{}".to_string(), ToString::to_string)
    }
}

/// Checks `value` against `schema`, filling in defaults, dropping `null` for optional fields
/// and reading whole floats as integers.
pub fn conform(value: &mut Json, schema: &Json, path: &str) -> Result<(), Violation> {
    let fail = |rule: String| {
        Err(Violation {
            path: path.to_string(),
            rule,
        })
    };
    if let Some(Json::Array(cases)) = schema.get("enum") {
        let known = value
            .as_str()
            .is_some_and(|text| cases.iter().any(|case| case.as_str() == Some(text)));
        return match known {
            true => Ok(()),
            false => fail(format!("must be one of {}; got {value}", quoted(cases))),
        };
    }
    match schema.get("type").and_then(Json::as_str) {
        Some("object") => {
            let Json::Object(members) = value else {
                return fail(format!("must be a JSON object; got {}", value.kind()));
            };
            conform_object(members, schema, path)
        }
        Some("array") => {
            let Json::Array(items) = value else {
                return fail(format!("must be a JSON array; got {}", value.kind()));
            };
            let item_schema = schema.get("items").unwrap_or(&Json::Bool(true));
            for (index, item) in items.iter_mut().enumerate() {
                conform(item, item_schema, &format!("{path}[{index}]"))?;
            }
            Ok(())
        }
        Some("integer") => {
            // 2^53: beyond it a float no longer holds every whole number exactly.
            const EXACT: f64 = 9_007_199_254_740_992.0;
            let Json::Number(text) = value else {
                return fail(format!("must be a whole number; got {value}"));
            };
            if text.parse::<i64>().is_err() && text.parse::<u64>().is_err() {
                match text.parse::<f64>() {
                    Ok(number) if number.fract() == 0.0 && number.abs() < EXACT => {
                        *text = Cow::Owned((number as i64).to_string());
                    }
                    _ => return fail(format!("must be a whole number; got {value}")),
                }
            }
            within(value, schema).or_else(fail)
        }
        Some("number") if matches!(value, Json::Number(_)) => within(value, schema).or_else(fail),
        Some("number") => fail(format!("must be a number; got {value}")),
        Some("string") if matches!(value, Json::String(_)) => Ok(()),
        Some("string") => fail(format!("must be a string; got {value}")),
        Some("boolean") if matches!(value, Json::Bool(_)) => Ok(()),
        Some("boolean") => fail(format!("must be true or false; got {value}")),
        _ => Ok(()),
    }
}

fn conform_object(
    members: &mut Vec<(Cow<str>, Json)>,
    schema: &Json,
    path: &str,
) -> Result<(), Violation> {
    let properties: &[(Cow<str>, Json)] = match schema.get("properties") {
        Some(Json::Object(properties)) => properties,
        _ => &[],
    };
    let required: Vec<&str> = match schema.get("required") {
        Some(Json::Array(keys)) => keys.iter().filter_map(Json::as_str).collect(),
        _ => Vec::new(),
    };
    let at = |key: &str| match path {
        "" => key.to_string(),
        _ => format!("{path}.{key}"),
    };
    // A key given twice would be checked once and could be read as either value.
    let twice = members.iter().enumerate().find_map(|(index, (key, _))| {
        let repeated = members
            .iter()
            .take(index)
            .any(|(earlier, _)| earlier == key);
        repeated.then_some(key)
    });
    if let Some(twice) = twice {
        return Err(Violation {
            path: at(twice),
            rule: "is given twice; give each field once".into(),
        });
    }
    let known = |key: &str| properties.iter().any(|(name, _)| name == key);
    if matches!(schema.get("additionalProperties"), Some(Json::Bool(false)))
        && let Some((unknown, _)) = members.iter().find(|(key, _)| !known(key))
    {
        let names: Vec<&str> = properties.iter().map(|(name, _)| name.as_ref()).collect();
        let rule = match nearest(unknown, &names) {
            Some(near) => format!("is not a field here; did you mean `{near}`?"),
            None if names.is_empty() => "is not a field here; this takes no arguments".into(),
            None => format!("is not a field here; the fields are {}", ticked(&names)),
        };
        return Err(Violation {
            path: at(unknown),
            rule,
        });
    }
    members.retain(|(key, value)| *value != Json::Null || required.contains(&key.as_ref()));
    for (key, property) in properties {
        match members.iter_mut().find(|(name, _)| name == key) {
            Some((_, value)) => conform(value, property, &at(key))?,
            None if required.contains(&key.as_ref()) => {
                return Err(Violation {
                    path: at(key),
                    rule: "is required".into(),
                });
            }
            None => {
                if let Some(default) = property.get("default") {
                    members.push((Cow::Owned(key.to_string()), default.clone().into_owned()));
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

fn within(value: &Json, schema: &Json) -> Result<(), String> {
    let number = |json: &Json| match json {
        Json::Number(text) => text.parse::<f64>().ok(),
        _ => None,
    };
    let given = number(value).unwrap_or(f64::NAN);
    // Each bound as the schema writes it, and its value.
    let bound = |keyword: &str| {
        let written = schema.get(keyword)?;
        number(written).map(|bound| (bound, written))
    };
    if let Some((minimum, written)) = bound("minimum")
        && (given.is_nan() || given < minimum)
    {
        return Err(format!("must be at least {written}; got {value}"));
    }
    if let Some((maximum, written)) = bound("maximum")
        && (given.is_nan() || given > maximum)
    {
        return Err(format!("must be at most {written}; got {value}"));
    }
    if let Some((minimum, written)) = bound("exclusiveMinimum")
        && (given.is_nan() || given <= minimum)
    {
        return Err(format!("must be more than {written}; got {value}"));
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

fn quoted(cases: &[Json]) -> String {
    let names: Vec<&str> = cases.iter().filter_map(Json::as_str).collect();
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

    /// `value` as the component's JSON tree.
    fn tree(value: &Value) -> Json<'static> {
        json::parse(value.to_string().as_bytes())
            .map(Json::into_owned)
            .unwrap_or(Json::Null)
    }

    fn schema() -> Json<'static> {
        tree(&json!({
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
        }))
    }

    fn violation(value: Value) -> Violation {
        let mut value = tree(&value);
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
        let mut value =
            tree(&json!({"project_id": 7.0, "payment_term": "upon_receipt", "limit": null}));
        conform(&mut value, &schema(), "").map_err(|v| v.rule)?;
        assert_eq!(
            value.to_string(),
            r#"{"payment_term":"upon_receipt","project_id":7,"line_items":[]}"#
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

    /// Only the first of a repeated key would be checked, and either could be read.
    #[test]
    fn a_key_given_twice_is_refused() {
        for (text, path) in [
            (r#"{"project_id": 1, "limit": 5, "limit": 0}"#, "limit"),
            (
                r#"{"project_id": 1, "line_items": [{"unit_price": 1, "unit_price": "x"}]}"#,
                "line_items[0].unit_price",
            ),
        ] {
            let result = json::parse(text.as_bytes())
                .map_err(|e| e.to_string())
                .and_then(|mut value| {
                    conform(&mut value, &schema(), "")
                        .map_err(|v| format!("{}: {}", v.path, v.rule))
                });
            let refusal = result.err().unwrap_or_default();
            assert_eq!(
                refusal,
                format!("{path}: is given twice; give each field once"),
                "{text}"
            );
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
