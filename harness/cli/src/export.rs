//! `c169 vectors export`: the corpus as a versioned, self-describing artefact, so a
//! test suite in any language can run the vectors without Rust.
//!
//! The export is a folder: `index.json` (every vector with its id, path, SHA-256,
//! verdict class, basis, level, stage, requirements, capabilities, keys and
//! validation time), a `README.md` saying how to judge an answer, the vector files
//! with the images and keys they name, the vector schema, the flag and check notes,
//! the licences of imported corpora, and `c169-vectors-<version>.tar.gz` holding the
//! same tree. Two exports of the same corpus are byte-identical: files are listed in
//! path order, the tar headers carry fixed times and owners, the gzip header no time.
//!
//! The folder is staged beside `--out` and moved in whole; an earlier export there
//! is replaced, anything else is refused.

use crate::exit;
use anyhow::{bail, Context as _};
use c169_model::bounded::{self, Limit};
use c169_model::{Stage, Vector, VerdictClass};
use serde_json::{json, Value as Json};
use sha2::Digest as _;
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// The format of `index.json`: its major version changes when a field changes meaning.
pub const FORMAT: &str = "c169-vectors/1";

/// The most bytes an export holds, all files together (the corpus is about 12 MiB).
const MAX_EXPORT_BYTES: u64 = 1 << 30;

/// An earlier export's index.json, read to tell an export from another folder.
const EARLIER_INDEX: Limit = Limit::new("an earlier export's index.json", 64 << 20);

/// The tarball's name, and the folder its entries sit under.
fn stem() -> String {
    format!("c169-vectors-{}", env!("CARGO_PKG_VERSION"))
}

/// The export's files by path relative to its root, in path order.
type Tree = BTreeMap<String, Vec<u8>>;

pub fn run(root: &Path, out: &Path) -> anyhow::Result<u8> {
    let start = std::time::Instant::now();
    let place = Place::of(out, root)?;
    let tree = build(root)?;
    let tarball = tarball(&tree).context("making the tarball")?;
    let name = format!("{}.tar.gz", stem());
    let bytes: usize = tree.values().map(Vec::len).sum();
    if let Err(e) = place.write(&tree, (&name, &tarball)) {
        // The folder was checked before: a failure now is the machine's (disk, rights).
        eprintln!("c169: cannot write the export: {e:#}");
        return Ok(exit::RIG);
    }
    let vectors = tree
        .get("index.json")
        .and_then(|i| serde_json::from_slice::<Json>(i).ok())
        .and_then(|i| i.pointer("/counts/vectors").and_then(Json::as_u64))
        .unwrap_or(0);
    println!(
        "{vectors} vectors, {} files ({:.1} MiB) exported to {}; the same tree in {name} ({:.1} MiB); {:.2} s",
        tree.len(),
        bytes as f64 / 1_048_576.0,
        place.dir.display(),
        tarball.len() as f64 / 1_048_576.0,
        start.elapsed().as_secs_f64()
    );
    Ok(exit::OK)
}

