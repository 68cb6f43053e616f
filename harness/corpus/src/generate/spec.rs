//! The YAML sources of the generated corpus (`vectors/src/`), as types.
//!
//! A family describes one or more vectors: a base identity and claims, keys by
//! name, encoder options, byte-level edits, and what a conformant decoder must
//! say. `matrix` expands a family over the values of some variables; `{name}`
//! in any string of the family is replaced by the value of the variable.

use c169_codec::encode::Point;
use serde::Deserialize;
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// `vectors/src/keys.yaml`: test keys derived from their names.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeysSource {
    /// Signing keys: name → algorithm (`EdDSA`, `ES256`, `ES384`, `ES512`).
    pub signing: BTreeMap<String, String>,
    /// Content-encryption keys: name → algorithm (`A128GCM` …).
    pub content: BTreeMap<String, String>,
    /// Keys unusable on purpose (weak keys a decoder must refuse), written as given.
    #[serde(default)]
    pub invalid: BTreeMap<String, InvalidKey>,
}

/// A key a decoder must refuse, and why.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvalidKey {
    pub jwk: Json,
    pub why: String,
}

/// `vectors/src/bases.yaml`: the defaults and the named inputs families refer to.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasesSource {
    /// The validation time of every vector unless a family says otherwise.
    pub now: i64,
    /// Named CWT claim sets (by claim name or decimal key; values in canonical JSON).
    pub claims: BTreeMap<String, Json>,
    /// Named claim overrides for time faults (`"@time:<name>"` in `claims_with`).
    #[serde(default)]
    pub times: BTreeMap<String, Json>,
    /// Named identities (claim 169 by attribute name, as `c169 encode` reads them).
    pub identities: BTreeMap<String, Json>,
    /// Named deterministic byte strings: `"@blob:<name>"` anywhere in an identity
    /// stands for their lowercase hex.
    #[serde(default)]
    pub blobs: BTreeMap<String, Blob>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Blob {
    pub length: usize,
    /// Bytes to start with (hex), e.g. a file signature; the rest is derived from the name.
    #[serde(default)]
    pub prefix: String,
}

/// `vectors/src/flags.yaml`: what each flag means.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlagsSource {
    pub flags: BTreeMap<String, FlagNote>,
    /// Checks applied to an encoder's output.
    pub checks: BTreeMap<String, String>,
}

#[derive(Debug, Clone, serde::Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlagNote {
    /// What the flag says about a vector.
    pub meaning: String,
    /// What goes wrong when an implementation mishandles it.
    pub mishandled: String,
}

/// One `vectors/src/<area>.yaml` file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AreaSource {
    pub area: String,
    pub families: Vec<Json>,
}

