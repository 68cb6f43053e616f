//! The registered peer adapters (every `adapters/*/adapter.toml`: a new folder is
//! tested with no change here), each through the command line: it describes
//! itself as its adapter.toml declares, decodes the valid and the invalid vector
//! of its `[smoke]` table as the suite expects, and (for encoders) encodes a
//! credential the reference accepts. The tests that run a peer need it set up (`c169 adapters setup`), so a
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

use c169_adapter::peers::{discover, Peer};
use common::{c169, repo, text};
use serde_json::Value as Json;

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

/// `c169 run` of the cases `ids` against `peer`, which must exit with `code`.
fn run_cases(peer: &str, ids: &[&str], code: i32) -> Json {
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
    assert_eq!(out.status.code(), Some(code), "{peer}: {}", text(&out));
    let report: Json =
        c169_model::deep::from_slice(&std::fs::read(dir.join("results.json")).unwrap()).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    report
}

fn peers() -> Vec<Peer> {
    let peers = discover(&repo().join("adapters")).unwrap();
    assert!(!peers.is_empty(), "no adapters/*/adapter.toml");
    peers
}

/// One peer: `describe` agrees with its adapter.toml, and it passes the vectors of
/// its `[smoke]` table through `c169 run`.
fn check(p: &Peer) {
    let name = p.name();
    require_ready(name);
    // describe, compared with adapter.toml.
    let out = c169(&["adapters", "check", name]);
    assert_eq!(out.status.code(), Some(0), "{name}: {}", text(&out));
    assert!(text(&out).contains(&format!("{name}: ")));

    let smoke = &p.spec.smoke;
    let mut ids = vec![smoke.valid.as_str(), smoke.invalid.as_str()];
    ids.extend(smoke.encodes.as_deref());
    // A configuration that reproduces a failure fails its run (exit 1).
    let report = run_cases(name, &ids, i32::from(smoke.reproduces.is_some()));
    assert!(report["implementation"]["label"]
        .as_str()
        .unwrap()
        .starts_with(name));
    let cases = report["cases"].as_array().unwrap();
    assert_eq!(cases.len(), ids.len(), "{name}: {cases:#?}");
    let by_id = |id: &str| cases.iter().find(|c| c["id"] == id).unwrap();
    if let Some(finding) = &smoke.reproduces {
        // A configuration kept to reproduce a failure: the valid vector ends in an
        // error (a crash of the implementation), never in a pass.
        let c = by_id(&smoke.valid);
        assert_eq!(
            c["status"], "error",
            "{name} no longer reproduces \"{finding}\": {c:#}"
        );
        for c in cases.iter().filter(|c| c["id"] != smoke.valid.as_str()) {
            assert_eq!(c["status"], "pass", "{name}: {c:#}");
        }
        return;
    }
    for c in cases {
        assert_eq!(c["status"], "pass", "{name}: {c:#}");
    }
    assert_eq!(by_id(&smoke.valid)["observed"]["verdict"], "accept");
    assert_eq!(by_id(&smoke.invalid)["observed"]["verdict"], "reject");
    if let Some(id) = &smoke.encodes {
        assert_eq!(by_id(id)["observed"]["verdict"], "encoded");
    }
}

/// Every registered adapter (`adapters/*/adapter.toml`), each checked on its own:
/// one that fails does not hide the others, and the failure names it.
#[test]
#[ignore = "runs every peer: `c169 adapters setup`, then `cargo test -p c169 --test peers -- --include-ignored` (CI does)"]
fn every_registered_peer_describes_itself_and_passes_its_smoke_vectors() {
    let mut failed = Vec::new();
    for p in peers() {
        match std::panic::catch_unwind(|| check(&p)) {
            Ok(()) => println!("{}: ok", p.name()),
            Err(_) => failed.push(p.name().to_owned()),
        }
    }
    assert!(
        failed.is_empty(),
        "peers that failed (see above): {failed:?}"
    );
}

/// Each `[smoke]` table names vectors of the corpus, of the right kind.
#[test]
fn every_smoke_table_names_vectors_of_the_corpus() {
    let corpus = c169_corpus::Corpus::load(&repo().join("vectors")).unwrap();
    let vector = |id: &str| {
        corpus
            .vectors
            .iter()
            .map(|(_, v)| v)
            .find(|v| v.id == id)
            .unwrap_or_else(|| panic!("no vector {id}"))
    };
    for p in peers() {
        let smoke = &p.spec.smoke;
        let name = p.name();
        assert!(vector(&smoke.valid).qr.is_some(), "{name}: valid");
        assert!(vector(&smoke.invalid).qr.is_some(), "{name}: invalid");
        if let Some(id) = &smoke.encodes {
            assert!(vector(id).encode.is_some(), "{name}: encodes {id}");
        }
    }
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
    let names: Vec<String> = peers().iter().map(|p| p.name().to_owned()).collect();
    for (adapter, _, id) in &all {
        assert!(
            names.contains(adapter),
            "{id}: {adapter} is not a registered peer"
        );
    }
    for p in &peers() {
        let name = p.name();
        // A peer may have no finding (a conformant one has none); every peer has
        // a published report, which `c169 regen` writes.
        let entries = entries_of(&all, name);
        let path = repo().join("reports").join(name).join("results.json");
        let published: Json = c169_model::deep::from_slice(
            &std::fs::read(&path)
                .unwrap_or_else(|e| panic!("{}: {e}: run `c169 regen`", path.display())),
        )
        .unwrap();
        for (section, id) in &entries {
            let want = statuses_of(section).unwrap_or_else(|| panic!("{section}: no such section"));
            let s = status(&published, name, id);
            assert!(
                want.contains(&s.as_str()),
                "{name}: {id} is {s} in reports/ ({section})"
            );
        }
    }
}

#[test]
#[ignore = "runs a peer: `c169 adapters setup`, then `cargo test -p c169 --test peers -- --include-ignored` (CI does)"]
fn every_finding_reproduces_now() {
    let all = findings();
    for p in &peers() {
        let name = p.name();
        require_ready(name);
        let entries = entries_of(&all, name);
        let dir =
            std::env::temp_dir().join(format!("c169-findings-{}-{}", name, std::process::id()));
        let mut args = vec!["run", "--adapter", name, "--format", "json"];
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
            name,
            text(&out)
        );
        let now: Json =
            c169_model::deep::from_slice(&std::fs::read(dir.join("results.json")).unwrap())
                .unwrap();
        for (section, id) in &entries {
            let want = statuses_of(section).unwrap_or_default();
            let s = status(&now, name, id);
            assert!(
                want.contains(&s.as_str()),
                "{name}: {id} is {s} now ({section})"
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
