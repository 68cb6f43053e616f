//! The seeds of `fuzz/corpus/`: what each vector gives each target, and the
//! deterministic byte streams that seed `roundtrip`.

use c169_codec::cbor;
use c169_model::from_canonical_json;

/// The largest seed written to `fuzz/corpus/`: larger artefacts are replayed in
/// memory only.
pub const MAX_SEED_LEN: usize = 16 * 1024;

/// One seed file: `fuzz/corpus/<target>/<name>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seed {
    pub target: &'static str,
    pub name: String,
    pub bytes: Vec<u8>,
}

fn hex_artefact(json: &serde_json::Value, name: &str) -> Option<Vec<u8>> {
    json.get("artefacts")
        .and_then(|a| a.get(name))
        .and_then(serde_json::Value::as_str)
        .and_then(|h| hex::decode(h).ok())
}

/// Why a vector's JSON text gives no seeds.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("not a vector: {0}")]
    Json(#[from] c169_model::deep::DeepError),
    #[error("the vector has no id")]
    NoId,
    #[error("vector id {0:?} is not a file name")]
    BadId(String),
    #[error("{id}: claim169: {source}")]
    Claim169 {
        id: String,
        #[source]
        source: c169_model::CanonicalJsonError,
    },
    #[error("{id}: claim169: {source}")]
    Cbor {
        id: String,
        #[source]
        source: cbor::CborWriteError,
    },
}

/// The seeds one vector gives, from its JSON text: its QR text for `base45`,
/// `decode` and `reencode`; its zlib bytes for `zlib`; its COSE bytes for `cose`;
/// its payload for `cwt`; both for `cbor` (`<id>.cose`, `<id>.payload`); its claim
/// 169 map (canonical JSON written as CBOR) for `claim169`. Encoder vectors and
/// elided artefacts give nothing for what they lack.
pub fn vector_seeds(json: &str) -> Result<Vec<Seed>, SeedError> {
    // Some vectors nest deeper than serde_json's own limit.
    let v: serde_json::Value = c169_model::deep::from_slice(json.as_bytes())?;
    let id = v
        .get("id")
        .and_then(serde_json::Value::as_str)
        .ok_or(SeedError::NoId)?;
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        return Err(SeedError::BadId(id.to_owned()));
    }
    let mut seeds = Vec::new();
    let mut add = |target: &'static str, name: String, bytes: Vec<u8>| {
        seeds.push(Seed {
            target,
            name,
            bytes,
        });
    };
    if let Some(qr) = v.get("qr").and_then(serde_json::Value::as_str) {
        for target in ["base45", "decode", "reencode"] {
            add(target, id.to_owned(), qr.as_bytes().to_vec());
        }
    }
    if let Some(z) = hex_artefact(&v, "zlib") {
        add("zlib", id.to_owned(), z);
    }
    if let Some(c) = hex_artefact(&v, "cose") {
        add("cose", id.to_owned(), c.clone());
        add("cbor", format!("{id}.cose"), c);
    }
    if let Some(p) = hex_artefact(&v, "payload") {
        add("cwt", id.to_owned(), p.clone());
        add("cbor", format!("{id}.payload"), p);
    }
    if let Some(c) = v.get("artefacts").and_then(|a| a.get("claim169")) {
        let value = from_canonical_json(c).map_err(|source| SeedError::Claim169 {
            id: id.to_owned(),
            source,
        })?;
        let bytes = cbor::encode(&value).map_err(|source| SeedError::Cbor {
            id: id.to_owned(),
            source,
        })?;
        add("claim169", id.to_owned(), bytes);
    }
    Ok(seeds)
}

/// The seeds of every vector (their JSON texts, in any order), one per distinct
/// content per target, named after the first vector by id that gives it, sorted by
/// target and name; plus [`STREAM_SEEDS`] deterministic streams for `roundtrip`,
/// which no vector artefact matches.
pub fn corpus<S: AsRef<str>>(vectors: &[S]) -> Result<Vec<Seed>, SeedError> {
    let mut all = Vec::new();
    for json in vectors {
        all.extend(vector_seeds(json.as_ref())?);
    }
    for i in 0..STREAM_SEEDS {
        all.push(Seed {
            target: "roundtrip",
            name: format!("stream-{i:02}"),
            bytes: stream(i, 64 + 96 * i as usize),
        });
    }
    all.sort_by(|a, b| (a.target, &a.name).cmp(&(b.target, &b.name)));
    let mut seen = std::collections::HashSet::new();
    all.retain(|s| seen.insert((s.target, s.bytes.clone())));
    Ok(all)
}

/// How many deterministic byte streams seed `roundtrip`.
pub const STREAM_SEEDS: u64 = 16;

/// `len` deterministic bytes for stream `seed` (SplitMix64): for
/// [`Credential`](crate::Credential)s made with `arbitrary`, in the seeds and the
/// replay test.
#[must_use]
pub fn stream(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xC169_C169_C169_C169;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        out.extend_from_slice(&z.to_le_bytes());
    }
    out.truncate(len);
    out
}
