//! The published pages in a real browser: Debian's headless Chromium, driven
//! through chromedriver (WebDriver, with chromedriver's Chrome DevTools passthrough
//! for full-page screenshots). Each page is opened as a `file://` URL, as a reader
//! who downloaded `reports/` would, and checked against the contract the report
//! writer follows (see the crate's documentation):
//!
//! - `<page>/size`: the file is under 1.5 MB (no browser needed);
//! - `<page>/contract`: the landmarks, links back, filter form and `data-*`
//!   attributes the other checks rely on, and the script's ready signal;
//! - `<page>/console@<w>`, `<page>/overflow@<w>`, `<page>/height@1400`,
//!   `<page>/screenshot@<w>` at window widths 1400 and 390: no console error or
//!   uncaught exception, no horizontal overflow (the widest offender named), a
//!   document under 30,000 px tall at 1400, and a full-page PNG in
//!   `target/browser/`;
//! - `<page>/links`: every link resolves, to a file and to an element id;
//! - `<page>/filters` (reports): the status and search filters show and hide cases;
//! - `<page>/open-on-load` (reports): a failing case's fragment, loaded, opens it;
//! - `<peer>/two-clicks`: from the first failing cell of the peer's column of the
//!   matrix to its requirement, then to a failing case, open and in view;
//! - `<page>/axe`: no serious or critical axe-core violation (with axe-core from
//!   `npm ci --prefix harness/pages`, or `C169_AXE_JS`);
//! - `<largest page>/timing`: five loads at 1400, the median of each navigation
//!   measure and of the page's `c169-interactive` mark, printed and written to
//!   `target/browser/timings.json` (a measurement, not asserted).
//!
//! Without chromium or chromedriver (`C169_CHROMIUM`, `C169_CHROMEDRIVER`, by
//! default in `/usr/bin`) the trials that need them are ignored, with the reason
//! printed once; with `C169_REQUIRE_BROWSER=1` they fail instead. One browser
//! serves every trial, one trial at a time: `cargo test -p c169-pages --test
//! browser -- claim169-py` runs one page's trials, `-- overflow` one check's.
//!
//! This file sets up the trials; the browser is in [`driver`] (speaking WebDriver
//! to chromedriver through [`wire`]), and each check in a
//! module of its own: [`contract`], [`layout`] (size, console, overflow, height,
//! screenshot), [`links`], [`filters`], [`clicks`] (two clicks, open on load),
//! [`axe`] and [`timing`].

mod axe;
mod clicks;
mod contract;
mod driver;
mod filters;
mod layout;
mod links;
mod timing;
mod wire;

use c169_pages::{pages, target_dir, workspace, Kind, Page, WIDTHS};
use driver::Browser;
use layout::Layout;
use libtest_mimic::{Arguments, Failed, Trial};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

fn main() {
    let mut args = Arguments::from_args();
    // One browser for every trial: they take turns, so they run one after another.
    if args.test_threads.is_none() {
        args.test_threads = Some(1);
    }
    let setup = Arc::new(Setup::from_env());
    if !args.list {
        if let Some(why) = &setup.missing {
            if setup.require {
                eprintln!("browser tests fail: C169_REQUIRE_BROWSER=1 and {why}");
            } else {
                eprintln!("browser tests ignored: {why}");
            }
        } else if let Err(why) = &setup.axe {
            if setup.require {
                eprintln!("axe checks fail: C169_REQUIRE_BROWSER=1 and {why}");
            } else {
                eprintln!("axe checks ignored: {why}");
            }
        }
    }
    let state = Arc::new(Mutex::new(State::default()));
    let trials = trials(&setup, &state);
    let conclusion = libtest_mimic::run(&args, trials);
    // The browser closes here, before the exit: its session, chromedriver's process
    // group, the temporary profile (and on a panic, by the same Drop).
    drop(state);
    conclusion.exit();
}

// ---------------------------------------------------------------------------
// What the machine has, and the trials.

/// The binaries, axe-core, and why a trial cannot run.
#[derive(Debug)]
struct Setup {
    workspace: PathBuf,
    out: PathBuf,
    chromedriver: PathBuf,
    chromium: PathBuf,
    /// Why there is no browser (a binary missing).
    missing: Option<String>,
    /// axe.min.js, or why it is absent.
    axe: Result<PathBuf, String>,
    /// `C169_REQUIRE_BROWSER=1`: what is missing fails the trials instead of ignoring them.
    require: bool,
}

