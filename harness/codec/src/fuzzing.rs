//! Fuzz targets: one function per target, each checking the codec's invariants on
//! whatever bytes it is given and panicking only when one is broken — which is what
//! a coverage-guided fuzzer detects.
//!
//! The cargo-fuzz crate under `fuzz/` is one line per target over these functions,
//! and `harness/codec/tests/fuzz_replay.rs` replays every committed seed through them
//! on stable Rust, so the targets build and hold in `cargo test`. Nothing here needs
//! nightly or a feature.
//!
//! | target | input | invariants |
//! |---|---|---|
//! | [`base45`] | text or bytes | decode never panics; a decoded text re-encodes to itself; encode → decode is identity |
//! | [`zlib`] | a zlib stream, or bytes to deflate | inflate stays within its bound; the trailer holds; deflate → inflate is identity; a cut or extended stream is refused |
//! | [`cbor`] | CBOR | decode → encode → decode gives the same value, in both writing styles; preferred serialization is a fixed point |
//! | [`cose`] | a COSE message | the parser and every header reader never panic; tags agree with the structure |
//! | [`cwt`] | a claims set | the parser, the time check (any time, any leeway) and the claim 169 readers never panic |
//! | [`claim169`] | a claim 169 map | the checking walk and the typed reading agree |
//! | [`decode`] | a QR text | the full decode never panics, with and without keys; the two agree |
//! | [`roundtrip`] | a [`Credential`] | encode → decode with the matching keys accepts and gives back the claims |
//! | [`reencode`] | a QR text | an accepted credential re-encoded and decoded again gives the same claims |
//!
//! Every function is bounded: nothing it allocates grows faster than its input,
//! and inflation stops at the decoder's default 64 KiB.
//!
//! The keys are **TEST KEYS**, derived in code from their names exactly as the
//! generated corpus derives its keys (`"c169 test key " ‖ name`), so credentials
//! from the vectors verify and decrypt here. Anyone can recompute them.

use crate::cbor::{self, KeyOrder, ReadLimits, WriteStyle};
use crate::crypto::{ContentAlgorithm, SignatureAlgorithm};
use crate::encode::{Placement, Tags};
use crate::keys::{Key, KeyMaterial, PrivateKey, SymmetricKey};
use crate::{
    base45 as b45, claim169 as c169, cose as cose_mod, cwt as cwt_mod, zlib as zlib_mod,
    DecodeOptions, Decoded, EncodeOptions, EncodeRequest, EncryptSpec, Limits, SignSpec,
};
use arbitrary::{Arbitrary, Unstructured};
use c169_model::{
    from_canonical_json, map_to_canonical_json, to_canonical_json, Outcome, Stage, Value, Verdict,
};
use std::sync::OnceLock;

/// The fuzz targets, by name (the names of `fuzz/fuzz_targets/*.rs` and of the
/// folders of `fuzz/corpus/`).
pub const TARGETS: [&str; 9] = [
    "base45",
    "zlib",
    "cbor",
    "cose",
    "cwt",
    "claim169",
    "decode",
    "roundtrip",
    "reencode",
];

/// The validation time of the generated corpus, used by the keyed decoding.
pub const NOW: i64 = 1_760_000_000;

/// The bound on inflation in the [`zlib`] target: the decoder's default.
const INFLATE_LIMIT: usize = 64 * 1024;

/// Runs the target called `name` on `data`; `false` when there is no such target.
///
/// # Panics
///
/// When the target finds an invariant broken.
#[must_use]
pub fn run(name: &str, data: &[u8]) -> bool {
    match name {
        "base45" => base45(data),
        "zlib" => zlib(data),
        "cbor" => cbor(data),
        "cose" => cose(data),
        "cwt" => cwt(data),
        "claim169" => claim169(data),
        "decode" => decode(data),
        "roundtrip" => roundtrip_bytes(data),
        "reencode" => reencode(data),
        _ => return false,
    }
    true
}

