//! A bounded CBOR (RFC 8949) reader and a configurable writer.
//!
//! The reader keeps everything the wire says ([`Value`] keeps duplicate keys, key
//! order, simple values and tags), rejects what is not well-formed, and bounds
//! what its input can make it allocate or recurse: nesting depth and item counts
//! are limits, and no length read from the input is trusted for preallocation.
//!
//! The writer uses preferred serialization by default and can be told to write
//! indefinite lengths or reorder map keys, for deliberately unusual vectors.

use c169_model::Value;

// Diagnostic notation is the model's, beside canonical JSON; this path stays for callers.
pub use c169_model::diagnostic;

/// The deepest nesting the reader accepts whatever the caller asks: recursion
/// depth must stay far below the smallest thread stack it may run on.
pub const HARD_MAX_DEPTH: usize = 512;

/// Bounds on what one CBOR item may make the reader do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    /// Deepest nesting of arrays, maps and tags (capped at [`HARD_MAX_DEPTH`]).
    pub max_depth: usize,
    /// Most items in one array or pairs in one map.
    pub max_items: usize,
}

impl Default for ReadLimits {
    fn default() -> Self {
        ReadLimits {
            max_depth: 64,
            max_items: 16 * 1024,
        }
    }
}

/// Why bytes are not one well-formed CBOR item within the limits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CborError {
    #[error("the input ends inside an item at offset {offset}")]
    UnexpectedEnd { offset: usize },
    #[error(
        "reserved additional information {info} in initial byte {byte:#04x} at offset {offset}"
    )]
    ReservedAdditionalInfo { offset: usize, byte: u8, info: u8 },
    #[error("indefinite length is not allowed for major type {major} at offset {offset}")]
    IndefiniteNotAllowed { offset: usize, major: u8 },
    #[error("a chunk of an indefinite-length string at offset {offset} is not a definite string of the same type")]
    BadStringChunk { offset: usize },
    #[error("a break code (0xff) outside an indefinite-length item at offset {offset}")]
    UnexpectedBreak { offset: usize },
    #[error("text string at offset {offset} is not valid UTF-8")]
    InvalidUtf8 { offset: usize },
    #[error("simple value {value} at offset {offset} uses the two-byte form, which is reserved for values 32-255")]
    BadSimpleValue { offset: usize, value: u8 },
    #[error("{count} bytes follow the item that ends at offset {offset}")]
    TrailingBytes { offset: usize, count: usize },
    #[error("nesting deeper than {limit} at offset {offset}")]
    TooDeep { offset: usize, limit: usize },
    #[error(
        "an array or map at offset {offset} declares {declared} items, above the limit of {limit}"
    )]
    TooManyItems {
        offset: usize,
        declared: u64,
        limit: usize,
    },
}

impl CborError {
    /// Whether this is a breach of a resource limit rather than malformed input.
    #[must_use]
    pub fn is_limit(&self) -> bool {
        matches!(
            self,
            CborError::TooDeep { .. } | CborError::TooManyItems { .. }
        )
    }

    /// A short stable name of the fault, for machine codes (`<stage>.cbor_<name>`).
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            CborError::UnexpectedEnd { .. } => "truncated",
            CborError::ReservedAdditionalInfo { .. } => "reserved_info",
            CborError::IndefiniteNotAllowed { .. } => "bad_indefinite",
            CborError::BadStringChunk { .. } => "bad_chunk",
            CborError::UnexpectedBreak { .. } => "unexpected_break",
            CborError::InvalidUtf8 { .. } => "invalid_utf8",
            CborError::BadSimpleValue { .. } => "bad_simple",
            CborError::TrailingBytes { .. } => "trailing_bytes",
            CborError::TooDeep { .. } => "depth",
            CborError::TooManyItems { .. } => "items",
        }
    }
}

