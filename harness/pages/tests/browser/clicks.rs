//! Reaching a failing case: `<peer>/two-clicks`, from the first failing cell of
//! the peer's matrix column to its requirement row (in view, nothing over it),
//! then through the row's first case link to a failing case, open and in view;
//! and `<page>/open-on-load` (reports), a failing case's fragment loaded afresh
//! opening that case.

use crate::driver::{file_url, with_fragment, PAGE_LOAD, SETTLE};
use crate::{at, note, num, str_of, Ctx};
use c169_pages::{css_quoted, poll, Page, WIDTHS};
use serde_json::{json, Value};

const TARGET_JS: &str = r"
const e = document.getElementById(arguments[0]);
if (!e) return { exists: false, hash: location.hash };
const r = e.getBoundingClientRect();
// What is on top at a point near its top left corner: the element, or something over it.
const x = Math.min(r.left + 10, r.right - 1), y = Math.min(r.top + 10, r.bottom - 1);
const hit = x >= 0 && y >= 0 && x < innerWidth && y < innerHeight ? document.elementFromPoint(x, y) : null;
const name = (h) => h.tagName.toLowerCase() + (h.id ? '#' + h.id : '') + Array.from(h.classList).slice(0, 2).map((k) => '.' + k).join('');
return {
  covered_by: hit && !e.contains(hit) ? name(hit) : null,
  exists: true,
  hash: location.hash,
  tag: e.tagName.toLowerCase(),
  status: e.dataset.status || null,
  open: e.tagName === 'DETAILS' ? e.open : null,
  closed_ancestor: !!(e.parentElement && e.parentElement.closest('details:not([open])')),
  top: r.top, left: r.left, bottom: r.bottom, height: r.height,
  scroll_margin_top: parseFloat(getComputedStyle(e).scrollMarginTop) || 0,
  inner_h: window.innerHeight, inner_w: window.innerWidth,
};
";

fn in_view(t: &Value) -> bool {
    let f = |k: &str| at(t, k).as_f64().unwrap_or(f64::NAN);
    at(t, "exists").as_bool() == Some(true)
        && f("height") > 0.0
        && f("top") >= -1.0
        && f("top") < f("inner_h")
        && f("bottom") > 0.0
        && f("left") < f("inner_w")
        && at(t, "covered_by").is_null()
}

fn reached(t: &Value) -> bool {
    let status = at(t, "status").as_str().unwrap_or_default();
    (status == "fail" || status == "error")
        && at(t, "open").as_bool() != Some(false)
        && at(t, "closed_ancestor").as_bool() != Some(true)
        && in_view(t)
}

fn describe_target(t: &Value) -> String {
    if at(t, "exists").as_bool() != Some(true) {
        return format!("no such element (location hash {})", str_of(at(t, "hash")));
    }
    let mut parts = vec![format!("<{}>", str_of(at(t, "tag")))];
    if let Some(status) = at(t, "status").as_str() {
        parts.push(format!("data-status={status}"));
    }
    match at(t, "open").as_bool() {
        Some(true) => parts.push("open".to_owned()),
        Some(false) => parts.push("closed".to_owned()),
        None => {}
    }
    if at(t, "closed_ancestor").as_bool() == Some(true) {
        parts.push("inside a closed <details>".to_owned());
    }
    parts.push(format!(
        "top at {} px in a window {} px tall",
        at(t, "top").as_f64().map_or(0, |f| f.round() as i64),
        num(at(t, "inner_h"))
    ));
    if let Some(over) = at(t, "covered_by").as_str() {
        // The target scrolls to its scroll-margin-top below the window's top: a
        // sticky header taller than that covers it.
        parts.push(format!(
            "covered by {over} (a sticky header taller than the target's \
             scroll-margin-top of {} px?)",
            at(t, "scroll_margin_top")
                .as_f64()
                .map_or(0, |f| f.round() as i64)
        ));
    }
    parts.join(", ")
}

