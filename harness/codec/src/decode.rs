//! The decoding pipeline: Base45 → zlib → COSE → CWT → claim 169.

use crate::keys::Key;
use c169_model::{Outcome, Stage, Value};

/// Resource limits; each breach is a rejection at stage `limit`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Longest QR text accepted, in characters.
    pub max_text_len: usize,
    /// Largest inflated COSE message, in bytes.
    pub max_decompressed: usize,
    /// Deepest CBOR nesting (arrays, maps and tags).
    pub max_depth: usize,
    /// Most items in one array or map.
    pub max_items: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_text_len: 16 * 1024,
            max_decompressed: 64 * 1024,
            max_depth: 64,
            max_items: 16 * 1024,
        }
    }
}

/// What the caller gives the decoder besides the text.
#[derive(Debug, Clone, Default)]
pub struct DecodeOptions {
    /// The validation time, seconds since the Unix epoch; `None` skips exp/nbf (and says so).
    pub now: Option<i64>,
    /// Seconds of clock skew allowed on exp and nbf.
    pub leeway: u64,
    /// Keys to verify the COSE_Sign1 with; none means the signature is not checked (and said so).
    pub verify_keys: Vec<Key>,
    /// Keys to decrypt a COSE_Encrypt0 with.
    pub decrypt_keys: Vec<Key>,
    pub limits: Limits,
}

/// Every intermediate artefact a decoding produced, as far as it got.
#[derive(Debug, Clone, Default)]
pub struct Trace {
    pub zlib: Option<Vec<u8>>,
    pub cose: Option<Vec<u8>>,
    pub claims: Option<Value>,
}

/// The result of a decoding: the outcome and the artefacts behind it.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub outcome: Outcome,
    pub trace: Trace,
}

/// Decodes a Claim 169 QR text. Never panics; a rejection is an outcome.
#[must_use]
pub fn decode(_text: &str, _options: &DecodeOptions) -> Decoded {
    Decoded {
        outcome: Outcome::reject(Stage::Base45, "unimplemented", "not yet written"),
        trace: Trace::default(),
    }
}
