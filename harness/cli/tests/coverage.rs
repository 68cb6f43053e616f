//! Coverage is part of the verdict: every format says how many cases applied,
//! `--min-applicable` and `--require` fail the gate below them, and a run in
//! which no case applied is never conformant.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)] // tests

use serde_json::Value as Json;
use std::path::{Path, PathBuf};
use std::process::Output;

mod common;

use common::{c169_with, repo, text};

/// The vectors of two requirements: some need a signature verified, some not.
const TAGS: &str = "@C169-ENC-014 or @C169-CLAIM-119";

/// The reference behind the proxy fixture, its describe answer changed by `describe`.
fn run(dir: &Path, describe: &str, extra: &[&str]) -> Output {
    let proxy = format!(
        "python3 {}",
        repo().join("harness/cli/tests/fixtures/proxy.py").display()
    );
    let mut args = vec![
        "run",
        "--no-features",
        "--tags",
        TAGS,
        "--report-dir",
        dir.to_str().unwrap(),
        "--adapter-cmd",
        &proxy,
    ];
    args.extend_from_slice(extra);
    c169_with(&args, &[("C169_PROXY_DESCRIBE", describe.to_owned())])
}

fn scratch(name: &str) -> PathBuf {
    common::scratch("coverage", name)
}

fn results(dir: &Path) -> Json {
    c169_model::deep::from_slice(&std::fs::read(dir.join("results.json")).unwrap()).unwrap()
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap()
}

/// Declares no signature algorithm: the cases that verify do not apply.
const NO_VERIFY: &str = r#"{"algorithms": {"sign": [], "encrypt": []}}"#;

/// Declares nothing it could be asked.
const NOTHING: &str = r#"{"algorithms": {"sign": [], "encrypt": []}, "ops": ["describe"], "options": {"unverified": false}}"#;

#[test]
fn every_format_says_how_many_cases_applied_and_why_the_others_did_not() {
    let dir = scratch("partial");
    let out = run(&dir, NO_VERIFY, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let r = results(&dir);
    let c = &r["summary"]["coverage"];
    let (applicable, total) = (
        c["applicable"].as_u64().unwrap(),
        c["total"].as_u64().unwrap(),
    );
    assert!(0 < applicable && applicable < total, "{c}");
    assert_eq!(
        total - applicable,
        r["summary"]["all"]["skipped"].as_u64().unwrap()
    );
    let reasons = c["not_applicable"].as_array().unwrap();
    assert!(
        reasons[0]["reason"]
            .as_str()
            .unwrap()
            .contains("does not declare capability \"EdDSA\""),
        "{c}"
    );

    let figure = format!("{applicable} of {total} cases applicable");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let first = stdout.lines().next().unwrap();
    assert!(
        first.contains(&format!("conformant; tested on {figure}")),
        "{first}"
    );
    assert!(first.contains("not applicable:"), "{first}");
    assert!(read(&dir, "summary.md")
        .lines()
        .next()
        .unwrap()
        .contains(&format!("conformant; tested on {figure}")));
    // The page's words, without its markup (the verdict is a label, then its coverage).
    let mut words = String::new();
    let mut in_tag = false;
    for ch in read(&dir, "report.html").chars() {
        match ch {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => words.push(c),
            _ => {}
        }
    }
    assert!(words.contains(&format!("conformant; tested on {figure}")));
    let junit = read(&dir, "junit.xml");
    assert!(
        junit.contains(&format!("<testcase name=\"coverage: {figure}")),
        "{junit}"
    );
    assert!(junit.contains(&format!("name=\"applicable\" value=\"{applicable}\"")));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn min_applicable_and_require_fail_the_gate_below_them() {
    let dir = scratch("short");
    let out = run(&dir, NO_VERIFY, &["--min-applicable", "100"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let r = results(&dir);
    assert_eq!(r["gate"]["verdict"], "insufficient-coverage");
    assert_eq!(r["gate"]["min_applicable"], 100);
    assert!(
        r["gate"]["reasons"][0]
            .as_str()
            .unwrap()
            .contains("below --min-applicable 100%"),
        "{}",
        r["gate"]
    );
    let junit = read(&dir, "junit.xml");
    assert!(junit.contains("type=\"insufficient-coverage\""), "{junit}");
    assert!(read(&dir, "summary.md").starts_with("## ❌"));
    // No case failed, and the page does not read as nothing to act on.
    let html = read(&dir, "report.html");
    assert!(
        html.contains("No case failed, but the run is <b>insufficient-coverage</b>")
            && !html.contains("Nothing: no case failed"),
        "the page of an insufficient run reads as clean"
    );

    let out = run(&dir, NO_VERIFY, &["--require", "verify"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let r = results(&dir);
    assert_eq!(r["gate"]["verdict"], "insufficient-coverage");
    assert!(r["gate"]["reasons"][0]
        .as_str()
        .unwrap()
        .starts_with("--require verify"));

    // The same run through an implementation that declares everything passes both.
    let out = run(
        &dir,
        "{}",
        &[
            "--min-applicable",
            "100",
            "--require",
            "verify,decrypt,EdDSA",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(results(&dir)["gate"]["verdict"], "conformant");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_run_in_which_no_case_applied_is_never_conformant() {
    let dir = scratch("none");
    let out = run(&dir, NOTHING, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let r = results(&dir);
    assert_eq!(r["summary"]["coverage"]["applicable"], 0);
    assert_eq!(r["gate"]["verdict"], "insufficient-coverage");
    assert!(r["gate"]["reasons"][0]
        .as_str()
        .unwrap()
        .starts_with("no case applied"));
    assert!(read(&dir, "junit.xml").contains("type=\"insufficient-coverage\""));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_coverage_flags_are_usage_errors_naming_what_was_expected() {
    let dir = scratch("flags");
    for (flags, says) in [
        (&["--min-applicable", "101"][..], "0..=100"),
        (&["--require", "telepathy"][..], "expected one of verify"),
    ] {
        let mut args = vec!["run", "--report-dir", dir.to_str().unwrap()];
        args.extend_from_slice(flags);
        let out = c169_with(&args, &[]);
        assert_eq!(out.status.code(), Some(2), "{flags:?}: {}", text(&out));
        assert!(text(&out).contains(says), "{flags:?}: {}", text(&out));
        assert!(!dir.join("results.json").exists());
    }
    let _ = std::fs::remove_dir_all(&dir);
}
