//! `c169 matrix --history NAME`: the whole suite against every release of one
//! peer that has a configuration (`adapters/NAME/releases/VERSION/`, then the
//! peer's own pin), each run as `c169 matrix` runs a member, and what changed
//! from each release that ran to the next, under `OUT/history/NAME/`.

use crate::run::{project_dir, registered, vectors_root};
use anyhow::Context as _;
use c169_adapter::peers::{discover, releases, Peer};
use c169_adapter::{Implementation, Settings};
use c169_corpus::Corpus;
use c169_formats::{render_history, render_index, write_all, Format};
use c169_model::bounded;
use c169_report::history::{History, Outcome, Release};
use c169_report::matrix::{HistoryLink, Matrix};
use c169_report::{exit, write_atomically, Collector, Report};
use c169_suite::session::Session;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// The formats of a release's report: the record, the summary and the page (the
/// published matrix has every format of the newest release; JUnit and Cucumber
/// for each older one would add megabytes and no reader).
const RELEASE_FORMATS: [Format; 3] = [Format::Json, Format::Markdown, Format::Html];

/// The files of a history beside the releases' folders.
const FILES: [&str; 3] = ["history.json", "CHANGES.md", "index.html"];

/// The flag of `c169 run` that runs a case against `release`.
fn adapter_flag(release: &Peer) -> String {
    format!("--adapter {}", release.handle())
}

/// A registered peer's release by `NAME@VERSION` (what `--adapter` accepts).
pub fn release(name: &str, version: &str) -> anyhow::Result<Peer> {
    let peer = registered(name)?;
    let all = releases(&peer).map_err(anyhow::Error::msg)?;
    let found: Vec<&str> = all
        .iter()
        .map(|r| r.spec.upstream.version.as_str())
        .collect();
    let release = all
        .iter()
        .find(|r| r.spec.upstream.version == version)
        .ok_or_else(|| {
            anyhow::anyhow!(
                "--adapter: {name} has no release {version:?} configured (adapters/{name}/releases/); configured: {}",
                found.join(", ")
            )
        })?;
    if let Some(why) = release.not_ready() {
        anyhow::bail!("--adapter: {why}");
    }
    Ok(release.clone())
}

/// The peers with releases configured, as the matrix links their histories.
pub fn links() -> anyhow::Result<Vec<HistoryLink>> {
    let mut out = Vec::new();
    for peer in discover(&project_dir("adapters")).map_err(anyhow::Error::msg)? {
        let all = releases(&peer).map_err(anyhow::Error::msg)?;
        if all.len() > 1 {
            out.push(HistoryLink {
                name: peer.name().to_owned(),
                releases: all
                    .iter()
                    .map(|r| r.spec.upstream.version.clone())
                    .collect(),
                page: format!("history/{}/index.html", peer.name()),
            });
        }
    }
    Ok(out)
}

/// A reason as published: the project's folder (where the adapter ran) left
/// out, so that no machine path is written; at most a few lines.
fn published(reason: &str) -> String {
    let mut text = reason.to_owned();
    let adapters = project_dir("adapters");
    for form in [std::fs::canonicalize(&adapters).ok(), Some(adapters)]
        .into_iter()
        .flatten()
    {
        if let Some(root) = form.parent().filter(|p| p.is_absolute()) {
            text = text.replace(&format!("{}/", root.display()), "");
        }
    }
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .collect();
    let kept = lines.len().min(6);
    let mut out = lines.get(..kept).unwrap_or_default().join("\n");
    if lines.len() > kept {
        out.push_str(" …");
    }
    out
}

/// Why `release` cannot be run now, found by starting it and asking `describe`.
fn unrunnable(release: &Peer, rt: &tokio::runtime::Runtime, settings: &Settings) -> Option<String> {
    if let Some(why) = release.not_ready() {
        return Some(why);
    }
    let imp = match release.target().connect(settings) {
        Ok(imp) => imp,
        Err(e) => return Some(published(&format!("the adapter did not start: {e}"))),
    };
    let described = rt.block_on(imp.describe());
    rt.block_on(imp.shutdown());
    match described {
        Err(e) => {
            let stderr = e.stderr().map(published).unwrap_or_default();
            Some(if stderr.is_empty() {
                format!("describe failed: {}", published(&e.reason()))
            } else {
                format!(
                    "describe failed: {}; stderr: {stderr}",
                    published(&e.reason())
                )
            })
        }
        Ok(d) => {
            let problems = release.check(&d);
            (!problems.is_empty()).then(|| {
                format!(
                    "describe departs from its adapter.toml: {}",
                    problems.join("; ")
                )
            })
        }
    }
}