/// Reads exactly one item; bytes after it are an error.
pub fn decode(bytes: &[u8], limits: ReadLimits) -> Result<Value, CborError> {
    let (value, used) = decode_prefix(bytes, limits)?;
    if used < bytes.len() {
        return Err(CborError::TrailingBytes {
            offset: used,
            count: bytes.len() - used,
        });
    }
    Ok(value)
}

/// Reads one item from the start of `bytes`; returns it and the bytes it took.
pub fn decode_prefix(bytes: &[u8], limits: ReadLimits) -> Result<(Value, usize), CborError> {
    let mut reader = Reader {
        input: bytes,
        pos: 0,
        max_depth: limits.max_depth.min(HARD_MAX_DEPTH),
        max_items: limits.max_items,
    };
    let value = reader.item(0)?;
    Ok((value, reader.pos))
}

struct Reader<'a> {
    input: &'a [u8],
    pos: usize,
    max_depth: usize,
    max_items: usize,
}

/// What an initial byte and its argument say.
enum Head {
    /// Major type and argument.
    Definite(u8, u64),
    /// Major type 2–5 with additional information 31.
    Indefinite(u8),
    Break,
}

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8, CborError> {
        let b = *self
            .input
            .get(self.pos)
            .ok_or(CborError::UnexpectedEnd { offset: self.pos })?;
        self.pos += 1;
        Ok(b)
    }

    fn take(&mut self, n: u64) -> Result<&[u8], CborError> {
        let start = self.pos;
        let end = usize::try_from(n)
            .ok()
            .and_then(|n| start.checked_add(n))
            .filter(|end| *end <= self.input.len())
            .ok_or(CborError::UnexpectedEnd {
                offset: self.input.len(),
            })?;
        self.pos = end;
        self.input
            .get(start..end)
            .ok_or(CborError::UnexpectedEnd { offset: start })
    }

    fn uint(&mut self, n: usize) -> Result<u64, CborError> {
        let bytes = self.take(n as u64)?;
        Ok(bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
    }

    fn head(&mut self) -> Result<Head, CborError> {
        let offset = self.pos;
        let byte = self.byte()?;
        let major = byte >> 5;
        let info = byte & 0x1f;
        let arg = match info {
            0..=23 => u64::from(info),
            24 => self.uint(1)?,
            25 => self.uint(2)?,
            26 => self.uint(4)?,
            27 => self.uint(8)?,
            28..=30 => return Err(CborError::ReservedAdditionalInfo { offset, byte, info }),
            _ => {
                return match major {
                    2..=5 => Ok(Head::Indefinite(major)),
                    7 => Ok(Head::Break),
                    _ => Err(CborError::IndefiniteNotAllowed { offset, major }),
                };
            }
        };
        Ok(Head::Definite(major, arg))
    }

    fn item(&mut self, depth: usize) -> Result<Value, CborError> {
        let offset = self.pos;
        match self.head()? {
            Head::Break => Err(CborError::UnexpectedBreak { offset }),
            Head::Indefinite(major) => self.indefinite(major, depth, offset),
            Head::Definite(major, arg) => self.definite(major, arg, depth, offset),
        }
    }

    fn definite(
        &mut self,
        major: u8,
        arg: u64,
        depth: usize,
        offset: usize,
    ) -> Result<Value, CborError> {
        Ok(match major {
            0 => Value::Integer(i128::from(arg)),
            1 => Value::Integer(-1 - i128::from(arg)),
            2 => Value::Bytes(self.take(arg)?.to_vec()),
            3 => Value::Text(text(self.take(arg)?, offset)?),
            4 => {
                let count = self.count(arg, 1, offset)?;
                let depth = self.enter(depth, offset)?;
                let mut items = Vec::with_capacity(count);
                for _ in 0..count {
                    items.push(self.item(depth)?);
                }
                Value::Array(items)
            }
            5 => {
                let count = self.count(arg, 2, offset)?;
                let depth = self.enter(depth, offset)?;
                let mut entries = Vec::with_capacity(count);
                for _ in 0..count {
                    let k = self.item(depth)?;
                    let v = self.item(depth)?;
                    entries.push((k, v));
                }
                Value::Map(entries)
            }
            6 => {
                let depth = self.enter(depth, offset)?;
                Value::Tag(arg, Box::new(self.item(depth)?))
            }
            _ => simple_or_float(
                arg,
                self.input.get(offset).copied().unwrap_or(0) & 0x1f,
                offset,
            )?,
        })
    }

    /// A declared item count, checked against the limit and against what the
    /// remaining input could possibly hold (each item takes at least one byte).
    fn count(
        &self,
        declared: u64,
        bytes_per_item: usize,
        offset: usize,
    ) -> Result<usize, CborError> {
        // Malformed first (RFC 8949 §5.1: a declared length longer than the input),
        // then the limit: the same defect is reported the same way at any size.
        let remaining = self.input.len().saturating_sub(self.pos) as u64;
        if declared.saturating_mul(bytes_per_item as u64) > remaining {
            return Err(CborError::UnexpectedEnd {
                offset: self.input.len(),
            });
        }
        if declared > self.max_items as u64 {
            return Err(CborError::TooManyItems {
                offset,
                declared,
                limit: self.max_items,
            });
        }
        Ok(usize::try_from(declared).unwrap_or(usize::MAX))
    }

    fn enter(&self, depth: usize, offset: usize) -> Result<usize, CborError> {
        if depth >= self.max_depth {
            return Err(CborError::TooDeep {
                offset,
                limit: self.max_depth,
            });
        }
        Ok(depth + 1)
    }

    fn indefinite(&mut self, major: u8, depth: usize, offset: usize) -> Result<Value, CborError> {
        match major {
            2 | 3 => {
                let mut buf = Vec::new();
                loop {
                    let chunk_offset = self.pos;
                    match self.head()? {
                        Head::Break => break,
                        Head::Definite(m, len) if m == major => {
                            buf.extend_from_slice(self.take(len)?);
                        }
                        _ => {
                            return Err(CborError::BadStringChunk {
                                offset: chunk_offset,
                            })
                        }
                    }
                }
                if major == 2 {
                    Ok(Value::Bytes(buf))
                } else {
                    Ok(Value::Text(text(&buf, offset)?))
                }
            }
            4 => {
                let depth = self.enter(depth, offset)?;
                let mut items = Vec::new();
                while !self.at_break()? {
                    self.check_items(items.len(), offset)?;
                    items.push(self.item(depth)?);
                }
                Ok(Value::Array(items))
            }
            _ => {
                let depth = self.enter(depth, offset)?;
                let mut entries = Vec::new();
                while !self.at_break()? {
                    self.check_items(entries.len(), offset)?;
                    let k = self.item(depth)?;
                    let v = self.item(depth)?;
                    entries.push((k, v));
                }
                Ok(Value::Map(entries))
            }
        }
    }

    fn check_items(&self, have: usize, offset: usize) -> Result<(), CborError> {
        if have >= self.max_items {
            return Err(CborError::TooManyItems {
                offset,
                declared: have as u64 + 1,
                limit: self.max_items,
            });
        }
        Ok(())
    }

    /// Consumes a break code if one is next.
    fn at_break(&mut self) -> Result<bool, CborError> {
        match self.input.get(self.pos) {
            Some(0xff) => {
                self.pos += 1;
                Ok(true)
            }
            Some(_) => Ok(false),
            None => Err(CborError::UnexpectedEnd { offset: self.pos }),
        }
    }
}

