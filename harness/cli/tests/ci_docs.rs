//! The CI files of `docs/ci/` run as written. Each test reads a file's YAML, takes
//! the commands of its c169 steps (the GitHub Actions steps with ids `c169-install`,
//! `c169-run` and `c169-summary`; the GitLab CI job's `before_script` and `script`)
//! and runs them with `sh -e` in a scratch folder, then checks that the files its
//! upload and publish settings name were written and are well formed, and that the
//! exit code is the gate's. A flag renamed in `c169 run`, or a report file renamed,
//! fails here, since nothing is copied from the YAML by hand.
//!
//! The install step needs the network and a release build, so the runs put this
//! build of c169 first on PATH in its place and point `C169_SRC` at this source
//! tree; the install step runs on its own against a clone of this repository, with
//! a stand-in `cargo` that records its arguments instead of building.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)] // tests

mod common;

use common::repo;
use serde_json::Value as Json;
use serde_yaml_ng::Value as Yaml;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What a CI file runs of c169 and keeps of its report.
#[derive(Debug)]
struct Pipeline {
    /// The file, under `docs/ci/`.
    file: &'static str,
    /// The variables it sets (workflow, job and step `env`; the job's `variables`).
    env: Vec<(String, String)>,
    /// Installs c169 into `$C169_SRC` and puts it on PATH.
    install: String,
    /// Runs the suite: its exit code is the job's verdict.
    gate: String,
    /// Commands that run whatever the gate's outcome (`if: always()` steps).
    always: Vec<String>,
    /// The paths kept as artifacts.
    kept: Vec<String>,
    /// The JUnit file published as the test report.
    junit: String,
}

/// The variables every file sets; the tests give them values of their own.
const SETTINGS: [&str; 7] = [
    "C169_SRC",
    "ADAPTER_CMD",
    "C169_FAIL_ON",
    "C169_MIN_APPLICABLE",
    "C169_REQUIRE",
    "C169_EXPECTATIONS",
    "C169_TAGS",
];

/// The part of the suite the runs take (through `C169_TAGS`), so that each of
/// them is seconds, not a whole run: the cases of three zlib requirements and of
/// the Ed25519 signature, valid and invalid, vectors and scenarios.
const PART: &str = "@C169-ZLIB-004 or @C169-ZLIB-011 or @C169-ZLIB-003 or @C169-COSE-016";

fn load(file: &str) -> Yaml {
    let path = repo().join("docs/ci").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
    serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{file} is not YAML: {e}"))
}

/// A scalar as the CI system reads it: a string, or a number or boolean as text.
fn scalar(v: &Yaml) -> String {
    match v {
        Yaml::String(s) => s.clone(),
        Yaml::Number(n) => n.to_string(),
        Yaml::Bool(b) => b.to_string(),
        Yaml::Null => String::new(),
        other => panic!("not a scalar: {other:?}"),
    }
}

/// The name-value pairs of an `env:` or `variables:` mapping (none when absent).
fn vars(v: &Yaml) -> Vec<(String, String)> {
    v.as_mapping().map_or_else(Vec::new, |m| {
        m.iter().map(|(k, v)| (scalar(k), scalar(v))).collect()
    })
}

/// A GitLab script: one command per entry, run in one shell.
fn lines(v: &Yaml) -> Vec<String> {
    v.as_sequence()
        .map_or_else(Vec::new, |s| s.iter().map(scalar).collect())
}

