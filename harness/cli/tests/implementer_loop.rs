//! The implementer's loop: from a failing case to a fix. `c169 replay` shows one
//! case as the rig runs it, `c169 diff` sets the old and new answer side by side,
//! and `c169 run` refuses what would waste a run before it starts.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)] // tests

use serde_json::Value as Json;
use std::io::Write as _;
use std::process::{Command, Stdio};

mod common;

use common::{c169, c169_with, repo, scratch, text};

/// A valid vector every decoder that reads Base45 and verifies EdDSA must accept.
const VALID: &str = "alg-ed25519-a-face";

/// The test adapter that answers every decode with a rejection at base45.
fn rejecting() -> (String, Vec<(&'static str, String)>) {
    let cmd = format!(
        "python3 {}",
        repo().join("harness/cli/tests/fixtures/proxy.py").display()
    );
    (cmd, vec![("C169_PROXY_REJECT", "1".to_owned())])
}

#[test]
fn replay_shows_the_lines_the_replies_and_the_verdict() {
    let out = c169(&["replay", VALID]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let sent: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("→ "))
        .collect();
    let read: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("← "))
        .collect();
    // describe, then the case's decode; each line is one JSON object.
    assert!(sent.len() >= 2, "{stdout}");
    let decode: Json = serde_json::from_str(sent.last().unwrap()).unwrap();
    assert_eq!(decode["op"], "decode", "{stdout}");
    assert!(decode["qr"].as_str().is_some_and(|q| !q.is_empty()));
    let reply: Json = serde_json::from_str(read.last().unwrap()).unwrap();
    assert_eq!(reply["verdict"], "accept", "{stdout}");
    assert!(stdout.contains("expected: valid"), "{stdout}");
    assert!(stdout.contains("observed: accept"), "{stdout}");
    assert!(stdout.contains("status: pass"), "{stdout}");
    assert!(
        stdout.contains(&format!("c169 run --vector {VALID} --verbose")),
        "{stdout}"
    );
}

