//! The features give the same results against the reference reached in-process
//! and through `c169 adapter stdio`, scenario by scenario.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests

use c169_adapter::{Command, Implementation, Mode, Reference, Subprocess, SubprocessSettings};
use c169_corpus::catalogue::Catalogue;
use c169_corpus::generate::Generator;
use c169_corpus::Corpus;
use c169_suite::steps::{run_features, FeatureRun, Shared};
use std::sync::Arc;

mod common;

use common::repo;

fn run(imp: Arc<dyn Implementation>, rt: &tokio::runtime::Runtime) -> FeatureRun {
    let root = repo().join("vectors");
    let catalogue = Catalogue::load(&repo().join("features/requirements.yaml")).unwrap();
    let caps = rt.block_on(imp.describe()).unwrap().capability_names();
    let shared = Shared {
        imp,
        generator: Generator::load(&root, &catalogue).unwrap(),
        corpus: Corpus::load(&root).unwrap(),
        caps,
    };
    rt.block_on(run_features(&repo().join("features"), shared, None, false))
        .unwrap()
}

#[test]
fn features_through_adapter_stdio_match_in_process() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let in_process = run(Arc::new(Reference), &rt);
    let stdio: Arc<dyn Implementation> = Arc::new(Subprocess::new(
        Command::new(env!("CARGO_BIN_EXE_c169")).args(["adapter", "stdio"]),
        Mode::Persistent,
        SubprocessSettings::default(),
    ));
    let through_stdio = run(Arc::clone(&stdio), &rt);
    rt.block_on(stdio.shutdown());
    assert!(
        in_process.passed.len() > 150,
        "{} scenarios",
        in_process.passed.len()
    );
    assert!(
        in_process.failed.is_empty() && in_process.skipped.is_empty() && in_process.broken == 0
    );
    assert_eq!(in_process.records.len(), in_process.passed.len());
    assert_eq!(timeless(through_stdio), timeless(in_process));
}

/// The run without its durations, which differ from run to run.
fn timeless(mut run: FeatureRun) -> FeatureRun {
    for rec in &mut run.records {
        rec.duration_ms = 0.0;
        for step in &mut rec.steps {
            step.duration_ms = 0.0;
        }
    }
    run
}
