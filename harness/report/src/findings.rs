//! FINDINGS.md: what the matrix finds in each implementation, generated from its
//! report so it cannot drift from the run. Per implementation, four sections, in
//! the order a reader acts on them: conformance failures (each against a quoted
//! sentence), departures from the strict profile, the implementation-defined
//! choices it made, and the capabilities it does not offer. Cases that show one
//! behaviour are grouped (same primary requirement, same expected and observed
//! answer), with the first case as the command that reproduces the group. A
//! curated sentence per group may replace the generated one
//! (`reports/findings.yaml`, keyed by implementation and that first case).

use crate::{Case, Report, Status};
use c169_model::{BasisKind, DecidedBy};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// Curated sentences: implementation name → first case id → the behaviour in words.
pub type Curated = BTreeMap<String, BTreeMap<String, String>>;

/// The quoted sentence a case is graded by (`RFC 9052 §3: “…”`), when it has one.
pub type QuoteOf<'a> = &'a dyn Fn(&Case) -> Option<String>;

/// One behaviour: its first case, how many cases show it, and the requirements
/// they test.
pub(crate) struct Group<'a> {
    pub(crate) first: &'a Case,
    pub(crate) count: usize,
    requirements: BTreeSet<&'a str>,
}

impl Group<'_> {
    pub(crate) fn first(&self) -> &Case {
        self.first
    }

    /// The requirements the group's cases test: the first few, and how many more.
    pub(crate) fn requirements(&self) -> String {
        const SHOWN: usize = 3;
        let mut out: Vec<&str> = self.requirements.iter().take(SHOWN).copied().collect();
        let more = self.requirements.len().saturating_sub(SHOWN);
        let more = (more > 0).then(|| format!("{more} more"));
        out.extend(more.as_deref());
        out.join(", ")
    }
}

pub(crate) fn expected(c: &Case) -> String {
    match c.expected.stage {
        Some(s) => format!("{} at {s}", c.expected.verdict),
        None => c.expected.verdict.to_string(),
    }
}

pub(crate) fn observed(c: &Case) -> String {
    match &c.observed {
        Some(o) => match (&o.stage, &o.code) {
            (Some(s), Some(code)) => format!("{} at {s} ({code})", o.verdict),
            (Some(s), None) => format!("{} at {s}", o.verdict),
            _ => o.verdict.to_string(),
        },
        None => match c.status {
            Status::Error => "no usable answer".to_owned(),
            _ => "scenario step failed".to_owned(),
        },
    }
}

/// Who decided the observed answer: the library, or glue its adapter adds.
pub(crate) fn by(c: &Case) -> &'static str {
    match c.observed.as_ref().and_then(|o| o.by) {
        Some(DecidedBy::Glue) => "glue",
        _ => "library",
    }
}

fn primary(c: &Case) -> &str {
    c.requirements.first().map_or("—", String::as_str)
}

/// A reason with what varies from case to case within one behaviour masked:
/// numbers (keys, offsets, sizes) and quoted values.
pub(crate) fn shape(reason: &str) -> String {
    let mut out = String::new();
    let mut quoted = false;
    let mut digits = false;
    for ch in reason.chars() {
        if ch == '"' {
            if !quoted {
                out.push_str("\"…\"");
            }
            quoted = !quoted;
            continue;
        }
        if quoted {
            continue;
        }
        if ch.is_ascii_digit() {
            if !digits {
                out.push('#');
            }
            digits = true;
            continue;
        }
        digits = false;
        out.push(ch);
    }
    out
}

/// Groups `cases` by what they show (expected and observed answer, who decided,
/// the shape of the reason), in the order of their first case.
fn groups<'a>(cases: &[&'a Case]) -> Vec<Group<'a>> {
    groups_by(cases, |c| {
        let observed_stage = c
            .observed
            .as_ref()
            .map(|o| format!("{} {:?}", o.verdict, o.stage))
            .unwrap_or_default();
        (expected(c), observed_stage, by(c), shape(&c.reason))
    })
}

