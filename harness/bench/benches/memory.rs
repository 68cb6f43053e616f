//! Heap use of one decode: c169 beside claim169-core 0.3.0, on the credentials of the
//! `decode` bench, verified and not.
//!
//! dhat is the global allocator. For each measurement a fresh dhat profiler (testing
//! mode: nothing is written to disk) is started after the inputs are ready and one
//! decode runs under it, its result still alive when the stats are read; so
//! "peak" is the most heap live at once during the decode, the result included, and
//! "allocs" and "bytes" count every allocation it made. One decode of each kind runs
//! before any measurement, so one-time initialisation is not counted.
//!
//! `cargo bench -p c169-bench --bench memory`

#![forbid(unsafe_code)]
// Setup panics on purpose: a benchmark whose fixture is wrong must not run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::hint::black_box;

use common::{Fixture, MODES};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

/// The heap stats of running `f` once under a fresh profiler.
fn measure<R>(f: impl FnOnce() -> R) -> dhat::HeapStats {
    let profiler = dhat::Profiler::builder().testing().build();
    let result = black_box(f());
    let stats = dhat::HeapStats::get();
    drop(result);
    drop(profiler);
    stats
}

fn main() {
    let fixture = Fixture::new();
    // Warm-up: one decode of each kind before anything is measured.
    for c in &fixture.credentials {
        let zlib = c169_codec::base45::decode(&c.qr).unwrap();
        black_box(c169_codec::zlib::inflate(&zlib, MAX_INFLATED).unwrap());
        black_box(claim169_core::pipeline::decompress(&zlib, MAX_INFLATED).unwrap());
        for (_, verified) in MODES {
            black_box(c169_codec::decode(&c.qr, fixture.c169(verified)));
            black_box(fixture.core_decode(&c.qr, verified).unwrap());
        }
    }
    for c in &fixture.credentials {
        println!(
            "{:<8} QR text {:>5} chars, COSE_Sign1 {:>5} bytes",
            c.name,
            c.qr.len(),
            c.cose_len
        );
    }
    println!("heap per single decode (dhat; peak = most bytes live at once, result included)");
    println!(
        "{:<11} {:<8} {:<14} {:>10} {:>8} {:>12}",
        "mode", "cred", "impl", "peak B", "allocs", "allocated B"
    );
    for (mode, verified) in MODES {
        for c in &fixture.credentials {
            let options = fixture.c169(verified);
            let ours = measure(|| c169_codec::decode(black_box(&c.qr), options));
            let theirs = measure(|| fixture.core_decode(black_box(&c.qr), verified).unwrap());
            for (name, s) in [("c169", ours), ("claim169-core", theirs)] {
                println!(
                    "{mode:<11} {:<8} {name:<14} {:>10} {:>8} {:>12}",
                    c.name, s.max_bytes, s.total_blocks, s.total_bytes
                );
            }
        }
    }
    // Most of either peak is the inflater's state and window; this shows how much.
    println!();
    println!("of which the inflate stage alone (same zlib bytes; in this workspace both inflate with flate2 on zlib-rs)");
    for c in &fixture.credentials {
        let zlib = c169_codec::base45::decode(&c.qr).unwrap();
        let ours = measure(|| c169_codec::zlib::inflate(black_box(&zlib), MAX_INFLATED).unwrap());
        let theirs = measure(|| {
            claim169_core::pipeline::decompress(black_box(&zlib), MAX_INFLATED).unwrap()
        });
        for (name, s) in [("c169", ours), ("claim169-core", theirs)] {
            println!(
                "{:<11} {:<8} {name:<14} {:>10} {:>8} {:>12}",
                "inflate", c.name, s.max_bytes, s.total_blocks, s.total_bytes
            );
        }
    }
}

/// Both decoders' default bound on the inflated size.
const MAX_INFLATED: usize = 64 * 1024;
