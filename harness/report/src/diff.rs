//! What changed between two runs (`c169 diff OLD.json NEW.json`): the regression
//! view between releases.

use crate::{Case, GradedAt, Report, Status};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// One case that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub id: String,
    pub level: GradedAt,
    pub old: Option<Status>,
    pub new: Option<Status>,
    /// The new reason (or the old one for a case that is gone).
    pub reason: String,
    /// What the implementation answered in the old run, as its record keeps it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_answer: Option<Answer>,
    /// What it answered in the new run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_answer: Option<Answer>,
}

/// An answer as a record keeps it, each field in a line of text: what `c169 diff`
/// sets side by side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answer {
    pub verdict: String,
    pub stage: String,
    pub code: String,
    /// Who decided a rejection, when an adapter's glue did.
    pub by: String,
    /// The decoded content: the whole answer where the record keeps it (on a
    /// failure), else what a pass implies.
    pub content: String,
    /// An encoder's output, folded.
    pub output: String,
    pub digest: String,
}

/// Longest text of a field shown whole; longer ones are folded to their start,
/// with their length.
const SHOWN: usize = 160;

fn fold(s: &str) -> String {
    if s.chars().count() <= SHOWN {
        return s.to_owned();
    }
    let start: String = s.chars().take(SHOWN).collect();
    format!("{start}… ({} characters)", s.chars().count())
}

impl Answer {
    fn of(c: &Case) -> Option<Answer> {
        let o = c.observed.as_ref()?;
        let content = match (&o.content, c.status) {
            (Some(json), _) => fold(&json.to_string()),
            (None, Status::Pass) => {
                "as expected (the record keeps no copy of a passing answer)".into()
            }
            (None, _) => "not kept".into(),
        };
        Some(Answer {
            verdict: o.verdict.as_str().to_owned(),
            stage: o.stage.map_or_else(|| "-".into(), |s| s.to_string()),
            code: o.code.clone().unwrap_or_else(|| "-".into()),
            by: o
                .by
                .map_or_else(|| "-".into(), |b| format!("{b:?}").to_lowercase()),
            content,
            output: c.output.as_deref().map_or_else(|| "-".into(), fold),
            digest: o.digest.chars().take(16).collect(),
        })
    }

    fn rows(&self) -> [(&'static str, &str); 7] {
        [
            ("verdict", &self.verdict),
            ("stage", &self.stage),
            ("code", &self.code),
            ("by", &self.by),
            ("content", &self.content),
            ("output", &self.output),
            ("digest", &self.digest),
        ]
    }
}

/// The differences between two runs, each list in case order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Diff {
    /// Passed (or was absent) before, fails or errs now.
    pub newly_failing: Vec<Change>,
    /// Failed or erred before, passes now.
    pub newly_passing: Vec<Change>,
    /// Passed both times, but the answer differs (verdict details, decoded content,
    /// encoder output).
    pub changed_output: Vec<Change>,
    /// Failed (or erred) both times with the same status, but the answer differs:
    /// a release that fails differently is news too.
    pub changed_failure: Vec<Change>,
    /// Any other change of status (to or from skipped).
    pub other_status: Vec<Change>,
    /// Cases only in the new run, not failing.
    pub added: Vec<Change>,
    /// Cases only in the old run.
    pub removed: Vec<Change>,
}

impl Diff {
    /// Whether the new run regressed: a case fails that did not.
    #[must_use]
    pub fn regressed(&self) -> bool {
        !self.newly_failing.is_empty()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.newly_failing.is_empty()
            && self.newly_passing.is_empty()
            && self.changed_output.is_empty()
            && self.changed_failure.is_empty()
            && self.other_status.is_empty()
            && self.added.is_empty()
            && self.removed.is_empty()
    }
}

fn answer(c: &Case) -> Option<(&str, Option<&str>)> {
    c.observed
        .as_ref()
        .map(|o| o.digest.as_str())
        .map(|d| (d, c.output.as_deref()))
}

