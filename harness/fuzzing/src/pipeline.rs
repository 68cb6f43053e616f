//! The targets over the whole pipeline on a QR text: [`decode`], with and without
//! the TEST KEYS, and [`reencode`], which encodes again what was accepted.

use crate::check::{panic_with, same_entries, show, text_of};
use crate::roundtrip::limits_for;
use crate::test_keys::{signing_key, test_keys, verify_key};
use crate::NOW;
use c169_codec::{DecodeOptions, Decoded, EncodeOptions, EncodeRequest, SignSpec};
use c169_crypto::crypto::SignatureAlgorithm;
use c169_model::{from_canonical_json, map_to_canonical_json, Stage, Value, Verdict};
use std::sync::OnceLock;

fn keyed_options() -> &'static DecodeOptions {
    static OPTIONS: OnceLock<DecodeOptions> = OnceLock::new();
    OPTIONS.get_or_init(|| DecodeOptions {
        now: Some(NOW),
        verify_keys: test_keys().verify.clone(),
        decrypt_keys: test_keys().content.iter().map(|(_, k)| k.clone()).collect(),
        trace: true,
        ..DecodeOptions::default()
    })
}

fn bare_options() -> DecodeOptions {
    DecodeOptions::default()
}

/// What every outcome must satisfy, whatever the input.
fn check_outcome(decoded: &Decoded, keyed: bool) {
    let o = &decoded.outcome;
    if let Err(e) = c169_model::protocol::check_outcome(o) {
        panic_with(&format!("outcome breaks the protocol: {e}: {}", show(o)));
    }
    match o.verdict {
        Verdict::Accept => {
            assert!(
                o.stage.is_none() && o.code.is_none(),
                "an acceptance names a stage: {}",
                show(o)
            );
            assert_eq!(o.verified, Some(keyed), "{}", show(o));
            let Some(map) = &decoded.claim169 else {
                panic_with(&format!("an acceptance without its map: {}", show(o)));
            };
            assert_eq!(
                o.claim169.as_ref(),
                Some(&map_to_canonical_json(map)),
                "the outcome's claim 169 is not the map's"
            );
            for member in [&o.claim169, &o.cwt] {
                let Some(json) = member else {
                    panic_with(&format!("an acceptance without content: {}", show(o)));
                };
                assert!(matches!(from_canonical_json(json), Ok(Value::Map(_))));
            }
            // The canonical JSON reads back to the very map.
            if let (Some(json), Some(map)) = (&o.claim169, &decoded.claim169) {
                let back = from_canonical_json(json).ok();
                assert!(
                    back.as_ref()
                        .and_then(Value::as_map)
                        .is_some_and(|b| same_entries(b, map)),
                    "canonical JSON lost part of the claim 169 map"
                );
            }
            assert!(
                decoded.identity().is_some(),
                "an accepted map has no typed reading"
            );
        }
        Verdict::Reject => {
            assert!(
                o.stage.is_some() && o.code.is_some(),
                "a rejection without its stage or code: {}",
                show(o)
            );
            assert!(
                decoded.claim169.is_none() && o.claim169.is_none(),
                "a rejection with content"
            );
        }
    }
}

/// The full decode: arbitrary bytes as a QR text, decoded with every TEST KEY at the
/// corpus's validation time (keeping the trace), and with no key and no time. Never
/// panics; each outcome is well-formed; and the two agree: what the bare decoding
/// accepts unencrypted, the keyed one accepts with the same content or refuses for
/// its signature or its time only.
///
/// # Panics
///
/// When one of these fails.
pub fn decode(data: &[u8]) {
    let text = text_of(data);
    let keyed = c169_codec::decode(&text, keyed_options());
    check_outcome(&keyed, true);
    let bare = c169_codec::decode(&text, &bare_options());
    check_outcome(&bare, false);
    if bare.outcome.verdict == Verdict::Accept {
        let k = &keyed.outcome;
        match k.verdict {
            Verdict::Accept => {
                assert_eq!(
                    k.claim169, bare.outcome.claim169,
                    "keys changed the content"
                );
                assert_eq!(k.cwt, bare.outcome.cwt, "keys changed the claims");
            }
            Verdict::Reject => assert!(
                matches!(k.stage, Some(Stage::Signature | Stage::Time)),
                "accepted without keys, refused with them for a reason keys do not explain: {}",
                show(k)
            ),
        }
    }
}

/// Re-encoding: decode arbitrary bytes as a QR text (with the TEST content keys, no
/// verification, no time); when accepted, encode the decoded claim 169 map and CWT
/// claims again (read back from canonical JSON) with the Ed25519 TEST KEY, decode
/// that, and require acceptance with the same claims.
///
/// # Panics
///
/// When one of these fails.
pub fn reencode(data: &[u8]) {
    let text = text_of(data);
    let options = DecodeOptions {
        decrypt_keys: keyed_options().decrypt_keys.clone(),
        ..DecodeOptions::default()
    };
    let first = c169_codec::decode(&text, &options);
    if first.outcome.verdict != Verdict::Accept {
        return;
    }
    let (Some(map), Some(cwt_json)) = (&first.claim169, &first.outcome.cwt) else {
        panic_with(&format!(
            "an acceptance without content: {}",
            show(&first.outcome)
        ));
    };
    let cwt = match from_canonical_json(cwt_json) {
        Ok(c) => c,
        Err(e) => panic_with(&format!("decoded CWT claims are not canonical JSON: {e}")),
    };
    let Some(key) = signing_key(SignatureAlgorithm::EdDsa) else {
        panic_with("the Ed25519 TEST KEY is missing");
    };
    let request = EncodeRequest {
        claim169: Value::Map(map.clone()),
        cwt,
        sign: Some(SignSpec {
            key: key.clone(),
            alg: None,
            kid: key.kid.clone(),
        }),
        encrypt: None,
        options: EncodeOptions::default(),
    };
    let encoded = match c169_codec::encode(&request) {
        Ok(e) => e,
        Err(e) => panic_with(&format!("decoded claims do not encode: {e}")),
    };
    // A claim 169 map that came wrapped in a byte string counts its depth afresh
    // there; written as a map inside the claims, it sits one level deeper.
    let depth = options.limits.max_depth + 1;
    let again = c169_codec::decode(
        &encoded.text,
        &DecodeOptions {
            verify_keys: verify_key(SignatureAlgorithm::EdDsa)
                .cloned()
                .into_iter()
                .collect(),
            limits: limits_for(&encoded.text, &encoded.cose, depth),
            ..DecodeOptions::default()
        },
    );
    let o = &again.outcome;
    assert_eq!(
        o.verdict,
        Verdict::Accept,
        "re-encoded claims refused: {}",
        show(o)
    );
    assert_eq!(o.verified, Some(true));
    assert!(
        again
            .claim169
            .as_deref()
            .is_some_and(|m| same_entries(m, map)),
        "claim 169 changed on re-encoding"
    );
    assert_eq!(o.claim169, first.outcome.claim169);
    assert_eq!(o.cwt, first.outcome.cwt);
}
