//! Reading JWKs and JWK sets: the members each key type needs, in their single
//! canonical base64url spelling, and the checks that keep a malformed key out.

use super::{field_len, Key, KeyError, KeyMaterial, PrivateKey, PublicKey, SymmetricKey};
use crate::crypto::SignatureAlgorithm;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{Map, Value as Json};

/// Reads one JWK.
pub fn parse_jwk(jwk: &Json) -> Result<Key, KeyError> {
    let obj = jwk.as_object().ok_or(KeyError::NotAnObject)?;
    let kty = required_str(obj, "kty")?;
    let kid = optional_str(obj, "kid")?.map(|kid| kid.as_bytes().to_vec());
    let alg = optional_str(obj, "alg")?.map(str::to_owned);
    let material = match kty {
        "OKP" => parse_okp(obj)?,
        "EC" => parse_ec(obj)?,
        "oct" => {
            let k = base64url_member(obj, "k")?;
            KeyMaterial::Symmetric(SymmetricKey::new(&k)?)
        }
        other => {
            return Err(KeyError::UnsupportedKeyType {
                kty: other.to_owned(),
            })
        }
    };
    Ok(Key { kid, alg, material })
}

/// Reads a JWK set (`{"keys": [...]}`, RFC 7517 §5) or, when there is no `keys`
/// member, a single JWK. An error in the set names the key's index.
pub fn parse_jwk_set(json: &Json) -> Result<Vec<Key>, KeyError> {
    let obj = json.as_object().ok_or(KeyError::NotAnObject)?;
    match obj.get("keys") {
        None => Ok(vec![parse_jwk(json)?]),
        Some(keys) => keys
            .as_array()
            .ok_or(KeyError::WrongType {
                member: "keys",
                expected: "array",
            })?
            .iter()
            .enumerate()
            .map(|(index, jwk)| {
                parse_jwk(jwk).map_err(|e| KeyError::InSet {
                    index,
                    source: Box::new(e),
                })
            })
            .collect(),
    }
}

/// Reads a JWK or JWK set from JSON text (see [`parse_jwk_set`]).
pub fn parse_jwk_str(text: &str) -> Result<Vec<Key>, KeyError> {
    let json: Json = serde_json::from_str(text).map_err(|e| KeyError::InvalidJson {
        line: e.line(),
        column: e.column(),
    })?;
    parse_jwk_set(&json)
}

fn required_str<'a>(obj: &'a Map<String, Json>, member: &'static str) -> Result<&'a str, KeyError> {
    optional_str(obj, member)?.ok_or(KeyError::MissingMember { member })
}

fn optional_str<'a>(
    obj: &'a Map<String, Json>,
    member: &'static str,
) -> Result<Option<&'a str>, KeyError> {
    match obj.get(member) {
        None => Ok(None),
        Some(value) => value.as_str().map(Some).ok_or(KeyError::WrongType {
            member,
            expected: "string",
        }),
    }
}

fn decode_base64url(text: &str, member: &'static str) -> Result<Vec<u8>, KeyError> {
    URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| KeyError::BadBase64Url { member })
}

fn base64url_member(obj: &Map<String, Json>, member: &'static str) -> Result<Vec<u8>, KeyError> {
    decode_base64url(required_str(obj, member)?, member)
}

fn sized_member(
    obj: &Map<String, Json>,
    member: &'static str,
    expected: usize,
) -> Result<Option<Vec<u8>>, KeyError> {
    let Some(text) = optional_str(obj, member)? else {
        return Ok(None);
    };
    let bytes = decode_base64url(text, member)?;
    if bytes.len() == expected {
        Ok(Some(bytes))
    } else {
        Err(KeyError::WrongLength {
            member,
            expected,
            found: bytes.len(),
        })
    }
}

fn required_sized_member(
    obj: &Map<String, Json>,
    member: &'static str,
    expected: usize,
) -> Result<Vec<u8>, KeyError> {
    sized_member(obj, member, expected)?.ok_or(KeyError::MissingMember { member })
}

fn parse_okp(obj: &Map<String, Json>) -> Result<KeyMaterial, KeyError> {
    let crv = required_str(obj, "crv")?;
    if crv != "Ed25519" {
        return Err(KeyError::UnsupportedCurve {
            crv: crv.to_owned(),
        });
    }
    let x = required_sized_member(obj, "x", 32)?;
    let public = PublicKey::from_bytes(SignatureAlgorithm::EdDsa, &x)?;
    with_optional_private(obj, SignatureAlgorithm::EdDsa, 32, public)
}

fn parse_ec(obj: &Map<String, Json>) -> Result<KeyMaterial, KeyError> {
    let crv = required_str(obj, "crv")?;
    let alg = match crv {
        "P-256" => SignatureAlgorithm::Es256,
        "P-384" => SignatureAlgorithm::Es384,
        "P-521" => SignatureAlgorithm::Es512,
        other => {
            return Err(KeyError::UnsupportedCurve {
                crv: other.to_owned(),
            })
        }
    };
    let n = field_len(alg);
    let x = required_sized_member(obj, "x", n)?;
    let y = required_sized_member(obj, "y", n)?;
    let mut sec1 = Vec::with_capacity(1 + 2 * n);
    sec1.push(0x04);
    sec1.extend_from_slice(&x);
    sec1.extend_from_slice(&y);
    let public = PublicKey::from_bytes(alg, &sec1)?;
    with_optional_private(obj, alg, n, public)
}

/// Adds `d` when present, checking that it belongs to `public`.
fn with_optional_private(
    obj: &Map<String, Json>,
    alg: SignatureAlgorithm,
    len: usize,
    public: PublicKey,
) -> Result<KeyMaterial, KeyError> {
    match sized_member(obj, "d", len)? {
        None => Ok(KeyMaterial::Public(public)),
        Some(d) => {
            let private = PrivateKey::from_bytes(alg, &d)?;
            if private.public_key() == public {
                Ok(KeyMaterial::Private(private))
            } else {
                Err(KeyError::PrivatePublicMismatch)
            }
        }
    }
}
