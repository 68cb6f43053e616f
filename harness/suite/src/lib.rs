//! c169-suite: runs a corpus against an implementation and judges each case —
//! it asks the implementation, compares the answer with the vector's expectation
//! and emits result events; the cucumber World and steps; the interop matrix and
//! the differential fuzzer.
//!
//! Not here: what the corpus is and how it is made or loaded (c169-corpus), how an
//! implementation is reached (c169-adapter), how results are rendered (reports),
//! printing and exit codes (the CLI).

#![forbid(unsafe_code)]

pub mod differential;
pub mod encoder;
pub mod judge;
pub mod matrix;
pub mod run;
pub mod session;
pub mod steps;

pub use judge::{judge, Judgement, Status};
