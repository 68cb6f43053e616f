//! c169 protocol v1 adapter for crates.io `claim169-core` 0.3.0.
//!
//! A thin shim: it reads one JSON request per line on stdin, calls claim169-core's
//! `Decoder` or `Encoder`, and writes one JSON response per line on stdout. It makes
//! no check of its own: every verdict, stage and decoded value is the library's.
//! Logs go to stderr. See README.md for the stage mapping and the library's quirks.

use std::io::{self, BufRead, Write};
use std::panic::{self, AssertUnwindSafe};

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::{alphabet, Engine};
use claim169_core::model::{
    Biometric, BiometricFormat, BiometricSubFormat, Gender, MaritalStatus, PhotoFormat,
};
use claim169_core::{
    Claim169, Claim169Error, CwtMeta, DecodeResult, Decoder, EcdsaP256Signer, Ed25519Signer,
    Encoder, VerificationStatus, WarningCode,
};
use coset::iana;
use serde_json::{json, Map, Value};

/// The implementation's name and version, as `describe` gives them.
const NAME: &str = "claim169-rs";
const VERSION: &str = "0.3.0";

/// Why a request could not be carried out: an error response of that kind.
#[derive(Debug)]
enum Failure {
    Unsupported(String),
    BadRequest(String),
    Internal(String),
}

impl Failure {
    fn to_json(&self) -> Value {
        let (kind, message) = match self {
            Failure::Unsupported(m) => ("unsupported", m),
            Failure::BadRequest(m) => ("bad_request", m),
            Failure::Internal(m) => ("internal", m),
        };
        json!({"kind": kind, "message": message})
    }
}

fn unsupported<T>(message: impl Into<String>) -> Result<T, Failure> {
    Err(Failure::Unsupported(message.into()))
}

fn bad_request<T>(message: impl Into<String>) -> Result<T, Failure> {
    Err(Failure::BadRequest(message.into()))
}

// --- the loop ----------------------------------------------------------------

fn main() {
    // A panic inside the library must not reach stdout; the default hook writes to
    // stderr, and catch_unwind below turns it into an `internal` error response.
    let stdin = io::stdin();
    let mut input = stdin.lock();
    let stdout = io::stdout();
    let mut line = Vec::new();
    loop {
        line.clear();
        match input.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                eprintln!("claim169-rs adapter: reading stdin: {e}");
                break;
            }
        }
        let text = match std::str::from_utf8(&line) {
            Ok(t) => t,
            Err(e) => {
                let reply = json!({"id": null, "error": {"kind": "bad_request", "message": format!("unreadable request: not UTF-8: {e}")}});
                if write_reply(&stdout, &reply).is_err() {
                    break;
                }
                continue;
            }
        };
        if text.trim().is_empty() {
            continue;
        }
        let reply = answer(text);
        if write_reply(&stdout, &reply).is_err() {
            break;
        }
    }
}

fn write_reply(stdout: &io::Stdout, reply: &Value) -> io::Result<()> {
    let mut out = stdout.lock();
    let text = serde_json::to_string(reply).unwrap_or_else(|e| {
        format!(
            "{{\"id\":null,\"error\":{{\"kind\":\"internal\",\"message\":\"cannot serialise the reply: {}\"}}}}",
            e.to_string().replace('"', "'")
        )
    });
    out.write_all(text.as_bytes())?;
    out.write_all(b"\n")?;
    out.flush()
}

/// The response to one request line.
fn answer(line: &str) -> Value {
    let request: Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => {
            return json!({"id": null, "error": {"kind": "bad_request", "message": format!("unreadable request: {e}")}})
        }
    };
    let id = match request.get("id") {
        Some(Value::Number(n)) if n.is_u64() => Value::Number(n.clone()),
        _ => {
            return json!({"id": null, "error": {"kind": "bad_request", "message": "unreadable request: no non-negative integer id"}})
        }
    };
    let result = panic::catch_unwind(AssertUnwindSafe(|| dispatch(&request)));
    let body = match result {
        Ok(Ok(body)) => body,
        Ok(Err(failure)) => {
            if let Failure::Internal(m) = &failure {
                eprintln!("claim169-rs adapter: internal error: {m}");
            }
            json!({"error": failure.to_json()})
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".to_owned());
            json!({"error": Failure::Internal(format!("panic: {what}")).to_json()})
        }
    };
    let mut reply = Map::new();
    reply.insert("id".into(), id);
    if let Value::Object(members) = body {
        reply.extend(members);
    }
    Value::Object(reply)
}

fn dispatch(request: &Value) -> Result<Value, Failure> {
    match request.get("op").and_then(Value::as_str) {
        Some("describe") => Ok(describe()),
        Some("decode") => decode(request),
        Some("encode") => encode(request),
        Some(other) => unsupported(format!("op {other:?} is not supported")),
        None => bad_request("the request names no op"),
    }
}

