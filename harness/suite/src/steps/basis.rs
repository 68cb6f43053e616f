//! What a scenario is graded against, from its tags: its basis (`@profile`,
//! `@observed`, or its first requirement's sentence) and its level.

/// The tag that makes a scenario's basis the strict profile.
pub const PROFILE_TAG: &str = "profile";
/// The tag that makes a scenario's basis observed behaviour.
pub const OBSERVED_TAG: &str = "observed";

/// The kind of a scenario's basis, from its tags: `@profile`, `@observed`, or a
/// text (the sentence of its first requirement).
#[must_use]
pub fn basis_kind(tags: &[String]) -> c169_model::BasisKind {
    if tags.iter().any(|t| t == PROFILE_TAG) {
        c169_model::BasisKind::Profile
    } else if tags.iter().any(|t| t == OBSERVED_TAG) {
        c169_model::BasisKind::Observed
    } else {
        c169_model::BasisKind::Text
    }
}

/// A scenario's basis and level, from its tags: `@profile`, `@observed`, or the
/// sentence of its first requirement at its level tag.
pub(crate) fn scenario_basis(
    tags: &[String],
    catalogue: &c169_corpus::catalogue::Catalogue,
    name: &str,
) -> Result<(c169_model::Basis, Option<c169_model::Level>), String> {
    match basis_kind(tags) {
        c169_model::BasisKind::Profile => {
            return Ok((
                c169_model::Basis::Profile(c169_model::ProfileBasis {
                    row: name.to_owned(),
                }),
                None,
            ))
        }
        c169_model::BasisKind::Observed => {
            return Ok((
                c169_model::Basis::Observed(c169_model::ObservedBasis {
                    source: c169_corpus::catalogue::OBSERVED.to_owned(),
                }),
                None,
            ))
        }
        c169_model::BasisKind::Text => {}
    }
    let primary = tags
        .iter()
        .find(|t| t.starts_with("C169-"))
        .ok_or("the scenario names no requirement")?;
    let requirement = catalogue
        .get(primary)
        .ok_or_else(|| format!("requirement {primary} is not in features/requirements.yaml"))?;
    let level = level_tag(tags).unwrap_or(requirement.level);
    let basis = requirement
        .basis(level)
        .ok_or_else(|| format!("requirement {primary} has no quoted text"))?;
    let level = basis.level();
    Ok((basis, level))
}

/// The level a scenario's tags name.
#[must_use]
pub fn level_tag(tags: &[String]) -> Option<c169_model::Level> {
    use c169_model::Level;
    [
        ("must", Level::Must),
        ("should", Level::Should),
        ("may", Level::May),
    ]
    .into_iter()
    .find(|(t, _)| tags.iter().any(|x| x == t))
    .map(|(_, l)| l)
}
