//! The QR symbol layer in the corpus: how each vector's text fits QR symbols, the
//! symbol an encoder's output needs, and the image vectors — symbols of valid
//! vectors rendered to PNG, clean and degraded (`vectors/src/images.yaml`).

use c169_model::{EcLevel, ImageCase, QrFit, QrMode, RequirementRef, Vector, VerdictClass};
use c169_qr::{Degradation, Symbol};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// How `text` fits QR symbols, as a vector records it.
#[must_use]
pub fn fit(text: &str) -> QrFit {
    let fitted = c169_qr::fit(text);
    let [low, medium, quartile, high] = fitted.versions;
    QrFit {
        mode: fitted.mode,
        chars: fitted.chars,
        l: low,
        m: medium,
        q: quartile,
        h: high,
    }
}

/// The level an encoder vector asks for (`L` when it names none).
#[must_use]
pub fn encoder_level(vector: &Vector) -> EcLevel {
    vector
        .encode
        .as_ref()
        .and_then(|e| e.ec_level)
        .unwrap_or(EcLevel::L)
}

/// The symbol an encoded text needs at `level`, for a report.
#[must_use]
pub fn facts(text: &str, level: EcLevel) -> c169_report::SymbolFacts {
    let mode = QrMode::of(text);
    c169_report::SymbolFacts {
        level,
        version: c169_qr::smallest_version(text, mode, level),
        mode,
        chars: text.chars().count(),
    }
}

/// `vectors/src/images.yaml`: which vectors become images, at what level and size.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImagesSource {
    /// The error-correction level of every symbol.
    pub level: EcLevel,
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
pub(crate) fn image_files(
    root: &Path,
    source: &ImagesSource,
    vectors: &BTreeMap<String, Vector>,
    requirement: &dyn Fn(&str) -> Result<RequirementRef, String>,
    clean_basis: &c169_model::Basis,
) -> Result<Vec<(PathBuf, Vec<u8>)>, String> {
    let level = source.level;
    if !(1..=20).contains(&source.module) {
        return Err(format!(
            "module: {} pixels a module; expected 1 to 20",
            source.module
        ));
    }
    if source.quiet > 16 {
        return Err(format!(
            "quiet: {} modules of quiet zone; expected 0 to 16",
            source.quiet
        ));
    }
    let requirements = vec![requirement("C169-QR-003")?, requirement("C169-QR-004")?];
    let dir = root.join(IMAGES_AREA);
    let mut out = Vec::new();
    let mut rows = Vec::new();
    for id in &source.sources {
        let base = vectors
            .get(id)
            .ok_or_else(|| format!("sources: {id:?} is not a generated vector"))?;
        let (Some(text), VerdictClass::Valid) = (&base.qr, base.verdict) else {
            return Err(format!(
                "sources: {id:?} is not a valid vector with a QR text"
            ));
        };
        let symbol = Symbol::new(text, level).map_err(|e| format!("sources: {id}: {e}"))?;
        let clean = symbol.image(source.module, source.quiet);
        for (name, degradation, readable, why) in c169_qr::DEGRADATIONS {
            let image = degradation.apply(&clean, source.module);
            let reference = c169_qr::scan(&image).ok().filter(|s| &s.text == text);
            let case = ImageCase {
                file: format!("image-{id}-{name}.png"),
                pixels_sha256: pixels_sha256(&image),
                width: image.width(),
                height: image.height(),
                source: id.clone(),
                level,
                version: symbol.version,
                degradation: serde_json::to_value(degradation).unwrap_or_default(),
                label: degradation.label(),
                readable,
                why: why.to_owned(),
                reference: reference.map(|s| s.pass.to_owned()),
            };
            let vector = image_vector(
                base,
                case,
                degradation == Degradation::Clean,
                &requirements,
                clean_basis,
            );
            rows.push(format!(
                "| [{id}]({id}.png) | {}-{level} | {} | {} | {} |",
                symbol.version,
                degradation.label(),
                if readable { "yes" } else { "need not" },
                vector
                    .image
                    .as_ref()
                    .and_then(|i| i.reference.as_deref())
                    .map_or_else(
                        || "**not read**".to_owned(),
                        |pass| format!("read ({pass})")
                    ),
                id = vector.id,
            ));
            out.push((
                dir.join(format!("{}.png", vector.id)),
                c169_qr::encode_png(&image),
            ));
            out.push((
                dir.join(format!("{}.json", vector.id)),
                crate::corpus::pretty(&vector),
            ));
        }
    }
    out.push((dir.join("README.md"), readme(source, &rows).into_bytes()));
    Ok(out)
}

