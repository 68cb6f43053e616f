#![allow(clippy::panic, clippy::unwrap_used, clippy::indexing_slicing)] // tests

use super::*;
use serde_json::json;

fn round_trip(v: &Value, expected: &Json) {
    let j = to_canonical_json(v);
    assert_eq!(&j, expected, "canonical JSON of {v:?}");
    let back = from_canonical_json(&j).unwrap();
    match (v, &back) {
        (Value::Float(a), Value::Float(b)) if a.is_nan() => assert!(b.is_nan()),
        _ => assert_eq!(&back, v),
    }
}

#[test]
fn every_form_round_trips() {
    let cases: Vec<(Value, Json)> = vec![
        (Value::Integer(0), json!(0)),
        (Value::Integer(-1), json!(-1)),
        (Value::Integer(1 << 53), json!(9_007_199_254_740_992_i64)),
        (
            Value::Integer(-(1 << 53)),
            json!(-9_007_199_254_740_992_i64),
        ),
        (
            Value::Integer((1 << 53) + 1),
            json!({"int": "9007199254740993"}),
        ),
        (
            Value::Integer(-(1 << 64)),
            json!({"int": "-18446744073709551616"}),
        ),
        (Value::Text("Janardhan BS".into()), json!("Janardhan BS")),
        (Value::Bytes(vec![0xde, 0xad]), json!({"bstr": "dead"})),
        (Value::Bytes(vec![]), json!({"bstr": ""})),
        (Value::Float(1.5), json!({"float": 1.5})),
        (Value::Float(f64::INFINITY), json!({"float": "Infinity"})),
        (
            Value::Float(f64::NEG_INFINITY),
            json!({"float": "-Infinity"}),
        ),
        (Value::Float(f64::NAN), json!({"float": "NaN"})),
        (Value::Bool(true), json!(true)),
        (Value::Null, json!(null)),
        (Value::Undefined, json!({"undefined": true})),
        (Value::Simple(16), json!({"simple": 16})),
        (
            Value::Tag(1, Box::new(Value::Integer(5))),
            json!({"tag": 1, "value": 5}),
        ),
        (
            Value::Array(vec![Value::Integer(1), "a".into()]),
            json!([1, "a"]),
        ),
        (Value::Map(vec![]), json!({})),
        (
            Value::int_map([(4, "x".into()), (-1, Value::Integer(2))]),
            json!({"4": "x", "-1": 2}),
        ),
        (
            Value::Map(vec![("a".into(), Value::Integer(1))]),
            json!({"map": [["a", 1]]}),
        ),
        (
            Value::int_map([(1, "a".into()), (1, "b".into())]),
            json!({"map": [[1, "a"], [1, "b"]]}),
        ),
    ];
    for (v, j) in &cases {
        round_trip(v, j);
    }
}

#[test]
fn object_keeps_wire_order() {
    let v = Value::int_map([(9, Value::Integer(1)), (1, Value::Integer(2))]);
    let text = serde_json::to_string(&to_canonical_json(&v)).unwrap();
    assert_eq!(text, r#"{"9":1,"1":2}"#);
}

#[test]
fn rejects_non_canonical_input_with_a_path() {
    let e = from_canonical_json(&json!({"4": [1, 2.5]})).unwrap_err();
    assert_eq!(e.path, "/4/1");
    assert!(e.problem.contains("float"), "{e}");
    let e = from_canonical_json(&json!({"bstr": "DEAD"})).unwrap_err();
    assert!(e.problem.contains("lowercase"));
    let e = from_canonical_json(&json!({"01": 1})).unwrap_err();
    assert!(e.problem.contains("decimal integer"));
    let e = from_canonical_json(&json!({"int": "18446744073709551616"})).unwrap_err();
    assert!(e.problem.contains("range"));
    assert!(from_canonical_json(&json!({"simple": 21})).is_err());
}
