//! RFC 8392 Appendix A.3: the signed CWT example verifies with the A.2.3 key.

#![allow(clippy::panic, clippy::unwrap_used, clippy::indexing_slicing)] // tests: a failure should stop the test

use c169_codec::cbor::ReadLimits;
use c169_codec::cose::{self, Message, Structure};
use c169_codec::{base45, cwt, decode, zlib, DecodeOptions};
use c169_crypto::crypto::{self, SignatureAlgorithm};
use c169_crypto::keys::parse_jwk;
use c169_model::{Stage, Verdict};
use serde_json::json;

/// Figure 10 of RFC 8392: 18([h'a10126', {4: 'AsymmetricECDSA256'}, payload, signature]).
const A3: &str = "d28443a10126a104524173796d6d657472696345434453413235365850a70175\
636f61703a2f2f61732e6578616d706c652e636f6d02656572696b77037818636f\
61703a2f2f6c696768742e6578616d706c652e636f6d041a5612aeb0051a5610d\
9f0061a5610d9f007420b7158405427c1ff28d23fbad1f29c4c7c6a555e601d6f\
a29f9179bc3d7438bacaca5acd08c8d4d4f96131680c429a01f85951ecee743a5\
2b9b63632c57209120e1c9e30";

/// RFC 8392 A.2.3, the public part as a JWK (x and y in base64url).
fn a23_public_key() -> c169_crypto::keys::Key {
    let b64 = |h: &str| base64_url(&hex::decode(h).unwrap());
    parse_jwk(&json!({
        "kty": "EC", "crv": "P-256",
        "x": b64("143329cce7868e416927599cf65a34f3ce2ffda55a7eca69ed8919a394d42f0f"),
        "y": b64("60f7f1a780d8a783bfb7a2dd6b2796e8128dbbcef9d3d168db9529971a36e7b9"),
        "kid": "AsymmetricECDSA256"
    }))
    .unwrap()
}

fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[test]
fn test_rfc8392_a3_signed_cwt_verifies() {
    let bytes = hex::decode(A3).unwrap();
    let mut warnings = Vec::new();
    let env = cose::parse_message(&bytes, ReadLimits::default(), &mut warnings).unwrap();
    let Message::Sign1(s) = env.message else {
        panic!("a COSE_Sign1")
    };
    assert_eq!(cose::algorithm(&s.headers, Structure::Sign1).unwrap(), -7);
    assert_eq!(
        cose::kid(&s.headers).unwrap().unwrap().0,
        b"AsymmetricECDSA256"
    );
    let key = a23_public_key().public_key().unwrap();
    let tbs = cose::sig_structure(&s.headers.protected_bytes, &s.payload);
    crypto::verify(&key, SignatureAlgorithm::Es256, &tbs, &s.signature).unwrap();
    // One flipped bit anywhere in the payload breaks it.
    let mut bad = s.payload.clone();
    bad[10] ^= 1;
    let tbs = cose::sig_structure(&s.headers.protected_bytes, &bad);
    assert!(crypto::verify(&key, SignatureAlgorithm::Es256, &tbs, &s.signature).is_err());
    // The claims set reads: exp 1444064944, aud present; there is no claim 169.
    let e = cwt::parse_claims(&s.payload, ReadLimits::default(), &mut warnings).unwrap_err();
    assert_eq!(e.stage(), Stage::Claim169);
}

#[test]
fn test_rfc8392_a3_through_the_whole_pipeline() {
    // As a QR text, the example verifies, then stops where a Claim 169 decoder must:
    // it has no claim 169.
    let text = base45::encode(
        &zlib::deflate(&hex::decode(A3).unwrap(), &zlib::ZlibOptions::default()).unwrap(),
    );
    let options = DecodeOptions {
        now: Some(1_444_000_000),
        verify_keys: vec![a23_public_key()],
        trace: true,
        ..DecodeOptions::default()
    };
    let d = decode(&text, &options);
    assert_eq!(d.outcome.verdict, Verdict::Reject);
    assert_eq!(d.outcome.code.as_deref(), Some("claim169.missing"));
    assert!(d.trace.claims.is_none() && d.trace.payload.is_some());
    // The wrong key fails at the signature, before any claim is looked at.
    let other = json!({"kty": "EC", "crv": "P-256",
        "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"});
    let options = DecodeOptions {
        verify_keys: vec![parse_jwk(&other).unwrap()],
        ..options
    };
    assert_eq!(
        decode(&text, &options).outcome.code.as_deref(),
        Some("signature.invalid")
    );
}
