//! The harness can fail: decoders that are wrong on purpose make failing tests,
//! with messages that say why; known failures, tags and the gate behave as
//! `c169 run`'s do; and the README's example is the file the example crate runs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests

use c169_conformance::libtest_mimic::{Arguments, Conclusion};
use c169_conformance::protocol::{Abilities, Algorithms, PROTOCOL_VERSION};
use c169_conformance::{
    DecodeRequest, Decoder, Description, EncodeRequest, Encoded, ErrorBody, FailOn, Harness,
    HarnessError, Outcome, Stage, Verdict,
};
use std::path::{Path, PathBuf};

/// An invalid vector every conformant decoder rejects at stage base45 (MUST).
const LOWERCASE: &str = "b45-lowercase-first-minimal";
/// A valid vector: an Ed25519-signed credential with a face photo.
const VALID: &str = "alg-ed25519-a-face";

/// Claims everything the suite knows.
fn everything() -> Description {
    Description {
        name: "test double".into(),
        version: "0".into(),
        protocol: PROTOCOL_VERSION,
        ops: vec!["describe".into(), "decode".into(), "encode".into()],
        algorithms: Algorithms {
            sign: ["EdDSA", "ES256", "ES384", "ES512"]
                .map(String::from)
                .into(),
            encrypt: ["A128GCM", "A192GCM", "A256GCM"].map(String::from).into(),
        },
        options: Abilities {
            now: true,
            leeway: true,
            fixed_leeway: None,
            unverified: true,
        },
        capabilities: vec!["decode_image".into()],
        serial: false,
    }
}

/// Accepts every credential, returns nothing of it, and encodes to garbage.
struct AcceptsEverything;

impl Decoder for AcceptsEverything {
    fn describe(&self) -> Description {
        everything()
    }
    fn decode(&self, _: &DecodeRequest) -> Result<Outcome, ErrorBody> {
        let mut o = Outcome::reject(Stage::Base45, "", "");
        o.verdict = Verdict::Accept;
        o.stage = None;
        o.code = None;
        o.message = None;
        Ok(o)
    }
    fn encode(&self, _: &EncodeRequest) -> Result<Encoded, ErrorBody> {
        Ok(Encoded {
            qr: "NOT A CREDENTIAL".into(),
        })
    }
}

/// Rejects every credential at stage base45.
struct RejectsEverything;

impl Decoder for RejectsEverything {
    fn describe(&self) -> Description {
        everything()
    }
    fn decode(&self, _: &DecodeRequest) -> Result<Outcome, ErrorBody> {
        Ok(Outcome::reject(Stage::Base45, "base45.any", "rejects all"))
    }
}

/// Panics on every credential.
struct Panics;

impl Decoder for Panics {
    fn describe(&self) -> Description {
        everything()
    }
    fn decode(&self, _: &DecodeRequest) -> Result<Outcome, ErrorBody> {
        panic!("the decoder under test fell over")
    }
}

/// Claims no algorithm, no validation time, no encoding.
struct ClaimsNothing;

impl Decoder for ClaimsNothing {
    fn describe(&self) -> Description {
        Description {
            ops: vec!["describe".into(), "decode".into()],
            algorithms: Algorithms::default(),
            options: Abilities::default(),
            capabilities: Vec::new(),
            serial: false,
            ..everything()
        }
    }
    fn decode(&self, _: &DecodeRequest) -> Result<Outcome, ErrorBody> {
        Ok(Outcome::reject(Stage::Base45, "base45.any", "rejects all"))
    }
}

/// Arguments that run the tests `filter` selects (all, without one), writing
/// libtest's output to a log file named `log` instead of stdout.
fn arguments(log: &str, filter: Option<&str>) -> (Arguments, PathBuf) {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("conformance-{log}.log"));
    let args = Arguments {
        logfile: Some(path.to_string_lossy().into_owned()),
        filter: filter.map(str::to_owned),
        exact: filter.is_some(),
        ..Arguments::default()
    };
    (args, path)
}

