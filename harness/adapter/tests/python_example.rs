//! The walkthrough's adapter (adapters/examples/python/c169_adapter.py) through
//! the subprocess transport, in its two configurations.
//!
//! - Python 3 standard library only: it describes itself as unable to verify, and
//!   on every case it can take (no keys) it agrees with the reference on the
//!   verdict, the rejecting stage and the decoded content.
//! - `--verify`, with the PyPI package `cryptography`: it claims every signature
//!   and content algorithm, and answers every decode vector of the corpus, keys
//!   and validation time given as `c169 run` gives them, as the vector expects:
//!   the verdict its class allows, the stage a rejection names, and the
//!   reference's content when both accept.
//!   It needs `cryptography` installed, so a plain `cargo test` reports it
//!   ignored, with that reason, rather than passing without running; with
//!   `--include-ignored` it fails when `cryptography` cannot be imported.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use c169_adapter::protocol::{DecodeKeys, DecodeOptions, DecodeRequest, ErrorKind, Needs, Op};
use c169_adapter::{
    AdapterError, Command, Implementation, Mode, Reference, Subprocess, SubprocessSettings,
};
use c169_model::{Stage, Vector, Verdict, VerdictClass};
use common::{decode_cases, jwk, public, repo_root};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn python3() -> Option<&'static str> {
    let ok = std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then_some("python3")
}

#[tokio::test]
async fn the_python_example_agrees_with_the_reference() {
    // python3 is a prerequisite (README): a test that cannot run fails, never passes.
    let python = python3().expect(
        "python3 is not installed: the walkthrough adapter cannot be run (README, Prerequisites)",
    );
    let script = repo_root().join("adapters/examples/python/c169_adapter.py");
    for mode in [Mode::Persistent, Mode::OneShot] {
        let imp = Subprocess::new(
            Command::new(python).arg(&script),
            mode,
            SubprocessSettings::default(),
        );
        let d = imp.describe().await.unwrap();
        assert_eq!(d.name, "tiny-python");
        assert!(d.supports(Op::Decode) && !d.supports(Op::Encode));
        assert!(d.algorithms.sign.is_empty(), "it claims it cannot verify");
        let mut needs = Needs::op(Op::Decode);
        needs.sign_alg = Some("EdDSA".into());
        assert!(d.unmet(&needs).is_some());

        let (mut compared, mut accepted, mut declined) = (0, 0, 0);
        for (name, mut request) in decode_cases() {
            // It neither verifies nor decrypts: give it no keys, and the reference the same.
            request.keys = DecodeKeys::default();
            let want = Reference.decode(&request).await.unwrap();
            match imp.decode(&request).await {
                Ok(got) => {
                    assert_eq!(
                        got.verdict, want.verdict,
                        "{name}: {got:?}\nreference: {want:?}"
                    );
                    if want.verdict == Verdict::Reject {
                        assert_eq!(
                            got.stage, want.stage,
                            "{name}: {got:?}\nreference: {want:?}"
                        );
                    } else {
                        accepted += 1;
                        assert_eq!(got.claim169, want.claim169, "{name}");
                        assert_eq!(got.cwt, want.cwt, "{name}");
                        assert_eq!(got.verified, Some(false));
                    }
                    compared += 1;
                }
                Err(AdapterError::Adapter {
                    kind: ErrorKind::Unsupported,
                    message,
                    ..
                }) => {
                    assert!(message.contains("encrypted"), "{name}: {message}");
                    declined += 1;
                }
                Err(e) => panic!("{name}: {e}"),
            }
        }
        println!("{mode:?}: {compared} cases agree with the reference ({accepted} accepted), {declined} declined (encrypted)");
        assert!(
            compared >= 20 && accepted >= 5,
            "{compared} compared, {accepted} accepted"
        );
        imp.shutdown().await;
    }
}

