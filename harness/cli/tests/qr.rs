//! `c169 qr` and the `--image` paths of `decode` and `inspect`: render a vector's
//! text, scan it back, decode the image, and the errors of bad input.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)] // tests

mod common;

use common::{c169, text};
use std::path::PathBuf;

fn scratch(name: &str) -> PathBuf {
    common::scratch("qr", name)
}

#[test]
fn render_scan_and_decode_an_image() {
    let dir = scratch("render");
    let png = dir.join("face.png");
    let out = c169(&[
        "qr",
        "render",
        "--vector",
        "alg-ed25519-a-face",
        "--level",
        "Q",
        "--out",
        png.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).starts_with("version 25-Q (alphanumeric mode, 1022 characters)"),
        "{}",
        text(&out)
    );
    let scan = c169(&["qr", "scan", "--json", png.to_str().unwrap()]);
    assert_eq!(scan.status.code(), Some(0), "{}", text(&scan));
    let j: serde_json::Value = serde_json::from_slice(&scan.stdout).unwrap();
    assert_eq!(
        (j["version"].as_u64(), j["level"].as_str()),
        (Some(25), Some("Q"))
    );
    assert_eq!(j["text"].as_str().unwrap().len(), 1022);
    let decoded = c169(&[
        "decode",
        "--json",
        "--now",
        "1760000000",
        "--key",
        "vectors/keys/ed25519-a.jwk.json",
        "--image",
        png.to_str().unwrap(),
    ]);
    assert_eq!(decoded.status.code(), Some(0), "{}", text(&decoded));
    let o: serde_json::Value = serde_json::from_slice(&decoded.stdout).unwrap();
    assert_eq!(
        (o["verdict"].as_str(), o["verified"].as_bool()),
        (Some("accept"), Some(true))
    );
    let inspected = c169(&[
        "inspect",
        "--now",
        "1760000000",
        "--image",
        png.to_str().unwrap(),
    ]);
    assert!(
        text(&inspected)
            .contains("0. symbol    alphanumeric mode; smallest version L 18 · M 21 · Q 25 · H 30"),
        "{}",
        text(&inspected)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unreadable_image_is_a_reject_at_stage_scan() {
    let out = c169(&[
        "decode",
        "--json",
        "--image",
        "vectors/images/image-alg-ed25519-a-face-blur-8.png",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let o: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // The finder patterns are found; the modules between them are too blurred.
    assert_eq!(
        (o["stage"].as_str(), o["code"].as_str()),
        (Some("scan"), Some("scan.unreadable"))
    );
    // Not a PNG at all: the file is named.
    let out = c169(&["qr", "scan", "vectors/src/images.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("vectors/src/images.yaml: not a PNG image"),
        "{}",
        text(&out)
    );
}

#[test]
fn bad_levels_missing_files_and_oversized_texts_are_told() {
    let out = c169(&["qr", "render", "ABC", "--level", "X", "--out", "x.png"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("\"X\" is not an error-correction level: expected L, M, Q or H"),
        "{}",
        text(&out)
    );
    let out = c169(&["decode", "--image", "no/such.png"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("no/such.png: cannot read a PNG image"),
        "{}",
        text(&out)
    );
    let dir = scratch("big");
    let out = c169(&[
        "qr",
        "render",
        &"A".repeat(1853),
        "--level",
        "H",
        "--out",
        dir.join("big.png").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains(
            "1853 characters in alphanumeric mode do not fit a version-40 QR symbol at level H"
        ),
        "{}",
        text(&out)
    );
    assert!(!dir.join("big.png").exists());
    let out = c169(&[
        "qr",
        "render",
        "ABC",
        "--degrade",
        "smudge",
        "--out",
        "x.png",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains(
            "\"smudge\" is not a degradation of the image corpus: expected one of clean, scale-50"
        ),
        "{}",
        text(&out)
    );
    let blurred = dir.join("blur.png");
    let out = c169(&[
        "qr",
        "render",
        "6BFWTLRJ5I7PUUA",
        "--degrade",
        "rotate-36.9",
        "--out",
        blurred.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains(", rotated 36.9°:"), "{}", text(&out));
    let scan = c169(&["qr", "scan", blurred.to_str().unwrap()]);
    assert_eq!(
        String::from_utf8_lossy(&scan.stdout).trim(),
        "6BFWTLRJ5I7PUUA",
        "{}",
        text(&scan)
    );
    let fit = c169(&["qr", "fit", "6BF"]);
    assert!(text(&fit).contains("L: version 1"), "{}", text(&fit));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_table_covers_every_valid_vector() {
    let out = c169(&["qr", "table", "--verdict", "valid"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("| alg-ed25519-a-face | 1022 | alphanumeric | 18 | 21 | 25 | 30 |"),
        "{t}"
    );
    // Every valid vector with a text is in the table.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../vectors");
    let corpus = c169_corpus::Corpus::load(&root).unwrap();
    let valid = corpus
        .vectors
        .iter()
        .filter(|(_, v)| v.verdict == c169_model::VerdictClass::Valid && v.qr.is_some())
        .count();
    assert!(valid > 200, "{valid} valid vectors");
    assert!(
        t.contains(&format!("{valid} vectors. Versions by band, per level:")),
        "{t}"
    );
}
