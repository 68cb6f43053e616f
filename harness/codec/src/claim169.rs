//! The claim 169 map: the table of attributes (keys 1–23), the biometric
//! attributes (50–65) and their entries (sub-keys 0–3), every enumeration, and a
//! typed reading that reports, rather than hides, what departs from the tables.
//!
//! The raw map is always kept as it came: unassigned keys are preserved with
//! their values, and typed fields that do not fit are flagged, not dropped.

use c169_model::{Flag, Stage, Value, Warning};
use serde::Serialize;
use serde_json::{Map, Value as Json};

/// The CBOR type an attribute holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// An integer from an enumeration.
    Enum(Enumeration),
    Bytes,
    /// Key 18: an array of finger positions 0–10.
    Fingers,
}

/// The enumerations of the claim 169 tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enumeration {
    Gender,
    MaritalStatus,
    PhotoFormat,
}

impl Enumeration {
    /// The name of `value` in this table, if it has one.
    #[must_use]
    pub fn name(self, value: i128) -> Option<&'static str> {
        let table: &[&str] = match self {
            Enumeration::Gender => &["Male", "Female", "Others"],
            Enumeration::MaritalStatus => &["Unmarried", "Married", "Divorced"],
            Enumeration::PhotoFormat => &["JPEG", "JPEG 2000", "AVIF", "WEBP"],
        };
        usize::try_from(value - 1)
            .ok()
            .and_then(|i| table.get(i))
            .copied()
    }
}

/// One attribute of the table: key, JSON name, kind.
#[derive(Debug, Clone, Copy)]
pub struct Attribute {
    pub key: i128,
    pub name: &'static str,
    pub kind: Kind,
}

const fn attr(key: i128, name: &'static str, kind: Kind) -> Attribute {
    Attribute { key, name, kind }
}

/// Keys 1–23.
pub const ATTRIBUTES: [Attribute; 23] = [
    attr(1, "id", Kind::Text),
    attr(2, "version", Kind::Text),
    attr(3, "language", Kind::Text),
    attr(4, "fullName", Kind::Text),
    attr(5, "firstName", Kind::Text),
    attr(6, "middleName", Kind::Text),
    attr(7, "lastName", Kind::Text),
    attr(8, "dateOfBirth", Kind::Text),
    attr(9, "gender", Kind::Enum(Enumeration::Gender)),
    attr(10, "address", Kind::Text),
    attr(11, "email", Kind::Text),
    attr(12, "phone", Kind::Text),
    attr(13, "nationality", Kind::Text),
    attr(14, "maritalStatus", Kind::Enum(Enumeration::MaritalStatus)),
    attr(15, "guardian", Kind::Text),
    attr(16, "photo", Kind::Bytes),
    attr(17, "photoFormat", Kind::Enum(Enumeration::PhotoFormat)),
    attr(18, "bestQualityFingers", Kind::Fingers),
    attr(19, "secondaryFullName", Kind::Text),
    attr(20, "secondaryLanguage", Kind::Text),
    attr(21, "locationCode", Kind::Text),
    attr(22, "legalStatus", Kind::Text),
    attr(23, "countryOfIssuance", Kind::Text),
];

/// Keys 50–65, in order.
pub const BIOMETRICS: [&str; 16] = [
    "rightThumb",
    "rightPointerFinger",
    "rightMiddleFinger",
    "rightRingFinger",
    "rightLittleFinger",
    "leftThumb",
    "leftPointerFinger",
    "leftMiddleFinger",
    "leftRingFinger",
    "leftLittleFinger",
    "rightIris",
    "leftIris",
    "face",
    "rightPalmPrint",
    "leftPalmPrint",
    "voice",
];

pub const FIRST_BIOMETRIC: i128 = 50;
pub const LAST_BIOMETRIC: i128 = 65;

/// The name of a biometric attribute key (50–65).
#[must_use]
pub fn biometric_name(key: i128) -> Option<&'static str> {
    usize::try_from(key - FIRST_BIOMETRIC)
        .ok()
        .and_then(|i| BIOMETRICS.get(i))
        .copied()
}

/// The attribute of a key 1–23.
#[must_use]
pub fn attribute(key: i128) -> Option<&'static Attribute> {
    ATTRIBUTES.iter().find(|a| a.key == key)
}

