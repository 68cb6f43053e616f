//! The reports: every format over one fixed small run (snapshots), each format read
//! back by a parser of its kind, expectations (known, stale, new), diffs between
//! runs, shards merged into the unsharded report, and an interrupted run.
//!
//! Each check is a libtest trial (`--list` names them), run one after another on
//! one fixture: a filter given to `cargo test` selects among them as among any
//! tests.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // a test's main: a failure stops it

use async_trait::async_trait;
use c169_adapter::protocol::{DecodeRequest, Description, EncodeRequest, Encoded, ErrorKind};
use c169_adapter::{AdapterError, Implementation, Reference};
use c169_corpus::catalogue::Catalogue;
use c169_corpus::Corpus;
use c169_formats::Format;
use c169_model::{Outcome, Stage, Verdict};
use c169_report::expectations::Expectations;
use c169_report::{
    CaseKind, Divergence, Event, KnownState, Report, RequirementStatus, RunVerdict, ShardId, Sink,
    Status,
};
use c169_suite::session::Session;
use libtest_mimic::{Arguments, Trial};
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Broken on purpose, in ways a report must show apart:
/// - accepts a CWT whose issuer is not valid UTF-8 (a MUST failure at stage cwt);
/// - returns `firstName` in uppercase (a content failure);
/// - fails with an internal error on a zlib preset dictionary (an error, no answer);
/// - rejects an empty text at base45 instead of zlib (a pass with a stage mismatch);
/// - declares no decryption (cases needing it are skipped).
#[derive(Debug)]
struct Quirky;

#[async_trait]
impl Implementation for Quirky {
    fn label(&self) -> String {
        "quirky".into()
    }
    async fn describe(&self) -> Result<Description, AdapterError> {
        let mut d = Reference.describe().await?;
        d.name = "quirky".into();
        d.algorithms.encrypt.clear();
        Ok(d)
    }
    async fn decode(&self, request: &DecodeRequest) -> Result<Outcome, AdapterError> {
        let mut o = Reference.decode(request).await?;
        match o.code.as_deref() {
            Some("cwt.cbor_invalid_utf8") => {
                o.verdict = Verdict::Accept;
                o.stage = None;
                o.code = None;
                o.message = None;
            }
            Some("zlib.preset_dictionary") => {
                return Err(AdapterError::Adapter {
                    kind: ErrorKind::Internal,
                    message: "inflate: unexpected dictionary request".into(),
                    stderr: Some("panic in inflate()\n".into()),
                })
            }
            Some("zlib.empty") => o.stage = Some(Stage::Base45),
            _ => {}
        }
        if let Some(Json::Object(claim)) = o.claim169.as_mut() {
            if let Some(Json::String(first)) = claim.get_mut("5") {
                *first = first.to_uppercase();
            }
        }
        Ok(o)
    }
    async fn encode(&self, request: &EncodeRequest) -> Result<Encoded, AdapterError> {
        Reference.encode(request).await
    }
}

/// The fixed small run: vectors and scenarios of seven requirements.
const REQUIREMENTS: [&str; 7] = [
    "C169-ZLIB-011",
    "C169-CLAIM-105",
    "C169-COSE-027",
    "C169-ENC-012",
    "C169-ZLIB-004",
    "C169-CWT-019",
    "C169-QR-005",
];

const EXPECTATIONS: &str = "known_failures:
  - case: claim169-field-first-name
    reason: firstName comes back in uppercase
    link: https://example.invalid/quirky/issues/1
  - case: tag-cose-sign-98
    reason: was refused before 2.0
";

struct Fixture {
    rt: tokio::runtime::Runtime,
    root: PathBuf,
    corpus: Corpus,
    catalogue: Catalogue,
}

