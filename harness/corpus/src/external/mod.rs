//! External corpora: other sources' vectors, imported with their expectations
//! translated into the suite's vocabulary and their known errors corrected.

pub mod idpass;
pub mod spec;

use std::path::{Path, PathBuf};

/// Why the imports could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ExternalError {
    #[error(transparent)]
    Catalogue(#[from] crate::catalogue::CatalogueError),
    #[error(transparent)]
    Idpass(#[from] idpass::FilesError),
    #[error(transparent)]
    Spec(#[from] spec::SpecError),
}

/// Every file every import writes (path, bytes), under `root` (the vectors folder).
pub fn files(root: &Path) -> Result<Vec<(PathBuf, Vec<u8>)>, ExternalError> {
    let catalogue = crate::catalogue::Catalogue::load(&root.join("../features/requirements.yaml"))?;
    let mut out = idpass::files(root, &catalogue)?;
    out.extend(spec::files(root, &catalogue)?);
    Ok(out)
}

/// How an imported vector's expectation reads: the requirement it tests (default:
/// the first listed), how, and its basis when not that requirement's sentence.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grading {
    #[serde(default)]
    pub primary: Option<String>,
    #[serde(default)]
    pub how: Option<String>,
    #[serde(default)]
    pub basis: Option<crate::generate::spec::BasisSpec>,
    #[serde(default)]
    pub prefers: Option<c169_model::Verdict>,
    #[serde(default)]
    pub level: Option<c169_model::Level>,
}

impl Grading {
    /// The primary requirement, basis and level of a vector listing `requirements`
    /// and described as `description`.
    pub(crate) fn resolve(
        &self,
        catalogue: &crate::catalogue::Catalogue,
        requirements: &[String],
        description: &str,
    ) -> Result<
        (
            c169_model::Primary,
            c169_model::Basis,
            Option<c169_model::Level>,
        ),
        String,
    > {
        let primary =
            crate::generate::primary_of(catalogue, requirements, self.primary.as_deref())?;
        let (basis, level) =
            crate::generate::basis_for(catalogue, primary, self.basis.as_ref(), self.level)?;
        Ok((
            c169_model::Primary {
                id: primary.id.clone(),
                how: self.how.clone().unwrap_or_else(|| description.to_owned()),
            },
            basis,
            level,
        ))
    }
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
