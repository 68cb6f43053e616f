//! `c169 run`: the suite against an implementation, with a report in every format.

use anyhow::Context as _;
use c169_corpus::Corpus;
use c169_report::exit;
use c169_report::expectations::Expectations;
use c169_report::{FailOn, Profile, ShardId};
use c169_suite::session::Session;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The vector corpus (default: `vectors` here, else the one in the source tree).
    #[arg(long, value_name = "DIR")]
    vectors: Option<PathBuf>,
    /// Where the report set goes (results.json, junit.xml, cucumber.json,
    /// summary.md, report.html). A folder that holds another implementation's
    /// report is refused unless --overwrite is given.
    #[arg(long, default_value = "reports/local", value_name = "DIR")]
    report_dir: PathBuf,
    /// Replace the report of another implementation in --report-dir.
    #[arg(long)]
    overwrite: bool,
    #[command(flatten)]
    pub target: crate::target::TargetArgs,
    #[command(flatten)]
    pub jobs: crate::jobs::JobsArgs,
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
    /// The report formats, comma-separated: json, junit, cucumber, md, html (or all).
    #[arg(long, default_value = "all", value_name = "LIST")]
    format: String,
    /// Which failures fail the run (exit 1): MUST cases only, MUST and SHOULD, or any.
    #[arg(long, default_value = "must", value_name = "LEVEL")]
    fail_on: FailOn,
    /// `texts` (default): only failures against a quoted text fail the run;
    /// departures from the suite's strict profile are reported apart. `strict`: a
    /// departure from the strict profile fails the run too.
    #[arg(long, default_value = "texts", value_name = "PROFILE")]
    profile: Profile,
    /// The least share of the selected cases, in percent (0 to 100), that must
    /// apply to the implementation; below it the run fails (exit 1) as
    /// insufficient coverage. A run in which no case applied fails whatever this is.
    #[arg(long, value_name = "PCT", value_parser = clap::value_parser!(u8).range(0..=100))]
    min_applicable: Option<u8>,
    /// A capability the implementation must declare, or the run fails (exit 1):
    /// verify, decrypt, decode_unverified, validation_time, encode, decode_image,
    /// or an algorithm name (EdDSA, ES256, A256GCM …). Repeatable, or comma-separated.
    #[arg(long = "require", value_name = "CAPABILITY", value_delimiter = ',', value_parser = capability)]
    require: Vec<String>,
    /// Known failures of this implementation (YAML: known_failures: [{case, reason, link}]).
    #[arg(long, value_name = "FILE")]
    expectations: Option<PathBuf>,
    /// Run only this case (a vector id, or a scenario id from a report); repeatable.
    #[arg(long = "vector", value_name = "ID")]
    vectors_only: Vec<String>,
    /// Run only part K of N of the cases (a stable split by case id); merge the parts
    /// with `c169 report merge`.
    #[arg(long, value_name = "K/N")]
    shard: Option<ShardId>,
}

/// The corpus root: the flag, else `./vectors`, else the source tree's.
pub fn vectors_root(flag: Option<&Path>) -> PathBuf {
    flag.map_or_else(|| project_dir("vectors"), Path::to_owned)
}

