//! `c169 matrix`: the suite against the reference and every registered peer, the
//! encoder × decoder grid, and the published pages.

use crate::adapters::peers_required;
use crate::run::{project_dir, vectors_root};
use anyhow::Context as _;
use c169_adapter::peers::discover;
use c169_adapter::{Implementation, Reference, Settings, Target};
use c169_corpus::Corpus;
use c169_formats::render_index;
use c169_formats::{write_all, Format};
use c169_model::bounded;
use c169_report::matrix::Matrix;
use c169_report::{exit, write_atomically, Collector, Report};
use c169_suite::matrix::{matrix, Copier, GridMember};
use c169_suite::run::shut_down;
use c169_suite::session::Session;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where the matrix goes: index.html, matrix.json and a folder per implementation.
    #[arg(long, default_value = "reports", value_name = "DIR")]
    out: PathBuf,
    /// Seconds an implementation may take on one request.
    #[arg(long, default_value_t = 10, value_name = "SECS")]
    timeout: u64,
    /// Only these peers (default: every registered one); the reference is always in.
    #[arg(long = "adapter", value_name = "NAME")]
    only: Vec<String>,
    /// After the run, compare its records with the published matrix in DIR (times,
    /// dates and durations apart) and exit 1 if they differ: the published
    /// reports are current, and the runs deterministic.
    #[arg(long, value_name = "DIR")]
    check: Option<PathBuf>,
    /// Implementations (and releases) run side by side, N at a time (default:
    /// the number of cores); each joins the encoder × decoder grid as its own
    /// run ends, with another process of a slow decoder when a worker would
    /// otherwise wait.
    #[command(flatten)]
    jobs: crate::jobs::JobsArgs,
    /// Instead of the matrix: the suite against every release of peer NAME that has
    /// a configuration (adapters/NAME/releases/VERSION/, then its own pin), and what
    /// changed from each to the next, under OUT/history/NAME/.
    #[arg(long, value_name = "NAME", conflicts_with = "only")]
    history: Option<String>,
}

/// Where the records of the matrix in `new` differ from those in `old`.
fn compare(old: &std::path::Path, new: &std::path::Path, names: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for name in names {
        let load =
            |dir: &std::path::Path| Report::load(&dir.join(name).join(Format::Json.file_name()));
        match (load(old), load(new)) {
            (Ok(a), Ok(b)) => out.extend(
                a.differences(&b)
                    .into_iter()
                    .map(|d| format!("{name}/results.json: {d}")),
            ),
            (Err(e), _) | (_, Err(e)) => out.push(format!("{:#}", anyhow::Error::from(e))),
        }
    }
    let matrix = |dir: &std::path::Path| -> Result<serde_json::Value, String> {
        let path = dir.join("matrix.json");
        let mut v: serde_json::Value = c169_model::deep::from_slice(
            &bounded::read_file(&path, bounded::REPORT_FILE).map_err(|e| e.to_string())?,
        )
        .map_err(|e| format!("{}: {e}", path.display()))?;
        if let Some(m) = v.as_object_mut() {
            m.remove("date");
        }
        Ok(v)
    };
    match (matrix(old), matrix(new)) {
        (Ok(a), Ok(b)) if a != b => out.push("matrix.json differs".to_owned()),
        (Err(e), _) | (_, Err(e)) => out.push(e),
        _ => {}
    }
    let findings = |dir: &std::path::Path| {
        bounded::read_to_string(&dir.join(FINDINGS), bounded::REPORT_FILE).ok()
    };
    if findings(old) != findings(new) {
        out.push(format!("{FINDINGS} differs"));
    }
    out
}

/// The findings page, generated beside the reports.
pub(crate) const FINDINGS: &str = "FINDINGS.md";

/// The curated wording of findings (`reports/findings.yaml`), if there is one.
fn curated() -> anyhow::Result<c169_report::findings::Curated> {
    let path = project_dir("reports").join("findings.yaml");
    match bounded::read_to_string(&path, bounded::SOURCE_FILE) {
        Ok(text) => {
            c169_model::deep::check_yaml(&text, serde_yaml_ng::Deserializer::from_str)
                .with_context(|| path.display().to_string())?;
            serde_yaml_ng::from_str(&text).with_context(|| {
                format!(
                    "{}: expected a map of implementation name to a map of case id to a sentence",
                    path.display()
                )
            })
        }
        Err(e) if e.is_not_found() => Ok(std::collections::BTreeMap::new()),
        Err(e) => Err(e.into()),
    }
}