impl Fixture {
    fn session(
        &self,
        imp: Arc<dyn Implementation>,
        shard: Option<ShardId>,
        expectations: Option<&str>,
        interrupt: Option<Arc<AtomicBool>>,
    ) -> Session<'_> {
        let filter: c169_corpus::features::TagFilter = Arc::new(|tags: &[String]| {
            tags.iter()
                .any(|t| REQUIREMENTS.contains(&t.trim_start_matches('@')))
        });
        Session {
            root: &self.root,
            corpus: &self.corpus,
            catalogue: &self.catalogue,
            label: imp.label(),
            imp,
            copies: Vec::new(),
            filter: Some(filter),
            only: Vec::new(),
            features: true,
            shard,
            gate: c169_report::GateRule::default(),
            expectations: expectations.map(|t| {
                (
                    "quirky.expectations.yaml".to_owned(),
                    Expectations::parse(t).unwrap(),
                )
            }),
            options: BTreeMap::from([("fixture".to_owned(), Json::from("reports test"))]),
            interrupt,
        }
    }

    fn run(&self, session: &Session<'_>) -> Report {
        let mut sink = c169_report::Collector::default();
        let outcome = session.run(&self.rt, &mut sink).unwrap();
        assert_eq!(
            sink.cases.len(),
            outcome.report.cases.len(),
            "every case went through the event stream"
        );
        outcome.report
    }
}

/// The report with what varies between machines and corpus edits fixed.
fn stable(report: &Report) -> Report {
    let mut r = report.redacted();
    r.suite.vectors_digest = "0".repeat(64);
    r.suite.features_digest = "0".repeat(64);
    r
}

fn render(report: &Report, f: Format) -> String {
    String::from_utf8(f.render(report).unwrap()).unwrap()
}

fn check_the_fixed_run(report: &Report) {
    let by_id = |id: &str| {
        report
            .cases
            .iter()
            .find(|c| c.id == id)
            .unwrap_or_else(|| panic!("no case {id}"))
    };
    let utf8 = by_id("cwt-invalid-utf8");
    assert_eq!(utf8.status, Status::Fail);
    assert_eq!(utf8.diverges_at, Some(Divergence::Stage(Stage::Cwt)));
    let first = by_id("claim169-field-first-name");
    assert_eq!(first.status, Status::Fail);
    assert_eq!(first.diverges_at, Some(Divergence::Content));
    assert!(first.expected.content.is_some() && first.observed.as_ref().unwrap().content.is_some());
    assert_eq!(first.known.as_ref().unwrap().state, KnownState::Known);
    let dict = by_id("zlib-fdict-set");
    assert_eq!(dict.status, Status::Error);
    assert!(dict.stderr.as_deref().unwrap().contains("panic in inflate"));
    let empty = by_id("b45-empty-text");
    assert!(empty.status == Status::Pass && empty.stage_mismatch);
    assert_eq!(
        by_id("tag-cose-sign-98").known.as_ref().unwrap().state,
        KnownState::Stale
    );
    let skipped: Vec<_> = report
        .cases
        .iter()
        .filter(|c| c.status == Status::Skip)
        .collect();
    assert!(!skipped.is_empty());
    assert!(
        skipped
            .iter()
            .all(|c| c.reason.contains("does not declare capability")),
        "{skipped:?}"
    );
    assert!(report
        .cases
        .iter()
        .any(|c| c.kind == CaseKind::Scenario && c.status == Status::Fail));
    assert_eq!(report.summary.known_failures, 1);
    assert_eq!(report.summary.stale_expectations, 1);
    assert!(report.summary.new_failures >= 2);
    assert_eq!(report.gate.verdict, RunVerdict::Failed);
    assert_eq!(report.gate.exit_code, 1);
    let req = |id: &str| {
        report
            .requirements
            .iter()
            .find(|r| r.requirement.id == id)
            .unwrap()
    };
    assert_eq!(req("C169-CWT-019").verdict, RequirementStatus::Fail);
    assert_eq!(req("C169-ZLIB-011").verdict, RequirementStatus::Pass);
    assert_eq!(req("C169-B45-001").verdict, RequirementStatus::Untested);
}

