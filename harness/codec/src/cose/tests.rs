#![allow(clippy::panic, clippy::unwrap_used, clippy::indexing_slicing)] // tests: a failure should stop the test

use super::*;
use sha2::{Digest, Sha256};

pub(crate) fn spec_example() -> Vec<u8> {
    let text: String = include_str!("../../../../vectors/external/spec/worked-example.hex")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect();
    hex::decode(text.trim()).unwrap()
}

fn hex(s: &str) -> Vec<u8> {
    hex::decode(s.replace([' ', '\n'], "")).unwrap()
}

fn parse(bytes: &[u8]) -> Result<(Envelope, Vec<Warning>), CoseError> {
    let mut w = Vec::new();
    parse_message(bytes, ReadLimits::default(), &mut w).map(|e| (e, w))
}

fn sign1_of(e: &Envelope) -> &Sign1 {
    match &e.message {
        Message::Sign1(s) => s,
        Message::Encrypt0(_) => panic!("expected a Sign1"),
    }
}

#[test]
fn test_spec_worked_example_structure() {
    let bytes = spec_example();
    assert_eq!(bytes.len(), 743);
    let (env, warnings) = parse(&bytes).unwrap();
    assert!(warnings.is_empty());
    assert_eq!(env.tags, vec![TAG_SIGN1]);
    let s = sign1_of(&env);
    assert_eq!(s.headers.protected_bytes, hex("a1 01 27")); // {1: -8} EdDSA
    assert_eq!(algorithm(&s.headers, Structure::Sign1).unwrap(), -8);
    assert_eq!(
        kid(&s.headers).unwrap(),
        Some((b"k-1101".to_vec(), Bucket::Unprotected))
    );
    assert_eq!(s.payload.len(), 659);
    assert_eq!(s.signature.len(), 64);
    assert_eq!(&s.signature[..4], &hex("74e64803"));
    // The Sig_structure the signature covers: 679 bytes with a known digest.
    let sig = sig_structure(&s.headers.protected_bytes, &s.payload);
    assert_eq!(sig.len(), 679);
    // 84 | 6a "Signature1" | 43 a10127 | 40 | 59 0293 <payload>
    assert_eq!(
        &sig[..17],
        &hex("84 6a 5369676e617475726531 43 a10127 40 590293")[..17]
    );
    assert_eq!(
        hex::encode(Sha256::digest(&sig)),
        "d6e75825474dc88b7dd792dee21f0f0b7160314694be2e100691d1e5568af1fc"
    );
}

#[test]
fn test_spec_worked_example_with_cwt_tag() {
    let mut bytes = hex("d8 3d"); // tag 61 (CWT)
    bytes.extend(spec_example());
    let (env, _) = parse(&bytes).unwrap();
    assert_eq!(env.tags, vec![TAG_CWT, TAG_SIGN1]);
}

#[test]
fn tags_and_shapes() {
    // 84 | 43 a10127 | a0 | 41 a0 | 40 : an untagged Sign1 with an empty signature
    let untagged = "84 43a10127 a0 41a0 40";
    let (env, warnings) = parse(&hex(untagged)).unwrap();
    assert!(env.tags.is_empty());
    assert_eq!(warnings[0].flag, Flag::Untagged);
    let cases: &[(&str, &str)] = &[
        ("d83d 84 43a10127 a0 41a0 40", "cose.missing_cose_tag"), // 61 straight around an array
        ("d1 84 43a10127 a0 41a0 40", "cose.unexpected_tag"),     // 17: COSE_Mac0
        ("d8 62 84 43a10127 a0 41a0 40", "cose.multi_recipient_unsupported"), // 98: COSE_Sign
        ("d2 83 43a10127 a0 41a0", "cose.wrong_arity"),           // 18 around 3 items
        ("85 43a10127 a0 41a0 40 40", "cose.unknown_shape"),      // 5 untagged items
        ("a0", "cose.not_an_array"),
        ("d2 84 43a10127 a0 41a0 40 00", "cose.cbor_trailing_bytes"), // a byte after the message
        ("d2 84 a10127 a0 41a0 40", "cose.protected_not_bytes"),   // map in place of bstr
        ("d2 84 41 01 a0 41a0 40", "cose.protected_not_map"),      // protected holds 1
        ("d2 84 44 a1012700 a0 41a0 40", "cose.protected_cbor_trailing_bytes"),
        ("d2 84 43a10127 80 41a0 40", "cose.unprotected_not_map"),
        ("d2 84 45 a2012701 26 a0 41a0 40", "cose.duplicate_label"), // {1:-8, 1:-7}
        ("d2 84 43a10127 a2 0441 61 0441 62 41a0 40", "cose.duplicate_label"),
        ("d2 84 43a10127 a1 f6 01 41a0 40", "cose.bad_label"),     // null label
        ("d2 84 43a10127 a0 f6 40", "cose.detached"),              // nil payload
        ("d2 84 43a10127 a0 41a0 f6", "cose.not_bytes"),           // nil signature
        // crit: {1: -8, 2: [99], 99: 0} names a label nobody understands
        ("d2 84 4a a3 0127 02 81 1863 1863 00 a0 41a0 40", "cose.crit_unknown_label"),
        // crit in the unprotected bucket
        ("d2 84 43a10127 a1 02 81 04 41a0 40", "cose.crit_not_protected"),
        // crit: [] is not allowed
        ("d2 84 45 a2 0127 02 80 a0 41a0 40", "cose.crit_malformed"),
        // crit: [4] but kid is unprotected
        ("d2 84 46 a2 0127 02 8104 a1 0441 61 41a0 40", "cose.crit_label_absent"),
        // Encrypt0 with IV and Partial IV
        ("d0 83 43a10103 a2 054c 000102030405060708090a0b 0641 00 50 00000000000000000000000000000000", "decrypt.iv_and_partial_iv"),
    ];
    for (bytes, code) in cases {
        let e = parse(&hex(bytes)).and_then(|(env, _)| match &env.message {
            Message::Encrypt0(e) => iv(&e.headers).map(|_| ()),
            Message::Sign1(_) => Ok(()),
        });
        assert_eq!(e.map_err(|e| e.code()), Err((*code).to_owned()), "{bytes}");
    }
}

