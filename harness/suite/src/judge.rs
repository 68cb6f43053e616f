//! Judging an implementation's answer against a vector, by the verdict policy.
//!
//! Every decision lives in the vector (verdict class, preferred answer, stage,
//! expected content, and the basis all of it rests on); this module only compares
//! and grades by that basis. Scenarios are judged here too, so a vector and a
//! scenario that describe the same credential get the same verdict.
//!
//! Grading, in order:
//! - a rejection that still returns claims fails at MUST (RFC 8392 §7.2: a CWT
//!   failing any step is rejected; C169-QR-008: no partial identity data);
//! - an acceptance that alters a value fails at MUST, whatever the class (the
//!   content rule); dropping a value is conformant where the vector is
//!   `acceptable` or the decoder cannot know the key, and dropping it without any
//!   warning departs from the strict profile (which asks for a warning);
//! - otherwise an answer the class (or the preferred answer of an `acceptable`
//!   vector) does not allow is graded by the vector's basis: a failure at the
//!   level of its text, a departure for the profile, and context only for
//!   observed behaviour.

use c169_model::{Basis, BasisKind, Level, Match, Outcome, Vector, Verdict, VerdictClass};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// The status of one case: pass, fail, depart, skip (not run, with a reason;
/// never counted as passed) or error (the rig got no usable answer).
pub use c169_report::Status;

/// What a judgement was graded by, when not the vector's own basis and level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grade {
    pub basis: BasisKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
}

impl Grade {
    /// A rule of the texts every vector shares: the content rule, no claims in a rejection.
    const MUST: Grade = Grade {
        basis: BasisKind::Text,
        level: Some(Level::Must),
    };
}

/// The judgement of one answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Judgement {
    pub status: Status,
    /// Why, in a sentence a person can act on.
    pub reason: String,
    /// Rejected as required, but at another stage than the vector names.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stage_mismatch: bool,
    /// Graded by a rule all vectors share rather than the vector's own basis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade: Option<Grade>,
    /// Why the case was not run, when it was not: typed, so that no decision
    /// hangs on the words of `reason` (which says it to a person).
    #[serde(skip)]
    pub not_run: Option<NotRun>,
}

/// Why a case was not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotRun {
    /// The implementation answered `unsupported` (a skip).
    Unsupported,
    /// The implementation does not declare a capability the case needs (a skip).
    Undeclared,
    /// The case turns on a validation time the implementation cannot be given (a skip).
    ClockBound,
    /// `describe` failed: no case could be asked (the rig failed).
    DescribeFailed,
    /// The adapter was given up after failures in a row (the rig failed).
    AdapterBroken,
    /// The request could not be made from the vector (the rig failed).
    Unbuildable,
    /// The run was interrupted before the case was asked (a skip).
    Interrupted,
}

impl NotRun {
    /// Whether this makes the run itself a failure of the rig (exit 3), rather
    /// than a case the implementation could not take.
    #[must_use]
    pub fn fails_the_rig(self) -> bool {
        matches!(
            self,
            NotRun::DescribeFailed | NotRun::AdapterBroken | NotRun::Unbuildable
        )
    }
}

impl Judgement {
    /// A judgement graded by the vector's own basis.
    #[must_use]
    pub fn new(status: Status, reason: impl Into<String>) -> Self {
        Judgement {
            status,
            reason: reason.into(),
            stage_mismatch: false,
            grade: None,
            not_run: None,
        }
    }

    /// A case not run, for `why`, with the reason a person reads.
    #[must_use]
    pub fn not_run(status: Status, why: NotRun, reason: impl Into<String>) -> Self {
        Judgement {
            not_run: Some(why),
            ..Judgement::new(status, reason)
        }
    }
}

/// The sentence behind the content rule, quoted in reports.
pub const CONTENT_RULE: &str = "content rule: an accepted credential's values are returned as signed (RFC 9052 §4.4: the signature covers the payload; a verifier presents nothing the issuer did not sign)";

fn describe(o: &Outcome) -> String {
    match o.verdict {
        Verdict::Accept => "accepted".into(),
        Verdict::Reject => format!(
            "rejected at stage {} ({}): {}",
            o.stage.map_or("?", c169_model::Stage::as_str),
            o.code.as_deref().unwrap_or("no code"),
            o.message.as_deref().unwrap_or("no message")
        ),
    }
}

/// An answer the vector's class does not allow, graded by the vector's basis.
fn miss(vector: &Vector, reason: &str) -> Judgement {
    match &vector.basis {
        Basis::Text(t) => Judgement::new(
            Status::Fail,
            format!(
                "{reason} ({} {}, {})",
                t.document,
                t.section,
                c169_report::level_name(vector.level.unwrap_or(t.level))
            ),
        ),
        Basis::Profile(p) => Judgement::new(
            Status::Depart,
            format!(
                "departs from the strict profile: {reason} (policy: {})",
                p.row
            ),
        ),
        Basis::Observed(o) => Judgement::new(
            Status::Pass,
            format!(
                "not graded, observed behaviour only: {reason} ({} does otherwise)",
                o.source
            ),
        ),
    }
}

