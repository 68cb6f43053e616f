//! `<page>/filters` (reports): the status filter set to pass shows only, and
//! every, passing case, and resets; a case's id typed into the search field shows
//! it among fewer cases, and erased shows them all again; no browser error meanwhile.

use crate::driver::SETTLE;
use crate::wire::{Element, BACKSPACE};
use crate::{at, note, num, str_of, Ctx};
use c169_pages::{first_few, poll, Page, WIDTHS};
use serde_json::json;

const SHOWN_JS: &str = r"
const id = arguments[0];
// A case's id: its element's own id, after case- (data-case is bare).
const cid = (e) => (e.id.startsWith('case-') ? e.id.slice(5) : '');
const all = Array.from(document.querySelectorAll('[data-case]'));
const shown = all.filter((e) => !e.closest('[hidden]'));
const other = shown.find((e) => e.dataset.status !== 'pass');
return {
  total: all.length,
  shown: shown.length,
  not_pass: shown.filter((e) => e.dataset.status !== 'pass').length,
  first_not_pass: other ? `${cid(other)} (${other.dataset.status})` : null,
  pass_total: all.filter((e) => e.dataset.status === 'pass').length,
  id_shown: id === null ? null : shown.some((e) => cid(e) === id),
};
";

/// What the filters show.
#[derive(Debug, Clone, PartialEq)]
struct Counts {
    total: u64,
    shown: u64,
    not_pass: u64,
    first_not_pass: String,
    pass_total: u64,
    id_shown: bool,
}

fn shown(c: &Ctx<'_>, id: Option<&str>) -> Result<Counts, String> {
    let v =
        c.b.js("counting the cases shown", SHOWN_JS, vec![json!(id)])?;
    Ok(Counts {
        total: num(at(&v, "total")),
        shown: num(at(&v, "shown")),
        not_pass: num(at(&v, "not_pass")),
        first_not_pass: str_of(at(&v, "first_not_pass")),
        pass_total: num(at(&v, "pass_total")),
        id_shown: at(&v, "id_shown").as_bool() == Some(true),
    })
}

/// Polls the cases shown until `done` holds (or [`SETTLE`] passes): the last count.
fn shown_when(
    c: &Ctx<'_>,
    id: Option<&str>,
    done: impl Fn(&Counts) -> bool,
) -> Result<Counts, String> {
    let mut last = shown(c, id)?;
    poll(SETTLE, || {
        last = shown(c, id)?;
        Ok(done(&last).then_some(()))
    })?;
    Ok(last)
}

fn control(c: &Ctx<'_>, page: &Page, css: &str) -> Result<Element, String> {
    c.b.find_all(css)?
        .into_iter()
        .next()
        .ok_or_else(|| format!("{}: no {css}", page.rel))
}

/// Clicks the `<option>` that `option` selects inside `select`, as a reader does;
/// `what` names the choice in a failure.
fn choose(
    c: &Ctx<'_>,
    page: &Page,
    select: &Element,
    option: &str,
    what: &str,
) -> Result<(), String> {
    let what = format!("{}: choosing {what}", page.rel);
    c.b.call(&what, |s| s.click(&s.find_in(select, option)?))
}

pub(crate) fn filters(c: &mut Ctx<'_>, page: &Page) -> Result<(), String> {
    let ready = c.b.open(&page.path, WIDTHS[0])?;
    let rel = &page.rel;
    let status = control(c, page, "form#filters select[name=\"status\"]")
        .map_err(|e| format!("{e} ({})", ready.describe()))?;
    let q = control(c, page, "form#filters input[name=\"q\"]")?;
    // The load's errors are the console check's; what follows counts the filters'.
    c.b.browser_log()?;
    let before = shown(c, None)?;
    if before.total == 0 {
        return Err(format!("{rel}: no [data-case] element to filter"));
    }
    let initial =
        c.b.js(
            "reading the status filter",
            "return document.querySelector('form#filters select[name=\"status\"]').selectedIndex",
            vec![],
        )?
        .as_u64()
        .map_or(0, |i| i as usize);
    // Status: pass.
    choose(c, page, &status, "option[value='pass']", "status pass")?;
    // Unless every case shown passes and every passing case is shown already.
    let must_change = before.not_pass > 0 || before.shown != before.pass_total;
    let only_pass = |s: &Counts| s.not_pass == 0 && (s.shown != before.shown || !must_change);
    let after = shown_when(c, None, only_pass)?;
    if after.not_pass > 0 {
        return Err(format!(
            "{rel}: status pass chosen, {} of the {} cases shown are not pass (first: {})",
            after.not_pass, after.shown, after.first_not_pass
        ));
    }
    if must_change && after.shown == before.shown {
        return Err(format!(
            "{rel}: status pass chosen, still {} cases shown ({} not pass before)",
            after.shown, before.not_pass
        ));
    }
    // With the other filters as the page opens showing every case, pass shows every passing case.
    if before.shown == before.total && after.shown != after.pass_total {
        return Err(format!(
            "{rel}: status pass chosen, {} cases shown of {} that pass",
            after.shown, after.pass_total
        ));
    }
    let first = format!("option:nth-of-type({})", initial + 1);
    choose(c, page, &status, &first, "the first status again")?;
    let reset = shown_when(c, None, |s| s.shown == before.shown)?;
    if reset.shown != before.shown {
        return Err(format!(
            "{rel}: status filter reset, {} cases shown, {} before",
            reset.shown, before.shown
        ));
    }
    // Search: a case's id.
    let pick = c.b.js(
        "choosing a case",
        "const e = document.querySelector('details[data-case]') || document.querySelector('[data-case]');\
         return e && e.id.startsWith('case-') ? e.id.slice(5) : '';",
        vec![],
    )?;
    let id = pick.as_str().unwrap_or_default().to_owned();
    if id.is_empty() {
        return Err(format!(
            "{rel}: the first case element has no id=\"case-<id>\""
        ));
    }
    c.b.call(&format!("{rel}: typing {id} into q"), |s| {
        s.send_keys(&q, &id)
    })?;
    let found = shown_when(c, Some(&id), |s| s.id_shown && s.shown < before.shown)?;
    if !found.id_shown || found.shown >= before.shown {
        return Err(format!(
            "{rel}: \"{id}\" typed into q: {} cases shown ({} before), {id} {}",
            found.shown,
            before.shown,
            if found.id_shown { "shown" } else { "hidden" }
        ));
    }
    let erase = BACKSPACE.to_string().repeat(id.chars().count());
    c.b.call(&format!("{rel}: erasing q"), |s| s.send_keys(&q, &erase))?;
    let cleared = shown_when(c, None, |s| s.shown == before.shown)?;
    if cleared.shown != before.shown {
        return Err(format!(
            "{rel}: q erased, {} cases shown, {} before",
            cleared.shown, before.shown
        ));
    }
    let errors = c.b.errors()?;
    if !errors.is_empty() {
        return Err(format!(
            "{rel}: {} browser errors while filtering: {}",
            errors.len(),
            first_few(&errors, 5)
        ));
    }
    note(&format!(
        "{rel}: {} of {} cases shown; status pass: {}; q \"{id}\": {}; reset: {}",
        before.shown, before.total, after.shown, found.shown, cleared.shown
    ));
    Ok(())
}
