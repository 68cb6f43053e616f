//! The HTTP server: `POST /v1/{op}`, on connections served here with hyper so that
//! every read has a deadline and a size cap, and slow work never holds up the rest.
//!
//! - A request's head must arrive within [`HttpServeSettings::header_timeout`],
//!   counted from when the server starts waiting for it: on a new connection, or
//!   after the previous response on a kept-alive one (so this is also how long an
//!   idle connection is kept). Then the connection is closed.
//! - Its body must arrive within [`HttpServeSettings::body_timeout`] of the head;
//!   otherwise the answer is a 408 with the protocol's error response, and the
//!   connection is closed.
//! - A body over the op's cap ([`MAX_REQUEST`] for decode and encode, 64 KiB for
//!   the rest) is answered 413 with an error response, without being kept (what
//!   the client is still sending is read and thrown away, up to a bound, so that
//!   it sees the answer; a client that waits for `100 Continue` is answered at once).
//! - Decode and encode (CPU-bound: a scan of a large image takes seconds) run on
//!   the blocking pool, at most [`HttpServeSettings::max_busy`] at once; the others
//!   wait their turn before their body is read. Describe runs on the event loop.
//! - At most [`HttpServeSettings::max_connections`] connections are served at once;
//!   further ones wait in the listen backlog.
//! - Any other path or method is answered 404 or 405 with an error response.

use super::{answer, response_bytes, MAX_REQUEST};
use crate::Implementation;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response as HttpResponse};
use axum::routing::post;
use axum::Router;
use c169_model::protocol::{ErrorBody, ErrorKind, Op, Reply, Response};
use http_body_util::BodyExt as _;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// The largest body read for an op that carries no payload (describe, an unknown op).
const MAX_LIGHT_REQUEST: usize = 64 * 1024;

/// How many bytes of a body over its cap are read and thrown away before the 413
/// is sent, so that a client still sending sees the answer: closing a connection
/// with unread bytes resets it, and the client may lose the answer with them.
const MAX_DRAIN: usize = 64 * 1024 * 1024;

/// The bounds of the HTTP server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpServeSettings {
    /// How long a request's head may take to arrive, counted from when the server
    /// starts waiting for it (a new connection, the end of the previous response):
    /// also how long an idle kept-alive connection is kept.
    pub header_timeout: Duration,
    /// How long a request's body may take to arrive once its head has.
    pub body_timeout: Duration,
    /// How many decode and encode requests are carried out at once; more wait their
    /// turn, their bodies unread.
    pub max_busy: usize,
    /// How many connections are served at once; more wait in the listen backlog.
    pub max_connections: usize,
}

impl Default for HttpServeSettings {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        HttpServeSettings {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            max_busy: cores.saturating_mul(2).max(4),
            max_connections: 512,
        }
    }
}

impl HttpServeSettings {
    /// How long a shutdown waits for requests under way before it drops them.
    fn grace(&self) -> Duration {
        self.header_timeout.max(self.body_timeout)
    }
}

/// What every request handler shares.
#[derive(Debug)]
struct Server {
    imp: Arc<dyn Implementation>,
    busy: Arc<Semaphore>,
    body_timeout: Duration,
}

/// The HTTP routes (`POST /v1/{op}`) with the default settings.
pub fn router(imp: Arc<dyn Implementation>) -> Router {
    router_with(imp, &HttpServeSettings::default())
}

/// The HTTP routes (`POST /v1/{op}`), with `settings`' body timeout and cap on busy
/// requests. The header timeout and the connection cap are the connections' own
/// ([`serve_http_with`]); a router served some other way does without them.
pub fn router_with(imp: Arc<dyn Implementation>, settings: &HttpServeSettings) -> Router {
    let server = Server {
        imp,
        busy: Arc::new(Semaphore::new(settings.max_busy.max(1))),
        body_timeout: settings.body_timeout,
    };
    Router::new()
        .route("/v1/{op}", post(http_handler))
        .method_not_allowed_fallback(wrong_method)
        .fallback(no_route)
        .with_state(Arc::new(server))
}

