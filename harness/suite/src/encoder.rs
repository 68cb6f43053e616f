//! Encoder vectors: the implementation encodes, the reference decodes its output
//! and applies the checks the vector names (explained in `vectors/notes.json`).

use c169_codec::{base45, decode, DecodeOptions};
use c169_crypto::keys::Key;
use c169_model::{Flag, Vector, Verdict};

/// What the reference reads in an encoder's output, with the vector's keys at its
/// validation time. Unlike the text (ECDSA signatures and IVs are drawn at random),
/// the reading is the same every time a conformant encoder encodes the same input.
#[must_use]
pub fn reading(
    vector: &Vector,
    qr: &str,
    verify_keys: &[Key],
    decrypt_keys: &[Key],
) -> c169_model::Outcome {
    let options = DecodeOptions {
        now: Some(vector.now),
        verify_keys: verify_keys.to_vec(),
        decrypt_keys: decrypt_keys.to_vec(),
        ..DecodeOptions::default()
    };
    decode(qr, &options).outcome
}

/// Applies every check of an encoder vector to `qr`; returns one line per failed check.
#[must_use]
pub fn check(vector: &Vector, qr: &str, verify_keys: &[Key], decrypt_keys: &[Key]) -> Vec<String> {
    let Some(case) = &vector.encode else {
        return vec!["not an encoder vector".into()];
    };
    let options = DecodeOptions {
        now: Some(vector.now),
        verify_keys: verify_keys.to_vec(),
        decrypt_keys: decrypt_keys.to_vec(),
        trace: true,
        ..DecodeOptions::default()
    };
    let d = decode(qr, &options);
    let o = &d.outcome;
    let rejected = || {
        format!(
            "the reference rejects the output at stage {} ({}): {}",
            o.stage.map_or("?", c169_model::Stage::as_str),
            o.code.as_deref().unwrap_or(""),
            o.message.as_deref().unwrap_or("")
        )
    };
    let flagged = |flags: &[Flag]| {
        o.warnings
            .iter()
            .filter(|w| flags.contains(&w.flag))
            .map(|w| format!("{} at {}", w.flag, w.at.as_deref().unwrap_or("?")))
            .collect::<Vec<_>>()
    };
    let mut failures = Vec::new();
    for name in &case.checks {
        let problem: Option<String> = match name.as_str() {
            "base45-alphabet" => outside_alphabet(qr),
            "one-zlib-stream" => match base45::decode(qr) {
                Err(e) => Some(format!("the text is not Base45: {e}")),
                Ok(bytes) => c169_codec::zlib::inflate(&bytes, 1 << 20).err().map(|e| format!("not exactly one zlib stream: {e}")),
            },
            "cose-sign1-tagged" => match o.cose.as_ref().map(|c| c.tags.clone()) {
                Some(tags) if tags == [18] || tags == [16, 18] => None,
                Some(tags) => Some(format!("COSE tags {tags:?}; expected [18], or [16, 18] when encrypted")),
                None => Some(rejected()),
            },
            "alg-protected" | "signature-verifies" => match (o.verdict, o.verified) {
                (Verdict::Accept, Some(true)) => None,
                (Verdict::Accept, _) => Some("the signature was not verified".into()),
                (Verdict::Reject, _) => Some(rejected()),
            },
            "decrypts" => match o.cose.as_ref().map(|c| c.structure.as_str()) {
                Some("encrypt0") if o.verdict == Verdict::Accept => None,
                Some("encrypt0") => Some(rejected()),
                _ => Some("the output is not a COSE_Encrypt0 around the COSE_Sign1".into()),
            },
            "integer-keys" => {
                let f = flagged(&[Flag::NonIntegerKey, Flag::SpecExampleEncoding]);
                (!f.is_empty()).then(|| format!("claim 169 is not a map with integer keys: {}", f.join(", ")))
            }
            "table-types" => {
                let f = flagged(&[Flag::TypeMismatch, Flag::EnumOutOfRange, Flag::PhotoAsText, Flag::SpecExampleEncoding]);
                (!f.is_empty()).then(|| format!("attributes depart from the tables: {}", f.join(", ")))
            }
            "fields-equal" => match (&o.claim169, &o.cwt) {
                (Some(c), Some(w)) => crate::judge::first_difference(&case.claim169, c, c169_model::Match::Exact, "claim169")
                    .or_else(|| crate::judge::first_difference(&case.cwt, w, c169_model::Match::Exact, "cwt")),
                _ => Some(rejected()),
            },
            "dob-format" => o
                .claim169
                .as_ref()
                .and_then(|c| c.get("8"))
                .and_then(|d| d.as_str())
                .filter(|d| d.len() != 8 || !d.bytes().all(|b| b.is_ascii_digit()))
                .map(|d| format!("date of birth {d:?} is not YYYYMMDD")),
            "preferred-cbor" => d.trace.payload.as_deref().map_or_else(
                || Some(rejected()),
                |payload| match c169_codec::cbor::decode(payload, c169_codec::cbor::ReadLimits::default()) {
                    Ok(v) if c169_codec::cbor::encode(&v).ok().as_deref() == Some(payload) => None,
                    Ok(_) => Some("the claims set is not in preferred serialization (shortest heads, definite lengths)".into()),
                    Err(e) => Some(format!("the payload does not read: {e}")),
                },
            ),
            "language-codes" => text_fields(o, &["3", "20"])
                .find(|(_, t)| t.len() != 3 || !t.bytes().all(|b| b.is_ascii_lowercase()))
                .map(|(k, t)| format!("key {k}: {t:?} is not a three-letter ISO 639-3 code")),
            "phone-e123" => text_fields(o, &["12"])
                .find(|(_, t)| !t.starts_with('+') || !t.bytes().skip(1).all(|b| b.is_ascii_digit() || b == b' '))
                .map(|(_, t)| format!("phone {t:?} is not in E.123 international form (+ then digits and spaces)")),
            "nationality-code" => text_fields(o, &["13"])
                .find(|(_, t)| !(2..=3).contains(&t.len()) || !t.bytes().all(|b| b.is_ascii_uppercase()))
                .map(|(_, t)| format!("nationality {t:?} is not a two- or three-letter country code")),
            "fits-qr-v40" => fits_v40(vector, qr),
            // Needs two encodings: the runner applies it with [`fresh_iv`].
            "fresh-iv" => None,
            other => Some(format!("unknown check {other:?}")),
        };
        if let Some(p) = problem {
            failures.push(format!("{name}: {p}"));
        }
    }
    failures
}

