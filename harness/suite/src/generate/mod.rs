//! The generated corpus: YAML sources under `vectors/src/` expanded through the
//! reference encoder into vector files, test keys and the notes dictionary.
//!
//! Generation is deterministic: keys are derived from their names, IVs from the
//! vector ids, signatures are deterministic, JSON is written in a fixed order.
//! [`generate`] returns every file with its bytes; writing and checking them is
//! the caller's business.

pub mod spec;

use crate::catalogue::Catalogue;
use c169_codec::cbor::{KeyOrder, WriteStyle};
use c169_codec::encode::{Edit, Layering, Placement, Point, SignatureFormat, Tags, Tamper};
use c169_codec::{
    claim169, cwt, encode, zlib, EncodeOptions, EncodeRequest, EncryptSpec, SignSpec,
};
use c169_crypto::crypto::{ContentAlgorithm, SignatureAlgorithm};
use c169_crypto::keys::{Key, KeyMaterial, PrivateKey, SymmetricKey};
use c169_model::{
    from_canonical_json, to_canonical_json, Artefacts, Basis, Elided, EncodeCase, EncodeKey,
    Expected, Flag, Level, Match, ObservedBasis, Primary, ProfileBasis, RequirementRef, Value,
    Vector, VectorKeys,
};
use serde_json::{json, Map, Value as Json};
use sha2::{Digest, Sha256};
use spec::{
    AreaSource, BasesSource, BasisSpec, Family, FlagsSource, KeysSource, Options, TamperSpec,
};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Why generation failed: the source file, the family and what is wrong.
#[derive(Debug, thiserror::Error)]
#[error("{file}{}: {message}", family.as_ref().map(|f| format!(" (family {f})")).unwrap_or_default())]
pub struct GenerateError {
    pub file: PathBuf,
    pub family: Option<String>,
    pub message: String,
}

