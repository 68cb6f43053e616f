//! Decode throughput: c169 (`c169_codec::decode`) beside crates.io claim169-core 0.3.0
//! on the same three credentials, in one run.
//!
//! Groups (each benchmark id is `<implementation>/<credential>`, throughput in decodes):
//! - `unverified`: no key; claim169-core with its explicit opt-out `allow_unverified()`.
//! - `verified`: both given the TEST Ed25519 public key, parsed once beforehand.
//! - `stage-base45`, `stage-inflate`, `stage-cose`, `stage-claims`, `stage-signature`:
//!   the pipeline's stages one by one on the same bytes, to show where the time goes;
//!   `stage-report` is c169's canonical-JSON outcome, which claim169-core has no
//!   counterpart of.
//!
//! Time checks are off on both sides (see `common`). After criterion's own report a
//! table gives each pair's ratio (claim169-core time / c169 time: above 1 means c169
//! is faster) from the estimates this run wrote. Then, in a benchmarking run, the same
//! pairs once more as an interleaved A/B: short batches of each side in alternation,
//! the fastest batch of each taken. On a shared machine (other builds running) this is
//! the steadier figure: criterion times one side then the other, seconds apart, and a
//! neighbour's load can land on either.
//!
//! `cargo bench -p c169-bench --bench decode` (defaults: 1 s warm-up, 2 s measurement
//! per benchmark; criterion's flags such as `--measurement-time 3` override them).

#![forbid(unsafe_code)]
// Setup panics on purpose: a benchmark whose fixture is wrong must not run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use c169_codec::cbor::{self, ReadLimits};
use c169_codec::{base45, claim169, cose, cwt, zlib};
use c169_crypto::crypto::{self, SignatureAlgorithm};
use c169_crypto::keys::PublicKey;
use c169_model::{to_canonical_json, Value};
use claim169_core::{pipeline, SignatureVerifier};
use common::{Credential, Fixture, MODES};
use coset::iana;
use criterion::{BenchmarkId, Criterion, Throughput};

const OURS: &str = "c169";
const THEIRS: &str = "claim169-core";
/// Both decoders' default bound on the inflated size.
const MAX_INFLATED: usize = 64 * 1024;

fn main() {
    let started = SystemTime::now();
    let fixture = Fixture::new();
    println!("credentials (made by claim169-core's encoder, Ed25519, TEST KEY; accepted by both):");
    for c in &fixture.credentials {
        println!(
            "  {:<8} QR text {:>5} chars, COSE_Sign1 {:>5} bytes",
            c.name,
            c.qr.len(),
            c.cose_len
        );
    }
    let inputs: Vec<Stages> = fixture
        .credentials
        .iter()
        .map(|c| Stages::of(c, &fixture))
        .collect();
    let pairs = pairs(&fixture, &inputs);
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    let mut group_names: Vec<&str> = pairs.iter().map(|p| p.group).collect();
    group_names.dedup();
    for name in &group_names {
        let mut group = criterion.benchmark_group(*name);
        group.throughput(Throughput::Elements(1));
        for p in pairs.iter().filter(|p| p.group == *name) {
            group.bench_function(BenchmarkId::new(OURS, p.credential), |b| {
                b.iter(&p.ours);
            });
            if let Some(theirs) = &p.theirs {
                group.bench_function(BenchmarkId::new(THEIRS, p.credential), |b| {
                    b.iter(theirs);
                });
            }
        }
        group.finish();
    }
    criterion.final_summary();
    report(started, &pairs);
    let args: Vec<String> = std::env::args().collect();
    let benchmarking =
        args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--test" || a == "--list");
    if benchmarking {
        interleaved(&pairs);
    }
}

/// One comparison: the same work on the same bytes by each implementation (c169
/// alone where claim169-core has no counterpart). Each closure returns its result
/// through `black_box`, so nothing is optimised away.
struct Pair<'a> {
    group: &'static str,
    credential: &'static str,
    ours: Box<dyn Fn() + 'a>,
    theirs: Option<Box<dyn Fn() + 'a>>,
}

/// The intermediate bytes of one credential, each stage's input.
struct Stages {
    credential: &'static str,
    zlib: Vec<u8>,
    cose: Vec<u8>,
    payload: Vec<u8>,
    to_be_signed: Vec<u8>,
    signature: Vec<u8>,
    claim169: Value,
    others: Value,
}

impl Stages {
    fn of(c: &Credential, fixture: &Fixture) -> Stages {
        let traced = c169_codec::DecodeOptions {
            trace: true,
            ..fixture.c169(false).clone()
        };
        let trace = c169_codec::decode(&c.qr, &traced).trace;
        let payload = trace.payload.expect("payload in the trace");
        let protected = trace
            .sign1_protected
            .expect("protected header in the trace");
        let claims = cwt::parse_claims(&payload, ReadLimits::default(), &mut Vec::new())
            .expect("the payload is a claims set");
        Stages {
            credential: c.name,
            zlib: trace.zlib.expect("zlib bytes in the trace"),
            cose: trace.cose.expect("COSE bytes in the trace"),
            to_be_signed: cose::sig_structure(&protected, &payload),
            payload,
            signature: trace.signature.expect("signature in the trace"),
            claim169: Value::Map(claims.claim169),
            others: Value::Map(claims.others),
        }
    }
}

