//! The encoder's knobs, each turned on its own, and what the decoder says: one
//! row per fault, with the stage and code a conformant decoder must reach.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::too_many_lines
)] // tests; the fault table is one long list on purpose

mod support;

use c169_codec::cbor::{KeyOrder, WriteStyle};
use c169_codec::encode::{Edit, Layering, Placement, Point, SignatureFormat, Tags, Tamper};
use c169_codec::{decode, zlib, DecodeOptions, EncodeOptions, Limits};
use c169_crypto::crypto::SignatureAlgorithm;
use c169_model::{Bucket, Flag, Stage, Value, Verdict};
use support::{encrypted_fixture, fixture, public, signing_key, NOW};

fn tamper(at: Point, edit: Edit) -> EncodeOptions {
    EncodeOptions {
        tamper: vec![Tamper { at, edit }],
        ..EncodeOptions::default()
    }
}

#[test]
fn the_default_credential_is_conformant() {
    let d = fixture(EncodeOptions::default()).decode();
    let o = &d.outcome;
    assert_eq!(
        (o.verdict, o.verified),
        (Verdict::Accept, Some(true)),
        "{o:?}"
    );
    assert!(o.warnings.is_empty(), "{:?}", o.warnings);
    let cose = o.cose.as_ref().unwrap();
    assert_eq!(
        (cose.tags.clone(), cose.kid_bucket),
        (vec![18], Some(Bucket::Protected))
    );
    // Base45 of zlib (78 9c) of 18(...): the text starts with "6BF".
    let e = fixture(EncodeOptions::default()).encode();
    assert_eq!(&e.zlib[..2], &[0x78, 0x9c]);
    assert_eq!(e.cose[0], 0xd2);
    assert!(e.text.starts_with("6BF"));
    let d = encrypted_fixture(EncodeOptions::default()).decode();
    assert_eq!(d.outcome.verdict, Verdict::Accept, "{:?}", d.outcome);
    assert_eq!(d.outcome.cose.unwrap().tags, vec![16, 18]);
}

#[test]
fn each_fault_is_rejected_where_it_belongs() {
    let unknown_crit = EncodeOptions {
        extra_protected: vec![
            (Value::Integer(2), Value::Array(vec![Value::Integer(99)])),
            (Value::Integer(99), Value::Integer(0)),
        ],
        ..EncodeOptions::default()
    };
    let duplicate_label = EncodeOptions {
        extra_protected: vec![(Value::Integer(1), Value::Integer(-8))],
        ..EncodeOptions::default()
    };
    let cases: Vec<(&str, EncodeOptions, Stage, &str)> = vec![
        (
            "alg unprotected",
            EncodeOptions {
                alg_placement: Placement::Unprotected,
                ..EncodeOptions::default()
            },
            Stage::Cose,
            "cose.alg_not_protected",
        ),
        (
            "alg omitted",
            EncodeOptions {
                alg_placement: Placement::Omit,
                ..EncodeOptions::default()
            },
            Stage::Cose,
            "cose.alg_not_protected",
        ),
        (
            "alg unknown",
            EncodeOptions {
                alg_value: Some(Value::Integer(-257)),
                ..EncodeOptions::default()
            },
            Stage::Cose,
            "cose.unknown_algorithm",
        ),
        (
            "alg ES256 on an Ed25519 key",
            EncodeOptions {
                alg_value: Some(Value::Integer(-7)),
                ..EncodeOptions::default()
            },
            Stage::Signature,
            "signature.alg_key_mismatch",
        ),
        (
            "crit names an unknown label",
            unknown_crit,
            Stage::Cose,
            "cose.crit_unknown_label",
        ),
        (
            "duplicate protected label",
            duplicate_label,
            Stage::Cose,
            "cose.duplicate_label",
        ),
        (
            "tampered payload",
            tamper(
                Point::SignedPayload,
                Edit::Xor {
                    offset: -1,
                    mask: 1,
                },
            ),
            Stage::Signature,
            "signature.invalid",
        ),
        (
            "tampered protected header (a kid byte)",
            tamper(
                Point::SignedProtected,
                Edit::Xor {
                    offset: -1,
                    mask: 1,
                },
            ),
            Stage::Signature,
            "signature.invalid",
        ),
        (
            "signature bit flip",
            tamper(
                Point::Signature,
                Edit::Xor {
                    offset: 0,
                    mask: 0x80,
                },
            ),
            Stage::Signature,
            "signature.invalid",
        ),
        (
            "empty signature",
            tamper(Point::Signature, Edit::Replace(vec![])),
            Stage::Signature,
            "signature.bad_length",
        ),
        (
            "bytes after the claims map, signed",
            tamper(Point::Payload, Edit::Append(vec![0x00])),
            Stage::Cwt,
            "cwt.cbor_trailing_bytes",
        ),
        (
            "bytes after the COSE message",
            tamper(Point::Cose, Edit::Append(vec![0x00])),
            Stage::Cose,
            "cose.cbor_trailing_bytes",
        ),
        (
            "bytes after the zlib stream",
            tamper(Point::Zlib, Edit::Append(vec![0x00])),
            Stage::Zlib,
            "zlib.trailing_bytes",
        ),
        (
            "bad Adler-32",
            tamper(
                Point::Zlib,
                Edit::Xor {
                    offset: -1,
                    mask: 1,
                },
            ),
            Stage::Zlib,
            "zlib.bad_adler32",
        ),
        (
            "a lowercase letter",
            tamper(
                Point::Text,
                Edit::Overwrite {
                    offset: 0,
                    bytes: b"b".to_vec(),
                },
            ),
            Stage::Base45,
            "base45.invalid_character",
        ),
        (
            "a dangling character",
            tamper(Point::Text, Edit::Append(b"0".to_vec())),
            Stage::Base45,
            "base45.dangling_character",
        ),
        (
            "an HC1: prefix",
            tamper(Point::Text, Edit::Prepend(b"HC1:".to_vec())),
            Stage::Base45,
            "base45.triplet_overflow",
        ),
        (
            "no compression",
            EncodeOptions {
                no_compression: true,
                ..EncodeOptions::default()
            },
            Stage::Zlib,
            "zlib.no_compression",
        ),
        (
            "encrypt-then-sign",
            EncodeOptions {
                layering: Layering::EncryptThenSign,
                ..EncodeOptions::default()
            },
            Stage::Cose,
            "cose.encrypt_then_sign",
        ),
        (
            "kid in both buckets (RFC 9052 §3: SHOULD verify it is not)",
            EncodeOptions {
                kid_placement: Placement::Both,
                ..EncodeOptions::default()
            },
            Stage::Cose,
            "cose.label_in_both_buckets",
        ),
        (
            "encrypted, not signed",
            EncodeOptions {
                layering: Layering::EncryptOnly,
                ..EncodeOptions::default()
            },
            Stage::Cose,
            "cose.unsigned",
        ),
        (
            "tampered ciphertext",
            tamper(Point::Ciphertext, Edit::Xor { offset: 3, mask: 1 }),
            Stage::Decrypt,
            "decrypt.failed",
        ),
        (
            "IV and Partial IV",
            EncodeOptions {
                extra_enc_unprotected: vec![(Value::Integer(6), Value::Bytes(vec![1]))],
                ..EncodeOptions::default()
            },
            Stage::Decrypt,
            "decrypt.iv_and_partial_iv",
        ),
    ];
    for (what, options, stage, code) in cases {
        let encrypted =
            what.contains("encrypt") || what.contains("ciphertext") || what.contains("IV");
        let f = if encrypted {
            encrypted_fixture(options)
        } else {
            fixture(options)
        };
        let o = f.decode().outcome;
        assert_eq!(
            (o.verdict, o.stage, o.code.as_deref()),
            (Verdict::Reject, Some(stage), Some(code)),
            "{what}: {:?}",
            o.message
        );
        assert!(
            o.claim169.is_none(),
            "{what}: a rejection returns no identity data"
        );
    }
}