/// The project folder `name` (`adapters`, `features` …): here, else the source tree's.
pub fn project_dir(name: &str) -> PathBuf {
    let here = PathBuf::from(name);
    if here.is_dir() {
        return here;
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(name)
}

/// A registered peer by name, set up or not.
pub fn registered(name: &str) -> anyhow::Result<c169_adapter::peers::Peer> {
    let dir = project_dir("adapters");
    let peers = c169_adapter::peers::discover(&dir).map_err(anyhow::Error::msg)?;
    let names: Vec<&str> = peers.iter().map(c169_adapter::peers::Peer::name).collect();
    let peer = peers.iter().find(|p| p.name() == name).ok_or_else(|| {
        anyhow::anyhow!(
            "no adapter {name:?} in {}; registered: {}",
            dir.display(),
            names.join(", ")
        )
    })?;
    Ok(peer.clone())
}

/// A registered peer by name, ready to start; a usage error (exit 2) if it is not.
pub fn peer(name: &str) -> anyhow::Result<c169_adapter::peers::Peer> {
    let peer = registered(name).map_err(|e| anyhow::anyhow!("--adapter: {e}"))?;
    if let Some(why) = peer.not_ready() {
        anyhow::bail!("--adapter: {why}");
    }
    Ok(peer)
}

pub fn run(args: &Args) -> anyhow::Result<u8> {
    let root = vectors_root(args.vectors.as_deref());
    let corpus =
        Corpus::load(&root).with_context(|| format!("loading the corpus at {}", root.display()))?;
    let catalogue = crate::vectors::catalogue_for(&root)?;
    let formats = c169_formats::parse_list(&args.format).context("--format")?;
    let expectations = match &args.expectations {
        Some(path) => Some((path.display().to_string(), Expectations::load(path)?)),
        None => None,
    };
    check_named(args, &corpus, &root, expectations.as_ref())?;
    let filter = args
        .tags
        .as_deref()
        .map(c169_corpus::features::tag_filter)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--tags: {e}"))?;
    let target = args.target.target()?;
    // A report that cannot be written is found now, not after the run.
    if let Err(e) = c169_formats::check_dir(&args.report_dir) {
        eprintln!(
            "c169: --report-dir: cannot write the report: {:#}",
            anyhow::Error::from(e)
        );
        return Ok(exit::RIG);
    }
    let settings = args.target.settings();
    let mut copies = target
        .connect_copies(&settings, args.jobs.count())
        .context("reaching the implementation")?
        .into_iter();
    let Some(imp) = copies.next() else {
        anyhow::bail!("reaching the implementation: no copy of it");
    };
    let copies: Vec<_> = copies.collect();
    let rt = args.jobs.runtime()?;
    let label = args.target.label(imp.as_ref())?;
    if !args.overwrite {
        if let Some(other) = another_report(&args.report_dir, &label) {
            anyhow::bail!(
                "--report-dir {dir}: it holds the report of {other}, not of {label}; give another folder (--report-dir {dir}/{slug}) or --overwrite to replace it",
                dir = args.report_dir.display(),
                slug = args.target.folder_name()
            );
        }
    }
    let interrupt = ctrl_c();
    let options = options(args);
    let session = Session {
        root: &root,
        corpus: &corpus,
        catalogue: &catalogue,
        imp: Arc::clone(&imp),
        copies: copies.clone(),
        label: label.clone(),
        filter,
        only: args.vectors_only.clone(),
        features: !args.no_features,
        shard: args.shard,
        gate: c169_report::GateRule {
            fail_on: args.fail_on,
            profile: args.profile,
            coverage: c169_report::CoverageRule {
                min_applicable: args.min_applicable,
                require: args.require.clone(),
            },
        },
        expectations,
        options,
        interrupt: Some(Arc::clone(&interrupt)),
    };
    let mut progress = crate::progress::Progress::new(args.verbose);
    let outcome = session.run(&rt, &mut progress);
    progress.finish();
    c169_suite::run::shut_down(std::iter::once(&imp).chain(&copies).cloned(), &rt);
    let outcome = outcome.map_err(anyhow::Error::msg)?;
    for left_out in &outcome.copies_left_out {
        eprintln!("c169: --jobs: {left_out}; its share of the cases ran on the other copies");
    }
    let report = outcome.report;
    // A run that tested nothing is no verdict: no report that could read as green.
    if report.summary.all.total == 0 && report.run.complete && report.run.rig_failure.is_none() {
        eprintln!("c169: {}", nothing_selected(args, &root));
        return Ok(exit::USAGE);
    }
    let written = match c169_formats::write_all(&report, &args.report_dir, &formats, None) {
        Ok(w) => w,
        Err(e) => {
            eprintln!(
                "c169: cannot write the report: {:#}",
                anyhow::Error::from(e)
            );
            return Ok(exit::RIG);
        }
    };
    print_summary(&report);
    for path in &written {
        println!("report: {}", path.display());
    }
    if let Some(code) = unmatched_expectations(args, &outcome.unmatched_expectations, &report) {
        return Ok(code);
    }
    Ok(report.gate.exit_code)
}

/// Every id the flags and the expectations name is a case of this suite, checked
/// before anything runs; a usage error naming the flag or the file and field.
fn check_named(
    args: &Args,
    corpus: &Corpus,
    root: &Path,
    expectations: Option<&(String, Expectations)>,
) -> anyhow::Result<()> {
    let named: Vec<(&str, String)> = args
        .vectors_only
        .iter()
        .map(|id| ("--vector", id.clone()))
        .chain(expectations.into_iter().flat_map(|(file, e)| {
            e.entries
                .iter()
                .map(move |en| (file.as_str(), en.case.clone()))
        }))
        .collect();
    if let Some((from, id, near)) = unknown_case(corpus, root, &named)? {
        if from == "--vector" {
            anyhow::bail!(
                "--vector: no vector or scenario has the id {id:?}{near} (vector ids are file stems under vectors/; scenario ids are in reports and in `cargo test -p c169-suite --test cases -- --list`)"
            );
        }
        anyhow::bail!(
            "{from}: field `known_failures[].case`: expected the id of a vector or scenario of this suite, found {id:?}{near}"
        );
    }
    Ok(())
}

/// Who the report already in `dir` is of, when it is not `label`'s.
fn another_report(dir: &Path, label: &str) -> Option<String> {
    let path = dir.join("results.json");
    if !path.is_file() {
        return None;
    }
    match c169_report::Report::load(&path) {
        Ok(r) if r.implementation.label == label => None,
        Ok(r) => Some(format!("{:?}", r.implementation.label)),
        Err(_) => Some(format!(
            "an implementation c169 cannot tell ({} is not a report it reads)",
            path.display()
        )),
    }
}

/// The first of `named` (where it was named, and the id) that is no case of the
/// suite, with `; the nearest are …`; the scenarios are read only when an id is
/// not a vector's.
fn unknown_case<'a>(
    corpus: &Corpus,
    root: &Path,
    named: &'a [(&'a str, String)],
) -> anyhow::Result<Option<(&'a str, &'a str, String)>> {
    let mut known: std::collections::BTreeSet<String> =
        corpus.vectors.iter().map(|(_, v)| v.id.clone()).collect();
    if named.iter().all(|(_, id)| known.contains(id)) {
        return Ok(None);
    }
    let dir = root.join("../features");
    if dir.is_dir() {
        let cases = c169_corpus::features::scenario_cases(&dir)
            .with_context(|| format!("reading the scenarios under {}", dir.display()))?;
        known.extend(cases.into_iter().map(|c| c.id));
    }
    Ok(named
        .iter()
        .find(|(_, id)| !known.contains(id))
        .map(|(from, id)| {
            let near = crate::replay::nearest(id, known.iter().map(String::as_str), 3);
            let near = if near.is_empty() {
                String::new()
            } else {
                format!("; the nearest are {}", near.join(", "))
            };
            (*from, id.as_str(), near)
        }))
}

