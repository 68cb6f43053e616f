//! A bounded CBOR (RFC 8949) reader and a configurable writer. To be written.
