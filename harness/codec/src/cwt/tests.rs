#![allow(clippy::panic, clippy::unwrap_used, clippy::indexing_slicing)] // tests: a failure should stop the test

use super::*;

fn hex(s: &str) -> Vec<u8> {
    hex::decode(s.replace([' ', '\n'], "")).unwrap()
}

fn parse(s: &str) -> Result<(Claims, Vec<Warning>), CwtError> {
    let mut w = Vec::new();
    parse_claims(&hex(s), ReadLimits::default(), &mut w).map(|c| (c, w))
}

#[test]
fn reads_a_claims_set() {
    // a4 | 01 6c "www.mosip.io" | 04 1a 6a9160fd (exp) | 05 1a 68b02d7d (nbf) | 18a9 a1 04 61 58
    let (c, w) =
        parse("a4 01 6c 7777772e6d6f7369702e696f 04 1a6a9160fd 05 1a68b02d7d 18a9 a1 04 6158")
            .unwrap();
    assert!(w.is_empty());
    assert_eq!(c.exp, Some(NumericDate::Integer(1_787_912_445)));
    assert_eq!(c.nbf, Some(NumericDate::Integer(1_756_376_445)));
    assert_eq!(c.claim169, vec![(Value::Integer(4), "X".into())]);
    assert_eq!(c.others.len(), 3);
}

#[test]
fn rejections_and_their_stages() {
    let cases: &[(&str, &str, Stage)] = &[
        ("a1 01 01", "cwt.wrong_type", Stage::Cwt), // iss as int
        ("a2 04 63 313233 18a9 a0", "cwt.wrong_type", Stage::Cwt), // exp as text
        ("a2 04 c1 00 18a9 a0", "cwt.wrong_type", Stage::Cwt), // exp tagged 1
        ("a2 04 f9 7e00 18a9 a0", "cwt.not_finite", Stage::Cwt), // exp NaN
        ("a2 03 01 18a9 a0", "cwt.wrong_type", Stage::Cwt), // aud as int
        ("a2 07 61 78 18a9 a0", "cwt.wrong_type", Stage::Cwt), // cti as text
        ("83 01 02 03", "cwt.not_a_map", Stage::Cwt),
        ("a3 04 01 04 02 18a9 a0", "cwt.duplicate_key", Stage::Cwt), // exp twice
        ("a2 18a9 a0 18a9 a0", "cwt.duplicate_key", Stage::Cwt),     // 169 twice
        ("a1 18a9 a0 00", "cwt.cbor_trailing_bytes", Stage::Cwt),    // bytes after the map
        ("a1 01 61 78", "claim169.missing", Stage::Claim169),
        ("a1 18a9 61 78", "claim169.not_a_map", Stage::Claim169), // text
        ("a1 18a9 80", "claim169.not_a_map", Stage::Claim169),    // array
        ("a1 18a9 01", "claim169.not_a_map", Stage::Claim169),    // int
        ("a1 18a9 42 0102", "claim169.not_a_map", Stage::Claim169), // bytes holding no map
        ("d0 83 40 a0 40", "cose.encrypt_then_sign", Stage::Cose),
    ];
    for (bytes, code, stage) in cases {
        let e = parse(bytes).unwrap_err();
        assert_eq!(
            (e.code().as_str(), e.stage()),
            (*code, *stage),
            "{bytes}: {e}"
        );
    }
}

#[test]
fn tolerated_forms_are_flagged() {
    // exp as float, aud present, claim 169 as a byte string holding {}:
    // a3 | 04 fb 41ddcd6500200000 | 03 61 76 | 18a9 41 a0
    let (c, w) = parse("a3 04 fb41ddcd6500200000 03 6176 18a9 41a0").unwrap();
    assert_eq!(c.exp, Some(NumericDate::Float(2_000_000_000.5)));
    let flags: Vec<_> = w.iter().map(|w| w.flag.clone()).collect();
    assert_eq!(
        flags,
        vec![
            Flag::FloatNumericDate,
            Flag::AudienceNotChecked,
            Flag::SpecExampleEncoding
        ]
    );
}

#[test]
fn time_boundaries() {
    let claims = |exp, nbf| Claims {
        others: vec![],
        claim169: vec![],
        exp,
        nbf,
        iat: None,
    };
    let c = claims(
        Some(NumericDate::Integer(100)),
        Some(NumericDate::Integer(50)),
    );
    assert!(check_time(&c, 99, 0).is_ok());
    assert_eq!(check_time(&c, 100, 0).unwrap_err().code(), "time.expired"); // exp == now
    assert!(check_time(&c, 100, 1).is_ok()); // inside leeway
    assert!(check_time(&c, 50, 0).is_ok()); // nbf == now
    assert_eq!(
        check_time(&c, 49, 0).unwrap_err().code(),
        "time.not_yet_valid"
    );
    assert!(check_time(&c, 49, 1).is_ok());
    // No overflow at the extremes.
    let far = claims(
        Some(NumericDate::Integer(i128::from(u64::MAX))),
        Some(NumericDate::Integer(-(1i128 << 64))),
    );
    assert!(check_time(&far, i64::MAX, u64::MAX).is_ok());
    let f = claims(Some(NumericDate::Float(100.5)), None);
    assert!(check_time(&f, 100, 0).is_ok());
    assert!(check_time(&f, 101, 0).is_err());
}