/// A family after matrix expansion: one vector.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Family {
    pub id: String,
    pub description: String,
    /// Variables and their values (every combination), or a list of rows.
    #[serde(default)]
    pub matrix: Option<Json>,
    /// An identity name of bases.yaml.
    #[serde(default)]
    pub identity: Option<String>,
    /// Claim 169 in canonical JSON, instead of a named identity (any value, for broken vectors).
    #[serde(default, deserialize_with = "present")]
    pub claim169_raw: Option<Json>,
    /// Attributes added to (or replacing those of) the identity, by name or decimal key (canonical JSON).
    #[serde(default)]
    pub with: BTreeMap<String, Json>,
    /// A claims name of bases.yaml (default `default`).
    #[serde(default)]
    pub claims: Option<String>,
    /// Claims added to or replacing those of the named set (`null` removes one), or
    /// `"@time:<name>"`, a named override of bases.yaml `times`.
    #[serde(default)]
    pub claims_with: Json,
    /// The whole claims map in canonical JSON, instead of a named set.
    #[serde(default, deserialize_with = "present")]
    pub cwt_raw: Option<Json>,
    /// The signing key name; `none` for an unsigned credential (default `ed25519-a`).
    #[serde(default)]
    pub sign: Option<String>,
    /// The signing algorithm when it must differ from the key's.
    #[serde(default)]
    pub sign_alg: Option<String>,
    /// The kid: text, or canonical JSON bytes. Default: the key name.
    #[serde(default)]
    pub kid: Option<Json>,
    /// Content-encryption key name.
    #[serde(default)]
    pub encrypt: Option<String>,
    /// The IV (hex); default derived from the vector id.
    #[serde(default)]
    pub iv: Option<String>,
    /// Keys the decoder is given to verify with (default: the signing key; `[]` for none).
    #[serde(default)]
    pub verify: Option<Vec<String>>,
    /// Keys the decoder is given to decrypt with (default: the encryption key).
    #[serde(default)]
    pub decrypt: Option<Vec<String>>,
    #[serde(default)]
    pub options: Options,
    #[serde(default)]
    pub tamper: Vec<TamperSpec>,
    #[serde(default)]
    pub now: Option<i64>,
    pub verdict: c169_model::VerdictClass,
    #[serde(default)]
    pub stage: Option<c169_model::Stage>,
    /// Every requirement the vector touches; the first is the one it tests,
    /// unless `primary` names another.
    pub requirements: Vec<String>,
    /// The requirement the vector tests, when not the first listed.
    #[serde(default)]
    pub primary: Option<String>,
    /// How the vector tests it, in one line (default: the description).
    #[serde(default)]
    pub how: Option<String>,
    /// What the expectation rests on, when not the primary requirement's sentence.
    #[serde(default)]
    pub basis: Option<BasisSpec>,
    /// For an `acceptable` vector: the answer its basis prefers.
    #[serde(default)]
    pub prefers: Option<c169_model::Verdict>,
    /// The level when the verdict policy sets one other than the catalogue's.
    #[serde(default)]
    pub level: Option<c169_model::Level>,
    #[serde(default)]
    pub flags: Vec<String>,
    #[serde(default)]
    pub capabilities: Vec<String>,
    #[serde(default)]
    pub notes: Vec<String>,
    /// Make an encoder vector instead: the implementation encodes, the reference checks.
    #[serde(default)]
    pub encoder_checks: Option<Vec<String>>,
    /// For an encoder vector: the QR error-correction level (L, M, Q, H) the
    /// credential is to be printed at; `fits-qr-v40` holds the output to it.
    #[serde(default)]
    pub ec_level: Option<c169_model::EcLevel>,
    /// Compare decoded content as a subset (default exact).
    #[serde(default)]
    pub subset: bool,
}

/// A basis other than the primary requirement's sentence.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum BasisSpec {
    /// The strict profile: the policy row, in its words.
    Profile(String),
    /// Observed behaviour: who does it.
    Observed(String),
    /// The sentence of another requirement of the catalogue.
    Requirement(String),
    /// A sentence quoted here.
    Text(c169_model::TextBasis),
}

/// Encoder knobs, as YAML spells them. Absent fields keep the conformant default.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    pub indefinite: Option<bool>,
    /// `as_given`, `deterministic`, `reversed`.
    pub key_order: Option<String>,
    pub claim169_as_bytes: Option<bool>,
    /// `cose`, `cwt_and_cose`, `none`.
    pub tags: Option<String>,
    pub untagged_inner: Option<bool>,
    /// `protected`, `unprotected`, `both`, `omit`.
    pub alg_placement: Option<String>,
    /// The alg value written, canonical JSON.
    pub alg_value: Option<Json>,
    pub kid_placement: Option<String>,
    pub empty_protected_as_map: Option<bool>,
    /// `[[label, value], …]` in canonical JSON.
    pub extra_protected: Option<Vec<(Json, Json)>>,
    pub extra_unprotected: Option<Vec<(Json, Json)>>,
    /// `raw` or `der`.
    pub signature_format: Option<String>,
    pub detach_payload: Option<bool>,
    /// `sign_then_encrypt`, `encrypt_then_sign`, `encrypt_only`.
    pub layering: Option<String>,
    pub enc_alg_placement: Option<String>,
    pub iv_placement: Option<String>,
    pub extra_enc_protected: Option<Vec<(Json, Json)>>,
    pub extra_enc_unprotected: Option<Vec<(Json, Json)>>,
    pub no_compression: Option<bool>,
    pub zlib_level: Option<u8>,
    pub zlib_window_bits: Option<u8>,
    pub zlib_cm: Option<u8>,
    pub zlib_cinfo: Option<u8>,
    pub zlib_fdict: Option<bool>,
    pub zlib_flevel: Option<u8>,
    pub zlib_break_check: Option<bool>,
}

