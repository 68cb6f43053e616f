//! The QR symbol layer over the corpus (issue 9):
//! - every valid vector renders, at each level where its text fits, to a symbol
//!   that scans back to the identical text, at the version the vector records;
//! - the image vectors are what their sources and degradations make, pixel for
//!   pixel, and the reference scanner reads them as recorded: every image a
//!   conformant scanner should read, and the unreadable ones as documented;
//! - the encoder checks fail a lowercase text and a text over the version-40
//!   capacity of the level asked for.
//!
//! `cargo test -p c169-suite --test qr -- --nocapture` prints the table of
//! versions per level for the valid vectors.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use c169_corpus::catalogue::Catalogue;
use c169_corpus::generate::Generator;
use c169_corpus::Corpus;
use c169_model::{QrMode, VerdictClass};
use c169_qr::{EcLevel, Symbol};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn corpus() -> Corpus {
    Corpus::load(&repo().join("vectors")).unwrap()
}

#[test]
fn every_valid_vector_renders_and_scans_back_at_each_level_it_fits() {
    let corpus = corpus();
    let mut checked = 0;
    let mut too_long = 0;
    // Versions by level, counted in bands of ten (index 4: over version 40).
    let mut bands = [[0_usize; 5]; 4];
    for (path, v) in &corpus.vectors {
        let Some(text) = &v.qr else { continue };
        let fit = v
            .qr_fit
            .unwrap_or_else(|| panic!("{}: no qr_fit", path.display()));
        // What the vector records is what c169-qr computes, for every vector.
        assert_eq!(fit, c169_corpus::symbol::fit(text), "{}", path.display());
        if v.verdict != VerdictClass::Valid {
            continue;
        }
        assert_eq!(
            fit.mode,
            QrMode::Alphanumeric,
            "{}: a valid text is Base45",
            v.id
        );
        for (level, recorded) in EcLevel::ALL.into_iter().zip(fit.versions()) {
            let band = recorded.map_or(4, |n| usize::from((n - 1) / 10));
            bands[level.index()][band] += 1;
            let Some(version) = recorded else {
                too_long += 1;
                assert!(Symbol::new(text, level).is_err());
                continue;
            };
            let symbol = Symbol::new(text, level).unwrap();
            assert_eq!(
                (symbol.version, symbol.mode),
                (version, QrMode::Alphanumeric)
            );
            // Two pixels a module keeps the images small; the scanner needs no more.
            let image = symbol.image(2, 4);
            let scanned =
                c169_qr::scan(&image).unwrap_or_else(|e| panic!("{} at {level}: {e}", v.id));
            assert_eq!(scanned.text, *text, "{} at {level}", v.id);
            assert_eq!(
                (scanned.version, scanned.level),
                (version, level),
                "{}",
                v.id
            );
            checked += 1;
        }
    }
    println!("| versions | L | M | Q | H |\n|---|---:|---:|---:|---:|");
    for (band, name) in ["1–10", "11–20", "21–30", "31–40", "over 40"]
        .iter()
        .enumerate()
    {
        println!(
            "| {name} | {} | {} | {} | {} |",
            bands[0][band], bands[1][band], bands[2][band], bands[3][band]
        );
    }
    println!("{checked} symbols rendered and read back; {too_long} (vector, level) pairs do not fit version 40");
    assert!(checked > 800, "{checked}");
}

