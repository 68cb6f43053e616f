//! Differential fuzzing (`c169 fuzz`): credentials made from the corpus's valid
//! identities and changed by `arbitrary`-driven mutations at every layer, decoded
//! by the reference and by an implementation; every disagreement in verdict, stage
//! or decoded content is kept, minimised, and written as a candidate vector.
//!
//! A case is a pure function of (seed, index): the byte stream `arbitrary` reads is
//! drawn from a SplitMix64 generator seeded with both, so `--seed S --case I`
//! rebuilds case I exactly.

use arbitrary::{Arbitrary, Unstructured};
use c169_adapter::protocol::{DecodeKeys, DecodeOptions, DecodeRequest, ErrorKind};
use c169_adapter::{AdapterError, Implementation, Reference};
use c169_codec::encode::{Edit, EncodeOptions, EncodeRequest, Point, SignSpec, Tamper};
use c169_codec::keys::{Key, KeyMaterial};
use c169_corpus::corpus::Corpus;
use c169_model::canonical::{from_canonical_json, to_canonical_json};
use c169_model::{Outcome, Stage, Value, Vector, Verdict, VerdictClass};
use std::collections::{BTreeMap, BTreeSet};

use c169_qr::SplitMix64 as SplitMix;

/// Between `min` and `max` bytes of the stream.
fn take(u: &mut Unstructured<'_>, min: usize, max: usize) -> arbitrary::Result<Vec<u8>> {
    let n = u.int_in_range(min..=max)?;
    Ok(u.bytes(n)?.to_vec())
}

/// A CBOR value of bounded depth and size, for claim values.
#[derive(Debug, Clone)]
struct Small(Value);

impl<'a> Arbitrary<'a> for Small {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        fn value(u: &mut Unstructured<'_>, depth: u32) -> arbitrary::Result<Value> {
            let leaf = depth >= 3;
            Ok(match u.int_in_range(0..=if leaf { 7 } else { 10 })? {
                0 => Value::Integer(i128::from(u.arbitrary::<i64>()?)),
                1 => Value::Integer(i128::from(u.int_in_range(0u8..=30)?)),
                2 => Value::Text(String::arbitrary(u)?.chars().take(24).collect()),
                3 => Value::Bytes(take(u, 0, 16)?),
                4 => Value::Bool(u.arbitrary()?),
                5 => Value::Null,
                6 => Value::Float(f64::from(u.arbitrary::<f32>()?)),
                7 => Value::Simple(u.int_in_range(0u8..=19)?),
                8 => {
                    let n = u.int_in_range(0..=3)?;
                    Value::Array(
                        (0..n)
                            .map(|_| value(u, depth + 1))
                            .collect::<Result<_, _>>()?,
                    )
                }
                9 => {
                    let n = u.int_in_range(0..=3)?;
                    let mut entries = Vec::new();
                    for _ in 0..n {
                        entries.push((
                            Value::Integer(i128::from(u.int_in_range(0u8..=5)?)),
                            value(u, depth + 1)?,
                        ));
                    }
                    Value::Map(entries)
                }
                _ => Value::Tag(u.int_in_range(0u64..=64)?, Box::new(value(u, depth + 1)?)),
            })
        }
        value(u, 0).map(Small)
    }
}

/// One change to a credential.
#[derive(Debug, Clone)]
pub enum Mutation {
    /// Set claim 169 key `key` to a value (the signature covers it).
    SetClaim { key: i64, value: Value },
    /// Remove claim 169 key `key`.
    RemoveClaim { key: i64 },
    /// Set CWT claim `key` (not 169) to a value.
    SetCwt { key: i64, value: Value },
    /// A byte edit at a point of the pipeline.
    Bytes { at: Point, edit: Edit },
}

