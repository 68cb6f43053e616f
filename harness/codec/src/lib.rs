//! c169-codec: the reference codec of the c169 conformance suite for MOSIP Claim 169.
//!
//! Every stage of the pipeline (Base45, zlib, COSE, CWT, the claim 169 map) in both
//! directions, with every intermediate artefact kept so that a failure can be traced
//! to the first stage where bytes differ. Decoding never panics and bounds every
//! allocation its input can drive; a rejected credential is an [`Outcome`], not an
//! error. Encoding is deterministic and has knobs to build the broken credentials
//! the suite needs.
//!
//! The keys and the signature and encryption primitives are c169-crypto's,
//! re-exported here as [`crypto`] and [`keys`]; the fuzz targets over the codec
//! are c169-fuzzing's.
//!
//! Not here: files, networks, clocks, async. Callers pass the validation time.

#![forbid(unsafe_code)]

pub mod base45;
pub mod cbor;
pub mod claim169;
pub mod cose;
pub mod cwt;
pub mod zlib;

// The crypto layer lives in c169-crypto; these paths stay for code written against them.
pub use c169_crypto::{crypto, keys};
pub use c169_model::{Outcome, Stage, Value};
pub mod decode;
pub mod encode;

pub use decode::{decode, DecodeOptions, Decoded, Limits, Trace};
pub use encode::{
    encode, EncodeError, EncodeOptions, EncodeRequest, Encoded, EncryptSpec, SignSpec,
};
