//! The gate grades by basis: a failure against a text at or above `--fail-on`
//! fails the run; a departure from the strict profile does not, unless the
//! profile is strict; an error always does.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)] // tests

use c169_formats::Format;
use c169_model::{BasisKind, Level};
use c169_report::{
    Case, CaseKind, Expected, ExpectedVerdict, FailOn, GradedAt, ImplementationInfo,
    ObservedVerdict, Profile, Report, RunFacts, RunVerdict, Status, Suite,
};

fn case(
    id: &str,
    status: Status,
    basis: BasisKind,
    level: Option<Level>,
    verdict: ExpectedVerdict,
) -> Case {
    Case {
        kind: CaseKind::Vector,
        id: id.to_owned(),
        area: "cose".to_owned(),
        name: id.to_owned(),
        file: format!("vectors/cose/{id}.json"),
        line: None,
        basis,
        level,
        requirements: vec!["C169-COSE-010".to_owned()],
        tags: Vec::new(),
        expected: Expected {
            verdict,
            stage: None,
            content: None,
        },
        observed: None,
        status,
        reason: "because".to_owned(),
        stage_mismatch: false,
        diverges_at: None,
        input: None,
        notes: Vec::new(),
        output: None,
        symbol: None,
        steps: Vec::new(),
        stderr: None,
        known: None,
        duration_ms: 0.0,
    }
}

fn report(cases: Vec<Case>, fail_on: FailOn, profile: Profile) -> Report {
    Report::finish(
        Suite {
            name: "c169".into(),
            version: "0".into(),
            vectors_digest: String::new(),
            features_digest: String::new(),
        },
        ImplementationInfo {
            label: "test".into(),
            describe: None,
        },
        RunFacts {
            started: String::new(),
            duration_ms: 0.0,
            host: String::new(),
            options: std::collections::BTreeMap::new(),
            shards: Vec::new(),
            complete: true,
            interrupted: None,
            expectations: None,
            rig_failure: None,
        },
        (fail_on, profile),
        &[],
        cases,
    )
}

#[test]
fn departures_are_counted_apart_and_gate_only_under_the_strict_profile() {
    let cases = vec![
        case(
            "a",
            Status::Pass,
            BasisKind::Text,
            Some(Level::Must),
            ExpectedVerdict::Valid,
        ),
        case(
            "b",
            Status::Depart,
            BasisKind::Profile,
            None,
            ExpectedVerdict::Acceptable,
        ),
        case(
            "c",
            Status::Pass,
            BasisKind::Profile,
            None,
            ExpectedVerdict::Acceptable,
        ),
        case(
            "d",
            Status::Fail,
            BasisKind::Text,
            Some(Level::Should),
            ExpectedVerdict::Invalid,
        ),
    ];
    let r = report(cases.clone(), FailOn::Must, Profile::Texts);
    assert_eq!(r.gate.verdict, RunVerdict::Conformant);
    assert_eq!(r.gate.exit_code, 0);
    assert_eq!(r.summary.profile_departures, 1);
    assert_eq!(r.summary.text_failures, 1);
    assert_eq!(r.summary.implementation_defined, 2);
    let [failures, departures, chosen] = r.standing();
    assert!(failures.contains("1 (1 SHOULD)"), "{failures}");
    assert!(departures.ends_with(": 1"), "{departures}");
    assert!(chosen.ends_with(": 2"), "{chosen}");
    // The SHOULD failure gates under --fail-on should.
    assert_eq!(
        report(cases.clone(), FailOn::Should, Profile::Texts)
            .gate
            .exit_code,
        1
    );
    // The departure gates under --profile strict.
    let strict = report(cases, FailOn::Must, Profile::Strict);
    assert_eq!(strict.gate.exit_code, 1);
    assert!(
        strict.gate.reasons[0].contains("strict profile"),
        "{:?}",
        strict.gate.reasons
    );
}

#[test]
fn an_error_always_gates_and_a_text_failure_at_must_does() {
    let r = report(
        vec![case(
            "e",
            Status::Error,
            BasisKind::Profile,
            None,
            ExpectedVerdict::Acceptable,
        )],
        FailOn::Must,
        Profile::Texts,
    );
    assert_eq!(r.gate.exit_code, 1);
    let r = report(
        vec![case(
            "f",
            Status::Fail,
            BasisKind::Text,
            Some(Level::Must),
            ExpectedVerdict::Valid,
        )],
        FailOn::Must,
        Profile::Texts,
    );
    assert_eq!(r.gate.exit_code, 1);
    assert_eq!(r.summary.by_level[&GradedAt::Level(Level::Must)].failed, 1);
}

