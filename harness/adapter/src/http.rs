//! An adapter endpoint: `POST {base}/v1/{op}` with the request object as body.
//!
//! Plain HTTP/1.1 (the rig talks to adapters on loopback; no TLS stack is built
//! in). Redirects are not followed, proxies are not used, the body is read in
//! chunks and reading stops at the cap. As with an adapter program, an endpoint
//! that fails too often in a row (no connection, no reply in time, a reply that is
//! not a protocol response or is too large) is given up: every later request is
//! [`AdapterError::Broken`] at once instead of costing a timeout each.

use crate::reply::{
    expect_decode, expect_describe, expect_encode, judge, request_bytes, Bad, NoMembers,
};
use crate::transcript::{note, Entry};
use crate::{excerpt, AdapterError, Implementation};
use async_trait::async_trait;
use c169_model::protocol::{
    DecodeRequest, Description, EncodeRequest, Encoded, Op, Reply, Response,
};
use c169_model::Outcome;
use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// The rig's bounds on an HTTP adapter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpSettings {
    /// How long one request may take, from connecting to the end of the body.
    pub timeout: Duration,
    /// How long connecting may take.
    pub connect_timeout: Duration,
    /// The largest body read, in bytes.
    pub max_response: usize,
    /// How many failures in a row (no connection, a timeout, a reply that is not a
    /// protocol response, an oversized one) are met by trying the next request; the
    /// next one marks the endpoint broken. The same count as an adapter program's
    /// `max_restarts`.
    pub max_retries: u32,
    /// Where the request bodies and the replies are copied, byte for byte (`c169 replay`).
    pub transcript: Option<crate::Transcript>,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            max_response: 16 * 1024 * 1024,
            max_retries: 3,
            transcript: None,
        }
    }
}

/// An HTTP adapter endpoint.
#[derive(Debug)]
pub struct Http {
    base: String,
    client: reqwest::Client,
    settings: HttpSettings,
    next_id: AtomicU64,
    health: Mutex<Health>,
}

/// How the endpoint has been doing.
#[derive(Debug, Default)]
struct Health {
    failures_in_a_row: u32,
    /// Why it was given up, once it was.
    broken: Option<String>,
}

/// Why an exchange gave no reply.
enum Failed {
    /// The endpoint did not answer in the protocol: this counts towards giving it up.
    Unanswered(AdapterError),
    /// It answered: an error reply, or an answer to this request of the wrong shape.
    Answered(AdapterError),
}

impl From<AdapterError> for Failed {
    fn from(e: AdapterError) -> Self {
        Failed::Unanswered(e)
    }
}

impl From<Bad> for Failed {
    fn from(bad: Bad) -> Self {
        match bad {
            Bad::Desync(e) => Failed::Unanswered(e),
            Bad::InStep(e) => Failed::Answered(e),
        }
    }
}

/// How much of an error body is read to look for a protocol error reply.
const ERROR_BODY_CAP: usize = 64 * 1024;

impl Http {
    /// An endpoint at `base` (`http://127.0.0.1:8169`), without the `/v1/…` part.
    pub fn new(base: impl Into<String>, settings: HttpSettings) -> Result<Self, AdapterError> {
        let base = base.into().trim_end_matches('/').to_owned();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(settings.connect_timeout)
            .read_timeout(settings.timeout)
            .tcp_nodelay(true)
            .build()
            .map_err(|e| AdapterError::Connect {
                url: base.clone(),
                message: e.to_string(),
            })?;
        Ok(Http {
            base,
            client,
            settings,
            next_id: AtomicU64::new(1),
            health: Mutex::new(Health::default()),
        })
    }

    /// The base URL, as given without a trailing slash.
    #[must_use]
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Whether the endpoint has been given up.
    #[must_use]
    pub fn is_broken(&self) -> bool {
        self.health().broken.is_some()
    }

    fn health(&self) -> std::sync::MutexGuard<'_, Health> {
        self.health.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The error of a request not made because the endpoint was given up.
    fn given_up(&self) -> Option<AdapterError> {
        self.health()
            .broken
            .as_ref()
            .map(|cause| AdapterError::Broken {
                restarts: self.settings.max_retries,
                cause: cause.clone(),
            })
    }

    /// Counts a failure in a row, or ends a run of them.
    fn tally(&self, result: &Result<Reply, Failed>) {
        let mut health = self.health();
        match result {
            Err(Failed::Unanswered(e)) => {
                health.failures_in_a_row = health.failures_in_a_row.saturating_add(1);
                if health.failures_in_a_row > self.settings.max_retries && health.broken.is_none() {
                    health.broken = Some(e.reason());
                }
            }
            Ok(_) | Err(Failed::Answered(_)) => health.failures_in_a_row = 0,
        }
    }

