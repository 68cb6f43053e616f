//! Keys as JWK (RFC 7517), with the EC and `oct` forms of RFC 7518 §6 and the OKP
//! form of RFC 8037.
//!
//! What is read: `kty` `OKP` (`crv` `Ed25519`, `x`, optional `d`), `EC` (`crv`
//! `P-256`/`P-384`/`P-521`, `x`, `y`, optional `d`) and `oct` (`k`, 16, 24 or 32
//! bytes), plus `kid` and `alg`. Every other member is ignored, as RFC 7517 §4 asks.
//! Byte members are base64url without padding (RFC 7515 §2): padding, the standard
//! alphabet's `+` and `/`, whitespace and non-zero trailing bits are all refused, so
//! a key has exactly one spelling and [`Key::to_jwk`] gives it back.
//!
//! What is refused, each with an error naming the member and what was expected:
//! coordinates and scalars not exactly the field size, EC points not on the curve,
//! Ed25519 public keys of small order or in a non-canonical encoding, private
//! scalars of zero or not below the group order, and a `d` that does not belong to
//! the `x` (and `y`) beside it.
//!
//! `alg` is kept as written and not checked against the key: what algorithm a
//! credential uses is the COSE header's business, and [`crate::crypto::verify`]
//! refuses an algorithm that does not fit the key.

use crate::crypto::{ContentAlgorithm, SignatureAlgorithm};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{Map, Value as Json};
use sha2::{Digest, Sha256, Sha512};
use std::fmt;

// Reading a JWK, member by member, apart from what a key is and does.
mod jwk;

pub use jwk::{parse_jwk, parse_jwk_set, parse_jwk_str};

/// A key read from a JWK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    /// The JWK `kid`, as the bytes a COSE `kid` header carries (its UTF-8).
    pub kid: Option<Vec<u8>>,
    /// The JWK `alg`, when given.
    pub alg: Option<String>,
    pub material: KeyMaterial,
}

/// The material of a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyMaterial {
    /// A public signature-verification key.
    Public(PublicKey),
    /// A private signing key (its public half is derived from it).
    Private(PrivateKey),
    /// A content-encryption key.
    Symmetric(SymmetricKey),
}

/// A public key for one of the signature algorithms.
#[derive(Clone)]
pub enum PublicKey {
    Ed25519(ed25519_dalek::VerifyingKey),
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    P521(p521::ecdsa::VerifyingKey),
}

/// A private key for one of the signature algorithms. `Debug` shows the public half only.
#[derive(Clone)]
pub enum PrivateKey {
    Ed25519(ed25519_dalek::SigningKey),
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    P521(p521::ecdsa::SigningKey),
}

/// An AES-GCM key of 16, 24 or 32 bytes. `Debug` shows its length, never its bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct SymmetricKey {
    bytes: Vec<u8>,
}

