//! The cucumber world and step library: the features (`features/*.feature`) run
//! against any [`Implementation`].
//!
//! A scenario builds a credential the way the vector generator does — a family
//! description of `vectors/src` — with the reference encoder, asks the
//! implementation to decode (or encode) it through protocol v1, and judges the
//! answer with the same code that judges vectors. One step module per domain
//! concept: [`credential`] (what is built), [`decoding`], [`encoding`].

// cucumber hands each step its captures by value; steps that only read them are fine.
mod basis;
#[allow(clippy::needless_pass_by_value)]
pub mod credential;
#[allow(clippy::needless_pass_by_value)]
pub mod decoding;
#[allow(clippy::needless_pass_by_value)]
pub mod encoding;
pub mod quiet;

pub(crate) use basis::scenario_basis;
pub use basis::{basis_kind, level_tag, OBSERVED_TAG, PROFILE_TAG};

use crate::judge::NotRun;
use c169_adapter::Implementation;
use c169_corpus::corpus::Corpus;
use c169_corpus::features::TagFilter;
use c169_corpus::generate::Generator;
use c169_model::{Outcome, Vector};
use c169_report::StepStatus;
use cucumber::World as _;
use serde_json::{Map, Value as Json};
use std::collections::BTreeSet;
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// What every scenario of a run shares: the implementation and the inputs.
pub struct Shared {
    pub imp: Arc<dyn Implementation>,
    pub generator: Generator,
    pub corpus: Corpus,
    /// Capability names the implementation declared.
    pub caps: BTreeSet<String>,
}

/// Short: cucumber prints a failed scenario's World, and a corpus in full is megabytes.
impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("imp", &self.imp.label())
            .field("vectors", &self.corpus.vectors.len())
            .field("caps", &self.caps)
            .finish_non_exhaustive()
    }
}

const INTERRUPTED: &str = "not run: the run was interrupted";

/// Whether a scenario tag names a capability (the vocabulary of `describe`).
fn is_capability_tag(tag: &str) -> bool {
    c169_model::protocol::capability_vocabulary().any(|c| c == tag)
}

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
    /// The vector as the last Then step judged the answer against it (its
    /// verdict, stage and content the step's expectation).
    pub judged_as: Option<Vector>,
    /// The implementation's output for `encode`.
    pub output: Option<String>,
    /// A note for the report (a stage mismatch).
    pub note: Option<String>,
    /// Whether a step named the keys to verify (or decrypt) with.
    pub verify_named: bool,
    pub decrypt_named: bool,
    /// When the scenario began.
    pub started: Option<std::time::Instant>,
    /// The run was interrupted before the scenario began: it is reported not run.
    pub interrupted: bool,
    /// The scenario's tags and its feature's: requirement ids (the first is the
    /// one it tests), level, basis (`@profile`, `@observed`; a text otherwise).
    pub tags: Vec<String>,
    /// Why the answer departs from the strict profile, when it does.
    pub departure: Option<String>,
    /// What a failure was graded by, when not the scenario's own basis.
    pub grade: Option<crate::judge::Grade>,
    /// The answer an "either answer conforms, preferring …" step prefers.
    pub prefers: Option<c169_model::Verdict>,
    /// What the run's scenarios share, set as the scenario begins.
    pub session: Option<Arc<Shared>>,
    /// Set (by a Ctrl-C handler) to stop: the steps stop reaching the implementation.
    pub stop: Option<Arc<AtomicBool>>,
    /// Why the scenario could not be run or judged, when a step failed for that
    /// (read by the run, never the step's message).
    pub not_run: Option<NotRun>,
}

impl C169World {
    /// What the run's scenarios share, unless the run was interrupted.
    pub(crate) fn shared(&mut self) -> Result<Arc<Shared>, String> {
        if self.stop.as_ref().is_some_and(|f| f.load(Ordering::SeqCst)) {
            return Err(self.cannot(NotRun::Interrupted, INTERRUPTED.to_owned()));
        }
        self.session
            .clone()
            .ok_or_else(|| "no implementation is set for the features".to_owned())
    }

    /// Records why the scenario is not run or judged; returns the step's reason.
    pub(crate) fn cannot(&mut self, why: NotRun, reason: String) -> String {
        self.not_run = Some(why);
        reason
    }

    /// The scenario's name, as its profile row when its basis is the profile.
    #[must_use]
    pub fn vector_name(&self) -> String {
        self.family
            .get("description")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_owned()
    }
}