fn text(bytes: &[u8], offset: usize) -> Result<String, CborError> {
    std::str::from_utf8(bytes)
        .map(str::to_owned)
        .map_err(|_| CborError::InvalidUtf8 { offset })
}

fn simple_or_float(arg: u64, info: u8, offset: usize) -> Result<Value, CborError> {
    Ok(match info {
        0..=19 => Value::Simple(info),
        20 => Value::Bool(false),
        21 => Value::Bool(true),
        22 => Value::Null,
        23 => Value::Undefined,
        24 if arg < 32 => {
            return Err(CborError::BadSimpleValue {
                offset,
                value: arg as u8,
            })
        }
        24 => Value::Simple(arg as u8),
        25 => Value::Float(f16_to_f64(arg as u16)),
        26 => Value::Float(f64::from(f32::from_bits(arg as u32))),
        _ => Value::Float(f64::from_bits(arg)),
    })
}

fn f16_to_f64(half: u16) -> f64 {
    let sign = if half & 0x8000 == 0 { 1.0 } else { -1.0 };
    let exp = i32::from((half >> 10) & 0x1f);
    let mant = f64::from(half & 0x3ff);
    sign * match exp {
        0 => mant * 2f64.powi(-24),
        31 if mant == 0.0 => f64::INFINITY,
        31 => f64::NAN,
        _ => (1.0 + mant / 1024.0) * 2f64.powi(exp - 15),
    }
}

