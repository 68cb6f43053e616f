//! Base45 (RFC 9285), strict as the suite's policy requires.
//!
//! To be written: see the interface below.

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

/// Encodes bytes as Base45 text.
#[must_use]
pub fn encode(_bytes: &[u8]) -> String {
    String::new()
}

/// Decodes Base45 text, byte for byte: no trimming, no normalisation.
pub fn decode(_text: &str) -> Result<Vec<u8>, Base45Error> {
    Ok(Vec::new())
}
