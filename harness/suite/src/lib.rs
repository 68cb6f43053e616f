//! c169-suite: loads the corpora (vectors and keys), runs them against an
//! implementation and judges each case against its vector.
//!
//! Not here: how an implementation is reached (c169-adapter), how results are
//! rendered (reports), printing and exit codes (the CLI).

#![forbid(unsafe_code)]

pub mod catalogue;
pub mod corpus;
pub mod coverage;
pub mod differential;
pub mod encoder;
pub mod external;
pub mod features;
pub mod generate;
pub mod judge;
pub mod matrix;
pub mod peers;
pub mod run;
pub mod schema;
pub mod session;
pub mod steps;
pub mod symbol;

pub use corpus::{Corpus, LoadError};
pub use judge::{judge, Judgement, Status};
