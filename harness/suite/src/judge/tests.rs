#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)] // tests
use super::*;
use serde_json::json;

/// A vector of `class` with the expected content and the basis given.
fn vector(class: &str, prefers: Option<&str>, basis: &Json, expected: &Json) -> Vector {
    let mut v = json!({
        "id": "t",
        "description": "a test",
        "primary": {"id": "C169-QR-002", "how": "a test"},
        "requirements": [{"id": "C169-QR-002", "level": "MUST"}],
        "basis": basis,
        "verdict": class,
        "now": 0,
        "expected": expected,
    });
    if let Some(level) = basis.get("level") {
        v["level"] = level.clone();
    }
    if let Some(p) = prefers {
        v["prefers"] = json!(p);
    }
    if class == "invalid" {
        v["stage"] = json!("cose");
    }
    serde_json::from_value(v).unwrap()
}

fn text(level: &str) -> Json {
    json!({"kind": "text", "document": "RFC 9052", "section": "§3", "quote": "It MUST be so.", "level": level})
}

fn profile() -> Json {
    json!({"kind": "profile", "row": "a row"})
}

fn accepted(claim169: &Json, cwt: &Json, warned: bool) -> Outcome {
    let mut o: Outcome = serde_json::from_value(json!({
        "verdict": "accept", "claim169": claim169, "cwt": cwt, "warnings": []
    }))
    .unwrap();
    if warned {
        o.warnings.push(c169_model::Warning {
            flag: c169_model::Flag::UnknownKey,
            at: None,
            message: "dropped".into(),
        });
    }
    o
}

fn rejected() -> Outcome {
    Outcome::reject(c169_model::Stage::Cose, "x", "no")
}

fn expected() -> Json {
    json!({"claim169": {"1": "ID", "30": "extra", "62": [{"0": {"bstr": "00"}, "1": 0, "9": 1}]},
           "cwt": {"1": "iss", "3": "aud"}})
}

#[test]
fn content_rule_drops_unknown_keys_and_may_claims_but_never_alters() {
    let v = vector("valid", None, &text("MUST"), &expected());
    // Unknown claim 169 key 30, unknown biometric sub-key 9 and aud dropped, with a warning: conformant.
    let got = json!({"1": "ID", "62": [{"0": {"bstr": "00"}, "1": 0}]});
    let j = judge(&v, &accepted(&got, &json!({"1": "iss"}), true));
    assert_eq!(j.status, Status::Pass, "{}", j.reason);
    // The same without any warning: a departure from the strict profile, not a failure.
    let j = judge(&v, &accepted(&got, &json!({"1": "iss"}), false));
    assert_eq!(j.status, Status::Depart, "{}", j.reason);
    // A known key dropped from a valid vector: a failure at MUST.
    let j = judge(
        &v,
        &accepted(&json!({"30": "extra"}), &json!({"1": "iss"}), true),
    );
    assert_eq!(j.status, Status::Fail);
    assert!(j.reason.contains("claim169/1"), "{}", j.reason);
    // A value altered: a failure at MUST, by the content rule.
    let altered = json!({"1": "ID2", "30": "extra", "62": [{"0": {"bstr": "00"}, "1": 0, "9": 1}]});
    let j = judge(
        &v,
        &accepted(&altered, &json!({"1": "iss", "3": "aud"}), true),
    );
    assert_eq!(j.status, Status::Fail);
    assert_eq!(j.grade, Some(Grade::MUST));
    // iss is one a verifier uses: leaving it out fails.
    let whole = json!({"1": "ID", "30": "extra", "62": [{"0": {"bstr": "00"}, "1": 0, "9": 1}]});
    let j = judge(&v, &accepted(&whole, &json!({}), true));
    assert_eq!(j.status, Status::Fail, "{}", j.reason);
    // A value the credential does not hold: altered.
    let more =
        json!({"1": "ID", "2": "v", "30": "extra", "62": [{"0": {"bstr": "00"}, "1": 0, "9": 1}]});
    let j = judge(&v, &accepted(&more, &json!({"1": "iss"}), true));
    assert_eq!(j.status, Status::Fail, "{}", j.reason);
}

