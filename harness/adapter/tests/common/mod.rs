//! Cases shared by the integration tests: literal QR texts, the idpass corpus
//! committed under vectors/, and credentials made with the reference encoder.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use c169_adapter::protocol::{
    bstr_json, DecodeKeys, DecodeOptions, DecodeRequest, EncodeRequest, SignParams,
};
use serde_json::{json, Value as Json};
use std::path::{Path, PathBuf};

pub const FAKE: &str = env!("CARGO_BIN_EXE_c169-fake-adapter");

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A test key of the committed corpus, as its JWK.
pub fn jwk(name: &str) -> Json {
    let path = repo_root()
        .join("vectors/keys")
        .join(format!("{name}.jwk.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// The RFC 8037 Ed25519 test key (published with the idpass vectors).
pub fn ed25519() -> Json {
    jwk("idpass-ed25519-signed-sign")
}

/// The public half of a JWK.
pub fn public(jwk: &Json) -> Json {
    let mut j = jwk.clone();
    j.as_object_mut().unwrap().remove("d");
    j
}

/// Requests to encode through the protocol: unsigned, signed, signed with a kid.
pub fn encode_requests() -> Vec<(String, EncodeRequest)> {
    let claim169 = json!({"1": "ID-C169-001", "4": "Test Person", "8": "19840418", "9": 1});
    let cwt = json!({"1": "https://issuer.example", "4": 1_900_000_000, "6": 1_700_000_000});
    let mut out = vec![(
        "unsigned".to_owned(),
        EncodeRequest {
            claim169: claim169.clone(),
            cwt: cwt.clone(),
            sign: None,
            encrypt: None,
            options: serde_json::Map::new(),
            ec_level: None,
        },
    )];
    out.push((
        "ed25519".to_owned(),
        EncodeRequest {
            sign: Some(SignParams {
                jwk: ed25519(),
                alg: Some("EdDSA".into()),
                kid: Some(bstr_json(b"key-1")),
            }),
            ..out[0].1.clone()
        },
    ));
    out
}

/// Decode cases: literal texts, every idpass vector with its keys and time, and
/// credentials the reference encoder makes (when it can).
pub fn decode_cases() -> Vec<(String, DecodeRequest)> {
    let mut out: Vec<(String, DecodeRequest)> = [
        ("not-base45", "THIS!IS@NOT#VALID"),
        ("empty", ""),
        ("dangling", "ABCD"),
        ("not-zlib", "AAAA"),
        ("lowercase", "6bfoxn%tsmah"),
    ]
    .iter()
    .map(|(name, qr)| ((*name).to_owned(), DecodeRequest::new(*qr)))
    .collect();

    let dir = repo_root().join("vectors/external/idpass");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    for path in files {
        let v: c169_model::Vector =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        out.push((
            v.id.clone(),
            DecodeRequest {
                qr: v.qr.clone().unwrap_or_default(),
                image: None,
                keys: DecodeKeys {
                    verify: v.keys.verify.iter().map(|k| public(&jwk(k))).collect(),
                    decrypt: v.keys.decrypt.iter().map(|k| jwk(k)).collect(),
                },
                options: DecodeOptions {
                    now: Some(v.now),
                    leeway: None,
                },
            },
        ));
    }

    for (name, request) in encode_requests() {
        let Ok(encoded) = c169_adapter::Reference::encode_request(&request) else {
            eprintln!("note: the reference cannot encode {name} yet; case left out");
            continue;
        };
        let signed = request.sign.is_some();
        for (suffix, now, verify) in [
            ("now", Some(1_800_000_000), signed),
            ("expired", Some(1_950_000_000), signed),
            ("no-time", None, false),
        ] {
            out.push((
                format!("encoded-{name}-{suffix}"),
                DecodeRequest {
                    qr: encoded.qr.clone(),
                    image: None,
                    keys: DecodeKeys {
                        verify: if verify {
                            vec![public(&ed25519())]
                        } else {
                            vec![]
                        },
                        decrypt: vec![],
                    },
                    options: DecodeOptions {
                        now,
                        leeway: Some(0),
                    },
                },
            ));
        }
    }
    out
}
