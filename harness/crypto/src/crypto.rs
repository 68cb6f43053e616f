//! Signature and content-encryption primitives of COSE (RFC 9053).
//!
//! Signatures: `EdDSA` with Ed25519 (pure, RFC 8032) and ECDSA on P-256, P-384 and
//! P-521 with SHA-256, SHA-384 and SHA-512 (RFC 9053 §2.1). ECDSA nonces are
//! deterministic (RFC 6979 §3.2), so signing the same message with the same key
//! always gives the same bytes: the suite's vectors are reproducible. Signatures
//! travel as COSE carries them, `r ‖ s` with each half the curve's field size,
//! never DER.
//!
//! Content encryption: AES-GCM with 128, 192 and 256-bit keys, a 96-bit IV and a
//! 128-bit tag appended to the ciphertext (RFC 9053 §4.1).
//!
//! Nothing here panics on any input; every failure is a [`CryptoError`] with a
//! stable [`code`](CryptoError::code).

use crate::keys::{PrivateKey, PublicKey, SymmetricKey};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::aes::Aes192;
use aes_gcm::{Aes128Gcm, Aes256Gcm, AesGcm};
use ecdsa::elliptic_curve::ff::PrimeField;
use ecdsa::elliptic_curve::generic_array::typenum::U12;
use ecdsa::signature::{Signer, Verifier};
use sha2::{Digest, Sha512};
use std::fmt;

/// The length of an AES-GCM IV (nonce) in COSE, in bytes.
pub const IV_LEN: usize = 12;

/// The length of an AES-GCM authentication tag in COSE, in bytes.
pub const TAG_LEN: usize = 16;

/// A COSE signature algorithm this codec implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SignatureAlgorithm {
    /// `EdDSA` with Ed25519 (COSE -8).
    EdDsa,
    /// ECDSA P-256 with SHA-256 (COSE -7).
    Es256,
    /// ECDSA P-384 with SHA-384 (COSE -35).
    Es384,
    /// ECDSA P-521 with SHA-512 (COSE -36).
    Es512,
}

impl SignatureAlgorithm {
    /// Every signature algorithm, in COSE registry order of appearance here.
    pub const ALL: [SignatureAlgorithm; 4] = [
        SignatureAlgorithm::EdDsa,
        SignatureAlgorithm::Es256,
        SignatureAlgorithm::Es384,
        SignatureAlgorithm::Es512,
    ];

    /// The COSE algorithm identifier (RFC 9053 §2).
    #[must_use]
    pub const fn cose_id(self) -> i64 {
        match self {
            SignatureAlgorithm::EdDsa => -8,
            SignatureAlgorithm::Es256 => -7,
            SignatureAlgorithm::Es384 => -35,
            SignatureAlgorithm::Es512 => -36,
        }
    }

    /// The algorithm a COSE identifier names, if this codec implements it.
    ///
    /// Takes an `i128` so that every CBOR integer can be asked about as it was read.
    #[must_use]
    pub fn from_cose_id(id: i128) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|alg| i128::from(alg.cose_id()) == id)
    }

    /// The JOSE/COSE name: `"EdDSA"`, `"ES256"`, `"ES384"`, `"ES512"`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            SignatureAlgorithm::EdDsa => "EdDSA",
            SignatureAlgorithm::Es256 => "ES256",
            SignatureAlgorithm::Es384 => "ES384",
            SignatureAlgorithm::Es512 => "ES512",
        }
    }

    /// The algorithm with this exact (case-sensitive) name.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|alg| alg.name() == name)
    }

    /// The length of a signature in COSE, in bytes: 64 for Ed25519, `2 ×` the field
    /// size for ECDSA (64, 96, 132).
    #[must_use]
    pub const fn signature_len(self) -> usize {
        match self {
            SignatureAlgorithm::EdDsa | SignatureAlgorithm::Es256 => 64,
            SignatureAlgorithm::Es384 => 96,
            SignatureAlgorithm::Es512 => 132,
        }
    }

    /// Whether this is one of the ECDSA algorithms.
    #[must_use]
    pub const fn is_ecdsa(self) -> bool {
        !matches!(self, SignatureAlgorithm::EdDsa)
    }

    /// The name of the curve the algorithm signs with: `"Ed25519"`, `"P-256"`, …
    #[must_use]
    pub const fn curve_name(self) -> &'static str {
        match self {
            SignatureAlgorithm::EdDsa => "Ed25519",
            SignatureAlgorithm::Es256 => "P-256",
            SignatureAlgorithm::Es384 => "P-384",
            SignatureAlgorithm::Es512 => "P-521",
        }
    }
}