impl Setup {
    fn from_env() -> Self {
        let workspace = workspace();
        let workspace = workspace.canonicalize().unwrap_or(workspace);
        let out = target_dir(&workspace).join("browser");
        let var = |name: &str, default: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map_or_else(|| PathBuf::from(default), PathBuf::from)
        };
        let chromedriver = var("C169_CHROMEDRIVER", "/usr/bin/chromedriver");
        let chromium = var("C169_CHROMIUM", "/usr/bin/chromium");
        let missing = [&chromedriver, &chromium]
            .into_iter()
            .find(|p| !p.is_file())
            .map(|p| {
                format!(
                    "{} not found; install Debian's chromium and chromium-driver \
                     (or name the binaries in C169_CHROMIUM and C169_CHROMEDRIVER)",
                    p.display()
                )
            });
        let axe = match std::env::var_os("C169_AXE_JS").filter(|v| !v.is_empty()) {
            Some(path) => Some(PathBuf::from(path))
                .filter(|p| p.is_file())
                .ok_or_else(|| "C169_AXE_JS names no file".to_owned()),
            None => Some(workspace.join("harness/pages/node_modules/axe-core/axe.min.js"))
                .filter(|p| p.is_file())
                .ok_or_else(|| {
                    "harness/pages/node_modules/axe-core/axe.min.js not found; \
                     run `npm ci --prefix harness/pages` (or name axe.min.js in C169_AXE_JS)"
                        .to_owned()
                }),
        };
        Self {
            workspace,
            out,
            chromedriver,
            chromium,
            missing,
            axe,
            require: std::env::var("C169_REQUIRE_BROWSER").is_ok_and(|v| v == "1"),
        }
    }

    /// A path as the messages show it: relative to the workspace.
    fn rel(&self, path: &Path) -> String {
        let path = path.canonicalize().unwrap_or_else(|_| path.to_owned());
        path.strip_prefix(&self.workspace)
            .unwrap_or(&path)
            .display()
            .to_string()
    }
}

/// The browser (started by the first trial that needs it) and what trials share.
#[derive(Default)]
struct State {
    browser: Option<Result<Browser, String>>,
    layouts: HashMap<(String, u32), Result<Layout, String>>,
    ids: HashMap<PathBuf, Result<Arc<HashSet<String>>, String>>,
}

/// What a browser trial gets: the browser, what trials share, and the setup.
struct Ctx<'a> {
    b: &'a mut Browser,
    layouts: &'a mut HashMap<(String, u32), Result<Layout, String>>,
    ids: &'a mut HashMap<PathBuf, Result<Arc<HashSet<String>>, String>>,
    setup: &'a Setup,
}

