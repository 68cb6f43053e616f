//! The fixture shared by the `decode` and `memory` benches: three Ed25519-signed
//! credentials made once by claim169-core's own encoder (so that nothing in them
//! favours c169), the decode calls of both implementations set up the same way, and
//! a setup check that both accept every credential and agree on the full name.
//!
//! Time checks: disabled on both sides. claim169-core reads the system clock and
//! cannot be given a validation time, so c169 gets `now: None` and claim169-core
//! `without_timestamp_validation()`; each records a "time not checked" warning.

use std::sync::Arc;

use c169_codec::{DecodeOptions, Decoded};
use c169_crypto::crypto::SignatureAlgorithm;
use c169_crypto::keys::{Key, KeyMaterial, PrivateKey, PublicKey};
use c169_model::Verdict;
use claim169_core::crypto::software::Ed25519Verifier;
use claim169_core::model::{
    Biometric, BiometricFormat, BiometricSubFormat, Gender, ImageSubFormat, MaritalStatus,
    TemplateSubFormat, VerificationStatus,
};
use claim169_core::{Claim169, CryptoResult, CwtMeta, Decoder, Encoder, SignatureVerifier};
use coset::iana;

/// TEST KEY, never for real credentials: the secret key of RFC 8032 §7.1, test 1.
pub const TEST_SECRET_HEX: &str =
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
/// TEST KEY: the public key of RFC 8032 §7.1, test 1.
pub const TEST_PUBLIC_HEX: &str =
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

/// 32 key bytes from 64 hex digits.
fn key_bytes(hex: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    hex::decode_to_slice(hex, &mut out).expect("a TEST KEY is 64 hex digits");
    out
}

/// Issued at, not before and expiry written into every credential (2025-10-09 and +10 years).
const IAT: i64 = 1_760_000_000;
const EXP: i64 = IAT + 10 * 365 * 24 * 3600;

/// One credential of the fixture.
#[derive(Debug, Clone)]
pub struct Credential {
    /// `minimal`, `typical` or `large`.
    pub name: &'static str,
    /// The QR text (Base45).
    pub qr: String,
    /// Length of the COSE_Sign1 bytes (after inflating).
    pub cose_len: usize,
    pub full_name: String,
}

/// Everything a decode needs on either side, prepared once.
pub struct Fixture {
    pub credentials: Vec<Credential>,
    /// c169 options without a key: decode without verifying.
    pub c169_unverified: DecodeOptions,
    /// c169 options with the TEST public key.
    pub c169_verified: DecodeOptions,
    /// claim169-core's verifier for the TEST public key, parsed once and shared, as
    /// c169's key is parsed once into its options.
    pub core_verifier: SharedVerifier,
}

impl std::fmt::Debug for Fixture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fixture")
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

/// A claim169-core verifier parsed once; cloning shares it (one `Arc` bump per decode),
/// because claim169-core's `Decoder` takes its verifier by value.
#[derive(Clone)]
pub struct SharedVerifier(Arc<Ed25519Verifier>);

impl std::fmt::Debug for SharedVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedVerifier(Ed25519, TEST KEY)")
    }
}

impl SignatureVerifier for SharedVerifier {
    fn verify(
        &self,
        algorithm: iana::Algorithm,
        key_id: Option<&[u8]>,
        data: &[u8],
        signature: &[u8],
    ) -> CryptoResult<()> {
        self.0.verify(algorithm, key_id, data, signature)
    }
}

