//! Keys as JWK (RFC 7517, RFC 8037). To be written.