/// A response carrying the protocol's error response (id null).
fn refusal(status: StatusCode, kind: ErrorKind, message: String) -> HttpResponse {
    let response = Response {
        id: None,
        reply: Reply::Error(ErrorBody::new(kind, message)),
    };
    json(status, &response)
}

fn json(status: StatusCode, response: &Response) -> HttpResponse {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        response_bytes(response),
    )
        .into_response()
}

async fn no_route(method: Method, uri: Uri) -> HttpResponse {
    refusal(
        StatusCode::NOT_FOUND,
        ErrorKind::Unsupported,
        format!(
            "no route {method} {}: the adapter answers POST /v1/{{describe,decode,encode}}",
            uri.path()
        ),
    )
}

async fn wrong_method(method: Method, uri: Uri) -> HttpResponse {
    let mut response = refusal(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorKind::BadRequest,
        format!("{method} {}: the adapter answers POST only", uri.path()),
    );
    response
        .headers_mut()
        .insert(header::ALLOW, header::HeaderValue::from_static("POST"));
    response
}

/// Why a request body was not read.
#[derive(Debug)]
enum BodyError {
    /// It went on past the cap.
    TooLarge,
    /// It did not arrive in time.
    TimedOut,
    /// The connection failed, or the framing was broken.
    Broken(String),
}

/// The length a request's head declares, when it declares one.
fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// Whether the client waits for `100 Continue` before sending the body.
fn expects_continue(headers: &HeaderMap) -> bool {
    headers
        .get(header::EXPECT)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"))
}

/// Reads `body` until `deadline`, keeping at most `limit` bytes. Past the cap (or
/// when `too_large` from the start) the rest is read and thrown away, up to
/// [`MAX_DRAIN`] bytes in all or the deadline, before the body is said too large.
async fn read_body(
    mut body: Body,
    limit: usize,
    mut too_large: bool,
    deadline: Instant,
) -> Result<Vec<u8>, BodyError> {
    let mut kept = Vec::new();
    let mut seen: usize = 0;
    loop {
        let frame = match tokio::time::timeout_at(deadline, body.frame()).await {
            // Once the body is refused, however its reading ends, it was too large.
            Err(_) | Ok(Some(Err(_))) if too_large => return Err(BodyError::TooLarge),
            Err(_) => return Err(BodyError::TimedOut),
            Ok(None) => break,
            Ok(Some(Err(e))) => return Err(BodyError::Broken(e.to_string())),
            Ok(Some(Ok(frame))) => frame,
        };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        seen = seen.saturating_add(data.len());
        if seen > limit && !too_large {
            too_large = true;
            kept = Vec::new();
        }
        if too_large {
            if seen > MAX_DRAIN {
                break;
            }
        } else {
            kept.extend_from_slice(&data);
        }
    }
    if too_large {
        Err(BodyError::TooLarge)
    } else {
        Ok(kept)
    }
}

/// The answer to a body that was not read.
fn body_refusal(e: BodyError, limit: usize, timeout: Duration) -> HttpResponse {
    match e {
        BodyError::TooLarge => refusal(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorKind::BadRequest,
            format!("the request body exceeds the {limit}-byte cap"),
        ),
        BodyError::TimedOut => refusal(
            StatusCode::REQUEST_TIMEOUT,
            ErrorKind::BadRequest,
            format!("the request body did not arrive within {timeout:?}"),
        ),
        BodyError::Broken(message) => refusal(
            StatusCode::BAD_REQUEST,
            ErrorKind::BadRequest,
            format!("the request body could not be read: {message}"),
        ),
    }
}

/// Whether an op's work is CPU-bound (and may take seconds).
fn is_heavy(op: &str) -> bool {
    matches!(Op::parse(op), Some(Op::Decode | Op::Encode))
}