/// FINDINGS.md for the peers' reports, in name order.
pub(crate) fn findings_page(
    mut peers: Vec<(String, &Report)>,
    corpus: &Corpus,
    catalogue: &c169_corpus::catalogue::Catalogue,
) -> anyhow::Result<String> {
    peers.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(c169_report::findings::render(&peers, &curated()?, &|c| {
        quote_of(corpus, catalogue, c)
    }))
}

/// The sentence a case is graded by, as findings quote it.
fn quote_of(
    corpus: &Corpus,
    catalogue: &c169_corpus::catalogue::Catalogue,
    c: &c169_report::Case,
) -> Option<String> {
    let shown = |doc: &str, section: &str, quote: &str| format!("{doc} {section}: “{quote}”");
    if c.kind == c169_report::CaseKind::Vector {
        if let Some((_, v)) = corpus.vectors.iter().find(|(_, v)| v.id == c.id) {
            if let c169_model::Basis::Text(t) = &v.basis {
                return Some(shown(&t.document, &t.section, &t.quote));
            }
        }
    }
    let r = catalogue.get(c.requirements.first()?)?;
    r.text
        .as_ref()
        .map(|t| shown(&t.document, &t.section, &t.quote))
}

/// The reference and every ready peer (`None` when a peer cannot be reached and
/// C169_REQUIRE_PEERS=1).
/// A member of the matrix: its name, label, implementation and how it is reached.
type Member = (String, String, Arc<dyn Implementation>, Target);

fn members(args: &Args, settings: &Settings) -> anyhow::Result<Option<Vec<Member>>> {
    let mut members: Vec<Member> = vec![(
        "reference".into(),
        "reference (c169's reference codec)".into(),
        Arc::new(Reference),
        Target::Reference,
    )];
    for peer in discover(&project_dir("adapters")).map_err(anyhow::Error::msg)? {
        if !args.only.is_empty() && !args.only.iter().any(|n| n == peer.name()) {
            continue;
        }
        if let Some(why) = peer.not_ready() {
            if peers_required() {
                eprintln!("c169: {why} (C169_REQUIRE_PEERS=1)");
                return Ok(None);
            }
            eprintln!("c169: matrix: leaving out {why}");
            continue;
        }
        let target = peer.target();
        let imp: Arc<dyn Implementation> = Arc::from(target.connect(settings)?);
        members.push((peer.name().to_owned(), peer.label(), imp, target));
    }

    Ok(Some(members))
}

/// Compares the matrix just written to `out` with the published one; says what differs.
fn check(published: &std::path::Path, out: &std::path::Path, names: &[String]) -> bool {
    let differences = compare(published, out, names);
    for d in &differences {
        eprintln!("c169: matrix --check: {d}");
    }
    if differences.is_empty() {
        println!(
            "matrix --check: the records equal those in {}",
            published.display()
        );
    } else {
        eprintln!(
            "c169: the matrix in {} is not what the suite gives now: regenerate it with `c169 matrix --out {}`",
            published.display(),
            published.display()
        );
    }
    differences.is_empty()
}