/// Compares `old` with `new`, case by case (by id).
#[must_use]
pub fn diff(old: &Report, new: &Report) -> Diff {
    let before: BTreeMap<&str, &Case> = old.cases.iter().map(|c| (c.id.as_str(), c)).collect();
    let mut d = Diff::default();
    let change = |o: Option<&Case>, n: &Case| Change {
        id: n.id.clone(),
        level: n.graded_at(),
        old: o.map(|c| c.status),
        new: Some(n.status),
        reason: n.reason.clone(),
        old_answer: o.and_then(Answer::of),
        new_answer: Answer::of(n),
    };
    for n in &new.cases {
        let o = before.get(n.id.as_str()).copied();
        match o {
            None if n.status.is_failure() => d.newly_failing.push(change(None, n)),
            None => d.added.push(change(None, n)),
            Some(o) => match (o.status, n.status) {
                (a, b) if a == b => {
                    if answer(o) != answer(n) {
                        if a == Status::Pass {
                            d.changed_output.push(change(Some(o), n));
                        } else if a.is_failure() {
                            d.changed_failure.push(change(Some(o), n));
                        }
                    }
                }
                (a, b) if b.is_failure() && !a.is_failure() => {
                    d.newly_failing.push(change(Some(o), n));
                }
                (a, Status::Pass) if a.is_failure() => d.newly_passing.push(change(Some(o), n)),
                // fail ↔ error, or to or from skip.
                _ => d.other_status.push(change(Some(o), n)),
            },
        }
    }
    let after: std::collections::BTreeSet<&str> = new.cases.iter().map(|c| c.id.as_str()).collect();
    for o in &old.cases {
        if !after.contains(o.id.as_str()) {
            d.removed.push(Change {
                id: o.id.clone(),
                level: o.graded_at(),
                old: Some(o.status),
                new: None,
                reason: o.reason.clone(),
                old_answer: Answer::of(o),
                new_answer: None,
            });
        }
    }
    d
}

/// The diff as text for a terminal or a CI log.
#[must_use]
pub fn render(d: &Diff, old: &str, new: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "c169 diff {old} → {new}");
    let status = |s: Option<Status>| s.map_or("absent", Status::as_str);
    let sections: [(&str, &Vec<Change>); 7] = [
        ("newly failing", &d.newly_failing),
        ("newly passing", &d.newly_passing),
        ("passing, but the answer changed", &d.changed_output),
        (
            "failing as before, but the answer changed",
            &d.changed_failure,
        ),
        ("other status changes", &d.other_status),
        ("added", &d.added),
        ("removed", &d.removed),
    ];
    for (title, list) in sections {
        let _ = writeln!(out, "\n{title}: {}", list.len());
        for c in list {
            let _ = writeln!(
                out,
                "  {:8} {} ({} → {}): {}",
                c.level,
                c.id,
                status(c.old),
                status(c.new),
                c.reason
            );
            side_by_side(&mut out, c);
        }
    }
    if d.is_empty() {
        out.push_str("\nno change\n");
    }
    out
}

/// The width of the old answer's column.
const WIDTH: usize = 44;

/// The old and the new answer of a changed case, field by field in two columns:
/// the verdict always, the other fields where the two differ.
fn side_by_side(out: &mut String, c: &Change) {
    let none = Answer {
        verdict: "(no answer)".into(),
        stage: "-".into(),
        code: "-".into(),
        by: "-".into(),
        content: "-".into(),
        output: "-".into(),
        digest: "-".into(),
    };
    if c.old_answer.is_none() && c.new_answer.is_none() {
        return;
    }
    let old = c.old_answer.as_ref().unwrap_or(&none);
    let new = c.new_answer.as_ref().unwrap_or(&none);
    let _ = writeln!(out, "           {:9} {:WIDTH$} │ new", "", "old");
    for ((field, a), (_, b)) in old.rows().iter().zip(new.rows().iter()) {
        if *field != "verdict" && a == b {
            continue;
        }
        let mark = if a == b { ' ' } else { '≠' };
        let (a_lines, b_lines) = (wrap(a, WIDTH), wrap(b, WIDTH));
        for i in 0..a_lines.len().max(b_lines.len()) {
            let left = a_lines.get(i).map_or("", String::as_str);
            let right = b_lines.get(i).map_or("", String::as_str);
            let label = if i == 0 { *field } else { "" };
            let m = if i == 0 { mark } else { ' ' };
            let _ = writeln!(out, "         {m} {label:9} {left:WIDTH$} │ {right}");
        }
    }
}

/// `s` cut into lines of at most `width` characters.
fn wrap(s: &str, width: usize) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    if chars.is_empty() {
        return vec![String::new()];
    }
    chars.chunks(width).map(|c| c.iter().collect()).collect()
}
