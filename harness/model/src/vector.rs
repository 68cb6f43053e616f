//! A test vector: one credential, what a conformant decoder must say about it,
//! and why. One JSON file per vector (`vectors/<area>/<id>.json`).

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
    pub requirements: Vec<RequirementRef>,
    /// The level of the strongest requirement: a failed MUST fails a run.
    pub level: Level,
    pub verdict: VerdictClass,
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
    pub qr: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<Expected>,
    /// Remarks a reader needs: corrections made to an imported expectation, and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}
