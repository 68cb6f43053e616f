//! The rig survives misbehaving HTTP adapters: servers started here on 127.0.0.1
//! (ephemeral ports) that hang, answer 500, redirect, stream an endless body.
//! Each case ends in its own status and later cases still run.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use c169_adapter::protocol::{DecodeRequest, ErrorKind};
use c169_adapter::serve::{handle, response_bytes, serve_http};
use c169_adapter::{AdapterError, Http, HttpSettings, Implementation, Reference};
use c169_model::Outcome;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

fn quick() -> HttpSettings {
    HttpSettings {
        timeout: Duration::from_millis(1500),
        connect_timeout: Duration::from_secs(1),
        max_response: 1024 * 1024,
        max_retries: 3,
        transcript: None,
    }
}

fn case() -> DecodeRequest {
    DecodeRequest::new("THIS!IS@NOT#VALID")
}

fn status(r: &Result<Outcome, AdapterError>) -> &'static str {
    match r {
        Ok(_) => "ok",
        Err(e) => e.code(),
    }
}

/// What a raw test server does with one request.
#[derive(Debug, Clone, Copy)]
enum Act {
    /// Answer as the reference would.
    Answer,
    /// Read the request, then never answer.
    Hang,
    /// 500 with a plain-text body.
    Status500,
    /// 500 with a protocol error reply as body.
    Status500WithErrorReply,
    /// 307 to `elsewhere`.
    Redirect,
    /// 200 and a body that never ends.
    Endless,
    /// 200 with a Content-Length above any cap.
    HugeLength,
    /// 200 with a body that is not JSON.
    Garbage,
    /// 200 with a declared length, then the body one byte every 100 ms.
    Drip,
}

struct Server {
    base: String,
    hits: Arc<AtomicUsize>,
}

