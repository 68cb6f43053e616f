//! A peer's version history (`c169 matrix --history NAME`): the whole suite run
//! against each release of one peer that has a configuration, and what changed
//! from each runnable release to the next (the [`diff`] of the two records), as
//! `history.json` and `CHANGES.md`. The changes are grouped as FINDINGS.md groups
//! behaviours (same expected answer, same answers before and after, same reason
//! but for the keys and values it names), the first case of a group being the
//! command that reproduces it.

use crate::diff::{diff, Change, Diff};
use crate::findings::{by, cell, expected, groups_by, observed, shape};
use crate::{Case, Counts, Report, RunVerdict, Status};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The format tag of `history.json`.
pub const FORMAT: &str = "c169-history/1";

/// `history.json`: one peer's releases and the changes between them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct History {
    pub format: String,
    /// The peer's name (`pycose`).
    pub name: String,
    /// Its registry and package (`pypi pycose`).
    pub package: String,
    /// Oldest first; the last is the peer's own pin.
    pub releases: Vec<Release>,
    /// From each runnable release to the next runnable one.
    pub steps: Vec<Step>,
}

/// One release and how its run went.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Release {
    pub version: String,
    /// `pycose (pypi pycose 1.0.1)`.
    pub label: String,
    /// The flag that runs a case against it: `--adapter pycose@1.0.1`, or
    /// `--adapter pycose` for the peer's own pin.
    pub adapter: String,
    /// Whether it is the peer's own pin (the matrix's member).
    pub current: bool,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// A release's run, or why there is none.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "run", rename_all = "kebab-case")]
pub enum Outcome {
    Ran {
        /// Its report, relative to the history's folder.
        report: String,
        verdict: RunVerdict,
        headline: String,
        counts: Counts,
    },
    /// It could not be run (not set up, or its adapter could not describe it):
    /// never diffed as if it ran.
    Unrunnable { reason: String },
}

/// What changed from one runnable release to the next.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    pub old: String,
    pub new: String,
    /// Releases between the two that could not be run.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub passed_over: Vec<String>,
    pub diff: Diff,
}

impl History {
    /// The history of `name` from its releases (oldest first) and the reports of
    /// those that ran, by version.
    #[must_use]
    pub fn new(
        name: &str,
        package: &str,
        releases: Vec<Release>,
        runs: &[(String, Report)],
    ) -> History {
        let run = |v: &str| {
            runs.iter()
                .find(|(version, _)| version == v)
                .map(|(_, r)| r)
        };
        let mut steps = Vec::new();
        let mut last: Option<(&str, &Report)> = None;
        let mut passed_over = Vec::new();
        for r in &releases {
            match (&r.outcome, run(&r.version)) {
                (Outcome::Ran { .. }, Some(report)) => {
                    if let Some((old, before)) = last {
                        steps.push(Step {
                            old: old.to_owned(),
                            new: r.version.clone(),
                            passed_over: std::mem::take(&mut passed_over),
                            diff: diff(before, report),
                        });
                    } else {
                        passed_over.clear();
                    }
                    last = Some((&r.version, report));
                }
                _ => passed_over.push(r.version.clone()),
            }
        }
        History {
            format: FORMAT.into(),
            name: name.into(),
            package: package.into(),
            releases,
            steps,
        }
    }

    /// The release of `version`.
    #[must_use]
    pub fn release(&self, version: &str) -> Option<&Release> {
        self.releases.iter().find(|r| r.version == version)
    }
}

/// One section of a step: a title and its changes.
#[derive(Debug)]
pub struct Section<'a> {
    pub title: &'static str,
    /// What the section holds, in a sentence.
    pub about: &'static str,
    pub changes: Vec<&'a Change>,
}

fn all<'a>(lists: &[&'a Vec<Change>]) -> Vec<&'a Change> {
    lists.iter().flat_map(|l| l.iter()).collect()
}

