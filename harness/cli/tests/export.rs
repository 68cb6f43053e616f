//! `c169 vectors export`, through the built binary: the index lists every vector of
//! the corpus once with the SHA-256 of the file exported, the tarball holds the same
//! files, two exports are byte-identical, a bad `--out` is refused by name, and the
//! Python consumer in docs/python/ runs the export against claim169 0.3.0.
//!
//! The Python trial needs python3 with claim169 importable: the claim169-py peer's
//! venv after `c169 adapters setup claim169-py`, else `python3` on the path. Without
//! it the trial is reported ignored, with the reason; with `C169_REQUIRE_PEERS=1`
//! (as CI sets) it fails instead.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests

mod common;

use common::{c169, repo, scratch, text};
use libtest_mimic::{Arguments, Failed, Trial};
use serde_json::Value as Json;
use sha2::Digest as _;
use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const CONSUMER: &str = "the_python_consumer_runs_the_export_against_claim169";

fn main() {
    let args = Arguments::from_args();
    let python = python();
    let require = std::env::var("C169_REQUIRE_PEERS").is_ok_and(|v| v == "1");
    if let (Err(why), false) = (&python, args.list) {
        if require {
            eprintln!("the Python consumer's trial fails: C169_REQUIRE_PEERS=1 and {why}");
        } else {
            eprintln!("the Python consumer's trial is ignored: {why}");
        }
    }
    let consumer = match python {
        Ok(py) => trial(CONSUMER, move || python_consumer(&py)),
        Err(why) => {
            let why = if require {
                format!("C169_REQUIRE_PEERS=1, and {why}")
            } else {
                why
            };
            Trial::test(CONSUMER, move || Err(Failed::from(why))).with_ignored_flag(!require)
        }
    };
    let trials = vec![
        trial(
            "every_vector_is_listed_once_with_the_sha256_of_its_file",
            listed_once,
        ),
        trial("the_tarball_holds_the_same_files", tarball),
        trial("two_exports_are_byte_identical", identical),
        trial("a_bad_out_is_refused_by_name", bad_out),
        consumer,
    ];
    libtest_mimic::run(&args, trials).exit();
}

/// A trial that passes unless `check` panics (libtest-mimic reports the panic).
fn trial(name: &str, check: impl FnOnce() + Send + 'static) -> Trial {
    Trial::test(name, move || {
        check();
        Ok(())
    })
}

/// One export shared by the trials that only read it.
fn export() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = scratch("export", "shared").join("out");
        run_export(&dir);
        dir
    })
}