/// Reads one HTTP/1.1 request (head and Content-Length body); `None` at end of stream.
async fn read_request(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut chunk = [0_u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + len {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Some(buf[head_end..head_end + len].to_vec())
}

/// A raw HTTP server on an ephemeral loopback port doing `plan[n]` with request n
/// (the last act repeats); every answer closes its connection.
async fn raw_server(plan: Vec<Act>, elsewhere: Option<String>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&hits);
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            let n = counter.fetch_add(1, Ordering::SeqCst);
            let act = plan[n.min(plan.len() - 1)];
            let elsewhere = elsewhere.clone();
            tokio::spawn(async move {
                let Some(body) = read_request(&mut stream).await else {
                    return;
                };
                let reply = |status: &str, body: &[u8]| {
                    let mut r = format!(
                        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                        body.len()
                    )
                    .into_bytes();
                    r.extend_from_slice(body);
                    r
                };
                let bytes = match act {
                    Act::Answer => reply("200 OK", &response_bytes(&handle(&Reference, &body).await)),
                    Act::Hang => {
                        tokio::time::sleep(Duration::from_secs(30)).await;
                        return;
                    }
                    Act::Status500 => reply("500 Internal Server Error", b"the server fell over"),
                    Act::Status500WithErrorReply => reply(
                        "500 Internal Server Error",
                        br#"{"id": 1, "error": {"kind": "internal", "message": "null pointer"}}"#,
                    ),
                    Act::Redirect => format!(
                        "HTTP/1.1 307 Temporary Redirect\r\nlocation: {}/v1/decode\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                        elsewhere.unwrap_or_default()
                    )
                    .into_bytes(),
                    Act::Endless => {
                        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{\"id\": 1, \"verdict\": \"accept\", \"message\": \"";
                        if stream.write_all(head.as_bytes()).await.is_err() {
                            return;
                        }
                        let chunk = vec![b'x'; 64 * 1024];
                        // Until the client hangs up (bounded all the same: 1 GiB).
                        for _ in 0..16 * 1024 {
                            if stream.write_all(&chunk).await.is_err() {
                                return;
                            }
                        }
                        return;
                    }
                    Act::HugeLength => b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000000000\r\nconnection: close\r\n\r\n{".to_vec(),
                    Act::Garbage => reply("200 OK", b"<html>not json</html>"),
                    Act::Drip => {
                        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\nconnection: close\r\n\r\n";
                        if stream.write_all(head.as_bytes()).await.is_err() {
                            return;
                        }
                        // Until the client hangs up (bounded all the same: 100 s).
                        for _ in 0..1000 {
                            tokio::time::sleep(Duration::from_millis(100)).await;
                            if stream.write_all(b" ").await.is_err() {
                                return;
                            }
                        }
                        return;
                    }
                };
                let _ = stream.write_all(&bytes).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    Server { base, hits }
}

async fn run(imp: &dyn Implementation, n: usize) -> Vec<Result<Outcome, AdapterError>> {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(imp.decode(&case()).await);
    }
    out
}

#[tokio::test]
async fn a_hanging_server_times_out_per_case() {
    let server = raw_server(vec![Act::Answer, Act::Hang, Act::Answer], None).await;
    let imp = Http::new(&server.base, quick()).unwrap();
    let results = run(&imp, 3).await;
    assert_eq!(
        results.iter().map(status).collect::<Vec<_>>(),
        ["ok", "timeout", "ok"]
    );
}

#[tokio::test]
async fn a_500_is_an_adapter_error_and_an_error_reply_in_it_is_read() {
    let server = raw_server(
        vec![Act::Status500, Act::Status500WithErrorReply, Act::Answer],
        None,
    )
    .await;
    let imp = Http::new(&server.base, quick()).unwrap();
    let results = run(&imp, 3).await;
    assert_eq!(
        results.iter().map(status).collect::<Vec<_>>(),
        ["http", "internal", "ok"]
    );
    match &results[0] {
        Err(AdapterError::Http { status, excerpt }) => {
            assert_eq!(*status, 500);
            assert_eq!(excerpt.as_deref(), Some("the server fell over"));
        }
        other => panic!("{other:?}"),
    }
    match &results[1] {
        Err(AdapterError::Adapter { kind, message, .. }) => {
            assert_eq!(*kind, ErrorKind::Internal);
            assert_eq!(message, "null pointer");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    let elsewhere = raw_server(vec![Act::Answer], None).await;
    let server = raw_server(
        vec![Act::Redirect, Act::Answer],
        Some(elsewhere.base.clone()),
    )
    .await;
    let imp = Http::new(&server.base, quick()).unwrap();
    let results = run(&imp, 2).await;
    assert_eq!(
        results.iter().map(status).collect::<Vec<_>>(),
        ["redirect", "ok"]
    );
    match &results[0] {
        Err(AdapterError::Redirect { status, location }) => {
            assert_eq!(*status, 307);
            assert_eq!(
                location.as_deref(),
                Some(format!("{}/v1/decode", elsewhere.base).as_str())
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        elsewhere.hits.load(Ordering::SeqCst),
        0,
        "the redirect was followed"
    );
}

#[tokio::test]
async fn an_endless_body_is_cut_at_the_cap() {
    let server = raw_server(
        vec![Act::Endless, Act::HugeLength, Act::Garbage, Act::Answer],
        None,
    )
    .await;
    let imp = Http::new(&server.base, quick()).unwrap();
    let results = run(&imp, 4).await;
    assert_eq!(
        results.iter().map(status).collect::<Vec<_>>(),
        ["response_too_large", "response_too_large", "protocol", "ok"]
    );
    match &results[0] {
        Err(AdapterError::ResponseTooLarge { limit, .. }) => assert_eq!(*limit, 1024 * 1024),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn nobody_listening_is_a_connect_error() {
    // Bind and drop: the port is (almost certainly) closed afterwards.
    let port = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let imp = Http::new(format!("http://127.0.0.1:{port}"), quick()).unwrap();
    let results = run(&imp, 2).await;
    assert_eq!(
        results.iter().map(status).collect::<Vec<_>>(),
        ["connect", "connect"]
    );
}

#[tokio::test]
async fn the_serving_side_answers_over_http() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve_http(listener, Arc::new(Reference), async {
        let _ = stopped.await;
    }));
    let imp = Http::new(&base, quick()).unwrap();
    let d = imp.describe().await.unwrap();
    assert_eq!(d.name, "c169-reference");
    let results = run(&imp, 3).await;
    let expected = Reference.decode(&case()).await.unwrap();
    for r in results {
        assert_eq!(r.unwrap(), expected);
    }
    // Wrong method, unknown op, mismatched op, and a body that is not JSON.
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let get = client
        .get(format!("{base}/v1/decode"))
        .send()
        .await
        .unwrap();
    assert_eq!(get.status().as_u16(), 405);
    let unknown = client
        .post(format!("{base}/v1/dance"))
        .body(r#"{"id": 1}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status().as_u16(), 404);
    let body: serde_json::Value = serde_json::from_slice(&unknown.bytes().await.unwrap()).unwrap();
    assert_eq!(body["error"]["kind"], "unsupported");
    let mismatch = client
        .post(format!("{base}/v1/decode"))
        .body(r#"{"id": 2, "op": "describe"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(mismatch.status().as_u16(), 400);
    let not_json = client
        .post(format!("{base}/v1/decode"))
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status().as_u16(), 400);
    let body: serde_json::Value = serde_json::from_slice(&not_json.bytes().await.unwrap()).unwrap();
    assert_eq!(body["id"], serde_json::Value::Null);
    assert_eq!(body["error"]["kind"], "bad_request");
    // The op may be left to the path.
    let pathed = client
        .post(format!("{base}/v1/describe"))
        .body(r#"{"id": 3}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(pathed.status().as_u16(), 200);
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

/// `quick()` with a shorter timeout (for the tests that wait for several) and two
/// retries.
fn quicker() -> HttpSettings {
    HttpSettings {
        timeout: Duration::from_millis(300),
        max_retries: 2,
        ..quick()
    }
}

#[tokio::test]
async fn a_hung_server_is_given_up_and_later_cases_are_not_run() {
    let server = raw_server(vec![Act::Hang], None).await;
    let imp = Http::new(&server.base, quicker()).unwrap();
    let mut results = Vec::new();
    let mut took = Vec::new();
    for _ in 0..6 {
        let start = std::time::Instant::now();
        results.push(imp.decode(&case()).await);
        took.push(start.elapsed());
    }
    // max_retries 2: the first failure and two more, then broken, as for a subprocess.
    assert_eq!(
        results.iter().map(status).collect::<Vec<_>>(),
        ["timeout", "timeout", "timeout", "broken", "broken", "broken"]
    );
    assert!(imp.is_broken());
    assert_eq!(
        server.hits.load(Ordering::SeqCst),
        3,
        "requests made once broken"
    );
    for (r, took) in results[3..].iter().zip(&took[3..]) {
        let e = r.as_ref().unwrap_err();
        assert!(e.is_not_run());
        assert!(
            e.reason()
                .starts_with("not run: adapter broken (no reply within"),
            "{}",
            e.reason()
        );
        assert!(
            matches!(e, AdapterError::Broken { restarts: 2, .. }),
            "{e:?}"
        );
        assert!(
            *took < Duration::from_millis(50),
            "a broken case took {took:?}"
        );
    }
    // Describe too is not made any more.
    assert_eq!(imp.describe().await.unwrap_err().code(), "broken");
}

#[tokio::test]
async fn nobody_listening_is_given_up_too() {
    let port = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let imp = Http::new(format!("http://127.0.0.1:{port}"), quicker()).unwrap();
    let results = run(&imp, 5).await;
    assert_eq!(
        results.iter().map(status).collect::<Vec<_>>(),
        ["connect", "connect", "connect", "broken", "broken"]
    );
}

#[tokio::test]
async fn answers_in_between_reset_the_count_and_error_replies_are_answers() {
    // Two failures, an error reply (an answer: it resets the count), two failures
    // of other kinds, a good answer, then three error replies in a row.
    let server = raw_server(
        vec![
            Act::Hang,
            Act::Garbage,
            Act::Status500WithErrorReply,
            Act::Status500,
            Act::HugeLength,
            Act::Answer,
            Act::Status500WithErrorReply,
        ],
        None,
    )
    .await;
    let imp = Http::new(&server.base, quicker()).unwrap();
    let results = run(&imp, 9).await;
    assert_eq!(
        results.iter().map(status).collect::<Vec<_>>(),
        [
            "timeout",
            "protocol",
            "internal",
            "http",
            "response_too_large",
            "ok",
            "internal",
            "internal",
            "internal"
        ]
    );
    assert!(!imp.is_broken());
}

#[tokio::test]
async fn replies_that_are_not_protocol_responses_count_as_failures() {
    let server = raw_server(vec![Act::Garbage, Act::Status500], None).await;
    let imp = Http::new(&server.base, quicker()).unwrap();
    let results = run(&imp, 4).await;
    assert_eq!(
        results.iter().map(status).collect::<Vec<_>>(),
        ["protocol", "http", "http", "broken"]
    );
}

#[tokio::test]
async fn a_drip_fed_reply_is_cut_at_the_timeout() {
    let server = raw_server(vec![Act::Drip], None).await;
    let imp = Http::new(&server.base, quicker()).unwrap();
    let start = std::time::Instant::now();
    let result = imp.decode(&case()).await;
    let took = start.elapsed();
    assert_eq!(status(&result), "timeout");
    assert!(
        took >= Duration::from_millis(290) && took < Duration::from_secs(1),
        "a body that never ends was read for {took:?} under a 300 ms timeout"
    );
}
