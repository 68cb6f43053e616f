//! The encoding pipeline, with knobs for conformant and deliberately broken output.

use crate::crypto::{ContentAlgorithm, SignatureAlgorithm};
use crate::keys::Key;
use c169_model::Value;

/// How to sign: the key, the algorithm (default: the key's), the kid to write.
#[derive(Debug, Clone)]
pub struct SignSpec {
    pub key: Key,
    pub alg: Option<SignatureAlgorithm>,
    pub kid: Option<Vec<u8>>,
}

/// How to encrypt: the key, the algorithm (default: by key length), the 12-byte IV.
#[derive(Debug, Clone)]
pub struct EncryptSpec {
    pub key: Key,
    pub alg: Option<ContentAlgorithm>,
    pub iv: Vec<u8>,
}

/// The knobs of the encoder; the default is a conformant credential.
#[derive(Debug, Clone, Default)]
pub struct EncodeOptions {}

/// What to encode.
#[derive(Debug, Clone)]
pub struct EncodeRequest {
    /// The claim 169 map (a `Value::Map`).
    pub claim169: Value,
    /// The other CWT claims (a `Value::Map` without key 169).
    pub cwt: Value,
    pub sign: Option<SignSpec>,
    pub encrypt: Option<EncryptSpec>,
    pub options: EncodeOptions,
}

/// The QR text and every artefact on the way to it.
#[derive(Debug, Clone)]
pub struct Encoded {
    pub text: String,
    pub zlib: Vec<u8>,
    pub cose: Vec<u8>,
    pub payload: Vec<u8>,
}

/// Why the encoder could not produce a credential.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    #[error("not yet written")]
    Unimplemented,
}

/// Encodes a credential.
pub fn encode(_request: &EncodeRequest) -> Result<Encoded, EncodeError> {
    Err(EncodeError::Unimplemented)
}