#[test]
fn header_rules() {
    // alg only in the unprotected bucket: 84 | 40 | a1 0127 | 41a0 | 40
    let (env, _) = parse(&hex("d2 84 40 a1 0127 41a0 40")).unwrap();
    let e = algorithm(&sign1_of(&env).headers, Structure::Sign1).unwrap_err();
    assert_eq!(
        e,
        CoseError::AlgNotProtected {
            structure: Structure::Sign1,
            in_unprotected: true
        }
    );
    // An empty protected header may be h'' or h'a0'; neither has an alg.
    for protected in ["40", "41a0"] {
        let (env, _) = parse(&hex(&format!("d2 84 {protected} a0 41a0 40"))).unwrap();
        let e = algorithm(&sign1_of(&env).headers, Structure::Sign1).unwrap_err();
        assert_eq!(e.code(), "cose.alg_not_protected");
    }
    // kid as text is rejected; a label in both buckets is refused (RFC 9052 §3 SHOULD).
    let (env, _) = parse(&hex("d2 84 43a10127 a1 04 61 6b 41a0 40")).unwrap();
    assert_eq!(
        kid(&sign1_of(&env).headers).unwrap_err().code(),
        "cose.kid_wrong_type"
    );
    let e = parse(&hex("d2 84 46 a2 0127 0441 70 a1 0441 75 41a0 40")).unwrap_err();
    assert_eq!(e.code(), "cose.label_in_both_buckets");
    // crit naming an understood label that is present is fine: {1: -8, 2: [1]}
    assert!(parse(&hex("d2 84 46 a2 0127 02 8101 a0 41a0 40")).is_ok());
}

#[test]
fn certificate_headers_are_reported() {
    // unprotected {33: h'0102', 34: [-16, h'aa'], 35: "https://x"}
    let bytes =
        hex("d2 84 43a10127 a3 1821 42 0102 1822 82 2f 41 aa 1823 69 68747470733a2f2f78 41a0 40");
    let (env, _) = parse(&bytes).unwrap();
    let mut w = Vec::new();
    let facts = x5_facts(&sign1_of(&env).headers, &mut w).unwrap().unwrap();
    let chain = facts.x5chain.unwrap();
    assert_eq!((chain[0].len, chain[0].bucket), (2, Bucket::Unprotected));
    assert_eq!(facts.x5u.as_deref(), Some("https://x"));
    assert_eq!(facts.x5t, Some(serde_json::json!([-16, {"bstr": "aa"}])));
    assert!(w.iter().any(|w| w.flag == Flag::X5NotValidated));
    // x5bag as an empty array is malformed
    let (env, _) = parse(&hex("d2 84 43a10127 a1 1820 80 41a0 40")).unwrap();
    assert_eq!(
        x5_facts(&sign1_of(&env).headers, &mut w)
            .unwrap_err()
            .code(),
        "cose.x5_malformed"
    );
}

#[test]
fn enc_structure_layout() {
    // 83 | 68 "Encrypt0" | 43 a10103 | 40
    assert_eq!(
        enc_structure(&hex("a10103")),
        hex("83 68 456e6372797074 30 43 a10103 40")
    );
}

#[test]
fn coset_reads_what_we_read() {
    use coset::{CborSerializable, TaggedCborSerializable};
    let bytes = spec_example();
    let theirs = coset::CoseSign1::from_tagged_slice(&bytes).unwrap();
    let (env, _) = parse(&bytes).unwrap();
    let ours = sign1_of(&env);
    assert_eq!(theirs.payload.as_deref(), Some(ours.payload.as_slice()));
    assert_eq!(theirs.signature, ours.signature);
    assert_eq!(
        theirs.tbs_data(b""),
        sig_structure(&ours.headers.protected_bytes, &ours.payload)
    );
    let _ = theirs.to_vec();
}
