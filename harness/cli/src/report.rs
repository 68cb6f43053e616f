//! `c169 diff` and `c169 report …`: working with report files.

use anyhow::Context as _;
use c169_formats as formats;
use c169_report::{diff, exit, shard, Report};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The earlier run's results.json.
    old: PathBuf,
    /// The later run's results.json.
    new: PathBuf,
    /// Print the differences as JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Exit 0 when nothing newly fails, 1 when something does.
pub fn diff(args: &DiffArgs) -> anyhow::Result<u8> {
    let old = Report::load(&args.old)?;
    let new = Report::load(&args.new)?;
    let d = diff::diff(&old, &new);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&d)?);
    } else {
        print!(
            "{}",
            diff::render(
                &d,
                &args.old.display().to_string(),
                &args.new.display().to_string()
            )
        );
    }
    Ok(if d.regressed() {
        exit::FAILED
    } else {
        exit::CONFORMANT
    })
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Merge the results.json of the shards of one run (`--shard K/N`) into one report.
    Merge {
        /// The parts' results.json files, every shard 1..N once.
        #[arg(required = true)]
        parts: Vec<PathBuf>,
        /// Where the merged report goes.
        #[arg(long, default_value = "reports/local", value_name = "DIR")]
        report_dir: PathBuf,
        /// The formats to write (json, junit, cucumber, md, html, or all).
        #[arg(long, default_value = "all", value_name = "LIST")]
        format: String,
    },
    /// Write FINDINGS.md again from the published reports in DIR (each
    /// implementation's `<name>/results.json`) and the curated wording of
    /// `reports/findings.yaml`, without running anything: what a curator runs
    /// after editing that file. `c169 matrix` writes the same page.
    Findings {
        #[arg(default_value = "reports", value_name = "DIR")]
        dir: PathBuf,
    },
    /// Write other formats of a finished run from its results.json, as one set
    /// with the record itself (results.json is always among the files written).
    Render {
        /// The run's results.json.
        results: PathBuf,
        /// Where the report set goes.
        #[arg(long, default_value = "reports/local", value_name = "DIR")]
        report_dir: PathBuf,
        /// The formats to write (json, junit, cucumber, md, html, or all).
        #[arg(long, default_value = "all", value_name = "LIST")]
        format: String,
    },
}

/// Merge exits with the merged run's gate; render with 0.
pub fn run(cmd: &Command) -> anyhow::Result<u8> {
    match cmd {
        Command::Merge {
            parts,
            report_dir,
            format,
        } => {
            let fmts = formats::parse_list(format).context("--format")?;
            let loaded = parts
                .iter()
                .map(|p| Report::load(p).map(|r| (p.display().to_string(), r)))
                .collect::<Result<Vec<_>, _>>()?;
            let merged = shard::merge(loaded)?;
            let written = match formats::write_all(&merged, report_dir, &fmts, None) {
                Ok(w) => w,
                Err(e) => {
                    eprintln!(
                        "c169: cannot write the report: {:#}",
                        anyhow::Error::from(e)
                    );
                    return Ok(exit::RIG);
                }
            };
            println!(
                "merged {} parts: {} cases, {}",
                parts.len(),
                merged.summary.all.total,
                merged.gate.verdict
            );
            for p in written {
                println!("report: {}", p.display());
            }
            Ok(merged.gate.exit_code)
        }
        Command::Findings { dir } => {
            let root = crate::run::vectors_root(None);
            let corpus = c169_corpus::Corpus::load(&root)?;
            let catalogue = crate::vectors::catalogue_for(&root)?;
            let mut loaded = Vec::new();
            for entry in
                std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))?
            {
                let path = entry?.path().join(formats::Format::Json.file_name());
                let name = path
                    .parent()
                    .and_then(|p| p.file_name())
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if path.is_file() && name != "reference" {
                    loaded.push((name, Report::load(&path)?));
                }
            }
            if loaded.is_empty() {
                anyhow::bail!("{}: no <name>/results.json of a peer; expected the output of `c169 matrix --out {}`", dir.display(), dir.display());
            }
            let peers = loaded.iter().map(|(n, r)| (n.clone(), r)).collect();
            let page = crate::matrix::findings_page(peers, &corpus, &catalogue)?;
            let path = dir.join(crate::matrix::FINDINGS);
            c169_report::write_atomically(&path, page.as_bytes())?;
            println!("findings: {}", path.display());
            Ok(exit::CONFORMANT)
        }
        Command::Render {
            results,
            report_dir,
            format,
        } => {
            let mut fmts = formats::parse_list(format).context("--format")?;
            // The set swapped in is whole: the record goes with the pages made from it.
            if !fmts.contains(&formats::Format::Json) {
                fmts.push(formats::Format::Json);
            }
            let report = Report::load(results)?;
            let written = formats::write_all(&report, report_dir, &fmts, None)
                .context("writing the report")?;
            for p in written {
                println!("report: {}", p.display());
            }
            Ok(exit::CONFORMANT)
        }
    }
}