/// Why a JWK (or JWK set) cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The text is not JSON.
    #[error("not JSON (line {line}, column {column})")]
    InvalidJson { line: usize, column: usize },
    /// The JWK is not a JSON object.
    #[error("a JWK must be a JSON object")]
    NotAnObject,
    #[error("the JWK lacks member {member:?}")]
    MissingMember { member: &'static str },
    /// A member has the wrong JSON type.
    #[error("JWK member {member:?} must be a {expected}")]
    WrongType {
        member: &'static str,
        expected: &'static str,
    },
    #[error("unsupported JWK key type {kty:?} (expected \"OKP\", \"EC\" or \"oct\")")]
    UnsupportedKeyType { kty: String },
    #[error("unsupported curve {crv:?} (expected \"Ed25519\", \"P-256\", \"P-384\" or \"P-521\")")]
    UnsupportedCurve { crv: String },
    /// Not unpadded base64url in its single canonical spelling.
    #[error("JWK member {member:?} is not unpadded base64url")]
    BadBase64Url { member: &'static str },
    #[error("JWK member {member:?} decodes to {found} bytes, {expected} expected")]
    WrongLength {
        member: &'static str,
        expected: usize,
        found: usize,
    },
    /// An `oct` key that is no AES-GCM key length.
    #[error("JWK member \"k\" decodes to {found} bytes, expected 16, 24 or 32")]
    WrongSymmetricKeyLength { found: usize },
    /// A public key that is a valid encoding but must not be trusted.
    #[error("weak public key: {reason}")]
    WeakKey { reason: &'static str },
    /// The coordinates are not a point of the curve (or not field elements at all).
    #[error("the public key is not a point on {crv}")]
    PointNotOnCurve { crv: &'static str },
    /// The private scalar `d` is zero or not below the group order.
    #[error("private scalar \"d\" is zero or not below the group order")]
    InvalidPrivateScalar,
    /// `d` does not belong to `x` (and `y`).
    #[error("private key \"d\" does not match the public key")]
    PrivatePublicMismatch,
    /// A key of a JWK set is unusable.
    #[error("key {index} of the set: {source}")]
    InSet { index: usize, source: Box<KeyError> },
}

impl KeyError {
    /// A stable machine-readable code for this failure (for a key in a set, the key's).
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            KeyError::InvalidJson { .. } => "jwk.invalid_json",
            KeyError::NotAnObject => "jwk.not_object",
            KeyError::MissingMember { .. } => "jwk.missing_member",
            KeyError::WrongType { .. } => "jwk.wrong_type",
            KeyError::UnsupportedKeyType { .. } => "jwk.unsupported_kty",
            KeyError::UnsupportedCurve { .. } => "jwk.unsupported_crv",
            KeyError::BadBase64Url { .. } => "jwk.bad_base64url",
            KeyError::WrongLength { .. } => "jwk.wrong_length",
            KeyError::WrongSymmetricKeyLength { .. } => "jwk.symmetric_key_length",
            KeyError::WeakKey { .. } => "jwk.weak_key",
            KeyError::PointNotOnCurve { .. } => "jwk.point_not_on_curve",
            KeyError::InvalidPrivateScalar => "jwk.invalid_private_scalar",
            KeyError::PrivatePublicMismatch => "jwk.private_public_mismatch",
            KeyError::InSet { source, .. } => source.code(),
        }
    }
}

/// The length of a coordinate or scalar (Ed25519: of the encoded point and seed).
const fn field_len(alg: SignatureAlgorithm) -> usize {
    match alg {
        SignatureAlgorithm::EdDsa | SignatureAlgorithm::Es256 => 32,
        SignatureAlgorithm::Es384 => 48,
        SignatureAlgorithm::Es512 => 66,
    }
}

// ---------------------------------------------------------------------------------
// Key
// ---------------------------------------------------------------------------------

impl Key {
    /// A key with no `kid` and no `alg`.
    #[must_use]
    pub fn new(material: KeyMaterial) -> Key {
        Key {
            kid: None,
            alg: None,
            material,
        }
    }

    /// The key as a JWK: `kty`, `crv`, the coordinates, `d` when `include_private`
    /// and the key is private, then `kid` (as UTF-8; lossily if the bytes are not)
    /// and `alg` when set. [`parse_jwk`] reads it back to an equal key.
    ///
    /// A symmetric key has no public form, so its `k` is always written.
    #[must_use]
    pub fn to_jwk(&self, include_private: bool) -> Json {
        let mut obj = Map::new();
        let mut put = |name: &str, value: &str| {
            obj.insert(name.to_owned(), Json::String(value.to_owned()));
        };
        match &self.material {
            KeyMaterial::Symmetric(k) => {
                put("kty", "oct");
                put("k", &b64(k.as_bytes()));
            }
            KeyMaterial::Public(public) => public_members(public, &mut put),
            KeyMaterial::Private(private) => {
                public_members(&private.public_key(), &mut put);
                if include_private {
                    put("d", &b64(&private.to_bytes()));
                }
            }
        }
        if let Some(kid) = &self.kid {
            put("kid", &String::from_utf8_lossy(kid));
        }
        if let Some(alg) = &self.alg {
            put("alg", alg);
        }
        Json::Object(obj)
    }

    /// The JWK thumbprint (RFC 7638) of the key's public part, base64url: SHA-256 of
    /// the required members in lexicographic order, without whitespace.
    #[must_use]
    pub fn thumbprint(&self) -> String {
        let canonical = match &self.material {
            KeyMaterial::Symmetric(k) => format!(r#"{{"k":"{}","kty":"oct"}}"#, b64(k.as_bytes())),
            KeyMaterial::Public(public) => thumbprint_input(public),
            KeyMaterial::Private(private) => thumbprint_input(&private.public_key()),
        };
        b64(&Sha256::digest(canonical.as_bytes()))
    }

    /// The public key: the key itself, or the public half of a private key.
    #[must_use]
    pub fn public_key(&self) -> Option<PublicKey> {
        match &self.material {
            KeyMaterial::Public(public) => Some(public.clone()),
            KeyMaterial::Private(private) => Some(private.public_key()),
            KeyMaterial::Symmetric(_) => None,
        }
    }

    /// The private key, if this is one.
    #[must_use]
    pub fn private_key(&self) -> Option<&PrivateKey> {
        match &self.material {
            KeyMaterial::Private(private) => Some(private),
            _ => None,
        }
    }

    /// The symmetric key, if this is one.
    #[must_use]
    pub fn symmetric_key(&self) -> Option<&SymmetricKey> {
        match &self.material {
            KeyMaterial::Symmetric(k) => Some(k),
            _ => None,
        }
    }

    /// The signature algorithm the key's type implies (Ed25519 → `EdDSA`, P-256 → ES256, …).
    #[must_use]
    pub fn signature_algorithm(&self) -> Option<SignatureAlgorithm> {
        match &self.material {
            KeyMaterial::Public(public) => Some(public.algorithm()),
            KeyMaterial::Private(private) => Some(private.algorithm()),
            KeyMaterial::Symmetric(_) => None,
        }
    }

    /// The content algorithm the key's length implies (16 bytes → A128GCM, …).
    #[must_use]
    pub fn content_algorithm(&self) -> Option<ContentAlgorithm> {
        self.symmetric_key().map(SymmetricKey::algorithm)
    }
}

impl From<PublicKey> for KeyMaterial {
    fn from(key: PublicKey) -> Self {
        KeyMaterial::Public(key)
    }
}

impl From<PrivateKey> for KeyMaterial {
    fn from(key: PrivateKey) -> Self {
        KeyMaterial::Private(key)
    }
}

impl From<SymmetricKey> for KeyMaterial {
    fn from(key: SymmetricKey) -> Self {
        KeyMaterial::Symmetric(key)
    }
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// `crv`, `x` and (EC) `y` of a public key, as base64url.
fn public_coordinates(public: &PublicKey) -> (&'static str, String, Option<String>) {
    let bytes = public.to_bytes();
    if let PublicKey::Ed25519(_) = public {
        return ("Ed25519", b64(&bytes), None);
    }
    // SEC1 uncompressed: 0x04 ‖ x ‖ y, both halves the field size.
    let xy = bytes.get(1..).unwrap_or_default();
    let (x, y) = xy.split_at(xy.len() / 2);
    (public.name(), b64(x), Some(b64(y)))
}

fn public_members(public: &PublicKey, put: &mut impl FnMut(&str, &str)) {
    let (crv, x, y) = public_coordinates(public);
    put(
        "kty",
        if matches!(public, PublicKey::Ed25519(_)) {
            "OKP"
        } else {
            "EC"
        },
    );
    put("crv", crv);
    put("x", &x);
    if let Some(y) = y {
        put("y", &y);
    }
}

fn thumbprint_input(public: &PublicKey) -> String {
    match public_coordinates(public) {
        (crv, x, None) => format!(r#"{{"crv":"{crv}","kty":"OKP","x":"{x}"}}"#),
        (crv, x, Some(y)) => format!(r#"{{"crv":"{crv}","kty":"EC","x":"{x}","y":"{y}"}}"#),
    }
}

// ---------------------------------------------------------------------------------
// PublicKey
// ---------------------------------------------------------------------------------

impl PublicKey {
    /// Reads a public key: Ed25519 from its 32-byte encoding (RFC 8032 §5.1.2), EC
    /// from SEC1 uncompressed `0x04 ‖ x ‖ y`.
    ///
    /// Ed25519 keys of small order and non-canonical encodings are [`KeyError::WeakKey`];
    /// points off the curve (coordinates not below p included) and EC encodings not
    /// starting `0x04` are [`KeyError::PointNotOnCurve`]; a wrong total length is
    /// [`KeyError::WrongLength`] naming member `x`.
    pub fn from_bytes(alg: SignatureAlgorithm, bytes: &[u8]) -> Result<PublicKey, KeyError> {
        let crv = alg.curve_name();
        let off_curve = |_| KeyError::PointNotOnCurve { crv };
        let expected = match alg {
            SignatureAlgorithm::EdDsa => 32,
            _ => 1 + 2 * field_len(alg),
        };
        if bytes.len() != expected {
            return Err(KeyError::WrongLength {
                member: "x",
                expected,
                found: bytes.len(),
            });
        }
        if alg.is_ecdsa() && bytes.first() != Some(&0x04) {
            return Err(KeyError::PointNotOnCurve { crv });
        }
        Ok(match alg {
            SignatureAlgorithm::EdDsa => {
                let array: [u8; 32] = bytes
                    .try_into()
                    .map_err(|_| KeyError::PointNotOnCurve { crv })?;
                let key = ed25519_dalek::VerifyingKey::from_bytes(&array).map_err(off_curve)?;
                if key.is_weak() {
                    return Err(KeyError::WeakKey {
                        reason: "Ed25519 point of small order",
                    });
                }
                if key.to_edwards().compress().to_bytes() != array {
                    return Err(KeyError::WeakKey {
                        reason: "non-canonical Ed25519 point encoding",
                    });
                }
                PublicKey::Ed25519(key)
            }
            SignatureAlgorithm::Es256 => PublicKey::P256(
                p256::ecdsa::VerifyingKey::from_sec1_bytes(bytes).map_err(off_curve)?,
            ),
            SignatureAlgorithm::Es384 => PublicKey::P384(
                p384::ecdsa::VerifyingKey::from_sec1_bytes(bytes).map_err(off_curve)?,
            ),
            SignatureAlgorithm::Es512 => PublicKey::P521(
                p521::ecdsa::VerifyingKey::from_sec1_bytes(bytes).map_err(off_curve)?,
            ),
        })
    }

    /// The encoding [`PublicKey::from_bytes`] reads: 32 bytes for Ed25519, SEC1
    /// uncompressed (`0x04 ‖ x ‖ y`) for EC.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            PublicKey::Ed25519(k) => k.to_bytes().to_vec(),
            PublicKey::P256(k) => k.to_encoded_point(false).as_bytes().to_vec(),
            PublicKey::P384(k) => k.to_encoded_point(false).as_bytes().to_vec(),
            PublicKey::P521(k) => k.to_encoded_point(false).as_bytes().to_vec(),
        }
    }

    /// The signature algorithm of the key's type.
    #[must_use]
    pub fn algorithm(&self) -> SignatureAlgorithm {
        match self {
            PublicKey::Ed25519(_) => SignatureAlgorithm::EdDsa,
            PublicKey::P256(_) => SignatureAlgorithm::Es256,
            PublicKey::P384(_) => SignatureAlgorithm::Es384,
            PublicKey::P521(_) => SignatureAlgorithm::Es512,
        }
    }

    /// The curve's name, for messages: `"Ed25519"`, `"P-256"`, `"P-384"`, `"P-521"`.
    #[must_use]
    pub fn name(&self) -> &'static str {
        self.algorithm().curve_name()
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.algorithm() == other.algorithm() && self.to_bytes() == other.to_bytes()
    }
}

impl Eq for PublicKey {}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "PublicKey({} {})",
            self.name(),
            hex::encode(self.to_bytes())
        )
    }
}

