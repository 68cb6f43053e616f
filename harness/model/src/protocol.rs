//! The messages of adapter protocol v1 (see adapters/PROTOCOL.md and
//! adapters/protocol.schema.json).
//!
//! An implementation under test is reached through an *adapter*: a program or an
//! HTTP endpoint that reads one request object and answers one response object.
//! This module holds the message types and the rules for reading a reply; it does
//! no I/O. Every request carries an `id` and an `op`; every response echoes the
//! `id` and is either the result of the op or an error object:
//!
//! ```json
//! {"id": 7, "op": "decode", "qr": "NCF…", "keys": {"verify": [], "decrypt": []}, "options": {"now": 1700000000}}
//! {"id": 7, "verdict": "reject", "stage": "base45", "code": "base45.invalid_character", "warnings": []}
//! {"id": 7, "error": {"kind": "unsupported", "message": "cannot verify ES512"}}
//! ```

use crate::{CanonicalJsonError, Outcome};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};
use std::fmt;

/// The protocol version this module speaks; `describe` answers carry it.
pub const PROTOCOL_VERSION: u32 = 1;

/// The signature algorithm names of the protocol (JOSE names, RFC 7518 / RFC 8037).
pub const SIGNATURE_ALGORITHMS: [&str; 4] = ["EdDSA", "ES256", "ES384", "ES512"];

/// The content-encryption algorithm names of the protocol (JOSE names).
pub const CONTENT_ALGORITHMS: [&str; 3] = ["A128GCM", "A192GCM", "A256GCM"];

/// The capabilities a `describe` answer declares beside its algorithm names (see
/// [`Description::capability_names`]): the names `--require`, scenario tags and
/// vectors' `capabilities` use.
pub const ABILITIES: [&str; 6] = [
    "verify",
    "decrypt",
    "decode_unverified",
    "validation_time",
    "encode",
    "decode_image",
];

/// Every capability name: [`ABILITIES`], then the algorithm names.
pub fn capability_vocabulary() -> impl Iterator<Item = &'static str> {
    ABILITIES
        .into_iter()
        .chain(SIGNATURE_ALGORITHMS)
        .chain(CONTENT_ALGORITHMS)
}

/// An operation of the protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    Describe,
    Decode,
    Encode,
}

