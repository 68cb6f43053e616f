//! zlib (RFC 1950) around DEFLATE (RFC 1951): a bounded, strict inflate and a
//! deflate with every knob the vector generator needs.
//!
//! The second layer of a Claim 169 QR text. [`inflate`] parses the two-byte header and
//! the Adler-32 trailer itself and leaves only the DEFLATE body to flate2 (zlib-rs
//! backend, raw mode), so that every header rule is the suite's and not a library's:
//! any window size is accepted, a preset dictionary is not, and the text must be
//! exactly one stream. Output is produced in bounded steps and never grows past the
//! caller's limit (plus one byte to see the breach).
//!
//! [`deflate`] writes the header itself too, truthfully by default, and can rewrite it
//! through [`HeaderOverride`] to build broken vectors.

use c169_model::Stage;
use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

#[cfg(test)]
mod tests;

/// The compression method RFC 1950 defines: DEFLATE.
const CM_DEFLATE: u8 = 8;

/// The header byte pair of a zlib stream, as read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZlibHeader {
    /// CMF: compression method (low nibble) and window size (high nibble, CINFO).
    pub cmf: u8,
    /// FLG: check bits, preset-dictionary flag, compression level.
    pub flg: u8,
    /// The base-2 logarithm of the window the header declares, CINFO + 8 (8..=15).
    pub window_bits: u8,
    /// FLEVEL, informative only (0 fastest … 3 maximum).
    pub flevel: u8,
}

/// A successfully inflated stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inflated {
    pub data: Vec<u8>,
    pub header: ZlibHeader,
    /// The trailer's Adler-32, which matched the data.
    pub adler32: u32,
}

/// Why bytes are not one valid zlib stream (or inflate to too much).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ZlibError {
    #[error("the zlib stream is empty")]
    Empty,
    #[error("the zlib header is truncated: one byte of two")]
    TruncatedHeader,
    #[error("compression method {cm} is not DEFLATE (8)")]
    BadCompressionMethod { cm: u8 },
    #[error("window size field CINFO {cinfo} is above 7 (32 KiB)")]
    BadWindowSize { cinfo: u8 },
    #[error("header check failed: CMF {cmf:#04x}, FLG {flg:#04x} is not a multiple of 31")]
    BadHeaderCheck { cmf: u8, flg: u8 },
    #[error("the stream asks for a preset dictionary, which Claim 169 does not define")]
    PresetDictionary,
    /// The DEFLATE body is malformed; `offset` is where in the input the inflater stopped.
    #[error("invalid DEFLATE data near offset {offset}: {reason}")]
    InvalidDeflate { offset: usize, reason: String },
    #[error("the DEFLATE data ends before its final block does")]
    TruncatedStream,
    /// The Adler-32 trailer is missing or short; `found` is how many of its 4 bytes exist.
    #[error("the Adler-32 trailer is truncated: {found} of 4 bytes")]
    TruncatedTrailer { found: usize },
    #[error(
        "Adler-32 mismatch: the trailer says {expected:#010x}, the data gives {computed:#010x}"
    )]
    BadAdler32 { expected: u32, computed: u32 },
    #[error("{count} bytes follow the end of the zlib stream")]
    TrailingBytes { count: usize },
    #[error("the stream inflates to more than {limit} bytes")]
    OutputTooLarge { limit: usize },
}

impl ZlibError {
    /// The stable machine code of this rejection.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            ZlibError::Empty => "zlib.empty",
            ZlibError::TruncatedHeader => "zlib.truncated_header",
            ZlibError::BadCompressionMethod { .. } => "zlib.bad_compression_method",
            ZlibError::BadWindowSize { .. } => "zlib.bad_window_size",
            ZlibError::BadHeaderCheck { .. } => "zlib.bad_header_check",
            ZlibError::PresetDictionary => "zlib.preset_dictionary",
            ZlibError::InvalidDeflate { .. } => "zlib.invalid_deflate",
            ZlibError::TruncatedStream => "zlib.truncated_stream",
            ZlibError::TruncatedTrailer { .. } => "zlib.truncated_trailer",
            ZlibError::BadAdler32 { .. } => "zlib.bad_adler32",
            ZlibError::TrailingBytes { .. } => "zlib.trailing_bytes",
            ZlibError::OutputTooLarge { .. } => "limit.decompressed_size",
        }
    }

    /// The pipeline stage this rejection belongs to.
    #[must_use]
    pub fn stage(&self) -> Stage {
        match self {
            ZlibError::OutputTooLarge { .. } => Stage::Limit,
            _ => Stage::Zlib,
        }
    }
}

