//! The semantic diff of a failed case: both sides brought to one form (the
//! verdict in the answer's words, the decoded content, the rejection stage), then
//! compared field by field, so a difference of wording or of layout is not shown
//! as a change. Long values are folded to their first characters, their length, a
//! digest and the first offset where the two differ; long arrays are cut with a
//! count. Each changed row carries `−` and `+` markers, not colour alone.

use crate::esc;
use c169_report::{Case, ExpectedVerdict, ObservedVerdict};
use serde_json::{Map, Value as Json};
use std::fmt::Write as _;

/// Characters of a string shown before it is folded.
const SHOWN: usize = 64;
/// A value longer than this (in characters of compact JSON) is folded.
const FOLD_AT: usize = 96;
/// Changed rows shown before the rest are counted.
const ROWS: usize = 40;
/// Equal fields listed (folded) before the rest are counted.
const SAME_ROWS: usize = 40;
/// Elements of an array compared one by one; past it, the rest are counted.
const ELEMENTS: usize = 200;

/// The answer's fields that are compared; the rest of an answer (verified,
/// warnings, code, message …) is shown apart, as details of the answer.
const COMPARED: [&str; 4] = ["verdict", "stage", "claim169", "cwt"];

/// One field of the comparison.
enum Row {
    Same(String, String),
    Changed {
        path: String,
        expected: Option<String>,
        observed: Option<String>,
    },
    /// Differences past the shown ones, counted.
    More(String, usize),
}

/// The expected side in the answer's form: `verdict` in the answer's words
/// (`accept`, `reject`), the rejection stage, the expected content without its
/// comparison rule (`match`).
fn expected_side(c: &Case) -> (Map<String, Json>, Option<String>) {
    let mut side = Map::new();
    match c.expected.verdict {
        ExpectedVerdict::Valid => {
            // An encoder vector's valid answer is an encoding.
            let encodes = c
                .observed
                .as_ref()
                .is_some_and(|o| o.verdict == ObservedVerdict::Encoded);
            side.insert(
                "verdict".into(),
                if encodes { "encoded" } else { "accept" }.into(),
            );
        }
        ExpectedVerdict::Invalid => {
            side.insert("verdict".into(), "reject".into());
        }
        // Either answer conforms, or a scenario: the verdict is not compared.
        ExpectedVerdict::Acceptable | ExpectedVerdict::Pass => {}
    }
    if let Some(s) = c.expected.stage {
        side.insert("stage".into(), s.as_str().into());
    }
    let mut rule = None;
    if let Some(Json::Object(m)) = &c.expected.content {
        for (k, v) in m {
            if k == "match" {
                rule = Some(v.as_str().map_or_else(|| v.to_string(), str::to_owned));
            } else {
                side.insert(k.clone(), v.clone());
            }
        }
    }
    (side, rule)
}

/// The observed side: the compared fields of the answer, and the rest apart.
fn observed_side(c: &Case) -> (Map<String, Json>, Map<String, Json>) {
    let mut side = Map::new();
    let mut rest = Map::new();
    let Some(o) = &c.observed else {
        return (side, rest);
    };
    side.insert("verdict".into(), o.verdict.as_str().into());
    if let Some(s) = o.stage {
        side.insert("stage".into(), s.as_str().into());
    }
    if let Some(Json::Object(m)) = &o.content {
        for (k, v) in m {
            if COMPARED.contains(&k.as_str()) {
                side.insert(k.clone(), v.clone());
            } else {
                rest.insert(k.clone(), v.clone());
            }
        }
    } else if let Some(code) = &o.code {
        rest.insert("code".into(), code.as_str().into());
    }
    (side, rest)
}

