//! One self-contained HTML page that a person works from: it opens on what to act
//! on (the verdict with its coverage, the failing requirements by level, each
//! linking to its cases), then the failures grouped by the first stage where
//! expected and observed differ, in pipeline order. Every case has an anchor
//! (`#case-<id>`) and a one-line command that runs it again; every requirement
//! one (`#req-<id>`). A few kilobytes of inline script filter the cases; the
//! page reads whole without it. No request leaves the page.

mod case;
mod diff;

use case::{case_block, case_stub, data, short_name};

use crate::page::{self, scroll, status};
use crate::{esc, observed_line, Format};
use c169_model::Stage;
use c169_report::{
    Case, Divergence, GradedAt, Report, RequirementStatus, RequirementVerdict, Status,
};
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// What a report page links to besides itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct Links<'a> {
    /// The other files of the report set (results.json, junit.xml …).
    pub siblings: &'a [Format],
    /// The page that lists every implementation (`../index.html`), when there is one.
    pub index: Option<&'a str>,
}

/// Case links shown in a requirement row before the rest are folded.
const LINKS_SHOWN: usize = 6;

/// The groups of failures, in pipeline order: each stage, then the content, then
/// answers the rig could not use, then failures with no stage to name.
fn group_of(c: &Case) -> (usize, String) {
    match (c.status, c.diverges_at) {
        (Status::Error, _) => (
            Stage::ALL.len() + 1,
            "No usable answer (crash, timeout, protocol error)".to_owned(),
        ),
        (_, Some(Divergence::Stage(s))) => (
            Stage::ALL.iter().position(|x| *x == s).unwrap_or(0),
            format!("Stage: {}", s.as_str()),
        ),
        (_, Some(Divergence::Content)) => (
            Stage::ALL.len(),
            "Content: accepted, but the decoded (or encoded) content differs".to_owned(),
        ),
        (_, None) => (
            Stage::ALL.len() + 2,
            "No stage named (a step failed before any answer)".to_owned(),
        ),
    }
}

/// Where a level sorts: MUST first, observed last.
fn grade_rank(c: &Case) -> usize {
    GradedAt::ROWS
        .iter()
        .position(|g| *g == c.graded_at())
        .unwrap_or(GradedAt::ROWS.len())
}

/// Links to a requirement's failing cases, then those that depart from the
/// profile, folded past the first few; the others are counted, and a button
/// (shown by the script) filters the page to them all.
fn case_links(r: &Report, q: &RequirementVerdict) -> String {
    let id = q.requirement.id.as_str();
    let mut cases: Vec<&Case> = r
        .cases
        .iter()
        .filter(|c| c.status.is_failure() || c.status == Status::Depart)
        .filter(|c| c.requirements.iter().any(|x| x == id))
        .collect();
    cases.sort_by_key(|c| match c.status {
        Status::Fail | Status::Error => 0,
        Status::Depart => 1,
        Status::Pass | Status::Skip => 2,
    });
    let link = |c: &&Case| {
        format!(
            "<a href=\"#case-{}\">{}</a> <small>{}</small>",
            esc(&c.id),
            esc(&short_name(c)),
            c.status.as_str()
        )
    };
    let shown: Vec<String> = cases.iter().take(LINKS_SHOWN).map(link).collect();
    let mut out = shown.join(" · ");
    if cases.len() > LINKS_SHOWN {
        let rest: Vec<String> = cases.iter().skip(LINKS_SHOWN).map(link).collect();
        let _ = write!(
            out,
            "<details><summary>{} more</summary>{}</details>",
            rest.len(),
            rest.join(" · ")
        );
    }
    let total = q.counts.total;
    if total == 0 {
        out.push_str("<span class=muted>no case</span>");
    } else {
        let _ = write!(
            out,
            "{}<span class=muted>{} passed, {} skipped</span> <button type=button hidden data-show-req=\"{}\">show its {} cases</button>",
            if cases.is_empty() { "" } else { "<br>" },
            q.counts.passed,
            q.counts.skipped,
            esc(id),
            total
        );
    }
    out
}

