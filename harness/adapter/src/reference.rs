//! The c169 reference codec as an [`Implementation`], in-process: the translation
//! between protocol messages and the codec's API.

use crate::{AdapterError, Implementation};
use async_trait::async_trait;
use c169_crypto::crypto::{ContentAlgorithm, SignatureAlgorithm};
use c169_crypto::keys::{parse_jwk, Key};
use c169_model::from_canonical_json;
use c169_model::protocol::{
    bstr_bytes, Abilities, Algorithms, DecodeRequest, Description, EncodeRequest, Encoded,
    ErrorBody, ErrorKind, Op, PROTOCOL_VERSION,
};
use c169_model::Outcome;
use serde_json::Value as Json;

/// The reference codec, called directly.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reference;

fn bad_request(message: String) -> ErrorBody {
    ErrorBody::new(ErrorKind::BadRequest, message)
}

fn keys(jwks: &[Json], member: &str) -> Result<Vec<Key>, ErrorBody> {
    jwks.iter()
        .enumerate()
        .map(|(i, jwk)| parse_jwk(jwk).map_err(|e| bad_request(format!("keys.{member}[{i}]: {e}"))))
        .collect()
}

impl Reference {
    /// The reference's `describe` answer.
    #[must_use]
    pub fn description() -> Description {
        Description {
            name: "c169-reference".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            protocol: PROTOCOL_VERSION,
            ops: Op::ALL.iter().map(|op| op.as_str().to_owned()).collect(),
            algorithms: Algorithms {
                sign: SignatureAlgorithm::ALL
                    .iter()
                    .map(|a| a.name().to_owned())
                    .collect(),
                encrypt: ContentAlgorithm::ALL
                    .iter()
                    .map(|a| a.name().to_owned())
                    .collect(),
            },
            options: Abilities {
                now: true,
                leeway: true,
                fixed_leeway: None,
                unverified: true,
            },
            capabilities: vec!["decode_image".into()],
            serial: false,
        }
    }

    /// The text of the symbol in a decode request's image, or the reject that
    /// says why none was read (stage `scan`).
    fn scan(image: &str) -> Result<String, Box<Outcome>> {
        use base64::Engine as _;
        let reject = |code: &str, message: String| {
            Box::new(Outcome::reject(c169_model::Stage::Scan, code, message))
        };
        // Base64 of the largest PNG read, and no more, is decoded.
        if image.len() > c169_qr::MAX_IMAGE_BYTES / 3 * 4 + 4 {
            return Err(reject(
                "scan.image",
                format!(
                    "the image is larger than the {} bytes read",
                    c169_qr::MAX_IMAGE_BYTES
                ),
            ));
        }
        let png = base64::engine::general_purpose::STANDARD
            .decode(image.trim())
            .map_err(|e| reject("scan.image", format!("the image is not base64: {e}")))?;
        c169_qr::scan_png(&png)
            .map(|s| s.text)
            .map_err(|e| reject(e.code(), e.to_string()))
    }

    /// `decode`, synchronously.
    pub fn decode_request(request: &DecodeRequest) -> Result<Outcome, ErrorBody> {
        // A verification key the decoder refuses (weak, not on its curve) is the
        // decoder's answer about this credential, not a malformed request.
        for jwk in &request.keys.verify {
            if let Err(
                e @ (c169_crypto::keys::KeyError::WeakKey { .. }
                | c169_crypto::keys::KeyError::PointNotOnCurve { .. }),
            ) = parse_jwk(jwk)
            {
                return Ok(Outcome::reject(
                    c169_model::Stage::Signature,
                    "signature.key_refused",
                    format!("the verification key is refused: {e}"),
                ));
            }
        }
        let options = c169_codec::DecodeOptions {
            now: request.options.now,
            leeway: request.options.leeway.unwrap_or(0),
            verify_keys: keys(&request.keys.verify, "verify")?,
            decrypt_keys: keys(&request.keys.decrypt, "decrypt")?,
            limits: c169_codec::Limits::default(),
            trace: false,
        };
        let scanned;
        let text: &str = match &request.image {
            None => &request.qr,
            Some(image) => match Self::scan(image) {
                Ok(text) => {
                    scanned = text;
                    &scanned
                }
                Err(outcome) => return Ok(*outcome),
            },
        };
        Ok(c169_codec::decode(text, &options).outcome)
    }