impl Op {
    pub const ALL: [Op; 3] = [Op::Describe, Op::Decode, Op::Encode];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Describe => "describe",
            Op::Decode => "decode",
            Op::Encode => "encode",
        }
    }

    /// The op named `name`, if the protocol has one.
    #[must_use]
    pub fn parse(name: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|op| op.as_str() == name)
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One request: `{"id": n, "op": "…", …the op's members}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// Chosen by the rig, echoed by the adapter; unique among a session's requests.
    pub id: u64,
    #[serde(flatten)]
    pub body: RequestBody,
}

/// The op of a request and its members.
#[allow(clippy::large_enum_variant)] // one short-lived message at a time
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum RequestBody {
    /// What can the implementation do?
    Describe,
    /// Decode one QR text.
    Decode(DecodeRequest),
    /// Produce a QR text.
    Encode(EncodeRequest),
}

impl RequestBody {
    #[must_use]
    pub fn op(&self) -> Op {
        match self {
            RequestBody::Describe => Op::Describe,
            RequestBody::Decode(_) => Op::Decode,
            RequestBody::Encode(_) => Op::Encode,
        }
    }
}

/// `decode`: the QR text (or an image of the symbol), the keys to use and the
/// validation options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "DecodeWire", into = "DecodeWire")]
pub struct DecodeRequest {
    /// The text a QR scanner would return, exactly (no trimming). Empty, and not
    /// sent, when `image` is given.
    pub qr: String,
    /// A PNG image of the symbol, base64 (RFC 4648 §4, padded), for an
    /// implementation that declares the `decode_image` capability: it scans the
    /// image and decodes what it reads. Sent in place of `qr`.
    pub image: Option<String>,
    pub keys: DecodeKeys,
    pub options: DecodeOptions,
}

impl DecodeRequest {
    /// A request for `qr` without keys or options.
    #[must_use]
    pub fn new(qr: impl Into<String>) -> Self {
        DecodeRequest {
            qr: qr.into(),
            image: None,
            keys: DecodeKeys::default(),
            options: DecodeOptions::default(),
        }
    }
}

/// The members of a decode request as sent: exactly one of `qr` and `image`.
#[derive(Serialize, Deserialize)]
struct DecodeWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    qr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    image: Option<String>,
    #[serde(default)]
    keys: DecodeKeys,
    #[serde(default)]
    options: DecodeOptions,
}

impl TryFrom<DecodeWire> for DecodeRequest {
    type Error = String;

    fn try_from(w: DecodeWire) -> Result<Self, String> {
        let (qr, image) = match (w.qr, w.image) {
            (Some(qr), None) => (qr, None),
            (None, Some(image)) => (String::new(), Some(image)),
            (Some(_), Some(_)) => {
                return Err("a decode request has `qr` or `image`, not both".into())
            }
            (None, None) => return Err("missing field `qr` (or `image`)".into()),
        };
        Ok(DecodeRequest {
            qr,
            image,
            keys: w.keys,
            options: w.options,
        })
    }
}

impl From<DecodeRequest> for DecodeWire {
    fn from(r: DecodeRequest) -> Self {
        let (qr, image) = match r.image {
            Some(image) => (None, Some(image)),
            None => (Some(r.qr), None),
        };
        DecodeWire {
            qr,
            image,
            keys: r.keys,
            options: r.options,
        }
    }
}

/// Keys as JWK objects (RFC 7517; OKP per RFC 8037, EC, oct).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DecodeKeys {
    /// Public keys to verify the `COSE_Sign1` with. Empty: do not verify.
    #[serde(default)]
    pub verify: Vec<Json>,
    /// Symmetric keys to decrypt a `COSE_Encrypt0` with.
    #[serde(default)]
    pub decrypt: Vec<Json>,
}

/// Validation options of `decode`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecodeOptions {
    /// The validation time, seconds since the Unix epoch. Absent or null: do not check exp/nbf.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub now: Option<i64>,
    /// Seconds of clock skew allowed on exp and nbf. Absent: the implementation's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leeway: Option<u64>,
}

/// `encode`: the content, and how to sign and encrypt it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EncodeRequest {
    /// The claim 169 map, canonical JSON.
    pub claim169: Json,
    /// The other CWT claims (a map without 169), canonical JSON.
    #[serde(default = "empty_object")]
    pub cwt: Json,
    /// Absent: the implementation's choice for an unsigned credential, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign: Option<SignParams>,
    /// Absent: no `COSE_Encrypt0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypt: Option<EncryptParams>,
    /// Encoder knobs. An adapter answers `unsupported` for a member it does not know.
    #[serde(default)]
    pub options: Map<String, Json>,
    /// The QR error-correction level the credential is to be printed at (`L`, `M`,
    /// `Q`, `H`). Informational: the answer is text either way, and the suite holds
    /// it to the capacity of a version-40 symbol at this level. Adapters may ignore it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ec_level: Option<crate::EcLevel>,
}

fn empty_object() -> Json {
    Json::Object(Map::new())
}

/// How to sign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignParams {
    /// The private key, a JWK.
    pub jwk: Json,
    /// `EdDSA`, `ES256`, `ES384` or `ES512`. Absent: the key's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    /// The kid header to write, `{"bstr": "<hex>"}`. Absent: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<Json>,
}

/// How to encrypt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EncryptParams {
    /// The symmetric key, a JWK of kty `oct`.
    pub jwk: Json,
    /// `A128GCM`, `A192GCM` or `A256GCM`. Absent: by key length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    /// The 12-byte IV, `{"bstr": "<hex>"}`. Absent: the implementation draws a
    /// fresh one, as an issuer must for every credential.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iv: Option<Json>,
}

/// The bytes of a `{"bstr": "<lowercase hex>"}` member.
pub fn bstr_bytes(json: &Json) -> Result<Vec<u8>, CanonicalJsonError> {
    match crate::from_canonical_json(json)? {
        crate::Value::Bytes(b) => Ok(b),
        other => Err(CanonicalJsonError {
            path: "/".into(),
            problem: format!(
                "expected {{\"bstr\": \"<hex>\"}}, found a {}",
                other.type_name()
            ),
        }),
    }
}

