//! `c169 vectors`: the corpus — generate, check, list, import, export.

use crate::exit;
use crate::run::vectors_root;
use anyhow::Context as _;
use c169_corpus::catalogue::Catalogue;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Write the generated corpus from vectors/src (deterministic: byte-identical on every run).
    Generate {
        #[arg(long, value_name = "DIR")]
        vectors: Option<PathBuf>,
    },
    /// Fail when a generated or imported file is stale, edited by hand or left over, or a vector is invalid.
    Check {
        #[arg(long, value_name = "DIR")]
        vectors: Option<PathBuf>,
    },
    /// List vectors, filtered.
    List {
        #[arg(long, value_name = "DIR")]
        vectors: Option<PathBuf>,
        /// Only this area (the folder: base45, cose, external/idpass …).
        #[arg(long)]
        area: Option<String>,
        /// Only this verdict class: valid, invalid, acceptable.
        #[arg(long)]
        verdict: Option<String>,
        /// Only vectors carrying this flag.
        #[arg(long)]
        flag: Option<String>,
        /// Only vectors exercising this requirement id.
        #[arg(long)]
        requirement: Option<String>,
        /// Print counts by area and verdict instead of the list.
        #[arg(long)]
        counts: bool,
    },
    /// Re-import the external corpora (idpass, the specification's example) into vectors and keys.
    Import {
        #[arg(long, value_name = "DIR")]
        vectors: Option<PathBuf>,
        /// Fail instead of writing when a file would change.
        #[arg(long)]
        check: bool,
    },
    /// Write the corpus for test suites in any language: index.json (every vector with its class, basis, level, stage, requirements, keys and SHA-256), the vector, image and key files, the schema, a README on judging, and the same tree as c169-vectors-<version>.tar.gz.
    Export {
        #[arg(long, value_name = "DIR")]
        vectors: Option<PathBuf>,
        /// The folder to write: new, empty, or an earlier export (replaced whole).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

/// The catalogue beside the corpus: `<vectors>/../features/requirements.yaml`.
pub fn catalogue_for(root: &Path) -> anyhow::Result<Catalogue> {
    let path = root.join("../features/requirements.yaml");
    Catalogue::load(&path).with_context(|| "loading the requirement catalogue".to_owned())
}

/// Everything the generator and the importers write, with the areas the generator owns.
fn produced(root: &Path) -> anyhow::Result<(Vec<File>, BTreeSet<String>)> {
    let catalogue = catalogue_for(root)?;
    let generated = c169_corpus::generate::generate(root, &catalogue)?;
    let mut files = generated.files;
    files.extend(c169_corpus::external::files(root).map_err(anyhow::Error::msg)?);
    Ok((files, generated.areas))
}

/// A file to write: its path and bytes.
type File = (PathBuf, Vec<u8>);

pub fn run(cmd: &Command) -> anyhow::Result<u8> {
    match cmd {
        Command::Generate { vectors } => generate(&vectors_root(vectors.as_deref())),
        Command::Check { vectors } => check(&vectors_root(vectors.as_deref())),
        Command::List {
            vectors,
            area,
            verdict,
            flag,
            requirement,
            counts,
        } => {
            let filter = Filter {
                area: area.clone(),
                verdict: verdict.clone(),
                flag: flag.clone(),
                requirement: requirement.clone(),
            };
            list(&vectors_root(vectors.as_deref()), &filter, *counts)
        }
        Command::Import { vectors, check } => import(&vectors_root(vectors.as_deref()), *check),
        Command::Export { vectors, out } => {
            crate::export::run(&vectors_root(vectors.as_deref()), out)
        }
    }
}

fn generate(root: &Path) -> anyhow::Result<u8> {
    let start = std::time::Instant::now();
    let catalogue = catalogue_for(root)?;
    let generated = c169_corpus::generate::generate(root, &catalogue)?;
    let (mut written, mut removed) = (0, 0);
    let wanted: BTreeSet<PathBuf> = generated.files.iter().map(|(p, _)| p.clone()).collect();
    for (path, bytes) in &generated.files {
        if on_disk(path, bytes).ok().as_deref() != Some(bytes.as_slice()) {
            c169_suite::run::write_atomically(path, bytes)
                .with_context(|| format!("{}: cannot write", path.display()))?;
            written += 1;
        }
    }
    for area in &generated.areas {
        for stale in c169_corpus::corpus::files(&root.join(area), ".json")?
            .into_iter()
            .filter(|p| !wanted.contains(p))
        {
            std::fs::remove_file(&stale)
                .with_context(|| format!("{}: cannot remove", stale.display()))?;
            removed += 1;
        }
    }
    println!(
        "{} files generated ({written} changed, {removed} removed) in {:.2} s",
        generated.files.len(),
        start.elapsed().as_secs_f64()
    );
    Ok(exit::OK)
}

fn check(root: &Path) -> anyhow::Result<u8> {
    let (files, areas): (Vec<File>, BTreeSet<String>) = produced(root)?;
    let mut problems = Vec::new();
    let wanted: BTreeSet<PathBuf> = files.iter().map(|(p, _)| p.clone()).collect();
    for (path, bytes) in &files {
        match on_disk(path, bytes) {
            Err(e) if e.is_not_found() => problems.push(format!(
                "{}: missing (run `c169 vectors generate`)",
                path.display()
            )),
            Err(e) if !e.is_too_large() => problems.push(e.to_string()),
            Err(_) => problems.push(format!(
                "{}: differs from what the generator writes (stale, or edited by hand)",
                path.display()
            )),
            Ok(on_disk) if &on_disk != bytes => {
                problems.push(format!(
                    "{}: differs from what the generator writes (stale, or edited by hand)",
                    path.display()
                ));
            }
            Ok(_) => {}
        }
    }
    for area in &areas {
        for extra in c169_corpus::corpus::files(&root.join(area), ".json")?
            .into_iter()
            .filter(|p| !wanted.contains(p))
        {
            problems.push(format!(
                "{}: not produced by the generator (hand-made or left over)",
                extra.display()
            ));
        }
    }
    let schema = c169_corpus::schema::VectorSchema::load(root).map_err(anyhow::Error::msg)?;
    let corpus = c169_corpus::Corpus::load(root)?;
    for (path, _) in &corpus.vectors {
        let json: serde_json::Value = c169_model::deep::from_slice(
            &c169_model::bounded::read_file(path, c169_model::bounded::VECTOR_FILE)?,
        )?;
        problems.extend(
            schema
                .errors(&json)
                .into_iter()
                .map(|e| format!("{}: {e}", path.display())),
        );
    }
    for p in &problems {
        println!("{p}");
    }
    println!(
        "{} files checked, {} vectors, {} problems",
        files.len(),
        corpus.vectors.len(),
        problems.len()
    );
    Ok(if problems.is_empty() {
        exit::OK
    } else {
        exit::FAILED
    })
}

struct Filter {
    area: Option<String>,
    verdict: Option<String>,
    flag: Option<String>,
    requirement: Option<String>,
}

fn list(root: &Path, filter: &Filter, counts: bool) -> anyhow::Result<u8> {
    let corpus = c169_corpus::Corpus::load(root)?;
    let mut table: std::collections::BTreeMap<(String, String), usize> =
        std::collections::BTreeMap::new();
    for (path, v) in &corpus.vectors {
        let rel = path.strip_prefix(root).unwrap_or(path);
        let v_area = rel
            .parent()
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        let v_verdict = v.verdict.as_str().to_owned();
        if filter.area.as_ref().is_some_and(|a| a != &v_area)
            || filter.verdict.as_ref().is_some_and(|x| x != &v_verdict)
            || filter
                .flag
                .as_ref()
                .is_some_and(|f| !v.flags.iter().any(|g| g.as_str() == f))
            || filter
                .requirement
                .as_ref()
                .is_some_and(|r| !v.requirements.iter().any(|q| &q.id == r))
        {
            continue;
        }
        if counts {
            *table.entry((v_area, v_verdict)).or_default() += 1;
        } else {
            let stage = v.stage.map(|s| s.to_string()).unwrap_or_default();
            println!(
                "{:55} {:10} {:9} {:8} {}",
                v.id,
                v_verdict,
                stage,
                // The level graded at, or the basis that grades none.
                v.level.map_or_else(
                    || v.basis.kind().to_string(),
                    |l| c169_report::level_name(l).to_owned()
                ),
                v_area
            );
        }
    }
    if counts {
        let mut totals: std::collections::BTreeMap<String, usize> =
            std::collections::BTreeMap::new();
        for ((a, v), n) in &table {
            println!("{a:20} {v:10} {n}");
            *totals.entry(v.clone()).or_default() += n;
        }
        let all: usize = totals.values().sum();
        println!(
            "total {all}: {}",
            totals
                .iter()
                .map(|(v, n)| format!("{n} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(exit::OK)
}

fn import(root: &Path, check: bool) -> anyhow::Result<u8> {
    let files = c169_corpus::external::files(root)
        .map_err(anyhow::Error::msg)
        .context("importing the external corpora")?;
    let mut stale = Vec::new();
    for (path, bytes) in files {
        if on_disk(&path, &bytes).ok().as_deref() != Some(bytes.as_slice()) {
            stale.push(path.clone());
            if !check {
                c169_suite::run::write_atomically(&path, &bytes)
                    .with_context(|| format!("{}: cannot write", path.display()))?;
            }
        }
    }
    for p in &stale {
        println!(
            "{} {}",
            if check { "stale:" } else { "wrote:" },
            p.display()
        );
    }
    Ok(if check && !stale.is_empty() {
        exit::FAILED
    } else {
        exit::OK
    })
}

/// What is on disk at `path`, where the generator would write `bytes`: read no
/// further than their length (a longer file differs anyway).
fn on_disk(path: &Path, bytes: &[u8]) -> Result<Vec<u8>, c169_model::bounded::ReadError> {
    let limit = c169_model::bounded::Limit::new("a generated file", bytes.len() as u64);
    c169_model::bounded::read_file(path, limit)
}