/// A step's changes in the order a reader acts on them; the cases added or
/// removed between the releases' suites go with the other status changes.
#[must_use]
pub fn sections(d: &Diff) -> [Section<'_>; 5] {
    [
        Section {
            title: "Fixed: newly passing",
            about: "failed or erred in the older release, pass in the newer",
            changes: all(&[&d.newly_passing]),
        },
        Section {
            title: "Broken: newly failing",
            about: "did not fail in the older release, fail or err in the newer",
            changes: all(&[&d.newly_failing]),
        },
        Section {
            title: "Failing differently: the answer changed",
            about: "fail both times, with another answer",
            changes: all(&[&d.changed_failure]),
        },
        Section {
            title: "Passing with another answer",
            about: "pass both times, with another answer (details, content, output)",
            changes: all(&[&d.changed_output]),
        },
        Section {
            title: "Other status changes",
            about: "fail ↔ error, to or from skipped, cases added or removed",
            changes: all(&[&d.other_status, &d.added, &d.removed]),
        },
    ]
}

/// One behaviour that changed: the first case (of the newer release, or of
/// the older one for a case it no longer has), its answers before and after,
/// and how many cases changed that way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeGroup {
    pub first: String,
    /// Why (the failing side's reason, or the case's name when both pass).
    pub behaviour: String,
    pub by: &'static str,
    pub requirements: String,
    pub expected: String,
    pub old: String,
    pub new: String,
    pub count: usize,
}

fn answer(c: Option<&Case>) -> String {
    match c {
        Some(c) => format!("{}: {}", c.status.as_str(), observed(c)),
        None => "absent".into(),
    }
}

fn index(r: &Report) -> BTreeMap<&str, &Case> {
    r.cases.iter().map(|c| (c.id.as_str(), c)).collect()
}

/// The reason of the side that fails (the newer one if both do), with both sides.
fn sides<'a>(
    c: &'a Case,
    before: &BTreeMap<&str, &'a Case>,
    after: &BTreeMap<&str, &'a Case>,
) -> (Option<&'a Case>, Option<&'a Case>, &'a Case) {
    let o = before.get(c.id.as_str()).copied();
    let n = after.get(c.id.as_str()).copied();
    let why = match (o, n) {
        (Some(o), Some(n)) if !n.status.is_failure() && o.status.is_failure() => o,
        (_, Some(n)) => n,
        (Some(o), None) => o,
        (None, None) => c,
    };
    (o, n, why)
}

/// The changes of one section grouped by behaviour, in case order.
#[must_use]
pub fn group(changes: &[&Change], old: &Report, new: &Report) -> Vec<ChangeGroup> {
    let (before, after) = (index(old), index(new));
    let subjects: Vec<&Case> = changes
        .iter()
        .filter_map(|ch| {
            after
                .get(ch.id.as_str())
                .or_else(|| before.get(ch.id.as_str()))
                .copied()
        })
        .collect();
    groups_by(&subjects, |c| {
        let (o, n, why) = sides(c, &before, &after);
        (
            expected(c),
            answer(o),
            answer(n),
            by(why),
            shape(&why.reason),
        )
    })
    .into_iter()
    .map(|g| {
        let c = g.first();
        let (o, n, why) = sides(c, &before, &after);
        let behaviour = if why.reason.is_empty() || why.status == Status::Pass {
            why.name.clone()
        } else {
            why.reason.clone()
        };
        ChangeGroup {
            first: c.id.clone(),
            behaviour,
            by: by(why),
            requirements: g.requirements(),
            expected: expected(c),
            old: answer(o),
            new: answer(n),
            count: g.count,
        }
    })
    .collect()
}

/// A reason in one line: its last, where a traceback ends in the error.
#[must_use]
pub fn short(reason: &str) -> &str {
    reason
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .unwrap_or_default()
}

/// A release's counts in a sentence.
#[must_use]
pub fn counts_line(c: &Counts) -> String {
    format!(
        "{} cases: {} passed, {} failed, {} departed from the profile, {} errors, {} skipped",
        c.total, c.passed, c.failed, c.departed, c.errors, c.skipped
    )
}

/// What a release is, in a sentence: its headline and counts, or why it did not run.
#[must_use]
pub fn release_line(r: &Release) -> String {
    match &r.outcome {
        Outcome::Ran {
            headline, counts, ..
        } => format!("{headline}. {}", counts_line(counts)),
        Outcome::Unrunnable { reason } => format!("could not be run: {reason}"),
    }
}

