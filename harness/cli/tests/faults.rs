//! Fault injection against the rig itself: adapters that hang, crawl or die, over
//! stdio and over HTTP; SIGINT, SIGTERM and SIGKILL at random instants of a run
//! and of its report write; a write error in the middle of the report set. After
//! each, the report folder holds either the old report set or a complete new
//! one, never a mix: a set is complete when `c169 report render` of its
//! results.json gives back every other file byte for byte.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)] // tests

use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

mod common;

use common::{c169, repo, text};

/// The report files of a run.
const SET: [&str; 5] = [
    "results.json",
    "junit.xml",
    "cucumber.json",
    "summary.md",
    "report.html",
];

/// About a dozen vectors: enough for a fault to land in the middle of a run.
const TAGS: &str = "@C169-ZLIB-004 or @C169-ZLIB-011 or @C169-ZLIB-003 or @C169-ENC-014";

/// A second selection, so that a new set differs from the old one.
const OTHER_TAGS: &str = "@C169-ZLIB-004 or @C169-CLAIM-119";

fn scratch(name: &str) -> PathBuf {
    common::scratch("faults", name)
}

fn proxy_path() -> String {
    repo()
        .join("harness/cli/tests/fixtures/proxy.py")
        .display()
        .to_string()
}

/// `c169 run` with `extra` arguments and `envs`, not yet waited for. One adapter
/// process (`--jobs 1`) unless `extra` says otherwise: the faults are injected at
/// the Nth request of a process.
fn start(dir: &Path, tags: &str, extra: &[&str], envs: &[(&str, String)]) -> Child {
    let jobs: &[&str] = if extra.contains(&"--jobs") {
        &[]
    } else {
        &["--jobs", "1"]
    };
    Command::new(env!("CARGO_BIN_EXE_c169"))
        .args(["run", "--no-features", "--tags", tags])
        .args(jobs)
        .arg("--report-dir")
        .arg(dir)
        .args(extra)
        .current_dir(repo())
        .env("CI", "1")
        .env("C169", env!("CARGO_BIN_EXE_c169"))
        .envs(envs.iter().map(|(k, v)| (k, v)))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn finish(child: Child) -> Output {
    child.wait_with_output().unwrap()
}

/// The report files of `dir`, by name.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    SET.iter()
        .filter_map(|f| {
            std::fs::read(dir.join(f))
                .ok()
                .map(|b| ((*f).to_owned(), b))
        })
        .collect()
}

#[derive(Debug, PartialEq)]
enum Found {
    Old,
    New,
}

