//! `c169 regen`: everything derived from the sources, made again in one go — the
//! vector files (generator and importers), the fuzz seeds, the insta snapshots and
//! the published reports — or, with `--check`, shown to be current.
//!
//! Each part says what it did, what it found out of date, or why this machine
//! could not do it (no `cargo` for the snapshots, peers not set up for the
//! reports); a part not done is never reported current.

use crate::run::{project_dir, vectors_root};
use crate::vectors;
use c169_report::exit;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Change nothing: exit 1 when anything derived is out of date.
    #[arg(long)]
    check: bool,
    /// Leave the published reports out (they run every peer: minutes).
    #[arg(long)]
    no_reports: bool,
}

/// How one part ended.
#[derive(Debug)]
enum Part {
    /// Current (check) or made again (regen), with what was written.
    Done(String),
    /// Out of date (check), with what.
    Stale(String),
    /// Not done on this machine, with why and how to do it.
    NotDone(String),
}

pub fn run(args: &Args) -> anyhow::Result<u8> {
    let root = vectors_root(None);
    let mut parts: Vec<(&str, Part)> = vec![
        ("vectors", vector_files(&root, args.check)?),
        ("fuzz targets", fuzz_targets(args.check)?),
        ("fuzz seeds", fuzz_seeds(&root, args.check)?),
        ("snapshots", snapshots(args.check)),
    ];
    parts.push((
        "reports",
        if args.no_reports {
            Part::NotDone("left out (--no-reports)".into())
        } else {
            reports(args.check)?
        },
    ));
    let mut code = exit::OK;
    for (name, part) in &parts {
        match part {
            Part::Done(what) => println!("{name}: {what}"),
            Part::Stale(what) => {
                println!("{name}: OUT OF DATE: {what}");
                code = exit::FAILED;
            }
            Part::NotDone(why) => {
                println!("{name}: NOT DONE: {why}");
                if crate::adapters::peers_required() {
                    code = exit::FAILED;
                }
            }
        }
    }
    if code == exit::FAILED && args.check {
        println!("run `c169 regen` and commit what it changes");
    }
    Ok(code)
}

/// The generator's and the importers' files (with `--check`, also every vector
/// against the schema, as `c169 vectors check`).
fn vector_files(root: &Path, check: bool) -> anyhow::Result<Part> {
    let cmd = if check {
        vectors::Command::Check { vectors: None }
    } else {
        vectors::Command::Generate { vectors: None }
    };
    let code = vectors::run(&cmd)?;
    if check {
        return Ok(if code == exit::OK {
            Part::Done("current, and every vector fits the schema".into())
        } else {
            Part::Stale("see `c169 vectors check` above".into())
        });
    }
    vectors::run(&vectors::Command::Import {
        vectors: Some(root.to_owned()),
        check: false,
    })?;
    Ok(Part::Done("generated and imported (see above)".into()))
}

/// The cargo-fuzz crate's harnesses (`fuzz/fuzz_targets/<name>.rs`) and its
/// `[[bin]]` sections, from [`c169_fuzzing::TARGETS`]: a new target is a function
/// and its name, nothing in `fuzz/` by hand. A harness of no target is removed.
fn fuzz_targets(check: bool) -> anyhow::Result<Part> {
    let fuzz = project_dir("fuzz");
    let mut wanted: BTreeMap<PathBuf, Vec<u8>> = BTreeMap::new();
    for t in c169_fuzzing::fuzz_crate_targets() {
        wanted.insert(
            fuzz.join("fuzz_targets").join(format!("{t}.rs")),
            c169_fuzzing::harness(t).into_bytes(),
        );
    }
    let manifest = fuzz.join("Cargo.toml");
    let text = c169_model::bounded::read_to_string(&manifest, c169_model::bounded::SOURCE_FILE)?;
    let head = text
        .split("\n[[bin]]")
        .next()
        .unwrap_or_default()
        .trim_end();
    wanted.insert(
        manifest,
        format!("{head}\n\n{}", c169_fuzzing::bin_sections()).into_bytes(),
    );
    let mut changes = sync(&wanted, check)?;
    for entry in std::fs::read_dir(fuzz.join("fuzz_targets"))? {
        let path = entry?.path();
        if path.extension().is_some_and(|x| x == "rs") && !wanted.contains_key(&path) {
            changes.push(path.clone());
            if !check {
                std::fs::remove_file(&path)?;
            }
        }
    }
    Ok(outcome(
        &changes,
        check,
        format!("current ({} harnesses)", wanted.len() - 1),
    ))
}

/// Writes (or, with `check`, only compares) each wanted file whose bytes differ;
/// returns the paths that differed.
fn sync<B: AsRef<[u8]>>(
    wanted: &BTreeMap<PathBuf, B>,
    check: bool,
) -> anyhow::Result<Vec<PathBuf>> {
    let mut changes = Vec::new();
    for (path, bytes) in wanted {
        let bytes = bytes.as_ref();
        let limit = c169_model::bounded::Limit::new("a derived file", bytes.len() as u64);
        if c169_model::bounded::read_file(path, limit).ok().as_deref() != Some(bytes) {
            changes.push(path.clone());
            if !check {
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                c169_report::write_atomically(path, bytes)?;
            }
        }
    }
    Ok(changes)
}

