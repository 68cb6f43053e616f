//! The builder a test's `main` calls: which corpus, which vectors, what fails,
//! which failures are known; then one libtest trial per vector.

use crate::error::HarnessError;
use crate::in_process::{guarded, InProcess};
use crate::ruling::{rule, Gate, Ruling};
use crate::Decoder;
use c169_corpus::features::{tag_filter, vector_tags};
use c169_corpus::Corpus;
use c169_model::protocol::PROTOCOL_VERSION;
use c169_report::expectations::{Entry, Expectations};
use c169_report::FailOn;
use libtest_mimic::{Arguments, Completion, Conclusion, Failed, Trial};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The environment variable that points the harness at a corpus other than the
/// one beside this crate (an exported `vectors/` folder).
pub const VECTORS_ENV: &str = "C169_VECTORS";

/// The c169 corpus as libtest trials over one [`Decoder`]: one per vector, named
/// by the vector's id, so `cargo test -- <id> --exact` runs one and `--list`
/// lists them.
pub struct Harness<D> {
    decoder: D,
    vectors: Option<PathBuf>,
    tags: Option<String>,
    known: Vec<Entry>,
    expectations: Option<PathBuf>,
    gate: Gate,
}

impl<D> std::fmt::Debug for Harness<D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Harness")
            .field("vectors", &self.vectors)
            .field("tags", &self.tags)
            .field("known", &self.known.len())
            .field("expectations", &self.expectations)
            .field("fail_on", &self.gate.fail_on)
            .field("strict_profile", &self.gate.strict)
            .finish_non_exhaustive()
    }
}

/// The corpus of the checkout this crate was built from: `vectors/` two folders
/// up from its manifest, as in a path or git dependency on the repository.
fn own_vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../vectors")
}

/// The runtime a trial drives its one request on (the in-process decoder never
/// awaits anything; the suite's runner speaks async for its adapters).
fn runtime() -> Result<tokio::runtime::Runtime, Failed> {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| Failed::from(format!("the harness could not start a runtime: {e}")))
}

/// What every trial shares.
struct Shared<D> {
    imp: InProcess<D>,
    corpus: Corpus,
    root: PathBuf,
    expectations: Expectations,
    gate: Gate,
}