// --- describe ------------------------------------------------------------------

fn describe() -> Value {
    json!({
        "name": NAME,
        "version": VERSION,
        "protocol": 1,
        "ops": ["describe", "decode", "encode"],
        // Ed25519Verifier/Signer and EcdsaP256Verifier/Signer: EdDSA and ES256 only.
        // AesGcmDecryptor/Encryptor: 16- and 32-byte keys only (no AES-192).
        "algorithms": {"sign": ["EdDSA", "ES256"], "encrypt": ["A128GCM", "A256GCM"]},
        // Decoder reads SystemTime::now() and cannot be given a validation time;
        // its clock_skew_tolerance() applies to that clock only.
        "options": {"now": false, "leeway": false, "unverified": true},
        "capabilities": []
    })
}

// --- values --------------------------------------------------------------------

const MAX_SAFE: i64 = 1 << 53;

fn int_json(n: i64) -> Value {
    if (-MAX_SAFE..=MAX_SAFE).contains(&n) {
        Value::from(n)
    } else {
        json!({"int": n.to_string()})
    }
}

fn bstr_json(bytes: &[u8]) -> Value {
    json!({"bstr": hex::encode(bytes)})
}

/// Whether `key` is the decimal form of an integer as canonical JSON writes it.
fn is_int_key(key: &str) -> bool {
    let digits = key.strip_prefix('-').unwrap_or(key);
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
        && !(key.starts_with('-') && digits == "0")
}

/// The canonical JSON of a value claim169-core hands back as `serde_json::Value`
/// (its `unknown_fields`): the library has already turned byte strings into base64
/// text and map keys into text, so only what it kept can be reported.
fn library_json_to_canonical(v: &Value) -> Value {
    match v {
        Value::Null | Value::Bool(_) | Value::String(_) => v.clone(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                int_json(i)
            } else if let Some(u) = n.as_u64() {
                json!({"int": u.to_string()})
            } else {
                json!({"float": n.as_f64()})
            }
        }
        Value::Array(items) => Value::Array(items.iter().map(library_json_to_canonical).collect()),
        Value::Object(members) => {
            if members.keys().all(|k| is_int_key(k)) {
                Value::Object(
                    members
                        .iter()
                        .map(|(k, v)| (k.clone(), library_json_to_canonical(v)))
                        .collect(),
                )
            } else {
                let pairs = members
                    .iter()
                    .map(|(k, v)| {
                        let key = if is_int_key(k) {
                            k.parse::<i64>().map_or_else(|_| Value::String(k.clone()), int_json)
                        } else {
                            Value::String(k.clone())
                        };
                        json!([key, library_json_to_canonical(v)])
                    })
                    .collect::<Vec<_>>();
                json!({ "map": pairs })
            }
        }
    }
}

// --- decode: the typed result back to canonical JSON -----------------------------

fn biometrics_json(entries: &[Biometric]) -> Value {
    Value::Array(
        entries
            .iter()
            .map(|b| {
                let mut m = Map::new();
                m.insert("0".into(), bstr_json(&b.data));
                if let Some(f) = b.format {
                    m.insert("1".into(), int_json(i64::from(f)));
                }
                if let Some(s) = &b.sub_format {
                    m.insert("2".into(), int_json(s.to_value()));
                }
                if let Some(i) = &b.issuer {
                    m.insert("3".into(), Value::String(i.clone()));
                }
                Value::Object(m)
            })
            .collect(),
    )
}

