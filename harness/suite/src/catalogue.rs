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
    pub source: String,
    pub statement: String,
    pub checkable: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why_not_checkable: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ambiguities: Vec<String>,
}

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
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
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