fn github() -> Pipeline {
    const FILE: &str = "github-actions.yml";
    let doc = load(FILE);
    let job = &doc["jobs"]["c169"];
    let steps = job["steps"].as_sequence().expect("jobs.c169.steps");
    let by_id = |id: &str| {
        steps
            .iter()
            .find(|s| s["id"].as_str() == Some(id))
            .unwrap_or_else(|| panic!("{FILE}: no step with id {id}"))
    };
    let by_action = |action: &str| {
        steps
            .iter()
            .find(|s| {
                s["uses"]
                    .as_str()
                    .is_some_and(|u| u.starts_with(&format!("{action}@")))
            })
            .unwrap_or_else(|| panic!("{FILE}: no step uses {action}"))
    };
    let script = |step: &Yaml| scalar(&step["run"]);
    let (install, gate, summary) = (
        by_id("c169-install"),
        by_id("c169-run"),
        by_id("c169-summary"),
    );
    let upload = by_action("actions/upload-artifact");
    let publish = by_action("mikepenz/action-junit-report");
    // The report is read when the gate fails: every step that keeps it runs anyway,
    // and the gate step's failure is the job's.
    for step in [summary, upload, publish] {
        assert_eq!(step["if"].as_str(), Some("always()"), "{FILE}: {step:?}");
    }
    assert!(
        gate["if"].is_null() && gate["continue-on-error"].is_null(),
        "{FILE}: the gate step must fail the job"
    );
    assert_eq!(scalar(&publish["with"]["fail_on_failure"]), "false");
    let mut env = vars(&doc["env"]);
    env.extend(vars(&job["env"]));
    for step in [install, gate, summary] {
        env.extend(vars(&step["env"]));
    }
    Pipeline {
        file: FILE,
        env,
        install: script(install),
        gate: script(gate),
        always: vec![script(summary)],
        kept: scalar(&upload["with"]["path"])
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
        junit: scalar(&publish["with"]["report_paths"]),
    }
}

fn gitlab() -> Pipeline {
    const FILE: &str = "gitlab-ci.yml";
    let doc = load(FILE);
    let job = &doc["c169"];
    let artifacts = &job["artifacts"];
    assert_eq!(artifacts["when"].as_str(), Some("always"), "{FILE}");
    assert!(artifacts["expose_as"].as_str().is_some(), "{FILE}");
    let kept = lines(&artifacts["paths"]);
    let junit = scalar(&artifacts["reports"]["junit"]);
    assert!(
        kept.contains(&junit),
        "{FILE}: {junit} is not among {kept:?}"
    );
    // GitLab cannot cache outside the project: the cache holds the install folder.
    let cached = lines(&job["cache"]["paths"]);
    assert!(
        cached.iter().any(|c| vars(&job["variables"])
            .iter()
            .any(|(k, v)| k == "C169_SRC" && v.ends_with(c.trim_end_matches('/')))),
        "{FILE}: the cache paths {cached:?} do not hold C169_SRC"
    );
    Pipeline {
        file: FILE,
        env: vars(&job["variables"]),
        install: lines(&job["before_script"]).join("\n"),
        gate: lines(&job["script"]).join("\n"),
        always: lines(&job["after_script"]),
        kept,
        junit,
    }
}

/// The file's variables with `values` in place of its own (and the test's own
/// `TEST_…` ones added). Every value the test does not replace must be plain text:
/// a `${{ … }}` or `$VAR` there is one the test cannot know, and would run
/// differently in CI than here.
fn env_with(p: &Pipeline, values: &[(&str, String)]) -> Vec<(String, String)> {
    for name in SETTINGS {
        assert!(
            p.env.iter().any(|(k, _)| k == name),
            "{}: does not set {name}",
            p.file
        );
    }
    for (name, _) in values {
        assert!(
            p.env.iter().any(|(k, _)| k == name) || name.starts_with("TEST_"),
            "{}: does not set {name}",
            p.file
        );
    }
    let mut env: Vec<(String, String)> = p
        .env
        .iter()
        .map(|(k, v)| {
            if let Some((_, given)) = values.iter().find(|(name, _)| name == k) {
                return (k.clone(), given.clone());
            }
            assert!(!v.contains('$'), "{}: {k}: {v}", p.file);
            (k.clone(), v.clone())
        })
        .collect();
    let own = values.iter().filter(|(name, _)| name.starts_with("TEST_"));
    env.extend(own.map(|(k, v)| ((*k).to_owned(), v.clone())));
    env
}