/// The name of a biometric data format (sub-key 1).
#[must_use]
pub fn format_name(format: i128) -> Option<&'static str> {
    match format {
        0 => Some("Image"),
        1 => Some("Template"),
        2 => Some("Sound"),
        3 => Some("BioHash"),
        _ => None,
    }
}

/// Whether `sub` is a defined sub-format (sub-key 2) of `format`; `None` when the
/// format has no table (Bio hash) and any value stands.
#[must_use]
pub fn sub_format_defined(format: i128, sub: i128) -> Option<bool> {
    let vendor = (100..=200).contains(&sub);
    match format {
        0 => Some((0..=6).contains(&sub) || vendor),
        1 => Some((0..=2).contains(&sub) || vendor),
        2 => Some((0..=1).contains(&sub)),
        _ => None,
    }
}

/// Why a claim 169 map is rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Claim169Error {
    #[error("key {key} appears more than once in the claim 169 map")]
    DuplicateKey { key: String },
    #[error(
        "sub-key {sub_key} appears more than once in entry {index} of biometric attribute {key}"
    )]
    DuplicateSubKey {
        key: i128,
        index: usize,
        sub_key: String,
    },
}

impl Claim169Error {
    #[must_use]
    pub fn stage(&self) -> Stage {
        Stage::Claim169
    }

    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Claim169Error::DuplicateKey { .. } => "claim169.duplicate_key",
            Claim169Error::DuplicateSubKey { .. } => "claim169.duplicate_sub_key",
        }
    }
}

fn key_text(k: &Value) -> String {
    match k {
        Value::Integer(i) => i.to_string(),
        Value::Text(t) => format!("{t:?}"),
        other => other.type_name().to_owned(),
    }
}

/// The typed reading of a claim 169 map, for people and for `identity` in JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Identity {
    /// Attributes 1–23 that fit their type, by JSON name.
    pub fields: Map<String, Json>,
    /// Biometric attributes, by JSON name, each a list of entries.
    pub biometrics: Map<String, Json>,
    /// Entries with unassigned or non-integer keys, canonical JSON `[key, value]`.
    pub unknown: Vec<Json>,
}

fn warn(warnings: &mut Vec<Warning>, flag: Flag, at: String, message: String) {
    warnings.push(Warning {
        flag,
        at: Some(at),
        message,
    });
}

/// Checks a claim 169 map: rejects duplicate keys, and adds a warning for every
/// departure from the tables. This is the decoder's hot path: it builds nothing.
pub fn check(map: &[(Value, Value)], warnings: &mut Vec<Warning>) -> Result<(), Claim169Error> {
    walk(map, warnings, None)
}

/// Checks a claim 169 map as [`check`] does, and reads it into an [`Identity`].
pub fn interpret(
    map: &[(Value, Value)],
    warnings: &mut Vec<Warning>,
) -> Result<Identity, Claim169Error> {
    let mut identity = Identity {
        fields: Map::new(),
        biometrics: Map::new(),
        unknown: Vec::new(),
    };
    walk(map, warnings, Some(&mut identity))?;
    Ok(identity)
}

fn duplicate(map: &[(Value, Value)]) -> Option<&Value> {
    // Maps in credentials are small: a quadratic scan beats hashing here.
    map.iter()
        .enumerate()
        .find(|(i, (k, _))| map.iter().take(*i).any(|(seen, _)| seen == k))
        .map(|(_, (k, _))| k)
}

