//! Judging an implementation's answer against a vector, by the verdict policy.
//!
//! Every decision lives in the vector (verdict class, stage, expected content);
//! this module only compares.

use c169_model::{Match, Outcome, Vector, Verdict, VerdictClass};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

/// The status of one case: pass, fail, skip (not run, with a reason; never counted
/// as passed) or error (the rig got no usable answer).
pub use c169_report::Status;

/// The judgement of one answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Judgement {
    pub status: Status,
    /// Why, in a sentence a person can act on.
    pub reason: String,
    /// Rejected as required, but at another stage than the vector names.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stage_mismatch: bool,
}

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

/// Judges `outcome` against `vector`.
#[must_use]
pub fn judge(vector: &Vector, outcome: &Outcome) -> Judgement {
    let pass = |reason: String| Judgement {
        status: Status::Pass,
        reason,
        stage_mismatch: false,
    };
    let fail = |reason: String| Judgement {
        status: Status::Fail,
        reason,
        stage_mismatch: false,
    };
    match (vector.verdict, outcome.verdict) {
        (VerdictClass::Valid, Verdict::Reject) => {
            fail(format!("must be accepted; {}", describe(outcome)))
        }
        (VerdictClass::Valid, Verdict::Accept) => match content_difference(vector, outcome) {
            Some(diff) => fail(format!("accepted, but {diff}")),
            None => pass("accepted with the expected content".into()),
        },
        (VerdictClass::Invalid, Verdict::Accept) => fail(format!(
            "must be rejected{}; it was accepted",
            vector
                .stage
                .map(|s| format!(" at stage {s}"))
                .unwrap_or_default()
        )),
        (VerdictClass::Invalid, Verdict::Reject) => match (vector.stage, outcome.stage) {
            (Some(want), Some(got)) if want != got => Judgement {
                status: Status::Pass,
                reason: format!(
                    "rejected, but at stage {got} where {want} was expected; {}",
                    describe(outcome)
                ),
                stage_mismatch: true,
            },
            _ => pass(describe(outcome)),
        },
        (VerdictClass::Acceptable, Verdict::Accept) => match content_difference(vector, outcome) {
            Some(diff) => fail(format!(
                "either answer conforms, but an acceptance must return the expected content; {diff}"
            )),
            None => pass("implementation-defined; accepted with the expected content".into()),
        },
        (VerdictClass::Acceptable, Verdict::Reject) => {
            pass(format!("implementation-defined; {}", describe(outcome)))
        }
    }
}

fn content_difference(vector: &Vector, outcome: &Outcome) -> Option<String> {
    let expected = vector.expected.as_ref()?;
    let pairs = [
        ("claim169", &expected.claim169, &outcome.claim169),
        ("cwt", &expected.cwt, &outcome.cwt),
    ];
    for (what, want, got) in pairs {
        if let Some(want) = want {
            let got = got.clone().unwrap_or(Json::Null);
            if let Some(d) = first_difference(want, &got, expected.match_, what) {
                return Some(d);
            }
        }
    }
    None
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
        _ if want == got => None,
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
mod tests {
    #![allow(clippy::panic, clippy::unwrap_used)] // tests
    use super::*;
    use serde_json::json;

    #[test]
    fn subset_and_exact() {
        let want = json!({"4": "a", "62": [{"1": 0}]});
        let got = json!({"4": "a", "1": "x", "62": [{"0": {"bstr": "00"}, "1": 0}]});
        assert_eq!(
            first_difference(&want, &got, Match::Subset, "claim169"),
            None
        );
        assert_eq!(
            first_difference(&want, &got, Match::Exact, "claim169").unwrap(),
            "claim169/62/0/0: expected nothing, got {\"bstr\":\"00\"}"
        );
        let got = json!({"4": "b"});
        assert_eq!(
            first_difference(&want, &got, Match::Subset, "c").unwrap(),
            "c/4: expected \"a\", got \"b\""
        );
    }
}
