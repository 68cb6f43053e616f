//! The QR symbol layer: how long the smallest version takes to find, a symbol to
//! render and encode as PNG, and an image to scan — clean, turned, blurred, noisy,
//! and blurred past reading (where both of the scanner's passes run, c169's
//! locator and rqrr). Texts of three vectors: about version 9, 21 and 36 at
//! level M.
//!
//! `cargo bench -p c169-bench --bench qr`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use c169_qr::{Degradation, EcLevel, Symbol, DEGRADATIONS};
use criterion::Criterion;
use std::path::Path;
use std::time::Duration;

fn text(id: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../vectors");
    let corpus = c169_corpus::Corpus::load(&root).unwrap();
    corpus
        .vectors
        .iter()
        .find(|(_, v)| v.id == id)
        .and_then(|(_, v)| v.qr.clone())
        .unwrap()
}

fn degradation(name: &str) -> Degradation {
    DEGRADATIONS.iter().find(|d| d.0 == name).unwrap().1
}

fn main() {
    let mut c = Criterion::default()
        .configure_from_args()
        .measurement_time(Duration::from_secs(4))
        .warm_up_time(Duration::from_secs(1))
        .sample_size(20);
    for id in [
        "claim169-field-marital-status",
        "alg-ed25519-a-face",
        "alg-p256-a-all-biometrics",
    ] {
        let t = text(id);
        let symbol = Symbol::new(&t, EcLevel::M).unwrap();
        let clean = symbol.image(4, 4);
        let label = format!("v{}-M", symbol.version);
        c.bench_function(&format!("qr/fit/{label}"), |b| b.iter(|| c169_qr::fit(&t)));
        c.bench_function(&format!("qr/render+png/{label}"), |b| {
            b.iter(|| c169_qr::encode_png(&Symbol::new(&t, EcLevel::M).unwrap().image(4, 4)));
        });
        let png = c169_qr::encode_png(&clean);
        c.bench_function(&format!("qr/scan-png/clean/{label}"), |b| {
            b.iter(|| assert_eq!(c169_qr::scan_png(&png).unwrap().text, t));
        });
        for name in ["rotate-36.9", "blur-2", "noise-25"] {
            let img = degradation(name).apply(&clean, 4);
            c.bench_function(&format!("qr/scan/{name}/{label}"), |b| {
                b.iter(|| assert_eq!(c169_qr::scan(&img).unwrap().text, t));
            });
        }
        let unreadable = degradation("blur-8").apply(&clean, 4);
        c.bench_function(&format!("qr/scan/blur-8 (not read)/{label}"), |b| {
            b.iter(|| assert!(c169_qr::scan(&unreadable).is_err()));
        });
    }
    c.final_summary();
}
