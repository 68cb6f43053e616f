//! A test vector: one credential, what a conformant decoder must say about it,
//! and why. One JSON file per vector (`vectors/<area>/<id>.json`).

use crate::basis::{Basis, Preference, Primary};
use crate::outcome::{Flag, Level, Stage, VerdictClass};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

/// A requirement a vector exercises.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequirementRef {
    pub id: String,
    pub level: Level,
}

/// Key names (files `vectors/keys/<name>.jwk.json`) a vector is decoded with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VectorKeys {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub verify: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decrypt: Vec<String>,
}

/// How decoded content is compared with the expectation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Match {
    /// The decoded map equals the expected one.
    #[default]
    Exact,
    /// Every expected entry is present and equal (recursively); others may exist.
    Subset,
}

/// The content a valid vector must decode to, canonical JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim169: Option<Json>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cwt: Option<Json>,
    #[serde(default, rename = "match")]
    pub match_: Match,
}

/// Every intermediate artefact of a decode vector, so a failure can be traced to
/// the first stage where bytes differ. Hex is lowercase. An artefact above
/// [`Artefacts::MAX_INLINE`] bytes is left out, and its length and SHA-256 kept.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Artefacts {
    /// The Base45-decoded bytes: the zlib stream.
    pub zlib: String,
    /// The inflated bytes: the outermost COSE message.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cose: String,
    /// The COSE_Sign1 payload: the CWT claims set.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub payload: String,
    /// The claims map as encoded, canonical JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claims: Option<Json>,
    /// The claim 169 map as encoded, canonical JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim169: Option<Json>,
    /// Artefacts left out for size: name → length in bytes and SHA-256 (hex).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub elided: std::collections::BTreeMap<String, Elided>,
}

impl Artefacts {
    /// The largest artefact written out in full, in bytes.
    pub const MAX_INLINE: usize = 32 * 1024;
}

/// An artefact left out of a vector file for its size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Elided {
    pub len: usize,
    pub sha256: String,
}

/// What an encoder vector gives the implementation under test, and what its output must pass.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncodeCase {
    /// The claim 169 map, canonical JSON.
    pub claim169: Json,
    /// The other CWT claims, canonical JSON.
    pub cwt: Json,
    /// The signing key name and algorithm (`EdDSA`, `ES256` …) and the kid to write (canonical JSON bytes).
    pub sign: EncodeKey,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypt: Option<EncodeKey>,
    /// Names of the checks the reference applies to the output (see the notes dictionary).
    pub checks: Vec<String>,
    /// The QR error-correction level the credential is to be printed at (`L`, `M`,
    /// `Q`, `H`): `fits-qr-v40` holds the output to that level's capacity. Absent: L.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ec_level: Option<EcLevel>,
}

/// How a vector's QR text fits QR symbols: the smallest version (1–40) at each
/// error-correction level, `None` where not even version 40 holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QrFit {
    /// `alphanumeric` (every character in the 45-character set), else `byte`.
    pub mode: QrMode,
    /// Characters of the text.
    pub chars: usize,
    #[serde(rename = "L")]
    pub l: Option<u8>,
    #[serde(rename = "M")]
    pub m: Option<u8>,
    #[serde(rename = "Q")]
    pub q: Option<u8>,
    #[serde(rename = "H")]
    pub h: Option<u8>,
}

impl QrFit {
    /// The versions in the order L, M, Q, H.
    #[must_use]
    pub fn versions(&self) -> [Option<u8>; 4] {
        [self.l, self.m, self.q, self.h]
    }
}

/// The QR alphanumeric character set (ISO/IEC 18004 §7.4.4), which is also the
/// Base45 alphabet.
pub const ALPHANUMERIC: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/// Whether `c` is in the QR alphanumeric character set.
#[must_use]
pub fn is_alphanumeric(c: char) -> bool {
    ALPHANUMERIC.contains(c)
}

/// A QR encoding mode: the one list of them, used by the QR layer and the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QrMode {
    /// The 45 characters `0-9 A-Z space $ % * + - . / :`: what Base45 emits.
    Alphanumeric,
    /// Any bytes: what a text outside the alphanumeric set needs.
    Byte,
}

