//! The interop matrix (`c169 matrix`): every implementation's verdict per
//! requirement, and the encoder × decoder grid, as `matrix.json` and `index.html`.

use crate::{Report, RequirementStatus, RunVerdict};
use c169_model::Level;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One implementation of the matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    /// `reference`, or the adapter's name.
    pub name: String,
    pub label: String,
    /// The `describe` answer's name and version.
    pub version: String,
    /// Its report, relative to the matrix folder.
    pub report: String,
    pub verdict: RunVerdict,
    /// Cases that applied to it (asked, whatever the answer), of `counts.total`.
    #[serde(default)]
    pub applicable: usize,
    pub counts: crate::Counts,
    pub new_failures: usize,
}

/// One requirement across the implementations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    pub id: String,
    pub level: Level,
    pub statement: String,
    /// Implementation name → its verdict on the requirement.
    pub verdicts: BTreeMap<String, RequirementStatus>,
}

/// What one decoder made of one encoder's output for one fixture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GridCase {
    /// The encoder vector whose identity and keys were encoded.
    pub fixture: String,
    pub result: GridResult,
    pub detail: String,
}

named_enum! {
    /// What one decoder made of one encoder's output.
    pub enum GridResult {
        /// Accepted, signature verified, content as the reference reads it.
        Read = "read",
        /// The same without a signature check, for decoders that verify nothing.
        ReadUnverified = "read-unverified",
        /// Accepted, other content (or without saying the signature verified).
        Differs = "differs",
        Rejected = "rejected",
        /// No usable answer from the decoder.
        Error = "error",
        /// The encoder failed.
        NotEncoded = "not-encoded",
        /// A capability is missing: not tried.
        Skipped = "skipped",
    }
}

impl GridResult {
    /// Read with the content the reference reads, verified or not: what a cell counts.
    #[must_use]
    pub fn is_read(self) -> bool {
        matches!(self, GridResult::Read | GridResult::ReadUnverified)
    }

    /// Tried: every result but a skip.
    #[must_use]
    pub fn is_tried(self) -> bool {
        self != GridResult::Skipped
    }
}

/// One encoder × decoder cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    pub encoder: String,
    pub decoder: String,
    /// Fixtures read (`read` or `read-unverified`).
    pub read: usize,
    /// Fixtures tried (all but `skipped`).
    pub tried: usize,
    pub cases: Vec<GridCase>,
}

/// The grid.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grid {
    pub encoders: Vec<String>,
    pub decoders: Vec<String>,
    pub fixtures: Vec<String>,
    pub cells: Vec<Cell>,
}

/// `matrix.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Matrix {
    pub format: String,
    pub suite: crate::Suite,
    /// Day of the run (UTC).
    pub date: String,
    pub members: Vec<Member>,
    pub requirements: Vec<Row>,
    pub grid: Grid,
    /// The peers whose releases are compared (`c169 matrix --history NAME`), by
    /// name: each a link to its history page. Absent when there is none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub histories: Vec<HistoryLink>,
}

/// A peer's version history page, as the matrix links it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryLink {
    pub name: String,
    /// The releases compared, oldest first.
    pub releases: Vec<String>,
    /// Its page, relative to the matrix folder (`history/pycose/index.html`).
    pub page: String,
}

impl Matrix {
    /// The matrix of `reports` (in the order given) and `grid`.
    #[must_use]
    pub fn new(reports: &[(String, Report)], grid: Grid) -> Matrix {
        let first = reports.first().map(|(_, r)| r);
        let mut rows: Vec<Row> = first
            .map(|r| {
                r.requirements
                    .iter()
                    .map(|q| Row {
                        id: q.requirement.id.clone(),
                        level: q.requirement.level,
                        statement: q.requirement.statement.clone(),
                        verdicts: BTreeMap::new(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        for (name, r) in reports {
            for (row, q) in rows.iter_mut().zip(&r.requirements) {
                row.verdicts.insert(name.clone(), q.verdict);
            }
        }
        Matrix {
            format: "c169-matrix/1".into(),
            suite: first.map_or_else(
                || crate::Suite {
                    name: "c169".into(),
                    version: String::new(),
                    vectors_digest: String::new(),
                    features_digest: String::new(),
                },
                |r| r.suite.clone(),
            ),
            date: first
                .map(|r| r.run.started.chars().take(10).collect())
                .unwrap_or_default(),
            members: reports
                .iter()
                .map(|(name, r)| Member {
                    name: name.clone(),
                    label: r.implementation.label.clone(),
                    version: r
                        .implementation
                        .describe
                        .as_ref()
                        .map(|d| {
                            format!(
                                "{} {}",
                                d["name"].as_str().unwrap_or("?"),
                                d["version"].as_str().unwrap_or("?")
                            )
                        })
                        .unwrap_or_default(),
                    report: format!("{name}/report.html"),
                    verdict: r.gate.verdict,
                    applicable: r.summary.coverage.applicable,
                    counts: r.summary.all,
                    new_failures: r.summary.new_failures,
                })
                .collect(),
            requirements: rows,
            grid,
            histories: Vec::new(),
        }
    }
}