impl fmt::Display for SignatureAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
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

impl ContentAlgorithm {
    /// Every content-encryption algorithm.
    pub const ALL: [ContentAlgorithm; 3] = [
        ContentAlgorithm::A128Gcm,
        ContentAlgorithm::A192Gcm,
        ContentAlgorithm::A256Gcm,
    ];

    /// The COSE algorithm identifier (RFC 9053 §4.1).
    #[must_use]
    pub const fn cose_id(self) -> i64 {
        match self {
            ContentAlgorithm::A128Gcm => 1,
            ContentAlgorithm::A192Gcm => 2,
            ContentAlgorithm::A256Gcm => 3,
        }
    }

    /// The algorithm a COSE identifier names, if this codec implements it.
    #[must_use]
    pub fn from_cose_id(id: i128) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|alg| i128::from(alg.cose_id()) == id)
    }

    /// The JOSE/COSE name: `"A128GCM"`, `"A192GCM"`, `"A256GCM"`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            ContentAlgorithm::A128Gcm => "A128GCM",
            ContentAlgorithm::A192Gcm => "A192GCM",
            ContentAlgorithm::A256Gcm => "A256GCM",
        }
    }

    /// The algorithm with this exact (case-sensitive) name.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|alg| alg.name() == name)
    }

    /// The key length, in bytes: 16, 24, 32.
    #[must_use]
    pub const fn key_len(self) -> usize {
        match self {
            ContentAlgorithm::A128Gcm => 16,
            ContentAlgorithm::A192Gcm => 24,
            ContentAlgorithm::A256Gcm => 32,
        }
    }

    /// The algorithm whose keys have this length.
    #[must_use]
    pub fn from_key_len(len: usize) -> Option<Self> {
        Self::ALL.into_iter().find(|alg| alg.key_len() == len)
    }
}

impl fmt::Display for ContentAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a cryptographic operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// The algorithm does not belong to the key's type (ES256 with an Ed25519 key, …).
    #[error("algorithm {alg} cannot be used with the {key} key")]
    AlgorithmKeyMismatch {
        alg: SignatureAlgorithm,
        /// The key's curve name (`"Ed25519"`, `"P-256"`, …).
        key: &'static str,
    },
    /// The signature is not the algorithm's fixed `r ‖ s` length (a DER signature lands here).
    #[error("signature is {found} bytes, {expected} expected")]
    BadSignatureLength { expected: usize, found: usize },
    /// The signature does not verify.
    #[error("signature does not verify")]
    SignatureInvalid,
    /// The signer could not produce a signature (practically unreachable).
    #[error("signing with {alg} failed")]
    SigningFailed { alg: SignatureAlgorithm },
    /// The operation exists only for ECDSA signatures.
    #[error("{alg} is not an ECDSA algorithm")]
    NotEcdsa { alg: SignatureAlgorithm },
    /// The symmetric key's length is not the algorithm's.
    #[error("{alg} needs a {expected}-byte key, the key has {found} bytes")]
    KeyLengthMismatch {
        alg: ContentAlgorithm,
        expected: usize,
        found: usize,
    },
    /// The IV is not 12 bytes.
    #[error("IV is {found} bytes, {expected} expected")]
    BadIvLength { expected: usize, found: usize },
    /// The ciphertext cannot even hold the authentication tag.
    #[error("ciphertext is {found} bytes, shorter than the {minimum}-byte tag")]
    CiphertextTooShort { minimum: usize, found: usize },
    /// Authentication failed; nothing more is said, by design.
    #[error("decryption failed")]
    DecryptionFailed,
    /// The cipher refused to encrypt (plaintext beyond AES-GCM's limit).
    #[error("encryption failed")]
    EncryptionFailed,
}