// ---------------------------------------------------------------------------------
// TEST KEYS
// ---------------------------------------------------------------------------------

/// The TEST KEYS of the fuzz targets.
struct TestKeys {
    /// One private key per signature algorithm, in [`SignatureAlgorithm::ALL`] order.
    signing: Vec<(SignatureAlgorithm, Key)>,
    /// Their public halves.
    verify: Vec<Key>,
    /// One content key per AES-GCM algorithm, in [`ContentAlgorithm::ALL`] order.
    content: Vec<(ContentAlgorithm, Key)>,
}

/// A TEST KEY's name: the generated corpus's key of that algorithm.
fn signing_name(alg: SignatureAlgorithm) -> &'static str {
    match alg {
        SignatureAlgorithm::EdDsa => "ed25519-a",
        SignatureAlgorithm::Es256 => "p256-a",
        SignatureAlgorithm::Es384 => "p384-a",
        SignatureAlgorithm::Es512 => "p521-a",
    }
}

fn content_name(alg: ContentAlgorithm) -> &'static str {
    match alg {
        ContentAlgorithm::A128Gcm => "aes128-a",
        ContentAlgorithm::A192Gcm => "aes192-a",
        ContentAlgorithm::A256Gcm => "aes256-a",
    }
}

fn named(material: KeyMaterial, name: &str) -> Key {
    let mut key = Key::new(material);
    key.kid = Some(name.as_bytes().to_vec());
    key
}

/// Derived once: "c169 test key " ‖ name, as `vectors/src/keys.yaml` describes.
fn test_keys() -> &'static TestKeys {
    static KEYS: OnceLock<TestKeys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let signing: Vec<(SignatureAlgorithm, Key)> = SignatureAlgorithm::ALL
            .into_iter()
            .map(|alg| {
                let name = signing_name(alg);
                let seed = format!("c169 test key {name}");
                let private = PrivateKey::derive(alg, seed.as_bytes());
                (alg, named(KeyMaterial::Private(private), name))
            })
            .collect();
        let verify = signing
            .iter()
            .filter_map(|(alg, key)| {
                key.public_key()
                    .map(|p| named(KeyMaterial::Public(p), signing_name(*alg)))
            })
            .collect();
        let content = ContentAlgorithm::ALL
            .into_iter()
            .map(|alg| {
                let name = content_name(alg);
                let seed = format!("c169 test key {name}");
                let key = SymmetricKey::derive(alg, seed.as_bytes());
                (alg, named(KeyMaterial::Symmetric(key), name))
            })
            .collect();
        TestKeys {
            signing,
            verify,
            content,
        }
    })
}

fn signing_key(alg: SignatureAlgorithm) -> Option<&'static Key> {
    test_keys()
        .signing
        .iter()
        .find(|(a, _)| *a == alg)
        .map(|(_, k)| k)
}

fn verify_key(alg: SignatureAlgorithm) -> Option<&'static Key> {
    test_keys()
        .verify
        .iter()
        .find(|k| k.signature_algorithm() == Some(alg))
}

fn content_key(alg: ContentAlgorithm) -> Option<&'static Key> {
    test_keys()
        .content
        .iter()
        .find(|(a, _)| *a == alg)
        .map(|(_, k)| k)
}

// ---------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------

/// Structural equality of CBOR values, floats by their bits (any NaN equals any
/// NaN: the writer canonicalises NaN, as RFC 8949 §4.2.2 suggests). Stricter than
/// `Value`'s `PartialEq`, which calls 0.0 and -0.0 equal and NaN unequal to itself.
#[must_use]
pub fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => {
            (x.is_nan() && y.is_nan()) || x.to_bits() == y.to_bits()
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
        }
        (Value::Map(x), Value::Map(y)) => same_entries(x, y),
        (Value::Tag(tag, x), Value::Tag(other, y)) => tag == other && same(x, y),
        _ => a == b,
    }
}

