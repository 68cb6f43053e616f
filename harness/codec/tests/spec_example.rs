//! The specification's worked example (Claim 169 v1.2.0 §3.2.1) decodes.

#![allow(clippy::panic, clippy::unwrap_used, clippy::indexing_slicing)] // tests

use c169_codec::{base45, decode, zlib, DecodeOptions};
use c169_model::{Flag, Verdict};
use serde_json::json;

fn worked_example() -> Vec<u8> {
    let text: String = include_str!("../../../vectors/external/spec/worked-example.hex")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect();
    hex::decode(text.trim()).unwrap()
}

fn qr(prefix: &[u8]) -> String {
    let mut bytes = prefix.to_vec();
    bytes.extend(worked_example());
    base45::encode(&zlib::deflate(&bytes, &zlib::ZlibOptions::default()).unwrap())
}

/// Inside its validity: nbf 1756376445 ≤ now < exp 1787912445.
const INSIDE: i64 = 1_760_000_000;

#[test]
fn test_spec_worked_example_decodes_unverified() {
    for prefix in [&[][..], &[0xd8, 0x3d][..]] {
        let d = decode(
            &qr(prefix),
            &DecodeOptions {
                now: Some(INSIDE),
                ..DecodeOptions::default()
            },
        );
        let o = &d.outcome;
        assert_eq!(o.verdict, Verdict::Accept, "{o:?}");
        // No key is published: the signature is not verifiable, and the outcome says so.
        assert_eq!(o.verified, Some(false));
        assert!(o.has_flag(&Flag::SignatureNotVerified));
        // Claim 169 is a byte string holding the map, and the face one map: flagged.
        let spec_flags: Vec<_> = o
            .warnings
            .iter()
            .filter(|w| w.flag == Flag::SpecExampleEncoding)
            .map(|w| w.at.clone().unwrap())
            .collect();
        assert_eq!(spec_flags, vec!["169", "169/62"]);
        // Gender is the text "1": a type mismatch, reported.
        assert!(o
            .warnings
            .iter()
            .any(|w| w.flag == Flag::TypeMismatch && w.at.as_deref() == Some("169/9")));
        let c = o.claim169.as_ref().unwrap();
        assert_eq!(c["1"], json!("3918592438"));
        assert_eq!(c["4"], json!("Janardhan BS"));
        assert_eq!(c["8"], json!("19840418"));
        let face = hex::decode(c["62"]["0"]["bstr"].as_str().unwrap()).unwrap();
        assert_eq!(face.len(), 484);
        assert_eq!((&face[..4], &face[8..12]), (&b"RIFF"[..], &b"WEBP"[..]));
        assert_eq!(
            (c["62"]["1"].clone(), c["62"]["2"].clone()),
            (json!(0), json!(4))
        ); // image, WEBP
        assert_eq!(
            o.cwt.as_ref().unwrap(),
            &json!({"1": "www.mosip.io", "4": 1_787_912_445, "5": 1_756_376_445, "6": 1_756_376_445})
        );
        let cose = o.cose.as_ref().unwrap();
        assert_eq!(
            (cose.alg, cose.kid.clone()),
            (Some(-8), Some(json!({"bstr": "6b2d31313031"})))
        );
        let expected_tags = if prefix.is_empty() {
            vec![18]
        } else {
            vec![61, 18]
        };
        assert_eq!(cose.tags, expected_tags);
        // The typed reading names the fields.
        let id = d.identity().unwrap();
        assert_eq!(id.fields["fullName"], json!("Janardhan BS"));
    }
}

#[test]
fn test_spec_worked_example_outside_its_validity() {
    let at = |now| {
        decode(
            &qr(&[]),
            &DecodeOptions {
                now: Some(now),
                ..DecodeOptions::default()
            },
        )
        .outcome
        .code
    };
    assert_eq!(at(1_787_912_445).as_deref(), Some("time.expired")); // exp == now
    assert_eq!(at(1_756_376_444).as_deref(), Some("time.not_yet_valid")); // one second before nbf
    assert_eq!(at(1_756_376_445), None); // nbf == now
}
