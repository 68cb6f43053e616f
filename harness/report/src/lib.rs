//! c169's conformance reports.
//!
//! A run is one stream of [`Event`]s: the run's facts, then one [`Case`] per vector
//! or scenario as it finishes. A [`Collector`] keeps them; [`Report::finish`] adds
//! what follows from the cases (summary, per-requirement verdicts, the gate). The
//! formats that write the finished record (JSON, JUnit XML, Cucumber JSON,
//! Markdown, HTML) are in `c169-formats`; [`publish`] swaps a set of files in as
//! one unit.
//!
//! Beside the record: [`expectations`] (known failures of an implementation),
//! [`diff`] (what changed between two runs), [`shard`] (a stable split of a run
//! and the merge of its parts).
//!
//! Not here: running cases, adapters, the codec. The crate sees the shared
//! vocabulary of `c169-model` and nothing else of c169.
//!
//! The record is typed: every verdict, status, level, stage and QR symbol fact is
//! an enum written as the name it always had, so a file that names one this c169
//! does not know is refused on reading, with the file and the field.

/// An enum of the record whose values are written as fixed names: each name
/// stated once, for serde (so an unknown name read back is an error naming the
/// field) and for `as_str` and `Display` alike.
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        $vis enum $name {
            $( $(#[$vmeta])* #[serde(rename = $text)] $variant, )+
        }

        impl $name {
            /// Every value, in the order declared.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The name the record writes.
            #[must_use]
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $text, )+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.pad(self.as_str())
            }
        }
    };
}

mod case;
pub mod coverage;
pub mod diff;
mod events;
pub mod exit;
pub mod expectations;
pub mod findings;
mod gate;
pub mod history;
pub mod matrix;
pub mod publish;
mod report;
pub mod shard;
mod summary;

pub use case::{
    digest_json, first_divergence, level_name, Case, CaseKind, Divergence, Expected,
    ExpectedVerdict, GradedAt, Known, KnownState, Observed, ObservedVerdict, Status, Step,
    StepStatus, SymbolFacts, LEVELS,
};
pub use coverage::{Coverage, CoverageRule};
pub use events::{Collector, Event, Sink, Ticker};
pub use gate::{FailOn, Gate, GateRule, ParseError, Profile, RunVerdict};
pub use publish::write_atomically;
pub use report::{ImplementationInfo, LoadError, Report, RunFacts, ShardId, Suite};
pub use summary::{Counts, RequirementInfo, RequirementStatus, RequirementVerdict, Summary};

/// The format tag of a report file; bumped on any incompatible change.
pub const FORMAT: &str = "c169-report/1";

/// The JSON Schema of a report file.
pub const SCHEMA: &str = include_str!("../report.schema.json");
