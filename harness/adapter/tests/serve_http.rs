//! The HTTP server bounds what it reads and keeps slow work off its event loop:
//! servers started here on 127.0.0.1 (ephemeral ports) with sub-second timeouts,
//! reached by the rig's own client and by raw TCP connections that stall.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use async_trait::async_trait;
use c169_adapter::protocol::{DecodeRequest, Description, EncodeRequest, Encoded};
use c169_adapter::serve::{serve_http_with, HttpServeSettings, MAX_REQUEST};
use c169_adapter::{AdapterError, Http, HttpSettings, Implementation, Reference};
use c169_model::Outcome;
use serde_json::Value as Json;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The reference, except that decoding the text `SLOW` blocks its thread for
/// `delay`, as a CPU-bound scan of a large image does; it counts how many decodes
/// ran at once.
#[derive(Debug)]
struct Slow {
    delay: Duration,
    running: AtomicUsize,
    most: AtomicUsize,
}

impl Slow {
    fn new(delay: Duration) -> Arc<Self> {
        Arc::new(Slow {
            delay,
            running: AtomicUsize::new(0),
            most: AtomicUsize::new(0),
        })
    }
}

#[async_trait]
impl Implementation for Slow {
    fn label(&self) -> String {
        "slow".into()
    }
    async fn describe(&self) -> Result<Description, AdapterError> {
        Reference.describe().await
    }
    async fn decode(&self, request: &DecodeRequest) -> Result<Outcome, AdapterError> {
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(now, Ordering::SeqCst);
        if request.qr == "SLOW" {
            std::thread::sleep(self.delay);
        }
        self.running.fetch_sub(1, Ordering::SeqCst);
        Reference.decode(request).await
    }
    async fn encode(&self, request: &EncodeRequest) -> Result<Encoded, AdapterError> {
        Reference.encode(request).await
    }
}

/// Timeouts short enough for tests.
fn quick() -> HttpServeSettings {
    HttpServeSettings {
        header_timeout: Duration::from_millis(300),
        body_timeout: Duration::from_millis(300),
        ..HttpServeSettings::default()
    }
}

struct Served {
    addr: SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Served {
    fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn client(&self, timeout: Duration) -> Http {
        let settings = HttpSettings {
            timeout,
            ..HttpSettings::default()
        };
        Http::new(self.base(), settings).unwrap()
    }

    async fn stop(self) {
        self.stop.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(5), self.task)
            .await
            .expect("the server stops")
            .unwrap()
            .unwrap();
    }
}

async fn serve(imp: Arc<dyn Implementation>, settings: HttpServeSettings) -> Served {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        serve_http_with(listener, imp, &settings, async {
            let _ = stopped.await;
        })
        .await
    });
    Served { addr, stop, task }
}

/// Everything the server sends on `stream` until it closes the connection (or
/// `within` passes: then `closed` is false), and when that was.
struct Heard {
    bytes: Vec<u8>,
    closed: bool,
    after: Duration,
}

async fn listen(stream: &mut TcpStream, within: Duration) -> Heard {
    let start = Instant::now();
    let mut bytes = Vec::new();
    let mut chunk = [0_u8; 4096];
    let closed = loop {
        match tokio::time::timeout_at((start + within).into(), stream.read(&mut chunk)).await {
            Err(_) => break false,
            Ok(Ok(0) | Err(_)) => break true,
            Ok(Ok(n)) => bytes.extend_from_slice(&chunk[..n]),
        }
    };
    Heard {
        bytes,
        closed,
        after: start.elapsed(),
    }
}

/// The status and the JSON body of the first response in `bytes`, and its content type.
fn response(bytes: &[u8]) -> (u16, String, Json) {
    let text = String::from_utf8_lossy(bytes);
    let (head, body) = text.split_once("\r\n\r\n").expect("a response head");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status");
    let content_type = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-type:")
                .map(|v| v.trim().to_owned())
        })
        .unwrap_or_default();
    let json = serde_json::from_str(body).unwrap_or(Json::Null);
    (status, content_type, json)
}

