//! The command line as a user meets it: exit codes, JSON output, error messages.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)] // tests

use serde_json::Value as Json;
use std::process::Command;

mod common;

use common::{c169, repo};

fn qr_of(vector: &str) -> String {
    let v: Json =
        c169_model::deep::from_slice(&std::fs::read(repo().join(vector)).unwrap()).unwrap();
    v["qr"].as_str().unwrap().to_owned()
}

#[test]
fn decode_json_prints_one_outcome_object_and_exits_0_on_accept() {
    let qr = qr_of("vectors/external/idpass/idpass-ed25519-signed.json");
    let out = c169(&[
        "decode",
        "--json",
        "--now",
        "1760000000",
        "--key",
        "vectors/keys/idpass-ed25519-signed-sign.jwk.json",
        &qr,
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1);
    let o: Json = serde_json::from_str(&stdout).unwrap();
    assert_eq!(o["verdict"], "accept");
    assert_eq!(o["verified"], true);
    assert_eq!(o["claim169"]["4"], "Signed Test Person");
    assert_eq!(o["identity"]["fields"]["fullName"], "Signed Test Person");
    assert_eq!(o["cose"]["alg"], -8);
}

#[test]
fn decode_exits_1_on_reject_with_stage_and_code() {
    let out = c169(&[
        "decode",
        "--json",
        "--now",
        "1760000000",
        "THIS!IS@NOT#VALID$BASE45%DATA",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let o: Json = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (
            o["verdict"].as_str(),
            o["stage"].as_str(),
            o["code"].as_str()
        ),
        (
            Some("reject"),
            Some("base45"),
            Some("base45.invalid_character")
        )
    );
    // Standard input works too, and a trailing newline is not part of the text.
    let mut child = Command::new(env!("CARGO_BIN_EXE_c169"))
        .args(["decode", "--now", "1760000000", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let qr = qr_of("vectors/external/idpass/idpass-minimal.json");
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), format!("{qr}\n").as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("signature NOT verified"));
}

#[test]
fn usage_errors_exit_2_and_name_what_is_wrong() {
    let out = c169(&["decode", "--now", "yesterday", "x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--now"));
    let out = c169(&["decode", "--key", "no/such/key.jwk", "x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/key.jwk"));
    let dir = std::env::temp_dir().join(format!("c169-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.jwk.json");
    std::fs::write(&bad, r#"{"kty": "OKP", "crv": "Ed25519", "x": "AAAA"}"#).unwrap();
    let out = c169(&["decode", "--key", bad.to_str().unwrap(), "x"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(err.contains("bad.jwk.json") && err.contains('x'), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn encode_then_decode_round_trips_through_the_command_line() {
    let dir = std::env::temp_dir().join(format!("c169-cli-enc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let doc = dir.join("identity.yaml");
    let key = repo().join("vectors/keys/idpass-ed25519-signed-sign.jwk.json");
    std::fs::write(
        &doc,
        format!(
            "claim169:\n  id: \"42\"\n  fullName: Ada Lovelace\n  gender: Female\n  face: [{{data: \"ffd8\", format: 0, subFormat: 1}}]\ncwt: {{iss: https://issuer.example, exp: 1800000000, iat: 1700000000}}\nsign: {{jwk: {}, kid: k-1}}\n",
            key.display()
        ),
    )
    .unwrap();
    let out = c169(&["encode", doc.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let qr = String::from_utf8(out.stdout).unwrap().trim_end().to_owned();
    let out = c169(&[
        "decode",
        "--json",
        "--now",
        "1760000000",
        "--key",
        key.to_str().unwrap(),
        &qr,
    ]);
    let o: Json = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(o["verified"], true);
    assert_eq!(o["claim169"]["9"], 2);
    assert_eq!(o["claim169"]["62"][0]["0"]["bstr"], "ffd8");
    assert_eq!(o["cose"]["kid"]["bstr"], "6b2d31");
    // A misspelt attribute is an error that names it.
    std::fs::write(&doc, "claim169: {fulName: x}\n").unwrap();
    let out = c169(&["encode", doc.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("fulName"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn inspect_shows_every_stage_and_where_it_stops() {
    let qr = qr_of("vectors/external/spec/spec-worked-example-tag61.json");
    let out = c169(&["inspect", "--now", "1760000000", &qr]);
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "2. base45",
        "3. zlib",
        "61(18([h'a10127', {4: h'6b2d31313031'}",
        "7. claims",
        "=> accepted",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    let out = c169(&["inspect", "--now", "1760000000", "6BFOXN*TS0BI$ZD8UHGJL"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .contains("=> stops at stage"));
}

#[test]
fn run_writes_a_whole_report_and_exits_0() {
    let dir = std::env::temp_dir().join(format!("c169-cli-run-{}", std::process::id()));
    let out = c169(&["run", "--report-dir", dir.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let report: Json =
        c169_model::deep::from_slice(&std::fs::read(dir.join("results.json")).unwrap()).unwrap();
    assert_eq!(report["summary"]["all"]["failed"], 0);
    assert_eq!(
        report["summary"]["all"]["total"],
        report["cases"].as_array().unwrap().len()
    );
    for f in ["junit.xml", "cucumber.json", "summary.md", "report.html"] {
        assert!(dir.join(f).is_file(), "{f} not written");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn run_against_an_external_adapter_skips_what_it_does_not_claim() {
    // python3 is a prerequisite (README): a test that cannot run fails, never passes.
    assert!(
        Command::new("python3").arg("--version").output().is_ok(),
        "python3 is not installed: the walkthrough adapter cannot be run (README, Prerequisites)"
    );
    let dir = std::env::temp_dir().join(format!("c169-cli-run-py-{}", std::process::id()));
    let out = c169(&[
        "run",
        "--adapter-cmd",
        // A compound command, as a user would write one: it runs as written.
        "cd adapters/examples/python && python3 c169_adapter.py",
        "--report-dir",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let report: Json =
        c169_model::deep::from_slice(&std::fs::read(dir.join("results.json")).unwrap()).unwrap();
    assert_eq!(report["implementation"]["describe"]["name"], "tiny-python");
    let cases = report["cases"].as_array().unwrap();
    let skipped: Vec<&Json> = cases.iter().filter(|c| c["status"] == "skip").collect();
    assert!(!skipped.is_empty() && skipped.len() < cases.len());
    assert!(skipped
        .iter()
        .all(|c| c["reason"].as_str().unwrap().starts_with("not run: ")));
    assert_eq!(report["summary"]["all"]["failed"], 0);
    assert_eq!(report["summary"]["all"]["errors"], 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_adapter_that_dies_at_start_is_a_rig_failure_with_a_whole_report() {
    let dir = std::env::temp_dir().join(format!("c169-cli-run-dead-{}", std::process::id()));
    let out = c169(&[
        "run",
        "--adapter-cmd",
        "exit 0",
        "--timeout",
        "2",
        "--report-dir",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let report: Json =
        c169_model::deep::from_slice(&std::fs::read(dir.join("results.json")).unwrap()).unwrap();
    let cases = report["cases"].as_array().unwrap();
    assert!(!cases.is_empty());
    assert!(cases.iter().all(|c| c["status"] == "error"
        && c["reason"]
            .as_str()
            .unwrap()
            .starts_with("not run: describe failed")));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A reader that closes the pipe after the first line (`| head -1`) ends the
/// output, not the program: no panic, and the command's own exit code.
#[test]
fn a_closed_output_pipe_is_no_panic() {
    use std::io::{BufRead as _, BufReader, Read as _};
    for args in [
        &["vectors", "list"][..],
        &["qr", "table"][..],
        &["requirements"][..],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_c169"))
            .args(args)
            .current_dir(repo())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(!first.is_empty(), "{args:?}: no output");
        // The reading end is dropped here: every later write meets a closed pipe.
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let status = child.wait().unwrap();
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(status.code(), Some(0), "{args:?}: {stderr}");
    }
}

/// The help of every command that takes `--format` names every report format
/// (help texts are written by hand; the formats are one list in c169-report).
#[test]
fn the_help_names_every_report_format() {
    for cmd in [
        &["run", "--help"][..],
        &["report", "merge", "--help"],
        &["report", "render", "--help"],
    ] {
        let out = c169(cmd);
        assert_eq!(out.status.code(), Some(0), "{cmd:?}");
        let help = String::from_utf8_lossy(&out.stdout).replace('\n', " ");
        let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            help.contains(&c169_formats::Format::names()),
            "{cmd:?} does not list {}: {help}",
            c169_formats::Format::names()
        );
    }
}
