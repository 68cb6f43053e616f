//! The serving side: any [`Implementation`] as a protocol v1 adapter, on stdio
//! lines (persistent or one-shot, the same loop) or over HTTP.

mod http_server;

pub use http_server::{router, router_with, serve_http, serve_http_with, HttpServeSettings};

use crate::lines::{read_line, skip_line, LineEnd};
use crate::spin::{SpinRead, DEFAULT_SPIN};
use crate::{AdapterError, Implementation};
use axum::http::StatusCode;
use c169_model::protocol::{ErrorBody, ErrorKind, Op, Reply, Request, Response};
use serde::Serialize;
use serde_json::Value as Json;
use tokio::io::{AsyncBufRead, AsyncWrite, AsyncWriteExt};

/// The largest request a server reads, in bytes.
pub const MAX_REQUEST: usize = 16 * 1024 * 1024;

/// Why a request could not be carried out, before or instead of the implementation.
struct Refusal {
    id: Option<u64>,
    status: StatusCode,
    error: ErrorBody,
}

fn refuse(id: Option<u64>, status: StatusCode, kind: ErrorKind, message: String) -> Refusal {
    Refusal {
        id,
        status,
        error: ErrorBody::new(kind, message),
    }
}

/// Reads a request; `path_op` is the op an HTTP path named.
fn read_request(bytes: &[u8], path_op: Option<&str>) -> Result<Request, Refusal> {
    // The common case in one typed pass; the long way below says what is wrong.
    if let Ok(request) = c169_model::deep::from_slice::<Request>(bytes) {
        if path_op.is_none_or(|op| op == request.body.op().as_str()) {
            return Ok(request);
        }
    }
    let mut json: Json = c169_model::deep::from_slice(bytes).map_err(|e| {
        refuse(
            None,
            StatusCode::BAD_REQUEST,
            ErrorKind::BadRequest,
            format!("the request is not JSON: {e}"),
        )
    })?;
    let Json::Object(m) = &mut json else {
        return Err(refuse(
            None,
            StatusCode::BAD_REQUEST,
            ErrorKind::BadRequest,
            "the request is not a JSON object".into(),
        ));
    };
    let Some(id) = m.get("id").and_then(Json::as_u64) else {
        return Err(refuse(
            None,
            StatusCode::BAD_REQUEST,
            ErrorKind::BadRequest,
            "the request has no non-negative integer \"id\"".into(),
        ));
    };
    if let Some(path_op) = path_op {
        match m.get("op") {
            None => {
                m.insert("op".into(), Json::String(path_op.to_owned()));
            }
            Some(Json::String(op)) if op == path_op => {}
            Some(other) => {
                return Err(refuse(
                    Some(id),
                    StatusCode::BAD_REQUEST,
                    ErrorKind::BadRequest,
                    format!("the body's op {other} is not the path's {path_op:?}"),
                ))
            }
        }
    }
    match m.get("op") {
        Some(Json::String(op)) if Op::parse(op).is_none() => {
            return Err(refuse(
                Some(id),
                StatusCode::NOT_FOUND,
                ErrorKind::Unsupported,
                format!("op {op:?} is not supported"),
            ))
        }
        Some(Json::String(_)) => {}
        _ => {
            return Err(refuse(
                Some(id),
                StatusCode::BAD_REQUEST,
                ErrorKind::BadRequest,
                "the request has no \"op\" string".into(),
            ))
        }
    }
    serde_json::from_value(json).map_err(|e| {
        refuse(
            Some(id),
            StatusCode::OK,
            ErrorKind::BadRequest,
            format!("bad request: {e}"),
        )
    })
}

#[derive(Serialize)]
struct Out<'a, T: Serialize> {
    id: Option<u64>,
    #[serde(flatten)]
    body: &'a T,
}

#[derive(Serialize)]
struct ErrorOut<'a> {
    error: &'a ErrorBody,
}