/// A member's own run, written to its folder of `args.out`, and the member as
/// the grid uses it (what it declares once its run has ended).
fn run_one(
    args: &Args,
    (name, label, imp, target): &Member,
    root: &std::path::Path,
    corpus: &Corpus,
    catalogue: &c169_corpus::catalogue::Catalogue,
    settings: &Settings,
    rt: &tokio::runtime::Runtime,
) -> (anyhow::Result<Report>, GridMember) {
    eprintln!("c169: matrix: running the suite against {name}");
    let mut session = Session::whole(root, corpus, catalogue, Arc::clone(imp), label.clone());
    session
        .options
        .insert("timeout_s".to_owned(), serde_json::json!(args.timeout));
    if name != "reference" {
        // The flag that runs a case of this report again (`--adapter NAME`).
        session
            .options
            .insert("adapter".to_owned(), serde_json::json!(name));
    }
    let report = session
        .run(rt, &mut Collector::default())
        .map_err(|e| anyhow::anyhow!("{name}: {e}"))
        .and_then(|ran| {
            let mut report = ran.report;
            // A published report does not name the machine it was made on.
            "(not recorded)".clone_into(&mut report.run.host);
            write_all(
                &report,
                &args.out.join(name),
                &Format::ALL,
                Some("../index.html"),
            )?;
            Ok(report)
        });
    let described = rt.block_on(imp.describe()).ok();
    // Readings side by side get another copy, unless the adapter says it must run
    // alone.
    let copy: Option<Copier> = if described.as_ref().is_some_and(|d| !d.serial) {
        let (target, settings) = (target.clone(), settings.clone());
        Some(Arc::new(move || {
            target.connect(&settings).ok().map(Arc::from)
        }))
    } else {
        None
    };
    let member = GridMember {
        name: name.clone(),
        imp: Arc::clone(imp),
        caps: described.map(|d| d.capability_names()).unwrap_or_default(),
        copy,
    };
    (report, member)
}

pub fn run(args: &Args) -> anyhow::Result<u8> {
    if let Some(name) = &args.history {
        return crate::history::run(
            name,
            &args.out,
            args.timeout,
            args.check.as_deref(),
            &args.jobs,
        );
    }
    let root = vectors_root(None);
    let corpus =
        Corpus::load(&root).with_context(|| format!("loading the corpus at {}", root.display()))?;
    let catalogue = crate::vectors::catalogue_for(&root)?;
    let settings = Settings::default().with_timeout(Duration::from_secs(args.timeout));
    let rt = args.jobs.runtime()?;

    let Some(members) = members(args, &settings)? else {
        return Ok(exit::RIG);
    };

    // Each member's run, `--jobs` at a time; as each ends, that member joins the
    // encoder × decoder grid.
    let (ran, grid) = matrix(
        &corpus,
        &members,
        &|m| run_one(args, m, &root, &corpus, &catalogue, &settings, &rt),
        &rt,
        args.jobs.count(),
    );
    shut_down(members.iter().map(|(_, _, imp, _)| Arc::clone(imp)), &rt);
    let mut reports: Vec<(String, Report)> = Vec::new();
    let mut rig_failed = false;
    for ((name, _, _, _), report) in members.iter().zip(ran) {
        let report =
            report.unwrap_or_else(|| Err(anyhow::anyhow!("{name}: the run did not end")))?;
        rig_failed |= report.run.rig_failure.is_some();
        println!(
            "{name}: {} — {} cases, {} passed, {} failed, {} errors, {} skipped",
            report.headline(),
            report.summary.all.total,
            report.summary.all.passed,
            report.summary.all.failed,
            report.summary.all.errors,
            report.summary.all.skipped
        );
        reports.push((name.clone(), report));
    }
    let peers: Vec<(String, &Report)> = reports
        .iter()
        .filter(|(n, _)| n != "reference")
        .map(|(n, r)| (n.clone(), r))
        .collect();
    let findings = findings_page(peers, &corpus, &catalogue)?;
    write_atomically(&args.out.join(FINDINGS), findings.as_bytes())?;
    let mut matrix = Matrix::new(&reports, grid);
    matrix.histories = crate::history::links()?;
    let mut json = serde_json::to_vec_pretty(&matrix)?;
    json.push(b'\n');
    write_atomically(&args.out.join("matrix.json"), &json)?;
    write_atomically(
        &args.out.join("index.html"),
        render_index(&matrix).as_bytes(),
    )?;
    println!(
        "grid: {} encoders × {} decoders × {} fixtures",
        matrix.grid.encoders.len(),
        matrix.grid.decoders.len(),
        matrix.grid.fixtures.len()
    );
    println!("matrix: {}", args.out.join("index.html").display());
    if let Some(published) = &args.check {
        let names: Vec<String> = reports.iter().map(|(n, _)| n.clone()).collect();
        if !check(published, &args.out, &names) {
            return Ok(exit::FAILED);
        }
    }
    Ok(if rig_failed {
        exit::RIG
    } else {
        exit::CONFORMANT
    })
}
