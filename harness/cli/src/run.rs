//! `c169 run`: the suite against an implementation, with a report.

use crate::exit;
use anyhow::Context as _;
use c169_codec::{decode, DecodeOptions};
use c169_suite::run::{run_vectors, write_atomically, Capabilities, Summary};
use c169_suite::Corpus;
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The vector corpus (default: `vectors` here, else the one in the source tree).
    #[arg(long, value_name = "DIR")]
    vectors: Option<PathBuf>,
    /// Where the report goes.
    #[arg(long, default_value = "reports/local", value_name = "DIR")]
    report_dir: PathBuf,
    /// Print one line per case.
    #[arg(long)]
    verbose: bool,
}

/// The corpus root: the flag, else `./vectors`, else the source tree's.
pub fn vectors_root(flag: Option<&Path>) -> PathBuf {
    if let Some(p) = flag {
        return p.to_owned();
    }
    let here = PathBuf::from("vectors");
    if here.is_dir() {
        return here;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../vectors")
}

/// What the built-in reference declares.
pub fn reference_capabilities() -> Capabilities {
    let names = [
        "verify",
        "decrypt",
        "decode_unverified",
        "encode",
        "EdDSA",
        "ES256",
        "ES384",
        "ES512",
        "A128GCM",
        "A192GCM",
        "A256GCM",
    ];
    Capabilities {
        names: names.iter().map(|s| (*s).to_owned()).collect(),
    }
}

pub fn run(args: &Args) -> anyhow::Result<u8> {
    let root = vectors_root(args.vectors.as_deref());
    let corpus =
        Corpus::load(&root).with_context(|| format!("loading the corpus at {}", root.display()))?;
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let results = run_vectors(&corpus, &root, &reference_capabilities(), |req| {
        let options = DecodeOptions {
            now: Some(req.vector.now),
            verify_keys: req.verify_keys.clone(),
            decrypt_keys: req.decrypt_keys.clone(),
            ..DecodeOptions::default()
        };
        Ok(decode(req.vector.qr.as_deref().unwrap_or_default(), &options).outcome)
    });
    let summary = Summary::of(&results);
    if args.verbose {
        for r in &results {
            println!(
                "{:5} {:7} {} — {}",
                format!("{:?}", r.judgement.status).to_lowercase(),
                format!("{:?}", r.level).to_uppercase(),
                r.id,
                r.judgement.reason
            );
        }
    }
    let report = serde_json::json!({
        "suite": {"name": "c169", "version": env!("CARGO_PKG_VERSION")},
        "implementation": {"name": "c169-reference", "version": env!("CARGO_PKG_VERSION"), "kind": "in-process"},
        "started_unix": started,
        "summary": summary,
        "cases": results,
    });
    let path = args.report_dir.join("results.json");
    let mut bytes = serde_json::to_vec_pretty(&report)?;
    bytes.push(b'\n');
    if let Err(e) = write_atomically(&path, &bytes) {
        eprintln!("c169: cannot write the report {}: {e}", path.display());
        return Ok(exit::RIG);
    }
    println!(
        "c169-reference: {} cases, {} passed, {} failed, {} skipped, {} errors ({} stage mismatches); MUST failures: {}",
        summary.total, summary.passed, summary.failed, summary.skipped, summary.errors, summary.stage_mismatches, summary.must_failures
    );
    println!("report: {}", path.display());
    Ok(if summary.must_failures == 0 {
        exit::OK
    } else {
        exit::FAILED
    })
}
