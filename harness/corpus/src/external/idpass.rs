//! The idpass claim-169 test vectors (MIT licence), imported.
//!
//! The originals are kept unchanged under `vectors/external/idpass/original/`;
//! `vectors/external/idpass/import.yaml` says, per vector, how its expectation
//! reads in our vocabulary (verdict class, stage, requirements, keys) and which
//! of its expectations are corrected, and why. [`import`] turns both into vector
//! files and key files; a test keeps the committed output equal to what it
//! produces, so the translation cannot drift from its source.

use base64::Engine as _;
use c169_model::{Expected, Flag, Level, Match, Stage, Vector, VectorKeys, VerdictClass};
use serde::Deserialize;
use serde_json::{json, Map, Value as Json};
use std::collections::BTreeMap;

/// How one original vector is read.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// `<category>/<name>` of the original file, without `.json`.
    pub original: String,
    pub requirements: Vec<String>,
    pub verdict: VerdictClass,
    #[serde(default)]
    pub stage: Option<Stage>,
    #[serde(default)]
    pub flags: Vec<String>,
    #[serde(default)]
    pub capabilities: Vec<String>,
    /// Corrections to the original's expected claim 169 fields (idpass names, idpass encodings).
    #[serde(default)]
    pub correct_claim169: Option<Map<String, Json>>,
    #[serde(default)]
    pub notes: Vec<String>,
    #[serde(flatten)]
    pub grading: super::Grading,
}

/// The import description.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Import {
    /// Where the originals come from (project, commit, licence).
    pub source: String,
    /// The fixed validation time every imported vector is decoded at.
    pub now: i64,
    /// Requirement levels, by id, for the requirements named below.
    pub levels: BTreeMap<String, Level>,
    pub vectors: Vec<Entry>,
}

/// Why the import failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    #[error("original {original}: {problem}")]
    Original { original: String, problem: String },
    #[error("import.yaml: requirement {id} has no level in `levels`")]
    UnknownRequirement { id: String },
    #[error("import.yaml, original {original}: {problem}")]
    Grading { original: String, problem: String },
}

/// The files an import produces: vectors by id, JWKs by key name.
#[derive(Debug, Default)]
pub struct Imported {
    pub vectors: Vec<Vector>,
    pub keys: BTreeMap<String, Json>,
}

/// Translates the originals (by `<category>/<name>`) as the import says.
pub fn import(
    spec: &Import,
    originals: &BTreeMap<String, Json>,
    catalogue: &crate::catalogue::Catalogue,
) -> Result<Imported, ImportError> {
    let mut out = Imported::default();
    for entry in &spec.vectors {
        let err = |problem: String| ImportError::Original {
            original: entry.original.clone(),
            problem,
        };
        let original = originals
            .get(&entry.original)
            .ok_or_else(|| err("no such file".into()))?;
        let name = original["name"]
            .as_str()
            .ok_or_else(|| err("no \"name\"".into()))?;
        let qr = original["qr_data"]
            .as_str()
            .ok_or_else(|| err("no \"qr_data\"".into()))?;
        let mut keys = VectorKeys::default();
        if let Some(k) = original.get("signing_key") {
            let key_name = format!("idpass-{name}-sign");
            out.keys
                .insert(key_name.clone(), signing_jwk(k).map_err(err)?);
            keys.verify.push(key_name);
        }
        if let Some(k) = original.get("encryption_key") {
            let key_name = format!("idpass-{name}-enc");
            out.keys
                .insert(key_name.clone(), symmetric_jwk(k).map_err(err)?);
            keys.decrypt.push(key_name);
        }
        let requirements = super::requirement_refs(&entry.requirements, &spec.levels)
            .map_err(|id| ImportError::UnknownRequirement { id })?;
        let description = format!(
            "{} (idpass corpus, {})",
            original["description"].as_str().unwrap_or(name),
            entry.original
        );
        let (primary, basis, level) = entry
            .grading
            .resolve(catalogue, &entry.requirements, &description)
            .map_err(|problem| ImportError::Grading {
                original: entry.original.clone(),
                problem,
            })?;
        let expected = if entry.verdict == VerdictClass::Valid {
            let mut fields = original
                .get("expected_claim169")
                .and_then(Json::as_object)
                .cloned()
                .unwrap_or_default();
            if let Some(corrections) = &entry.correct_claim169 {
                for (k, v) in corrections {
                    fields.insert(k.clone(), v.clone());
                }
            }
            Some(Expected {
                claim169: Some(claim169_expectation(&fields).map_err(err)?),
                cwt: original
                    .get("expected_cwt_meta")
                    .map(cwt_expectation)
                    .transpose()
                    .map_err(err)?,
                match_: Match::Subset,
            })
        } else {
            None
        };
        out.vectors.push(Vector {
            id: format!("idpass-{name}"),
            description,
            source: Some(format!(
                "{}: test-vectors/{}.json",
                spec.source, entry.original
            )),
            requirements: crate::generate::primary_first(requirements, &primary.id),
            primary,
            basis,
            level,
            verdict: entry.verdict,
            prefers: entry.grading.prefers,
            stage: entry.stage,
            flags: entry.flags.iter().map(|f| Flag::parse(f)).collect(),
            capabilities: entry.capabilities.clone(),
            now: spec.now,
            keys,
            qr: Some(qr.to_owned()),
            qr_fit: Some(crate::symbol::fit(qr)),
            image: None,
            expected,
            notes: entry.notes.clone(),
            artefacts: None,
            encode: None,
        });
    }
    Ok(out)
}

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn hex_field(k: &Json, field: &str) -> Result<Vec<u8>, String> {
    k[field]
        .as_str()
        .and_then(|h| hex::decode(h).ok())
        .ok_or_else(|| format!("key field {field:?} is not hex"))
}