/// Known failures that name no case of the run: a warning when the run was
/// filtered, else a usage error (exit 2).
fn unmatched_expectations(
    args: &Args,
    unmatched: &[String],
    report: &c169_report::Report,
) -> Option<u8> {
    if unmatched.is_empty() || !report.run.complete {
        return None;
    }
    let filtered = args.tags.is_some()
        || args.shard.is_some()
        || args.no_features
        || !args.vectors_only.is_empty();
    let list = unmatched.join(", ");
    let file = args
        .expectations
        .as_deref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    if filtered {
        eprintln!("c169: {file}: known_failures name cases outside this run (filtered or in another shard): {list}");
        None
    } else {
        eprintln!("c169: {file}: field `known_failures[].case`: expected the id of a vector or scenario of this suite; no case is named {list}");
        Some(exit::USAGE)
    }
}

/// What left a run without a case, in words that name the flags given.
fn nothing_selected(args: &Args, root: &Path) -> String {
    let mut by = Vec::new();
    if let Some(t) = &args.tags {
        by.push(format!("--tags {t:?}"));
    }
    if let Some(s) = &args.shard {
        by.push(format!("--shard {}/{}", s.index, s.count));
    }
    if !args.vectors_only.is_empty() {
        by.push(format!("--vector {}", args.vectors_only.join(" --vector ")));
    }
    if by.is_empty() {
        format!(
            "no case to run: the corpus at {} holds no vector and no scenario ran; nothing was tested, so there is no verdict (exit 2)",
            root.display()
        )
    } else {
        format!(
            "no case to run: {} selected none of the corpus at {}; nothing was tested, so there is no verdict (exit 2)",
            by.join(" with "),
            root.display()
        )
    }
}