/// A step's changes in one line: `3 fixed, 1 broken, …`, or that nothing changed.
#[must_use]
pub fn step_line(d: &Diff) -> String {
    if d.is_empty() {
        return "No change: every case has the same status and the same answer in both releases"
            .into();
    }
    let [fixed, broken, failing, passing, other] = sections(d).map(|s| s.changes.len());
    format!(
        "{fixed} fixed, {broken} broken, {failing} failing differently, {passing} passing with another answer, {other} {}",
        if other == 1 {
            "other status change"
        } else {
            "other status changes"
        }
    )
}

/// `CHANGES.md` for `h`, from the reports of the releases that ran (by version).
#[must_use]
pub fn render(h: &History, runs: &[(String, Report)]) -> String {
    let name = &h.name;
    let mut out = format!(
        "# {name}: what changed between releases\n\n\
Generated by `c169 matrix --history {name}` from the reports beside this file \
(`c169 matrix --history {name} --check reports` keeps it current). Each release of {} is pinned in a \
configuration of its own (`adapters/{name}/releases/<version>/`; the newest is the peer's own, \
`adapters/{name}/`) and runs through the same adapter code, the whole suite as `c169 matrix` runs it. \
From each release that ran to the next, the cases that changed, grouped as in FINDINGS.md: \
same expected answer, same answers before and after, same reason but for the keys and values it names. \
The command reproduces the group's first case against the newer release after \
`c169 adapters setup --history {name}`; `--adapter {name}@<version>` runs an older one.\n\n## Releases\n\n\
| release | verdict | cases | passed | failed | departed | errors | skipped | report |\n\
|---|---|---:|---:|---:|---:|---:|---:|---|\n",
        h.package
    );
    for r in &h.releases {
        let pin = if r.current { " (the pin)" } else { "" };
        let _ = match &r.outcome {
            Outcome::Ran {
                report,
                verdict,
                counts: c,
                ..
            } => writeln!(
                out,
                "| {}{pin} | {verdict} | {} | {} | {} | {} | {} | {} | [report]({report}) |",
                r.version, c.total, c.passed, c.failed, c.departed, c.errors, c.skipped
            ),
            Outcome::Unrunnable { reason } => writeln!(
                out,
                "| {}{pin} | could not be run: {} (below) | | | | | | | — |",
                r.version,
                cell(short(reason))
            ),
        };
    }
    for r in &h.releases {
        if let Outcome::Unrunnable { reason } = &r.outcome {
            let _ = write!(
                out,
                "\n{} {} could not be run:\n\n```text\n{reason}\n```\n",
                h.name, r.version
            );
        }
    }
    if h.steps.is_empty() {
        out.push_str("\nFewer than two releases ran: there is nothing to compare.\n");
    }
    let run = |v: &str| {
        runs.iter()
            .find(|(version, _)| version == v)
            .map(|(_, r)| r)
    };
    for s in &h.steps {
        let (Some(old), Some(new)) = (run(&s.old), run(&s.new)) else {
            continue;
        };
        step(&mut out, h, s, (old, new));
    }
    out
}

