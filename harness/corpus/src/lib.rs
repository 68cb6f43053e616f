//! c169-corpus: everything that makes or loads what the suite runs — the golden
//! vectors and their keys, the feature files' index, the requirement catalogue,
//! the generator and its YAML sources, the importers of external corpora (idpass,
//! the specification's example) and the image corpus of QR symbols.
//!
//! Not here: asking an implementation anything or judging its answer (c169-suite),
//! how an implementation is reached (c169-adapter), rendering (c169-report).

#![forbid(unsafe_code)]

pub mod catalogue;
pub mod corpus;
pub mod coverage;
pub mod external;
pub mod features;
pub mod generate;
pub mod schema;
pub mod symbol;

pub use corpus::{Corpus, LoadError};
