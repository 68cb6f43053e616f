//! A short Markdown summary, for a CI step summary or a pull-request comment.

use c169_report::{
    Case, Counts, GradedAt, KnownState, Report, RequirementStatus, RunVerdict, Status,
};
use std::fmt::Write as _;

/// Table cells may not hold a bare `|` or a line break.
fn cell(s: &str) -> String {
    let one_line: String = s.lines().next().unwrap_or_default().replace('|', "\\|");
    if one_line.chars().count() > 160 {
        let cut: String = one_line.chars().take(157).collect();
        format!("{cut}…")
    } else {
        one_line
    }
}

fn row(out: &mut String, name: &str, c: &Counts) {
    let _ = writeln!(
        out,
        "| {name} | {} | {} | {} | {} | {} | {} |",
        c.total, c.passed, c.failed, c.departed, c.errors, c.skipped
    );
}

/// How many failures the summary lists before pointing to the full report.
const LISTED: usize = 25;

/// The title line (verdict with coverage) and the gate's reasons.
fn title(out: &mut String, r: &Report) {
    let mark = match r.gate.verdict {
        RunVerdict::Conformant => "✅",
        RunVerdict::Incomplete => "⏸️",
        RunVerdict::Failed | RunVerdict::InsufficientCoverage | RunVerdict::RigFailed => "❌",
    };
    let _ = writeln!(
        out,
        "## {mark} c169 conformance: {} — {}; tested on {}\n",
        r.implementation.label,
        r.gate.verdict,
        r.summary.coverage.short()
    );
    let _ = writeln!(out, "- Coverage: {}", r.summary.coverage.line());
    for reason in &r.gate.reasons {
        let _ = writeln!(out, "- {reason}");
    }
    out.push('\n');
}

pub(super) fn render(r: &Report) -> String {
    let mut out = String::new();
    title(&mut out, r);
    for line in r.standing() {
        let _ = writeln!(out, "- {line}");
    }
    let _ = writeln!(
        out,
        "\nGate: failures against a text at or above **{}** fail the run (exit {}).\n",
        r.gate.fail_on.as_str().to_uppercase(),
        r.gate.exit_code
    );
    counts_table(&mut out, r);
    let count = |v: RequirementStatus| r.requirements.iter().filter(|q| q.verdict == v).count();
    let _ = writeln!(
        out,
        "\nRequirements ({}): {} pass, {} fail, {} skipped, {} untested.",
        r.requirements.len(),
        count(RequirementStatus::Pass),
        count(RequirementStatus::Fail),
        count(RequirementStatus::Skip),
        count(RequirementStatus::Untested)
    );
    if r.summary.known_failures + r.summary.stale_expectations > 0 {
        let _ = writeln!(
            out,
            "Known failures: {}; stale expectations: {}.",
            r.summary.known_failures, r.summary.stale_expectations
        );
    }
    let failures: Vec<_> = r
        .cases
        .iter()
        .filter(|c| {
            (c.status.is_failure() && c.known.is_none())
                || c.known
                    .as_ref()
                    .is_some_and(|k| k.state == KnownState::Stale)
        })
        .collect();
    let departures: Vec<&Case> = r
        .cases
        .iter()
        .filter(|c| c.status == Status::Depart)
        .collect();
    if !failures.is_empty() {
        let _ = writeln!(out, "\n### Failures ({})\n", failures.len());
        out.push_str("| level | case | status | reason |\n|---|---|---|---|\n");
        for c in failures.iter().take(LISTED) {
            let status = if c.status == Status::Pass {
                "stale"
            } else {
                c.status.as_str()
            };
            let _ = writeln!(
                out,
                "| {} | `{}` | {status} | {} |",
                c.grade_name(),
                c.id,
                cell(&c.reason_with_notes())
            );
        }
        if failures.len() > LISTED {
            let _ = writeln!(
                out,
                "\n… and {} more: see report.html or results.json.",
                failures.len() - LISTED
            );
        }
    }
    departures_table(&mut out, &departures);
    symbols(&mut out, r);
    let _ = writeln!(
        out,
        "\n<sub>{} {} · vectors sha256 {} · features sha256 {}{}</sub>",
        r.suite.name,
        r.suite.version,
        r.suite.vectors_digest.get(..12).unwrap_or_default(),
        r.suite.features_digest.get(..12).unwrap_or_default(),
        if r.run.complete {
            ""
        } else {
            " · **incomplete run**"
        }
    );
    out
}

/// Counts by kind of case and by the level (or basis) graded at.
fn counts_table(out: &mut String, r: &Report) {
    out.push_str(
        "| | total | passed | failed | departed | errors | skipped |\n|---|---:|---:|---:|---:|---:|---:|\n",
    );
    row(out, "vectors", &r.summary.vectors);
    row(out, "scenarios", &r.summary.scenarios);
    for grade in GradedAt::ROWS {
        if let Some(c) = r.summary.by_level.get(&grade) {
            row(out, grade.as_str(), c);
        }
    }
    row(out, "**all**", &r.summary.all);
}

/// The departures from the strict profile (the first [`LISTED`]).
fn departures_table(out: &mut String, departures: &[&Case]) {
    if !departures.is_empty() {
        let _ = writeln!(
            out,
            "\n### Departures from the strict profile ({}; not conformance failures)\n",
            departures.len()
        );
        out.push_str("| case | reason |\n|---|---|\n");
        for c in departures.iter().take(LISTED) {
            let _ = writeln!(out, "| `{}` | {} |", c.id, cell(&c.reason_with_notes()));
        }
        if departures.len() > LISTED {
            let _ = writeln!(out, "\n… and {} more.", departures.len() - LISTED);
        }
    }
}

/// The QR symbol of every encoded credential (the first [`LISTED`]).
fn symbols(out: &mut String, r: &Report) {
    let encoded: Vec<&Case> = r.cases.iter().filter(|c| c.symbol.is_some()).collect();
    if !encoded.is_empty() {
        let _ = writeln!(
            out,
            "\n### QR symbols of encoded credentials ({})\n",
            encoded.len()
        );
        out.push_str("| case | status | symbol |\n|---|---|---|\n");
        for c in encoded.iter().take(LISTED) {
            if let Some(s) = &c.symbol {
                let _ = writeln!(out, "| `{}` | {} | {} |", c.id, c.status.as_str(), s.line());
            }
        }
        if encoded.len() > LISTED {
            let _ = writeln!(
                out,
                "\n… and {} more: see report.html or results.json.",
                encoded.len() - LISTED
            );
        }
    }
}
