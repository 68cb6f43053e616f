#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod error;
mod harness;
mod in_process;
mod ruling;

pub use error::HarnessError;
pub use harness::{Harness, VECTORS_ENV};

/// The messages of protocol v1 that a [`Decoder`] reads and answers, re-exported
/// so that a test depends on this crate alone.
pub use c169_model::protocol;
pub use c169_model::protocol::{
    DecodeRequest, Description, EncodeRequest, Encoded, ErrorBody, ErrorKind,
};
pub use c169_model::{Flag, Outcome, Stage, Verdict, Warning};
/// Which failures fail a test: MUST only (the default, as `c169 run`), MUST and
/// SHOULD, or any.
pub use c169_report::FailOn;
/// libtest-mimic, whose arguments and conclusion [`Harness::run_with_args`] takes
/// and gives.
pub use libtest_mimic;

/// A Claim 169 decoder (and, optionally, encoder) under test, called in process.
///
/// The methods answer the three operations of protocol v1 (adapters/PROTOCOL.md):
/// the same requests a subprocess or HTTP adapter receives as JSON arrive here as
/// values. Calls come from several test threads at once.
pub trait Decoder: Send + Sync {
    /// What the decoder claims it can do. A vector that needs a capability not
    /// claimed here (an algorithm, decryption, a validation time, an image, the
    /// `encode` op) is reported `ignored`, with that reason; never `ok`.
    fn describe(&self) -> Description;

    /// Decodes one credential (`request.qr`, or the PNG in `request.image` for a
    /// decoder that claims `decode_image`), with the keys and the validation time
    /// given.
    ///
    /// A rejected credential is `Ok`, with `verdict: reject` and the stage that
    /// rejected it. `Err` is not a verdict: [`ErrorKind::Unsupported`] says the
    /// decoder cannot take this case (reported `ignored`, with the message);
    /// any other kind fails the test, as a panic does.
    fn decode(&self, request: &DecodeRequest) -> Result<Outcome, ErrorBody>;

    /// Produces a QR text, for a decoder whose [`Decoder::describe`] claims the
    /// `encode` op. Without it the encoder vectors are `ignored`, and this
    /// default is never called.
    fn encode(&self, request: &EncodeRequest) -> Result<Encoded, ErrorBody> {
        let _ = request;
        Err(ErrorBody::new(
            ErrorKind::Unsupported,
            "this implementation does not encode",
        ))
    }
}
