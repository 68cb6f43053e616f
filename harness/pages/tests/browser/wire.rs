//! A WebDriver client of the few commands the browser test sends to chromedriver
//! on 127.0.0.1: W3C WebDriver (JSON over HTTP/1.1, one connection a command,
//! `Connection: close`) and chromedriver's own DevTools passthrough and browser
//! log. Every answer is bounded in size ([`MAX_HEAD`], [`MAX_BODY`]) and every
//! command in time, connect to last byte. Not a general client: no TLS, no
//! redirects, no chunked answers (chromedriver sends a `Content-Length`), no
//! other command.

use serde_json::{json, Value};
use std::fmt::{self, Write as _};
use std::io::{ErrorKind, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// Largest status line and headers of an answer.
const MAX_HEAD: usize = 64 * 1024;
/// Largest body of an answer: a full-page screenshot, in base64, is the largest.
const MAX_BODY: usize = 64 * 1024 * 1024;
/// What names an element in WebDriver's JSON (W3C WebDriver, "web element identifier").
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// WebDriver's Backspace key, as a character of the text sent to an element
/// (W3C WebDriver, "keyboard actions": U+E003).
pub(crate) const BACKSPACE: char = '\u{E003}';

/// A failure to get an answer from chromedriver, or its answer being an error.
#[derive(Debug)]
pub(crate) enum WireError {
    /// No connection to chromedriver.
    Connect {
        addr: SocketAddr,
        source: std::io::Error,
    },
    /// The connection failed while sending or reading.
    Io { source: std::io::Error },
    /// No complete answer within the command's bound.
    TimedOut { bound: Duration },
    /// The answer's head or body is larger than its limit.
    TooLarge { part: &'static str, limit: usize },
    /// The answer is not the HTTP/1.1 this client reads.
    Http { problem: &'static str },
    /// The body is not JSON.
    Json { source: serde_json::Error },
    /// A WebDriver error: `{"value": {"error", "message"}}` with an HTTP error status.
    WebDriver {
        status: u16,
        /// The W3C error code (`no such element`, `javascript error`, …).
        error: String,
        message: String,
    },
    /// A well-formed answer of the wrong shape for the command.
    Unexpected {
        expected: &'static str,
        value: Value,
    },
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Connect { addr, source } => {
                write!(f, "no connection to chromedriver at {addr}: {source}")
            }
            Self::Io { source } => write!(f, "the connection to chromedriver failed: {source}"),
            Self::TimedOut { bound } => {
                write!(f, "no answer from chromedriver in {} s", bound.as_secs())
            }
            Self::TooLarge { part, limit } => {
                write!(f, "chromedriver's answer has a {part} over {limit} bytes")
            }
            Self::Http { problem } => write!(f, "chromedriver's answer: {problem}"),
            Self::Json { source } => write!(f, "chromedriver's answer is not JSON: {source}"),
            Self::WebDriver {
                status,
                error,
                message,
            } => write!(f, "{error} (HTTP {status}): {message}"),
            Self::Unexpected { expected, value } => {
                let mut shown = value.to_string();
                if let Some((cut, _)) = shown.char_indices().nth(200) {
                    shown.truncate(cut);
                    shown.push('…');
                }
                write!(f, "chromedriver answered {shown}, expected {expected}")
            }
        }
    }
}

impl std::error::Error for WireError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Connect { source, .. } | Self::Io { source } => Some(source),
            Self::Json { source } => Some(source),
            _ => None,
        }
    }
}

/// An element of the current page, as WebDriver names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Element(String);

impl Element {
    fn from_json(v: &Value) -> Result<Self, WireError> {
        v.get(ELEMENT_KEY)
            .and_then(Value::as_str)
            .map(|id| Self(id.to_owned()))
            .ok_or_else(|| WireError::Unexpected {
                expected: "an element reference",
                value: v.clone(),
            })
    }
}

/// The WebDriver timeouts of a session (W3C WebDriver, "timeouts").
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timeouts {
    pub(crate) script: Duration,
    pub(crate) page_load: Duration,
    pub(crate) implicit: Duration,
}

