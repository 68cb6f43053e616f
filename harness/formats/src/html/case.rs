//! One case in the page: the attributes the filter reads, its short name, the
//! command that runs it again, and the folded block of a failed, departed or
//! known case (sentence, command, diff, steps, texts, stderr).

use super::diff;
use crate::page::status;
use crate::{esc, expected_line, observed_line};
use c169_report::{Case, CaseKind, KnownState, Report, Status, StepStatus};
use serde_json::Value as Json;
use std::fmt::Write as _;

/// Characters of a long text (encoder output, the QR text given, stderr) shown in the page.
const TEXT_SHOWN: usize = 4096;

/// The attributes the filter reads (`data-stage` only where a stage is named); the
/// case's id is the element's, after `case-`.
pub(super) fn data(c: &Case) -> String {
    format!(
        "data-case data-status=\"{}\" data-level=\"{}\" data-req=\"{}\" data-area=\"{}\"{}",
        c.status.as_str(),
        c.grade_name(),
        esc(&c.requirements.join(" ")),
        esc(&c.area),
        c.diverges_at
            .map(|d| format!(" data-stage=\"{}\"", d.as_str()))
            .unwrap_or_default()
    )
}

/// A short name of a case: a vector's id; a scenario's file and line (its id
/// is its name, spelled as a slug).
pub(super) fn short_name(c: &Case) -> String {
    match (c.kind, c.line) {
        (CaseKind::Scenario, Some(line)) => {
            format!("{}:{line}", c.file.rsplit('/').next().unwrap_or(&c.file))
        }
        _ => c.id.clone(),
    }
}

/// The one line that runs the case again against the same implementation.
fn reproduce(r: &Report, c: &Case) -> String {
    let target = match (
        r.run.options.get("adapter").and_then(Json::as_str),
        r.run.options.get("transport").and_then(Json::as_str),
    ) {
        (Some(name), _) => format!(" --adapter {name}"),
        (None, Some("subprocess" | "subprocess-one-shot")) => {
            " --adapter-cmd \"<your adapter>\"".to_owned()
        }
        (None, Some("http")) => " --adapter-url <your endpoint>".to_owned(),
        _ => String::new(),
    };
    format!("c169 run --vector {}{target} --verbose", c.id)
}

/// A long text, its first characters shown and the length given.
fn folded_text(summary: &str, text: &str, tail: bool) -> String {
    let n = text.chars().count();
    let shown: String = if n <= TEXT_SHOWN {
        text.to_owned()
    } else if tail {
        text.chars().skip(n - TEXT_SHOWN).collect()
    } else {
        text.chars().take(TEXT_SHOWN).collect()
    };
    let note = if n > TEXT_SHOWN {
        format!(
            " ({n} characters; the {} {TEXT_SHOWN} shown, results.json holds it whole)",
            if tail { "last" } else { "first" }
        )
    } else {
        format!(" ({n} characters)")
    };
    format!(
        "<details><summary>{}{}</summary><pre tabindex=0>{}</pre></details>",
        esc(summary),
        esc(&note),
        esc(&shown)
    )
}

/// A failed, departed or known case: a summary line, and folded under it the
/// sentence, the command, the diff, the steps and the adapter's stderr.
pub(super) fn case_block(out: &mut String, r: &Report, c: &Case) {
    summary(out, c);
    case_body(out, r, c);
}

/// A failed case whose group shows an earlier case with the same reason in full:
/// its summary, the command that runs it again, and a link there. Five hundred
/// copies of one crash make a page nobody reads (and one over its size budget);
/// results.json keeps every case in full.
pub(super) fn case_stub(out: &mut String, r: &Report, c: &Case, first: &Case) {
    summary(out, c);
    let _ = write!(
        out,
        "<p class=muted>Failed for the same reason as <a href=\"#case-{id}\"><code>{short}</code></a>, shown in full there. Run it again: <code>{repro}</code></p></div></details>",
        id = esc(&first.id),
        short = esc(&short_name(first)),
        repro = esc(&reproduce(r, c)),
    );
}

