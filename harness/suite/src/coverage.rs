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
    pub vectors: Vec<VectorRef>,
    /// Scenarios tagged with the requirement, as `feature: scenario (cases)`.
    pub scenarios: Vec<String>,
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
    catalogue
        .requirements
        .iter()
        .map(|r| Row {
            requirement: r.clone(),
            vectors: corpus
                .vectors
                .iter()
                .filter(|(_, v)| v.requirements.iter().any(|q| q.id == r.id))
                .map(|(_, v)| VectorRef {
                    id: v.id.clone(),
                    verdict: v.verdict,
                })
                .collect(),
            scenarios: scenarios
                .iter()
                .filter(|s| s.tags.iter().any(|t| t == &r.id))
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
