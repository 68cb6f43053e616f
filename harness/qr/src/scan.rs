//! Reading a QR symbol in an image (rqrr), as a verifier's camera path does.

use crate::{decode_png, Gray, ImageError, Level};

/// What a scan found: the text, and the symbol's version and level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scanned {
    pub text: String,
    pub version: u8,
    pub level: Level,
    /// How the symbol was found: `direct`, or the preparation that made it readable.
    pub pass: &'static str,
}

/// Why nothing was read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScanError {
    #[error("{0}")]
    Image(#[from] ImageError),
    #[error("no QR symbol found in the image")]
    NotFound,
    #[error("a QR symbol was found but could not be read: {0}")]
    Unreadable(String),
    #[error("the scanner failed on this image")]
    Panicked,
}

/// Scans a PNG file's bytes.
pub fn scan_png(bytes: &[u8]) -> Result<Scanned, ScanError> {
    scan(&decode_png(bytes)?)
}

/// Scans `image`: as it is first, then after each preparation a phone scanner also
/// makes (a light margin for a symbol printed to the edge, a global threshold for a
/// faded print). The first symbol that decodes wins.
pub fn scan(image: &Gray) -> Result<Scanned, ScanError> {
    let mut last = ScanError::NotFound;
    for (pass, prepare) in PASSES {
        let prepared;
        let img = match prepare {
            None => image,
            Some(f) => {
                prepared = f(image);
                &prepared
            }
        };
        match std::panic::catch_unwind(|| scan_once(img)) {
            Ok(Ok((text, version, level))) => {
                return Ok(Scanned {
                    text,
                    version,
                    level,
                    pass,
                })
            }
            Ok(Err(e)) => {
                if !matches!(e, ScanError::NotFound) || matches!(last, ScanError::NotFound) {
                    last = e;
                }
            }
            Err(_) => last = ScanError::Panicked,
        }
    }
    Err(last)
}

type Prepare = fn(&Gray) -> Gray;

const PASSES: [(&str, Option<Prepare>); 3] = [
    ("direct", None),
    ("margin", Some(margin)),
    ("threshold", Some(threshold)),
];

fn scan_once(img: &Gray) -> Result<(String, u8, Level), ScanError> {
    let w = img.width() as usize;
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(w, img.height() as usize, |x, y| {
            img.pixels().get(y * w + x).copied().unwrap_or(255)
        });
    let grids = prepared.detect_grids();
    if grids.is_empty() {
        return Err(ScanError::NotFound);
    }
    let mut last = None;
    for grid in grids {
        match grid.decode() {
            Ok((meta, text)) => {
                let level = match meta.ecc_level {
                    // The format information's two bits: 01 L, 00 M, 11 Q, 10 H.
                    1 => Level::L,
                    0 => Level::M,
                    3 => Level::Q,
                    _ => Level::H,
                };
                let version = u8::try_from(meta.version.0).unwrap_or(0);
                return Ok((text, version, level));
            }
            Err(e) => last = Some(e.to_string()),
        }
    }
    Err(ScanError::Unreadable(last.unwrap_or_default()))
}

/// A white margin a tenth of the image's side (at least 8 pixels) around it.
fn margin(img: &Gray) -> Gray {
    let m = (img.width().max(img.height()) / 10).max(8);
    Gray::from_fn(img.width() + 2 * m, img.height() + 2 * m, |x, y| {
        img.get(i64::from(x) - i64::from(m), i64::from(y) - i64::from(m))
    })
}

/// Black and white at Otsu's threshold, with a margin.
fn threshold(img: &Gray) -> Gray {
    let mut histogram = [0_u64; 256];
    for &p in img.pixels() {
        if let Some(n) = histogram.get_mut(usize::from(p)) {
            *n += 1;
        }
    }
    let total: u64 = histogram.iter().sum();
    let sum: u64 = histogram
        .iter()
        .enumerate()
        .map(|(v, n)| v as u64 * n)
        .sum();
    let (mut best, mut best_t) = (0.0_f64, 128_u8);
    let (mut w0, mut sum0) = (0_u64, 0_u64);
    for (t, n) in histogram.iter().enumerate() {
        w0 += n;
        sum0 += t as u64 * n;
        let w1 = total - w0;
        if w0 == 0 || w1 == 0 {
            continue;
        }
        #[allow(clippy::cast_precision_loss)]
        let (m0, m1) = (sum0 as f64 / w0 as f64, (sum - sum0) as f64 / w1 as f64);
        #[allow(clippy::cast_precision_loss)]
        let between = w0 as f64 * w1 as f64 * (m0 - m1) * (m0 - m1);
        if between > best {
            best = between;
            best_t = u8::try_from(t).unwrap_or(128);
        }
    }
    let bw = Gray::from_fn(img.width(), img.height(), |x, y| {
        if img.get(i64::from(x), i64::from(y)) <= best_t {
            0
        } else {
            255
        }
    });
    margin(&bw)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::{encode_png, Symbol};

    #[test]
    fn a_rendered_symbol_scans_back() {
        let text = "NCFOXN%TS3DH0YOJ58S S-C4C:HT$M*T5:C/OG5 5:6QA";
        for level in Level::ALL {
            let s = Symbol::new(text, level).unwrap();
            let got = scan_png(&encode_png(&s.image(3, 4))).unwrap();
            assert_eq!(got.text, text);
            assert_eq!((got.version, got.level), (s.version, level));
        }
    }

    #[test]
    fn an_empty_image_has_no_symbol() {
        assert_eq!(
            scan(&Gray::from_fn(50, 50, |_, _| 255)),
            Err(ScanError::NotFound)
        );
        assert!(matches!(
            scan_png(b"\x89PNG\r\n\x1a\n"),
            Err(ScanError::Image(_))
        ));
    }
}