/// The image vector of `case`, made from the valid vector `base`: valid when the
/// image should be read, acceptable otherwise. Only the clean symbol rests on a
/// text (what is read goes to the decoder as read, C169-QR-003); no text asks a
/// scanner to tolerate degradation, so reading a degraded symbol is the strict
/// profile's preference, and one degraded beyond tolerance may go either way.
fn image_vector(
    base: &Vector,
    case: ImageCase,
    clean: bool,
    requirements: &[RequirementRef],
    clean_basis: &c169_model::Basis,
) -> Vector {
    let (basis, level) = if clean {
        (clean_basis.clone(), clean_basis.level())
    } else {
        (
            c169_model::Basis::Profile(c169_model::ProfileBasis {
                row: if case.readable {
                    "A degraded symbol within scanning tolerance (two or more pixels a module, moderate noise, blur or fading, a quiet zone): the profile prefers that it is read"
                } else {
                    "A symbol degraded beyond scanning tolerance: either answer conforms, but a reading must be right"
                }
                .to_owned(),
            }),
            None,
        )
    };
    let readable = case.readable;
    let mut capabilities = base.capabilities.clone();
    capabilities.push("decode_image".into());
    capabilities.sort();
    capabilities.dedup();
    Vector {
        id: case.file.trim_end_matches(".png").to_owned(),
        description: format!(
            "{}: the version {}-{} symbol of {}, as a PNG image{}",
            case.label,
            case.version,
            case.level,
            case.source,
            if readable {
                ""
            } else {
                " (a conformant scanner need not read it)"
            }
        ),
        source: None,
        primary: c169_model::Primary {
            id: "C169-QR-003".to_owned(),
            how: "the symbol image is scanned and its text goes to the decoder as read".to_owned(),
        },
        requirements: requirements.to_vec(),
        basis,
        level,
        prefers: None,
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
        image: Some(case),
        expected: base.expected.clone(),
        artefacts: None,
        encode: None,
        notes: Vec::new(),
    }
}

/// vectors/images/README.md: the degradations and the reference scanner's results.
fn readme(source: &ImagesSource, rows: &[String]) -> String {
    let mut s = String::from(
        "# Image vectors\n\n\
         Written by `c169 vectors generate` from `vectors/src/images.yaml`; do not edit.\n\n\
         Each image is the QR symbol of a valid vector, rendered in alphanumeric mode at the\n\
         smallest version that holds its text",
    );
    let _ = write!(
        s,
        " at level {}, {} pixels a module with a {}-module quiet zone, then degraded. An\n\
         implementation that declares the `decode_image` capability gets the PNG (base64) in\n\
         place of the text and must decode it as the source vector says: images marked\n\
         readable are `valid` vectors (a failure to read is a failure, at level SHOULD; the\n\
         clean images at MUST), the others `acceptable` (reading them is not required, but a\n\
         reading must be right). The pixels are made with integer and IEEE arithmetic only, so\n\
         every machine makes the same; each vector records the SHA-256 of its pixels.\n\n",
        source.level, source.module, source.quiet
    );
    s.push_str("## Degradations\n\n| name | what | a conformant scanner should read it | why |\n|---|---|---|---|\n");
    for (name, d, readable, why) in c169_qr::DEGRADATIONS {
        let _ = writeln!(
            s,
            "| {name} | {} | {} | {why} |",
            d.label(),
            if readable { "yes" } else { "need not" }
        );
    }
    s.push_str(
        "\n## The reference scanner's results\n\n\
         The reference scanner (`harness/qr/src/scan.rs`: c169's own locator and decoder, pass\n\
         `direct`, then the rqrr crate, pass `rqrr`) reads every image marked readable. It\n\
         cannot read the images marked **not read** below: all of them are degraded beyond\n\
         what a conformant scanner need read. It reads some that it need not (low contrast,\n\
         no quiet zone, and the strong noise on the version-36 symbol, whose level M\n\
         codewords correct the modules it gets wrong).\n\n\
         | image | symbol | degradation | should read | reference |\n|---|---|---|---|---|\n",
    );
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s
}

/// The bytes of an image vector's PNG file, which lies beside the vector file.
pub fn image_bytes(
    vector_path: &Path,
    image: &ImageCase,
) -> Result<Vec<u8>, c169_model::bounded::ReadError> {
    let path = vector_path
        .parent()
        .map_or_else(|| PathBuf::from(&image.file), |d| d.join(&image.file));
    c169_model::bounded::read_file(&path, c169_model::bounded::IMAGE_FILE)
}