/// One WebDriver session on chromedriver.
#[derive(Debug)]
pub(crate) struct Session {
    addr: SocketAddr,
    id: String,
    /// Any one command, connect to last byte.
    bound: Duration,
}

#[derive(Debug, Clone, Copy)]
enum Method {
    Get,
    Post,
    Delete,
}

impl Method {
    fn name(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Delete => "DELETE",
        }
    }
}

impl Session {
    /// A new session with `capabilities` required (`alwaysMatch`), created within
    /// `create`; each later command is bounded by `bound`.
    pub(crate) fn new(
        addr: SocketAddr,
        capabilities: Value,
        create: Duration,
        bound: Duration,
    ) -> Result<Self, WireError> {
        let required = object([("alwaysMatch", capabilities), ("firstMatch", json!([{}]))]);
        let body = object([("capabilities", required)]);
        let value = send(addr, Method::Post, "/session", Some(&body), create)?;
        let id = value
            .get("sessionId")
            .and_then(Value::as_str)
            .filter(|_| value.get("capabilities").is_some_and(Value::is_object))
            .ok_or_else(|| WireError::Unexpected {
                expected: "a session id and its capabilities",
                value: value.clone(),
            })?;
        Ok(Self {
            addr,
            id: id.to_owned(),
            bound,
        })
    }

