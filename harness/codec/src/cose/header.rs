//! The two header buckets and their rules: labels well-formed and never repeated,
//! nor in both buckets, `crit` honoured; and the readers of the headers the
//! pipeline uses (alg, kid, IV, the certificate headers of RFC 9360).

use super::{
    CoseError, Structure, LABEL_ALG, LABEL_CONTENT_TYPE, LABEL_CRIT, LABEL_IV, LABEL_KID,
    LABEL_PARTIAL_IV, LABEL_X5BAG, LABEL_X5CHAIN, LABEL_X5T, LABEL_X5U,
};
use crate::cbor::{self, ReadLimits};
use c169_model::{Bucket, CertFact, Flag, Value, Warning, X5Facts};
use sha2::{Digest, Sha256};

/// Header labels this codec understands, and so may appear in `crit`.
const UNDERSTOOD: [i128; 10] = [
    LABEL_ALG,
    LABEL_CRIT,
    LABEL_CONTENT_TYPE,
    LABEL_KID,
    LABEL_IV,
    LABEL_PARTIAL_IV,
    LABEL_X5BAG,
    LABEL_X5CHAIN,
    LABEL_X5T,
    LABEL_X5U,
];
/// The two header buckets of a COSE structure.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Headers {
    /// The protected header exactly as transmitted (it is signed or authenticated as such).
    pub protected_bytes: Vec<u8>,
    pub protected: Vec<(Value, Value)>,
    pub unprotected: Vec<(Value, Value)>,
}

impl Headers {
    /// The value of an integer label and its bucket; the protected bucket wins.
    #[must_use]
    pub fn get(&self, label: i128) -> Option<(&Value, Bucket)> {
        find(&self.protected, label)
            .map(|v| (v, Bucket::Protected))
            .or_else(|| find(&self.unprotected, label).map(|v| (v, Bucket::Unprotected)))
    }

    #[must_use]
    pub fn get_protected(&self, label: i128) -> Option<&Value> {
        find(&self.protected, label)
    }

    #[must_use]
    pub fn get_unprotected(&self, label: i128) -> Option<&Value> {
        find(&self.unprotected, label)
    }
}

fn find(map: &[(Value, Value)], label: i128) -> Option<&Value> {
    map.iter()
        .find(|(k, _)| k.as_integer() == Some(label))
        .map(|(_, v)| v)
}
pub(super) fn headers(
    protected: Value,
    unprotected: Value,
    structure: Structure,
    limits: ReadLimits,
) -> Result<Headers, CoseError> {
    let protected_bytes = match protected {
        Value::Bytes(b) => b,
        other => {
            return Err(CoseError::ProtectedNotBytes {
                structure,
                found: other.type_name(),
            })
        }
    };
    let protected = if protected_bytes.is_empty() {
        Vec::new()
    } else {
        match cbor::decode(&protected_bytes, limits)
            .map_err(|source| CoseError::ProtectedCbor { structure, source })?
        {
            Value::Map(m) => m,
            other => {
                return Err(CoseError::ProtectedNotMap {
                    structure,
                    found: other.type_name(),
                })
            }
        }
    };
    let unprotected = match unprotected {
        Value::Map(m) => m,
        other => {
            return Err(CoseError::UnprotectedNotMap {
                structure,
                found: other.type_name(),
            })
        }
    };
    check_labels(&protected, structure, Bucket::Protected)?;
    check_labels(&unprotected, structure, Bucket::Unprotected)?;
    // The strict profile the reference follows: RFC 9052 §3 says applications
    // SHOULD verify a label is not in both buckets; the reference does, and refuses.
    if let Some((label, _)) = protected
        .iter()
        .find(|(label, _)| unprotected.iter().any(|(k, _)| k == label))
    {
        return Err(CoseError::LabelInBothBuckets {
            structure,
            label: label_text(label),
        });
    }
    let headers = Headers {
        protected_bytes,
        protected,
        unprotected,
    };
    check_crit(&headers)?;
    Ok(headers)
}

fn label_text(label: &Value) -> String {
    match label {
        Value::Integer(i) => i.to_string(),
        Value::Text(t) => format!("{t:?}"),
        other => other.type_name().to_owned(),
    }
}

fn check_labels(
    map: &[(Value, Value)],
    structure: Structure,
    bucket: Bucket,
) -> Result<(), CoseError> {
    for (i, (label, _)) in map.iter().enumerate() {
        if !matches!(label, Value::Integer(_) | Value::Text(_)) {
            return Err(CoseError::BadLabel {
                bucket,
                found: label.type_name(),
            });
        }
        if map.iter().take(i).any(|(k, _)| k == label) {
            return Err(CoseError::DuplicateLabel {
                structure,
                bucket,
                label: label_text(label),
            });
        }
    }
    Ok(())
}

fn check_crit(headers: &Headers) -> Result<(), CoseError> {
    if headers.get_unprotected(LABEL_CRIT).is_some() {
        return Err(CoseError::CritNotProtected);
    }
    let Some(crit) = headers.get_protected(LABEL_CRIT) else {
        return Ok(());
    };
    let labels = match crit {
        Value::Array(labels) if !labels.is_empty() => labels,
        _ => return Err(CoseError::CritMalformed),
    };
    for label in labels {
        match label {
            Value::Integer(i) if UNDERSTOOD.contains(i) => {
                if !headers.protected.iter().any(|(k, _)| k == label) {
                    return Err(CoseError::CritLabelAbsent {
                        label: label_text(label),
                    });
                }
            }
            Value::Integer(_) | Value::Text(_) => {
                return Err(CoseError::CritUnknownLabel {
                    label: label_text(label),
                });
            }
            _ => return Err(CoseError::CritMalformed),
        }
    }
    Ok(())
}

