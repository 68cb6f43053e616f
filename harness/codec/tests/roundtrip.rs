//! Property: encode → decode gives back every field of any identity, under every
//! signature algorithm, with and without each content-encryption algorithm.

#![allow(clippy::panic, clippy::unwrap_used)] // tests

mod support;

use c169_codec::claim169::{Kind, ATTRIBUTES, FIRST_BIOMETRIC, LAST_BIOMETRIC};
use c169_codec::{
    decode, encode, DecodeOptions, EncodeOptions, EncodeRequest, EncryptSpec, SignSpec,
};
use c169_crypto::crypto::{ContentAlgorithm, SignatureAlgorithm};
use c169_model::{to_canonical_json, Value, Verdict};
use proptest::prelude::*;
use support::{aes_key, claims, public, signing_key, NOW};

fn text() -> impl Strategy<Value = Value> {
    // Any Unicode, including the empty string and characters outside the BMP.
    ".{0,40}".prop_map(Value::Text)
}

fn bytes(max: usize) -> impl Strategy<Value = Value> {
    proptest::collection::vec(any::<u8>(), 0..max).prop_map(Value::Bytes)
}

fn attribute(kind: Kind, key: i128) -> BoxedStrategy<Value> {
    match kind {
        Kind::Text => text().boxed(),
        Kind::Bytes => bytes(600).boxed(),
        Kind::Enum(_) => {
            let max: i128 = if key == 17 { 4 } else { 3 };
            (1..=max).prop_map(|n: i128| Value::Integer(n)).boxed()
        }
        Kind::Fingers => proptest::collection::vec((0..=10i128).prop_map(Value::Integer), 0..11)
            .prop_map(Value::Array)
            .boxed(),
    }
}

fn biometric_entry() -> impl Strategy<Value = Value> {
    (
        bytes(200),
        0..=3i128,
        0..=6i128,
        proptest::option::of(text()),
    )
        .prop_map(|(data, format, sub, issuer)| {
            let sub = if format == 2 { sub.min(1) } else { sub };
            let mut entry = vec![
                (Value::Integer(0), data),
                (Value::Integer(1), Value::Integer(format)),
                (Value::Integer(2), Value::Integer(sub)),
            ];
            if let Some(i) = issuer {
                entry.push((Value::Integer(3), i));
            }
            Value::Map(entry)
        })
}

/// A claim 169 map with any subset of attributes 1–23 and 50–65.
fn identity() -> impl Strategy<Value = Value> {
    let attrs: Vec<BoxedStrategy<Option<(i128, Value)>>> = ATTRIBUTES
        .iter()
        .map(|a| {
            let key = a.key;
            proptest::option::of(attribute(a.kind, key))
                .prop_map(move |v| v.map(|v| (key, v)))
                .boxed()
        })
        .collect();
    let bios = proptest::collection::vec(
        (
            FIRST_BIOMETRIC..=LAST_BIOMETRIC,
            proptest::collection::vec(biometric_entry(), 1..3),
        ),
        0..4,
    );
    (attrs, bios).prop_map(|(attrs, bios)| {
        let mut map: Vec<(Value, Value)> = attrs
            .into_iter()
            .flatten()
            .map(|(k, v)| (Value::Integer(k), v))
            .collect();
        for (k, entries) in bios {
            if !map.iter().any(|(key, _)| key == &Value::Integer(k)) {
                map.push((Value::Integer(k), Value::Array(entries)));
            }
        }
        Value::Map(map)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn every_field_survives_every_algorithm(claim169 in identity(), seed in any::<u64>()) {
        let cwt = claims(NOW + 3600, NOW - 3600);
        for alg in SignatureAlgorithm::ALL {
            let sign = signing_key(alg, &format!("roundtrip-{seed}"));
            for enc in [None, Some(ContentAlgorithm::A128Gcm), Some(ContentAlgorithm::A192Gcm), Some(ContentAlgorithm::A256Gcm)] {
                let enc_key = enc.map(|e| aes_key(e, &format!("roundtrip-{seed}")));
                let request = EncodeRequest {
                    claim169: claim169.clone(),
                    cwt: cwt.clone(),
                    sign: Some(SignSpec { key: sign.clone(), alg: None, kid: Some(seed.to_be_bytes().to_vec()) }),
                    encrypt: enc_key.clone().map(|key| EncryptSpec { key, alg: None, iv: seed.to_le_bytes().iter().chain(&[7, 7, 7, 7]).copied().collect() }),
                    options: EncodeOptions::default(),
                };
                let encoded = encode(&request).unwrap();
                let options = DecodeOptions {
                    now: Some(NOW),
                    verify_keys: vec![public(&sign)],
                    decrypt_keys: enc_key.into_iter().collect(),
                    ..DecodeOptions::default()
                };
                let o = decode(&encoded.text, &options).outcome;
                prop_assert_eq!(o.verdict, Verdict::Accept, "{:?} {:?}: {:?}", alg, enc, o);
                prop_assert_eq!(o.verified, Some(true));
                prop_assert_eq!(o.claim169.unwrap(), to_canonical_json(&claim169));
                prop_assert_eq!(o.cwt.unwrap(), to_canonical_json(&cwt));
                let cose = o.cose.unwrap();
                prop_assert_eq!(cose.alg, Some(alg.cose_id()));
                prop_assert_eq!(cose.enc_alg, enc.map(ContentAlgorithm::cose_id));
                // Deterministic: the same inputs give the same text.
                prop_assert_eq!(encode(&request).unwrap().text, encoded.text);
            }
        }
    }
}