fn claim169_json(c: &Claim169) -> Value {
    let mut m = Map::new();
    let text = |key: u32, v: &Option<String>, m: &mut Map<String, Value>| {
        if let Some(s) = v {
            m.insert(key.to_string(), Value::String(s.clone()));
        }
    };
    text(1, &c.id, &mut m);
    text(2, &c.version, &mut m);
    text(3, &c.language, &mut m);
    text(4, &c.full_name, &mut m);
    text(5, &c.first_name, &mut m);
    text(6, &c.middle_name, &mut m);
    text(7, &c.last_name, &mut m);
    text(8, &c.date_of_birth, &mut m);
    if let Some(g) = c.gender {
        m.insert("9".into(), int_json(i64::from(g)));
    }
    text(10, &c.address, &mut m);
    text(11, &c.email, &mut m);
    text(12, &c.phone, &mut m);
    text(13, &c.nationality, &mut m);
    if let Some(s) = c.marital_status {
        m.insert("14".into(), int_json(i64::from(s)));
    }
    text(15, &c.guardian, &mut m);
    if let Some(p) = &c.photo {
        m.insert("16".into(), bstr_json(p));
    }
    if let Some(f) = c.photo_format {
        m.insert("17".into(), int_json(i64::from(f)));
    }
    if let Some(fingers) = &c.best_quality_fingers {
        m.insert(
            "18".into(),
            Value::Array(fingers.iter().map(|&f| int_json(i64::from(f))).collect()),
        );
    }
    text(19, &c.secondary_full_name, &mut m);
    text(20, &c.secondary_language, &mut m);
    text(21, &c.location_code, &mut m);
    text(22, &c.legal_status, &mut m);
    text(23, &c.country_of_issuance, &mut m);
    let biometrics: [(u32, &Option<Vec<Biometric>>); 16] = [
        (50, &c.right_thumb),
        (51, &c.right_pointer_finger),
        (52, &c.right_middle_finger),
        (53, &c.right_ring_finger),
        (54, &c.right_little_finger),
        (55, &c.left_thumb),
        (56, &c.left_pointer_finger),
        (57, &c.left_middle_finger),
        (58, &c.left_ring_finger),
        (59, &c.left_little_finger),
        (60, &c.right_iris),
        (61, &c.left_iris),
        (62, &c.face),
        (63, &c.right_palm),
        (64, &c.left_palm),
        (65, &c.voice),
    ];
    for (key, entries) in biometrics {
        if let Some(entries) = entries {
            m.insert(key.to_string(), biometrics_json(entries));
        }
    }
    // Keys the library does not know, kept in `unknown_fields` as serde_json values.
    // It keeps them in a hash map, which forgets the wire order: they are listed in
    // key order so that the same credential always gets the same answer.
    let mut unknown: Vec<_> = c.unknown_fields.iter().collect();
    unknown.sort_by_key(|(key, _)| **key);
    for (key, value) in unknown {
        m.insert(key.to_string(), library_json_to_canonical(value));
    }
    Value::Object(m)
}

fn cwt_json(meta: &CwtMeta) -> Value {
    let mut m = Map::new();
    if let Some(s) = &meta.issuer {
        m.insert("1".into(), Value::String(s.clone()));
    }
    if let Some(s) = &meta.subject {
        m.insert("2".into(), Value::String(s.clone()));
    }
    if let Some(t) = meta.expires_at {
        m.insert("4".into(), int_json(t));
    }
    if let Some(t) = meta.not_before {
        m.insert("5".into(), int_json(t));
    }
    if let Some(t) = meta.issued_at {
        m.insert("6".into(), int_json(t));
    }
    Value::Object(m)
}

/// The pipeline stage and the variant name of a claim169-core error.
fn stage_of(e: &Claim169Error) -> (&'static str, &'static str) {
    match e {
        Claim169Error::Base45Decode(_) => ("base45", "Base45Decode"),
        Claim169Error::Decompress(_) => ("zlib", "Decompress"),
        Claim169Error::DecompressLimitExceeded { .. } => ("limit", "DecompressLimitExceeded"),
        Claim169Error::CoseParse(_) => ("cose", "CoseParse"),
        Claim169Error::UnsupportedCoseType(_) => ("cose", "UnsupportedCoseType"),
        Claim169Error::SignatureInvalid(_) => ("signature", "SignatureInvalid"),
        Claim169Error::DecryptionFailed(_) => ("decrypt", "DecryptionFailed"),
        // Raised only while reading the CWT payload (pipeline::cwt::parse).
        Claim169Error::CborParse(_) => ("cwt", "CborParse"),
        Claim169Error::CwtParse(_) => ("cwt", "CwtParse"),
        Claim169Error::Claim169NotFound => ("claim169", "Claim169NotFound"),
        Claim169Error::Claim169Invalid(_) => ("claim169", "Claim169Invalid"),
        // From a verifier: the credential's alg does not fit the key.
        Claim169Error::UnsupportedAlgorithm(_) => ("signature", "UnsupportedAlgorithm"),
        Claim169Error::KeyNotFound(_) => ("signature", "KeyNotFound"),
        Claim169Error::Expired(_) => ("time", "Expired"),
        Claim169Error::NotYetValid(_) => ("time", "NotYetValid"),
        // From a verifier (a malformed ECDSA signature) or a refused verification key.
        Claim169Error::Crypto(_) => ("signature", "Crypto"),
        Claim169Error::Io(_) => ("cose", "Io"),
        // Raised while building the Encrypt0 AAD.
        Claim169Error::CborEncode(_) => ("decrypt", "CborEncode"),
        Claim169Error::SignatureFailed(_) => ("signature", "SignatureFailed"),
        Claim169Error::EncryptionFailed(_) => ("decrypt", "EncryptionFailed"),
        Claim169Error::EncodingConfig(_) => ("cose", "EncodingConfig"),
        // "verification required but no verifier or resolver provided": a payload
        // that was not signed while a key was given.
        Claim169Error::DecodingConfig(_) => ("signature", "DecodingConfig"),
    }
}

