//! The feature files as an index: which scenarios exist, with their tags, and how
//! many cases each stands for (Examples rows of an outline). Also tag expressions
//! (`@must and not @ES512`), which select scenarios and vectors alike.

use c169_model::Vector;
use cucumber::gherkin::{self, tagexpr::TagOperation, GherkinEnv};
use cucumber::tag::Ext as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One scenario (or outline) of a feature file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioInfo {
    pub file: PathBuf,
    pub feature: String,
    pub name: String,
    pub line: usize,
    /// Its tags and its feature's, without `@`.
    pub tags: Vec<String>,
    /// How many cases it runs: 1, or the Examples rows of an outline.
    pub cases: usize,
}

/// Why the feature files could not be indexed, or a tag expression read.
#[derive(Debug, thiserror::Error)]
pub enum FeaturesError {
    #[error("{}: {source}", .path.display())]
    Folder {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Read(#[from] c169_model::bounded::ReadError),
    #[error("{}: {source}", .path.display())]
    Parse {
        path: PathBuf,
        #[source]
        source: Box<gherkin::ParseFileError>,
    },
    #[error("{}: {source}", .path.display())]
    Examples {
        path: PathBuf,
        #[source]
        source: cucumber::feature::ExpandExamplesError,
    },
    #[error("tag expression {expr:?}: {message}")]
    Tags { expr: String, message: String },
    #[error("{}:{line}: the scenario id {id:?} is already that of the case at {}:{first_line}: give one of them another name (or its Examples row another value)", .path.display(), .first.display())]
    DuplicateId {
        id: String,
        path: PathBuf,
        line: usize,
        first: PathBuf,
        first_line: usize,
    },
}

/// Every `.feature` file under `dir`, parsed, in file order.
fn parse_all(dir: &Path) -> Result<Vec<gherkin::Feature>, FeaturesError> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|source| FeaturesError::Folder {
            path: dir.to_owned(),
            source,
        })?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "feature"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|file| {
            // gherkin opens the file itself: a FIFO or a device must not get that far.
            c169_model::bounded::check_file(file, c169_model::bounded::SOURCE_FILE)?;
            gherkin::Feature::parse_path(file, GherkinEnv::default()).map_err(|e| {
                FeaturesError::Parse {
                    path: file.clone(),
                    source: Box::new(e),
                }
            })
        })
        .collect()
}

/// Every scenario of every `.feature` file under `dir`, in file order.
pub fn scenarios(dir: &Path) -> Result<Vec<ScenarioInfo>, FeaturesError> {
    let mut out = Vec::new();
    for feature in parse_all(dir)? {
        let file = feature.path.clone().unwrap_or_default();
        let in_rules = feature.rules.iter().flat_map(|r| r.scenarios.iter());
        for s in feature.scenarios.iter().chain(in_rules) {
            let rows: usize = s
                .examples
                .iter()
                .filter_map(|e| e.table.as_ref())
                .map(|t| t.rows.len().saturating_sub(1))
                .sum();
            out.push(ScenarioInfo {
                file: file.clone(),
                feature: feature.name.clone(),
                name: s.name.clone(),
                line: s.position.line,
                tags: s.tags.iter().chain(&feature.tags).cloned().collect(),
                cases: rows.max(1),
            });
        }
    }
    Ok(out)
}

/// One case a feature file runs: a scenario, or one Examples row of an outline
/// (expanded as cucumber expands it, so the id is the one its record carries).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioCase {
    /// See [`scenario_id`].
    pub id: String,
    pub file: PathBuf,
    /// The name, an outline's placeholders filled in.
    pub name: String,
}

/// Every case of every `.feature` file under `dir`, in file order.
pub fn scenario_cases(dir: &Path) -> Result<Vec<ScenarioCase>, FeaturesError> {
    use cucumber::feature::Ext as _;
    let mut out = Vec::new();
    let mut seen: std::collections::HashMap<String, (PathBuf, usize)> =
        std::collections::HashMap::new();
    for feature in parse_all(dir)? {
        let file = feature.path.clone().unwrap_or_default();
        let feature = feature
            .expand_examples()
            .map_err(|source| FeaturesError::Examples {
                path: file.clone(),
                source,
            })?;
        let in_rules = feature.rules.iter().flat_map(|r| r.scenarios.iter());
        for s in feature.scenarios.iter().chain(in_rules) {
            let id = scenario_id_of(&feature, s);
            if let Some((first, first_line)) = seen.get(&id) {
                return Err(FeaturesError::DuplicateId {
                    id,
                    path: file,
                    line: s.position.line,
                    first: first.clone(),
                    first_line: *first_line,
                });
            }
            seen.insert(id.clone(), (file.clone(), s.position.line));
            out.push(ScenarioCase {
                id,
                file: file.clone(),
                name: s.name.clone(),
            });
        }
    }
    Ok(out)
}

