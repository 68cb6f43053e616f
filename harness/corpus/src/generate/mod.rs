//! The generated corpus: YAML sources under `vectors/src/` expanded through the
//! reference encoder into vector files, test keys and the notes dictionary.
//!
//! Generation is deterministic: keys are derived from their names, IVs from the
//! vector ids, signatures are deterministic, JSON is written in a fixed order.
//! [`generate`] returns every file with its bytes; writing and checking them is
//! the caller's business.

mod encoding;
mod matrix;
mod record;
pub mod spec;

use crate::catalogue::Catalogue;
use c169_codec::crypto::{ContentAlgorithm, SignatureAlgorithm};
use c169_codec::keys::{Key, KeyMaterial, PrivateKey, SymmetricKey};
use c169_codec::{claim169, cwt, encode, EncodeRequest, EncryptSpec, SignSpec};
use c169_model::{
    from_canonical_json, to_canonical_json, Expected, Flag, Match, Primary, RequirementRef, Value,
    Vector, VectorKeys,
};
use encoding::{derived_bytes, hex_bytes, macro_value, options};
use matrix::{expand, kebab};
use record::{artefacts, claims_of, encode_case};
pub(crate) use record::{basis_for, primary_first, primary_of};
use serde_json::{json, Map, Value as Json};
use spec::{AreaSource, BasesSource, Family, FlagsSource, KeysSource};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Why generation failed: the source file, the family and what is wrong.
#[derive(Debug, thiserror::Error)]
#[error(
    "{}{}{}: {message}",
    file.display(),
    line.map(|n| format!(":{n}")).unwrap_or_default(),
    family.as_ref().map(|f| format!(" (family {f})")).unwrap_or_default()
)]
pub struct GenerateError {
    pub file: PathBuf,
    /// The line the family starts on, when the error is a family's.
    pub line: Option<usize>,
    pub family: Option<String>,
    pub message: String,
}

/// Why one family (given as JSON, as a scenario builds it) makes no vector.
#[derive(Debug, thiserror::Error)]
pub enum FamilyError {
    /// A field unknown, or of the wrong type.
    #[error("{0}")]
    Shape(#[from] serde_json::Error),
    /// The fields do not make a vector (a key, an algorithm, a requirement unknown…).
    #[error("{0}")]
    Invalid(String),
}

fn err(file: &Path, family: Option<&str>, message: impl Into<String>) -> GenerateError {
    GenerateError {
        file: file.to_owned(),
        line: None,
        family: family.map(str::to_owned),
        message: message.into(),
    }
}

/// The line (from 1) of the entry `id: {raw_id}` in a YAML source: where a
/// family's error is to be looked for, since a family is parsed after its matrix
/// is expanded, away from the YAML's own positions.
fn line_of(text: &str, raw_id: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            let l = l.strip_prefix("- ").unwrap_or(l).trim_start();
            l.strip_prefix("id:")
                .map(|v| v.trim().trim_matches(|c| c == '"' || c == '\''))
                .is_some_and(|v| v == raw_id)
        })
        .map(|i| i + 1)
}

/// What generation produces: files to write, and the areas it owns.
#[derive(Debug, Default)]
pub struct Output {
    pub files: Vec<(PathBuf, Vec<u8>)>,
    /// Folders under the vectors root whose every JSON file the generator writes.
    pub areas: BTreeSet<String>,
}

/// The label every derived key's seed starts with.
const KEY_SEED: &str = "c169 test key ";
const TEST_KEY_LABEL: &str =
    "TEST KEY of the c169 generated corpus, derived from its name; never use it outside tests";

fn read_yaml<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, GenerateError> {
    read_yaml_text(path).map(|(value, _)| value)
}

/// A YAML source and its text.
fn read_yaml_text<T: serde::de::DeserializeOwned>(
    path: &Path,
) -> Result<(T, String), GenerateError> {
    let text = c169_model::bounded::read_to_string(path, c169_model::bounded::SOURCE_FILE)
        .map_err(|e| err(path, None, e.problem.to_string()))?;
    c169_model::deep::check_yaml(&text, serde_yaml_ng::Deserializer::from_str)
        .map_err(|e| err(path, None, e.to_string()))?;
    let value = serde_yaml_ng::from_str(&text).map_err(|e| err(path, None, e.to_string()))?;
    Ok((value, text))
}

