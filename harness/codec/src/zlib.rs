//! zlib (RFC 1950) around DEFLATE (RFC 1951): a bounded, strict inflate and a
//! deflate with every knob the vector generator needs. To be written.
