//! Given: the credential — identity, claims, keys, encoder options, byte edits.
//! Each step fills in the family description the vector generator reads.

use super::C169World;
use cucumber::given;
use serde_json::{Map, Value as Json};

fn json(text: &str) -> Result<Json, String> {
    serde_json::from_str(text.trim()).map_err(|e| format!("{text:?} is not JSON: {e}"))
}

/// Sets `key` in the object `field` of the family (creating it).
fn set_in(w: &mut C169World, field: &str, key: String, value: Json) {
    let mut m = match w.family.remove(field) {
        Some(Json::Object(m)) => m,
        _ => Map::new(),
    };
    m.insert(key, value);
    w.family.insert(field.to_owned(), Json::Object(m));
}

fn push(w: &mut C169World, field: &str, value: Json) {
    let slot = w
        .family
        .entry(field.to_owned())
        .or_insert_with(|| Json::Array(Vec::new()));
    if let Json::Array(items) = slot {
        items.push(value);
    } else {
        *slot = Json::Array(vec![value]);
    }
}

#[given("a credential")]
fn a_credential(_w: &mut C169World) {}

#[given(expr = "it is to be printed at error-correction level {string}")]
fn printed_at(w: &mut C169World, level: String) {
    w.family.insert("ec_level".into(), Json::String(level));
}

#[given(expr = "a credential for the {string} identity")]
fn for_identity(w: &mut C169World, identity: String) {
    w.family.insert("identity".into(), Json::String(identity));
}

#[given(expr = "the vector {string}")]
fn the_vector(w: &mut C169World, id: String) -> Result<(), String> {
    let s = w.shared()?;
    let (_, v) = s
        .corpus
        .vectors
        .iter()
        .find(|(_, v)| v.id == id)
        .ok_or_else(|| format!("no vector {id:?} in the corpus"))?;
    w.named = Some(v.clone());
    Ok(())
}

#[given(expr = "it is signed with the {string} test key")]
fn signed_with(w: &mut C169World, key: String) {
    w.family.insert("sign".into(), Json::String(key));
}

#[given(expr = "it is encrypted with the {string} test key")]
fn encrypted_with(w: &mut C169World, key: String) {
    w.family.insert("encrypt".into(), Json::String(key));
}

#[given(regex = r#"^its attribute "([^"]+)" is (.+)$"#)]
fn attribute(w: &mut C169World, name: String, value: String) -> Result<(), String> {
    let value = json(&value)?;
    set_in(w, "with", name, value);
    Ok(())
}

#[given(regex = r"^its claim 169 is (.+)$")]
fn claim169(w: &mut C169World, value: String) -> Result<(), String> {
    w.family.insert("claim169_raw".into(), json(&value)?);
    Ok(())
}

#[given(expr = "its claims are {string}")]
fn claims_named(w: &mut C169World, name: String) {
    w.family.insert("claims".into(), Json::String(name));
}

#[given(regex = r"^its claims are ([\[{].*)$")]
fn claims_raw(w: &mut C169World, value: String) -> Result<(), String> {
    w.family.insert("cwt_raw".into(), json(&value)?);
    Ok(())
}

#[given(regex = r#"^its claim "([^"]+)" is (.+)$"#)]
fn claim(w: &mut C169World, name: String, value: String) -> Result<(), String> {
    let value = json(&value)?;
    set_in(w, "claims_with", name, value);
    Ok(())
}

#[given(regex = r#"^the encoder option "([^"]+)" is (.+)$"#)]
fn option(w: &mut C169World, name: String, value: String) -> Result<(), String> {
    let value = json(&value)?;
    set_in(w, "options", name, value);
    Ok(())
}

#[given(
    regex = r"^its (text|zlib|cose|sign1|payload|signed payload|signed protected|signature|ciphertext) is edited with (.+)$"
)]
fn edited(w: &mut C169World, point: String, edit: String) -> Result<(), String> {
    let Json::Object(mut edit) = json(&edit)? else {
        return Err(format!(
            "the edit {edit:?} must be an object such as {{\"append\": \"00\"}}"
        ));
    };
    edit.insert("at".into(), Json::String(point.replace(' ', "_")));
    push(w, "tamper", Json::Object(edit));
    Ok(())
}

/// Keys named by these steps replace the default ones; the first step of a kind starts the list.
fn keys_step(w: &mut C169World, field: &str, key: Option<String>) {
    let started = if field == "verify" {
        &mut w.verify_named
    } else {
        &mut w.decrypt_named
    };
    if !*started {
        *started = true;
        w.family.insert(field.to_owned(), Json::Array(Vec::new()));
    }
    if let Some(k) = key {
        push(w, field, Json::String(k));
    }
}

#[given(expr = "the decoder is given the {string} key to verify")]
fn verify_key(w: &mut C169World, key: String) {
    keys_step(w, "verify", Some(key));
}

#[given("the decoder is given no key to verify")]
fn no_verify_key(w: &mut C169World) {
    keys_step(w, "verify", None);
}

#[given(expr = "the decoder is given the {string} key to decrypt")]
fn decrypt_key(w: &mut C169World, key: String) {
    keys_step(w, "decrypt", Some(key));
}

#[given("the decoder is given no key to decrypt")]
fn no_decrypt_key(w: &mut C169World) {
    keys_step(w, "decrypt", None);
}

#[given(regex = r"^the validation time is (-?\d+)$")]
fn validation_time(w: &mut C169World, now: String) -> Result<(), String> {
    let now: i64 = now
        .parse()
        .map_err(|_| format!("{now} is not a number of seconds"))?;
    w.family.insert("now".into(), Json::from(now));
    Ok(())
}

#[given("the encoder draws its own IV")]
fn encoder_draws_iv(w: &mut C169World) {
    w.family.insert("iv".into(), Json::String("fresh".into()));
}
