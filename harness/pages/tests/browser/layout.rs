//! How each page is laid out: `<page>/size`, the file under 1.5 MB (no browser);
//! and at each window width (1400 and 390 px), from one load shared by the four
//! checks, `<page>/console@<w>` (no console error or uncaught exception),
//! `<page>/overflow@<w>` (no horizontal overflow, the widest offender named),
//! `<page>/height@1400` (a document under 30,000 px tall) and
//! `<page>/screenshot@<w>` (a full-page PNG written to `target/browser/`).

use crate::wire::Session;
use crate::{at, note, num, str_of, Ctx};
use c169_pages::{first_few, thousands, Page, MAX_HEIGHT_PX, MAX_PAGE_BYTES};
use libtest_mimic::Failed;
use serde_json::json;
use std::fmt::Write as _;

pub(crate) fn size(page: &Page) -> Result<(), Failed> {
    let bytes = std::fs::metadata(&page.path)
        .map_err(|e| format!("{}: {e}", page.rel))?
        .len();
    if bytes >= MAX_PAGE_BYTES {
        return Err(format!(
            "{}: {} bytes, the limit is {}",
            page.rel,
            thousands(bytes),
            thousands(MAX_PAGE_BYTES)
        )
        .into());
    }
    Ok(())
}

/// What one load of a page at one width showed.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    inner_width: u64,
    scroll_width: u64,
    scroll_height: u64,
    errors: Vec<String>,
    /// The widest element past the right edge, its width and right edge.
    widest: Option<(String, u64, u64)>,
    past_edge: u64,
    others: Vec<String>,
    screenshot: Result<String, String>,
}

const LAYOUT_JS: &str = r"
const W = window.innerWidth, de = document.documentElement;
const out = { inner: W, scrollWidth: de.scrollWidth, scrollHeight: de.scrollHeight, widest: null, count: 0, others: [] };
if (de.scrollWidth > W) {
  const found = [];
  const walk = (el) => {
    for (const c of el.children) {
      const s = getComputedStyle(c);
      if (s.display === 'none') continue;
      const r = c.getBoundingClientRect();
      const right = r.right + window.scrollX;
      if (right > W + 0.5) found.push({ el: c, width: r.width, right });
      // A box that clips or scrolls its overflow does not widen the document.
      if (s.overflowX === 'visible' || c === document.body) walk(c);
    }
  };
  walk(de);
  const kind = (e) => e.tagName.toLowerCase() + Array.from(e.classList).slice(0, 2).map((k) => '.' + k).join('');
  const name = (e) => {
    if (e.id) return kind(e) + '#' + e.id;
    const a = e.parentElement && e.parentElement.closest('[id]');
    return a ? `${kind(e)} in ${kind(a)}#${a.id}` : kind(e);
  };
  let best = null;
  for (const f of found) if (!best || f.width > best.width) best = f;
  out.count = found.length;
  if (best) out.widest = { name: name(best.el), width: Math.round(best.width), right: Math.round(best.right) };
  const seen = new Set(best ? [kind(best.el)] : []);
  for (const f of found) {
    const k = kind(f.el);
    if (!seen.has(k) && out.others.length < 3) { seen.add(k); out.others.push(k); }
  }
}
return out;
";

fn layout(c: &mut Ctx<'_>, page: &Page, width: u32) -> Result<Layout, String> {
    let key = (page.name.clone(), width);
    if let Some(found) = c.layouts.get(&key) {
        return found.clone();
    }
    let observed = observe(c, page, width);
    c.layouts.insert(key, observed.clone());
    observed
}