impl std::fmt::Display for Mutation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mutation::SetClaim { key, value } => {
                write!(f, "claim169[{key}] = {}", to_canonical_json(value))
            }
            Mutation::RemoveClaim { key } => write!(f, "remove claim169[{key}]"),
            Mutation::SetCwt { key, value } => {
                write!(f, "cwt[{key}] = {}", to_canonical_json(value))
            }
            Mutation::Bytes { at, edit } => write!(f, "{at:?}: {edit:?}"),
        }
    }
}

const CLAIM_KEYS: [i64; 14] = [1, 4, 5, 8, 9, 10, 14, 16, 17, 18, 50, 62, 99, -1];
const CWT_KEYS: [i64; 7] = [1, 2, 3, 4, 5, 6, 7];
const POINTS: [Point; 5] = [
    Point::Payload,
    Point::Sign1,
    Point::Cose,
    Point::Zlib,
    Point::Text,
];

fn step(u: &mut Unstructured<'_>) -> arbitrary::Result<Mutation> {
    Ok(match u.int_in_range(0..=5)? {
        0 | 1 => Mutation::SetClaim {
            key: *u.choose(&CLAIM_KEYS)?,
            value: Small::arbitrary(u)?.0,
        },
        2 => Mutation::RemoveClaim {
            key: *u.choose(&CLAIM_KEYS)?,
        },
        3 => Mutation::SetCwt {
            key: *u.choose(&CWT_KEYS)?,
            value: Small::arbitrary(u)?.0,
        },
        _ => {
            let at = *u.choose(&POINTS)?;
            let edit = match u.int_in_range(0..=4)? {
                0 => Edit::Append(take(u, 1, 3)?),
                1 => Edit::Truncate(u.int_in_range(1..=4)?),
                2 => Edit::Xor {
                    offset: i64::from(u.int_in_range(-40i8..=40)?),
                    mask: u.int_in_range(1u8..=255)?,
                },
                3 => Edit::Overwrite {
                    offset: i64::from(u.int_in_range(-40i8..=40)?),
                    bytes: if at == Point::Text {
                        // Text stays UTF-8: symbols of Base45 and a few outside it.
                        vec![*u.choose(b"0AZ $%*+-./:az=,\n")?]
                    } else {
                        take(u, 1, 2)?
                    },
                },
                _ => Edit::Prepend(u.bytes(1)?.to_vec()),
            };
            Mutation::Bytes { at, edit }
        }
    })
}

/// A base identity: a valid vector of the corpus and its signing key.
#[derive(Debug, Clone)]
pub struct Base {
    pub id: String,
    pub claim169: Value,
    pub cwt: Value,
    pub key_name: String,
    pub key: Key,
    pub alg: String,
    pub now: i64,
}

fn sign_alg(key: &Key) -> Option<&'static str> {
    key.signature_algorithm()
        .map(c169_crypto::crypto::SignatureAlgorithm::name)
}