/// The half-precision bits of `f`, when half precision holds it exactly.
fn f64_to_f16_exact(f: f64) -> Option<u16> {
    if f.is_nan() {
        return Some(0x7e00);
    }
    let sign: u16 = if f.is_sign_negative() { 0x8000 } else { 0 };
    let a = f.abs();
    if a == 0.0 {
        return Some(sign);
    }
    if a.is_infinite() {
        return Some(sign | 0x7c00);
    }
    let exp = ((a.to_bits() >> 52) & 0x7ff) as i32 - 1023;
    if (-14..=15).contains(&exp) {
        let mant = (a / 2f64.powi(exp) - 1.0) * 1024.0;
        (mant.fract() == 0.0).then(|| sign | (((exp + 15) as u16) << 10) | mant as u16)
    } else if exp < -14 {
        let mant = a / 2f64.powi(-24);
        (mant.fract() == 0.0 && mant < 1024.0).then_some(sign | mant as u16)
    } else {
        None
    }
}

/// How map keys are ordered when writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeyOrder {
    /// As the value lists them.
    #[default]
    AsGiven,
    /// Bytewise lexicographic order of the encoded keys (RFC 8949 §4.2.1).
    Deterministic,
    /// The reverse of the deterministic order.
    Reversed,
}

/// How to write CBOR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WriteStyle {
    /// Write arrays, maps and strings with indefinite lengths.
    pub indefinite: bool,
    pub key_order: KeyOrder,
}

/// Why a value cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CborWriteError {
    #[error("integer {value} is outside CBOR's range -2^64 .. 2^64-1")]
    IntegerOutOfRange { value: i128 },
    #[error("simple value {value} has its own form or is reserved (20-31)")]
    ReservedSimple { value: u8 },
}

/// Writes `value` with preferred serialization and definite lengths.
pub fn encode(value: &Value) -> Result<Vec<u8>, CborWriteError> {
    encode_with(value, WriteStyle::default())
}

/// Writes `value` in the given style.
pub fn encode_with(value: &Value, style: WriteStyle) -> Result<Vec<u8>, CborWriteError> {
    let mut out = Vec::new();
    write(&mut out, value, style)?;
    Ok(out)
}

/// Writes the head of an item: major type and argument in the shortest form.
pub fn write_head(out: &mut Vec<u8>, major: u8, arg: u64) {
    let m = major << 5;
    if arg < 24 {
        out.push(m | arg as u8);
    } else if arg <= 0xff {
        out.extend_from_slice(&[m | 0x18, arg as u8]);
    } else if arg <= 0xffff {
        out.push(m | 0x19);
        out.extend_from_slice(&(arg as u16).to_be_bytes());
    } else if arg <= 0xffff_ffff {
        out.push(m | 0x1a);
        out.extend_from_slice(&(arg as u32).to_be_bytes());
    } else {
        out.push(m | 0x1b);
        out.extend_from_slice(&arg.to_be_bytes());
    }
}

