//! The `roundtrip` target: a [`Credential`] encoded by the reference encoder and
//! decoded back with the matching TEST KEYS.

use crate::check::{panic_with, same, same_entries, show};
use crate::credential::{Credential, TagChoice};
use crate::test_keys::{content_key, signing_key, verify_key};
use arbitrary::{Arbitrary, Unstructured};
use c169_codec::cbor::{KeyOrder, WriteStyle};
use c169_codec::encode::{Placement, Tags};
use c169_codec::{
    zlib as zlib_mod, DecodeOptions, EncodeOptions, EncodeRequest, EncryptSpec, Limits, SignSpec,
};
use c169_crypto::crypto::{ContentAlgorithm, SignatureAlgorithm};
use c169_model::{from_canonical_json, to_canonical_json, Value, Verdict};

/// What [`roundtrip`] encodes and expects back.
struct Plan {
    request: EncodeRequest,
    claim169: Value,
    cwt: Value,
    now: Option<i64>,
    alg: SignatureAlgorithm,
    enc: Option<ContentAlgorithm>,
}

fn plan(input: Credential) -> Option<Plan> {
    let claim169 = input.identity.into_value();
    let (cwt, now) = input.claims.into_value();
    let alg = input.alg.algorithm();
    let key = signing_key(alg)?.clone();
    let e = input.envelope;
    let encrypt = match input.encryption {
        Some(enc) => Some(EncryptSpec {
            key: content_key(enc.alg.algorithm())?.clone(),
            alg: None,
            iv: enc.iv.to_vec(),
        }),
        None => None,
    };
    let enc = input.encryption.map(|e| e.alg.algorithm());
    let options = EncodeOptions {
        claims_style: WriteStyle {
            indefinite: e.indefinite,
            key_order: KeyOrder::AsGiven,
        },
        claim169_as_bytes: e.claim169_as_bytes,
        tags: match e.tags {
            TagChoice::Cose => Tags::Cose,
            TagChoice::CwtAndCose => Tags::CwtAndCose,
            TagChoice::Untagged => Tags::None,
        },
        kid_placement: if e.kid_unprotected {
            Placement::Unprotected
        } else {
            Placement::Protected
        },
        zlib: zlib_mod::ZlibOptions {
            level: e.zlib_level % 10,
            window_bits: 8 + e.zlib_window % 8,
            ..zlib_mod::ZlibOptions::default()
        },
        ..EncodeOptions::default()
    };
    let request = EncodeRequest {
        claim169: claim169.clone(),
        cwt: cwt.clone(),
        sign: Some(SignSpec {
            key,
            alg: None,
            kid: e.kid,
        }),
        encrypt,
        options,
    };
    Some(Plan {
        request,
        claim169,
        cwt,
        now,
        alg,
        enc,
    })
}

/// Limits that admit `encoded`: the round trips test identity, not the size limits
/// (the bytes are bounded by the input anyway).
pub(crate) fn limits_for(text: &str, cose: &[u8], depth: usize) -> Limits {
    let d = Limits::default();
    Limits {
        max_text_len: d.max_text_len.max(text.len()),
        max_decompressed: d.max_decompressed.max(cose.len()),
        max_depth: d.max_depth.max(depth),
        ..d
    }
}

/// Structure-aware identity: encode a [`Credential`] with the reference encoder,
/// decode it with the matching TEST KEYS at a time inside its validity, and require
/// acceptance, a verified signature, the algorithms used, and the claim 169 map and
/// CWT claims encoded (compared as values, floats by bits, and as canonical JSON).
///
/// # Panics
///
/// When encoding fails or the decoding differs.
#[allow(clippy::needless_pass_by_value)] // the fuzzer hands the credential over
pub fn roundtrip(input: Credential) {
    let Some(plan) = plan(input) else {
        panic_with("a TEST KEY is missing");
    };
    let encoded = match c169_codec::encode(&plan.request) {
        Ok(e) => e,
        Err(e) => panic_with(&format!("the encoder refused a conformant credential: {e}")),
    };
    let verify = verify_key(plan.alg).cloned();
    let decrypt = plan.enc.and_then(content_key).cloned();
    let options = DecodeOptions {
        now: plan.now,
        verify_keys: verify.into_iter().collect(),
        decrypt_keys: decrypt.into_iter().collect(),
        limits: limits_for(&encoded.text, &encoded.cose, 0),
        ..DecodeOptions::default()
    };
    let decoded = c169_codec::decode(&encoded.text, &options);
    let o = &decoded.outcome;
    assert_eq!(o.verdict, Verdict::Accept, "refused: {}", show(o));
    assert_eq!(o.verified, Some(true));
    let facts = o.cose.as_ref();
    assert_eq!(facts.and_then(|f| f.alg), Some(plan.alg.cose_id()));
    assert_eq!(
        facts.and_then(|f| f.enc_alg),
        plan.enc.map(ContentAlgorithm::cose_id)
    );
    let Value::Map(expected) = &plan.claim169 else {
        panic_with("the plan's claim 169 is not a map");
    };
    assert!(
        decoded
            .claim169
            .as_deref()
            .is_some_and(|got| same_entries(got, expected)),
        "claim 169 changed: {:?} became {:?}",
        plan.claim169,
        decoded.claim169
    );
    assert_eq!(
        o.claim169.as_ref(),
        Some(&to_canonical_json(&plan.claim169))
    );
    assert_eq!(o.cwt.as_ref(), Some(&to_canonical_json(&plan.cwt)));
    let cwt_back = o.cwt.as_ref().and_then(|j| from_canonical_json(j).ok());
    assert!(
        cwt_back.as_ref().is_some_and(|c| same(c, &plan.cwt)),
        "CWT claims changed: {:?} became {cwt_back:?}",
        plan.cwt
    );
}

/// [`roundtrip`] over a [`Credential`] built from bytes as `libfuzzer-sys` builds it
/// (`arbitrary_take_rest`, inputs shorter than the size hint skipped): the replay
/// of the `roundtrip` corpus.
///
/// # Panics
///
/// As [`roundtrip`].
pub fn roundtrip_bytes(data: &[u8]) {
    if data.len() < <Credential as Arbitrary>::size_hint(0).0 {
        return;
    }
    if let Ok(credential) = Credential::arbitrary_take_rest(Unstructured::new(data)) {
        roundtrip(credential);
    }
}
