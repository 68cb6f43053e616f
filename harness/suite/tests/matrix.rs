//! `c169_suite::matrix::matrix`: the members' runs and the encoder × decoder grid
//! on one set of workers. What the reports rest on: the grid does not depend on
//! how many workers there were or in which order the work was done, a member is
//! spoken to by the grid only once its own run has ended, and a run that panics
//! is the caller's panic, not a worker waiting for ever.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // tests

use async_trait::async_trait;
use c169_adapter::protocol::{DecodeRequest, Description, EncodeRequest, Encoded};
use c169_adapter::{AdapterError, Implementation, Reference};
use c169_corpus::Corpus;
use c169_model::Outcome;
use c169_report::matrix::{Grid, GridResult};
use c169_suite::matrix::{matrix, Copier, GridMember};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn corpus() -> Corpus {
    Corpus::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../vectors")).unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// The reference, counting the encodings and readings asked of it, and taking
/// `delay` longer over each reading.
#[derive(Debug, Default)]
struct Watched {
    asked: AtomicUsize,
    delay: Duration,
}

#[async_trait]
impl Implementation for Watched {
    fn label(&self) -> String {
        "watched reference".into()
    }
    async fn describe(&self) -> Result<Description, AdapterError> {
        Reference.describe().await
    }
    async fn decode(&self, request: &DecodeRequest) -> Result<Outcome, AdapterError> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        std::thread::sleep(self.delay);
        Reference.decode(request).await
    }
    async fn encode(&self, request: &EncodeRequest) -> Result<Encoded, AdapterError> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        Reference.encode(request).await
    }
    fn in_process(&self) -> bool {
        true
    }
}

/// A copy that could not start: every call fails.
#[derive(Debug)]
struct Dead;

fn dead() -> AdapterError {
    AdapterError::Spawn {
        program: "dead".into(),
        message: "no such program".into(),
    }
}

#[async_trait]
impl Implementation for Dead {
    fn label(&self) -> String {
        "dead".into()
    }
    async fn describe(&self) -> Result<Description, AdapterError> {
        Err(dead())
    }
    async fn decode(&self, _: &DecodeRequest) -> Result<Outcome, AdapterError> {
        Err(dead())
    }
    async fn encode(&self, _: &EncodeRequest) -> Result<Encoded, AdapterError> {
        Err(dead())
    }
}

fn member(name: &str, imp: Arc<dyn Implementation>) -> GridMember {
    let copy: Copier = Arc::new(|| Some(Arc::new(Reference) as Arc<dyn Implementation>));
    GridMember {
        name: name.into(),
        imp,
        caps: Reference::description().capability_names(),
        copy: Some(copy),
    }
}

#[test]
fn the_grid_is_the_same_whatever_the_workers_and_the_runs_come_back_in_order() {
    let corpus = corpus();
    let rt = runtime();
    let names = ["a", "b", "c"];
    // The first run ends last, so that the others join the grid before it.
    let run = |name: &&str| {
        if *name == "a" {
            std::thread::sleep(Duration::from_millis(200));
        }
        (name.to_uppercase(), member(name, Arc::new(Reference)))
    };
    let grids: Vec<Grid> = [1, 2, 3]
        .into_iter()
        .map(|jobs| {
            let (ran, grid) = matrix(&corpus, &names, &run, &rt, jobs);
            assert_eq!(
                ran,
                [Some("A".into()), Some("B".into()), Some("C".into())],
                "--jobs {jobs}"
            );
            grid
        })
        .collect();
    assert_eq!(grids[0], grids[1], "--jobs 1 against 2");
    assert_eq!(grids[0], grids[2], "--jobs 1 against 3");
    let grid = &grids[0];
    assert_eq!(grid.encoders, names);
    assert_eq!(grid.decoders, names);
    assert_eq!(grid.cells.len(), 9);
    let encoded = corpus
        .vectors
        .iter()
        .filter(|(_, v)| v.encode.is_some())
        .count();
    assert_eq!(grid.fixtures.len(), encoded);
    for cell in &grid.cells {
        assert_eq!(
            cell.cases.len(),
            encoded,
            "{} → {}",
            cell.encoder,
            cell.decoder
        );
        // The reference reads whatever it encodes, in the order of the fixtures.
        assert_eq!(cell.read, encoded, "{} → {}", cell.encoder, cell.decoder);
        let ids: Vec<&str> = cell.cases.iter().map(|c| c.fixture.as_str()).collect();
        assert_eq!(ids, grid.fixtures);
        assert!(cell.cases.iter().all(|c| c.result == GridResult::Read));
    }
}