#[test]
fn request_only_lines_can_be_fed_to_an_adapter_by_hand() {
    let out = c169(&["replay", VALID, "--request-only"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let lines = String::from_utf8(out.stdout).unwrap();
    assert_eq!(lines.lines().count(), 1, "{lines}");
    let request: Json = serde_json::from_str(lines.trim_end()).unwrap();
    assert_eq!(request["op"], "decode");
    // The same line, piped into the reference served on stdin and stdout.
    let mut child = Command::new(env!("CARGO_BIN_EXE_c169"))
        .args(["adapter", "stdio"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(lines.as_bytes())
        .unwrap();
    let answer = child.wait_with_output().unwrap();
    let reply: Json = serde_json::from_slice(&answer.stdout).unwrap();
    assert_eq!(reply["verdict"], "accept", "{reply}");
    assert_eq!(reply["id"], request["id"]);
}

#[test]
fn replay_of_a_failing_case_exits_1_with_both_answers() {
    let (cmd, env) = rejecting();
    let mut args = vec!["replay", VALID, "--adapter-cmd", &cmd];
    let out = c169_with(&args, &env);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("observed: reject at base45 (code proxy.rejects_all)"),
        "{stdout}"
    );
    assert!(stdout.contains("status: fail"), "{stdout}");
    assert!(stdout.contains("--adapter-cmd 'python3 "), "{stdout}");
    // --request-only asks the adapter's describe too: the lines carry the keys it can use.
    args.push("--request-only");
    let out = c169_with(&args, &env);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let request: Json = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!request["keys"]["verify"].as_array().unwrap().is_empty());
}

#[test]
fn replay_of_a_scenario_runs_its_steps() {
    let cases = c169_corpus::features::scenario_cases(&repo().join("features")).unwrap();
    let id = &cases.first().unwrap().id;
    let out = c169(&["replay", id]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with(&format!("scenario {id}: ")), "{stdout}");
    assert!(stdout.contains("status: pass"), "{stdout}");
}

#[test]
fn an_unknown_id_is_a_usage_error_naming_the_nearest() {
    let out = c169(&["replay", "alg-ed25519-a-fac"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("\"alg-ed25519-a-fac\"") && err.contains(VALID),
        "{err}"
    );
}

#[test]
fn bad_ids_and_expectations_are_refused_before_the_run() {
    let dir = scratch("loop", "upfront");
    let report = dir.join("report");
    let exp = dir.join("expectations.yaml");
    std::fs::write(
        &exp,
        "known_failures:\n  - case: no-such-case\n    reason: misspelt\n",
    )
    .unwrap();
    for (extra, says) in [
        (
            vec!["--expectations", exp.to_str().unwrap()],
            "field `known_failures[].case`",
        ),
        (vec!["--vector", "scenario-no-such-thing"], "--vector"),
        (vec!["--tags", "@must and and"], "--tags"),
        (vec!["--adapter", "no-such-peer"], "--adapter"),
    ] {
        let mut args = vec!["run", "--report-dir", report.to_str().unwrap()];
        args.extend(extra);
        let out = c169(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        assert!(text(&out).contains(says), "{args:?}: {}", text(&out));
        // Refused before the run: nothing was written.
        assert!(!report.exists(), "{args:?} wrote a report");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn another_implementations_report_is_not_overwritten_silently() {
    let dir = scratch("loop", "overwrite");
    let report = dir.join("report");
    let r = report.to_str().unwrap();
    let (cmd, env) = rejecting();
    let base = ["run", "--vector", VALID, "--no-features", "--report-dir", r];
    let out = c169(&base);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let before = std::fs::read(report.join("results.json")).unwrap();
    let mut other: Vec<&str> = base.to_vec();
    other.extend(["--adapter-cmd", &cmd]);
    let out = c169_with(&other, &env);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("holds the report of"), "{}", text(&out));
    assert_eq!(std::fs::read(report.join("results.json")).unwrap(), before);
    other.push("--overwrite");
    let out = c169_with(&other, &env);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    // The same implementation again replaces its own report without a word.
    let out = c169_with(&other[..other.len() - 1], &env);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn diff_sets_the_old_and_the_new_answer_side_by_side() {
    let dir = scratch("loop", "diff");
    let (before, after) = (dir.join("before"), dir.join("after"));
    let (cmd, env) = rejecting();
    let run = |to: &std::path::Path, env: &[(&str, String)]| {
        c169_with(
            &[
                "run",
                "--vector",
                VALID,
                "--no-features",
                "--adapter-cmd",
                &cmd,
                "--report-dir",
                to.to_str().unwrap(),
            ],
            env,
        )
    };
    assert_eq!(run(&before, &env).status.code(), Some(1));
    // "Fixed": the same adapter without its bug.
    assert_eq!(run(&after, &[]).status.code(), Some(0));
    let out = c169(&[
        "diff",
        before.join("results.json").to_str().unwrap(),
        after.join("results.json").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("newly passing: 1"), "{stdout}");
    let verdict = stdout
        .lines()
        .find(|l| l.contains("≠ verdict"))
        .unwrap_or_default();
    assert!(
        verdict.contains("reject") && verdict.contains("│ accept"),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.contains("≠ stage") && l.contains("base45")),
        "{stdout}"
    );
    // The JSON form carries both answers too.
    let out = c169(&[
        "diff",
        "--json",
        before.join("results.json").to_str().unwrap(),
        after.join("results.json").to_str().unwrap(),
    ]);
    let d: Json = serde_json::from_slice(&out.stdout).unwrap();
    let change = &d["newly_passing"][0];
    assert_eq!(change["old_answer"]["verdict"], "reject");
    assert_eq!(change["new_answer"]["verdict"], "accept");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fuzz_takes_an_adapter_program_and_says_where_candidates_go() {
    let dir = scratch("loop", "fuzz");
    let c169_bin = env!("CARGO_BIN_EXE_c169");
    let cmd = format!("{c169_bin} adapter stdio");
    let out = c169(&[
        "fuzz",
        "--adapter-cmd",
        &cmd,
        "--cases",
        "20",
        "--seed",
        "3",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    // The reference against itself: no disagreement, and the summary's place is printed.
    assert!(stdout.contains("0 disagree"), "{stdout}");
    let summary = stdout
        .lines()
        .find_map(|l| l.strip_prefix("summary: "))
        .unwrap();
    assert!(std::path::Path::new(summary).is_file(), "{stdout}");
    let help = c169(&["fuzz", "--help"]);
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("--adapter-url") && help.contains("summary.json"),
        "{help}"
    );
    let out = c169(&["fuzz", "--cases", "1"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_report_dir_default_is_in_the_help_and_the_readme() {
    let help = c169(&["run", "--help"]);
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("[default: reports/local]"), "{help}");
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    assert!(readme.contains("by default `reports/local/`"));
}
