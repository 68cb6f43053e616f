//! The QR symbol layer of c169: how much room a Base45 text needs in a QR symbol,
//! the symbol itself as an image, reading an image back, and the deterministic
//! degradations of the image corpus.
//!
//! Claim 169 text is Base45, whose 45 symbols are exactly the QR alphanumeric
//! character set (ISO/IEC 18004 §7.4.4): 11 bits per two characters against 16 in
//! byte mode. Symbols are rendered in alphanumeric mode whenever the text allows
//! it, in byte mode otherwise, and never with mixed segments, so that the version a
//! vector records is the one any encoder of that mode reaches.
//!
//! Nothing here panics on any input: images are bounded in width, height and
//! bytes before anything is allocated for them, and the scanner (a third-party
//! crate) runs behind [`std::panic::catch_unwind`].

mod degrade;
pub mod fuzzing;
mod image;
mod scan;
pub mod screen;
mod symbol;

pub use degrade::{Degradation, SplitMix64, DEGRADATIONS};
pub use image::{decode_png, encode_png, Gray, ImageError, MAX_IMAGE_BYTES, MAX_SIDE};
pub use scan::{scan, scan_png, scan_within, ScanError, Scanned, MAX_ABANDONED, SCAN_DEADLINE};
pub use symbol::{fit, smallest_version, Fit, Symbol, SymbolError};

use serde::{Deserialize, Serialize};
use std::fmt;

/// A QR error-correction level: the share of codewords that may be lost (about 7,
/// 15, 25 and 30 %).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Level {
    L,
    M,
    Q,
    H,
}

impl Level {
    pub const ALL: [Level; 4] = [Level::L, Level::M, Level::Q, Level::H];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Level::L => "L",
            Level::M => "M",
            Level::Q => "Q",
            Level::H => "H",
        }
    }

    /// The level named `name` (`L`, `M`, `Q`, `H`, any case).
    #[must_use]
    pub fn parse(name: &str) -> Option<Level> {
        Level::ALL
            .into_iter()
            .find(|l| l.as_str().eq_ignore_ascii_case(name.trim()))
    }

    fn ec(self) -> qrcode::EcLevel {
        match self {
            Level::L => qrcode::EcLevel::L,
            Level::M => qrcode::EcLevel::M,
            Level::Q => qrcode::EcLevel::Q,
            Level::H => qrcode::EcLevel::H,
        }
    }

    fn from_ec(ec: qrcode::EcLevel) -> Level {
        match ec {
            qrcode::EcLevel::L => Level::L,
            qrcode::EcLevel::M => Level::M,
            qrcode::EcLevel::Q => Level::Q,
            qrcode::EcLevel::H => Level::H,
        }
    }

    /// The index of the level in [`Level::ALL`].
    #[must_use]
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The QR encoding mode a text is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// The 45 characters `0-9 A-Z space $ % * + - . / :`: what Base45 emits.
    Alphanumeric,
    /// Any bytes: what a text outside the alphanumeric set needs.
    Byte,
}

impl Mode {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Alphanumeric => "alphanumeric",
            Mode::Byte => "byte",
        }
    }

    /// The mode `text` needs: alphanumeric when every character is in the set.
    #[must_use]
    pub fn of(text: &str) -> Mode {
        if text.chars().all(is_alphanumeric) {
            Mode::Alphanumeric
        } else {
            Mode::Byte
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The QR alphanumeric character set, which is also the Base45 alphabet.
pub const ALPHANUMERIC: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/// Whether `c` is in the QR alphanumeric character set.
#[must_use]
pub fn is_alphanumeric(c: char) -> bool {
    ALPHANUMERIC.contains(c)
}

/// Characters a version-40 symbol holds in alphanumeric mode, by level
/// (ISO/IEC 18004 Table 7): L 4296, M 3391, Q 2420, H 1852.
pub const V40_ALPHANUMERIC: [usize; 4] = [4296, 3391, 2420, 1852];
