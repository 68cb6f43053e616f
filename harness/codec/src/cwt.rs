//! The CWT claims set (RFC 8392) of a credential: claim types, the claim 169
//! value, and the exp/nbf checks against a validation time the caller gives.

use crate::cbor::{self, CborError, ReadLimits};
use c169_model::{Flag, Stage, Value, Warning};

pub const ISS: i128 = 1;
pub const SUB: i128 = 2;
pub const AUD: i128 = 3;
pub const EXP: i128 = 4;
pub const NBF: i128 = 5;
pub const IAT: i128 = 6;
pub const CTI: i128 = 7;
pub const CLAIM169: i128 = 169;

/// Claim names people write, and their keys.
pub const CLAIM_NAMES: [(&str, i128); 7] = [
    ("iss", ISS),
    ("sub", SUB),
    ("aud", AUD),
    ("exp", EXP),
    ("nbf", NBF),
    ("iat", IAT),
    ("cti", CTI),
];

/// Why claims given as JSON are not a claims map. Each names the claim.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClaimsJsonError {
    #[error(
        "expected a mapping of claim names (iss, sub, aud, exp, nbf, iat, cti) or decimal keys"
    )]
    NotAMapping,
    #[error("unknown claim {0:?}: use iss, sub, aud, exp, nbf, iat, cti or a decimal key")]
    UnknownClaim(String),
    #[error("claim {claim}: {source}")]
    Value {
        claim: String,
        #[source]
        source: c169_model::CanonicalJsonError,
    },
}

/// Builds a claims map from claims given by name (`iss`, `exp` …) or decimal key,
/// values in canonical JSON, sorted by key. Errors name the claim.
pub fn from_claims_json(json: &serde_json::Value) -> Result<Value, ClaimsJsonError> {
    let obj = json.as_object().ok_or(ClaimsJsonError::NotAMapping)?;
    let mut entries = Vec::with_capacity(obj.len());
    for (k, v) in obj {
        let key = CLAIM_NAMES
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, key)| *key)
            .or_else(|| k.parse().ok())
            .ok_or_else(|| ClaimsJsonError::UnknownClaim(k.clone()))?;
        let value =
            c169_model::from_canonical_json(v).map_err(|source| ClaimsJsonError::Value {
                claim: k.clone(),
                source,
            })?;
        entries.push((Value::Integer(key), value));
    }
    entries.sort_by_key(|(k, _)| k.as_integer());
    Ok(Value::Map(entries))
}

/// A NumericDate as written: an integer or a float number of seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NumericDate {
    Integer(i128),
    Float(f64),
}

