//! Runs the features (`features/*.feature`) against the reference codec, in
//! process: every scenario must pass, no step may be undefined or ambiguous, and
//! nothing is skipped (the reference declares every capability).
//!
//! Then against four deliberately broken implementations, each of which must fail
//! exactly the scenarios recorded in `tests/broken/<name>.txt` — the scenarios that
//! concern its fault — and no others. `C169_BLESS=1` rewrites those files (review
//! the diff: every line must concern the fault).
//!
//! Each check is a libtest trial (`--list` names them), so a filter given to
//! `cargo test` selects among them as among any tests. One scenario alone runs
//! in `tests/cases.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test's main: a failure stops it

mod common;

use async_trait::async_trait;
use c169_adapter::protocol::{DecodeRequest, Description, EncodeRequest, Encoded};
use c169_adapter::{AdapterError, Implementation, Reference};
use c169_corpus::catalogue::Catalogue;
use c169_corpus::generate::Generator;
use c169_corpus::Corpus;
use c169_model::{Outcome, Verdict};
use c169_suite::steps::{run_features, FeatureRun, Shared};
use libtest_mimic::{Arguments, Trial};
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn shared(imp: Arc<dyn Implementation>, rt: &tokio::runtime::Runtime) -> Shared {
    let root = repo().join("vectors");
    let catalogue = Catalogue::load(&repo().join("features/requirements.yaml")).unwrap();
    let caps = rt.block_on(imp.describe()).unwrap().capability_names();
    Shared {
        imp,
        generator: Generator::load(&root, &catalogue).unwrap(),
        corpus: Corpus::load(&root).unwrap(),
        caps,
    }
}

fn report(what: &str, run: &FeatureRun) {
    for f in &run.failed {
        println!("FAILED {f}");
    }
    for (s, why) in &run.skipped {
        println!("SKIPPED {s}: {why}");
    }
    println!(
        "{what}: {} passed, {} failed, {} skipped, {} broken",
        run.passed.len(),
        run.failed.len(),
        run.skipped.len(),
        run.broken
    );
}

/// Broken on purpose: never checks a signature, yet says it did.
#[derive(Debug)]
struct SkipsVerification;

#[async_trait]
impl Implementation for SkipsVerification {
    fn label(&self) -> String {
        "skips-verification".into()
    }
    async fn describe(&self) -> Result<Description, AdapterError> {
        Reference.describe().await
    }
    async fn decode(&self, request: &DecodeRequest) -> Result<Outcome, AdapterError> {
        let mut lax = request.clone();
        lax.keys.verify.clear();
        let mut outcome = Reference.decode(&lax).await?;
        if outcome.verdict == Verdict::Accept {
            outcome.verified = Some(!request.keys.verify.is_empty());
            outcome
                .warnings
                .retain(|w| w.flag != c169_model::Flag::SignatureNotVerified);
        }
        Ok(outcome)
    }
    async fn encode(&self, request: &EncodeRequest) -> Result<Encoded, AdapterError> {
        Reference.encode(request).await
    }
}

/// Broken on purpose: reads lowercase letters as uppercase Base45, and ignores exp and nbf.
#[derive(Debug)]
struct LaxTextAndTime;

#[async_trait]
impl Implementation for LaxTextAndTime {
    fn label(&self) -> String {
        "lax-text-and-time".into()
    }
    async fn describe(&self) -> Result<Description, AdapterError> {
        Reference.describe().await
    }
    async fn decode(&self, request: &DecodeRequest) -> Result<Outcome, AdapterError> {
        let mut lax = request.clone();
        lax.qr = request.qr.to_ascii_uppercase();
        lax.options.now = None;
        let mut outcome = Reference.decode(&lax).await?;
        outcome
            .warnings
            .retain(|w| w.flag != c169_model::Flag::TimeNotChecked);
        Ok(outcome)
    }
    async fn encode(&self, request: &EncodeRequest) -> Result<Encoded, AdapterError> {
        Reference.encode(request).await
    }
}

/// Broken on purpose in its encoder only: the reference's output, spoiled by `fault`.
#[derive(Debug)]
struct EncoderFault {
    name: &'static str,
    fault: fn(&str) -> String,
}