pub(crate) fn two_clicks(c: &mut Ctx<'_>, index: &Page, peer: &str) -> Result<(), String> {
    c.b.open(&index.path, WIDTHS[0])?;
    let cell = format!("td.fail a[href^=\"{}/report.html#req-\"]", css_quoted(peer));
    let Some(link) = c.b.find_all(&cell)?.into_iter().next() else {
        note(&format!(
            "{}: no failing cell in the {peer} column: no path to follow",
            index.rel
        ));
        return Ok(());
    };
    let href =
        c.b.call("reading the cell's link", |s| s.attribute(&link, "href"))?
            .unwrap_or_default();
    let req = href
        .split_once('#')
        .map(|(_, f)| f.to_owned())
        .unwrap_or_default();
    let report = format!("reports/{peer}/report.html");
    let from = format!("{} (first td.fail of the {peer} column)", index.rel);
    // Click 1.
    c.b.call(&format!("{from}: clicking {href}"), |s| s.click(&link))?;
    let arrived = poll(PAGE_LOAD, || {
        let v = c.b.js(
            "waiting for the report",
            "return location.pathname.endsWith(arguments[0]) && document.readyState === 'complete'",
            vec![json!(format!("/{peer}/report.html"))],
        )?;
        Ok((v == Value::Bool(true)).then_some(()))
    })?;
    if arrived.is_none() {
        return Err(format!("{from}: clicking {href} did not open {report}"));
    }
    let ready = c.b.wait_ready()?;
    // Landed: the requirement's row is there, in the window, with nothing over it.
    let mut row = Value::Null;
    poll(SETTLE, || {
        row =
            c.b.js("finding the requirement", TARGET_JS, vec![json!(req)])?;
        Ok(in_view(&row).then_some(()))
    })?;
    if at(&row, "exists").as_bool() != Some(true) {
        return Err(format!(
            "{from}: clicked {href}: {report} has no element id=\"{req}\""
        ));
    }
    if !in_view(&row) {
        return Err(format!(
            "{from}: clicked {href}: {report}#{req} is not in view: {}",
            describe_target(&row)
        ));
    }
    // Click 2.
    let case_link = format!("[id=\"{}\"] a[href^=\"#case-\"]", css_quoted(&req));
    let Some(link) = c.b.find_all(&case_link)?.into_iter().next() else {
        return Err(format!(
            "{from}: clicked {href}; {report}#{req} holds no link a[href^=\"#case-\"] ({})",
            ready.describe()
        ));
    };
    let case_href =
        c.b.call("reading the case link", |s| s.attribute(&link, "href"))?
            .unwrap_or_default();
    let case = case_href.trim_start_matches('#').to_owned();
    c.b.call(&format!("{report}#{req}: clicking {case_href}"), |s| {
        s.click(&link)
    })?;
    let mut last = Value::Null;
    poll(SETTLE, || {
        last =
            c.b.js("looking at the case", TARGET_JS, vec![json!(case)])?;
        Ok(reached(&last).then_some(()))
    })?;
    if !reached(&last) {
        return Err(format!(
            "{from} → {report}#{req} → {case_href}: the case is {} (expected a failing case \
             (fail or error), open, in the window; {})",
            describe_target(&last),
            ready.describe()
        ));
    }
    note(&format!(
        "two clicks for {peer}: {} → {report}#{req} → #{case} ({})",
        index.rel,
        describe_target(&last)
    ));
    Ok(())
}

/// A failing case's fragment loaded afresh (not a hash change): the page script
/// opens its `<details>` (and their ancestors) on load too.
pub(crate) fn open_on_load(c: &mut Ctx<'_>, page: &Page) -> Result<(), String> {
    c.b.open(&page.path, WIDTHS[0])?;
    let first = c.b.js(
        "finding a failing case",
        "const e = document.querySelector('details.case[data-status=\"fail\"], details.case[data-status=\"error\"]')\
           || document.querySelector('.case[id^=\"case-\"]');\
         return e ? e.id : null;",
        vec![],
    )?;
    let Some(id) = first.as_str().map(str::to_owned) else {
        note(&format!("{}: no failing case to open", page.rel));
        return Ok(());
    };
    let url = with_fragment(&file_url(&page.path)?, &id);
    // From another document, so that the fragment comes with a load.
    c.b.call("leaving the page", |s| s.navigate("about:blank"))?;
    c.b.call(&format!("loading {url}"), |s| s.navigate(&url))?;
    let ready = c.b.wait_ready()?;
    let mut last = Value::Null;
    poll(SETTLE, || {
        last = c.b.js("looking at the case", TARGET_JS, vec![json!(id)])?;
        Ok(reached(&last).then_some(()))
    })?;
    if !reached(&last) {
        return Err(format!(
            "{}#{id} loaded: the case is {} (expected a failing case (fail or error), open, \
             in the window; {})",
            page.rel,
            describe_target(&last),
            ready.describe()
        ));
    }
    Ok(())
}