async fn http_handler(
    State(server): State<Arc<Server>>,
    Path(op): Path<String>,
    request: Request,
) -> HttpResponse {
    let heavy = is_heavy(&op);
    let limit = if heavy {
        MAX_REQUEST
    } else {
        MAX_LIGHT_REQUEST
    };
    let declared_too_large = declared_length(request.headers()).is_some_and(|n| n > limit as u64);
    if declared_too_large && expects_continue(request.headers()) {
        // The client waits for a go-ahead before it sends the body: none is given.
        return body_refusal(BodyError::TooLarge, limit, server.body_timeout);
    }
    // A body that will be refused is not worth a turn.
    let permit = if heavy && !declared_too_large {
        match Arc::clone(&server.busy).acquire_owned().await {
            Ok(permit) => Some(permit),
            Err(_) => {
                return refusal(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorKind::Internal,
                    "the server is shutting down".into(),
                )
            }
        }
    } else {
        None
    };
    let deadline = Instant::now() + server.body_timeout;
    let body = match read_body(request.into_body(), limit, declared_too_large, deadline).await {
        Ok(body) => body,
        Err(e) => return body_refusal(e, limit, server.body_timeout),
    };
    let (status, response) = match permit {
        None => answer(server.imp.as_ref(), &body, Some(&op)).await,
        Some(permit) => answer_off_the_loop(Arc::clone(&server.imp), body, op, permit).await,
    };
    json(status, &response)
}

/// [`answer`] on the blocking pool, holding `permit` until the work is done (even
/// when the client has gone and nobody waits for it any more).
async fn answer_off_the_loop(
    imp: Arc<dyn Implementation>,
    body: Vec<u8>,
    op: String,
    permit: OwnedSemaphorePermit,
) -> (StatusCode, Response) {
    let runtime = tokio::runtime::Handle::current();
    let work = tokio::task::spawn_blocking(move || {
        let answered = runtime.block_on(answer(imp.as_ref(), &body, Some(&op)));
        drop(permit);
        answered
    });
    work.await.unwrap_or_else(|e| {
        let response = Response {
            id: None,
            reply: Reply::Error(ErrorBody::new(
                ErrorKind::Internal,
                format!("the request's work failed: {e}"),
            )),
        };
        (StatusCode::INTERNAL_SERVER_ERROR, response)
    })
}

/// Serves `imp` over HTTP on `listener` with the default settings until `shutdown`
/// completes.
pub async fn serve_http<F>(
    listener: TcpListener,
    imp: Arc<dyn Implementation>,
    shutdown: F,
) -> std::io::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    serve_http_with(listener, imp, &HttpServeSettings::default(), shutdown).await
}

/// Serves `imp` over HTTP on `listener` within `settings` until `shutdown`
/// completes; then requests under way get the longer of the two timeouts to end.
pub async fn serve_http_with<F>(
    listener: TcpListener,
    imp: Arc<dyn Implementation>,
    settings: &HttpServeSettings,
    shutdown: F,
) -> std::io::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    let app = router_with(imp, settings);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(settings.header_timeout);
    let slots = Arc::new(Semaphore::new(settings.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, slot) = tokio::select! {
            () = &mut shutdown => break,
            next = accept(&listener, &slots) => next?,
        };
        // Replies are small and whole: send them at once.
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone());
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            // A connection's end (a timeout, a reset) concerns it alone.
            let _ = connection.await;
            drop(slot);
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(settings.grace(), graceful.shutdown()).await;
    Ok(())
}

/// The next connection, once a slot is free for it. Errors of one connection
/// (reset before it was accepted) are skipped; others (out of descriptors) are
/// waited out briefly, as the listener may recover.
async fn accept(
    listener: &TcpListener,
    slots: &Arc<Semaphore>,
) -> std::io::Result<(TcpStream, OwnedSemaphorePermit)> {
    loop {
        let slot = Arc::clone(slots)
            .acquire_owned()
            .await
            .map_err(|_| std::io::Error::other("the connection slots were closed"))?;
        match listener.accept().await {
            Ok((stream, _)) => return Ok((stream, slot)),
            Err(e) if is_connection_error(&e) => {}
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

fn is_connection_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind as K;
    matches!(
        e.kind(),
        K::ConnectionRefused | K::ConnectionAborted | K::ConnectionReset
    )
}
