//! What a decoder says about a credential, in the suite's own words.

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use std::fmt;

/// The pipeline stage at which a credential is rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// Reading the QR symbol in an image (only for a decode request with an image).
    Scan,
    Base45,
    Zlib,
    Cose,
    Decrypt,
    Signature,
    Cwt,
    Time,
    Claim169,
    /// A resource limit (size, depth, length) was reached before any stage could judge.
    Limit,
}

impl Stage {
    pub const ALL: [Stage; 10] = [
        Stage::Scan,
        Stage::Base45,
        Stage::Zlib,
        Stage::Cose,
        Stage::Decrypt,
        Stage::Signature,
        Stage::Cwt,
        Stage::Time,
        Stage::Claim169,
        Stage::Limit,
    ];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Scan => "scan",
            Stage::Base45 => "base45",
            Stage::Zlib => "zlib",
            Stage::Cose => "cose",
            Stage::Decrypt => "decrypt",
            Stage::Signature => "signature",
            Stage::Cwt => "cwt",
            Stage::Time => "time",
            Stage::Claim169 => "claim169",
            Stage::Limit => "limit",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a decoder answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Accept,
    Reject,
}

/// What a conformant decoder must answer for a test case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VerdictClass {
    /// Accept, with exactly the expected content.
    Valid,
    /// Reject, preferably at the named stage.
    Invalid,
    /// Either answer conforms; the flags say why.
    Acceptable,
}

impl VerdictClass {
    /// The name a vector file writes: `valid`, `invalid`, `acceptable`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            VerdictClass::Valid => "valid",
            VerdictClass::Invalid => "invalid",
            VerdictClass::Acceptable => "acceptable",
        }
    }
}

/// The strength of a requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Level {
    #[serde(rename = "MUST")]
    Must,
    #[serde(rename = "SHOULD")]
    Should,
    #[serde(rename = "MAY")]
    May,
    /// Behaviour observed in a deployed implementation, not written in a normative text.
    #[serde(rename = "DE-FACTO")]
    DeFacto,
}

macro_rules! flags {
    ($( $(#[$doc:meta])* $name:ident ),* $(,)?) => {
        /// A named condition the suite and the reference codec report. The names are
        /// those of the suite's verdict policy; implementations may report their own
        /// names, which are kept as `Other`.
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Flag {
            $( $(#[$doc])* $name, )*
            Other(String),
        }

        impl Flag {
            #[must_use]
            pub fn as_str(&self) -> &str {
                match self {
                    $( Flag::$name => stringify!($name), )*
                    Flag::Other(s) => s,
                }
            }

            #[must_use]
            pub fn parse(s: &str) -> Flag {
                match s {
                    $( stringify!($name) => Flag::$name, )*
                    other => Flag::Other(other.to_owned()),
                }
            }
        }
    };
}

flags! {
    /// A known key holds a value of the wrong CBOR type.
    TypeMismatch,
    /// An enumerated value lies outside its table.
    EnumOutOfRange,
    /// A construction the specification's worked example uses but its tables do not
    /// (claim 169 as a byte string holding a map, a biometric as one map).
    SpecExampleEncoding,
    /// The COSE bytes were Base45-encoded without zlib.
    NoCompression,
    /// A resource limit shaped the answer.
    ResourceLimit,
    /// The COSE object carries no COSE tag.
    Untagged,
    /// COSE_Sign or COSE_Encrypt (multi-recipient structures).
    MultiRecipient,
    /// A COSE_Sign1 around a COSE_Encrypt0.
    EncryptThenSign,
    /// A NumericDate written as a float.
    FloatNumericDate,
    /// A text or other non-integer key in the claim 169 map.
    NonIntegerKey,
    /// The key-16 photograph written as (hex) text.
    PhotoAsText,
    /// A biometric entry without its data (sub-key 0).
    MissingBiometricData,
    /// An unassigned key, preserved and returned unchanged.
    UnknownKey,
    /// The signature was not checked: no verification key was given.
    SignatureNotVerified,
    /// A header label stands in both buckets; the protected value was used.
    HeaderInBothBuckets,
    /// Certificates in x5bag/x5chain were reported but not validated against trust anchors.
    X5NotValidated,
    /// An audience claim is present; Claim 169 verifiers do not check it.
    AudienceNotChecked,
    /// No validation time was given, so exp and nbf were not checked.
    TimeNotChecked,
    /// A header parameter in a form the tables do not give, but tolerated (a one-certificate array).
    LenientHeader,
}

impl Serialize for Flag {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(Flag::parse(&s))
    }
}

impl fmt::Display for Flag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A non-fatal observation attached to an accepted (or rejected) credential.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Warning {
    pub flag: Flag,
    /// Where: a path of keys, `169/62/0/1` for sub-key 1 of the first face entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    pub message: String,
}

/// Which header bucket of a COSE structure a parameter came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Bucket {
    Protected,
    Unprotected,
}

/// Facts about the certificate headers (RFC 9360) of a COSE structure.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct X5Facts {
    /// x5bag (32): each certificate's length and SHA-256, hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x5bag: Option<Vec<CertFact>>,
    /// x5chain (33), end-entity first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x5chain: Option<Vec<CertFact>>,
    /// x5t (34): hash algorithm (canonical JSON: integer or text) and hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x5t: Option<Json>,
    /// x5u (35).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x5u: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertFact {
    pub len: usize,
    pub sha256: String,
    pub bucket: Bucket,
}

/// Facts about the COSE layers of a credential.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CoseFacts {
    /// `sign1`, or `encrypt0` for a COSE_Encrypt0 around a COSE_Sign1.
    pub structure: String,
    /// The CBOR tags met, outermost first (61, 16, 18 …).
    pub tags: Vec<u64>,
    /// The signature algorithm of the COSE_Sign1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<i64>,
    /// The key identifier, canonical JSON (`{"bstr": …}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<Json>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid_bucket: Option<Bucket>,
    /// The content-encryption algorithm of the COSE_Encrypt0, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enc_alg: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enc_kid: Option<Json>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x5: Option<X5Facts>,
}

/// What a decoder answered for one credential: the object `c169 decode --json`
/// prints and adapters return.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub verdict: Verdict,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
    /// A stable machine code (`zlib.bad_adler32`), for rejections.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The claim 169 map, canonical JSON, as the decoder returns it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim169: Option<Json>,
    /// The CWT claims other than 169, canonical JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cwt: Option<Json>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cose: Option<CoseFacts>,
    /// Whether a signature was checked and held.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
    #[serde(default)]
    pub warnings: Vec<Warning>,
    /// Who decided a rejection: the library under test, or glue code its adapter
    /// had to add (a claim 169 check a general COSE library does not make). Absent:
    /// the library.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<DecidedBy>,
}

/// Which code made a decision an adapter reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DecidedBy {
    /// The implementation under test.
    Library,
    /// Code the adapter adds around a library that lacks the step.
    Glue,
}

impl Outcome {
    /// A rejection with no decoded content.
    #[must_use]
    pub fn reject(stage: Stage, code: impl Into<String>, message: impl Into<String>) -> Self {
        Outcome {
            verdict: Verdict::Reject,
            stage: Some(stage),
            code: Some(code.into()),
            message: Some(message.into()),
            claim169: None,
            cwt: None,
            cose: None,
            verified: None,
            warnings: Vec::new(),
            by: None,
        }
    }

    /// Whether a warning with `flag` was raised.
    #[must_use]
    pub fn has_flag(&self, flag: &Flag) -> bool {
        self.warnings.iter().any(|w| &w.flag == flag)
    }
}
