//! `<page>/links`: every link resolves, a `file:` link to a file that exists and
//! its fragment to an element id there (the page itself, or another HTML page
//! opened once for its ids); external links are listed, not followed.

use crate::{item, note, str_of, Ctx};
use c169_pages::{first_few, thousands, Page};
use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

const LINKS_JS: &str = r"
const decode = (s) => { try { return decodeURIComponent(s); } catch (e) { return s; } };
return Array.from(document.querySelectorAll('a[href]'), (a) => {
  const raw = a.getAttribute('href');
  let u;
  try { u = new URL(a.href); } catch (e) { return [raw, 'invalid:', '', null]; }
  const fragment = u.hash ? decode(u.hash.slice(1)) : null;
  const target = u.protocol === 'file:' ? decode(u.pathname) : u.href.split('#')[0];
  return [raw, u.protocol, target, fragment];
});
";

const IDS_JS: &str = r"
const ids = new Set();
for (const e of document.querySelectorAll('[id]')) ids.add(e.id);
for (const a of document.querySelectorAll('a[name]')) ids.add(a.name);
return Array.from(ids);
";

fn ids_here(c: &mut Ctx<'_>, path: &Path) -> Result<Arc<HashSet<String>>, String> {
    let ids = c.b.js("collecting ids", IDS_JS, vec![])?;
    let ids: Arc<HashSet<String>> = Arc::new(
        ids.as_array()
            .map(|a| a.iter().map(str_of).collect())
            .unwrap_or_default(),
    );
    c.ids.insert(path.to_owned(), Ok(Arc::clone(&ids)));
    Ok(ids)
}

/// The element ids of another page, opened for them once.
fn ids_of(c: &mut Ctx<'_>, path: &Path) -> Result<Arc<HashSet<String>>, String> {
    if let Some(found) = c.ids.get(path) {
        return found.clone();
    }
    let width = c.b.width;
    match c.b.open(path, width) {
        Ok(_) => ids_here(c, path),
        Err(e) => {
            c.ids.insert(path.to_owned(), Err(e.clone()));
            Err(e)
        }
    }
}

pub(crate) fn links(c: &mut Ctx<'_>, page: &Page) -> Result<(), String> {
    let width = c.b.width;
    c.b.open(&page.path, width)?;
    let found = c.b.js("collecting links", LINKS_JS, vec![])?;
    let here = page
        .path
        .canonicalize()
        .map_err(|e| format!("{}: {e}", page.rel))?;
    let here_ids = ids_here(c, &here)?;
    let all = found.as_array().cloned().unwrap_or_default();
    let (mut broken, mut external, mut unchecked) = (Vec::new(), BTreeSet::new(), BTreeSet::new());
    let mut seen = HashSet::new();
    for link in &all {
        let raw = str_of(item(link, 0));
        if !seen.insert(raw.clone()) {
            continue;
        }
        let (protocol, target) = (str_of(item(link, 1)), str_of(item(link, 2)));
        let fragment = item(link, 3).as_str().filter(|f| !f.is_empty());
        match protocol.as_str() {
            "http:" | "https:" => {
                external.insert(target);
            }
            "file:" => {
                let path = PathBuf::from(&target);
                let Ok(path) = path.canonicalize() else {
                    broken.push(format!("`{raw}`: no file {}", c.setup.rel(&path)));
                    continue;
                };
                let Some(fragment) = fragment else { continue };
                let is_html = path.extension().is_some_and(|e| {
                    e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm")
                });
                let ids = if path == here {
                    Arc::clone(&here_ids)
                } else if is_html {
                    ids_of(c, &path)?
                } else {
                    unchecked.insert(format!("{raw} (a fragment of a non-HTML file)"));
                    continue;
                };
                if !ids.contains(fragment) {
                    broken.push(format!(
                        "`{raw}`: no id \"{fragment}\" in {}",
                        c.setup.rel(&path)
                    ));
                }
            }
            _ => {
                unchecked.insert(format!("{raw} ({protocol} not checked)"));
            }
        }
    }
    note(&format!(
        "{}: {} links ({} distinct), {} external (listed, not followed){}{}",
        page.rel,
        thousands(all.len() as u64),
        thousands(seen.len() as u64),
        external.len(),
        if external.is_empty() {
            String::new()
        } else {
            format!(
                ": {}",
                external.iter().cloned().collect::<Vec<_>>().join(", ")
            )
        },
        if unchecked.is_empty() {
            String::new()
        } else {
            format!(
                "; not checked: {}",
                unchecked.iter().cloned().collect::<Vec<_>>().join(", ")
            )
        },
    ));
    if broken.is_empty() {
        return Ok(());
    }
    Err(format!(
        "{}: {} of {} distinct links do not resolve: {}",
        page.rel,
        thousands(broken.len() as u64),
        thousands(seen.len() as u64),
        first_few(&broken, 10)
    ))
}
