//! The committed corpus: it loads, it is what the imports produce, and the
//! reference passes every vector in it.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // tests

use c169_codec::{decode, DecodeOptions};
use c169_suite::run::{run_vectors, Capabilities, Summary};
use c169_suite::{Corpus, Status};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../vectors")
}

fn everything() -> Capabilities {
    let names = [
        "verify",
        "decrypt",
        "decode_unverified",
        "EdDSA",
        "ES256",
        "ES384",
        "ES512",
        "A128GCM",
        "A192GCM",
        "A256GCM",
    ];
    Capabilities {
        names: names.iter().map(|s| (*s).to_owned()).collect(),
    }
}

#[test]
fn the_reference_passes_every_vector() {
    let root = root();
    let corpus = Corpus::load(&root).unwrap();
    assert!(
        corpus.vectors.len() >= 20,
        "{} vectors",
        corpus.vectors.len()
    );
    let results = run_vectors(&corpus, &root, &everything(), |req| {
        let options = DecodeOptions {
            now: Some(req.vector.now),
            verify_keys: req.verify_keys.clone(),
            decrypt_keys: req.decrypt_keys.clone(),
            ..DecodeOptions::default()
        };
        Ok(decode(&req.vector.qr, &options).outcome)
    });
    let failures: Vec<_> = results
        .iter()
        .filter(|r| r.judgement.status != Status::Pass || r.judgement.stage_mismatch)
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
    let s = Summary::of(&results);
    assert_eq!((s.passed, s.must_failures), (results.len(), 0));
}

#[test]
fn the_imports_are_up_to_date() {
    let root = root();
    for (path, bytes) in c169_suite::external::files(&root).unwrap() {
        let on_disk = std::fs::read(&path).unwrap_or_default();
        assert!(
            on_disk == bytes,
            "{} is stale or edited by hand: run `c169 vectors import`",
            path.display()
        );
    }
}

#[test]
fn undeclared_capabilities_are_skipped_with_a_reason_never_passed() {
    let root = root();
    let corpus = Corpus::load(&root).unwrap();
    let none = Capabilities::default();
    let results = run_vectors(&corpus, &root, &none, |req| {
        assert!(
            req.vector.capabilities.is_empty(),
            "{} needs a capability nobody declared, yet it ran",
            req.vector.id
        );
        Ok(decode(
            &req.vector.qr,
            &DecodeOptions {
                now: Some(req.vector.now),
                ..DecodeOptions::default()
            },
        )
        .outcome)
    });
    let skipped: Vec<_> = results
        .iter()
        .filter(|r| r.judgement.status == Status::Skip)
        .collect();
    assert!(!skipped.is_empty());
    assert!(skipped
        .iter()
        .all(|r| r.judgement.reason.contains("does not declare capability")));
    assert_eq!(Summary::of(&results).passed + skipped.len(), results.len());
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("c169-suite-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("area")).unwrap();
    dir
}

#[test]
fn a_malformed_vector_names_its_file_and_field() {
    let dir = scratch("malformed");
    let file = dir.join("area/v1.json");
    std::fs::write(&file, r#"{"id": "v1", "description": "d", "requirements": [], "level": "MUST", "verdict": "sometimes", "now": 0, "qr": ""}"#).unwrap();
    let e = Corpus::load(&dir).unwrap_err().to_string();
    assert!(
        e.contains("v1.json") && e.contains("verdict") && e.contains("valid"),
        "{e}"
    );
    std::fs::write(&file, r#"{"id": "v2", "description": "d", "requirements": [], "level": "MUST", "verdict": "valid", "now": 0, "qr": ""}"#).unwrap();
    let e = Corpus::load(&dir).unwrap_err().to_string();
    assert!(e.contains("\"v2\"") && e.contains("v1.json"), "{e}");
    std::fs::write(&file, r#"{"id": "v1", "description": "d", "requirements": [], "level": "MUST", "verdict": "valid", "now": 0, "qr": "", "keys": {"verify": ["nobody"]}}"#).unwrap();
    let e = Corpus::load(&dir).unwrap_err().to_string();
    assert!(
        e.contains("nobody") && e.contains("keys/nobody.jwk.json"),
        "{e}"
    );
    std::fs::write(&file, r#"{"id": "v1", "description": "d", "requirements": [], "level": "MUST", "verdict": "valid", "now": 0, "qr": "", "extra": 1}"#).unwrap();
    let e = Corpus::load(&dir).unwrap_err().to_string();
    assert!(e.contains("extra"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}
