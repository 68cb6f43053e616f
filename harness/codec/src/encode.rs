//! The encoding pipeline, with knobs for conformant and deliberately broken output.
//!
//! The default options produce a conformant credential: claim 169 map under key
//! 169, COSE_Sign1 with tag 18 and alg (and kid) protected, optionally a
//! COSE_Encrypt0 (tag 16) around the tagged COSE_Sign1, zlib at level 6, Base45.
//!
//! Broken credentials come from a few orthogonal knobs rather than a flag per
//! fault: where each header parameter goes, which tags are written, how the CBOR
//! is written, how the layers nest, and byte-level [`Tamper`]s applied at named
//! points of the pipeline (before or after signing, after encryption, after
//! compression, on the text). Output is deterministic: Ed25519 and RFC 6979 ECDSA
//! signatures, and the IV is given.

use crate::cbor::{self, CborWriteError, WriteStyle};
use crate::cose::{self, LABEL_ALG, LABEL_IV, LABEL_KID};
use crate::zlib::{self, ZlibOptions};
use crate::{base45, cwt};
use c169_crypto::crypto::{self, ContentAlgorithm, CryptoError, SignatureAlgorithm};
use c169_crypto::keys::Key;
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

/// Where a header parameter is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Placement {
    #[default]
    Protected,
    Unprotected,
    Both,
    Omit,
}

impl Placement {
    fn protected(self) -> bool {
        matches!(self, Placement::Protected | Placement::Both)
    }
    fn unprotected(self) -> bool {
        matches!(self, Placement::Unprotected | Placement::Both)
    }
}

/// Which tags wrap the outermost COSE structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tags {
    /// Tag 18 or 16.
    #[default]
    Cose,
    /// Tag 61 (CWT) around tag 18 or 16, as the specification's example prints.
    CwtAndCose,
    /// No tag at all.
    None,
}

/// How signing and encryption nest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Layering {
    /// COSE_Encrypt0 around the tagged COSE_Sign1 (when encrypting at all).
    #[default]
    SignThenEncrypt,
    /// COSE_Sign1 whose payload is a COSE_Encrypt0 of the claims.
    EncryptThenSign,
    /// COSE_Encrypt0 around the bare claims set: nothing signed.
    EncryptOnly,
}

/// How the ECDSA signature is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignatureFormat {
    /// r‖s, as COSE requires.
    #[default]
    Raw,
    /// ASN.1 DER, as some libraries produce by mistake.
    Der,
}

/// A point of the pipeline where bytes can be edited. The generator's YAML names
/// it in snake case (`at: signed_payload`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Point {
    /// The claims set bytes before signing: the signature covers the edit.
    Payload,
    /// The payload after signing: the signature no longer matches.
    SignedPayload,
    /// The protected header of the COSE_Sign1 after signing.
    SignedProtected,
    Signature,
    /// The serialised COSE_Sign1 (before any encryption).
    Sign1,
    /// The ciphertext‖tag of the COSE_Encrypt0.
    Ciphertext,
    /// The outermost COSE bytes, before compression.
    Cose,
    /// The compressed bytes, before Base45.
    Zlib,
    /// The QR text (edited as bytes; must stay UTF-8).
    Text,
}

/// A byte-level edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// Add bytes at the end.
    Append(Vec<u8>),
    /// Add bytes at the start.
    Prepend(Vec<u8>),
    /// Remove this many bytes from the start.
    Skip(usize),
    /// Lowercase every ASCII letter (for the QR text: what a case-folding reader undoes).
    Lowercase,
    /// Remove this many bytes from the end.
    Truncate(usize),
    /// Flip bits: XOR the byte at `offset` (negative counts from the end) with `mask`.
    Xor { offset: i64, mask: u8 },
    /// Overwrite bytes starting at `offset` (negative counts from the end).
    Overwrite { offset: i64, bytes: Vec<u8> },
    /// Replace everything.
    Replace(Vec<u8>),
}

/// One edit at one point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tamper {
    pub at: Point,
    pub edit: Edit,
}

