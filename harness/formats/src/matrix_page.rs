//! The interop matrix page (`index.html`): the members, the requirements ×
//! implementations table (each cell a link to the requirement's row in that
//! implementation's report, which links its cases), the encoder × decoder grid,
//! and each grid cell's cases.

use crate::esc;
use crate::page::{self, scroll, status};
use c169_report::matrix::Matrix;
use c169_report::{level_name, RequirementStatus};
use std::fmt::Write as _;

fn members(out: &mut String, m: &Matrix) {
    out.push_str(
        "<section aria-labelledby=implementations><h2 id=implementations>Implementations</h2>",
    );
    let mut t = String::from("<table class=\"wide stack\"><caption>Each implementation's verdict; its name opens its report, its failures open the first of them</caption><thead><tr><th scope=col>name</th><th scope=col>verdict</th><th scope=col class=n>cases</th><th scope=col class=n>passed</th><th scope=col class=n>failed</th><th scope=col class=n>departed</th><th scope=col class=n>errors</th><th scope=col class=n>skipped</th></tr></thead><tbody>");
    for mem in &m.members {
        let coverage = c169_report::Coverage {
            applicable: mem.applicable,
            total: mem.counts.total,
            not_applicable: Vec::new(),
        }
        .short();
        let failed = mem.counts.failed + mem.counts.errors;
        let _ = write!(
            t,
            "<tr><th scope=row><a href=\"{report}\">{name}</a><br><small>{version}</small></th><td>{verdict} <small>tested on {coverage}</small></td><td class=n data-label=cases>{total}</td><td class=n data-label=passed>{passed}</td><td class=n data-label=failed>{failed}</td><td class=n data-label=departed>{departed}</td><td class=n data-label=errors>{errors}</td><td class=n data-label=skipped>{skipped}</td></tr>",
            report = esc(&mem.report),
            name = esc(&mem.name),
            version = esc(&mem.version),
            verdict = status(mem.verdict.as_str()),
            coverage = esc(&coverage),
            total = mem.counts.total,
            passed = mem.counts.passed,
            failed = if failed > 0 {
                format!("<a href=\"{}#failures\">{}</a>", esc(&mem.report), mem.counts.failed)
            } else {
                mem.counts.failed.to_string()
            },
            departed = mem.counts.departed,
            errors = mem.counts.errors,
            skipped = mem.counts.skipped,
        );
    }
    t.push_str("</tbody></table>");
    out.push_str(&scroll("table of implementations", &t));
    out.push_str("</section>");
}

/// Links to the peers' version histories, when there are any.
fn histories(out: &mut String, m: &Matrix) {
    if m.histories.is_empty() {
        return;
    }
    out.push_str("<section aria-labelledby=histories><h2 id=histories>Version histories</h2><p>The suite against the older releases of a peer, each pinned in a configuration of its own, and what changed from one release to the next (fixed, broken, changed answers).</p><ul>");
    for h in &m.histories {
        let _ = write!(
            out,
            "<li><a href=\"{}\">{}</a>: {}</li>",
            esc(&h.page),
            esc(&h.name),
            esc(&h.releases.join(" → "))
        );
    }
    out.push_str("</ul></section>");
}

fn requirements(out: &mut String, m: &Matrix) {
    out.push_str("<section aria-labelledby=requirements><h2 id=requirements>Requirements × implementations</h2><p>A cell is the requirement's verdict in that implementation's run; it opens the requirement's row in its report, which links the cases behind it.</p>");
    let mut t = String::from("<table class=matrix><caption>Each requirement's verdict, per implementation</caption><thead><tr><th scope=col class=req>requirement</th>");
    for mem in &m.members {
        let _ = write!(t, "<th scope=col>{}</th>", esc(&mem.name));
    }
    t.push_str("<th scope=col class=stmt>statement</th></tr></thead><tbody>");
    for row in &m.requirements {
        let _ = write!(
            t,
            "<tr id=\"req-{id}\"><th scope=row><code>{id}</code> <small>{level}</small></th>",
            id = esc(&row.id),
            level = level_name(row.level)
        );
        for mem in &m.members {
            let v = row
                .verdicts
                .get(&mem.name)
                .map_or(RequirementStatus::Untested.as_str(), |v| v.as_str());
            let _ = write!(
                t,
                "<td class=\"{v}\"><a href=\"{}/report.html#req-{}\">{v}</a></td>",
                esc(&mem.name),
                esc(&row.id)
            );
        }
        let _ = write!(t, "<td class=stmt>{}</td></tr>", esc(&row.statement));
    }
    t.push_str("</tbody></table>");
    out.push_str(&scroll("table of requirements by implementation", &t));
    out.push_str("</section>");
}

