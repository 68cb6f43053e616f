//! Entry points for coverage-guided fuzzing (`fuzz/`, target `scan`): whatever
//! the bytes, reading an image answers and never panics, and a reading of a
//! damaged symbol is its text or nothing.

use crate::{decode_png, scan, EcLevel, Gray, Symbol};

/// The text of the damaged symbol of [`scan`].
const TEXT: &str = "6BFWTLRJ5I7PUUA6BFWTLRJ5I7PUUA";

/// The first byte chooses what the rest is: a PNG file (0), raw pixels after a
/// width and a height byte (1), or module flips on a version-2 symbol, two bytes
/// a flip (2 and above).
///
/// # Panics
///
/// When a damaged symbol reads as another text: what the fuzzer is to find.
pub fn scan_bytes(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode % 3 {
        0 => {
            if let Ok(image) = decode_png(rest) {
                let _ = scan(&image);
            }
        }
        1 => {
            if let [w, h, pixels @ ..] = rest {
                let (w, h) = (u32::from(*w) + 1, u32::from(*h) + 1);
                let image = Gray::from_fn(w, h, |x, y| {
                    let i = (y * w + x) as usize;
                    pixels.get(i % pixels.len().max(1)).copied().unwrap_or(255)
                });
                let _ = scan(&image);
            }
        }
        _ => {
            let Ok(symbol) = Symbol::new(TEXT, EcLevel::L) else {
                return;
            };
            let mut modules = symbol.modules.clone();
            for pair in rest.chunks_exact(2).take(64) {
                let [lo, hi] = [pair.first(), pair.get(1)].map(|b| b.copied().unwrap_or(0));
                let i = usize::from(u16::from_le_bytes([lo, hi])) % modules.len();
                if let Some(m) = modules.get_mut(i) {
                    *m = !*m;
                }
            }
            let damaged = Symbol { modules, ..symbol };
            if let Ok(read) = scan(&damaged.image(2, 4)) {
                assert_eq!(read.text, TEXT, "a damaged symbol read as another text");
            }
        }
    }
}