fn our_verify(public: &PublicKey, s: &Stages) -> Result<(), crypto::CryptoError> {
    crypto::verify(
        public,
        SignatureAlgorithm::EdDsa,
        &s.to_be_signed,
        &s.signature,
    )
}

/// Every comparison of the run, in report order: whole decodes, then the stages.
#[allow(clippy::too_many_lines)] // one block per stage reads better than a macro
fn pairs<'a>(fixture: &'a Fixture, inputs: &'a [Stages]) -> Vec<Pair<'a>> {
    let limits = ReadLimits::default();
    let public = fixture
        .c169_verified
        .verify_keys
        .first()
        .and_then(c169_crypto::keys::Key::public_key)
        .expect("the TEST public key");
    let verifier = fixture.core_verifier.clone();
    // Every stage on both sides gives the same bytes before it is timed.
    for (c, s) in fixture.credentials.iter().zip(inputs) {
        assert_eq!(base45::decode(&c.qr).unwrap(), s.zlib);
        assert_eq!(pipeline::base45_decode(&c.qr).unwrap(), s.zlib);
        assert_eq!(zlib::inflate(&s.zlib, MAX_INFLATED).unwrap().data, s.cose);
        assert_eq!(
            pipeline::decompress(&s.zlib, MAX_INFLATED).unwrap().0,
            s.cose
        );
        assert_eq!(
            pipeline::cose_parse(&s.cose, None, None).unwrap().payload,
            s.payload
        );
        our_verify(&public, s).unwrap();
        verifier
            .verify(iana::Algorithm::EdDSA, None, &s.to_be_signed, &s.signature)
            .unwrap();
    }

    let mut pairs = Vec::new();
    for (group, verified) in MODES {
        let options = fixture.c169(verified);
        for c in &fixture.credentials {
            pairs.push(Pair {
                group,
                credential: c.name,
                ours: Box::new(move || {
                    black_box(c169_codec::decode(black_box(&c.qr), options));
                }),
                theirs: Some(Box::new(move || {
                    black_box(fixture.core_decode(black_box(&c.qr), verified)).unwrap();
                })),
            });
        }
    }
    for (c, s) in fixture.credentials.iter().zip(inputs) {
        pairs.push(Pair {
            group: "stage-base45",
            credential: s.credential,
            ours: Box::new(move || {
                black_box(base45::decode(black_box(&c.qr))).unwrap();
            }),
            theirs: Some(Box::new(move || {
                black_box(pipeline::base45_decode(black_box(&c.qr))).unwrap();
            })),
        });
    }
    for s in inputs {
        pairs.push(Pair {
            group: "stage-inflate",
            credential: s.credential,
            ours: Box::new(move || {
                black_box(zlib::inflate(black_box(&s.zlib), MAX_INFLATED)).unwrap();
            }),
            theirs: Some(Box::new(move || {
                black_box(pipeline::decompress(black_box(&s.zlib), MAX_INFLATED)).unwrap();
            })),
        });
    }
    // The COSE message's CBOR to its parts (headers, payload, signature), not verifying.
    for s in inputs {
        pairs.push(Pair {
            group: "stage-cose",
            credential: s.credential,
            ours: Box::new(move || {
                let mut warnings = Vec::new();
                let value = cbor::decode(black_box(&s.cose), limits).unwrap();
                black_box(cose::from_value(value, limits, &mut warnings)).unwrap();
            }),
            theirs: Some(Box::new(move || {
                black_box(pipeline::cose_parse(black_box(&s.cose), None, None)).unwrap();
            })),
        });
    }
    // The payload to the typed identity: CWT claims, then the claim 169 map.
    for s in inputs {
        pairs.push(Pair {
            group: "stage-claims",
            credential: s.credential,
            ours: Box::new(move || {
                let mut warnings = Vec::new();
                let claims =
                    cwt::parse_claims(black_box(&s.payload), limits, &mut warnings).unwrap();
                black_box(claim169::interpret(&claims.claim169, &mut warnings)).unwrap();
            }),
            theirs: Some(Box::new(move || {
                let parsed = pipeline::cwt_parse(black_box(&s.payload)).unwrap();
                black_box(pipeline::claim169_transform(parsed.claim_169, false)).unwrap();
            })),
        });
    }
    // Ed25519 over the same Sig_structure: c169 verify_strict, claim169-core verify.
    for s in inputs {
        let public = public.clone();
        let verifier = verifier.clone();
        pairs.push(Pair {
            group: "stage-signature",
            credential: s.credential,
            ours: Box::new(move || {
                black_box(our_verify(&public, black_box(s))).unwrap();
            }),
            theirs: Some(Box::new(move || {
                black_box(verifier.verify(
                    iana::Algorithm::EdDSA,
                    None,
                    black_box(&s.to_be_signed),
                    &s.signature,
                ))
                .unwrap();
            })),
        });
    }
    // c169 only: the canonical JSON of the claim 169 map and of the other claims,
    // which every c169 outcome carries.
    for s in inputs {
        pairs.push(Pair {
            group: "stage-report",
            credential: s.credential,
            ours: Box::new(move || {
                black_box((
                    to_canonical_json(black_box(&s.claim169)),
                    to_canonical_json(black_box(&s.others)),
                ));
            }),
            theirs: None,
        });
    }
    pairs
}

