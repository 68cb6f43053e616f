//! Fitting a text into a QR version, and the symbol's modules.

use crate::{EcLevel, Gray, QrMode};
use qrcode::bits::Bits;
use qrcode::{Color, QrCode, Version};
use serde::{Deserialize, Serialize};

/// Why a symbol could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SymbolError {
    #[error(
        "{chars} characters in {mode} mode do not fit a version-40 QR symbol at level {level}"
    )]
    TooLong {
        chars: usize,
        mode: QrMode,
        level: EcLevel,
    },
    #[error("the QR encoder refused the text: {0}")]
    Encoder(String),
}

/// The data bits of `text` in one `mode` segment of a symbol of `version`, with its
/// terminator; `None` when they do not fit at `level`.
fn bits(text: &str, mode: QrMode, version: i16, level: EcLevel) -> Option<Bits> {
    let mut bits = Bits::new(Version::Normal(version));
    match mode {
        QrMode::Alphanumeric => bits.push_alphanumeric_data(text.as_bytes()).ok()?,
        QrMode::Byte => bits.push_byte_data(text.as_bytes()).ok()?,
    }
    bits.push_terminator(crate::ec(level)).ok()?;
    Some(bits)
}

/// The smallest version (1–40) whose symbol holds `text` in `mode` at `level`, or
/// `None` when no version does. Alphanumeric mode needs every character in the set.
#[must_use]
pub fn smallest_version(text: &str, mode: QrMode, level: EcLevel) -> Option<u8> {
    if mode == QrMode::Alphanumeric && QrMode::of(text) != QrMode::Alphanumeric {
        return None;
    }
    // Capacity grows with the version (the count field widens at 10 and 27, but
    // never by more than the added codewords), so the first fit is found by bisection.
    let (mut lo, mut hi) = (1_i16, 40_i16);
    bits(text, mode, hi, level)?;
    while lo < hi {
        let mid = i16::midpoint(lo, hi);
        if bits(text, mode, mid, level).is_some() {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    u8::try_from(lo).ok()
}

/// How a text fits QR symbols: its mode, and the smallest version at each level
/// (`None`: not even version 40 holds it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fit {
    pub mode: QrMode,
    /// Characters of the text.
    pub chars: usize,
    /// By [`EcLevel::ALL`]: L, M, Q, H.
    pub versions: [Option<u8>; 4],
}

impl Fit {
    /// The smallest version at `level`.
    #[must_use]
    pub fn version(&self, level: EcLevel) -> Option<u8> {
        self.versions.get(level.index()).copied().flatten()
    }
}

/// How `text` fits, in the mode it needs.
#[must_use]
pub fn fit(text: &str) -> Fit {
    let mode = QrMode::of(text);
    Fit {
        mode,
        chars: text.chars().count(),
        versions: EcLevel::ALL.map(|level| smallest_version(text, mode, level)),
    }
}

/// A QR symbol: its version, level, mode and modules (dark is `true`), row by row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    pub version: u8,
    pub level: EcLevel,
    pub mode: QrMode,
    /// Modules per side: 17 + 4 × version.
    pub width: usize,
    pub modules: Vec<bool>,
}

impl Symbol {
    /// The smallest symbol holding `text` at `level`, in one segment of the mode
    /// the text needs.
    pub fn new(text: &str, level: EcLevel) -> Result<Symbol, SymbolError> {
        let mode = QrMode::of(text);
        let too_long = || SymbolError::TooLong {
            chars: text.chars().count(),
            mode,
            level,
        };
        let version = smallest_version(text, mode, level).ok_or_else(too_long)?;
        let bits = bits(text, mode, i16::from(version), level).ok_or_else(too_long)?;
        let code = QrCode::with_bits(bits, crate::ec(level))
            .map_err(|e| SymbolError::Encoder(e.to_string()))?;
        debug_assert_eq!(crate::from_ec(code.error_correction_level()), level);
        Ok(Symbol {
            version,
            level,
            mode,
            width: code.width(),
            modules: code
                .to_colors()
                .into_iter()
                .map(|c| c == Color::Dark)
                .collect(),
        })
    }

