//! Signature and content-encryption primitives of COSE (RFC 9053). To be written.