/// Whether `python` can import the PyPI package `cryptography`.
fn imports_cryptography(python: &str) -> bool {
    std::process::Command::new(python)
        .args(["-c", "import cryptography"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Every decode vector of the corpus (a QR text to decode), as `c169 run` finds
/// them: the `*.json` files of the area folders under vectors/, but not those of
/// keys/, schema/, src/, an external corpus's original/ or fuzz-found/ (see
/// `NOT_VECTORS` in harness/corpus/src/corpus.rs); image and encoder vectors
/// are left out.
fn decode_vectors() -> Vec<Vector> {
    const NOT_VECTORS: [&str; 5] = ["keys", "schema", "src", "original", "fuzz-found"];
    fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                if !NOT_VECTORS.contains(&name.as_str()) {
                    walk(&path, depth + 1, out);
                }
            } else if depth > 0 && path.extension().is_some_and(|e| e == "json") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&repo_root().join("vectors"), 0, &mut files);
    files.sort();
    files
        .iter()
        .map(|p| {
            c169_model::deep::from_slice::<Vector>(&std::fs::read(p).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        })
        .filter(|v| v.qr.is_some() && v.image.is_none() && v.encode.is_none())
        .collect()
}

/// The request `c169 run` makes of a vector for an implementation that declares
/// what the vector needs (`decode_request` in harness/suite/src/run.rs): the
/// public JWK of each verification key (a key that is unusable on purpose as it
/// is written), the decryption keys, the vector's validation time and no leeway.
fn request(v: &Vector) -> DecodeRequest {
    let verify = |name: &String| {
        let key = jwk(name);
        if key.get("c169_deliberately_invalid").is_some() {
            key
        } else {
            public(&key)
        }
    };
    DecodeRequest {
        qr: v.qr.clone().unwrap_or_default(),
        image: None,
        keys: DecodeKeys {
            verify: v.keys.verify.iter().map(verify).collect(),
            decrypt: v.keys.decrypt.iter().map(|k| jwk(k)).collect(),
        },
        options: DecodeOptions {
            now: Some(v.now),
            leeway: Some(0),
        },
    }
}

#[tokio::test]
#[ignore = "needs python3 and the PyPI package cryptography (`python3 -m pip install cryptography`); run it with `cargo test -p c169-adapter --test python_example -- --include-ignored`"]
async fn the_verifying_python_example_answers_every_decode_vector_as_expected() {
    let python =
        python3().expect("python3 is not installed: the verifying Python example needs it");
    assert!(
        imports_cryptography(python),
        "python3 cannot import cryptography: `python3 -m pip install cryptography` first"
    );
    let script = repo_root().join("adapters/examples/python/c169_adapter.py");
    let imp = Subprocess::new(
        Command::new(python).arg(&script).arg("--verify"),
        Mode::Persistent,
        SubprocessSettings::default(),
    );
    let d = imp.describe().await.unwrap();
    assert_eq!(d.algorithms.sign, ["EdDSA", "ES256", "ES384", "ES512"]);
    assert_eq!(d.algorithms.encrypt, ["A128GCM", "A192GCM", "A256GCM"]);
    // It claims whatever a decode vector can need: none is skipped.
    let claimed = d.capability_names();
    let vectors = decode_vectors();
    let unclaimed: Vec<String> = vectors
        .iter()
        .flat_map(|v| {
            v.capabilities
                .iter()
                .filter(|c| !claimed.contains(*c))
                .map(move |c| format!("{}: {c}", v.id))
        })
        .collect();
    assert!(unclaimed.is_empty(), "{unclaimed:?}");

    // Answers by verdict and stage ("accept" for an acceptance), and how many
    // acceptances were verified.
    let mut answers: BTreeMap<String, usize> = BTreeMap::new();
    let mut verified = 0;
    for v in &vectors {
        let request = request(v);
        let got = imp
            .decode(&request)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", v.id));
        let want = Reference.decode(&request).await.unwrap();
        let seen = format!("{got:?}\nreference: {want:?}");
        match (v.verdict, got.verdict) {
            (VerdictClass::Invalid, Verdict::Reject) => {
                assert_eq!(got.stage, v.stage, "{}: {seen}", v.id);
            }
            (VerdictClass::Valid | VerdictClass::Acceptable, Verdict::Accept) => {
                if want.verdict == Verdict::Accept {
                    assert_eq!(got.claim169, want.claim169, "{}: {seen}", v.id);
                    assert_eq!(got.cwt, want.cwt, "{}: {seen}", v.id);
                }
                assert_eq!(
                    got.verified,
                    Some(!v.keys.verify.is_empty()),
                    "{}: {seen}",
                    v.id
                );
                verified += usize::from(got.verified == Some(true));
            }
            (VerdictClass::Acceptable, Verdict::Reject) => {}
            (class, _) => panic!("{}: a {} vector; {seen}", v.id, class.as_str()),
        }
        if got.verdict == Verdict::Reject {
            assert!(got.claim169.is_none(), "{}: a rejection with claims", v.id);
        }
        let key = got.stage.map_or("accept", Stage::as_str).to_owned();
        *answers.entry(key).or_default() += 1;
    }
    imp.shutdown().await;
    println!(
        "{} decode vectors answered as expected, {verified} acceptances verified: {answers:?}",
        vectors.len()
    );
    // The verifying configuration reaches the stages the other one cannot.
    assert!(verified >= 100, "{verified} verified acceptances");
    for stage in ["signature", "decrypt", "time"] {
        assert!(
            answers.get(stage).copied().unwrap_or(0) >= 10,
            "{stage}: {answers:?}"
        );
    }
}