/// Adler-32 (RFC 1950 §8.2) of `data`.
#[must_use]
pub fn adler32(data: &[u8]) -> u32 {
    adler2::adler32_slice(data)
}

/// Parses and checks the two header bytes.
fn parse_header(input: &[u8]) -> Result<ZlibHeader, ZlibError> {
    let (cmf, flg) = match *input {
        [] => return Err(ZlibError::Empty),
        [_] => return Err(ZlibError::TruncatedHeader),
        [cmf, flg, ..] => (cmf, flg),
    };
    // CINFO is only defined for CM 8, so the method is judged first.
    let cm = cmf & 0x0F;
    if cm != CM_DEFLATE {
        return Err(ZlibError::BadCompressionMethod { cm });
    }
    let cinfo = cmf >> 4;
    if cinfo > 7 {
        return Err(ZlibError::BadWindowSize { cinfo });
    }
    if (u16::from(cmf) << 8 | u16::from(flg)) % 31 != 0 {
        return Err(ZlibError::BadHeaderCheck { cmf, flg });
    }
    if flg & 0x20 != 0 {
        return Err(ZlibError::PresetDictionary);
    }
    Ok(ZlibHeader {
        cmf,
        flg,
        window_bits: cinfo + 8,
        flevel: flg >> 6,
    })
}

/// First output buffer for a body of `len` bytes: room for a typical Claim 169
/// compression ratio, so that most streams inflate in one call.
fn initial_capacity(len: usize) -> usize {
    len.saturating_mul(4).max(1024)
}

/// Inflates one zlib stream of exactly `input`, producing at most `max_output` bytes.
///
/// The declared window (CINFO) is reported, not enforced against match distances, as
/// zlib itself does; any CINFO from 0 to 7 is accepted.
pub fn inflate(input: &[u8], max_output: usize) -> Result<Inflated, ZlibError> {
    let header = parse_header(input)?;
    let body = input.get(2..).unwrap_or_default();

    // One byte beyond the limit tells "exactly the limit" from "more than the limit".
    let cap = max_output.saturating_add(1);
    let mut data = Vec::with_capacity(initial_capacity(body.len()).min(cap));
    // Raw mode: the header and trailer are ours. 15 bits accepts every distance a
    // smaller declared window allows.
    let mut inflater = Decompress::new(false);
    let consumed = loop {
        let consumed = usize::try_from(inflater.total_in()).unwrap_or(usize::MAX);
        let rest = body.get(consumed..).unwrap_or_default();
        // Finish lets zlib skip its sliding window when the output fits in one call,
        // and it still resumes after a call that ran out of room.
        let status = inflater
            .decompress_vec(rest, &mut data, FlushDecompress::Finish)
            .map_err(|e| {
                let consumed = usize::try_from(inflater.total_in()).unwrap_or(usize::MAX);
                ZlibError::InvalidDeflate {
                    offset: consumed.saturating_add(2),
                    reason: e.message().unwrap_or("invalid DEFLATE data").to_owned(),
                }
            })?;
        if data.len() > max_output {
            return Err(ZlibError::OutputTooLarge { limit: max_output });
        }
        if status == Status::StreamEnd {
            break usize::try_from(inflater.total_in()).unwrap_or(usize::MAX);
        }
        if data.len() < data.capacity() {
            // Room left and no end: the inflater ran out of input.
            return Err(ZlibError::TruncatedStream);
        }
        // Full: double, never past the limit + 1 (the length check above stops us
        // before a full buffer of `cap` bytes comes round again).
        let want = data.capacity().saturating_mul(2).min(cap);
        data.reserve_exact(want.saturating_sub(data.len()));
    };

    let after = body.get(consumed..).unwrap_or_default();
    let Some((trailer, trailing)) = after.split_first_chunk::<4>() else {
        return Err(ZlibError::TruncatedTrailer { found: after.len() });
    };
    let expected = u32::from_be_bytes(*trailer);
    let computed = adler32(&data);
    if expected != computed {
        return Err(ZlibError::BadAdler32 { expected, computed });
    }
    if !trailing.is_empty() {
        return Err(ZlibError::TrailingBytes {
            count: trailing.len(),
        });
    }
    Ok(Inflated {
        data,
        header,
        adler32: computed,
    })
}

