//! Base45 (RFC 9285), strict as the suite's policy requires.
//!
//! The outermost layer of a Claim 169 QR text: the QR alphanumeric mode carries 45
//! symbols, and Base45 packs two bytes into three of them. The decoder accepts exactly
//! the RFC 9285 language and nothing else: no trimming, no case folding, no padding,
//! and every group must denote a value the encoder could have produced. A rejection
//! names the first fault in reading order, with its character position.

#[cfg(test)]
mod tests;

/// The 45 symbols; a symbol's value is its index.
const ALPHABET: [u8; 45] = *b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/// Marks a byte that is no symbol in [`DECODE`].
const INVALID: u8 = 0xFF;

/// Byte → symbol value, or [`INVALID`]. Every byte of a non-ASCII character is ≥ 0x80
/// and so invalid: a text that passes the table is ASCII, and byte positions are
/// character positions up to the first fault.
// Evaluated at compile time, where a bad index is a build error, not a panic.
#[allow(clippy::indexing_slicing)]
const DECODE: [u8; 256] = {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < ALPHABET.len() {
        table[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// Why a text is not Base45.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Base45Error {
    /// A character outside the 45-symbol alphabet (lowercase, `=`, CR, LF, NUL, non-ASCII …).
    #[error("character {character:?} at position {position} is not in the Base45 alphabet")]
    InvalidCharacter { position: usize, character: char },
    /// A three-symbol group whose value exceeds 65535.
    #[error("the group at position {position} has value {value}, above 65535")]
    TripletOverflow { position: usize, value: u32 },
    /// The length leaves one symbol on its own (length ≡ 1 mod 3).
    #[error("a single symbol dangles at position {position}: the length {length} leaves 1 when divided by 3")]
    DanglingCharacter { position: usize, length: usize },
    /// A final two-symbol group whose value exceeds 255.
    #[error("the final pair at position {position} has value {value}, above 255")]
    PairOverflow { position: usize, value: u32 },
}

impl Base45Error {
    /// The stable machine code of this rejection.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Base45Error::InvalidCharacter { .. } => "base45.invalid_character",
            Base45Error::TripletOverflow { .. } => "base45.triplet_overflow",
            Base45Error::DanglingCharacter { .. } => "base45.dangling_character",
            Base45Error::PairOverflow { .. } => "base45.pair_overflow",
        }
    }
}

/// The symbol of a value below 45.
fn symbol(value: u32) -> char {
    // The callers reduce modulo 45 (or divide 65535 by 2025, giving at most 32), so the
    // fallback is unreachable; it only spares a panic path.
    char::from(ALPHABET.get(value as usize).copied().unwrap_or(b'0'))
}

/// Encodes bytes as Base45 text.
#[must_use]
pub fn encode(bytes: &[u8]) -> String {
    let pairs = bytes.chunks_exact(2);
    let last = pairs.remainder();
    let mut text = String::with_capacity(bytes.len() / 2 * 3 + last.len() * 2);
    for pair in pairs {
        if let [a, b] = *pair {
            let n = u32::from(a) << 8 | u32::from(b);
            text.push(symbol(n % 45));
            text.push(symbol(n / 45 % 45));
            text.push(symbol(n / 2025));
        }
    }
    if let [a] = *last {
        let n = u32::from(a);
        text.push(symbol(n % 45));
        text.push(symbol(n / 45));
    }
    text
}

/// The value of byte `b`, or [`INVALID`].
#[inline]
fn value(b: u8) -> u8 {
    DECODE.get(usize::from(b)).copied().unwrap_or(INVALID)
}

/// The error for the first non-symbol in `text` at or after byte `from`.
///
/// Only called when the group starting at `from` holds one. Everything before `from`
/// was checked to be ASCII, so `from` is a character boundary and the byte index of
/// the fault is also its character index.
#[cold]
fn invalid_character(text: &str, from: usize) -> Base45Error {
    let rest = text.get(from..).unwrap_or("");
    let (offset, character) = rest
        .char_indices()
        .find(|&(_, c)| !c.is_ascii() || value(c as u8) == INVALID)
        .unwrap_or((0, char::REPLACEMENT_CHARACTER));
    Base45Error::InvalidCharacter {
        position: from + offset,
        character,
    }
}

/// Decodes Base45 text, byte for byte: no trimming, no normalisation.
pub fn decode(text: &str) -> Result<Vec<u8>, Base45Error> {
    let bytes = text.as_bytes();
    let triplets = bytes.chunks_exact(3);
    let tail = triplets.remainder();
    let mut out = Vec::with_capacity(bytes.len() / 3 * 2 + tail.len().saturating_sub(1));

    for (index, triplet) in triplets.enumerate() {
        let position = index * 3;
        let [c, d, e] = *triplet else { continue };
        let (c, d, e) = (value(c), value(d), value(e));
        // INVALID has the top bit set and no symbol value does.
        if (c | d | e) & 0x80 != 0 {
            return Err(invalid_character(text, position));
        }
        let n = u32::from(c) + 45 * u32::from(d) + 2025 * u32::from(e);
        if n > 0xFFFF {
            return Err(Base45Error::TripletOverflow { position, value: n });
        }
        out.extend_from_slice(&[(n >> 8) as u8, n as u8]);
    }

    let position = bytes.len() - tail.len();
    match *tail {
        [c] => {
            if value(c) == INVALID {
                return Err(invalid_character(text, position));
            }
            return Err(Base45Error::DanglingCharacter {
                position,
                length: bytes.len(),
            });
        }
        [c, d] => {
            let (c, d) = (value(c), value(d));
            if (c | d) & 0x80 != 0 {
                return Err(invalid_character(text, position));
            }
            let n = u32::from(c) + 45 * u32::from(d);
            if n > 0xFF {
                return Err(Base45Error::PairOverflow { position, value: n });
            }
            out.push(n as u8);
        }
        // Nothing left (chunks_exact(3) leaves at most two).
        _ => {}
    }
    Ok(out)
}
