//! The fuzz targets on stable Rust, so they cannot rot: every target of
//! `c169_fuzzing` over the seeds the vectors give (in memory, large ones
//! included), over every file committed under `fuzz/corpus/<target>/` and
//! `fuzz/regressions/<target>/`, and `roundtrip` over a few thousand `Credential`s
//! made with `arbitrary` from deterministic byte streams.
//!
//! The committed seeds must be the ones the vectors give today. To write them
//! (after the vectors change):
//!
//! ```sh
//! C169_WRITE_SEEDS=1 cargo test -p c169-fuzzing --test fuzz_replay
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests

use arbitrary::{Arbitrary, Unstructured};
use c169_fuzzing::{self as fuzzing, Alg, Credential, Seed, MAX_SEED_LEN, TARGETS};
use std::collections::{BTreeMap, HashSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// How many credentials the deterministic streams give `roundtrip`.
const CREDENTIALS: u64 = 2000;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every vector file: `vectors/**/*.json` but keys, schemas, originals of external
/// corpora, the fuzzer's candidates and the notes.
fn vector_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if !matches!(name, "keys" | "schema" | "original" | "src" | "fuzz-found") {
                vector_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "json") && name != "notes.json" {
            out.push(path);
        }
    }
}

fn derived_seeds() -> Vec<Seed> {
    let mut files = Vec::new();
    vector_files(&root().join("vectors"), &mut files);
    assert!(files.len() > 500, "only {} vector files found", files.len());
    let texts: Vec<String> = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    fuzzing::corpus(&texts).unwrap()
}

/// The files of a folder (none when it is missing), hidden ones aside.
fn files_in(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<(String, Vec<u8>)> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .filter_map(|p| {
            let name = p.file_name()?.to_str()?.to_owned();
            (!name.starts_with('.')).then(|| (name, std::fs::read(&p).unwrap()))
        })
        .collect();
    files.sort();
    files
}

/// Runs `target` on each input, and fails naming every input that broke it.
fn replay<'a>(target: &str, inputs: impl IntoIterator<Item = (String, &'a [u8])>) -> usize {
    let mut failures = Vec::new();
    let mut count = 0;
    for (name, bytes) in inputs {
        count += 1;
        let outcome = catch_unwind(AssertUnwindSafe(|| fuzzing::run(target, bytes)));
        match outcome {
            Ok(true) => {}
            Ok(false) => panic!("no target {target}"),
            Err(_) => failures.push(name),
        }
    }
    assert!(
        failures.is_empty(),
        "target {target} failed on {} input(s): {failures:?}",
        failures.len()
    );
    count
}

fn write_seeds(seeds: &[Seed]) {
    let corpus = root().join("fuzz/corpus");
    for target in TARGETS {
        let dir = corpus.join(target);
        for (name, _) in files_in(&dir) {
            std::fs::remove_file(dir.join(name)).unwrap();
        }
        std::fs::create_dir_all(&dir).unwrap();
    }
    for s in seeds.iter().filter(|s| s.bytes.len() <= MAX_SEED_LEN) {
        std::fs::write(corpus.join(s.target).join(&s.name), &s.bytes).unwrap();
    }
}

/// The seeds the vectors give are committed (up to 16 KiB), and every target
/// holds on them and on whatever else is committed in its corpus folder.
#[test]
fn corpus_seeds_replay() {
    let seeds = derived_seeds();
    if std::env::var_os("C169_WRITE_SEEDS").is_some_and(|v| v == "1") {
        write_seeds(&seeds);
    }
    let mut by_target: BTreeMap<&str, Vec<(String, &[u8])>> = BTreeMap::new();
    for s in &seeds {
        by_target
            .entry(s.target)
            .or_default()
            .push((format!("vector seed {}", s.name), &s.bytes));
    }
    let corpus = root().join("fuzz/corpus");
    let mut stale = Vec::new();
    let mut committed: BTreeMap<&str, Vec<(String, Vec<u8>)>> = BTreeMap::new();
    for target in TARGETS {
        let files = files_in(&corpus.join(target));
        assert!(!files.is_empty(), "fuzz/corpus/{target} is empty");
        let known: HashSet<(&str, &[u8])> = files
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_slice()))
            .collect();
        for s in seeds.iter().filter(|s| s.target == target) {
            if s.bytes.len() <= MAX_SEED_LEN && !known.contains(&(s.name.as_str(), &s.bytes[..])) {
                stale.push(format!("{target}/{}", s.name));
            }
        }
        // Replay only what the vectors did not give already.
        let derived: HashSet<&[u8]> = seeds
            .iter()
            .filter(|s| s.target == target)
            .map(|s| s.bytes.as_slice())
            .collect();
        let extra = files
            .into_iter()
            .filter(|(_, b)| !derived.contains(b.as_slice()))
            .collect();
        committed.insert(target, extra);
    }
    assert!(
        stale.is_empty(),
        "{} seed(s) missing or stale under fuzz/corpus (first: {:?}); write them with \
         C169_WRITE_SEEDS=1 cargo test -p c169-fuzzing --test fuzz_replay",
        stale.len(),
        stale.first()
    );
    for target in TARGETS {
        let mut inputs = by_target.remove(target).unwrap_or_default();
        let extra = committed.get(target).map(Vec::as_slice).unwrap_or_default();
        inputs.extend(
            extra
                .iter()
                .map(|(n, b)| (format!("fuzz/corpus/{target}/{n}"), b.as_slice())),
        );
        let n = replay(target, inputs);
        assert!(n > 0, "nothing replayed for {target}");
    }
}

