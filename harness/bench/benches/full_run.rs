//! A full run as `c169 run` makes it: every vector and every scenario against an
//! implementation, then the report in every format — against the in-process
//! reference and against the reference as a persistent stdio adapter (this very
//! binary, serving with the code behind `c169 adapter stdio` when started with
//! `C169_BENCH_SERVE=stdio`). Peak memory of this process and of the adapter are
//! printed at the end.
//!
//! `cargo bench -p c169-bench --bench full_run`. Targets (2-core machine, release):
//! in-process under 5 s, through the adapter under twice the in-process time, peak
//! memory under 200 MB.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use c169_adapter::{Implementation, Mode, Reference, Subprocess, SubprocessSettings};
use c169_corpus::catalogue::Catalogue;
use c169_corpus::Corpus;
use c169_formats::{write_all, Format};
use c169_report::Collector;
use c169_suite::session::Session;
use criterion::Criterion;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

mod serving;

use serving::{repo, runtime, serve_if_asked, this_as_adapter};

struct Inputs {
    root: PathBuf,
    corpus: Corpus,
    catalogue: Catalogue,
    out: PathBuf,
}

/// One full run; returns how many cases it judged.
fn full_run(inputs: &Inputs, imp: &Arc<dyn Implementation>, rt: &tokio::runtime::Runtime) -> usize {
    let session = Session::whole(
        &inputs.root,
        &inputs.corpus,
        &inputs.catalogue,
        Arc::clone(imp),
        imp.label(),
    );
    let report = session.run(rt, &mut Collector::default()).unwrap().report;
    assert_eq!(report.gate.verdict, c169_report::RunVerdict::Conformant);
    write_all(&report, &inputs.out, &Format::ALL, None).unwrap();
    report.cases.len()
}

fn bench_one(c: &mut Criterion, name: &str, inputs: &Inputs, imp: &Arc<dyn Implementation>) {
    let rt = runtime();
    let cases = full_run(inputs, imp, &rt);
    assert!(cases > 1000, "{cases} cases");
    let mut group = c.benchmark_group("full_run");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function(name, |b| b.iter(|| full_run(inputs, imp, &rt)));
    group.finish();
    rt.block_on(imp.shutdown());
}

fn max_rss_mb(who: nix::sys::resource::UsageWho) -> f64 {
    // Linux reports ru_maxrss in KiB.
    nix::sys::resource::getrusage(who).map_or(0.0, |u| u.max_rss() as f64 / 1024.0)
}

fn main() {
    if serve_if_asked() {
        return;
    }
    let root = repo().join("vectors");
    let inputs = Inputs {
        corpus: Corpus::load(&root).unwrap(),
        catalogue: Catalogue::load(&repo().join("features/requirements.yaml")).unwrap(),
        out: std::env::temp_dir().join(format!("c169-bench-full-run-{}", std::process::id())),
        root,
    };
    let mut c = Criterion::default().configure_from_args();
    let reference: Arc<dyn Implementation> = Arc::new(Reference);
    bench_one(&mut c, "in_process", &inputs, &reference);
    let stdio: Arc<dyn Implementation> = Arc::new(Subprocess::new(
        this_as_adapter(),
        Mode::Persistent,
        SubprocessSettings::default(),
    ));
    bench_one(&mut c, "adapter_stdio", &inputs, &stdio);
    c.final_summary();
    println!(
        "peak RSS: this process {:.1} MB, the stdio adapter {:.1} MB",
        max_rss_mb(nix::sys::resource::UsageWho::RUSAGE_SELF),
        max_rss_mb(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)
    );
    let _ = std::fs::remove_dir_all(&inputs.out);
}