#[test]
fn the_two_listed_normalisations_conform() {
    let want = json!({"claim169": {"16": "ffd8", "62": {"0": {"bstr": "00"}}}, "cwt": {}});
    let v = vector("acceptable", None, &profile(), &want);
    let got = json!({"16": {"bstr": "FFD8"}, "62": [{"0": {"bstr": "00"}}]});
    let j = judge(&v, &accepted(&got, &json!({}), false));
    assert_eq!(j.status, Status::Pass, "{}", j.reason);
    // Another change of form is an alteration.
    let got = json!({"16": "FFD8 ", "62": [{"0": {"bstr": "00"}}]});
    assert_eq!(
        judge(&v, &accepted(&got, &json!({}), false)).status,
        Status::Fail
    );
}

#[test]
fn grading_follows_the_basis() {
    let e = json!({"claim169": {"1": "ID"}, "cwt": {}});
    let ok = accepted(&json!({"1": "ID"}), &json!({}), false);
    // A text at SHOULD: a failure graded SHOULD.
    let v = vector("invalid", None, &text("SHOULD"), &json!(null));
    let j = judge(&v, &ok);
    assert_eq!(j.status, Status::Fail);
    assert!(j.reason.contains("SHOULD"), "{}", j.reason);
    // The profile: a departure.
    let v = vector("invalid", None, &profile(), &json!(null));
    assert_eq!(judge(&v, &ok).status, Status::Depart);
    // Observed behaviour: never graded.
    let v = vector(
        "invalid",
        None,
        &json!({"kind": "observed", "source": "idpass"}),
        &json!(null),
    );
    assert_eq!(judge(&v, &ok).status, Status::Pass);
    // Acceptable with a preference: the other answer departs, the preferred one passes.
    let v = vector("acceptable", Some("reject"), &profile(), &e);
    assert_eq!(judge(&v, &ok).status, Status::Depart);
    assert_eq!(judge(&v, &rejected()).status, Status::Pass);
    // Acceptable with a SHOULD text preferring rejection: accepting fails at SHOULD.
    let v = vector("acceptable", Some("reject"), &text("SHOULD"), &e);
    assert_eq!(judge(&v, &ok).status, Status::Fail);
    // Acceptable, no preference: both answers pass.
    let v = vector("acceptable", None, &profile(), &e);
    assert_eq!(judge(&v, &ok).status, Status::Pass);
    assert_eq!(judge(&v, &rejected()).status, Status::Pass);
}

#[test]
fn a_rejection_exposes_no_claims() {
    let v = vector("invalid", None, &profile(), &json!(null));
    let mut o = rejected();
    o.claim169 = Some(json!({"1": "ID"}));
    let j = judge(&v, &o);
    assert_eq!(j.status, Status::Fail);
    assert_eq!(j.grade, Some(Grade::MUST));
}

#[test]
fn subset_and_exact() {
    let want = json!({"4": "a", "62": [{"1": 0}]});
    let got = json!({"4": "a", "1": "x", "62": [{"0": {"bstr": "00"}, "1": 0}]});
    assert_eq!(
        first_difference(&want, &got, Match::Subset, "claim169"),
        None
    );
    assert_eq!(
        first_difference(&want, &got, Match::Exact, "claim169").unwrap(),
        "claim169/62/0/0: expected nothing, got {\"bstr\":\"00\"}"
    );
    let got = json!({"4": "b"});
    assert_eq!(
        first_difference(&want, &got, Match::Subset, "c").unwrap(),
        "c/4: expected \"a\", got \"b\""
    );
}