/// Groups `cases` by `key`, in the order of each group's first case.
pub(crate) fn groups_by<'a, K: Ord>(
    cases: &[&'a Case],
    key: impl Fn(&'a Case) -> K,
) -> Vec<Group<'a>> {
    let mut keyed: BTreeMap<K, Group<'a>> = BTreeMap::new();
    for c in cases {
        let g = keyed.entry(key(c)).or_insert(Group {
            first: c,
            count: 0,
            requirements: BTreeSet::new(),
        });
        if c.sort_key() < g.first.sort_key() {
            g.first = c;
        }
        g.count += 1;
        g.requirements.insert(primary(c));
    }
    let mut out: Vec<Group<'a>> = keyed.into_values().collect();
    out.sort_by(|a, b| a.first().sort_key().cmp(&b.first().sort_key()));
    out
}

pub(crate) fn cell(s: &str) -> String {
    let one: String = s.lines().next().unwrap_or_default().replace('|', "\\|");
    if one.chars().count() > 220 {
        format!("{}…", one.chars().take(217).collect::<String>())
    } else {
        one
    }
}

fn reproduce(name: &str, c: &Case) -> String {
    format!("`c169 run --adapter {name} --vector {}`", c.id)
}

fn behaviour(name: &str, g: &Group<'_>, curated: &Curated) -> String {
    curated
        .get(name)
        .and_then(|m| m.get(&g.first().id))
        .cloned()
        .unwrap_or_else(|| g.first().reason.clone())
}

/// FINDINGS.md for `reports` (name, report), the reference's left out.
#[must_use]
pub fn render(reports: &[(String, &Report)], curated: &Curated, quote_of: QuoteOf<'_>) -> String {
    let mut out = String::from(
        "# Findings\n\n\
Generated by `c169 matrix` from the reports beside this file (`c169 matrix --check reports` \
keeps it current); curated wording, where a group has one, is in `reports/findings.yaml`. \
For each implementation at its pinned version, in the order to act on them:\n\n\
1. **Conformance failures**: answers a quoted sentence of the Claim 169 specification or an \
RFC rules out, at that sentence's level. Only these make an implementation non-conformant.\n\
2. **Departures from the strict profile**: answers no text rules out, where the suite prefers \
another (`vectors/policy.yaml`). Not failures; `--profile strict` gates them.\n\
3. **Implementation-defined choices**: cases where either answer conforms, and what it chose.\n\
4. **Capabilities it does not offer**: what it declares it cannot do, and the cases that \
therefore did not run (skipped, never counted as passed).\n\n\
Cases showing one behaviour are grouped (same expected and observed answer, same reason but \
for the keys and values it names); the command reproduces the group's first case after `c169 adapters setup`. \
*by* says whether the library under test or glue code its adapter adds (a step the \
library lacks, named in the adapter's README) gave the answer.\n",
    );
    for (name, report) in reports {
        section(&mut out, name, report, curated, quote_of);
    }
    out
}

fn section(out: &mut String, name: &str, r: &Report, curated: &Curated, quote_of: QuoteOf<'_>) {
    let label = r.implementation.label.as_str();
    let s = &r.summary;
    let _ = write!(
        out,
        "\n## {name}\n\n{label}: {}; tested on {}. {} cases: {} passed, {} failed, {} departed from the profile, {} errors, {} skipped ([report](./{name}/report.html)).\n\n",
        r.gate.verdict, s.coverage.short(), s.all.total, s.all.passed, s.all.failed, s.all.departed, s.all.errors, s.all.skipped
    );
    for line in r.standing() {
        let _ = writeln!(out, "- {line}");
    }
    failures(out, name, r, curated, quote_of);
    departures(out, name, r, curated);
    choices(out, name, r);
    not_offered(out, r);
}

