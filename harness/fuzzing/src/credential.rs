//! [`Credential`]: the structure-aware input of the `roundtrip` target, made by
//! `arbitrary`, and the CBOR values it stands for.

use arbitrary::Arbitrary;
use c169_codec::{claim169 as c169, cwt as cwt_mod};
use c169_crypto::crypto::{ContentAlgorithm, SignatureAlgorithm};
use c169_model::Value;

/// A credential to encode: some attributes of the claim 169 table with arbitrary
/// values of their types, optional face bytes, CWT claims, a signature algorithm and
/// optional encryption, and a few conformant encoder choices.
#[derive(Debug, Clone, Arbitrary)]
pub struct Credential {
    pub identity: Identity,
    pub claims: Claims,
    pub alg: Alg,
    pub encryption: Option<Encryption>,
    pub envelope: Envelope,
}

/// Attributes of the claim 169 map.
#[derive(Debug, Clone, Arbitrary)]
pub struct Identity {
    /// 1
    pub id: Option<String>,
    /// 2
    pub version: Option<String>,
    /// 3
    pub language: Option<String>,
    /// 4
    pub full_name: Option<String>,
    /// 5
    pub first_name: Option<String>,
    /// 7
    pub last_name: Option<String>,
    /// 8
    pub date_of_birth: Option<String>,
    /// 9: any integer; one outside the table is a warning, not a rejection.
    pub gender: Option<i64>,
    /// 10
    pub address: Option<String>,
    /// 11
    pub email: Option<String>,
    /// 12
    pub phone: Option<String>,
    /// 13
    pub nationality: Option<String>,
    /// 14
    pub marital_status: Option<i64>,
    /// 16 and 17: photo bytes and format.
    pub photo: Option<(Vec<u8>, Option<i64>)>,
    /// 18: finger positions (any integers; the list is cut at 16).
    pub best_quality_fingers: Option<Vec<i8>>,
    /// 19
    pub secondary_full_name: Option<String>,
    /// 21
    pub location_code: Option<String>,
    /// 23
    pub country_of_issuance: Option<String>,
    /// 62: the face.
    pub face: Option<Biometric>,
    /// 50–59: one finger's entries (the list is cut at 4).
    pub finger: Option<(u8, Vec<Biometric>)>,
    /// An unassigned key with any simple value: preserved as it came.
    pub unassigned: Option<(UnassignedKey, Extra)>,
}

/// A biometric entry: data, format, sub-format, issuer.
#[derive(Debug, Clone, Arbitrary)]
pub struct Biometric {
    pub data: Vec<u8>,
    pub format: Option<u8>,
    pub sub_format: Option<u16>,
    pub issuer: Option<String>,
}

/// A key the claim 169 tables do not assign.
#[derive(Debug, Clone, Copy, Arbitrary)]
pub enum UnassignedKey {
    /// 24–49.
    Gap(u8),
    /// 66 and above.
    High(u32),
    /// Negative.
    Negative(u32),
}

/// A value without nesting below it (but for one tag or array level).
#[derive(Debug, Clone, Arbitrary)]
pub enum Scalar {
    Int(i64),
    /// -1 - n: the negative integers beyond i64.
    BigNegative(u64),
    Big(u64),
    Text(String),
    Bytes(Vec<u8>),
    Bool(bool),
    Null,
    Undefined,
    Float(f64),
    Simple(u8),
}

/// An extra value: a scalar, a tagged scalar or an array of scalars.
#[derive(Debug, Clone, Arbitrary)]
pub enum Extra {
    Scalar(Scalar),
    Tagged(u64, Scalar),
    Array(Vec<Scalar>),
}

/// The CWT claims besides 169.
#[derive(Debug, Clone, Arbitrary)]
pub struct Claims {
    pub iss: Option<String>,
    pub sub: Option<String>,
    pub aud: Option<Audience>,
    pub validity: Option<Validity>,
    pub iat: Option<i64>,
    pub cti: Option<Vec<u8>>,
    /// A claim with an integer key other than 1–7 and 169.
    pub other: Option<(u16, Extra)>,
    /// A claim with a text key.
    pub named: Option<(String, Scalar)>,
}

#[derive(Debug, Clone, Arbitrary)]
pub enum Audience {
    One(String),
    Many(Vec<String>),
}