/// [`same`] over map entries, in order.
#[must_use]
pub fn same_entries(x: &[(Value, Value)], y: &[(Value, Value)]) -> bool {
    x.len() == y.len()
        && x.iter()
            .zip(y)
            .all(|((k, v), (l, w))| same(k, l) && same(v, w))
}

/// The text a fuzzer's bytes stand for: themselves when UTF-8, otherwise lossily.
fn text_of(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}

fn show(outcome: &Outcome) -> String {
    serde_json::to_string(outcome).unwrap_or_else(|e| format!("{outcome:?} ({e})"))
}

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

/// A panic with a message: the one way these functions report a broken invariant
/// outside `assert!`.
#[allow(clippy::panic)]
fn panic_with(message: &str) -> ! {
    panic!("{message}")
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

// ---------------------------------------------------------------------------------
// decode
// ---------------------------------------------------------------------------------

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
    let keyed = crate::decode(&text, keyed_options());
    check_outcome(&keyed, true);
    let bare = crate::decode(&text, &bare_options());
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

// ---------------------------------------------------------------------------------
// roundtrip
// ---------------------------------------------------------------------------------

/// A credential to encode: some attributes of the claim 169 table with arbitrary
/// values of their types, optional face bytes, CWT claims, a signature algorithm and
/// optional encryption, and a few conformant encoder choices.
#[derive(Debug, Clone, Arbitrary)]
pub struct Credential {
    pub identity: Identity,
    pub claims: Claims,
    pub alg: Alg,
    pub encryption: Option<Encryption>,
    pub envelope: Envelope,
}

/// Attributes of the claim 169 map.
#[derive(Debug, Clone, Arbitrary)]
pub struct Identity {
    /// 1
    pub id: Option<String>,
    /// 2
    pub version: Option<String>,
    /// 3
    pub language: Option<String>,
    /// 4
    pub full_name: Option<String>,
    /// 5
    pub first_name: Option<String>,
    /// 7
    pub last_name: Option<String>,
    /// 8
    pub date_of_birth: Option<String>,
    /// 9: any integer; one outside the table is a warning, not a rejection.
    pub gender: Option<i64>,
    /// 10
    pub address: Option<String>,
    /// 11
    pub email: Option<String>,
    /// 12
    pub phone: Option<String>,
    /// 13
    pub nationality: Option<String>,
    /// 14
    pub marital_status: Option<i64>,
    /// 16 and 17: photo bytes and format.
    pub photo: Option<(Vec<u8>, Option<i64>)>,
    /// 18: finger positions (any integers; the list is cut at 16).
    pub best_quality_fingers: Option<Vec<i8>>,
    /// 19
    pub secondary_full_name: Option<String>,
    /// 21
    pub location_code: Option<String>,
    /// 23
    pub country_of_issuance: Option<String>,
    /// 62: the face.
    pub face: Option<Biometric>,
    /// 50–59: one finger's entries (the list is cut at 4).
    pub finger: Option<(u8, Vec<Biometric>)>,
    /// An unassigned key with any simple value: preserved as it came.
    pub unassigned: Option<(UnassignedKey, Extra)>,
}

/// A biometric entry: data, format, sub-format, issuer.
#[derive(Debug, Clone, Arbitrary)]
pub struct Biometric {
    pub data: Vec<u8>,
    pub format: Option<u8>,
    pub sub_format: Option<u16>,
    pub issuer: Option<String>,
}

/// A key the claim 169 tables do not assign.
#[derive(Debug, Clone, Copy, Arbitrary)]
pub enum UnassignedKey {
    /// 24–49.
    Gap(u8),
    /// 66 and above.
    High(u32),
    /// Negative.
    Negative(u32),
}

/// A value without nesting below it (but for one tag or array level).
#[derive(Debug, Clone, Arbitrary)]
pub enum Scalar {
    Int(i64),
    /// -1 - n: the negative integers beyond i64.
    BigNegative(u64),
    Big(u64),
    Text(String),
    Bytes(Vec<u8>),
    Bool(bool),
    Null,
    Undefined,
    Float(f64),
    Simple(u8),
}

/// An extra value: a scalar, a tagged scalar or an array of scalars.
#[derive(Debug, Clone, Arbitrary)]
pub enum Extra {
    Scalar(Scalar),
    Tagged(u64, Scalar),
    Array(Vec<Scalar>),
}

/// The CWT claims besides 169.
#[derive(Debug, Clone, Arbitrary)]
pub struct Claims {
    pub iss: Option<String>,
    pub sub: Option<String>,
    pub aud: Option<Audience>,
    pub validity: Option<Validity>,
    pub iat: Option<i64>,
    pub cti: Option<Vec<u8>>,
    /// A claim with an integer key other than 1–7 and 169.
    pub other: Option<(u16, Extra)>,
    /// A claim with a text key.
    pub named: Option<(String, Scalar)>,
}

#[derive(Debug, Clone, Arbitrary)]
pub enum Audience {
    One(String),
    Many(Vec<String>),
}

/// A validity window: nbf = start, exp = start + 1 + length, either or both written,
/// as integers or floats. The credential is decoded at its start.
#[derive(Debug, Clone, Copy, Arbitrary)]
pub struct Validity {
    pub start: i64,
    pub length: u32,
    pub write_nbf: bool,
    pub write_exp: bool,
    pub as_float: bool,
}

/// The signature algorithms the codec signs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Arbitrary)]
pub enum Alg {
    EdDsa,
    Es256,
    Es384,
    Es512,
}

impl Alg {
    #[must_use]
    pub fn algorithm(self) -> SignatureAlgorithm {
        match self {
            Alg::EdDsa => SignatureAlgorithm::EdDsa,
            Alg::Es256 => SignatureAlgorithm::Es256,
            Alg::Es384 => SignatureAlgorithm::Es384,
            Alg::Es512 => SignatureAlgorithm::Es512,
        }
    }
}

/// Encryption with one of the AES-GCM algorithms and a 12-byte IV.
#[derive(Debug, Clone, Copy, Arbitrary)]
pub struct Encryption {
    pub alg: Enc,
    pub iv: [u8; 12],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Arbitrary)]