/// Where criterion wrote its estimates, found as criterion finds it.
fn criterion_home() -> Option<PathBuf> {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return Some(PathBuf::from(home));
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return Some(PathBuf::from(target).join("criterion"));
    }
    // target/<profile>/deps/<this binary>
    let exe = std::env::current_exe().ok()?;
    Some(exe.parent()?.parent()?.parent()?.join("criterion"))
}

/// The typical time (ns) of one benchmark, if this run measured it.
fn estimate(home: &std::path::Path, group: &str, id: &str, since: SystemTime) -> Option<f64> {
    let path = home.join(group).join(id).join("new").join("estimates.json");
    let modified = std::fs::metadata(&path).ok()?.modified().ok()?;
    if modified < since {
        return None;
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    let pick = |name: &str| json.get(name)?.get("point_estimate")?.as_f64();
    pick("slope").or_else(|| pick("mean"))
}

/// A time in ns as µs, or a dash.
fn micros(ns: Option<f64>) -> String {
    ns.map_or_else(|| format!("{:>9}", "-"), |t| format!("{:>9.2}", t / 1e3))
}

/// A time in ns as decodes per second, or a dash.
fn rate(ns: Option<f64>) -> String {
    ns.map_or_else(|| format!("{:>10}", "-"), |t| format!("{:>8.0}/s", 1e9 / t))
}

/// A ratio, or a dash.
fn ratio(ours: Option<f64>, theirs: Option<f64>) -> String {
    match (ours, theirs) {
        (Some(o), Some(t)) => format!("{:>6.2}x", t / o),
        _ => format!("{:>7}", "-"),
    }
}

const TABLE_HEAD: &str =
    "group            cred       c169 µs       c169   core µs       core   ratio";

/// The side-by-side table from criterion's estimates of this run (a pair filtered out
/// of the run is left out).
fn report(started: SystemTime, pairs: &[Pair<'_>]) {
    let Some(home) = criterion_home() else {
        return;
    };
    let mut lines = Vec::new();
    for p in pairs {
        let ours = estimate(&home, p.group, &format!("{OURS}/{}", p.credential), started);
        let theirs = estimate(
            &home,
            p.group,
            &format!("{THEIRS}/{}", p.credential),
            started,
        );
        if ours.is_some() || theirs.is_some() {
            lines.push(row(p, ours, theirs));
        }
    }
    if !lines.is_empty() {
        println!();
        println!("criterion estimates (µs per decode; ratio = claim169-core time / c169 time, above 1: c169 faster)");
        println!("{TABLE_HEAD}");
        for line in lines {
            println!("{line}");
        }
    }
}

fn row(p: &Pair<'_>, ours: Option<f64>, theirs: Option<f64>) -> String {
    format!(
        "{:<16} {:<8} {} {} {} {} {}",
        p.group,
        p.credential,
        micros(ours),
        rate(ours),
        micros(theirs),
        rate(theirs),
        ratio(ours, theirs)
    )
}

/// Rounds of the interleaved A/B, and the length of one batch.
const AB_ROUNDS: usize = 201;
const AB_BATCH: Duration = Duration::from_millis(1);

/// Nanoseconds per call of `f` over `n` calls.
fn batch(n: u32, f: &dyn Fn()) -> f64 {
    let start = Instant::now();
    for _ in 0..n {
        f();
    }
    start.elapsed().as_secs_f64() * 1e9 / f64::from(n)
}

/// The interleaved A/B of every pair: each round times a short batch of each side,
/// the order alternating between rounds; the fastest batch of each side is its cost
/// when nothing preempted it (a batch is shorter than a scheduler slice, so many run
/// undisturbed even on a busy machine).
fn interleaved(pairs: &[Pair<'_>]) {
    println!();
    println!(
        "interleaved A/B, fastest of {AB_ROUNDS} alternating ~{} ms batches (µs per decode; ratio = claim169-core / c169)",
        AB_BATCH.as_millis()
    );
    println!("{TABLE_HEAD}");
    for p in pairs {
        let slowest = batch(10, &p.ours).max(p.theirs.as_ref().map_or(0.0, |t| batch(10, t)));
        let n = ((AB_BATCH.as_secs_f64() * 1e9 / slowest) as u32).max(1);
        let (mut ours, mut theirs) = (f64::INFINITY, f64::INFINITY);
        for round in 0..AB_ROUNDS {
            if round % 2 == 0 {
                ours = ours.min(batch(n, &p.ours));
            }
            if let Some(t) = &p.theirs {
                theirs = theirs.min(batch(n, t));
            }
            if round % 2 == 1 {
                ours = ours.min(batch(n, &p.ours));
            }
        }
        let theirs = p.theirs.as_ref().map(|_| theirs);
        println!("{}", row(p, Some(ours), theirs));
    }
}
