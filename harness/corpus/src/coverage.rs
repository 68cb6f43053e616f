//! Traceability: which vectors exercise each requirement of the catalogue, and
//! which requirements nothing exercises yet.

use crate::catalogue::{Binds, Catalogue, Requirement};
use crate::corpus::Corpus;
use c169_model::{Level, VerdictClass};
use serde::Serialize;

/// One vector that exercises a requirement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VectorRef {
    pub id: String,
    pub verdict: VerdictClass,
}

/// A requirement and what exercises it.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub requirement: Requirement,
    /// Vectors whose primary requirement it is: the ones that test it.
    pub vectors: Vec<VectorRef>,
    /// Scenarios whose primary requirement (first requirement tag) it is, as
    /// `feature: scenario (cases)`.
    pub scenarios: Vec<String>,
    /// Vectors and scenarios that touch it without testing it.
    pub secondary: usize,
}

impl Row {
    /// A requirement the suite must exercise: checkable, MUST or SHOULD.
    #[must_use]
    pub fn gated(&self) -> bool {
        self.requirement.checkable && matches!(self.requirement.level, Level::Must | Level::Should)
    }

    #[must_use]
    pub fn uncovered(&self) -> bool {
        self.vectors.is_empty() && self.scenarios.is_empty()
    }

    /// Whether the requirement binds decoders (alone or with encoders).
    #[must_use]
    pub fn binds_decoder(&self) -> bool {
        matches!(self.requirement.binds, Binds::Decoder | Binds::Both)
    }
}

/// Every requirement of the catalogue with the vectors and scenarios that name it,
/// in catalogue order.
#[must_use]
pub fn coverage(
    catalogue: &Catalogue,
    corpus: &Corpus,
    scenarios: &[crate::features::ScenarioInfo],
) -> Vec<Row> {
    let primary_tag =
        |s: &crate::features::ScenarioInfo| s.tags.iter().find(|t| t.starts_with("C169-")).cloned();
    catalogue
        .requirements
        .iter()
        .map(|r| Row {
            requirement: r.clone(),
            secondary: corpus
                .vectors
                .iter()
                .filter(|(_, v)| {
                    v.primary.id != r.id && v.requirements.iter().any(|q| q.id == r.id)
                })
                .count()
                + scenarios
                    .iter()
                    .filter(|s| {
                        primary_tag(s).as_deref() != Some(r.id.as_str())
                            && s.tags.iter().any(|t| t == &r.id)
                    })
                    .count(),
            vectors: corpus
                .vectors
                .iter()
                .filter(|(_, v)| v.primary.id == r.id)
                .map(|(_, v)| VectorRef {
                    id: v.id.clone(),
                    verdict: v.verdict,
                })
                .collect(),
            scenarios: scenarios
                .iter()
                .filter(|s| primary_tag(s).as_deref() == Some(r.id.as_str()))
                .map(|s| {
                    format!(
                        "{}: {} ({} case{})",
                        s.feature,
                        s.name,
                        s.cases,
                        if s.cases == 1 { "" } else { "s" }
                    )
                })
                .collect(),
        })
        .collect()
}

/// Requirement ids vectors name that the catalogue does not hold.
#[must_use]
pub fn unknown_ids(catalogue: &Catalogue, corpus: &Corpus) -> Vec<(String, String)> {
    corpus
        .vectors
        .iter()
        .flat_map(|(_, v)| {
            v.requirements
                .iter()
                .map(move |r| (v.id.clone(), r.id.clone()))
        })
        .filter(|(_, id)| catalogue.get(id).is_none())
        .collect()
}

/// Requirements whose only tests expect the opposite of what they say, or expect
/// nothing: one whose test ideas all ask for a rejection (the catalogue's
/// `expects`) tested only by `valid` vectors, one that asks for acceptance tested
/// only by `invalid` vectors, or a
/// MUST or SHOULD requirement whose every test is `acceptable` with no preferred
/// answer (no answer can fail it). Each with the reason.
#[must_use]
pub fn contradicted(catalogue: &Catalogue, corpus: &Corpus) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for r in &catalogue.requirements {
        let tests: Vec<&c169_model::Vector> = corpus
            .vectors
            .iter()
            .map(|(_, v)| v)
            .filter(|v| v.primary.id == r.id && v.encode.is_none())
            .collect();
        if tests.is_empty() {
            continue;
        }
        let asks_reject = r.expects == Some(c169_model::Verdict::Reject);
        let asks_accept = r.expects == Some(c169_model::Verdict::Accept);
        let all = |class: VerdictClass| tests.iter().all(|v| v.verdict == class);
        if asks_reject && all(VerdictClass::Valid) {
            out.push((
                r.id.clone(),
                "asks to reject; every vector testing it must be accepted".to_owned(),
            ));
        } else if asks_accept && all(VerdictClass::Invalid) {
            out.push((
                r.id.clone(),
                "asks to accept; every vector testing it must be rejected".to_owned(),
            ));
        } else if matches!(r.level, Level::Must | Level::Should)
            && tests.iter().all(|v| {
                v.verdict == VerdictClass::Acceptable && v.prefers.is_none() && v.expected.is_none()
            })
        {
            out.push((
                r.id.clone(),
                "every vector testing it accepts either answer and checks no content".to_owned(),
            ));
        }
    }
    out
}
