//! chromedriver, Chromium and the WebDriver session every browser trial shares:
//! starting them (in a process group of their own, with a fresh profile), bounding
//! each command, loading a page at a width and waiting for its script's ready
//! signal, reading the browser log, and ending it all on drop. Checks nothing of
//! the pages itself, but that a page gets the window width it was opened at.

use crate::wire::{Element, Session, Timeouts, WireError};
use crate::{at, item, str_of, Setup};
use c169_pages::{poll, WIDTHS, WINDOW_HEIGHT};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::fmt::Write as _;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// chromedriver listening after its start.
const STARTUP: Duration = Duration::from_secs(20);
/// A new session: Chromium started and answering.
const SESSION: Duration = Duration::from_secs(30);
/// One page load (WebDriver's page-load timeout).
pub(crate) const PAGE_LOAD: Duration = Duration::from_secs(30);
/// One script, synchronous or not (WebDriver's script timeout).
const SCRIPT: Duration = Duration::from_secs(30);
/// Any one WebDriver command, around the two above: chromedriver itself hanging.
const COMMAND: Duration = Duration::from_secs(45);
/// The page script's `data-ready` after load.
const READY: Duration = Duration::from_secs(10);
/// A filter, a navigation or a hash change showing its effect.
pub(crate) const SETTLE: Duration = Duration::from_secs(5);

/// chromedriver, in a process group of its own with the Chromium it starts: the
/// group is killed on drop.
#[derive(Debug)]
struct Driver {
    child: Child,
    exited: bool,
}

impl Drop for Driver {
    fn drop(&mut self) {
        if !self.exited {
            if let Ok(pid) = i32::try_from(self.child.id()) {
                let group = nix::unistd::Pid::from_raw(pid);
                // Already gone is fine: the group is only ours to end.
                let _ = nix::sys::signal::killpg(group, nix::sys::signal::Signal::SIGKILL);
            }
            let _ = self.child.wait();
        }
    }
}

/// A fresh Chromium profile, removed on drop (after the browser has ended).
#[derive(Debug)]
struct Profile(PathBuf);

impl Profile {
    fn new() -> Result<Self, String> {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!("c169-pages-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("a Chromium profile in {}: {e}", dir.display()))?;
        Ok(Self(dir))
    }
}

impl Drop for Profile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// One Chromium, one WebDriver session. Fields drop in order: the session (ended
/// by `Drop`), chromedriver's group, the profile.
pub(crate) struct Browser {
    session: Session,
    /// The window width last set.
    pub(crate) width: u32,
    /// The workspace as a file URL, with a final `/`.
    root_url: String,
    /// The pages (`location.pathname`) whose script set no `data-ready` in time.
    unready: HashSet<String>,
    _driver: Driver,
    _profile: Profile,
}

impl Drop for Browser {
    fn drop(&mut self) {
        // The session ends Chromium cleanly; the driver's Drop then ends the rest.
        let _ = self.session.end(SETTLE);
    }
}

/// Whether the page script said it is set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ready {
    /// `data-ready="1"` on the root element.
    Yes,
    /// The page has no script at all.
    NoScript,
    /// A script, but no `data-ready` within [`READY`].
    Never,
}