const TEST_KEY_LABEL: &str =
    "TEST KEY published with the idpass claim-169 test vectors; never use it outside tests";

fn signing_jwk(k: &Json) -> Result<Json, String> {
    match k["algorithm"].as_str() {
        Some("EdDSA") => {
            let mut jwk = Map::new();
            jwk.insert("kty".into(), json!("OKP"));
            jwk.insert("crv".into(), json!("Ed25519"));
            jwk.insert(
                "x".into(),
                Json::String(b64url(&hex_field(k, "public_key_hex")?)),
            );
            if k.get("private_key_hex").is_some() {
                jwk.insert(
                    "d".into(),
                    Json::String(b64url(&hex_field(k, "private_key_hex")?)),
                );
            }
            jwk.insert("c169_test_key".into(), json!(TEST_KEY_LABEL));
            Ok(Json::Object(jwk))
        }
        Some("ES256") => {
            let point = hex_field(k, "public_key_hex")?;
            match point.split_first() {
                Some((4, xy)) if xy.len() == 64 => {
                    let (x, y) = xy.split_at(32);
                    Ok(
                        json!({"kty": "EC", "crv": "P-256", "x": b64url(x), "y": b64url(y), "c169_test_key": TEST_KEY_LABEL}),
                    )
                }
                _ => Err("ES256 public key is not an uncompressed P-256 point".into()),
            }
        }
        other => Err(format!("unknown signing algorithm {other:?}")),
    }
}

fn symmetric_jwk(k: &Json) -> Result<Json, String> {
    Ok(
        json!({"kty": "oct", "k": b64url(&hex_field(k, "symmetric_key_hex")?), "c169_test_key": TEST_KEY_LABEL}),
    )
}

