//! Keys as JWK (RFC 7517, RFC 8037). To be written.

/// A key read from a JWK.
#[derive(Debug, Clone)]
pub struct Key {
    /// The JWK `kid`, as the bytes a COSE `kid` header carries (its UTF-8).
    pub kid: Option<Vec<u8>>,
    /// The JWK `alg`, when given.
    pub alg: Option<String>,
    pub material: KeyMaterial,
}

/// The material of a key.
#[derive(Debug, Clone)]
pub enum KeyMaterial {
    /// To be written.
    Placeholder,
}

/// Why a JWK cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    #[error("the JWK lacks member {member:?}")]
    MissingMember { member: &'static str },
}

/// Reads one JWK.
pub fn parse_jwk(_jwk: &serde_json::Value) -> Result<Key, KeyError> {
    Err(KeyError::MissingMember { member: "kty" })
}