impl CryptoError {
    /// A stable machine-readable code for this failure.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            CryptoError::AlgorithmKeyMismatch { .. } => "signature.alg_key_mismatch",
            CryptoError::BadSignatureLength { .. } => "signature.bad_length",
            CryptoError::SignatureInvalid => "signature.invalid",
            CryptoError::SigningFailed { .. } => "signature.sign_failed",
            CryptoError::NotEcdsa { .. } => "signature.not_ecdsa",
            CryptoError::KeyLengthMismatch { .. } => "decrypt.key_length",
            CryptoError::BadIvLength { .. } => "decrypt.bad_iv_length",
            CryptoError::CiphertextTooShort { .. } => "decrypt.too_short",
            CryptoError::DecryptionFailed => "decrypt.failed",
            CryptoError::EncryptionFailed => "encrypt.failed",
        }
    }
}

/// Signs `message` (for COSE, the `Sig_structure` bytes).
///
/// Ed25519 is pure `EdDSA` (RFC 8032 §5.1.6). ECDSA hashes with the curve's hash and
/// takes its nonce from RFC 6979 §3.2, so the output is deterministic; it is `r ‖ s`,
/// each half left-padded to the field size. `alg` must be the key's algorithm.
pub fn sign(
    key: &PrivateKey,
    alg: SignatureAlgorithm,
    message: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    if key.algorithm() != alg {
        return Err(CryptoError::AlgorithmKeyMismatch {
            alg,
            key: key.name(),
        });
    }
    match key {
        PrivateKey::Ed25519(k) => Ok(k.sign(message).to_bytes().to_vec()),
        PrivateKey::P256(k) => {
            let sig: p256::ecdsa::Signature = k
                .try_sign(message)
                .map_err(|_| CryptoError::SigningFailed { alg })?;
            Ok(sig.to_bytes().to_vec())
        }
        PrivateKey::P384(k) => {
            let sig: p384::ecdsa::Signature = k
                .try_sign(message)
                .map_err(|_| CryptoError::SigningFailed { alg })?;
            Ok(sig.to_bytes().to_vec())
        }
        PrivateKey::P521(k) => sign_p521(k, message).ok_or(CryptoError::SigningFailed { alg }),
    }
}

/// Checks `signature` over `message` with `key` under `alg`.
///
/// In order: `alg` must be the key's algorithm ([`CryptoError::AlgorithmKeyMismatch`]),
/// the signature must be exactly [`SignatureAlgorithm::signature_len`] bytes
/// ([`CryptoError::BadSignatureLength`]), and it must verify
/// ([`CryptoError::SignatureInvalid`]). Ed25519 uses the strict check (no small-order
/// keys or `R`, canonical `S`); ECDSA rejects `r` or `s` that are zero or not below
/// the group order, and accepts either `s` (no low-S rule on NIST curves).
pub fn verify(
    key: &PublicKey,
    alg: SignatureAlgorithm,
    message: &[u8],
    signature: &[u8],
) -> Result<(), CryptoError> {
    if key.algorithm() != alg {
        return Err(CryptoError::AlgorithmKeyMismatch {
            alg,
            key: key.name(),
        });
    }
    let expected = alg.signature_len();
    if signature.len() != expected {
        return Err(CryptoError::BadSignatureLength {
            expected,
            found: signature.len(),
        });
    }
    let invalid = |_| CryptoError::SignatureInvalid;
    match key {
        PublicKey::Ed25519(k) => {
            let sig = ed25519_dalek::Signature::from_slice(signature).map_err(invalid)?;
            // As strict as `verify_strict`, without decompressing R: a weak public key
            // is refused when the key is read, and `verify` compares R's encoding with
            // the recomputed (canonical) one, so only a canonical small-order R is
            // left to refuse here.
            if small_order_encodings().contains(sig.r_bytes()) {
                return Err(CryptoError::SignatureInvalid);
            }
            ed25519_dalek::Verifier::verify(k, message, &sig).map_err(invalid)
        }
        PublicKey::P256(k) => {
            let sig = p256::ecdsa::Signature::from_slice(signature).map_err(invalid)?;
            k.verify(message, &sig).map_err(invalid)
        }
        PublicKey::P384(k) => {
            let sig = p384::ecdsa::Signature::from_slice(signature).map_err(invalid)?;
            k.verify(message, &sig).map_err(invalid)
        }
        PublicKey::P521(k) => {
            let sig = p521::ecdsa::Signature::from_slice(signature).map_err(invalid)?;
            k.verify(message, &sig).map_err(invalid)
        }
    }
}

