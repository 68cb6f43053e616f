//! COSE (RFC 9052, RFC 9360) as Claim 169 uses it: COSE_Sign1 (tag 18), optionally
//! inside COSE_Encrypt0 (tag 16), optionally under the CWT tag 61.
//!
//! This module reads and writes the structures and enforces the header rules
//! (alg only from the protected bucket, crit honoured, duplicate labels rejected,
//! kid from either bucket, certificate headers parsed). Signatures and decryption
//! are done by the pipeline with [`crate::crypto`].

use crate::cbor::{self, CborError, ReadLimits};
use c169_model::{Bucket, Flag, Stage, Value, Warning};

// The header buckets, their rules and their readers, apart from the structures
// that carry them.
mod header;

use header::headers;
pub use header::{algorithm, iv, kid, x5_facts, Headers};

pub const TAG_CWT: u64 = 61;
pub const TAG_SIGN1: u64 = 18;
pub const TAG_ENCRYPT0: u64 = 16;
pub const TAG_SIGN: u64 = 98;
pub const TAG_ENCRYPT: u64 = 96;

pub const LABEL_ALG: i128 = 1;
pub const LABEL_CRIT: i128 = 2;
pub const LABEL_CONTENT_TYPE: i128 = 3;
pub const LABEL_KID: i128 = 4;
pub const LABEL_IV: i128 = 5;
pub const LABEL_PARTIAL_IV: i128 = 6;
pub const LABEL_X5BAG: i128 = 32;
pub const LABEL_X5CHAIN: i128 = 33;
pub const LABEL_X5T: i128 = 34;
pub const LABEL_X5U: i128 = 35;
/// Which COSE structure an error concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Structure {
    Sign1,
    Encrypt0,
}

impl std::fmt::Display for Structure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Structure::Sign1 => "COSE_Sign1",
            Structure::Encrypt0 => "COSE_Encrypt0",
        })
    }
}