/// The knobs of the encoder; the default is a conformant credential.
#[derive(Debug, Clone, Default)]
#[allow(clippy::struct_excessive_bools)] // each flag is an independent knob; an enum per flag would say no more
pub struct EncodeOptions {
    /// How the claims set and the claim 169 map are written.
    pub claims_style: WriteStyle,
    /// Claim 169 as a byte string holding the map (the specification's example).
    pub claim169_as_bytes: bool,
    pub tags: Tags,
    /// Whether the COSE_Sign1 inside a COSE_Encrypt0 carries tag 18 (it must).
    pub untagged_inner: bool,
    pub alg_placement: Placement,
    /// The alg value written, when it must differ from the signing algorithm.
    pub alg_value: Option<Value>,
    pub kid_placement: Placement,
    /// Write an empty protected header as h'a0' rather than h''.
    pub empty_protected_as_map: bool,
    /// Extra COSE_Sign1 header entries, written after the others (crit, x5chain, duplicates …).
    pub extra_protected: Vec<(Value, Value)>,
    pub extra_unprotected: Vec<(Value, Value)>,
    pub signature_format: SignatureFormat,
    /// Write the COSE_Sign1 payload as nil (detached content); the signature still covers it.
    pub detach_payload: bool,
    pub layering: Layering,
    pub enc_alg_placement: Placement,
    /// Where the IV goes; `None` puts it in the unprotected bucket, as RFC 9052 does.
    pub iv_placement: Option<Placement>,
    pub extra_enc_protected: Vec<(Value, Value)>,
    pub extra_enc_unprotected: Vec<(Value, Value)>,
    /// Leave out compression (Base45 of the COSE bytes).
    pub no_compression: bool,
    pub zlib: ZlibOptions,
    pub tamper: Vec<Tamper>,
}

/// What to encode.
#[derive(Debug, Clone)]
pub struct EncodeRequest {
    /// The claim 169 map (a `Value::Map`, or any value for broken vectors).
    pub claim169: Value,
    /// The other CWT claims (a `Value::Map` without key 169).
    pub cwt: Value,
    /// The signing key; `None` writes an empty signature (an unsigned credential).
    pub sign: Option<SignSpec>,
    pub encrypt: Option<EncryptSpec>,
    pub options: EncodeOptions,
}

/// The QR text and every artefact on the way to it.
#[derive(Debug, Clone, Default)]
pub struct Encoded {
    pub text: String,
    pub zlib: Vec<u8>,
    /// The outermost COSE bytes.
    pub cose: Vec<u8>,
    pub sign1: Vec<u8>,
    pub sign1_protected: Vec<u8>,
    pub payload: Vec<u8>,
    pub signature: Vec<u8>,
    pub ciphertext: Option<Vec<u8>>,
}

