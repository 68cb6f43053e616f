//! The canonical JSON form of a CBOR value: lossless, and simple to produce in any
//! language, so that adapters for implementations in other languages can report
//! what they decoded in a form the suite compares exactly.
//!
//! | CBOR | JSON |
//! |---|---|
//! | integer, magnitude ≤ 2^53 | number |
//! | integer, larger | `{"int": "<decimal>"}` |
//! | text | string |
//! | bytes | `{"bstr": "<lowercase hex>"}` |
//! | array | array |
//! | map whose keys are distinct integers | object keyed by the decimal integer, in wire order |
//! | any other map (text keys, duplicate keys, …) | `{"map": [[key, value], …]}` in wire order |
//! | float | `{"float": x}`, with `"NaN"`, `"Infinity"`, `"-Infinity"` as strings |
//! | true, false, null | the same |
//! | undefined | `{"undefined": true}` |
//! | other simple value | `{"simple": n}` |
//! | tag | `{"tag": n, "value": v}` |
//!
//! A map with duplicate integer keys is written in the `map` form, because a JSON
//! object cannot hold the same key twice.

use crate::Value;
use serde_json::{Map, Number, Value as Json};
use std::collections::HashSet;
use std::fmt::Write as _;

/// The largest integer magnitude written as a bare JSON number (2^53).
pub const MAX_SAFE_INTEGER: i128 = 1 << 53;

/// The canonical JSON of `value`.
#[must_use]
pub fn to_canonical_json(value: &Value) -> Json {
    match value {
        Value::Integer(i) => integer_json(*i),
        Value::Text(t) => Json::String(t.clone()),
        Value::Bytes(b) => single("bstr", Json::String(lower_hex(b))),
        Value::Array(items) => Json::Array(items.iter().map(to_canonical_json).collect()),
        Value::Map(entries) => map_json(entries),
        Value::Float(f) => single("float", float_json(*f)),
        Value::Bool(b) => Json::Bool(*b),
        Value::Null => Json::Null,
        Value::Undefined => single("undefined", Json::Bool(true)),
        Value::Simple(n) => single("simple", Json::from(*n)),
        Value::Tag(tag, inner) => {
            let mut m = Map::new();
            m.insert("tag".into(), Json::from(*tag));
            m.insert("value".into(), to_canonical_json(inner));
            Json::Object(m)
        }
    }
}

/// Lowercase hex through a table: the hot spot of canonical JSON for photos and
/// biometric data.
#[must_use]
pub fn lower_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = Vec::with_capacity(bytes.len() * 2);
    for b in bytes {
        // A nibble is below 16: the lookups cannot miss, and the compiler sees it.
        out.push(DIGITS.get(usize::from(b >> 4)).copied().unwrap_or(b'0'));
        out.push(DIGITS.get(usize::from(b & 0x0f)).copied().unwrap_or(b'0'));
    }
    // Only ASCII digits were written.
    String::from_utf8(out).unwrap_or_default()
}

fn integer_json(i: i128) -> Json {
    if i.abs() <= MAX_SAFE_INTEGER {
        // In range for i64 by the check above.
        Json::Number(Number::from(i as i64))
    } else {
        single("int", Json::String(i.to_string()))
    }
}

fn float_json(f: f64) -> Json {
    if f.is_nan() {
        Json::String("NaN".into())
    } else if f.is_infinite() {
        Json::String(if f > 0.0 { "Infinity" } else { "-Infinity" }.into())
    } else {
        Number::from_f64(f).map_or(Json::Null, Json::Number)
    }
}

/// The canonical JSON of a map given as its entries (what [`to_canonical_json`]
/// writes for `Value::Map(entries)`), without building the value.
#[must_use]
pub fn map_to_canonical_json(entries: &[(Value, Value)]) -> Json {
    map_json(entries)
}

fn map_json(entries: &[(Value, Value)]) -> Json {
    let mut seen = HashSet::with_capacity(entries.len());
    let object_form = entries
        .iter()
        .all(|(k, _)| matches!(k, Value::Integer(i) if seen.insert(*i)));
    if object_form {
        let mut m = Map::with_capacity(entries.len());
        for (k, v) in entries {
            if let Value::Integer(i) = k {
                m.insert(i.to_string(), to_canonical_json(v));
            }
        }
        Json::Object(m)
    } else {
        let pairs = entries
            .iter()
            .map(|(k, v)| Json::Array(vec![to_canonical_json(k), to_canonical_json(v)]))
            .collect();
        single("map", Json::Array(pairs))
    }
}

fn single(key: &str, value: Json) -> Json {
    let mut m = Map::with_capacity(1);
    m.insert(key.into(), value);
    Json::Object(m)
}

/// Why a JSON document is not canonical JSON of a CBOR value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at {path}: {problem}")]
pub struct CanonicalJsonError {
    /// JSON Pointer (RFC 6901) of the offending value; empty for the root.
    pub path: String,
    /// What was found and what was expected.
    pub problem: String,
}

/// Reads canonical JSON back into a CBOR value.
pub fn from_canonical_json(json: &Json) -> Result<Value, CanonicalJsonError> {
    read(json, &mut String::new())
}

fn err(path: &str, problem: impl Into<String>) -> CanonicalJsonError {
    CanonicalJsonError {
        path: if path.is_empty() {
            "/".into()
        } else {
            path.to_owned()
        },
        problem: problem.into(),
    }
}

