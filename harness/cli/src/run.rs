//! `c169 run`: the suite against an implementation, with a report.

use crate::exit;
use anyhow::Context as _;
use c169_adapter::{Settings, Target};
use c169_suite::run::{run as run_corpus, write_atomically, Summary};
use c169_suite::{Corpus, Status};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The vector corpus (default: `vectors` here, else the one in the source tree).
    #[arg(long, value_name = "DIR")]
    vectors: Option<PathBuf>,
    /// Where the report goes.
    #[arg(long, default_value = "reports/local", value_name = "DIR")]
    report_dir: PathBuf,
    /// An adapter program speaking protocol v1 on stdin/stdout (run through `sh -c`).
    #[arg(long, value_name = "COMMAND", conflicts_with = "adapter_url")]
    adapter_cmd: Option<String>,
    /// An HTTP adapter endpoint: POST {URL}/v1/{op}.
    #[arg(long, value_name = "URL")]
    adapter_url: Option<String>,
    /// Start the adapter program once per request instead of keeping it running.
    #[arg(long, requires = "adapter_cmd")]
    one_shot: bool,
    /// Seconds an implementation may take on one request.
    #[arg(long, default_value_t = 10, value_name = "SECS")]
    timeout: u64,
    /// Print one line per case.
    #[arg(long)]
    verbose: bool,
    /// Keep only the vectors and scenarios this tag expression accepts
    /// (`@must and not @ES512`; vectors answer to their requirement ids, level,
    /// verdict class and capabilities).
    #[arg(long, value_name = "EXPR")]
    tags: Option<String>,
    /// Run the vectors only, not the features.
    #[arg(long)]
    no_features: bool,
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

fn target(args: &Args) -> anyhow::Result<Target> {
    let words: Vec<String> = match (&args.adapter_cmd, &args.adapter_url) {
        (Some(cmd), _) => vec!["sh".into(), "-c".into(), format!("exec {cmd}")],
        (None, Some(url)) => vec![url.clone()],
        (None, None) => vec!["reference".into()],
    };
    Target::from_words(&words, args.one_shot).map_err(anyhow::Error::msg)
}

pub fn run(args: &Args) -> anyhow::Result<u8> {
    let root = vectors_root(args.vectors.as_deref());
    let corpus =
        Corpus::load(&root).with_context(|| format!("loading the corpus at {}", root.display()))?;
    let target = target(args)?;
    let settings = Settings::default().with_timeout(Duration::from_secs(args.timeout));
    let imp: std::sync::Arc<dyn c169_adapter::Implementation> = std::sync::Arc::from(
        target
            .connect(&settings)
            .context("reaching the implementation")?,
    );
    let filter = args
        .tags
        .as_deref()
        .map(c169_suite::features::tag_filter)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let result = run_corpus(&corpus, &root, imp.as_ref(), &rt, filter.as_ref());
    let scenarios = match (&result.description, args.no_features) {
        (Some(d), false) => run_scenarios(&root, &corpus, &imp, d, &rt, filter.as_ref())?,
        _ => None,
    };
    rt.block_on(imp.shutdown());
    let summary = Summary::of(&result.results);
    if args.verbose {
        for r in &result.results {
            println!(
                "{:5} {:7} {} — {}",
                format!("{:?}", r.judgement.status).to_lowercase(),
                format!("{:?}", r.level).to_uppercase(),
                r.id,
                r.judgement.reason
            );
        }
    }
    let label = match (&args.adapter_cmd, &args.adapter_url) {
        (Some(cmd), _) => cmd.clone(),
        (None, Some(url)) => url.clone(),
        (None, None) => imp.label(),
    };
    let report = serde_json::json!({
        "suite": {"name": "c169", "version": env!("CARGO_PKG_VERSION")},
        "implementation": {"label": label, "describe": result.description},
        "started_unix": started,
        "options": {"timeout_s": args.timeout, "one_shot": args.one_shot},
        "summary": summary,
        "cases": result.results,
        "scenarios": scenarios.as_ref().map(|f| serde_json::json!({
            "passed": f.passed.len(),
            "failed": f.failed,
            "failed_must": f.failed_must,
            "skipped": f.skipped.iter().map(|(name, why)| serde_json::json!({"scenario": name, "reason": why})).collect::<Vec<_>>(),
            "broken": f.broken,
        })),
    });
    let path = args.report_dir.join("results.json");
    let mut bytes = serde_json::to_vec_pretty(&report)?;
    bytes.push(b'\n');
    if let Err(e) = write_atomically(&path, &bytes) {
        eprintln!("c169: cannot write the report {}: {e}", path.display());
        return Ok(exit::RIG);
    }
    println!(
        "{label}: {} cases, {} passed, {} failed, {} skipped, {} errors ({} stage mismatches); MUST failures: {}",
        summary.total, summary.passed, summary.failed, summary.skipped, summary.errors, summary.stage_mismatches, summary.must_failures
    );
    if let Some(f) = &scenarios {
        print_scenarios(&label, f, args.verbose);
    }
    println!("report: {}", path.display());
    let rig_failed = result.description.is_none()
        || result.results.iter().any(|r| {
            r.judgement.status == Status::Error && r.judgement.reason.starts_with("not run:")
        });
    Ok(if rig_failed {
        exit::RIG
    } else if summary.must_failures == 0
        && scenarios
            .as_ref()
            .is_none_or(|f| f.failed_must == 0 && f.broken == 0)
    {
        exit::OK
    } else {
        exit::FAILED
    })
}

/// Runs the features beside the corpus against `imp`, when there are any.
fn run_scenarios(
    root: &Path,
    corpus: &Corpus,
    imp: &std::sync::Arc<dyn c169_adapter::Implementation>,
    description: &c169_adapter::protocol::Description,
    rt: &tokio::runtime::Runtime,
    filter: Option<&c169_suite::features::TagFilter>,
) -> anyhow::Result<Option<c169_suite::steps::FeatureRun>> {
    let features_dir = root.join("../features");
    if !features_dir.is_dir() {
        return Ok(None);
    }
    let catalogue = crate::vectors::catalogue_for(root)?;
    let shared = c169_suite::steps::Shared {
        imp: std::sync::Arc::clone(imp),
        generator: c169_suite::generate::Generator::load(root, &catalogue)?,
        corpus: corpus.clone(),
        caps: description.capability_names(),
    };
    let run = rt.block_on(c169_suite::steps::run_features(
        &features_dir,
        shared,
        filter.cloned(),
        false,
    ));
    run.map(Some).map_err(anyhow::Error::msg)
}

fn print_scenarios(label: &str, f: &c169_suite::steps::FeatureRun, verbose: bool) {
    println!(
        "{label}: {} scenarios passed, {} failed ({} MUST), {} skipped{}",
        f.passed.len(),
        f.failed.len(),
        f.failed_must,
        f.skipped.len(),
        if f.broken > 0 {
            format!(", {} broken (undefined or ambiguous steps)", f.broken)
        } else {
            String::new()
        }
    );
    if verbose {
        for name in &f.failed {
            println!("fail  scenario {name}");
        }
    }
}
