//! The c169 corpus against this crate's decoder, one test per vector:
//! `cargo test --test conformance -- <vector id> --exact` runs one.

use c169_conformance::protocol::{Abilities, Algorithms, PROTOCOL_VERSION};
use c169_conformance::{
    DecodeRequest, Decoder, Description, ErrorBody, ErrorKind, Harness, Outcome, Stage,
};

/// The suite's requests, put to the library under test (here the c169
/// reference codec, `c169_codec`; yours goes in its place).
struct Library;

impl Decoder for Library {
    fn describe(&self) -> Description {
        Description {
            name: "c169-codec".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            protocol: PROTOCOL_VERSION,
            // No "encode": the encoder vectors are reported ignored, with why.
            ops: vec!["describe".into(), "decode".into()],
            algorithms: Algorithms {
                sign: ["EdDSA", "ES256", "ES384", "ES512"]
                    .map(String::from)
                    .into(),
                encrypt: ["A128GCM", "A192GCM", "A256GCM"].map(String::from).into(),
            },
            options: Abilities {
                now: true,
                leeway: true,
                fixed_leeway: None,
                unverified: true,
            },
            // No "decode_image": the QR image vectors are ignored too.
            capabilities: Vec::new(),
            serial: false,
        }
    }

    fn decode(&self, request: &DecodeRequest) -> Result<Outcome, ErrorBody> {
        // A verification key the library refuses (weak, off its curve) is its
        // answer about this credential: a rejection, not a broken request.
        let mut verify_keys = Vec::new();
        for jwk in &request.keys.verify {
            match c169_codec::keys::parse_jwk(jwk) {
                Ok(key) => verify_keys.push(key),
                Err(e) => {
                    let why = format!("the verification key is refused: {e}");
                    return Ok(Outcome::reject(
                        Stage::Signature,
                        "signature.key_refused",
                        why,
                    ));
                }
            }
        }
        let mut decrypt_keys = Vec::new();
        for jwk in &request.keys.decrypt {
            let key = c169_codec::keys::parse_jwk(jwk)
                .map_err(|e| ErrorBody::new(ErrorKind::BadRequest, e.to_string()))?;
            decrypt_keys.push(key);
        }
        let options = c169_codec::DecodeOptions {
            now: request.options.now,
            leeway: request.options.leeway.unwrap_or(0),
            verify_keys,
            decrypt_keys,
            ..c169_codec::DecodeOptions::default()
        };
        // The library answers in the protocol's terms already; yours may need
        // its verdict, stage, claims and warnings mapped to an `Outcome`.
        Ok(c169_codec::decode(&request.qr, &options).outcome)
    }
}

fn main() {
    Harness::new(Library).run()
}