#[test]
fn maps_compare_by_entries_whatever_their_canonical_form() {
    // Claims with a text key are written in the `map` form; a decoder that returns
    // the integer-keyed ones as an object and leaves the others out conforms (MAY).
    let want = json!({"claim169": {"1": "ID"},
                      "cwt": {"map": [[1, "iss"], [-70000, true], ["note", "x"]]}});
    let v = vector("valid", None, &text("MUST"), &want);
    let j = judge(
        &v,
        &accepted(&json!({"1": "ID"}), &json!({"1": "iss"}), false),
    );
    assert_eq!(j.status, Status::Pass, "{}", j.reason);
    let j = judge(
        &v,
        &accepted(&json!({"1": "ID"}), &json!({"1": "other"}), false),
    );
    assert_eq!(j.status, Status::Fail, "{}", j.reason);
}

#[test]
fn where_either_answer_conforms_leaving_out_array_elements_is_dropping() {
    let want = json!({"claim169": {"18": [1, 11, 2]}, "cwt": {}});
    let v = vector("acceptable", None, &profile(), &want);
    let j = judge(&v, &accepted(&json!({"18": [1, 2]}), &json!({}), true));
    assert_eq!(j.status, Status::Pass, "{}", j.reason);
    // Reordered or changed elements are an alteration.
    let j = judge(&v, &accepted(&json!({"18": [2, 1]}), &json!({}), true));
    assert_eq!(j.status, Status::Fail, "{}", j.reason);
    // On a valid vector, the same drop alters a known attribute.
    let v = vector("valid", None, &text("MUST"), &want);
    let j = judge(&v, &accepted(&json!({"18": [1, 2]}), &json!({}), true));
    assert_eq!(j.status, Status::Fail, "{}", j.reason);
}

/// Found by a JavaScript decoder in the walkthrough of issue 18: `JSON.stringify`
/// writes the float 1750000000.0 as `1750000000`. JSON has one kind of number; the
/// canonical form says "float" by its wrapper, so the two answers are the same.
#[test]
fn a_float_written_without_its_fraction_is_the_same_number() {
    let want = json!({"claim169": {"1": "ID"}, "cwt": {"5": {"float": 1_750_000_000.0}}});
    let v = vector("acceptable", None, &text("SHOULD"), &want);
    let written_by_js = accepted(
        &json!({"1": "ID"}),
        &json!({"5": {"float": 1_750_000_000}}),
        false,
    );
    assert_eq!(judge(&v, &written_by_js).status, Status::Pass);
    // The wrapper still matters: a bare integer is not the float.
    let as_integer = accepted(&json!({"1": "ID"}), &json!({"5": 1_750_000_000}), false);
    assert_eq!(judge(&v, &as_integer).status, Status::Fail);
    // And a different number is a different number.
    let other = accepted(
        &json!({"1": "ID"}),
        &json!({"5": {"float": 1_750_000_000.5}}),
        false,
    );
    assert_eq!(judge(&v, &other).status, Status::Fail);
    assert!(same(&json!([1, {"a": 2.0}]), &json!([1.0, {"a": 2}])));
    assert!(!same(&json!({"a": 2, "b": 1}), &json!({"a": 2})));
}

/// Found in the same walkthrough: a decoder that returned the CWT claims as an
/// array of pairs passed a vector where either verdict conforms, the claims being
/// read as "not returned" (a MAY). A `cwt` that is not a map is an alteration.
#[test]
fn claims_returned_in_another_shape_are_not_the_claims_as_signed() {
    let want = json!({"claim169": {"1": "ID"}, "cwt": {"1": "iss", "5": 1}});
    let v = vector("acceptable", None, &text("SHOULD"), &want);
    let pairs = accepted(&json!({"1": "ID"}), &json!([[1, "iss"], [5, 1]]), false);
    let j = judge(&v, &pairs);
    assert_eq!(j.status, Status::Fail, "{}", j.reason);
    assert!(
        j.reason.contains("cwt: expected the claims map"),
        "{}",
        j.reason
    );
    // Claims not returned at all stay a MAY.
    let mut none = accepted(&json!({"1": "ID"}), &json!({}), false);
    none.cwt = None;
    assert_eq!(judge(&v, &none).status, Status::Pass);
}
