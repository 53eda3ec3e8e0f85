//! JSON for component values, so a host can call any export by name: records are objects
//! (keys in snake_case; kebab-case is accepted too), enums are strings, options are a value or
//! null, variants are `{"tag": case, "val": payload}` as generic component hosts show them.

use anyhow::{Result, anyhow, bail};
use serde_json::{Map, Value};
use wasmtime::component::Val;
use wasmtime::component::types::{ComponentFunc, Type};

fn snake(name: &str) -> String {
    name.replace('-', "_")
}

/// Looks a field up by its WIT name or its snake_case spelling.
fn field<'v>(object: &'v Map<String, Value>, name: &str) -> Option<&'v Value> {
    object.get(&snake(name)).or_else(|| object.get(name))
}

/// Arguments as a JSON object keyed by parameter name. A function whose only parameter is
/// a record also takes that record's fields directly.
pub fn params_to_vals(func: &ComponentFunc, args: &Value) -> Result<Vec<Val>> {
    let params: Vec<(&str, Type)> = func.params().collect();
    let empty = Map::new();
    let object = match args {
        Value::Object(object) => object,
        Value::Null => &empty,
        other => bail!("arguments must be a JSON object keyed by parameter name, got {other}"),
    };
    if let [(name, ty @ Type::Record(_))] = params.as_slice()
        && field(object, name).is_none()
    {
        return Ok(vec![to_val(args, ty, name)?]);
    }
    let known: Vec<String> = params.iter().map(|(name, _)| snake(name)).collect();
    if let Some(unknown) = object.keys().find(|key| !known.contains(&snake(key))) {
        bail!(
            "unknown argument {unknown:?}; the parameters are {}",
            known.join(", ")
        );
    }
    params
        .iter()
        .map(|(name, ty)| to_val(field(object, name).unwrap_or(&Value::Null), ty, name))
        .collect()
}

/// Converts `json` to a value of type `ty`; `path` names the place for error messages.
pub fn to_val(json: &Value, ty: &Type, path: &str) -> Result<Val> {
    let mismatch = |expected: &str| anyhow!("{path}: expected {expected}, got {json}");
    let unsigned = || {
        json.as_u64()
            .ok_or_else(|| mismatch("a whole number of 0 or more"))
    };
    let signed = || json.as_i64().ok_or_else(|| mismatch("a whole number"));
    let narrow = |e| anyhow!("{path}: number out of range ({e})");
    Ok(match ty {
        Type::Bool => Val::Bool(json.as_bool().ok_or_else(|| mismatch("true or false"))?),
        Type::U8 => Val::U8(unsigned()?.try_into().map_err(narrow)?),
        Type::U16 => Val::U16(unsigned()?.try_into().map_err(narrow)?),
        Type::U32 => Val::U32(unsigned()?.try_into().map_err(narrow)?),
        Type::U64 => Val::U64(unsigned()?),
        Type::S8 => Val::S8(signed()?.try_into().map_err(narrow)?),
        Type::S16 => Val::S16(signed()?.try_into().map_err(narrow)?),
        Type::S32 => Val::S32(signed()?.try_into().map_err(narrow)?),
        Type::S64 => Val::S64(signed()?),
        Type::Float32 => Val::Float32(json.as_f64().ok_or_else(|| mismatch("a number"))? as f32),
        Type::Float64 => Val::Float64(json.as_f64().ok_or_else(|| mismatch("a number"))?),
        Type::Char => {
            let text = json
                .as_str()
                .ok_or_else(|| mismatch("a one-character string"))?;
            let mut chars = text.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => Val::Char(c),
                _ => return Err(mismatch("a one-character string")),
            }
        }
        Type::String => Val::String(
            json.as_str()
                .ok_or_else(|| mismatch("a string"))?
                .to_string(),
        ),
        Type::List(list) => {
            let items = match json {
                Value::Null => Vec::new(),
                Value::Array(items) => items.clone(),
                _ => return Err(mismatch("an array")),
            };
            let ty = list.ty();
            Val::List(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| to_val(item, &ty, &format!("{path}[{i}]")))
                    .collect::<Result<_>>()?,
            )
        }
        Type::Record(record) => {
            let object = json.as_object().ok_or_else(|| mismatch("an object"))?;
            let names: Vec<String> = record.fields().map(|f| snake(f.name)).collect();
            if let Some(unknown) = object.keys().find(|key| !names.contains(&snake(key))) {
                bail!(
                    "{path}: unknown field {unknown:?}; the fields are {}",
                    names.join(", ")
                );
            }
            Val::Record(
                record
                    .fields()
                    .map(|f| {
                        let value = field(object, f.name).unwrap_or(&Value::Null);
                        Ok((
                            f.name.to_string(),
                            to_val(value, &f.ty, &format!("{path}.{}", snake(f.name)))?,
                        ))
                    })
                    .collect::<Result<_>>()?,
            )
        }
        Type::Option(option) => match json {
            Value::Null => Val::Option(None),
            value => Val::Option(Some(Box::new(to_val(value, &option.ty(), path)?))),
        },
        Type::Enum(cases) => {
            let text = json.as_str().ok_or_else(|| mismatch("a string"))?;
            let wanted = text.replace('_', "-");
            let names: Vec<&str> = cases.names().collect();
            if !names.contains(&wanted.as_str()) {
                bail!("{path}: {text:?} is not one of {}", names.join(", "));
            }
            Val::Enum(wanted)
        }
        Type::Variant(variant) => {
            let object = json
                .as_object()
                .ok_or_else(|| mismatch("an object {\"tag\": case, \"val\": value}"))?;
            let tag = object
                .get("tag")
                .and_then(Value::as_str)
                .ok_or_else(|| mismatch("a \"tag\""))?;
            let case = variant
                .cases()
                .find(|case| case.name == tag.replace('_', "-"))
                .ok_or_else(|| anyhow!("{path}: unknown case {tag:?}"))?;
            let payload = match case.ty {
                Some(ty) => Some(Box::new(to_val(
                    object.get("val").unwrap_or(&Value::Null),
                    &ty,
                    path,
                )?)),
                None => None,
            };
            Val::Variant(case.name.to_string(), payload)
        }
        other => bail!("{path}: values of type {other:?} cannot be given as JSON"),
    })
}

