//! The JSON Schema of the vector format (`vectors/schema/vector.schema.json`).

use std::path::{Path, PathBuf};

/// Why the vector schema could not be loaded or compiled.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("{0}")]
    Read(#[from] c169_model::bounded::ReadError),
    #[error("{}: {source}", .path.display())]
    Json {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("{}not a usable JSON Schema: {message}", .path.as_ref().map(|p| format!("{}: ", p.display())).unwrap_or_default())]
    Compile {
        path: Option<PathBuf>,
        message: String,
    },
}

/// A compiled vector schema.
#[derive(Debug)]
pub struct VectorSchema {
    validator: jsonschema::Validator,
}

impl VectorSchema {
    /// Loads and compiles `<root>/schema/vector.schema.json`.
    pub fn load(root: &Path) -> Result<VectorSchema, SchemaError> {
        let path = root.join("schema/vector.schema.json");
        let text = c169_model::bounded::read_to_string(&path, c169_model::bounded::SOURCE_FILE)?;
        let schema: serde_json::Value =
            serde_json::from_str(&text).map_err(|source| SchemaError::Json {
                path: path.clone(),
                source,
            })?;
        Self::from_json(&schema).map_err(|e| match e {
            SchemaError::Compile { message, .. } => SchemaError::Compile {
                path: Some(path),
                message,
            },
            other => other,
        })
    }

    /// Compiles a schema document.
    pub fn from_json(schema: &serde_json::Value) -> Result<VectorSchema, SchemaError> {
        jsonschema::validator_for(schema)
            .map(|validator| VectorSchema { validator })
            .map_err(|e| SchemaError::Compile {
                path: None,
                message: e.to_string(),
            })
    }

    /// Every way `vector` departs from the schema, as "at <pointer>: <what>".
    #[must_use]
    pub fn errors(&self, vector: &serde_json::Value) -> Vec<String> {
        self.validator
            .iter_errors(vector)
            .map(|e| {
                let at = e.instance_path().to_string();
                format!("at {}: {e}", if at.is_empty() { "/" } else { &at })
            })
            .collect()
    }
}
