//! When the implementation encodes it; then the reference checks the output.

use super::C169World;
use cucumber::{then, when};
use serde_json::Value as Json;

/// The encoder vector the scenario describes (its checks are named by the Then step).
fn encoder_vector(w: &mut C169World, checks: &[String]) -> Result<c169_model::Vector, String> {
    let mut family = w.family.clone();
    family.insert(
        "encoder_checks".into(),
        Json::Array(checks.iter().cloned().map(Json::String).collect()),
    );
    w.shared()?
        .generator
        .vector(&Json::Object(family))
        .map_err(|e| e.to_string())
}

#[when("the implementation encodes it")]
async fn encodes(w: &mut C169World) -> Result<(), String> {
    let s = w.shared()?;
    let vector = encoder_vector(w, &["fields-equal".to_owned()])?;
    let (request, _, _) =
        crate::run::encode_request(&s.corpus, &vector).ok_or("not an encoder vector")?;
    let encoded = s
        .imp
        .encode(&request)
        .await
        .map_err(|e| super::decoding::refused(w, &e))?;
    w.output = Some(encoded.qr);
    Ok(())
}

#[then(regex = r"^the output passes the checks (.+)$")]
async fn passes(w: &mut C169World, list: String) -> Result<(), String> {
    let checks: Vec<String> = list
        .split(',')
        .map(|c| c.trim().trim_matches('"').to_owned())
        .filter(|c| !c.is_empty())
        .collect();
    let s = w.shared()?;
    let vector = encoder_vector(w, &checks)?;
    let output = w
        .output
        .clone()
        .ok_or("nothing was encoded: a When step is missing")?;
    let (request, verify, decrypt) =
        crate::run::encode_request(&s.corpus, &vector).ok_or("not an encoder vector")?;
    let mut failures = crate::encoder::check(&vector, &output, &verify, &decrypt);
    if checks.iter().any(|c| c == "fresh-iv") {
        let again = s
            .imp
            .encode(&request)
            .await
            .map(|e| e.qr)
            .map_err(|e| e.reason());
        failures.extend(crate::encoder::fresh_iv(
            &vector,
            &output,
            again.as_deref().map_err(Clone::clone),
            &decrypt,
        ));
    }
    failures
        .is_empty()
        .then_some(())
        .ok_or_else(|| failures.join("; "))
}
