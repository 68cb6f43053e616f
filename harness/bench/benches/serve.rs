//! `c169 serve` under load: the library's HTTP server (the code behind `c169 serve`,
//! with its settings but for a header timeout long enough to keep idle connections
//! for the whole bench) on 127.0.0.1, on a multi-threaded runtime of its own as in
//! `c169 serve`, reached by the rig's own HTTP client from another runtime.
//!
//! 2,000 requests (describe and a small decode, alternately) at concurrency 20,
//! first on a quiet server, then beside 200 idle TCP connections held open and two
//! slow image decodes kept in flight the whole time (a 4096² PNG of a version 36
//! symbol rotated 22.6°, which the scanner gives up on after every pass: seconds of
//! CPU each). Prints p50, p99 and the maximum latency of each op, and the slow
//! decodes' own times.
//!
//! `cargo bench -p c169-bench --bench serve`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use base64::Engine as _;
use c169_adapter::protocol::DecodeRequest;
use c169_adapter::serve::{serve_http_with, HttpServeSettings};
use c169_adapter::{Http, HttpSettings, Implementation, Reference};
use c169_corpus::Corpus;
use c169_qr::{Degradation, EcLevel, Symbol, DEGRADATIONS};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How much load, and how slow the slow decodes are.
#[derive(Clone, Copy)]
struct Plan {
    requests: usize,
    concurrency: usize,
    idle: usize,
    slow: usize,
    /// Pixels a module of the slow image.
    module: u32,
}

/// The bench's plan; under `cargo test --benches` (no `--bench` argument) a small
/// one that only checks the setup.
fn plan() -> Plan {
    if std::env::args().any(|a| a == "--bench") {
        Plan {
            requests: 2_000,
            concurrency: 20,
            idle: 200,
            slow: 2,
            module: 20,
        }
    } else {
        Plan {
            requests: 40,
            concurrency: 4,
            idle: 4,
            slow: 1,
            module: 4,
        }
    }
}

fn repo() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A small signed credential as the suite sends it (version 9 at level M), and the
/// text of the large one the slow image holds.
fn texts() -> (DecodeRequest, String) {
    let root = repo().join("vectors");
    let corpus = Corpus::load(&root).unwrap();
    let caps = Reference::description().capability_names();
    let find = |id: &str| {
        corpus
            .vectors
            .iter()
            .map(|(_, v)| v)
            .find(|v| v.id == id)
            .unwrap_or_else(|| panic!("vector {id}"))
    };
    let small = find("claim169-field-marital-status");
    let request =
        c169_suite::run::decode_request(&corpus, small, small.qr.as_ref().unwrap(), &caps);
    (
        request,
        find("alg-ed25519-a-all-biometrics").qr.clone().unwrap(),
    )
}

/// A decode request whose image takes the scanner seconds: the text at `module`
/// pixels a module (20: 4096² pixels, about 600 KB of PNG), rotated 22.6°.
fn slow_request(text: &str, module: u32) -> DecodeRequest {
    let symbol = Symbol::new(text, EcLevel::M).unwrap();
    let rotate: Degradation = DEGRADATIONS
        .iter()
        .find(|d| d.0 == "rotate-22.6")
        .unwrap()
        .1;
    let image = rotate.apply(&symbol.image(module, 4), module);
    let png = c169_qr::encode_png(&image);
    let mut request = DecodeRequest::new("");
    request.image = Some(base64::engine::general_purpose::STANDARD.encode(&png));
    println!(
        "slow image: {}×{} pixels, {} KB of PNG",
        image.width(),
        image.height(),
        png.len() / 1024
    );
    request
}

/// Starts the server on its own runtime and thread; returns its address.
fn start_server() -> SocketAddr {
    let settings = HttpServeSettings {
        // Long enough to keep the idle connections open for the whole bench.
        header_timeout: Duration::from_mins(10),
        ..HttpServeSettings::default()
    };
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            serve_http_with(
                listener,
                Arc::new(Reference),
                &settings,
                std::future::pending(),
            )
            .await
            .unwrap();
        });
    });
    rx.recv().unwrap()
}

fn client(addr: SocketAddr) -> Http {
    let settings = HttpSettings {
        timeout: Duration::from_mins(2),
        ..HttpSettings::default()
    };
    Http::new(format!("http://{addr}"), settings).unwrap()
}

