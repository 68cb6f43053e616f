//! The decoding pipeline: Base45 → zlib → COSE (decrypt, verify) → CWT → claim 169.
//!
//! Each stage's error becomes a rejection in the suite's vocabulary (stage, stable
//! code, message); every artefact produced on the way is kept in a [`Trace`].

use crate::cbor::{self, ReadLimits};
use crate::claim169::{self, Identity};
use crate::cose::{self, Envelope, Message, Structure};
use crate::cwt::{self, Claims};
use crate::{base45, zlib};
use c169_crypto::crypto::{self, ContentAlgorithm, CryptoError, SignatureAlgorithm};
use c169_crypto::keys::{Key, PublicKey};
use c169_model::{
    map_to_canonical_json, to_canonical_json, CoseFacts, Flag, Outcome, Stage, Value, Verdict,
    Warning,
};

/// Resource limits; each breach is a rejection at stage `limit`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Longest QR text accepted, in bytes.
    pub max_text_len: usize,
    /// Largest inflated COSE message, in bytes.
    pub max_decompressed: usize,
    /// Deepest CBOR nesting (arrays, maps and tags), capped at [`cbor::HARD_MAX_DEPTH`].
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

impl Limits {
    fn cbor(&self) -> ReadLimits {
        ReadLimits {
            max_depth: self.max_depth,
            max_items: self.max_items,
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
    /// Keep every intermediate artefact in the [`Trace`] (for `inspect`); off, the
    /// decoder copies nothing it does not need.
    pub trace: bool,
}

/// Every intermediate artefact a decoding produced, as far as it got.
#[derive(Debug, Clone, Default)]
pub struct Trace {
    /// Base45-decoded bytes: the zlib stream.
    pub zlib: Option<Vec<u8>>,
    pub zlib_header: Option<zlib::ZlibHeader>,
    /// Inflated bytes: the COSE message.
    pub cose: Option<Vec<u8>>,
    /// The COSE message as CBOR.
    pub cose_value: Option<Value>,
    /// Protected header bytes of the COSE_Encrypt0, when there is one.
    pub encrypt0_protected: Option<Vec<u8>>,
    pub iv: Option<Vec<u8>>,
    /// The decrypted COSE_Sign1 bytes.
    pub plaintext: Option<Vec<u8>>,
    pub sign1_protected: Option<Vec<u8>>,
    pub payload: Option<Vec<u8>>,
    pub signature: Option<Vec<u8>>,
    /// The CWT claims map.
    pub claims: Option<Value>,
    /// The claim 169 map.
    pub claim169: Option<Value>,
}

/// The result of a decoding: the outcome, the claim 169 map when accepted, and
/// the artefacts behind them (when asked for).
#[derive(Debug, Clone)]
pub struct Decoded {
    pub outcome: Outcome,
    /// The claim 169 map of an accepted credential.
    pub claim169: Option<Vec<(Value, Value)>>,
    pub trace: Trace,
}

impl Decoded {
    /// The typed reading of the claim 169 map of an accepted credential.
    #[must_use]
    pub fn identity(&self) -> Option<Identity> {
        self.claim169
            .as_deref()
            .and_then(|m| claim169::interpret(m, &mut Vec::new()).ok())
    }
}

/// A rejection: stage, stable code, message.
struct Rejection {
    stage: Stage,
    code: String,
    message: String,
}

impl Rejection {
    fn new(stage: Stage, code: impl Into<String>, message: impl Into<String>) -> Self {
        Rejection {
            stage,
            code: code.into(),
            message: message.into(),
        }
    }
}

impl From<base45::Base45Error> for Rejection {
    fn from(e: base45::Base45Error) -> Self {
        Rejection::new(Stage::Base45, e.code(), e.to_string())
    }
}

impl From<zlib::ZlibError> for Rejection {
    fn from(e: zlib::ZlibError) -> Self {
        Rejection::new(e.stage(), e.code(), e.to_string())
    }
}

impl From<cose::CoseError> for Rejection {
    fn from(e: cose::CoseError) -> Self {
        Rejection::new(e.stage(), e.code(), e.to_string())
    }
}

impl From<cwt::CwtError> for Rejection {
    fn from(e: cwt::CwtError) -> Self {
        Rejection::new(e.stage(), e.code(), e.to_string())
    }
}

impl From<cwt::TimeError> for Rejection {
    fn from(e: cwt::TimeError) -> Self {
        Rejection::new(Stage::Time, e.code(), e.to_string())
    }
}

impl From<claim169::Claim169Error> for Rejection {
    fn from(e: claim169::Claim169Error) -> Self {
        Rejection::new(e.stage(), e.code(), e.to_string())
    }
}

/// What an accepted credential yields.
struct Accepted {
    claims: Claims,
    facts: CoseFacts,
    verified: bool,
}

/// Decodes a Claim 169 QR text. Never panics; a rejection is an outcome.
#[must_use]
pub fn decode(text: &str, options: &DecodeOptions) -> Decoded {
    let mut trace = Trace::default();
    let mut warnings = Vec::new();
    let mut facts = CoseFacts::default();
    match run(text, options, &mut trace, &mut facts, &mut warnings) {
        Ok(a) => {
            let outcome = Outcome {
                verdict: Verdict::Accept,
                stage: None,
                code: None,
                message: None,
                claim169: Some(map_to_canonical_json(&a.claims.claim169)),
                cwt: Some(map_to_canonical_json(&a.claims.others)),
                cose: Some(a.facts),
                verified: Some(a.verified),
                warnings,
                by: None,
            };
            Decoded {
                outcome,
                claim169: Some(a.claims.claim169),
                trace,
            }
        }
        Err(r) => {
            let mut outcome = Outcome::reject(r.stage, r.code, r.message);
            outcome.warnings = warnings;
            if !facts.structure.is_empty() {
                outcome.cose = Some(facts);
            }
            Decoded {
                outcome,
                claim169: None,
                trace,
            }
        }
    }
}

fn run(
    text: &str,
    options: &DecodeOptions,
    trace: &mut Trace,
    facts: &mut CoseFacts,
    warnings: &mut Vec<Warning>,
) -> Result<Accepted, Rejection> {
    let limits = &options.limits;
    if text.len() > limits.max_text_len {
        return Err(Rejection::new(
            Stage::Limit,
            "limit.text_length",
            format!(
                "the text is {} bytes long, above the limit of {}",
                text.len(),
                limits.max_text_len
            ),
        ));
    }
    let compressed = base45::decode(text)?;
    let inflated = match zlib::inflate(&compressed, limits.max_decompressed) {
        Ok(i) => i,
        Err(e) => {
            trace.zlib = Some(compressed);
            return Err(no_compression_or(e, trace.zlib.as_deref()));
        }
    };
    if options.trace {
        trace.zlib = Some(compressed);
    }
    trace.zlib_header = Some(inflated.header);
    let cose_bytes = inflated.data;
    let cbor_limits = limits.cbor();
    let value = cbor::decode(&cose_bytes, cbor_limits)
        .map_err(|source| Rejection::from(cose::CoseError::Cbor { source }));
    if options.trace {
        trace.cose = Some(cose_bytes);
    }
    let value = value?;
    if options.trace {
        trace.cose_value = Some(value.clone());
    }
    let envelope = cose::from_value(value, cbor_limits, warnings)?;
    facts.tags.clone_from(&envelope.tags);
    let sign1 = match envelope.message {
        Message::Sign1(s) => {
            facts.structure = "sign1".into();
            s
        }
        Message::Encrypt0(e) => {
            facts.structure = "encrypt0".into();
            decrypt(&e, options, trace, facts, warnings)?
        }
    };
    let alg_id = cose::algorithm(&sign1.headers, Structure::Sign1)?;
    let alg = SignatureAlgorithm::from_cose_id(alg_id).ok_or_else(|| {
        Rejection::from(cose::CoseError::UnknownAlgorithm {
            structure: Structure::Sign1,
            alg: alg_id.to_string(),
        })
    })?;
    facts.alg = Some(alg.cose_id());
    let kid = cose::kid(&sign1.headers)?;
    if let Some((k, bucket)) = &kid {
        facts.kid = Some(to_canonical_json(&Value::Bytes(k.clone())));
        facts.kid_bucket = Some(*bucket);
    }
    facts.x5 = cose::x5_facts(&sign1.headers, warnings)?;
    if options.trace {
        trace.sign1_protected = Some(sign1.headers.protected_bytes.clone());
        trace.signature = Some(sign1.signature.clone());
    }
    let verified = verify(
        &sign1,
        alg,
        kid.as_ref().map(|(k, _)| k.as_slice()),
        options,
        warnings,
    )?;
    if options.trace {
        trace.payload = Some(sign1.payload.clone());
    }
    let claims = cwt::parse_claims(&sign1.payload, cbor_limits, warnings)?;
    if options.trace {
        let mut claims_map = claims.others.clone();
        claims_map.push((
            Value::Integer(cwt::CLAIM169),
            Value::Map(claims.claim169.clone()),
        ));
        trace.claims = Some(Value::Map(claims_map));
        trace.claim169 = Some(Value::Map(claims.claim169.clone()));
    }
    match options.now {
        Some(now) => cwt::check_time(&claims, now, options.leeway)?,
        None => warnings.push(Warning {
            flag: Flag::TimeNotChecked,
            at: None,
            message: "no validation time was given: exp and nbf were not checked".into(),
        }),
    }
    claim169::check(&claims.claim169, warnings)?;
    Ok(Accepted {
        claims,
        facts: std::mem::take(facts),
        verified,
    })
}

/// A zlib failure on bytes that are plainly a COSE message is named for what it is.
fn no_compression_or(e: zlib::ZlibError, bytes: Option<&[u8]>) -> Rejection {
    let looks_like_cose = matches!(
        bytes.and_then(|b| b.first()),
        Some(0xd2 | 0xd0 | 0xd8 | 0x84 | 0x83)
    );
    if looks_like_cose && matches!(e.stage(), Stage::Zlib) {
        Rejection::new(
            Stage::Zlib,
            "zlib.no_compression",
            format!("the Base45 text holds a COSE message without zlib compression ({e}); Claim 169 encoders must compress"),
        )
    } else {
        Rejection::from(e)
    }
}

fn decrypt(
    e: &cose::Encrypt0,
    options: &DecodeOptions,
    trace: &mut Trace,
    facts: &mut CoseFacts,
    warnings: &mut Vec<Warning>,
) -> Result<cose::Sign1, Rejection> {
    if options.trace {
        trace.encrypt0_protected = Some(e.headers.protected_bytes.clone());
    }
    let alg_id = cose::algorithm(&e.headers, Structure::Encrypt0)?;
    let alg = ContentAlgorithm::from_cose_id(alg_id).ok_or_else(|| {
        Rejection::from(cose::CoseError::UnknownAlgorithm {
            structure: Structure::Encrypt0,
            alg: alg_id.to_string(),
        })
    })?;
    facts.enc_alg = Some(alg.cose_id());
    let kid = cose::kid(&e.headers)?;
    if let Some((k, _)) = &kid {
        facts.enc_kid = Some(to_canonical_json(&Value::Bytes(k.clone())));
    }
    let iv = cose::iv(&e.headers)?;
    if options.trace {
        trace.iv = Some(iv.clone());
    }
    let candidates = by_kid(
        &options.decrypt_keys,
        kid.as_ref().map(|(k, _)| k.as_slice()),
    );
    let symmetric: Vec<_> = candidates
        .iter()
        .filter_map(|k| k.symmetric_key())
        .collect();
    if symmetric.is_empty() {
        return Err(Rejection::new(
            Stage::Decrypt,
            "decrypt.no_key",
            "the credential is encrypted and no decryption key was given",
        ));
    }
    let aad = cose::enc_structure(&e.headers.protected_bytes);
    let mut last = CryptoError::DecryptionFailed;
    let mut plaintext = None;
    for key in symmetric {
        match crypto::decrypt(key, alg, &iv, &aad, &e.ciphertext) {
            Ok(p) => {
                plaintext = Some(p);
                break;
            }
            // A failed tag says more than a key of the wrong length: keep it if seen.
            Err(err) => {
                if !matches!(last, CryptoError::DecryptionFailed)
                    || !matches!(err, CryptoError::KeyLengthMismatch { .. })
                {
                    last = err;
                }
            }
        }
    }
    let plaintext = plaintext.ok_or_else(|| {
        Rejection::new(
            Stage::Decrypt,
            last.code(),
            format!("COSE_Encrypt0 ({}): {last}", alg.name()),
        )
    })?;
    let limits = options.limits.cbor();
    let value = cbor::decode(&plaintext, limits)
        .map_err(|source| Rejection::from(cose::CoseError::Cbor { source }))?;
    if options.trace {
        trace.plaintext = Some(plaintext);
    }
    if matches!(value, Value::Map(_)) {
        return Err(Rejection::new(
            Stage::Cose,
            "cose.unsigned",
            "the COSE_Encrypt0 holds a bare claims set: nothing is signed, and a Claim 169 credential must be",
        ));
    }
    let inner: Envelope = cose::from_value(value, limits, warnings)?;
    facts.tags.extend(&inner.tags);
    match inner.message {
        Message::Sign1(s) => Ok(s),
        Message::Encrypt0(_) => Err(Rejection::new(
            Stage::Cose,
            "cose.nested_encrypt0",
            "a COSE_Encrypt0 holds another COSE_Encrypt0; it must hold the COSE_Sign1",
        )),
    }
}

/// The keys to try: those whose kid matches, when any does; otherwise all.
fn by_kid<'k>(keys: &'k [Key], kid: Option<&[u8]>) -> Vec<&'k Key> {
    if let Some(kid) = kid {
        let matching: Vec<&Key> = keys
            .iter()
            .filter(|k| k.kid.as_deref() == Some(kid))
            .collect();
        if !matching.is_empty() {
            return matching;
        }
    }
    keys.iter().collect()
}

