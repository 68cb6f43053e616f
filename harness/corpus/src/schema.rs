//! The JSON Schema of the vector format (`vectors/schema/vector.schema.json`).

use std::path::Path;

/// A compiled vector schema.
#[derive(Debug)]
pub struct VectorSchema {
    validator: jsonschema::Validator,
}

impl VectorSchema {
    /// Loads and compiles `<root>/schema/vector.schema.json`.
    pub fn load(root: &Path) -> Result<VectorSchema, String> {
        let path = root.join("schema/vector.schema.json");
        let text = c169_model::bounded::read_to_string(&path, c169_model::bounded::SOURCE_FILE)
            .map_err(|e| e.to_string())?;
        let schema: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        Self::from_json(&schema).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Compiles a schema document.
    pub fn from_json(schema: &serde_json::Value) -> Result<VectorSchema, String> {
        jsonschema::validator_for(schema)
            .map(|validator| VectorSchema { validator })
            .map_err(|e| e.to_string())
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
