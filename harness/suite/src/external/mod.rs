//! External corpora: other projects' vectors, imported with their expectations
//! translated into the suite's vocabulary and their known errors corrected.

pub mod idpass;