/// The id of `scenario` (as cucumber expands it: an outline's row carries its
/// Examples values) in `feature`: see [`scenario_id`].
#[must_use]
pub fn scenario_id_of(feature: &gherkin::Feature, scenario: &gherkin::Scenario) -> String {
    let row: Vec<&str> = scenario
        .examples
        .first()
        .and_then(|e| e.table.as_ref())
        .and_then(|t| t.rows.get(1))
        .map(|r| r.iter().map(String::as_str).collect())
        .unwrap_or_default();
    scenario_id(&feature.name, &scenario.name, &row)
}

/// A scenario's stable id: `scenario-` and a slug of its feature's name, its own
/// name (an outline's placeholders filled in) and, for a row of an outline, the
/// row's values that the name does not already show (each once). Lines play no part, so an
/// id stays when lines move; two cases with one id are refused by
/// [`scenario_cases`].
#[must_use]
pub fn scenario_id(feature: &str, scenario: &str, row: &[&str]) -> String {
    let name = slug(scenario);
    let shown = format!("-{name}-");
    let mut parts = vec![slug(feature), name.clone()];
    let mut added: Vec<String> = Vec::new();
    for value in row.iter().map(|v| slug(v)) {
        if !value.is_empty() && !shown.contains(&format!("-{value}-")) && !added.contains(&value) {
            added.push(value);
        }
    }
    parts.extend(added);
    let parts: Vec<String> = parts.into_iter().filter(|p| !p.is_empty()).collect();
    format!("scenario-{}", parts.join("-"))
}

/// Lower-case ASCII letters and digits, other runs of characters as one `-`.
fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// Which scenarios (and vectors) a run keeps, by their tags.
pub type TagFilter = Arc<dyn Fn(&[String]) -> bool + Send + Sync>;

/// A tag expression (`@must and not @ES512`), as a filter.
pub fn tag_filter(expr: &str) -> Result<TagFilter, FeaturesError> {
    let op: TagOperation = expr.parse().map_err(|e| FeaturesError::Tags {
        expr: expr.to_owned(),
        message: format!("{e}"),
    })?;
    Ok(Arc::new(move |tags: &[String]| op.eval(tags.iter())))
}

/// The tags a vector answers to in a tag expression: its requirement ids, its
/// level (`must` …, or `profile` / `observed`), its verdict class (`valid` …), its capabilities, and `vector`.
#[must_use]
pub fn vector_tags(v: &Vector) -> Vec<String> {
    // The level graded at (`must` …), or the basis that grades no level (`profile`, `observed`).
    let level = v.level.map_or_else(
        || v.basis.kind().as_str().to_owned(),
        |l| c169_report::level_name(l).to_lowercase(),
    );
    let verdict = serde_json::to_value(v.verdict)
        .ok()
        .and_then(|l| l.as_str().map(str::to_owned))
        .unwrap_or_default();
    let mut tags: Vec<String> = v.requirements.iter().map(|r| r.id.clone()).collect();
    tags.extend([level, verdict, "vector".to_owned()]);
    tags.extend(v.capabilities.iter().cloned());
    tags
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const FEATURE: &str = "Feature: Base45 text\n\n  Scenario: A plain one\n    Given a thing\n\n  Scenario Outline: Rejects <name>\n    Given the char <char>\n\n    Examples:\n      | name        | char | again |\n      | equals sign | =    | =     |\n      | line feed   | lf   | lf    |\n";

    fn ids(dir: &Path, text: &str) -> Result<Vec<String>, FeaturesError> {
        std::fs::write(dir.join("a.feature"), text).unwrap();
        Ok(scenario_cases(dir)?.into_iter().map(|c| c.id).collect())
    }

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("c169-features-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn ids_come_from_names_and_rows_not_lines() {
        let dir = temp("stable");
        let before = ids(&dir, FEATURE).unwrap();
        assert_eq!(
            before,
            [
                "scenario-base45-text-a-plain-one",
                "scenario-base45-text-rejects-equals-sign",
                "scenario-base45-text-rejects-line-feed-lf",
            ]
        );
        // Lines added above every scenario: the same ids.
        let moved = FEATURE.replace("\n\n  Scenario", "\n\n\n\n  # moved\n  Scenario");
        assert_eq!(ids(&dir, &moved).unwrap(), before);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_duplicate_id_is_refused_with_both_places() {
        let dir = temp("dup");
        let twice = format!("{FEATURE}\n  Scenario: A plain one\n    Given a thing\n");
        let err = ids(&dir, &twice).unwrap_err().to_string();
        assert!(err.contains("scenario-base45-text-a-plain-one"), "{err}");
        assert!(
            err.contains("a.feature:14") && err.contains("a.feature:3"),
            "{err}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