async fn connect(served: &Served, bytes: &[u8]) -> TcpStream {
    let mut stream = TcpStream::connect(served.addr).await.unwrap();
    stream.write_all(bytes).await.unwrap();
    stream
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_decodes_do_not_hold_up_describe_or_quick_decodes() {
    let slow = Slow::new(Duration::from_millis(1500));
    let served = serve(slow.clone(), HttpServeSettings::default()).await;
    let client = Arc::new(served.client(Duration::from_secs(10)));
    // More slow decodes in flight than the runtime has worker threads.
    let mut pending = Vec::new();
    for _ in 0..3 {
        let client = Arc::clone(&client);
        pending.push(tokio::spawn(async move {
            client.decode(&DecodeRequest::new("SLOW")).await
        }));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        slow.running.load(Ordering::SeqCst),
        3,
        "the slow decodes run"
    );
    let d = client.describe().await.unwrap();
    let quick = client.decode(&DecodeRequest::new("ABCD")).await.unwrap();
    assert_eq!(d.name, "c169-reference");
    assert_eq!(quick.verdict, c169_model::Verdict::Reject, "{quick:?}");
    // Answered while the three slow decodes still run: not queued behind them.
    assert_eq!(
        slow.running.load(Ordering::SeqCst),
        3,
        "a describe and a quick decode waited for the slow decodes"
    );
    for p in pending {
        assert_eq!(
            p.await.unwrap().unwrap().verdict,
            c169_model::Verdict::Reject
        );
    }
    served.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn busy_requests_beyond_the_cap_wait_their_turn() {
    let slow = Slow::new(Duration::from_millis(300));
    let settings = HttpServeSettings {
        max_busy: 2,
        ..HttpServeSettings::default()
    };
    let served = serve(slow.clone(), settings).await;
    let client = Arc::new(served.client(Duration::from_secs(10)));
    let start = Instant::now();
    let mut pending = Vec::new();
    for _ in 0..6 {
        let client = Arc::clone(&client);
        pending.push(tokio::spawn(async move {
            client.decode(&DecodeRequest::new("SLOW")).await
        }));
    }
    for p in pending {
        assert!(
            p.await.unwrap().is_ok(),
            "every request is answered in turn"
        );
    }
    assert_eq!(slow.most.load(Ordering::SeqCst), 2, "at most two at once");
    // Six of 300 ms two at a time: three rounds.
    assert!(
        start.elapsed() >= Duration::from_millis(850),
        "{:?}",
        start.elapsed()
    );
    served.stop().await;
}

#[tokio::test]
async fn a_silent_connection_is_closed_after_the_header_timeout() {
    let served = serve(Arc::new(Reference), quick()).await;
    let mut silent = connect(&served, b"").await;
    let heard = listen(&mut silent, Duration::from_secs(3)).await;
    assert!(heard.closed, "still open after {:?}", heard.after);
    assert!(heard.bytes.is_empty());
    assert!(
        heard.after >= Duration::from_millis(250) && heard.after < Duration::from_millis(1500),
        "closed after {:?}",
        heard.after
    );
    // A kept-alive connection, once answered, is idle: the same bound holds.
    let mut kept = connect(
        &served,
        b"POST /v1/describe HTTP/1.1\r\nhost: x\r\ncontent-length: 9\r\n\r\n{\"id\": 1}",
    )
    .await;
    let heard = listen(&mut kept, Duration::from_secs(3)).await;
    assert!(heard.closed, "still open after {:?}", heard.after);
    assert_eq!(response(&heard.bytes).0, 200);
    assert!(
        heard.after >= Duration::from_millis(250),
        "{:?}",
        heard.after
    );
    served.stop().await;
}

#[tokio::test]
async fn a_half_sent_head_is_closed_after_the_header_timeout() {
    let served = serve(Arc::new(Reference), quick()).await;
    let mut half = connect(&served, b"POST /v1/decode HTTP/1.1\r\nhost: x\r\n").await;
    let heard = listen(&mut half, Duration::from_secs(3)).await;
    assert!(heard.closed, "still open after {:?}", heard.after);
    assert!(
        heard.after < Duration::from_millis(1500),
        "{:?}",
        heard.after
    );
    served.stop().await;
}

#[tokio::test]
async fn a_half_sent_body_is_answered_408_and_closed() {
    let served = serve(Arc::new(Reference), quick()).await;
    let mut half = connect(
        &served,
        b"POST /v1/decode HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n{\"id\": 1, \"qr\"",
    )
    .await;
    let heard = listen(&mut half, Duration::from_secs(3)).await;
    assert!(heard.closed, "still open after {:?}", heard.after);
    assert!(
        heard.after < Duration::from_millis(1500),
        "{:?}",
        heard.after
    );
    let (status, content_type, body) = response(&heard.bytes);
    assert_eq!(status, 408);
    assert_eq!(content_type, "application/json");
    assert_eq!(body["id"], Json::Null);
    assert_eq!(body["error"]["kind"], "bad_request");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("did not arrive"),
        "{body}"
    );
    served.stop().await;
}

fn assert_too_large(bytes: &[u8]) {
    let (status, content_type, body) = response(bytes);
    assert_eq!(status, 413, "{}", String::from_utf8_lossy(bytes));
    assert_eq!(content_type, "application/json");
    assert_eq!(body["id"], Json::Null);
    assert_eq!(body["error"]["kind"], "bad_request");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("cap"),
        "{body}"
    );
}

