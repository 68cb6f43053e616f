//! c169-crypto: the cryptography of the c169 reference codec: keys read from JWK
//! (with the checks that keep weak and malformed keys out), the COSE signature
//! algorithms (EdDSA, ES256, ES384, ES512, deterministic) and AES-GCM content
//! encryption, over the RustCrypto crates.
//!
//! Not here: COSE structures and headers (c169-codec builds the bytes that are
//! signed and encrypted), files, networks, clocks, randomness: keys come from JWK
//! text or are derived from a seed, nonces from RFC 6979, IVs from the caller.

#![forbid(unsafe_code)]

pub mod crypto;
pub mod keys;
