//! The record read back: every published results.json is read, holds to the
//! schema and is written out again byte for byte; a name the record does not
//! know is refused with the file and the field, never read as a default.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)] // tests

use c169_formats::Format;
use c169_report::Report;
use serde_json::Value as Json;
use std::path::{Path, PathBuf};

/// The results.json of every published report (`reports/<name>/results.json`).
fn published() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../reports");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path().join(Format::Json.file_name()))
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

#[test]
fn every_published_record_is_read_and_written_back_unchanged() {
    let schema: Json = serde_json::from_str(c169_report::SCHEMA).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let files = published();
    assert!(files.len() >= 2, "{files:?}");
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        // A record may hold an answer nested deeper than serde_json's default
        // limit (a decoder that accepted a limit vector): read it as the rig does.
        let json: Json = c169_model::deep::from_slice(&bytes).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
        let report = Report::load(&path).unwrap_or_else(|e| panic!("{e}"));
        let again = Format::Json.render(&report).unwrap();
        assert!(
            again == bytes,
            "{} is not written back as read",
            path.display()
        );
    }
}

/// A small report with one case of each kind, as JSON.
fn sample() -> Json {
    let path = published()
        .into_iter()
        .find(|p| p.parent().is_some_and(|d| d.ends_with("reference")))
        .unwrap();
    let mut r: Json = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let cases = r["cases"].as_array().unwrap();
    let vector = cases
        .iter()
        .find(|c| c["kind"] == "vector" && c.get("symbol").is_some())
        .unwrap()
        .clone();
    let scenario = cases
        .iter()
        .find(|c| c["kind"] == "scenario" && c.get("steps").is_some())
        .unwrap()
        .clone();
    r["cases"] = Json::Array(vec![vector, scenario]);
    r["requirements"] = Json::Array(vec![r["requirements"][0].clone()]);
    r
}

/// A change to a report's JSON that puts a name the record does not know in one field.
type Spoil = fn(&mut Json);

#[test]
fn an_unknown_name_is_refused_with_the_file_and_the_field() {
    let dir = std::env::temp_dir().join(format!("c169-records-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("results.json");
    let write = |r: &Json| std::fs::write(&file, serde_json::to_vec(r).unwrap()).unwrap();

    write(&sample());
    Report::load(&file).unwrap();

    let fields: [(&str, Spoil); 10] = [
        ("cases[0].expected.verdict", |r| {
            r["cases"][0]["expected"]["verdict"] = "vaild".into();
        }),
        ("cases[0].observed.verdict", |r| {
            r["cases"][0]["observed"]["verdict"] = "passed".into();
        }),
        ("cases[0].status", |r| {
            r["cases"][0]["status"] = "passed".into();
        }),
        ("cases[0].diverges_at", |r| {
            r["cases"][0]["diverges_at"] = "qr".into();
        }),
        ("cases[0].symbol.level", |r| {
            r["cases"][0]["symbol"]["level"] = "X".into();
        }),
        ("cases[0].symbol.mode", |r| {
            r["cases"][0]["symbol"]["mode"] = "kanji".into();
        }),
        ("cases[1].steps[0].status", |r| {
            r["cases"][1]["steps"][0]["status"] = "pending".into();
        }),
        ("requirements[0].verdict", |r| {
            r["requirements"][0]["verdict"] = "passed".into();
        }),
        ("gate.verdict", |r| {
            r["gate"]["verdict"] = "green".into();
        }),
        ("summary.by_level.COULD", |r| {
            r["summary"]["by_level"]["COULD"] = r["summary"]["all"].clone();
        }),
    ];
    for (field, spoil) in fields {
        let mut r = sample();
        spoil(&mut r);
        write(&r);
        let e = Report::load(&file).unwrap_err().to_string();
        assert!(
            e.contains(&file.display().to_string()) && e.contains(&format!("field `{field}`")),
            "{field}: {e}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