#[test]
fn a_member_joins_the_grid_while_another_still_runs_and_not_before_its_own_run_ends() {
    let corpus = corpus();
    let rt = runtime();
    let slow = Arc::new(Watched::default());
    let quick = Arc::new(Watched::default());
    let names = ["slow", "quick"];
    let seen = AtomicUsize::new(usize::MAX);
    let asked_of_slow_while_it_ran = AtomicUsize::new(usize::MAX);
    let run = |name: &&str| {
        if *name == "slow" {
            // Goes on until the quick member has been asked to encode (or 30 s).
            let start = Instant::now();
            while quick.asked.load(Ordering::SeqCst) == 0
                && start.elapsed() < Duration::from_secs(30)
            {
                std::thread::sleep(Duration::from_millis(5));
            }
            seen.store(quick.asked.load(Ordering::SeqCst), Ordering::SeqCst);
            asked_of_slow_while_it_ran.store(slow.asked.load(Ordering::SeqCst), Ordering::SeqCst);
            (
                (),
                member("slow", Arc::clone(&slow) as Arc<dyn Implementation>),
            )
        } else {
            (
                (),
                member("quick", Arc::clone(&quick) as Arc<dyn Implementation>),
            )
        }
    };
    let (ran, grid) = matrix(&corpus, &names, &run, &rt, 2);
    assert_eq!(ran, [Some(()), Some(())]);
    assert!(
        seen.load(Ordering::SeqCst) > 0,
        "the quick member was asked nothing while the slow one ran"
    );
    assert_eq!(
        asked_of_slow_while_it_ran.load(Ordering::SeqCst),
        0,
        "the grid spoke to a member whose run was going on"
    );
    assert!(
        slow.asked.load(Ordering::SeqCst) > 0,
        "the slow member took part in the grid after its run"
    );
    assert_eq!(grid.encoders, names);
}

#[test]
fn a_run_that_panics_is_the_callers_panic_and_no_worker_waits_for_ever() {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let outcome = std::panic::catch_unwind(|| {
            let corpus = corpus();
            let rt = runtime();
            let run = |name: &&str| {
                if *name == "broken" {
                    std::thread::sleep(Duration::from_millis(50));
                    panic!("a run that panics");
                }
                ((), member(name, Arc::new(Reference)))
            };
            matrix(&corpus, &["broken", "fine", "also fine"], &run, &rt, 2)
        });
        tx.send(outcome.is_err()).ok();
    });
    let panicked = rx
        .recv_timeout(Duration::from_mins(2))
        .expect("matrix() did not return within 2 minutes: a worker is waiting for ever");
    assert!(panicked, "the run's panic did not reach the caller");
}

#[test]
fn a_copy_that_does_not_answer_describe_is_not_used_so_the_grid_does_not_depend_on_jobs() {
    static COPIES: AtomicUsize = AtomicUsize::new(0);
    let corpus = corpus();
    let rt = runtime();
    let run = |name: &&str| {
        let m = if *name == "slow" {
            let copy: Copier = Arc::new(|| {
                COPIES.fetch_add(1, Ordering::SeqCst);
                Some(Arc::new(Dead) as Arc<dyn Implementation>)
            });
            GridMember {
                copy: Some(copy),
                ..member(
                    "slow",
                    Arc::new(Watched {
                        delay: Duration::from_millis(20),
                        ..Watched::default()
                    }),
                )
            }
        } else {
            member("quick", Arc::new(Reference))
        };
        ((), m)
    };
    let (_, grid) = matrix(&corpus, &["slow", "quick"], &run, &rt, 2);
    assert!(
        COPIES.load(Ordering::SeqCst) > 0,
        "the slow decoder was never given another copy: the test tests nothing"
    );
    for cell in grid.cells.iter().filter(|c| c.decoder == "slow") {
        assert_eq!(
            cell.read,
            cell.cases.len(),
            "{} → slow: {:?}",
            cell.encoder,
            cell.cases.iter().find(|c| c.result != GridResult::Read)
        );
    }
}