/// The `{"bstr": "<lowercase hex>"}` form of `bytes`.
#[must_use]
pub fn bstr_json(bytes: &[u8]) -> Json {
    let mut m = Map::with_capacity(1);
    m.insert("bstr".into(), Json::String(hex::encode(bytes)));
    Json::Object(m)
}

/// The answer to `describe`: what the implementation claims it can do. The
/// runner skips, with a reason, every case that needs something not claimed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Description {
    /// The implementation's name (`claim169-core`, `mosip-pixelpass` …).
    pub name: String,
    /// Its version, free text.
    pub version: String,
    /// The protocol version the adapter speaks: 1.
    pub protocol: u32,
    /// The ops it carries out, `describe` included.
    pub ops: Vec<String>,
    #[serde(default)]
    pub algorithms: Algorithms,
    #[serde(default)]
    pub options: Abilities,
    /// Named extra capabilities (`decode_image` …); unknown names are ignored.
    #[serde(default)]
    pub capabilities: Vec<String>,
    /// Run it alone: the rig starts one process of it and sends one request at a
    /// time, whatever `--jobs` says (an implementation with shared state, a
    /// licence server, a device). Absent: `false`, copies may run side by side.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub serial: bool,
}

/// The algorithms an implementation handles, by JOSE name: those it verifies and
/// decrypts when decoding, and signs and encrypts with when encoding.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Algorithms {
    #[serde(default)]
    pub sign: Vec<String>,
    #[serde(default)]
    pub encrypt: Vec<String>,
}

/// How an implementation treats the options of `decode`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Abilities {
    /// It checks exp and nbf against `options.now`.
    #[serde(default)]
    pub now: bool,
    /// It honours `options.leeway`.
    #[serde(default)]
    pub leeway: bool,
    /// The leeway, in seconds, it always applies when it does not honour `options.leeway`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_leeway: Option<u64>,
    /// It decodes a signed credential when given no verification key (and says `verified: false`).
    #[serde(default)]
    pub unverified: bool,
}

/// What a case needs of an implementation; see [`Description::unmet`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Needs {
    pub op: Op,
    pub sign_alg: Option<String>,
    pub encrypt_alg: Option<String>,
    /// The case gives a validation time and expects exp/nbf checked against it.
    pub validation_time: bool,
    /// The case expects this leeway, in seconds.
    pub leeway: Option<u64>,
    /// The case decodes a signed credential without a verification key.
    pub unverified: bool,
    /// Named capabilities the case needs.
    pub capabilities: Vec<String>,
}

impl Needs {
    /// A case that needs only `op`.
    #[must_use]
    pub fn op(op: Op) -> Self {
        Needs {
            op,
            sign_alg: None,
            encrypt_alg: None,
            validation_time: false,
            leeway: None,
            unverified: false,
            capabilities: Vec::new(),
        }
    }
}

impl Description {
    /// Whether `op` is claimed.
    #[must_use]
    pub fn supports(&self, op: Op) -> bool {
        self.ops.iter().any(|o| o == op.as_str())
    }

    /// The capability names of the suite's vectors (`Vector::capabilities`) this
    /// description claims: `verify` (some signature algorithm), `decrypt` (some
    /// content algorithm), `decode_unverified`, `encode`, every algorithm name, and
    /// the named `capabilities`.
    #[must_use]
    pub fn capability_names(&self) -> std::collections::BTreeSet<String> {
        let mut names: std::collections::BTreeSet<String> = self
            .algorithms
            .sign
            .iter()
            .chain(&self.algorithms.encrypt)
            .chain(&self.capabilities)
            .cloned()
            .collect();
        let mut add = |yes: bool, name: &str| {
            if yes {
                names.insert(name.to_owned());
            }
        };
        add(!self.algorithms.sign.is_empty(), "verify");
        add(!self.algorithms.encrypt.is_empty(), "decrypt");
        add(self.options.unverified, "decode_unverified");
        add(self.options.now, "validation_time");
        add(self.supports(Op::Encode), "encode");
        names
    }