fn read(json: &Json, path: &mut String) -> Result<Value, CanonicalJsonError> {
    match json {
        Json::Null => Ok(Value::Null),
        Json::Bool(b) => Ok(Value::Bool(*b)),
        Json::String(s) => Ok(Value::Text(s.clone())),
        Json::Number(n) => {
            if let Some(i) = n.as_i64() {
                Ok(Value::Integer(i128::from(i)))
            } else if let Some(u) = n.as_u64() {
                Ok(Value::Integer(i128::from(u)))
            } else {
                Err(err(
                    path,
                    format!(
                        "the number {n} is not an integer; write a float as {{\"float\": {n}}}"
                    ),
                ))
            }
        }
        Json::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                let _ = write!(path, "/{i}");
                out.push(read(item, path)?);
                path.truncate(len);
            }
            Ok(Value::Array(out))
        }
        Json::Object(m) => read_object(m, path),
    }
}

fn read_object(m: &Map<String, Json>, path: &mut String) -> Result<Value, CanonicalJsonError> {
    let keys: Vec<&str> = m.keys().map(String::as_str).collect();
    match keys.as_slice() {
        ["int"] => {
            let s = m["int"]
                .as_str()
                .ok_or_else(|| err(path, "\"int\" must hold a decimal string"))?;
            let i: i128 = s
                .parse()
                .map_err(|_| err(path, format!("\"int\": {s:?} is not a decimal integer")))?;
            if i < -(1_i128 << 64) || i > i128::from(u64::MAX) {
                return Err(err(
                    path,
                    format!("\"int\": {s} is outside CBOR's integer range"),
                ));
            }
            Ok(Value::Integer(i))
        }
        ["bstr"] => {
            let s = m["bstr"]
                .as_str()
                .ok_or_else(|| err(path, "\"bstr\" must hold a hex string"))?;
            if s.bytes().any(|c| c.is_ascii_uppercase()) {
                return Err(err(path, "\"bstr\" hex must be lowercase"));
            }
            hex::decode(s)
                .map(Value::Bytes)
                .map_err(|e| err(path, format!("\"bstr\" is not hex: {e}")))
        }
        ["float"] => match &m["float"] {
            Json::Number(n) => n
                .as_f64()
                .map(Value::Float)
                .ok_or_else(|| err(path, "\"float\" is not a number")),
            Json::String(s) => match s.as_str() {
                "NaN" => Ok(Value::Float(f64::NAN)),
                "Infinity" => Ok(Value::Float(f64::INFINITY)),
                "-Infinity" => Ok(Value::Float(f64::NEG_INFINITY)),
                _ => Err(err(
                    path,
                    format!(
                        "\"float\": {s:?} must be a number, \"NaN\", \"Infinity\" or \"-Infinity\""
                    ),
                )),
            },
            _ => Err(err(
                path,
                "\"float\" must hold a number or one of \"NaN\", \"Infinity\", \"-Infinity\"",
            )),
        },
        ["undefined"] => match &m["undefined"] {
            Json::Bool(true) => Ok(Value::Undefined),
            _ => Err(err(path, "\"undefined\" must be true")),
        },
        ["simple"] => {
            let n = m["simple"]
                .as_u64()
                .filter(|n| *n <= 255 && !(20..=23).contains(n) && !(24..=31).contains(n))
                .ok_or_else(|| {
                    err(
                        path,
                        "\"simple\" must be 0-19 or 32-255 (20-23 have their own JSON form)",
                    )
                })?;
            Ok(Value::Simple(n as u8))
        }
        ["map"] => read_pairs(&m["map"], path),
        _ if keys.len() == 2 && m.contains_key("tag") && m.contains_key("value") => {
            let tag = m["tag"]
                .as_u64()
                .ok_or_else(|| err(path, "\"tag\" must be an unsigned integer"))?;
            let len = path.len();
            path.push_str("/value");
            let inner = read(&m["value"], path)?;
            path.truncate(len);
            Ok(Value::Tag(tag, Box::new(inner)))
        }
        _ => {
            let mut out = Vec::with_capacity(m.len());
            for (k, v) in m {
                let key: i128 = parse_integer_key(k).ok_or_else(|| {
                    err(
                        path,
                        format!("object key {k:?} is not a decimal integer; a map with other keys is written {{\"map\": [[key, value], …]}}"),
                    )
                })?;
                let len = path.len();
                path.push('/');
                path.push_str(&k.replace('~', "~0").replace('/', "~1"));
                out.push((Value::Integer(key), read(v, path)?));
                path.truncate(len);
            }
            Ok(Value::Map(out))
        }
    }
}

fn read_pairs(pairs: &Json, path: &mut String) -> Result<Value, CanonicalJsonError> {
    let pairs = pairs
        .as_array()
        .ok_or_else(|| err(path, "\"map\" must hold an array of [key, value] pairs"))?;
    let mut out = Vec::with_capacity(pairs.len());
    for (i, pair) in pairs.iter().enumerate() {
        let len = path.len();
        let _ = write!(path, "/map/{i}");
        match pair.as_array().map(Vec::as_slice) {
            Some([k, v]) => {
                path.push_str("/0");
                let k = read(k, path)?;
                path.truncate(path.len() - 2);
                path.push_str("/1");
                let v = read(v, path)?;
                out.push((k, v));
            }
            _ => {
                return Err(err(
                    path,
                    "each entry of \"map\" must be a [key, value] pair",
                ))
            }
        }
        path.truncate(len);
    }
    Ok(Value::Map(out))
}

/// Decimal integers as `to_string` writes them: no sign on positives, no leading zeros.
fn parse_integer_key(k: &str) -> Option<i128> {
    let i: i128 = k.parse().ok()?;
    (i.to_string() == k).then_some(i)
}

#[cfg(test)]
mod tests;