/// Why bytes are not an acceptable COSE message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CoseError {
    #[error("the COSE message is not well-formed CBOR: {source}")]
    Cbor {
        #[source]
        source: CborError,
    },
    #[error("the protected header of the {structure} is not one well-formed CBOR map: {source}")]
    ProtectedCbor {
        structure: Structure,
        #[source]
        source: CborError,
    },
    #[error("tag {tag} is not a COSE_Sign1 (18) or COSE_Encrypt0 (16)")]
    UnexpectedTag { tag: u64 },
    #[error("tag {tag} (COSE_Sign or COSE_Encrypt, several signers or recipients) is not supported by this decoder")]
    MultiRecipient { tag: u64 },
    #[error("the CWT tag 61 must be followed by a COSE tag (18 or 16), found {found}")]
    MissingCoseTag { found: &'static str },
    #[error("a COSE message is an array; found {found}")]
    NotAnArray { found: &'static str },
    #[error(
        "an untagged array of {found} items is neither a COSE_Sign1 (4) nor a COSE_Encrypt0 (3)"
    )]
    UnknownShape { found: usize },
    #[error("a {structure} has {expected} items; found {found}")]
    WrongArity {
        structure: Structure,
        expected: usize,
        found: usize,
    },
    #[error("the protected header of the {structure} must be a byte string; found {found}")]
    ProtectedNotBytes {
        structure: Structure,
        found: &'static str,
    },
    #[error("the protected header of the {structure} must hold a map; found {found}")]
    ProtectedNotMap {
        structure: Structure,
        found: &'static str,
    },
    #[error("the unprotected header of the {structure} must be a map; found {found}")]
    UnprotectedNotMap {
        structure: Structure,
        found: &'static str,
    },
    #[error("label {label} appears twice in the {bucket:?} header of the {structure}")]
    DuplicateLabel {
        structure: Structure,
        bucket: Bucket,
        label: String,
    },
    /// RFC 9052 §3: "Applications SHOULD verify that the same label does not
    /// occur in both the protected and unprotected header parameters."
    #[error(
        "label {label} stands in both the protected and the unprotected header of the {structure}"
    )]
    LabelInBothBuckets { structure: Structure, label: String },
    #[error("a header label must be an integer or text; found {found} in the {bucket:?} header")]
    BadLabel { bucket: Bucket, found: &'static str },
    #[error("the {structure} has no alg (label 1) in its protected header{}", if *.in_unprotected { "; it stands in the unprotected header, where it is not integrity-protected" } else { "" })]
    AlgNotProtected {
        structure: Structure,
        in_unprotected: bool,
    },
    #[error("the alg of the {structure} must be an integer or text; found {found}")]
    AlgWrongType {
        structure: Structure,
        found: &'static str,
    },
    #[error("algorithm {alg} is not one this decoder knows for a {structure}")]
    UnknownAlgorithm { structure: Structure, alg: String },
    #[error("crit (label 2) must stand in the protected header")]
    CritNotProtected,
    #[error("crit must be a non-empty array of integer or text labels")]
    CritMalformed,
    #[error("crit names label {label}, which this decoder does not understand")]
    CritUnknownLabel { label: String },
    #[error("crit names label {label}, which is not in the protected header")]
    CritLabelAbsent { label: String },
    #[error("kid (label 4) must be a byte string; found {found} in the {bucket:?} header")]
    KidWrongType { bucket: Bucket, found: &'static str },
    #[error("certificate header {label} is malformed: {reason}")]
    X5Malformed { label: i128, reason: &'static str },
    #[error("the {structure} has a nil {what} (detached content), which Claim 169 does not allow")]
    Detached {
        structure: Structure,
        what: &'static str,
    },
    #[error("the {what} of the {structure} must be a byte string; found {found}")]
    NotBytes {
        structure: Structure,
        what: &'static str,
        found: &'static str,
    },
    #[error("the COSE_Encrypt0 carries both an IV (5) and a Partial IV (6)")]
    IvAndPartialIv,
    #[error("the COSE_Encrypt0 has no IV (label 5)")]
    IvMissing,
    #[error("the IV must be a byte string; found {found}")]
    IvWrongType { found: &'static str },
}

impl CoseError {
    /// The stage this rejection belongs to.
    #[must_use]
    pub fn stage(&self) -> Stage {
        match self {
            CoseError::Cbor { source } | CoseError::ProtectedCbor { source, .. }
                if source.is_limit() =>
            {
                Stage::Limit
            }
            CoseError::IvAndPartialIv | CoseError::IvMissing | CoseError::IvWrongType { .. } => {
                Stage::Decrypt
            }
            _ => Stage::Cose,
        }
    }

    /// The stable machine code.
    #[must_use]
    pub fn code(&self) -> String {
        let name = match self {
            CoseError::Cbor { source } | CoseError::ProtectedCbor { source, .. } => {
                let prefix = if matches!(self, CoseError::ProtectedCbor { .. }) {
                    "protected_"
                } else {
                    ""
                };
                return if source.is_limit() {
                    format!("limit.cbor_{}", source.kind())
                } else {
                    format!("cose.{prefix}cbor_{}", source.kind())
                };
            }
            CoseError::UnexpectedTag { .. } => "unexpected_tag",
            CoseError::MultiRecipient { .. } => "multi_recipient_unsupported",
            CoseError::MissingCoseTag { .. } => "missing_cose_tag",
            CoseError::NotAnArray { .. } => "not_an_array",
            CoseError::UnknownShape { .. } => "unknown_shape",
            CoseError::WrongArity { .. } => "wrong_arity",
            CoseError::ProtectedNotBytes { .. } => "protected_not_bytes",
            CoseError::ProtectedNotMap { .. } => "protected_not_map",
            CoseError::UnprotectedNotMap { .. } => "unprotected_not_map",
            CoseError::DuplicateLabel { .. } => "duplicate_label",
            CoseError::LabelInBothBuckets { .. } => "label_in_both_buckets",
            CoseError::BadLabel { .. } => "bad_label",
            CoseError::AlgNotProtected { .. } => "alg_not_protected",
            CoseError::AlgWrongType { .. } => "alg_wrong_type",
            CoseError::UnknownAlgorithm { .. } => "unknown_algorithm",
            CoseError::CritNotProtected => "crit_not_protected",
            CoseError::CritMalformed => "crit_malformed",
            CoseError::CritUnknownLabel { .. } => "crit_unknown_label",
            CoseError::CritLabelAbsent { .. } => "crit_label_absent",
            CoseError::KidWrongType { .. } => "kid_wrong_type",
            CoseError::X5Malformed { .. } => "x5_malformed",
            CoseError::Detached { .. } => "detached",
            CoseError::NotBytes { .. } => "not_bytes",
            CoseError::IvAndPartialIv => return "decrypt.iv_and_partial_iv".into(),
            CoseError::IvMissing => return "decrypt.iv_missing".into(),
            CoseError::IvWrongType { .. } => return "decrypt.iv_wrong_type".into(),
        };
        format!("cose.{name}")
    }
}
/// A parsed COSE_Sign1.
#[derive(Debug, Clone, PartialEq)]
pub struct Sign1 {
    pub headers: Headers,
    pub payload: Vec<u8>,
    pub signature: Vec<u8>,
}

/// A parsed COSE_Encrypt0.
#[derive(Debug, Clone, PartialEq)]
pub struct Encrypt0 {
    pub headers: Headers,
    pub ciphertext: Vec<u8>,
}

/// The outermost COSE structure of a credential.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    Sign1(Sign1),
    Encrypt0(Encrypt0),
}

/// A COSE message with the tags that stood around it, outermost first.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    pub tags: Vec<u64>,
    pub message: Message,
}

/// Reads a COSE message: exactly one CBOR item, optionally tagged 61 then 18 or 16.
pub fn parse_message(
    bytes: &[u8],
    limits: ReadLimits,
    warnings: &mut Vec<Warning>,
) -> Result<Envelope, CoseError> {
    let value = cbor::decode(bytes, limits).map_err(|source| CoseError::Cbor { source })?;
    from_value(value, limits, warnings)
}

/// Interprets a CBOR value as a COSE message (used for the plaintext of an Encrypt0 too).
pub fn from_value(
    value: Value,
    limits: ReadLimits,
    warnings: &mut Vec<Warning>,
) -> Result<Envelope, CoseError> {
    let mut tags = Vec::new();
    let mut value = value;
    if let Value::Tag(TAG_CWT, inner) = value {
        tags.push(TAG_CWT);
        value = *inner;
        if !matches!(value, Value::Tag(..)) {
            return Err(CoseError::MissingCoseTag {
                found: value.type_name(),
            });
        }
    }
    let message = match value {
        Value::Tag(TAG_SIGN1, inner) => {
            tags.push(TAG_SIGN1);
            Message::Sign1(sign1(*inner, limits)?)
        }
        Value::Tag(TAG_ENCRYPT0, inner) => {
            tags.push(TAG_ENCRYPT0);
            Message::Encrypt0(encrypt0(*inner, limits)?)
        }
        Value::Tag(tag @ (TAG_SIGN | TAG_ENCRYPT), _) => {
            return Err(CoseError::MultiRecipient { tag })
        }
        Value::Tag(tag, _) => return Err(CoseError::UnexpectedTag { tag }),
        Value::Array(items) => {
            let message = match items.len() {
                4 => Message::Sign1(sign1(Value::Array(items), limits)?),
                3 => Message::Encrypt0(encrypt0(Value::Array(items), limits)?),
                n => return Err(CoseError::UnknownShape { found: n }),
            };
            warnings.push(Warning {
                flag: Flag::Untagged,
                at: None,
                message: "the COSE message carries no COSE tag; its structure was inferred from its length".into(),
            });
            message
        }
        other => {
            return Err(CoseError::NotAnArray {
                found: other.type_name(),
            })
        }
    };
    Ok(Envelope { tags, message })
}

fn items(value: Value, structure: Structure, expected: usize) -> Result<Vec<Value>, CoseError> {
    match value {
        Value::Array(items) if items.len() == expected => Ok(items),
        Value::Array(items) => Err(CoseError::WrongArity {
            structure,
            expected,
            found: items.len(),
        }),
        other => Err(CoseError::NotAnArray {
            found: other.type_name(),
        }),
    }
}

fn sign1(value: Value, limits: ReadLimits) -> Result<Sign1, CoseError> {
    let s = Structure::Sign1;
    let mut it = items(value, s, 4)?.into_iter();
    let (Some(protected), Some(unprotected), Some(payload), Some(signature)) =
        (it.next(), it.next(), it.next(), it.next())
    else {
        return Err(CoseError::WrongArity {
            structure: s,
            expected: 4,
            found: 0,
        });
    };
    let headers = headers(protected, unprotected, s, limits)?;
    let payload = content(payload, s, "payload")?;
    let signature = match signature {
        Value::Bytes(b) => b,
        other => {
            return Err(CoseError::NotBytes {
                structure: s,
                what: "signature",
                found: other.type_name(),
            })
        }
    };
    Ok(Sign1 {
        headers,
        payload,
        signature,
    })
}

fn encrypt0(value: Value, limits: ReadLimits) -> Result<Encrypt0, CoseError> {
    let s = Structure::Encrypt0;
    let mut it = items(value, s, 3)?.into_iter();
    let (Some(protected), Some(unprotected), Some(ciphertext)) = (it.next(), it.next(), it.next())
    else {
        return Err(CoseError::WrongArity {
            structure: s,
            expected: 3,
            found: 0,
        });
    };
    let headers = headers(protected, unprotected, s, limits)?;
    let ciphertext = content(ciphertext, s, "ciphertext")?;
    Ok(Encrypt0 {
        headers,
        ciphertext,
    })
}

fn content(value: Value, structure: Structure, what: &'static str) -> Result<Vec<u8>, CoseError> {
    match value {
        Value::Bytes(b) => Ok(b),
        Value::Null => Err(CoseError::Detached { structure, what }),
        other => Err(CoseError::NotBytes {
            structure,
            what,
            found: other.type_name(),
        }),
    }
}

/// The bytes a COSE_Sign1 signature covers (RFC 9052 §4.4), with definite lengths.
#[must_use]
pub fn sig_structure(protected_bytes: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + protected_bytes.len() + 24);
    cbor::write_head(&mut out, 4, 4);
    cbor::write_head(&mut out, 3, 10);
    out.extend_from_slice(b"Signature1");
    cbor::write_head(&mut out, 2, protected_bytes.len() as u64);
    out.extend_from_slice(protected_bytes);
    cbor::write_head(&mut out, 2, 0);
    cbor::write_head(&mut out, 2, payload.len() as u64);
    out.extend_from_slice(payload);
    out
}

/// The additional authenticated data of a COSE_Encrypt0 (RFC 9052 §5.3).
#[must_use]
pub fn enc_structure(protected_bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(protected_bytes.len() + 16);
    cbor::write_head(&mut out, 4, 3);
    cbor::write_head(&mut out, 3, 8);
    out.extend_from_slice(b"Encrypt0");
    cbor::write_head(&mut out, 2, protected_bytes.len() as u64);
    out.extend_from_slice(protected_bytes);
    cbor::write_head(&mut out, 2, 0);
    out
}

#[cfg(test)]
mod tests;