fn reject(stage: &str, variant: &str, message: String) -> Value {
    json!({
        "verdict": "reject",
        "stage": stage,
        "code": format!("claim169-rs.{variant}"),
        "message": message,
        "warnings": []
    })
}

fn reject_error(e: &Claim169Error) -> Value {
    let (stage, variant) = stage_of(e);
    reject(stage, variant, e.to_string())
}

// --- decode: keys ----------------------------------------------------------------

fn b64url(s: &str, what: &str) -> Result<Vec<u8>, Failure> {
    const URL: GeneralPurpose = GeneralPurpose::new(
        &alphabet::URL_SAFE,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    URL.decode(s)
        .or_else(|e| bad_request(format!("JWK member {what} is not base64url: {e}")))
}

fn member<'a>(jwk: &'a Value, name: &str) -> Result<&'a str, Failure> {
    match jwk.get(name) {
        Some(Value::String(s)) => Ok(s),
        Some(_) => bad_request(format!("JWK member {name} is not a string")),
        None => bad_request(format!("JWK has no member {name}")),
    }
}

/// The key kinds claim169-core's API takes.
enum PublicKey {
    /// 32 bytes, for `verify_with_ed25519`.
    Ed25519(Vec<u8>),
    /// SEC1 uncompressed point 0x04 || x || y, for `verify_with_ecdsa_p256`.
    P256(Vec<u8>),
}

fn public_key(jwk: &Value) -> Result<PublicKey, Failure> {
    let kty = member(jwk, "kty")?;
    match kty {
        "OKP" => {
            let crv = member(jwk, "crv")?;
            if crv != "Ed25519" {
                return unsupported(format!(
                    "claim169-core verifies Ed25519 and P-256 only, not OKP {crv}"
                ));
            }
            Ok(PublicKey::Ed25519(b64url(member(jwk, "x")?, "x")?))
        }
        "EC" => {
            let crv = member(jwk, "crv")?;
            if crv != "P-256" {
                return unsupported(format!(
                    "claim169-core verifies Ed25519 and P-256 only, not EC {crv}"
                ));
            }
            let mut point = vec![0x04];
            point.extend(b64url(member(jwk, "x")?, "x")?);
            point.extend(b64url(member(jwk, "y")?, "y")?);
            Ok(PublicKey::P256(point))
        }
        other => unsupported(format!(
            "claim169-core verifies with Ed25519 (OKP) and P-256 (EC) keys only, not kty {other}"
        )),
    }
}

fn symmetric_key(jwk: &Value) -> Result<Vec<u8>, Failure> {
    let kty = member(jwk, "kty")?;
    if kty != "oct" {
        return unsupported(format!(
            "claim169-core decrypts with symmetric (oct) AES keys only, not kty {kty}"
        ));
    }
    b64url(member(jwk, "k")?, "k")
}

fn key_list<'a>(keys: Option<&'a Value>, name: &str) -> Result<&'a [Value], Failure> {
    match keys.and_then(|k| k.get(name)) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(list)) => Ok(list),
        Some(_) => bad_request(format!("keys.{name} is not an array")),
    }
}

// --- decode ------------------------------------------------------------------------

