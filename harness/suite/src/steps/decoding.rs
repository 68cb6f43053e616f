//! When the implementation decodes it; then what a conformant decoder answers.

use super::C169World;
use crate::judge::{judge, NotRun, Status};
use c169_model::{BasisKind, Outcome, Stage, Verdict, VerdictClass};
use cucumber::{then, when};

#[when("the implementation decodes it")]
async fn decodes(w: &mut C169World) -> Result<(), String> {
    let s = w.shared()?;
    let vector = w.build()?;
    let qr = vector
        .qr
        .clone()
        .ok_or("the scenario describes an encoding, not a credential to decode")?;
    let request = crate::run::decode_request(&s.corpus, &vector, &qr, &s.caps);
    let outcome = s.imp.decode(&request).await.map_err(|e| refused(w, &e))?;
    w.vector = Some(vector);
    w.outcome = Some(outcome);
    Ok(())
}

/// An adapter's error as the step's failure, typed when it means the case was
/// not run (an `unsupported` answer, a broken adapter).
pub(super) fn refused(w: &mut C169World, e: &c169_adapter::AdapterError) -> String {
    let j = crate::run::error(e);
    match j.not_run {
        Some(why) => w.cannot(why, j.reason),
        None => j.reason,
    }
}

fn answer(w: &C169World) -> Result<&Outcome, String> {
    w.outcome
        .as_ref()
        .ok_or_else(|| "nothing was decoded: a When step is missing".to_owned())
}

/// Judges the answer as the vector runner does, with the verdict class the step states.
fn judged(
    w: &mut C169World,
    class: VerdictClass,
    stage: Option<Stage>,
) -> Result<crate::Judgement, String> {
    let mut vector = w
        .vector
        .clone()
        .ok_or("nothing was decoded: a When step is missing")?;
    vector.verdict = class;
    vector.stage = stage;
    let s = w.shared()?;
    let (basis, level) = super::scenario_basis(&w.tags, s.generator.catalogue(), &w.vector_name())?;
    vector.basis = basis;
    vector.level = level;
    vector.prefers = w.prefers;
    if class == VerdictClass::Invalid {
        vector.expected = None;
    }
    let outcome = answer(w)?;
    let judgement = judge(&vector, outcome);
    // As the vector runner does: what turns on the validation time is not judged
    // for an implementation that cannot be given one.
    if !s.caps.contains("validation_time") {
        if stage == Some(Stage::Time) {
            let reason = format!("not run: {}", crate::run::CLOCK_BOUND);
            return Err(w.cannot(NotRun::ClockBound, reason));
        }
        if judgement.status != Status::Pass && outcome.stage == Some(Stage::Time) {
            let reason = format!(
                "not judged: rejected at stage time, and {}: it judged at its own clock",
                crate::run::CLOCK_BOUND
            );
            return Err(w.cannot(NotRun::ClockBound, reason));
        }
    }
    w.judged_as = Some(vector);
    Ok(judgement)
}

/// A judgement as a step's result: a pass or a departure (kept for the record)
/// lets the scenario go on; a failure stops it, graded as judged.
fn settle(w: &mut C169World, j: crate::Judgement) -> Result<(), String> {
    match j.status {
        Status::Pass => Ok(()),
        Status::Depart => {
            w.departure = Some(j.reason);
            w.grade = j.grade;
            Ok(())
        }
        Status::Fail | Status::Error | Status::Skip => {
            w.grade = j.grade;
            Err(j.reason)
        }
    }
}

/// A check of one part of the answer, graded by the scenario's basis as the
/// judge grades a vector: a failure against a text, a departure from the strict
/// profile, context only for observed behaviour.
fn check(w: &mut C169World, held: bool, reason: impl FnOnce() -> String) -> Result<(), String> {
    if held {
        return Ok(());
    }
    match super::basis_kind(&w.tags) {
        BasisKind::Profile => {
            w.departure = Some(format!("departs from the strict profile: {}", reason()));
            Ok(())
        }
        BasisKind::Observed => {
            w.note = Some(format!("not graded, observed behaviour only: {}", reason()));
            Ok(())
        }
        BasisKind::Text => Err(reason()),
    }
}

#[then("it is accepted")]
fn accepted(w: &mut C169World) -> Result<(), String> {
    let j = judged(w, VerdictClass::Valid, None)?;
    settle(w, j)
}

#[then("it is rejected")]
fn rejected(w: &mut C169World) -> Result<(), String> {
    let j = judged(w, VerdictClass::Invalid, None)?;
    settle(w, j)
}

#[then(
    regex = r"^it is rejected at the (base45|zlib|cose|decrypt|signature|cwt|time|claim169|limit) stage$"
)]
fn rejected_at(w: &mut C169World, stage: String) -> Result<(), String> {
    let stage: Stage = serde_json::from_value(serde_json::Value::String(stage.clone()))
        .map_err(|_| format!("no stage {stage}"))?;
    let j = judged(w, VerdictClass::Invalid, Some(stage))?;
    if j.stage_mismatch {
        w.note = Some(format!("stage mismatch: {}", j.reason));
    }
    settle(w, j)
}

#[then("either answer conforms")]
fn either(w: &mut C169World) -> Result<(), String> {
    let j = judged(w, VerdictClass::Acceptable, None)?;
    settle(w, j)
}

#[then(regex = r"^either answer conforms, preferring (acceptance|rejection)$")]
fn either_preferring(w: &mut C169World, prefers: String) -> Result<(), String> {
    w.prefers = Some(if prefers == "acceptance" {
        Verdict::Accept
    } else {
        Verdict::Reject
    });
    let j = judged(w, VerdictClass::Acceptable, None)?;
    settle(w, j)
}

#[then("the signature is reported verified")]
fn verified(w: &mut C169World) -> Result<(), String> {
    let o = answer(w)?;
    let (held, got) = (
        o.verdict == Verdict::Accept && o.verified == Some(true),
        o.verified,
    );
    check(w, held, || format!("verified is {got:?}"))
}

#[then("the signature is reported not verified")]
fn not_verified(w: &mut C169World) -> Result<(), String> {
    let got = answer(w)?.verified;
    check(w, got == Some(false), || format!("verified is {got:?}"))
}

#[then(regex = r#"^the decoded attribute "([^"]+)" is (.+)$"#)]
fn decoded_attribute(w: &mut C169World, name: String, value: String) -> Result<(), String> {
    let want: serde_json::Value =
        serde_json::from_str(value.trim()).map_err(|e| format!("{value:?} is not JSON: {e}"))?;
    let key = c169_codec::claim169::ATTRIBUTES
        .iter()
        .find(|a| a.name == name)
        .map(|a| a.key)
        .or_else(|| {
            c169_codec::claim169::BIOMETRICS
                .iter()
                .position(|b| *b == name)
                .map(|i| c169_codec::claim169::FIRST_BIOMETRIC + i as i128)
        })
        .or_else(|| name.parse().ok())
        .ok_or_else(|| format!("no attribute {name:?}"))?;
    let got = answer(w)?
        .claim169
        .as_ref()
        .and_then(|c| c.get(key.to_string()))
        .cloned();
    check(w, got.as_ref() == Some(&want), || {
        format!("attribute {name} ({key}) is {got:?}, expected {want}")
    })
}