/// Runs `script` with `sh -e` in `cwd`; the exit code and both outputs.
fn sh(script: &str, cwd: &Path, path: &str, env: &[(String, String)]) -> (Option<i32>, String) {
    let out = Command::new("sh")
        .arg("-e")
        .arg("-c")
        .arg(script)
        .current_dir(cwd)
        .env("PATH", path)
        .env("CI", "true")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .unwrap();
    (out.status.code(), common::text(&out))
}

/// What one run of a file's commands left.
struct Run {
    code: Option<i32>,
    log: String,
    /// Where the commands ran (the root of the implementation's repository in CI).
    work: PathBuf,
    /// `$GITHUB_STEP_SUMMARY`.
    step_summary: PathBuf,
}

impl Run {
    /// Removes the run's scratch folder (kept when a test fails, to look into).
    fn clean(self) {
        let _ = std::fs::remove_dir_all(self.work.parent().unwrap());
    }
}

/// Runs the gate and then every `always` command of `p`, as the CI system would,
/// with this build of c169 on PATH, `C169_SRC` at this source tree, `adapter` as
/// `ADAPTER_CMD` and `values` for other variables.
fn run(p: &Pipeline, name: &str, adapter: &str, values: &[(&str, String)]) -> Run {
    let dir = common::scratch("ci-docs", name);
    let bin = dir.join("bin");
    let work = dir.join("work");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::create_dir_all(&work).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_c169"), bin.join("c169")).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let step_summary = dir.join("step-summary.md");
    let mut given = vec![
        (
            "C169_SRC",
            repo().canonicalize().unwrap().display().to_string(),
        ),
        ("ADAPTER_CMD", adapter.to_owned()),
    ];
    if !values.iter().any(|(k, _)| *k == "C169_TAGS") {
        given.push(("C169_TAGS", PART.to_owned()));
    }
    given.extend(values.iter().map(|(k, v)| (*k, v.clone())));
    let mut env = env_with(p, &given);
    env.push((
        "GITHUB_STEP_SUMMARY".into(),
        step_summary.display().to_string(),
    ));
    let (code, mut log) = sh(&p.gate, &work, &path, &env);
    for cmd in &p.always {
        let (after, out) = sh(cmd, &work, &path, &env);
        assert_eq!(after, Some(0), "{}: {cmd}\n{out}", p.file);
        log.push_str(&out);
    }
    Run {
        code,
        log,
        work,
        step_summary,
    }
}

/// JUnit counts: test cases, failures, errors.
struct Junit {
    cases: usize,
    failures: usize,
    errors: usize,
}

