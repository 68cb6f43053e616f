//! `c169 run --jobs N`: copies side by side give the serial run's report, and an
//! adapter that says `"serial": true` in describe runs alone.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // tests

use serde_json::Value as Json;
use std::path::{Path, PathBuf};

mod common;

use common::{c169_with, repo, text};

fn scratch(name: &str) -> PathBuf {
    common::scratch("jobs", name)
}

/// The proxy adapter of `tests/fixtures/proxy.py` (the reference behind a proxy),
/// started through a shell that first writes a line to the file `$C169_STARTS`:
/// one line per process the rig started.
fn counted_proxy() -> String {
    format!(
        "sh -c 'echo started >> \"$C169_STARTS\"; exec python3 {}'",
        repo().join("harness/cli/tests/fixtures/proxy.py").display()
    )
}

/// A report with what varies from run to run taken out: times and durations.
fn stable(dir: &Path) -> Json {
    fn strip(v: &mut Json) {
        match v {
            Json::Object(m) => {
                m.retain(|k, _| !matches!(k.as_str(), "duration_ms" | "started" | "date"));
                m.values_mut().for_each(strip);
            }
            Json::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v: Json =
        c169_model::deep::from_slice(&std::fs::read(dir.join("results.json")).unwrap()).unwrap();
    strip(&mut v);
    v
}

/// The vectors and scenarios of five requirements: some forty cases.
const TAGS: &str =
    "@C169-ZLIB-004 or @C169-ZLIB-011 or @C169-ZLIB-003 or @C169-B45-007 or @C169-B45-002";

fn run(dir: &Path, jobs: &str, starts: &Path, envs: &[(&str, String)]) -> Json {
    let mut envs = envs.to_vec();
    envs.push(("C169_STARTS", starts.to_str().unwrap().to_owned()));
    let out = c169_with(
        &[
            "run",
            "--jobs",
            jobs,
            "--tags",
            TAGS,
            "--adapter-cmd",
            &counted_proxy(),
            "--report-dir",
            dir.to_str().unwrap(),
        ],
        &envs,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    stable(dir)
}

fn starts(file: &Path) -> usize {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .count()
}

#[test]
fn copies_side_by_side_give_the_serial_report_and_a_serial_adapter_runs_alone() {
    let dir = scratch("copies");
    // Each answer takes 20 ms, so that every copy gets work before the cases run out.
    let slow = [("C169_PROXY_DELAY_MS", "20".to_owned())];

    let serial = run(&dir.join("one"), "1", &dir.join("one.starts"), &slow);
    assert_eq!(starts(&dir.join("one.starts")), 1);
    let cases = serial["cases"].as_array().unwrap().len();
    assert!(cases > 30, "{cases} cases");

    let side_by_side = run(&dir.join("three"), "3", &dir.join("three.starts"), &slow);
    assert_eq!(starts(&dir.join("three.starts")), 3, "a process per copy");
    assert!(side_by_side == serial, "the same report, times apart");
    assert_eq!(
        std::fs::read_to_string(dir.join("three/summary.md")).unwrap(),
        std::fs::read_to_string(dir.join("one/summary.md")).unwrap()
    );

    // An adapter that says it must run alone gets one process, whatever --jobs says.
    let alone = [
        slow[0].clone(),
        ("C169_PROXY_DESCRIBE", r#"{"serial": true}"#.to_owned()),
    ];
    let one = run(&dir.join("alone"), "3", &dir.join("alone.starts"), &alone);
    assert_eq!(starts(&dir.join("alone.starts")), 1, "serial: one process");
    assert!(one["cases"] == serial["cases"], "the same cases");
    assert_eq!(
        one["implementation"]["describe"]["serial"],
        Json::Bool(true),
        "the report keeps what describe said"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A copy that cannot start, or that describes itself otherwise than the first,
/// runs no case: the report is the serial run's, and stderr says which copy was
/// left out and why.
#[test]
fn a_copy_that_fails_or_differs_in_describe_runs_no_case() {
    let dir = scratch("left-out");
    let slow = [("C169_PROXY_DELAY_MS", "20".to_owned())];
    let serial = run(&dir.join("one"), "1", &dir.join("one.starts"), &slow);
    let first_only = format!(
        "sh {}",
        repo()
            .join("harness/cli/tests/fixtures/first-only.sh")
            .display()
    );
    for (later, why) in [
        (
            "exit",
            "copy 2 of 2: describe failed: the adapter ended (exit code 7)",
        ),
        (
            "differ",
            "copy 2 of 2: its describe differs from the first copy's",
        ),
    ] {
        let report = dir.join(later);
        let out = c169_with(
            &[
                "run",
                "--jobs",
                "2",
                "--tags",
                TAGS,
                "--adapter-cmd",
                &first_only,
                "--report-dir",
                report.to_str().unwrap(),
            ],
            &[
                slow[0].clone(),
                ("C169_LATER", later.to_owned()),
                (
                    "C169_FIRST",
                    dir.join(format!("{later}.first"))
                        .to_str()
                        .unwrap()
                        .to_owned(),
                ),
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{later}: {}", text(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("c169: --jobs: {why}")),
            "{later}: {stderr}"
        );
        let mut got = stable(&report);
        // The label is the command, which differs from the serial run's.
        got["implementation"]["label"] = serial["implementation"]["label"].clone();
        got["run"]["options"] = serial["run"]["options"].clone();
        assert!(got == serial, "{later}: the serial report, times apart");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
