//! One self-contained HTML page (no script, no network) that a person opens.

use super::{esc, expected_line, observed_line};
use c169_report::{Case, ExpectedVerdict, GradedAt, KnownState, Report, Status, StepStatus};
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;
use std::fmt::Write as _;

const STYLE: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:78em;padding:0 1em;color:#1b1b1b}
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ccc}h3{margin-top:1.4em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.n{text-align:right}code,pre{font:12px/1.35 ui-monospace,monospace}
pre{background:#f7f7f7;padding:.5em;overflow:auto;max-height:30em;margin:0}
.badge{display:inline-block;padding:.15em .6em;border-radius:.3em;color:#fff;font-weight:bold}
.conformant,.pass{background:#1a7f37}.failed,.fail,.error,.rig-failed,.insufficient-coverage{background:#cf222e}.incomplete,.skip,.untested{background:#9a6700}.depart{background:#0969da}
span.pass,span.fail,span.depart,span.error,span.skip,span.untested{color:#fff;padding:0 .4em;border-radius:.2em}
.case{border:1px solid #ddd;border-radius:.3em;padding:.5em 1em;margin:.8em 0}
table.diff td{width:50%;white-space:pre-wrap;font:12px/1.35 ui-monospace,monospace;border:none;padding:0 .4em}
table.diff{width:100%;border:1px solid #ddd}td.del{background:#ffebe9}td.ins{background:#dafbe1}td.gap{background:#f6f8fa}
details{margin:.3em 0}summary{cursor:pointer}";

fn badge(class: &str, text: &str) -> String {
    format!("<span class=\"badge {}\">{}</span>", esc(class), esc(text))
}

fn status_span(s: &str) -> String {
    format!("<span class=\"{0}\">{0}</span>", esc(s))
}

fn pretty(v: &Json) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// The two sides of a failure as canonical JSON objects.
fn sides(c: &Case) -> (Json, Json) {
    let mut left = serde_json::Map::new();
    left.insert("verdict".into(), json!(c.expected.verdict));
    if let Some(s) = c.expected.stage {
        left.insert("stage".into(), json!(s.as_str()));
    }
    if let Some(Json::Object(m)) = &c.expected.content {
        for (k, v) in m {
            left.insert(k.clone(), v.clone());
        }
    }
    let left = Json::Object(left);
    let right = match &c.observed {
        Some(o) => match &o.content {
            Some(content) => content.clone(),
            None => {
                json!({"verdict": o.verdict, "stage": o.stage.map(c169_model::Stage::as_str), "code": o.code})
            }
        },
        None => json!({"answer": null, "reason": c.reason}),
    };
    (left, right)
}

/// A side-by-side line diff of the canonical JSON of both sides.
fn side_by_side(left: &str, right: &str) -> String {
    use similar::{ChangeTag, TextDiff};
    let diff = TextDiff::from_lines(left, right);
    let mut out = String::from("<table class=\"diff\"><tr><th>expected</th><th>observed</th></tr>");
    for op in diff.ops() {
        let mut dels = Vec::new();
        let mut inss = Vec::new();
        let mut same = Vec::new();
        for change in diff.iter_changes(op) {
            let text = change.value().trim_end_matches('\n').to_owned();
            match change.tag() {
                ChangeTag::Delete => dels.push(text),
                ChangeTag::Insert => inss.push(text),
                ChangeTag::Equal => same.push(text),
            }
        }
        for s in same {
            let _ = write!(out, "<tr><td>{0}</td><td>{0}</td></tr>", esc(&s));
        }
        for i in 0..dels.len().max(inss.len()) {
            let cell = |v: Option<&String>, class: &str| match v {
                Some(t) => format!("<td class=\"{class}\">{}</td>", esc(t)),
                None => "<td class=\"gap\"></td>".to_owned(),
            };
            let _ = write!(
                out,
                "<tr>{}{}</tr>",
                cell(dels.get(i), "del"),
                cell(inss.get(i), "ins")
            );
        }
    }
    out.push_str("</table>");
    out
}

fn case_block(out: &mut String, c: &Case) {
    let _ = write!(
        out,
        "<div class=\"case\" id=\"case-{id}\"><b><code>{id}</code></b> {status} <small>{level} · {file}{line} · {reqs}</small><br>{name}",
        id = esc(&c.id),
        status = status_span(c.status.as_str()),
        level = c.grade_name(),
        file = esc(&c.file),
        line = c.line.map(|l| format!(":{l}")).unwrap_or_default(),
        reqs = esc(&c.requirements.join(" ")),
        name = esc(&c.name),
    );
    let _ = write!(
        out,
        "<p>Expected <b>{}</b>; observed <b>{}</b>.{}<br>{}</p>",
        esc(&expected_line(c)),
        esc(&observed_line(c)),
        c.diverges_at
            .map(|s| format!(
                " First stage where they differ: <b>{}</b>.",
                esc(s.as_str())
            ))
            .unwrap_or_default(),
        esc(&c.reason)
    );
    if c.observed.is_some() {
        let (left, right) = sides(c);
        out.push_str(&side_by_side(&pretty(&left), &pretty(&right)));
    }
    if let Some(output) = &c.output {
        let _ = write!(
            out,
            "<details><summary>encoder output</summary><pre>{}</pre></details>",
            esc(output)
        );
    }
    for s in c.steps.iter().filter(|s| s.status != StepStatus::Passed) {
        let _ = write!(
            out,
            "<div>Step line {}: <code>{}{}</code> {}{}</div>",
            s.line,
            esc(&s.keyword),
            esc(&s.text),
            status_span(if s.status == StepStatus::Failed {
                Status::Fail.as_str()
            } else {
                Status::Skip.as_str()
            }),
            s.error
                .as_deref()
                .map(|e| format!("<pre>{}</pre>", esc(e)))
                .unwrap_or_default()
        );
    }
    if let Some(err) = &c.stderr {
        let _ = write!(
            out,
            "<details><summary>adapter stderr</summary><pre>{}</pre></details>",
            esc(err)
        );
    }
    out.push_str("</div>");
}

fn counts_table(out: &mut String, r: &Report) {
    out.push_str("<table><tr><th></th><th>total</th><th>passed</th><th>failed</th><th>departed</th><th>errors</th><th>skipped</th></tr>");
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
            out,
            "<tr><th>{}</th><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
            esc(&name), c.total, c.passed, c.failed, c.departed, c.errors, c.skipped
        );
    }
    out.push_str("</table>");
}

fn requirements(out: &mut String, r: &Report) {
    out.push_str("<h2 id=\"requirements\">Requirements</h2>");
    for level in c169_report::LEVELS {
        let rows: Vec<_> = r
            .requirements
            .iter()
            .filter(|q| q.requirement.level == level)
            .collect();
        if rows.is_empty() {
            continue;
        }
        let _ = write!(
            out,
            "<h3>{} ({})</h3><table><tr><th>id</th><th>verdict</th><th>pass</th><th>fail</th><th>error</th><th>skip</th><th>statement</th></tr>",
            c169_report::level_name(level),
            rows.len()
        );
        for q in rows {
            let _ = write!(
                out,
                "<tr id=\"req-{id}\"><td><code>{id}</code></td><td>{v}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td>{s}</td></tr>",
                q.counts.passed, q.counts.failed, q.counts.errors, q.counts.skipped,
                id = esc(&q.requirement.id),
                v = status_span(q.verdict.as_str()),
                s = esc(&q.requirement.statement),
            );
        }
        out.push_str("</table>");
    }
}

fn header(out: &mut String, r: &Report) {
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>c169 report: {label}</title><style>{STYLE}</style></head><body>\n<h1>c169 conformance report: {label}</h1>\n<p>{badge} {complete}</p><p class=coverage>{coverage}</p><ul>",
        label = esc(&r.implementation.label),
        badge = badge(r.gate.verdict.as_str(), &format!("{} on {}", r.gate.verdict, r.summary.coverage.short())),
        coverage = esc(&r.summary.coverage.line()),
        complete = if r.run.complete { "" } else { "<b>This run was interrupted: the report holds the cases finished before.</b>" },
    );
    for reason in &r.gate.reasons {
        let _ = write!(out, "<li>{}</li>", esc(reason));
    }
    out.push_str("</ul><ul class=standing>");
    for line in r.standing() {
        let _ = write!(out, "<li>{}</li>", esc(&line));
    }
    let _ = write!(
        out,
        "</ul><p>Failures against a quoted text at or above <b>{}</b> fail the run; exit code <b>{}</b>.</p>",
        r.gate.fail_on.as_str().to_uppercase(),
        r.gate.exit_code
    );
    let _ = write!(
        out,
        "<table><tr><th>suite</th><td>{} {}</td></tr><tr><th>vectors sha256</th><td><code>{}</code></td></tr><tr><th>features sha256</th><td><code>{}</code></td></tr><tr><th>started</th><td>{}</td></tr><tr><th>duration</th><td>{:.0} ms</td></tr><tr><th>host</th><td>{}</td></tr><tr><th>options</th><td><code>{}</code></td></tr>{}</table>",
        esc(&r.suite.name), esc(&r.suite.version), esc(&r.suite.vectors_digest), esc(&r.suite.features_digest),
        esc(&r.run.started), r.run.duration_ms, esc(&r.run.host),
        esc(&Json::Object(r.run.options.clone().into_iter().collect()).to_string()),
        r.run.expectations.as_deref().map(|e| format!("<tr><th>expectations</th><td>{}</td></tr>", esc(e))).unwrap_or_default(),
    );
    if let Some(d) = &r.implementation.describe {
        let _ = write!(out, "<details><summary>what the implementation declares (describe)</summary><pre>{}</pre></details>", esc(&pretty(d)));
    }
    out.push_str("<h2 id=\"summary\">Summary</h2>");
    counts_table(out, r);
    requirements(out, r);
}

fn failures(out: &mut String, r: &Report) {
    // Failures, grouped by the first stage where observed and expected differ.
    let failures: Vec<&Case> = r.cases.iter().filter(|c| c.is_new_failure()).collect();
    let _ = write!(
        out,
        "<h2 id=\"failures\">Failures ({})</h2>",
        failures.len()
    );
    let mut by_stage: BTreeMap<String, Vec<&Case>> = BTreeMap::new();
    for c in failures {
        let group = match (c.status, c.diverges_at) {
            (Status::Error, _) => "no usable answer (adapter error)".to_owned(),
            (_, Some(s)) => format!("stage: {s}"),
            (_, None) => "other".to_owned(),
        };
        by_stage.entry(group).or_default().push(c);
    }
    for (group, cases) in by_stage {
        let _ = write!(out, "<h3>{} ({})</h3>", esc(&group), cases.len());
        for c in cases {
            case_block(out, c);
        }
    }
}

fn known(out: &mut String, r: &Report) {
    let known: Vec<&Case> = r.cases.iter().filter(|c| c.known.is_some()).collect();
    if !known.is_empty() {
        let _ = write!(out, "<h2 id=\"known\">Known failures and stale expectations ({})</h2><table><tr><th>case</th><th>state</th><th>status</th><th>recorded reason</th><th>link</th></tr>", known.len());
        for c in known {
            let Some(k) = &c.known else { continue };
            let _ = write!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&c.id),
                if k.state == KnownState::Known {
                    "known"
                } else {
                    "stale: passes now"
                },
                status_span(c.status.as_str()),
                esc(&k.reason),
                k.link
                    .as_deref()
                    .map(|l| format!("<a href=\"{0}\">{0}</a>", esc(l)))
                    .unwrap_or_default()
            );
        }
        out.push_str("</table>");
    }
}

fn acceptable(out: &mut String, r: &Report) {
    let acceptable: Vec<&Case> = r
        .cases
        .iter()
        .filter(|c| c.expected.verdict == ExpectedVerdict::Acceptable)
        .collect();
    let _ = write!(out, "<h2 id=\"implementation-defined\">Implementation-defined behaviours ({})</h2><p>Either answer conforms to these vectors; this is what the implementation did.</p><table><tr><th>case</th><th>level</th><th>what it did</th><th>description</th></tr>", acceptable.len());
    for c in acceptable {
        let _ = write!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&c.id),
            c.grade_name(),
            if c.status == Status::Skip {
                format!("not run: {}", esc(&c.reason))
            } else {
                esc(&observed_line(c))
            },
            esc(&c.name)
        );
    }
    out.push_str("</table>");
}

