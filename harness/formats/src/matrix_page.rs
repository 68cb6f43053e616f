//! The interop matrix page (`index.html`): the members, the requirements ×
//! implementations table, the encoder × decoder grid, and each grid cell's cases.

use crate::esc;
use c169_report::matrix::Matrix;
use c169_report::{level_name, RequirementStatus};
use std::fmt::Write as _;

fn verdict_cell(v: &str, href: &str) -> String {
    format!(
        "<td class=\"{v}\"><a href=\"{}\">{}</a></td>",
        esc(href),
        esc(v)
    )
}

const STYLE: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:90em;padding:0 1em}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:.2em .45em;text-align:left;vertical-align:top}th{background:#f3f3f3}td.pass,td.read{background:#dafbe1}td.fail,td.rejected,td.differs,td.error,td.not-encoded{background:#ffebe9}td.skip,td.untested,td.skipped,td.read-unverified{background:#fff8c5}td.depart{background:#ddf4ff}a{color:inherit}code{font:12px ui-monospace,monospace}";

fn cells(out: &mut String, m: &Matrix) {
    out.push_str("</table><h2 id=\"cells\">Grid cells</h2>");
    for c in &m.grid.cells {
        let _ = write!(
            out,
            "<h3 id=\"cell-{0}--{1}\">{0} → {1}: {2}/{3}</h3><table><tr><th>fixture</th><th>result</th><th>detail</th></tr>",
            esc(&c.encoder),
            esc(&c.decoder),
            c.read,
            c.tried
        );
        for k in &c.cases {
            let _ = write!(
                out,
                "<tr><td><code>{}</code></td><td class=\"{}\">{}</td><td>{}</td></tr>",
                esc(&k.fixture),
                k.result,
                k.result,
                esc(&k.detail)
            );
        }
        out.push_str("</table>");
    }
}

/// `index.html`: the members, the requirements × implementations table, the grid,
/// and each grid cell's cases.
#[must_use]
pub fn render_index(m: &Matrix) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>c169 interop matrix</title><style>{STYLE}</style></head><body>\n<h1>c169 interop matrix</h1><p>Suite {} {} · vectors sha256 <code>{}</code> · features sha256 <code>{}</code> · {}</p>",
        esc(&m.suite.name),
        esc(&m.suite.version),
        esc(m.suite.vectors_digest.get(..16).unwrap_or_default()),
        esc(m.suite.features_digest.get(..16).unwrap_or_default()),
        esc(&m.date)
    );
    out.push_str("<p>What each implementation gets wrong, by the sentence it breaks, and where it departs from the suite's strict profile: <a href=\"FINDINGS.md\">FINDINGS.md</a>. The whole matrix as data: <a href=\"matrix.json\">matrix.json</a>.</p>");
    out.push_str("<h2 id=\"implementations\">Implementations</h2><table><tr><th>name</th><th>implementation</th><th>verdict</th><th>cases</th><th>passed</th><th>failed</th><th>departed from the profile</th><th>errors</th><th>skipped</th></tr>");
    for mem in &m.members {
        let _ = write!(
            out,
            "<tr><td><a href=\"{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&mem.report), esc(&mem.name), esc(&mem.version), esc(&format!("{} on {}", mem.verdict, c169_report::Coverage { applicable: mem.applicable, total: mem.counts.total, not_applicable: Vec::new() }.short())),
            mem.counts.total, mem.counts.passed, mem.counts.failed, mem.counts.departed, mem.counts.errors, mem.counts.skipped
        );
    }
    out.push_str("</table><h2 id=\"requirements\">Requirements × implementations</h2><table><tr><th>requirement</th><th>level</th>");
    for mem in &m.members {
        let _ = write!(out, "<th>{}</th>", esc(&mem.name));
    }
    out.push_str("<th>statement</th></tr>");
    for row in &m.requirements {
        let _ = write!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td>",
            esc(&row.id),
            level_name(row.level)
        );
        for mem in &m.members {
            let v = row
                .verdicts
                .get(&mem.name)
                .map_or(RequirementStatus::Untested.as_str(), |v| v.as_str());
            out.push_str(&verdict_cell(
                v,
                &format!("{}/report.html#req-{}", mem.name, row.id),
            ));
        }
        let _ = write!(out, "<td>{}</td></tr>", esc(&row.statement));
    }
    out.push_str("</table><h2 id=\"grid\">Encoder × decoder</h2><p>Each encoder turns the identity fixtures (the encoder vectors) into QR text; each decoder decodes every output. A cell counts the fixtures read with the content the reference reads, of those tried.</p><table><tr><th>encoder ＼ decoder</th>");
    for d in &m.grid.decoders {
        let _ = write!(out, "<th>{}</th>", esc(d));
    }
    out.push_str("</tr>");
    for e in &m.grid.encoders {
        let _ = write!(out, "<tr><th>{}</th>", esc(e));
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
                        out,
                        "<td class=\"{class}\"><a href=\"#cell-{}--{}\">{}/{}</a></td>",
                        esc(e),
                        esc(d),
                        c.read,
                        c.tried
                    );
                }
                None => out.push_str("<td></td>"),
            }
        }
        out.push_str("</tr>");
    }
    cells(&mut out, m);
    out.push_str("\n</body></html>\n");
    out
}