fn run<D: Decoder + 'static>(
    harness: Harness<D>,
    log: &str,
    filter: Option<&str>,
) -> (Conclusion, String) {
    let (args, path) = arguments(log, filter);
    let conclusion = harness.run_with_args(&args).unwrap();
    (conclusion, std::fs::read_to_string(path).unwrap())
}

/// The message libtest printed for the failed test `id`.
fn failure<'a>(log: &'a str, id: &str) -> &'a str {
    let start = log
        .find(&format!("---- {id} ----"))
        .unwrap_or_else(|| panic!("no failure of {id} in\n{log}"));
    let rest = &log[start..];
    &rest[..rest.find("\n\n").unwrap_or(rest.len())]
}

#[test]
fn a_decoder_that_accepts_everything_fails_most_of_the_corpus() {
    let (c, log) = run(Harness::new(AcceptsEverything), "accepts-everything", None);
    assert!(c.num_failed > 100, "{c:?}");
    assert!(c.has_failed());
    // Whatever a vector expects, some answers conform (acceptable vectors).
    assert!(c.num_passed > 0, "{c:?}");
    let message = failure(&log, LOWERCASE);
    for part in [
        "FAIL at MUST: must be rejected at stage base45; it was accepted",
        "requirement  C169-B45-004 (MUST)",
        "also C169-QR-002 (MUST)",
        "basis        RFC 9285 §6, MUST: \"Implementations MUST reject any input",
        "expected     invalid: rejected, at stage base45",
        "observed     accepted",
        "vector       vectors/base45/b45-lowercase-first-minimal.json",
    ] {
        assert!(message.contains(part), "{part:?} is not in\n{message}");
    }
    // An accepted credential must return what was signed: the content rule.
    let message = failure(&log, VALID);
    assert!(message.contains("content rule"), "{message}");
    assert!(
        message.contains("expected     valid: accepted, with the vector's content"),
        "{message}"
    );
    // Encoder vectors judge the output.
    assert!(log.contains("enc-out-"), "{log}");
}

#[test]
fn one_vector_runs_alone_by_its_id() {
    let (c, log) = run(Harness::new(RejectsEverything), "one", Some(LOWERCASE));
    assert_eq!(
        (c.num_passed, c.num_failed, c.num_ignored),
        (1, 0, 0),
        "{log}"
    );
    assert!(c.num_filtered_out > 500, "{c:?}");
}

#[test]
fn a_panic_fails_its_test_with_the_panic_said() {
    let (c, log) = run(Harness::new(Panics), "panics", Some(LOWERCASE));
    assert_eq!(c.num_failed, 1, "{log}");
    let message = failure(&log, LOWERCASE);
    assert!(message.contains("ERROR at MUST"), "{message}");
    assert!(
        message.contains("decode panicked: the decoder under test fell over"),
        "{message}"
    );
}

#[test]
fn a_case_the_description_does_not_cover_is_ignored_with_why() {
    let (c, log) = run(Harness::new(ClaimsNothing), "claims-nothing", Some(VALID));
    assert_eq!(
        (c.num_passed, c.num_failed, c.num_ignored),
        (0, 0, 1),
        "{log}"
    );
    assert!(
        log.contains("ignored (not run: the implementation does not declare capability"),
        "{log}"
    );
    // A whole run in which nothing applies tested nothing.
    let (args, _) = arguments("nothing-applies", None);
    let e = Harness::new(ClaimsNothing)
        .tags("@encode")
        .run_with_args(&args)
        .unwrap_err();
    assert!(matches!(e, HarnessError::NothingApplied { .. }), "{e}");
    assert_eq!(e.exit_code(), 1);
}

