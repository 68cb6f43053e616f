//! The walkthrough's adapter (adapters/examples/python/c169_adapter.py, Python 3
//! standard library only) through the subprocess transport: it describes itself,
//! and on every case it can take (no keys) it agrees with the reference on the
//! verdict, the rejecting stage and the decoded content.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use c169_adapter::protocol::{DecodeKeys, ErrorKind, Needs, Op};
use c169_adapter::{
    AdapterError, Command, Implementation, Mode, Reference, Subprocess, SubprocessSettings,
};
use c169_model::Verdict;
use common::{decode_cases, repo_root};

fn python3() -> Option<&'static str> {
    let ok = std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then_some("python3")
}

#[tokio::test]
async fn the_python_example_agrees_with_the_reference() {
    let Some(python) = python3() else {
        println!("SKIPPED: python3 is not installed; the Python example adapter was not run");
        return;
    };
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
