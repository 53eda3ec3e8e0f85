//! The `catalogue` export: the tools as JSON-speaking hosts list and call them.
//!
//! Names, descriptions, effects and schemas are generated from `wit/` by `build.rs`, as data
//! handed to the [`catalogue!`] macro below, which lays out the tables and the dispatcher whose
//! arms call the typed exports themselves. What is written here is the JSON around a call.

use serde::Serialize;
use serde_json::Value;

use crate::bindings::exports::harvest::tools::catalogue::{Access, Annotations, Tool};
use crate::bindings::wit::Error;
use crate::schema::{self, Arguments};

/// The catalogue from the data `build.rs` generates: the `TOOLS` and `DEFINITIONS` tables and
/// `dispatch`, with one arm per tool that reads each parameter from the arguments (a record
/// parameter spread among them, others `take`n by key) and calls the typed export.
macro_rules! catalogue {
    (
        tools: [$($name:ident {
            title: $title:literal,
            description: $description:literal,
            effect: { access: $access:ident, destructive: $destructive:literal, idempotent: $idempotent:literal },
            input: $input:literal,
            output: $output:literal,
            arguments: [$($how:ident $(($key:literal))?),*] $(,)?
        }),* $(,)?],
        definitions: [$(($reference:literal, $schema:literal)),* $(,)?] $(,)?
    ) => {
        pub(crate) static TOOLS: &[Entry] = &[$(Entry {
            name: stringify!($name),
            title: $title,
            description: $description,
            effect: Effect {
                access: Access::$access,
                destructive: $destructive,
                idempotent: $idempotent,
            },
            input_schema: $input,
            output_schema: $output,
        }),*];

        /// The named records and enums the schemas refer to, sorted by reference.
        pub(crate) static DEFINITIONS: &[(&str, &str)] = &[$(($reference, $schema)),*];

        /// Calls the typed export `name` with `arguments`, already checked against its schema.
        fn dispatch(name: &str, arguments: &Arguments) -> Result<Value, Error> {
            use crate::bindings::Guest;
            type Tools = crate::Component;
            match name {
                $(stringify!($name) => to_json_value(Tools::$name($(argument!(arguments, $how $(($key))?)),*)),)*
                _ => Err(unknown_tool(name)),
            }
        }
    };
}

/// One parameter of a tool, read from its arguments.
macro_rules! argument {
    ($arguments:ident, spread) => {
        $arguments.spread()?
    };
    ($arguments:ident, take($key:literal)) => {
        $arguments.take($key)?
    };
    ($arguments:ident, json($key:literal)) => {
        $arguments.text($key)
    };
}

include!(concat!(env!("OUT_DIR"), "/catalogue.rs"));

/// One tool as generated from its WIT export.
pub(crate) struct Entry {
    name: &'static str,
    title: &'static str,
    description: &'static str,
    effect: Effect,
    input_schema: &'static str,
    output_schema: &'static str,
}

/// What a tool does to Harvest, as its WIT docs declare it (`Effect: write, idempotent.`).
struct Effect {
    access: Access,
    destructive: bool,
    idempotent: bool,
}

impl Effect {
    fn annotations(&self) -> Annotations {
        Annotations {
            read_only: matches!(self.access, Access::Read),
            destructive: self.destructive,
            idempotent: self.idempotent,
            open_world: true,
        }
    }
}

pub fn tools() -> Vec<Tool> {
    TOOLS
        .iter()
        .map(|entry| Tool {
            name: entry.name.into(),
            title: entry.title.into(),
            description: entry.description.into(),
            access: entry.effect.access,
            annotations: entry.effect.annotations(),
            input_schema: schema_of(entry.input_schema).to_string(),
            output_schema: schema_of(entry.output_schema).to_string(),
        })
        .collect()
}

pub fn call(name: String, arguments: String) -> Result<String, Error> {
    let Some(entry) = TOOLS.iter().find(|entry| entry.name == name) else {
        return Err(unknown_tool(&name));
    };
    let input_schema = schema_of(entry.input_schema);
    // The check reads the schema as the component's JSON tree, like the arguments.
    let checked_against = input_schema.to_string();
    let rules = crate::json::parse(checked_against.as_bytes())
        .map_err(|e| Error::internal(format!("the schema of {name} is not JSON: {e}")))?;
    let arguments = Arguments::checked(&arguments, &rules, "arguments", "")?;
    let mut result = dispatch(&name, &arguments).map_err(|error| {
        let keys = input_schema.get("properties").and_then(Value::as_object);
        respell(error, |word| {
            keys.is_some_and(|keys| keys.contains_key(word))
                || TOOLS.iter().any(|entry| entry.name == word)
        })
    })?;
    schema::present(&mut result, &schema_of(entry.output_schema));
    serde_json::to_string(&result).map_err(|error| unencodable(&error))
}

/// A typed export's result as a JSON value.
fn to_json_value<T: Serialize>(result: Result<T, Error>) -> Result<Value, Error> {
    let bytes = serde_json::to_vec(&result?).map_err(|error| unencodable(&error))?;
    crate::json::parse_value(&bytes)
        .map_err(|error| Error::internal(format!("the result could not be read back: {error}")))
}

fn unencodable(error: &serde_json::Error) -> Error {
    Error::internal(format!("the result could not be written as JSON: {error}"))
}