/// A scenario's stable id: see [`c169_corpus::features::scenario_id`].
#[must_use]
pub fn scenario_id(
    feature: &cucumber::gherkin::Feature,
    scenario: &cucumber::gherkin::Scenario,
) -> String {
    c169_corpus::features::scenario_id_of(feature, scenario)
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
        self.family
            .insert("id".into(), Json::String(scenario_id(feature, scenario)));
        self.family
            .insert("description".into(), Json::String(scenario.name.clone()));
        self.family
            .insert("requirements".into(), Json::Array(requirements));
        self.family
            .insert("verdict".into(), Json::String("valid".into()));
        self.tags = all_tags(feature, scenario);
    }

    /// The vector the scenario describes: the named one, or one built now.
    pub(crate) fn build(&mut self) -> Result<Vector, String> {
        if let Some(v) = &self.named {
            return Ok(v.clone());
        }
        self.shared()?
            .generator
            .vector(&Json::Object(self.family.clone()))
            .map_err(|e| e.to_string())
    }
}

/// One scenario as it ran.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioRecord {
    /// See [`scenario_id`].
    pub id: String,
    /// The feature file, relative to the features folder's parent (`features/zlib.feature`).
    pub file: String,
    pub feature: String,
    pub name: String,
    pub line: u32,
    /// The scenario's tags and its feature's, without `@`.
    pub tags: Vec<String>,
    pub status: ScenarioStatus,
    /// Why it failed or was not run; a note for the report when it passed.
    pub reason: String,
    /// Each step as it ran, as the report records it.
    pub steps: Vec<c169_report::Step>,
    pub duration_ms: f64,
    /// The QR symbol of what the implementation encoded, when it encoded.
    pub symbol: Option<c169_report::SymbolFacts>,
    /// What a failure or departure was graded by, when not the scenario's own basis.
    pub grade: Option<crate::judge::Grade>,
    /// The vector the answer was judged against (its QR text is the text decoded), as
    /// the step expected it (verdict, stage, content).
    pub judged_as: Option<Vector>,
    /// What the implementation answered to its last decode.
    pub answer: Option<Outcome>,
}

/// How a scenario ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScenarioStatus {
    Passed,
    Failed,
    /// Passed every step the texts ask for, but departs from the strict profile.
    Departed,
    NotRun,
}

/// The result of running the features against one implementation.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct FeatureRun {
    /// Scenarios that passed, as `feature: scenario (line)`.
    pub passed: Vec<String>,
    pub failed: Vec<String>,
    /// How many failed scenarios are tagged `@must`.
    pub failed_must: usize,
    /// Scenarios not run, with the reason.
    pub skipped: Vec<(String, String)>,
    /// Parsing errors and undefined or ambiguous steps: the run is not valid.
    pub broken: usize,
    /// Every scenario, in file and line order.
    pub records: Vec<ScenarioRecord>,
}

/// What shapes a features run beyond its inputs.
#[derive(Clone, Default)]
pub struct Controls {
    /// Run only the scenarios of this shard.
    pub shard: Option<c169_report::ShardId>,
    /// Set (by a Ctrl-C handler) to stop: scenarios not begun are reported not run.
    pub interrupt: Option<Arc<AtomicBool>>,
    /// Only the scenarios with these ids (see [`scenario_id`]), when not empty.
    pub only: Vec<String>,
    /// Called as each scenario ends (a progress display).
    pub tick: Option<c169_report::Ticker>,
}

impl std::fmt::Debug for Controls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Controls")
            .field("shard", &self.shard)
            .field("interrupt", &self.interrupt)
            .field("only", &self.only)
            .field("tick", &self.tick.is_some())
            .finish()
    }
}

impl Controls {
    fn interrupted(&self) -> bool {
        self.interrupt
            .as_ref()
            .is_some_and(|f| f.load(Ordering::SeqCst))
    }
}

fn label(feature: &cucumber::gherkin::Feature, scenario: &cucumber::gherkin::Scenario) -> String {
    format!(
        "{}: {} (line {})",
        feature.name, scenario.name, scenario.position.line
    )
}

/// The feature file as the report names it: `features/<file name>`.
fn feature_file(feature: &cucumber::gherkin::Feature) -> String {
    let name = feature
        .path
        .as_deref()
        .and_then(Path::file_name)
        .map_or_else(
            || feature.name.clone(),
            |n| n.to_string_lossy().into_owned(),
        );
    format!("features/{name}")
}

