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

/// Requirement references for `ids`, with their levels from `levels`; the error
/// names the first id without a level.
pub(crate) fn requirement_refs(
    ids: &[String],
    levels: &std::collections::BTreeMap<String, c169_model::Level>,
) -> Result<Vec<c169_model::RequirementRef>, String> {
    ids.iter()
        .map(|id| {
            levels
                .get(id)
                .map(|level| c169_model::RequirementRef {
                    id: id.clone(),
                    level: *level,
                })
                .ok_or_else(|| id.clone())
        })
        .collect()
}
