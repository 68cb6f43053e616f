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

/// Every scenario of every `.feature` file under `dir`, in file order.
pub fn scenarios(dir: &Path) -> Result<Vec<ScenarioInfo>, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "feature"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        // gherkin opens the file itself: a FIFO or a device must not get that far.
        c169_model::bounded::check_file(&file, c169_model::bounded::SOURCE_FILE)
            .map_err(|e| e.to_string())?;
        let feature = gherkin::Feature::parse_path(&file, GherkinEnv::default())
            .map_err(|e| format!("{}: {e}", file.display()))?;
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

/// Which scenarios (and vectors) a run keeps, by their tags.
pub type TagFilter = Arc<dyn Fn(&[String]) -> bool + Send + Sync>;

/// A tag expression (`@must and not @ES512`), as a filter.
pub fn tag_filter(expr: &str) -> Result<TagFilter, String> {
    let op: TagOperation = expr
        .parse()
        .map_err(|e| format!("tag expression {expr:?}: {e}"))?;
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