#[test]
fn der_signatures_and_wrong_keys_are_rejected() {
    for alg in [
        SignatureAlgorithm::Es256,
        SignatureAlgorithm::Es384,
        SignatureAlgorithm::Es512,
    ] {
        let mut f = fixture(EncodeOptions {
            signature_format: SignatureFormat::Der,
            ..EncodeOptions::default()
        });
        f.sign = signing_key(alg, "der");
        f.request.sign.as_mut().unwrap().key = f.sign.clone();
        assert_eq!(
            f.decode().outcome.code.as_deref(),
            Some("signature.bad_length"),
            "{alg:?}"
        );
    }
    let f = fixture(EncodeOptions::default());
    let other = public(&signing_key(SignatureAlgorithm::EdDsa, "someone else"));
    let o = decode(
        &f.encode().text,
        &DecodeOptions {
            verify_keys: vec![other],
            ..f.options()
        },
    )
    .outcome;
    assert_eq!(o.code.as_deref(), Some("signature.invalid"));
    let enc = encrypted_fixture(EncodeOptions::default());
    let wrong = support::aes_key(
        c169_crypto::crypto::ContentAlgorithm::A256Gcm,
        "someone else",
    );
    let o = decode(
        &enc.encode().text,
        &DecodeOptions {
            decrypt_keys: vec![wrong],
            ..enc.options()
        },
    )
    .outcome;
    assert_eq!(o.code.as_deref(), Some("decrypt.failed"));
    let o = decode(
        &enc.encode().text,
        &DecodeOptions {
            decrypt_keys: vec![],
            ..enc.options()
        },
    )
    .outcome;
    assert_eq!(o.code.as_deref(), Some("decrypt.no_key"));
}

