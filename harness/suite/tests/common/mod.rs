//! What the suite's integration tests share.

#![allow(dead_code, clippy::panic)] // each test uses what it needs; a panic stops the test

use async_trait::async_trait;
use c169_adapter::protocol::{Abilities, DecodeRequest, Description, EncodeRequest, Encoded};
use c169_adapter::{AdapterError, Implementation, Reference};
use c169_model::Outcome;

/// The reference, declaring no capability at all, nor the encode op.
#[derive(Debug)]
pub struct DeclaresNothing;

#[async_trait]
impl Implementation for DeclaresNothing {
    fn label(&self) -> String {
        "declares-nothing".into()
    }
    async fn describe(&self) -> Result<Description, AdapterError> {
        let mut d = Reference.describe().await?;
        d.algorithms.sign.clear();
        d.algorithms.encrypt.clear();
        d.options = Abilities::default();
        d.capabilities.clear();
        d.ops.retain(|o| o != "encode");
        Ok(d)
    }
    async fn decode(&self, request: &DecodeRequest) -> Result<Outcome, AdapterError> {
        Reference.decode(request).await
    }
    async fn encode(&self, _: &EncodeRequest) -> Result<Encoded, AdapterError> {
        panic!("asked to encode, though it does not declare the encode op")
    }
}