impl Ready {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Self::Yes => "ready",
            Self::NoScript => "the page has no script (data-ready never set)",
            Self::Never => {
                "the page script set no data-ready=\"1\" (10 s waited on its first load)"
            }
        }
    }
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .map_err(|e| format!("no free port on 127.0.0.1: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("no free port on 127.0.0.1: {e}"))
}

/// What the session requires of chromedriver: Chromium at `setup.chromium`,
/// headless, with a fresh profile, logging everything the page logs.
fn capabilities(setup: &Setup, profile: &Profile) -> Value {
    let args = [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ]
    .map(str::to_owned)
    .into_iter()
    .chain([
        format!("--window-size={},{WINDOW_HEIGHT}", WIDTHS[0]),
        format!("--user-data-dir={}", profile.0.display()),
    ])
    .collect::<Vec<_>>();
    json!({
        "browserName": "chrome",
        "pageLoadStrategy": "normal",
        "unhandledPromptBehavior": "dismiss",
        "goog:loggingPrefs": { "browser": "ALL" },
        "goog:chromeOptions": { "binary": setup.chromium, "args": args, "w3c": true },
    })
}

impl Browser {
    pub(crate) fn start(setup: &Setup) -> Result<Self, String> {
        std::fs::create_dir_all(&setup.out)
            .map_err(|e| format!("{}: {e}", setup.rel(&setup.out)))?;
        let profile = Profile::new()?;
        let port = free_port()?;
        let log = setup.out.join("chromedriver.log");
        // chromedriver listens on localhost only (it allows no remote address
        // unless told to); the session is reached on 127.0.0.1.
        let child = Command::new(&setup.chromedriver)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(|e| format!("{} does not start: {e}", setup.chromedriver.display()))?;
        let mut driver = Driver {
            child,
            exited: false,
        };
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let started = Instant::now();
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            if let Ok(Some(status)) = driver.child.try_wait() {
                driver.exited = true;
                return Err(format!(
                    "chromedriver exited ({status}) before listening on {addr}; see {}",
                    setup.rel(&log)
                ));
            }
            if started.elapsed() > STARTUP {
                return Err(format!(
                    "chromedriver not listening on {addr} after {} s; see {}",
                    STARTUP.as_secs(),
                    setup.rel(&log)
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let caps = capabilities(setup, &profile);
        let session = Session::new(addr, caps, SESSION, COMMAND).map_err(|e| match e {
            WireError::TimedOut { .. } => format!(
                "no Chromium session within {} s; see {}",
                SESSION.as_secs(),
                setup.rel(&log)
            ),
            e => format!(
                "chromedriver did not start {}: {e}; see {}",
                setup.chromium.display(),
                setup.rel(&log)
            ),
        })?;
        let browser = Self {
            session,
            width: WIDTHS[0],
            root_url: format!("{}/", file_url(&setup.workspace)?),
            unready: HashSet::new(),
            _driver: driver,
            _profile: profile,
        };
        let timeouts = Timeouts {
            script: SCRIPT,
            page_load: PAGE_LOAD,
            implicit: Duration::ZERO,
        };
        browser.call("setting the timeouts", |s| s.set_timeouts(timeouts))?;
        Ok(browser)
    }

    /// One WebDriver command (bounded by [`COMMAND`]), its failure told as `what`.
    pub(crate) fn call<T>(
        &self,
        what: &str,
        command: impl FnOnce(&Session) -> Result<T, WireError>,
    ) -> Result<T, String> {
        command(&self.session).map_err(|e| format!("{what}: {e}"))
    }

    pub(crate) fn js(&self, what: &str, script: &str, args: Vec<Value>) -> Result<Value, String> {
        self.call(what, |s| s.execute(script, args))
    }

    pub(crate) fn js_async(
        &self,
        what: &str,
        script: &str,
        args: Vec<Value>,
    ) -> Result<Value, String> {
        self.call(what, |s| s.execute_async(script, args))
    }

    pub(crate) fn cdp(&self, cmd: &'static str, params: Value) -> Result<Value, String> {
        self.call(cmd, |s| s.cdp(cmd, params))
    }

    /// The browser log since the last read (chromedriver empties it on each read).
    pub(crate) fn browser_log(&self) -> Result<Vec<Value>, String> {
        self.call("reading the browser log", Session::browser_log)
    }

    /// The errors in the browser log since the last read: console errors, uncaught
    /// exceptions, failed loads.
    pub(crate) fn errors(&self) -> Result<Vec<String>, String> {
        Ok(self
            .browser_log()?
            .iter()
            .filter(|e| at(e, "level").as_str() == Some("SEVERE"))
            .map(|e| {
                let what = match at(e, "source").as_str() {
                    Some("javascript") => "uncaught exception",
                    Some("console-api") => "console error",
                    Some("network") => "failed load",
                    _ => "browser error",
                };
                // Paths in the workspace's terms (`reports/…`), not this machine's.
                let message = str_of(at(e, "message")).replace(&self.root_url, "");
                format!("{what}: {message}")
            })
            .collect())
    }

    pub(crate) fn find_all(&self, css: &str) -> Result<Vec<Element>, String> {
        self.call(&format!("finding {css}"), |s| s.find_all(css))
    }

    /// Sets the window to `width` × [`WINDOW_HEIGHT`] and checks the page gets `width`.
    fn resize(&mut self, width: u32) -> Result<(), String> {
        if self.width != width {
            self.call(&format!("resizing the window to {width} px"), |s| {
                s.set_window_size(width, WINDOW_HEIGHT)
            })?;
            self.width = width;
        }
        Ok(())
    }

    /// Opens a file (the log emptied first, the load waited for), then waits for
    /// the page script's ready signal, if the page has a script.
    pub(crate) fn open(&mut self, path: &Path, width: u32) -> Result<Ready, String> {
        self.resize(width)?;
        self.browser_log()?;
        let url = file_url(path)?;
        self.call(&format!("loading {url}"), |s| s.navigate(&url))?;
        let inner = self.js(
            "reading the window width",
            "return window.innerWidth",
            vec![],
        )?;
        if inner.as_u64() != Some(u64::from(width)) {
            return Err(format!(
                "the window was set to {width} px but the page has {inner} px"
            ));
        }
        self.wait_ready()
    }

    /// Waits for `data-ready="1"`, for [`READY`] on a page's first load; a page that
    /// never said it is ready gets half a second on its later loads.
    pub(crate) fn wait_ready(&mut self) -> Result<Ready, String> {
        let page = self.js(
            "counting scripts",
            "return [location.pathname, document.scripts.length]",
            vec![],
        )?;
        if item(&page, 1).as_u64() == Some(0) {
            return Ok(Ready::NoScript);
        }
        let path = str_of(item(&page, 0));
        let bound = if self.unready.contains(&path) {
            Duration::from_millis(500)
        } else {
            READY
        };
        let ready = poll(bound, || {
            let v = self.js(
                "reading data-ready",
                "return document.documentElement.dataset.ready === '1'",
                vec![],
            )?;
            Ok((v == Value::Bool(true)).then_some(()))
        })?;
        if ready.is_some() {
            Ok(Ready::Yes)
        } else {
            self.unready.insert(path);
            Ok(Ready::Never)
        }
    }

    /// Two animation frames: whatever the load scheduled has been laid out.
    pub(crate) fn settle(&self) -> Result<(), String> {
        self.js_async(
            "waiting two frames",
            "const done = arguments[arguments.length - 1];\
             requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
            vec![],
        )
        .map(drop)
    }
}

/// The canonical `file://` URL of `path`, as the `url` crate and Chromium write it:
/// each component percent-encoded with WHATWG URL's path-segment set (and `\`).
pub(crate) fn file_url(path: &Path) -> Result<String, String> {
    use std::os::unix::ffi::OsStrExt as _;
    let path = path
        .canonicalize()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let mut url = "file://".to_owned();
    for component in path.components().skip(1) {
        url.push('/');
        encode_into(
            &mut url,
            component.as_os_str().as_bytes(),
            b" \"#<>`?{}/%\\",
        );
    }
    if url.len() == "file://".len() {
        url.push('/');
    }
    Ok(url)
}

/// `url` with `#fragment`, encoded with WHATWG URL's fragment set.
pub(crate) fn with_fragment(url: &str, fragment: &str) -> String {
    let mut out = format!("{url}#");
    encode_into(&mut out, fragment.as_bytes(), b" \"<>`");
    out
}

/// Appends `bytes`, percent-encoding controls, non-ASCII bytes and those in `set`.
fn encode_into(out: &mut String, bytes: &[u8], set: &[u8]) {
    for &b in bytes {
        if b.is_ascii_graphic() && !set.contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}