fn unknown_tool(name: &str) -> Error {
    let names: Vec<&str> = TOOLS.iter().map(|entry| entry.name).collect();
    let hint = match schema::nearest(&name.replace('-', "_"), &names) {
        Some(near) => format!("did you mean `{near}`?"),
        None => format!("the tools are {}", names.join(", ")),
    };
    Error::invalid("name", format!("no tool is named {name:?}; {hint}"))
}

/// A generated schema, with the definitions it refers to put in place.
fn schema_of(text: &str) -> Value {
    let mut schema = parse(text);
    inline(&mut schema);
    schema
}

/// The generated schemas are valid JSON by construction (a unit test parses each one).
fn parse(text: &str) -> Value {
    crate::json::parse_value(text.as_bytes()).unwrap_or(Value::Bool(true))
}

fn inline(schema: &mut Value) {
    let definition = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|reference| {
            let index = DEFINITIONS
                .binary_search_by(|(name, _)| name.cmp(&reference))
                .ok()?;
            Some(parse(DEFINITIONS[index].1))
        });
    if let (Some(mut definition), Value::Object(referring)) = (definition, &mut *schema) {
        referring.remove("$ref");
        // What the referring field says of itself (its description) overrides the definition.
        if let Value::Object(merged) = &mut definition {
            merged.append(referring);
        }
        *schema = definition;
    }
    match schema {
        Value::Object(object) => object.values_mut().for_each(inline),
        Value::Array(items) => items.iter_mut().for_each(inline),
        _ => {}
    }
}

/// The tools' own messages name fields and tools as WIT spells them (`spent-date`); through
/// the catalogue they are spelled as the caller wrote them (`spent_date`). Only words the
/// catalogue knows are respelled, so Harvest's own messages pass untouched.
fn respell(error: Error, known: impl Fn(&str) -> bool) -> Error {
    let respell_text = |text: &str| {
        let mut out = String::with_capacity(text.len());
        let mut word = String::new();
        let flush = |word: &mut String, out: &mut String| {
            let snake = word.replace('-', "_");
            out.push_str(if known(snake.trim_matches('_')) {
                &snake
            } else {
                word
            });
            word.clear();
        };
        for c in text.chars() {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                word.push(c);
            } else {
                flush(&mut word, &mut out);
                out.push(c);
            }
        }
        flush(&mut word, &mut out);
        out
    };
    match error {
        Error::InvalidInput(mut invalid) => {
            invalid.field = invalid.field.replace('-', "_");
            invalid.rule = respell_text(&invalid.rule);
            Error::InvalidInput(invalid)
        }
        Error::Config(message) => Error::Config(respell_text(&message)),
        Error::Forbidden(mut forbidden) => {
            forbidden.use_instead = forbidden.use_instead.map(|tool| tool.replace('-', "_"));
            Error::Forbidden(forbidden)
        }
        Error::Duplicate(mut duplicate) => {
            duplicate.message = respell_text(&duplicate.message);
            Error::Duplicate(duplicate)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_generated_tool_has_a_coherent_effect_and_valid_schemas() {
        assert_eq!(TOOLS.len(), 34);
        for entry in TOOLS {
            let effect = &entry.effect;
            let read = matches!(effect.access, Access::Read);
            assert!(
                !read || (effect.idempotent && !effect.destructive),
                "{}: a read is idempotent and not destructive",
                entry.name
            );
            for schema in [entry.input_schema, entry.output_schema] {
                assert!(
                    serde_json::from_str::<Value>(schema).is_ok(),
                    "{}",
                    entry.name
                );
                assert!(
                    !schema_of(schema).to_string().contains("$ref"),
                    "{}",
                    entry.name
                );
            }
        }
        for (_, schema) in DEFINITIONS {
            assert!(serde_json::from_str::<Value>(schema).is_ok(), "{schema}");
        }
        assert_eq!(tools().len(), TOOLS.len());
    }

    #[test]
    fn an_unknown_tool_is_answered_with_the_nearest_name() {
        let Err(Error::InvalidInput(invalid)) = call("list_project".into(), "{}".into()) else {
            panic!("an unknown tool must be invalid input");
        };
        assert_eq!(invalid.field, "name");
        assert!(
            invalid.rule.contains("did you mean `list_projects`?"),
            "{}",
            invalid.rule
        );
    }

    #[test]
    fn arguments_that_break_the_schema_are_refused_before_any_request() {
        let cases = [
            ("get_project", "{\"project_id\": \"x\"}", "project_id"),
            ("get_project", "[1]", "arguments"),
            ("get_project", "{", "arguments"),
            ("create_time_entry", "{\"project_id\": 1}", "task_id"),
            ("list_invoices", "{\"state\": \"unpaid\"}", "state"),
        ];
        for (name, arguments, field) in cases {
            match call(name.into(), arguments.into()) {
                Err(Error::InvalidInput(invalid)) => {
                    assert_eq!(invalid.field, field, "{arguments}")
                }
                other => panic!("{name} {arguments}: {other:?}"),
            }
        }
    }

    #[test]
    fn messages_are_respelled_only_where_they_name_known_words() {
        let error = Error::invalid(
            "line-items[0].unit-price",
            "needs started-time; see list-accounts; Harvest said re-open",
        );
        let known = |word: &str| ["started_time", "list_accounts"].contains(&word);
        let Error::InvalidInput(invalid) = respell(error, known) else {
            panic!("the case must not change");
        };
        assert_eq!(invalid.field, "line_items[0].unit_price");
        assert_eq!(
            invalid.rule,
            "needs started_time; see list_accounts; Harvest said re-open"
        );
    }
}
