//! The cucumber world and step library: the features (`features/*.feature`) run
//! against any [`Implementation`].
//!
//! A scenario builds a credential the way the vector generator does — a family
//! description of `vectors/src` — with the reference encoder, asks the
//! implementation to decode (or encode) it through protocol v1, and judges the
//! answer with the same code that judges vectors. One step module per domain
//! concept: [`credential`] (what is built), [`decoding`], [`encoding`].

// cucumber hands each step its captures by value; steps that only read them are fine.
#[allow(clippy::needless_pass_by_value)]
pub mod credential;
#[allow(clippy::needless_pass_by_value)]
pub mod decoding;
#[allow(clippy::needless_pass_by_value)]
pub mod encoding;

use crate::corpus::Corpus;
use crate::generate::Generator;
use c169_adapter::Implementation;
use c169_model::{Outcome, Vector};
use cucumber::World as _;
use serde_json::{Map, Value as Json};
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};

/// What every scenario of a run shares: the implementation and the inputs.
#[derive(Debug)]
pub struct Shared {
    pub imp: Arc<dyn Implementation>,
    pub generator: Generator,
    pub corpus: Corpus,
    /// Capability names the implementation declared.
    pub caps: BTreeSet<String>,
}

static SHARED: RwLock<Option<Arc<Shared>>> = RwLock::new(None);

fn shared() -> Result<Arc<Shared>, String> {
    SHARED
        .read()
        .map_err(|_| "the shared state is poisoned".to_owned())?
        .clone()
        .ok_or_else(|| "no implementation is set for the features".to_owned())
}

/// The capability tags a scenario may carry.
pub const CAPABILITY_TAGS: [&str; 11] = [
    "verify",
    "decrypt",
    "decode_unverified",
    "encode",
    "EdDSA",
    "ES256",
    "ES384",
    "ES512",
    "A128GCM",
    "A192GCM",
    "A256GCM",
];

/// The state of one scenario.
#[derive(Debug, Default, cucumber::World)]
pub struct C169World {
    /// The credential being described, as a generator family.
    pub family: Map<String, Json>,
    /// A vector of the corpus named by the scenario, used as it is.
    pub named: Option<Vector>,
    /// The vector the scenario decoded (built or named).
    pub vector: Option<Vector>,
    /// The implementation's answer to `decode`.
    pub outcome: Option<Outcome>,
    /// The implementation's output for `encode`.
    pub output: Option<String>,
    /// A note for the report (a stage mismatch).
    pub note: Option<String>,
    /// Whether a step named the keys to verify (or decrypt) with.
    pub verify_named: bool,
    pub decrypt_named: bool,
}

impl C169World {
    /// Starts a scenario: its id and requirements come from its name and tags.
    fn begin(
        &mut self,
        feature: &cucumber::gherkin::Feature,
        scenario: &cucumber::gherkin::Scenario,
    ) {
        let requirements: Vec<Json> = scenario
            .tags
            .iter()
            .chain(&feature.tags)
            .filter(|t| t.starts_with("C169-"))
            .map(|t| Json::String(t.clone()))
            .collect();
        let slug: String = format!(
            "{}-{}-{}",
            feature.name, scenario.name, scenario.position.line
        )
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
        self.family.insert(
            "id".into(),
            Json::String(format!("scenario-{}", slug.trim_matches('-'))),
        );
        self.family
            .insert("description".into(), Json::String(scenario.name.clone()));
        self.family
            .insert("requirements".into(), Json::Array(requirements));
        self.family
            .insert("verdict".into(), Json::String("valid".into()));
    }

    /// The vector the scenario describes: the named one, or one built now.
    pub fn build(&self) -> Result<Vector, String> {
        if let Some(v) = &self.named {
            return Ok(v.clone());
        }
        shared()?
            .generator
            .vector(&Json::Object(self.family.clone()))
    }
}

/// The result of running the features against one implementation.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FeatureRun {
    /// Scenarios that passed, as `feature: scenario (line)`.
    pub passed: Vec<String>,
    pub failed: Vec<String>,
    /// Scenarios not run, with the reason.
    pub skipped: Vec<(String, String)>,
    /// Parsing errors and undefined or ambiguous steps: the run is not valid.
    pub broken: usize,
}

fn label(feature: &cucumber::gherkin::Feature, scenario: &cucumber::gherkin::Scenario) -> String {
    format!(
        "{}: {} (line {})",
        feature.name, scenario.name, scenario.position.line
    )
}

static RECORD: Mutex<Option<FeatureRun>> = Mutex::new(None);

fn record(f: impl FnOnce(&mut FeatureRun)) {
    if let Ok(mut guard) = RECORD.lock() {
        f(guard.get_or_insert_with(FeatureRun::default));
    }
}

/// Which scenarios a run keeps, by their tags (a tag expression of the CLI).
pub type TagFilter = Arc<dyn Fn(&[String]) -> bool + Send + Sync>;

/// Runs the features under `features` against `shared.imp`, keeping only
/// the scenarios whose tags `filter` accepts (every one when `None`). Scenarios needing
/// a capability the implementation does not declare are skipped with that reason.
pub async fn run_features(
    features: &Path,
    shared: Shared,
    filter: Option<TagFilter>,
) -> Result<FeatureRun, String> {
    use cucumber::writer::Stats as _;
    {
        let mut slot = SHARED
            .write()
            .map_err(|_| "the shared state is poisoned".to_owned())?;
        *slot = Some(Arc::new(shared));
    }
    if let Ok(mut guard) = RECORD.lock() {
        *guard = Some(FeatureRun::default());
    }
    let caps = self::shared()?.caps.clone();
    let writer = C169World::cucumber()
        .with_cli(cucumber::cli::Opts::<_, _, _, cucumber::cli::Empty>::default())
        .fail_on_skipped()
        .before(|feature, _, scenario, world| {
            Box::pin(async move {
                world.begin(feature, scenario);
            })
        })
        .after(|feature, _, scenario, finished, world| {
            let name = label(feature, scenario);
            let failed = !matches!(finished, cucumber::event::ScenarioFinished::StepPassed);
            let note = world.and_then(|w| w.note.clone());
            Box::pin(async move {
                record(|r| {
                    let name = match note {
                        Some(n) => format!("{name} [{n}]"),
                        None => name,
                    };
                    if failed {
                        r.failed.push(name);
                    } else {
                        r.passed.push(name);
                    }
                });
            })
        })
        .filter_run(features.to_owned(), move |feature, _, scenario| {
            let tags: Vec<String> = scenario.tags.iter().chain(&feature.tags).cloned().collect();
            if filter.as_ref().is_some_and(|keep| !keep(&tags)) {
                return false;
            }
            if let Some(missing) = tags
                .iter()
                .find(|t| CAPABILITY_TAGS.contains(&t.as_str()) && !caps.contains(*t))
            {
                let reason =
                    format!("not run: the implementation does not declare capability {missing:?}");
                record(|r| r.skipped.push((label(feature, scenario), reason)));
                return false;
            }
            true
        })
        .await;
    let mut run = RECORD
        .lock()
        .map_err(|_| "the record is poisoned".to_owned())?
        .take()
        .unwrap_or_default();
    run.broken = writer.parsing_errors() + writer.hook_errors();
    // Undefined or ambiguous steps fail the run without a failed scenario of ours.
    if writer.execution_has_failed() && run.failed.is_empty() {
        run.broken += 1;
    }
    run.passed.sort();
    run.failed.sort();
    run.skipped.sort();
    Ok(run)
}
