//! `c169 replay ID`: one case, shown as the rig runs it. The protocol lines it
//! sends, the raw replies, and expected against observed, so that a failure can
//! be fed to an adapter by hand (`--request-only | my-adapter`) and fixed.

use crate::run::vectors_root;
use crate::target::TargetArgs;
use anyhow::Context as _;
use c169_adapter::transcript::Entry;
use c169_adapter::{Implementation, Loopback, Reference, Target, Transcript};
use c169_corpus::Corpus;
use c169_report::{exit, Case, CaseKind, Collector, Status};
use c169_suite::session::Session;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The case: a vector id (a file stem under vectors/) or a scenario id (as
    /// reports name them: `scenario-…`).
    #[arg(value_name = "ID")]
    id: String,
    /// The vector corpus (default: `vectors` here, else the one in the source tree).
    #[arg(long, value_name = "DIR")]
    vectors: Option<PathBuf>,
    #[command(flatten)]
    target: TargetArgs,
    /// Print only the request lines of the case, one JSON object per line, ready
    /// to pipe into an adapter (`c169 replay ID --request-only | python3 my_adapter.py`).
    /// The requests are those the rig sends the implementation named (the
    /// reference by default): keys go only to one that declares it can use them.
    #[arg(long)]
    request_only: bool,
}

pub fn run(args: &Args) -> anyhow::Result<u8> {
    let root = vectors_root(args.vectors.as_deref());
    let corpus =
        Corpus::load(&root).with_context(|| format!("loading the corpus at {}", root.display()))?;
    let catalogue = crate::vectors::catalogue_for(&root)?;
    let kind = case_kind(&corpus, &root, &args.id)?;
    let transcript = Transcript::new();
    let imp: Arc<dyn Implementation> = match args.target.target()? {
        // The reference answers through the protocol's JSON, so its lines are real too.
        Target::Reference => Arc::new(Loopback::new(Reference).with_transcript(transcript.clone())),
        target => Arc::from(
            target
                .connect(&args.target.settings().with_transcript(&transcript))
                .context("reaching the implementation")?,
        ),
    };
    let label = args.target.label(imp.as_ref())?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let mut session = Session::whole(&root, &corpus, &catalogue, Arc::clone(&imp), label.clone());
    session.only = vec![args.id.clone()];
    session.features = kind == CaseKind::Scenario;
    let mut cases = Collector::default();
    let finished = session.run(&rt, &mut cases);
    rt.block_on(imp.shutdown());
    let finished = finished.map_err(anyhow::Error::msg)?;
    let (entries, dropped) = transcript.entries();
    if args.request_only {
        for e in &entries {
            if let Entry::Sent { op, bytes } = e {
                if op != "describe" {
                    println!("{}", String::from_utf8_lossy(bytes));
                }
            }
        }
        return Ok(exit::OK);
    }
    let Some(case) = finished.report.cases.iter().find(|c| c.id == args.id) else {
        anyhow::bail!(
            "{}: the run recorded no case with this id (is it filtered out by its tags?)",
            args.id
        );
    };
    print_case(case, &label);
    println!();
    print_transcript(&entries, dropped);
    println!();
    print_verdict(case);
    println!(
        "\nthe same case in a run with its report: c169 run --vector {}{} --verbose",
        case.id,
        args.target.flags()
    );
    Ok(match case.status {
        Status::Fail | Status::Error => exit::FAILED,
        _ => exit::OK,
    })
}

/// Whether `id` names a vector or a scenario; a usage error naming the nearest
/// ids when it names neither.
fn case_kind(corpus: &Corpus, root: &Path, id: &str) -> anyhow::Result<CaseKind> {
    if corpus.vectors.iter().any(|(_, v)| v.id == id) {
        return Ok(CaseKind::Vector);
    }
    let features = root.join("../features");
    let scenarios = c169_corpus::features::scenario_cases(&features)
        .with_context(|| format!("reading the scenarios under {}", features.display()))?;
    if scenarios.iter().any(|s| s.id == id) {
        return Ok(CaseKind::Scenario);
    }
    let ids = corpus
        .vectors
        .iter()
        .map(|(_, v)| v.id.as_str())
        .chain(scenarios.iter().map(|s| s.id.as_str()));
    let near = nearest(id, ids, 3);
    anyhow::bail!(
        "replay: no vector or scenario has the id {id:?}{}",
        if near.is_empty() {
            String::new()
        } else {
            format!("; the nearest are {}", near.join(", "))
        }
    )
}

fn print_case(c: &Case, label: &str) {
    let kind = match c.kind {
        CaseKind::Vector => "vector",
        CaseKind::Scenario => "scenario",
    };
    let line = c.line.map(|l| format!(":{l}")).unwrap_or_default();
    println!("{kind} {}: {}", c.id, c.name);
    println!("  file: {}{line}", c.file);
    let level = c
        .level
        .map_or_else(|| c.basis.as_str(), c169_report::level_name);
    println!(
        "  graded: {level}, requirements {}",
        c.requirements.join(", ")
    );
    for note in &c.notes {
        println!("  note: {note}");
    }
    println!("implementation: {label}");
}

fn print_transcript(entries: &[Entry], dropped: usize) {
    println!("what crossed (→ sent by the rig, ← read from the implementation):");
    for e in entries {
        match e {
            Entry::Sent { bytes, .. } => println!("→ {}", String::from_utf8_lossy(bytes)),
            Entry::Received(bytes) => println!("← {}", String::from_utf8_lossy(bytes)),
            Entry::Unanswered(why) => println!("← (nothing: {why})"),
        }
    }
    if entries.is_empty() {
        println!("  (nothing: the case was not run; see the verdict below)");
    }
    if dropped > 0 {
        println!("  … and {dropped} more exchanges, not kept");
    }
}

fn print_verdict(c: &Case) {
    let expected = &c.expected;
    let stage = |s: Option<c169_model::Stage>| s.map(|s| format!(" at {s}")).unwrap_or_default();
    println!(
        "expected: {}{}",
        expected.verdict.as_str(),
        stage(expected.stage)
    );
    match &c.observed {
        Some(o) => println!(
            "observed: {}{}{}",
            o.verdict.as_str(),
            stage(o.stage),
            o.code
                .as_deref()
                .map(|c| format!(" (code {c})"))
                .unwrap_or_default()
        ),
        None => println!("observed: no answer"),
    }
    if let Some(d) = &c.diverges_at {
        println!("first differs at: {d}");
    }
    println!("status: {}: {}", c.status.as_str(), c.reason);
}

/// Up to `n` of `ids` nearest to `id`: those that contain it first, then by the
/// length of the prefix they share with it (at least 4 characters).
pub fn nearest<'a>(id: &str, ids: impl Iterator<Item = &'a str>, n: usize) -> Vec<&'a str> {
    let mut scored: Vec<(bool, usize, &str)> = ids
        .map(|c| {
            let prefix = c
                .chars()
                .zip(id.chars())
                .take_while(|(a, b)| a == b)
                .count();
            (c.contains(id), prefix, c)
        })
        .filter(|(contains, prefix, _)| *contains || *prefix >= 4)
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(b.2)));
    scored.into_iter().take(n).map(|(_, _, c)| c).collect()
}