#[test]
fn image_vectors_are_their_sources_degraded_and_read_as_recorded() {
    let corpus = corpus();
    let by_id: BTreeMap<&str, &c169_model::Vector> = corpus
        .vectors
        .iter()
        .map(|(_, v)| (v.id.as_str(), v))
        .collect();
    let mut images = 0;
    let mut unreadable_read = Vec::new();
    for (path, v) in &corpus.vectors {
        let Some(image) = &v.image else { continue };
        images += 1;
        // The PNG on disk holds the recorded pixels.
        let png = c169_corpus::symbol::image_bytes(path, image).unwrap();
        let gray = c169_qr::decode_png(&png).unwrap();
        assert_eq!(
            c169_corpus::symbol::pixels_sha256(&gray),
            image.pixels_sha256,
            "{}",
            v.id
        );
        assert_eq!((gray.width(), gray.height()), (image.width, image.height));
        // The source's symbol at the recorded level and version.
        let source = by_id[image.source.as_str()];
        let text = source.qr.as_deref().unwrap();
        let level = image.level;
        assert_eq!(Symbol::new(text, level).unwrap().version, image.version);
        assert_eq!(v.expected, source.expected, "{}", v.id);
        // What the reference scanner makes of it now is what the vector records.
        let now = c169_qr::scan(&gray).ok();
        assert_eq!(
            now.as_ref().map(|s| s.pass.to_owned()),
            image.reference,
            "{}",
            v.id
        );
        if let Some(s) = &now {
            assert_eq!(s.text, text, "{}: a reading must be right", v.id);
        }
        // Every image a conformant scanner should read, the reference reads.
        assert!(
            !image.readable || now.is_some(),
            "{}: readable, not read",
            v.id
        );
        assert_eq!(
            v.verdict,
            if image.readable {
                VerdictClass::Valid
            } else {
                VerdictClass::Acceptable
            }
        );
        if !image.readable && now.is_some() {
            unreadable_read.push(v.id.clone());
        }
    }
    assert_eq!(images, 3 * c169_qr::DEGRADATIONS.len());
    println!("{images} images; read although not required: {unreadable_read:?}");
}

/// An encoder vector for the "face" identity, printed at `level`, with `checks`.
fn face_vector(generator: &Generator, level: &str, checks: &[&str]) -> c169_model::Vector {
    generator
        .vector(&json!({
            "id": "qr-test",
            "description": "QR checks",
            "requirements": ["C169-QR-004"],
            "verdict": "valid",
            "identity": "face",
            "encoder_checks": checks,
            "ec_level": level,
        }))
        .unwrap()
}

#[test]
fn encoder_checks_fail_lowercase_and_oversized_texts() {
    let root = repo().join("vectors");
    let catalogue = Catalogue::load(&repo().join("features/requirements.yaml")).unwrap();
    let generator = Generator::load(&root, &catalogue).unwrap();
    let corpus = corpus();
    let checks = ["base45-alphabet", "fits-qr-v40"];
    let at = |level: &str, text: &str| {
        let v = face_vector(&generator, level, &checks);
        assert_eq!(v.encode.as_ref().unwrap().ec_level, EcLevel::parse(level));
        c169_suite::encoder::check(&v, text, &[], &[])
    };
    let face = &corpus
        .vectors
        .iter()
        .find(|(_, v)| v.id == "alg-ed25519-a-face")
        .unwrap()
        .1;
    let good = face.qr.clone().unwrap();
    for level in ["L", "M", "Q", "H"] {
        assert!(
            at(level, &good).is_empty(),
            "{level}: {:?}",
            at(level, &good)
        );
    }
    // One lowercase letter.
    let lower = good.replacen('B', "b", 1);
    let f = at("M", &lower);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(
        f[0].starts_with("base45-alphabet: the text holds 'b' at offset"),
        "{f:?}"
    );
    // 2 421 characters: over the 2 420 of version 40 at Q, within M's 3 391.
    let long = "A".repeat(2421);
    assert!(at("M", &long).is_empty());
    let f = at("Q", &long);
    assert_eq!(
        f,
        ["fits-qr-v40: 2421 characters in alphanumeric mode: more than a version-40 QR symbol holds at level Q (2420 in alphanumeric mode)"]
    );
    // Lowercase also costs room: byte mode holds 1 273 characters at H, alphanumeric 1 852.
    let f = at("H", &"a".repeat(1300));
    assert!(
        f.iter()
            .any(|p| p.starts_with("fits-qr-v40: 1300 characters in byte mode")),
        "{f:?}"
    );
    assert!(at("H", &"A".repeat(1300)).is_empty());
    // The request carries the level to the encoder.
    let v = face_vector(&generator, "Q", &checks);
    let (request, _, _) = c169_suite::run::encode_request(&corpus, &v).unwrap();
    assert_eq!(request.ec_level, Some(EcLevel::Q));
    assert_eq!(
        serde_json::to_value(&request).unwrap()["ec_level"],
        json!("Q")
    );
}
