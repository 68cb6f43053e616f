//! `c169 fuzz`: differential fuzzing of an implementation against the reference.

use crate::run::vectors_root;
use anyhow::Context as _;
use c169_adapter::Implementation;
use c169_corpus::Corpus;
use c169_report::{exit, write_atomically};
use c169_suite::differential::{bases, candidate, case, minimise, run_case, Tally, Verdicts};
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The implementation to fuzz against the reference: `--adapter NAME` (a
    /// registered peer), `--adapter-cmd COMMAND` or `--adapter-url URL`, as for `c169 run`.
    #[command(flatten)]
    target: crate::target::TargetArgs,
    /// How many cases.
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    cases: u64,
    /// The seed: the same seed gives the same cases.
    #[arg(long, default_value_t = 1, value_name = "S")]
    seed: u64,
    /// Stop after this many seconds, whatever the number of cases.
    #[arg(long, value_name = "SECS")]
    time: Option<u64>,
    /// Run only this case of the seed, and print both answers.
    #[arg(long = "case", value_name = "I")]
    only: Option<u64>,
    /// Where candidate vectors go: DIR/<name>/<id>.json and DIR/<name>/summary.json,
    /// where <name> is the peer's name, or a slug of the command or URL
    /// (`python3 my_adapter.py` gives `python3-my-adapter-py`). A candidate
    /// becomes a vector once reviewed and moved under vectors/ (CONTRIBUTING.md).
    #[arg(long, default_value = "vectors/fuzz-found", value_name = "DIR")]
    out: PathBuf,
}

pub fn run(args: &Args) -> anyhow::Result<u8> {
    let root = vectors_root(None);
    let corpus =
        Corpus::load(&root).with_context(|| format!("loading the corpus at {}", root.display()))?;
    if !args.target.names_one() {
        anyhow::bail!("name the implementation to fuzz: --adapter NAME, --adapter-cmd COMMAND or --adapter-url URL (the reference is what it is compared with)");
    }
    let name = args.target.folder_name();
    let imp = args.target.target()?.connect(&args.target.settings())?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let description = rt
        .block_on(imp.describe())
        .map_err(|e| anyhow::anyhow!("{name}: describe failed: {}", e.reason()))?;
    let caps = description.capability_names();
    let honours_time = description.options.now;
    let bases = bases(&corpus, &caps);
    if bases.is_empty() {
        anyhow::bail!(
            "{name} declares no signature algorithm the corpus's identities are signed with: nothing to fuzz"
        );
    }
    if let Some(i) = args.only {
        let c = case(args.seed, i, bases.len());
        for s in &c.steps {
            println!("step: {s}");
        }
        let verdict = run_case(&c, &bases, imp.as_ref(), honours_time, &rt);
        rt.block_on(imp.shutdown());
        match verdict {
            Verdicts::Disagree(d) => {
                println!("{}", d.kind);
                println!("reference: {}", serde_json::to_string(&d.reference)?);
                println!("{name}: {}", serde_json::to_string(&d.other)?);
            }
            other => println!("{other:?}"),
        }
        return Ok(exit::CONFORMANT);
    }
    let tally = fuzz(args, &name, &bases, imp.as_ref(), honours_time, &rt);
    rt.block_on(imp.shutdown());
    write(args, &name, &tally, &bases)?;
    Ok(exit::CONFORMANT)
}

fn fuzz(
    args: &Args,
    name: &str,
    bases: &[c169_suite::differential::Base],
    imp: &dyn Implementation,
    honours_time: bool,
    rt: &tokio::runtime::Runtime,
) -> Tally {
    let started = Instant::now();
    let deadline = args.time.map(|s| started + Duration::from_secs(s));
    let mut tally = Tally::default();
    for i in 0..args.cases {
        if deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        tally.cases += 1;
        match run_case(
            &case(args.seed, i, bases.len()),
            bases,
            imp,
            honours_time,
            rt,
        ) {
            Verdicts::NotMade => tally.not_made += 1,
            Verdicts::NoAnswer(why) => {
                let key: String = why.chars().take(80).collect();
                *tally.no_answer.entry(key).or_default() += 1;
            }
            Verdicts::Agree => tally.agree += 1,
            Verdicts::Disagree(d) => {
                if let Some((n, _)) = tally.disagreements.get_mut(&d.kind) {
                    *n += 1;
                } else {
                    let kind = d.kind.clone();
                    let small = minimise(*d, bases, imp, honours_time, rt);
                    tally.disagreements.insert(kind, (1, small));
                }
            }
        }
        if (i + 1) % 1000 == 0 {
            eprintln!(
                "c169: fuzz {name}: {} cases, {} disagreements of {} kinds",
                i + 1,
                tally.disagreements.values().map(|(n, _)| n).sum::<u64>(),
                tally.disagreements.len()
            );
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{name}: {} cases in {secs:.1} s ({:.0}/s): {} agree, {} disagree ({} kinds), {} not made, {} without an answer",
        tally.cases,
        tally.cases as f64 / secs.max(1e-9),
        tally.agree,
        tally.disagreements.values().map(|(n, _)| n).sum::<u64>(),
        tally.disagreements.len(),
        tally.not_made,
        tally.no_answer.values().sum::<u64>()
    );
    tally
}

fn write(
    args: &Args,
    name: &str,
    tally: &Tally,
    bases: &[c169_suite::differential::Base],
) -> anyhow::Result<()> {
    let dir = args.out.join(name);
    let mut kinds = Vec::new();
    for (kind, (count, d)) in &tally.disagreements {
        let Some(base) = bases.get(d.case.base) else {
            continue;
        };
        let v = candidate(d, name, args.seed, base);
        let path = dir.join(format!("{}.json", v.id));
        let mut bytes = serde_json::to_vec_pretty(&v)?;
        bytes.push(b'\n');
        write_atomically(&path, &bytes)?;
        println!("{count:6} × {kind}\n         → {}", path.display());
        kinds.push(serde_json::json!({"kind": kind, "count": count, "candidate": v.id}));
    }
    let summary = serde_json::json!({
        "adapter": name,
        "seed": args.seed,
        "cases": tally.cases,
        "agree": tally.agree,
        "not_made": tally.not_made,
        "no_answer": tally.no_answer,
        "disagreements": kinds,
    });
    let mut bytes = serde_json::to_vec_pretty(&summary)?;
    bytes.push(b'\n');
    let summary = dir.join("summary.json");
    write_atomically(&summary, &bytes)?;
    println!("summary: {}", summary.display());
    Ok(())
}