/// Deterministic filler bytes (SplitMix64): stands in for JPEG and template data,
/// which is as incompressible as random bytes.
fn filler(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        out.extend_from_slice(&z.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// A ~500-byte "JPEG" face image: SOI/APP0 markers, then filler, then EOI.
fn face_photo() -> Vec<u8> {
    let mut jpeg = vec![
        0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00,
    ];
    jpeg.extend(filler(0xface, 485));
    jpeg.extend([0xff, 0xd9]);
    jpeg
}

/// An ISO/IEC 19794-2 "fingerprint template" of `len` bytes ("FMR\0" then filler).
fn fingerprint(seed: u64, len: usize) -> Biometric {
    let mut data = b"FMR\0 20\0".to_vec();
    data.extend(filler(seed, len - data.len()));
    Biometric::new(data)
        .with_format(BiometricFormat::Template)
        .with_sub_format(BiometricSubFormat::Template(TemplateSubFormat::Iso19794_2))
        .with_issuer("TEST fingerprint vendor")
}

fn demographics(id: &str) -> Claim169 {
    Claim169::minimal(id, "Amara Nkemdirim Okonkwo-Fernandes")
        .with_version("1.0")
        .with_language("eng")
        .with_first_name("Amara")
        .with_middle_name("Nkemdirim")
        .with_last_name("Okonkwo-Fernandes")
        .with_date_of_birth("19870412")
        .with_gender(Gender::Female)
        .with_address("Flat 4B, 27 Harbour View Road\nMarina District\nLagos 101241")
        .with_email("amara.okonkwo@example.org")
        .with_phone("+234 801 234 5678")
        .with_nationality("NGA")
        .with_marital_status(MaritalStatus::Married)
        .with_secondary_full_name("Amara N. Okonkwo-Fernandes")
        .with_secondary_language("fra")
        .with_location_code("NG-LA-101241")
        .with_legal_status("citizen")
        .with_country_of_issuance("NGA")
}

fn face() -> Vec<Biometric> {
    vec![Biometric::new(face_photo())
        .with_format(BiometricFormat::Image)
        .with_sub_format(BiometricSubFormat::Image(ImageSubFormat::Jpeg))]
}

/// The three claim sets: minimal (id and full name), typical (demographics and a
/// face photo), large (the same and four fingerprint templates).
fn claim_sets() -> [(&'static str, Claim169); 3] {
    let minimal = Claim169::minimal("3918-4527-0164", "Amara Okonkwo");
    let typical = demographics("3918-4527-0165").with_face(face());
    let large = demographics("3918-4527-0166")
        .with_face(face())
        .with_right_thumb(vec![fingerprint(1, 420)])
        .with_right_pointer_finger(vec![fingerprint(2, 400)])
        .with_left_thumb(vec![fingerprint(3, 410)])
        .with_left_pointer_finger(vec![fingerprint(4, 390)]);
    [("minimal", minimal), ("typical", typical), ("large", large)]
}

impl Fixture {
    /// Encodes the credentials and checks that both decoders accept each of them,
    /// verified and not, and agree on the full name. Panics otherwise: a benchmark
    /// of a decoder that rejects its input would measure nothing.
    #[must_use]
    pub fn new() -> Fixture {
        let secret_bytes = key_bytes(TEST_SECRET_HEX);
        let public_bytes = key_bytes(TEST_PUBLIC_HEX);
        let secret = PrivateKey::from_bytes(SignatureAlgorithm::EdDsa, &secret_bytes)
            .expect("the RFC 8032 test secret is a valid Ed25519 key");
        let public = PublicKey::from_bytes(SignatureAlgorithm::EdDsa, &public_bytes)
            .expect("the RFC 8032 test public key is a valid Ed25519 key");
        assert_eq!(
            secret.public_key().to_bytes(),
            public.to_bytes(),
            "TEST KEY: public key does not belong to the secret key"
        );
        let c169_verified = DecodeOptions {
            now: None,
            verify_keys: vec![Key::new(KeyMaterial::Public(public))],
            ..DecodeOptions::default()
        };
        let c169_unverified = DecodeOptions {
            now: None,
            ..DecodeOptions::default()
        };
        let core_verifier = SharedVerifier(Arc::new(
            Ed25519Verifier::from_bytes(&public_bytes)
                .expect("claim169-core accepts the RFC 8032 test public key"),
        ));
        let meta = CwtMeta::new()
            .with_issuer("https://issuer.test.invalid")
            .with_issued_at(IAT)
            .with_not_before(IAT)
            .with_expires_at(EXP);
        let credentials = claim_sets()
            .into_iter()
            .map(|(name, claim)| {
                let full_name = claim.full_name.clone().expect("every claim set has a name");
                let qr = Encoder::new(claim, meta.clone())
                    .sign_with_ed25519(&secret_bytes)
                    .expect("claim169-core accepts the TEST secret key")
                    .encode()
                    .unwrap_or_else(|e| panic!("claim169-core cannot encode {name}: {e}"))
                    .qr_data;
                let traced = DecodeOptions {
                    trace: true,
                    ..c169_unverified.clone()
                };
                let cose_len = c169_decode(&qr, &traced).trace.cose.map_or(0, |c| c.len());
                Credential {
                    name,
                    qr,
                    cose_len,
                    full_name,
                }
            })
            .collect();
        let fixture = Fixture {
            credentials,
            c169_unverified,
            c169_verified,
            core_verifier,
        };
        fixture.check();
        fixture
    }

    /// The setup check: both decoders, both modes, every credential.
    fn check(&self) {
        for c in &self.credentials {
            for (mode, verified) in [("unverified", false), ("verified", true)] {
                let ours = c169_decode(&c.qr, self.c169(verified));
                assert_eq!(
                    ours.outcome.verdict,
                    Verdict::Accept,
                    "c169 rejects the {} credential ({mode}): {:?}",
                    c.name,
                    ours.outcome
                );
                assert_eq!(ours.outcome.verified, Some(verified), "{} ({mode})", c.name);
                let our_name = ours
                    .identity()
                    .as_ref()
                    .and_then(|i| i.fields.get("fullName"))
                    .and_then(|n| n.as_str())
                    .map(str::to_owned);
                let theirs = self.core_decode(&c.qr, verified).unwrap_or_else(|e| {
                    panic!(
                        "claim169-core rejects the {} credential ({mode}): {e}",
                        c.name
                    )
                });
                let expected_status = if verified {
                    VerificationStatus::Verified
                } else {
                    VerificationStatus::Skipped
                };
                assert_eq!(theirs.verification_status, expected_status, "{}", c.name);
                assert_eq!(
                    our_name.as_deref(),
                    Some(c.full_name.as_str()),
                    "c169 reads another full name from the {} credential",
                    c.name
                );
                assert_eq!(
                    theirs.claim169.full_name.as_deref(),
                    Some(c.full_name.as_str()),
                    "claim169-core reads another full name from the {} credential",
                    c.name
                );
            }
        }
    }

    /// c169's options for a mode.
    #[must_use]
    pub fn c169(&self, verified: bool) -> &DecodeOptions {
        if verified {
            &self.c169_verified
        } else {
            &self.c169_unverified
        }
    }

    /// One claim169-core decode, configured as its documentation shows: a builder per
    /// credential, the (shared) verifier or the explicit opt-out, no time check.
    pub fn core_decode(
        &self,
        qr: &str,
        verified: bool,
    ) -> claim169_core::Result<claim169_core::DecodeResult> {
        let decoder = Decoder::new(qr).without_timestamp_validation();
        let decoder = if verified {
            decoder.verify_with(self.core_verifier.clone())
        } else {
            decoder.allow_unverified()
        };
        decoder.decode()
    }
}

/// One c169 decode.
#[must_use]
pub fn c169_decode(qr: &str, options: &DecodeOptions) -> Decoded {
    c169_codec::decode(qr, options)
}

/// The two modes, as (group name, verified).
pub const MODES: [(&str, bool); 2] = [("unverified", false), ("verified", true)];