fn observe(c: &mut Ctx<'_>, page: &Page, width: u32) -> Result<Layout, String> {
    c.b.open(&page.path, width)?;
    c.b.settle()?;
    let m = c.b.js("measuring the layout", LAYOUT_JS, vec![])?;
    let errors = c.b.errors()?;
    let w = at(&m, "widest");
    let widest = w.is_object().then(|| {
        (
            str_of(at(w, "name")),
            num(at(w, "width")),
            num(at(w, "right")),
        )
    });
    let mut layout = Layout {
        inner_width: num(at(&m, "inner")),
        scroll_width: num(at(&m, "scrollWidth")),
        scroll_height: num(at(&m, "scrollHeight")),
        errors,
        widest,
        past_edge: num(at(&m, "count")),
        others: at(&m, "others")
            .as_array()
            .map(|a| a.iter().map(str_of).collect())
            .unwrap_or_default(),
        screenshot: Err(String::new()),
    };
    layout.screenshot = save_screenshot(c, page, width, &layout);
    note(&format!(
        "{} at {width} px: document {} × {} px, window {} px; {} browser errors; screenshot {}",
        page.rel,
        thousands(layout.scroll_width),
        thousands(layout.scroll_height),
        thousands(layout.inner_width),
        layout.errors.len(),
        layout.screenshot.as_ref().unwrap_or_else(|e| e),
    ));
    Ok(layout)
}

/// A full-page PNG (the first [`MAX_HEIGHT_PX`] of a taller page) through the
/// DevTools passthrough; the viewport alone if that fails.
fn save_screenshot(c: &Ctx<'_>, page: &Page, width: u32, l: &Layout) -> Result<String, String> {
    let file = c.setup.out.join(format!("{}-{width}.png", page.name));
    let params = json!({
        "format": "png",
        "captureBeyondViewport": true,
        "clip": { "x": 0, "y": 0, "width": l.inner_width, "height": l.scroll_height.min(MAX_HEIGHT_PX), "scale": 1 },
    });
    let (png, what) = match c.b.cdp("Page.captureScreenshot", params).and_then(|v| {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD
            .decode(at(&v, "data").as_str().unwrap_or_default())
            .map_err(|e| format!("the screenshot's base64: {e}"))
    }) {
        Ok(png) if !png.is_empty() => (png, "full page"),
        Ok(_) | Err(_) => (
            c.b.call("a viewport screenshot", Session::screenshot)?,
            "viewport only",
        ),
    };
    std::fs::write(&file, png).map_err(|e| format!("{}: {e}", c.setup.rel(&file)))?;
    Ok(format!("{} ({what})", c.setup.rel(&file)))
}

pub(crate) fn console(c: &mut Ctx<'_>, page: &Page, width: u32) -> Result<(), String> {
    let l = layout(c, page, width)?;
    if l.errors.is_empty() {
        return Ok(());
    }
    Err(format!(
        "{} at {width} px: {} browser errors after load: {}",
        page.rel,
        l.errors.len(),
        first_few(&l.errors, 5)
    ))
}

pub(crate) fn overflow(c: &mut Ctx<'_>, page: &Page, width: u32) -> Result<(), String> {
    let l = layout(c, page, width)?;
    if l.scroll_width <= l.inner_width {
        return Ok(());
    }
    let mut why = format!(
        "{} at {width} px: document {} px wide, window {} px",
        page.rel,
        thousands(l.scroll_width),
        thousands(l.inner_width)
    );
    match &l.widest {
        Some((name, w, right)) => {
            let _ = write!(
                why,
                "; widest element: {name} ({} px wide, right edge at {} px)",
                thousands(*w),
                thousands(*right)
            );
        }
        None => why.push_str("; no element found past the right edge"),
    }
    if l.past_edge > 1 {
        let _ = write!(
            why,
            "; {} elements past the right edge",
            thousands(l.past_edge)
        );
        if !l.others.is_empty() {
            let _ = write!(why, ", also {}", l.others.join(", "));
        }
    }
    Err(why)
}

pub(crate) fn height(c: &mut Ctx<'_>, page: &Page, width: u32) -> Result<(), String> {
    let l = layout(c, page, width)?;
    if l.scroll_height < MAX_HEIGHT_PX {
        return Ok(());
    }
    Err(format!(
        "{} at {width} px: document {} px tall, the limit is {} px",
        page.rel,
        thousands(l.scroll_height),
        thousands(MAX_HEIGHT_PX)
    ))
}

pub(crate) fn screenshot(c: &mut Ctx<'_>, page: &Page, width: u32) -> Result<(), String> {
    layout(c, page, width)?
        .screenshot
        .map(drop)
        .map_err(|e| format!("{} at {width} px: no screenshot: {e}", page.rel))
}
