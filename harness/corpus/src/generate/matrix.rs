//! A family's matrix: one family per combination of its variables, `{name}`
//! replaced, ids made kebab-case.

use super::spec::Family;
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// Expands a family over its matrix: one family per combination, `{name}` replaced.
pub(super) fn expand(raw: &Json) -> Result<Vec<Family>, String> {
    // `matrix` is either a mapping of variables to values (every combination) or a
    // list of rows, each a mapping of variables to one value.
    let combos: Vec<BTreeMap<String, Json>> = match raw.get("matrix") {
        None => vec![BTreeMap::new()],
        Some(Json::Array(rows)) => rows
            .iter()
            .map(|r| serde_json::from_value(r.clone()).map_err(|e| format!("matrix row: {e}")))
            .collect::<Result<_, _>>()?,
        Some(m) => {
            let matrix: BTreeMap<String, Vec<Json>> =
                serde_json::from_value(m.clone()).map_err(|e| format!("matrix: {e}"))?;
            let mut combos: Vec<BTreeMap<String, Json>> = vec![BTreeMap::new()];
            for (name, values) in &matrix {
                if values.is_empty() {
                    return Err(format!("matrix variable {name} has no values"));
                }
                combos = combos
                    .into_iter()
                    .flat_map(|c| {
                        values.iter().map(move |v| {
                            let mut c = c.clone();
                            c.insert(name.clone(), v.clone());
                            c
                        })
                    })
                    .collect();
            }
            combos
        }
    };
    let mut body = raw.clone();
    if let Some(obj) = body.as_object_mut() {
        obj.remove("matrix");
    }
    combos
        .iter()
        .map(|vars| {
            let mut family: Family =
                serde_json::from_value(substitute(&body, vars)).map_err(|e| e.to_string())?;
            family.id = kebab(&family.id);
            Ok(family)
        })
        .collect()
}

/// Ids are lowercase kebab-case: a camelCase value (an attribute name) becomes `camel-case`.
pub(super) fn kebab(id: &str) -> String {
    let mut out = String::with_capacity(id.len() + 4);
    for c in id.chars() {
        if c.is_ascii_uppercase() {
            if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

pub(super) fn shown(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub(super) fn substitute(v: &Json, vars: &BTreeMap<String, Json>) -> Json {
    match v {
        Json::String(s) => {
            for (name, value) in vars {
                if s == &format!("{{{name}}}") {
                    return value.clone();
                }
            }
            let mut s = s.clone();
            for (name, value) in vars {
                s = s.replace(&format!("{{{name}}}"), &shown(value));
            }
            Json::String(s)
        }
        Json::Array(items) => Json::Array(items.iter().map(|i| substitute(i, vars)).collect()),
        Json::Object(m) => Json::Object(
            m.iter()
                .map(|(k, v)| {
                    let key = substitute(&Json::String(k.clone()), vars);
                    (shown(&key), substitute(v, vars))
                })
                .collect(),
        ),
        other => other.clone(),
    }
}