#[derive(Debug)]
struct Context {
    /// Names of the deliberately invalid keys.
    invalid: BTreeSet<String>,
    bases: BasesSource,
    signing: BTreeMap<String, Key>,
    content: BTreeMap<String, Key>,
    catalogue: Catalogue,
    checks: BTreeSet<String>,
    flags: BTreeSet<String>,
}

/// The generator's inputs, loaded once: to build one vector from a family
/// description, as the feature steps do for each scenario.
#[derive(Debug)]
pub struct Generator {
    ctx: Context,
}

impl Generator {
    /// Loads `root/src` (keys, bases, flags) and the catalogue.
    pub fn load(root: &Path, catalogue: &Catalogue) -> Result<Generator, GenerateError> {
        let (ctx, _) = context(root, catalogue)?;
        Ok(Generator { ctx })
    }

    /// The requirement catalogue it was loaded with.
    #[must_use]
    pub fn catalogue(&self) -> &Catalogue {
        &self.ctx.catalogue
    }

    /// Builds the vector a family describes (a family as `vectors/src/*.yaml` writes
    /// one, without a matrix).
    pub fn vector(&self, family: &Json) -> Result<Vector, FamilyError> {
        let mut family: Family = serde_json::from_value(family.clone())?;
        family.id = kebab(&family.id);
        self.ctx.vector(&family).map_err(FamilyError::Invalid)
    }
}

/// A file to write: its path and bytes.
type File = (PathBuf, Vec<u8>);

/// The context of generation and the files it writes besides vectors (keys, notes).
fn context(root: &Path, catalogue: &Catalogue) -> Result<(Context, Vec<File>), GenerateError> {
    let src = root.join("src");
    let keys: KeysSource = read_yaml(&src.join("keys.yaml"))?;
    let bases: BasesSource = read_yaml(&src.join("bases.yaml"))?;
    let flags: FlagsSource = read_yaml(&src.join("flags.yaml"))?;
    let mut files = Vec::new();
    let (signing, content, invalid) = keys_files(&keys, root, &src, &mut files)?;
    let notes = json!({"flags": flags.flags, "checks": flags.checks});
    files.push((root.join("notes.json"), crate::corpus::pretty(&notes)));
    let ctx = Context {
        invalid,
        bases,
        signing,
        content,
        catalogue: catalogue.clone(),
        checks: flags.checks.keys().cloned().collect(),
        flags: flags.flags.keys().cloned().collect(),
    };
    Ok((ctx, files))
}