fn failures(out: &mut String, name: &str, r: &Report, curated: &Curated, quote_of: QuoteOf<'_>) {
    let failures: Vec<&Case> = r
        .cases
        .iter()
        .filter(|c| {
            c.status == Status::Error || (c.status == Status::Fail && c.basis == BasisKind::Text)
        })
        .collect();
    behaviours(
        out,
        "Conformance failures",
        &failures,
        (name, curated),
        Some(quote_of),
    );
}

fn departures(out: &mut String, name: &str, r: &Report, curated: &Curated) {
    let departures: Vec<&Case> = r
        .cases
        .iter()
        .filter(|c| c.status == Status::Depart)
        .collect();
    behaviours(
        out,
        "Departures from the strict profile",
        &departures,
        (name, curated),
        None,
    );
}

/// A section of behaviours, one row a group: with the level and the sentence
/// behind it when `quote_of` is given (failures against a text), without for
/// departures from the profile.
fn behaviours(
    out: &mut String,
    title: &str,
    cases: &[&Case],
    (name, curated): (&str, &Curated),
    quote_of: Option<QuoteOf<'_>>,
) {
    let _ = write!(out, "\n### {title} ({} cases)\n\n", cases.len());
    if cases.is_empty() {
        out.push_str("None.\n");
        return;
    }
    out.push_str(match quote_of {
        Some(_) => "| # | behaviour | by | reproduce (the first case) | requirements, level | the sentence (of the first case) | expected → observed | cases |\n|---|---|---|---|---|---|---|---:|\n",
        None => "| # | behaviour | by | reproduce (the first case) | requirements | expected → observed | cases |\n|---|---|---|---|---|---|---:|\n",
    });
    for (i, g) in groups(cases).iter().enumerate() {
        let c = g.first();
        let requirements = match quote_of {
            Some(quote_of) => format!(
                "{} ({}) | {}",
                g.requirements(),
                c.grade_name(),
                cell(&quote_of(c).unwrap_or_else(|| "—".to_owned()))
            ),
            None => g.requirements(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {requirements} | {} → {} | {} |",
            i + 1,
            cell(&behaviour(name, g, curated)),
            by(c),
            reproduce(name, c),
            cell(&expected(c)),
            cell(&observed(c)),
            g.count
        );
    }
}

fn choices(out: &mut String, name: &str, r: &Report) {
    let chosen: Vec<&Case> = r
        .cases
        .iter()
        .filter(|c| c.status == Status::Pass && c.is_implementation_defined())
        .collect();
    let _ = write!(
        out,
        "\n### Implementation-defined choices ({} cases)\n\n",
        chosen.len()
    );
    if chosen.is_empty() {
        out.push_str("None.\n");
        return;
    }
    out.push_str("| # | case (the first of the group) | requirements | answer | cases |\n|---|---|---|---|---:|\n");
    for (i, g) in groups(&chosen).iter().enumerate() {
        let c = g.first();
        let _ = writeln!(
            out,
            "| {} | {} — {} | {} | {} | {} |",
            i + 1,
            reproduce(name, c),
            cell(&c.name),
            g.requirements(),
            cell(&observed(c)),
            g.count
        );
    }
}

fn not_offered(out: &mut String, r: &Report) {
    let mut skipped: BTreeMap<&str, (usize, &str)> = BTreeMap::new();
    for c in r.cases.iter().filter(|c| c.status == Status::Skip) {
        let e = skipped
            .entry(c.reason.as_str())
            .or_insert((0, c.id.as_str()));
        e.0 += 1;
    }
    let _ = write!(
        out,
        "\n### Capabilities it does not offer ({} cases not run)\n\n",
        r.summary.all.skipped
    );
    if skipped.is_empty() {
        out.push_str("None: every case ran.\n");
        return;
    }
    out.push_str("| why not run | cases | e.g. |\n|---|---:|---|\n");
    let mut rows: Vec<(&str, (usize, &str))> = skipped.into_iter().collect();
    rows.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(b.0)));
    for (why, (n, first)) in rows {
        let _ = writeln!(out, "| {} | {n} | `{first}` |", cell(why));
    }
}
