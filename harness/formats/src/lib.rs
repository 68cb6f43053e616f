//! The report formats of c169: each one a function of the finished [`Report`]
//! (JSON, JUnit XML, Cucumber JSON, Markdown, a self-contained HTML page), the
//! writing of a report set as one unit, and the interop matrix page.
//!
//! The record itself, and everything that follows from the cases, is in
//! `c169-report`; this crate only renders it.

mod cucumber;
mod history_page;
mod html;
mod junit;
mod markdown;
mod matrix_page;
mod page;

pub use html::Links;

pub use history_page::render_history;
pub use matrix_page::render_index;

use c169_report::publish::PublishError;
use c169_report::Report;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// A report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    Json,
    Junit,
    Cucumber,
    Markdown,
    Html,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Json,
        Format::Junit,
        Format::Cucumber,
        Format::Markdown,
        Format::Html,
    ];

    /// The file each format is written to in the report folder.
    #[must_use]
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Json => "results.json",
            Format::Junit => "junit.xml",
            Format::Cucumber => "cucumber.json",
            Format::Markdown => "summary.md",
            Format::Html => "report.html",
        }
    }

    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Junit => "junit",
            Format::Cucumber => "cucumber",
            Format::Markdown => "md",
            Format::Html => "html",
        }
    }

    /// Renders `report` in this format, as a page of its own (linking to nothing).
    pub fn render(self, report: &Report) -> Result<Vec<u8>, RenderError> {
        self.render_linked(report, &Links::default())
    }

    /// Renders `report` in this format; the HTML page links to `links`.
    pub fn render_linked(self, report: &Report, links: &Links) -> Result<Vec<u8>, RenderError> {
        let json = |source| RenderError::Json {
            format: self,
            source,
        };
        match self {
            Format::Json => {
                let mut bytes = serde_json::to_vec_pretty(report).map_err(json)?;
                bytes.push(b'\n');
                Ok(bytes)
            }
            Format::Junit => junit::render(report)
                .map(String::into_bytes)
                .map_err(|source| RenderError::Junit { source }),
            Format::Cucumber => {
                let mut bytes =
                    serde_json::to_vec_pretty(&cucumber::render(report)).map_err(json)?;
                bytes.push(b'\n');
                Ok(bytes)
            }
            Format::Markdown => Ok(markdown::render(report).into_bytes()),
            Format::Html => Ok(html::render(report, links).into_bytes()),
        }
    }
}

impl Format {
    /// Other names a format answers to on the command line.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Format::Junit => &["xml"],
            Format::Markdown => &["markdown"],
            Format::Json | Format::Cucumber | Format::Html => &[],
        }
    }

    /// Every format's name, comma-separated: `json, junit, cucumber, md, html`.
    #[must_use]
    pub fn names() -> String {
        Format::ALL.map(Format::name).join(", ")
    }
}

impl std::str::FromStr for Format {
    type Err = FormatError;
    fn from_str(s: &str) -> Result<Self, FormatError> {
        let s = s.trim();
        Format::ALL
            .into_iter()
            .find(|f| f.name() == s || f.aliases().contains(&s))
            .ok_or_else(|| FormatError::Unknown {
                given: s.to_owned(),
            })
    }
}

/// A list of formats that names none, or one this c169 does not write.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FormatError {
    #[error("unknown format {given:?}: expected one of {}", Format::names())]
    Unknown { given: String },
    #[error(
        "no format named: expected a comma-separated list of {} (or all)",
        Format::names()
    )]
    NoneNamed,
}

/// Why a format could not be rendered (a serialiser's failure: not expected of
/// any finished report).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    #[error("rendering {}", format.name())]
    Json {
        format: Format,
        #[source]
        source: serde_json::Error,
    },
    #[error("rendering {}", Format::Junit.name())]
    Junit {
        #[source]
        source: quick_junit::SerializeError,
    },
}

/// Why a report set was not written. Nothing of the old set is lost.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error(transparent)]
    Publish(#[from] PublishError),
}

/// Parses `json,junit,md` (or `all`).
pub fn parse_list(s: &str) -> Result<Vec<Format>, FormatError> {
    if s.trim() == "all" {
        return Ok(Format::ALL.to_vec());
    }
    let mut out: Vec<Format> = s
        .split(',')
        .filter(|w| !w.trim().is_empty())
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    out.sort();
    out.dedup();
    if out.is_empty() {
        return Err(FormatError::NoneNamed);
    }
    Ok(out)
}

/// Writes `report` in each of `formats` into `dir` as one set (see
/// [`c169_report::publish`]): every file rendered first, then all swapped in at once;
/// report files of other formats left from an older run go. The HTML page links
/// to the other files of the set, and to `index` (a page listing every
/// implementation, relative to `dir`) when given. Returns the paths written.
pub fn write_all(
    report: &Report,
    dir: &Path,
    formats: &[Format],
    index: Option<&str>,
) -> Result<Vec<PathBuf>, WriteError> {
    let mut order = formats.to_vec();
    order.sort();
    order.dedup();
    let links = Links {
        siblings: &order,
        index,
    };
    let mut files = Vec::new();
    for f in &order {
        files.push((f.file_name(), f.render_linked(report, &links)?));
    }
    c169_report::publish::write_set(dir, &files, &report_files())?;
    Ok(order.iter().map(|f| dir.join(f.file_name())).collect())
}

/// Finds, before a run, whether a report set can be written to `dir` (creating
/// it when missing).
pub fn check_dir(dir: &Path) -> Result<(), PublishError> {
    c169_report::publish::check(dir, &report_files())
}

/// The file names a report set can hold.
fn report_files() -> Vec<&'static str> {
    Format::ALL.iter().map(|f| f.file_name()).collect()
}

/// Escapes text for HTML and XML.
#[must_use]
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // HTML admits no NUL and no other C0/C1 control but white space: shown
            // as their code (a vector's description may name one).
            c if c.is_control() && !matches!(c, '\n' | '\t' | '\r') => {
                let _ = write!(out, "\\u{{{:04x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// The expected side of a case in one line: `valid`, `invalid at zlib` …
pub(crate) fn expected_line(c: &c169_report::Case) -> String {
    match c.expected.stage {
        Some(s) => format!("{} (at {})", c.expected.verdict, s.as_str()),
        None => c.expected.verdict.to_string(),
    }
}

/// The observed side of a case in one line.
pub(crate) fn observed_line(c: &c169_report::Case) -> String {
    match &c.observed {
        None => "no answer".to_owned(),
        Some(o) => {
            use std::fmt::Write as _;
            let mut s = o.verdict.to_string();
            if let Some(st) = o.stage {
                let _ = write!(s, " at {}", st.as_str());
            }
            if let Some(code) = &o.code {
                let _ = write!(s, " ({code})");
            }
            s
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn escaping_leaves_no_markup_and_no_control_character() {
        assert_eq!(
            super::esc("a<b>&\"'\u{0}\u{1b}\u{85}\tz\n"),
            "a&lt;b&gt;&amp;&quot;&#39;\\u{0000}\\u{001b}\\u{0085}\tz\n"
        );
    }
}