/// A path under the vectors root as the export writes it: relative, with `/`.
fn relative(root: &Path, path: &Path) -> anyhow::Result<String> {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = rel
        .components()
        .map(|c| match c {
            Component::Normal(p) => Ok(p.to_string_lossy().into_owned()),
            _ => Err(anyhow::anyhow!(
                "{}: not a path inside the vectors folder {}",
                path.display(),
                root.display()
            )),
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(parts.join("/"))
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Reads `path` into the tree at its relative path, within the export's bound.
fn add(tree: &mut Tree, root: &Path, path: &Path, limit: Limit) -> anyhow::Result<String> {
    let rel = relative(root, path)?;
    if !tree.contains_key(&rel) {
        let bytes = bounded::read_file(path, limit)?;
        let total: u64 = tree.values().map(|b| b.len() as u64).sum();
        if total + bytes.len() as u64 > MAX_EXPORT_BYTES {
            bail!(
                "{}: the export would pass {} MiB with this file; the corpus is not expected to be that large",
                path.display(),
                MAX_EXPORT_BYTES >> 20
            );
        }
        tree.insert(rel.clone(), bytes);
    }
    Ok(rel)
}

/// Every file of the export, index.json and README.md included.
fn build(root: &Path) -> anyhow::Result<Tree> {
    let corpus = c169_corpus::Corpus::load(root)?;
    let catalogue = crate::vectors::catalogue_for(root)?;
    let key_files: BTreeMap<String, PathBuf> =
        c169_corpus::corpus::files(&root.join("keys"), ".jwk.json")?
            .into_iter()
            .map(|p| {
                let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
                let name = name.unwrap_or_default();
                (name.trim_end_matches(".jwk.json").to_owned(), p)
            })
            .collect();
    let mut tree = Tree::new();
    let mut entries = Vec::new();
    let mut requirements = BTreeMap::new();
    for (path, _) in &corpus.vectors {
        let rel = add(&mut tree, root, path, bounded::VECTOR_FILE)?;
        let bytes = tree.get(&rel).map(Vec::as_slice).unwrap_or_default();
        // The entry describes the bytes exported, even if the file changed since the load.
        let text = std::str::from_utf8(bytes)
            .with_context(|| format!("{}: not UTF-8 text", path.display()))?;
        let vector = c169_corpus::corpus::parse_vector(path, text)?;
        let sha = sha256(bytes);
        let mut key = |field: &str, name: &str| -> anyhow::Result<String> {
            let file = key_files.get(name).with_context(|| {
                format!(
                    "{}: field {field:?} names key {name:?}, but there is no file keys/{name}.jwk.json",
                    path.display()
                )
            })?;
            add(&mut tree, root, file, bounded::KEY_FILE)
        };
        let keys = keys_of(&vector, &mut key)?;
        let image = match &vector.image {
            Some(image) => {
                let file = path.parent().unwrap_or(root).join(&image.file);
                let rel = add(&mut tree, root, &file, bounded::IMAGE_FILE)?;
                let sha = tree.get(&rel).map(|b| sha256(b)).unwrap_or_default();
                json!({"path": rel, "sha256": sha})
            }
            None => Json::Null,
        };
        for r in &vector.requirements {
            let req = catalogue.get(&r.id).with_context(|| {
                format!(
                    "{}: field \"requirements\" names {}, which features/requirements.yaml does not hold",
                    path.display(),
                    r.id
                )
            })?;
            requirements.insert(
                r.id.clone(),
                json!({"level": req.level, "area": req.area, "statement": req.statement}),
            );
        }
        entries.push(entry(&vector, &rel, &sha, &keys, &image));
    }
    // Every file that is not a vector or an image, with what it is for.
    let mut files = Vec::new();
    let mut listed = |tree: &mut Tree, rel: &str, role: &str, about: &str| -> anyhow::Result<()> {
        let rel = add(tree, root, &root.join(rel), bounded::SOURCE_FILE)?;
        let sha = tree.get(&rel).map(|b| sha256(b));
        files.push(json!({"path": rel, "sha256": sha, "role": role, "about": about}));
        Ok(())
    };
    listed(
        &mut tree,
        "schema/vector.schema.json",
        "schema",
        "the JSON Schema of a vector file",
    )?;
    listed(
        &mut tree,
        "notes.json",
        "notes",
        "what each flag and each encoder check means",
    )?;
    for (rel, role, about) in provenance(root, &tree)? {
        listed(&mut tree, &rel, role, &about)?;
    }
    let keys: Vec<String> = tree
        .keys()
        .filter(|r| r.starts_with("keys/"))
        .cloned()
        .collect();
    for rel in keys {
        listed(
            &mut tree,
            &rel,
            "key",
            "a TEST KEY as a JWK, never to be used elsewhere",
        )?;
    }
    let index = index(&entries, &files, &requirements);
    let mut index = serde_json::to_vec_pretty(&index)?;
    index.push(b'\n');
    tree.insert("index.json".to_owned(), index);
    tree.insert("README.md".to_owned(), readme().into_bytes());
    Ok(tree)
}

/// The README of each folder the export holds files of, and every licence file of
/// an external corpus, with the folder it governs: (path, role, about).
fn provenance(root: &Path, tree: &Tree) -> anyhow::Result<Vec<(String, &'static str, String)>> {
    let mut out = Vec::new();
    let folders: std::collections::BTreeSet<&str> = tree
        .keys()
        .filter_map(|r| r.rsplit_once('/'))
        .map(|(d, _)| d)
        .collect();
    for dir in folders {
        if root.join(dir).join("README.md").is_file() {
            out.push((
                format!("{dir}/README.md"),
                "readme",
                format!("about the files of {dir}/"),
            ));
        }
    }
    for path in c169_corpus::corpus::files(&root.join("external"), "")? {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        if name.is_some_and(|n| n.starts_with("LICENSE") || n.starts_with("NOTICE")) {
            let rel = relative(root, &path)?;
            let governs = rel.split('/').take(2).collect::<Vec<_>>().join("/");
            out.push((
                rel,
                "licence",
                format!("the licence of the imported vectors under {governs}/"),
            ));
        }
    }
    Ok(out)
}

/// The key files a vector names, by use: verify, decrypt (decode), sign, encrypt (encode).
fn keys_of(
    vector: &Vector,
    key: &mut dyn FnMut(&str, &str) -> anyhow::Result<String>,
) -> anyhow::Result<Json> {
    let mut list = |field: &str, names: &[String]| -> anyhow::Result<Vec<String>> {
        names.iter().map(|n| key(field, n)).collect()
    };
    let verify = list("keys.verify", &vector.keys.verify)?;
    let decrypt = list("keys.decrypt", &vector.keys.decrypt)?;
    let encode = vector.encode.as_ref();
    let sign: Vec<String> = encode.map(|e| e.sign.key.clone()).into_iter().collect();
    let sign = list("encode.sign.key", &sign)?;
    let encrypt: Vec<String> = encode
        .and_then(|e| e.encrypt.as_ref())
        .map(|e| e.key.clone())
        .into_iter()
        .collect();
    let encrypt = list("encode.encrypt.key", &encrypt)?;
    Ok(json!({"verify": verify, "decrypt": decrypt, "sign": sign, "encrypt": encrypt}))
}

/// One vector's line in the index.
fn entry(vector: &Vector, path: &str, sha: &str, keys: &Json, image: &Json) -> Json {
    let (operation, input) = match (&vector.qr, &vector.image) {
        (Some(_), _) => ("decode", "qr"),
        (None, Some(_)) => ("decode", "image"),
        (None, None) => ("encode", "encode"),
    };
    let area = path.rsplit_once('/').map_or("", |(d, _)| d).to_owned();
    json!({
        "id": vector.id,
        "path": path,
        "sha256": sha,
        "area": area,
        "operation": operation,
        "input": input,
        "image": image,
        "verdict": vector.verdict,
        "prefers": vector.prefers,
        "stage": vector.stage,
        "level": vector.level,
        "basis": vector.basis,
        "primary": vector.primary,
        "requirements": vector.requirements.iter().map(|r| &r.id).collect::<Vec<_>>(),
        "capabilities": vector.capabilities,
        "flags": vector.flags,
        "keys": keys,
        "now": vector.now,
        "match": vector.expected.as_ref().map(|e| e.match_),
        "checks": vector.encode.as_ref().map(|e| &e.checks),
    })
}

fn index(entries: &[Json], files: &[Json], requirements: &BTreeMap<String, Json>) -> Json {
    let by = |field: &str| {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for e in entries {
            *counts
                .entry(e[field].as_str().unwrap_or("").to_owned())
                .or_default() += 1;
        }
        counts
    };
    let verdicts = [
        VerdictClass::Valid,
        VerdictClass::Invalid,
        VerdictClass::Acceptable,
    ];
    json!({
        "format": FORMAT,
        "suite": {"name": "c169", "version": env!("CARGO_PKG_VERSION")},
        "readme": "README.md",
        "schema": "schema/vector.schema.json",
        "notes": "notes.json",
        "tarball": format!("{}.tar.gz", stem()),
        "counts": {
            "vectors": entries.len(),
            "verdict": by("verdict"),
            "operation": by("operation"),
            "input": by("input"),
            "area": by("area"),
        },
        "verdicts": verdicts.map(VerdictClass::as_str),
        "stages": Stage::ALL.map(Stage::as_str),
        "bases": ["text", "profile", "observed"],
        "licence": {
            "suite": env!("CARGO_PKG_LICENSE"),
            "imported": "an external/<corpus>/ with a licence of its own keeps it: the files of role licence",
        },
        "files": files,
        "requirements": requirements,
        "vectors": entries,
    })
}

/// The export's README.md: what the files are and how an answer is judged.
fn readme() -> String {
    README
        .replace("{stem}", &stem())
        .replace("{format}", FORMAT)
        .replace("{licence}", env!("CARGO_PKG_LICENSE"))
}

/// How to judge, in the words of the suite's own judge (harness/suite/src/judge.rs)
/// and the README's "What a verdict means".
const README: &str = r#"# c169 vector corpus: {stem}

The conformance vectors of c169 for MOSIP Claim 169 QR credentials, for a test
suite in any language. Written by `c169 vectors export`; `{stem}.tar.gz` holds
the same tree. `index.json` is format `{format}`.

| path | what |
|---|---|
| `index.json` | every vector (id, path, SHA-256, verdict class, basis, level, stage, requirements, capabilities, keys, validation time), the counts, the statement of each requirement named, and every other file with its SHA-256 and role |
| `<area>/<id>.json` | one vector, as `schema/vector.schema.json` describes it |
| `images/*.png` | the QR symbol of an image vector (`image.path` in the index) |
| `keys/<name>.jwk.json` | test keys as JWK: every one a TEST KEY, never to be used elsewhere |
| `notes.json` | what each flag and each encoder check means |
| `external/<corpus>/` | imported vectors, with the corpus's README and licence |

## Running a vector

`operation` and `input` in the index say what to do with a vector:

- `decode` of `qr`: decode the vector file's `qr` text exactly as it is. It may be
  empty, or hold lowercase letters, spaces or line ends: do not trim or rewrite it.
- `decode` of `image`: read the QR symbol in the PNG, then decode its text
  (capability `decode_image`).
- `encode`: encode the vector file's `encode.claim169` and `encode.cwt`, signed with
  `encode.sign` (key, alg, the kid to write) and, if present, encrypted with
  `encode.encrypt` (a fresh IV unless it gives `iv`). The output is judged by
  decoding it: it must pass the checks in `checks` (see `notes.json`). c169 runs
  them with its reference codec; without it, decode the output with a decoder you
  trust and compare the content.

Keys (`keys` in the index, as paths): give a decoder the public part of each
`verify` key (kty, crv, x, y) and each `decrypt` key as it is (kty oct, k). The
files hold private parts too, since encoder vectors sign with them. A key file with
the member `c169_deliberately_invalid` is unusable on purpose (a weak key), given
as written: a decoder must refuse it. A decoder may pick a key by kid or try each.

Validation time: `now`, seconds since the Unix epoch, with no leeway; exp and nbf
are checked against it, never against the clock. A decoder that cannot be given a
time cannot be judged on a vector whose `stage` is `time`, nor on a rejection at
stage `time` of another vector: c169 skips both.

Capabilities: a vector needs every entry of `capabilities` (`verify`, `decrypt`,
`decode_unverified`, `decode_image`, `encode`, or an algorithm: `EdDSA`, `ES256`,
`ES384`, `ES512`, `A128GCM`, `A192GCM`, `A256GCM`). An implementation without one
skips the vector, saying which; a skipped vector never counts as passed.

## Judging an answer

A decoder answers accept, with the claim 169 map and the other CWT claims (in
canonical JSON, below), or reject, with the stage that rejected (one of `stages`
in the index, in pipeline order).

- `valid`: must be accepted, returning the expected content.
- `invalid`: must be rejected. `stage` is where; a rejection at another stage still
  passes (c169 reports it as a stage mismatch).
- `acceptable`: either answer conforms; `prefers` names the answer the basis
  prefers, if any.

An answer the class (or `prefers`) does not allow is graded by the vector's `basis`:

- `text`: a quoted sentence of the Claim 169 specification or an RFC; a mismatch is
  a conformance failure at `level` (MUST, SHOULD or MAY).
- `profile`: the suite's strict profile, where no text decides; a mismatch is a
  departure from it, not a conformance failure.
- `observed`: what deployed implementations do; never graded.

Rules every vector shares:

- A rejection that still returns claim 169 data fails at MUST.
- Content: an accepted credential's values come back as signed. The vector file's
  `expected.claim169` and `expected.cwt` are compared by `expected.match`: `exact`
  (nothing else returned) or `subset` (other entries may be returned). A value
  returned other than as signed fails at MUST, whatever the class. Leaving a value
  out conforms where the vector is `acceptable`, or where a decoder cannot know the
  key (claim 169 keys outside 1-23 and 50-65, biometric sub-keys other than 0-3,
  CWT claims other than 1, 2, 4, 5 and 6); leaving it out without a warning departs
  from the strict profile. Two normalisations conform: a biometric attribute
  written as one map returned as a one-entry list, and a photo (key 16) written as
  hex text returned as its bytes.
- A crash, a hang or an exception not mapped to a rejection is a failure, never a
  rejection.

`c169 run` applies all of this; an implementation reached through an adapter
(protocol v1, `adapters/PROTOCOL.md` in the c169 repository) gets the full report.

## Canonical JSON

Integer: a number when |n| <= 2^53, else `{"int":"<decimal>"}`. Text: a string.
Bytes: `{"bstr":"<lowercase hex>"}`. Array: an array. A map whose keys are distinct
integers: an object keyed by the decimal integer; any other map
`{"map":[[key,value],...]}`. Float: `{"float":x}` (`"NaN"`, `"Infinity"`,
`"-Infinity"`). true, false, null; undefined `{"undefined":true}`; other simple
values `{"simple":n}`. Tag: `{"tag":n,"value":v}`.

## Licences

c169's own vectors and keys: {licence}. An imported corpus keeps the licence of its
source: its licence file is under `external/<corpus>/` (role `licence` in
`index.json`), beside a README saying what was taken and what was changed. The
vectors that carry the specification's worked example (`external/spec/`) use its
bytes as facts, with their source named in each vector.
"#;

/// Makes the tarball of `tree`: entries under `<stem>/`, in path order, with fixed
/// times, owners and modes, and a gzip header without a time or name.
fn tarball(tree: &Tree) -> std::io::Result<Vec<u8>> {
    let gz = flate2::GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(Vec::new(), flate2::Compression::best());
    let mut tar = tar::Builder::new(gz);
    let top = stem();
    for (rel, bytes) in tree {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        // The epoch, owner root: the same bytes on every export, whoever runs it.
        header.set_mtime(0);
        header.set_uid(0);
        header.set_gid(0);
        tar.append_data(&mut header, format!("{top}/{rel}"), bytes.as_slice())?;
    }
    tar.into_inner()?.finish()
}

/// Where the export goes: `--out`, its parent, and the staging names beside it.
#[derive(Debug)]
struct Place {
    dir: PathBuf,
    staging: PathBuf,
    aside: PathBuf,
}

impl Place {
    /// Checks `out` before anything is built: a folder (or nothing yet), empty or an
    /// earlier export, and not inside the vectors folder it is made from.
    fn of(out: &Path, root: &Path) -> anyhow::Result<Place> {
        let dir = std::path::absolute(out)
            .with_context(|| format!("{}: cannot resolve --out", out.display()))?;
        let dir: PathBuf = dir
            .components()
            .filter(|c| *c != Component::CurDir)
            .collect();
        let (Some(parent), Some(name)) = (dir.parent(), dir.file_name()) else {
            bail!(
                "{}: --out needs a folder with a parent to stage the export in",
                dir.display()
            );
        };
        if dir.exists() && !dir.is_dir() {
            bail!(
                "{}: is not a folder; --out names the folder the export is written to",
                out.display()
            );
        }
        if dir.is_dir() && !Self::replaceable(&dir)? {
            bail!(
                "{}: holds files but no index.json of a c169 vector export; --out takes a new or empty folder, or one `c169 vectors export` wrote (it is replaced whole)",
                out.display()
            );
        }
        if let (Ok(r), Ok(p)) = (root.canonicalize(), parent.canonicalize()) {
            if p.starts_with(&r) {
                bail!(
                    "{}: is inside the vectors folder {}; an export there would be read as part of the corpus",
                    out.display(),
                    root.display()
                );
            }
        }
        let name = name.to_string_lossy();
        let pid = std::process::id();
        Ok(Place {
            staging: parent.join(format!(".{name}.c169-staging-{pid}")),
            aside: parent.join(format!(".{name}.c169-old-{pid}")),
            dir,
        })
    }

    /// An empty folder, or one holding an earlier export.
    fn replaceable(dir: &Path) -> anyhow::Result<bool> {
        let mut entries =
            std::fs::read_dir(dir).with_context(|| format!("{}: cannot read", dir.display()))?;
        if entries.next().is_none() {
            return Ok(true);
        }
        let index = match bounded::read_file(&dir.join("index.json"), EARLIER_INDEX) {
            Ok(bytes) => bytes,
            Err(e) if e.is_not_found() => return Ok(false),
            Err(e) => return Err(e.into()),
        };
        let format = serde_json::from_slice::<Json>(&index)
            .ok()
            .and_then(|i| i.get("format").and_then(Json::as_str).map(str::to_owned));
        Ok(format.is_some_and(|f| f.starts_with("c169-vectors/")))
    }

    /// Writes the tree and the tarball into the staging folder, then moves it in
    /// place of the folder: a reader sees the old export or the new one, never a mix.
    fn write(&self, tree: &Tree, (name, tarball): (&str, &[u8])) -> anyhow::Result<()> {
        let result = self.stage(tree, name, tarball).and_then(|()| self.swap());
        let _ = std::fs::remove_dir_all(&self.staging);
        let _ = std::fs::remove_dir_all(&self.aside);
        result
    }

    /// The files are not synced one by one (eight hundred syncs take seconds, and an
    /// export is made again as fast): the rename guards readers and a killed process,
    /// not a power cut.
    fn stage(&self, tree: &Tree, name: &str, tarball: &[u8]) -> anyhow::Result<()> {
        let _ = std::fs::remove_dir_all(&self.staging);
        let files = tree.iter().map(|(r, b)| (r.as_str(), b.as_slice()));
        for (rel, bytes) in files.chain([(name, tarball)]) {
            let path = self.staging.join(rel);
            let write = || -> std::io::Result<()> {
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                std::fs::write(&path, bytes)
            };
            write().with_context(|| {
                format!("{}: cannot write (staging the export)", path.display())
            })?;
        }
        Ok(())
    }

    /// The old folder moved aside, the staged one moved in; the old one back if that fails.
    fn swap(&self) -> anyhow::Result<()> {
        let old = self.dir.exists();
        if old {
            std::fs::rename(&self.dir, &self.aside).with_context(|| {
                format!(
                    "{}: cannot move the earlier export aside",
                    self.dir.display()
                )
            })?;
        }
        if let Err(e) = std::fs::rename(&self.staging, &self.dir) {
            if old {
                let _ = std::fs::rename(&self.aside, &self.dir);
            }
            return Err(e)
                .with_context(|| format!("{}: cannot move the export in", self.dir.display()));
        }
        Ok(())
    }
}
