//! c169-fuzzing: the fuzz targets of the c169 reference codec, one function per
//! target, each checking the codec's invariants on whatever bytes it is given and
//! panicking only when one is broken — which is what a coverage-guided fuzzer detects.
//!
//! The cargo-fuzz crate under `fuzz/` is one line per target over these functions,
//! and `harness/fuzzing/tests/fuzz_replay.rs` replays every committed seed through them
//! on stable Rust, so the targets build and hold in `cargo test`. Nothing here needs
//! nightly or a feature.
//!
//! | target | input | invariants |
//! |---|---|---|
//! | [`base45`] | text or bytes | decode never panics; a decoded text re-encodes to itself; encode → decode is identity |
//! | [`zlib`] | a zlib stream, or bytes to deflate | inflate stays within its bound; the trailer holds; deflate → inflate is identity; a cut or extended stream is refused |
//! | [`cbor`] | CBOR | decode → encode → decode gives the same value, in both writing styles; preferred serialization is a fixed point |
//! | [`cose`] | a COSE message | the parser and every header reader never panic; tags agree with the structure |
//! | [`cwt`] | a claims set | the parser, the time check (any time, any leeway) and the claim 169 readers never panic |
//! | [`claim169`] | a claim 169 map | the checking walk and the typed reading agree |
//! | [`decode`] | a QR text | the full decode never panics, with and without keys; the two agree |
//! | [`roundtrip`] | a [`Credential`] | encode → decode with the matching keys accepts and gives back the claims |
//! | [`reencode`] | a QR text | an accepted credential re-encoded and decoded again gives the same claims |
//!
//! Every function is bounded: nothing it allocates grows faster than its input,
//! and inflation stops at the decoder's default 64 KiB.
//!
//! The keys are **TEST KEYS**, derived in code from their names exactly as the
//! generated corpus derives its keys (`"c169 test key " ‖ name`), so credentials
//! from the vectors verify and decrypt here. Anyone can recompute them.
//!
//! Not here: the fuzzer itself (libFuzzer, nightly and the sanitizers live in
//! `fuzz/`), the image target `scan` (c169-qr's `fuzzing`), differential fuzzing
//! against another implementation (`c169 fuzz`), files: the seeds are made from
//! vector texts the caller reads.

#![forbid(unsafe_code)]

// The TEST KEYS, derived once: every keyed target signs, verifies and decrypts with them.
mod test_keys;
// Value comparison and invariant reporting, shared by every target.
mod check;
// One target per pipeline stage, each over that stage's reader and writer alone.
mod stages;
// The targets over the whole pipeline on a QR text: decoding, and re-encoding what it accepts.
mod pipeline;
// The structure-aware input of `roundtrip`, apart from the target, as it is the bulk.
mod credential;
// Encoding a `Credential` and decoding it back: the structure-aware identity.
mod roundtrip;
// The seeds of `fuzz/corpus/`, derived from the vectors.
mod seeds;

pub use check::{same, same_entries};
pub use credential::{
    Alg, Audience, Biometric, Claims, Credential, Enc, Encryption, Envelope, Extra, Identity,
    Scalar, TagChoice, UnassignedKey, Validity,
};
pub use pipeline::{decode, reencode};
pub use roundtrip::{roundtrip, roundtrip_bytes};
pub use seeds::{corpus, stream, vector_seeds, Seed, SeedError, MAX_SEED_LEN, STREAM_SEEDS};
pub use stages::{base45, cbor, claim169, cose, cwt, zlib};

/// The fuzz targets, by name (the names of `fuzz/fuzz_targets/*.rs` and of the
/// folders of `fuzz/corpus/`).
pub const TARGETS: [&str; 9] = [
    "base45",
    "zlib",
    "cbor",
    "cose",
    "cwt",
    "claim169",
    "decode",
    "roundtrip",
    "reencode",
];

/// Every target of the cargo-fuzz crate (`fuzz/`): [`TARGETS`], then c169-qr's
/// `scan`.
#[must_use]
pub fn fuzz_crate_targets() -> Vec<&'static str> {
    TARGETS.iter().copied().chain(["scan"]).collect()
}

/// The cargo-fuzz harness of target `name` (`fuzz/fuzz_targets/<name>.rs`), which
/// `c169 regen` writes: one line over the target's function.
#[must_use]
pub fn harness(name: &str) -> String {
    let body = match name {
        "roundtrip" => {
            "|input: c169_fuzzing::Credential| c169_fuzzing::roundtrip(input)".to_owned()
        }
        "scan" => "|data: &[u8]| c169_qr::fuzzing::scan_bytes(data)".to_owned(),
        _ => format!("|data: &[u8]| c169_fuzzing::{name}(data)"),
    };
    format!("#![no_main]\n\nuse libfuzzer_sys::fuzz_target;\n\nfuzz_target!({body});\n")
}

/// The `[[bin]]` sections of `fuzz/Cargo.toml`, one per target, which `c169 regen`
/// writes after the hand-written head of the file.
#[must_use]
pub fn bin_sections() -> String {
    fuzz_crate_targets()
        .iter()
        .map(|t| {
            format!(
                "[[bin]]\nname = \"{t}\"\npath = \"fuzz_targets/{t}.rs\"\ntest = false\ndoc = false\nbench = false\n"
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The validation time of the generated corpus, used by the keyed decoding.
pub const NOW: i64 = 1_760_000_000;

/// Runs the target called `name` on `data`; `false` when there is no such target.
///
/// # Panics
///
/// When the target finds an invariant broken.
#[must_use]
pub fn run(name: &str, data: &[u8]) -> bool {
    match name {
        "base45" => base45(data),
        "zlib" => zlib(data),
        "cbor" => cbor(data),
        "cose" => cose(data),
        "cwt" => cwt(data),
        "claim169" => claim169(data),
        "decode" => decode(data),
        "roundtrip" => roundtrip_bytes(data),
        "reencode" => reencode(data),
        _ => return false,
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_keys::{test_keys, verify_key};
    use c169_crypto::crypto::SignatureAlgorithm;

    #[test]
    fn targets_run_on_nothing() {
        for t in TARGETS {
            assert!(run(t, b""));
        }
        assert!(!run("nope", b""));
    }

    #[test]
    fn test_keys_are_the_corpus_keys() {
        // ed25519-a of vectors/keys: x = rzJP40BRPrOXJ1_qCb0f6A2lLmIw56bc0iAYs7qHerM.
        let jwk = verify_key(SignatureAlgorithm::EdDsa).map(|k| k.to_jwk(false));
        assert_eq!(
            jwk.as_ref()
                .and_then(|j| j.get("x"))
                .and_then(|x| x.as_str()),
            Some("rzJP40BRPrOXJ1_qCb0f6A2lLmIw56bc0iAYs7qHerM")
        );
        assert_eq!(test_keys().signing.len(), 4);
        assert_eq!(test_keys().content.len(), 3);
    }
}