/// Generates the corpus from `root/src` (root: the vectors folder).
pub fn generate(root: &Path, catalogue: &Catalogue) -> Result<Output, GenerateError> {
    let src = root.join("src");
    let (ctx, files) = context(root, catalogue)?;
    let mut out = Output {
        files,
        ..Output::default()
    };
    let mut areas: Vec<PathBuf> = std::fs::read_dir(&src)
        .map_err(|e| err(&src, None, e.to_string()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            p.extension().is_some_and(|x| x == "yaml")
                && !["keys.yaml", "bases.yaml", "flags.yaml", "images.yaml"]
                    .contains(&name.as_str())
        })
        .collect();
    areas.sort();
    let mut ids = BTreeMap::new();
    let mut made: BTreeMap<String, Vector> = BTreeMap::new();
    for path in areas {
        let (area, text): (AreaSource, String) = read_yaml_text(&path)?;
        out.areas.insert(area.area.clone());
        for raw in &area.families {
            let raw_id = raw.get("id").and_then(Json::as_str);
            let at = |e: GenerateError| GenerateError {
                line: raw_id.and_then(|id| line_of(&text, id)),
                ..e
            };
            for family in expand(raw).map_err(|m| at(err(&path, raw_id, m)))? {
                if let Some(other) = ids.insert(family.id.clone(), path.clone()) {
                    return Err(at(err(
                        &path,
                        Some(&family.id),
                        format!("id already used in {}", other.display()),
                    )));
                }
                let vector = ctx
                    .vector(&family)
                    .map_err(|m| at(err(&path, Some(&family.id), m)))?;
                out.files.push((
                    root.join(&area.area).join(format!("{}.json", vector.id)),
                    crate::corpus::pretty(&vector),
                ));
                made.insert(vector.id.clone(), vector);
            }
        }
    }
    let images_yaml = src.join("images.yaml");
    if images_yaml.exists() {
        let images: crate::symbol::ImagesSource = read_yaml(&images_yaml)?;
        let requirement = |id: &str| {
            ctx.catalogue
                .get(id)
                .map(|r| RequirementRef {
                    id: id.to_owned(),
                    level: r.level,
                })
                .ok_or_else(|| format!("requirement {id} is not in features/requirements.yaml"))
        };
        let clean_basis = ctx
            .catalogue
            .get("C169-QR-003")
            .and_then(|r| r.basis(r.level))
            .ok_or_else(|| err(&images_yaml, None, "C169-QR-003 has no quoted text"))?;
        out.files.extend(
            crate::symbol::image_files(root, &images, &made, &requirement, &clean_basis)
                .map_err(|m| err(&images_yaml, None, m))?,
        );
        out.areas.insert(crate::symbol::IMAGES_AREA.to_owned());
    }
    out.files.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// Signing keys, content keys, names of the deliberately invalid keys.
type KeySets = (
    BTreeMap<String, Key>,
    BTreeMap<String, Key>,
    BTreeSet<String>,
);

/// Derives the test keys of keys.yaml and adds their files; returns the signing
/// keys, the content keys and the names of the deliberately invalid ones.
fn keys_files(
    keys: &KeysSource,
    root: &Path,
    src: &Path,
    files: &mut Vec<(PathBuf, Vec<u8>)>,
) -> Result<KeySets, GenerateError> {
    let keys_yaml = src.join("keys.yaml");
    let unknown =
        |name: &str, alg: &str| err(&keys_yaml, None, format!("{name}: unknown algorithm {alg}"));
    let signing = derive_keys(&keys.signing, root, files, |name, alg| {
        let alg = SignatureAlgorithm::from_name(alg).ok_or_else(|| unknown(name, alg))?;
        Ok(KeyMaterial::Private(PrivateKey::derive(
            alg,
            format!("{KEY_SEED}{name}").as_bytes(),
        )))
    })?;
    let content = derive_keys(&keys.content, root, files, |name, alg| {
        let alg = ContentAlgorithm::from_name(alg).ok_or_else(|| unknown(name, alg))?;
        Ok(KeyMaterial::Symmetric(SymmetricKey::derive(
            alg,
            format!("{KEY_SEED}{name}").as_bytes(),
        )))
    })?;
    let mut invalid = BTreeSet::new();
    for (name, k) in &keys.invalid {
        let mut jwk = k.jwk.clone();
        if let Some(obj) = jwk.as_object_mut() {
            obj.insert(
                crate::corpus::DELIBERATELY_INVALID.into(),
                Json::String(k.why.clone()),
            );
            obj.insert("c169_test_key".into(), Json::String(TEST_KEY_LABEL.into()));
        }
        files.push((
            root.join("keys").join(format!("{name}.jwk.json")),
            crate::corpus::pretty(&jwk),
        ));
        invalid.insert(name.clone());
    }
    Ok((signing, content, invalid))
}

/// Derives each named key with `material`, its kid its name, and adds its file.
fn derive_keys(
    named: &BTreeMap<String, String>,
    root: &Path,
    files: &mut Vec<(PathBuf, Vec<u8>)>,
    material: impl Fn(&str, &str) -> Result<KeyMaterial, GenerateError>,
) -> Result<BTreeMap<String, Key>, GenerateError> {
    let mut out = BTreeMap::new();
    for (name, alg) in named {
        let mut key = Key::new(material(name, alg)?);
        key.kid = Some(name.as_bytes().to_vec());
        files.push((
            root.join("keys").join(format!("{name}.jwk.json")),
            crate::corpus::pretty(&labelled(&key)),
        ));
        out.insert(name.clone(), key);
    }
    Ok(out)
}

fn labelled(key: &Key) -> Json {
    let mut jwk = key.to_jwk(true);
    if let Some(obj) = jwk.as_object_mut() {
        obj.insert("c169_test_key".into(), Json::String(TEST_KEY_LABEL.into()));
    }
    jwk
}

impl Context {
    fn identity(&self, f: &Family) -> Result<Value, String> {
        if let Some(raw) = &f.claim169_raw {
            return from_canonical_json(&self.blobs(raw)?)
                .map_err(|e| format!("claim169_raw: {e}"));
        }
        let name = f.identity.as_deref().unwrap_or("minimal");
        let base = self
            .bases
            .identities
            .get(name)
            .ok_or_else(|| format!("identity {name:?} is not in bases.yaml"))?;
        let mut fields: Map<String, Json> = base
            .as_object()
            .cloned()
            .ok_or_else(|| format!("identity {name}: not a mapping"))?;
        for (k, v) in &f.with {
            if v.is_null() {
                fields.remove(k);
            } else {
                fields.insert(k.clone(), v.clone());
            }
        }
        let fields = self.blobs(&Json::Object(fields))?;
        claim169::from_identity_json(&fields).map_err(|e| format!("identity {name}: {e}"))
    }

    fn blobs(&self, v: &Json) -> Result<Json, String> {
        Ok(match v {
            Json::String(s) if s.starts_with("@zeros:") || s.starts_with("@ints:") => {
                macro_value(s)?
            }
            Json::String(s) => match s.strip_prefix("@blob:") {
                Some(name) => {
                    let blob = self
                        .bases
                        .blobs
                        .get(name)
                        .ok_or_else(|| format!("blob {name:?} is not in bases.yaml"))?;
                    let mut bytes = hex_bytes("blob prefix", &blob.prefix)?;
                    let rest = blob.length.saturating_sub(bytes.len());
                    bytes.extend(derived_bytes(&format!("c169 blob {name}"), rest));
                    Json::String(hex::encode(bytes))
                }
                None => v.clone(),
            },
            Json::Array(items) => Json::Array(
                items
                    .iter()
                    .map(|i| self.blobs(i))
                    .collect::<Result<_, _>>()?,
            ),
            Json::Object(m) => Json::Object(
                m.iter()
                    .map(|(k, v)| Ok((k.clone(), self.blobs(v)?)))
                    .collect::<Result<_, String>>()?,
            ),
            other => other.clone(),
        })
    }

    fn claims(&self, f: &Family) -> Result<Value, String> {
        if let Some(raw) = &f.cwt_raw {
            return from_canonical_json(raw).map_err(|e| format!("cwt_raw: {e}"));
        }
        let name = f.claims.as_deref().unwrap_or("default");
        let base = self
            .bases
            .claims
            .get(name)
            .ok_or_else(|| format!("claims {name:?} are not in bases.yaml"))?;
        let mut m = base
            .as_object()
            .cloned()
            .ok_or_else(|| format!("claims {name}: not a mapping"))?;
        let overrides = match &f.claims_with {
            Json::Null => Map::new(),
            Json::String(s) => {
                let name = s
                    .strip_prefix("@time:")
                    .ok_or_else(|| format!("claims_with {s:?}: a mapping, or \"@time:<name>\""))?;
                let t = self
                    .bases
                    .times
                    .get(name)
                    .ok_or_else(|| format!("time {name:?} is not in bases.yaml"))?;
                t.as_object()
                    .cloned()
                    .ok_or_else(|| format!("time {name}: not a mapping"))?
            }
            Json::Object(m) => m.clone(),
            _ => return Err("claims_with: a mapping of claims".into()),
        };
        for (k, v) in &overrides {
            if v.is_null() {
                m.remove(k);
            } else {
                m.insert(k.clone(), v.clone());
            }
        }
        cwt::from_claims_json(&Json::Object(m)).map_err(|e| e.to_string())
    }

    fn kid(f: &Family, key_name: &str) -> Result<Option<Vec<u8>>, String> {
        match &f.kid {
            // YAML null reads as absent here: leave a kid out with `kid_placement: omit`.
            None | Some(Json::Null) => Ok(Some(key_name.as_bytes().to_vec())),
            Some(Json::String(s)) => Ok(Some(s.as_bytes().to_vec())),
            Some(other) => match from_canonical_json(other).map_err(|e| e.to_string())? {
                Value::Bytes(b) => Ok(Some(b)),
                _ => Err("kid: text, or {\"bstr\": hex}".into()),
            },
        }
    }

    fn sign_spec(&self, f: &Family, name: &str) -> Result<Option<SignSpec>, String> {
        if name == "none" {
            return Ok(None);
        }
        let key = self
            .signing
            .get(name)
            .ok_or_else(|| format!("signing key {name:?} is not in keys.yaml"))?;
        let alg = f
            .sign_alg
            .as_ref()
            .map(|a| {
                SignatureAlgorithm::from_name(a).ok_or_else(|| format!("sign_alg {a:?}: unknown"))
            })
            .transpose()?;
        Ok(Some(SignSpec {
            key: key.clone(),
            alg,
            kid: Self::kid(f, name)?,
        }))
    }

    fn encrypt_spec(&self, f: &Family) -> Result<Option<EncryptSpec>, String> {
        let Some(name) = &f.encrypt else {
            return Ok(None);
        };
        let key = self
            .content
            .get(name)
            .ok_or_else(|| format!("content key {name:?} is not in keys.yaml"))?;
        let iv = match &f.iv {
            // An encoder vector that leaves the IV to the implementation.
            Some(h) if h == "fresh" => Vec::new(),
            Some(h) => hex_bytes("iv", h)?,
            None => derived_bytes(&format!("c169 iv {}", f.id), 12),
        };
        Ok(Some(EncryptSpec {
            key: key.clone(),
            alg: None,
            iv,
        }))
    }

    /// The parts of a vector that do not depend on encoding: id, requirements, verdict.
    fn header(&self, f: &Family) -> Result<Vector, String> {
        let requirements = f
            .requirements
            .iter()
            .map(|id| {
                self.catalogue
                    .get(id)
                    .map(|r| RequirementRef {
                        id: id.clone(),
                        level: r.level,
                    })
                    .ok_or_else(|| format!("requirement {id} is not in features/requirements.yaml"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if requirements.is_empty() {
            return Err("a vector names at least one requirement".into());
        }
        let primary = primary_of(&self.catalogue, &f.requirements, f.primary.as_deref())?;
        let primary_id = primary.id.clone();
        let requirements = primary_first(requirements, &primary_id);
        let (basis, level) = basis_for(&self.catalogue, primary, f.basis.as_ref(), f.level)?;
        if f.prefers.is_some() && f.verdict != c169_model::VerdictClass::Acceptable {
            return Err("`prefers` is for an acceptable vector only".into());
        }
        if let Some(flag) = f.flags.iter().find(|flag| !self.flags.contains(*flag)) {
            return Err(format!("flag {flag:?} is not explained in flags.yaml"));
        }
        if (f.verdict == c169_model::VerdictClass::Invalid) != f.stage.is_some() {
            return Err("an invalid vector names the stage that must reject it, and only an invalid one does".into());
        }
        Ok(Vector {
            id: f.id.clone(),
            description: f.description.clone(),
            source: None,
            primary: Primary {
                id: primary_id,
                how: f.how.clone().unwrap_or_else(|| f.description.clone()),
            },
            requirements,
            basis,
            level,
            verdict: f.verdict,
            prefers: f.prefers,
            stage: f.stage,
            flags: f.flags.iter().map(|s| Flag::parse(s)).collect(),
            capabilities: f.capabilities.clone(),
            now: f.now.unwrap_or(self.bases.now),
            keys: VectorKeys::default(),
            qr: None,
            qr_fit: None,
            image: None,
            expected: None,
            notes: f.notes.clone(),
            artefacts: None,
            encode: None,
        })
    }

    /// What a decoder must declare to run a vector: `verify` and the signature
    /// algorithm when it is given keys to verify with, `decrypt` and the content
    /// algorithm when given keys to decrypt with, `decode_unverified` when it comes
    /// with no key to verify with; plus what the family names. A vector rejected at
    /// base45 or zlib needs nothing.
    fn capabilities(&self, f: &Family, keys: &VectorKeys) -> Vec<String> {
        let mut caps: BTreeSet<String> = f.capabilities.iter().cloned().collect();
        // Rejected before any COSE is read: any decoder can run it, keys or not.
        if matches!(
            f.stage,
            Some(c169_model::Stage::Base45 | c169_model::Stage::Zlib)
        ) {
            return caps.into_iter().collect();
        }
        if keys.verify.is_empty() {
            caps.insert("decode_unverified".into());
        } else {
            caps.insert("verify".into());
            for k in &keys.verify {
                if let Some(alg) = self.signing.get(k).and_then(Key::signature_algorithm) {
                    caps.insert(alg.name().into());
                }
            }
        }
        if !keys.decrypt.is_empty() || f.encrypt.is_some() {
            caps.insert("decrypt".into());
            for k in keys.decrypt.iter().chain(&f.encrypt) {
                if let Some(alg) = self.content.get(k).and_then(Key::content_algorithm) {
                    caps.insert(alg.name().into());
                }
            }
        }
        caps.into_iter().collect()
    }

    fn vector(&self, f: &Family) -> Result<Vector, String> {
        let claim169 = self.identity(f)?;
        let cwt = self.claims(f)?;
        let sign_name = f.sign.clone().unwrap_or_else(|| "ed25519-a".into());
        let sign = self.sign_spec(f, &sign_name)?;
        let encrypt = self.encrypt_spec(f)?;
        let mut vector = self.header(f)?;
        if let Some(checks) = &f.encoder_checks {
            if let Some(c) = checks.iter().find(|c| !self.checks.contains(*c)) {
                return Err(format!("check {c:?} is not explained in flags.yaml"));
            }
            let sign = sign
                .as_ref()
                .ok_or("an encoder vector needs a signing key")?;
            let mut caps: BTreeSet<String> = f.capabilities.iter().cloned().collect();
            caps.insert("encode".into());
            caps.extend(sign.key.signature_algorithm().map(|a| a.name().to_owned()));
            caps.extend(
                encrypt
                    .as_ref()
                    .and_then(|e| e.key.content_algorithm())
                    .map(|a| a.name().to_owned()),
            );
            vector.capabilities = caps.into_iter().collect();
            vector.encode = Some(encode_case(
                &claim169,
                &cwt,
                sign,
                &sign_name,
                encrypt.as_ref().zip(f.encrypt.as_deref()),
                checks,
            ));
            if let Some(case) = vector.encode.as_mut() {
                case.ec_level = f.ec_level;
            }
            return Ok(vector);
        }
        let request = EncodeRequest {
            claim169: claim169.clone(),
            cwt: cwt.clone(),
            sign,
            encrypt,
            options: options(&f.options, &f.tamper)?,
        };
        let encoded =
            encode(&request).map_err(|e| format!("the reference encoder refused: {e}"))?;
        let default_verify = if sign_name == "none" {
            Vec::new()
        } else {
            vec![sign_name.clone()]
        };
        vector.keys = VectorKeys {
            verify: f.verify.clone().unwrap_or(default_verify),
            decrypt: f
                .decrypt
                .clone()
                .unwrap_or_else(|| f.encrypt.iter().cloned().collect()),
        };
        if let Some(name) = vector
            .keys
            .verify
            .iter()
            .chain(&vector.keys.decrypt)
            .find(|n| {
                !self.signing.contains_key(*n)
                    && !self.content.contains_key(*n)
                    && !self.invalid.contains(*n)
            })
        {
            return Err(format!("key {name:?} is not in keys.yaml"));
        }
        vector.capabilities = self.capabilities(f, &vector.keys);
        vector.artefacts = Some(artefacts(&encoded, &claim169));
        vector.qr_fit = Some(crate::symbol::fit(&encoded.text));
        vector.qr = Some(encoded.text);
        if f.verdict != c169_model::VerdictClass::Invalid {
            // A payload replaced by a tamper holds other claims than the ones encoded:
            // an accepting decoder returns what the payload holds.
            let (claim169, cwt) = if f
                .tamper
                .iter()
                .any(|t| t.at == c169_codec::encode::Point::Payload)
            {
                claims_of(&encoded.payload).unwrap_or((claim169, cwt))
            } else {
                (claim169, cwt)
            };
            vector.expected = Some(Expected {
                claim169: Some(to_canonical_json(&claim169)),
                cwt: Some(to_canonical_json(&cwt)),
                match_: if f.subset {
                    Match::Subset
                } else {
                    Match::Exact
                },
            });
        }
        Ok(vector)
    }
}