fn grid(out: &mut String, m: &Matrix) {
    out.push_str("<section aria-labelledby=grid><h2 id=grid>Encoder × decoder</h2><p>Each encoder turns the identity fixtures (the encoder vectors) into QR text; each decoder decodes every output. A cell counts the fixtures read with the content the reference reads, of those tried; it opens the cell's fixtures below.</p>");
    let mut t = String::from("<table class=\"auto grid\"><caption>Rows encode, columns decode</caption><thead><tr><th scope=col>encoder (row), decoder (column)</th>");
    for d in &m.grid.decoders {
        let _ = write!(t, "<th scope=col>{}</th>", esc(d));
    }
    t.push_str("</tr></thead><tbody>");
    for e in &m.grid.encoders {
        let _ = write!(t, "<tr><th scope=row>{}</th>", esc(e));
        for d in &m.grid.decoders {
            match m
                .grid
                .cells
                .iter()
                .find(|c| &c.encoder == e && &c.decoder == d)
            {
                Some(c) => {
                    let class = if c.tried == 0 {
                        "skipped"
                    } else if c.read == c.tried {
                        "read"
                    } else {
                        "differs"
                    };
                    let _ = write!(
                        t,
                        "<td class=\"{class}\"><a href=\"#cell-{}--{}\">{}/{}</a> <small>{class}</small></td>",
                        esc(e),
                        esc(d),
                        c.read,
                        c.tried
                    );
                }
                None => t.push_str("<td><small>not paired</small></td>"),
            }
        }
        t.push_str("</tr>");
    }
    t.push_str("</tbody></table>");
    out.push_str(&scroll("table of encoders by decoders", &t));
    out.push_str("<h3 id=cells>Grid cells</h3>");
    for c in &m.grid.cells {
        let _ = write!(
            out,
            "<details class=fold id=\"cell-{0}--{1}\"><summary>{0} → {1}: {2} of {3} read</summary>",
            esc(&c.encoder),
            esc(&c.decoder),
            c.read,
            c.tried
        );
        let mut t = format!(
            "<table class=\"wide stack\"><caption>{} encodes, {} decodes</caption><thead><tr><th scope=col>fixture</th><th scope=col style=\"width:9em\">result</th><th scope=col>detail</th></tr></thead><tbody>",
            esc(&c.encoder),
            esc(&c.decoder)
        );
        for k in &c.cases {
            let _ = write!(
                t,
                "<tr><th scope=row><code>{}</code></th><td>{}</td><td>{}</td></tr>",
                esc(&k.fixture),
                status(k.result.as_str()),
                esc(&k.detail)
            );
        }
        t.push_str("</tbody></table>");
        out.push_str(&t);
        out.push_str("</details>");
    }
    out.push_str("</section>");
}

fn legend(out: &mut String) {
    out.push_str("<section aria-labelledby=legend><h2 id=legend>Legend</h2><dl class=legend>");
    let rows: [(&str, &str); 7] = [
        ("pass", "every case of the requirement that ran passed"),
        (
            "fail",
            "a case broke a quoted text, or got no usable answer",
        ),
        (
            "depart",
            "no text broken, but a case departs from the suite's strict profile",
        ),
        (
            "skip",
            "no case of it could run on this implementation (a capability it does not declare)",
        ),
        ("untested", "no case of the run tests it"),
        (
            "read",
            "a grid cell where the decoder read every fixture as the reference does",
        ),
        (
            "differs",
            "a grid cell where some fixture was read otherwise, or refused",
        ),
    ];
    for (k, v) in rows {
        let _ = write!(out, "<dt>{}</dt><dd>{}</dd>", status(k), esc(v));
    }
    out.push_str("</dl></section>");
}

/// `index.html`: the members, the requirements × implementations table, the grid,
/// and each grid cell's cases.
#[must_use]
pub fn render_index(m: &Matrix) -> String {
    let mut out = String::new();
    page::head(&mut out, "c169 interop matrix");
    out.push_str("<header class=top><div class=wrap><nav aria-label=\"related files\"><a href=\"FINDINGS.md\">FINDINGS.md: what each implementation gets wrong</a><a href=\"matrix.json\">matrix.json: the matrix as data</a></nav></div></header><main class=wrap id=top>");
    let _ = write!(
        out,
        "<h1>c169 interop matrix</h1><p class=muted>Suite {} {} · vectors sha256 <code>{}</code> · features sha256 <code>{}</code> · {}</p>",
        esc(&m.suite.name),
        esc(&m.suite.version),
        esc(m.suite.vectors_digest.get(..16).unwrap_or_default()),
        esc(m.suite.features_digest.get(..16).unwrap_or_default()),
        esc(&m.date)
    );
    let _ = write!(
        out,
        "<p>What each implementation gets wrong, by the sentence it breaks, and where it departs from the suite's strict profile: <a href=\"FINDINGS.md\">FINDINGS.md</a>. The whole matrix as data: <a href=\"matrix.json\">matrix.json</a>.</p><nav aria-label=\"on this page\"><b>On this page:</b> <a href=\"#implementations\">implementations</a>{} · <a href=\"#requirements\">requirements × implementations</a> · <a href=\"#grid\">encoder × decoder</a> · <a href=\"#legend\">legend</a></nav>",
        if m.histories.is_empty() {
            ""
        } else {
            " · <a href=\"#histories\">version histories</a>"
        }
    );
    members(&mut out, m);
    histories(&mut out, m);
    requirements(&mut out, m);
    grid(&mut out, m);
    legend(&mut out);
    out.push_str("</main><footer class=wrap><p class=muted><a href=\"#top\">top of the page</a> · <a href=\"FINDINGS.md\">FINDINGS.md</a> · <a href=\"matrix.json\">matrix.json</a></p></footer>");
    page::tail(&mut out);
    out
}