/// A table of requirements; each row carries its anchor when `anchored`.
fn requirement_table(out: &mut String, r: &Report, caption: &str, rows: &[&RequirementVerdict]) {
    let mut t = format!(
        "<table class=\"wide stack\"><caption>{}</caption><thead><tr><th scope=col style=\"width:10em\">requirement</th><th scope=col style=\"width:8.5em\">verdict</th><th scope=col class=hide-narrow>statement</th><th scope=col style=\"width:38%\">cases</th></tr></thead><tbody>",
        esc(caption)
    );
    for q in rows {
        let _ = write!(
            t,
            "<tr id=\"req-{id}\"><th scope=row><code>{id}</code> <small>{level}</small></th><td>{v}<br><small>{p} pass · {f} fail · {d} depart · {s} skip</small></td><td class=hide-narrow>{stmt}</td><td>{links}</td></tr>",
            id = esc(&q.requirement.id),
            level = c169_report::level_name(q.requirement.level),
            v = status(q.verdict.as_str()),
            p = q.counts.passed,
            f = q.counts.failed + q.counts.errors,
            d = q.counts.departed,
            s = q.counts.skipped,
            stmt = esc(&q.requirement.statement),
            links = case_links(r, q),
        );
    }
    t.push_str("</tbody></table>");
    out.push_str(&scroll(caption, &t));
}

/// The verdict, its coverage and why, the header of the page.
fn top(out: &mut String, r: &Report, links: &Links) {
    out.push_str("<header class=top><div class=wrap><nav aria-label=\"related pages and files\">");
    if let Some(index) = links.index {
        let _ = write!(
            out,
            "<a href=\"{}\">← every implementation (interop matrix)</a>",
            esc(index)
        );
    }
    out.push_str("<span class=muted>This run as data:</span> ");
    let files: Vec<String> = links
        .siblings
        .iter()
        .filter(|f| **f != Format::Html)
        .map(|f| format!("<a href=\"{0}\">{0}</a>", f.file_name()))
        .collect();
    out.push_str(&files.join(" "));
    out.push_str("</nav></div></header><main class=wrap id=top>");
    let _ = write!(
        out,
        "<h1>c169 conformance report: {}</h1><p class=verdict>{}; tested on {}</p>",
        esc(&r.implementation.label),
        status(r.gate.verdict.as_str()),
        esc(&r.summary.coverage.line())
    );
    if !r.run.complete {
        out.push_str("<p class=lead><b>This run was interrupted: the report holds the cases finished before.</b></p>");
    }
    out.push_str("<ul>");
    for reason in &r.gate.reasons {
        let _ = write!(out, "<li>{}</li>", esc(reason));
    }
    for line in r.standing() {
        let _ = write!(out, "<li>{}</li>", esc(&line));
    }
    let _ = write!(
        out,
        "</ul><p>Failures against a quoted text at or above <b>{}</b> fail the run; its exit code was <b>{}</b>.</p>",
        r.gate.fail_on.as_str().to_uppercase(),
        r.gate.exit_code
    );
    out.push_str("<nav aria-label=\"on this page\"><b>On this page:</b> <a href=\"#act\">what to act on</a> · <a href=\"#failures\">failures</a> · <a href=\"#others\">departures, known, skipped and passed cases</a> · <a href=\"#requirements\">requirements</a> · <a href=\"#run\">the run</a> · <a href=\"#legend\">legend</a></nav>");
}

/// The failing requirements by level, then those that only depart from the profile.
fn act_on(out: &mut String, r: &Report) {
    out.push_str("<section aria-labelledby=act><h2 id=act>What to act on</h2>");
    let failing: Vec<&RequirementVerdict> = r
        .requirements
        .iter()
        .filter(|q| q.verdict == RequirementStatus::Fail)
        .collect();
    let departing: Vec<&RequirementVerdict> = r
        .requirements
        .iter()
        .filter(|q| q.verdict == RequirementStatus::Depart)
        .collect();
    if failing.is_empty() && departing.is_empty() {
        if r.gate.verdict == c169_report::RunVerdict::Conformant {
            out.push_str(
                "<p>Nothing: no case failed, and none departed from the strict profile.</p>",
            );
        } else {
            // No failing case is not a pass: a run that tested little, or was cut
            // short, says so here too.
            let _ = write!(
                out,
                "<p class=lead>No case failed, but the run is <b>{}</b>: {}</p>",
                esc(r.gate.verdict.as_str()),
                esc(&r.gate.reasons.join("; "))
            );
        }
    }
    for level in c169_report::LEVELS {
        let rows: Vec<&RequirementVerdict> = failing
            .iter()
            .copied()
            .filter(|q| q.requirement.level == level)
            .collect();
        if !rows.is_empty() {
            let caption = format!(
                "{} requirements with failing cases ({})",
                c169_report::level_name(level),
                rows.len()
            );
            requirement_table(out, r, &caption, &rows);
        }
    }
    if !departing.is_empty() {
        let caption = format!(
            "Requirements whose cases depart from the suite's strict profile, breaking no text ({})",
            departing.len()
        );
        // Folded: they break no text, and the failures come first.
        let _ = write!(
            out,
            "<details class=fold><summary>{}</summary>",
            esc(&caption)
        );
        requirement_table(out, r, &caption, &departing);
        out.push_str("</details>");
    }
    out.push_str("</section>");
}

