#![allow(
    clippy::needless_pass_by_value,
    clippy::panic,
    clippy::unwrap_used,
    clippy::indexing_slicing
)] // tests: a failure should stop the test

use super::*;
use serde_json::json;

fn run(map: Vec<(Value, Value)>) -> (Result<Identity, Claim169Error>, Vec<(Flag, String)>) {
    let mut w = Vec::new();
    let r = interpret(&map, &mut w);
    (
        r,
        w.into_iter()
            .map(|w| (w.flag, w.at.unwrap_or_default()))
            .collect(),
    )
}

#[test]
fn every_table_entry_reads() {
    let mut map: Vec<(Value, Value)> = ATTRIBUTES
        .iter()
        .map(|a| {
            let v = match a.kind {
                Kind::Text => Value::Text(format!("v{}", a.key)),
                Kind::Enum(_) => Value::Integer(1),
                Kind::Bytes => Value::Bytes(vec![0xff, 0xd8]),
                Kind::Fingers => Value::Array((0..=10).map(Value::Integer).collect()),
            };
            (Value::Integer(a.key), v)
        })
        .collect();
    for key in FIRST_BIOMETRIC..=LAST_BIOMETRIC {
        let entry = Value::int_map([
            (0, Value::Bytes(vec![1])),
            (1, Value::Integer(0)),
            (2, Value::Integer(4)),
            (3, "vendor".into()),
        ]);
        map.push((Value::Integer(key), Value::Array(vec![entry])));
    }
    let (r, w) = run(map);
    assert!(w.is_empty(), "{w:?}");
    let id = r.unwrap();
    assert_eq!(id.fields.len(), 23);
    assert_eq!(id.fields["gender"], json!("Male"));
    assert_eq!(id.fields["photoFormat"], json!("JPEG"));
    assert_eq!(id.fields["photo"], json!("ffd8"));
    assert_eq!(id.biometrics.len(), 16);
    assert_eq!(
        id.biometrics["voice"],
        json!([{"data": "01", "format": 0, "subFormat": 4, "issuer": "vendor"}])
    );
}

#[test]
fn enumerations() {
    assert_eq!(Enumeration::Gender.name(3), Some("Others"));
    assert_eq!(Enumeration::Gender.name(0), None);
    assert_eq!(Enumeration::MaritalStatus.name(4), None);
    assert_eq!(Enumeration::PhotoFormat.name(2), Some("JPEG 2000"));
    assert_eq!(Enumeration::PhotoFormat.name(5), None);
    assert_eq!(sub_format_defined(0, 6), Some(true));
    assert_eq!(sub_format_defined(0, 7), Some(false));
    assert_eq!(sub_format_defined(0, 100), Some(true));
    assert_eq!(sub_format_defined(1, 200), Some(true));
    assert_eq!(sub_format_defined(1, 201), Some(false));
    assert_eq!(sub_format_defined(2, 100), Some(false)); // no vendor range for sound
    assert_eq!(sub_format_defined(3, 12345), None); // bio hash has no table
    assert_eq!(biometric_name(62), Some("face"));
    assert_eq!(biometric_name(66), None);
}

#[test]
fn departures_are_flagged_not_hidden() {
    let k = Value::Integer;
    let (r, w) = run(vec![
        (k(9), "Male".into()),                                 // gender as text
        (k(14), k(9)),                                         // marital status out of range
        (k(16), "ffd8".into()),                                // photo as text
        (k(18), Value::Array(vec![k(1), k(11)])),              // finger 11
        (k(24), k(1)),                                         // unassigned
        (k(-1), k(1)),                                         // negative
        ("x".into(), k(1)),                                    // text key
        (k(62), Value::int_map([(0, Value::Bytes(vec![1]))])), // one map, not an array
        (
            k(50),
            Value::Array(vec![Value::int_map([(1, k(0)), (9, k(0))])]),
        ), // no data, sub-key 9
    ]);
    let id = r.unwrap();
    assert_eq!(
        w,
        vec![
            (Flag::TypeMismatch, "169/9".into()),
            (Flag::EnumOutOfRange, "169/14".into()),
            (Flag::PhotoAsText, "169/16".into()),
            (Flag::EnumOutOfRange, "169/18/1".into()),
            (Flag::UnknownKey, "169/24".into()),
            (Flag::UnknownKey, "169/-1".into()),
            (Flag::NonIntegerKey, "169/\"x\"".into()),
            (Flag::SpecExampleEncoding, "169/62".into()),
            (Flag::MissingBiometricData, "169/50/0".into()),
            (Flag::UnknownKey, "169/50/0/9".into()),
        ]
    );
    assert_eq!(id.unknown.len(), 3);
    assert!(!id.fields.contains_key("gender"));
}

#[test]
fn duplicates_are_rejected() {
    let k = Value::Integer;
    let (r, _) = run(vec![(k(4), "a".into()), (k(4), "b".into())]);
    assert_eq!(r.unwrap_err().code(), "claim169.duplicate_key");
    let dup_entry = Value::Map(vec![
        (k(0), Value::Bytes(vec![1])),
        (k(0), Value::Bytes(vec![2])),
    ]);
    let (r, _) = run(vec![(k(62), Value::Array(vec![dup_entry]))]);
    assert_eq!(r.unwrap_err().code(), "claim169.duplicate_sub_key");
}

#[test]
fn identity_by_name_becomes_the_map() {
    let v = from_identity_json(&json!({
        "fullName": "Janardhan BS",
        "id": "3918592438",
        "gender": "Male",
        "maritalStatus": 2,
        "photo": "ffd8",
        "bestQualityFingers": [1, 6],
        "face": [{"data": "0102", "format": 0, "subFormat": 4}],
        "24": {"bstr": "aa"}
    }))
    .unwrap();
    let k = Value::Integer;
    assert_eq!(
        v,
        Value::Map(vec![
            (k(1), "3918592438".into()),
            (k(4), "Janardhan BS".into()),
            (k(9), k(1)),
            (k(14), k(2)),
            (k(16), Value::Bytes(vec![0xff, 0xd8])),
            (k(18), Value::Array(vec![k(1), k(6)])),
            (k(24), Value::Bytes(vec![0xaa])),
            (
                k(62),
                Value::Array(vec![Value::int_map([
                    (0, Value::Bytes(vec![1, 2])),
                    (1, k(0)),
                    (2, k(4))
                ])])
            ),
        ])
    );
    let e = from_identity_json(&json!({"fulName": "x"})).unwrap_err();
    assert!(e.to_string().contains("fulName"));
    let e = from_identity_json(&json!({"gender": "Robot"})).unwrap_err();
    assert!(e.to_string().starts_with("gender:"), "{e}");
}