struct Ctx<'a> {
    root: &'a Path,
    corpus: &'a Corpus,
    catalogue: &'a c169_corpus::catalogue::Catalogue,
    rt: &'a tokio::runtime::Runtime,
    settings: &'a Settings,
    timeout: u64,
}

/// Runs the suite against `release` as `c169 matrix` runs a member.
fn run_release(c: &Ctx<'_>, release: &Peer) -> anyhow::Result<Report> {
    let imp: Arc<dyn Implementation> = Arc::from(release.target().connect(c.settings)?);
    let mut session = Session::whole(
        c.root,
        c.corpus,
        c.catalogue,
        Arc::clone(&imp),
        release.label(),
    );
    session
        .options
        .insert("timeout_s".to_owned(), serde_json::json!(c.timeout));
    session
        .options
        .insert("adapter".to_owned(), serde_json::json!(release.handle()));
    let mut report = session
        .run(c.rt, &mut Collector::default())
        .map_err(anyhow::Error::msg)?
        .report;
    c.rt.block_on(imp.shutdown());
    "(not recorded)".clone_into(&mut report.run.host);
    Ok(report)
}

/// `c169 matrix --history NAME --out OUT [--check DIR]`.
pub fn run(
    name: &str,
    out: &Path,
    timeout: u64,
    check: Option<&Path>,
    jobs: &crate::jobs::JobsArgs,
) -> anyhow::Result<u8> {
    let root = vectors_root(None);
    let corpus =
        Corpus::load(&root).with_context(|| format!("loading the corpus at {}", root.display()))?;
    let catalogue = crate::vectors::catalogue_for(&root)?;
    let settings = Settings::default().with_timeout(Duration::from_secs(timeout));
    let rt = jobs.runtime()?;
    let jobs = jobs.count();
    let peer = registered(name)?;
    let all = releases(&peer).map_err(anyhow::Error::msg)?;
    let ctx = Ctx {
        root: &root,
        corpus: &corpus,
        catalogue: &catalogue,
        rt: &rt,
        settings: &settings,
        timeout,
    };
    let dir = out.join("history").join(name);
    // Each release apart, `jobs` of them at once; told in release order.
    let measure = |release: &Peer| -> anyhow::Result<(Outcome, Option<Report>)> {
        let version = &release.spec.upstream.version;
        let folder = dir.join(version);
        if let Some(reason) = unrunnable(release, &rt, &settings) {
            eprintln!("c169: matrix --history: {name} {version} cannot be run: {reason}");
            if folder.is_dir() {
                // What an earlier run left there is not this release's report now.
                std::fs::remove_dir_all(&folder)
                    .with_context(|| format!("removing {}", folder.display()))?;
            }
            return Ok((Outcome::Unrunnable { reason }, None));
        }
        eprintln!("c169: matrix --history: running the suite against {name} {version}");
        let report = run_release(&ctx, release)?;
        write_all(&report, &folder, &RELEASE_FORMATS, Some("../index.html"))?;
        let outcome = Outcome::Ran {
            report: format!("{version}/report.html"),
            verdict: report.gate.verdict,
            headline: report.headline(),
            counts: report.summary.all,
        };
        Ok((outcome, Some(report)))
    };
    let measured = c169_suite::run::side_by_side(&all, jobs, &measure);
    let mut listed = Vec::new();
    let mut runs: Vec<(String, Report)> = Vec::new();
    let mut rig_failed = false;
    for (release, result) in all.iter().zip(measured) {
        let (outcome, report) = result?;
        let version = release.spec.upstream.version.clone();
        if let Some(report) = report {
            rig_failed |= report.run.rig_failure.is_some();
            let c = report.summary.all;
            println!(
                "{name} {version}: {} — {} cases, {} passed, {} failed, {} errors, {} skipped",
                report.headline(),
                c.total,
                c.passed,
                c.failed,
                c.errors,
                c.skipped
            );
            runs.push((version.clone(), report));
        }
        listed.push(Release {
            version,
            label: release.label(),
            adapter: adapter_flag(release),
            current: !release.is_release(),
            outcome,
        });
    }
    remove_stale(&dir, &all)?;
    let package = format!(
        "{} {}",
        peer.spec.upstream.registry, peer.spec.upstream.package
    );
    let history = History::new(name, &package, listed, &runs);
    for s in &history.steps {
        println!(
            "{name} {} → {}: {}",
            s.old,
            s.new,
            c169_report::history::step_line(&s.diff)
        );
    }
    write_history(&dir, &history, &runs)?;
    link_from_matrix(out)?;
    println!("history: {}", dir.join("index.html").display());
    if let Some(published) = check {
        if !compare_with(published, out, name, &runs) {
            return Ok(exit::FAILED);
        }
    }
    Ok(if rig_failed {
        exit::RIG
    } else {
        exit::CONFORMANT
    })
}

