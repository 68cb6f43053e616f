//! c169-adapter: how the c169 rig reaches an implementation under test, and how
//! c169 serves its own reference codec to others.
//!
//! One trait, [`Implementation`], with three kinds:
//! - [`Reference`]: the c169 reference codec, in-process;
//! - [`Subprocess`]: an adapter program speaking protocol v1 on stdin/stdout,
//!   persistent (one JSON object per line each way) or one-shot (a process per request);
//! - [`Http`]: an adapter endpoint answering `POST {base}/v1/{op}`.
//!
//! The rig survives its implementations: every call has a timeout, a size cap on
//! the reply, and returns its own `Result`; a crashed adapter is restarted within a
//! bound, after which it is [`AdapterError::Broken`] and every later case is not run.
//!
//! The serving side ([`serve`]) puts any `Implementation` on stdio lines or HTTP.
//! The protocol itself is in `c169_model::protocol` and adapters/PROTOCOL.md.

#![forbid(unsafe_code)]

mod error;
mod http;
mod lines;
mod loopback;
pub mod peers;
mod pool;
mod reference;
mod reply;
pub mod serve;
pub mod spin;
mod stderr;
mod subprocess;
mod target;
pub mod transcript;

pub use c169_model::protocol;
pub use error::{excerpt, AdapterError, ExitInfo};
pub use http::{Http, HttpSettings};
pub use loopback::Loopback;
pub use pool::Pool;
pub use reference::Reference;
pub use subprocess::{Command, Mode, Subprocess, SubprocessSettings};
pub use target::{Settings, Target, TargetError};
pub use transcript::Transcript;

use async_trait::async_trait;
use c169_model::protocol::{
    DecodeRequest, Description, EncodeRequest, Encoded, Reply, RequestBody,
};
use c169_model::Outcome;

/// An implementation under test, however it is reached.
///
/// Object-safe: runners hold a `Box<dyn Implementation>`. Each call is independent
/// and returns its own `Result`; an `Err` concerns that call alone (or, for
/// [`AdapterError::Broken`], says the call was not made). Calls may be made from
/// several tasks; kinds that cannot overlap requests (a persistent subprocess)
/// queue them.
#[async_trait]
pub trait Implementation: Send + Sync + std::fmt::Debug {
    /// A short name for reports: `reference`, the program, the URL.
    fn label(&self) -> String;

    /// What the implementation claims it can do.
    async fn describe(&self) -> Result<Description, AdapterError>;

    /// Decodes one QR text. A rejection is `Ok` with `verdict: reject`.
    async fn decode(&self, request: &DecodeRequest) -> Result<Outcome, AdapterError>;

    /// Produces a QR text.
    async fn encode(&self, request: &EncodeRequest) -> Result<Encoded, AdapterError>;

    /// The stderr the adapter wrote during its most recent call, if it has one
    /// (subprocesses; the excerpt is capped like the error excerpts).
    fn last_stderr(&self) -> Option<String> {
        None
    }

    /// Whether its calls do their work on the calling thread (the in-process
    /// reference), so that a [`Pool`] of copies runs each on a thread of its own.
    fn in_process(&self) -> bool {
        false
    }

    /// Ends the implementation's processes, if any; later calls may start them anew.
    async fn shutdown(&self) {}

    /// Carries out any request, as the serving side does.
    async fn call(&self, request: &RequestBody) -> Result<Reply, AdapterError> {
        Ok(match request {
            RequestBody::Describe => Reply::Describe(self.describe().await?),
            RequestBody::Decode(r) => Reply::Decode(self.decode(r).await?),
            RequestBody::Encode(r) => Reply::Encode(self.encode(r).await?),
        })
    }
}

#[async_trait]
impl<T: Implementation + ?Sized> Implementation for Box<T> {
    fn label(&self) -> String {
        (**self).label()
    }
    async fn describe(&self) -> Result<Description, AdapterError> {
        (**self).describe().await
    }
    async fn decode(&self, request: &DecodeRequest) -> Result<Outcome, AdapterError> {
        (**self).decode(request).await
    }
    async fn encode(&self, request: &EncodeRequest) -> Result<Encoded, AdapterError> {
        (**self).encode(request).await
    }
    fn last_stderr(&self) -> Option<String> {
        (**self).last_stderr()
    }
    fn in_process(&self) -> bool {
        (**self).in_process()
    }
    async fn shutdown(&self) {
        (**self).shutdown().await;
    }
}

#[async_trait]
impl<T: Implementation + ?Sized> Implementation for std::sync::Arc<T> {
    fn label(&self) -> String {
        (**self).label()
    }
    async fn describe(&self) -> Result<Description, AdapterError> {
        (**self).describe().await
    }
    async fn decode(&self, request: &DecodeRequest) -> Result<Outcome, AdapterError> {
        (**self).decode(request).await
    }
    async fn encode(&self, request: &EncodeRequest) -> Result<Encoded, AdapterError> {
        (**self).encode(request).await
    }
    fn last_stderr(&self) -> Option<String> {
        (**self).last_stderr()
    }
    fn in_process(&self) -> bool {
        (**self).in_process()
    }
    async fn shutdown(&self) {
        (**self).shutdown().await;
    }
}