    fn command(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, WireError> {
        let path = format!("/session/{}{path}", segment(&self.id));
        send(self.addr, method, &path, body, self.bound)
    }

    pub(crate) fn set_timeouts(&self, t: Timeouts) -> Result<(), WireError> {
        let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        let body = json!({
            "script": ms(t.script),
            "pageLoad": ms(t.page_load),
            "implicit": ms(t.implicit),
        });
        self.command(Method::Post, "/timeouts", Some(&body))
            .map(drop)
    }

    /// Loads `url` and waits for it as the page-load strategy says.
    pub(crate) fn navigate(&self, url: &str) -> Result<(), WireError> {
        self.command(Method::Post, "/url", Some(&json!({ "url": url })))
            .map(drop)
    }

    /// Runs `script` as a function body with `args` as `arguments`: its return value.
    pub(crate) fn execute(&self, script: &str, args: Vec<Value>) -> Result<Value, WireError> {
        let body = object([("script", script.into()), ("args", Value::Array(args))]);
        self.command(Method::Post, "/execute/sync", Some(&body))
    }

    /// Runs `script` with a callback as its last argument: the value it is called with.
    pub(crate) fn execute_async(&self, script: &str, args: Vec<Value>) -> Result<Value, WireError> {
        let body = object([("script", script.into()), ("args", Value::Array(args))]);
        self.command(Method::Post, "/execute/async", Some(&body))
    }

    /// The viewport as a PNG.
    pub(crate) fn screenshot(&self) -> Result<Vec<u8>, WireError> {
        use base64::Engine as _;
        let value = self.command(Method::Get, "/screenshot", None)?;
        value
            .as_str()
            .and_then(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok())
            .ok_or(WireError::Unexpected {
                expected: "a PNG in base64",
                value,
            })
    }

    /// Sets the outer size of the window, leaving its position.
    pub(crate) fn set_window_size(&self, width: u32, height: u32) -> Result<(), WireError> {
        let body = json!({ "width": width, "height": height });
        self.command(Method::Post, "/window/rect", Some(&body))
            .map(drop)
    }

    /// Every element `css` selects, in document order.
    pub(crate) fn find_all(&self, css: &str) -> Result<Vec<Element>, WireError> {
        let body = json!({ "using": "css selector", "value": css });
        match self.command(Method::Post, "/elements", Some(&body))? {
            Value::Array(found) => found.iter().map(Element::from_json).collect(),
            value => Err(WireError::Unexpected {
                expected: "a list of elements",
                value,
            }),
        }
    }

    /// The first element `css` selects inside `parent` (`no such element` if none).
    pub(crate) fn find_in(&self, parent: &Element, css: &str) -> Result<Element, WireError> {
        let body = json!({ "using": "css selector", "value": css });
        let path = format!("/element/{}/element", segment(&parent.0));
        Element::from_json(&self.command(Method::Post, &path, Some(&body))?)
    }

    /// An attribute of `element` (`None` without it).
    pub(crate) fn attribute(
        &self,
        element: &Element,
        name: &str,
    ) -> Result<Option<String>, WireError> {
        let path = format!(
            "/element/{}/attribute/{}",
            segment(&element.0),
            segment(name)
        );
        match self.command(Method::Get, &path, None)? {
            Value::String(v) => Ok(Some(v)),
            Value::Null => Ok(None),
            value => Err(WireError::Unexpected {
                expected: "a string or null",
                value,
            }),
        }
    }

    /// Scrolls `element` into view and clicks its centre.
    pub(crate) fn click(&self, element: &Element) -> Result<(), WireError> {
        let path = format!("/element/{}/click", segment(&element.0));
        self.command(Method::Post, &path, Some(&json!({})))
            .map(drop)
    }

    /// Focuses `element` and types `text` (with [`BACKSPACE`] and the like as keys).
    pub(crate) fn send_keys(&self, element: &Element, text: &str) -> Result<(), WireError> {
        let path = format!("/element/{}/value", segment(&element.0));
        self.command(Method::Post, &path, Some(&json!({ "text": text })))
            .map(drop)
    }

    /// A Chrome DevTools Protocol command, through chromedriver (`goog/cdp/execute`).
    pub(crate) fn cdp(&self, cmd: &str, params: Value) -> Result<Value, WireError> {
        let body = object([("cmd", cmd.into()), ("params", params)]);
        self.command(Method::Post, "/goog/cdp/execute", Some(&body))
    }

    /// The browser's log entries since the last read (chromedriver's `se/log`).
    pub(crate) fn browser_log(&self) -> Result<Vec<Value>, WireError> {
        let body = json!({ "type": "browser" });
        match self.command(Method::Post, "/se/log", Some(&body))? {
            Value::Array(entries) => Ok(entries),
            value => Err(WireError::Unexpected {
                expected: "a list of log entries",
                value,
            }),
        }
    }

    /// Ends the session (and chromedriver closes the browser), within `bound`.
    pub(crate) fn end(&self, bound: Duration) -> Result<(), WireError> {
        let path = format!("/session/{}", segment(&self.id));
        send(self.addr, Method::Delete, &path, None, bound).map(drop)
    }
}

/// A JSON object of `members`, taking their values (where `json!` would copy them).
fn object<const N: usize>(members: [(&str, Value); N]) -> Value {
    Value::Object(
        members
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

/// `text` as one path segment: unreserved characters kept, the rest percent-encoded.
fn segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// One request and its answer's `value`, or the WebDriver error it carries.
fn send(
    addr: SocketAddr,
    method: Method,
    path: &str,
    body: Option<&Value>,
    bound: Duration,
) -> Result<Value, WireError> {
    let deadline = Instant::now() + bound;
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut request = format!(
        "{} {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: application/json\r\nConnection: close\r\n",
        method.name()
    );
    if !matches!(method, Method::Get) {
        request.push_str("Content-Type: application/json; charset=utf-8\r\n");
        let _ = write!(request, "Content-Length: {}\r\n", body.len());
    }
    request.push_str("\r\n");
    request.push_str(&body);
    let (status, answer) = exchange(addr, request.as_bytes(), deadline, bound)?;
    let json: Value =
        serde_json::from_slice(&answer).map_err(|source| WireError::Json { source })?;
    let Value::Object(mut map) = json else {
        return Err(WireError::Unexpected {
            expected: "an object with a value",
            value: json,
        });
    };
    let value = map.remove("value").unwrap_or(Value::Null);
    if (200..300).contains(&status) {
        return Ok(value);
    }
    let text = |k: &str| value.get(k).and_then(Value::as_str).map(str::to_owned);
    match (text("error"), text("message")) {
        (Some(error), message) => Err(WireError::WebDriver {
            status,
            error,
            message: message.unwrap_or_default(),
        }),
        (None, _) => Err(WireError::Unexpected {
            expected: "a WebDriver error with its HTTP error status",
            value,
        }),
    }
}

/// Sends `request` and reads the answer's status and body, by `deadline`.
fn exchange(
    addr: SocketAddr,
    request: &[u8],
    deadline: Instant,
    bound: Duration,
) -> Result<(u16, Vec<u8>), WireError> {
    let left = || {
        deadline
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
            .ok_or(WireError::TimedOut { bound })
    };
    let io = |source: std::io::Error| match source.kind() {
        ErrorKind::WouldBlock | ErrorKind::TimedOut => WireError::TimedOut { bound },
        _ => WireError::Io { source },
    };
    let mut stream = TcpStream::connect_timeout(&addr, left()?).map_err(|source| {
        if source.kind() == ErrorKind::TimedOut {
            WireError::TimedOut { bound }
        } else {
            WireError::Connect { addr, source }
        }
    })?;
    stream.set_write_timeout(Some(left()?)).map_err(io)?;
    stream.write_all(request).map_err(io)?;
    let mut buf = Vec::new();
    let mut chunk = vec![0_u8; 64 * 1024];
    // Reads once more into `buf`, the time left as the socket's timeout: 0 at the end.
    let mut more = |buf: &mut Vec<u8>| -> Result<usize, WireError> {
        loop {
            stream.set_read_timeout(Some(left()?)).map_err(io)?;
            match stream.read(&mut chunk) {
                Ok(n) => {
                    buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
                    return Ok(n);
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(io(e)),
            }
        }
    };
    let head_len = loop {
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        if buf.len() > MAX_HEAD {
            return Err(WireError::TooLarge {
                part: "head",
                limit: MAX_HEAD,
            });
        }
        if more(&mut buf)? == 0 {
            return Err(WireError::Http {
                problem: "the connection closed within the head",
            });
        }
    };
    let mut body = buf.split_off(head_len);
    let head = Head::parse(&buf)?;
    let limit = head.length.unwrap_or(MAX_BODY);
    if limit > MAX_BODY {
        return Err(WireError::TooLarge {
            part: "body",
            limit: MAX_BODY,
        });
    }
    while body.len() < limit {
        if more(&mut body)? == 0 {
            if head.length.is_some() {
                return Err(WireError::Http {
                    problem: "the connection closed before the Content-Length was read",
                });
            }
            return Ok((head.status, body));
        }
    }
    if head.length.is_none() {
        return Err(WireError::TooLarge {
            part: "body",
            limit: MAX_BODY,
        });
    }
    body.truncate(limit);
    Ok((head.status, body))
}

/// What the client reads of an answer's head.
struct Head {
    status: u16,
    /// `Content-Length`; without it the body runs to the connection's end.
    length: Option<usize>,
}

impl Head {
    fn parse(head: &[u8]) -> Result<Self, WireError> {
        let head = std::str::from_utf8(head).map_err(|_| WireError::Http {
            problem: "the head is not UTF-8",
        })?;
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .and_then(|l| {
                l.strip_prefix("HTTP/1.1 ")
                    .or_else(|| l.strip_prefix("HTTP/1.0 "))
            })
            .and_then(|l| l.get(..3))
            .and_then(|code| code.parse().ok())
            .ok_or(WireError::Http {
                problem: "no HTTP/1.x status line",
            })?;
        let mut length = None;
        for line in lines {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            let (name, value) = (name.trim(), value.trim());
            if name.eq_ignore_ascii_case("content-length") {
                length = Some(value.parse().map_err(|_| WireError::Http {
                    problem: "a Content-Length that is not a number",
                })?);
            } else if name.eq_ignore_ascii_case("transfer-encoding")
                && !value.eq_ignore_ascii_case("identity")
            {
                return Err(WireError::Http {
                    problem: "a Transfer-Encoding, which this client does not read",
                });
            }
        }
        Ok(Self { status, length })
    }
}
