//! HTTP on both sides of the rig: `c169 serve` closes what stalls and answers what
//! it refuses with error responses, and `c169 run` against an HTTP adapter that
//! hangs gives it up and ends with exit 3 in seconds. Loopback only.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)] // tests

use serde_json::Value as Json;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod common;

use common::{c169, repo, text};

/// `c169 serve` on an ephemeral loopback port, stopped when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_c169"))
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(extra)
            .current_dir(repo())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stderr.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        // "c169: serving reference on http://127.0.0.1:PORT/v1/{…}; Ctrl-C stops"
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_owned();
        Server { child, addr }
    }

    fn connect(&self, bytes: &[u8]) -> TcpStream {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        stream.write_all(bytes).unwrap();
        stream
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the server sends until it closes the connection (`None`: still open after
/// `within`), and when it closed.
fn until_closed(stream: &mut TcpStream, within: Duration) -> Option<(Vec<u8>, Duration)> {
    let start = Instant::now();
    stream.set_read_timeout(Some(within)).unwrap();
    let mut bytes = Vec::new();
    match stream.read_to_end(&mut bytes) {
        Ok(_) => Some((bytes, start.elapsed())),
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => Some((bytes, start.elapsed())),
        Err(_) => None,
    }
}

/// The status, content type and JSON body of the response in `bytes`.
fn response(bytes: &[u8]) -> (u16, String, Json) {
    let text = String::from_utf8_lossy(bytes);
    let (head, body) = text.split_once("\r\n\r\n").expect("a response head");
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let content_type = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-type:")
                .map(|v| v.trim().to_owned())
        })
        .unwrap_or_default();
    (
        status,
        content_type,
        serde_json::from_str(body).unwrap_or(Json::Null),
    )
}

#[test]
fn serve_closes_a_silent_connection_after_its_header_timeout() {
    let server = Server::start(&["--header-timeout", "0.3"]);
    let mut silent = server.connect(b"");
    let (bytes, after) = until_closed(&mut silent, Duration::from_secs(5)).expect("closed");
    assert!(bytes.is_empty());
    assert!(
        after >= Duration::from_millis(250) && after < Duration::from_secs(2),
        "closed after {after:?}"
    );
}

#[test]
fn serve_answers_a_half_sent_body_408_and_closes() {
    let server = Server::start(&["--body-timeout", "0.3"]);
    let mut half = server
        .connect(b"POST /v1/decode HTTP/1.1\r\nhost: x\r\ncontent-length: 50\r\n\r\n{\"id\": 1");
    let (bytes, after) = until_closed(&mut half, Duration::from_secs(5)).expect("closed");
    assert!(after < Duration::from_secs(2), "closed after {after:?}");
    let (status, content_type, body) = response(&bytes);
    assert_eq!((status, content_type.as_str()), (408, "application/json"));
    assert_eq!(body["error"]["kind"], "bad_request");
}

#[test]
fn serve_answers_an_oversized_body_413_with_an_error_response() {
    let server = Server::start(&[]);
    let size = 16 * 1024 * 1024 + 1;
    let mut big = server.connect(
        format!("POST /v1/decode HTTP/1.1\r\nhost: x\r\ncontent-length: {size}\r\n\r\n").as_bytes(),
    );
    big.write_all(&vec![b' '; size]).unwrap();
    let (bytes, _) = until_closed(&mut big, Duration::from_secs(10)).expect("closed");
    let (status, content_type, body) = response(&bytes);
    assert_eq!((status, content_type.as_str()), (413, "application/json"));
    assert_eq!(body["id"], Json::Null);
    assert_eq!(body["error"]["kind"], "bad_request");
}

#[test]
fn serve_documents_its_bounds() {
    let out = c169(&["serve", "--help"]);
    let help = text(&out);
    for flag in [
        "--header-timeout",
        "--body-timeout",
        "--max-busy",
        "--max-connections",
    ] {
        assert!(help.contains(flag), "{flag} missing from:\n{help}");
    }
    let out = c169(&["serve", "--header-timeout", "0"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

/// Reads one request (head and Content-Length body): its path and body.
fn read_request(stream: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0_u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk).ok().filter(|n| *n > 0)?;
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let path = head.split(' ').nth(1)?.to_owned();
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + len {
        let n = stream.read(&mut chunk).ok().filter(|n| *n > 0)?;
        buf.extend_from_slice(&chunk[..n]);
    }
    Some((path, buf[head_end..head_end + len].to_vec()))
}

/// Answers describe as the reference would, then hangs: the request is read and
/// never answered, the connection kept open.
fn describe_then_hang(mut stream: TcpStream) {
    use c169_adapter::protocol::{Reply, Response};
    while let Some((path, body)) = read_request(&mut stream) {
        if !path.ends_with("/describe") {
            // No answer: only wait for the client to hang up.
            let _ = stream.read_to_end(&mut Vec::new());
            return;
        }
        let id = serde_json::from_slice::<Json>(&body)
            .ok()
            .and_then(|j| j["id"].as_u64());
        let reply = c169_adapter::serve::response_bytes(&Response {
            id,
            reply: Reply::Describe(c169_adapter::Reference::description()),
        });
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            reply.len()
        );
        if stream.write_all(head.as_bytes()).is_err() || stream.write_all(&reply).is_err() {
            return;
        }
    }
}

/// An HTTP adapter on an ephemeral loopback port that answers describe and hangs
/// on every other request, for as long as the test runs.
fn hung_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || describe_then_hang(stream));
        }
    });
    format!("http://{addr}")
}

#[test]
fn a_run_against_a_hung_http_adapter_gives_it_up_with_exit_3() {
    let url = hung_server();
    let dir = common::scratch("http", "hung");
    let start = Instant::now();
    // One request in flight: the count of timeouts before the cut-off is exact.
    let out = c169(&[
        "run",
        "--jobs",
        "1",
        "--adapter-url",
        &url,
        "--timeout",
        "1",
        "--report-dir",
        dir.to_str().unwrap(),
    ]);
    let took = start.elapsed();
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    // Four cases time out (1 s each) and the fourth gives it up; every later case
    // is not run. Without the cut-off: a second per case, some 20 minutes.
    assert!(took < Duration::from_secs(30), "the run took {took:?}");
    let results: Json =
        c169_model::deep::from_slice(&std::fs::read(dir.join("results.json")).unwrap()).unwrap();
    let rig_failure = results["run"]["rig_failure"].as_str().unwrap_or_default();
    assert!(
        rig_failure.starts_with("not run: adapter broken (no reply within 1s)"),
        "{rig_failure:?}"
    );
    let not_run = results["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            c["reason"]
                .as_str()
                .is_some_and(|r| r.starts_with("not run: adapter broken"))
        })
        .count();
    assert!(not_run > 1000, "{not_run} cases not run");
    let timeouts = results["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["reason"] == "no reply within 1s")
        .count();
    assert_eq!(timeouts, 4);
    let _ = std::fs::remove_dir_all(&dir);
}