/// Why a payload is not an acceptable claims set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CwtError {
    #[error("the COSE payload is not one well-formed CBOR item: {source}")]
    Cbor {
        #[source]
        source: CborError,
    },
    #[error("the COSE_Sign1 payload is a COSE_Encrypt0 (encrypt-then-sign); Claim 169 signs first, then encrypts")]
    EncryptThenSign,
    #[error("the claims set must be a map; found {found}")]
    NotAMap { found: &'static str },
    #[error("claim {key} appears more than once in the claims set")]
    DuplicateKey { key: String },
    #[error("claim {name} ({key}) must be {expected}; found {found}")]
    WrongType {
        name: &'static str,
        key: i128,
        expected: &'static str,
        found: &'static str,
    },
    #[error("claim {name} ({key}) is not a finite number of seconds")]
    NotFinite { name: &'static str, key: i128 },
    #[error("the claims set has no claim 169 (identity data)")]
    Claim169Missing,
    #[error("claim 169 must be a map; found {found}")]
    Claim169NotAMap { found: &'static str },
}

impl CwtError {
    #[must_use]
    pub fn stage(&self) -> Stage {
        match self {
            CwtError::Cbor { source } if source.is_limit() => Stage::Limit,
            CwtError::EncryptThenSign => Stage::Cose,
            CwtError::Claim169Missing | CwtError::Claim169NotAMap { .. } => Stage::Claim169,
            _ => Stage::Cwt,
        }
    }

    #[must_use]
    pub fn code(&self) -> String {
        match self {
            CwtError::Cbor { source } if source.is_limit() => {
                format!("limit.cbor_{}", source.kind())
            }
            CwtError::Cbor { source } => format!("cwt.cbor_{}", source.kind()),
            CwtError::EncryptThenSign => "cose.encrypt_then_sign".into(),
            CwtError::NotAMap { .. } => "cwt.not_a_map".into(),
            CwtError::DuplicateKey { .. } => "cwt.duplicate_key".into(),
            CwtError::WrongType { .. } => "cwt.wrong_type".into(),
            CwtError::NotFinite { .. } => "cwt.not_finite".into(),
            CwtError::Claim169Missing => "claim169.missing".into(),
            CwtError::Claim169NotAMap { .. } => "claim169.not_a_map".into(),
        }
    }
}

/// A claims set, read and type-checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Claims {
    /// Every claim but 169, in wire order.
    pub others: Vec<(Value, Value)>,
    /// The claim 169 map (unwrapped when it came as a byte string holding a map).
    pub claim169: Vec<(Value, Value)>,
    pub exp: Option<NumericDate>,
    pub nbf: Option<NumericDate>,
    pub iat: Option<NumericDate>,
}

/// Reads the COSE_Sign1 payload as a claims set.
pub fn parse_claims(
    payload: &[u8],
    limits: ReadLimits,
    warnings: &mut Vec<Warning>,
) -> Result<Claims, CwtError> {
    if payload.first() == Some(&0xd0) {
        return Err(CwtError::EncryptThenSign);
    }
    let entries = match cbor::decode(payload, limits).map_err(|source| CwtError::Cbor { source })? {
        Value::Map(m) => m,
        other => {
            return Err(CwtError::NotAMap {
                found: other.type_name(),
            })
        }
    };
    for (i, (k, _)) in entries.iter().enumerate() {
        if entries.iter().take(i).any(|(seen, _)| seen == k) {
            let key = match k {
                Value::Integer(n) => n.to_string(),
                Value::Text(t) => format!("{t:?}"),
                other => other.type_name().to_owned(),
            };
            return Err(CwtError::DuplicateKey { key });
        }
    }
    let mut claims = Claims {
        others: Vec::with_capacity(entries.len()),
        claim169: Vec::new(),
        exp: None,
        nbf: None,
        iat: None,
    };
    let mut found169 = false;
    for (k, v) in entries {
        match k.as_integer() {
            Some(ISS) => text(&v, "iss", ISS)?,
            Some(SUB) => text(&v, "sub", SUB)?,
            Some(AUD) => {
                let ok = match &v {
                    Value::Text(_) => true,
                    Value::Array(items) => items.iter().all(|i| matches!(i, Value::Text(_))),
                    _ => false,
                };
                if !ok {
                    return Err(wrong("aud", AUD, "text or an array of text", &v));
                }
                warnings.push(Warning {
                    flag: Flag::AudienceNotChecked,
                    at: Some("3".into()),
                    message: "an audience claim is present; Claim 169 verifiers do not check it"
                        .into(),
                });
            }
            Some(EXP) => claims.exp = Some(date(&v, "exp", EXP, warnings)?),
            Some(NBF) => claims.nbf = Some(date(&v, "nbf", NBF, warnings)?),
            Some(IAT) => claims.iat = Some(date(&v, "iat", IAT, warnings)?),
            Some(CTI) if !matches!(v, Value::Bytes(_)) => {
                return Err(wrong("cti", CTI, "a byte string", &v))
            }
            Some(CLAIM169) => {
                found169 = true;
                claims.claim169 = claim169_map(v, limits, warnings)?;
                continue;
            }
            _ => {}
        }
        claims.others.push((k, v));
    }
    if !found169 {
        return Err(CwtError::Claim169Missing);
    }
    Ok(claims)
}

fn wrong(name: &'static str, key: i128, expected: &'static str, found: &Value) -> CwtError {
    CwtError::WrongType {
        name,
        key,
        expected,
        found: found.type_name(),
    }
}

fn text(v: &Value, name: &'static str, key: i128) -> Result<(), CwtError> {
    match v {
        Value::Text(_) => Ok(()),
        other => Err(wrong(name, key, "a text string", other)),
    }
}

fn date(
    v: &Value,
    name: &'static str,
    key: i128,
    warnings: &mut Vec<Warning>,
) -> Result<NumericDate, CwtError> {
    match v {
        Value::Integer(i) => Ok(NumericDate::Integer(*i)),
        Value::Float(f) if f.is_finite() => {
            warnings.push(Warning {
                flag: Flag::FloatNumericDate,
                at: Some(key.to_string()),
                message: format!("{name} is a float NumericDate; RFC 8392 allows it, the Claim 169 table says integer"),
            });
            Ok(NumericDate::Float(*f))
        }
        Value::Float(_) => Err(CwtError::NotFinite { name, key }),
        other => Err(wrong(
            name,
            key,
            "an untagged integer or float NumericDate",
            other,
        )),
    }
}

fn claim169_map(
    v: Value,
    limits: ReadLimits,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<(Value, Value)>, CwtError> {
    match v {
        Value::Map(m) => Ok(m),
        Value::Bytes(b) => match cbor::decode(&b, limits) {
            Ok(Value::Map(m)) => {
                warnings.push(Warning {
                    flag: Flag::SpecExampleEncoding,
                    at: Some("169".into()),
                    message: "claim 169 is a byte string holding a map, as in the specification's worked example; the table says a map".into(),
                });
                Ok(m)
            }
            _ => Err(CwtError::Claim169NotAMap {
                found: "byte string",
            }),
        },
        other => Err(CwtError::Claim169NotAMap {
            found: other.type_name(),
        }),
    }
}

/// Why a credential is not valid at the validation time.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum TimeError {
    #[error("the credential expired: exp {exp} is not after the validation time {now} (leeway {leeway} s)")]
    Expired { exp: String, now: i64, leeway: u64 },
    #[error("the credential is not yet valid: nbf {nbf} is after the validation time {now} (leeway {leeway} s)")]
    NotYetValid { nbf: String, now: i64, leeway: u64 },
}

impl TimeError {
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            TimeError::Expired { .. } => "time.expired",
            TimeError::NotYetValid { .. } => "time.not_yet_valid",
        }
    }
}

fn shown(d: NumericDate) -> String {
    match d {
        NumericDate::Integer(i) => i.to_string(),
        NumericDate::Float(f) => f.to_string(),
    }
}

/// Checks exp and nbf: valid while `nbf - leeway <= now < exp + leeway`.
/// Arithmetic is done in i128 or f64, so no value of exp can overflow it.
pub fn check_time(claims: &Claims, now: i64, leeway: u64) -> Result<(), TimeError> {
    let now_i = i128::from(now);
    let lee_i = i128::from(leeway);
    if let Some(exp) = claims.exp {
        let expired = match exp {
            NumericDate::Integer(e) => now_i >= e + lee_i,
            NumericDate::Float(e) => (now as f64) >= e + leeway as f64,
        };
        if expired {
            return Err(TimeError::Expired {
                exp: shown(exp),
                now,
                leeway,
            });
        }
    }
    if let Some(nbf) = claims.nbf {
        let early = match nbf {
            NumericDate::Integer(n) => n > now_i + lee_i,
            NumericDate::Float(n) => n > now as f64 + leeway as f64,
        };
        if early {
            return Err(TimeError::NotYetValid {
                nbf: shown(nbf),
                now,
                leeway,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
