//! A full run (every vector and scenario, no report files) one case at a time
//! beside two copies side by side, as `c169 run --jobs 1` and `--jobs 2` make it:
//! against the in-process reference (two threads), the reference as a persistent
//! stdio adapter (this very binary, two processes) and the Python walkthrough
//! adapter (`adapters/examples/python/c169_adapter.py --verify`, two processes).
//! Each pair must give the same report, durations apart; the bench checks it
//! before timing.
//!
//! `cargo bench -p c169-bench --bench jobs`; one target: `-- python`. Goal on a
//! 2-core machine: the in-process run under 1 s with two copies. `c169 matrix` is
//! timed as a whole process with hyperfine (README.md).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use c169_adapter::{Command, Implementation, Mode, Reference, Subprocess, SubprocessSettings};
use c169_corpus::catalogue::Catalogue;
use c169_corpus::Corpus;
use c169_report::{Collector, Report};
use c169_suite::session::Session;
use criterion::Criterion;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

mod serving;

use serving::{repo, serve_if_asked, this_as_adapter};

struct Inputs {
    root: PathBuf,
    corpus: Corpus,
    catalogue: Catalogue,
}

/// How `c169 run --jobs N` builds its runtime: one thread for one job, workers
/// for more.
fn runtime(jobs: usize) -> tokio::runtime::Runtime {
    let mut b = if jobs > 1 {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        b.worker_threads(jobs);
        b
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    b.enable_all().build().expect("a tokio runtime")
}

fn full_run(
    inputs: &Inputs,
    copies: &[Arc<dyn Implementation>],
    rt: &tokio::runtime::Runtime,
) -> Report {
    let (first, more) = copies.split_first().expect("a copy");
    let mut session = Session::whole(
        &inputs.root,
        &inputs.corpus,
        &inputs.catalogue,
        Arc::clone(first),
        first.label(),
    );
    session.copies = more.to_vec();
    session.run(rt, &mut Collector::default()).unwrap().report
}

/// Times `name` with one copy, then with two, each set on a runtime of its own
/// (an adapter process belongs to the runtime that started it); checks first that
/// both make the same report.
fn bench_pair(
    c: &mut Criterion,
    name: &str,
    inputs: &Inputs,
    make: &dyn Fn() -> Arc<dyn Implementation>,
) {
    let (one, alone) = (runtime(1), [make()]);
    let (two, pair) = (runtime(2), [make(), make()]);
    let serial = full_run(inputs, &alone, &one);
    let side_by_side = full_run(inputs, &pair, &two);
    assert!(serial.cases.len() > 1000, "{} cases", serial.cases.len());
    let differences = serial.differences(&side_by_side);
    assert!(differences.is_empty(), "{name}: {differences:?}");
    let mut group = c.benchmark_group(format!("jobs/{name}"));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("1", |b| b.iter(|| full_run(inputs, &alone, &one)));
    group.bench_function("2", |b| b.iter(|| full_run(inputs, &pair, &two)));
    group.finish();
    for copy in &alone {
        one.block_on(copy.shutdown());
    }
    for copy in &pair {
        two.block_on(copy.shutdown());
    }
}

fn subprocess(command: Command) -> Arc<dyn Implementation> {
    Arc::new(Subprocess::new(
        command,
        Mode::Persistent,
        SubprocessSettings::default(),
    ))
}

fn main() {
    if serve_if_asked() {
        return;
    }
    let root = repo().join("vectors");
    let inputs = Inputs {
        corpus: Corpus::load(&root).unwrap(),
        catalogue: Catalogue::load(&repo().join("features/requirements.yaml")).unwrap(),
        root,
    };
    let mut c = Criterion::default().configure_from_args();
    bench_pair(&mut c, "in_process", &inputs, &|| Arc::new(Reference));
    bench_pair(&mut c, "adapter_stdio", &inputs, &|| {
        subprocess(this_as_adapter())
    });
    bench_pair(&mut c, "python", &inputs, &|| {
        subprocess(
            Command::new("python3")
                .arg(repo().join("adapters/examples/python/c169_adapter.py"))
                .arg("--verify"),
        )
    });
    c.final_summary();
}