fn step(out: &mut String, h: &History, s: &Step, (old, new): (&Report, &Report)) {
    let line = |v: &str| h.release(v).map(release_line).unwrap_or_default();
    let _ = write!(
        out,
        "\n## {} → {}\n\n- **{}**: {}\n- **{}**: {}\n",
        s.old,
        s.new,
        s.old,
        line(&s.old),
        s.new,
        line(&s.new)
    );
    for v in &s.passed_over {
        let _ = writeln!(out, "- passed over: **{v}**, which {}", line(v));
    }
    let _ = writeln!(out, "\n**{}.**", step_line(&s.diff));
    if s.diff.is_empty() {
        return;
    }
    let adapter = h
        .release(&s.new)
        .map_or_else(|| format!("--adapter {}", h.name), |r| r.adapter.clone());
    for sec in sections(&s.diff) {
        let n = sec.changes.len();
        let cases = if n == 1 { "case" } else { "cases" };
        let _ = write!(out, "\n### {} ({n} {cases})\n\n", sec.title);
        if sec.changes.is_empty() {
            out.push_str("None.\n");
            continue;
        }
        let _ = write!(
            out,
            "Cases that {}.\n\n| # | behaviour | by | reproduce (the first case) | requirements | expected | {} → {} | cases |\n|---|---|---|---|---|---|---|---:|\n",
            sec.about, s.old, s.new
        );
        for (i, g) in group(&sec.changes, old, new).iter().enumerate() {
            let _ = writeln!(
                out,
                "| {} | {} | {} | `c169 run {adapter} --vector {}` | {} | {} | {} → {} | {} |",
                i + 1,
                cell(&g.behaviour),
                g.by,
                g.first,
                g.requirements,
                cell(&g.expected),
                cell(&g.old),
                cell(&g.new),
                g.count
            );
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    /// A small report: the first cases of a published one (any will do).
    fn small() -> Report {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../reports/pixelpass-js/results.json");
        let mut r = Report::load(&path).unwrap();
        let with = |s: Status| -> Vec<Case> {
            r.cases
                .iter()
                .filter(|c| c.status == s && c.observed.is_some())
                .take(2)
                .cloned()
                .collect()
        };
        let (pass, fail) = (with(Status::Pass), with(Status::Fail));
        r.cases = pass.into_iter().chain(fail.into_iter().take(1)).collect();
        assert_eq!(r.cases.len(), 3);
        r
    }

    fn broken(c: &mut Case, code: &str) {
        c.status = Status::Fail;
        c.reason = format!("rejected it ({code})");
        if let Some(o) = c.observed.as_mut() {
            o.code = Some(code.to_owned());
            o.digest = format!("digest-{code}");
        }
    }

    fn release(version: &str, current: bool, r: Option<&Report>) -> Release {
        Release {
            version: version.into(),
            label: format!("demo (npm demo {version})"),
            adapter: if current {
                "--adapter demo".into()
            } else {
                format!("--adapter demo@{version}")
            },
            current,
            outcome: match r {
                Some(r) => Outcome::Ran {
                    report: format!("{version}/report.html"),
                    verdict: r.gate.verdict,
                    headline: r.headline(),
                    counts: r.summary.all,
                },
                None => Outcome::Unrunnable {
                    reason: "ModuleNotFoundError: No module named 'demo'".into(),
                },
            },
        }
    }

    #[test]
    fn changes_are_grouped_as_fixed_broken_and_changed_and_no_change_is_said() {
        let base = small();
        let mut old = base.clone();
        let mut new = base.clone();
        // The first case fails in the old release only (fixed), the second in the
        // new one only (broken), the third in both, with another code (changed).
        broken(&mut old.cases[0], "OLD-1");
        broken(&mut new.cases[1], "NEW-2");
        broken(&mut new.cases[2], "NEW-3");
        let runs = vec![
            ("1.0.0".to_owned(), old.clone()),
            ("1.1.0".to_owned(), new.clone()),
            ("1.2.0".to_owned(), new.clone()),
        ];
        let releases = vec![
            release("0.9.0", false, None),
            release("1.0.0", false, Some(&old)),
            release("1.1.0", false, Some(&new)),
            release("1.2.0", true, Some(&new)),
        ];
        let h = History::new("demo", "npm demo", releases, &runs);
        assert_eq!(
            h.steps.len(),
            2,
            "the release that did not run is not diffed"
        );
        let md = render(&h, &runs);
        for want in [
            "| 0.9.0 | could not be run: ModuleNotFoundError",
            "## 1.0.0 → 1.1.0",
            "**1 fixed, 1 broken, 1 failing differently, 0 passing with another answer, 0 other status changes.**",
            "### Fixed: newly passing (1 case)",
            "### Broken: newly failing (1 case)",
            "### Failing differently: the answer changed (1 case)",
            "### Passing with another answer (0 cases)",
            &format!("`c169 run --adapter demo@1.1.0 --vector {}`", base.cases[1].id),
            "(NEW-2) | 1 |",
            "## 1.1.0 → 1.2.0",
            "**No change: every case has the same status and the same answer in both releases.**",
        ] {
            assert!(md.contains(want), "{want:?} is not in\n{md}");
        }
        // The fixed case shows the old release's reason, and both answers.
        let fixed = md
            .lines()
            .find(|l| l.contains("rejected it (OLD-1)"))
            .unwrap();
        assert!(
            fixed.contains("fail: ") && fixed.contains("→ pass: "),
            "{fixed}"
        );
        let json = serde_json::to_value(&h).unwrap();
        assert_eq!(json["releases"][0]["run"], "unrunnable");
        assert_eq!(
            json["steps"][0]["diff"]["newly_passing"][0]["id"],
            base.cases[0].id.as_str()
        );
    }
}