fn line(p: cucumber::gherkin::LineCol) -> u32 {
    u32::try_from(p.line).unwrap_or(u32::MAX)
}

fn all_tags(
    feature: &cucumber::gherkin::Feature,
    scenario: &cucumber::gherkin::Scenario,
) -> Vec<String> {
    let mut tags: Vec<String> = scenario.tags.clone();
    for t in &feature.tags {
        if !tags.contains(t) {
            tags.push(t.clone());
        }
    }
    tags
}

fn new_record(
    feature: &cucumber::gherkin::Feature,
    scenario: &cucumber::gherkin::Scenario,
    status: ScenarioStatus,
    reason: String,
) -> ScenarioRecord {
    ScenarioRecord {
        id: scenario_id(feature, scenario),
        file: feature_file(feature),
        feature: feature.name.clone(),
        name: scenario.name.clone(),
        line: line(scenario.position),
        tags: all_tags(feature, scenario),
        status,
        reason,
        steps: scenario
            .steps
            .iter()
            .map(|st| c169_report::Step {
                keyword: st.keyword.trim_end().to_owned() + " ",
                text: st.value.clone(),
                line: line(st.position),
                status: StepStatus::Skipped,
                error: None,
                duration_ms: 0.0,
            })
            .collect(),
        duration_ms: 0.0,
        symbol: None,
        grade: None,
        judged_as: None,
        answer: None,
    }
}

/// A step's failure without cucumber's framing: our steps fail by panicking with the reason.
fn plain(error: &str) -> String {
    error
        .strip_prefix("Step panicked. Captured output: ")
        .unwrap_or(error)
        .to_owned()
}

/// Adds to the run's record (a lock poisoned by a panic adds nothing).
fn keep(record: &Mutex<FeatureRun>, f: impl FnOnce(&mut FeatureRun)) {
    if let Ok(mut guard) = record.lock() {
        f(&mut guard);
    }
}

/// Step results as cucumber reports them, by (feature file, scenario line, step line).
type StepKey = (String, u32, u32);

/// A step's status, error and duration in milliseconds.
type StepResult = (StepStatus, Option<String>, f64);

/// A cucumber writer that keeps each step's result and time (the hooks see only
/// whole scenarios). It is normalized: it sees each scenario's events together, in order.
#[derive(Debug, Default)]
struct StepLog {
    started: HashMap<StepKey, std::time::SystemTime>,
    done: Arc<Mutex<HashMap<StepKey, StepResult>>>,
}

impl cucumber::Writer<C169World> for StepLog {
    type Cli = cucumber::cli::Empty;

    async fn handle_event(
        &mut self,
        event: cucumber::parser::Result<cucumber::Event<cucumber::event::Cucumber<C169World>>>,
        _cli: &Self::Cli,
    ) {
        use cucumber::event::{Cucumber, Feature, Scenario, Step};
        let Ok(event) = event else { return };
        let Cucumber::Feature(feature, Feature::Scenario(scenario, retryable)) = &event.value
        else {
            return;
        };
        let (Scenario::Step(step, ev) | Scenario::Background(step, ev)) = &retryable.event else {
            return;
        };
        let key = (
            feature_file(feature),
            line(scenario.position),
            line(step.position),
        );
        let outcome = match ev {
            Step::Started => {
                self.started.insert(key, event.at);
                return;
            }
            Step::Passed(..) => (StepStatus::Passed, None),
            Step::Skipped => (
                StepStatus::Skipped,
                Some("no step definition matched".to_owned()),
            ),
            Step::Failed(_, _, _, err) => (StepStatus::Failed, Some(plain(&err.to_string()))),
        };
        // Events carry the time they happened: the writer sees them in order, not in time.
        let ms = self
            .started
            .remove(&key)
            .and_then(|t| event.at.duration_since(t).ok())
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0);
        if let Ok(mut done) = self.done.lock() {
            done.insert(key, (outcome.0, outcome.1, ms));
        }
    }
}

/// Runs the features under `features` against `shared.imp`, keeping only
/// the scenarios whose tags `filter` accepts (every one when `None`). Scenarios needing
/// a capability the implementation does not declare are skipped with that reason.
/// With `echo`, cucumber's report of every step goes to standard output.
pub async fn run_features(
    features: &Path,
    shared: impl Into<Arc<Shared>>,
    filter: Option<TagFilter>,
    echo: bool,
) -> Result<FeatureRun, FeaturesRunError> {
    run_features_with(features, shared, filter, echo, Controls::default()).await
}