/// The algorithm of a structure: only from the protected bucket.
pub fn algorithm(headers: &Headers, structure: Structure) -> Result<i128, CoseError> {
    match headers.get_protected(LABEL_ALG) {
        Some(Value::Integer(alg)) => Ok(*alg),
        Some(Value::Text(name)) => Err(CoseError::UnknownAlgorithm {
            structure,
            alg: format!("{name:?}"),
        }),
        Some(other) => Err(CoseError::AlgWrongType {
            structure,
            found: other.type_name(),
        }),
        None => Err(CoseError::AlgNotProtected {
            structure,
            in_unprotected: headers.get_unprotected(LABEL_ALG).is_some(),
        }),
    }
}

/// The key identifier and its bucket, when present.
pub fn kid(headers: &Headers) -> Result<Option<(Vec<u8>, Bucket)>, CoseError> {
    match headers.get(LABEL_KID) {
        None => Ok(None),
        Some((Value::Bytes(b), bucket)) => Ok(Some((b.clone(), bucket))),
        Some((other, bucket)) => Err(CoseError::KidWrongType {
            bucket,
            found: other.type_name(),
        }),
    }
}

/// The AES-GCM nonce of an Encrypt0 (either bucket, protected first).
pub fn iv(headers: &Headers) -> Result<Vec<u8>, CoseError> {
    if headers.get(LABEL_PARTIAL_IV).is_some() && headers.get(LABEL_IV).is_some() {
        return Err(CoseError::IvAndPartialIv);
    }
    match headers.get(LABEL_IV) {
        Some((Value::Bytes(b), _)) => Ok(b.clone()),
        Some((other, _)) => Err(CoseError::IvWrongType {
            found: other.type_name(),
        }),
        None => Err(CoseError::IvMissing),
    }
}

/// Reads the certificate headers (RFC 9360) for reporting; certificates are not validated.
pub fn x5_facts(
    headers: &Headers,
    warnings: &mut Vec<Warning>,
) -> Result<Option<X5Facts>, CoseError> {
    let mut facts = X5Facts::default();
    let mut any = false;
    for label in [LABEL_X5BAG, LABEL_X5CHAIN] {
        if let Some((value, bucket)) = headers.get(label) {
            let certs = match value {
                Value::Bytes(b) => vec![cert_fact(b, bucket)],
                Value::Array(items) if !items.is_empty() => {
                    if items.len() == 1 {
                        warnings.push(Warning {
                            flag: Flag::LenientHeader,
                            at: None,
                            message: format!("header {label} holds one certificate in an array; RFC 9360 writes one as a bare byte string"),
                        });
                    }
                    items
                        .iter()
                        .map(|c| c.as_bytes().map(|b| cert_fact(b, bucket)))
                        .collect::<Option<Vec<_>>>()
                        .ok_or(CoseError::X5Malformed {
                            label,
                            reason: "every certificate must be a byte string",
                        })?
                }
                _ => {
                    return Err(CoseError::X5Malformed {
                        label,
                        reason: "expected a byte string or a non-empty array of byte strings",
                    })
                }
            };
            if label == LABEL_X5BAG {
                facts.x5bag = Some(certs);
            } else {
                facts.x5chain = Some(certs);
            }
            any = true;
        }
    }
    if let Some((value, _)) = headers.get(LABEL_X5T) {
        match value.as_array() {
            Some([alg @ (Value::Integer(_) | Value::Text(_)), Value::Bytes(_)]) => {
                facts.x5t = Some(c169_model::to_canonical_json(value));
                let _ = alg;
            }
            _ => {
                return Err(CoseError::X5Malformed {
                    label: LABEL_X5T,
                    reason: "expected [hash algorithm, hash bytes]",
                })
            }
        }
        any = true;
    }
    if let Some((value, _)) = headers.get(LABEL_X5U) {
        let uri = match value {
            Value::Text(t) => t.clone(),
            Value::Tag(32, inner) => {
                inner
                    .as_text()
                    .map(str::to_owned)
                    .ok_or(CoseError::X5Malformed {
                        label: LABEL_X5U,
                        reason: "tag 32 must hold text",
                    })?
            }
            _ => {
                return Err(CoseError::X5Malformed {
                    label: LABEL_X5U,
                    reason: "expected a URI as text",
                })
            }
        };
        facts.x5u = Some(uri);
        any = true;
    }
    if facts.x5bag.is_some() || facts.x5chain.is_some() {
        warnings.push(Warning {
            flag: Flag::X5NotValidated,
            at: None,
            message: "certificates were read and reported, not validated: the decoder holds no trust anchors".into(),
        });
    }
    Ok(any.then_some(facts))
}

fn cert_fact(der: &[u8], bucket: Bucket) -> CertFact {
    CertFact {
        len: der.len(),
        sha256: hex::encode(Sha256::digest(der)),
        bucket,
    }
}
