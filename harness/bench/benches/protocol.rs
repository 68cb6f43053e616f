//! Protocol overhead: the same decode cases through the in-process reference, a
//! persistent subprocess adapter (one JSON line each way) and one-shot adapters
//! (a process per request). The adapter is this very benchmark binary, which
//! serves the reference with the library's stdio server (the code behind
//! `c169 adapter stdio`) when started with `C169_BENCH_SERVE=stdio`.
//!
//! `cargo bench -p c169-bench --bench protocol`. Each iteration is one request;
//! the cases cycle. Persistent minus in-process is the per-request overhead of
//! the protocol (target: at most 50 µs, median).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use c169_adapter::protocol::DecodeRequest;
use c169_adapter::{Implementation, Loopback, Mode, Reference, Subprocess, SubprocessSettings};
use c169_corpus::Corpus;
use c169_suite::run::decode_request;
use criterion::Criterion;
use std::path::PathBuf;
use std::time::Duration;

mod serving;

use serving::{repo, runtime, serve_if_asked, this_as_adapter};

fn vectors() -> PathBuf {
    repo().join("vectors")
}

/// The idpass vectors (valid and invalid, signed, encrypted) as the suite's runner
/// sends them, and two literal rejections.
fn cases() -> Vec<DecodeRequest> {
    let root = vectors();
    let corpus = Corpus::load(&root).unwrap();
    let caps = Reference::description().capability_names();
    let mut out = vec![
        DecodeRequest::new("THIS!IS@NOT#VALID"),
        DecodeRequest::new("AAAA"),
    ];
    for (path, v) in &corpus.vectors {
        if path.starts_with(root.join("external/idpass")) {
            let qr = v.qr.clone().unwrap();
            out.push(decode_request(&corpus, v, &qr, &caps));
        }
    }
    out
}

fn bench_one(
    c: &mut Criterion,
    name: &str,
    imp: &dyn Implementation,
    cases: &[DecodeRequest],
    samples: usize,
) {
    let rt = runtime();
    // Warm up (and start the process) outside the measurement; check the answers.
    for case in cases {
        let got = rt.block_on(imp.decode(case)).unwrap();
        let want = rt.block_on(Reference.decode(case)).unwrap();
        assert_eq!(got, want, "{name}");
    }
    let mut group = c.benchmark_group("protocol/decode");
    group.sample_size(samples);
    group.measurement_time(Duration::from_secs(8));
    let mut i = 0;
    group.bench_function(name, |b| {
        b.iter(|| {
            let case = &cases[i % cases.len()];
            i += 1;
            rt.block_on(imp.decode(case)).unwrap()
        });
    });
    group.finish();
    rt.block_on(imp.shutdown());
}

fn main() {
    if serve_if_asked() {
        return;
    }
    let serving = this_as_adapter();
    let cases = cases();
    let mut c = Criterion::default().configure_from_args();

    bench_one(&mut c, "in_process", &Reference, &cases, 100);
    // The JSON of the protocol alone: no process, no pipe.
    bench_one(&mut c, "json_only", &Loopback::new(Reference), &cases, 100);
    let persistent = Subprocess::new(
        serving.clone(),
        Mode::Persistent,
        SubprocessSettings::default(),
    );
    bench_one(&mut c, "persistent", &persistent, &cases, 100);
    let one_shot = Subprocess::new(serving, Mode::OneShot, SubprocessSettings::default());
    bench_one(&mut c, "one_shot", &one_shot, &cases, 20);

    c.final_summary();
}