/// The JSON text of a response (one line: `serde_json` writes no newlines).
#[must_use]
pub fn response_bytes(response: &Response) -> Vec<u8> {
    let id = response.id;
    let written = match &response.reply {
        Reply::Describe(d) => serde_json::to_vec(&Out { id, body: d }),
        Reply::Decode(o) => serde_json::to_vec(&Out { id, body: o }),
        Reply::Encode(e) => serde_json::to_vec(&Out { id, body: e }),
        Reply::Error(e) => serde_json::to_vec(&Out {
            id,
            body: &ErrorOut { error: e },
        }),
    };
    written.unwrap_or_else(|e| {
        let fallback = Response {
            id,
            reply: Reply::Error(ErrorBody::new(
                ErrorKind::Internal,
                format!("could not write the reply: {e}"),
            )),
        };
        fallback.to_json().to_string().into_bytes()
    })
}

/// An implementation's failure as the error reply of a server.
fn error_body(e: AdapterError) -> ErrorBody {
    match e {
        AdapterError::Adapter { kind, message, .. } => ErrorBody::new(kind, message),
        other => ErrorBody::new(ErrorKind::Internal, other.reason()),
    }
}

/// Carries out one request; the status is the one an HTTP server sends.
async fn answer(
    imp: &dyn Implementation,
    bytes: &[u8],
    path_op: Option<&str>,
) -> (StatusCode, Response) {
    match read_request(bytes, path_op) {
        Err(r) => (
            r.status,
            Response {
                id: r.id,
                reply: Reply::Error(r.error),
            },
        ),
        Ok(request) => {
            let reply = imp
                .call(&request.body)
                .await
                .unwrap_or_else(|e| Reply::Error(error_body(e)));
            (
                StatusCode::OK,
                Response {
                    id: Some(request.id),
                    reply,
                },
            )
        }
    }
}

/// Carries out one request given as JSON text, and returns the response.
pub async fn handle(imp: &dyn Implementation, request: &[u8]) -> Response {
    answer(imp, request, None).await.1
}

/// Serves `imp` on lines: one request per line of `input`, one response per line
/// of `output`, in order, until `input` ends. Blank lines are skipped; a line
/// longer than [`MAX_REQUEST`] is answered with a `bad_request` error (id null).
pub async fn serve_lines<R, W>(imp: &dyn Implementation, input: R, output: W) -> std::io::Result<()>
where
    R: AsyncBufRead + Unpin,
    W: AsyncWrite + Unpin,
{
    serve_lines_then(imp, input, output, |_| {}).await
}

/// [`serve_lines`], calling `replied` on the input after each response is written
/// (the stdio server arms its spinning read there: the next request is likely near).
async fn serve_lines_then<R, W, F>(
    imp: &dyn Implementation,
    mut input: R,
    mut output: W,
    mut replied: F,
) -> std::io::Result<()>
where
    R: AsyncBufRead + Unpin,
    W: AsyncWrite + Unpin,
    F: FnMut(&mut R),
{
    let mut line = Vec::new();
    loop {
        let end = read_line(&mut input, &mut line, MAX_REQUEST).await?;
        let response = match end {
            LineEnd::TooLong => {
                let more = skip_line(&mut input).await?;
                let r = Response {
                    id: None,
                    reply: Reply::Error(ErrorBody::new(
                        ErrorKind::BadRequest,
                        format!("the request line exceeds {MAX_REQUEST} bytes"),
                    )),
                };
                write_line(&mut output, &response_bytes(&r)).await?;
                if more {
                    continue;
                }
                return Ok(());
            }
            _ if line.iter().all(u8::is_ascii_whitespace) => {
                if end == LineEnd::Eof {
                    return Ok(());
                }
                continue;
            }
            _ => handle(imp, &line).await,
        };
        write_line(&mut output, &response_bytes(&response)).await?;
        if end == LineEnd::Eof {
            return Ok(());
        }
        replied(&mut input);
    }
}

