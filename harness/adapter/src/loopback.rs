//! The protocol without a transport: every call is written as a request line,
//! served by [`crate::serve::handle`] and read back as a reply, all in-process.
//! It measures (and tests) what the JSON encoding alone costs and changes.

use crate::reply::{
    expect_decode, expect_describe, expect_encode, judge, request_bytes, Bad, NoMembers,
};
use crate::serve::{handle, response_bytes};
use crate::transcript::{note, Entry};
use crate::{AdapterError, Implementation};
use async_trait::async_trait;
use c169_model::protocol::{DecodeRequest, Description, EncodeRequest, Encoded, Op, Reply};
use c169_model::Outcome;
use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};

/// `inner` reached through the protocol's JSON, without a process or a socket.
#[derive(Debug)]
pub struct Loopback<I> {
    inner: I,
    next_id: AtomicU64,
    transcript: Option<crate::Transcript>,
}

impl<I: Implementation> Loopback<I> {
    pub fn new(inner: I) -> Self {
        Loopback {
            inner,
            next_id: AtomicU64::new(1),
            transcript: None,
        }
    }

    /// Copies every request line and reply into `transcript`.
    #[must_use]
    pub fn with_transcript(mut self, transcript: crate::Transcript) -> Self {
        self.transcript = Some(transcript);
        self
    }

    async fn exchange<T: Serialize + Sync + ?Sized>(
        &self,
        op: Op,
        body: &T,
    ) -> Result<Reply, AdapterError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let request = request_bytes(id, op, body)?;
        let transcript = self.transcript.as_ref();
        note(transcript, || Entry::Sent {
            op: op.to_string(),
            bytes: request.clone(),
        });
        let response = response_bytes(&handle(&self.inner, &request).await);
        note(transcript, || Entry::Received(response.clone()));
        judge(&response, op, id).map_err(Bad::into_error)
    }
}

#[async_trait]
impl<I: Implementation> Implementation for Loopback<I> {
    fn label(&self) -> String {
        format!("{} (loopback)", self.inner.label())
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