/// A validity window: nbf = start, exp = start + 1 + length, either or both written,
/// as integers or floats. The credential is decoded at its start.
#[derive(Debug, Clone, Copy, Arbitrary)]
pub struct Validity {
    pub start: i64,
    pub length: u32,
    pub write_nbf: bool,
    pub write_exp: bool,
    pub as_float: bool,
}

/// The signature algorithms the codec signs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Arbitrary)]
pub enum Alg {
    EdDsa,
    Es256,
    Es384,
    Es512,
}

impl Alg {
    #[must_use]
    pub fn algorithm(self) -> SignatureAlgorithm {
        match self {
            Alg::EdDsa => SignatureAlgorithm::EdDsa,
            Alg::Es256 => SignatureAlgorithm::Es256,
            Alg::Es384 => SignatureAlgorithm::Es384,
            Alg::Es512 => SignatureAlgorithm::Es512,
        }
    }
}

/// Encryption with one of the AES-GCM algorithms and a 12-byte IV.
#[derive(Debug, Clone, Copy, Arbitrary)]
pub struct Encryption {
    pub alg: Enc,
    pub iv: [u8; 12],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Arbitrary)]
pub enum Enc {
    A128,
    A192,
    A256,
}

impl Enc {
    #[must_use]
    pub fn algorithm(self) -> ContentAlgorithm {
        match self {
            Enc::A128 => ContentAlgorithm::A128Gcm,
            Enc::A192 => ContentAlgorithm::A192Gcm,
            Enc::A256 => ContentAlgorithm::A256Gcm,
        }
    }
}

/// Encoder choices every conformant decoder accepts (some with a warning).
#[derive(Debug, Clone, Arbitrary)]
#[allow(clippy::struct_excessive_bools)] // independent knobs
pub struct Envelope {
    pub kid: Option<Vec<u8>>,
    pub kid_unprotected: bool,
    pub tags: TagChoice,
    pub indefinite: bool,
    pub claim169_as_bytes: bool,
    pub zlib_level: u8,
    pub zlib_window: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Arbitrary)]
pub enum TagChoice {
    Cose,
    CwtAndCose,
    Untagged,
}

const MAX_FINGERS: usize = 16;
const MAX_FINGER_ENTRIES: usize = 4;

pub(crate) fn int(i: impl Into<i128>) -> Value {
    Value::Integer(i.into())
}

impl Scalar {
    fn value(self) -> Value {
        match self {
            Scalar::Int(i) => int(i),
            Scalar::BigNegative(n) => Value::Integer(-1 - i128::from(n)),
            Scalar::Big(n) => int(n),
            Scalar::Text(t) => Value::Text(t),
            Scalar::Bytes(b) => Value::Bytes(b),
            Scalar::Bool(b) => Value::Bool(b),
            Scalar::Null => Value::Null,
            Scalar::Undefined => Value::Undefined,
            Scalar::Float(f) => Value::Float(f),
            // 20–23 have their own forms and 24–31 are reserved: move them up.
            Scalar::Simple(n @ (0..=19 | 32..=255)) => Value::Simple(n),
            Scalar::Simple(n) => Value::Simple(n + 32),
        }
    }
}

impl Extra {
    fn value(self) -> Value {
        match self {
            Extra::Scalar(s) => s.value(),
            Extra::Tagged(t, s) => Value::Tag(t, Box::new(s.value())),
            Extra::Array(items) => Value::Array(items.into_iter().map(Scalar::value).collect()),
        }
    }
}

impl UnassignedKey {
    fn key(self) -> i128 {
        match self {
            UnassignedKey::Gap(n) => 24 + i128::from(n % 26),
            UnassignedKey::High(n) => 66 + i128::from(n),
            UnassignedKey::Negative(n) => -1 - i128::from(n),
        }
    }
}

impl Biometric {
    fn value(self) -> Value {
        let mut entry = vec![(int(0), Value::Bytes(self.data))];
        if let Some(f) = self.format {
            entry.push((int(1), int(f)));
        }
        if let Some(s) = self.sub_format {
            entry.push((int(2), int(s)));
        }
        if let Some(i) = self.issuer {
            entry.push((int(3), Value::Text(i)));
        }
        Value::Map(entry)
    }
}