fn decode(request: &Value) -> Result<Value, Failure> {
    let qr = match request.get("qr") {
        Some(Value::String(s)) => s.clone(),
        _ => return bad_request("decode: qr is missing or not a string"),
    };
    let keys = match request.get("keys") {
        None | Some(Value::Null) => None,
        Some(k @ Value::Object(_)) => Some(k),
        Some(_) => return bad_request("decode: keys is not an object"),
    };
    let verify = key_list(keys, "verify")?;
    let decrypt = key_list(keys, "decrypt")?;
    let options = request.get("options");
    let now_given = options
        .and_then(|o| o.get("now"))
        .is_some_and(|n| !n.is_null());

    // claim169-core's Decoder holds one verifier and one decryptor; several keys
    // need a KeyResolver, which picks by kid, and protocol JWK kids are to be ignored.
    if verify.len() > 1 {
        return unsupported(
            "claim169-core's Decoder takes one verification key; a key set needs a KeyResolver choosing by kid, which this thin adapter does not write",
        );
    }
    if decrypt.len() > 1 {
        return unsupported(
            "claim169-core's Decoder takes one decryption key; a key set needs a KeyResolver choosing by kid, which this thin adapter does not write",
        );
    }

    // The library checks exp/nbf against the system clock only: with no way to give
    // it the rig's validation time, its check is turned off (it says so in a warning).
    let mut decoder = Decoder::new(qr).without_timestamp_validation();

    if let Some(jwk) = decrypt.first() {
        let key = symmetric_key(jwk)?;
        let configured = match key.len() {
            16 => decoder.decrypt_with_aes128(&key),
            32 => decoder.decrypt_with_aes256(&key),
            24 => return unsupported("claim169-core has no AES-192-GCM (A192GCM)"),
            // Any other length: the library's own refusal.
            _ => decoder.decrypt_with_aes256(&key),
        };
        decoder = match configured {
            Ok(d) => d,
            Err(e) => {
                let (_, variant) = stage_of(&e);
                return Ok(reject(
                    "decrypt",
                    variant,
                    format!("claim169-core refused the decryption key: {e}"),
                ));
            }
        };
    }

    let verifying = !verify.is_empty();
    if let Some(jwk) = verify.first() {
        let configured = match public_key(jwk)? {
            PublicKey::Ed25519(x) => decoder.verify_with_ed25519(&x),
            PublicKey::P256(point) => decoder.verify_with_ecdsa_p256(&point),
        };
        decoder = match configured {
            Ok(d) => d,
            Err(e) => {
                let (_, variant) = stage_of(&e);
                return Ok(reject(
                    "signature",
                    variant,
                    format!("claim169-core refused the verification key: {e}"),
                ));
            }
        };
    } else {
        decoder = decoder.allow_unverified();
    }

    match decoder.decode() {
        Ok(result) => Ok(accepted(&result, verifying, now_given)),
        Err(e) => Ok(reject_error(&e)),
    }
}

fn accepted(result: &DecodeResult, verifying: bool, now_given: bool) -> Value {
    let verified = result.verification_status == VerificationStatus::Verified;
    let mut warnings = Vec::new();
    for w in &result.warnings {
        let (flag, message) = match w.code {
            WarningCode::TimestampValidationSkipped => (
                "TimeNotChecked",
                if now_given {
                    format!(
                        "{}: claim169-core checks exp/nbf against the system clock only and cannot be given the validation time",
                        w.message
                    )
                } else {
                    w.message.clone()
                },
            ),
            WarningCode::UnknownFields => ("UnknownKey", w.message.clone()),
            WarningCode::NonStandardCompression => ("NoCompression", w.message.clone()),
            WarningCode::ExpiringSoon => ("claim169-rs.expiring_soon", w.message.clone()),
            WarningCode::BiometricsSkipped => ("claim169-rs.biometrics_skipped", w.message.clone()),
        };
        let mut entry = json!({"flag": flag, "message": message});
        if w.code == WarningCode::UnknownFields {
            entry["at"] = Value::String("169".into());
        }
        warnings.push(entry);
    }
    if result.verification_status == VerificationStatus::Skipped {
        warnings.push(json!({
            "flag": "SignatureNotVerified",
            "message": if verifying {
                "claim169-core reports verification skipped"
            } else {
                "no verification key was given: claim169-core decoded with allow_unverified()"
            }
        }));
    }
    json!({
        "verdict": "accept",
        "claim169": claim169_json(&result.claim169),
        "cwt": cwt_json(&result.cwt_meta),
        "verified": verified,
        "warnings": warnings
    })
}

// --- encode: canonical JSON into claim169-core's model ----------------------------------

/// The members of an int-keyed canonical map, as (key, value).
fn int_map<'a>(v: &'a Value, what: &str) -> Result<Vec<(i64, &'a Value)>, Failure> {
    let Value::Object(members) = v else {
        return unsupported(format!(
            "{what} is not a map: claim169-core's model holds a map with integer keys"
        ));
    };
    let mut out = Vec::with_capacity(members.len());
    for (k, v) in members {
        if !is_int_key(k) {
            return unsupported(format!(
                "{what} is not a map with integer keys (member {k:?}): claim169-core's model holds integer keys only"
            ));
        }
        match k.parse::<i64>() {
            Ok(n) => out.push((n, v)),
            Err(_) => {
                return unsupported(format!(
                    "{what}: key {k} lies outside i64, which claim169-core's model uses"
                ))
            }
        }
    }
    Ok(out)
}

fn want_text(v: &Value, at: &str) -> Result<String, Failure> {
    match v {
        Value::String(s) => Ok(s.clone()),
        _ => unsupported(format!(
            "{at}: claim169-core's model holds text here, the request gives {v}"
        )),
    }
}

fn want_int(v: &Value, at: &str) -> Result<i64, Failure> {
    match v {
        Value::Number(n) if n.is_i64() => n.as_i64().ok_or_else(|| {
            Failure::Internal(format!("{at}: an i64 that is not one"))
        }),
        Value::Object(m) if m.len() == 1 && m.contains_key("int") => {
            let s = m["int"].as_str().unwrap_or_default();
            s.parse::<i64>().or_else(|_| {
                unsupported(format!(
                    "{at}: {s} lies outside i64, which claim169-core's model uses"
                ))
            })
        }
        _ => unsupported(format!(
            "{at}: claim169-core's model holds an integer here, the request gives {v}"
        )),
    }
}