#[test]
fn a_known_failure_is_ignored_while_it_fails_and_fails_once_it_passes() {
    let known = |h: Harness<_>| h.known_failure(LOWERCASE, "accepts lowercase Base45");
    let (c, log) = run(
        known(Harness::new(AcceptsEverything)),
        "known",
        Some(LOWERCASE),
    );
    assert_eq!((c.num_failed, c.num_ignored), (0, 1), "{log}");
    assert!(
        log.contains("ignored (known failure: accepts lowercase Base45; MUST: must be rejected"),
        "{log}"
    );

    let known = |h: Harness<_>| h.known_failure(LOWERCASE, "accepts lowercase Base45");
    let (c, log) = run(
        known(Harness::new(RejectsEverything)),
        "stale",
        Some(LOWERCASE),
    );
    assert_eq!(c.num_failed, 1, "{log}");
    assert!(
        failure(&log, LOWERCASE).contains("passes now: remove it from the known failures"),
        "{log}"
    );
}

#[test]
fn known_failures_must_name_a_case_of_the_corpus() {
    let (args, _) = arguments("unknown", None);
    let e = Harness::new(RejectsEverything)
        .known_failure("no-such-vector", "a typo")
        .run_with_args(&args)
        .unwrap_err();
    assert!(
        e.to_string().contains("no vector is named no-such-vector"),
        "{e}"
    );
    assert_eq!(e.exit_code(), 2);

    let file = Path::new(env!("CARGO_TARGET_TMPDIR")).join("conformance-expectations.yaml");
    std::fs::write(
        &file,
        format!("known_failures:\n  - case: {LOWERCASE}\n    reason: listed in the file\n"),
    )
    .unwrap();
    let (args, _) = arguments("listed-twice", None);
    let e = Harness::new(RejectsEverything)
        .expectations(&file)
        .known_failure(LOWERCASE, "and in code")
        .run_with_args(&args)
        .unwrap_err();
    assert!(matches!(e, HarnessError::ListedTwice { .. }), "{e}");
}

#[test]
fn the_gate_decides_what_a_failure_below_must_is() {
    // Rejecting everything fails the valid vectors graded below MUST too; under
    // the default gate they are ignored, with why, and under `Any` they fail.
    let (lenient, _) = run(
        Harness::new(RejectsEverything).tags("@valid and not @must"),
        "gate-must",
        None,
    );
    let (strict, _) = run(
        Harness::new(RejectsEverything)
            .tags("@valid and not @must")
            .fail_on(FailOn::Any),
        "gate-any",
        None,
    );
    assert_eq!(lenient.num_failed, 0, "{lenient:?}");
    assert!(strict.num_failed > 0, "{strict:?}");
    assert_eq!(lenient.num_ignored, strict.num_ignored + strict.num_failed);
}

#[test]
fn a_corpus_that_is_not_there_or_tags_that_select_nothing_stop_the_run() {
    let (args, _) = arguments("no-corpus", None);
    let e = Harness::new(RejectsEverything)
        .vectors("/nonexistent/vectors")
        .run_with_args(&args)
        .unwrap_err();
    assert!(e.to_string().contains("set by Harness::vectors"), "{e}");
    let e = Harness::new(RejectsEverything)
        .tags("@no-such-tag")
        .run_with_args(&args)
        .unwrap_err();
    assert!(matches!(e, HarnessError::NothingSelected { .. }), "{e}");
    let e = Harness::new(RejectsEverything)
        .tags("@must and")
        .run_with_args(&args)
        .unwrap_err();
    assert!(matches!(e, HarnessError::Tags(_)), "{e}");
}

#[test]
fn the_readme_example_is_the_file_the_example_crate_runs() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(here.join("README.md")).unwrap();
    let example = std::fs::read_to_string(here.join("example/tests/conformance.rs")).unwrap();
    let start = readme
        .find("```rust,no_run\n")
        .expect("the README shows the example")
        + "```rust,no_run\n".len();
    let len = readme[start..].find("```\n").unwrap();
    assert_eq!(&readme[start..start + len], example, "harness/conformance/README.md shows another example than harness/conformance/example/tests/conformance.rs: copy the file into the README");
}