/// Re-encodes an ECDSA `r ‖ s` signature as ASN.1 DER (`SEQUENCE { INTEGER r, INTEGER s }`),
/// the form COSE forbids: for building deliberately broken test vectors.
///
/// The halves are encoded as given (minimal unsigned INTEGERs), whether or not they
/// are valid scalars, so any `raw` of the right length converts.
pub fn signature_to_der(alg: SignatureAlgorithm, raw: &[u8]) -> Result<Vec<u8>, CryptoError> {
    if !alg.is_ecdsa() {
        return Err(CryptoError::NotEcdsa { alg });
    }
    let expected = alg.signature_len();
    if raw.len() != expected {
        return Err(CryptoError::BadSignatureLength {
            expected,
            found: raw.len(),
        });
    }
    let (r, s) = raw.split_at(expected / 2);
    let mut body = der_unsigned_integer(r);
    body.extend(der_unsigned_integer(s));
    let mut out = vec![0x30];
    der_push_length(&mut out, body.len());
    out.extend(body);
    Ok(out)
}

/// Encrypts with AES-GCM; returns `ciphertext ‖ tag` (16-byte tag), as `COSE_Encrypt0` carries it.
///
/// The key must be `alg`'s length and the IV 12 bytes.
pub fn encrypt(
    key: &SymmetricKey,
    alg: ContentAlgorithm,
    iv: &[u8],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let cipher = Cipher::new(key, alg)?;
    let nonce = nonce(iv)?;
    let payload = Payload {
        msg: plaintext,
        aad,
    };
    cipher
        .encrypt(&nonce, payload)
        .ok_or(CryptoError::EncryptionFailed)
}

/// Decrypts AES-GCM `ciphertext ‖ tag`; the inverse of [`encrypt`].
///
/// Checks key length, IV length and that the input can hold a tag, then
/// authenticates; an authentication failure is [`CryptoError::DecryptionFailed`]
/// and says nothing else.
pub fn decrypt(
    key: &SymmetricKey,
    alg: ContentAlgorithm,
    iv: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let cipher = Cipher::new(key, alg)?;
    let nonce = nonce(iv)?;
    if ciphertext.len() < TAG_LEN {
        return Err(CryptoError::CiphertextTooShort {
            minimum: TAG_LEN,
            found: ciphertext.len(),
        });
    }
    let payload = Payload {
        msg: ciphertext,
        aad,
    };
    cipher
        .decrypt(&nonce, payload)
        .ok_or(CryptoError::DecryptionFailed)
}

type Aes192Gcm = AesGcm<Aes192, U12>;
type Nonce = aes_gcm::Nonce<U12>;

/// An AES-GCM instance of one of the three key sizes.
enum Cipher {
    A128(Box<Aes128Gcm>),
    A192(Box<Aes192Gcm>),
    A256(Box<Aes256Gcm>),
}

impl Cipher {
    fn new(key: &SymmetricKey, alg: ContentAlgorithm) -> Result<Self, CryptoError> {
        let bytes = key.as_bytes();
        let mismatch = || CryptoError::KeyLengthMismatch {
            alg,
            expected: alg.key_len(),
            found: bytes.len(),
        };
        if bytes.len() != alg.key_len() {
            return Err(mismatch());
        }
        Ok(match alg {
            ContentAlgorithm::A128Gcm => Cipher::A128(Box::new(
                Aes128Gcm::new_from_slice(bytes).map_err(|_| mismatch())?,
            )),
            ContentAlgorithm::A192Gcm => Cipher::A192(Box::new(
                Aes192Gcm::new_from_slice(bytes).map_err(|_| mismatch())?,
            )),
            ContentAlgorithm::A256Gcm => Cipher::A256(Box::new(
                Aes256Gcm::new_from_slice(bytes).map_err(|_| mismatch())?,
            )),
        })
    }

    fn encrypt(&self, nonce: &Nonce, payload: Payload<'_, '_>) -> Option<Vec<u8>> {
        match self {
            Cipher::A128(c) => c.encrypt(nonce, payload).ok(),
            Cipher::A192(c) => c.encrypt(nonce, payload).ok(),
            Cipher::A256(c) => c.encrypt(nonce, payload).ok(),
        }
    }

    fn decrypt(&self, nonce: &Nonce, payload: Payload<'_, '_>) -> Option<Vec<u8>> {
        match self {
            Cipher::A128(c) => c.decrypt(nonce, payload).ok(),
            Cipher::A192(c) => c.decrypt(nonce, payload).ok(),
            Cipher::A256(c) => c.decrypt(nonce, payload).ok(),
        }
    }
}