pub enum Enc {
    A128,
    A192,
    A256,
}

impl Enc {
    #[must_use]
    pub fn algorithm(self) -> ContentAlgorithm {
        match self {
            Enc::A128 => ContentAlgorithm::A128Gcm,
            Enc::A192 => ContentAlgorithm::A192Gcm,
            Enc::A256 => ContentAlgorithm::A256Gcm,
        }
    }
}

/// Encoder choices every conformant decoder accepts (some with a warning).
#[derive(Debug, Clone, Arbitrary)]
#[allow(clippy::struct_excessive_bools)] // independent knobs
pub struct Envelope {
    pub kid: Option<Vec<u8>>,
    pub kid_unprotected: bool,
    pub tags: TagChoice,
    pub indefinite: bool,
    pub claim169_as_bytes: bool,
    pub zlib_level: u8,
    pub zlib_window: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Arbitrary)]
pub enum TagChoice {
    Cose,
    CwtAndCose,
    Untagged,
}

const MAX_FINGERS: usize = 16;
const MAX_FINGER_ENTRIES: usize = 4;

fn int(i: impl Into<i128>) -> Value {
    Value::Integer(i.into())
}

impl Scalar {
    fn value(self) -> Value {
        match self {
            Scalar::Int(i) => int(i),
            Scalar::BigNegative(n) => Value::Integer(-1 - i128::from(n)),
            Scalar::Big(n) => int(n),
            Scalar::Text(t) => Value::Text(t),
            Scalar::Bytes(b) => Value::Bytes(b),
            Scalar::Bool(b) => Value::Bool(b),
            Scalar::Null => Value::Null,
            Scalar::Undefined => Value::Undefined,
            Scalar::Float(f) => Value::Float(f),
            // 20–23 have their own forms and 24–31 are reserved: move them up.
            Scalar::Simple(n @ (0..=19 | 32..=255)) => Value::Simple(n),
            Scalar::Simple(n) => Value::Simple(n + 32),
        }
    }
}