/// A part's result from the files that differed: `current` says what is current.
fn outcome(changes: &[PathBuf], check: bool, current: String) -> Part {
    match (changes.is_empty(), check) {
        (true, _) => Part::Done(current),
        (false, true) => Part::Stale(summary(changes)),
        (false, false) => Part::Done(format!("written: {}", summary(changes))),
    }
}

/// The seeds of the fuzz targets, derived from the vectors (up to
/// [`c169_fuzzing::MAX_SEED_LEN`] bytes each); other files of a target's
/// folder are left alone.
fn fuzz_seeds(vectors: &Path, check: bool) -> anyhow::Result<Part> {
    let mut texts = Vec::new();
    for path in c169_corpus::corpus::vector_files(vectors)? {
        texts.push(
            c169_model::bounded::read_to_string(&path, c169_model::bounded::VECTOR_FILE)
                .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.problem))?,
        );
    }
    let seeds = c169_fuzzing::corpus(&texts).map_err(anyhow::Error::msg)?;
    let dir = project_dir("fuzz").join("corpus");
    let mut wanted: BTreeMap<PathBuf, &[u8]> = BTreeMap::new();
    for s in seeds
        .iter()
        .filter(|s| s.bytes.len() <= c169_fuzzing::MAX_SEED_LEN)
    {
        wanted.insert(dir.join(s.target).join(&s.name), &s.bytes);
    }
    let changes = sync(&wanted, check)?;
    Ok(outcome(
        &changes,
        check,
        format!("current ({} seeds)", wanted.len()),
    ))
}

/// The insta snapshots of the corpus and of the report formats: their tests run
/// through `cargo`, writing (regen) or comparing (check).
fn snapshots(check: bool) -> Part {
    let source = project_dir("harness").join("..");
    if !source.join("Cargo.toml").is_file() {
        return Part::NotDone("no source tree here: snapshots live beside their tests".into());
    }
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(&source)
        .args([
            "test",
            "-q",
            // The whole workspace, as CI's test step builds it: one feature set,
            // so the tests already built there are not compiled again.
            "--workspace",
            "--test",
            "snapshots",
            "--test",
            "reports",
        ])
        .env("INSTA_UPDATE", if check { "no" } else { "always" })
        .env("INSTA_FORCE_PASS", "0");
    match cmd.status() {
        Err(e) => Part::NotDone(format!("cannot run cargo ({e}): install Rust to make them")),
        Ok(s) if s.success() => Part::Done(if check {
            "current".into()
        } else {
            "written where they changed (review with git diff)".into()
        }),
        Ok(_) if check => Part::Stale(
            "a snapshot test failed: see its output above, then `c169 regen` or `cargo insta review`"
                .into(),
        ),
        Ok(_) => Part::Stale("a snapshot test failed even when writing: see its output above".into()),
    }
}

/// The published matrix in `reports/` and the peers' version histories
/// (`reports/history/`): run again by `c169 matrix` (and `c169 matrix --history
/// NAME`) when every registered peer, and every release configured, is set up.
fn reports(check: bool) -> anyhow::Result<Part> {
    let peers =
        c169_adapter::peers::discover(&project_dir("adapters")).map_err(anyhow::Error::msg)?;
    let mut missing = Vec::new();
    // The peers, and the older releases their histories run.
    for peer in &peers {
        for p in c169_adapter::peers::releases(peer).map_err(anyhow::Error::msg)? {
            missing.extend(p.not_ready().map(|why| format!("{}: {why}", p.name())));
        }
    }
    if !missing.is_empty() {
        return Ok(Part::NotDone(format!(
            "the peers are not all set up ({}); `c169 adapters setup --history` first",
            missing.join("; ")
        )));
    }
    let published = project_dir("reports");
    let mut cmd = Command::new(std::env::current_exe()?);
    if check {
        let out = project_dir("target").join("regen-matrix");
        cmd.arg("matrix")
            .arg("--out")
            .arg(&out)
            .arg("--check")
            .arg(&published);
    } else {
        cmd.arg("matrix").arg("--out").arg(&published);
    }
    let mut status = cmd.status()?.code();
    let mut what = "the matrix".to_owned();
    // Then each peer's version history (`c169 matrix --history NAME`), into the same folder.
    for link in crate::history::links()? {
        if status != Some(0) {
            break;
        }
        let mut cmd = Command::new(std::env::current_exe()?);
        cmd.args(["matrix", "--history", &link.name, "--out"]);
        if check {
            cmd.arg(project_dir("target").join("regen-matrix"))
                .arg("--check")
                .arg(&published);
        } else {
            cmd.arg(&published);
        }
        status = cmd.status()?.code();
        what = format!("the history of {}", link.name);
    }
    Ok(match (status, check) {
        (Some(0), true) => Part::Done("current (the matrix and the version histories)".into()),
        (Some(0), false) => Part::Done(format!(
            "written to {} (the matrix and the version histories)",
            published.display()
        )),
        (Some(1), true) => Part::Stale(format!("{what} differs from reports/: see above")),
        (code, _) => Part::Stale(format!(
            "`c169 matrix` failed for {what} (exit {code:?}): see above"
        )),
    })
}

fn summary(paths: &[PathBuf]) -> String {
    let first: Vec<String> = paths
        .iter()
        .take(3)
        .map(|p| p.display().to_string())
        .collect();
    let more = paths.len().saturating_sub(first.len());
    if more > 0 {
        format!(
            "{} files ({} and {more} more)",
            paths.len(),
            first.join(", ")
        )
    } else {
        format!("{} files ({})", paths.len(), first.join(", "))
    }
}