/// Judges `outcome` against `vector`.
#[must_use]
pub fn judge(vector: &Vector, outcome: &Outcome) -> Judgement {
    if outcome.verdict == Verdict::Reject && outcome.claim169.is_some() {
        return Judgement {
            grade: Some(Grade::MUST),
            ..Judgement::new(
                Status::Fail,
                format!(
                    "{}, but returned claim 169 with the rejection: a rejected credential exposes no identity data (RFC 8392 §7.2)",
                    describe(outcome)
                ),
            )
        };
    }
    let mut silent_drop = None;
    if outcome.verdict == Verdict::Accept {
        match content(vector, outcome) {
            Content::Altered(diff) => {
                return Judgement {
                    grade: Some(Grade::MUST),
                    ..Judgement::new(
                        Status::Fail,
                        format!("accepted, but {diff}; {CONTENT_RULE}"),
                    )
                }
            }
            Content::Dropped(what) if outcome.warnings.is_empty() => silent_drop = Some(what),
            Content::Dropped(_) | Content::Same => {}
        }
    }
    let judged = match (vector.verdict, outcome.verdict) {
        (VerdictClass::Valid, Verdict::Reject) => {
            miss(vector, &format!("must be accepted; {}", describe(outcome)))
        }
        (VerdictClass::Invalid, Verdict::Accept) => miss(
            vector,
            &format!(
                "must be rejected{}; it was accepted",
                vector
                    .stage
                    .map(|s| format!(" at stage {s}"))
                    .unwrap_or_default()
            ),
        ),
        (VerdictClass::Invalid, Verdict::Reject) => match (vector.stage, outcome.stage) {
            (Some(want), Some(got)) if want != got => Judgement {
                stage_mismatch: true,
                ..Judgement::new(
                    Status::Pass,
                    format!(
                        "rejected, but at stage {got} where {want} was expected; {}",
                        describe(outcome)
                    ),
                )
            },
            _ => Judgement::new(Status::Pass, describe(outcome)),
        },
        (VerdictClass::Valid, Verdict::Accept) => {
            Judgement::new(Status::Pass, "accepted with the expected content")
        }
        (VerdictClass::Acceptable, got) => match vector.prefers {
            Some(want) if want != got => miss(
                vector,
                &format!(
                    "either answer conforms, and the suite prefers {}; {}",
                    preference(want),
                    describe(outcome)
                ),
            ),
            _ => Judgement::new(
                Status::Pass,
                match got {
                    Verdict::Accept => {
                        "implementation-defined; accepted with the expected content".to_owned()
                    }
                    Verdict::Reject => format!("implementation-defined; {}", describe(outcome)),
                },
            ),
        },
    };
    match silent_drop {
        Some(what) if judged.status == Status::Pass => Judgement {
            grade: Some(Grade {
                basis: BasisKind::Profile,
                level: None,
            }),
            ..Judgement::new(
                Status::Depart,
                format!("departs from the strict profile: accepted, but dropped {what} without a warning (the profile asks a decoder to warn when it drops data)"),
            )
        },
        _ => judged,
    }
}

fn preference(v: Verdict) -> &'static str {
    match v {
        Verdict::Accept => "acceptance",
        Verdict::Reject => "rejection",
    }
}

/// What an acceptance returned, against the expected content.
#[derive(Debug, PartialEq, Eq)]
enum Content {
    Same,
    /// Values left out where leaving them out conforms: which.
    Dropped(String),
    /// A value returned other than signed, or one that was never signed.
    Altered(String),
}

/// Claim 169 keys a decoder knows: the assigned demographics and biometrics.
fn known_claim169_key(k: &str) -> bool {
    k.parse::<i64>()
        .is_ok_and(|n| (1..=23).contains(&n) || (50..=65).contains(&n))
}

fn biometric_key(k: &str) -> bool {
    k.parse::<i64>().is_ok_and(|n| (50..=65).contains(&n))
}

/// The CWT claims a Claim 169 verifier uses and must return as signed; any other
/// (aud, cti, cnf …) it MAY return.
fn required_cwt_claim(k: &str) -> bool {
    matches!(k, "1" | "2" | "4" | "5" | "6")
}