/// Options of a filter: the values present, with their counts.
fn select(out: &mut String, name: &str, label: &str, values: &BTreeMap<String, usize>) {
    let _ = write!(
        out,
        "<label>{label}<select name=\"{name}\"><option value=\"\">any</option>"
    );
    for (v, n) in values {
        let _ = write!(out, "<option value=\"{0}\">{0} ({n})</option>", esc(v));
    }
    out.push_str("</select></label>");
}

fn filters(out: &mut String, r: &Report) {
    let by = |f: &dyn Fn(&Case) -> String| {
        let mut m: BTreeMap<String, usize> = BTreeMap::new();
        for c in &r.cases {
            let v = f(c);
            if !v.is_empty() {
                *m.entry(v).or_default() += 1;
            }
        }
        m
    };
    let statuses = by(&|c| c.status.as_str().to_owned());
    let levels = by(&|c| c.grade_name().to_owned());
    let areas = by(&|c| c.area.clone());
    let stages = by(&|c| {
        c.diverges_at
            .map(Divergence::as_str)
            .unwrap_or_default()
            .to_owned()
    });
    out.push_str("<form id=filters hidden role=search aria-label=\"filter the cases\"><b style=\"flex-basis:100%\">Filter every case of the page: failures, departures, known, skipped and passed</b>");
    select(out, "status", "status", &statuses);
    select(out, "level", "level", &levels);
    let mut reqs: BTreeMap<String, usize> = BTreeMap::new();
    for c in &r.cases {
        for q in &c.requirements {
            *reqs.entry(q.clone()).or_default() += 1;
        }
    }
    select(out, "req", "requirement", &reqs);
    select(out, "area", "area", &areas);
    select(out, "stage", "first differs at", &stages);
    out.push_str("<label>text<input type=search name=q placeholder=\"id, name, reason…\"></label><button type=reset>clear</button><output id=shown aria-live=polite></output></form>");
}

fn failures(out: &mut String, r: &Report) {
    let mut failures: Vec<&Case> = r.cases.iter().filter(|c| c.is_new_failure()).collect();
    // Groups in pipeline order (the map's keys); within one, MUST first.
    failures.sort_by_key(|c| (grade_rank(c), c.sort_key()));
    let _ = write!(
        out,
        "<section aria-labelledby=failures><h2 id=failures>Failures ({})</h2><p>Grouped by the first pipeline stage where the answer departs from the expected one, in pipeline order; within a group, MUST first. Open a case for its sentence, the command that runs it again and the difference.</p>",
        failures.len()
    );
    filters(out, r);
    if failures.is_empty() {
        out.push_str("<p>No case failed.</p>");
    }
    let mut groups: BTreeMap<(usize, String), Vec<&Case>> = BTreeMap::new();
    for c in failures {
        groups.entry(group_of(c)).or_default().push(c);
    }
    for ((_, name), cases) in groups {
        let _ = write!(
            out,
            "<div data-group><h3>{} ({})</h3>",
            esc(&name),
            cases.len()
        );
        // The first few cases of one reason in full; the others as stubs that point
        // to the first (see `case_stub`), folded together after them, reasons in
        // the order they first appear.
        let mut by_reason: Vec<(&str, Vec<&Case>)> = Vec::new();
        for c in cases {
            if let Some((_, same)) = by_reason.iter_mut().find(|(r, _)| *r == c.reason) {
                same.push(c);
                if same.len() > SAME_REASON_IN_FULL {
                    continue;
                }
            } else {
                by_reason.push((c.reason.as_str(), vec![c]));
            }
            case_block(out, r, c);
        }
        for (_, same) in &by_reason {
            let (Some(first), Some(rest)) = (same.first(), same.get(SAME_REASON_IN_FULL..)) else {
                continue;
            };
            if rest.is_empty() {
                continue;
            }
            let _ = write!(
                out,
                "<details class=fold data-group id=\"same-{}\"><summary>{} more that failed for the same reason as {}</summary>",
                esc(&first.id),
                rest.len(),
                esc(&short_name(first))
            );
            for c in rest {
                case_stub(out, r, c, first);
            }
            out.push_str("</details>");
        }
        out.push_str("</div>");
    }
    out.push_str("</section>");
}

