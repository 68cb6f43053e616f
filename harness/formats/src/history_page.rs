//! A peer's version history page (`history/<name>/index.html`): its releases,
//! each with its headline and report (or why it could not be run), and what
//! changed from each release that ran to the next, grouped by behaviour as
//! CHANGES.md groups it.

use crate::esc;
use crate::page::{self, scroll, status};
use c169_report::history::{group, release_line, sections, step_line, History, Outcome, Step};
use c169_report::Report;
use std::fmt::Write as _;

fn releases(out: &mut String, h: &History) {
    out.push_str("<section aria-labelledby=releases><h2 id=releases>Releases</h2>");
    let mut t = String::from("<table class=\"wide stack\"><caption>Each release's verdict, oldest first; its version opens its report</caption><thead><tr><th scope=col style=\"width:15em\">release</th><th scope=col>verdict</th><th scope=col class=n style=\"width:6.5em\">cases</th><th scope=col class=n style=\"width:6.5em\">passed</th><th scope=col class=n style=\"width:6.5em\">failed</th><th scope=col class=n style=\"width:6.5em\">departed</th><th scope=col class=n style=\"width:6.5em\">errors</th><th scope=col class=n style=\"width:6.5em\">skipped</th></tr></thead><tbody>");
    for r in &h.releases {
        let pin = if r.current {
            " <small>(the pin)</small>"
        } else {
            ""
        };
        let _ = match &r.outcome {
            Outcome::Ran {
                report,
                verdict,
                headline,
                counts: c,
            } => write!(
                t,
                "<tr><th scope=row><a href=\"{}\">{}</a>{pin}<br><small>{}</small></th><td>{} <small>{}</small></td><td class=n data-label=cases>{}</td><td class=n data-label=passed>{}</td><td class=n data-label=failed>{}</td><td class=n data-label=departed>{}</td><td class=n data-label=errors>{}</td><td class=n data-label=skipped>{}</td></tr>",
                esc(report),
                esc(&r.version),
                esc(&r.label),
                status(verdict.as_str()),
                esc(headline.split_once("; ").map_or("", |(_, rest)| rest)),
                c.total,
                c.passed,
                c.failed,
                c.departed,
                c.errors,
                c.skipped
            ),
            // Labelled red, as an error is: the word carries the meaning.
            Outcome::Unrunnable { reason } => write!(
                t,
                "<tr><th scope=row>{}{pin}<br><small>{}</small></th><td colspan=7><span class=\"st st-error\">unrunnable</span> could not be run: <b>{}</b><details><summary>what it said</summary><pre>{}</pre></details></td></tr>",
                esc(&r.version),
                esc(&r.label),
                esc(c169_report::history::short(reason)),
                esc(reason)
            ),
        };
    }
    t.push_str("</tbody></table>");
    out.push_str(&scroll("table of releases", &t));
    out.push_str("</section>");
}