fn err(file: &Path, family: Option<&str>, message: impl Into<String>) -> GenerateError {
    GenerateError {
        file: file.to_owned(),
        family: family.map(str::to_owned),
        message: message.into(),
    }
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
    let text = c169_model::bounded::read_to_string(path, c169_model::bounded::SOURCE_FILE)
        .map_err(|e| err(path, None, e.problem.to_string()))?;
    c169_model::deep::check_yaml(&text, serde_yaml_ng::Deserializer::from_str)
        .map_err(|e| err(path, None, e.to_string()))?;
    serde_yaml_ng::from_str(&text).map_err(|e| err(path, None, e.to_string()))
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

    /// Builds the vector a family describes (a family as `vectors/src/*.yaml` writes
    /// one, without a matrix).
    /// The requirement catalogue it was loaded with.
    #[must_use]
    pub fn catalogue(&self) -> &Catalogue {
        &self.ctx.catalogue
    }

    pub fn vector(&self, family: &Json) -> Result<Vector, String> {
        let mut family: Family =
            serde_json::from_value(family.clone()).map_err(|e| e.to_string())?;
        family.id = kebab(&family.id);
        self.ctx.vector(&family)
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
        let area: AreaSource = read_yaml(&path)?;
        out.areas.insert(area.area.clone());
        for raw in &area.families {
            for family in
                expand(raw).map_err(|m| err(&path, raw.get("id").and_then(Json::as_str), m))?
            {
                if let Some(other) = ids.insert(family.id.clone(), path.clone()) {
                    return Err(err(
                        &path,
                        Some(&family.id),
                        format!("id already used in {}", other.display()),
                    ));
                }
                let vector = ctx
                    .vector(&family)
                    .map_err(|m| err(&path, Some(&family.id), m))?;
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

/// Expands a family over its matrix: one family per combination, `{name}` replaced.
fn expand(raw: &Json) -> Result<Vec<Family>, String> {
    // `matrix` is either a mapping of variables to values (every combination) or a
    // list of rows, each a mapping of variables to one value.
    let combos: Vec<BTreeMap<String, Json>> = match raw.get("matrix") {
        None => vec![BTreeMap::new()],
        Some(Json::Array(rows)) => rows
            .iter()
            .map(|r| serde_json::from_value(r.clone()).map_err(|e| format!("matrix row: {e}")))
            .collect::<Result<_, _>>()?,
        Some(m) => {
            let matrix: BTreeMap<String, Vec<Json>> =
                serde_json::from_value(m.clone()).map_err(|e| format!("matrix: {e}"))?;
            let mut combos: Vec<BTreeMap<String, Json>> = vec![BTreeMap::new()];
            for (name, values) in &matrix {
                if values.is_empty() {
                    return Err(format!("matrix variable {name} has no values"));
                }
                combos = combos
                    .into_iter()
                    .flat_map(|c| {
                        values.iter().map(move |v| {
                            let mut c = c.clone();
                            c.insert(name.clone(), v.clone());
                            c
                        })
                    })
                    .collect();
            }
            combos
        }
    };
    let mut body = raw.clone();
    if let Some(obj) = body.as_object_mut() {
        obj.remove("matrix");
    }
    combos
        .iter()
        .map(|vars| {
            let mut family: Family =
                serde_json::from_value(substitute(&body, vars)).map_err(|e| e.to_string())?;
            family.id = kebab(&family.id);
            Ok(family)
        })
        .collect()
}

/// Ids are lowercase kebab-case: a camelCase value (an attribute name) becomes `camel-case`.
fn kebab(id: &str) -> String {
    let mut out = String::with_capacity(id.len() + 4);
    for c in id.chars() {
        if c.is_ascii_uppercase() {
            if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn shown(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn substitute(v: &Json, vars: &BTreeMap<String, Json>) -> Json {
    match v {
        Json::String(s) => {
            for (name, value) in vars {
                if s == &format!("{{{name}}}") {
                    return value.clone();
                }
            }
            let mut s = s.clone();
            for (name, value) in vars {
                s = s.replace(&format!("{{{name}}}"), &shown(value));
            }
            Json::String(s)
        }
        Json::Array(items) => Json::Array(items.iter().map(|i| substitute(i, vars)).collect()),
        Json::Object(m) => Json::Object(
            m.iter()
                .map(|(k, v)| {
                    let key = substitute(&Json::String(k.clone()), vars);
                    (shown(&key), substitute(v, vars))
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Deterministic bytes: SHA-256 in counter mode over a label.
fn derived_bytes(label: &str, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 32);
    let mut counter = 0u32;
    while out.len() < len {
        let mut h = Sha256::new();
        h.update(label.as_bytes());
        h.update(counter.to_be_bytes());
        out.extend_from_slice(&h.finalize());
        counter += 1;
    }
    out.truncate(len);
    out
}

fn placement(s: &str) -> Result<Placement, String> {
    match s {
        "protected" => Ok(Placement::Protected),
        "unprotected" => Ok(Placement::Unprotected),
        "both" => Ok(Placement::Both),
        "omit" => Ok(Placement::Omit),
        other => Err(format!(
            "placement {other:?}: expected protected, unprotected, both or omit"
        )),
    }
}

fn pairs(list: &[(Json, Json)]) -> Result<Vec<(Value, Value)>, String> {
    list.iter()
        .map(|(k, v)| {
            Ok((
                from_canonical_json(k).map_err(|e| e.to_string())?,
                from_canonical_json(v).map_err(|e| e.to_string())?,
            ))
        })
        .collect()
}

/// Hex bytes, or a macro: `@zeros:N` (N zero bytes), `@nest:N` (a claims map whose
/// claim 169 holds a value nested N arrays deep).
fn hex_bytes(what: &str, h: &str) -> Result<Vec<u8>, String> {
    if let Some(n) = h.strip_prefix("@zeros:") {
        return Ok(vec![0; count(n)?]);
    }
    if let Some(n) = h.strip_prefix("@nest:") {
        // {169: {4: "Nest", 90: [[[…0…]]]}}
        let mut out = hex::decode("a118a9a204644e657374185a").map_err(|e| e.to_string())?;
        out.extend(std::iter::repeat_n(0x81, count(n)?));
        out.push(0x00);
        return Ok(out);
    }
    hex::decode(h).map_err(|e| format!("{what}: not hex: {e}"))
}

fn count(n: &str) -> Result<usize, String> {
    n.parse().map_err(|_| format!("{n:?} is not a count"))
}

/// A JSON value macro: `@zeros:N` (hex of N zero bytes), `@ints:N` (an array of N small integers).
fn macro_value(s: &str) -> Result<Json, String> {
    if let Some(n) = s.strip_prefix("@zeros:") {
        return Ok(Json::String("00".repeat(count(n)?)));
    }
    if let Some(n) = s.strip_prefix("@ints:") {
        return Ok(Json::Array(
            (0..count(n)?).map(|i| Json::from(i % 24)).collect(),
        ));
    }
    Err(format!("unknown macro {s:?}"))
}

fn placement_or(p: Option<&String>, default: Placement) -> Result<Placement, String> {
    p.map_or(Ok(default), |p| placement(p))
}

fn value_of(v: Option<&Json>) -> Result<Option<Value>, String> {
    v.map(|v| from_canonical_json(v).map_err(|e| e.to_string()))
        .transpose()
}

fn options(o: &Options, tamper: &[TamperSpec]) -> Result<EncodeOptions, String> {
    let key_order = match o.key_order.as_deref() {
        None | Some("as_given") => KeyOrder::AsGiven,
        Some("deterministic") => KeyOrder::Deterministic,
        Some("reversed") => KeyOrder::Reversed,
        Some(other) => {
            return Err(format!(
                "key_order {other:?}: expected as_given, deterministic or reversed"
            ))
        }
    };
    let tags = match o.tags.as_deref() {
        None | Some("cose") => Tags::Cose,
        Some("cwt_and_cose") => Tags::CwtAndCose,
        Some("none") => Tags::None,
        Some(other) => {
            return Err(format!(
                "tags {other:?}: expected cose, cwt_and_cose or none"
            ))
        }
    };
    let signature_format = match o.signature_format.as_deref() {
        None | Some("raw") => SignatureFormat::Raw,
        Some("der") => SignatureFormat::Der,
        Some(other) => return Err(format!("signature_format {other:?}: expected raw or der")),
    };
    let layering = match o.layering.as_deref() {
        None | Some("sign_then_encrypt") => Layering::SignThenEncrypt,
        Some("encrypt_then_sign") => Layering::EncryptThenSign,
        Some("encrypt_only") => Layering::EncryptOnly,
        Some(other) => {
            return Err(format!(
                "layering {other:?}: expected sign_then_encrypt, encrypt_then_sign or encrypt_only"
            ))
        }
    };
    Ok(EncodeOptions {
        claims_style: WriteStyle {
            indefinite: o.indefinite.unwrap_or(false),
            key_order,
        },
        claim169_as_bytes: o.claim169_as_bytes.unwrap_or(false),
        tags,
        untagged_inner: o.untagged_inner.unwrap_or(false),
        alg_placement: placement_or(o.alg_placement.as_ref(), Placement::Protected)?,
        alg_value: value_of(o.alg_value.as_ref())?,
        kid_placement: placement_or(o.kid_placement.as_ref(), Placement::Protected)?,
        empty_protected_as_map: o.empty_protected_as_map.unwrap_or(false),
        extra_protected: pairs(o.extra_protected.as_deref().unwrap_or_default())?,
        extra_unprotected: pairs(o.extra_unprotected.as_deref().unwrap_or_default())?,
        signature_format,
        detach_payload: o.detach_payload.unwrap_or(false),
        layering,
        enc_alg_placement: placement_or(o.enc_alg_placement.as_ref(), Placement::Protected)?,
        iv_placement: o.iv_placement.as_ref().map(|p| placement(p)).transpose()?,
        extra_enc_protected: pairs(o.extra_enc_protected.as_deref().unwrap_or_default())?,
        extra_enc_unprotected: pairs(o.extra_enc_unprotected.as_deref().unwrap_or_default())?,
        no_compression: o.no_compression.unwrap_or(false),
        zlib: zlib::ZlibOptions {
            level: o.zlib_level.unwrap_or(6),
            window_bits: o.zlib_window_bits.unwrap_or(15),
            header: zlib::HeaderOverride {
                cm: o.zlib_cm,
                cinfo: o.zlib_cinfo,
                fdict: o.zlib_fdict.unwrap_or(false),
                flevel: o.zlib_flevel,
                break_check: o.zlib_break_check.unwrap_or(false),
            },
        },
        tamper: tamper.iter().map(tamper_of).collect::<Result<_, _>>()?,
    })
}

fn tamper_of(t: &TamperSpec) -> Result<Tamper, String> {
    let at = match t.at.as_str() {
        "payload" => Point::Payload,
        "signed_payload" => Point::SignedPayload,
        "signed_protected" => Point::SignedProtected,
        "signature" => Point::Signature,
        "sign1" => Point::Sign1,
        "ciphertext" => Point::Ciphertext,
        "cose" => Point::Cose,
        "zlib" => Point::Zlib,
        "text" => Point::Text,
        other => return Err(format!("tamper at {other:?}: not a point of the pipeline")),
    };
    let mut edits = Vec::new();
    if let Some(h) = &t.append {
        edits.push(Edit::Append(hex_bytes("append", h)?));
    }
    if let Some(h) = &t.prepend {
        edits.push(Edit::Prepend(hex_bytes("prepend", h)?));
    }
    if let Some(s) = &t.prepend_text {
        edits.push(Edit::Prepend(s.as_bytes().to_vec()));
    }
    if let Some(s) = &t.append_text {
        edits.push(Edit::Append(s.as_bytes().to_vec()));
    }
    if let Some(n) = t.truncate {
        edits.push(Edit::Truncate(n));
    }
    if let Some(n) = t.skip {
        edits.push(Edit::Skip(n));
    }
    if t.lowercase {
        edits.push(Edit::Lowercase);
    }
    if let Some((offset, mask)) = t.xor {
        edits.push(Edit::Xor { offset, mask });
    }
    if let Some((offset, h)) = &t.overwrite {
        edits.push(Edit::Overwrite {
            offset: *offset,
            bytes: hex_bytes("overwrite", h)?,
        });
    }
    if let Some((offset, s)) = &t.overwrite_text {
        edits.push(Edit::Overwrite {
            offset: *offset,
            bytes: s.as_bytes().to_vec(),
        });
    }
    if let Some(h) = &t.replace {
        edits.push(Edit::Replace(hex_bytes("replace", h)?));
    }
    if let Some(s) = &t.replace_text {
        edits.push(Edit::Replace(s.as_bytes().to_vec()));
    }
    match edits.len() {
        1 => Ok(Tamper {
            at,
            edit: edits.remove(0),
        }),
        n => Err(format!(
            "a tamper entry takes exactly one edit; this one has {n}"
        )),
    }
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
        cwt::from_claims_json(&Json::Object(m))
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
            if let Some(level) = f.ec_level.as_deref() {
                if c169_qr::Level::parse(level).is_none() {
                    return Err(format!("ec_level: {level:?} is not one of L, M, Q, H"));
                }
            }
            vector.encode = Some(encode_case(
                &claim169,
                &cwt,
                sign,
                &sign_name,
                encrypt.as_ref().zip(f.encrypt.as_deref()),
                checks,
            ));
            if let Some(case) = vector.encode.as_mut() {
                case.ec_level = f.ec_level.as_deref().map(str::to_ascii_uppercase);
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
            let (claim169, cwt) = if f.tamper.iter().any(|t| t.at == "payload") {
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

fn encode_case(
    claim169: &Value,
    cwt: &Value,
    sign: &SignSpec,
    sign_name: &str,
    encrypt: Option<(&EncryptSpec, &str)>,
    checks: &[String],
) -> EncodeCase {
    let kid = |k: Option<&Vec<u8>>| k.map(|b| to_canonical_json(&Value::Bytes(b.clone())));
    let sign_alg = sign
        .alg
        .or_else(|| sign.key.signature_algorithm())
        .map_or("", SignatureAlgorithm::name);
    EncodeCase {
        claim169: to_canonical_json(claim169),
        cwt: to_canonical_json(cwt),
        sign: EncodeKey {
            key: sign_name.to_owned(),
            alg: sign_alg.to_owned(),
            kid: kid(sign.kid.as_ref()),
            iv: None,
        },
        encrypt: encrypt.map(|(e, name)| EncodeKey {
            key: name.to_owned(),
            alg: e
                .key
                .content_algorithm()
                .map_or("", ContentAlgorithm::name)
                .to_owned(),
            kid: None,
            iv: (!e.iv.is_empty()).then(|| hex::encode(&e.iv)),
        }),
        ec_level: None,
        checks: checks.to_vec(),
    }
}

/// The artefacts of an encoding; those above [`Artefacts::MAX_INLINE`] bytes are
/// left out, with their length and SHA-256.
/// Claim 169 and the other claims of a CWT payload, read with the deepest nesting
/// the codec allows; `None` when it is not a map with integer keys.
fn claims_of(payload: &[u8]) -> Option<(Value, Value)> {
    let limits = c169_codec::cbor::ReadLimits {
        max_depth: c169_codec::cbor::HARD_MAX_DEPTH,
        ..c169_codec::cbor::ReadLimits::default()
    };
    let Value::Map(entries) = c169_codec::cbor::decode(payload, limits).ok()? else {
        return None;
    };
    let (mut claim169, mut rest) = (Value::Map(Vec::new()), Vec::new());
    for (k, v) in entries {
        match k {
            Value::Integer(169) => claim169 = v,
            Value::Integer(_) => rest.push((k, v)),
            _ => return None,
        }
    }
    Some((claim169, Value::Map(rest)))
}

fn artefacts(encoded: &c169_codec::Encoded, claim169: &Value) -> Artefacts {
    let mut a = Artefacts {
        zlib: hex::encode(&encoded.zlib),
        ..Artefacts::default()
    };
    let mut keep = |name: &str, bytes: &[u8]| {
        if bytes.len() > Artefacts::MAX_INLINE {
            a.elided.insert(
                name.to_owned(),
                Elided {
                    len: bytes.len(),
                    sha256: hex::encode(Sha256::digest(bytes)),
                },
            );
            String::new()
        } else {
            hex::encode(bytes)
        }
    };
    let cose = keep("cose", &encoded.cose);
    let payload = keep("payload", &encoded.payload);
    a.cose = cose;
    a.payload = payload;
    // The claims are the payload read as CBOR (a tampered payload may not read at all),
    // left out with it.
    if !a.elided.contains_key("payload") {
        a.claims =
            c169_codec::cbor::decode(&encoded.payload, c169_codec::cbor::ReadLimits::default())
                .ok()
                .as_ref()
                .map(to_canonical_json);
        a.claim169 = Some(to_canonical_json(claim169));
    }
    a
}

/// The basis of a vector and the level it is graded at: the primary requirement's
/// sentence at `level` (or the requirement's own), another requirement's
/// sentence, one quoted in the source, the profile, or observed behaviour.
pub(crate) fn basis_for(
    catalogue: &Catalogue,
    primary: &crate::catalogue::Requirement,
    spec: Option<&BasisSpec>,
    level: Option<Level>,
) -> Result<(Basis, Option<Level>), String> {
    let from = |r: &crate::catalogue::Requirement| {
        r.basis(level.unwrap_or(r.level))
            .ok_or_else(|| {
                format!(
                    "requirement {} has no quoted text in features/requirements.yaml",
                    r.id
                )
            })
            .map(|b| {
                let level = b.level();
                (b, level)
            })
    };
    match spec {
        None => from(primary),
        Some(BasisSpec::Requirement(id)) => from(catalogue.get(id).ok_or_else(|| {
            format!("basis requirement {id} is not in features/requirements.yaml")
        })?),
        Some(BasisSpec::Text(t)) => {
            let mut t = t.clone();
            if let Some(l) = level {
                t.level = l;
            }
            let level = Some(t.level);
            Ok((Basis::Text(t), level))
        }
        Some(BasisSpec::Profile(row)) => {
            Ok((Basis::Profile(ProfileBasis { row: row.clone() }), None))
        }
        Some(BasisSpec::Observed(source)) => Ok((
            Basis::Observed(ObservedBasis {
                source: source.clone(),
            }),
            None,
        )),
    }
}

/// `requirements` with the primary one first, the others in their order.
pub(crate) fn primary_first(
    mut requirements: Vec<RequirementRef>,
    primary: &str,
) -> Vec<RequirementRef> {
    if let Some(i) = requirements.iter().position(|r| r.id == primary) {
        let p = requirements.remove(i);
        requirements.insert(0, p);
    }
    requirements
}

/// The primary requirement of a vector: the one named, else the first listed;
/// it must be among those listed.
pub(crate) fn primary_of<'c>(
    catalogue: &'c Catalogue,
    requirements: &[String],
    named: Option<&str>,
) -> Result<&'c crate::catalogue::Requirement, String> {
    let id = named
        .or(requirements.first().map(String::as_str))
        .ok_or("a vector names at least one requirement")?;
    if !requirements.iter().any(|r| r == id) {
        return Err(format!(
            "primary requirement {id} is not among the requirements"
        ));
    }
    catalogue
        .get(id)
        .ok_or_else(|| format!("primary requirement {id} is not in features/requirements.yaml"))
}
