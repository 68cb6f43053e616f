//! Signature and content-encryption primitives of COSE (RFC 9053). To be written.

/// A COSE signature algorithm this codec implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SignatureAlgorithm {
    /// EdDSA with Ed25519 (COSE -8).
    EdDsa,
    /// ECDSA P-256 with SHA-256 (COSE -7).
    Es256,
    /// ECDSA P-384 with SHA-384 (COSE -35).
    Es384,
    /// ECDSA P-521 with SHA-512 (COSE -36).
    Es512,
}

/// A COSE content-encryption algorithm this codec implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ContentAlgorithm {
    /// AES-GCM, 128-bit key (COSE 1).
    A128Gcm,
    /// AES-GCM, 192-bit key (COSE 2).
    A192Gcm,
    /// AES-GCM, 256-bit key (COSE 3).
    A256Gcm,
}
