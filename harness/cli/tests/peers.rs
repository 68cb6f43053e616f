//! The registered peer adapters, each through the command line: it describes
//! itself as its adapter.toml declares, decodes a valid and an invalid vector as
//! the suite expects, and (for encoders) encodes a credential the reference
//! accepts. The tests that run a peer need it set up (`c169 adapters setup`), so a
//! plain `cargo test` reports them ignored, with that reason, rather than passing
//! without running; CI sets the peers up and runs them with `--include-ignored`,
//! where a peer that is not set up fails.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests

mod common;

use common::{c169, repo, text};
use serde_json::Value as Json;

struct Peer {
    name: &'static str,
    /// A valid vector it decodes as expected.
    valid: &'static str,
    /// An invalid vector it rejects as expected.
    invalid: &'static str,
    /// An encoder vector whose output the reference accepts, for encoders.
    encodes: Option<&'static str>,
}

const PEERS: [Peer; 4] = [
    Peer {
        name: "claim169-py",
        valid: "claim169-field-first-name",
        invalid: "b45-bad-char-comma",
        encodes: Some("enc-out-ed25519-a-minimal"),
    },
    Peer {
        name: "claim169-rs",
        valid: "claim169-field-first-name",
        invalid: "b45-bad-char-comma",
        encodes: Some("enc-out-ed25519-a-minimal"),
    },
    Peer {
        name: "python-cwt",
        valid: "claim169-field-first-name",
        invalid: "b45-bad-char-comma",
        encodes: Some("enc-out-p384-a-minimal"),
    },
    Peer {
        // Verifies nothing: a vector that needs no key.
        name: "pixelpass-js",
        valid: "idpass-demographics-full",
        invalid: "b45-bad-char-comma",
        encodes: None,
    },
];

/// Panics, saying how to set it up, when the peer cannot run here: the tests that
/// call this are ignored unless asked for, and then must not pass without running.
fn require_ready(name: &str) {
    let listed = c169(&["adapters", "list"]);
    let line = String::from_utf8_lossy(&listed.stdout)
        .lines()
        .find(|l| l.starts_with(&format!("{name} ")))
        .map_or_else(
            || panic!("{name} is not registered: {}", text(&listed)),
            str::to_owned,
        );
    assert!(
        line.ends_with(" ready"),
        "{name} is not set up: run `c169 adapters setup {name}` first ({line})"
    );
}

fn run_cases(peer: &str, ids: &[&str]) -> Json {
    let dir = std::env::temp_dir().join(format!("c169-peer-{peer}-{}", std::process::id()));
    let mut args = vec![
        "run",
        "--adapter",
        peer,
        "--no-features",
        "--format",
        "json",
    ];
    for id in ids {
        args.extend(["--vector", id]);
    }
    let dir_s = dir.to_str().unwrap().to_owned();
    args.extend(["--report-dir", &dir_s]);
    let out = c169(&args);
    assert_eq!(out.status.code(), Some(0), "{peer}: {}", text(&out));
    let report: Json =
        c169_model::deep::from_slice(&std::fs::read(dir.join("results.json")).unwrap()).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    report
}

fn check(p: &Peer) {
    require_ready(p.name);
    // describe, compared with adapter.toml.
    let out = c169(&["adapters", "check", p.name]);
    assert_eq!(out.status.code(), Some(0), "{}: {}", p.name, text(&out));
    assert!(text(&out).contains(&format!("{}: ", p.name)));

    let mut ids = vec![p.valid, p.invalid];
    ids.extend(p.encodes);
    let report = run_cases(p.name, &ids);
    assert!(report["implementation"]["label"]
        .as_str()
        .unwrap()
        .starts_with(p.name));
    let cases = report["cases"].as_array().unwrap();
    assert_eq!(cases.len(), ids.len(), "{}: {cases:#?}", p.name);
    for c in cases {
        assert_eq!(c["status"], "pass", "{}: {c:#}", p.name);
    }
    let by_id = |id: &str| cases.iter().find(|c| c["id"] == id).unwrap();
    assert_eq!(by_id(p.valid)["observed"]["verdict"], "accept");
    assert_eq!(by_id(p.invalid)["observed"]["verdict"], "reject");
    if let Some(id) = p.encodes {
        assert_eq!(by_id(id)["observed"]["verdict"], "encoded");
    }
}

#[test]
#[ignore = "runs a peer: `c169 adapters setup`, then `cargo test -p c169 --test peers -- --include-ignored` (CI does)"]
fn claim169_py() {
    check(&PEERS[0]);
}

#[test]
#[ignore = "runs a peer: `c169 adapters setup`, then `cargo test -p c169 --test peers -- --include-ignored` (CI does)"]
fn claim169_rs() {
    check(&PEERS[1]);
}