impl QrMode {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            QrMode::Alphanumeric => "alphanumeric",
            QrMode::Byte => "byte",
        }
    }

    /// The mode `text` needs: alphanumeric when every character is in the set.
    #[must_use]
    pub fn of(text: &str) -> QrMode {
        if text.chars().all(is_alphanumeric) {
            QrMode::Alphanumeric
        } else {
            QrMode::Byte
        }
    }
}

impl std::fmt::Display for QrMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// A QR error-correction level (ISO/IEC 18004 §5.3.8): the share of codewords a
/// symbol may lose, about 7 % (L), 15 % (M), 25 % (Q) and 30 % (H). Named apart
/// from [`Level`], the strength of a requirement: the one list of them, used by
/// the QR layer and the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EcLevel {
    L,
    M,
    Q,
    H,
}

impl EcLevel {
    pub const ALL: [EcLevel; 4] = [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            EcLevel::L => "L",
            EcLevel::M => "M",
            EcLevel::Q => "Q",
            EcLevel::H => "H",
        }
    }

    /// The level named `name` (`L`, `M`, `Q`, `H`, any case).
    #[must_use]
    pub fn parse(name: &str) -> Option<EcLevel> {
        EcLevel::ALL
            .into_iter()
            .find(|l| l.as_str().eq_ignore_ascii_case(name.trim()))
    }

    /// The index of the level in [`EcLevel::ALL`].
    #[must_use]
    pub fn index(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for EcLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// An image vector: a QR symbol image to decode instead of a text, made from a
/// valid vector by one degradation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageCase {
    /// The PNG file, relative to the vector file.
    pub file: String,
    /// SHA-256 of the decoded pixels (row by row, 8-bit grey), which stays the same
    /// when a PNG encoder compresses differently.
    pub pixels_sha256: String,
    pub width: u32,
    pub height: u32,
    /// The vector whose text the symbol holds.
    pub source: String,
    /// The symbol's error-correction level and version.
    pub level: EcLevel,
    pub version: u8,
    /// The degradation's name and parameters.
    pub degradation: Json,
    /// In words.
    pub label: String,
    /// Whether a conformant scanner should still read the symbol; when not, either
    /// answer conforms (the vector is `acceptable`), but a reading must be right.
    pub readable: bool,
    /// Why it is or is not readable.
    pub why: String,
    /// What the reference scanner made of it: the pass that read it, or `None`.
    pub reference: Option<String>,
}

/// A key an encoder vector names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncodeKey {
    pub key: String,
    pub alg: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<Json>,
    /// The IV for content encryption, hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iv: Option<String>,
}

/// One test vector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vector {
    /// The file stem.
    pub id: String,
    pub description: String,
    /// Where the vector comes from, when not generated here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The requirement the vector tests, and how.
    pub primary: Primary,
    /// Every requirement it touches, the primary first.
    pub requirements: Vec<RequirementRef>,
    /// What the expectation rests on: a quoted sentence, the strict profile, or
    /// observed behaviour.
    pub basis: Basis,
    /// The level a failure is graded at: the basis sentence's (never above it);
    /// absent for a profile or observed basis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    pub verdict: VerdictClass,
    /// For `acceptable`: the answer the basis prefers, when it prefers one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefers: Option<Preference>,
    /// For `invalid`: the stage that should reject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
    /// Why the verdict is what it is; explained in the corpus notes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<Flag>,
    /// Capabilities an implementation must declare for the vector to run
    /// (`verify`, `decrypt`, `decode_unverified`, an algorithm name …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capabilities: Vec<String>,
    /// The validation time, seconds since the Unix epoch.
    pub now: i64,
    #[serde(default)]
    pub keys: VectorKeys,
    /// The QR text to decode (absent for encoder vectors; it may be empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qr: Option<String>,
    /// How the QR text fits QR symbols, level by level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qr_fit: Option<QrFit>,
    /// For image vectors: the symbol image to decode in place of a text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageCase>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<Expected>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artefacts: Option<Artefacts>,
    /// For encoder vectors: what to encode, and the checks its output must pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encode: Option<EncodeCase>,
    /// Remarks a reader needs: corrections made to an imported expectation, and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}