#[test]
fn tolerated_variants_are_accepted_and_flagged() {
    let cases: Vec<(&str, EncodeOptions, Option<Flag>)> = vec![
        (
            "untagged",
            EncodeOptions {
                tags: Tags::None,
                ..EncodeOptions::default()
            },
            Some(Flag::Untagged),
        ),
        (
            "tag 61 around 18",
            EncodeOptions {
                tags: Tags::CwtAndCose,
                ..EncodeOptions::default()
            },
            None,
        ),
        (
            "kid unprotected",
            EncodeOptions {
                kid_placement: Placement::Unprotected,
                ..EncodeOptions::default()
            },
            None,
        ),
        (
            "claim 169 as bytes",
            EncodeOptions {
                claim169_as_bytes: true,
                ..EncodeOptions::default()
            },
            Some(Flag::SpecExampleEncoding),
        ),
        (
            "indefinite lengths, keys reversed",
            EncodeOptions {
                claims_style: WriteStyle {
                    indefinite: true,
                    key_order: KeyOrder::Reversed,
                },
                ..EncodeOptions::default()
            },
            None,
        ),
        (
            "stored blocks, window 2^8",
            EncodeOptions {
                zlib: zlib::ZlibOptions {
                    level: 0,
                    window_bits: 8,
                    ..zlib::ZlibOptions::default()
                },
                ..EncodeOptions::default()
            },
            None,
        ),
    ];
    for (what, options, flag) in cases {
        let o = fixture(options).decode().outcome;
        assert_eq!(
            (o.verdict, o.verified),
            (Verdict::Accept, Some(true)),
            "{what}: {o:?}"
        );
        if let Some(flag) = flag {
            assert!(o.has_flag(&flag), "{what}: {:?}", o.warnings);
        }
    }
}

#[test]
fn time_boundaries_through_the_pipeline() {
    let at = |exp: i64, nbf: i64| {
        let mut f = fixture(EncodeOptions::default());
        f.request.cwt = support::claims(exp, nbf);
        f.decode().outcome.code
    };
    assert_eq!(at(NOW, NOW - 10).as_deref(), Some("time.expired")); // exp == now
    assert_eq!(at(NOW + 1, NOW - 10), None);
    assert_eq!(at(NOW + 10, NOW + 1).as_deref(), Some("time.not_yet_valid"));
    assert_eq!(at(NOW + 10, NOW), None); // nbf == now
    let mut f = fixture(EncodeOptions::default());
    f.request.cwt = support::claims(NOW, NOW - 10);
    let o = decode(
        &f.encode().text,
        &DecodeOptions {
            leeway: 1,
            ..f.options()
        },
    )
    .outcome;
    assert_eq!(o.verdict, Verdict::Accept, "inside the leeway");
}

#[test]
fn limits_are_rejections_at_stage_limit() {
    // A zip bomb: 1 MiB of zeros in the claim 169 map compresses to about 1 KiB.
    let mut f = fixture(EncodeOptions::default());
    f.request.claim169 = Value::int_map([(24, Value::Bytes(vec![0; 1 << 20]))]);
    let e = f.encode();
    assert!(e.text.len() < 4096);
    let o = f.decode().outcome;
    assert_eq!(
        (o.stage, o.code.as_deref()),
        (Some(Stage::Limit), Some("limit.decompressed_size")),
        "{o:?}"
    );
    // Deep nesting in the claims: [[[…]]] 200 deep.
    let mut deep = Value::Integer(0);
    for _ in 0..200 {
        deep = Value::Array(vec![deep]);
    }
    let mut f = fixture(EncodeOptions::default());
    f.request.claim169 = Value::int_map([(24, deep)]);
    let o = f.decode().outcome;
    assert_eq!(
        (o.stage, o.code.as_deref()),
        (Some(Stage::Limit), Some("limit.cbor_depth")),
        "{o:?}"
    );
    // A huge array: 20 000 items against a limit of 16 384.
    let mut f = fixture(EncodeOptions::default());
    f.request.claim169 = Value::int_map([(24, Value::Array(vec![Value::Integer(0); 20_000]))]);
    let o = f.decode().outcome;
    assert_eq!(o.code.as_deref(), Some("limit.cbor_items"), "{o:?}");
    // The text length limit.
    let o = decode(
        &"0".repeat(20_000),
        &DecodeOptions {
            limits: Limits::default(),
            ..DecodeOptions::default()
        },
    )
    .outcome;
    assert_eq!(o.code.as_deref(), Some("limit.text_length"));
}

#[test]
fn trace_keeps_every_artefact() {
    let f = encrypted_fixture(EncodeOptions::default());
    let e = f.encode();
    let d = decode(&e.text, &f.options());
    let t = &d.trace;
    assert_eq!(t.zlib.as_deref(), Some(e.zlib.as_slice()));
    assert_eq!(t.cose.as_deref(), Some(e.cose.as_slice()));
    assert_eq!(t.plaintext.as_deref(), Some(e.sign1.as_slice()));
    assert_eq!(t.payload.as_deref(), Some(e.payload.as_slice()));
    assert_eq!(t.signature.as_deref(), Some(e.signature.as_slice()));
    assert_eq!(t.iv.as_deref(), Some(&(0u8..12).collect::<Vec<_>>()[..]));
    assert!(t.claims.is_some() && t.claim169.is_some() && t.cose_value.is_some());
}