/// Checks what the file keeps and publishes after `r`: every kept path exists, the
/// JUnit file parses, report.html and summary.md are there and not empty, and the
/// exit code is the one the report's gate records. Returns the record and the counts.
fn check_report(p: &Pipeline, r: &Run) -> (Json, Junit) {
    let ctx = format!("{}\n{}", p.file, r.log);
    for kept in &p.kept {
        let at = r.work.join(kept);
        assert!(at.exists(), "{kept} was not written: {ctx}");
        if at.is_dir() {
            assert!(
                std::fs::read_dir(&at).unwrap().next().is_some(),
                "{kept} is empty"
            );
        }
    }
    let html = p
        .kept
        .iter()
        .map(|k| r.work.join(k))
        .map(|k| if k.is_dir() { k.join("report.html") } else { k })
        .find(|k| k.ends_with("report.html") && k.is_file())
        .unwrap_or_else(|| panic!("no report.html among the kept {:?}: {ctx}", p.kept));
    let html = std::fs::read_to_string(html).unwrap();
    assert!(html.contains("<html") && html.trim_end().ends_with("</html>"));

    let junit_path = r.work.join(&p.junit);
    let xml =
        std::fs::read_to_string(&junit_path).unwrap_or_else(|e| panic!("{}: {e}: {ctx}", p.junit));
    let doc =
        roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{} is not XML: {e}", p.junit));
    let count = |tag: &str| doc.descendants().filter(|n| n.has_tag_name(tag)).count();
    let junit = Junit {
        cases: count("testcase"),
        failures: count("failure"),
        errors: count("error"),
    };
    assert!(junit.cases > 0, "{}: no test case", p.junit);

    // The report set is one folder: the JUnit file's.
    let report = junit_path.parent().unwrap();
    let summary = std::fs::read_to_string(report.join("summary.md")).unwrap();
    assert!(!summary.trim().is_empty(), "summary.md is empty");
    if p.always.iter().any(|c| c.contains("GITHUB_STEP_SUMMARY")) {
        let written = std::fs::read_to_string(&r.step_summary).unwrap();
        assert_eq!(written, summary, "the job summary is not summary.md");
    }
    let record: Json =
        c169_model::deep::from_slice(&std::fs::read(report.join("results.json")).unwrap()).unwrap();
    assert_eq!(
        r.code,
        record["gate"]["exit_code"].as_i64().map(|c| c as i32),
        "the exit code is not the gate's: {ctx}"
    );
    (record, junit)
}

/// The reference, served over stdio by the c169 on PATH.
const REFERENCE: &str = "c169 adapter stdio";

/// The reference with claim 169 key 1 of every accepted credential renamed to 91:
/// a content failure at MUST on every valid case (`sed -u` passes each answer line
/// on at once).
const RENAMES_KEY_1: &str =
    r#"c169 adapter stdio | sed -u 's/"verdict":"accept","claim169":{"/&9/'"#;

fn the_reference_passes(p: &Pipeline, name: &str) {
    let r = run(p, name, REFERENCE, &[]);
    let (record, junit) = check_report(p, &r);
    assert_eq!(r.code, Some(0), "{}: {}", p.file, r.log);
    assert_eq!(record["gate"]["verdict"], "conformant");
    assert_eq!(
        record["summary"]["coverage"]["applicable"],
        record["summary"]["coverage"]["total"]
    );
    assert_eq!((junit.failures, junit.errors), (0, 0), "{}", p.junit);
    r.clean();
}

/// A failing gate exits 1 and still leaves the whole report for the `always` steps.
fn failing_cases_fail_the_gate(p: &Pipeline, name: &str) -> (Run, Json) {
    let r = run(p, name, RENAMES_KEY_1, &[]);
    let (record, junit) = check_report(p, &r);
    assert_eq!(r.code, Some(1), "{}: {}", p.file, r.log);
    assert_eq!(record["gate"]["verdict"], "failed");
    let failed = record["summary"]["all"]["failed"].as_u64().unwrap();
    assert!(failed > 0 && junit.failures > 0, "{}", r.log);
    (r, record)
}

#[test]
fn the_github_workflow_passes_the_reference_and_publishes_its_report() {
    the_reference_passes(&github(), "github-pass");
}

#[test]
fn the_gitlab_job_passes_the_reference_and_keeps_its_report() {
    the_reference_passes(&gitlab(), "gitlab-pass");
}

#[test]
fn the_gitlab_job_fails_on_failing_cases_and_still_keeps_the_report() {
    failing_cases_fail_the_gate(&gitlab(), "gitlab-fail")
        .0
        .clean();
}

