//! The QR symbol layer in the corpus: how each vector's text fits QR symbols, the
//! symbol an encoder's output needs, and the image vectors — symbols of valid
//! vectors rendered to PNG, clean and degraded (`vectors/src/images.yaml`).

use c169_model::{ImageCase, Level, QrFit, QrMode, RequirementRef, Vector, VerdictClass};
use c169_qr::{Degradation, Mode, Symbol};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// How `text` fits QR symbols, as a vector records it.
#[must_use]
pub fn fit(text: &str) -> QrFit {
    let f = c169_qr::fit(text);
    let [l, m, q, h] = f.versions;
    QrFit {
        mode: match f.mode {
            Mode::Alphanumeric => QrMode::Alphanumeric,
            Mode::Byte => QrMode::Byte,
        },
        chars: f.chars,
        l,
        m,
        q,
        h,
    }
}

/// The level an encoder vector asks for (`L` when it names none).
#[must_use]
pub fn encoder_level(vector: &Vector) -> c169_qr::Level {
    vector
        .encode
        .as_ref()
        .and_then(|e| e.ec_level.as_deref())
        .and_then(c169_qr::Level::parse)
        .unwrap_or(c169_qr::Level::L)
}

/// The symbol an encoded text needs at `level`, for a report.
#[must_use]
pub fn facts(text: &str, level: c169_qr::Level) -> c169_report::Symbol {
    let mode = Mode::of(text);
    c169_report::Symbol {
        level: level.as_str().to_owned(),
        version: c169_qr::smallest_version(text, mode, level),
        mode: mode.as_str().to_owned(),
        chars: text.chars().count(),
    }
}

/// `vectors/src/images.yaml`: which vectors become images, at what level and size.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImagesSource {
    /// The error-correction level of every symbol.
    pub level: String,
    /// Pixels per module of the clean image.
    pub module: u32,
    /// Modules of quiet zone around the clean image.
    pub quiet: u32,
    /// Ids of valid vectors whose text the symbols hold.
    pub sources: Vec<String>,
}

/// The folder of the image vectors under the vectors root.
pub const IMAGES_AREA: &str = "images";

/// SHA-256 of an image's pixels.
#[must_use]
pub fn pixels_sha256(image: &c169_qr::Gray) -> String {
    hex::encode(Sha256::digest(image.pixels()))
}

/// The image vectors and their PNG files: for each source vector, its symbol at
/// the configured level under every degradation of [`c169_qr::DEGRADATIONS`],
/// with what the reference scanner makes of each. `vectors` are the generated
/// vectors by id; `requirement` resolves a catalogue id to its reference.
pub fn image_files(
    root: &Path,
    source: &ImagesSource,
    vectors: &BTreeMap<String, Vector>,
    requirement: &dyn Fn(&str) -> Result<RequirementRef, String>,
) -> Result<Vec<(PathBuf, Vec<u8>)>, String> {
    let level = c169_qr::Level::parse(&source.level)
        .ok_or_else(|| format!("level: {:?} is not one of L, M, Q, H", source.level))?;
    let dir = root.join(IMAGES_AREA);
    let mut out = Vec::new();
    for id in &source.sources {
        let base = vectors
            .get(id)
            .ok_or_else(|| format!("sources: {id:?} is not a generated vector"))?;
        let text = match (&base.qr, base.verdict) {
            (Some(t), VerdictClass::Valid) => t,
            _ => return Err(format!("sources: {id:?} is not a valid vector with a QR text")),
        };
        let symbol = Symbol::new(text, level).map_err(|e| format!("sources: {id}: {e}"))?;
        let clean = symbol.image(source.module, source.quiet);
        for (name, degradation, readable, why) in c169_qr::DEGRADATIONS {
            let image = degradation.apply(&clean, source.module);
            let png = c169_qr::encode_png(&image);
            let reference = c169_qr::scan(&image).ok().filter(|s| &s.text == text);
            let vid = format!("image-{id}-{name}");
            let mut requirements = vec![requirement("C169-QR-003")?];
            requirements.push(requirement("C169-QR-004")?);
            let mut capabilities = base.capabilities.clone();
            capabilities.push("decode_image".into());
            capabilities.sort();
            capabilities.dedup();
            let vector = Vector {
                id: vid.clone(),
                description: format!(
                    "{}: the version {}-{} symbol of {id}, as a PNG image{}",
                    degradation.label(),
                    symbol.version,
                    level,
                    if readable {
                        ""
                    } else {
                        " (a conformant scanner need not read it)"
                    }
                ),
                source: None,
                requirements,
                level: if degradation == Degradation::Clean {
                    Level::Must
                } else if readable {
                    Level::Should
                } else {
                    Level::May
                },
                verdict: if readable {
                    VerdictClass::Valid
                } else {
                    VerdictClass::Acceptable
                },
                stage: None,
                flags: if readable {
                    Vec::new()
                } else {
                    vec![c169_model::Flag::parse("BeyondScanTolerance")]
                },
                capabilities,
                now: base.now,
                keys: base.keys.clone(),
                qr: None,
                qr_fit: None,
                image: Some(ImageCase {
                    file: format!("{vid}.png"),
                    pixels_sha256: pixels_sha256(&image),
                    width: image.width(),
                    height: image.height(),
                    source: id.clone(),
                    level: level.as_str().to_owned(),
                    version: symbol.version,
                    degradation: serde_json::to_value(degradation).unwrap_or_default(),
                    label: degradation.label(),
                    readable,
                    why: why.to_owned(),
                    reference: reference.map(|s| s.pass.to_owned()),
                }),
                expected: base.expected.clone(),
                artefacts: None,
                encode: None,
                notes: Vec::new(),
            };
            out.push((dir.join(format!("{vid}.png")), png));
            out.push((dir.join(format!("{vid}.json")), crate::corpus::pretty(&vector)));
        }
    }
    Ok(out)
}

/// The bytes of an image vector's PNG file, which lies beside the vector file.
pub fn image_bytes(vector_path: &Path, image: &ImageCase) -> Result<Vec<u8>, String> {
    let path = vector_path
        .parent()
        .map_or_else(|| PathBuf::from(&image.file), |d| d.join(&image.file));
    std::fs::read(&path).map_err(|e| format!("{}: cannot read the image: {e}", path.display()))
}
