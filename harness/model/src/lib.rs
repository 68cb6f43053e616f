//! The shared vocabulary of c169: a CBOR value type that keeps everything the wire
//! says (duplicate keys, key order, simple values, tags), its canonical JSON form
//! (and, for people, its diagnostic notation), and the words every part of the
//! suite uses to speak about a decoding: stages, verdicts, flags and outcomes.
//!
//! This crate knows nothing of COSE or cryptography. Its one piece of I/O is
//! [`bounded`]: how every part of the suite reads a file or standard input.

pub mod basis;
pub mod bounded;
pub mod canonical;
pub mod deep;
pub mod notation;
pub mod outcome;
pub mod protocol;
pub mod value;
pub mod vector;

pub use basis::{keyword_level, Basis, BasisKind, ObservedBasis, Primary, ProfileBasis, TextBasis};
pub use canonical::{
    from_canonical_json, map_to_canonical_json, to_canonical_json, CanonicalJsonError,
};
pub use notation::diagnostic;
pub use outcome::{
    Bucket, CertFact, CoseFacts, DecidedBy, Flag, Level, Outcome, Stage, Verdict, VerdictClass,
    Warning, X5Facts,
};
pub use value::Value;
pub use vector::{
    is_alphanumeric, Artefacts, EcLevel, Elided, EncodeCase, EncodeKey, Expected, ImageCase, Match,
    QrFit, QrMode, RequirementRef, Vector, VectorKeys, ALPHANUMERIC,
};