impl Extra {
    fn value(self) -> Value {
        match self {
            Extra::Scalar(s) => s.value(),
            Extra::Tagged(t, s) => Value::Tag(t, Box::new(s.value())),
            Extra::Array(items) => Value::Array(items.into_iter().map(Scalar::value).collect()),
        }
    }
}

impl UnassignedKey {
    fn key(self) -> i128 {
        match self {
            UnassignedKey::Gap(n) => 24 + i128::from(n % 26),
            UnassignedKey::High(n) => 66 + i128::from(n),
            UnassignedKey::Negative(n) => -1 - i128::from(n),
        }
    }
}

impl Biometric {
    fn value(self) -> Value {
        let mut entry = vec![(int(0), Value::Bytes(self.data))];
        if let Some(f) = self.format {
            entry.push((int(1), int(f)));
        }
        if let Some(s) = self.sub_format {
            entry.push((int(2), int(s)));
        }
        if let Some(i) = self.issuer {
            entry.push((int(3), Value::Text(i)));
        }
        Value::Map(entry)
    }
}

impl Identity {
    /// The claim 169 map, in key order.
    #[must_use]
    pub fn into_value(self) -> Value {
        fn text(m: &mut Vec<(Value, Value)>, key: i128, v: Option<String>) {
            if let Some(v) = v {
                m.push((int(key), Value::Text(v)));
            }
        }
        let mut m: Vec<(Value, Value)> = Vec::new();
        text(&mut m, 1, self.id);
        text(&mut m, 2, self.version);
        text(&mut m, 3, self.language);
        text(&mut m, 4, self.full_name);
        text(&mut m, 5, self.first_name);
        text(&mut m, 7, self.last_name);
        text(&mut m, 8, self.date_of_birth);
        if let Some(g) = self.gender {
            m.push((int(9), int(g)));
        }
        text(&mut m, 10, self.address);
        text(&mut m, 11, self.email);
        text(&mut m, 12, self.phone);
        text(&mut m, 13, self.nationality);
        if let Some(s) = self.marital_status {
            m.push((int(14), int(s)));
        }
        if let Some((photo, format)) = self.photo {
            m.push((int(16), Value::Bytes(photo)));
            if let Some(f) = format {
                m.push((int(17), int(f)));
            }
        }
        if let Some(mut fingers) = self.best_quality_fingers {
            fingers.truncate(MAX_FINGERS);
            m.push((
                int(18),
                Value::Array(fingers.into_iter().map(int).collect()),
            ));
        }
        text(&mut m, 19, self.secondary_full_name);
        text(&mut m, 21, self.location_code);
        text(&mut m, 23, self.country_of_issuance);
        if let Some(unassigned) = self.unassigned {
            let (key, value) = (unassigned.0.key(), unassigned.1.value());
            m.push((int(key), value));
        }
        if let Some((which, mut entries)) = self.finger {
            entries.truncate(MAX_FINGER_ENTRIES);
            let key = c169::FIRST_BIOMETRIC + i128::from(which % 10);
            m.push((
                int(key),
                Value::Array(entries.into_iter().map(Biometric::value).collect()),
            ));
        }
        if let Some(face) = self.face {
            m.push((int(62), Value::Array(vec![face.value()])));
        }
        Value::Map(m)
    }
}