    /// Why a case with `needs` must be skipped, or `None` when everything it needs is claimed.
    #[must_use]
    pub fn unmet(&self, needs: &Needs) -> Option<String> {
        if !self.supports(needs.op) {
            return Some(format!("{} does not claim op {}", self.name, needs.op));
        }
        if let Some(alg) = &needs.sign_alg {
            if !self.algorithms.sign.iter().any(|a| a == alg) {
                return Some(format!(
                    "{} does not claim signature algorithm {alg}",
                    self.name
                ));
            }
        }
        if let Some(alg) = &needs.encrypt_alg {
            if !self.algorithms.encrypt.iter().any(|a| a == alg) {
                return Some(format!(
                    "{} does not claim content algorithm {alg}",
                    self.name
                ));
            }
        }
        if needs.validation_time && !self.options.now {
            return Some(format!(
                "{} does not honour a given validation time",
                self.name
            ));
        }
        if let Some(leeway) = needs.leeway {
            if !self.options.leeway && self.options.fixed_leeway != Some(leeway) {
                return Some(match self.options.fixed_leeway {
                    Some(fixed) => format!(
                        "{} applies a fixed leeway of {fixed} s, the case needs {leeway} s",
                        self.name
                    ),
                    None => format!("{} does not honour a given leeway", self.name),
                });
            }
        }
        if needs.unverified && !self.options.unverified {
            return Some(format!("{} cannot decode without verifying", self.name));
        }
        for cap in &needs.capabilities {
            if !self.capabilities.iter().any(|c| c == cap) {
                return Some(format!("{} does not claim capability {cap}", self.name));
            }
        }
        None
    }
}

/// The answer to `encode`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Encoded {
    /// The QR text.
    pub qr: String,
}

/// Why an adapter could not carry out a request. Not a verdict: an implementation
/// that rejects a credential answers `verdict: reject`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The implementation cannot do this (an op, an algorithm, an option).
    Unsupported,
    /// The request is malformed (not JSON, a bad JWK, bad canonical JSON …).
    BadRequest,
    /// The adapter failed (an exception, a bug).
    Internal,
}

impl ErrorKind {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::BadRequest => "bad_request",
            ErrorKind::Internal => "internal",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `error` member of an error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub kind: ErrorKind,
    pub message: String,
}

impl ErrorBody {
    #[must_use]
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        ErrorBody {
            kind,
            message: message.into(),
        }
    }
}

/// The result of one request, whatever the op.
#[allow(clippy::large_enum_variant)] // one short-lived message at a time
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Describe(Description),
    Decode(Outcome),
    Encode(Encoded),
    Error(ErrorBody),
}

/// One response: the echoed id and the reply. `id` is `None` only in the error
/// answer to a request whose id could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub id: Option<u64>,
    pub reply: Reply,
}

/// Why a response does not follow the protocol.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct Violation {
    pub reason: String,
}

fn violation(reason: impl Into<String>) -> Violation {
    Violation {
        reason: reason.into(),
    }
}

impl Response {
    /// The JSON object of this response.
    #[must_use]
    pub fn to_json(&self) -> Json {
        let mut m = match &self.reply {
            Reply::Describe(d) => to_object(d),
            Reply::Decode(o) => to_object(o),
            Reply::Encode(e) => to_object(e),
            Reply::Error(e) => {
                let mut m = Map::with_capacity(2);
                m.insert(
                    "error".into(),
                    serde_json::to_value(e).unwrap_or(Json::Null),
                );
                m
            }
        };
        let mut out = Map::with_capacity(m.len() + 1);
        out.insert("id".into(), self.id.map_or(Json::Null, Json::from));
        out.append(&mut m);
        Json::Object(out)
    }

    /// Reads the response to a request of `op`, checking it against the protocol:
    /// an object with an integer (or, for an error, null) `id`, and either an
    /// `error` member or the members of `op`'s result. Canonical JSON members are
    /// checked to be canonical JSON.
    pub fn parse(bytes: &[u8], op: Op) -> Result<Response, Violation> {
        let json: Json =
            serde_json::from_slice(bytes).map_err(|e| violation(format!("not JSON: {e}")))?;
        Response::from_json(json, op)
    }