/// The first character of `qr` outside the Base45 alphabet, said as a problem.
fn outside_alphabet(qr: &str) -> Option<String> {
    qr.char_indices()
        .find(|(_, c)| !c169_qr::is_alphanumeric(*c))
        .map(|(at, c)| {
            format!("the text holds {c:?} at offset {at}, outside the Base45 alphabet (the QR alphanumeric set); a QR symbol would need byte mode")
        })
}

/// Whether `qr` fits a version-40 symbol at the vector's level, in the mode its
/// characters need; the problem when not.
fn fits_v40(vector: &Vector, qr: &str) -> Option<String> {
    let level = c169_corpus::symbol::encoder_level(vector);
    let symbol = c169_corpus::symbol::facts(qr, level);
    symbol.version.is_none().then(|| {
        format!(
            "{} characters in {} mode: more than a version-40 QR symbol holds at level {level} ({} in alphanumeric mode)",
            symbol.chars,
            symbol.mode,
            c169_qr::V40_ALPHANUMERIC.get(level.index()).copied().unwrap_or(0)
        )
    })
}

/// The text values of some claim 169 keys in the decoded content.
fn text_fields<'o>(
    o: &'o c169_model::Outcome,
    keys: &'o [&'o str],
) -> impl Iterator<Item = (&'o str, &'o str)> + 'o {
    keys.iter().filter_map(move |k| {
        o.claim169
            .as_ref()
            .and_then(|c| c.get(*k))
            .and_then(|v| v.as_str())
            .map(|t| (*k, t))
    })
}

/// The `fresh-iv` check: the same request encoded twice gives two different 12-byte IVs.
#[must_use]
pub fn fresh_iv(
    vector: &Vector,
    first: &str,
    second: Result<&str, String>,
    decrypt_keys: &[Key],
) -> Option<String> {
    let second = match second {
        Ok(s) => s,
        Err(e) => return Some(format!("fresh-iv: the second encoding failed: {e}")),
    };
    let iv_of = |qr: &str| {
        let options = DecodeOptions {
            now: Some(vector.now),
            decrypt_keys: decrypt_keys.to_vec(),
            trace: true,
            ..DecodeOptions::default()
        };
        decode(qr, &options).trace.iv
    };
    match (iv_of(first), iv_of(second)) {
        (Some(a), Some(b)) if a.len() == 12 && a != b => None,
        (Some(a), Some(b)) if a == b => Some(format!(
            "fresh-iv: two encodings share the IV {}",
            hex::encode(a)
        )),
        (Some(a), _) if a.len() != 12 => {
            Some(format!("fresh-iv: the IV is {} bytes, not 12", a.len()))
        }
        _ => Some("fresh-iv: the outputs do not carry a readable IV".into()),
    }
}
