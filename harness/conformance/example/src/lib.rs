//! c169-conformance-example: the crate the c169-conformance documentation shows,
//! built and run by `cargo test` so that the example cannot drift.
//!
//! It stands for a Rust Claim 169 library that tests itself against the c169
//! corpus. The library here is the c169 reference codec (its dependency
//! `c169-codec`), so every vector that applies passes; the glue between the
//! suite's requests and the library, and the test's one-line `main`, are in
//! `tests/conformance.rs`, the file the documentation quotes.
//!
//! Nothing is here: a library of your own would be.

#![forbid(unsafe_code)]