fn want_bytes(v: &Value, at: &str) -> Result<Vec<u8>, Failure> {
    if let Value::Object(m) = v {
        if m.len() == 1 {
            if let Some(Value::String(h)) = m.get("bstr") {
                return hex::decode(h)
                    .or_else(|e| bad_request(format!("{at}: bad bstr hex: {e}")));
            }
        }
    }
    unsupported(format!(
        "{at}: claim169-core's model holds a byte string here, the request gives {v}"
    ))
}

fn want_enum<T: TryFrom<i64>>(v: &Value, at: &str, name: &str) -> Result<T, Failure> {
    let n = want_int(v, at)?;
    T::try_from(n).or_else(|_| {
        unsupported(format!(
            "{at}: {n} is not a value of claim169-core's {name} enum, which is all its model holds"
        ))
    })
}

fn want_biometrics(v: &Value, at: &str) -> Result<Vec<Biometric>, Failure> {
    let Value::Array(entries) = v else {
        return unsupported(format!(
            "{at}: claim169-core's model holds an array of biometric entries here, the request gives {v}"
        ));
    };
    let mut out = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let here = format!("{at}/{i}");
        let mut data = None;
        let mut format: Option<BiometricFormat> = None;
        let mut sub: Option<i64> = None;
        let mut issuer = None;
        for (k, val) in int_map(entry, &here)? {
            let there = format!("{here}/{k}");
            match k {
                0 => data = Some(want_bytes(val, &there)?),
                1 => format = Some(want_enum(val, &there, "BiometricFormat")?),
                2 => sub = Some(want_int(val, &there)?),
                3 => issuer = Some(want_text(val, &there)?),
                _ => {
                    return unsupported(format!(
                        "{there}: claim169-core's Biometric holds sub-keys 0-3 only"
                    ))
                }
            }
        }
        let Some(data) = data else {
            return unsupported(format!(
                "{here}: claim169-core's Biometric cannot be without its data (sub-key 0)"
            ));
        };
        let mut b = Biometric::new(data);
        b.format = format;
        b.sub_format = sub.map(|raw| match format {
            Some(f) => BiometricSubFormat::from_format_and_value(f, raw),
            None => BiometricSubFormat::Raw(raw),
        });
        b.issuer = issuer;
        out.push(b);
    }
    Ok(out)
}

/// A canonical value as claim169-core's `unknown_fields` holds it (`serde_json::Value`,
/// the library's JSON convention: byte strings as base64 text, map keys as text).
fn canonical_to_library_json(v: &Value, at: &str) -> Result<Value, Failure> {
    match v {
        Value::Null | Value::Bool(_) | Value::String(_) | Value::Number(_) => Ok(v.clone()),
        Value::Array(items) => Ok(Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, x)| canonical_to_library_json(x, &format!("{at}/{i}")))
                .collect::<Result<_, _>>()?,
        )),
        Value::Object(m) => {
            if m.len() == 1 {
                if let Some(Value::String(h)) = m.get("bstr") {
                    let bytes = hex::decode(h)
                        .or_else(|e| bad_request(format!("{at}: bad bstr hex: {e}")))?;
                    return Ok(Value::String(STANDARD.encode(bytes)));
                }
                if m.contains_key("float") {
                    if let Some(Value::Number(n)) = m.get("float") {
                        return Ok(Value::Number(n.clone()));
                    }
                }
                if m.contains_key("int") {
                    return want_int(v, at).map(Value::from);
                }
            }
            if m.keys().all(|k| is_int_key(k)) {
                return Ok(Value::Object(
                    m.iter()
                        .map(|(k, x)| Ok((k.clone(), canonical_to_library_json(x, &format!("{at}/{k}"))?)))
                        .collect::<Result<_, Failure>>()?,
                ));
            }
            unsupported(format!(
                "{at}: claim169-core's unknown_fields (serde_json values) cannot hold {v}"
            ))
        }
    }
}

