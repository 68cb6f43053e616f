//! The differential fuzzer: cases are reproducible from their seed, the reference
//! agrees with itself, and a deliberately broken implementation is caught.

#![allow(clippy::unwrap_used, clippy::panic)] // tests

use async_trait::async_trait;
use c169_adapter::protocol::{DecodeRequest, Description, EncodeRequest, Encoded};
use c169_adapter::{AdapterError, Implementation, Reference};
use c169_corpus::Corpus;
use c169_model::{Outcome, Verdict};
use c169_suite::differential::{bases, case, run_case, Verdicts};
use std::path::Path;

fn corpus() -> Corpus {
    Corpus::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../vectors")).unwrap()
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Broken on purpose: accepts whatever the reference rejects at the zlib stage.
#[derive(Debug)]
struct IgnoresZlibErrors;

#[async_trait]
impl Implementation for IgnoresZlibErrors {
    fn label(&self) -> String {
        "ignores-zlib-errors".into()
    }
    async fn describe(&self) -> Result<Description, AdapterError> {
        Reference.describe().await
    }
    async fn decode(&self, request: &DecodeRequest) -> Result<Outcome, AdapterError> {
        let mut o = Reference.decode(request).await?;
        if o.stage == Some(c169_model::Stage::Zlib) {
            o.verdict = Verdict::Accept;
            o.stage = None;
            o.code = None;
        }
        Ok(o)
    }
    async fn encode(&self, request: &EncodeRequest) -> Result<Encoded, AdapterError> {
        Reference.encode(request).await
    }
}

#[test]
fn cases_are_reproducible_and_the_reference_agrees_with_itself() {
    let corpus = corpus();
    let caps = Reference::description().capability_names();
    let bases = bases(&corpus, &caps);
    assert!(bases.len() > 5, "{} bases", bases.len());
    let a = format!("{:?}", case(7, 42, bases.len()));
    assert_eq!(
        a,
        format!("{:?}", case(7, 42, bases.len())),
        "same seed, same case"
    );
    assert_ne!(
        a,
        format!("{:?}", case(8, 42, bases.len())),
        "another seed, another case"
    );
    let rt = rt();
    let mut made = 0;
    for i in 0..300 {
        match run_case(&case(1, i, bases.len()), &bases, &Reference, true, &rt) {
            Verdicts::Agree => made += 1,
            Verdicts::NotMade => {}
            other => panic!("case {i}: {other:?}"),
        }
    }
    assert!(made > 250, "{made} cases made");
}

#[test]
fn a_broken_implementation_is_caught() {
    let corpus = corpus();
    let caps = Reference::description().capability_names();
    let bases = bases(&corpus, &caps);
    let rt = rt();
    let mut found = Vec::new();
    for i in 0..400 {
        if let Verdicts::Disagree(d) = run_case(
            &case(3, i, bases.len()),
            &bases,
            &IgnoresZlibErrors,
            true,
            &rt,
        ) {
            found.push(d.kind);
        }
    }
    assert!(!found.is_empty());
    assert!(
        found
            .iter()
            .all(|k| k.starts_with("verdict: reference reject at zlib")),
        "{found:?}"
    );
}
