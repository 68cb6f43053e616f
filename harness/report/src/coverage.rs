//! How much of the suite applied to an implementation, and the rule that a verdict
//! on too little is no verdict.
//!
//! A case is applicable when the implementation was asked it: it answered (pass,
//! fail, departure) or could not (error). A skipped case was not applicable: the
//! implementation does not declare what it needs, or answered `unsupported`. A
//! report that says "conformant" says on how many cases, first.

use crate::{Case, Status};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The coverage of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    /// Cases the implementation was asked (every status but skip).
    pub applicable: usize,
    /// Every case of the run.
    pub total: usize,
    /// The skipped cases by reason, the most frequent first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_applicable: Vec<NotApplicable>,
}

/// Cases skipped for one reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotApplicable {
    /// Why, as the cases say it.
    pub reason: String,
    pub cases: usize,
}

/// How many reasons the one-line form names before counting the rest.
const NAMED: usize = 2;

impl Coverage {
    /// The coverage of `cases`.
    #[must_use]
    pub fn of(cases: &[Case]) -> Coverage {
        let mut by_reason: BTreeMap<&str, usize> = BTreeMap::new();
        let mut applicable = 0;
        for c in cases {
            if c.status == Status::Skip {
                *by_reason.entry(c.reason.as_str()).or_default() += 1;
            } else {
                applicable += 1;
            }
        }
        let mut not_applicable: Vec<NotApplicable> = by_reason
            .into_iter()
            .map(|(reason, cases)| NotApplicable {
                reason: reason.to_owned(),
                cases,
            })
            .collect();
        not_applicable.sort_by(|a, b| b.cases.cmp(&a.cases).then(a.reason.cmp(&b.reason)));
        Coverage {
            applicable,
            total: cases.len(),
            not_applicable,
        }
    }

    /// Cases skipped.
    #[must_use]
    pub fn skipped(&self) -> usize {
        self.total - self.applicable
    }

    /// The share of cases that applied, in whole percent, rounded down (so that
    /// 99.9 % never reads as 100).
    #[must_use]
    pub fn percent(&self) -> usize {
        (self.applicable * 100).checked_div(self.total).unwrap_or(0)
    }

    /// Whether at least `min` percent of the cases applied, compared exactly.
    #[must_use]
    pub fn reaches(&self, min: u8) -> bool {
        self.applicable * 100 >= usize::from(min) * self.total
    }

    /// "110 of 1,180 cases applicable (9%); 1,070 not applicable: 485 for …, 435
    /// for …, 150 for 4 other reasons".
    #[must_use]
    pub fn line(&self) -> String {
        if self.skipped() == 0 {
            return self.short();
        }
        let mut reasons: Vec<String> = self
            .not_applicable
            .iter()
            .take(NAMED)
            .map(|n| format!("{} {}", thousands(n.cases), short(&n.reason)))
            .collect();
        let rest: Vec<&NotApplicable> = self.not_applicable.iter().skip(NAMED).collect();
        match rest.as_slice() {
            [] => {}
            [one] => reasons.push(format!("{} {}", thousands(one.cases), short(&one.reason))),
            more => reasons.push(format!(
                "{} for {} other reasons",
                thousands(more.iter().map(|n| n.cases).sum()),
                more.len()
            )),
        }
        format!(
            "{}; {} not applicable: {}",
            self.short(),
            thousands(self.skipped()),
            reasons.join("; ")
        )
    }

    /// "110 of 1,180 cases applicable (9%)".
    #[must_use]
    pub fn short(&self) -> String {
        if self.skipped() == 0 {
            return format!("all {} cases applicable (100%)", thousands(self.total));
        }
        format!(
            "{} of {} cases applicable ({}%)",
            thousands(self.applicable),
            thousands(self.total),
            self.percent()
        )
    }
}

/// A skip reason without its `not run: ` lead, in parentheses after the count.
fn short(reason: &str) -> String {
    let r = reason.strip_prefix("not run: ").unwrap_or(reason);
    let r = r.strip_prefix("the implementation ").unwrap_or(r);
    if r.is_empty() {
        "(no reason given)".to_owned()
    } else {
        format!("({r})")
    }
}