    /// As [`Response::parse`], from a parsed document.
    pub fn from_json(json: Json, op: Op) -> Result<Response, Violation> {
        let Json::Object(mut m) = json else {
            return Err(violation(format!(
                "the response is a JSON {}, not an object",
                json_type(&json)
            )));
        };
        let id =
            match m.remove("id") {
                Some(Json::Number(n)) => Some(n.as_u64().ok_or_else(|| {
                    violation(format!("\"id\" is {n}, not a non-negative integer"))
                })?),
                Some(Json::Null) => None,
                Some(other) => {
                    return Err(violation(format!(
                        "\"id\" is a JSON {}, not an integer",
                        json_type(&other)
                    )))
                }
                None => return Err(violation("the response has no \"id\"")),
            };
        if let Some(error) = m.remove("error") {
            let body: ErrorBody =
                serde_json::from_value(error).map_err(|e| violation(format!("\"error\": {e}")))?;
            return Ok(Response {
                id,
                reply: Reply::Error(body),
            });
        }
        let Some(id) = id else {
            return Err(violation(
                "\"id\" is null in a response that is not an error",
            ));
        };
        let reply = match op {
            Op::Describe => {
                let d: Description = serde_json::from_value(Json::Object(m))
                    .map_err(|e| violation(format!("describe: {e}")))?;
                if d.protocol != PROTOCOL_VERSION {
                    return Err(violation(format!(
                        "describe: protocol {} (this rig speaks {PROTOCOL_VERSION})",
                        d.protocol
                    )));
                }
                Reply::Describe(d)
            }
            Op::Decode => {
                let o: Outcome = serde_json::from_value(Json::Object(m))
                    .map_err(|e| violation(format!("decode: {e}")))?;
                check_outcome(&o)?;
                Reply::Decode(o)
            }
            Op::Encode => {
                let e: Encoded = serde_json::from_value(Json::Object(m))
                    .map_err(|e| violation(format!("encode: {e}")))?;
                Reply::Encode(e)
            }
        };
        Ok(Response {
            id: Some(id),
            reply,
        })
    }
}

/// Checks what the schema says of an outcome beyond its types: `claim169` and
/// `cwt` are canonical JSON.
pub fn check_outcome(o: &Outcome) -> Result<(), Violation> {
    for (name, member) in [("claim169", &o.claim169), ("cwt", &o.cwt)] {
        if let Some(json) = member {
            crate::from_canonical_json(json)
                .map_err(|e| violation(format!("decode: \"{name}\" is not canonical JSON: {e}")))?;
        }
    }
    Ok(())
}

fn to_object<T: Serialize>(value: &T) -> Map<String, Json> {
    match serde_json::to_value(value) {
        Ok(Json::Object(m)) => m,
        _ => Map::new(),
    }
}