fn run_export(dir: &Path) {
    let out = c169(&["vectors", "export", "--out", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

fn index(dir: &Path) -> Json {
    serde_json::from_slice(&std::fs::read(dir.join("index.json")).unwrap()).unwrap()
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Every file under `dir`, by path relative to it, with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn tarball_name() -> String {
    format!("c169-vectors-{}.tar.gz", env!("CARGO_PKG_VERSION"))
}

fn listed_once() {
    let dir = export();
    let index = index(dir);
    assert_eq!(index["format"], "c169-vectors/1");
    assert_eq!(index["suite"]["version"], env!("CARGO_PKG_VERSION"));
    let corpus = c169_corpus::Corpus::load(&repo().join("vectors")).unwrap();
    let vectors = index["vectors"].as_array().unwrap();
    assert_eq!(index["counts"]["vectors"], vectors.len());
    let mut ids: Vec<&str> = vectors.iter().map(|v| v["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    let mut want: Vec<&str> = corpus.vectors.iter().map(|(_, v)| v.id.as_str()).collect();
    want.sort_unstable();
    assert_eq!(ids, want, "the index lists each vector of the corpus once");

    let on_disk = files(dir);
    let mut described = vec!["index.json".to_owned(), tarball_name()];
    let mut check = |path: &Json, sha: &Json| {
        let path = path.as_str().unwrap();
        let bytes = on_disk
            .get(path)
            .unwrap_or_else(|| panic!("{path}: listed, not exported"));
        assert_eq!(
            sha.as_str(),
            Some(sha256(bytes).as_str()),
            "{path}: SHA-256"
        );
        described.push(path.to_owned());
    };
    for v in vectors {
        check(&v["path"], &v["sha256"]);
        if !v["image"].is_null() {
            check(&v["image"]["path"], &v["image"]["sha256"]);
        }
        for key in ["verify", "decrypt", "sign", "encrypt"] {
            for k in v["keys"][key].as_array().unwrap() {
                assert!(
                    on_disk.contains_key(k.as_str().unwrap()),
                    "{k}: a key not exported"
                );
            }
        }
        assert!(v["now"].is_i64(), "{}: now", v["id"]);
        for r in v["requirements"].as_array().unwrap() {
            assert!(
                index["requirements"][r.as_str().unwrap()].is_object(),
                "{r}"
            );
        }
    }
    for f in index["files"].as_array().unwrap() {
        check(&f["path"], &f["sha256"]);
    }
    described.push("README.md".to_owned());
    described.sort();
    described.dedup();
    let exported: Vec<&String> = on_disk.keys().collect();
    assert_eq!(
        exported,
        described.iter().collect::<Vec<_>>(),
        "every file exported is described"
    );
    let roles: Vec<&str> = index["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["role"].as_str().unwrap())
        .collect();
    assert!(on_disk.contains_key("external/idpass/original/LICENSE"));
    assert!(roles.contains(&"licence") && roles.contains(&"schema"));
}

fn tarball() {
    let dir = export();
    let gz = std::fs::read(dir.join(tarball_name())).unwrap();
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(gz.as_slice()));
    let top = format!("c169-vectors-{}/", env!("CARGO_PKG_VERSION"));
    let mut in_tar = BTreeMap::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let header = entry.header();
        assert_eq!(header.mtime().unwrap(), 0);
        assert_eq!((header.uid().unwrap(), header.gid().unwrap()), (0, 0));
        assert_eq!(header.mode().unwrap(), 0o644);
        let path = entry.path().unwrap().to_string_lossy().into_owned();
        let rel = path
            .strip_prefix(&top)
            .unwrap_or_else(|| panic!("{path}: outside {top}"))
            .to_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        in_tar.insert(rel, bytes);
    }
    let mut on_disk = files(dir);
    on_disk.remove(&tarball_name());
    assert_eq!(
        in_tar.keys().collect::<Vec<_>>(),
        on_disk.keys().collect::<Vec<_>>()
    );
    assert!(
        in_tar == on_disk,
        "the tarball's files differ from the folder's"
    );
}

fn identical() {
    let first = export();
    let root = scratch("export", "again");
    let second = root.join("out");
    run_export(&second);
    // Again into the same folder: an earlier export is replaced, and nothing is left beside it.
    run_export(&second);
    let (a, b) = (files(first), files(&second));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(bytes == &b[path], "{path} differs between two exports");
    }
    let beside: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(beside, ["out"], "staging folders left beside the export");
    let _ = std::fs::remove_dir_all(&root);
}

fn bad_out() {
    let root = scratch("export", "bad-out");
    let file = root.join("a-file");
    std::fs::write(&file, "x").unwrap();
    let out = c169(&["vectors", "export", "--out", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(file.to_str().unwrap()) && err.contains("is not a folder"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "x");

    // A folder of other files is not an export: refused, and left as it was.
    let other = root.join("mine");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("notes.txt"), "keep").unwrap();
    let out = c169(&["vectors", "export", "--out", other.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(other.to_str().unwrap()) && err.contains("no index.json"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(other.join("notes.txt")).unwrap(),
        "keep"
    );

    // Inside the vectors folder, the export would be read as vectors.
    let inside = repo().join("vectors/export-test-never-written");
    let out = c169(&["vectors", "export", "--out", inside.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("inside the vectors folder"),
        "{}",
        text(&out)
    );
    assert!(!inside.exists());
    let _ = std::fs::remove_dir_all(&root);
}

/// A python3 that imports claim169: the claim169-py peer's venv, else the path's.
fn python() -> Result<PathBuf, String> {
    let venv = repo().join("adapters/claim169-py/.venv/bin/python");
    for py in [venv, PathBuf::from("python3")] {
        let ok = Command::new(&py)
            .args(["-c", "import claim169"])
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return Ok(py);
        }
    }
    Err("no python3 imports claim169: run `c169 adapters setup claim169-py` (its venv has claim169 0.3.0)".to_owned())
}

fn python_consumer(python: &Path) {
    let dir = export();
    let out = Command::new(python)
        .arg(repo().join("docs/python/run_claim169.py"))
        .arg(dir)
        .output()
        .unwrap();
    // 0: every vector run passed; 1: some failed (claim169 0.3.0 has known failures).
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    let vectors = index(dir)["vectors"].as_array().unwrap().len();
    let per_vector = lines
        .iter()
        .filter(|l| l.starts_with("PASS ") || l.starts_with("FAIL ") || l.starts_with("SKIP "))
        .count();
    assert_eq!(per_vector, vectors, "a line per vector:\n{stdout}");
    // The last line: "N passed, N failed, N skipped".
    let summary = lines.last().copied().unwrap_or_default();
    let n: Vec<usize> = summary
        .split(", ")
        .zip(["passed", "failed", "skipped"])
        .map(|(part, word)| {
            let (count, w) = part.split_once(' ').unwrap_or_default();
            assert_eq!(w, word, "the summary line: {summary}");
            count.parse().unwrap()
        })
        .collect();
    assert_eq!(n.len(), 3, "the summary line: {summary}");
    assert_eq!(n.iter().sum::<usize>(), vectors, "{summary}");
    assert!(n[0] > 0, "nothing passed: {summary}");
    assert_eq!(out.status.code(), Some(i32::from(n[1] > 0)), "{summary}");
    // Every skip says why.
    assert!(lines
        .iter()
        .filter(|l| l.starts_with("SKIP "))
        .all(|l| l.contains(": ")));
}