fn check_formats(report: &Report) {
    let stable = stable(report);
    for f in Format::ALL {
        insta::assert_snapshot!(format!("fixed-run.{}", f.file_name()), render(&stable, f));
    }

    // JSON: valid against the report schema, and read back as the same report.
    let json: Json = serde_json::from_str(&render(report, Format::Json)).unwrap();
    let schema: Json = serde_json::from_str(c169_report::SCHEMA).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&json)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "results.json breaks its schema: {errors:#?}"
    );
    let back: Report = serde_json::from_value(json).unwrap();
    assert_eq!(&back, report);

    check_junit(report);
    // Cucumber JSON: features with their elements and steps.
    let cucumber: Json = serde_json::from_str(&render(report, Format::Cucumber)).unwrap();
    let features = cucumber.as_array().unwrap();
    let elements: usize = features
        .iter()
        .map(|f| f["elements"].as_array().unwrap().len())
        .sum();
    assert_eq!(elements, report.cases.len());
    for f in features {
        for e in f["elements"].as_array().unwrap() {
            assert!(!e["steps"].as_array().unwrap().is_empty(), "{e}");
            for s in e["steps"].as_array().unwrap() {
                let status = s["result"]["status"].as_str().unwrap();
                assert!(["passed", "failed", "skipped"].contains(&status), "{s}");
            }
        }
    }

    check_html(report);
    let md = render(report, Format::Markdown);
    assert!(md.contains("quirky — failed"), "{md}");
    assert!(md.contains("`cwt-invalid-utf8`"), "{md}");
}

/// The test cases JUnit adds to a run's own: `the run completed`, `coverage: …`.
const META: usize = 2;

fn check_junit(report: &Report) {
    // JUnit: read back by a JUnit parser, and as plain XML.
    let xml = render(report, Format::Junit);
    let junit = quick_junit::Report::deserialize_from_str(&xml).unwrap();
    // Beside the cases, the suite "c169 run": the run completed, and its coverage.
    let run = junit
        .test_suites
        .iter()
        .find(|s| s.name.as_str() == "c169 run")
        .unwrap();
    assert_eq!(run.test_cases.len(), META);
    assert_eq!(junit.tests, report.cases.len() + META);
    let failing = report
        .cases
        .iter()
        .filter(|c| {
            (c.status == Status::Fail && c.known.is_none())
                || c.known
                    .as_ref()
                    .is_some_and(|k| k.state == KnownState::Stale)
        })
        .count();
    let erring = report
        .cases
        .iter()
        .filter(|c| c.status == Status::Error && c.known.is_none())
        .count();
    assert_eq!(junit.failures, failing);
    assert_eq!(junit.errors, erring);
    let suites: usize = junit.test_suites.iter().map(|s| s.test_cases.len()).sum();
    assert_eq!(suites, report.cases.len() + META);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), report.cases.len() + META);
    assert!(cases
        .iter()
        .all(|n| n.attribute("name").is_some() && n.attribute("classname").is_some()));
    let known = cases
        .iter()
        .find(|n| n.attribute("name") == Some("claim169-field-first-name"))
        .unwrap();
    let skipped = known
        .children()
        .find(|c| c.has_tag_name("skipped"))
        .unwrap();
    assert_eq!(skipped.attribute("type"), Some("known-failure"));
}

fn check_html(report: &Report) {
    // HTML: parsed without errors; the sections, every case once under its
    // anchor, each failure with its difference; every internal link resolves.
    let html = scraper::Html::parse_document(&render(report, Format::Html));
    assert!(html.errors.is_empty(), "{:?}", html.errors);
    let sel = |s: &str| scraper::Selector::parse(s).unwrap();
    let title: String = html.select(&sel("h1")).next().unwrap().text().collect();
    assert!(title.contains("quirky"), "{title}");
    for id in [
        "act",
        "failures",
        "others",
        "implementation-defined",
        "requirements",
        "run",
        "legend",
    ] {
        assert!(
            html.select(&sel(&format!("h2#{id}"))).next().is_some(),
            "no section {id}"
        );
    }
    let ids: Vec<String> = html
        .select(&sel("[id]"))
        .filter_map(|e| e.value().attr("id").map(str::to_owned))
        .collect();
    let unique: std::collections::BTreeSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "an id is used twice");
    for c in &report.cases {
        let anchor = format!("case-{}", c.id);
        let el = html
            .select(&sel("[data-case]"))
            .find(|e| e.value().attr("id") == Some(anchor.as_str()))
            .unwrap_or_else(|| panic!("case {} has no anchor", c.id));
        assert_eq!(el.value().attr("data-status"), Some(c.status.as_str()));
        if c.is_new_failure() {
            assert_eq!(
                el.value().name(),
                "details",
                "failure {} is not a block",
                c.id
            );
        }
    }
    for a in html.select(&sel("a[href^='#']")) {
        let target = &a.value().attr("href").unwrap()[1..];
        assert!(
            unique.contains(&target.to_owned()),
            "link to #{target} resolves to nothing"
        );
    }
    let diff = html
        .select(&sel("details#case-cwt-invalid-utf8 table.diff"))
        .next()
        .expect("a field-by-field diff for a failure with an answer");
    assert!(diff.select(&sel("td.del")).next().is_some());
    let marks: String = diff.text().collect();
    assert!(marks.contains('\u{2212}') && marks.contains('+'), "{marks}");
    let act: Vec<String> = html
        .select(&sel("h2#act ~ div caption"))
        .map(|h| h.text().collect())
        .collect();
    assert!(
        act.iter().any(|l| l.starts_with("MUST requirements")),
        "{act:?}"
    );
    assert!(html.select(&sel("meta[name=viewport]")).next().is_some());
    let network = html.select(&sel("script[src], link, img, iframe")).count();
    assert_eq!(network, 0, "the page must be self-contained");
}