    async fn exchange<T: Serialize + Sync + ?Sized>(
        &self,
        op: Op,
        body: &T,
    ) -> Result<Reply, AdapterError> {
        if let Some(broken) = self.given_up() {
            return Err(broken);
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let bytes = request_bytes(id, op, body)?;
        let result = self.post(op, id, bytes).await;
        self.tally(&result);
        result.map_err(|failed| match failed {
            Failed::Unanswered(e) | Failed::Answered(e) => e,
        })
    }

    /// One request and its reply, within the timeout.
    async fn post(&self, op: Op, id: u64, bytes: Vec<u8>) -> Result<Reply, Failed> {
        let url = format!("{}/v1/{op}", self.base);
        let transcript = self.settings.transcript.as_ref();
        note(transcript, || Entry::Sent {
            op: op.to_string(),
            bytes: bytes.clone(),
        });
        let exchange = async {
            let mut response = self
                .client
                .post(&url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(bytes)
                .send()
                .await
                .map_err(|e| transport_error(&url, &e, self.settings.timeout))?;
            let status = response.status();
            if status.is_redirection() {
                let location = response
                    .headers()
                    .get(reqwest::header::LOCATION)
                    .map(|l| String::from_utf8_lossy(l.as_bytes()).into_owned());
                return Err(Failed::Unanswered(AdapterError::Redirect {
                    status: status.as_u16(),
                    location,
                }));
            }
            if !status.is_success() {
                let (body, _) =
                    read_capped(&mut response, ERROR_BODY_CAP, &url, self.settings.timeout).await?;
                note(transcript, || {
                    Entry::Unanswered(format!(
                        "HTTP {status}, with the body {}",
                        String::from_utf8_lossy(&body)
                    ))
                });
                // An adapter may send its error reply with an error status.
                if let Ok(Response {
                    reply: Reply::Error(e),
                    ..
                }) = Response::parse(&body, op)
                {
                    return Err(Failed::Answered(AdapterError::Adapter {
                        kind: e.kind,
                        message: e.message,
                        stderr: None,
                    }));
                }
                return Err(Failed::Unanswered(AdapterError::Http {
                    status: status.as_u16(),
                    excerpt: (!body.is_empty()).then(|| excerpt(&body, 200)),
                }));
            }
            let cap = self.settings.max_response;
            let too_large = AdapterError::ResponseTooLarge {
                limit: cap,
                stderr: None,
            };
            if response.content_length().is_some_and(|n| n > cap as u64) {
                return Err(too_large.into());
            }
            match read_capped(&mut response, cap, &url, self.settings.timeout).await? {
                (_, true) => {
                    note(transcript, || {
                        Entry::Unanswered(format!("a reply longer than {cap} bytes"))
                    });
                    Err(too_large.into())
                }
                (body, false) => {
                    note(transcript, || Entry::Received(body.clone()));
                    Ok(judge(&body, op, id)?)
                }
            }
        };
        match tokio::time::timeout(self.settings.timeout, exchange).await {
            Ok(result) => result,
            Err(_) => Err(Failed::Unanswered(AdapterError::Timeout {
                after: self.settings.timeout,
                stderr: None,
            })),
        }
    }
}

/// Reads at most `cap` bytes of the body; the flag says the body went on past the cap.
async fn read_capped(
    response: &mut reqwest::Response,
    cap: usize,
    url: &str,
    timeout: Duration,
) -> Result<(Vec<u8>, bool), AdapterError> {
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| transport_error(url, &e, timeout))?
    {
        let room = cap - body.len();
        if chunk.len() > room {
            body.extend_from_slice(chunk.get(..room).unwrap_or_default());
            return Ok((body, true));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((body, false))
}

fn transport_error(url: &str, e: &reqwest::Error, timeout: Duration) -> AdapterError {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    if e.is_timeout() {
        // reqwest's own read timeout; the rig's covers the whole exchange.
        AdapterError::Timeout {
            after: timeout,
            stderr: None,
        }
    } else if e.is_connect() {
        AdapterError::Connect {
            url: url.to_owned(),
            message,
        }
    } else {
        AdapterError::Transport {
            url: url.to_owned(),
            message,
        }
    }
}

#[async_trait]
impl Implementation for Http {
    fn label(&self) -> String {
        self.base.clone()
    }

    async fn describe(&self) -> Result<Description, AdapterError> {
        expect_describe(self.exchange(Op::Describe, &NoMembers {}).await?)
    }

    async fn decode(&self, request: &DecodeRequest) -> Result<Outcome, AdapterError> {
        expect_decode(self.exchange(Op::Decode, request).await?)
    }

    async fn encode(&self, request: &EncodeRequest) -> Result<Encoded, AdapterError> {
        expect_encode(self.exchange(Op::Encode, request).await?)
    }
}