#[test]
fn junit_shows_a_departure_as_a_success_with_its_reason_unless_strict() {
    let cases = vec![case(
        "b",
        Status::Depart,
        BasisKind::Profile,
        None,
        ExpectedVerdict::Acceptable,
    )];
    let junit = |r: &Report| String::from_utf8(Format::Junit.render(r).unwrap()).unwrap();
    let texts = junit(&report(cases.clone(), FailOn::Must, Profile::Texts));
    assert!(!texts.contains("<failure"), "{texts}");
    assert!(texts.contains("departs-from-strict-profile"), "{texts}");
    let strict = junit(&report(cases, FailOn::Must, Profile::Strict));
    assert!(strict.contains("<failure"), "{strict}");
}

#[test]
fn findings_sort_cases_into_failures_departures_choices_and_capabilities() {
    let mut glue = case(
        "g1",
        Status::Fail,
        BasisKind::Text,
        Some(Level::Must),
        ExpectedVerdict::Invalid,
    );
    glue.observed = Some(c169_report::Observed {
        verdict: ObservedVerdict::Reject,
        stage: Some(c169_model::Stage::Claim169),
        code: Some("x.no_claim169".into()),
        by: Some(c169_model::DecidedBy::Glue),
        digest: String::new(),
        content: None,
    });
    glue.reason = "must be accepted; rejected".into();
    let mut skipped = case(
        "s1",
        Status::Skip,
        BasisKind::Text,
        Some(Level::Must),
        ExpectedVerdict::Valid,
    );
    skipped.reason = "not run: the implementation does not declare capability \"verify\"".into();
    let mut skipped2 = skipped.clone();
    skipped2.id = "s2".into();
    let mut drop_a = case(
        "d1",
        Status::Depart,
        BasisKind::Profile,
        None,
        ExpectedVerdict::Acceptable,
    );
    drop_a.reason = "departs: dropped claim169/9 without a warning".into();
    let mut drop_b = case(
        "d2",
        Status::Depart,
        BasisKind::Profile,
        None,
        ExpectedVerdict::Acceptable,
    );
    drop_b.reason = "departs: dropped claim169/14 without a warning".into();
    drop_b.requirements = vec!["C169-CLAIM-114".into()];
    let r = report(
        vec![
            glue,
            skipped,
            skipped2,
            drop_a,
            drop_b,
            case(
                "c1",
                Status::Pass,
                BasisKind::Profile,
                None,
                ExpectedVerdict::Acceptable,
            ),
            case(
                "p1",
                Status::Pass,
                BasisKind::Text,
                Some(Level::Must),
                ExpectedVerdict::Valid,
            ),
        ],
        FailOn::Must,
        Profile::Texts,
    );
    let curated: c169_report::findings::Curated = [(
        "peer".to_owned(),
        [("g1".to_owned(), "Refuses everything.".to_owned())].into(),
    )]
    .into();
    let md = c169_report::findings::render(&[("peer".into(), &r)], &curated, &|_| {
        Some("RFC 9052 §3: “It MUST.”".into())
    });
    let section = |title: &str| {
        let start = md
            .find(title)
            .unwrap_or_else(|| panic!("no {title}:\n{md}"));
        let rest = &md[start..];
        rest[..rest[4..].find("\n### ").map_or(rest.len(), |e| e + 4)].to_owned()
    };
    let failures = section("### Conformance failures (1 cases)");
    assert!(
        failures.contains("Refuses everything. | glue | `c169 run --adapter peer --vector g1`"),
        "{failures}"
    );
    assert!(failures.contains("RFC 9052 §3"), "{failures}");
    // Two drops of different keys are one behaviour, with both requirements.
    let departures = section("### Departures from the strict profile (2 cases)");
    assert!(
        departures.contains("C169-CLAIM-114, C169-COSE-010 |"),
        "{departures}"
    );
    assert!(departures.trim_end().ends_with("| 2 |"), "{departures}");
    let chosen = section("### Implementation-defined choices (1 cases)");
    assert!(chosen.contains("--vector c1`"), "{chosen}");
    let offered = section("### Capabilities it does not offer (2 cases not run)");
    assert!(offered.contains("| 2 | `s1` |"), "{offered}");
}

#[test]
fn a_skip_without_a_reason_is_an_error_never_a_silent_skip() {
    let mut silent = case(
        "silent",
        Status::Skip,
        BasisKind::Text,
        Some(Level::Must),
        ExpectedVerdict::Valid,
    );
    silent.reason = "  ".into();
    let mut said = case(
        "said",
        Status::Skip,
        BasisKind::Text,
        Some(Level::Must),
        ExpectedVerdict::Valid,
    );
    said.reason = "not run: the implementation does not declare capability \"verify\"".into();
    let pass = case(
        "pass",
        Status::Pass,
        BasisKind::Text,
        Some(Level::Must),
        ExpectedVerdict::Valid,
    );
    let r = report(vec![silent, said, pass], FailOn::Must, Profile::Texts);
    let silent = r.cases.iter().find(|c| c.id == "silent").unwrap();
    assert_eq!(silent.status, Status::Error);
    assert!(silent.reason.contains("skipped without a reason"));
    assert_eq!(r.summary.coverage.applicable, 2);
    assert_eq!(r.gate.exit_code, 1, "{:?}", r.gate);
}