fn step(out: &mut String, h: &History, s: &Step, (old, new): (&Report, &Report), n: usize) {
    let line = |v: &str| h.release(v).map(release_line).unwrap_or_default();
    let _ = write!(
        out,
        "<section aria-labelledby=step-{n}><h2 id=step-{n}>{} → {}</h2><ul><li><b>{}</b>: {}</li><li><b>{}</b>: {}</li>",
        esc(&s.old),
        esc(&s.new),
        esc(&s.old),
        esc(&line(&s.old)),
        esc(&s.new),
        esc(&line(&s.new))
    );
    for v in &s.passed_over {
        let _ = write!(
            out,
            "<li>passed over: <b>{}</b>, which {}</li>",
            esc(v),
            esc(&line(v))
        );
    }
    let _ = write!(out, "</ul><p class=lead>{}.</p>", esc(&step_line(&s.diff)));
    if s.diff.is_empty() {
        out.push_str("</section>");
        return;
    }
    let adapter = h
        .release(&s.new)
        .map_or_else(|| format!("--adapter {}", h.name), |r| r.adapter.clone());
    for sec in sections(&s.diff) {
        let _ = write!(
            out,
            "<h3>{} ({} cases)</h3>",
            esc(sec.title),
            sec.changes.len()
        );
        if sec.changes.is_empty() {
            out.push_str("<p class=muted>None.</p>");
            continue;
        }
        let mut t = format!(
            "<table class=stack><caption>Cases that {}, grouped by behaviour</caption><thead><tr><th scope=col style=\"width:2.5em\">#</th><th scope=col style=\"width:30%\">behaviour</th><th scope=col style=\"width:4.5em\">by</th><th scope=col style=\"width:22%\">reproduce (the first case)</th><th scope=col style=\"width:9.5em\">requirements</th><th scope=col style=\"width:7.5em\">expected</th><th scope=col>{} → {}</th><th scope=col class=n style=\"width:4.5em\">cases</th></tr></thead><tbody>",
            esc(sec.about),
            esc(&s.old),
            esc(&s.new)
        );
        for (i, g) in group(&sec.changes, old, new).iter().enumerate() {
            let _ = write!(
                t,
                "<tr><td data-label=\"#\">{}</td><td>{}</td><td data-label=by>{}</td><td><code>c169 run {} --vector {}</code></td><td data-label=requirements>{}</td><td data-label=expected>{}</td><td>{} → {}</td><td class=n data-label=cases>{}</td></tr>",
                i + 1,
                esc(&g.behaviour),
                g.by,
                esc(&adapter),
                esc(&g.first),
                esc(&g.requirements),
                esc(&g.expected),
                esc(&g.old),
                esc(&g.new),
                g.count
            );
        }
        t.push_str("</tbody></table>");
        out.push_str(&scroll(sec.title, &t));
    }
    out.push_str("</section>");
}

/// `history/<name>/index.html` for `h`, from the reports of the releases that
/// ran (by version).
#[must_use]
pub fn render_history(h: &History, runs: &[(String, Report)]) -> String {
    let mut out = String::new();
    let title = format!("{}: version history", h.name);
    page::head(&mut out, &title);
    out.push_str("<header class=top><div class=wrap><nav aria-label=\"related files\"><a href=\"../../index.html\">the interop matrix</a><a href=\"CHANGES.md\">CHANGES.md: the changes as text</a><a href=\"history.json\">history.json: the history as data</a></nav></div></header><main class=wrap id=top>");
    let _ = write!(
        out,
        "<h1>{}</h1><p>The whole suite against each release of {} that has a configuration (<code>adapters/{}/releases/&lt;version&gt;/</code>; the newest is the peer's own pin), through the same adapter code, as <code>c169 matrix</code> runs it; then, from each release that ran to the next, the cases that changed, grouped by behaviour. A command reproduces a group's first case against the newer release, after <code>c169 adapters setup --history {}</code>.</p><nav aria-label=\"on this page\"><b>On this page:</b> <a href=\"#releases\">releases</a>",
        esc(&title),
        esc(&h.package),
        esc(&h.name),
        esc(&h.name)
    );
    for (n, s) in h.steps.iter().enumerate() {
        let _ = write!(
            out,
            " · <a href=\"#step-{n}\">{} → {}</a>",
            esc(&s.old),
            esc(&s.new)
        );
    }
    out.push_str("</nav>");
    releases(&mut out, h);
    if h.steps.is_empty() {
        out.push_str("<p>Fewer than two releases ran: there is nothing to compare.</p>");
    }
    let run = |v: &str| {
        runs.iter()
            .find(|(version, _)| version == v)
            .map(|(_, r)| r)
    };
    for (n, s) in h.steps.iter().enumerate() {
        if let (Some(old), Some(new)) = (run(&s.old), run(&s.new)) {
            step(&mut out, h, s, (old, new), n);
        }
    }
    out.push_str("</main><footer class=wrap><p class=muted><a href=\"#top\">top of the page</a> · <a href=\"../../index.html\">the interop matrix</a> · <a href=\"CHANGES.md\">CHANGES.md</a> · <a href=\"history.json\">history.json</a></p></footer>");
    page::tail(&mut out);
    out
}