type Check = Box<dyn FnOnce(&mut Ctx<'_>) -> Result<(), String> + Send>;
type PageCheck = fn(&mut Ctx<'_>, &Page) -> Result<(), String>;
type WidthCheck = fn(&mut Ctx<'_>, &Page, u32) -> Result<(), String>;

/// A trial that needs the browser (and axe-core, if `axe`): ignored without it,
/// failed without it under `C169_REQUIRE_BROWSER=1`.
fn browser_trial(
    name: String,
    setup: &Arc<Setup>,
    state: &Arc<Mutex<State>>,
    axe: bool,
    check: Check,
) -> Trial {
    let missing = setup
        .missing
        .clone()
        .or_else(|| axe.then(|| setup.axe.clone().err()).flatten());
    if let Some(why) = missing {
        let why = if setup.require {
            format!("C169_REQUIRE_BROWSER=1, and {why}")
        } else {
            why
        };
        let trial = Trial::test(name, move || Err(Failed::from(why)));
        return trial.with_ignored_flag(!setup.require);
    }
    let (setup, state) = (Arc::clone(setup), Arc::clone(state));
    Trial::test(name, move || {
        let mut guard = state.lock().unwrap_or_else(PoisonError::into_inner);
        let State {
            browser,
            layouts,
            ids,
        } = &mut *guard;
        let b = match browser.get_or_insert_with(|| Browser::start(&setup)) {
            Ok(b) => b,
            Err(why) => return Err(Failed::from(format!("no browser: {why}"))),
        };
        let mut ctx = Ctx {
            b,
            layouts,
            ids,
            setup: &setup,
        };
        check(&mut ctx).map_err(Failed::from)
    })
}

fn trials(setup: &Arc<Setup>, state: &Arc<Mutex<State>>) -> Vec<Trial> {
    let pages = match pages(&setup.workspace) {
        Ok(pages) => pages,
        Err(e) => {
            let why = format!("reports/ cannot be read: {e}");
            return vec![Trial::test("pages", move || Err(Failed::from(why)))];
        }
    };
    let mut trials = Vec::new();
    let (index, reports) = (
        pages.iter().any(|p| p.kind == Kind::Index),
        pages.iter().filter(|p| p.kind == Kind::Report).count(),
    );
    trials.push(Trial::test("pages", move || {
        if !index || reports == 0 {
            return Err(format!(
                "reports/ holds {} index.html and {reports} <peer>/report.html",
                if index { "an" } else { "no" }
            )
            .into());
        }
        Ok(())
    }));
    let bt = |name: String, axe: bool, check: Check| browser_trial(name, setup, state, axe, check);
    let on_page = |page: &Page, check: &str, axe: bool, f: PageCheck| {
        let p = page.clone();
        bt(
            format!("{}/{check}", page.name),
            axe,
            Box::new(move |c| f(c, &p)),
        )
    };
    let at_width = |page: &Page, check: &str, width: u32, f: WidthCheck| {
        let p = page.clone();
        let name = format!("{}/{check}@{width}", page.name);
        bt(name, false, Box::new(move |c| f(c, &p, width)))
    };
    for page in &pages {
        let p = page.clone();
        trials.push(Trial::test(format!("{}/size", page.name), move || {
            layout::size(&p)
        }));
        trials.push(on_page(page, "contract", false, contract::contract));
        for width in WIDTHS {
            trials.push(at_width(page, "console", width, layout::console));
            trials.push(at_width(page, "overflow", width, layout::overflow));
            if width == WIDTHS[0] {
                trials.push(at_width(page, "height", width, layout::height));
            }
            trials.push(at_width(page, "screenshot", width, layout::screenshot));
        }
        trials.push(on_page(page, "links", false, links::links));
        if page.kind == Kind::Report {
            trials.push(on_page(page, "filters", false, filters::filters));
            trials.push(on_page(page, "open-on-load", false, clicks::open_on_load));
        }
        trials.push(on_page(page, "axe", true, axe::axe));
    }
    if let Some(index) = pages.iter().find(|p| p.kind == Kind::Index) {
        for page in pages.iter().filter(|p| p.kind == Kind::Report) {
            let (index, peer) = (index.clone(), page.name.clone());
            trials.push(bt(
                format!("{}/two-clicks", page.name),
                false,
                Box::new(move |c| clicks::two_clicks(c, &index, &peer)),
            ));
        }
    }
    let largest = pages
        .iter()
        .filter_map(|p| Some((std::fs::metadata(&p.path).ok()?.len(), p)))
        .max_by_key(|(len, _)| *len);
    if let Some((bytes, page)) = largest {
        let p = page.clone();
        trials.push(bt(
            format!("{}/timing", page.name),
            false,
            Box::new(move |c| timing::timing(c, &p, bytes)),
        ));
    }
    trials
}

// ---------------------------------------------------------------------------
// What every check uses: a line printed under the trial, and the browser's answers.

fn note(line: &str) {
    println!("\n    {line}");
}

/// A member of a JSON object (`null` when absent, or not an object).
fn at<'v>(v: &'v Value, key: &str) -> &'v Value {
    v.get(key).unwrap_or(&Value::Null)
}

/// An element of a JSON array (`null` when absent).
fn item(v: &Value, i: usize) -> &Value {
    v.get(i).unwrap_or(&Value::Null)
}

fn str_of(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}

fn num(v: &Value) -> u64 {
    v.as_f64().map_or(0, |f| f.round().max(0.0) as u64)
}