fn walk(
    map: &[(Value, Value)],
    warnings: &mut Vec<Warning>,
    mut out: Option<&mut Identity>,
) -> Result<(), Claim169Error> {
    if let Some(k) = duplicate(map) {
        return Err(Claim169Error::DuplicateKey { key: key_text(k) });
    }
    for (k, v) in map {
        let Some(key) = k.as_integer() else {
            warn(
                warnings,
                Flag::NonIntegerKey,
                format!("169/{}", key_text(k)),
                format!(
                    "key {} is not an integer; claim 169 keys are integers",
                    key_text(k)
                ),
            );
            if let Some(id) = out.as_deref_mut() {
                id.unknown.push(Json::Array(vec![
                    c169_model::to_canonical_json(k),
                    c169_model::to_canonical_json(v),
                ]));
            }
            continue;
        };
        if let Some(a) = attribute(key) {
            let json = typed(a, v, warnings, out.is_some());
            if let (Some(id), Some(json)) = (out.as_deref_mut(), json) {
                id.fields.insert(a.name.into(), json);
            }
        } else if let Some(name) = biometric_name(key) {
            let json = biometric(key, v, warnings, out.is_some())?;
            if let Some(id) = out.as_deref_mut() {
                id.biometrics.insert(name.into(), json);
            }
        } else {
            warn(
                warnings,
                Flag::UnknownKey,
                format!("169/{key}"),
                format!("key {key} is not assigned by the Claim 169 tables; preserved unchanged"),
            );
            if let Some(id) = out.as_deref_mut() {
                id.unknown.push(Json::Array(vec![
                    Json::from(key as i64),
                    c169_model::to_canonical_json(v),
                ]));
            }
        }
    }
    Ok(())
}

/// Warns when `v` does not fit attribute `a`; when `build`, returns its JSON reading.
fn typed(a: &Attribute, v: &Value, warnings: &mut Vec<Warning>, build: bool) -> Option<Json> {
    let at = || format!("169/{}", a.key);
    let mismatch = |warnings: &mut Vec<Warning>, expected: &str| {
        warn(
            warnings,
            Flag::TypeMismatch,
            at(),
            format!(
                "{} ({}) must be {expected}; found {}",
                a.name,
                a.key,
                v.type_name()
            ),
        );
        None
    };
    match (a.kind, v) {
        (Kind::Text, Value::Text(t)) => build.then(|| Json::String(t.clone())),
        (Kind::Text, _) => mismatch(warnings, "a text string"),
        (Kind::Bytes, Value::Bytes(b)) => {
            build.then(|| Json::String(c169_model::canonical::lower_hex(b)))
        }
        (Kind::Bytes, Value::Text(t)) => {
            warn(
                warnings,
                Flag::PhotoAsText,
                at(),
                format!("{} ({}) is text, not a byte string", a.name, a.key),
            );
            build.then(|| Json::String(t.clone()))
        }
        (Kind::Bytes, _) => mismatch(warnings, "a byte string"),
        (Kind::Enum(e), Value::Integer(i)) => {
            if let Some(name) = e.name(*i) {
                build.then(|| Json::String(name.into()))
            } else {
                warn(
                    warnings,
                    Flag::EnumOutOfRange,
                    at(),
                    format!("{} ({}) has value {i}, outside its table", a.name, a.key),
                );
                None
            }
        }
        (Kind::Enum(_), _) => mismatch(warnings, "an integer"),
        (Kind::Fingers, Value::Array(items)) => {
            let mut fingers = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match item.as_integer() {
                    Some(n @ 0..=10) => {
                        if build {
                            fingers.push(Json::from(n as i64));
                        }
                    }
                    Some(n) => warn(
                        warnings,
                        Flag::EnumOutOfRange,
                        format!("{}/{i}", at()),
                        format!("finger position {n} is outside 0-10"),
                    ),
                    None => warn(
                        warnings,
                        Flag::TypeMismatch,
                        format!("{}/{i}", at()),
                        format!(
                            "finger position must be an integer; found {}",
                            item.type_name()
                        ),
                    ),
                }
            }
            build.then_some(Json::Array(fingers))
        }
        (Kind::Fingers, _) => mismatch(warnings, "an array of integers 0-10"),
    }
}

fn biometric(
    key: i128,
    v: &Value,
    warnings: &mut Vec<Warning>,
    build: bool,
) -> Result<Json, Claim169Error> {
    let at = || format!("169/{key}");
    let entries: &[Value] = match v {
        Value::Array(items) => items,
        Value::Map(_) => {
            warn(warnings, Flag::SpecExampleEncoding, at(), format!("biometric attribute {key} is one map, as in the specification's worked example; the table says an array of maps"));
            std::slice::from_ref(v)
        }
        other => {
            warn(
                warnings,
                Flag::TypeMismatch,
                at(),
                format!(
                    "biometric attribute {key} must be an array of maps; found {}",
                    other.type_name()
                ),
            );
            return Ok(Json::Array(Vec::new()));
        }
    };
    let mut out = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        let Some(sub) = entry.as_map() else {
            warn(
                warnings,
                Flag::TypeMismatch,
                format!("{}/{index}", at()),
                format!(
                    "a biometric entry must be a map; found {}",
                    entry.type_name()
                ),
            );
            continue;
        };
        if let Some(k) = duplicate(sub) {
            return Err(Claim169Error::DuplicateSubKey {
                key,
                index,
                sub_key: key_text(k),
            });
        }
        let json = entry_json(sub, key, index, warnings, build);
        if build {
            out.push(Json::Object(json));
        }
    }
    Ok(Json::Array(out))
}

