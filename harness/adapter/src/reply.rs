//! Writing requests and judging replies, the same for every transport.

use crate::AdapterError;
use c169_model::protocol::{check_outcome, Op, Reply, Response};
use serde::Serialize;
use serde_json::Value as Json;

/// A request on the wire: `{"id": n, "op": "…", …body}`.
#[derive(Serialize)]
pub(crate) struct Outgoing<'a, T: Serialize + ?Sized> {
    pub id: u64,
    pub op: Op,
    #[serde(flatten)]
    pub body: &'a T,
}

/// The members of `describe`: none.
#[derive(Serialize)]
pub(crate) struct NoMembers {}

/// The JSON text of a request, without a line end.
pub(crate) fn request_bytes<T: Serialize + ?Sized>(
    id: u64,
    op: Op,
    body: &T,
) -> Result<Vec<u8>, AdapterError> {
    serde_json::to_vec(&Outgoing { id, op, body }).map_err(|e| AdapterError::Io {
        message: format!("could not write the request: {e}"),
        stderr: None,
    })
}

/// How far a bad reply is from the protocol.
#[derive(Debug)]
pub(crate) enum Bad {
    /// The reply could not be matched to the request (not JSON, wrong id): the
    /// stream may be out of step, so a persistent adapter must be restarted.
    Desync(AdapterError),
    /// The reply was the answer to this request, but not a valid one (or an error
    /// reply): the adapter is in step and may go on.
    InStep(AdapterError),
}

/// A decode reply as it usually comes: the id, no error, an outcome.
#[derive(serde::Deserialize)]
struct PlainDecode {
    id: u64,
    #[serde(default)]
    error: Option<serde::de::IgnoredAny>,
    #[serde(flatten)]
    outcome: c169_model::Outcome,
}

/// Judges the reply `bytes` to request `id` of `op`.
pub(crate) fn judge(bytes: &[u8], op: Op, id: u64) -> Result<Reply, Bad> {
    // The common case in one typed pass; anything else takes the long way, which
    // also says precisely what is wrong.
    if op == Op::Decode {
        if let Ok(plain) = c169_model::deep::from_slice::<PlainDecode>(bytes) {
            if plain.id == id && plain.error.is_none() && check_outcome(&plain.outcome).is_ok() {
                return Ok(Reply::Decode(plain.outcome));
            }
        }
    }
    let json: Json = c169_model::deep::from_slice(bytes).map_err(|e| {
        Bad::Desync(AdapterError::protocol(
            format!("the reply is not JSON: {e}"),
            bytes,
        ))
    })?;
    match json.get("id") {
        Some(Json::Number(n)) if n.as_u64() == Some(id) => {}
        Some(Json::Null) if json.get("error").is_some() => {}
        Some(other) => {
            return Err(Bad::Desync(AdapterError::protocol(
                format!("the reply has id {other}, the request had {id}"),
                bytes,
            )))
        }
        None => {
            return Err(Bad::Desync(AdapterError::protocol(
                "the reply has no id",
                bytes,
            )))
        }
    }
    let response = Response::from_json(json, op)
        .map_err(|v| Bad::InStep(AdapterError::protocol(v.reason, bytes)))?;
    match (response.id, response.reply) {
        (_, Reply::Error(e)) if response.id.is_none() => Err(Bad::InStep(AdapterError::protocol(
            format!(
                "the adapter could not read the request ({}: {})",
                e.kind, e.message
            ),
            bytes,
        ))),
        (_, Reply::Error(e)) => Err(Bad::InStep(AdapterError::Adapter {
            kind: e.kind,
            message: e.message,
            stderr: None,
        })),
        (_, reply) => Ok(reply),
    }
}

impl Bad {
    pub(crate) fn into_error(self) -> AdapterError {
        match self {
            Bad::Desync(e) | Bad::InStep(e) => e,
        }
    }
}

/// The typed result of a reply to `op`; a reply of another shape is a protocol error.
pub(crate) fn expect_describe(
    reply: Reply,
) -> Result<c169_model::protocol::Description, AdapterError> {
    match reply {
        Reply::Describe(d) => Ok(d),
        other => Err(mismatch(Op::Describe, &other)),
    }
}

pub(crate) fn expect_decode(reply: Reply) -> Result<c169_model::Outcome, AdapterError> {
    match reply {
        Reply::Decode(o) => Ok(o),
        other => Err(mismatch(Op::Decode, &other)),
    }
}

pub(crate) fn expect_encode(reply: Reply) -> Result<c169_model::protocol::Encoded, AdapterError> {
    match reply {
        Reply::Encode(e) => Ok(e),
        other => Err(mismatch(Op::Encode, &other)),
    }
}

fn mismatch(op: Op, reply: &Reply) -> AdapterError {
    AdapterError::Protocol {
        reason: format!("a reply of another op to {op}: {reply:?}"),
        excerpt: None,
        stderr: None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;
    use c169_model::protocol::ErrorKind;

    #[test]
    fn requests_are_one_flat_object() {
        let b = request_bytes(5, Op::Describe, &NoMembers {}).unwrap();
        assert_eq!(b, br#"{"id":5,"op":"describe"}"#);
    }

    #[test]
    fn replies_are_judged() {
        assert!(matches!(
            judge(
                br#"{"id": 2, "verdict": "accept", "warnings": []}"#,
                Op::Decode,
                2
            ),
            Ok(Reply::Decode(_))
        ));
        assert!(matches!(
            judge(b"garbage", Op::Decode, 2),
            Err(Bad::Desync(AdapterError::Protocol { .. }))
        ));
        assert!(matches!(
            judge(br#"{"id": 3, "verdict": "accept"}"#, Op::Decode, 2),
            Err(Bad::Desync(_))
        ));
        assert!(matches!(
            judge(br#"{"verdict": "accept"}"#, Op::Decode, 2),
            Err(Bad::Desync(_))
        ));
        assert!(matches!(
            judge(br#"{"id": 2, "verdict": "maybe"}"#, Op::Decode, 2),
            Err(Bad::InStep(AdapterError::Protocol { .. }))
        ));
        match judge(
            br#"{"id": 2, "error": {"kind": "unsupported", "message": "no ES512"}}"#,
            Op::Decode,
            2,
        ) {
            Err(Bad::InStep(AdapterError::Adapter { kind, message, .. })) => {
                assert_eq!(kind, ErrorKind::Unsupported);
                assert_eq!(message, "no ES512");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            judge(
                br#"{"id": null, "error": {"kind": "bad_request", "message": "?"}}"#,
                Op::Decode,
                2
            ),
            Err(Bad::InStep(AdapterError::Protocol { .. }))
        ));
    }
}