/// idpass's JSON names and encodings → canonical JSON keyed by claim 169 key.
fn claim169_expectation(fields: &Map<String, Json>) -> Result<Json, String> {
    use c169_codec::claim169::{Kind, ATTRIBUTES, BIOMETRICS, FIRST_BIOMETRIC};
    let mut out = Map::new();
    for (name, v) in fields {
        if let Some(a) = ATTRIBUTES.iter().find(|a| a.name == name) {
            let value = match a.kind {
                Kind::Bytes => bstr_from_base64(v)?,
                _ => v.clone(),
            };
            out.insert(a.key.to_string(), value);
        } else if let Some(i) = BIOMETRICS.iter().position(|b| b == name) {
            let entries = v
                .as_array()
                .ok_or_else(|| format!("{name}: expected an array"))?;
            let mut list = Vec::with_capacity(entries.len());
            for e in entries {
                let mut m = Map::new();
                for (sub, sv) in e
                    .as_object()
                    .ok_or_else(|| format!("{name}: entries must be objects"))?
                {
                    let (key, value) = match sub.as_str() {
                        "data" => ("0", bstr_from_base64(sv)?),
                        "format" => ("1", sv.clone()),
                        "subFormat" => ("2", sv.clone()),
                        "issuer" => ("3", sv.clone()),
                        other => return Err(format!("{name}: unknown entry field {other}")),
                    };
                    m.insert(key.into(), value);
                }
                list.push(Json::Object(m));
            }
            out.insert((FIRST_BIOMETRIC + i as i128).to_string(), Json::Array(list));
        } else {
            return Err(format!("unknown expected field {name:?}"));
        }
    }
    Ok(Json::Object(out))
}

fn bstr_from_base64(v: &Json) -> Result<Json, String> {
    let s = v.as_str().ok_or("bytes must be base64 text")?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(s)
        .map_err(|e| format!("bytes {s:?} are not base64: {e}"))?;
    Ok(json!({"bstr": hex::encode(bytes)}))
}

fn cwt_expectation(meta: &Json) -> Result<Json, String> {
    let names = [
        ("issuer", "1"),
        ("subject", "2"),
        ("expiresAt", "4"),
        ("notBefore", "5"),
        ("issuedAt", "6"),
    ];
    let mut out = Map::new();
    for (k, v) in meta
        .as_object()
        .ok_or("expected_cwt_meta must be an object")?
    {
        let key = names
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, key)| *key)
            .ok_or_else(|| format!("unknown CWT field {k}"))?;
        out.insert(key.into(), v.clone());
    }
    Ok(Json::Object(out))
}

/// The files the import writes (path, bytes), from the originals and import.yaml
/// under `root` (the vectors folder).
pub fn files(
    root: &std::path::Path,
    catalogue: &crate::catalogue::Catalogue,
) -> Result<Vec<(std::path::PathBuf, Vec<u8>)>, FilesError> {
    let dir = root.join("external/idpass");
    let spec_path = dir.join("import.yaml");
    let spec_text =
        c169_model::bounded::read_to_string(&spec_path, c169_model::bounded::SOURCE_FILE).map_err(
            |e| FilesError::Read {
                path: spec_path.clone(),
                message: e.problem.to_string(),
            },
        )?;
    c169_model::deep::check_yaml(&spec_text, serde_yaml_ng::Deserializer::from_str).map_err(
        |e| FilesError::Read {
            path: spec_path.clone(),
            message: e.to_string(),
        },
    )?;
    let spec: Import = serde_yaml_ng::from_str(&spec_text).map_err(|e| FilesError::Read {
        path: spec_path.clone(),
        message: e.to_string(),
    })?;
    let mut originals = BTreeMap::new();
    for entry in &spec.vectors {
        let path = dir
            .join("original")
            .join(format!("{}.json", entry.original));
        let text = c169_model::bounded::read_to_string(&path, c169_model::bounded::VECTOR_FILE)
            .map_err(|e| FilesError::Read {
                path: path.clone(),
                message: e.problem.to_string(),
            })?;
        let json: Json = serde_json::from_str(&text).map_err(|e| FilesError::Read {
            path: path.clone(),
            message: e.to_string(),
        })?;
        originals.insert(entry.original.clone(), json);
    }
    let imported = import(&spec, &originals, catalogue)?;
    let mut out = Vec::new();
    for v in &imported.vectors {
        out.push((dir.join(format!("{}.json", v.id)), crate::corpus::pretty(v)));
    }
    for (name, jwk) in &imported.keys {
        out.push((
            root.join("keys").join(format!("{name}.jwk.json")),
            crate::corpus::pretty(jwk),
        ));
    }
    Ok(out)
}

/// Why the import files could not be produced.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FilesError {
    #[error("{path}: {message}")]
    Read {
        path: std::path::PathBuf,
        message: String,
    },
    #[error(transparent)]
    Import(#[from] ImportError),
}