fn claim169_model(v: &Value) -> Result<Claim169, Failure> {
    let mut c = Claim169::new();
    for (key, val) in int_map(v, "claim169")? {
        let at = format!("claim169/{key}");
        match key {
            1 => c.id = Some(want_text(val, &at)?),
            2 => c.version = Some(want_text(val, &at)?),
            3 => c.language = Some(want_text(val, &at)?),
            4 => c.full_name = Some(want_text(val, &at)?),
            5 => c.first_name = Some(want_text(val, &at)?),
            6 => c.middle_name = Some(want_text(val, &at)?),
            7 => c.last_name = Some(want_text(val, &at)?),
            8 => c.date_of_birth = Some(want_text(val, &at)?),
            9 => c.gender = Some(want_enum::<Gender>(val, &at, "Gender")?),
            10 => c.address = Some(want_text(val, &at)?),
            11 => c.email = Some(want_text(val, &at)?),
            12 => c.phone = Some(want_text(val, &at)?),
            13 => c.nationality = Some(want_text(val, &at)?),
            14 => c.marital_status = Some(want_enum::<MaritalStatus>(val, &at, "MaritalStatus")?),
            15 => c.guardian = Some(want_text(val, &at)?),
            16 => c.photo = Some(want_bytes(val, &at)?),
            17 => c.photo_format = Some(want_enum::<PhotoFormat>(val, &at, "PhotoFormat")?),
            18 => {
                let Value::Array(items) = val else {
                    return unsupported(format!(
                        "{at}: claim169-core's model holds an array of finger positions here"
                    ));
                };
                let mut fingers = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let n = want_int(item, &format!("{at}/{i}"))?;
                    match u8::try_from(n) {
                        Ok(f) => fingers.push(f),
                        Err(_) => {
                            return unsupported(format!(
                                "{at}/{i}: claim169-core's model holds finger positions as u8"
                            ))
                        }
                    }
                }
                c.best_quality_fingers = Some(fingers);
            }
            19 => c.secondary_full_name = Some(want_text(val, &at)?),
            20 => c.secondary_language = Some(want_text(val, &at)?),
            21 => c.location_code = Some(want_text(val, &at)?),
            22 => c.legal_status = Some(want_text(val, &at)?),
            23 => c.country_of_issuance = Some(want_text(val, &at)?),
            50 => c.right_thumb = Some(want_biometrics(val, &at)?),
            51 => c.right_pointer_finger = Some(want_biometrics(val, &at)?),
            52 => c.right_middle_finger = Some(want_biometrics(val, &at)?),
            53 => c.right_ring_finger = Some(want_biometrics(val, &at)?),
            54 => c.right_little_finger = Some(want_biometrics(val, &at)?),
            55 => c.left_thumb = Some(want_biometrics(val, &at)?),
            56 => c.left_pointer_finger = Some(want_biometrics(val, &at)?),
            57 => c.left_middle_finger = Some(want_biometrics(val, &at)?),
            58 => c.left_ring_finger = Some(want_biometrics(val, &at)?),
            59 => c.left_little_finger = Some(want_biometrics(val, &at)?),
            60 => c.right_iris = Some(want_biometrics(val, &at)?),
            61 => c.left_iris = Some(want_biometrics(val, &at)?),
            62 => c.face = Some(want_biometrics(val, &at)?),
            63 => c.right_palm = Some(want_biometrics(val, &at)?),
            64 => c.left_palm = Some(want_biometrics(val, &at)?),
            65 => c.voice = Some(want_biometrics(val, &at)?),
            // The model keeps other keys in `unknown_fields`; what the encoder does with
            // them is the library's business.
            other => {
                let value = canonical_to_library_json(val, &at)?;
                c.unknown_fields.insert(other, value);
            }
        }
    }
    Ok(c)
}

fn cwt_model(v: Option<&Value>) -> Result<CwtMeta, Failure> {
    let mut meta = CwtMeta::new();
    let Some(v) = v.filter(|v| !v.is_null()) else {
        return Ok(meta);
    };
    for (key, val) in int_map(v, "cwt")? {
        let at = format!("cwt/{key}");
        match key {
            1 => meta.issuer = Some(want_text(val, &at)?),
            2 => meta.subject = Some(want_text(val, &at)?),
            4 => meta.expires_at = Some(want_int(val, &at)?),
            5 => meta.not_before = Some(want_int(val, &at)?),
            6 => meta.issued_at = Some(want_int(val, &at)?),
            other => {
                return unsupported(format!(
                    "cwt/{other}: claim169-core's CwtMeta holds iss (1), sub (2), exp (4), nbf (5) and iat (6) only"
                ))
            }
        }
    }
    Ok(meta)
}

fn library_refused(what: &str, e: &Claim169Error) -> Failure {
    let (_, variant) = stage_of(e);
    Failure::BadRequest(format!("claim169-core refused the {what}: {variant}: {e}"))
}

