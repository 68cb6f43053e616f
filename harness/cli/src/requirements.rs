//! `c169 requirements`: every requirement, its level and what exercises it.

use crate::exit;
use crate::run::vectors_root;
use crate::vectors::catalogue_for;
use c169_corpus::coverage::{coverage, unknown_ids};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Show one requirement: its statement, source, and every vector and scenario that exercises it.
    id: Option<String>,
    /// List only MUST and SHOULD requirements nothing exercises; exit 1 when there is one.
    #[arg(long)]
    uncovered: bool,
    #[arg(long, value_name = "DIR")]
    vectors: Option<PathBuf>,
}

pub fn run(args: &Args) -> anyhow::Result<u8> {
    let root = vectors_root(args.vectors.as_deref());
    let catalogue = catalogue_for(&root)?;
    let corpus = c169_corpus::Corpus::load(&root)?;
    let scenarios =
        c169_corpus::features::scenarios(&root.join("../features")).map_err(anyhow::Error::msg)?;
    let rows = coverage(&catalogue, &corpus, &scenarios);
    if let Some(id) = &args.id {
        let Some(row) = rows
            .iter()
            .find(|r| r.requirement.id.eq_ignore_ascii_case(id))
        else {
            eprintln!("c169: no requirement {id:?} in features/requirements.yaml");
            return Ok(exit::USAGE);
        };
        let r = &row.requirement;
        println!(
            "{} ({:?}, {:?}, binds {:?})\n  {}\n  source: {}",
            r.id, r.level, r.area, r.binds, r.statement, r.source
        );
        if !r.checkable {
            println!(
                "  not machine-checkable: {}",
                r.why_not_checkable
                    .as_deref()
                    .unwrap_or("(no reason given)")
            );
        }
        println!(
            "  tested by (primary): {} vectors, {} scenarios; touched by {} more",
            row.vectors.len(),
            row.scenarios.len(),
            row.secondary
        );
        println!("  vectors ({}):", row.vectors.len());
        for v in &row.vectors {
            println!("    {:55} {:?}", v.id, v.verdict);
        }
        println!("  scenarios ({}):", row.scenarios.len());
        for s in &row.scenarios {
            println!("    {s}");
        }
        return Ok(exit::OK);
    }
    for (vector, id) in unknown_ids(&catalogue, &corpus) {
        println!("vector {vector} names {id}, which is not in the catalogue");
    }
    for (id, why) in c169_corpus::coverage::contradicted(&catalogue, &corpus) {
        println!("{id}: its tests expect the opposite of what it says: {why}");
    }
    let mut gaps = 0;
    for row in &rows {
        let r = &row.requirement;
        let not_checkable = !r.checkable;
        if args.uncovered && !(row.gated() && row.uncovered()) && !not_checkable {
            continue;
        }
        let status = if not_checkable {
            format!(
                "not checkable: {}",
                r.why_not_checkable.as_deref().unwrap_or("")
            )
        } else if row.uncovered() {
            "UNCOVERED".to_owned()
        } else {
            format!(
                "{} vectors, {} scenarios test it; {} more touch it",
                row.vectors.len(),
                row.scenarios.len(),
                row.secondary
            )
        };
        if row.gated() && row.uncovered() {
            gaps += 1;
        }
        println!(
            "{:15} {:8} {:7} {}",
            r.id,
            format!("{:?}", r.level).to_uppercase(),
            format!("{:?}", r.binds).to_lowercase(),
            status
        );
    }
    let covered = rows.iter().filter(|r| !r.uncovered()).count();
    let cases: usize = scenarios.iter().map(|s| s.cases).sum();
    println!(
        "{} requirements, {covered} tested as the primary requirement of a vector or scenario ({} vectors, {} scenarios, {cases} scenario cases), {gaps} MUST/SHOULD requirements with no primary test",
        rows.len(),
        corpus.vectors.len(),
        scenarios.len()
    );
    Ok(if args.uncovered && gaps > 0 {
        exit::FAILED
    } else {
        exit::OK
    })
}