// ---------------------------------------------------------------------------------
// PrivateKey
// ---------------------------------------------------------------------------------

/// Domain-separation label of [`PrivateKey::derive`]. Changing it changes every
/// derived key, hence every generated vector.
const PRIVATE_KEY_LABEL: &[u8] = b"c169 test signing key v1";

/// Domain-separation label of [`SymmetricKey::derive`].
const SYMMETRIC_KEY_LABEL: &[u8] = b"c169 test content key v1";

impl PrivateKey {
    /// Reads a private key: the 32-byte Ed25519 secret (seed, RFC 8032 §5.1.5) or the
    /// big-endian EC scalar of exactly the field size.
    pub fn from_bytes(alg: SignatureAlgorithm, bytes: &[u8]) -> Result<PrivateKey, KeyError> {
        let expected = field_len(alg);
        if bytes.len() != expected {
            return Err(KeyError::WrongLength {
                member: "d",
                expected,
                found: bytes.len(),
            });
        }
        let invalid = |_| KeyError::InvalidPrivateScalar;
        Ok(match alg {
            SignatureAlgorithm::EdDsa => {
                let seed: [u8; 32] = bytes
                    .try_into()
                    .map_err(|_| KeyError::InvalidPrivateScalar)?;
                PrivateKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(&seed))
            }
            SignatureAlgorithm::Es256 => {
                PrivateKey::P256(p256::ecdsa::SigningKey::from_slice(bytes).map_err(invalid)?)
            }
            SignatureAlgorithm::Es384 => {
                PrivateKey::P384(p384::ecdsa::SigningKey::from_slice(bytes).map_err(invalid)?)
            }
            SignatureAlgorithm::Es512 => {
                PrivateKey::P521(p521::ecdsa::SigningKey::from_slice(bytes).map_err(invalid)?)
            }
        })
    }

    /// The secret as [`PrivateKey::from_bytes`] reads it (the JWK `d`).
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            PrivateKey::Ed25519(k) => k.to_bytes().to_vec(),
            PrivateKey::P256(k) => k.to_bytes().to_vec(),
            PrivateKey::P384(k) => k.to_bytes().to_vec(),
            PrivateKey::P521(k) => k.to_bytes().to_vec(),
        }
    }

    /// Derives a **TEST KEY** for `alg` from `seed`, deterministically.
    ///
    /// For the vector generator only: the same seed always gives the same key, and
    /// anyone who knows the seed has the key. Never use a key made this way for
    /// anything but test vectors.
    ///
    /// Construction (stable: changing it changes every generated vector): for
    /// counter = 0, 1, …, the bytes are SHA-512 blocks `b = 0, 1, …` of
    /// `"c169 test signing key v1" ‖ 0x00 ‖ alg name ‖ 0x00 ‖ len(seed) as u64 BE ‖
    /// seed ‖ counter as u32 BE ‖ b as u8`, concatenated and cut to the field size
    /// (32, 32, 48, 66 bytes; for P-521 the first byte masked to its low bit). Ed25519
    /// takes them as its secret; EC takes the first counter whose bytes are a scalar in
    /// `[1, n)`.
    #[must_use]
    pub fn derive(alg: SignatureAlgorithm, seed: &[u8]) -> PrivateKey {
        let len = field_len(alg);
        let mut counter: u32 = 0;
        loop {
            let mut bytes = expand(PRIVATE_KEY_LABEL, alg.name(), seed, counter, len);
            if alg == SignatureAlgorithm::Es512 {
                if let Some(first) = bytes.first_mut() {
                    *first &= 0x01;
                }
            }
            if let Ok(key) = PrivateKey::from_bytes(alg, &bytes) {
                return key;
            }
            // Each try fails with probability below 2^-32; the counter cannot run out.
            counter = counter.wrapping_add(1);
        }
    }

    /// The public half.
    #[must_use]
    pub fn public_key(&self) -> PublicKey {
        match self {
            PrivateKey::Ed25519(k) => PublicKey::Ed25519(k.verifying_key()),
            PrivateKey::P256(k) => PublicKey::P256(*k.verifying_key()),
            PrivateKey::P384(k) => PublicKey::P384(*k.verifying_key()),
            PrivateKey::P521(k) => PublicKey::P521(p521::ecdsa::VerifyingKey::from(k)),
        }
    }

    /// The signature algorithm of the key's type.
    #[must_use]
    pub fn algorithm(&self) -> SignatureAlgorithm {
        match self {
            PrivateKey::Ed25519(_) => SignatureAlgorithm::EdDsa,
            PrivateKey::P256(_) => SignatureAlgorithm::Es256,
            PrivateKey::P384(_) => SignatureAlgorithm::Es384,
            PrivateKey::P521(_) => SignatureAlgorithm::Es512,
        }
    }

    /// The curve's name, for messages.
    #[must_use]
    pub fn name(&self) -> &'static str {
        self.algorithm().curve_name()
    }
}