/// Latencies of describe and of decode.
#[derive(Default)]
struct Latencies {
    describe: Vec<Duration>,
    decode: Vec<Duration>,
}

/// The plan's requests from its concurrent clients, describe and decode in turn.
async fn load(addr: SocketAddr, small: &DecodeRequest, plan: Plan) -> (Latencies, Duration) {
    let start = Instant::now();
    let mut workers = Vec::new();
    for w in 0..plan.concurrency {
        let small = small.clone();
        workers.push(tokio::spawn(async move {
            let imp = client(addr);
            let mut out = Latencies::default();
            for i in 0..plan.requests / plan.concurrency {
                let t = Instant::now();
                if (w + i) % 2 == 0 {
                    imp.describe().await.unwrap();
                    out.describe.push(t.elapsed());
                } else {
                    imp.decode(&small).await.unwrap();
                    out.decode.push(t.elapsed());
                }
            }
            out
        }));
    }
    let mut all = Latencies::default();
    for w in workers {
        let one = w.await.unwrap();
        all.describe.extend(one.describe);
        all.decode.extend(one.decode);
    }
    (all, start.elapsed())
}

fn quantile(sorted: &[Duration], q: f64) -> Duration {
    let rank = ((sorted.len() as f64) * q).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn report(scenario: &str, mut latencies: Latencies, took: Duration, plan: Plan) {
    println!(
        "{scenario}: {} requests at concurrency {} in {:.2} s ({:.0} requests/s)",
        plan.requests,
        plan.concurrency,
        took.as_secs_f64(),
        plan.requests as f64 / took.as_secs_f64()
    );
    for (op, v) in [
        ("describe", &mut latencies.describe),
        ("decode (small QR text)", &mut latencies.decode),
    ] {
        v.sort();
        println!(
            "  {op:<24} n={:<5} p50 {:>10}  p99 {:>10}  max {:>10}",
            v.len(),
            ms(quantile(v, 0.50)),
            ms(quantile(v, 0.99)),
            ms(*v.last().unwrap())
        );
    }
}

/// Keeps `count` slow image decodes in flight until `stop`; returns their times.
fn slow_decodes(
    addr: SocketAddr,
    request: &DecodeRequest,
    count: usize,
    stop: &Arc<AtomicBool>,
) -> Vec<tokio::task::JoinHandle<Vec<Duration>>> {
    (0..count)
        .map(|_| {
            let request = request.clone();
            let stop = Arc::clone(stop);
            tokio::spawn(async move {
                let imp = client(addr);
                let mut times = Vec::new();
                while !stop.load(Ordering::SeqCst) {
                    let t = Instant::now();
                    // Read (small images) or given up on (stage scan): answered either way.
                    imp.decode(&request).await.unwrap();
                    times.push(t.elapsed());
                }
                times
            })
        })
        .collect()
}

fn main() {
    let plan = plan();
    let (small, big_text) = texts();
    let slow = slow_request(&big_text, plan.module);
    let addr = start_server();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        // Warm up: connections, the first decode.
        let _ = load(addr, &small, plan).await;
        let (quiet, took) = load(addr, &small, plan).await;
        report("quiet server", quiet, took, plan);

        let mut idle = Vec::new();
        for _ in 0..plan.idle {
            idle.push(tokio::net::TcpStream::connect(addr).await.unwrap());
        }
        let stop = Arc::new(AtomicBool::new(false));
        let slow_tasks = slow_decodes(addr, &slow, plan.slow, &stop);
        // Let the slow decodes reach the server's threads first.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let (loaded, took) = load(addr, &small, plan).await;
        stop.store(true, Ordering::SeqCst);
        report(
            &format!(
                "beside {} idle connections and {} slow image decodes in flight",
                plan.idle, plan.slow
            ),
            loaded,
            took,
            plan,
        );
        let mut times = Vec::new();
        for t in slow_tasks {
            times.extend(t.await.unwrap());
        }
        times.sort();
        println!(
            "  slow image decodes: {} done, each {} to {}",
            times.len(),
            ms(times[0]),
            ms(*times.last().unwrap())
        );
        drop(idle);
    });
}
