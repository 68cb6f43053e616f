//! The requirement catalogue (`features/requirements.yaml`): ids, levels, sources
//! and c169's statements of every requirement.

use c169_model::Level;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Which side a requirement binds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Binds {
    Encoder,
    Decoder,
    Both,
}

/// One requirement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    pub id: String,
    pub area: String,
    pub level: Level,
    pub binds: Binds,
    /// The one answer every test idea of the requirement expects, when they agree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expects: Option<c169_model::Verdict>,
    pub source: String,
    pub statement: String,
    pub checkable: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why_not_checkable: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ambiguities: Vec<String>,
    /// The normative sentence the requirement rests on (absent for DE-FACTO ones,
    /// which rest on observed behaviour).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<Quote>,
    /// Why no sentence can be quoted for a normative requirement (its tests then
    /// rest on the strict profile).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_text: Option<String>,
}

/// A sentence of a normative text, quoted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quote {
    pub document: String,
    pub section: String,
    /// Verbatim.
    pub quote: String,
    /// How it reads as the requirement, where that is not plain: a format
    /// definition read as MUST, a keyword in lower case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reading: Option<String>,
}

impl Requirement {
    /// The basis of an expectation resting on this requirement at `level`: its
    /// quoted sentence, or what is observed for a DE-FACTO requirement.
    #[must_use]
    pub fn basis(&self, level: Level) -> Option<c169_model::Basis> {
        if self.level == Level::DeFacto {
            return Some(c169_model::Basis::Observed(c169_model::ObservedBasis {
                source: format!("{} ({})", OBSERVED, self.source),
            }));
        }
        self.text.as_ref().map(|q| {
            // Where the sentence reads weaker than asked, the weaker level stands.
            let said = c169_model::keyword_level(&q.quote, &q.document);
            let (level, reading) = match said {
                Some(s) if s > level => (
                    s,
                    Some(format!(
                        "{}Graded at {}, the level of its sentence.",
                        q.reading
                            .as_ref()
                            .map(|r| format!("{r} "))
                            .unwrap_or_default(),
                        c169_report::level_name(s)
                    )),
                ),
                _ => (level, q.reading.clone()),
            };
            c169_model::Basis::Text(c169_model::TextBasis {
                document: q.document.clone(),
                section: q.section.clone(),
                quote: q.quote.clone(),
                level,
                reading,
            })
        })
    }
}

/// Where observed behaviour comes from.
pub const OBSERVED: &str = "idpass claim169-core 0.3.0";

#[derive(Debug, Clone, Deserialize)]
struct File {
    requirements: Vec<Requirement>,
}

/// Why the catalogue could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct CatalogueError {
    pub path: PathBuf,
    pub message: String,
}

/// The catalogue, in file order.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    pub requirements: Vec<Requirement>,
}

impl Catalogue {
    pub fn load(path: &Path) -> Result<Catalogue, CatalogueError> {
        let err = |message: String| CatalogueError {
            path: path.to_owned(),
            message,
        };
        let text = c169_model::bounded::read_to_string(path, c169_model::bounded::SOURCE_FILE)
            .map_err(|e| err(e.problem.to_string()))?;
        c169_model::deep::check_yaml(&text, serde_yaml_ng::Deserializer::from_str)
            .map_err(|e| err(e.to_string()))?;
        let file: File = serde_yaml_ng::from_str(&text).map_err(|e| err(e.to_string()))?;
        Ok(Catalogue {
            requirements: file.requirements,
        })
    }

    #[must_use]
    pub fn get(&self, id: &str) -> Option<&Requirement> {
        self.requirements.iter().find(|r| r.id == id)
    }
}
