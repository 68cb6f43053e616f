//! Every message the reference emits, and every request the rig writes, validates
//! against adapters/protocol.schema.json; messages that break the protocol do not.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use c169_adapter::protocol::{Op, Request, RequestBody, Response};
use c169_adapter::serve::{handle, response_bytes};
use c169_adapter::{Command, Implementation, Mode, Reference, Subprocess, SubprocessSettings};
use common::{decode_cases, encode_requests, FAKE};
use serde_json::{json, Value as Json};

fn schema() -> Json {
    let path = common::repo_root().join("adapters/protocol.schema.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A validator for one definition of the schema (`request`, `decode_response` …).
fn validator(def: &str) -> jsonschema::Validator {
    let mut s = schema();
    let root = s.as_object_mut().unwrap();
    root.remove("anyOf");
    root.insert("$ref".into(), Json::String(format!("#/$defs/{def}")));
    jsonschema::validator_for(&s).unwrap()
}

fn assert_valid(v: &jsonschema::Validator, def: &str, message: &Json) {
    let errors: Vec<String> = v
        .iter_errors(message)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{def}: {message}\n{}", errors.join("\n"));
}

/// Every request the tests make, as the rig writes them.
fn requests() -> Vec<Request> {
    let mut out = vec![Request {
        id: 1,
        body: RequestBody::Describe,
    }];
    for (_, r) in decode_cases() {
        out.push(Request {
            id: out.len() as u64 + 1,
            body: RequestBody::Decode(r),
        });
    }
    for (_, r) in encode_requests() {
        out.push(Request {
            id: out.len() as u64 + 1,
            body: RequestBody::Encode(r),
        });
    }
    out
}

#[test]
fn the_schema_is_valid_json_schema() {
    let s = schema();
    jsonschema::validator_for(&s).unwrap();
    for def in s["$defs"].as_object().unwrap().keys() {
        validator(def);
    }
}

#[tokio::test]
async fn every_reference_response_validates() {
    let any_response = validator("response");
    let mut by_kind = 0;
    for request in requests() {
        let op = request.body.op();
        let line = serde_json::to_vec(&request).unwrap();
        let response = handle(&Reference, &line).await;
        let json: Json = serde_json::from_slice(&response_bytes(&response)).unwrap();
        assert_valid(&any_response, "response", &json);
        let def = if json.get("error").is_some() {
            "error_response".to_owned()
        } else {
            format!("{op}_response")
        };
        assert_valid(&validator(&def), &def, &json);
        // The rig's own reading agrees.
        assert_eq!(Response::from_json(json, op).unwrap().id, Some(request.id));
        by_kind += 1;
    }
    assert!(by_kind > 20);
}

#[tokio::test]
async fn error_replies_of_the_reference_validate() {
    let v = validator("error_response");
    for line in [
        "not json",
        "[]",
        r#"{"op": "describe"}"#,
        r#"{"id": 1, "op": "dance"}"#,
        r#"{"id": 2, "op": "decode"}"#,
        r#"{"id": 3, "op": "decode", "qr": "X", "keys": {"verify": [{"kty": "RSA"}]}}"#,
        r#"{"id": 4, "op": "encode", "claim169": {"x": 1}}"#,
        r#"{"id": 5, "op": "encode", "claim169": {}, "options": {"tamper": true}}"#,
        r#"{"id": 6, "op": "encode", "claim169": {}, "sign": {"jwk": {"kty": "OKP"}, "alg": "PS256"}}"#,
    ] {
        let response = handle(&Reference, line.as_bytes()).await;
        let json: Json = serde_json::from_slice(&response_bytes(&response)).unwrap();
        assert!(json.get("error").is_some(), "{line} → {json}");
        assert_valid(&v, "error_response", &json);
    }
}

#[tokio::test]
async fn every_request_the_rig_writes_validates() {
    // The fake adapter echoes each request line to its stderr, exactly as received.
    let imp = Subprocess::new(
        Command::new(FAKE).arg("echo"),
        Mode::Persistent,
        SubprocessSettings::default(),
    );
    let v = validator("request");
    for request in requests() {
        let op = request.body.op();
        imp.call(&request.body).await.unwrap();
        let echoed = imp.last_stderr().unwrap();
        let json: Json = serde_json::from_str(echoed.trim_end()).unwrap();
        assert_eq!(json["op"], op.as_str());
        assert_valid(&v, "request", &json);
        assert_valid(&validator(&format!("{op}_request")), "op request", &json);
        // And it reads back as the request that was sent (ids are the rig's own).
        let back: Request = serde_json::from_value(json).unwrap();
        assert_eq!(back.body, request.body);
    }
    imp.shutdown().await;
}

#[test]
fn messages_that_break_the_protocol_do_not_validate() {
    let response = validator("response");
    let decode = validator("decode_response");
    let request = validator("request");
    for bad in [
        json!({"id": 1, "verdict": "maybe"}),
        json!({"verdict": "accept"}),
        json!({"id": -1, "verdict": "accept"}),
        json!({"id": 1, "verdict": "reject", "stage": "parsing"}),
        json!({"id": 1, "verdict": "accept", "claim169": {"name": "x"}}),
        json!({"id": 1, "verdict": "accept", "claim169": {"4": {"bstr": "ABCD"}}}),
        json!({"id": 1, "verdict": "accept", "claim169": {"4": 1.5}}),
        json!({"id": 1, "verdict": "accept", "warnings": [{"flag": "X"}]}),
        json!({"id": 1, "error": {"kind": "oops", "message": "x"}}),
        json!({"id": 1, "name": "x", "version": "1", "protocol": 2, "ops": []}),
    ] {
        assert!(!response.is_valid(&bad), "accepted: {bad}");
        assert!(!decode.is_valid(&bad), "accepted as decode: {bad}");
    }
    for bad in [
        json!({"id": 1, "op": "dance"}),
        json!({"op": "describe"}),
        json!({"id": 1, "op": "decode"}),
        json!({"id": 1, "op": "decode", "qr": 5}),
        json!({"id": 1, "op": "encode", "claim169": {}, "sign": {"jwk": {"kty": "OKP"}, "alg": "PS256"}}),
        json!({"id": 1, "op": "encode", "claim169": {}, "encrypt": {"jwk": {"kty": "oct"}, "iv": "000102030405060708090a0b"}}),
    ] {
        assert!(!request.is_valid(&bad), "accepted: {bad}");
    }
    // And a few that do.
    assert!(decode.is_valid(&json!({"id": 1, "verdict": "accept", "claim169": {"1": "x", "62": [{"0": {"bstr": "00ff"}}]}, "warnings": []})));
    assert!(decode.is_valid(&json!({"id": 1, "verdict": "accept", "claim169": {"map": [["a", 1], [1, {"tag": 1, "value": {"float": "NaN"}}]]}})));
    assert!(Op::ALL.len() == 3);
}