#[async_trait]
impl Implementation for EncoderFault {
    fn label(&self) -> String {
        self.name.into()
    }
    async fn describe(&self) -> Result<Description, AdapterError> {
        Reference.describe().await
    }
    async fn decode(&self, request: &DecodeRequest) -> Result<Outcome, AdapterError> {
        Reference.decode(request).await
    }
    async fn encode(&self, request: &EncodeRequest) -> Result<Encoded, AdapterError> {
        let mut e = Reference.encode(request).await?;
        e.qr = (self.fault)(&e.qr);
        Ok(e)
    }
}

/// Lowercase Base45, as a library that lowercases its output (or a byte-mode QR
/// pipeline) might write.
fn lowercase(text: &str) -> String {
    text.to_ascii_lowercase()
}

/// The COSE message in a zlib stream of stored blocks (valid, not compressed), so
/// large credentials outgrow a version-40 symbol.
fn uncompressed(text: &str) -> String {
    use c169_codec::{base45, zlib};
    let cose = zlib::inflate(&base45::decode(text).unwrap(), 1 << 20).unwrap();
    let stored = zlib::ZlibOptions {
        level: 0,
        ..zlib::ZlibOptions::default()
    };
    base45::encode(&zlib::deflate(&cose.data, &stored).unwrap())
}

/// Scenarios needing an undeclared capability are skipped, each with its reason,
/// and none of them is counted as passed.
fn check_skips(rt: &tokio::runtime::Runtime) {
    let run = rt
        .block_on(run_features(
            &repo().join("features"),
            shared(Arc::new(common::DeclaresNothing), rt),
            None,
            false,
        ))
        .unwrap();
    assert!(run.skipped.len() > 100, "{} skipped", run.skipped.len());
    // It declares no capability, nor that it honours a given validation time.
    let time_bound = format!("not run: {}", c169_suite::run::CLOCK_BOUND);
    assert!(
        run.skipped.iter().all(|(_, why)| why
            .starts_with("not run: the implementation does not declare capability")
            || why.starts_with(&time_bound)),
        "{:?}",
        run.skipped
    );
    assert!(run
        .skipped
        .iter()
        .any(|(_, why)| why.starts_with(&time_bound)));
    for (name, _) in &run.skipped {
        assert!(
            !run.passed.contains(name) && !run.failed.contains(name),
            "{name} skipped and run"
        );
    }
    println!(
        "declares-nothing: {} scenarios skipped with their reason, {} run",
        run.skipped.len(),
        run.passed.len() + run.failed.len()
    );
}

/// Runs the features against a broken implementation and compares its failures
/// with the recorded set; returns the number of differences.
fn check_broken(name: &str, imp: Arc<dyn Implementation>, rt: &tokio::runtime::Runtime) -> usize {
    let run = rt
        .block_on(run_features(
            &repo().join("features"),
            shared(imp, rt),
            None,
            false,
        ))
        .unwrap();
    compare_broken(name, &run)
}

/// Two feature runs at once in one process, the reference and a broken
/// implementation: each gets its own results, as when run alone (the runs share
/// no state but the process).
fn check_two_sessions(rt: &tokio::runtime::Runtime, reference_passed: usize) {
    let features = repo().join("features");
    // Made before, not inside, the runs: making one asks `describe` on the runtime.
    let (one, other) = (
        shared(Arc::new(Reference), rt),
        shared(Arc::new(SkipsVerification), rt),
    );
    let (reference, broken) = rt.block_on(async {
        tokio::join!(
            run_features(&features, one, None, false),
            run_features(&features, other, None, false),
        )
    });
    let (reference, broken) = (reference.unwrap(), broken.unwrap());
    assert_eq!(
        (
            reference.passed.len(),
            reference.failed.len(),
            reference.skipped.len()
        ),
        (reference_passed, 0, 0),
        "the reference, run beside another session"
    );
    assert_eq!(
        compare_broken("skips-verification", &broken),
        0,
        "skips-verification, run beside the reference"
    );
    println!(
        "two sessions at once: the reference {} passed, skips-verification {} failed, as alone",
        reference.passed.len(),
        broken.failed.len()
    );
}