/// One byte-level edit: `at` a point of the pipeline, and exactly one edit, its
/// key naming the kind (`{at: cose, append: "00"}`). Read by hand, so that two
/// edits in one entry, or none, or a misspelt one, are parse errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TamperSpec {
    pub at: Point,
    pub edit: TamperEdit,
}

/// The edit of a tamper. Hex values may be macros (`@zeros:N`, `@nest:N`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TamperEdit {
    /// Hex bytes to add at the end.
    Append(String),
    /// Hex bytes to add at the start.
    Prepend(String),
    /// Text to add at the start (for the QR text).
    PrependText(String),
    /// Text to add at the end (for the QR text).
    AppendText(String),
    /// Bytes to keep.
    Truncate(usize),
    /// Bytes to remove from the start.
    Skip(usize),
    /// Lowercase every ASCII letter (`lowercase: true`).
    Lowercase,
    /// `[offset, mask]`; a negative offset counts from the end.
    Xor(i64, u8),
    /// `[offset, hex]`.
    Overwrite(i64, String),
    /// `[offset, text]` (for the QR text).
    OverwriteText(i64, String),
    /// Hex bytes replacing everything.
    Replace(String),
    /// Text replacing everything (for the QR text).
    ReplaceText(String),
}

/// The keys of a tamper entry: `at`, then those an edit is spelt with, in
/// the order of the variants.
pub const TAMPER_KEYS: &[&str] = &[
    "at",
    "append",
    "prepend",
    "prepend_text",
    "append_text",
    "truncate",
    "skip",
    "lowercase",
    "xor",
    "overwrite",
    "overwrite_text",
    "replace",
    "replace_text",
];

impl<'de> Deserialize<'de> for TamperSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(TamperVisitor)
    }
}

struct TamperVisitor;

impl<'de> serde::de::Visitor<'de> for TamperVisitor {
    type Value = TamperSpec;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a tamper: `at` (a point of the pipeline) and exactly one edit")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<TamperSpec, A::Error> {
        use serde::de::Error as _;
        let mut at = None;
        let mut edit: Option<(String, TamperEdit)> = None;
        while let Some(key) = map.next_key::<String>()? {
            let e = match key.as_str() {
                "at" => {
                    if at.replace(map.next_value::<Point>()?).is_some() {
                        return Err(A::Error::duplicate_field("at"));
                    }
                    continue;
                }
                "append" => TamperEdit::Append(map.next_value()?),
                "prepend" => TamperEdit::Prepend(map.next_value()?),
                "prepend_text" => TamperEdit::PrependText(map.next_value()?),
                "append_text" => TamperEdit::AppendText(map.next_value()?),
                "truncate" => TamperEdit::Truncate(map.next_value()?),
                "skip" => TamperEdit::Skip(map.next_value()?),
                "lowercase" => {
                    if !map.next_value::<bool>()? {
                        return Err(A::Error::custom("lowercase: an edit is present or absent; write `lowercase: true` or leave it out"));
                    }
                    TamperEdit::Lowercase
                }
                "xor" => {
                    let (offset, mask) = map.next_value()?;
                    TamperEdit::Xor(offset, mask)
                }
                "overwrite" => {
                    let (offset, hex) = map.next_value()?;
                    TamperEdit::Overwrite(offset, hex)
                }
                "overwrite_text" => {
                    let (offset, text) = map.next_value()?;
                    TamperEdit::OverwriteText(offset, text)
                }
                "replace" => TamperEdit::Replace(map.next_value()?),
                "replace_text" => TamperEdit::ReplaceText(map.next_value()?),
                other => return Err(A::Error::unknown_field(other, TAMPER_KEYS)),
            };
            if let Some((first, _)) = &edit {
                return Err(A::Error::custom(format!(
                    "a tamper entry takes exactly one edit; this one has {first} and {key}"
                )));
            }
            edit = Some((key, e));
        }
        let at = at.ok_or_else(|| A::Error::missing_field("at"))?;
        let (_, edit) = edit.ok_or_else(|| {
            A::Error::custom(format!(
                "a tamper entry takes exactly one edit ({}); this one has none",
                TAMPER_KEYS
                    .iter()
                    .filter(|k| **k != "at")
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
        Ok(TamperSpec { at, edit })
    }
}

/// A field that is present is `Some`, even when it holds null (which then means CBOR null).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Json>, D::Error> {
    Json::deserialize(d).map(Some)
}
