//! `<page>/axe`: axe-core, injected into the page, finds no serious or critical
//! violation (the minor and moderate ones are printed).

use crate::{at, note, num, str_of, Ctx};
use c169_pages::{Page, WIDTHS};
use serde_json::{json, Value};
use std::time::Instant;

const AXE_RUN_JS: &str = r"
const done = arguments[arguments.length - 1];
axe.run(document, { resultTypes: ['violations'] }).then(
  (r) => done({ violations: r.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,
    targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
  })) }),
  (e) => done({ error: String((e && e.stack) || e) }));
";

pub(crate) fn axe(c: &mut Ctx<'_>, page: &Page) -> Result<(), String> {
    let path = c.setup.axe.clone()?;
    let source = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    c.b.open(&page.path, WIDTHS[0])?;
    let loaded = c.b.js(
        "loading axe-core",
        &format!("{source}\n;return typeof window.axe;"),
        vec![],
    )?;
    if loaded != json!("object") {
        return Err(format!(
            "{}: axe-core did not load ({})",
            page.rel,
            c.setup.rel(&path)
        ));
    }
    let started = Instant::now();
    let result = c.b.js_async("running axe-core", AXE_RUN_JS, vec![])?;
    if let Some(e) = at(&result, "error").as_str() {
        return Err(format!("{}: axe-core failed: {e}", page.rel));
    }
    let violations = at(&result, "violations")
        .as_array()
        .cloned()
        .unwrap_or_default();
    let line = |v: &Value| {
        format!(
            "{} ({}, {} elements: {}): {}",
            str_of(at(v, "id")),
            str_of(at(v, "impact")),
            num(at(v, "nodes")),
            at(v, "targets")
                .as_array()
                .map(|t| t.iter().map(str_of).collect::<Vec<_>>().join(", "))
                .unwrap_or_default(),
            str_of(at(v, "help"))
        )
    };
    let (grave, minor): (Vec<&Value>, Vec<&Value>) = violations
        .iter()
        .partition(|v| matches!(at(v, "impact").as_str(), Some("serious" | "critical")));
    note(&format!(
        "{}: axe-core in {} ms: {} serious or critical, {} minor or moderate{}",
        page.rel,
        started.elapsed().as_millis(),
        grave.len(),
        minor.len(),
        if minor.is_empty() {
            String::new()
        } else {
            format!(
                ": {}",
                minor.iter().map(|v| line(v)).collect::<Vec<_>>().join("; ")
            )
        }
    ));
    if grave.is_empty() {
        return Ok(());
    }
    Err(format!(
        "{}: {} serious or critical axe-core violations: {}",
        page.rel,
        grave.len(),
        grave.iter().map(|v| line(v)).collect::<Vec<_>>().join("; ")
    ))
}