fn verify(
    sign1: &cose::Sign1,
    alg: SignatureAlgorithm,
    kid: Option<&[u8]>,
    options: &DecodeOptions,
    warnings: &mut Vec<Warning>,
) -> Result<bool, Rejection> {
    if options.verify_keys.is_empty() {
        warnings.push(Warning {
            flag: Flag::SignatureNotVerified,
            at: None,
            message: "no verification key was given: the signature was not checked and the claims are not trusted".into(),
        });
        return Ok(false);
    }
    let keys: Vec<PublicKey> = by_kid(&options.verify_keys, kid)
        .into_iter()
        .filter_map(Key::public_key)
        .collect();
    if keys.is_empty() {
        return Err(Rejection::new(
            Stage::Signature,
            "signature.no_usable_key",
            "none of the verification keys given is a public or private signature key",
        ));
    }
    let message = cose::sig_structure(&sign1.headers.protected_bytes, &sign1.payload);
    let mut errors = Vec::with_capacity(keys.len());
    for key in &keys {
        match crypto::verify(key, alg, &message, &sign1.signature) {
            Ok(()) => return Ok(true),
            Err(e) => errors.push(e),
        }
    }
    // Report the most telling failure: a real verification failure over a length
    // mismatch over an algorithm that fits none of the keys.
    let rank = |e: &CryptoError| match e {
        CryptoError::SignatureInvalid => 0,
        CryptoError::BadSignatureLength { .. } => 1,
        _ => 2,
    };
    let e = errors
        .into_iter()
        .min_by_key(rank)
        .unwrap_or(CryptoError::SignatureInvalid);
    Err(Rejection::new(
        Stage::Signature,
        e.code(),
        format!("COSE_Sign1 ({}): {e}", alg.name()),
    ))
}