/// How many failures of one group with the same reason are shown in full.
const SAME_REASON_IN_FULL: usize = 3;

/// A folded list of case blocks.
fn folded_blocks(out: &mut String, r: &Report, id: &str, title: &str, cases: &[&Case]) {
    if cases.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<details class=fold data-group id=\"{id}\"><summary>{} ({})</summary>",
        esc(title),
        cases.len()
    );
    for c in cases {
        case_block(out, r, c);
    }
    out.push_str("</details>");
}

/// A folded table of cases, one row each, with a last column of `what`.
fn folded_rows(
    out: &mut String,
    id: &str,
    title: &str,
    cases: &[&Case],
    what: &str,
    cell: &dyn Fn(&Case) -> String,
) {
    if cases.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<details class=fold data-group id=\"{id}\"><summary>{} ({})</summary>",
        esc(title),
        cases.len()
    );
    let mut t = format!(
        "<table class=\"wide stack\"><caption>{}</caption><thead><tr><th scope=col>case</th><th scope=col style=\"width:6.5em\">status</th><th scope=col style=\"width:6.5em\" class=hide-narrow>level</th><th scope=col>{}</th></tr></thead><tbody>",
        esc(title),
        esc(what)
    );
    for c in cases {
        let _ = write!(
            t,
            "<tr id=\"case-{id}\" {data}><th scope=row><code>{short}</code></th><td>{st}</td><td class=hide-narrow>{level}</td><td>{cell}</td></tr>",
            id = esc(&c.id),
            short = esc(&short_name(c)),
            data = data(c),
            st = status(c.status.as_str()),
            level = c.grade_name(),
            cell = cell(c),
        );
    }
    t.push_str("</tbody></table>");
    out.push_str(&scroll(title, &t));
    out.push_str("</details>");
}

fn others(out: &mut String, r: &Report) {
    let of =
        |f: &dyn Fn(&Case) -> bool| -> Vec<&Case> { r.cases.iter().filter(|c| f(c)).collect() };
    // Each case once: a known failure (or stale entry) under known, whatever it did.
    let departures = of(&|c| c.status == Status::Depart && c.known.is_none());
    let known = of(&|c| c.known.is_some());
    let skipped = of(&|c| c.status == Status::Skip && c.known.is_none());
    let passed = of(&|c| c.status == Status::Pass && c.known.is_none());
    out.push_str("<section aria-labelledby=others><h2 id=others>Every other case</h2><p>Departures from the strict profile break no text: they fail a run only under <code>--profile strict</code>. Known failures are recorded in the expectations file and do not fail the run.</p>");
    folded_blocks(
        out,
        r,
        "departures",
        "Departures from the strict profile",
        &departures,
    );
    folded_blocks(
        out,
        r,
        "known",
        "Known failures and stale expectations",
        &known,
    );
    // Skipped cases by reason, most frequent first: a reason is written once.
    let mut reasons: BTreeMap<&str, Vec<&Case>> = BTreeMap::new();
    for c in &skipped {
        reasons.entry(c.reason.as_str()).or_default().push(c);
    }
    let mut reasons: Vec<(&str, Vec<&Case>)> = reasons.into_iter().collect();
    reasons.sort_by_key(|(_, cases)| std::cmp::Reverse(cases.len()));
    if !skipped.is_empty() {
        let _ = write!(
            out,
            "<details class=fold data-group id=skipped><summary>Skipped: not run, with the reason ({})</summary>",
            skipped.len()
        );
        for (i, (reason, cases)) in reasons.iter().enumerate() {
            folded_rows(
                out,
                &format!("skipped-{i}"),
                reason,
                cases,
                "what it is",
                &|c| esc(&c.name),
            );
        }
        out.push_str("</details>");
    }
    folded_rows(out, "passed", "Passed", &passed, "what it is", &|c| {
        if c.is_implementation_defined() {
            format!(
                "{} <small>(implementation-defined: it answered {})</small>",
                esc(&c.name),
                esc(&observed_line(c))
            )
        } else {
            esc(&c.name)
        }
    });
    out.push_str("</section>");
    implementation_defined(out, r);
    symbols(out, r);
}