async fn write_line<W: AsyncWrite + Unpin>(output: &mut W, bytes: &[u8]) -> std::io::Result<()> {
    let mut framed = Vec::with_capacity(bytes.len() + 1);
    framed.extend_from_slice(bytes);
    framed.push(b'\n');
    output.write_all(&framed).await?;
    output.flush().await
}

/// Serves `imp` on this process's stdin and stdout; returns when stdin ends. This is
/// both a persistent adapter and, when stdin holds one request, a one-shot one.
///
/// When stdin and stdout are pipes (as when the rig starts the adapter) they are
/// read and written directly by the runtime's event loop; otherwise (a terminal, a
/// file) through tokio's blocking-pool stdio.
pub async fn serve_stdio(imp: &dyn Implementation) -> std::io::Result<()> {
    if let Some((input, output)) = stdio_pipes() {
        let input =
            tokio::io::BufReader::with_capacity(64 * 1024, SpinRead::new(input, DEFAULT_SPIN));
        return serve_lines_then(imp, input, output, |input| input.get_mut().arm()).await;
    }
    let input = tokio::io::BufReader::with_capacity(64 * 1024, tokio::io::stdin());
    serve_lines(imp, input, tokio::io::stdout()).await
}

/// This process's stdin and stdout as pipes, when both are.
fn stdio_pipes() -> Option<(
    tokio::net::unix::pipe::Receiver,
    tokio::net::unix::pipe::Sender,
)> {
    use std::os::fd::{AsFd, OwnedFd};
    use std::os::unix::fs::FileTypeExt;
    let fifo = |fd: std::os::fd::BorrowedFd<'_>| -> Option<OwnedFd> {
        let file = std::fs::File::from(fd.try_clone_to_owned().ok()?);
        file.metadata()
            .ok()?
            .file_type()
            .is_fifo()
            .then(|| OwnedFd::from(file))
    };
    // Both are checked before either is made non-blocking, so that the fallback
    // never reads a non-blocking descriptor with blocking calls.
    let input = fifo(std::io::stdin().as_fd())?;
    let output = fifo(std::io::stdout().as_fd())?;
    Some((
        tokio::net::unix::pipe::Receiver::from_owned_fd(input).ok()?,
        tokio::net::unix::pipe::Sender::from_owned_fd(output).ok()?,
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
    use super::*;
    use crate::Reference;
    use serde_json::json;

    async fn lines(input: &str) -> Vec<Json> {
        let mut out = Vec::new();
        serve_lines(&Reference, input.as_bytes(), &mut out)
            .await
            .unwrap();
        String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[tokio::test]
    async fn answers_each_line_in_order_and_refuses_bad_ones() {
        let out = lines(concat!(
            "{\"id\": 1, \"op\": \"describe\"}\n",
            "\n",
            "not json\n",
            "{\"id\": 2, \"op\": \"dance\"}\n",
            "{\"op\": \"describe\"}\n",
            "{\"id\": 3, \"op\": \"decode\"}\n",
            "{\"id\": 4, \"op\": \"decode\", \"qr\": \"THIS!IS@NOT#VALID\"}"
        ))
        .await;
        assert_eq!(out.len(), 6, "{out:?}");
        assert_eq!(out[0]["id"], 1);
        assert_eq!(out[0]["protocol"], 1);
        assert_eq!(
            out[1],
            json!({"id": null, "error": {"kind": "bad_request", "message": out[1]["error"]["message"]}})
        );
        assert_eq!(out[2]["id"], 2);
        assert_eq!(out[2]["error"]["kind"], "unsupported");
        assert_eq!(out[3]["id"], Json::Null);
        assert_eq!(out[4]["id"], 3);
        assert_eq!(out[4]["error"]["kind"], "bad_request");
        assert_eq!(out[5]["id"], 4);
        assert_eq!(out[5]["verdict"], "reject");
    }
}