fn entry_json(
    sub: &[(Value, Value)],
    key: i128,
    index: usize,
    warnings: &mut Vec<Warning>,
    build: bool,
) -> Map<String, Json> {
    let at = || format!("169/{key}/{index}");
    let mut m = Map::new();
    let format = sub
        .iter()
        .find(|(k, _)| k.as_integer() == Some(1))
        .and_then(|(_, v)| v.as_integer());
    if !sub.iter().any(|(k, _)| k.as_integer() == Some(0)) {
        warn(
            warnings,
            Flag::MissingBiometricData,
            at(),
            "the entry has no data (sub-key 0)".into(),
        );
    }
    for (k, v) in sub {
        let here = || format!("{}/{}", at(), key_text(k));
        match (k.as_integer(), v) {
            (Some(0), Value::Bytes(b)) => {
                if build {
                    m.insert(
                        "data".into(),
                        Json::String(c169_model::canonical::lower_hex(b)),
                    );
                }
            }
            (Some(1), Value::Integer(f)) => {
                if format_name(*f).is_none() {
                    warn(
                        warnings,
                        Flag::EnumOutOfRange,
                        here(),
                        format!("data format {f} is outside 0-3"),
                    );
                }
                if build {
                    m.insert("format".into(), Json::from(*f as i64));
                }
            }
            (Some(2), Value::Integer(s)) => {
                if let Some(f) = format {
                    if sub_format_defined(f, *s) == Some(false) {
                        warn(
                            warnings,
                            Flag::EnumOutOfRange,
                            here(),
                            format!("sub-format {s} is not defined for data format {f}"),
                        );
                    }
                }
                if build {
                    m.insert("subFormat".into(), Json::from(*s as i64));
                }
            }
            (Some(3), Value::Text(t)) => {
                if build {
                    m.insert("issuer".into(), Json::String(t.clone()));
                }
            }
            (Some(n @ 0..=3), other) => {
                let expected = ["a byte string", "an integer", "an integer", "a text string"];
                let expected = usize::try_from(n)
                    .ok()
                    .and_then(|i| expected.get(i))
                    .copied()
                    .unwrap_or("");
                warn(
                    warnings,
                    Flag::TypeMismatch,
                    here(),
                    format!(
                        "sub-key {n} must be {expected}; found {}",
                        other.type_name()
                    ),
                );
            }
            _ => warn(
                warnings,
                Flag::UnknownKey,
                here(),
                format!(
                    "sub-key {} is not defined for biometric entries; preserved in the raw map",
                    key_text(k)
                ),
            ),
        }
    }
    m
}

/// Why identity data given by name cannot become a claim 169 map.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdentityError {
    #[error("identity data must be an object of attribute names; found {found}")]
    NotAnObject { found: &'static str },
    #[error("{field}: {expected}")]
    Field { field: String, expected: String },
    #[error("unknown attribute {field:?}: use a name of the claim 169 table or a decimal key with a canonical JSON value")]
    UnknownField { field: String },
}

fn field_err(field: &str, expected: impl Into<String>) -> IdentityError {
    IdentityError::Field {
        field: field.to_owned(),
        expected: expected.into(),
    }
}

