//! `<page>/contract`: what the other checks rely on is there. Both pages: a
//! viewport meta, a `<main>` landmark and the page script's `data-ready` and
//! `c169-interactive` mark. The matrix: links to FINDINGS.md and matrix.json, and
//! cells `<td class="<verdict>">` linking to `<peer>/report.html#req-<ID>`. A
//! report: the link back, the filter form, and every case element (`data-case`)
//! with `id="case-<id>"`, a known `data-status`, a `data-level` and `data-area`,
//! shaped as the clicks expect; requirement rows linking to their failing cases
//! first. A version history: the link back to the matrix, to CHANGES.md and
//! history.json, and to a release's report.

use crate::driver::Ready;
use crate::{str_of, Ctx};
use c169_pages::{Kind, Page, WIDTHS};
use serde_json::json;

const CONTRACT_JS: &str = r##"
const kind = arguments[0];
const problems = [];
const q = (s) => document.querySelector(s);
const abs = (h) => new URL(h, location.href).href;
const targets = Array.from(document.querySelectorAll('a[href]'), (a) => a.href.split('#')[0]);
const ex = (list) => list.slice(0, 3).join(', ') + (list.length > 3 ? ` and ${list.length - 3} more` : '');
if (!q('meta[name="viewport"]')) problems.push('no <meta name="viewport">');
if (!q('main')) problems.push('no <main> landmark');
if (kind === 'index') {
  for (const f of ['FINDINGS.md', 'matrix.json'])
    if (!targets.includes(abs(f))) problems.push(`no link to ${f}`);
  const cells = Array.from(document.querySelectorAll('td > a[href*="/report.html#req-"]'), (a) => a.parentElement);
  if (!cells.length) problems.push('no matrix cell <td class="<verdict>"><a href="<peer>/report.html#req-<ID>">');
  const bare = cells.filter((td) => !td.className.trim());
  if (bare.length) problems.push(`${bare.length} matrix cells without a verdict class, e.g. ${ex(bare.map((td) => td.firstElementChild.getAttribute('href')))}`);
} else if (kind === 'history') {
  if (!targets.includes(abs('../../index.html'))) problems.push('no link back to ../../index.html');
  for (const f of ['CHANGES.md', 'history.json'])
    if (!targets.includes(abs(f))) problems.push(`no link to ${f}`);
  if (!document.querySelector('a[href$="/report.html"]')) problems.push('no link to a release\'s report.html');
} else {
  if (!targets.includes(abs('../index.html'))) problems.push('no link back to ../index.html');
  const form = q('form#filters');
  if (!form) problems.push('no <form id="filters">');
  else for (const [sel, what] of [
    ['select[name="status"]', '<select name="status">'], ['select[name="level"]', '<select name="level">'],
    ['select[name="area"]', '<select name="area">'], ['select[name="stage"]', '<select name="stage">'],
    ['input[type="search"][name="q"]', '<input type="search" name="q">']])
    if (!form.querySelector(sel)) problems.push(`no ${what} in form#filters`);
  // A case element carries a bare data-case; its id is its own id="case-<id>".
  const cases = Array.from(document.querySelectorAll('[data-case]'));
  if (!cases.length) problems.push('no case element with data-case');
  const cid = (e) => (e.id.startsWith('case-') ? e.id.slice(5) : '');
  const label = (e) => cid(e) || `<${e.tagName.toLowerCase()}${e.id ? ' id=' + e.id : ''}>`;
  const noId = cases.filter((e) => !cid(e)).map(label);
  if (noId.length) problems.push(`${noId.length} case elements without an id="case-<id>": ${ex(noId)}`);
  const statuses = ['pass', 'fail', 'depart', 'skip', 'error'];
  const failing = (e) => e.dataset.status === 'fail' || e.dataset.status === 'error';
  const bad = cases.filter((e) => !statuses.includes(e.dataset.status)).map((e) => `${label(e)} (${e.dataset.status})`);
  if (bad.length) problems.push(`${bad.length} cases with a data-status not pass|fail|depart|skip|error: ${ex(bad)}`);
  // data-stage names a first diverging stage, on failures only: its absence is no problem.
  for (const k of ['level', 'area']) {
    const lacking = cases.filter((e) => !e.hasAttribute('data-' + k)).map((e) => `${label(e)} (${e.dataset.status})`);
    if (lacking.length) problems.push(`${lacking.length} cases without data-${k}: ${ex(lacking)}`);
  }
  // A failing case is a <details class="case" id="case-<id>">; another, a <tr> (or such a <details>).
  const detailsCase = (e) => e.tagName === 'DETAILS' && e.classList.contains('case') && !!cid(e);
  const shape = cases.filter((e) => failing(e) ? !detailsCase(e) : !(e.tagName === 'TR' || detailsCase(e)))
    .map((e) => `${label(e)} (<${e.tagName.toLowerCase()}${e.id ? ' id=' + e.id : ''}> ${e.dataset.status})`);
  if (shape.length) problems.push(`${shape.length} case elements neither a <details class="case" id="case-<id>"> nor (when not failing) a <tr>: ${ex(shape)}`);
  const reqs = Array.from(document.querySelectorAll('[id^="req-"]'));
  if (!reqs.length) problems.push('no requirement row with id="req-<ID>"');
  const failingIds = new Set(cases.filter(failing).map(cid));
  let linked = 0;
  const order = [];
  for (const r of reqs) {
    const ids = Array.from(r.querySelectorAll('a[href^="#case-"]'), (a) => decodeURIComponent(a.getAttribute('href').slice(6)));
    if (ids.length) linked++;
    let other = false;
    for (const id of ids) {
      if (!failingIds.has(id)) other = true;
      else if (other) { order.push(r.id); break; }
    }
  }
  if (failingIds.size && !linked) problems.push('no requirement row links to its cases (a[href^="#case-"])');
  if (order.length) problems.push(`${order.length} requirement rows list a failing case after another: ${ex(order)}`);
}
if (!performance.getEntriesByName('c169-interactive', 'mark').length) problems.push('no performance mark "c169-interactive"');
return problems;
"##;

pub(crate) fn contract(c: &mut Ctx<'_>, page: &Page) -> Result<(), String> {
    let ready = c.b.open(&page.path, WIDTHS[0])?;
    let kind = match page.kind {
        Kind::Index => "index",
        Kind::Report => "report",
        Kind::History => "history",
    };
    let found =
        c.b.js("checking the contract", CONTRACT_JS, vec![json!(kind)])?;
    let mut problems: Vec<String> = found
        .as_array()
        .map(|a| a.iter().map(str_of).collect())
        .unwrap_or_default();
    if ready != Ready::Yes {
        problems.insert(0, ready.describe().to_owned());
    }
    if problems.is_empty() {
        return Ok(());
    }
    Err(format!(
        "{}: {} departures from the page contract: {}",
        page.rel,
        problems.len(),
        problems.join("; ")
    ))
}