impl Identity {
    /// The claim 169 map, in key order.
    #[must_use]
    pub fn into_value(self) -> Value {
        fn text(m: &mut Vec<(Value, Value)>, key: i128, v: Option<String>) {
            if let Some(v) = v {
                m.push((int(key), Value::Text(v)));
            }
        }
        let mut m: Vec<(Value, Value)> = Vec::new();
        text(&mut m, 1, self.id);
        text(&mut m, 2, self.version);
        text(&mut m, 3, self.language);
        text(&mut m, 4, self.full_name);
        text(&mut m, 5, self.first_name);
        text(&mut m, 7, self.last_name);
        text(&mut m, 8, self.date_of_birth);
        if let Some(g) = self.gender {
            m.push((int(9), int(g)));
        }
        text(&mut m, 10, self.address);
        text(&mut m, 11, self.email);
        text(&mut m, 12, self.phone);
        text(&mut m, 13, self.nationality);
        if let Some(s) = self.marital_status {
            m.push((int(14), int(s)));
        }
        if let Some((photo, format)) = self.photo {
            m.push((int(16), Value::Bytes(photo)));
            if let Some(f) = format {
                m.push((int(17), int(f)));
            }
        }
        if let Some(mut fingers) = self.best_quality_fingers {
            fingers.truncate(MAX_FINGERS);
            m.push((
                int(18),
                Value::Array(fingers.into_iter().map(int).collect()),
            ));
        }
        text(&mut m, 19, self.secondary_full_name);
        text(&mut m, 21, self.location_code);
        text(&mut m, 23, self.country_of_issuance);
        if let Some(unassigned) = self.unassigned {
            let (key, value) = (unassigned.0.key(), unassigned.1.value());
            m.push((int(key), value));
        }
        if let Some((which, mut entries)) = self.finger {
            entries.truncate(MAX_FINGER_ENTRIES);
            let key = c169::FIRST_BIOMETRIC + i128::from(which % 10);
            m.push((
                int(key),
                Value::Array(entries.into_iter().map(Biometric::value).collect()),
            ));
        }
        if let Some(face) = self.face {
            m.push((int(62), Value::Array(vec![face.value()])));
        }
        Value::Map(m)
    }
}

impl Claims {
    /// The claims map (without 169) and the validation time to decode it at.
    #[must_use]
    pub fn into_value(self) -> (Value, Option<i64>) {
        let mut m = Vec::new();
        if let Some(iss) = self.iss {
            m.push((int(cwt_mod::ISS), Value::Text(iss)));
        }
        if let Some(sub) = self.sub {
            m.push((int(cwt_mod::SUB), Value::Text(sub)));
        }
        if let Some(aud) = self.aud {
            let v = match aud {
                Audience::One(a) => Value::Text(a),
                Audience::Many(a) => Value::Array(a.into_iter().map(Value::Text).collect()),
            };
            m.push((int(cwt_mod::AUD), v));
        }
        let mut now = None;
        if let Some(v) = self.validity {
            let start = i128::from(v.start);
            let end = start + 1 + i128::from(v.length);
            let date = |n: i128| {
                if v.as_float {
                    Value::Float(n as f64)
                } else {
                    Value::Integer(n)
                }
            };
            if v.write_exp {
                m.push((int(cwt_mod::EXP), date(end)));
            }
            if v.write_nbf {
                m.push((int(cwt_mod::NBF), date(start)));
            }
            // Decode at the start, when the window is representable as written:
            // floats round, and a window narrower than their spacing may vanish.
            now = if v.as_float {
                let (s, e) = (start as f64, end as f64);
                (s < e)
                    .then_some(s as i64)
                    .filter(|n| (*n as f64).to_bits() == s.to_bits())
            } else {
                Some(v.start)
            };
        }
        if let Some(iat) = self.iat {
            m.push((int(cwt_mod::IAT), int(iat)));
        }
        if let Some(cti) = self.cti {
            m.push((int(cwt_mod::CTI), Value::Bytes(cti)));
        }
        if let Some((key, value)) = self.other {
            let key = 8 + i128::from(key);
            let key = if key == cwt_mod::CLAIM169 {
                key + 1
            } else {
                key
            };
            m.push((int(key), value.value()));
        }
        if let Some((name, value)) = self.named {
            m.push((Value::Text(name), value.value()));
        }
        (Value::Map(m), now)
    }
}