/// Inputs that once broke a target, kept where no vector can hold them.
#[test]
fn regressions_replay() {
    let dir = root().join("fuzz/regressions");
    for target in TARGETS {
        let files = files_in(&dir.join(target));
        replay(
            target,
            files
                .iter()
                .map(|(n, b)| (format!("fuzz/regressions/{target}/{n}"), b.as_slice())),
        );
    }
}

/// The byte-level targets on the other targets' seeds: cheap cross-feeding.
#[test]
fn byte_targets_on_every_seed() {
    let seeds = derived_seeds();
    let mut unique: Vec<&[u8]> = Vec::new();
    let mut seen = HashSet::new();
    for s in &seeds {
        if seen.insert(s.bytes.as_slice()) {
            unique.push(&s.bytes);
        }
    }
    for target in ["base45", "zlib", "cbor", "cose", "cwt", "claim169"] {
        replay(
            target,
            unique
                .iter()
                .enumerate()
                .map(|(i, b)| (format!("seed #{i}"), *b)),
        );
    }
}

/// `roundtrip` over credentials made from deterministic streams of 0 to 2 KiB,
/// `CREDENTIALS` in two halves that run side by side. ES384 signs and verifies in
/// about 25 ms in this debug build (p384 0.13), fifteen times ES256: one ES384
/// credential in eight keeps it, the others are signed with Ed25519 instead.
fn roundtrip_streams(streams: std::ops::Range<u64>) {
    let mut made = 0;
    let mut algs = BTreeMap::new();
    for i in streams.clone() {
        let len = (i as usize * 37) % 2048;
        let bytes = fuzzing::stream(1000 + i, len);
        let mut u = Unstructured::new(&bytes);
        let Ok(mut credential) = Credential::arbitrary(&mut u) else {
            continue;
        };
        if credential.alg == Alg::Es384 && i % 8 != 0 {
            credential.alg = Alg::EdDsa;
        }
        *algs.entry(format!("{:?}", credential.alg)).or_insert(0) += 1;
        made += 1;
        let shown = format!("{credential:?}");
        let result = catch_unwind(AssertUnwindSafe(|| fuzzing::roundtrip(credential)));
        assert!(result.is_ok(), "roundtrip failed on stream {i}: {shown}");
    }
    let total = streams.end - streams.start;
    assert!(made > total / 2, "only {made} credentials of {total} made");
    assert_eq!(algs.len(), 4, "not every algorithm drawn: {algs:?}");
}

#[test]
fn roundtrip_deterministic_credentials_first_half() {
    roundtrip_streams(0..CREDENTIALS / 2);
}

#[test]
fn roundtrip_deterministic_credentials_second_half() {
    roundtrip_streams(CREDENTIALS / 2..CREDENTIALS);
}

/// The fuzz targets are listed once in code (`fuzzing::TARGETS`, and c169-qr's
/// `scan`); `fuzz/Cargo.toml` declares a binary for each and nothing else, and
/// each has its file in `fuzz/fuzz_targets/`: adding a target that one of them
/// misses fails here.
#[test]
fn the_fuzz_crate_declares_exactly_the_targets() {
    let mut listed: Vec<String> = TARGETS.iter().map(|t| (*t).to_owned()).collect();
    listed.push("scan".to_owned());
    listed.sort();
    let manifest = std::fs::read_to_string(root().join("fuzz/Cargo.toml")).unwrap();
    let mut bins: Vec<String> = manifest
        .split("[[bin]]")
        .skip(1)
        .filter_map(|section| {
            section.lines().find_map(|l| {
                let v = l.trim().strip_prefix("name = ")?;
                Some(v.trim_matches('"').to_owned())
            })
        })
        .collect();
    bins.sort();
    assert_eq!(bins, listed, "fuzz/Cargo.toml [[bin]] names");
    let mut files: Vec<String> = std::fs::read_dir(root().join("fuzz/fuzz_targets"))
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            name.strip_suffix(".rs").map(str::to_owned)
        })
        .collect();
    files.sort();
    assert_eq!(files, listed, "fuzz/fuzz_targets/*.rs");
}