/// Why the features could not be run (a scenario that fails is not this: it is
/// in the [`FeatureRun`]).
#[derive(Debug, thiserror::Error)]
pub enum FeaturesRunError {
    /// The folder of feature files could not be listed.
    #[error(transparent)]
    Folder(#[from] c169_corpus::corpus::LoadError),
    /// A feature file that is not a small regular file.
    #[error(transparent)]
    File(#[from] c169_model::bounded::ReadError),
    /// A step panicked while holding the run's record.
    #[error("the record of the run was lost: a step panicked while writing it")]
    Poisoned,
}

/// Every feature file cucumber will read under `features` (or `features` itself) is
/// a regular file within [`c169_model::bounded::SOURCE_FILE`]: cucumber opens and
/// reads them itself, unbounded.
fn check_feature_files(features: &Path) -> Result<(), FeaturesRunError> {
    let files = if features.is_dir() {
        c169_corpus::corpus::files(features, ".feature")?
    } else {
        vec![features.to_owned()]
    };
    for f in files {
        c169_model::bounded::check_file(&f, c169_model::bounded::SOURCE_FILE)?;
    }
    Ok(())
}

/// [`run_features`] with a shard and an interrupt flag.
#[allow(clippy::too_many_lines)] // one cucumber builder: hooks, filter and merge read best together
pub async fn run_features_with(
    features: &Path,
    shared: impl Into<Arc<Shared>>,
    filter: Option<TagFilter>,
    echo: bool,
    controls: Controls,
) -> Result<FeatureRun, FeaturesRunError> {
    use cucumber::writer::{Ext as _, Stats as _};
    check_feature_files(features)?;
    let shared: Arc<Shared> = shared.into();
    let caps = shared.caps.clone();
    // What the hooks record, this run's alone: two runs may share the process.
    let record = Arc::new(Mutex::new(FeatureRun::default()));
    let record_at_end = Arc::clone(&record);
    let record_at_filter = Arc::clone(&record);
    let output: Box<dyn std::io::Write> = if echo {
        Box::new(std::io::stdout())
    } else {
        Box::new(std::io::sink())
    };
    let steps = StepLog::default();
    let step_results = Arc::clone(&steps.done);
    let at_begin = controls.clone();
    let at_end = controls.clone();
    let at_filter = controls;
    // Runs may go side by side (`c169 matrix --jobs`): see [`quiet`] for the panic
    // hook they share.
    let writer = quiet::quietly(
        C169World::cucumber()
            .with_writer(
                cucumber::writer::Basic::new(
                    output,
                    cucumber::writer::Coloring::Never,
                    cucumber::writer::Verbosity::Default,
                )
                .summarized()
                .tee::<C169World, _>(
                    steps
                        .discard_stats_writes()
                        .discard_arbitrary_writes()
                        .normalized(),
                ),
            )
            .with_cli(cucumber::cli::Opts::<_, _, _, cucumber::cli::Empty>::default())
            .fail_on_skipped()
            .before(move |feature, _, scenario, world| {
                let interrupted = at_begin.interrupted();
                let session = Arc::clone(&shared);
                let stop = at_begin.interrupt.clone();
                Box::pin(async move {
                    world.begin(feature, scenario);
                    world.started = Some(Instant::now());
                    world.interrupted = interrupted;
                    world.session = Some(session);
                    world.stop = stop;
                })
            })
            .after(move |feature, _, scenario, finished, world| {
                use cucumber::event::ScenarioFinished;
                if let Some(tick) = &at_end.tick {
                    tick();
                }
                let name = label(feature, scenario);
                let failed = !matches!(finished, ScenarioFinished::StepPassed);
                let must = scenario
                    .tags
                    .iter()
                    .chain(&feature.tags)
                    .any(|t| t == "must");
                let world = world.map(|w| &*w);
                let note = world.and_then(|w| w.note.clone());
                let departure = world.and_then(|w| w.departure.clone());
                let grade = world.and_then(|w| w.grade);
                let interrupted = world.is_some_and(|w| w.interrupted);
                let not_run = world.and_then(|w| w.not_run);
                let ms = world
                    .and_then(|w| w.started)
                    .map_or(0.0, |t| t.elapsed().as_secs_f64() * 1000.0);
                let why = match finished {
                    ScenarioFinished::StepFailed(_, _, e) => plain(&e.to_string()),
                    ScenarioFinished::BeforeHookFailed(_) => "the before hook failed".to_owned(),
                    ScenarioFinished::StepSkipped => "a step matched no definition".to_owned(),
                    ScenarioFinished::StepPassed => String::new(),
                };
                // A broken adapter stays a failure of the scenario.
                let (status, reason) =
                    if interrupted || (failed && not_run == Some(NotRun::Interrupted)) {
                        (ScenarioStatus::NotRun, INTERRUPTED.to_owned())
                    } else if failed && not_run.is_some_and(|n| n != NotRun::AdapterBroken) {
                        (ScenarioStatus::NotRun, why)
                    } else if failed {
                        (ScenarioStatus::Failed, why)
                    } else if let Some(d) = departure {
                        (ScenarioStatus::Departed, d)
                    } else {
                        (ScenarioStatus::Passed, note.clone().unwrap_or_default())
                    };
                let mut rec = new_record(feature, scenario, status, reason);
                rec.duration_ms = ms;
                let judged = matches!(status, ScenarioStatus::Failed | ScenarioStatus::Departed);
                rec.grade = grade.filter(|_| judged);
                // What was decoded and answered, whatever the status: a record of a
                // scenario carries its answer as a vector's does.
                rec.judged_as =
                    world.and_then(|w| w.judged_as.clone().or_else(|| w.vector.clone()));
                rec.answer = world.and_then(|w| w.outcome.clone());
                rec.symbol = world.and_then(|w| {
                    // Absent, or not a level (then the scenario failed on building it): L.
                    let level = w
                        .family
                        .get("ec_level")
                        .and_then(Json::as_str)
                        .and_then(c169_model::EcLevel::parse)
                        .unwrap_or(c169_model::EcLevel::L);
                    w.output
                        .as_deref()
                        .map(|text| c169_corpus::symbol::facts(text, level))
                });
                let record = Arc::clone(&record_at_end);
                Box::pin(async move {
                    keep(&record, |r| {
                        let name = match note {
                            Some(n) => format!("{name} [{n}]"),
                            None => name,
                        };
                        match status {
                            ScenarioStatus::NotRun => r.skipped.push((name, rec.reason.clone())),
                            ScenarioStatus::Failed => {
                                r.failed_must += usize::from(must);
                                r.failed.push(name);
                            }
                            ScenarioStatus::Passed | ScenarioStatus::Departed => {
                                r.passed.push(name);
                            }
                        }
                        r.records.push(rec);
                    });
                })
            })
            .filter_run(features.to_owned(), move |feature, _, scenario| {
                let tags: Vec<String> =
                    scenario.tags.iter().chain(&feature.tags).cloned().collect();
                if filter.as_ref().is_some_and(|keep| !keep(&tags)) {
                    return false;
                }
                let id = scenario_id(feature, scenario);
                if at_filter.shard.is_some_and(|s| !s.holds(&id))
                    || (!at_filter.only.is_empty() && !at_filter.only.contains(&id))
                {
                    return false;
                }
                if let Some(missing) = tags
                    .iter()
                    .find(|t| is_capability_tag(t) && !caps.contains(*t))
                {
                    let reason = format!(
                        "not run: the implementation does not declare capability {missing:?}"
                    );
                    let rec = new_record(feature, scenario, ScenarioStatus::NotRun, reason.clone());
                    keep(&record_at_filter, |r| {
                        r.skipped.push((label(feature, scenario), reason));
                        r.records.push(rec);
                    });
                    return false;
                }
                true
            }),
    )
    .await;
    let mut run = std::mem::take(&mut *record.lock().map_err(|_| FeaturesRunError::Poisoned)?);
    run.broken = writer.parsing_errors() + writer.hook_errors();
    // Undefined or ambiguous steps fail the run without a failed scenario of ours.
    if writer.execution_has_failed() && run.failed.is_empty() {
        run.broken += 1;
    }
    if let Ok(done) = step_results.lock() {
        for rec in &mut run.records {
            for st in &mut rec.steps {
                if let Some((status, error, ms)) = done.get(&(rec.file.clone(), rec.line, st.line))
                {
                    st.status = *status;
                    st.error.clone_from(error);
                    st.duration_ms = *ms;
                }
            }
        }
    }
    run.passed.sort();
    run.failed.sort();
    run.skipped.sort();
    run.records
        .sort_by(|a, b| (&a.file, a.line, &a.id).cmp(&(&b.file, b.line, &b.id)));
    Ok(run)
}
