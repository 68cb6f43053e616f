//! The committed corpus: it loads, and it is what the generator and the imports
//! produce. (That the reference passes every vector is `tests/cases.rs`, one
//! trial per vector.)

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::type_complexity
)] // tests

mod common;

use c169_corpus::Corpus;
use c169_suite::run::run;
use c169_suite::Status;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../vectors")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

#[test]
fn the_generated_and_imported_files_are_up_to_date() {
    let root = root();
    let catalogue =
        c169_corpus::catalogue::Catalogue::load(&root.join("../features/requirements.yaml"))
            .unwrap();
    let mut files = c169_corpus::generate::generate(&root, &catalogue)
        .unwrap()
        .files;
    files.extend(c169_corpus::external::files(&root).unwrap());
    for (path, bytes) in files {
        let on_disk = std::fs::read(&path).unwrap_or_default();
        assert!(
            on_disk == bytes,
            "{} is stale or edited by hand: run `c169 vectors generate` / `c169 vectors import`",
            path.display()
        );
    }
}

#[test]
fn every_vector_file_validates_against_the_schema_and_a_violation_is_caught() {
    let root = root();
    let schema = c169_corpus::schema::VectorSchema::load(&root).unwrap();
    let corpus = Corpus::load(&root).unwrap();
    for (path, _) in &corpus.vectors {
        let json: serde_json::Value =
            c169_model::deep::from_slice(&std::fs::read(path).unwrap()).unwrap();
        let errors = schema.errors(&json);
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
    }
    // The schema is not a rubber stamp: each of these departures is caught.
    let (path, _) = &corpus.vectors[0];
    let good: serde_json::Value =
        c169_model::deep::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let breakages: Vec<(&str, Box<dyn Fn(&mut serde_json::Value)>)> = vec![
        (
            "unknown verdict",
            Box::new(|v| v["verdict"] = "maybe".into()),
        ),
        (
            "invalid without a stage",
            Box::new(|v| {
                v["verdict"] = "invalid".into();
                v.as_object_mut().unwrap().remove("stage");
            }),
        ),
        (
            "bad requirement id",
            Box::new(|v| v["requirements"][0]["id"] = "B45-4".into()),
        ),
        (
            "uppercase hex artefact",
            Box::new(|v| v["artefacts"] = serde_json::json!({"zlib": "789C"})),
        ),
        (
            "an unknown member",
            Box::new(|v| v["colour"] = "blue".into()),
        ),
        (
            "neither qr nor encode",
            Box::new(|v| {
                v.as_object_mut().unwrap().remove("qr");
            }),
        ),
    ];
    for (what, breaks) in breakages {
        let mut bad = good.clone();
        breaks(&mut bad);
        assert!(
            !schema.errors(&bad).is_empty(),
            "the schema lets through: {what}"
        );
    }
}