/// Why the encoder could not produce a credential.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    #[error("the value cannot be written as CBOR: {0}")]
    Cbor(#[from] CborWriteError),
    #[error("the other CWT claims must be a map; found {found}")]
    ClaimsNotAMap { found: &'static str },
    #[error("the signing key has no private part")]
    NotASigningKey,
    #[error("the encryption key is not a symmetric key")]
    NotAnEncryptionKey,
    #[error("{0}")]
    Crypto(#[from] CryptoError),
    #[error("compression failed: {0}")]
    Zlib(#[from] zlib::ZlibEncodeError),
    #[error("edit at {at:?} cannot apply: {reason}")]
    BadTamper { at: Point, reason: &'static str },
}

/// Encodes a credential.
pub fn encode(request: &EncodeRequest) -> Result<Encoded, EncodeError> {
    let o = &request.options;
    let mut out = Encoded::default();
    let claims = claims_value(request)?;
    let payload = tampered(
        cbor::encode_with(&claims, o.claims_style)?,
        o,
        Point::Payload,
    )?;
    let (inner_payload, encrypt_inside) = match (o.layering, &request.encrypt) {
        (Layering::EncryptThenSign, Some(enc)) => {
            (encrypt0(enc, &payload, o, false, &mut out)?, false)
        }
        _ => (payload, request.encrypt.is_some()),
    };
    let cose_bytes = if let (Layering::EncryptOnly, Some(enc)) = (o.layering, &request.encrypt) {
        out.payload.clone_from(&inner_payload);
        encrypt0(enc, &inner_payload, o, true, &mut out)?
    } else {
        let sign1 = sign1(
            request.sign.as_ref(),
            inner_payload,
            o,
            !encrypt_inside,
            &mut out,
        )?;
        out.sign1.clone_from(&sign1);
        match (&request.encrypt, encrypt_inside) {
            (Some(enc), true) => encrypt0(enc, &sign1, o, true, &mut out)?,
            _ => sign1,
        }
    };
    let cose_bytes = tampered(cose_bytes, o, Point::Cose)?;
    out.cose.clone_from(&cose_bytes);
    let compressed = if o.no_compression {
        cose_bytes
    } else {
        zlib::deflate(&cose_bytes, &o.zlib)?
    };
    out.zlib = tampered(compressed, o, Point::Zlib)?;
    let text = tampered(base45::encode(&out.zlib).into_bytes(), o, Point::Text)?;
    out.text = String::from_utf8(text).map_err(|_| EncodeError::BadTamper {
        at: Point::Text,
        reason: "the edited text is not UTF-8",
    })?;
    Ok(out)
}

fn claims_value(request: &EncodeRequest) -> Result<Value, EncodeError> {
    let mut entries = match &request.cwt {
        Value::Map(m) => m.clone(),
        other => {
            return Err(EncodeError::ClaimsNotAMap {
                found: other.type_name(),
            })
        }
    };
    let claim169 = if request.options.claim169_as_bytes {
        Value::Bytes(cbor::encode_with(
            &request.claim169,
            request.options.claims_style,
        )?)
    } else {
        request.claim169.clone()
    };
    // Claim 169 goes in key order among the integer claims (idpass and the spec put it last).
    let at = entries
        .iter()
        .position(|(k, _)| k.as_integer().is_some_and(|k| k > cwt::CLAIM169))
        .unwrap_or(entries.len());
    entries.insert(at, (Value::Integer(cwt::CLAIM169), claim169));
    Ok(Value::Map(entries))
}

fn header_bytes(entries: &[(Value, Value)], empty_as_map: bool) -> Result<Vec<u8>, EncodeError> {
    if entries.is_empty() && !empty_as_map {
        return Ok(Vec::new());
    }
    Ok(cbor::encode(&Value::Map(entries.to_vec()))?)
}

fn tag(value: Value, tag: u64, tags: Tags, outermost: bool) -> Value {
    match (tags, outermost) {
        (Tags::None, true) => value,
        (Tags::CwtAndCose, true) => {
            Value::Tag(cose::TAG_CWT, Box::new(Value::Tag(tag, Box::new(value))))
        }
        _ => Value::Tag(tag, Box::new(value)),
    }
}

fn sign1(
    sign: Option<&SignSpec>,
    payload: Vec<u8>,
    o: &EncodeOptions,
    outermost: bool,
    out: &mut Encoded,
) -> Result<Vec<u8>, EncodeError> {
    let alg = match sign {
        Some(s) => Some(
            s.alg
                .or_else(|| s.key.signature_algorithm())
                .ok_or(EncodeError::NotASigningKey)?,
        ),
        None => None,
    };
    let alg_value = o
        .alg_value
        .clone()
        .or_else(|| alg.map(|a| Value::Integer(i128::from(a.cose_id()))));
    let kid = sign.and_then(|s| s.kid.clone());
    let (mut protected, mut unprotected) = (Vec::new(), Vec::new());
    if let Some(v) = &alg_value {
        place(
            &mut protected,
            &mut unprotected,
            o.alg_placement,
            LABEL_ALG,
            v,
        );
    }
    if let Some(k) = kid {
        place(
            &mut protected,
            &mut unprotected,
            o.kid_placement,
            LABEL_KID,
            &Value::Bytes(k),
        );
    }
    protected.extend(o.extra_protected.iter().cloned());
    unprotected.extend(o.extra_unprotected.iter().cloned());
    let protected_bytes = header_bytes(&protected, o.empty_protected_as_map)?;
    let signature = match (sign, alg) {
        (Some(s), Some(alg)) => {
            let key = s.key.private_key().ok_or(EncodeError::NotASigningKey)?;
            let raw = crypto::sign(key, alg, &cose::sig_structure(&protected_bytes, &payload))?;
            match o.signature_format {
                SignatureFormat::Raw => raw,
                SignatureFormat::Der => crypto::signature_to_der(alg, &raw)?,
            }
        }
        _ => Vec::new(),
    };
    let signature = tampered(signature, o, Point::Signature)?;
    let payload = tampered(payload, o, Point::SignedPayload)?;
    let protected_bytes = tampered(protected_bytes, o, Point::SignedProtected)?;
    out.sign1_protected.clone_from(&protected_bytes);
    out.payload.clone_from(&payload);
    out.signature.clone_from(&signature);
    let array = Value::Array(vec![
        Value::Bytes(protected_bytes),
        Value::Map(unprotected),
        if o.detach_payload {
            Value::Null
        } else {
            Value::Bytes(payload)
        },
        Value::Bytes(signature),
    ]);
    let value = if !outermost && o.untagged_inner {
        array
    } else {
        tag(array, cose::TAG_SIGN1, o.tags, outermost)
    };
    tampered(cbor::encode(&value)?, o, Point::Sign1)
}

fn encrypt0(
    enc: &EncryptSpec,
    plaintext: &[u8],
    o: &EncodeOptions,
    outermost: bool,
    out: &mut Encoded,
) -> Result<Vec<u8>, EncodeError> {
    let key = enc
        .key
        .symmetric_key()
        .ok_or(EncodeError::NotAnEncryptionKey)?;
    let alg = enc.alg.unwrap_or_else(|| key.algorithm());
    let (mut protected, mut unprotected) = (Vec::new(), Vec::new());
    place(
        &mut protected,
        &mut unprotected,
        o.enc_alg_placement,
        LABEL_ALG,
        &Value::Integer(i128::from(alg.cose_id())),
    );
    place(
        &mut protected,
        &mut unprotected,
        o.iv_placement.unwrap_or(Placement::Unprotected),
        LABEL_IV,
        &Value::Bytes(enc.iv.clone()),
    );
    protected.extend(o.extra_enc_protected.iter().cloned());
    unprotected.extend(o.extra_enc_unprotected.iter().cloned());
    let protected_bytes = header_bytes(&protected, false)?;
    let ciphertext = crypto::encrypt(
        key,
        alg,
        &enc.iv,
        &cose::enc_structure(&protected_bytes),
        plaintext,
    )?;
    let ciphertext = tampered(ciphertext, o, Point::Ciphertext)?;
    out.ciphertext = Some(ciphertext.clone());
    let array = Value::Array(vec![
        Value::Bytes(protected_bytes),
        Value::Map(unprotected),
        Value::Bytes(ciphertext),
    ]);
    let value = if outermost {
        tag(array, cose::TAG_ENCRYPT0, o.tags, true)
    } else {
        Value::Tag(cose::TAG_ENCRYPT0, Box::new(array))
    };
    Ok(cbor::encode(&value)?)
}

fn place(
    protected: &mut Vec<(Value, Value)>,
    unprotected: &mut Vec<(Value, Value)>,
    p: Placement,
    label: i128,
    v: &Value,
) {
    if p.protected() {
        protected.push((Value::Integer(label), v.clone()));
    }
    if p.unprotected() {
        unprotected.push((Value::Integer(label), v.clone()));
    }
}

fn tampered(mut bytes: Vec<u8>, o: &EncodeOptions, at: Point) -> Result<Vec<u8>, EncodeError> {
    for t in o.tamper.iter().filter(|t| t.at == at) {
        let index = |offset: i64, len: usize| -> Option<usize> {
            if offset < 0 {
                len.checked_sub(usize::try_from(offset.unsigned_abs()).ok()?)
            } else {
                usize::try_from(offset).ok().filter(|i| *i < len)
            }
        };
        match &t.edit {
            Edit::Append(extra) => bytes.extend_from_slice(extra),
            Edit::Lowercase => bytes.make_ascii_lowercase(),
            Edit::Skip(n) => {
                if *n > bytes.len() {
                    return Err(EncodeError::BadTamper {
                        at,
                        reason: "skipping more bytes than there are",
                    });
                }
                bytes.drain(..*n);
            }
            Edit::Prepend(extra) => {
                bytes.splice(0..0, extra.iter().copied());
            }
            Edit::Truncate(n) => {
                let keep = bytes.len().checked_sub(*n).ok_or(EncodeError::BadTamper {
                    at,
                    reason: "truncating more bytes than there are",
                })?;
                bytes.truncate(keep);
            }
            Edit::Xor { offset, mask } => {
                let i = index(*offset, bytes.len()).ok_or(EncodeError::BadTamper {
                    at,
                    reason: "offset outside the bytes",
                })?;
                if let Some(b) = bytes.get_mut(i) {
                    *b ^= mask;
                }
            }
            Edit::Overwrite { offset, bytes: new } => {
                let i = index(*offset, bytes.len()).ok_or(EncodeError::BadTamper {
                    at,
                    reason: "offset outside the bytes",
                })?;
                let end = i
                    .checked_add(new.len())
                    .filter(|e| *e <= bytes.len())
                    .ok_or(EncodeError::BadTamper {
                        at,
                        reason: "overwrite runs past the end",
                    })?;
                if let Some(slot) = bytes.get_mut(i..end) {
                    slot.copy_from_slice(new);
                }
            }
            Edit::Replace(new) => bytes.clone_from(new),
        }
    }
    Ok(bytes)
}
