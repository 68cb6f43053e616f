//! CBOR diagnostic notation (RFC 8949 §8) of a [`Value`], for people: one line,
//! long byte strings cut short. Nothing reads it back; canonical JSON is the
//! lossless text form.

use crate::Value;

/// CBOR diagnostic notation (RFC 8949 §8) of a value, on one line; byte strings
/// longer than `max_bytes` are shown by their start and length.
#[must_use]
pub fn diagnostic(value: &Value, max_bytes: usize) -> String {
    let mut out = String::new();
    diag(&mut out, value, max_bytes);
    out
}

fn diag(out: &mut String, value: &Value, max_bytes: usize) {
    use std::fmt::Write as _;
    match value {
        Value::Integer(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Bytes(b) if b.len() > max_bytes => {
            let shown = b.get(..max_bytes).unwrap_or(b);
            let _ = write!(out, "h'{}…' ({} bytes)", hex::encode(shown), b.len());
        }
        Value::Bytes(b) => {
            let _ = write!(out, "h'{}'", hex::encode(b));
        }
        Value::Text(t) => {
            let _ = write!(out, "{t:?}");
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                diag(out, item, max_bytes);
            }
            out.push(']');
        }
        Value::Map(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                diag(out, k, max_bytes);
                out.push_str(": ");
                diag(out, v, max_bytes);
            }
            out.push('}');
        }
        Value::Tag(tag, inner) => {
            let _ = write!(out, "{tag}(");
            diag(out, inner, max_bytes);
            out.push(')');
        }
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Null => out.push_str("null"),
        Value::Undefined => out.push_str("undefined"),
        Value::Simple(n) => {
            let _ = write!(out, "simple({n})");
        }
        Value::Float(f) if f.is_nan() => out.push_str("NaN"),
        Value::Float(f) if f.is_infinite() => {
            out.push_str(if *f > 0.0 { "Infinity" } else { "-Infinity" });
        }
        Value::Float(f) => {
            let _ = write!(out, "{f:?}");
        }
    }
}