/// A flag the first Ctrl-C sets (the run then stops and writes a partial report);
/// a second one ends the process at once.
fn ctrl_c() -> Arc<AtomicBool> {
    let interrupt = Arc::new(AtomicBool::new(false));
    {
        let flag = Arc::clone(&interrupt);
        // A second Ctrl-C ends at once; the first lets the run write a partial report.
        let _ = ctrlc::set_handler(move || {
            if flag.swap(true, Ordering::SeqCst) {
                std::process::exit(i32::from(exit::INTERRUPTED));
            }
            eprintln!("c169: interrupted: finishing the current case, then writing a partial report (Ctrl-C again to quit now)");
        });
    }
    interrupt
}

/// The options that shape results, as the report records them.
/// Parses one `--require` value.
fn capability(s: &str) -> Result<String, String> {
    // The capabilities a `describe` answer declares.
    let names: Vec<&str> = c169_model::protocol::capability_vocabulary().collect();
    if names.contains(&s) {
        Ok(s.to_owned())
    } else {
        Err(format!("expected one of {}", names.join(", ")))
    }
}

fn options(args: &Args) -> BTreeMap<String, serde_json::Value> {
    let mut options = BTreeMap::new();
    options.insert("timeout_s".to_owned(), json!(args.target.timeout));
    options.insert("transport".to_owned(), json!(args.target.transport()));
    if let Some(name) = &args.target.adapter {
        // The flag that runs a case of this report again (`--adapter NAME`).
        options.insert("adapter".to_owned(), json!(name));
    }
    options.insert("features".to_owned(), json!(!args.no_features));
    if let Some(t) = &args.tags {
        options.insert("tags".to_owned(), json!(t));
    }
    options
}

fn print_summary(r: &c169_report::Report) {
    let c = &r.summary;
    println!("{}: {}", r.implementation.label, r.headline());
    println!(
        "  {} cases: {} passed, {} failed, {} errors, {} skipped ({} stage mismatches; {} known failures, {} stale)",
        c.all.total,
        c.all.passed,
        c.all.failed,
        c.all.errors,
        c.all.skipped,
        c.stage_mismatches,
        c.known_failures,
        c.stale_expectations
    );
    println!(
        "  vectors: {} passed, {} failed, {} errors, {} skipped; scenarios: {} passed, {} failed, {} skipped",
        c.vectors.passed, c.vectors.failed, c.vectors.errors, c.vectors.skipped,
        c.scenarios.passed, c.scenarios.failed, c.scenarios.skipped
    );
    for reason in &r.gate.reasons {
        println!("  {reason}");
    }
}
