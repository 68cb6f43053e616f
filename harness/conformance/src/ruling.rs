//! What a judged vector means to libtest: `ok`, `FAILED` with a message a person
//! can act on, or `ignored` with the reason.
//!
//! Nothing is decided here that `c169 run` decides elsewhere: the judgement is
//! `c169_suite`'s, the report case is `vector_case`'s, known failures are marked
//! by `Expectations::apply`, and whether a case fails is `Case::gates`.

use c169_model::{Basis, Outcome, Vector, Verdict, VerdictClass};
use c169_report::expectations::Expectations;
use c169_report::{level_name, Case, FailOn, KnownState, Status};
use c169_suite::run::CaseResult;
use std::fmt::Write as _;

/// How a judged case reads as a test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ruling {
    Pass,
    Fail(String),
    /// Not applicable, a known failure, or a result the gate does not count.
    Ignore(String),
}

/// What fails a test: the level counted, and whether the strict profile counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Gate {
    pub fail_on: FailOn,
    pub strict: bool,
}

/// Rules on one vector's result as `c169 run` would gate it.
pub(crate) fn rule(
    vector: &Vector,
    result: &CaseResult,
    expectations: &Expectations,
    gate: Gate,
) -> Ruling {
    let mut case = c169_suite::session::vector_case(vector, result);
    expectations.apply(std::slice::from_mut(&mut case));
    if case.status == Status::Skip {
        return Ruling::Ignore(case.reason);
    }
    match &case.known {
        Some(k) if k.state == KnownState::Stale => {
            return Ruling::Fail(format!(
            "listed as a known failure ({}), but passes now: remove it from the known failures\n{}",
            k.reason,
            details(vector, result, &case)
        ))
        }
        Some(k) => {
            return Ruling::Ignore(format!(
                "known failure: {}; {}: {}",
                k.reason,
                case.grade_name(),
                case.reason
            ))
        }
        None => {}
    }
    if case.gates(gate.fail_on, gate.strict) {
        return Ruling::Fail(details(vector, result, &case));
    }
    match case.status {
        Status::Pass => Ruling::Pass,
        Status::Depart => Ruling::Ignore(format!(
            "not gated (the strict profile is off): {}",
            case.reason
        )),
        _ => Ruling::Ignore(format!(
            "not gated (fail_on {}): {} at {}: {}",
            gate.fail_on.as_str(),
            case.status.as_str(),
            case.grade_name(),
            case.reason
        )),
    }
}

/// The message of a failed test: what was judged and why, the requirement and
/// its level, the sentence it rests on, expected beside observed, and the file.
pub(crate) fn details(vector: &Vector, result: &CaseResult, case: &Case) -> String {
    let mut m = String::new();
    let _ = writeln!(
        m,
        "{} at {}: {}",
        case.status.as_str().to_uppercase(),
        case.grade_name(),
        case.reason
    );
    row(
        &mut m,
        "requirement",
        &format!(
            "{}{}: {}",
            vector.primary.id,
            level_of(vector, &vector.primary.id),
            vector.primary.how
        ),
    );
    let others: Vec<String> = vector
        .requirements
        .iter()
        .filter(|r| r.id != vector.primary.id)
        .map(|r| format!("{} ({})", r.id, level_name(r.level)))
        .collect();
    if !others.is_empty() {
        row(&mut m, "", &format!("also {}", others.join(", ")));
    }
    if result.judgement.grade.is_some() {
        // The content rule or the no-identity-in-a-rejection rule graded it: the
        // judge's reason names the rule and its source.
        row(
            &mut m,
            "basis",
            &format!(
                "a rule every vector shares, at {} (named in the reason above)",
                case.grade_name()
            ),
        );
    } else {
        basis(&mut m, &vector.basis);
    }
    row(&mut m, "expected", &expected(vector));
    row(&mut m, "observed", &observed(result));
    if let Some(d) = case.diverges_at {
        row(&mut m, "diverges at", d.as_str());
    }
    row(
        &mut m,
        "vector",
        &format!("{}: {}", case.file, vector.description),
    );
    for note in &vector.notes {
        row(&mut m, "note", note);
    }
    m
}

fn row(m: &mut String, label: &str, text: &str) {
    let _ = writeln!(m, "  {label:<12} {text}");
}

fn level_of(vector: &Vector, id: &str) -> String {
    vector
        .requirements
        .iter()
        .find(|r| r.id == id)
        .map(|r| format!(" ({})", level_name(r.level)))
        .unwrap_or_default()
}

fn basis(m: &mut String, basis: &Basis) {
    match basis {
        Basis::Text(t) => {
            row(
                m,
                "basis",
                &format!(
                    "{} {}, {}: \"{}\"",
                    t.document,
                    t.section,
                    level_name(t.level),
                    t.quote
                ),
            );
            if let Some(reading) = &t.reading {
                row(m, "", &format!("read as: {reading}"));
            }
        }
        Basis::Profile(p) => row(m, "basis", &format!("the strict profile: {}", p.row)),
        Basis::Observed(o) => row(m, "basis", &format!("observed behaviour of {}", o.source)),
    }
}

fn expected(vector: &Vector) -> String {
    if let Some(encode) = &vector.encode {
        return format!(
            "an encoded credential that passes the checks {}",
            encode.checks.join(", ")
        );
    }
    let stage = vector
        .stage
        .map(|s| format!(", at stage {s}"))
        .unwrap_or_default();
    match vector.verdict {
        VerdictClass::Valid => "valid: accepted, with the vector's content".to_owned(),
        VerdictClass::Invalid => format!("invalid: rejected{stage}"),
        VerdictClass::Acceptable => match vector.prefers {
            Some(Verdict::Accept) => "acceptable: either answer, acceptance preferred".to_owned(),
            Some(Verdict::Reject) => {
                format!("acceptable: either answer, rejection{stage} preferred")
            }
            None => "acceptable: either answer".to_owned(),
        },
    }
}

fn observed(result: &CaseResult) -> String {
    match (&result.output, &result.observed) {
        (Some(qr), reading) => format!(
            "encoded {} characters; the reference reads them: {}",
            qr.chars().count(),
            reading
                .as_ref()
                .map_or_else(|| "nothing".to_owned(), answer)
        ),
        (None, Some(o)) => answer(o),
        (None, None) => "no usable answer (the reason is above)".to_owned(),
    }
}

fn answer(o: &Outcome) -> String {
    let warnings = match o.warnings.len() {
        0 => String::new(),
        n => format!(
            ", {n} warning(s): {}",
            o.warnings
                .iter()
                .map(|w| w.flag.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    match o.verdict {
        Verdict::Accept => format!(
            "accepted{}{warnings}",
            match o.verified {
                Some(true) => ", signature verified",
                Some(false) => ", signature not verified",
                None => "",
            }
        ),
        Verdict::Reject => format!(
            "rejected at stage {}, code {}: {}{warnings}",
            o.stage.map_or("(none)", c169_model::Stage::as_str),
            o.code.as_deref().unwrap_or("(none)"),
            o.message.as_deref().unwrap_or("(no message)")
        ),
    }
}
