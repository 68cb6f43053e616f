//! `c169 run` as a release gate: each exit code, expectations files, `c169 diff`,
//! `--shard` with `c169 report merge`, and Ctrl-C.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)] // tests

use serde_json::Value as Json;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

mod common;

use common::{c169, c169_with, repo, text};

/// The proxy adapter of `tests/fixtures/proxy.py`: the reference, slowed or garbled.
fn proxy() -> String {
    format!(
        "python3 {}",
        repo().join("harness/cli/tests/fixtures/proxy.py").display()
    )
}

fn scratch(name: &str) -> PathBuf {
    common::scratch("gate", name)
}

fn results(dir: &Path) -> Json {
    c169_model::deep::from_slice(&std::fs::read(dir.join("results.json")).unwrap()).unwrap()
}

/// A small run: the vectors and scenarios of three zlib requirements.
const TAGS: &str = "@C169-ZLIB-004 or @C169-ZLIB-011 or @C169-ZLIB-003";

fn small_run(dir: &Path, extra: &[&str]) -> Output {
    small_run_with(dir, extra, &[])
}

fn small_run_with(dir: &Path, extra: &[&str], envs: &[(&str, String)]) -> Output {
    // One adapter process: the proxy garbles its first answer, and which case that
    // is must not depend on which of several copies answers first.
    let mut args = vec![
        "run",
        "--jobs",
        "1",
        "--tags",
        TAGS,
        "--report-dir",
        dir.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    c169_with(&args, envs)
}

/// The proxy's environment to garble the first decode answer once, with its mark in `dir`.
fn garble_once(dir: &Path) -> [(&'static str, String); 1] {
    let mark = dir.join(format!(
        "garbled-{}",
        GARBLES.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    ));
    [("C169_PROXY_GARBLE_MARK", mark.to_str().unwrap().to_owned())]
}

static GARBLES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

#[test]
fn exit_0_when_conformant_with_every_format_written() {
    let dir = scratch("ok");
    let out = small_run(&dir, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let r = results(&dir);
    assert_eq!(r["gate"]["verdict"], "conformant");
    assert!(r["summary"]["vectors"]["passed"].as_u64().unwrap() > 0);
    assert!(r["summary"]["scenarios"]["passed"].as_u64().unwrap() > 0);
    for f in [
        "results.json",
        "junit.xml",
        "cucumber.json",
        "summary.md",
        "report.html",
    ] {
        assert!(dir.join(f).is_file(), "{f}");
    }
    // Only the formats asked for.
    let only = scratch("only");
    let out = small_run(&only, &["--format", "json,md"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(only.join("summary.md").is_file() && !only.join("report.html").exists());
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&only);
}

#[test]
fn exit_1_on_failures_at_or_above_the_gate_and_on_stale_expectations() {
    let dir = scratch("fail");
    // An adapter that answers the first decode with garbage: a MUST case gets no answer.
    let proxy = proxy();
    let out = small_run_with(
        &dir,
        &["--no-features", "--adapter-cmd", &proxy],
        &garble_once(&dir),
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let r = results(&dir);
    assert_eq!(r["gate"]["verdict"], "failed");
    assert_eq!(r["summary"]["all"]["errors"], 1);
    let failing = r["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["status"] == "error")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Recorded as known, the same failure no longer fails the run …
    let exp = dir.join("expectations.yaml");
    std::fs::write(
        &exp,
        format!("known_failures:\n  - case: {failing}\n    reason: garbles its first answer\n    link: https://example.invalid/1\n"),
    )
    .unwrap();
    let out = small_run_with(
        &dir,
        &[
            "--no-features",
            "--expectations",
            exp.to_str().unwrap(),
            "--adapter-cmd",
            &proxy,
        ],
        &garble_once(&dir),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let r = results(&dir);
    assert_eq!(r["summary"]["known_failures"], 1);
    assert_eq!(r["gate"]["verdict"], "conformant");

    // … and once it passes, the stale entry fails the run until it is removed.
    let out = small_run(
        &dir,
        &[
            "--no-features",
            "--expectations",
            exp.to_str().unwrap(),
            // The report of the proxy's run is replaced by the reference's.
            "--overwrite",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let r = results(&dir);
    assert_eq!(r["summary"]["stale_expectations"], 1);
    assert!(text(&out).contains("remove them from the expectations file"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fail_on_sets_the_level_that_fails_the_run() {
    let dir = scratch("failon");
    let proxy = proxy();
    // The vectors of C169-SEC-019 rest on no text (the strict profile, observed
    // behaviour): one of them gets no usable answer, which fails the run at every level (the crash rule: a
    // malformed answer is never conformant); the level of a failure against a text
    // decides otherwise (c169-report's tests/grading.rs).
    for (level, code) in [("must", 1), ("should", 1), ("any", 1)] {
        let out = c169_with(
            &[
                "run",
                "--jobs",
                "1",
                "--tags",
                "@C169-SEC-019",
                "--no-features",
                "--fail-on",
                level,
                "--adapter-cmd",
                &proxy,
                "--report-dir",
                dir.to_str().unwrap(),
            ],
            &garble_once(&dir),
        );
        assert_eq!(out.status.code(), Some(code), "{level}: {}", text(&out));
        let r = results(&dir);
        assert_eq!(r["gate"]["fail_on"], level);
        assert_eq!(r["summary"]["all"]["errors"], 1);
    }
    let out = small_run(&dir, &["--fail-on", "sometimes"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("--fail-on"), "{}", text(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn exit_2_for_bad_flags_and_bad_configuration_files() {
    let dir = scratch("usage");
    let out = small_run(&dir, &["--shard", "0/3"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("K/N"), "{}", text(&out));
    let out = small_run(&dir, &["--format", "json,pdf"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("pdf"), "{}", text(&out));
    // An expectations file with a misspelt field: the file, the entry and the field are named.
    let exp = dir.join("broken.yaml");
    std::fs::write(
        &exp,
        "known_failures:\n  - case: x\n    reason: y\n    url: z\n",
    )
    .unwrap();
    let out = small_run(&dir, &["--expectations", exp.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out);
    assert!(
        err.contains("broken.yaml") && err.contains("known_failures[0]") && err.contains("url"),
        "{err}"
    );
    // A known failure naming no case of the suite, in an unfiltered run, is a typo.
    std::fs::write(
        &exp,
        "known_failures:\n  - {case: no-such-vector, reason: typo}\n",
    )
    .unwrap();
    let out = c169(&[
        "run",
        "--expectations",
        exp.to_str().unwrap(),
        "--report-dir",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("no-such-vector"), "{}", text(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn exit_3_when_the_report_cannot_be_written() {
    let dir = scratch("unwritable");
    let file = dir.join("a-file");
    std::fs::write(&file, "not a folder").unwrap();
    let out = small_run(&file.join("reports"), &["--no-features"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(
        text(&out).contains("cannot write the report"),
        "{}",
        text(&out)
    );
    // Found before the run: no case ran.
    assert!(!text(&out).contains("running"), "{}", text(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn diff_shows_what_changed_and_exits_1_on_a_regression() {
    let dir = scratch("diff");
    let old = dir.join("old");
    let out = small_run(&old, &["--no-features"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let mut new: Json = results(&old);
    new["cases"][0]["status"] = "fail".into();
    new["cases"][0]["reason"] = "it broke".into();
    new["cases"][1]["observed"]["digest"] = "f".repeat(64).into();
    let id0 = new["cases"][0]["id"].as_str().unwrap().to_owned();
    let id1 = new["cases"][1]["id"].as_str().unwrap().to_owned();
    let new_path = dir.join("new.json");
    std::fs::write(&new_path, serde_json::to_vec(&new).unwrap()).unwrap();
    let old_path = old.join("results.json");
    let out = c169(&[
        "diff",
        old_path.to_str().unwrap(),
        new_path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let shown = text(&out);
    assert!(
        shown.contains("newly failing: 1") && shown.contains(&id0),
        "{shown}"
    );
    assert!(
        shown.contains("answer changed: 1") && shown.contains(&id1),
        "{shown}"
    );
    // Back the other way: newly passing, no regression.
    let out = c169(&[
        "diff",
        "--json",
        new_path.to_str().unwrap(),
        old_path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let d: Json = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(d["newly_passing"][0]["id"], id0.as_str());
    // Not a report: the file and the field are named.
    std::fs::write(
        dir.join("bad.json"),
        r#"{"format": "c169-report/1", "suite": 3}"#,
    )
    .unwrap();
    let out = c169(&[
        "diff",
        old_path.to_str().unwrap(),
        dir.join("bad.json").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("bad.json") && text(&out).contains("suite"),
        "{}",
        text(&out)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn shards_merged_equal_the_unsharded_run() {
    let dir = scratch("shards");
    let whole = dir.join("whole");
    assert_eq!(small_run(&whole, &[]).status.code(), Some(0));
    let mut parts = Vec::new();
    for k in 1..=3 {
        let part = dir.join(format!("part{k}"));
        let out = small_run(&part, &["--shard", &format!("{k}/3")]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        parts.push(part.join("results.json").to_str().unwrap().to_owned());
    }
    let merged = dir.join("merged");
    let mut args = vec!["report", "merge", "--report-dir", merged.to_str().unwrap()];
    args.extend(parts.iter().map(String::as_str));
    let out = c169(&args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let strip = |mut r: Json| {
        r["run"]["started"] = Json::Null;
        r["run"]["duration_ms"] = Json::Null;
        for c in r["cases"].as_array_mut().unwrap() {
            c["duration_ms"] = Json::Null;
            for s in c["steps"].as_array_mut().into_iter().flatten() {
                s["duration_ms"] = Json::Null;
            }
        }
        r
    };
    assert_eq!(strip(results(&merged)), strip(results(&whole)));
    for f in ["junit.xml", "report.html"] {
        assert!(merged.join(f).is_file());
    }
    // Two copies of one shard do not make a whole run.
    let out = c169(&[
        "report",
        "merge",
        "--report-dir",
        merged.to_str().unwrap(),
        &parts[0],
        &parts[0],
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("given twice"), "{}", text(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ctrl_c_and_sigterm_leave_a_partial_report_marked_incomplete() {
    use nix::sys::signal::Signal;
    // Ctrl-C at a terminal; SIGTERM is what a CI system sends when it cancels a job.
    for signal in [Signal::SIGINT, Signal::SIGTERM] {
        let dir = scratch(&format!("signal-{signal}"));
        let under_way = dir.with_extension("answered");
        let _ = std::fs::remove_file(&under_way);
        let slow = proxy();
        let child = Command::new(env!("CARGO_BIN_EXE_c169"))
            .args([
                "run",
                "--no-features",
                "--adapter-cmd",
                &slow,
                "--report-dir",
                dir.to_str().unwrap(),
            ])
            .current_dir(repo())
            .env("CI", "1")
            .env("C169", env!("CARGO_BIN_EXE_c169"))
            .env("C169_PROXY_DELAY_MS", "20")
            .env("C169_PROXY_ANSWERED", &under_way)
            .env("C169_PROXY_ANSWERED_AT", "10")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Wait until some cases have run (the proxy answers every 20 ms and says
        // when it has answered 10 decodes), however slow the machine.
        let waiting = Instant::now();
        while !under_way.exists() {
            assert!(
                waiting.elapsed() < Duration::from_mins(2),
                "{signal}: the run answered no 10 decodes in 120 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(100));
        let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).unwrap());
        nix::sys::signal::kill(pid, signal).unwrap();
        let started = Instant::now();
        let out = child.wait_with_output().unwrap();
        assert!(started.elapsed() < Duration::from_secs(10));
        assert_eq!(out.status.code(), Some(130), "{signal}: {}", text(&out));
        let r = results(&dir);
        assert_eq!(r["run"]["complete"], false, "{signal}");
        assert_eq!(r["gate"]["verdict"], "incomplete", "{signal}");
        let n = r["cases"].as_array().unwrap().len();
        assert!(n > 0 && n < 600, "{signal}: {n} cases, of some 600 vectors");
        assert!(std::fs::read_to_string(dir.join("report.html"))
            .unwrap()
            .contains("interrupted"));
        // JUnit says so too, as an errored case a CI dashboard shows.
        let junit = std::fs::read_to_string(dir.join("junit.xml")).unwrap();
        assert!(
            junit.contains("incomplete-run") && junit.contains("<error"),
            "{signal}: {junit}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// A run that selects no case has no verdict: exit 2, a message naming what
/// selected nothing, and no report that could read as a pass.
#[test]
fn a_run_that_tests_nothing_exits_2_and_writes_no_report() {
    let dir = scratch("nothing");
    let report = dir.join("report");
    let d = report.to_str().unwrap();
    // An empty vectors folder beside a catalogue.
    let empty = dir.join("empty/vectors");
    std::fs::create_dir_all(&empty).unwrap();
    std::fs::create_dir_all(dir.join("empty/features")).unwrap();
    std::fs::copy(
        repo().join("features/requirements.yaml"),
        dir.join("empty/features/requirements.yaml"),
    )
    .unwrap();
    // One vector falls in one of two shards: the other selects nothing.
    let other = ["1/2", "2/2"]
        .into_iter()
        .find(|s| {
            let part: c169_report::ShardId = s.parse().unwrap();
            !part.holds("b45-bad-char-comma")
        })
        .unwrap();
    let shard_says = format!("--shard {other}");
    let cases: [(&[&str], &str); 3] = [
        (
            &["--tags", "@C169-NO-SUCH-999"],
            "--tags \"@C169-NO-SUCH-999\"",
        ),
        (
            &[
                "--vector",
                "b45-bad-char-comma",
                "--shard",
                other,
                "--no-features",
            ],
            &shard_says,
        ),
        (
            &["--vectors", empty.to_str().unwrap(), "--no-features"],
            "holds no vector",
        ),
    ];
    for (extra, says) in cases {
        let mut args = vec!["run", "--report-dir", d];
        args.extend_from_slice(extra);
        let out = c169(&args);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {}", text(&out));
        assert!(
            text(&out).contains(says) && text(&out).contains("nothing was tested"),
            "{}",
            text(&out)
        );
        assert!(!report.join("results.json").exists() && !report.join("junit.xml").exists());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--timeout` outside 1 to 3600 seconds, and an `--adapter-url` that is not an
/// http URL, are usage errors: nothing is started, nothing panics.
#[test]
fn out_of_range_timeouts_and_non_http_urls_are_usage_errors() {
    for t in ["0", "3601", "18446744073709551615", "-1", "ten"] {
        let flag = format!("--timeout={t}");
        let out = c169(&["run", &flag, "--vector", "b45-bad-char-comma"]);
        assert_eq!(out.status.code(), Some(2), "--timeout {t}: {}", text(&out));
        assert!(text(&out).contains("--timeout"), "{}", text(&out));
        assert!(!text(&out).contains("panicked"), "{}", text(&out));
    }
    let marker = std::env::temp_dir().join(format!("c169-url-ran-{}", std::process::id()));
    let url = format!("touch {}", marker.display());
    let out = c169(&[
        "run",
        "--adapter-url",
        &url,
        "--vector",
        "b45-bad-char-comma",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("--adapter-url") && text(&out).contains("not an http:// URL"),
        "{}",
        text(&out)
    );
    assert!(!marker.exists(), "the URL was run as a program");
}
