//! To be written: see issue 3.