/// The failing run again with its failures listed in `C169_EXPECTATIONS`: known,
/// they no longer fail the gate.
#[test]
fn the_github_workflow_fails_on_failing_cases_until_they_are_known() {
    let p = github();
    let (failing, record) = failing_cases_fail_the_gate(&p, "github-fail");
    let known: Vec<&str> = record["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "fail" || c["status"] == "error")
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    let reason = "the test adapter renames claim 169 key 1";
    let entries: Vec<Json> = known
        .iter()
        .map(|id| serde_json::json!({"case": id, "reason": reason}))
        .collect();
    let yaml = serde_yaml_ng::to_string(&serde_json::json!({"known_failures": entries})).unwrap();
    let file = failing.work.join("known-failures.yaml");
    std::fs::write(&file, yaml).unwrap();
    let r = run(
        &p,
        "github-known",
        RENAMES_KEY_1,
        &[("C169_EXPECTATIONS", file.display().to_string())],
    );
    let (record, _) = check_report(&p, &r);
    assert_eq!(r.code, Some(0), "{}", r.log);
    assert_eq!(record["summary"]["known_failures"], known.len());
    assert_eq!(record["summary"]["new_failures"], 0);
    failing.clean();
    r.clean();
}

/// The walkthrough's adapter (Python, decodes without verifying): conformant on
/// the few cases it takes, so only a coverage gate fails it.
#[test]
fn the_walkthrough_adapter_fails_a_coverage_gate() {
    if !Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        // python3 is a prerequisite (README): a test that cannot run fails, never passes.
        panic!("python3 is not installed: the walkthrough adapter cannot be run (README, Prerequisites)");
    }
    let adapter = format!(
        "python3 {}",
        repo()
            .join("adapters/examples/python/c169_adapter.py")
            .canonicalize()
            .unwrap()
            .display()
    );
    let p = github();
    let r = run(&p, "walkthrough", &adapter, &[]);
    check_report(&p, &r);
    assert_eq!(r.code, Some(0), "{}", r.log);
    r.clean();
    let p = gitlab();
    for (name, values) in [
        ("walkthrough-applicable", [("C169_MIN_APPLICABLE", "50")]),
        ("walkthrough-verify", [("C169_REQUIRE", "verify")]),
    ] {
        let values = values.map(|(k, v)| (k, v.to_owned()));
        let r = run(&p, name, &adapter, &values);
        let (record, junit) = check_report(&p, &r);
        assert_eq!(r.code, Some(1), "{name}: {}", r.log);
        assert_eq!(record["summary"]["all"]["failed"], 0, "{name}");
        assert!(
            junit.failures > 0,
            "{name}: the gate's test case fails in JUnit"
        );
        r.clean();
    }
}