#[test]
#[ignore = "runs a peer: `c169 adapters setup`, then `cargo test -p c169 --test peers -- --include-ignored` (CI does)"]
fn python_cwt() {
    check(&PEERS[2]);
}

#[test]
#[ignore = "runs a peer: `c169 adapters setup`, then `cargo test -p c169 --test peers -- --include-ignored` (CI does)"]
fn pixelpass_js() {
    check(&PEERS[3]);
}

#[test]
fn every_registered_adapter_is_tested_here() {
    let names: Vec<String> = std::fs::read_dir(repo().join("adapters"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().join("adapter.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    for n in &names {
        assert!(PEERS.iter().any(|p| p.name == n), "no test for adapter {n}");
    }
    assert_eq!(names.len(), PEERS.len());
}

/// The statuses a FINDINGS.md section's cases have: a conformance failure fails
/// (or gets no usable answer), a departure departs, a choice passes.
fn statuses_of(section: &str) -> Option<&'static [&'static str]> {
    if section.starts_with("Conformance failures") {
        Some(&["fail", "error"])
    } else if section.starts_with("Departures") {
        Some(&["depart"])
    } else if section.starts_with("Implementation-defined") {
        Some(&["pass"])
    } else {
        None
    }
}

/// Every entry of reports/FINDINGS.md: `c169 run --adapter NAME --vector ID`,
/// with the section it stands in.
fn findings() -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(repo().join("reports/FINDINGS.md")).unwrap();
    let mut out = Vec::new();
    let mut section = String::new();
    for line in text.lines() {
        if let Some(h) = line.strip_prefix("### ") {
            h.clone_into(&mut section);
        }
        if let Some(at) = line.find("`c169 run --adapter ") {
            let words: Vec<&str> = line[at + 1..]
                .split('`')
                .next()
                .unwrap()
                .split_whitespace()
                .collect();
            assert_eq!(words.len(), 6, "{line}");
            assert_eq!((words[2], words[4]), ("--adapter", "--vector"), "{line}");
            out.push((words[3].to_owned(), section.clone(), words[5].to_owned()));
        }
    }
    out
}

#[test]
fn every_finding_stands_in_the_published_reports() {
    let all = findings();
    assert!(all.len() >= 20, "{} findings", all.len());
    for p in &PEERS {
        let entries = entries_of(&all, p.name);
        assert!(!entries.is_empty(), "no finding for {}", p.name);
        let published: Json = c169_model::deep::from_slice(
            &std::fs::read(repo().join("reports").join(p.name).join("results.json")).unwrap(),
        )
        .unwrap();
        for (section, id) in &entries {
            let want = statuses_of(section).unwrap_or_else(|| panic!("{section}: no such section"));
            let s = status(&published, p.name, id);
            assert!(
                want.contains(&s.as_str()),
                "{}: {id} is {s} in reports/ ({section})",
                p.name
            );
        }
    }
}

#[test]
#[ignore = "runs a peer: `c169 adapters setup`, then `cargo test -p c169 --test peers -- --include-ignored` (CI does)"]
fn every_finding_reproduces_now() {
    let all = findings();
    for p in &PEERS {
        require_ready(p.name);
        let entries = entries_of(&all, p.name);
        let dir =
            std::env::temp_dir().join(format!("c169-findings-{}-{}", p.name, std::process::id()));
        let mut args = vec!["run", "--adapter", p.name, "--format", "json"];
        for (_, id) in &entries {
            args.extend(["--vector", id]);
        }
        let dir_s = dir.to_str().unwrap().to_owned();
        args.extend(["--report-dir", &dir_s]);
        let out = c169(&args);
        // A verdict, not a usage or rig error; what each case shows is checked below.
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{}: {}",
            p.name,
            text(&out)
        );
        let now: Json =
            c169_model::deep::from_slice(&std::fs::read(dir.join("results.json")).unwrap())
                .unwrap();
        for (section, id) in &entries {
            let want = statuses_of(section).unwrap_or_default();
            let s = status(&now, p.name, id);
            assert!(
                want.contains(&s.as_str()),
                "{}: {id} is {s} now ({section})",
                p.name
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// The findings of one implementation: (section, case id).
fn entries_of<'a>(all: &'a [(String, String, String)], name: &str) -> Vec<(&'a str, &'a str)> {
    all.iter()
        .filter(|(n, _, _)| n == name)
        .map(|(_, s, id)| (s.as_str(), id.as_str()))
        .collect()
}

/// A case's status in a report.
fn status(report: &Json, peer: &str, id: &str) -> String {
    report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .map_or_else(
            || panic!("{peer}: no case {id}"),
            |c| c["status"].as_str().unwrap().to_owned(),
        )
}