/// 1180 as "1,180".
#[must_use]
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// The coverage the gate asks for: a share of applicable cases, capabilities that
/// must be declared.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverageRule {
    /// The least share of cases, in percent, that must apply (`--min-applicable`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_applicable: Option<u8>,
    /// Capabilities the implementation must declare (`--require`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub require: Vec<String>,
}

impl CoverageRule {
    /// Whether the rule asks nothing beyond the floor every run has (one case applies).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.min_applicable.is_none() && self.require.is_empty()
    }

    /// Why `coverage` and the `declared` capabilities fall short of the rule, one
    /// line each; empty when they do not. A run in which no case applied never
    /// passes, whatever the rule.
    #[must_use]
    pub fn shortfalls(
        &self,
        coverage: &Coverage,
        declared: Option<&BTreeSet<String>>,
    ) -> Vec<String> {
        let mut out = Vec::new();
        if coverage.total > 0 && coverage.applicable == 0 {
            out.push(format!(
                "no case applied: all {} selected cases were skipped, so nothing was tested",
                thousands(coverage.total)
            ));
        } else if let Some(min) = self.min_applicable {
            if !coverage.reaches(min) {
                out.push(format!(
                    "only {} of {} cases applied ({}%), below --min-applicable {min}%",
                    thousands(coverage.applicable),
                    thousands(coverage.total),
                    coverage.percent()
                ));
            }
        }
        for cap in &self.require {
            if !declared.is_some_and(|d| d.contains(cap)) {
                out.push(format!(
                    "--require {cap}: the implementation does not declare {cap:?} in its describe answer"
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn thousands_groups_by_three() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1180), "1,180");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    fn coverage(applicable: usize, skipped: &[(&str, usize)]) -> Coverage {
        Coverage {
            applicable,
            total: applicable + skipped.iter().map(|s| s.1).sum::<usize>(),
            not_applicable: skipped
                .iter()
                .map(|(r, n)| NotApplicable {
                    reason: (*r).to_owned(),
                    cases: *n,
                })
                .collect(),
        }
    }

    #[test]
    fn the_line_names_the_two_largest_reasons_and_counts_the_rest() {
        let c = coverage(
            110,
            &[
                (
                    "not run: the implementation does not declare capability \"verify\"",
                    900,
                ),
                (
                    "not run: the implementation does not declare capability \"EdDSA\"",
                    100,
                ),
                ("a", 40),
                ("b", 30),
            ],
        );
        assert_eq!(
            c.line(),
            "110 of 1,180 cases applicable (9%); 1,070 not applicable: 900 (does not declare capability \"verify\"); 100 (does not declare capability \"EdDSA\"); 70 for 2 other reasons"
        );
        assert_eq!(coverage(5, &[]).line(), "all 5 cases applicable (100%)");
    }

    #[test]
    fn the_share_is_rounded_down_and_compared_exactly() {
        let c = coverage(999, &[("x", 1)]);
        assert_eq!(c.percent(), 99);
        assert!(c.reaches(99));
        assert!(!c.reaches(100));
        assert!(coverage(1, &[("x", 1)]).reaches(50));
        assert!(!coverage(1, &[("x", 2)]).reaches(34));
    }

    #[test]
    fn shortfalls_name_the_flag_and_the_figures() {
        let none = CoverageRule::default();
        assert!(none.shortfalls(&coverage(1, &[("x", 99)]), None).is_empty());
        let all_skipped = none.shortfalls(&coverage(0, &[("x", 3)]), None);
        assert_eq!(all_skipped.len(), 1);
        assert!(
            all_skipped[0].starts_with("no case applied"),
            "{all_skipped:?}"
        );

        let rule = CoverageRule {
            min_applicable: Some(50),
            require: vec!["verify".into(), "encode".into()],
        };
        let declared: BTreeSet<String> = ["encode".to_owned()].into();
        let s = rule.shortfalls(&coverage(10, &[("x", 90)]), Some(&declared));
        assert_eq!(s.len(), 2, "{s:?}");
        assert!(s[0].contains("10 of 100 cases applied (10%), below --min-applicable 50%"));
        assert!(s[1].starts_with("--require verify"));
        assert!(rule
            .shortfalls(
                &coverage(50, &[("x", 50)]),
                Some(&["verify".to_owned(), "encode".to_owned()].into())
            )
            .is_empty());
    }
}