/// The opening of a case block: the element with its filter attributes, the summary line.
fn summary(out: &mut String, c: &Case) {
    let _ = write!(
        out,
        "<details class=case id=\"case-{id}\" {data}{known}><summary>{st} <b>{level}</b> <code>{short}</code>{title} — expected <b>{exp}</b>; observed <b>{obs}</b></summary><div class=body>",
        id = esc(&c.id),
        data = data(c),
        known = if c.known.is_some() { " data-known" } else { "" },
        st = status(c.status.as_str()),
        level = c.grade_name(),
        short = esc(&short_name(c)),
        // A scenario's id is its name as a slug: its name reads better.
        title = if c.kind == CaseKind::Scenario {
            format!(" {}", esc(c.name.split_once(": ").map_or(c.name.as_str(), |(_, n)| n)))
        } else {
            String::new()
        },
        exp = esc(&expected_line(c)),
        obs = esc(&observed_line(c)),
    );
}

/// The body of a full case block, and its end.
fn case_body(out: &mut String, r: &Report, c: &Case) {
    let reqs: Vec<String> = c
        .requirements
        .iter()
        .map(|q| format!("<a href=\"#req-{0}\">{0}</a>", esc(q)))
        .collect();
    let _ = write!(
        out,
        "<p>{name}</p><p class=muted>case <code>{id}</code> · <code>{file}{line}</code> · requirements {reqs}{stage}</p><p>{reason}</p>",
        name = esc(&c.name),
        id = esc(&c.id),
        file = esc(&c.file),
        line = c.line.map(|l| format!(":{l}")).unwrap_or_default(),
        reqs = reqs.join(" "),
        stage = c
            .diverges_at
            .map(|s| format!(" · first differs at <b>{}</b>", esc(s.as_str())))
            .unwrap_or_default(),
        reason = esc(&c.reason),
    );
    if !c.notes.is_empty() {
        let notes: Vec<String> = c
            .notes
            .iter()
            .map(|n| format!("<li>{}</li>", esc(n)))
            .collect();
        let _ = write!(
            out,
            "<p class=muted>The vector's notes:</p><ul class=notes>{}</ul>",
            notes.concat()
        );
    }
    if let Some(k) = &c.known {
        let _ = write!(
            out,
            "<p>Recorded as a known failure{}: {}{}</p>",
            if k.state == KnownState::Stale {
                " (stale: it passes now, the entry must go)"
            } else {
                ""
            },
            esc(&k.reason),
            k.link
                .as_deref()
                .map(|l| format!(" (<a href=\"{0}\">{0}</a>)", esc(l)))
                .unwrap_or_default()
        );
    }
    let _ = write!(
        out,
        "<p class=repro>Run it again: <code>{}</code></p>",
        esc(&reproduce(r, c))
    );
    out.push_str(&diff::render(c));
    for s in c.steps.iter().filter(|s| s.status != StepStatus::Passed) {
        let _ = write!(
            out,
            "<p>Step at line {}: <code>{}{}</code> {}</p>{}",
            s.line,
            esc(&s.keyword),
            esc(&s.text),
            status(if s.status == StepStatus::Failed {
                Status::Fail.as_str()
            } else {
                Status::Skip.as_str()
            }),
            s.error
                .as_deref()
                .filter(|e| *e != c.reason)
                .map(|e| format!("<pre tabindex=0>{}</pre>", esc(e)))
                .unwrap_or_default()
        );
    }
    if let Some(input) = &c.input {
        out.push_str(&folded_text("the QR text it was given", input, false));
    }
    if let Some(output) = &c.output {
        out.push_str(&folded_text("what the encoder produced", output, false));
    }
    if let Some(err) = &c.stderr {
        out.push_str(&folded_text("the adapter's stderr, last lines", err, true));
    }
    out.push_str("</div></details>");
}