/// How [`deflate`] compresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZlibOptions {
    /// Compression level, 0 (stored) to 9.
    pub level: u8,
    /// The base-2 logarithm of the window, 8 to 15; the header states it.
    pub window_bits: u8,
    /// Header rewrites for broken vectors; the default rewrites nothing.
    pub header: HeaderOverride,
}

impl Default for ZlibOptions {
    /// zlib's defaults: level 6, a 32 KiB window, so the stream starts `78 9C`.
    fn default() -> Self {
        ZlibOptions {
            level: 6,
            window_bits: 15,
            header: HeaderOverride::default(),
        }
    }
}

/// Rewrites of the zlib header, to build streams a strict decoder must reject.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeaderOverride {
    /// Replaces CM (0..=15).
    pub cm: Option<u8>,
    /// Replaces CINFO (0..=15).
    pub cinfo: Option<u8>,
    /// Sets FDICT, and inserts the DICTID RFC 1950 then requires.
    pub fdict: bool,
    /// Replaces FLEVEL (0..=3).
    pub flevel: Option<u8>,
    /// Makes FCHECK wrong instead of right.
    pub break_check: bool,
}

/// Why [`deflate`] could not honour its options.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ZlibEncodeError {
    #[error("compression level {level} is outside 0..=9")]
    BadLevel { level: u8 },
    #[error("window bits {window_bits} is outside 8..=15")]
    BadWindowBits { window_bits: u8 },
    /// A header override does not fit its bit field.
    #[error("header field {field} = {value} does not fit (maximum {max})")]
    OverrideOutOfRange {
        field: &'static str,
        value: u8,
        max: u8,
    },
    /// The compressor failed (not expected with valid options).
    #[error("the compressor failed: {reason}")]
    Compressor { reason: String },
}

impl ZlibEncodeError {
    /// The stable machine code of this failure.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            ZlibEncodeError::BadLevel { .. } => "zlib_encode.bad_level",
            ZlibEncodeError::BadWindowBits { .. } => "zlib_encode.bad_window_bits",
            ZlibEncodeError::OverrideOutOfRange { .. } => "zlib_encode.override_out_of_range",
            ZlibEncodeError::Compressor { .. } => "zlib_encode.compressor",
        }
    }
}

/// The DICTID written after a header with FDICT: the Adler-32 of the empty dictionary.
const EMPTY_DICTID: [u8; 4] = [0, 0, 0, 1];

/// Largest stored block (LEN is 16 bits).
const STORED_MAX: usize = 0xFFFF;

/// FLEVEL as zlib sets it for a level.
fn flevel_for(level: u8) -> u8 {
    match level {
        0 | 1 => 0,
        2..=5 => 1,
        6 => 2,
        _ => 3,
    }
}

fn check_range(field: &'static str, value: Option<u8>, max: u8) -> Result<(), ZlibEncodeError> {
    match value {
        Some(value) if value > max => {
            Err(ZlibEncodeError::OverrideOutOfRange { field, value, max })
        }
        _ => Ok(()),
    }
}

/// CMF and FLG for the given fields, FCHECK made right (or wrong if `break_check`).
fn header_bytes(cm: u8, cinfo: u8, fdict: bool, flevel: u8, break_check: bool) -> [u8; 2] {
    let cmf = cinfo << 4 | cm;
    let flg = flevel << 6 | u8::from(fdict) << 5;
    let rem = (u16::from(cmf) << 8 | u16::from(flg)) % 31;
    let right = ((31 - rem) % 31) as u8;
    // Any value other than `right` modulo 31 fails the check; stays within 5 bits.
    let fcheck = if break_check { (right + 1) % 31 } else { right };
    [cmf, flg | fcheck]
}

