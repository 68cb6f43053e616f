//! What a vector records besides its verdict: the encode case, the artefacts of
//! the encoding, and the basis and requirements of its expectation.

use super::spec::BasisSpec;
use crate::catalogue::Catalogue;
use c169_codec::crypto::{ContentAlgorithm, SignatureAlgorithm};
use c169_codec::{EncryptSpec, SignSpec};
use c169_model::{
    to_canonical_json, Artefacts, Basis, Elided, EncodeCase, EncodeKey, Level, ObservedBasis,
    ProfileBasis, RequirementRef, Value,
};
use sha2::{Digest, Sha256};

pub(super) fn encode_case(
    claim169: &Value,
    cwt: &Value,
    sign: &SignSpec,
    sign_name: &str,
    encrypt: Option<(&EncryptSpec, &str)>,
    checks: &[String],
) -> EncodeCase {
    let kid = |k: Option<&Vec<u8>>| k.map(|b| to_canonical_json(&Value::Bytes(b.clone())));
    let sign_alg = sign
        .alg
        .or_else(|| sign.key.signature_algorithm())
        .map_or("", SignatureAlgorithm::name);
    EncodeCase {
        claim169: to_canonical_json(claim169),
        cwt: to_canonical_json(cwt),
        sign: EncodeKey {
            key: sign_name.to_owned(),
            alg: sign_alg.to_owned(),
            kid: kid(sign.kid.as_ref()),
            iv: None,
        },
        encrypt: encrypt.map(|(e, name)| EncodeKey {
            key: name.to_owned(),
            alg: e
                .key
                .content_algorithm()
                .map_or("", ContentAlgorithm::name)
                .to_owned(),
            kid: None,
            iv: (!e.iv.is_empty()).then(|| hex::encode(&e.iv)),
        }),
        ec_level: None,
        checks: checks.to_vec(),
    }
}

/// Claim 169 and the other claims of a CWT payload, read with the deepest nesting
/// the codec allows; `None` when it is not a map with integer keys.
pub(super) fn claims_of(payload: &[u8]) -> Option<(Value, Value)> {
    let limits = c169_codec::cbor::ReadLimits {
        max_depth: c169_codec::cbor::HARD_MAX_DEPTH,
        ..c169_codec::cbor::ReadLimits::default()
    };
    let Value::Map(entries) = c169_codec::cbor::decode(payload, limits).ok()? else {
        return None;
    };
    let (mut claim169, mut rest) = (Value::Map(Vec::new()), Vec::new());
    for (k, v) in entries {
        match k {
            Value::Integer(169) => claim169 = v,
            Value::Integer(_) => rest.push((k, v)),
            _ => return None,
        }
    }
    Some((claim169, Value::Map(rest)))
}

pub(super) fn artefacts(encoded: &c169_codec::Encoded, claim169: &Value) -> Artefacts {
    let mut a = Artefacts {
        zlib: hex::encode(&encoded.zlib),
        ..Artefacts::default()
    };
    let mut keep = |name: &str, bytes: &[u8]| {
        if bytes.len() > Artefacts::MAX_INLINE {
            a.elided.insert(
                name.to_owned(),
                Elided {
                    len: bytes.len(),
                    sha256: hex::encode(Sha256::digest(bytes)),
                },
            );
            String::new()
        } else {
            hex::encode(bytes)
        }
    };
    let cose = keep("cose", &encoded.cose);
    let payload = keep("payload", &encoded.payload);
    a.cose = cose;
    a.payload = payload;
    // The claims are the payload read as CBOR (a tampered payload may not read at all),
    // left out with it.
    if !a.elided.contains_key("payload") {
        a.claims =
            c169_codec::cbor::decode(&encoded.payload, c169_codec::cbor::ReadLimits::default())
                .ok()
                .as_ref()
                .map(to_canonical_json);
        a.claim169 = Some(to_canonical_json(claim169));
    }
    a
}

/// The basis of a vector and the level it is graded at: the primary requirement's
/// sentence at `level` (or the requirement's own), another requirement's
/// sentence, one quoted in the source, the profile, or observed behaviour.
pub(crate) fn basis_for(
    catalogue: &Catalogue,
    primary: &crate::catalogue::Requirement,
    spec: Option<&BasisSpec>,
    level: Option<Level>,
) -> Result<(Basis, Option<Level>), String> {
    let from = |r: &crate::catalogue::Requirement| {
        r.basis(level.unwrap_or(r.level))
            .ok_or_else(|| {
                format!(
                    "requirement {} has no quoted text in features/requirements.yaml",
                    r.id
                )
            })
            .map(|b| {
                let level = b.level();
                (b, level)
            })
    };
    match spec {
        None => from(primary),
        Some(BasisSpec::Requirement(id)) => from(catalogue.get(id).ok_or_else(|| {
            format!("basis requirement {id} is not in features/requirements.yaml")
        })?),
        Some(BasisSpec::Text(t)) => {
            let mut t = t.clone();
            if let Some(l) = level {
                t.level = l;
            }
            let level = Some(t.level);
            Ok((Basis::Text(t), level))
        }
        Some(BasisSpec::Profile(row)) => {
            Ok((Basis::Profile(ProfileBasis { row: row.clone() }), None))
        }
        Some(BasisSpec::Observed(source)) => Ok((
            Basis::Observed(ObservedBasis {
                source: source.clone(),
            }),
            None,
        )),
    }
}

/// `requirements` with the primary one first, the others in their order.
pub(crate) fn primary_first(
    mut requirements: Vec<RequirementRef>,
    primary: &str,
) -> Vec<RequirementRef> {
    if let Some(i) = requirements.iter().position(|r| r.id == primary) {
        let p = requirements.remove(i);
        requirements.insert(0, p);
    }
    requirements
}

/// The primary requirement of a vector: the one named, else the first listed;
/// it must be among those listed.
pub(crate) fn primary_of<'c>(
    catalogue: &'c Catalogue,
    requirements: &[String],
    named: Option<&str>,
) -> Result<&'c crate::catalogue::Requirement, String> {
    let id = named
        .or(requirements.first().map(String::as_str))
        .ok_or("a vector names at least one requirement")?;
    if !requirements.iter().any(|r| r == id) {
        return Err(format!(
            "primary requirement {id} is not among the requirements"
        ));
    }
    catalogue
        .get(id)
        .ok_or_else(|| format!("primary requirement {id} is not in features/requirements.yaml"))
}