fn json_type(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, clippy::needless_raw_string_hashes)]
    use super::*;
    use crate::{Stage, Verdict};
    use serde_json::json;

    #[test]
    fn requests_are_flat_objects_with_op() {
        let r = Request {
            id: 3,
            body: RequestBody::Decode(DecodeRequest {
                qr: "NCF".into(),
                image: None,
                keys: DecodeKeys::default(),
                options: DecodeOptions {
                    now: Some(1_700_000_000),
                    leeway: None,
                },
            }),
        };
        let j = serde_json::to_value(&r).unwrap();
        assert_eq!(
            j,
            json!({"id": 3, "op": "decode", "qr": "NCF", "keys": {"verify": [], "decrypt": []}, "options": {"now": 1_700_000_000}})
        );
        let back: Request = serde_json::from_value(j).unwrap();
        assert_eq!(back, r);
        let d: Request = serde_json::from_value(json!({"id": 1, "op": "describe"})).unwrap();
        assert_eq!(d.body, RequestBody::Describe);
        let minimal: Request =
            serde_json::from_value(json!({"id": 2, "op": "decode", "qr": "X"})).unwrap();
        assert_eq!(minimal.body, RequestBody::Decode(DecodeRequest::new("X")));
        assert!(serde_json::from_value::<Request>(json!({"id": 2, "op": "dance"})).is_err());
        assert!(serde_json::from_value::<Request>(json!({"op": "describe"})).is_err());
        // An image goes in place of the text: exactly one of the two.
        let mut img = DecodeRequest::new("");
        img.image = Some("iVBORw0KGgo=".into());
        let j = serde_json::to_value(&img).unwrap();
        assert_eq!(
            j,
            json!({"image": "iVBORw0KGgo=", "keys": {"verify": [], "decrypt": []}, "options": {}})
        );
        assert_eq!(serde_json::from_value::<DecodeRequest>(j).unwrap(), img);
        for both_or_none in [json!({"qr": "X", "image": "AA=="}), json!({"keys": {}})] {
            assert!(serde_json::from_value::<DecodeRequest>(both_or_none).is_err());
        }
        // An empty text is a text, and is sent.
        let empty = serde_json::to_value(DecodeRequest::new("")).unwrap();
        assert_eq!(empty.get("qr"), Some(&json!("")));
    }

    #[test]
    fn responses_parse_by_op_and_check_ids_and_content() {
        let ok = Response::parse(
            br#"{"id": 4, "verdict": "reject", "stage": "zlib", "warnings": []}"#,
            Op::Decode,
        )
        .unwrap();
        assert_eq!(ok.id, Some(4));
        match ok.reply {
            Reply::Decode(o) => {
                assert_eq!(o.verdict, Verdict::Reject);
                assert_eq!(o.stage, Some(Stage::Zlib));
            }
            other => panic!("{other:?}"),
        }
        let err = Response::parse(
            br#"{"id": null, "error": {"kind": "bad_request", "message": "no"}}"#,
            Op::Decode,
        )
        .unwrap();
        assert_eq!(
            err.reply,
            Reply::Error(ErrorBody::new(ErrorKind::BadRequest, "no"))
        );
        for bad in [
            &br#"{"id": 4, "verdict": "maybe"}"#[..],
            br#"{"verdict": "accept"}"#,
            br#"{"id": "4", "verdict": "accept"}"#,
            br#"{"id": null, "verdict": "accept"}"#,
            br#"[1]"#,
            br#"not json"#,
            br#"{"id": 4, "verdict": "accept", "claim169": {"x": 1}}"#,
            br#"{"id": 4, "error": {"kind": "oops", "message": ""}}"#,
        ] {
            assert!(
                Response::parse(bad, Op::Decode).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        assert!(Response::parse(
            br#"{"id": 1, "name": "x", "version": "1", "protocol": 2, "ops": []}"#,
            Op::Describe
        )
        .is_err());
    }

    #[test]
    fn response_json_round_trips() {
        let r = Response {
            id: Some(9),
            reply: Reply::Encode(Encoded { qr: "NCF".into() }),
        };
        assert_eq!(r.to_json(), json!({"id": 9, "qr": "NCF"}));
        assert_eq!(Response::from_json(r.to_json(), Op::Encode).unwrap(), r);
        let e = Response {
            id: None,
            reply: Reply::Error(ErrorBody::new(ErrorKind::Internal, "boom")),
        };
        assert_eq!(
            e.to_json(),
            json!({"id": null, "error": {"kind": "internal", "message": "boom"}})
        );
    }

    #[test]
    fn unmet_needs_give_reasons() {
        let d = Description {
            name: "py".into(),
            version: "0".into(),
            protocol: 1,
            ops: vec!["describe".into(), "decode".into()],
            algorithms: Algorithms::default(),
            options: Abilities {
                now: true,
                leeway: false,
                fixed_leeway: Some(0),
                unverified: true,
            },
            capabilities: vec![],
            serial: false,
        };
        assert_eq!(d.unmet(&Needs::op(Op::Decode)), None);
        assert!(d.unmet(&Needs::op(Op::Encode)).unwrap().contains("encode"));
        let mut n = Needs::op(Op::Decode);
        n.sign_alg = Some("ES256".into());
        assert!(d.unmet(&n).unwrap().contains("ES256"));
        let mut n = Needs::op(Op::Decode);
        n.leeway = Some(0);
        assert_eq!(d.unmet(&n), None);
        n.leeway = Some(60);
        assert!(d.unmet(&n).unwrap().contains("fixed leeway"));
        let names: Vec<String> = d.capability_names().into_iter().collect();
        assert_eq!(names, ["decode_unverified", "validation_time"]);
    }

    #[test]
    fn bstr_members() {
        assert_eq!(bstr_bytes(&json!({"bstr": "00ff"})).unwrap(), vec![0, 255]);
        assert!(bstr_bytes(&json!("00ff")).is_err());
        assert_eq!(bstr_json(&[1, 2]), json!({"bstr": "0102"}));
    }
}