/// DEFLATE stored blocks (RFC 1951 §3.2.4) holding `data`: no matches, so no distance
/// can exceed any window.
fn stored_blocks(data: &[u8], out: &mut Vec<u8>) {
    let mut blocks = data.chunks(STORED_MAX).peekable();
    if blocks.peek().is_none() {
        // An empty input is one empty final block.
        out.extend_from_slice(&[0x01, 0x00, 0x00, 0xFF, 0xFF]);
    }
    while let Some(block) = blocks.next() {
        let bfinal = u8::from(blocks.peek().is_none());
        // BFINAL in bit 0, BTYPE 00; the rest of the byte pads to the boundary.
        out.push(bfinal);
        let len = block.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
}

/// Raw DEFLATE of `data` by zlib-rs, appended to `out`.
fn compressed_blocks(
    data: &[u8],
    level: u8,
    window_bits: u8,
    out: &mut Vec<u8>,
) -> Result<(), ZlibEncodeError> {
    let mut compressor =
        Compress::new_with_window_bits(Compression::new(u32::from(level)), false, window_bits);
    let start = out.len();
    // zlib's deflateBound is about len + len/1000 + a few dozen bytes; start a little above.
    out.reserve(data.len() + data.len() / 8 + 64);
    loop {
        let consumed = usize::try_from(compressor.total_in()).unwrap_or(usize::MAX);
        let rest = data.get(consumed..).unwrap_or_default();
        let status = compressor
            .compress_vec(rest, out, FlushCompress::Finish)
            .map_err(|e| ZlibEncodeError::Compressor {
                reason: e.message().unwrap_or("compression failed").to_owned(),
            })?;
        if status == Status::StreamEnd {
            return Ok(());
        }
        if out.len() == out.capacity() {
            out.reserve(out.len() - start + 64);
        } else if status == Status::BufError {
            return Err(ZlibEncodeError::Compressor {
                reason: "no progress".to_owned(),
            });
        }
    }
}

/// Compresses `data` into one zlib stream.
///
/// Deterministic: the body comes from zlib-rs at the version Cargo.lock pins (no
/// CPU-dependent choices in its matcher), or from stored blocks written here.
pub fn deflate(data: &[u8], options: &ZlibOptions) -> Result<Vec<u8>, ZlibEncodeError> {
    let ZlibOptions {
        level,
        window_bits,
        ref header,
    } = *options;
    if level > 9 {
        return Err(ZlibEncodeError::BadLevel { level });
    }
    if !(8..=15).contains(&window_bits) {
        return Err(ZlibEncodeError::BadWindowBits { window_bits });
    }
    check_range("cm", header.cm, 15)?;
    check_range("cinfo", header.cinfo, 15)?;
    check_range("flevel", header.flevel, 3)?;

    // zlib (and zlib-rs) will not compress with a 256-byte window: windowBits 8 is
    // refused or silently raised to 9, whose matches may reach 512 - 262 = 250 bytes
    // back today but by no contract. An input of at most 256 bytes cannot hold a
    // distance above 255, so any compressor fits a window of 256; a longer one goes
    // into stored blocks, which have no distances at all.
    let stored = level == 0 || (window_bits == 8 && data.len() > 256);
    let effective_level = if stored { 0 } else { level };

    let [cmf, flg] = header_bytes(
        header.cm.unwrap_or(CM_DEFLATE),
        header.cinfo.unwrap_or(window_bits - 8),
        header.fdict,
        header.flevel.unwrap_or_else(|| flevel_for(effective_level)),
        header.break_check,
    );
    let mut out = Vec::with_capacity(data.len() + data.len() / 8 + 64);
    out.extend_from_slice(&[cmf, flg]);
    if header.fdict {
        // RFC 1950 §2.2: with FDICT set, the DICTID follows the header.
        out.extend_from_slice(&EMPTY_DICTID);
    }
    if stored {
        stored_blocks(data, &mut out);
    } else {
        compressed_blocks(data, level, window_bits.max(9), &mut out)?;
    }
    out.extend_from_slice(&adler32(data).to_be_bytes());
    Ok(out)
}