fn write(out: &mut Vec<u8>, value: &Value, style: WriteStyle) -> Result<(), CborWriteError> {
    match value {
        Value::Integer(i) => {
            let i = *i;
            if (0..=i128::from(u64::MAX)).contains(&i) {
                write_head(out, 0, i as u64);
            } else if (-(1i128 << 64)..0).contains(&i) {
                write_head(out, 1, (-1 - i) as u64);
            } else {
                return Err(CborWriteError::IntegerOutOfRange { value: i });
            }
        }
        Value::Bytes(b) => write_string(out, 2, b, style),
        Value::Text(t) => write_string(out, 3, t.as_bytes(), style),
        Value::Array(items) => {
            open(out, 4, items.len(), style);
            for item in items {
                write(out, item, style)?;
            }
            close(out, style);
        }
        Value::Map(entries) => {
            open(out, 5, entries.len(), style);
            if style.key_order == KeyOrder::AsGiven {
                for (k, v) in entries {
                    write(out, k, style)?;
                    write(out, v, style)?;
                }
            } else {
                let mut encoded = entries
                    .iter()
                    .map(|(k, v)| Ok((encode_with(k, style)?, v)))
                    .collect::<Result<Vec<_>, CborWriteError>>()?;
                encoded.sort_by(|a, b| a.0.cmp(&b.0));
                if style.key_order == KeyOrder::Reversed {
                    encoded.reverse();
                }
                for (k, v) in encoded {
                    out.extend_from_slice(&k);
                    write(out, v, style)?;
                }
            }
            close(out, style);
        }
        Value::Tag(tag, inner) => {
            write_head(out, 6, *tag);
            write(out, inner, style)?;
        }
        Value::Bool(false) => out.push(0xf4),
        Value::Bool(true) => out.push(0xf5),
        Value::Null => out.push(0xf6),
        Value::Undefined => out.push(0xf7),
        Value::Simple(n) => match *n {
            0..=19 => out.push(0xe0 | n),
            20..=31 => return Err(CborWriteError::ReservedSimple { value: *n }),
            _ => out.extend_from_slice(&[0xf8, *n]),
        },
        Value::Float(f) => write_float(out, *f),
    }
    Ok(())
}

fn write_string(out: &mut Vec<u8>, major: u8, bytes: &[u8], style: WriteStyle) {
    if style.indefinite {
        out.push((major << 5) | 31);
        write_head(out, major, bytes.len() as u64);
        out.extend_from_slice(bytes);
        out.push(0xff);
    } else {
        write_head(out, major, bytes.len() as u64);
        out.extend_from_slice(bytes);
    }
}

fn open(out: &mut Vec<u8>, major: u8, len: usize, style: WriteStyle) {
    if style.indefinite {
        out.push((major << 5) | 31);
    } else {
        write_head(out, major, len as u64);
    }
}

fn close(out: &mut Vec<u8>, style: WriteStyle) {
    if style.indefinite {
        out.push(0xff);
    }
}

/// The shortest of half, single and double precision that holds `f` exactly.
#[allow(clippy::float_cmp)] // exactness is the point: the narrower form must hold the very same value
fn write_float(out: &mut Vec<u8>, f: f64) {
    if let Some(h) = f64_to_f16_exact(f) {
        out.push(0xf9);
        out.extend_from_slice(&h.to_be_bytes());
    } else if f64::from(f as f32) == f {
        out.push(0xfa);
        out.extend_from_slice(&(f as f32).to_bits().to_be_bytes());
    } else {
        out.push(0xfb);
        out.extend_from_slice(&f.to_bits().to_be_bytes());
    }
}

#[cfg(test)]
mod tests;