/// A short hex digest of a value, to tell two long values apart at a glance.
fn digest(s: &str) -> String {
    use sha2::Digest as _;
    let d = sha2::Sha256::digest(s.as_bytes());
    d.iter().take(6).fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// The first character offset where two strings differ.
fn first_difference(a: &str, b: &str) -> usize {
    a.chars()
        .zip(b.chars())
        .position(|(x, y)| x != y)
        .unwrap_or_else(|| a.chars().count().min(b.chars().count()))
}

/// A value as shown: compact JSON, folded when long (a string to its first
/// characters; an array to its first elements), with length and digest.
fn shown(v: &Json, other: Option<&Json>) -> String {
    match v {
        Json::String(s) if s.chars().count() > FOLD_AT => {
            let head: String = s.chars().take(SHOWN).collect();
            let mut line = format!(
                "\"{head}…\" ({} characters, sha256 {}…",
                s.chars().count(),
                digest(s)
            );
            if let Some(Json::String(o)) = other {
                let _ = write!(
                    line,
                    "; first difference at offset {}",
                    first_difference(s, o)
                );
            }
            line.push(')');
            line
        }
        Json::Array(a) if a.len() > 8 => {
            let head: Vec<String> = a.iter().take(3).map(|e| shown(e, None)).collect();
            format!("[{}, … {} elements in all]", head.join(", "), a.len())
        }
        _ => {
            let text = v.to_string();
            if text.chars().count() > FOLD_AT {
                let head: String = text.chars().take(SHOWN).collect();
                format!(
                    "{head}… ({} characters, sha256 {}…)",
                    text.chars().count(),
                    digest(&text)
                )
            } else {
                text
            }
        }
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}/{key}")
    }
}

/// Walks both sides together, adding a row per differing leaf (and per equal
/// one); a long array is compared up to [`ELEMENTS`] and the rest counted.
fn walk(path: &str, left: Option<&Json>, right: Option<&Json>, rows: &mut Vec<Row>) {
    match (left, right) {
        (Some(Json::Object(x)), Some(Json::Object(y))) => {
            for (k, v) in x {
                walk(&join(path, k), Some(v), y.get(k), rows);
            }
            for (k, v) in y.iter().filter(|(k, _)| !x.contains_key(*k)) {
                walk(&join(path, k), None, Some(v), rows);
            }
        }
        (Some(Json::Array(x)), Some(Json::Array(y))) if x != y => {
            let len = x.len().max(y.len());
            for i in 0..len.min(ELEMENTS) {
                walk(&join(path, &i.to_string()), x.get(i), y.get(i), rows);
            }
            if len > ELEMENTS {
                rows.push(Row::More(
                    format!("{path}: elements {ELEMENTS} to {} not compared", len - 1),
                    len - ELEMENTS,
                ));
            }
            if x.len() != y.len() {
                rows.push(Row::Changed {
                    path: format!("{path} (length)"),
                    expected: Some(x.len().to_string()),
                    observed: Some(y.len().to_string()),
                });
            }
        }
        (Some(x), Some(y)) if x == y => rows.push(Row::Same(path.to_owned(), shown(x, None))),
        (x, y) => rows.push(Row::Changed {
            path: path.to_owned(),
            expected: x.map(|v| shown(v, y)),
            observed: y.map(|v| shown(v, x)),
        }),
    }
}

/// Both sides of a case brought to one form and compared field by field; the
/// comparison rule of the expected content, and the rest of the answer.
fn compare(c: &Case) -> (Vec<Row>, Option<String>, Map<String, Json>) {
    let (expected, rule) = expected_side(c);
    let (observed, rest) = observed_side(c);
    // Compare only what both sides speak of: the content an invalid vector
    // does not state is shown as the answer's, not as a change.
    let mut left = Map::new();
    let mut right = Map::new();
    // A rejection returns no content: the verdict and stage say all, and the
    // content it did not return is not listed field by field.
    let rejected = c
        .observed
        .as_ref()
        .is_some_and(|o| o.verdict == ObservedVerdict::Reject);
    for k in COMPARED
        .iter()
        .copied()
        .filter(|k| !rejected || matches!(*k, "verdict" | "stage"))
    {
        if let Some(v) = expected.get(k) {
            left.insert(k.to_owned(), v.clone());
            if let Some(o) = observed.get(k) {
                right.insert(k.to_owned(), o.clone());
            }
        } else if k == "stage" {
            if let Some(o) = observed.get(k) {
                right.insert(k.to_owned(), o.clone());
            }
        }
    }
    let mut rows = Vec::new();
    walk(
        "",
        Some(&Json::Object(left)),
        Some(&Json::Object(right)),
        &mut rows,
    );
    (rows, rule, rest)
}