fn nonce(iv: &[u8]) -> Result<Nonce, CryptoError> {
    let array: [u8; IV_LEN] = iv.try_into().map_err(|_| CryptoError::BadIvLength {
        expected: IV_LEN,
        found: iv.len(),
    })?;
    Ok(Nonce::from(array))
}

/// The most nonce candidates tried before giving up (each one fails with
/// probability below 2^-500; the bound only keeps the loop provably finite).
const MAX_NONCE_CANDIDATES: usize = 64;

/// ES512 with an RFC 6979 §3.2 nonce (HMAC-SHA-512 DRBG).
///
/// p521 0.13 signs with a random nonce only, and the generic RFC 6979 helper in
/// `rfc6979` assumes the hash is as long as the field, which SHA-512 (64 bytes) is not
/// for P-521 (66 bytes). So the DRBG is driven here: with qlen = 521 and
/// rlen = 528 bits, each candidate is the leftmost 521 bits of 66 DRBG bytes
/// (bits2int, §2.3.2), kept if it lies in `[1, q)`.
fn sign_p521(key: &p521::ecdsa::SigningKey, message: &[u8]) -> Option<Vec<u8>> {
    let digest = Sha512::digest(message);
    // bits2int(H(m)) with hlen = 512 < qlen: the hash as an integer, left-padded to 66
    // bytes. It is below 2^512 < q, so it is also bits2octets(H(m)) of step 3.2.d.
    let hash_field = ecdsa::hazmat::bits2field::<p521::NistP521>(&digest).ok()?;
    let secret_octets = key.to_bytes();
    let secret: &p521::Scalar = key.as_nonzero_scalar().as_ref();
    let mut drbg = rfc6979::HmacDrbg::<Sha512>::new(&secret_octets, &hash_field, &[]);
    for _ in 0..MAX_NONCE_CANDIDATES {
        let mut block = p521::FieldBytes::default();
        drbg.fill_bytes(&mut block);
        let candidate = shift_right_7(&block);
        let Some(nonce) = Option::<p521::Scalar>::from(p521::Scalar::from_repr(candidate)) else {
            continue;
        };
        if bool::from(nonce.is_zero()) {
            continue;
        }
        // An r or s of zero also means "next candidate" (step 3.2.h.3); `fill_bytes`
        // has already moved K and V on.
        if let Ok((sig, _)) =
            ecdsa::hazmat::sign_prehashed::<p521::NistP521, _>(secret, nonce, &hash_field)
        {
            return Some(sig.to_bytes().to_vec());
        }
    }
    None
}

/// Shifts a 66-byte big-endian integer right by 7 bits (528 − 521).
fn shift_right_7(t: &p521::FieldBytes) -> p521::FieldBytes {
    let mut out = p521::FieldBytes::default();
    let mut carry = 0u8;
    for (o, &b) in out.iter_mut().zip(t.iter()) {
        *o = (carry << 1) | (b >> 7);
        carry = b;
    }
    out
}

fn der_unsigned_integer(bytes: &[u8]) -> Vec<u8> {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    let trimmed = bytes.get(start..).unwrap_or_default();
    let mut content = Vec::with_capacity(trimmed.len() + 1);
    match trimmed.first() {
        None => content.push(0),
        Some(&first) if first & 0x80 != 0 => content.push(0),
        Some(_) => {}
    }
    content.extend_from_slice(trimmed);
    let mut out = vec![0x02];
    der_push_length(&mut out, content.len());
    out.extend(content);
    out
}

fn der_push_length(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let be = len.to_be_bytes();
        let start = be.iter().position(|&b| b != 0).unwrap_or(be.len());
        let digits = be.get(start..).unwrap_or_default();
        out.push(0x80 | digits.len() as u8);
        out.extend_from_slice(digits);
    }
}

#[cfg(test)]
mod tests;

/// The canonical encodings of the eight points of small order on Ed25519.
fn small_order_encodings() -> &'static [[u8; 32]; 8] {
    static TABLE: std::sync::OnceLock<[[u8; 32]; 8]> = std::sync::OnceLock::new();
    TABLE
        .get_or_init(|| curve25519_dalek::constants::EIGHT_TORSION.map(|p| p.compress().to_bytes()))
}