    /// `encode`, synchronously.
    pub fn encode_request(request: &EncodeRequest) -> Result<Encoded, ErrorBody> {
        if let Some(name) = request.options.keys().next() {
            return Err(ErrorBody::new(
                ErrorKind::Unsupported,
                format!("the reference knows no encode option {name:?}"),
            ));
        }
        let claim169 = from_canonical_json(&request.claim169)
            .map_err(|e| bad_request(format!("claim169: {e}")))?;
        let cwt =
            from_canonical_json(&request.cwt).map_err(|e| bad_request(format!("cwt: {e}")))?;
        let sign = match &request.sign {
            None => None,
            Some(s) => Some(c169_codec::SignSpec {
                key: parse_jwk(&s.jwk).map_err(|e| bad_request(format!("sign.jwk: {e}")))?,
                alg: match &s.alg {
                    None => None,
                    Some(name) => Some(SignatureAlgorithm::from_name(name).ok_or_else(|| {
                        ErrorBody::new(
                            ErrorKind::Unsupported,
                            format!("sign.alg: no signature algorithm {name:?}"),
                        )
                    })?),
                },
                kid: match &s.kid {
                    None => None,
                    Some(kid) => {
                        Some(bstr_bytes(kid).map_err(|e| bad_request(format!("sign.kid: {e}")))?)
                    }
                },
            }),
        };
        let encrypt = match &request.encrypt {
            None => None,
            Some(e) => Some(c169_codec::EncryptSpec {
                key: parse_jwk(&e.jwk).map_err(|err| bad_request(format!("encrypt.jwk: {err}")))?,
                alg: match &e.alg {
                    None => None,
                    Some(name) => Some(ContentAlgorithm::from_name(name).ok_or_else(|| {
                        ErrorBody::new(
                            ErrorKind::Unsupported,
                            format!("encrypt.alg: no content algorithm {name:?}"),
                        )
                    })?),
                },
                iv: match &e.iv {
                    Some(iv) => {
                        bstr_bytes(iv).map_err(|err| bad_request(format!("encrypt.iv: {err}")))?
                    }
                    None => fresh_iv().map_err(|err| {
                        ErrorBody::new(
                            ErrorKind::Internal,
                            format!("cannot draw a random IV: {err}"),
                        )
                    })?,
                },
            }),
        };
        let request = c169_codec::EncodeRequest {
            claim169,
            cwt,
            sign,
            encrypt,
            options: c169_codec::EncodeOptions::default(),
        };
        c169_codec::encode(&request)
            .map(|encoded| Encoded { qr: encoded.text })
            .map_err(|e| bad_request(format!("cannot encode: {e}")))
    }
}

fn adapter_error(e: ErrorBody) -> AdapterError {
    AdapterError::Adapter {
        kind: e.kind,
        message: e.message,
        stderr: None,
    }
}

#[async_trait]
impl Implementation for Reference {
    fn label(&self) -> String {
        "reference".into()
    }

    fn in_process(&self) -> bool {
        true
    }

    async fn describe(&self) -> Result<Description, AdapterError> {
        Ok(Reference::description())
    }

    async fn decode(&self, request: &DecodeRequest) -> Result<Outcome, AdapterError> {
        Reference::decode_request(request).map_err(adapter_error)
    }

    async fn encode(&self, request: &EncodeRequest) -> Result<Encoded, AdapterError> {
        Reference::encode_request(request).map_err(adapter_error)
    }
}

/// A fresh random 12-byte IV: never reuse one under the same key.
fn fresh_iv() -> Result<Vec<u8>, getrandom::Error> {
    let mut iv = vec![0u8; 12];
    getrandom::fill(&mut iv)?;
    Ok(iv)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_reference_claims_the_suite_capabilities_of_the_built_in_run() {
        let names: Vec<String> = Reference::description()
            .capability_names()
            .into_iter()
            .collect();
        let want = [
            "A128GCM",
            "A192GCM",
            "A256GCM",
            "ES256",
            "ES384",
            "ES512",
            "EdDSA",
            "decode_image",
            "decode_unverified",
            "decrypt",
            "encode",
            "validation_time",
            "verify",
        ];
        assert_eq!(names, want);
    }

    #[test]
    fn an_image_is_scanned_then_decoded() {
        use base64::Engine as _;
        let text = "6BFWTLRJ5I7PUUA";
        let png = c169_qr::encode_png(
            &c169_qr::Symbol::new(text, c169_qr::EcLevel::M)
                .unwrap()
                .image(4, 4),
        );
        let mut r = DecodeRequest::new("");
        r.image = Some(base64::engine::general_purpose::STANDARD.encode(&png));
        // The text is read (it is not a credential: rejected past the scan).
        let o = Reference::decode_request(&r).unwrap();
        assert_ne!(o.stage, Some(c169_model::Stage::Scan), "{o:?}");
        // A blank image, garbage and not-base64 are rejects at stage scan.
        let blank = c169_qr::encode_png(&c169_qr::Gray::from_fn(64, 64, |_, _| 255));
        for (image, code) in [
            (
                base64::engine::general_purpose::STANDARD.encode(&blank),
                "scan.not_found",
            ),
            (
                base64::engine::general_purpose::STANDARD.encode(b"GIF89a"),
                "scan.image",
            ),
            ("not base64!".to_owned(), "scan.image"),
        ] {
            r.image = Some(image);
            let o = Reference::decode_request(&r).unwrap();
            assert_eq!(
                (o.stage, o.code.as_deref()),
                (Some(c169_model::Stage::Scan), Some(code))
            );
        }
    }

    #[test]
    fn bad_keys_and_unknown_options_are_error_replies() {
        let mut r = DecodeRequest::new("X");
        r.keys.verify.push(serde_json::json!({"kty": "RSA"}));
        assert_eq!(
            Reference::decode_request(&r).unwrap_err().kind,
            ErrorKind::BadRequest
        );
        let mut e = EncodeRequest {
            claim169: serde_json::json!({}),
            cwt: serde_json::json!({}),
            sign: None,
            encrypt: None,
            options: serde_json::Map::new(),
            ec_level: None,
        };
        e.options.insert("knob".into(), Json::Bool(true));
        assert_eq!(
            Reference::encode_request(&e).unwrap_err().kind,
            ErrorKind::Unsupported
        );
    }
}
