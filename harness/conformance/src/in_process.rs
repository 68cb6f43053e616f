//! A [`Decoder`] as an [`Implementation`] of the rig, so that the suite's own
//! runner asks it each case as it asks an adapter.

use crate::Decoder;
use async_trait::async_trait;
use c169_adapter::{AdapterError, Implementation};
use c169_model::protocol::{
    check_outcome, DecodeRequest, Description, EncodeRequest, Encoded, ErrorBody, ErrorKind,
};
use c169_model::Outcome;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

/// A decoder called in process, with the description it gave once.
pub(crate) struct InProcess<D> {
    decoder: Arc<D>,
    description: Description,
}

impl<D> std::fmt::Debug for InProcess<D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InProcess")
            .field("name", &self.description.name)
            .finish_non_exhaustive()
    }
}

impl<D: Decoder> InProcess<D> {
    pub(crate) fn new(decoder: Arc<D>, description: Description) -> Self {
        InProcess {
            decoder,
            description,
        }
    }
}

/// Calls `f`, turning a panic into the error reply an adapter gives for an
/// exception: a crash is a failure of that case, never a rejection.
pub(crate) fn guarded<T>(what: &str, f: impl FnOnce() -> T) -> Result<T, ErrorBody> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_owned());
        ErrorBody::new(ErrorKind::Internal, format!("{what} panicked: {message}"))
    })
}

fn reply<T>(answer: Result<Result<T, ErrorBody>, ErrorBody>) -> Result<T, AdapterError> {
    answer.and_then(|a| a).map_err(|e| AdapterError::Adapter {
        kind: e.kind,
        message: e.message,
        stderr: None,
    })
}

#[async_trait]
impl<D: Decoder> Implementation for InProcess<D> {
    fn label(&self) -> String {
        self.description.name.clone()
    }

    async fn describe(&self) -> Result<Description, AdapterError> {
        Ok(self.description.clone())
    }

    async fn decode(&self, request: &DecodeRequest) -> Result<Outcome, AdapterError> {
        let outcome = reply(guarded("decode", || self.decoder.decode(request)))?;
        // What the schema asks of an adapter's answer beyond its types, asked here
        // too: a Rust value can hold JSON that is not canonical.
        check_outcome(&outcome).map_err(|v| AdapterError::Protocol {
            reason: v.reason,
            excerpt: None,
            stderr: None,
        })?;
        Ok(outcome)
    }

    async fn encode(&self, request: &EncodeRequest) -> Result<Encoded, AdapterError> {
        reply(guarded("encode", || self.decoder.encode(request)))
    }
}