/// Builds a claim 169 map from identity data given by attribute name (the names
/// of [`ATTRIBUTES`] and [`BIOMETRICS`]), the form people write in YAML or JSON.
/// Enumerations take their number or their name; bytes are lowercase hex;
/// biometric entries are `{data, format, subFormat, issuer}`. A decimal key
/// (`"24"`) carries any value in canonical JSON, for unassigned attributes.
pub fn from_identity_json(json: &Json) -> Result<Value, IdentityError> {
    let Json::Object(fields) = json else {
        return Err(IdentityError::NotAnObject {
            found: json_type(json),
        });
    };
    let mut entries = Vec::with_capacity(fields.len());
    for (name, v) in fields {
        if let Some(a) = ATTRIBUTES.iter().find(|a| a.name == name) {
            entries.push((Value::Integer(a.key), attribute_value(a, name, v)?));
        } else if let Some(i) = BIOMETRICS.iter().position(|b| b == name) {
            let list = v
                .as_array()
                .ok_or_else(|| field_err(name, "an array of biometric entries"))?;
            let items = list
                .iter()
                .enumerate()
                .map(|(n, e)| biometric_entry(&format!("{name}[{n}]"), e))
                .collect::<Result<Vec<_>, _>>()?;
            entries.push((
                Value::Integer(FIRST_BIOMETRIC + i as i128),
                Value::Array(items),
            ));
        } else if let Ok(key) = name.parse::<i128>() {
            let value =
                c169_model::from_canonical_json(v).map_err(|e| field_err(name, e.to_string()))?;
            entries.push((Value::Integer(key), value));
        } else {
            return Err(IdentityError::UnknownField {
                field: name.clone(),
            });
        }
    }
    entries.sort_by_key(|(k, _)| k.as_integer());
    Ok(Value::Map(entries))
}

fn json_type(j: &Json) -> &'static str {
    match j {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

fn hex_bytes(field: &str, v: &Json) -> Result<Vec<u8>, IdentityError> {
    v.as_str().and_then(|s| hex::decode(s).ok()).ok_or_else(|| {
        field_err(
            field,
            format!("lowercase hex bytes; found {}", json_type(v)),
        )
    })
}

fn attribute_value(a: &Attribute, field: &str, v: &Json) -> Result<Value, IdentityError> {
    Ok(match a.kind {
        Kind::Text => Value::Text(
            v.as_str()
                .ok_or_else(|| field_err(field, format!("text; found {}", json_type(v))))?
                .to_owned(),
        ),
        Kind::Bytes => Value::Bytes(hex_bytes(field, v)?),
        Kind::Enum(e) => {
            let by_name = v
                .as_str()
                .and_then(|s| (1..=4).find(|i| e.name(*i) == Some(s)));
            let n = v.as_i64().map(i128::from).or(by_name);
            Value::Integer(n.ok_or_else(|| field_err(field, "a number or a name of its table"))?)
        }
        Kind::Fingers => Value::Array(
            v.as_array()
                .ok_or_else(|| field_err(field, "an array of finger positions 0-10"))?
                .iter()
                .map(|f| {
                    f.as_i64()
                        .map(|n| Value::Integer(n.into()))
                        .ok_or_else(|| field_err(field, "integers"))
                })
                .collect::<Result<_, _>>()?,
        ),
    })
}

fn biometric_entry(field: &str, e: &Json) -> Result<Value, IdentityError> {
    let m = e
        .as_object()
        .ok_or_else(|| field_err(field, "an object {data, format, subFormat, issuer}"))?;
    let mut entry = Vec::with_capacity(4);
    for (name, v) in m {
        let (key, value) = match name.as_str() {
            "data" => (0, Value::Bytes(hex_bytes(&format!("{field}.data"), v)?)),
            "format" => (
                1,
                Value::Integer(
                    v.as_i64()
                        .ok_or_else(|| field_err(field, "format: an integer"))?
                        .into(),
                ),
            ),
            "subFormat" => (
                2,
                Value::Integer(
                    v.as_i64()
                        .ok_or_else(|| field_err(field, "subFormat: an integer"))?
                        .into(),
                ),
            ),
            "issuer" => (
                3,
                Value::Text(
                    v.as_str()
                        .ok_or_else(|| field_err(field, "issuer: text"))?
                        .to_owned(),
                ),
            ),
            other => {
                return Err(IdentityError::UnknownField {
                    field: format!("{field}.{other}"),
                })
            }
        };
        entry.push((Value::Integer(key), value));
    }
    entry.sort_by_key(|(k, _)| k.as_integer());
    Ok(Value::Map(entry))
}

#[cfg(test)]
mod tests;
