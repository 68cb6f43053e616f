//! c169-pages: the browser test of the published HTML reports.
//!
//! The pages under `reports/` (the interop matrix `reports/index.html` and one
//! `reports/<peer>/report.html` per implementation) are what a reader opens. Its
//! test, `tests/browser/` (`main.rs` and a module per check), opens each of them
//! as a `file://` URL in Debian's headless Chromium, through chromedriver, and
//! checks them against the contract the report writer follows: sizes, layout at a
//! desktop and a phone width, links, filters, the two clicks from a failing matrix
//! cell to its failing case, accessibility (axe-core) and a measurement of
//! load-to-interactive.
//!
//! This library holds what the test needs that no browser does: where the pages and
//! the output folder are, the limits, the formatting of figures and lists in failure
//! messages, and waiting for a condition. It depends on no other c169 crate: the
//! pages are read as published.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Largest size of one page's file, in bytes.
pub const MAX_PAGE_BYTES: u64 = 1_500_000;

/// Largest document height at the desktop width, in CSS pixels; also the height
/// of the tallest screenshot taken.
pub const MAX_HEIGHT_PX: u64 = 30_000;

/// The window widths each page is laid out at: a desktop and a phone.
pub const WIDTHS: [u32; 2] = [1400, 390];

/// The window height at every width.
pub const WINDOW_HEIGHT: u32 = 900;

/// What a page is: the matrix or one implementation's report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `reports/index.html`, the requirements × implementations matrix.
    Index,
    /// `reports/<peer>/report.html`.
    Report,
    /// `reports/history/<peer>/index.html`, a peer's releases and what changed
    /// between them.
    History,
}

/// One published page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// `index`, or the peer's folder name (`claim169-py`): names trials and screenshots.
    pub name: String,
    /// The path relative to the workspace, with `/` (`reports/claim169-py/report.html`).
    pub rel: String,
    /// The file itself.
    pub path: PathBuf,
    /// The matrix or a report.
    pub kind: Kind,
}

/// The workspace root: two folders above this crate.
#[must_use]
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The workspace's target folder: `CARGO_TARGET_DIR` when set (relative to the
/// workspace when relative), else `<workspace>/target`.
#[must_use]
pub fn target_dir(workspace: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => workspace.join(dir),
        _ => workspace.join("target"),
    }
}

/// The published pages under `<workspace>/reports`: `index.html` first (when
/// present), then every folder's `report.html`, by folder name, then every
/// version history's `history/<peer>/index.html`, by peer.
pub fn pages(workspace: &Path) -> std::io::Result<Vec<Page>> {
    let reports = workspace.join("reports");
    let mut found = Vec::new();
    let index = reports.join("index.html");
    if index.is_file() {
        found.push(Page {
            name: "index".to_owned(),
            rel: "reports/index.html".to_owned(),
            path: index,
            kind: Kind::Index,
        });
    }
    let mut folders = Vec::new();
    for entry in std::fs::read_dir(&reports)? {
        let entry = entry?;
        let report = entry.path().join("report.html");
        if entry.file_type()?.is_dir() && report.is_file() {
            folders.push((entry.file_name().to_string_lossy().into_owned(), report));
        }
    }
    folders.sort();
    for (name, path) in folders {
        found.push(Page {
            rel: format!("reports/{name}/report.html"),
            name,
            path,
            kind: Kind::Report,
        });
    }
    let mut histories = Vec::new();
    if let Ok(entries) = std::fs::read_dir(reports.join("history")) {
        for entry in entries {
            let entry = entry?;
            let page = entry.path().join("index.html");
            if entry.file_type()?.is_dir() && page.is_file() {
                histories.push((entry.file_name().to_string_lossy().into_owned(), page));
            }
        }
    }
    histories.sort();
    for (peer, path) in histories {
        found.push(Page {
            name: format!("history-{peer}"),
            rel: format!("reports/history/{peer}/index.html"),
            path,
            kind: Kind::History,
        });
    }
    Ok(found)
}

/// A whole number with thousands separators: `2344` → `2,344`.
#[must_use]
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The median of some measures (the mean of the middle two for an even count);
/// `None` for none.
#[must_use]
pub fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    match sorted.len() {
        0 => None,
        n if !n.is_multiple_of(2) => sorted.get(mid).copied(),
        _ => Some((sorted.get(mid - 1)? + sorted.get(mid)?) / 2.0),
    }
}

/// Up to `n` items, joined with `; `, and how many more: `a; b; c; and 4 more`.
#[must_use]
pub fn first_few(items: &[String], n: usize) -> String {
    let shown = items.iter().take(n).cloned().collect::<Vec<_>>().join("; ");
    if items.len() > n {
        format!("{shown}; and {} more", items.len() - n)
    } else {
        shown
    }
}

/// A string inside a CSS attribute selector's double quotes.
#[must_use]
pub fn css_quoted(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Asks `probe` every 50 ms until it answers (or fails: that error), for at most
/// `bound`: its answer, or `None` when `bound` passed without one.
pub fn poll<T>(
    bound: Duration,
    mut probe: impl FnMut() -> Result<Option<T>, String>,
) -> Result<Option<T>, String> {
    let started = Instant::now();
    loop {
        if let Some(found) = probe()? {
            return Ok(Some(found));
        }
        if started.elapsed() > bound {
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_by_three() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(390), "390");
        assert_eq!(thousands(2344), "2,344");
        assert_eq!(thousands(1_500_000), "1,500,000");
    }

    #[test]
    fn median_of_odd_even_and_none() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn first_few_counts_the_rest() {
        let items = ["a", "b", "c", "d"].map(str::to_owned);
        assert_eq!(first_few(&items, 5), "a; b; c; d");
        assert_eq!(first_few(&items, 4), "a; b; c; d");
        assert_eq!(first_few(&items, 2), "a; b; and 2 more");
        assert_eq!(first_few(&[], 3), "");
    }

    #[test]
    fn css_quoted_escapes_quotes_and_backslashes() {
        assert_eq!(css_quoted("claim169-py"), "claim169-py");
        assert_eq!(css_quoted(r#"a"b\c"#), r#"a\"b\\c"#);
    }

    #[test]
    fn poll_answers_waits_and_gives_up() {
        let mut asked = 0;
        let found = poll(Duration::from_secs(5), || {
            asked += 1;
            Ok((asked == 3).then_some(asked))
        });
        assert_eq!(found, Ok(Some(3)));
        let none = poll(Duration::ZERO, || Ok(None::<()>));
        assert_eq!(none, Ok(None));
        let failed = poll(Duration::from_secs(5), || {
            Err::<Option<()>, _>("gone".to_owned())
        });
        assert_eq!(failed, Err("gone".to_owned()));
    }

    #[test]
    fn the_published_pages_are_found() {
        let pages = pages(&workspace()).unwrap_or_default();
        assert_eq!(pages.first().map(|p| p.kind), Some(Kind::Index));
        assert!(pages
            .iter()
            .any(|p| p.rel == "reports/reference/report.html"));
        assert!(pages.iter().any(|p| p.kind == Kind::History
            && p.rel == "reports/history/pycose/index.html"
            && p.name == "history-pycose"));
    }
}