impl<D: Decoder + 'static> Harness<D> {
    /// Every vector of the corpus against `decoder`, failing on MUST failures, no
    /// known failures: the run `c169 run` makes of the vectors by default.
    #[must_use]
    pub fn new(decoder: D) -> Self {
        Harness {
            decoder,
            vectors: None,
            tags: None,
            known: Vec::new(),
            expectations: None,
            gate: Gate {
                fail_on: FailOn::Must,
                strict: false,
            },
        }
    }

    /// The corpus's `vectors/` folder. Without it: the folder `C169_VECTORS`
    /// names, else the corpus of the c169 checkout this crate was built from.
    #[must_use]
    pub fn vectors(mut self, dir: impl Into<PathBuf>) -> Self {
        self.vectors = Some(dir.into());
        self
    }

    /// Only the vectors a tag expression keeps, as `c169 run --tags`: a vector
    /// answers to its requirement ids, its level (`@must` …, or `@profile`,
    /// `@observed`), its verdict class (`@valid` …), its capabilities and `@vector`.
    #[must_use]
    pub fn tags(mut self, expression: impl Into<String>) -> Self {
        self.tags = Some(expression.into());
        self
    }

    /// A case known to fail, with why: its test is `ignored` with that reason
    /// while it fails, and fails once it passes (the entry is stale), as in
    /// `c169 run --expectations`.
    #[must_use]
    pub fn known_failure(mut self, case: impl Into<String>, reason: impl Into<String>) -> Self {
        self.known.push(Entry {
            case: case.into(),
            reason: reason.into(),
            link: None,
        });
        self
    }

    /// Known failures from an expectations file, the one `c169 run
    /// --expectations` reads (`known_failures: [{case, reason, link}]`). Entries
    /// that name a scenario are kept for `c169 run` and not used here.
    #[must_use]
    pub fn expectations(mut self, file: impl Into<PathBuf>) -> Self {
        self.expectations = Some(file.into());
        self
    }

    /// Which failures against a text fail a test (default MUST, as `c169 run`);
    /// the others are `ignored`, with the judge's reason.
    #[must_use]
    pub fn fail_on(mut self, fail_on: FailOn) -> Self {
        self.gate.fail_on = fail_on;
        self
    }

    /// Departures from the suite's strict profile fail their tests too, as
    /// under `c169 run --profile strict`; without it they are `ignored`, with the
    /// departure said.
    #[must_use]
    pub fn strict_profile(mut self) -> Self {
        self.gate.strict = true;
        self
    }

    /// Runs the tests with the command line's arguments (what `cargo test --
    /// …` passes) and exits: 0 when no test failed, 101 when one did (libtest's
    /// codes), 1 when every test was ignored, 2 when the corpus, the tags or the
    /// known failures could not be used (the message names the file and field).
    pub fn run(self) -> ! {
        let args = Arguments::from_args();
        match self.run_with_args(&args) {
            Ok(conclusion) => conclusion.exit(),
            Err(e) => {
                eprintln!("c169-conformance: {e}");
                std::process::exit(i32::from(e.exit_code()))
            }
        }
    }

    /// Runs the tests with `args` and gives libtest's conclusion, without
    /// exiting. A run in which every test was ignored is
    /// [`HarnessError::NothingApplied`]: it tested nothing.
    pub fn run_with_args(self, args: &Arguments) -> Result<Conclusion, HarnessError> {
        let trials = self.trials()?;
        let conclusion = libtest_mimic::run(args, trials);
        if !args.list
            && conclusion.num_filtered_out == 0
            && conclusion.num_passed == 0
            && conclusion.num_failed == 0
            && conclusion.num_ignored > 0
        {
            return Err(HarnessError::NothingApplied {
                ignored: conclusion.num_ignored,
            });
        }
        Ok(conclusion)
    }

    /// Where the vectors are, and which setting said so.
    fn root(&self) -> (PathBuf, &'static str) {
        if let Some(dir) = &self.vectors {
            return (dir.clone(), "set by Harness::vectors");
        }
        match std::env::var_os(VECTORS_ENV) {
            Some(dir) if !dir.is_empty() => (PathBuf::from(dir), "set by C169_VECTORS"),
            _ => (own_vectors(), "the corpus of this crate's checkout"),
        }
    }

    /// The known failures of the builder and of the expectations file, checked
    /// to name vectors of `corpus` (or scenarios beside it).
    fn known(&self, corpus: &Corpus, root: &Path) -> Result<Expectations, HarnessError> {
        let mut entries = match &self.expectations {
            Some(file) => Expectations::load(file)?.entries,
            None => Vec::new(),
        };
        entries.extend(self.known.iter().cloned());
        let mut listed = BTreeSet::new();
        if let Some(twice) = entries.iter().find(|e| !listed.insert(e.case.as_str())) {
            return Err(HarnessError::ListedTwice {
                case: twice.case.clone(),
            });
        }
        let vectors: BTreeSet<&str> = corpus.vectors.iter().map(|(_, v)| v.id.as_str()).collect();
        let mut unknown: Vec<String> = entries
            .iter()
            .map(|e| e.case.clone())
            .filter(|c| !vectors.contains(c.as_str()))
            .collect();
        let features = root.join("../features");
        if !unknown.is_empty() && features.is_dir() {
            let scenarios: BTreeSet<String> = c169_corpus::features::scenario_cases(&features)
                .map_err(HarnessError::Features)?
                .into_iter()
                .map(|c| c.id)
                .collect();
            unknown.retain(|c| !scenarios.contains(c));
        }
        if !unknown.is_empty() {
            return Err(HarnessError::UnknownCases {
                root: root.to_owned(),
                cases: unknown,
            });
        }
        Ok(Expectations { entries })
    }

    /// One trial per vector the tags keep, in the corpus's order.
    fn trials(self) -> Result<Vec<Trial>, HarnessError> {
        let (root, from) = self.root();
        if !root.is_dir() {
            return Err(HarnessError::NoCorpus { path: root, from });
        }
        let corpus = Corpus::load(&root)?;
        let keep = match &self.tags {
            Some(expr) => Some(tag_filter(expr).map_err(HarnessError::Tags)?),
            None => None,
        };
        let expectations = self.known(&corpus, &root)?;
        let decoder = Arc::new(self.decoder);
        let description = guarded("describe", || decoder.describe())
            .map_err(|e| HarnessError::Describe { reason: e.message })?;
        if description.protocol != PROTOCOL_VERSION {
            return Err(HarnessError::Describe {
                reason: format!(
                    "protocol {} (this harness speaks {PROTOCOL_VERSION})",
                    description.protocol
                ),
            });
        }
        let selected: Vec<(usize, String, String)> = corpus
            .vectors
            .iter()
            .enumerate()
            .filter(|(_, (_, v))| keep.as_ref().is_none_or(|k| k(&vector_tags(v))))
            .map(|(i, (path, v))| (i, v.id.clone(), area(&root, path)))
            .collect();
        if selected.is_empty() {
            return Err(HarnessError::NothingSelected {
                root,
                tags: self.tags,
            });
        }
        let shared = Arc::new(Shared {
            imp: InProcess::new(decoder, description),
            corpus,
            root,
            expectations,
            gate: self.gate,
        });
        Ok(selected
            .into_iter()
            .map(|(index, id, area)| {
                let shared = Arc::clone(&shared);
                Trial::ignorable_test(id, move || trial(&shared, index)).with_kind(area)
            })
            .collect())
    }
}

/// The folder of a vector under the corpus root (`cose`, `external/idpass`): the
/// trial's kind, so `cargo test -- '[cose]'` runs one area.
fn area(root: &Path, path: &Path) -> String {
    path.parent()
        .and_then(|p| p.strip_prefix(root).ok())
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_default()
}

/// One vector: asked by the suite's runner, judged by its judge, ruled on by
/// `c169 run`'s gate.
fn trial<D: Decoder>(shared: &Shared<D>, index: usize) -> Result<Completion, Failed> {
    let Some((_, vector)) = shared.corpus.vectors.get(index) else {
        return Err(format!("the harness lost vector number {index}").into());
    };
    let run = c169_suite::run::run_with(
        &shared.corpus,
        &shared.root,
        &shared.imp,
        &runtime()?,
        &|v| v.id == vector.id,
        &|| false,
        &mut |_, _| {},
    );
    let [result] = run.results.as_slice() else {
        return Err(format!(
            "{} cases ran for the id {}, not one",
            run.results.len(),
            vector.id
        )
        .into());
    };
    match rule(vector, result, &shared.expectations, shared.gate) {
        Ruling::Pass => Ok(Completion::Completed),
        Ruling::Ignore(reason) => Ok(Completion::ignored_with(reason)),
        Ruling::Fail(message) => Err(message.into()),
    }
}
