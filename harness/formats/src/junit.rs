//! JUnit XML: one test suite per area, one test case per vector or scenario.

use super::{expected_line, observed_line};
use c169_report::{Case, CaseKind, KnownState, Report, Status, StepStatus};
use quick_junit::{NonSuccessKind, Property, TestCase, TestCaseStatus, TestSuite};
use std::collections::BTreeMap;
use std::time::Duration;

fn suite_name(c: &Case) -> String {
    match c.kind {
        CaseKind::Vector => format!("vectors/{}", c.area),
        CaseKind::Scenario => format!("features/{}", c.area),
    }
}

fn status(c: &Case, strict: bool) -> TestCaseStatus {
    let detail = || match c.steps.iter().find(|s| s.status == StepStatus::Failed) {
        Some(step) => format!(
            "failed at line {}: {}{}\n{}",
            step.line,
            step.keyword,
            step.text,
            step.error.as_deref().unwrap_or(&c.reason)
        ),
        None => format!(
            "expected: {}\nobserved: {}\nreason: {}",
            expected_line(c),
            observed_line(c),
            c.reason_with_notes()
        ),
    };
    match (&c.known, c.status) {
        (Some(k), _) if k.state == KnownState::Known => {
            let mut s = TestCaseStatus::skipped();
            s.set_type("known-failure");
            s.set_message(format!(
                "known failure: {}{}",
                k.reason,
                k.link
                    .as_deref()
                    .map(|l| format!(" ({l})"))
                    .unwrap_or_default()
            ));
            s.set_description(detail());
            s
        }
        (Some(k), _) => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_type("stale-expectation");
            s.set_message(format!(
                "listed as a known failure ({}) but passes now: remove it from the expectations file",
                k.reason
            ));
            s
        }
        (None, Status::Pass) => TestCaseStatus::success(),
        // Not a conformance failure: shown as such unless the strict profile gates it.
        (None, Status::Depart) if !strict => TestCaseStatus::success(),
        (None, Status::Skip) => {
            let mut s = TestCaseStatus::skipped();
            s.set_message(c.reason.clone());
            s
        }
        (None, st) => {
            let kind = if st == Status::Error {
                NonSuccessKind::Error
            } else {
                NonSuccessKind::Failure
            };
            let mut s = TestCaseStatus::non_success(kind);
            s.set_type(c.diverges_at.map_or(st.as_str(), |d| d.as_str()));
            s.set_message(c.reason.clone());
            s.set_description(detail());
            s
        }
    }
}

/// The suite "c169 run": whether the run completed, and how much of the suite
/// applied, as test cases CI dashboards show beside the cases themselves.
fn run_suite(report: &Report, unfinished: Option<String>) -> TestSuite {
    let mut suite = TestSuite::new("c169 run");
    suite.add_property(Property::new("verdict", report.gate.verdict.as_str()));
    suite.add_property(Property::new("headline", report.headline()));
    let c = &report.summary.coverage;
    suite.add_property(Property::new("applicable", c.applicable.to_string()));
    suite.add_property(Property::new("total", c.total.to_string()));
    suite.add_property(Property::new("applicable-percent", c.percent().to_string()));
    let completed = match unfinished {
        Some(message) => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status.set_type("incomplete-run");
            status.set_message(message);
            status
        }
        None => TestCaseStatus::success(),
    };
    let mut case = TestCase::new("the run completed", completed);
    case.set_classname("c169 run");
    suite.add_test_case(case);
    let shortfalls = report.coverage_shortfalls();
    let covered = if shortfalls.is_empty() {
        TestCaseStatus::success()
    } else {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
        status.set_type("insufficient-coverage");
        status.set_message(shortfalls.join("; "));
        status
    };
    let mut case = TestCase::new(format!("coverage: {}", c.line()), covered);
    case.set_classname("c169 run");
    suite.add_test_case(case);
    suite
}

/// Renders the report as JUnit XML.
pub(super) fn render(report: &Report) -> Result<String, quick_junit::SerializeError> {
    let mut suites: BTreeMap<String, Vec<&Case>> = BTreeMap::new();
    for c in &report.cases {
        suites.entry(suite_name(c)).or_default().push(c);
    }
    let mut out = quick_junit::Report::new(format!("c169 · {}", report.implementation.label));
    out.set_time(Duration::from_secs_f64(
        report.run.duration_ms.max(0.0) / 1000.0,
    ));
    // A run that did not finish, or whose rig failed, says so where CI dashboards
    // look: an errored test case of its own, beside the cases that did run.
    let unfinished = report
        .run
        .interrupted
        .as_deref()
        .map(|why| {
            format!("the run is incomplete: {why}; the cases listed are those finished before")
        })
        .or_else(|| {
            report
                .run
                .rig_failure
                .as_deref()
                .map(|why| format!("the rig failed: {why}"))
        });
    out.add_test_suite(run_suite(report, unfinished));
    for (name, cases) in suites {
        let mut suite = TestSuite::new(name);
        for c in cases {
            let mut tc = TestCase::new(
                c.id.clone(),
                status(c, report.gate.profile == c169_report::Profile::Strict),
            );
            tc.set_classname(suite_name(c));
            tc.set_time(Duration::from_secs_f64(c.duration_ms.max(0.0) / 1000.0));
            tc.add_property(Property::new("level", c.grade_name()));
            tc.add_property(Property::new("basis", c.basis.as_str()));
            if c.status == Status::Depart {
                tc.add_property(Property::new(
                    "departs-from-strict-profile",
                    c.reason.clone(),
                ));
            }
            if !c.requirements.is_empty() {
                tc.add_property(Property::new("requirements", c.requirements.join(" ")));
            }
            tc.add_property(Property::new("file", c.file.clone()));
            if let Some(err) = &c.stderr {
                tc.set_system_err(err.clone());
            }
            suite.add_test_case(tc);
        }
        out.add_test_suite(suite);
    }
    out.to_string()
}
