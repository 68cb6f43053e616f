//! The specification's worked example, imported as vectors.
//!
//! `vectors/external/spec/worked-example.hex` holds the example's COSE_Sign1 as
//! printed; `spec.yaml` says how to read it. The QR text is made here with the
//! reference's own zlib and Base45 writers, which are tested against their RFCs.

use c169_codec::{base45, zlib};
use c169_model::{Expected, Flag, Level, Match, Vector, VectorKeys, VerdictClass};
use serde::Deserialize;
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SpecVector {
    id: String,
    /// Hex bytes put before the COSE_Sign1 (a tag).
    prefix: String,
    description: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedContent {
    claim169: Json,
    cwt: Json,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Spec {
    source: String,
    now: i64,
    expected: ExpectedContent,
    vectors: Vec<SpecVector>,
    requirements: Vec<String>,
    levels: BTreeMap<String, Level>,
    verdict: VerdictClass,
    flags: Vec<String>,
    capabilities: Vec<String>,
    notes: Vec<String>,
    #[serde(flatten)]
    grading: super::Grading,
}

/// Why the worked example could not be imported; names the file and the problem.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct SpecError {
    pub path: PathBuf,
    pub message: String,
}

/// The files the import writes (path, bytes), under `root` (the vectors folder).
pub fn files(
    root: &Path,
    catalogue: &crate::catalogue::Catalogue,
) -> Result<Vec<(PathBuf, Vec<u8>)>, SpecError> {
    let dir = root.join("external/spec");
    let err = |path: &Path, message: String| SpecError {
        path: path.to_owned(),
        message,
    };
    let spec_path = dir.join("spec.yaml");
    let read = |path: &Path| {
        c169_model::bounded::read_to_string(path, c169_model::bounded::SOURCE_FILE)
            .map_err(|e| err(path, e.problem.to_string()))
    };
    let text = read(&spec_path)?;
    c169_model::deep::check_yaml(&text, serde_yaml_ng::Deserializer::from_str)
        .map_err(|e| err(&spec_path, e.to_string()))?;
    let spec: Spec = serde_yaml_ng::from_str(&text).map_err(|e| err(&spec_path, e.to_string()))?;
    let hex_path = dir.join("worked-example.hex");
    let hex_text = read(&hex_path)?;
    let hex_digits: String = hex_text.lines().filter(|l| !l.starts_with('#')).collect();
    let sign1 =
        hex::decode(hex_digits.trim()).map_err(|e| err(&hex_path, format!("not hex: {e}")))?;
    let requirements = super::requirement_refs(&spec.requirements, &spec.levels).map_err(|id| {
        err(
            &spec_path,
            format!("requirement {id} has no level in `levels`"),
        )
    })?;
    let mut out = Vec::new();
    for v in &spec.vectors {
        let mut bytes = hex::decode(&v.prefix)
            .map_err(|e| err(&spec_path, format!("{}: prefix is not hex: {e}", v.id)))?;
        bytes.extend_from_slice(&sign1);
        let compressed = zlib::deflate(&bytes, &zlib::ZlibOptions::default())
            .map_err(|e| err(&spec_path, e.to_string()))?;
        let qr = base45::encode(&compressed);
        let (primary, basis, level) = spec
            .grading
            .resolve(catalogue, &spec.requirements, &v.description)
            .map_err(|e| err(&spec_path, format!("{}: {e}", v.id)))?;
        let vector = Vector {
            id: v.id.clone(),
            description: v.description.clone(),
            source: Some(spec.source.clone()),
            requirements: crate::generate::primary_first(requirements.clone(), &primary.id),
            primary,
            basis,
            level,
            verdict: spec.verdict,
            prefers: spec.grading.prefers,
            stage: None,
            flags: spec.flags.iter().map(|f| Flag::parse(f)).collect(),
            capabilities: spec.capabilities.clone(),
            now: spec.now,
            keys: VectorKeys::default(),
            qr_fit: Some(crate::symbol::fit(&qr)),
            qr: Some(qr),
            image: None,
            expected: Some(Expected {
                claim169: Some(spec.expected.claim169.clone()),
                cwt: Some(spec.expected.cwt.clone()),
                match_: Match::Exact,
            }),
            notes: spec.notes.clone(),
            artefacts: None,
            encode: None,
        };
        out.push((
            dir.join(format!("{}.json", v.id)),
            crate::corpus::pretty(&vector),
        ));
    }
    Ok(out)
}