fn encode(request: &Value) -> Result<Value, Failure> {
    if let Some(Value::Object(options)) = request.get("options") {
        if let Some(name) = options.keys().next() {
            return unsupported(format!("encoder option {name:?} is not supported"));
        }
    }
    let Some(claim) = request.get("claim169") else {
        return bad_request("encode: claim169 is missing");
    };
    let claim = claim169_model(claim)?;
    let meta = cwt_model(request.get("cwt"))?;
    let mut encoder = Encoder::new(claim, meta);

    match request.get("sign") {
        None | Some(Value::Null) => encoder = encoder.allow_unsigned(),
        Some(sign) => {
            let Some(jwk) = sign.get("jwk") else {
                return bad_request("encode: sign.jwk is missing");
            };
            let kid = match sign.get("kid") {
                None | Some(Value::Null) => None,
                Some(k) => Some(want_bytes(k, "sign.kid").map_err(|_| {
                    Failure::BadRequest("encode: sign.kid is not {\"bstr\": hex}".into())
                })?),
            };
            let alg = sign.get("alg").and_then(Value::as_str);
            let kty = member(jwk, "kty")?;
            let crv = jwk.get("crv").and_then(Value::as_str).unwrap_or("");
            match (kty, crv) {
                ("OKP", "Ed25519") => {
                    if let Some(a) = alg.filter(|a| *a != "EdDSA") {
                        return unsupported(format!(
                            "claim169-core signs an Ed25519 key with EdDSA only, not {a}"
                        ));
                    }
                    let d = b64url(member(jwk, "d")?, "d")?;
                    let mut signer = Ed25519Signer::from_bytes(&d)
                        .map_err(|e| library_refused("signing key", &e.into()))?;
                    if let Some(kid) = kid {
                        signer.set_key_id(kid);
                    }
                    encoder = encoder.sign_with(signer, iana::Algorithm::EdDSA);
                }
                ("EC", "P-256") => {
                    if let Some(a) = alg.filter(|a| *a != "ES256") {
                        return unsupported(format!(
                            "claim169-core signs a P-256 key with ES256 only, not {a}"
                        ));
                    }
                    let d = b64url(member(jwk, "d")?, "d")?;
                    let mut signer = EcdsaP256Signer::from_bytes(&d)
                        .map_err(|e| library_refused("signing key", &e.into()))?;
                    if let Some(kid) = kid {
                        signer.set_key_id(kid);
                    }
                    encoder = encoder.sign_with(signer, iana::Algorithm::ES256);
                }
                _ => {
                    return unsupported(format!(
                        "claim169-core signs with Ed25519 (EdDSA) and P-256 (ES256) keys only, not {kty} {crv}"
                    ))
                }
            }
        }
    }

    match request.get("encrypt") {
        None | Some(Value::Null) => {}
        Some(enc) => {
            let Some(jwk) = enc.get("jwk") else {
                return bad_request("encode: encrypt.jwk is missing");
            };
            let key = symmetric_key(jwk)?;
            let alg = match enc.get("alg").and_then(Value::as_str) {
                Some(a) => a.to_owned(),
                None => match key.len() {
                    16 => "A128GCM".into(),
                    24 => "A192GCM".into(),
                    32 => "A256GCM".into(),
                    n => return bad_request(format!("encode: a {n}-byte key is no AES key")),
                },
            };
            let iv = match enc.get("iv") {
                None | Some(Value::Null) => None,
                Some(v) => {
                    let bytes = want_bytes(v, "encrypt.iv").map_err(|_| {
                        Failure::BadRequest("encode: encrypt.iv is not {\"bstr\": hex}".into())
                    })?;
                    let Ok(nonce) = <[u8; 12]>::try_from(bytes.as_slice()) else {
                        return bad_request(format!(
                            "encode: encrypt.iv has {} bytes, not 12",
                            bytes.len()
                        ));
                    };
                    Some(nonce)
                }
            };
            let configured = match (alg.as_str(), iv) {
                ("A128GCM", Some(iv)) => encoder.encrypt_with_aes128_nonce(&key, &iv),
                ("A128GCM", None) => encoder.encrypt_with_aes128(&key),
                ("A256GCM", Some(iv)) => encoder.encrypt_with_aes256_nonce(&key, &iv),
                ("A256GCM", None) => encoder.encrypt_with_aes256(&key),
                (other, _) => {
                    return unsupported(format!(
                        "claim169-core encrypts with A128GCM and A256GCM only, not {other}"
                    ))
                }
            };
            encoder = configured.map_err(|e| library_refused("encryption key", &e))?;
        }
    }

    match encoder.encode() {
        Ok(result) => Ok(json!({"qr": result.qr_data})),
        Err(e) => {
            let (_, variant) = stage_of(&e);
            unsupported(format!("claim169-core could not encode: {variant}: {e}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_keys() {
        assert!(is_int_key("0"));
        assert!(is_int_key("169"));
        assert!(is_int_key("-1"));
        assert!(!is_int_key("-0"));
        assert!(!is_int_key("01"));
        assert!(!is_int_key(""));
        assert!(!is_int_key("a"));
    }
}
