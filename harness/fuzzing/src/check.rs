//! What every target compares and reports with: values by structure (floats by
//! their bits), and a broken invariant as a panic with its message.

use c169_model::{Outcome, Value};

/// Structural equality of CBOR values, floats by their bits (any NaN equals any
/// NaN: the writer canonicalises NaN, as RFC 8949 §4.2.2 suggests). Stricter than
/// `Value`'s `PartialEq`, which calls 0.0 and -0.0 equal and NaN unequal to itself.
#[must_use]
pub fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => {
            (x.is_nan() && y.is_nan()) || x.to_bits() == y.to_bits()
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
        }
        (Value::Map(x), Value::Map(y)) => same_entries(x, y),
        (Value::Tag(tag, x), Value::Tag(other, y)) => tag == other && same(x, y),
        _ => a == b,
    }
}

/// [`same`] over map entries, in order.
#[must_use]
pub fn same_entries(x: &[(Value, Value)], y: &[(Value, Value)]) -> bool {
    x.len() == y.len()
        && x.iter()
            .zip(y)
            .all(|((k, v), (l, w))| same(k, l) && same(v, w))
}

/// The text a fuzzer's bytes stand for: themselves when UTF-8, otherwise lossily.
pub(crate) fn text_of(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}

pub(crate) fn show(outcome: &Outcome) -> String {
    serde_json::to_string(outcome).unwrap_or_else(|e| format!("{outcome:?} ({e})"))
}
/// A panic with a message: the one way these functions report a broken invariant
/// outside `assert!`.
#[allow(clippy::panic)]
pub(crate) fn panic_with(message: &str) -> ! {
    panic!("{message}")
}
