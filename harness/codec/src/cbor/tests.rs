#![allow(clippy::panic, clippy::unwrap_used, clippy::indexing_slicing)] // tests: a failure should stop the test

use super::*;

fn hex(s: &str) -> Vec<u8> {
    hex::decode(s.replace([' ', '\n'], "")).unwrap()
}

fn read(s: &str) -> Result<Value, CborError> {
    decode(&hex(s), ReadLimits::default())
}

#[test]
fn reads_rfc8949_appendix_a_examples() {
    let cases: &[(&str, Value)] = &[
        ("00", Value::Integer(0)),
        ("17", Value::Integer(23)),
        ("18 18", Value::Integer(24)),     // 1-byte argument
        ("19 03e8", Value::Integer(1000)), // 2-byte argument
        ("1b ffffffffffffffff", Value::Integer(u64::MAX.into())),
        ("3b ffffffffffffffff", Value::Integer(-(1i128 << 64))),
        ("20", Value::Integer(-1)),
        ("39 03e7", Value::Integer(-1000)),
        ("f9 3c00", Value::Float(1.0)),                      // half
        ("f9 7bff", Value::Float(65504.0)),                  // largest half
        ("f9 0001", Value::Float(5.960_464_477_539_063e-8)), // smallest subnormal half
        ("fa 47c35000", Value::Float(100_000.0)),            // single
        ("fb 3ff199999999999a", Value::Float(1.1)),          // double
        ("f9 fc00", Value::Float(f64::NEG_INFINITY)),
        ("f4", Value::Bool(false)),
        ("f6", Value::Null),
        ("f7", Value::Undefined),
        ("f0", Value::Simple(16)),
        ("f8 ff", Value::Simple(255)),
        (
            "c1 1a 514b67b0",
            Value::Tag(1, Box::new(Value::Integer(1_363_896_240))),
        ),
        ("44 01020304", Value::Bytes(vec![1, 2, 3, 4])),
        ("64 49455446", Value::Text("IETF".into())),
        ("62 c3bc", Value::Text("\u{fc}".into())),
        (
            "83 01 82 02 03 82 04 05",
            Value::Array(vec![
                Value::Integer(1),
                Value::Array(vec![Value::Integer(2), Value::Integer(3)]),
                Value::Array(vec![Value::Integer(4), Value::Integer(5)]),
            ]),
        ),
        (
            "a2 01 02 03 04",
            Value::int_map([(1, Value::Integer(2)), (3, Value::Integer(4))]),
        ),
        ("5f 42 0102 43 030405 ff", Value::Bytes(vec![1, 2, 3, 4, 5])), // indefinite bytes
        (
            "7f 65 7374726561 64 6d696e67 ff",
            Value::Text("streaming".into()),
        ),
        (
            "9f 01 82 02 03 ff",
            Value::Array(vec![
                Value::Integer(1),
                Value::Array(vec![Value::Integer(2), Value::Integer(3)]),
            ]),
        ),
        (
            "bf 61 61 01 ff",
            Value::Map(vec![("a".into(), Value::Integer(1))]),
        ),
    ];
    for (bytes, expected) in cases {
        assert_eq!(&read(bytes).unwrap(), expected, "{bytes}");
    }
    assert!(matches!(read("f9 7e00").unwrap(), Value::Float(f) if f.is_nan()));
}

#[test]
fn keeps_duplicate_keys_and_wire_order() {
    // a2 | 02 61 62 | 02 61 63 : {2: "b", 2: "c"}
    let v = read("a2 02 6162 02 6163").unwrap();
    assert_eq!(
        v,
        Value::Map(vec![
            (Value::Integer(2), "b".into()),
            (Value::Integer(2), "c".into())
        ])
    );
}

#[test]
fn rejects_what_is_not_well_formed() {
    let cases: &[(&str, &str)] = &[
        ("", "truncated"),
        ("18", "truncated"),      // argument missing
        ("44 0102", "truncated"), // 4 bytes declared, 2 present
        ("1c", "reserved_info"),  // additional information 28
        ("5d", "reserved_info"),
        ("1f", "bad_indefinite"), // indefinite unsigned integer
        ("df", "bad_indefinite"), // indefinite tag
        ("ff", "unexpected_break"),
        ("5f 61 61 ff", "bad_chunk"), // text chunk inside a byte string
        ("5f 5f ff ff", "bad_chunk"), // nested indefinite chunk
        ("62 c328", "invalid_utf8"),
        ("f8 18", "bad_simple"), // two-byte form of simple value 24
        ("00 00", "trailing_bytes"),
        ("9f 01", "truncated"),               // indefinite array never closed
        ("9b 00000000ffffffff", "truncated"), // 4 billion items declared, none present: malformed before any limit
        ("9a 00001000 00", "truncated"),      // 4096 declared, 1 byte present
    ];
    for (bytes, kind) in cases {
        let e = read(bytes).unwrap_err();
        assert_eq!(e.kind(), *kind, "{bytes}: {e}");
    }
}

#[test]
fn nesting_is_bounded() {
    let deep = |n: usize| {
        let mut v = vec![0x81; n];
        v.push(0x00);
        v
    };
    assert!(decode(&deep(64), ReadLimits::default()).is_ok());
    let e = decode(&deep(65), ReadLimits::default()).unwrap_err();
    assert!(e.is_limit() && e.kind() == "depth", "{e}");
    // A caller's limit never lets recursion past the hard bound.
    let huge = ReadLimits {
        max_depth: usize::MAX,
        max_items: 16,
    };
    let e = decode(&deep(100_000), huge).unwrap_err();
    assert!(matches!(
        e,
        CborError::TooDeep {
            limit: HARD_MAX_DEPTH,
            ..
        }
    ));
    // Tags nest too.
    let mut tags = vec![0xc1; 100];
    tags.push(0);
    assert!(decode(&tags, ReadLimits::default()).unwrap_err().is_limit());
}