/// The table of the fields that differ.
fn changed_table(out: &mut String, c: &Case, changed: &[&Row], rule: Option<String>) {
    let _ = write!(
        out,
        "<div class=scroll tabindex=0 role=region aria-label=\"differences of {id}\"><table class=diff><caption>Expected against observed, field by field ({n} differ{rule})</caption><thead><tr><th scope=col class=mk><span class=vh>change</span></th><th scope=col>field</th><th scope=col>expected</th><th scope=col>observed</th></tr></thead><tbody>",
        id = esc(&c.id),
        n = changed.len(),
        rule = rule
            .map(|r| format!("; content compared: {}", esc(&r)))
            .unwrap_or_default(),
    );
    let cell = |v: &Option<String>, class: &str, mark: &str| match v {
        Some(t) => format!(
            "<td class={class}><span aria-hidden=true>{mark} </span><code>{}</code></td>",
            esc(t)
        ),
        None => "<td class=gap>(absent)</td>".to_owned(),
    };
    for row in changed.iter().take(ROWS) {
        match row {
            Row::Changed {
                path,
                expected,
                observed,
            } => {
                let _ = write!(
                    out,
                    "<tr><td class=mk>±</td><th scope=row><code>{}</code></th>{}{}</tr>",
                    esc(if path.is_empty() {
                        "(whole answer)"
                    } else {
                        path
                    }),
                    cell(expected, "del", "\u{2212}"),
                    cell(observed, "ins", "+"),
                );
            }
            Row::More(what, n) => {
                let _ = write!(
                    out,
                    "<tr><td class=mk>…</td><td colspan=3>{} ({n} more)</td></tr>",
                    esc(what)
                );
            }
            Row::Same(..) => {}
        }
    }
    if changed.len() > ROWS {
        let _ = write!(
            out,
            "<tr><td class=mk>…</td><td colspan=3>{} more differing fields not shown (results.json holds both sides whole)</td></tr>",
            changed.len() - ROWS
        );
    }
    out.push_str("</tbody></table></div>");
}

/// The semantic diff of a case with an answer, as HTML (empty when there is no answer).
pub(super) fn render(c: &Case) -> String {
    if c.observed.is_none() {
        return String::new();
    }
    let (rows, rule, rest) = compare(c);
    let mut out = String::new();
    let (same, changed): (Vec<&Row>, Vec<&Row>) =
        rows.iter().partition(|r| matches!(r, Row::Same(..)));
    changed_table(&mut out, c, &changed, rule);
    if !same.is_empty() {
        let _ = write!(
            out,
            "<details><summary>{} equal fields</summary><ul class=same>",
            same.len()
        );
        for row in same.iter().take(SAME_ROWS) {
            if let Row::Same(path, v) = row {
                let _ = write!(
                    out,
                    "<li><code>{}</code> = <code>{}</code></li>",
                    esc(path),
                    esc(v)
                );
            }
        }
        if same.len() > SAME_ROWS {
            let _ = write!(out, "<li>… {} more</li>", same.len() - SAME_ROWS);
        }
        out.push_str("</ul></details>");
    }
    if !rest.is_empty() {
        let parts: Vec<String> = rest
            .iter()
            .map(|(k, v)| format!("{} <code>{}</code>", esc(k), esc(&shown(v, None))))
            .collect();
        let _ = write!(
            out,
            "<p class=rest>The rest of the answer: {}.</p>",
            parts.join("; ")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_long_string_is_folded_with_its_length_digest_and_first_difference() {
        let a = "ab".repeat(16_008);
        let mut b = a.clone();
        b.replace_range(1000..1001, "X");
        let line = shown(&Json::String(a.clone()), Some(&Json::String(b)));
        assert!(line.len() < 200, "{line}");
        assert!(line.contains("32016 characters"), "{line}");
        assert!(line.contains("first difference at offset 1000"), "{line}");
    }

    #[test]
    fn a_long_array_is_compared_up_to_a_bound_and_the_rest_counted() {
        let a: Vec<u32> = (0..20_017).collect();
        let b: Vec<u32> = (1..20_018).collect();
        let mut rows = Vec::new();
        walk("x", Some(&json!(a)), Some(&json!(b)), &mut rows);
        assert!(rows.len() <= ELEMENTS + 2, "{}", rows.len());
        assert!(rows
            .iter()
            .any(|r| matches!(r, Row::More(_, n) if *n == 20_017 - ELEMENTS)));
    }

    #[test]
    fn equal_values_in_other_words_are_not_changes() {
        let mut rows = Vec::new();
        walk(
            "",
            Some(&json!({"verdict": "accept", "claim169": {"4": "A"}})),
            Some(&json!({"verdict": "accept", "claim169": {"4": "A"}})),
            &mut rows,
        );
        assert!(rows.iter().all(|r| matches!(r, Row::Same(..))));
    }
}