/// A map's entries by key, whichever form canonical JSON gives it: an object
/// (integer keys as decimal text), or `{"map": [[key, value], …]}` for a map with
/// keys of other types (a text key is shown quoted, so it never meets an integer).
fn entries(map: &Json) -> Option<BTreeMap<String, Json>> {
    let object = map.as_object()?;
    if let (1, Some(Json::Array(pairs))) = (object.len(), object.get("map")) {
        let mut out = BTreeMap::new();
        for pair in pairs {
            let (Some(key), Some(value)) = (pair.get(0), pair.get(1)) else {
                return None;
            };
            // An integer key as canonical JSON writes it in an object; any other quoted.
            out.insert(key.to_string(), value.clone());
        }
        return Some(out);
    }
    Some(object.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
}

/// An entry returned that the credential does not hold (never, for a subset match).
fn unsigned_entry(
    want: &BTreeMap<String, Json>,
    got: &BTreeMap<String, Json>,
    subset: bool,
    what: &str,
) -> Option<String> {
    if subset {
        return None;
    }
    got.iter()
        .find(|(k, _)| !want.contains_key(*k))
        .map(|(k, v)| {
            format!(
                "{what}/{k}: returned {}, which the credential does not hold",
                shown(v)
            )
        })
}

fn content(vector: &Vector, outcome: &Outcome) -> Content {
    let Some(expected) = vector.expected.as_ref() else {
        return Content::Same;
    };
    let lenient = vector.verdict == VerdictClass::Acceptable;
    let subset = expected.match_ == Match::Subset;
    let mut dropped = Vec::new();
    if let Some(want) = &expected.claim169 {
        let got = outcome.claim169.clone().unwrap_or(Json::Null);
        let (Some(w), Some(g)) = (entries(want), entries(&got)) else {
            return match first_difference(want, &got, expected.match_, "claim169") {
                Some(d) => Content::Altered(d),
                None => Content::Same,
            };
        };
        for (k, wv) in &w {
            let here = format!("claim169/{k}");
            match g.get(k) {
                Some(gv) => {
                    if let Some(d) =
                        claim169_value(k, wv, gv, &here, (lenient, subset), &mut dropped)
                    {
                        return Content::Altered(d);
                    }
                }
                None if lenient || !known_claim169_key(k) => dropped.push(here),
                None => {
                    return Content::Altered(format!("{here}: expected {}, got nothing", shown(wv)))
                }
            }
        }
        if let Some(extra) = unsigned_entry(&w, &g, subset, "claim169") {
            return Content::Altered(extra);
        }
    }
    if let Some(w) = expected.cwt.as_ref().and_then(entries) {
        // Claims not returned at all may be claims a verifier does not use (below);
        // a `cwt` that is not a map is not the claims as signed.
        let g = match outcome.cwt.as_ref().filter(|c| !c.is_null()) {
            None => BTreeMap::new(),
            Some(got) => match entries(got) {
                Some(g) => g,
                None => {
                    return Content::Altered(format!(
                        "cwt: expected the claims map, got {}",
                        shown(got)
                    ))
                }
            },
        };
        for (k, wv) in &w {
            let here = format!("cwt/{k}");
            match g.get(k) {
                Some(gv) => {
                    if let Some(d) = first_difference(wv, gv, Match::Exact, &here) {
                        return Content::Altered(d);
                    }
                }
                // Returning the claims a verifier does not use is MAY.
                None if lenient || !required_cwt_claim(k) => {}
                None => {
                    return Content::Altered(format!("{here}: expected {}, got nothing", shown(wv)))
                }
            }
        }
        if let Some(extra) = unsigned_entry(&w, &g, subset, "cwt") {
            return Content::Altered(extra);
        }
    }
    if dropped.is_empty() {
        Content::Same
    } else {
        Content::Dropped(dropped.join(", "))
    }
}

/// One claim 169 value: equal, or one of the two listed normalisations (a
/// biometric attribute written as one map returned as a one-entry list; a photo
/// written as hex text returned as its bytes), or inside a biometric entry an
/// unknown sub-key (or, for an `acceptable` vector, any sub-key) dropped.
fn claim169_value(
    key: &str,
    want: &Json,
    got: &Json,
    here: &str,
    (lenient, subset): (bool, bool),
    dropped: &mut Vec<String>,
) -> Option<String> {
    let how = if subset { Match::Subset } else { Match::Exact };
    if same(want, got) {
        return None;
    }
    // Where either answer conforms, leaving out elements an array held (an
    // out-of-range finger position, an entry without data) is dropping, not
    // altering: what is returned is still what was signed, in its order.
    if lenient {
        if let (Json::Array(w), Json::Array(g)) = (want, got) {
            if g.len() < w.len() && is_subsequence(g, w) {
                dropped.push(format!(
                    "{here} ({} of {} elements)",
                    w.len() - g.len(),
                    w.len()
                ));
                return None;
            }
        }
    }
    if key == "16" {
        if let (Json::String(hex), Some(Json::String(bytes))) =
            (want, got.as_object().and_then(|o| o.get("bstr")))
        {
            if hex.eq_ignore_ascii_case(bytes) && got.as_object().is_some_and(|o| o.len() == 1) {
                return None;
            }
        }
    }
    if biometric_key(key) {
        let entries = |v: &Json| match v {
            Json::Array(a) => a.clone(),
            Json::Object(_) => vec![v.clone()],
            _ => Vec::new(),
        };
        let (w, g) = (entries(want), entries(got));
        if !w.is_empty() && w.len() == g.len() {
            for (i, (we, ge)) in w.iter().zip(&g).enumerate() {
                let at = format!("{here}/{i}");
                let (Json::Object(wm), Json::Object(gm)) = (we, ge) else {
                    return first_difference(we, ge, how, &at);
                };
                for (sk, sv) in wm {
                    match gm.get(sk) {
                        Some(gv) => {
                            if let Some(d) =
                                first_difference(sv, gv, Match::Exact, &format!("{at}/{sk}"))
                            {
                                return Some(d);
                            }
                        }
                        None if lenient || !matches!(sk.as_str(), "0" | "1" | "2" | "3") => {
                            dropped.push(format!("{at}/{sk}"));
                        }
                        None => {
                            return Some(format!("{at}/{sk}: expected {}, got nothing", shown(sv)))
                        }
                    }
                }
                if let Some((sk, gv)) = gm.iter().find(|(k, _)| !subset && !wm.contains_key(*k)) {
                    return Some(format!(
                        "{at}/{sk}: returned {}, which the credential does not hold",
                        shown(gv)
                    ));
                }
            }
            return None;
        }
    }
    first_difference(want, got, how, here)
}

/// Whether `part` is `whole` with some elements left out, the rest in order.
fn is_subsequence(part: &[Json], whole: &[Json]) -> bool {
    let mut rest = whole.iter();
    part.iter().all(|p| rest.any(|w| same(w, p)))
}

/// Whether two JSON values are equal as JSON means them. RFC 8259 §6 knows one
/// kind of number, so `1750000000` and `1750000000.0` are the same value: canonical
/// JSON says a CBOR float by its `{"float": …}` wrapper, not by how the number is
/// written, and a JSON writer (JavaScript's, for one) may drop the `.0`.
#[must_use]
#[allow(clippy::float_cmp)] // exactly the same number is meant, not a close one
pub fn same(want: &Json, got: &Json) -> bool {
    match (want, got) {
        (Json::Number(w), Json::Number(g)) => {
            w == g
                || ((w.is_f64() || g.is_f64())
                    && matches!((w.as_f64(), g.as_f64()), (Some(wf), Some(gf)) if wf == gf))
        }
        (Json::Array(w), Json::Array(g)) => {
            w.len() == g.len() && w.iter().zip(g).all(|(wv, gv)| same(wv, gv))
        }
        (Json::Object(w), Json::Object(g)) => {
            w.len() == g.len()
                && w.iter()
                    .all(|(k, wv)| g.get(k).is_some_and(|gv| same(wv, gv)))
        }
        _ => want == got,
    }
}

fn shown(j: &Json) -> String {
    truncate(&j.to_string())
}

/// The first place where `got` departs from `want`, as "path: expected X, got Y".
#[must_use]
pub fn first_difference(want: &Json, got: &Json, how: Match, path: &str) -> Option<String> {
    let shown =
        |j: Option<&Json>| j.map_or_else(|| "nothing".to_owned(), |j| truncate(&j.to_string()));
    match (want, got) {
        (Json::Object(w), Json::Object(g)) => {
            for (k, wv) in w {
                let here = format!("{path}/{k}");
                match g.get(k) {
                    Some(gv) => {
                        if let Some(d) = first_difference(wv, gv, how, &here) {
                            return Some(d);
                        }
                    }
                    None => {
                        return Some(format!("{here}: expected {}, got nothing", shown(Some(wv))))
                    }
                }
            }
            if how == Match::Exact {
                if let Some((k, gv)) = g.iter().find(|(k, _)| !w.contains_key(*k)) {
                    return Some(format!(
                        "{path}/{k}: expected nothing, got {}",
                        shown(Some(gv))
                    ));
                }
            }
            None
        }
        (Json::Array(w), Json::Array(g)) if w.len() == g.len() => w
            .iter()
            .zip(g)
            .enumerate()
            .find_map(|(i, (wv, gv))| first_difference(wv, gv, how, &format!("{path}/{i}"))),
        _ if same(want, got) => None,
        _ => Some(format!(
            "{path}: expected {}, got {}",
            shown(Some(want)),
            shown(Some(got))
        )),
    }
}

fn truncate(s: &str) -> String {
    const MAX: usize = 120;
    if s.chars().count() <= MAX {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(MAX).collect::<String>())
    }
}

#[cfg(test)]
mod tests;
