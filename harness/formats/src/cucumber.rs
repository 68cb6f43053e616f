//! Cucumber JSON, for BDD tooling: the scenarios as they ran, step by step, and
//! each area of vectors as one more feature whose elements are its vectors.

use c169_report::{Case, CaseKind, Report, Status};
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;

fn step_status(s: Status) -> &'static str {
    match s {
        // Not a conformance failure; the case carries the tag @departs-from-profile.
        Status::Pass | Status::Depart => "passed",
        Status::Fail | Status::Error => "failed",
        Status::Skip => "skipped",
    }
}

fn nanos(ms: f64) -> u64 {
    (ms.max(0.0) * 1_000_000.0) as u64
}

fn tags(c: &Case) -> Vec<Json> {
    let mut names: Vec<String> = vec![format!("@{}", c.grade_name())];
    names.extend(c.requirements.iter().map(|r| format!("@{r}")));
    if c.status == Status::Depart {
        names.push("@departs-from-profile".to_owned());
    }
    for t in &c.tags {
        let t = format!("@{t}");
        if !names.contains(&t) {
            names.push(t);
        }
    }
    names
        .into_iter()
        .map(|n| json!({"name": n, "line": c.line.unwrap_or(1)}))
        .collect()
}

fn element(c: &Case) -> Json {
    let line = c.line.unwrap_or(1);
    let steps: Vec<Json> = if c.steps.is_empty() {
        let mut result = json!({"status": step_status(c.status), "duration": nanos(c.duration_ms)});
        if let (false, Json::Object(m)) = (c.status == Status::Pass, &mut result) {
            m.insert("error_message".into(), json!(c.reason_with_notes()));
        }
        vec![json!({
            "keyword": "Then ",
            "name": format!("the answer is judged against {}", super::expected_line(c)),
            "line": line,
            "result": result,
        })]
    } else {
        c.steps
            .iter()
            .map(|s| {
                let mut result = json!({"status": s.status, "duration": nanos(s.duration_ms)});
                if let (Some(e), Json::Object(m)) = (&s.error, &mut result) {
                    m.insert("error_message".into(), json!(e));
                }
                json!({"keyword": s.keyword, "name": s.text, "line": s.line, "result": result})
            })
            .collect()
    };
    json!({
        "id": c.id,
        "keyword": if c.kind == CaseKind::Scenario { "Scenario" } else { "Vector" },
        "type": "scenario",
        "name": c.name,
        "description": if c.status == Status::Pass { String::new() } else { c.reason.clone() },
        "line": line,
        "tags": tags(c),
        "steps": steps,
    })
}

/// Renders the report as Cucumber JSON (an array of features).
pub(super) fn render(report: &Report) -> Json {
    let mut features: BTreeMap<(CaseKind, &str), Vec<&Case>> = BTreeMap::new();
    for c in &report.cases {
        let uri = if c.kind == CaseKind::Scenario {
            c.file.as_str()
        } else {
            c.area.as_str()
        };
        features.entry((c.kind, uri)).or_default().push(c);
    }
    Json::Array(
        features
            .into_iter()
            .map(|((kind, uri), cases)| {
                let (uri, keyword, name) = match kind {
                    CaseKind::Scenario => (
                        uri.to_owned(),
                        "Feature",
                        cases.first().map_or(uri, |c| c.area.as_str()).to_owned(),
                    ),
                    CaseKind::Vector => (
                        format!("vectors/{uri}"),
                        "Vectors",
                        format!("vectors: {uri}"),
                    ),
                };
                json!({
                    "uri": uri,
                    "id": uri,
                    "keyword": keyword,
                    "name": name,
                    "description": "",
                    "line": 1,
                    "tags": [],
                    "elements": cases.into_iter().map(element).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}