impl Claims {
    /// The claims map (without 169) and the validation time to decode it at.
    #[must_use]
    pub fn into_value(self) -> (Value, Option<i64>) {
        let mut m = Vec::new();
        if let Some(iss) = self.iss {
            m.push((int(cwt_mod::ISS), Value::Text(iss)));
        }
        if let Some(sub) = self.sub {
            m.push((int(cwt_mod::SUB), Value::Text(sub)));
        }
        if let Some(aud) = self.aud {
            let v = match aud {
                Audience::One(a) => Value::Text(a),
                Audience::Many(a) => Value::Array(a.into_iter().map(Value::Text).collect()),
            };
            m.push((int(cwt_mod::AUD), v));
        }
        let mut now = None;
        if let Some(v) = self.validity {
            let start = i128::from(v.start);
            let end = start + 1 + i128::from(v.length);
            let date = |n: i128| {
                if v.as_float {
                    Value::Float(n as f64)
                } else {
                    Value::Integer(n)
                }
            };
            if v.write_exp {
                m.push((int(cwt_mod::EXP), date(end)));
            }
            if v.write_nbf {
                m.push((int(cwt_mod::NBF), date(start)));
            }
            // Decode at the start, when the window is representable as written:
            // floats round, and a window narrower than their spacing may vanish.
            now = if v.as_float {
                let (s, e) = (start as f64, end as f64);
                (s < e)
                    .then_some(s as i64)
                    .filter(|n| (*n as f64).to_bits() == s.to_bits())
            } else {
                Some(v.start)
            };
        }
        if let Some(iat) = self.iat {
            m.push((int(cwt_mod::IAT), int(iat)));
        }
        if let Some(cti) = self.cti {
            m.push((int(cwt_mod::CTI), Value::Bytes(cti)));
        }
        if let Some((key, value)) = self.other {
            let key = 8 + i128::from(key);
            let key = if key == cwt_mod::CLAIM169 {
                key + 1
            } else {
                key
            };
            m.push((int(key), value.value()));
        }
        if let Some((name, value)) = self.named {
            m.push((Value::Text(name), value.value()));
        }
        (Value::Map(m), now)
    }
}

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
fn limits_for(text: &str, cose: &[u8], depth: usize) -> Limits {
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
    let encoded = match crate::encode(&plan.request) {
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
    let decoded = crate::decode(&encoded.text, &options);
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

// ---------------------------------------------------------------------------------
// reencode
// ---------------------------------------------------------------------------------

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
    let first = crate::decode(&text, &options);
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
    let encoded = match crate::encode(&request) {
        Ok(e) => e,
        Err(e) => panic_with(&format!("decoded claims do not encode: {e}")),
    };
    // A claim 169 map that came wrapped in a byte string counts its depth afresh
    // there; written as a map inside the claims, it sits one level deeper.
    let depth = options.limits.max_depth + 1;
    let again = crate::decode(
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

// ---------------------------------------------------------------------------------
// Seeds
// ---------------------------------------------------------------------------------

/// The largest seed written to `fuzz/corpus/`: larger artefacts are replayed in
/// memory only.
pub const MAX_SEED_LEN: usize = 16 * 1024;

/// One seed file: `fuzz/corpus/<target>/<name>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seed {
    pub target: &'static str,
    pub name: String,
    pub bytes: Vec<u8>,
}

fn hex_artefact(json: &serde_json::Value, name: &str) -> Option<Vec<u8>> {
    json.get("artefacts")
        .and_then(|a| a.get(name))
        .and_then(serde_json::Value::as_str)
        .and_then(|h| hex::decode(h).ok())
}

/// The seeds one vector gives, from its JSON text: its QR text for `base45`,
/// `decode` and `reencode`; its zlib bytes for `zlib`; its COSE bytes for `cose`;
/// its payload for `cwt`; both for `cbor` (`<id>.cose`, `<id>.payload`); its claim
/// 169 map (canonical JSON written as CBOR) for `claim169`. Encoder vectors and
/// elided artefacts give nothing for what they lack.
pub fn vector_seeds(json: &str) -> Result<Vec<Seed>, String> {
    // Some vectors nest deeper than serde_json's own limit.
    let v: serde_json::Value =
        c169_model::deep::from_slice(json.as_bytes()).map_err(|e| e.to_string())?;
    let id = v
        .get("id")
        .and_then(serde_json::Value::as_str)
        .ok_or("the vector has no id")?;
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        return Err(format!("vector id {id:?} is not a file name"));
    }
    let mut seeds = Vec::new();
    let mut add = |target: &'static str, name: String, bytes: Vec<u8>| {
        seeds.push(Seed {
            target,
            name,
            bytes,
        });
    };
    if let Some(qr) = v.get("qr").and_then(serde_json::Value::as_str) {
        for target in ["base45", "decode", "reencode"] {
            add(target, id.to_owned(), qr.as_bytes().to_vec());
        }
    }
    if let Some(z) = hex_artefact(&v, "zlib") {
        add("zlib", id.to_owned(), z);
    }
    if let Some(c) = hex_artefact(&v, "cose") {
        add("cose", id.to_owned(), c.clone());
        add("cbor", format!("{id}.cose"), c);
    }
    if let Some(p) = hex_artefact(&v, "payload") {
        add("cwt", id.to_owned(), p.clone());
        add("cbor", format!("{id}.payload"), p);
    }
    if let Some(c) = v.get("artefacts").and_then(|a| a.get("claim169")) {
        let value = from_canonical_json(c).map_err(|e| format!("{id}: claim169: {e}"))?;
        let bytes = cbor::encode(&value).map_err(|e| format!("{id}: claim169: {e}"))?;
        add("claim169", id.to_owned(), bytes);
    }
    Ok(seeds)
}