/// The valid, unencrypted, signed vectors of the corpus whose algorithm `caps` holds.
#[must_use]
pub fn bases(corpus: &Corpus, caps: &BTreeSet<String>) -> Vec<Base> {
    let mut out = Vec::new();
    for (_, v) in &corpus.vectors {
        if v.verdict != VerdictClass::Valid || !v.keys.decrypt.is_empty() || v.qr.is_none() {
            continue;
        }
        // The identities of the claim 169 area, signed with every algorithm.
        if !v.capabilities.iter().all(|c| caps.contains(c))
            || !(v.id.starts_with("claim169-field") || v.id.starts_with("alg-"))
        {
            continue;
        }
        let (Some(exp), Some(name)) = (&v.expected, v.keys.verify.first()) else {
            continue;
        };
        let (Some(claim), Some(cwt)) = (&exp.claim169, &exp.cwt) else {
            continue;
        };
        let (Ok(claim169), Ok(cwt)) = (from_canonical_json(claim), from_canonical_json(cwt)) else {
            continue;
        };
        let Some(key) = corpus.keys.get(name) else {
            continue;
        };
        let Some(alg) = sign_alg(key) else { continue };
        if matches!(key.material, KeyMaterial::Private(_)) && caps.contains(alg) {
            out.push(Base {
                id: v.id.clone(),
                claim169,
                cwt,
                key_name: name.clone(),
                key: key.clone(),
                alg: alg.to_owned(),
                now: v.now,
            });
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// One generated case.
#[derive(Debug, Clone)]
pub struct FuzzCase {
    pub index: u64,
    pub base: usize,
    pub steps: Vec<Mutation>,
}

/// Case `index` of the run seeded `seed`.
#[must_use]
pub fn case(seed: u64, index: u64, bases: usize) -> FuzzCase {
    let mut rng = SplitMix(seed ^ index.wrapping_mul(0xd1b5_4a32_d192_ed03));
    let bytes = rng.bytes(512);
    let mut u = Unstructured::new(&bytes);
    let base = u.choose_index(bases.max(1)).unwrap_or(0);
    let n = u.int_in_range(1..=3).unwrap_or(1);
    let steps = (0..n).filter_map(|_| step(&mut u).ok()).collect();
    FuzzCase { index, base, steps }
}

fn set(map: &mut Value, key: i64, value: Option<Value>) {
    let Value::Map(entries) = map else { return };
    entries.retain(|(k, _)| *k != Value::Integer(i128::from(key)));
    if let Some(v) = value {
        entries.push((Value::Integer(i128::from(key)), v));
    }
}

/// The QR text of `steps` applied to `base`, or why it could not be made.
pub fn build(base: &Base, steps: &[Mutation]) -> Result<String, c169_codec::encode::EncodeError> {
    let mut claim169 = base.claim169.clone();
    let mut cwt = base.cwt.clone();
    let mut tamper = Vec::new();
    for s in steps {
        match s {
            Mutation::SetClaim { key, value } => set(&mut claim169, *key, Some(value.clone())),
            Mutation::RemoveClaim { key } => set(&mut claim169, *key, None),
            Mutation::SetCwt { key, value } => set(&mut cwt, *key, Some(value.clone())),
            Mutation::Bytes { at, edit } => tamper.push(Tamper {
                at: *at,
                edit: edit.clone(),
            }),
        }
    }
    let request = EncodeRequest {
        claim169,
        cwt,
        sign: Some(SignSpec {
            key: base.key.clone(),
            alg: None,
            kid: base.key.kid.clone(),
        }),
        encrypt: None,
        options: EncodeOptions {
            tamper,
            ..EncodeOptions::default()
        },
    };
    c169_codec::encode(&request).map(|e| e.text)
}

/// How an answer reads, for comparing and grouping.
fn shape(o: &Outcome) -> String {
    match o.verdict {
        Verdict::Accept => "accept".into(),
        Verdict::Reject => format!("reject at {}", o.stage.map_or("?", Stage::as_str)),
    }
}

/// A disagreement between the reference and the implementation.
#[derive(Debug, Clone)]
pub struct Disagreement {
    pub case: FuzzCase,
    pub base_id: String,
    pub qr: String,
    pub reference: Outcome,
    pub other: Outcome,
    /// What kind of disagreement, for grouping: `verdict: …`, `stage: …`, `content: …`.
    pub kind: String,
}

/// How an answer reads in a kind: its verdict, stage and code.
fn coded(o: &Outcome) -> String {
    match o.verdict {
        Verdict::Accept => "accept".into(),
        Verdict::Reject => format!(
            "reject at {} ({})",
            o.stage.map_or("?", Stage::as_str),
            o.code.as_deref().unwrap_or("no code")
        ),
    }
}

/// Compares two answers; `None` when they agree (or when the difference turns on
/// a validation time the implementation cannot be given). Otherwise the kind of
/// the disagreement, coarse enough that one cause gives one kind: the two verdicts
/// with their stages and codes, or the first claim where decoded content differs.
#[must_use]
pub fn compare(reference: &Outcome, other: &Outcome, honours_time: bool) -> Option<String> {
    if !honours_time && (reference.stage == Some(Stage::Time) || other.stage == Some(Stage::Time)) {
        return None;
    }
    if reference.verdict != other.verdict {
        return Some(format!(
            "verdict: reference {}, implementation {}",
            coded(reference),
            coded(other)
        ));
    }
    if reference.verdict == Verdict::Reject {
        return (reference.stage != other.stage).then(|| {
            format!(
                "stage: reference {}, implementation {}",
                coded(reference),
                shape(other)
            )
        });
    }
    let first = |a: &Option<serde_json::Value>, b: &Option<serde_json::Value>| -> Option<String> {
        let (Some(serde_json::Value::Object(a)), Some(serde_json::Value::Object(b))) = (a, b)
        else {
            return (a != b).then(|| "(whole)".to_owned());
        };
        let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
        let mut keys: Vec<&String> = keys
            .into_iter()
            .filter(|k| a.get(*k) != b.get(*k))
            .collect();
        keys.sort_by_key(|k| k.parse::<i64>().unwrap_or(i64::MAX));
        keys.first().map(|k| (*k).clone())
    };
    match (
        first(&reference.claim169, &other.claim169),
        first(&reference.cwt, &other.cwt),
    ) {
        (None, None) => None,
        (Some(k), _) => Some(format!("content: claim169 key {k} differs")),
        (None, Some(k)) => Some(format!("content: cwt claim {k} differs")),
    }
}

fn request(qr: &str, base: &Base) -> DecodeRequest {
    DecodeRequest {
        qr: qr.to_owned(),
        image: None,
        keys: DecodeKeys {
            verify: vec![base.key.to_jwk(false)],
            decrypt: Vec::new(),
        },
        options: DecodeOptions {
            now: Some(base.now),
            leeway: Some(0),
        },
    }
}

/// What one case came to.
#[derive(Debug)]
pub enum Verdicts {
    /// The case could not be made (an edit that does not apply).
    NotMade,
    /// The implementation could not answer (unsupported, or a rig error: its reason).
    NoAnswer(String),
    Agree,
    Disagree(Box<Disagreement>),
}

/// Runs one case against `imp`.
pub fn run_case(
    case: &FuzzCase,
    bases: &[Base],
    imp: &dyn Implementation,
    honours_time: bool,
    rt: &tokio::runtime::Runtime,
) -> Verdicts {
    let Some(base) = bases.get(case.base) else {
        return Verdicts::NotMade;
    };
    let Ok(qr) = build(base, &case.steps) else {
        return Verdicts::NotMade;
    };
    let req = request(&qr, base);
    let Ok(reference) = rt.block_on(Reference.decode(&req)) else {
        return Verdicts::NotMade;
    };
    let other = match rt.block_on(imp.decode(&req)) {
        Ok(o) => o,
        Err(AdapterError::Adapter {
            kind: ErrorKind::Unsupported,
            message,
            ..
        }) => return Verdicts::NoAnswer(format!("unsupported: {message}")),
        Err(e) => return Verdicts::NoAnswer(e.reason()),
    };
    match compare(&reference, &other, honours_time) {
        None => Verdicts::Agree,
        Some(kind) => Verdicts::Disagree(Box::new(Disagreement {
            case: case.clone(),
            base_id: base.id.clone(),
            qr,
            reference,
            other,
            kind,
        })),
    }
}

/// Removes steps one at a time while the same kind of disagreement remains.
pub fn minimise(
    d: Disagreement,
    bases: &[Base],
    imp: &dyn Implementation,
    honours_time: bool,
    rt: &tokio::runtime::Runtime,
) -> Disagreement {
    let mut best = d;
    let mut i = 0;
    while i < best.case.steps.len() && best.case.steps.len() > 1 {
        let mut smaller = best.case.clone();
        smaller.steps.remove(i);
        match run_case(&smaller, bases, imp, honours_time, rt) {
            Verdicts::Disagree(d) if d.kind == best.kind => best = *d,
            _ => i += 1,
        }
    }
    best
}

/// A candidate vector for a disagreement: the reference's verdict as the
/// expectation, to be reviewed before it is promoted.
#[must_use]
pub fn candidate(d: &Disagreement, adapter: &str, seed: u64, base: &Base) -> Vector {
    let steps: Vec<String> = d.case.steps.iter().map(ToString::to_string).collect();
    // The class follows the policy: an acceptance the reference flags as
    // implementation-defined (a mistyped or out-of-table value, an unknown
    // structure) is acceptable, not valid.
    let lenient = d.reference.warnings.iter().any(|w| {
        matches!(
            w.flag,
            c169_model::Flag::TypeMismatch
                | c169_model::Flag::EnumOutOfRange
                | c169_model::Flag::SpecExampleEncoding
                | c169_model::Flag::NonIntegerKey
                | c169_model::Flag::PhotoAsText
                | c169_model::Flag::MissingBiometricData
                | c169_model::Flag::Untagged
                | c169_model::Flag::HeaderInBothBuckets
        )
    });
    let (verdict, stage, expected) = match d.reference.verdict {
        Verdict::Accept => (
            if lenient {
                VerdictClass::Acceptable
            } else {
                VerdictClass::Valid
            },
            None,
            Some(c169_model::vector::Expected {
                claim169: d.reference.claim169.clone(),
                cwt: d.reference.cwt.clone(),
                match_: c169_model::vector::Match::Exact,
            }),
        ),
        Verdict::Reject => (VerdictClass::Invalid, d.reference.stage, None),
    };
    let mut v = Vector {
        id: format!("fuzz-{adapter}-{seed}-{}", d.case.index),
        description: format!(
            "Found by c169 fuzz against {adapter}: {} from {}, changed by {}",
            d.kind,
            d.base_id,
            steps.join("; ")
        ),
        source: Some(format!(
            "c169 fuzz --adapter {adapter} --seed {seed} --case {}",
            d.case.index
        )),
        // Until reviewed it names no requirement and grades nothing: what the
        // reference did is observed behaviour, context for the reviewer.
        primary: c169_model::Primary {
            id: String::new(),
            how: "to be named on review".to_owned(),
        },
        requirements: Vec::new(),
        basis: c169_model::Basis::Observed(c169_model::ObservedBasis {
            source: "the c169 reference codec (an unreviewed fuzz candidate)".to_owned(),
        }),
        level: None,
        prefers: None,
        verdict,
        stage,
        flags: Vec::new(),
        capabilities: vec![base.alg.clone(), "verify".into()],
        now: base.now,
        keys: c169_model::vector::VectorKeys {
            verify: vec![base.key_name.clone()],
            decrypt: Vec::new(),
        },
        qr: Some(d.qr.clone()),
        qr_fit: None,
        image: None,
        expected,
        artefacts: None,
        encode: None,
        notes: vec![
            "CANDIDATE: the verdict is the reference's; review it and name the requirement before promoting this case into vectors/src with the generator.".into(),
            format!("reference: {}", serde_json::to_string(&d.reference).unwrap_or_default()),
            format!("{adapter}: {}", serde_json::to_string(&d.other).unwrap_or_default()),
        ],
    };
    v.notes.retain(|n| !n.is_empty());
    v
}

/// The tally of a run.
#[derive(Debug, Default)]
pub struct Tally {
    pub cases: u64,
    pub not_made: u64,
    pub no_answer: BTreeMap<String, u64>,
    pub agree: u64,
    /// Kind → (how many, the first (minimised) instance).
    pub disagreements: BTreeMap<String, (u64, Disagreement)>,
}