    /// The symbol as a greyscale image: `module` pixels per module, black on white,
    /// with a light margin of `quiet` modules on every side (ISO/IEC 18004 asks 4).
    #[must_use]
    pub fn image(&self, module: u32, quiet: u32) -> Gray {
        let module = module.max(1) as usize;
        let quiet = quiet as usize;
        let side = (self.width + 2 * quiet) * module;
        let side32 = u32::try_from(side).unwrap_or(u32::MAX);
        Gray::from_fn(side32, side32, |x, y| {
            let (mx, my) = (x as usize / module, y as usize / module);
            let dark = mx >= quiet
                && my >= quiet
                && mx - quiet < self.width
                && my - quiet < self.width
                && self
                    .modules
                    .get((my - quiet) * self.width + (mx - quiet))
                    .copied()
                    .unwrap_or(false);
            if dark {
                0
            } else {
                255
            }
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn version_40_capacities_are_the_standards() {
        // ISO/IEC 18004 Table 7, alphanumeric, version 40.
        for (level, cap) in EcLevel::ALL.into_iter().zip(crate::V40_ALPHANUMERIC) {
            let fits = "A".repeat(cap);
            let over = "A".repeat(cap + 1);
            assert_eq!(
                smallest_version(&fits, QrMode::Alphanumeric, level),
                Some(40)
            );
            assert_eq!(smallest_version(&over, QrMode::Alphanumeric, level), None);
        }
        // Byte mode, version 40, level L: 2953.
        assert_eq!(
            smallest_version(&"a".repeat(2953), QrMode::Byte, EcLevel::L),
            Some(40)
        );
        assert_eq!(
            smallest_version(&"a".repeat(2954), QrMode::Byte, EcLevel::L),
            None
        );
    }

    #[test]
    fn small_versions_match_the_table() {
        // Version 1 alphanumeric: L 25, M 20, Q 16, H 10.
        for (level, cap) in EcLevel::ALL.into_iter().zip([25, 20, 16, 10]) {
            assert_eq!(
                smallest_version(&"1".repeat(cap), QrMode::Alphanumeric, level),
                Some(1)
            );
            assert_eq!(
                smallest_version(&"1".repeat(cap + 1), QrMode::Alphanumeric, level),
                Some(2)
            );
        }
        assert_eq!(
            smallest_version("", QrMode::Alphanumeric, EcLevel::H),
            Some(1)
        );
    }

    #[test]
    fn lowercase_needs_byte_mode() {
        assert_eq!(QrMode::of("6BF"), QrMode::Alphanumeric);
        assert_eq!(QrMode::of("6bF"), QrMode::Byte);
        assert_eq!(
            smallest_version("6bF", QrMode::Alphanumeric, EcLevel::L),
            None
        );
        let f = fit(&"A".repeat(2000));
        assert_eq!(f.mode, QrMode::Alphanumeric);
        // About 45 % more room in byte mode: 2000 characters need version 27 at L
        // in alphanumeric mode, 33 in byte mode.
        let b = fit(&"a".repeat(2000));
        assert!(b.version(EcLevel::L) > f.version(EcLevel::L));
    }

    #[test]
    fn symbols_have_the_versions_width() {
        let s = Symbol::new("6BFWTLRJ5I7PUUA", EcLevel::M).unwrap();
        assert_eq!(s.version, 1);
        assert_eq!(s.width, 21);
        assert_eq!(s.modules.len(), 21 * 21);
        let img = s.image(3, 4);
        assert_eq!(img.width(), (21 + 8) * 3);
        assert!(Symbol::new(&"A".repeat(1853), EcLevel::H).is_err());
    }
}