/// The seeds of every vector (their JSON texts, in any order), one per distinct
/// content per target, named after the first vector by id that gives it, sorted by
/// target and name; plus [`STREAM_SEEDS`] deterministic streams for `roundtrip`,
/// which no vector artefact matches.
pub fn corpus<S: AsRef<str>>(vectors: &[S]) -> Result<Vec<Seed>, String> {
    let mut all = Vec::new();
    for json in vectors {
        all.extend(vector_seeds(json.as_ref())?);
    }
    for i in 0..STREAM_SEEDS {
        all.push(Seed {
            target: "roundtrip",
            name: format!("stream-{i:02}"),
            bytes: stream(i, 64 + 96 * i as usize),
        });
    }
    all.sort_by(|a, b| (a.target, &a.name).cmp(&(b.target, &b.name)));
    let mut seen = std::collections::HashSet::new();
    all.retain(|s| seen.insert((s.target, s.bytes.clone())));
    Ok(all)
}

/// How many deterministic byte streams seed `roundtrip`.
pub const STREAM_SEEDS: u64 = 16;

/// `len` deterministic bytes for stream `seed` (SplitMix64): for [`Credential`]s made
/// with `arbitrary`, in the seeds and the replay test.
#[must_use]
pub fn stream(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xC169_C169_C169_C169;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        out.extend_from_slice(&z.to_le_bytes());
    }
    out.truncate(len);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_run_on_nothing() {
        for t in TARGETS {
            assert!(run(t, b""));
        }
        assert!(!run("nope", b""));
    }

    #[test]
    fn test_keys_are_the_corpus_keys() {
        // ed25519-a of vectors/keys: x = rzJP40BRPrOXJ1_qCb0f6A2lLmIw56bc0iAYs7qHerM.
        let jwk = verify_key(SignatureAlgorithm::EdDsa).map(|k| k.to_jwk(false));
        assert_eq!(
            jwk.as_ref()
                .and_then(|j| j.get("x"))
                .and_then(|x| x.as_str()),
            Some("rzJP40BRPrOXJ1_qCb0f6A2lLmIw56bc0iAYs7qHerM")
        );
        assert_eq!(test_keys().signing.len(), 4);
        assert_eq!(test_keys().content.len(), 3);
    }
}
