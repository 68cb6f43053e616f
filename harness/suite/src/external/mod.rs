//! External corpora: other sources' vectors, imported with their expectations
//! translated into the suite's vocabulary and their known errors corrected.

pub mod idpass;
pub mod spec;

use std::path::{Path, PathBuf};

/// Every file every import writes (path, bytes), under `root` (the vectors folder).
pub fn files(root: &Path) -> Result<Vec<(PathBuf, Vec<u8>)>, String> {
    let mut out = idpass::files(root).map_err(|e| e.to_string())?;
    out.extend(spec::files(root).map_err(|e| e.to_string())?);
    Ok(out)
}