#[test]
fn item_counts_are_bounded() {
    let limits = ReadLimits {
        max_depth: 8,
        max_items: 3,
    };
    assert!(decode(&hex("83 010203"), limits).is_ok());
    assert_eq!(
        decode(&hex("84 01020304"), limits).unwrap_err().kind(),
        "items"
    );
    assert_eq!(
        decode(&hex("9f 01020304 ff"), limits).unwrap_err().kind(),
        "items"
    );
}

#[test]
fn writes_preferred_serialization() {
    let cases: &[(Value, &str)] = &[
        (Value::Integer(0), "00"),
        (Value::Integer(24), "1818"),
        (Value::Integer(-1), "20"),
        (Value::Integer(1_000_000), "1a000f4240"),
        (Value::Integer(-(1i128 << 64)), "3bffffffffffffffff"),
        (Value::Float(1.0), "f93c00"),
        (Value::Float(-0.0), "f98000"),
        (Value::Float(65504.0), "f97bff"),
        (Value::Float(100_000.0), "fa47c35000"),
        (Value::Float(1.1), "fb3ff199999999999a"),
        (Value::Float(2_000_000_000.5), "fb41ddcd6500200000"),
        (Value::Float(f64::INFINITY), "f97c00"),
        (Value::Float(5.960_464_477_539_063e-8), "f90001"),
        (Value::Simple(16), "f0"),
        (Value::Simple(255), "f8ff"),
        (Value::Undefined, "f7"),
        (Value::int_map([(1, Value::Integer(-8))]), "a10127"),
    ];
    for (v, expected) in cases {
        assert_eq!(hex::encode(encode(v).unwrap()), *expected, "{v:?}");
    }
    assert!(encode(&Value::Integer(1i128 << 64)).is_err());
    assert!(encode(&Value::Simple(22)).is_err());
}

#[test]
fn writes_indefinite_lengths_and_key_orders() {
    let v = Value::int_map([(10, "a".into()), (1, Value::Array(vec![Value::Integer(1)]))]);
    let indefinite = WriteStyle {
        indefinite: true,
        key_order: KeyOrder::AsGiven,
    };
    // bf | 0a 7f 61 61 ff | 01 9f 01 ff | ff
    assert_eq!(
        hex::encode(encode_with(&v, indefinite).unwrap()),
        "bf0a7f6161ff019f01ffff"
    );
    let det = WriteStyle {
        indefinite: false,
        key_order: KeyOrder::Deterministic,
    };
    assert_eq!(
        hex::encode(encode_with(&v, det).unwrap()),
        "a2018101".to_owned() + "0a6161"
    );
    let rev = WriteStyle {
        indefinite: false,
        key_order: KeyOrder::Reversed,
    };
    assert_eq!(hex::encode(encode_with(&v, rev).unwrap()), "a20a6161018101");
    // What the writer writes, the reader reads back.
    for style in [indefinite, det, rev] {
        let back = decode(&encode_with(&v, style).unwrap(), ReadLimits::default()).unwrap();
        assert_eq!(back.as_map().unwrap().len(), 2);
    }
}

/// Our reader agrees with ciborium on every well-formed item ciborium produces.
#[test]
fn agrees_with_ciborium_on_its_output() {
    use ciborium::value::Value as C;
    let c = C::Map(vec![
        (C::Integer(1.into()), C::Text("www.mosip.io".into())),
        (C::Integer(4.into()), C::Integer(1_787_912_445.into())),
        (C::Integer((-7).into()), C::Bytes(vec![0; 40])),
        (
            C::Text("x".into()),
            C::Array(vec![C::Float(0.5), C::Bool(true), C::Null]),
        ),
        (
            C::Integer(169.into()),
            C::Tag(24, Box::new(C::Bytes(vec![0xa0]))),
        ),
    ]);
    let mut bytes = Vec::new();
    ciborium::into_writer(&c, &mut bytes).unwrap();
    let ours = decode(&bytes, ReadLimits::default()).unwrap();
    assert_eq!(
        encode(&ours).unwrap(),
        bytes,
        "re-encoding is byte-identical"
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = decode(&bytes, ReadLimits::default());
        }

        #[test]
        fn reencoding_what_was_read_reads_the_same(bytes in proptest::collection::vec(any::<u8>(), 0..128)) {
            if let Ok((v, _)) = decode_prefix(&bytes, ReadLimits::default()) {
                if let Ok(again) = encode(&v) {
                    let back = decode(&again, ReadLimits::default()).unwrap();
                    // NaN is the one value unequal to itself; compare its canonical JSON.
                    prop_assert_eq!(
                        c169_model::to_canonical_json(&back),
                        c169_model::to_canonical_json(&v)
                    );
                }
            }
        }
    }
}

#[test]
fn diagnostic_notation() {
    let v = read("d2 84 43a10127 a1 04 42 6b2d 44 a1 01 61 78 40").unwrap();
    assert_eq!(
        diagnostic(&v, 16),
        "18([h'a10127', {4: h'6b2d'}, h'a1016178', h''])"
    );
    let v = read("83 f5 f9 3e00 45 0102030405").unwrap();
    assert_eq!(diagnostic(&v, 2), "[true, 1.5, h'0102…' (5 bytes)]");
}
