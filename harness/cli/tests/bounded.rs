//! Every file and stream `c169` reads is bounded (issue 15): `/dev/zero`, a FIFO
//! with no writer, a file past its limit, deeply nested YAML and a standard input
//! that never closes each end quickly, with exit 2 and a message that names the
//! input and the bound.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)] // tests

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

mod common;

use common::{c169, repo, text};

/// `exit::USAGE`: an input that cannot be read is the caller's to fix.
const USAGE: i32 = 2;

/// How long a refusal may take at most (debug build, busy machine); a read of
/// `/dev/zero` or a blocked FIFO would take far longer.
const QUICK: Duration = Duration::from_secs(20);

fn scratch(name: &str) -> PathBuf {
    common::scratch("bounded", name)
}

/// A FIFO that nobody writes: opening it to read would block.
fn fifo(dir: &Path) -> PathBuf {
    let path = dir.join("fifo");
    nix::unistd::mkfifo(&path, nix::sys::stat::Mode::S_IRWXU).unwrap();
    path
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs `c169 args…`, and checks that it exited 2, quickly, saying every one of `says`.
fn refused(args: &[&str], says: &[&str]) -> Output {
    let start = Instant::now();
    let out = c169(args);
    let took = start.elapsed();
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(USAGE), "{args:?}: {shown}");
    assert!(took < QUICK, "{args:?} took {took:?}");
    for s in says {
        assert!(shown.contains(s), "{args:?}: expected {s:?} in {shown}");
    }
    out
}

/// Runs `c169 args…` with standard input from `stdin`, with `C169_STDIN_SECONDS`.
fn with_stdin(args: &[&str], stdin: Stdio, seconds: &str) -> (Output, Duration) {
    let start = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_c169"))
        .args(args)
        .current_dir(repo())
        .env("CI", "1")
        .env("C169_STDIN_SECONDS", seconds)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (out, start.elapsed())
}

#[test]
fn dev_zero_is_refused_as_every_kind_of_input() {
    let zero = "/dev/zero";
    let device = "/dev/zero: not a regular file (a character device)";
    refused(&["decode", "--image", zero], &[device, "a PNG image"]);
    refused(&["qr", "scan", zero], &[device, "a PNG image"]);
    refused(&["decode", "--key", zero, "NCF"], &[device, "a key file"]);
    refused(&["encode", zero], &[device, "an encode input document"]);
    refused(&["diff", zero, zero], &[device, "a report file"]);
    refused(&["report", "render", zero], &[device, "a report file"]);
    refused(
        &[
            "run",
            "--expectations",
            zero,
            "--report-dir",
            s(&scratch("zero")),
        ],
        &[device, "an expectations file"],
    );
}

#[test]
fn a_fifo_without_a_writer_is_refused_without_blocking() {
    let dir = scratch("fifo");
    let f = fifo(&dir);
    let f = s(&f);
    let says = ": not a regular file (a FIFO)";
    refused(&["decode", "--image", f], &[says]);
    refused(&["qr", "scan", f], &[says]);
    refused(&["decode", "--key", f, "NCF"], &[says, "a key file"]);
    refused(&["encode", f], &[says]);
    refused(&["diff", f, f], &[says, "a report file"]);
    refused(&["report", "merge", f, "--report-dir", s(&dir)], &[says]);
    refused(
        &[
            "run",
            "--expectations",
            f,
            "--report-dir",
            s(&dir.join("r")),
        ],
        &[says, "an expectations file"],
    );
    // A directory is no better.
    refused(
        &["diff", s(&dir), s(&dir)],
        &[": not a regular file (a directory)"],
    );
}

#[test]
fn a_file_past_its_limit_is_refused_naming_the_file_and_the_limit() {
    let dir = scratch("large");
    let key = dir.join("big.jwk.json");
    std::fs::write(&key, vec![b' '; (1 << 20) + 1]).unwrap();
    refused(
        &["decode", "--key", s(&key), "NCF"],
        &["big.jwk.json: larger than 1 MiB, the limit for a key file"],
    );
    let expectations = dir.join("expectations.yaml");
    let mut yaml = b"known_failures: []\n".to_vec();
    yaml.resize((4 << 20) + 1, b'#');
    std::fs::write(&expectations, yaml).unwrap();
    refused(
        &[
            "run",
            "--expectations",
            s(&expectations),
            "--report-dir",
            s(&dir),
        ],
        &["expectations.yaml: larger than 4 MiB, the limit for an expectations file"],
    );
}

#[test]
fn deeply_nested_yaml_is_refused_before_it_is_parsed() {
    // 100 000 levels: about a minute of serde_yaml_ng's time, were it parsed.
    let dir = scratch("deep");
    let n = 100_000;
    let deep = format!("known_failures: {}{}\n", "[".repeat(n), "]".repeat(n));
    let expectations = dir.join("deep.yaml");
    std::fs::write(&expectations, &deep).unwrap();
    refused(
        &[
            "run",
            "--expectations",
            s(&expectations),
            "--report-dir",
            s(&dir),
        ],
        &["deep.yaml: the YAML nests more than 64 levels deep (at line 1, column 80)"],
    );
    let input = dir.join("deep-input.yaml");
    std::fs::write(&input, format!("claim169: {}", "{a: ".repeat(n))).unwrap();
    refused(
        &["encode", s(&input)],
        &["deep-input.yaml", "more than 64 levels deep"],
    );
}

#[test]
fn an_alias_bomb_is_refused_before_it_is_built() {
    let dir = scratch("aliases");
    let reason = "x".repeat(1 << 20);
    let bomb = format!(
        "known_failures: [&e {{case: a, reason: {reason}}}, {}]\n",
        vec!["*e"; 1 << 16].join(", ")
    );
    let expectations = dir.join("bomb.yaml");
    std::fs::write(&expectations, bomb).unwrap();
    refused(
        &[
            "run",
            "--expectations",
            s(&expectations),
            "--report-dir",
            s(&dir),
        ],
        &["bomb.yaml: the YAML expands, its aliases repeated, to more than"],
    );
}

#[test]
fn standard_input_is_bounded_in_size_and_in_time() {
    let zero = std::fs::File::open("/dev/zero").unwrap();
    let (out, took) = with_stdin(&["decode", "-"], Stdio::from(zero), "60");
    assert_eq!(out.status.code(), Some(USAGE), "{}", text(&out));
    assert!(took < QUICK, "{took:?}");
    assert!(
        text(&out).contains("standard input: larger than 16 MiB, the limit for a QR text"),
        "{}",
        text(&out)
    );
    // Never closed: `Stdio::piped()` with the writing end kept open by this test
    // until the command has ended.
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_c169"))
        .args(["decode", "-"])
        .current_dir(repo())
        .env("C169_STDIN_SECONDS", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let held_open = child.stdin.take();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > QUICK {
            child.kill().unwrap();
            panic!("c169 decode - still waits for standard input after {QUICK:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let took = start.elapsed();
    drop(held_open);
    let out = child.wait_with_output().unwrap();
    assert_eq!(status.code(), Some(USAGE), "{}", text(&out));
    assert!(took >= Duration::from_secs(1), "{took:?}");
    assert!(
        text(&out).contains("standard input: did not end within 1 s"),
        "{}",
        text(&out)
    );
    // And a text that does end is read as before: decoded, and rejected.
    let mut child = Command::new(env!("CARGO_BIN_EXE_c169"))
        .args(["decode", "--json", "-"])
        .current_dir(repo())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), b"NCF\n").unwrap();
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("\"verdict\":\"reject\""),
        "{}",
        text(&out)
    );
}