/// Every command parses as POSIX sh, and every path under `$C169_SRC` a command
/// names exists in this source tree (the install step's `bin/` apart, which it makes).
#[test]
fn the_commands_are_sh_and_name_paths_of_this_tree() {
    for p in [github(), gitlab()] {
        let scripts = [&p.install, &p.gate].into_iter().chain(&p.always);
        for script in scripts {
            let (code, out) = sh(&format!("set -n\n{script}"), &repo(), "/usr/bin:/bin", &[]);
            assert_eq!(code, Some(0), "{}: {script}\n{out}", p.file);
            for (at, _) in script.match_indices("$C169_SRC/") {
                let rest = &script[at + "$C169_SRC/".len()..];
                let end = rest.find(['"', ' ', ':', '\n']).unwrap_or(rest.len());
                let named = &rest[..end];
                assert!(
                    named == "bin" || named.starts_with("bin/") || repo().join(named).exists(),
                    "{}: $C169_SRC/{named} is not in c169's tree",
                    p.file
                );
            }
        }
        // The corpus is named, never found: a `vectors/` folder of the
        // implementation's own repository would otherwise be taken for it.
        assert!(
            p.gate.contains(r#"--vectors "$C169_SRC/vectors""#),
            "{}",
            p.file
        );
    }
}

/// The install step against a clone of this repository: it fetches the ref into
/// `$C169_SRC`, asks cargo to install this package from there (a stand-in `cargo`
/// records the call and links this build where cargo would put it), puts its `bin/`
/// on PATH, and on a second run (a cache hit) builds nothing.
#[test]
fn the_install_steps_fetch_the_ref_and_install_the_c169_package() {
    let root = repo().canonicalize().unwrap();
    let head = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(&root)
        .output();
    // The test clones this checkout: without git it cannot run, and fails (never passes).
    let Some(head) = head.ok().filter(|o| o.status.success()) else {
        panic!(
            "no git, or this source tree is not a git checkout: the install steps cannot be run"
        );
    };
    let head = String::from_utf8(head.stdout).unwrap().trim().to_owned();
    for p in [github(), gitlab()] {
        let dir = common::scratch("ci-docs", &format!("install-{}", p.file));
        let (bin, work, src) = (dir.join("fake-bin"), dir.join("work"), dir.join("c169"));
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::create_dir_all(&work).unwrap();
        let cargo = bin.join("cargo");
        std::fs::write(
            &cargo,
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$TEST_CARGO_ARGS\"\n\
             root=\nwhile [ $# -gt 0 ]; do [ \"$1\" = --root ] && root=$2; shift; done\n\
             mkdir -p \"$root/bin\" && ln -s \"$TEST_C169\" \"$root/bin/c169\"\n",
        )
        .unwrap();
        std::fs::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755)).unwrap();
        let (args, github_path) = (dir.join("cargo-args"), dir.join("github-path"));
        let mut env = env_with(
            &p,
            &[
                ("C169_GIT", root.display().to_string()),
                ("C169_REF", head.clone()),
                ("C169_SRC", src.display().to_string()),
                ("TEST_CARGO_ARGS", args.display().to_string()),
                ("TEST_C169", env!("CARGO_BIN_EXE_c169").to_owned()),
            ],
        );
        env.push(("GITHUB_PATH".into(), github_path.display().to_string()));
        // GitHub reads PATH additions from $GITHUB_PATH; GitLab's shell keeps its own.
        let script = format!("{}\ncommand -v c169 > found-c169 || true", p.install);
        let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
        for attempt in ["first", "cached"] {
            let _ = std::fs::remove_file(&args);
            let (code, log) = sh(&script, &work, &path, &env);
            assert_eq!(code, Some(0), "{} ({attempt}): {log}", p.file);
            let on_path = std::fs::read_to_string(&github_path)
                .ok()
                .and_then(|l| l.lines().last().map(PathBuf::from))
                .map(|b| b.join("c169"));
            let found = std::fs::read_to_string(work.join("found-c169")).unwrap();
            let installed = src.join("bin/c169");
            assert!(
                Path::new(found.trim()) == installed || on_path.as_ref() == Some(&installed),
                "{} ({attempt}): c169 is not put on PATH from {}",
                p.file,
                installed.display()
            );
            assert!(installed.is_file(), "{}", p.file);
            let called = std::fs::read_to_string(&args).ok();
            if attempt == "cached" {
                assert_eq!(called, None, "{}: a cache hit built c169 again", p.file);
                continue;
            }
            let called: Vec<String> = called.unwrap().lines().map(str::to_owned).collect();
            let flag = |name: &str| {
                let at = called.iter().position(|a| a == name);
                at.and_then(|i| called.get(i + 1)).map(PathBuf::from)
            };
            assert_eq!(called.first().map(String::as_str), Some("install"));
            assert!(called.iter().any(|a| a == "--locked"), "{called:?}");
            assert_eq!(flag("--root"), Some(src.clone()), "{called:?}");
            let package = flag("--path").expect("--path");
            let manifest = std::fs::read_to_string(package.join("Cargo.toml")).unwrap();
            assert!(
                manifest.contains("\nname = \"c169\"\n"),
                "{}",
                package.display()
            );
            let fetched = Command::new("git")
                .args(["rev-parse", "HEAD"])
                .current_dir(&src)
                .output()
                .unwrap();
            assert_eq!(String::from_utf8_lossy(&fetched.stdout).trim(), head);
            assert!(src.join("vectors").is_dir() && src.join("features").is_dir());
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
