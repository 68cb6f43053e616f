//! The corpus on disk: vector files and the test keys they name.

use c169_crypto::keys::{self, Key};
use c169_model::bounded::{self, Limit};
use c169_model::Vector;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Why the corpus could not be loaded: always names the file and what was expected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    #[error("{path}: cannot read: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A file that is not a regular file, too large, or not text.
    #[error(transparent)]
    Input(#[from] bounded::ReadError),
    #[error("{path}: at {field}: {message}")]
    Format {
        path: PathBuf,
        field: String,
        message: String,
    },
    #[error("{path}: field \"id\" is {id:?} but the file is named {stem:?}.json; they must agree")]
    IdMismatch {
        path: PathBuf,
        id: String,
        stem: String,
    },
    #[error("{path}: two vectors have id {id:?}; ids must be unique (the other is {other})")]
    DuplicateId {
        path: PathBuf,
        id: String,
        other: PathBuf,
    },
    #[error("{path}: not a usable JWK: {source}")]
    Key {
        path: PathBuf,
        #[source]
        source: keys::KeyError,
    },
    #[error(
        "{path}: field \"keys\" names key {name:?}, but there is no file keys/{name}.jwk.json"
    )]
    UnknownKey { path: PathBuf, name: String },
}

/// Vectors and keys, loaded and cross-checked.
#[derive(Debug, Default, Clone)]
pub struct Corpus {
    /// Vectors with the file each came from, in path order.
    pub vectors: Vec<(PathBuf, Vector)>,
    /// Keys that parse, by name.
    pub keys: BTreeMap<String, Key>,
    /// Every key file's JWK as written, by name (deliberately invalid ones included).
    pub jwks: BTreeMap<String, serde_json::Value>,
}

/// The JWK member that marks a key file as unusable on purpose, with the reason.
pub const DELIBERATELY_INVALID: &str = "c169_deliberately_invalid";

/// Folders under the vectors root that hold no vectors of the corpus (`fuzz-found`
/// holds candidates waiting for review).
pub const NOT_VECTORS: [&str; 5] = ["keys", "schema", "src", "original", FUZZ_FOUND];

/// The folder under the vectors root where `c169 fuzz` writes candidate vectors:
/// not part of the corpus, nor of its digest, until reviewed and moved.
pub const FUZZ_FOUND: &str = "fuzz-found";

/// The vector files under the vectors root, sorted: every `*.json` of an area
/// folder but those under [`NOT_VECTORS`]; files at the root (notes.json) are
/// not vectors.
pub fn vector_files(root: &Path) -> Result<Vec<PathBuf>, LoadError> {
    Ok(files(root, ".json")?
        .into_iter()
        .filter(|path| {
            path.parent().is_some_and(|p| p != root)
                && !path
                    .components()
                    .any(|c| NOT_VECTORS.iter().any(|n| c.as_os_str() == *n))
        })
        .collect())
}

impl Corpus {
    /// Loads every `*.json` under `root` (except keys/, schema/, src/ and any
    /// `original/` folder of an external corpus) and every key in `root/keys`.
    pub fn load(root: &Path) -> Result<Corpus, LoadError> {
        let mut corpus = Corpus::default();
        let keys_dir = root.join("keys");
        for path in files(&keys_dir, ".jwk.json")? {
            let text = read(&path, bounded::KEY_FILE)?;
            let json: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| format_error(&path, "(document)", &e.to_string()))?;
            let name = file_stem(&path, ".jwk.json");
            // A key made unusable on purpose (a weak key a decoder must refuse) is
            // kept as its JWK and handed to implementations as such.
            if json.get(DELIBERATELY_INVALID).is_none() {
                let key = keys::parse_jwk(&json).map_err(|source| LoadError::Key {
                    path: path.clone(),
                    source,
                })?;
                corpus.keys.insert(name.clone(), key);
            }
            corpus.jwks.insert(name, json);
        }
        let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
        for path in vector_files(root)? {
            let vector = parse_vector(&path, &read(&path, bounded::VECTOR_FILE)?)?;
            let stem = file_stem(&path, ".json");
            if vector.id != stem {
                return Err(LoadError::IdMismatch {
                    path,
                    id: vector.id,
                    stem,
                });
            }
            // A vector the rig cannot turn into a request would only ever be skipped:
            // it is a corpus error, never a silent skip.
            let requests = usize::from(vector.qr.is_some())
                + usize::from(vector.image.is_some())
                + usize::from(vector.encode.is_some());
            if requests != 1 {
                return Err(LoadError::Format {
                    path,
                    field: "qr, image, encode".to_owned(),
                    message: format!(
                        "expected exactly one of them (a text to decode, an image to scan and decode, or what to encode); found {requests}"
                    ),
                });
            }
            if let Some(other) = seen.get(&vector.id) {
                return Err(LoadError::DuplicateId {
                    path,
                    id: vector.id,
                    other: other.clone(),
                });
            }
            for name in vector.keys.verify.iter().chain(&vector.keys.decrypt) {
                if !corpus.jwks.contains_key(name) {
                    return Err(LoadError::UnknownKey {
                        path,
                        name: name.clone(),
                    });
                }
            }
            seen.insert(vector.id.clone(), path.clone());
            corpus.vectors.push((path, vector));
        }
        Ok(corpus)
    }

    /// The keys a vector names, resolved.
    #[must_use]
    pub fn keys_for(&self, names: &[String]) -> Vec<Key> {
        names
            .iter()
            .filter_map(|n| self.keys.get(n).cloned())
            .collect()
    }
}

/// Parses one vector file; errors name the field (JSON path) and what was expected.
pub fn parse_vector(path: &Path, text: &str) -> Result<Vector, LoadError> {
    // Expected content may nest deeper than serde_json reads by default.
    let depth = c169_model::deep::json_depth(text.as_bytes());
    if depth > c169_model::deep::MAX_JSON_DEPTH {
        return Err(format_error(
            path,
            "(document)",
            &format!(
                "nests {depth} levels deep; at most {} are read",
                c169_model::deep::MAX_JSON_DEPTH
            ),
        ));
    }
    let de = &mut serde_json::Deserializer::from_str(text);
    de.disable_recursion_limit();
    serde_path_to_error::deserialize(serde_stacker::Deserializer::new(de)).map_err(|e| {
        let field = e.path().to_string();
        format_error(path, &field, &e.into_inner().to_string())
    })
}

fn format_error(path: &Path, field: &str, message: &str) -> LoadError {
    LoadError::Format {
        path: path.to_owned(),
        field: field.to_owned(),
        message: message.to_owned(),
    }
}

fn read(path: &Path, limit: Limit) -> Result<String, LoadError> {
    Ok(bounded::read_to_string(path, limit)?)
}

fn file_stem(path: &Path, suffix: &str) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    name.strip_suffix(suffix).unwrap_or(&name).to_owned()
}

/// Every file under `dir` whose name ends with `suffix`, sorted; none if `dir` is absent.
pub fn files(dir: &Path, suffix: &str) -> Result<Vec<PathBuf>, LoadError> {
    let mut out = Vec::new();
    if !dir.exists() {
        return Ok(out);
    }
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|source| LoadError::Read {
            path: d.clone(),
            source,
        })?;
        for entry in entries {
            let entry = entry.map_err(|source| LoadError::Read {
                path: d.clone(),
                source,
            })?;
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().ends_with(suffix) {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Pretty JSON with a final newline: how every file of the corpus is written.
pub(crate) fn pretty<T: serde::Serialize>(v: &T) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(v).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}