/// Removes the folders under `dir` of releases no longer configured: they are
/// not part of this history.
fn remove_stale(dir: &Path, all: &[Peer]) -> anyhow::Result<()> {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let stale = entry.file_type().is_ok_and(|t| t.is_dir())
                && !all
                    .iter()
                    .any(|r| entry.file_name() == r.spec.upstream.version.as_str());
            if stale {
                std::fs::remove_dir_all(entry.path())
                    .with_context(|| format!("removing {}", entry.path().display()))?;
            }
        }
    }
    Ok(())
}

/// Writes `history.json`, `CHANGES.md` and `index.html` into `dir`.
fn write_history(dir: &Path, history: &History, runs: &[(String, Report)]) -> anyhow::Result<()> {
    let mut json = serde_json::to_vec_pretty(history)?;
    json.push(b'\n');
    write_atomically(&dir.join("history.json"), &json)?;
    write_atomically(
        &dir.join("CHANGES.md"),
        c169_report::history::render(history, runs).as_bytes(),
    )?;
    write_atomically(
        &dir.join("index.html"),
        render_history(history, runs).as_bytes(),
    )?;
    Ok(())
}

/// Links the histories from the matrix in `out`, if there is one there: its
/// `matrix.json` and `index.html` written again with the links, nothing else changed.
fn link_from_matrix(out: &Path) -> anyhow::Result<()> {
    let path = out.join("matrix.json");
    let bytes = match bounded::read_file(&path, bounded::REPORT_FILE) {
        Ok(bytes) => bytes,
        Err(e) if e.is_not_found() => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let mut matrix: Matrix = c169_model::deep::from_slice(&bytes)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let histories = links()?;
    if matrix.histories == histories {
        return Ok(());
    }
    matrix.histories = histories;
    let mut json = serde_json::to_vec_pretty(&matrix)?;
    json.push(b'\n');
    write_atomically(&path, &json)?;
    write_atomically(&out.join("index.html"), render_index(&matrix).as_bytes())?;
    Ok(())
}

/// Compares the history just written under `out` with the one published under
/// `published` (the releases' records, times apart; the history's files); says what differs.
fn compare_with(published: &Path, out: &Path, name: &str, runs: &[(String, Report)]) -> bool {
    let (old, new) = (
        published.join("history").join(name),
        out.join("history").join(name),
    );
    let mut differences = Vec::new();
    for (version, _) in runs {
        let load = |dir: &Path| Report::load(&dir.join(version).join(Format::Json.file_name()));
        match (load(&old), load(&new)) {
            (Ok(a), Ok(b)) => differences.extend(
                a.differences(&b)
                    .into_iter()
                    .map(|d| format!("{version}/results.json: {d}")),
            ),
            (Err(e), _) | (_, Err(e)) => differences.push(format!("{:#}", anyhow::Error::from(e))),
        }
    }
    for file in FILES {
        let read = |dir: &Path| bounded::read_file(&dir.join(file), bounded::REPORT_FILE).ok();
        if read(&old) != read(&new) {
            differences.push(format!("{file} differs"));
        }
    }
    for d in &differences {
        eprintln!("c169: matrix --history --check: {d}");
    }
    if differences.is_empty() {
        println!(
            "matrix --history --check: the history of {name} equals that in {}",
            old.display()
        );
    } else {
        eprintln!(
            "c169: the history of {name} in {} is not what the suite gives now: regenerate it with `c169 matrix --history {name} --out {}`",
            old.display(),
            published.display()
        );
    }
    differences.is_empty()
}