/// Compares a broken implementation's failures with the recorded set; returns
/// the number of differences.
fn compare_broken(name: &str, run: &FeatureRun) -> usize {
    let expected_path = repo().join(format!("harness/suite/tests/broken/{name}.txt"));
    let got: Vec<String> = run.failed.iter().map(|f| strip_note(f)).collect();
    if std::env::var_os("C169_BLESS").is_some() {
        std::fs::write(&expected_path, got.join("\n") + "\n").unwrap();
    }
    let expected: Vec<String> = std::fs::read_to_string(&expected_path)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .filter(|l| !l.is_empty())
        .collect();
    let unexpected: Vec<&String> = got.iter().filter(|f| !expected.contains(f)).collect();
    let missing: Vec<&String> = expected.iter().filter(|f| !got.contains(f)).collect();
    for f in &unexpected {
        println!("{name}: fails a scenario outside its fault: {f}");
    }
    for f in &missing {
        println!("{name}: passes a scenario that concerns its fault: {f}");
    }
    println!(
        "{name}: {} scenarios fail, as recorded: {}",
        got.len(),
        unexpected.is_empty() && missing.is_empty()
    );
    assert_eq!(run.broken, 0);
    unexpected.len() + missing.len()
}

/// A failure's label without its note (a stage mismatch note depends on the implementation).
fn strip_note(label: &str) -> String {
    label.split(" [").next().unwrap_or(label).to_owned()
}

/// A runtime for one check.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Runs the features under `dir` against the reference: every scenario passes,
/// none is skipped, no step is undefined; returns how many passed.
fn check_reference(what: &str, dir: &Path) -> usize {
    let has_features = std::fs::read_dir(dir).is_ok_and(|d| {
        d.filter_map(Result::ok)
            .any(|e| e.path().extension().is_some_and(|x| x == "feature"))
    });
    assert!(
        has_features,
        "{what}: no .feature files in {}",
        dir.display()
    );
    let rt = runtime();
    let run = rt
        .block_on(run_features(
            dir,
            shared(Arc::new(Reference), &rt),
            None,
            true,
        ))
        .unwrap();
    report(what, &run);
    assert!(!run.passed.is_empty(), "{what}: no scenario ran");
    assert_eq!(
        run.failed.len() + run.broken + run.skipped.len(),
        0,
        "{what}: failed against the reference"
    );
    run.passed.len()
}

/// How many feature scenarios the reference passes, run once for the checks that need it.
fn reference_passed() -> usize {
    static PASSED: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *PASSED.get_or_init(|| check_reference("features", &repo().join("features")))
}

fn trial(name: &str, check: impl FnOnce() + Send + 'static) -> Trial {
    Trial::test(name, move || {
        check();
        Ok(())
    })
}

/// A broken implementation fails exactly its recorded scenarios.
fn broken(name: &'static str, imp: impl Fn() -> Arc<dyn Implementation> + Send + 'static) -> Trial {
    trial(&format!("broken::{name}"), move || {
        let differences = check_broken(name, imp(), &runtime());
        assert_eq!(
            differences, 0,
            "{name} fails other scenarios than its fault's"
        );
    })
}

fn main() {
    let mut args = Arguments::from_args();
    // One after another: each check runs the whole features folder, and their
    // output reads best unmixed.
    args.test_threads = Some(1);
    let trials = vec![
        trial("reference::step-library-smoke", || {
            check_reference(
                "step library smoke test",
                &repo().join("harness/suite/tests/smoke"),
            );
        }),
        trial("reference::features", || {
            reference_passed();
        }),
        trial("declares-nothing::skips-with-reasons", || {
            check_skips(&runtime());
        }),
        trial("reference::two-sessions-at-once", || {
            check_two_sessions(&runtime(), reference_passed());
        }),
        broken("skips-verification", || Arc::new(SkipsVerification)),
        broken("lax-text-and-time", || Arc::new(LaxTextAndTime)),
        broken("lowercase-text", || {
            Arc::new(EncoderFault {
                name: "lowercase-text",
                fault: lowercase,
            })
        }),
        broken("uncompressed", || {
            Arc::new(EncoderFault {
                name: "uncompressed",
                fault: uncompressed,
            })
        }),
    ];
    libtest_mimic::run(&args, trials).exit();
}