fn check_diff(f: &Fixture, quirky: &Report) {
    let reference = f.run(&f.session(Arc::new(Reference), None, None, None));
    assert_eq!(reference.gate.verdict, RunVerdict::Conformant);
    let d = c169_report::diff::diff(&reference, quirky);
    let ids = |v: &[c169_report::diff::Change]| v.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
    let failing = ids(&d.newly_failing);
    for id in [
        "cwt-invalid-utf8",
        "claim169-field-first-name",
        "zlib-fdict-set",
    ] {
        assert!(
            failing.contains(&id.to_owned()),
            "{id} not newly failing: {failing:?}"
        );
    }
    assert!(d.newly_passing.is_empty());
    assert!(
        ids(&d.changed_output).contains(&"b45-empty-text".to_owned()),
        "a pass with another answer: {:?}",
        d.changed_output
    );
    // What quirky does not declare (decryption) went from pass to skip.
    assert!(!d.other_status.is_empty());
    assert!(
        d.other_status.iter().all(|c| c.new == Some(Status::Skip)),
        "{:?}",
        d.other_status
    );
    assert!(d.regressed());
    // Failing in both runs, with another answer the second time: listed, not lost.
    let mut again = quirky.clone();
    let failing_case = again
        .cases
        .iter_mut()
        .find(|c| c.id == "claim169-field-first-name")
        .unwrap();
    if let Some(o) = failing_case.observed.as_mut() {
        o.digest = "0".repeat(64);
    }
    let changed = c169_report::diff::diff(quirky, &again);
    assert_eq!(ids(&changed.changed_failure), ["claim169-field-first-name"]);
    assert!(!changed.regressed());
    let back = c169_report::diff::diff(quirky, &reference);
    assert_eq!(back.newly_passing.len(), d.newly_failing.len());
    assert!(!back.regressed());
    assert!(c169_report::diff::diff(&reference, &reference).is_empty());
}

fn check_shards(f: &Fixture, whole: &Report) {
    let parts: Vec<(String, Report)> = (1..=3)
        .map(|index| {
            let shard = ShardId { index, count: 3 };
            let r = f.run(&f.session(Arc::new(Quirky), Some(shard), Some(EXPECTATIONS), None));
            assert!(r.cases.len() < whole.cases.len());
            (format!("part {shard}"), r)
        })
        .collect();
    let sizes: Vec<usize> = parts.iter().map(|(_, r)| r.cases.len()).collect();
    assert_eq!(sizes.iter().sum::<usize>(), whole.cases.len(), "{sizes:?}");
    let mut missing = parts.clone();
    missing.pop();
    assert!(c169_report::shard::merge(missing)
        .unwrap_err()
        .to_string()
        .contains("missing: 3/3"));
    let merged = c169_report::shard::merge(parts).unwrap();
    assert_eq!(stable(&merged), stable(whole));
}

/// Presses Ctrl-C (sets the flag) once it has seen this many cases.
struct CtrlC {
    flag: Arc<AtomicBool>,
    seen: usize,
    at: usize,
}

