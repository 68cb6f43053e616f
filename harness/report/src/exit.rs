//! The exit codes of every `c169` command: the one list.

/// Conformant (`run`), accepted (`decode`), done.
pub const CONFORMANT: u8 = 0;
/// The same code where no verdict is given: the command did what was asked.
pub const OK: u8 = CONFORMANT;
/// Failures at or above the gate, or too little coverage (`run`); rejected
/// (`decode`); a check that found a difference.
pub const FAILED: u8 = 1;
/// A usage or configuration error: a bad flag, an unreadable or malformed
/// input file, a run that selected no case.
pub const USAGE: u8 = 2;
/// The rig itself failed: an adapter broke, the report could not be written.
pub const RIG: u8 = 3;
/// Interrupted (Ctrl-C or SIGTERM); the report is partial.
pub const INTERRUPTED: u8 = 130;
