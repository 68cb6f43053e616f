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
//! bytes before anything is allocated for them, and both passes of the scanner
//! (c169's locator and decoder, then the rqrr crate) run behind
//! [`std::panic::catch_unwind`].

mod degrade;
pub mod fuzzing;
mod image;
mod locate;
mod modules;
mod scan;
pub mod screen;
mod symbol;

pub use degrade::{Degradation, SplitMix64, DEGRADATIONS};
pub use image::{decode_png, encode_png, Gray, ImageError, MAX_IMAGE_BYTES, MAX_SIDE};
pub use scan::{scan, scan_png, scan_within, ScanError, Scanned, MAX_ABANDONED, SCAN_DEADLINE};
pub use symbol::{fit, smallest_version, Fit, Symbol, SymbolError};

pub use c169_model::{is_alphanumeric, EcLevel, QrMode, ALPHANUMERIC};

/// The `qrcode` crate's name for a level.
pub(crate) fn ec(level: EcLevel) -> qrcode::EcLevel {
    match level {
        EcLevel::L => qrcode::EcLevel::L,
        EcLevel::M => qrcode::EcLevel::M,
        EcLevel::Q => qrcode::EcLevel::Q,
        EcLevel::H => qrcode::EcLevel::H,
    }
}

/// A level from the `qrcode` crate's name for it.
pub(crate) fn from_ec(level: qrcode::EcLevel) -> EcLevel {
    match level {
        qrcode::EcLevel::L => EcLevel::L,
        qrcode::EcLevel::M => EcLevel::M,
        qrcode::EcLevel::Q => EcLevel::Q,
        qrcode::EcLevel::H => EcLevel::H,
    }
}

/// Characters a version-40 symbol holds in alphanumeric mode, by level
/// (ISO/IEC 18004 Table 7): L 4296, M 3391, Q 2420, H 1852.
pub const V40_ALPHANUMERIC: [usize; 4] = [4296, 3391, 2420, 1852];