/// What `dir` holds: the `old` set, or a complete new one; panics on anything else.
fn old_or_complete_new(dir: &Path, old: &BTreeMap<String, Vec<u8>>, context: &str) -> Found {
    let now = snapshot(dir);
    if &now == old {
        return Found::Old;
    }
    let mut all: Vec<&str> = SET.to_vec();
    all.sort_unstable();
    assert_eq!(
        now.keys().map(String::as_str).collect::<Vec<_>>(),
        all,
        "{context}: the folder holds neither the old set nor a whole new one"
    );
    let rendered = dir.with_extension("rendered");
    let _ = std::fs::remove_dir_all(&rendered);
    let out = c169(&[
        "report",
        "render",
        dir.join("results.json").to_str().unwrap(),
        "--report-dir",
        rendered.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{context}: {}", text(&out));
    for (name, bytes) in &now {
        assert!(
            &std::fs::read(rendered.join(name)).unwrap() == bytes,
            "{context}: {name} is not of the run results.json records: a mix of two runs"
        );
    }
    let _ = std::fs::remove_dir_all(&rendered);
    Found::New
}

/// Staging folders of `dir`'s report sets left beside it.
fn staging_left(dir: &Path) -> Vec<String> {
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    std::fs::read_dir(dir.parent().unwrap())
        .unwrap()
        .filter_map(|e| {
            let n = e.unwrap().file_name().to_string_lossy().into_owned();
            n.starts_with(&format!(".{name}.c169-staging-"))
                .then_some(n)
        })
        .collect()
}

fn results(dir: &Path) -> Json {
    c169_model::deep::from_slice(&std::fs::read(dir.join("results.json")).unwrap()).unwrap()
}

/// A run's cases by status.
fn statuses(r: &Json) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for c in r["cases"].as_array().unwrap() {
        *out.entry(c["status"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    out
}

/// A small deterministic generator (xorshift), seeded from the clock and
/// printed, so that a failing sequence of instants can be replayed.
struct Rng(u64);

impl Rng {
    fn new() -> Self {
        let seed = std::env::var("C169_FAULT_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
                    | 1
            });
        eprintln!("fault seed: C169_FAULT_SEED={seed}");
        Rng(seed)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

fn signal(child: &Child, sig: nix::sys::signal::Signal) {
    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).unwrap());
    let _ = nix::sys::signal::kill(pid, sig);
}

/// SIGINT, SIGTERM and SIGKILL, at random instants of the run and right as its
/// report set is being staged: the folder always holds the old set or a whole new
/// one, and the next run leaves no staging folder behind.
#[test]
fn signals_at_random_instants_leave_the_old_set_or_a_complete_new_one() {
    use nix::sys::signal::Signal;
    let dir = scratch("signals").join("report");
    let out = finish(start(&dir, TAGS, &[], &[]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    // How long a run takes here, to spread the instants over it.
    let clock = Instant::now();
    let out = finish(start(&dir, OTHER_TAGS, &[], &[]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let span = u64::try_from(clock.elapsed().as_micros()).unwrap();

    let mut rng = Rng::new();
    let mut found = BTreeMap::new();
    for round in 0..36 {
        let old = snapshot(&dir);
        let sig = [Signal::SIGINT, Signal::SIGTERM, Signal::SIGKILL][round % 3];
        let tags = if round % 2 == 0 { TAGS } else { OTHER_TAGS };
        let child = start(&dir, tags, &[], &[]);
        let when = if round % 4 < 2 {
            // Somewhere in the run.
            std::thread::sleep(Duration::from_micros(span / 4 + rng.below(span)));
            "during the run"
        } else {
            // As the set is staged: watch for the staging folder, then strike.
            let until = Instant::now() + Duration::from_secs(30);
            while staging_left(&dir).is_empty() && Instant::now() < until {
                std::hint::spin_loop();
            }
            std::thread::sleep(Duration::from_micros(rng.below(3000)));
            "while the set is written"
        };
        signal(&child, sig);
        if sig != Signal::SIGKILL && round % 4 == 3 {
            // A second one ends the process at once.
            signal(&child, sig);
        }
        let out = finish(child);
        let context = format!("round {round}: {sig} {when} (exit {:?})", out.status.code());
        let what = old_or_complete_new(&dir, &old, &context);
        *found.entry(format!("{sig} {when}: {what:?}")).or_insert(0) += 1;
    }
    eprintln!("{found:#?}");
    // The next run sweeps what a killed one left.
    let out = finish(start(&dir, TAGS, &[], &[]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(staging_left(&dir), Vec::<String>::new());
    let _ = std::fs::remove_dir_all(dir.parent().unwrap());
}

/// A write error in the middle of the set (the file size limit, as a full disk
/// would): exit 3 naming the file, the old set untouched, nothing left beside it.
#[test]
fn a_write_error_in_the_middle_of_the_set_leaves_the_old_set_whole() {
    let dir = scratch("full").join("report");
    let out = finish(start(&dir, TAGS, &[], &[]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let old = snapshot(&dir);
    let largest = old.values().map(Vec::len).max().unwrap();
    let smallest = old.values().map(Vec::len).min().unwrap();
    // A limit some files of the set fit under and some do not.
    let limit_kib = usize::midpoint(smallest, largest) / 1024;
    assert!(
        limit_kib > 0 && limit_kib * 1024 < largest,
        "{smallest}..{largest}"
    );
    // SIGXFSZ ignored: the write fails with EFBIG, as ENOSPC would on a full disk.
    let script = format!(
        "ulimit -f {}; trap '' XFSZ; exec \"$0\" run --no-features --tags '{OTHER_TAGS}' --report-dir \"$1\"",
        limit_kib * 2 // 512-byte blocks
    );
    let out = Command::new("sh")
        .args(["-c", &script, env!("CARGO_BIN_EXE_c169")])
        .arg(&dir)
        .current_dir(repo())
        .env("CI", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(
        text(&out).contains("cannot write the report"),
        "{}",
        text(&out)
    );
    assert!(text(&out).contains("File too large"), "{}", text(&out));
    assert_eq!(snapshot(&dir), old, "the old set changed");
    assert_eq!(staging_left(&dir), Vec::<String>::new());
    let _ = std::fs::remove_dir_all(dir.parent().unwrap());
}

/// How each stdio and HTTP fault ends: the case it hit, and the rest measured.
struct Fault {
    name: &'static str,
    envs: Vec<(&'static str, String)>,
    exit: i32,
    /// What the case it hit says; `None` when no case is lost.
    reason: Option<&'static str>,
}

/// The faults, each once per run (`once` is a file of the run's own).
fn faults(once: &Path) -> Vec<Fault> {
    let env = |k: &'static str, v: &str| (k, v.to_owned());
    let once = ("C169_PROXY_ONCE", once.to_str().unwrap().to_owned());
    vec![
        Fault {
            name: "hung",
            envs: vec![env("C169_PROXY_HANG_ON", "2"), once.clone()],
            exit: 1,
            reason: Some("no reply within 1s"),
        },
        Fault {
            name: "slow",
            envs: vec![env("C169_PROXY_DELAY_MS", "40")],
            exit: 0,
            reason: None,
        },
        Fault {
            name: "dying",
            envs: vec![env("C169_PROXY_EXIT_ON", "2"), once],
            exit: 1,
            reason: Some("exit"),
        },
    ]
}

/// Each stdio fault costs the one case it hit, with its reason; every other case
/// is measured; the set is whole. So too with two adapter processes side by side,
/// one of which meets the fault.
#[test]
fn a_hung_slow_or_dying_stdio_adapter_costs_one_case() {
    let proxy = format!("python3 {}", proxy_path());
    let marks = scratch("stdio-marks");
    for jobs in ["1", "2"] {
        for f in faults(&marks.join("once")) {
            let _ = std::fs::remove_file(marks.join("once"));
            let dir = scratch(&format!("stdio-{}-{jobs}", f.name)).join("report");
            let out = finish(start(
                &dir,
                TAGS,
                &["--jobs", jobs, "--timeout", "1", "--adapter-cmd", &proxy],
                &f.envs,
            ));
            check_one_case_lost(&out, &dir, &f);
            let _ = std::fs::remove_dir_all(dir.parent().unwrap());
        }
    }
}

/// The run ended with the fault's exit code and lost at most its one case.
fn check_one_case_lost(out: &Output, dir: &Path, f: &Fault) {
    assert_eq!(out.status.code(), Some(f.exit), "{}: {}", f.name, text(out));
    let r = results(dir);
    let by = statuses(&r);
    let errors = by.get("error").copied().unwrap_or(0);
    assert_eq!(
        errors,
        usize::from(f.reason.is_some()),
        "{}: {by:?}",
        f.name
    );
    assert!(
        by.get("pass").copied().unwrap_or(0) >= 5,
        "{}: {by:?}",
        f.name
    );
    if let Some(reason) = f.reason {
        let hit = r["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["status"] == "error")
            .unwrap();
        assert!(
            hit["reason"].as_str().unwrap().contains(reason),
            "{}: {}",
            f.name,
            hit["reason"]
        );
    }
    let none = BTreeMap::new();
    assert_eq!(old_or_complete_new(dir, &none, f.name), Found::New);
}

/// The HTTP proxy, on an ephemeral loopback port; killed when dropped.
struct HttpProxy {
    child: Child,
    url: String,
}

impl HttpProxy {
    fn start(dir: &Path, envs: &[(&str, String)]) -> HttpProxy {
        std::fs::create_dir_all(dir).unwrap();
        let portfile = dir.join("port");
        let child = Command::new("python3")
            .args([&proxy_path(), "--http", portfile.to_str().unwrap()])
            .env("C169", env!("CARGO_BIN_EXE_c169"))
            .envs(envs.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        let until = Instant::now() + Duration::from_secs(20);
        while !portfile.exists() {
            assert!(Instant::now() < until, "the HTTP proxy did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        let port = std::fs::read_to_string(&portfile).unwrap();
        HttpProxy {
            child,
            url: format!("http://127.0.0.1:{}", port.trim()),
        }
    }
}

impl Drop for HttpProxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Over HTTP: a hung or slow request costs at most its case; a server that dies
/// leaves nobody listening, so the adapter is given up (exit 3, the rig failed)
/// in seconds instead of timing out every later case; the set is whole.
#[test]
fn a_hung_slow_or_dying_http_adapter_costs_one_case_or_ends_the_run_quickly() {
    let marks = scratch("http-marks");
    for f in faults(&marks.join("once")) {
        let _ = std::fs::remove_file(marks.join("once"));
        let dir = scratch(&format!("http-{}", f.name));
        let server = HttpProxy::start(&dir.join("server"), &f.envs);
        let report = dir.join("report");
        let out = finish(start(
            &report,
            TAGS,
            &["--timeout", "1", "--adapter-url", &server.url],
            &[],
        ));
        if f.name == "dying" {
            assert_eq!(out.status.code(), Some(3), "{}", text(&out));
            let r = results(&report);
            assert_eq!(r["gate"]["verdict"], "rig-failed");
            assert!(
                r["run"]["rig_failure"]
                    .as_str()
                    .unwrap()
                    .contains("adapter broken"),
                "{}",
                r["run"]
            );
            let none = BTreeMap::new();
            assert_eq!(old_or_complete_new(&report, &none, f.name), Found::New);
        } else {
            check_one_case_lost(&out, &report, &f);
        }
        drop(server);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