impl Sink for CtrlC {
    fn event(&mut self, e: &Event<'_>) {
        if let Event::Case(_) = e {
            self.seen += 1;
            if self.seen == self.at {
                self.flag.store(true, Ordering::SeqCst);
            }
        }
    }
}

fn check_interrupt(f: &Fixture) {
    let flag = Arc::new(AtomicBool::new(false));
    let session = f.session(Arc::new(Reference), None, None, Some(Arc::clone(&flag)));
    let report = session
        .run(
            &f.rt,
            &mut CtrlC {
                flag: Arc::clone(&flag),
                seen: 0,
                at: 3,
            },
        )
        .unwrap()
        .report;
    assert_eq!(
        report.cases.len(),
        3,
        "the cases finished before the interrupt"
    );
    assert!(!report.run.complete);
    assert_eq!(report.gate.verdict, RunVerdict::Incomplete);
    assert_eq!(report.gate.exit_code, 130);
    let html = render(&report, Format::Html);
    assert!(html.contains("This run was interrupted"));
}

/// Four copies side by side (`--jobs 4`) make the serial run's report, byte for
/// byte once times are set apart, in every format; interrupted, they keep what
/// finished, in corpus order.
fn check_copies(f: &Fixture, serial: &Report) {
    let mut session = f.session(Arc::new(Quirky), None, Some(EXPECTATIONS), None);
    session.copies = vec![Arc::new(Quirky), Arc::new(Quirky), Arc::new(Quirky)];
    let side_by_side = f.run(&session);
    assert_eq!(side_by_side.cases.len(), serial.cases.len());
    for format in Format::ALL {
        assert_eq!(
            render(&stable(&side_by_side), format),
            render(&stable(serial), format),
            "{format:?}"
        );
    }

    let flag = Arc::new(AtomicBool::new(false));
    let mut session = f.session(Arc::new(Reference), None, None, Some(Arc::clone(&flag)));
    session.copies = vec![Arc::new(Reference)];
    let report = session
        .run(
            &f.rt,
            &mut CtrlC {
                flag: Arc::clone(&flag),
                seen: 0,
                at: 5,
            },
        )
        .unwrap()
        .report;
    assert!(!report.run.complete);
    // Copies may finish a case or two more while the interrupt is being read.
    assert!(report.cases.len() >= 5, "{}", report.cases.len());
    assert!(report.cases.len() < serial.cases.len());
    let order: Vec<&str> = f
        .corpus
        .vectors
        .iter()
        .map(|(_, v)| v.id.as_str())
        .filter(|id| report.cases.iter().any(|c| c.id == *id))
        .collect();
    let ids: Vec<&str> = report.cases.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, order, "the cases that finished, in corpus order");
}

/// The fixture, made once for the checks that share it.
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let root = repo().join("vectors");
        Fixture {
            rt: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
            corpus: Corpus::load(&root).unwrap(),
            catalogue: Catalogue::load(&repo().join("features/requirements.yaml")).unwrap(),
            root,
        }
    })
}

/// The fixed run of the quirky implementation, made once.
fn quirky() -> &'static Report {
    static QUIRKY: OnceLock<Report> = OnceLock::new();
    QUIRKY.get_or_init(|| {
        let f = fixture();
        f.run(&f.session(Arc::new(Quirky), None, Some(EXPECTATIONS), None))
    })
}

fn trial(name: &str, check: fn()) -> Trial {
    Trial::test(name, move || {
        check();
        Ok(())
    })
}

fn main() {
    let mut args = Arguments::from_args();
    // One after another, on the fixture's one runtime.
    args.test_threads = Some(1);
    let trials = vec![
        trial("reports::fixed-run", || check_the_fixed_run(quirky())),
        trial("reports::formats", || check_formats(quirky())),
        trial("reports::diff", || check_diff(fixture(), quirky())),
        trial("reports::shards-merge-to-the-whole", || {
            check_shards(fixture(), quirky());
        }),
        trial("reports::interrupted-run-is-marked-incomplete", || {
            check_interrupt(fixture());
        }),
        trial(
            "reports::copies-side-by-side-make-the-serial-report",
            || {
                check_copies(fixture(), quirky());
            },
        ),
    ];
    libtest_mimic::run(&args, trials).exit();
}