/// The QR symbol every encoded credential needs, at the level it is printed at.
fn symbols(out: &mut String, r: &Report) {
    let encoded: Vec<&Case> = r.cases.iter().filter(|c| c.symbol.is_some()).collect();
    if encoded.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<h2 id=\"symbols\">QR symbols of encoded credentials ({})</h2><p>The smallest QR version holding each encoder output at the error-correction level the vector prints at.</p><table><tr><th>case</th><th>status</th><th>level</th><th>version</th><th>mode</th><th>characters</th></tr>",
        encoded.len()
    );
    for c in encoded {
        if let Some(s) = &c.symbol {
            let _ = write!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&c.id),
                status_span(c.status.as_str()),
                esc(s.level.as_str()),
                s.version.map_or_else(|| "over 40".to_owned(), |v| v.to_string()),
                esc(s.mode.as_str()),
                s.chars
            );
        }
    }
    out.push_str("</table>");
}

fn skipped_and_passed(out: &mut String, r: &Report) {
    let skipped: Vec<&Case> = r
        .cases
        .iter()
        .filter(|c| c.status == Status::Skip)
        .collect();
    let _ = write!(out, "<h2 id=\"skipped\">Skipped ({})</h2>", skipped.len());
    let mut by_reason: BTreeMap<&str, Vec<&Case>> = BTreeMap::new();
    for c in skipped {
        by_reason.entry(c.reason.as_str()).or_default().push(c);
    }
    for (reason, cases) in by_reason {
        let _ = write!(
            out,
            "<details><summary>{} ({})</summary><ul>",
            esc(reason),
            cases.len()
        );
        for c in cases {
            let _ = write!(out, "<li><code>{}</code> {}</li>", esc(&c.id), esc(&c.name));
        }
        out.push_str("</ul></details>");
    }
    let passed = r.cases.iter().filter(|c| c.status == Status::Pass).count();
    let _ = write!(
        out,
        "<h2 id=\"passed\">Passed ({passed})</h2><details><summary>every passed case</summary><ul>"
    );
    for c in r.cases.iter().filter(|c| c.status == Status::Pass) {
        let _ = write!(out, "<li><code>{}</code> {}</li>", esc(&c.id), esc(&c.name));
    }
    out.push_str("</ul></details>");
}

/// Renders the report as one HTML page.
pub(super) fn render(r: &Report) -> String {
    let mut out = String::new();
    header(&mut out, r);
    failures(&mut out, r);
    known(&mut out, r);
    acceptable(&mut out, r);
    symbols(&mut out, r);
    skipped_and_passed(&mut out, r);
    out.push_str("\n</body></html>\n");
    out
}
