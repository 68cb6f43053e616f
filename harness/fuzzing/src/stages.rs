//! One target per pipeline stage, each over that stage's reader and writer alone.

use crate::check::{panic_with, same, text_of};
use crate::credential::int;
use crate::NOW;
use c169_codec::cbor::{self, KeyOrder, ReadLimits, WriteStyle};
use c169_codec::{
    base45 as b45, claim169 as c169, cose as cose_mod, cwt as cwt_mod, zlib as zlib_mod,
};
use c169_model::{from_canonical_json, map_to_canonical_json, to_canonical_json, Value};

/// The bound on inflation in the [`zlib`] target: the decoder's default.
const INFLATE_LIMIT: usize = 64 * 1024;

// ---------------------------------------------------------------------------------
// base45
// ---------------------------------------------------------------------------------

/// Base45: decoding arbitrary text never panics; a text that decodes re-encodes to
/// itself (the strict decoder admits one spelling per byte string); encoding
/// arbitrary bytes decodes back to them, with the length RFC 9285 gives.
///
/// # Panics
///
/// When one of these fails.
pub fn base45(data: &[u8]) {
    let text = text_of(data);
    if let Ok(bytes) = b45::decode(&text) {
        assert_eq!(
            bytes.len(),
            text.len() / 3 * 2 + usize::from(text.len() % 3 == 2),
            "decoded length of {text:?}"
        );
        assert_eq!(
            b45::encode(&bytes),
            text,
            "{text:?} does not re-encode to itself"
        );
    }
    let encoded = b45::encode(data);
    assert_eq!(encoded.len(), data.len() / 2 * 3 + data.len() % 2 * 2);
    assert!(
        encoded
            .bytes()
            .all(|c| b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".contains(&c)),
        "encoding left the alphabet: {encoded:?}"
    );
    match b45::decode(&encoded) {
        Ok(back) => assert_eq!(back, data, "encode → decode changed the bytes"),
        Err(e) => panic_with(&format!("the encoding of {data:02x?} does not decode: {e}")),
    }
}

// ---------------------------------------------------------------------------------
// zlib
// ---------------------------------------------------------------------------------

/// zlib: inflating arbitrary bytes never panics, stays within its bound and, when it
/// succeeds, the trailer matches what came out; deflating arbitrary bytes (level and
/// window from the first byte) inflates back to them, with the header asked for, and
/// the stream cut by one byte or extended by one is refused.
///
/// # Panics
///
/// When one of these fails.
pub fn zlib(data: &[u8]) {
    if let Ok(inflated) = zlib_mod::inflate(data, INFLATE_LIMIT) {
        assert!(
            inflated.data.len() <= INFLATE_LIMIT,
            "inflate overran its bound"
        );
        assert_eq!(inflated.adler32, zlib_mod::adler32(&inflated.data));
        assert_eq!(
            data.get(..2),
            Some(&[inflated.header.cmf, inflated.header.flg][..])
        );
    }
    let knob = data.first().copied().unwrap_or(0);
    let options = zlib_mod::ZlibOptions {
        level: knob % 10,
        window_bits: 8 + (knob / 10) % 8,
        ..zlib_mod::ZlibOptions::default()
    };
    let compressed = match zlib_mod::deflate(data, &options) {
        Ok(c) => c,
        Err(e) => panic_with(&format!("deflate with {options:?} failed: {e}")),
    };
    match zlib_mod::inflate(&compressed, data.len()) {
        Ok(back) => {
            assert_eq!(back.data, data, "deflate → inflate changed the bytes");
            assert_eq!(back.header.window_bits, options.window_bits);
        }
        Err(e) => panic_with(&format!(
            "deflate with {options:?} gave a stream that does not inflate: {e}"
        )),
    }
    if let Some((_, cut)) = compressed.split_last() {
        assert!(
            zlib_mod::inflate(cut, data.len()).is_err(),
            "a stream cut by one byte inflates"
        );
    }
    let mut longer = compressed;
    longer.push(0);
    assert!(
        zlib_mod::inflate(&longer, data.len()).is_err(),
        "a stream with a byte after its trailer inflates"
    );
}

// ---------------------------------------------------------------------------------
// cbor
// ---------------------------------------------------------------------------------

/// CBOR: decoding arbitrary bytes never panics; what decodes writes back (preferred
/// serialization, and indefinite lengths) to bytes that decode to the same value
/// within the same limits; preferred serialization is a fixed point.
///
/// # Panics
///
/// When one of these fails.
pub fn cbor(data: &[u8]) {
    let limits = ReadLimits::default();
    let _ = cbor::decode_prefix(data, limits);
    let Ok(value) = cbor::decode(data, limits) else {
        return;
    };
    let _ = cbor::diagnostic(&value, 16);
    let _ = to_canonical_json(&value);
    for style in [
        WriteStyle::default(),
        WriteStyle {
            indefinite: true,
            key_order: KeyOrder::AsGiven,
        },
    ] {
        let written = match cbor::encode_with(&value, style) {
            Ok(w) => w,
            Err(e) => panic_with(&format!("a decoded value does not write ({style:?}): {e}")),
        };
        match cbor::decode(&written, limits) {
            Ok(again) => {
                assert!(
                    same(&value, &again),
                    "decode → encode ({style:?}) → decode changed the value: {value:?} became {again:?}"
                );
                if !style.indefinite {
                    assert_eq!(
                        cbor::encode(&again).as_ref(),
                        Ok(&written),
                        "preferred serialization is not a fixed point"
                    );
                }
            }
            Err(e) => panic_with(&format!(
                "a decoded value, written ({style:?}), does not decode: {e}"
            )),
        }
    }
    // Canonical JSON is lossless.
    match from_canonical_json(&to_canonical_json(&value)) {
        Ok(back) => assert!(same(&back, &value), "canonical JSON lost {value:?}"),
        Err(e) => panic_with(&format!(
            "canonical JSON of {value:?} does not read back: {e}"
        )),
    }
}

// ---------------------------------------------------------------------------------
// cose
// ---------------------------------------------------------------------------------

/// COSE: parsing arbitrary bytes as a COSE message never panics, nor do the header
/// readers on what parses; the tags reported agree with the structure found.
///
/// # Panics
///
/// When one of these fails.
pub fn cose(data: &[u8]) {
    let mut warnings = Vec::new();
    let Ok(envelope) = cose_mod::parse_message(data, ReadLimits::default(), &mut warnings) else {
        return;
    };
    let (headers, structure, tag) = match &envelope.message {
        cose_mod::Message::Sign1(s) => {
            let _ = cose_mod::sig_structure(&s.headers.protected_bytes, &s.payload);
            let _ = cwt_mod::parse_claims(&s.payload, ReadLimits::default(), &mut warnings);
            (&s.headers, cose_mod::Structure::Sign1, cose_mod::TAG_SIGN1)
        }
        cose_mod::Message::Encrypt0(e) => {
            let _ = cose_mod::enc_structure(&e.headers.protected_bytes);
            let _ = cose_mod::iv(&e.headers);
            (
                &e.headers,
                cose_mod::Structure::Encrypt0,
                cose_mod::TAG_ENCRYPT0,
            )
        }
    };
    match envelope.tags.as_slice() {
        [] => {}
        [t] | [cose_mod::TAG_CWT, t] => assert_eq!(*t, tag, "tags {:?}", envelope.tags),
        other => panic_with(&format!("unexpected tags {other:?}")),
    }
    let _ = cose_mod::algorithm(headers, structure);
    let _ = cose_mod::kid(headers);
    let _ = cose_mod::x5_facts(headers, &mut warnings);
}

// ---------------------------------------------------------------------------------
// cwt
// ---------------------------------------------------------------------------------

/// CWT: parsing arbitrary bytes as a claims set never panics; on what parses, the
/// time check never panics (at the extremes of time and leeway) and the claim 169
/// map goes through [`claim169`]'s checks.
///
/// # Panics
///
/// When one of these fails.
pub fn cwt(data: &[u8]) {
    let mut warnings = Vec::new();
    let Ok(claims) = cwt_mod::parse_claims(data, ReadLimits::default(), &mut warnings) else {
        return;
    };
    for now in [i64::MIN, -1, 0, NOW, i64::MAX] {
        for leeway in [0, 300, u64::MAX] {
            let _ = cwt_mod::check_time(&claims, now, leeway);
        }
        // A larger leeway never turns a valid credential invalid.
        if cwt_mod::check_time(&claims, now, 0).is_ok() {
            assert!(
                cwt_mod::check_time(&claims, now, 300).is_ok(),
                "leeway made {claims:?} invalid at {now}"
            );
        }
    }
    let _ = map_to_canonical_json(&claims.others);
    check_claim169(&claims.claim169);
}

// ---------------------------------------------------------------------------------
// claim169
// ---------------------------------------------------------------------------------

/// Claim 169: for arbitrary bytes that decode as a CBOR map, the decoder's check
/// (which builds nothing) and the typed reading agree on the verdict and on every
/// warning, and the typed reading serialises.
///
/// # Panics
///
/// When they disagree.
pub fn claim169(data: &[u8]) {
    match cbor::decode(data, ReadLimits::default()) {
        Ok(Value::Map(map)) => check_claim169(&map),
        // Any other value stands for every kind of attribute at once.
        Ok(other) => {
            let map: Vec<(Value, Value)> = [1, 9, 16, 18, 50, 62, 99]
                .into_iter()
                .map(|k| (int(k), other.clone()))
                .collect();
            check_claim169(&map);
        }
        Err(_) => {}
    }
}

fn check_claim169(map: &[(Value, Value)]) {
    let mut checked = Vec::new();
    let verdict = c169::check(map, &mut checked);
    let mut read = Vec::new();
    let identity = c169::interpret(map, &mut read);
    assert_eq!(
        verdict.as_ref().err(),
        identity.as_ref().err(),
        "check and interpret disagree"
    );
    assert_eq!(checked, read, "check and interpret warn differently");
    if let Ok(identity) = identity {
        assert!(
            serde_json::to_value(&identity).is_ok(),
            "an identity does not serialise"
        );
    }
}
