//! Shared helpers of the codec's integration tests: deterministic TEST KEYS and
//! credential builders.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // test support: a failure should stop the test

use c169_codec::{
    decode, encode, DecodeOptions, Decoded, EncodeOptions, EncodeRequest, Encoded, EncryptSpec,
    SignSpec,
};
use c169_crypto::crypto::{ContentAlgorithm, SignatureAlgorithm};
use c169_crypto::keys::{Key, KeyMaterial, PrivateKey, SymmetricKey};
use c169_model::Value;

pub const NOW: i64 = 1_760_000_000;

/// A TEST signing key derived from a label.
pub fn signing_key(alg: SignatureAlgorithm, label: &str) -> Key {
    Key::new(KeyMaterial::Private(PrivateKey::derive(
        alg,
        label.as_bytes(),
    )))
}

/// The public half of a TEST signing key.
pub fn public(key: &Key) -> Key {
    Key::new(KeyMaterial::Public(key.public_key().unwrap()))
}

/// A TEST content-encryption key derived from a label.
pub fn aes_key(alg: ContentAlgorithm, label: &str) -> Key {
    Key::new(KeyMaterial::Symmetric(SymmetricKey::derive(
        alg,
        label.as_bytes(),
    )))
}

pub fn claims(exp: i64, nbf: i64) -> Value {
    Value::int_map([
        (1, "https://issuer.example".into()),
        (4, Value::Integer(exp.into())),
        (5, Value::Integer(nbf.into())),
        (6, Value::Integer(nbf.into())),
    ])
}

pub fn person() -> Value {
    Value::int_map([(1, "ID-0001".into()), (4, "Test Person".into())])
}

pub struct Fixture {
    pub sign: Key,
    pub enc: Option<Key>,
    pub request: EncodeRequest,
}

/// An Ed25519-signed credential, valid around [`NOW`], with the given options.
pub fn fixture(options: EncodeOptions) -> Fixture {
    let sign = signing_key(SignatureAlgorithm::EdDsa, "fixture");
    let request = EncodeRequest {
        claim169: person(),
        cwt: claims(NOW + 1000, NOW - 1000),
        sign: Some(SignSpec {
            key: sign.clone(),
            alg: None,
            kid: Some(b"test-kid".to_vec()),
        }),
        encrypt: None,
        options,
    };
    Fixture {
        sign,
        enc: None,
        request,
    }
}

/// The same, encrypted with A256GCM.
pub fn encrypted_fixture(options: EncodeOptions) -> Fixture {
    let mut f = fixture(options);
    let enc = aes_key(ContentAlgorithm::A256Gcm, "fixture");
    f.request.encrypt = Some(EncryptSpec {
        key: enc.clone(),
        alg: None,
        iv: (0u8..12).collect(),
    });
    f.enc = Some(enc);
    f
}

impl Fixture {
    pub fn encode(&self) -> Encoded {
        encode(&self.request).expect("encodes")
    }

    pub fn options(&self) -> DecodeOptions {
        DecodeOptions {
            now: Some(NOW),
            verify_keys: vec![public(&self.sign)],
            decrypt_keys: self.enc.iter().cloned().collect(),
            trace: true,
            ..DecodeOptions::default()
        }
    }

    pub fn decode(&self) -> Decoded {
        decode(&self.encode().text, &self.options())
    }
}