/// Where either answer conforms: what the implementation chose.
fn implementation_defined(out: &mut String, r: &Report) {
    let cases: Vec<&Case> = r
        .cases
        .iter()
        .filter(|c| c.is_implementation_defined())
        .collect();
    if cases.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<section aria-labelledby=implementation-defined><h2 id=implementation-defined>Implementation-defined behaviours ({})</h2><p>Either answer conforms to these cases (no text decides, or only the suite's observation of deployed code); this is what the implementation did.</p><details class=fold><summary>each case and its answer</summary>",
        cases.len()
    );
    let mut t = String::from("<table class=\"wide stack\"><caption>Implementation-defined behaviours</caption><thead><tr><th scope=col>case</th><th scope=col style=\"width:6.5em\">status</th><th scope=col>what it did</th></tr></thead><tbody>");
    for c in cases {
        let _ = write!(
            t,
            "<tr><th scope=row><a href=\"#case-{0}\"><code>{0}</code></a></th><td>{1}</td><td>{2}</td></tr>",
            esc(&c.id),
            status(c.status.as_str()),
            esc(&observed_line(c))
        );
    }
    t.push_str("</tbody></table>");
    out.push_str(&scroll("implementation-defined behaviours", &t));
    out.push_str("</details></section>");
}

/// The QR symbol every encoded credential needs, at the level it is printed at.
fn symbols(out: &mut String, r: &Report) {
    let encoded: Vec<&Case> = r.cases.iter().filter(|c| c.symbol.is_some()).collect();
    if encoded.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<section aria-labelledby=symbols><h2 id=symbols>QR symbols of encoded credentials ({})</h2><p>The smallest QR version holding each encoder output at the error-correction level the vector prints at.</p><details class=fold><summary>each encoded credential's symbol</summary>",
        encoded.len()
    );
    let mut t = String::from("<table class=\"wide stack\"><caption>QR symbols</caption><thead><tr><th scope=col>case</th><th scope=col>status</th><th scope=col>symbol</th></tr></thead><tbody>");
    for c in encoded {
        if let Some(s) = &c.symbol {
            let _ = write!(
                t,
                "<tr><th scope=row><a href=\"#case-{0}\"><code>{0}</code></a></th><td>{1}</td><td>{2}</td></tr>",
                esc(&c.id),
                status(c.status.as_str()),
                esc(&s.line())
            );
        }
    }
    t.push_str("</tbody></table>");
    out.push_str(&scroll("QR symbols", &t));
    out.push_str("</details></section>");
}

fn counts_table(r: &Report) -> String {
    let mut t = String::from("<table class=auto><caption>Cases by kind and level</caption><thead><tr><th scope=col>cases</th><th scope=col class=n>total</th><th scope=col class=n>passed</th><th scope=col class=n>failed</th><th scope=col class=n>departed</th><th scope=col class=n>errors</th><th scope=col class=n>skipped</th></tr></thead><tbody>");
    let mut rows = vec![
        ("vectors".to_owned(), r.summary.vectors),
        ("scenarios".to_owned(), r.summary.scenarios),
    ];
    rows.extend(
        GradedAt::ROWS
            .iter()
            .filter_map(|g| r.summary.by_level.get(g).map(|c| (g.to_string(), *c))),
    );
    rows.push(("all".to_owned(), r.summary.all));
    for (name, c) in rows {
        let _ = write!(
            t,
            "<tr><th scope=row>{}</th><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
            esc(&name), c.total, c.passed, c.failed, c.departed, c.errors, c.skipped
        );
    }
    t.push_str("</tbody></table>");
    scroll("cases by kind and level", &t)
}