impl PartialEq for PrivateKey {
    fn eq(&self, other: &Self) -> bool {
        self.algorithm() == other.algorithm() && ct_eq(&self.to_bytes(), &other.to_bytes())
    }
}

impl Eq for PrivateKey {}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "PrivateKey({} public {})",
            self.name(),
            hex::encode(self.public_key().to_bytes())
        )
    }
}

/// Equality of secrets without an early exit.
fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `len` bytes of SHA-512 blocks over the domain-separated derivation input.
fn expand(label: &[u8], alg: &str, seed: &[u8], counter: u32, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 64);
    let mut block: u8 = 0;
    while out.len() < len {
        let mut h = Sha512::new();
        h.update(label);
        h.update([0]);
        h.update(alg.as_bytes());
        h.update([0]);
        h.update((seed.len() as u64).to_be_bytes());
        h.update(seed);
        h.update(counter.to_be_bytes());
        h.update([block]);
        out.extend_from_slice(&h.finalize());
        block = block.wrapping_add(1);
    }
    out.truncate(len);
    out
}

// ---------------------------------------------------------------------------------
// SymmetricKey
// ---------------------------------------------------------------------------------

impl SymmetricKey {
    /// A key of 16, 24 or 32 bytes.
    pub fn new(bytes: &[u8]) -> Result<SymmetricKey, KeyError> {
        match ContentAlgorithm::from_key_len(bytes.len()) {
            Some(_) => Ok(SymmetricKey {
                bytes: bytes.to_vec(),
            }),
            None => Err(KeyError::WrongSymmetricKeyLength { found: bytes.len() }),
        }
    }

    /// Derives a **TEST KEY** for `alg` from `seed`, deterministically: the first
    /// `alg.key_len()` bytes of SHA-512 of `"c169 test content key v1" ‖ 0x00 ‖ alg
    /// name ‖ 0x00 ‖ len(seed) as u64 BE ‖ seed ‖ 0u32 ‖ 0u8`. Never for production.
    #[must_use]
    pub fn derive(alg: ContentAlgorithm, seed: &[u8]) -> SymmetricKey {
        SymmetricKey {
            bytes: expand(SYMMETRIC_KEY_LABEL, alg.name(), seed, 0, alg.key_len()),
        }
    }

    /// The key bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The AES-GCM algorithm of the key's length.
    #[must_use]
    pub fn algorithm(&self) -> ContentAlgorithm {
        match self.bytes.len() {
            16 => ContentAlgorithm::A128Gcm,
            24 => ContentAlgorithm::A192Gcm,
            _ => ContentAlgorithm::A256Gcm,
        }
    }
}

impl fmt::Debug for SymmetricKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SymmetricKey({} bytes)", self.bytes.len())
    }
}

#[cfg(test)]
mod tests;
