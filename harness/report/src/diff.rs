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
    };
    for n in &new.cases {
        let o = before.get(n.id.as_str()).copied();
        match o {
            None if n.status.is_failure() => d.newly_failing.push(change(None, n)),
            None => d.added.push(change(None, n)),
            Some(o) => match (o.status, n.status) {
                (a, b) if a == b => {
                    if a == Status::Pass && answer(o) != answer(n) {
                        d.changed_output.push(change(Some(o), n));
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
    let sections: [(&str, &Vec<Change>); 6] = [
        ("newly failing", &d.newly_failing),
        ("newly passing", &d.newly_passing),
        ("passing, but the answer changed", &d.changed_output),
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
        }
    }
    if d.is_empty() {
        out.push_str("\nno change\n");
    }
    out
}