fn requirements(out: &mut String, r: &Report) {
    let _ = write!(
        out,
        "<section aria-labelledby=requirements><h2 id=requirements>Requirements and counts</h2>{}",
        counts_table(r)
    );
    let rest: Vec<&RequirementVerdict> = r
        .requirements
        .iter()
        .filter(|q| {
            !matches!(
                q.verdict,
                RequirementStatus::Fail | RequirementStatus::Depart
            )
        })
        .collect();
    let _ = write!(
        out,
        "<details class=fold data-group id=requirements-rest><summary>The other {} requirements (passed, skipped, untested), with their cases</summary>",
        rest.len()
    );
    requirement_table(
        out,
        r,
        "Requirements with no failing or departing case",
        &rest,
    );
    out.push_str("</details></section>");
}

fn run_facts(out: &mut String, r: &Report) {
    let mut t = String::from("<table><caption>The run</caption><tbody>");
    let options = Json::Object(r.run.options.clone().into_iter().collect()).to_string();
    let mut row = |k: &str, v: String| {
        let _ = write!(
            t,
            "<tr><th scope=row style=\"width:11em\">{k}</th><td>{v}</td></tr>"
        );
    };
    row(
        "suite",
        esc(&format!("{} {}", r.suite.name, r.suite.version)),
    );
    row(
        "vectors sha256",
        format!("<code>{}</code>", esc(&r.suite.vectors_digest)),
    );
    row(
        "features sha256",
        format!("<code>{}</code>", esc(&r.suite.features_digest)),
    );
    row("started", esc(&r.run.started));
    row("duration", format!("{:.0} ms", r.run.duration_ms));
    row("host", esc(&r.run.host));
    row("options", format!("<code>{}</code>", esc(&options)));
    if let Some(e) = &r.run.expectations {
        row("expectations", esc(e));
    }
    t.push_str("</tbody></table>");
    out.push_str("<section aria-labelledby=run><h2 id=run>The run</h2>");
    out.push_str(&t);
    if let Some(d) = &r.implementation.describe {
        let _ = write!(
            out,
            "<details><summary>what the implementation declares (describe)</summary><pre tabindex=0>{}</pre></details>",
            esc(&serde_json::to_string_pretty(d).unwrap_or_default())
        );
    }
    out.push_str("</section>");
}

fn legend(out: &mut String) {
    out.push_str("<section aria-labelledby=legend><h2 id=legend>Legend</h2><dl class=legend>");
    let rows: [(&str, &str); 9] = [
        ("pass", "the answer is the one the case expects"),
        ("fail", "the answer breaks a quoted text (or, for a scenario, a step failed): the sentence is in the case"),
        ("error", "no usable answer: the implementation crashed, timed out or answered outside the protocol"),
        ("depart", "no text is broken, but the answer departs from the suite's strict profile"),
        ("skip", "not run, with the reason (a capability the implementation does not declare …)"),
        ("MUST · SHOULD · MAY · DE-FACTO", "the level of the text a case is graded by; profile and observed cases are graded by no text"),
        ("first differs at", "the first pipeline stage (base45, zlib, cose, decrypt, signature, cwt, time, claim169) where the answer departs from the expected one, or content"),
        ("− and +", "in a difference, the expected value (−) and the observed one (+), field by field, after both are brought to one form"),
        ("#case-… · #req-…", "every case and every requirement has an anchor: a link to it opens it"),
    ];
    for (k, v) in rows {
        let term = if matches!(k, "pass" | "fail" | "error" | "depart" | "skip") {
            status(k)
        } else {
            format!("<b>{}</b>", esc(k))
        };
        let _ = write!(out, "<dt>{term}</dt><dd>{}</dd>", esc(v));
    }
    out.push_str("</dl></section>");
}

/// Renders the report as one HTML page.
pub(super) fn render(r: &Report, links: &Links) -> String {
    let mut out = String::new();
    page::head(
        &mut out,
        &format!(
            "{}: {} — c169 report",
            r.implementation.label,
            r.gate.verdict.as_str()
        ),
    );
    top(&mut out, r, links);
    act_on(&mut out, r);
    failures(&mut out, r);
    others(&mut out, r);
    requirements(&mut out, r);
    run_facts(&mut out, r);
    legend(&mut out);
    out.push_str("</main><footer class=wrap><p class=muted>");
    if let Some(index) = links.index {
        let _ = write!(
            out,
            "<a href=\"{}\">← every implementation</a> · ",
            esc(index)
        );
    }
    let _ = write!(
        out,
        "<a href=\"#top\">top of the page</a> · written by {} {}</p></footer>",
        esc(&r.suite.name),
        esc(&r.suite.version)
    );
    page::tail(&mut out);
    out
}