#[tokio::test]
async fn an_oversized_body_is_a_413_with_an_error_response() {
    let served = serve(Arc::new(Reference), quick()).await;
    // Declared too large by a client that waits for the go-ahead: answered at once.
    let mut waiting = connect(
        &served,
        format!(
            "POST /v1/decode HTTP/1.1\r\nhost: x\r\nexpect: 100-continue\r\ncontent-length: {}\r\n\r\n",
            MAX_REQUEST + 1
        )
        .as_bytes(),
    )
    .await;
    let heard = listen(&mut waiting, Duration::from_secs(3)).await;
    assert!(
        heard.after < Duration::from_millis(250),
        "{:?}",
        heard.after
    );
    assert_too_large(&heard.bytes);
    // Sent whole, with a length, by the kind of client the rig is.
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let sent = client
        .post(format!("{}/v1/decode", served.base()))
        .body(vec![b' '; MAX_REQUEST + 1])
        .send()
        .await
        .unwrap();
    let status = sent.status().as_u16();
    let bytes = sent.bytes().await.unwrap();
    assert_eq!(status, 413);
    let body: Json = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(body["error"]["kind"], "bad_request");
    // Chunked, without a length: found out while reading.
    let mut chunked = connect(
        &served,
        format!(
            "POST /v1/decode HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n{:x}\r\n",
            MAX_REQUEST + 1
        )
        .as_bytes(),
    )
    .await;
    chunked
        .write_all(&vec![b' '; MAX_REQUEST + 1])
        .await
        .unwrap();
    chunked.write_all(b"\r\n0\r\n\r\n").await.unwrap();
    let heard = listen(&mut chunked, Duration::from_secs(3)).await;
    assert_too_large(&heard.bytes);
    // Describe carries nothing: its cap is far lower.
    let big_describe = client
        .post(format!("{}/v1/describe", served.base()))
        .body(vec![b' '; 100_000])
        .send()
        .await
        .unwrap();
    assert_eq!(big_describe.status().as_u16(), 413);
    served.stop().await;
}

#[tokio::test]
async fn other_paths_and_methods_are_error_responses() {
    let served = serve(Arc::new(Reference), quick()).await;
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let get = client
        .get(format!("{}/v1/decode", served.base()))
        .send()
        .await
        .unwrap();
    assert_eq!(get.status().as_u16(), 405);
    let allow: Vec<_> = get.headers().get_all("allow").iter().collect();
    assert_eq!(allow, ["POST"]);
    assert_eq!(get.headers()["content-type"], "application/json");
    let body: Json = serde_json::from_slice(&get.bytes().await.unwrap()).unwrap();
    assert_eq!(body["error"]["kind"], "bad_request");
    let nowhere = client
        .post(format!("{}/v2/decode", served.base()))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(nowhere.status().as_u16(), 404);
    assert_eq!(nowhere.headers()["content-type"], "application/json");
    let body: Json = serde_json::from_slice(&nowhere.bytes().await.unwrap()).unwrap();
    assert_eq!(body["error"]["kind"], "unsupported");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("/v2/decode"),
        "{body}"
    );
    served.stop().await;
}

#[tokio::test]
async fn the_connection_cap_holds_further_connections_back() {
    let settings = HttpServeSettings {
        max_connections: 1,
        ..quick()
    };
    let served = serve(Arc::new(Reference), settings).await;
    // The first connection takes the only slot and sends nothing.
    let _first = connect(&served, b"").await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    // The second is answered only once the first is closed (the header timeout).
    let start = Instant::now();
    let mut second = connect(
        &served,
        b"POST /v1/describe HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: 9\r\n\r\n{\"id\": 1}",
    )
    .await;
    let heard = listen(&mut second, Duration::from_secs(3)).await;
    assert_eq!(response(&heard.bytes).0, 200);
    assert!(
        start.elapsed() >= Duration::from_millis(200),
        "answered after {:?}, beside a connection holding the only slot",
        start.elapsed()
    );
    served.stop().await;
}