/// Converts a component value to JSON.
pub fn from_val(val: &Val) -> Value {
    match val {
        Val::Bool(b) => Value::Bool(*b),
        Val::U8(n) => (*n).into(),
        Val::U16(n) => (*n).into(),
        Val::U32(n) => (*n).into(),
        Val::U64(n) => (*n).into(),
        Val::S8(n) => (*n).into(),
        Val::S16(n) => (*n).into(),
        Val::S32(n) => (*n).into(),
        Val::S64(n) => (*n).into(),
        Val::Float32(n) => {
            serde_json::Number::from_f64(f64::from(*n)).map_or(Value::Null, Value::Number)
        }
        Val::Float64(n) => serde_json::Number::from_f64(*n).map_or(Value::Null, Value::Number),
        Val::Char(c) => Value::String(c.to_string()),
        Val::String(s) => Value::String(s.clone()),
        Val::List(items) | Val::Tuple(items) | Val::FixedLengthList(items) => {
            Value::Array(items.iter().map(from_val).collect())
        }
        Val::Record(fields) => Value::Object(
            fields
                .iter()
                .map(|(name, value)| (snake(name), from_val(value)))
                .collect(),
        ),
        Val::Enum(case) => Value::String(case.clone()),
        Val::Option(value) => value.as_deref().map(from_val).unwrap_or(Value::Null),
        Val::Variant(tag, payload) => {
            let mut object = Map::new();
            object.insert("tag".into(), Value::String(tag.clone()));
            if let Some(payload) = payload {
                object.insert("val".into(), from_val(payload));
            }
            Value::Object(object)
        }
        Val::Result(result) => {
            let (key, value) = match result {
                Ok(value) => ("ok", value),
                Err(value) => ("err", value),
            };
            let mut object = Map::new();
            object.insert(
                key.into(),
                value.as_deref().map(from_val).unwrap_or(Value::Null),
            );
            Value::Object(object)
        }
        Val::Flags(names) => Value::Array(names.iter().cloned().map(Value::String).collect()),
        other => Value::String(format!("{other:?}")),
    }
}