#[test]
fn undeclared_capabilities_are_skipped_with_a_reason_never_passed() {
    let root = root();
    let corpus = Corpus::load(&root).unwrap();
    let result = run(&corpus, &root, &common::DeclaresNothing, &runtime(), None);
    let mut ran = 0;
    for (r, (_, v)) in result.results.iter().zip(&corpus.vectors) {
        if v.capabilities.is_empty() {
            ran += 1;
            assert_ne!(r.judgement.status, Status::Skip, "{}", r.id);
        } else {
            assert_eq!(r.judgement.status, Status::Skip, "{}", r.id);
            assert!(
                r.judgement.reason.contains("does not declare capability"),
                "{}",
                r.judgement.reason
            );
        }
    }
    assert!(ran > 50, "only {ran} vectors need no capability");
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
    std::fs::write(&file, r#"{"id": "v1", "description": "d", "primary": {"id": "C169-QR-002", "how": "h"}, "requirements": [], "basis": {"kind": "observed", "source": "s"}, "verdict": "sometimes", "now": 0, "qr": ""}"#).unwrap();
    let e = Corpus::load(&dir).unwrap_err().to_string();
    assert!(
        e.contains("v1.json") && e.contains("verdict") && e.contains("valid"),
        "{e}"
    );
    std::fs::write(&file, r#"{"id": "v2", "description": "d", "primary": {"id": "C169-QR-002", "how": "h"}, "requirements": [], "basis": {"kind": "observed", "source": "s"}, "verdict": "valid", "now": 0, "qr": ""}"#).unwrap();
    let e = Corpus::load(&dir).unwrap_err().to_string();
    assert!(e.contains("\"v2\"") && e.contains("v1.json"), "{e}");
    std::fs::write(&file, r#"{"id": "v1", "description": "d", "primary": {"id": "C169-QR-002", "how": "h"}, "requirements": [], "basis": {"kind": "observed", "source": "s"}, "verdict": "valid", "now": 0, "qr": "", "keys": {"verify": ["nobody"]}}"#).unwrap();
    let e = Corpus::load(&dir).unwrap_err().to_string();
    assert!(
        e.contains("nobody") && e.contains("keys/nobody.jwk.json"),
        "{e}"
    );
    std::fs::write(&file, r#"{"id": "v1", "description": "d", "primary": {"id": "C169-QR-002", "how": "h"}, "requirements": [], "basis": {"kind": "text", "document": "RFC 9052", "section": "§3", "level": "MUST"}, "verdict": "valid", "now": 0, "qr": ""}"#).unwrap();
    let e = Corpus::load(&dir).unwrap_err().to_string();
    assert!(
        e.contains("v1.json") && e.contains("quote"),
        "a text basis without its quote: {e}"
    );
    std::fs::write(&file, r#"{"id": "v1", "description": "d", "primary": {"id": "C169-QR-002", "how": "h"}, "requirements": [], "verdict": "valid", "now": 0, "qr": ""}"#).unwrap();
    let e = Corpus::load(&dir).unwrap_err().to_string();
    assert!(
        e.contains("v1.json") && e.contains("basis"),
        "no basis: {e}"
    );
    // Neither a text, nor an image, nor an encoding: nothing to ask, so a corpus error.
    std::fs::write(&file, r#"{"id": "v1", "description": "d", "primary": {"id": "C169-QR-002", "how": "h"}, "requirements": [], "basis": {"kind": "observed", "source": "s"}, "verdict": "valid", "now": 0}"#).unwrap();
    let e = Corpus::load(&dir).unwrap_err().to_string();
    assert!(
        e.contains("v1.json") && e.contains("qr, image, encode") && e.contains("exactly one"),
        "{e}"
    );
    std::fs::write(&file, r#"{"id": "v1", "description": "d", "primary": {"id": "C169-QR-002", "how": "h"}, "requirements": [], "basis": {"kind": "observed", "source": "s"}, "verdict": "valid", "now": 0, "qr": "", "extra": 1}"#).unwrap();
    let e = Corpus::load(&dir).unwrap_err().to_string();
    assert!(e.contains("extra"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_fifo_a_device_or_an_oversized_file_in_the_corpus_is_refused_at_once() {
    let start = std::time::Instant::now();
    let dir = scratch("irregular");
    let vector = dir.join("area/v1.json");
    let mkfifo = |p: &Path| {
        assert!(std::process::Command::new("mkfifo")
            .arg(p)
            .status()
            .unwrap()
            .success());
    };
    mkfifo(&vector);
    let e = Corpus::load(&dir).unwrap_err().to_string();
    assert!(
        e.contains("v1.json: not a regular file (a FIFO); a vector file"),
        "{e}"
    );
    std::fs::remove_file(&vector).unwrap();
    std::fs::File::create(&vector)
        .unwrap()
        .set_len((16 << 20) + 1)
        .unwrap();
    let e = Corpus::load(&dir).unwrap_err().to_string();
    assert!(
        e.contains("v1.json: larger than 16 MiB, the limit for a vector file"),
        "{e}"
    );
    std::fs::create_dir_all(dir.join("keys")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.join("keys/zero.jwk.json")).unwrap();
    let e = Corpus::load(&dir).unwrap_err().to_string();
    assert!(
        e.contains("zero.jwk.json: not a regular file (a character device); a key file"),
        "{e}"
    );
    // Feature files, which cucumber and gherkin open themselves, are checked first.
    let features = dir.join("features");
    std::fs::create_dir_all(&features).unwrap();
    mkfifo(&features.join("stuck.feature"));
    let e = c169_corpus::features::scenarios(&features)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("stuck.feature: not a regular file (a FIFO)"),
        "{e}"
    );
    assert!(start.elapsed() < std::time::Duration::from_secs(10));
    let _ = std::fs::remove_dir_all(&dir);
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyRow {
    case: String,
    verdict: c169_model::VerdictClass,
    #[serde(default)]
    stage: Option<c169_model::Stage>,
    #[serde(default)]
    flag: Option<String>,
    #[serde(default)]
    level: Option<c169_model::Level>,
    /// `text` or `profile`: what the row rests on (POLICY v2).
    basis: c169_model::BasisKind,
    /// The answer the row prefers, for an acceptable row that prefers one.
    #[serde(default)]
    prefers: Option<c169_model::Verdict>,
    vectors: Vec<String>,
}

#[derive(Debug, serde::Deserialize)]
struct Policy {
    rows: Vec<PolicyRow>,
}

#[test]
fn every_row_of_the_verdict_policy_has_vectors_with_its_verdict_and_flag() {
    let root = root();
    let corpus = Corpus::load(&root).unwrap();
    let policy: Policy =
        serde_yaml_ng::from_str(&std::fs::read_to_string(root.join("policy.yaml")).unwrap())
            .unwrap();
    assert!(policy.rows.len() >= 45, "{} rows", policy.rows.len());
    for row in &policy.rows {
        assert!(!row.vectors.is_empty(), "{}: no vector", row.case);
        for id in &row.vectors {
            let (_, v) = corpus
                .vectors
                .iter()
                .find(|(_, v)| &v.id == id)
                .unwrap_or_else(|| panic!("{}: no vector {id}", row.case));
            assert_eq!(v.verdict, row.verdict, "{}: {id}", row.case);
            if let Some(stage) = row.stage {
                assert_eq!(v.stage, Some(stage), "{}: {id}", row.case);
            }
            if let Some(flag) = &row.flag {
                assert!(
                    v.flags.iter().any(|f| f.as_str() == flag),
                    "{}: {id} lacks flag {flag}",
                    row.case
                );
            }
            if let Some(level) = row.level {
                assert_eq!(v.level, Some(level), "{}: {id}", row.case);
            }
            assert_eq!(v.basis.kind(), row.basis, "{}: {id}: basis", row.case);
            assert_eq!(v.prefers, row.prefers, "{}: {id}: prefers", row.case);
        }
    }
}

/// The Base45 position vectors hold the symbol their name says, where it says:
/// first (`b45-valid-first-<name>`) or next to last (`b45-valid-last-<name>`).
/// Their texts come from encoder settings and content picked for it, which a
/// change of identity, claims or zlib encoder would move.
#[test]
fn base45_position_vectors_hold_their_symbol() {
    let corpus = Corpus::load(&root()).unwrap();
    let symbol = |name: &str| match name {
        "space" => ' ',
        "dollar" => '$',
        "percent" => '%',
        "star" => '*',
        "plus" => '+',
        "minus" => '-',
        "dot" => '.',
        "slash" => '/',
        "colon" => ':',
        other => panic!("no symbol named {other}"),
    };
    let mut seen = 0;
    for (_, v) in &corpus.vectors {
        let qr: Vec<char> = v.qr.as_deref().unwrap_or_default().chars().collect();
        if let Some(name) = v.id.strip_prefix("b45-valid-first-") {
            assert_eq!(qr.first(), Some(&symbol(name)), "{}", v.id);
            seen += 1;
        } else if let Some(name) = v.id.strip_prefix("b45-valid-last-") {
            assert_eq!(qr.iter().rev().nth(1), Some(&symbol(name)), "{}", v.id);
            seen += 1;
        }
    }
    assert_eq!(seen, 14, "five first symbols, nine next-to-last ones");
}

/// The vectors the whole-alphabet scenario of features/base45.feature names hold
/// every one of the 45 symbols.
#[test]
fn the_whole_alphabet_vectors_hold_every_symbol() {
    let corpus = Corpus::load(&root()).unwrap();
    for id in ["claim169-field-marital-status", "alg-ed25519-a-face"] {
        let (_, v) = corpus.vectors.iter().find(|(_, v)| v.id == id).unwrap();
        let qr = v.qr.as_deref().unwrap();
        let missing: String = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
            .chars()
            .filter(|c| !qr.contains(*c))
            .collect();
        assert!(missing.is_empty(), "{id} lacks {missing:?}");
    }
}
