//! `<largest page>/timing`: five loads at 1400 px, the median of each navigation
//! measure and of the page's `c169-interactive` mark, printed and written to
//! `target/browser/timings.json`. A measurement: nothing is asserted.

use crate::driver::SETTLE;
use crate::{at, note, Ctx};
use c169_pages::{median, poll, thousands, Page, WIDTHS, WINDOW_HEIGHT};
use serde_json::{json, Value};

/// Loads of the largest page for its timings.
const LOADS: usize = 5;

const TIMING_JS: &str = r"
const n = performance.getEntriesByType('navigation')[0];
const m = performance.getEntriesByName('c169-interactive', 'mark')[0];
return {
  domInteractive: n ? n.domInteractive : null,
  domContentLoadedEventEnd: n ? n.domContentLoadedEventEnd : null,
  loadEventEnd: n ? n.loadEventEnd : null,
  interactiveMark: m ? m.startTime : null,
};
";

const MEASURES: [&str; 4] = [
    "domInteractive",
    "domContentLoadedEventEnd",
    "loadEventEnd",
    "interactiveMark",
];

pub(crate) fn timing(c: &mut Ctx<'_>, page: &Page, bytes: u64) -> Result<(), String> {
    let mut runs = Vec::new();
    for _ in 0..LOADS {
        c.b.open(&page.path, WIDTHS[0])?;
        let mut last = Value::Null;
        poll(SETTLE, || {
            last = c.b.js("reading the navigation timing", TIMING_JS, vec![])?;
            Ok(at(&last, "loadEventEnd")
                .as_f64()
                .filter(|t| *t > 0.0)
                .map(drop))
        })?;
        runs.push(last);
    }
    let mut medians = serde_json::Map::new();
    let mut lines = vec![format!(
        "{} ({} bytes), {LOADS} loads at {} px:",
        page.rel,
        thousands(bytes),
        WIDTHS[0]
    )];
    for measure in MEASURES {
        let values: Vec<f64> = runs.iter().filter_map(|r| r[measure].as_f64()).collect();
        let m = median(&values);
        medians.insert(measure.to_owned(), json!(m));
        let list = values
            .iter()
            .map(|v| format!("{v:.0}"))
            .collect::<Vec<_>>()
            .join(", ");
        lines.push(match m {
            Some(m) => format!("  {measure}: median {m:.0} ms (runs: {list})"),
            None => format!("  {measure}: not measured (absent in every load)"),
        });
    }
    let file = c.setup.out.join("timings.json");
    let record = json!({
        "page": page.rel,
        "bytes": bytes,
        "width": WIDTHS[0],
        "height": WINDOW_HEIGHT,
        "loads": LOADS,
        "unit": "ms since navigation start",
        "median": medians,
        "runs": runs,
    });
    let text = serde_json::to_string_pretty(&record).map_err(|e| e.to_string())?;
    std::fs::write(&file, text + "\n").map_err(|e| format!("{}: {e}", c.setup.rel(&file)))?;
    lines.push(format!("  written to {}", c.setup.rel(&file)));
    note(&lines.join("\n    "));
    Ok(())
}
