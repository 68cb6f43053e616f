//! Reading a QR symbol in an image, as a verifier's camera path does: c169's own
//! locator and decoder first, then the rqrr crate's.

use crate::{decode_png, EcLevel, Gray, ImageError};

/// What a scan found: the text, and the symbol's version and level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scanned {
    pub text: String,
    pub version: u8,
    pub level: EcLevel,
    /// Which pass of [`scan`] read it: `direct` (c169's locator and decoder) or
    /// `rqrr` (the rqrr crate's).
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
    /// The image would cost the scanner more than its budget.
    #[error("no QR symbol read within the scan budget: {0}")]
    Budget(String),
}

impl ScanError {
    /// The reject code of a decoder that reads no text: `scan.image` (not an image
    /// c169 reads), `scan.not_found`, `scan.unreadable`, `scan.budget` (an image
    /// that would cost the scanner more than its budget: no symbol read).
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            ScanError::Image(_) => "scan.image",
            ScanError::NotFound => "scan.not_found",
            ScanError::Unreadable(_) | ScanError::Panicked => "scan.unreadable",
            ScanError::Budget(_) => "scan.budget",
        }
    }
}

/// Scans a PNG file's bytes.
pub fn scan_png(bytes: &[u8]) -> Result<Scanned, ScanError> {
    scan(&decode_png(bytes)?)
}

/// Scans `image` in two passes; the first symbol that decodes wins:
/// - `direct`: c169's own locator ([`crate::locate`]: finder patterns at Otsu's
///   threshold, a homography fitted to the finder and alignment patterns) and its
///   own decoder ([`crate::modules`]);
/// - `rqrr`: the rqrr crate's finder search and decoder, which binarise with a
///   threshold of their own that follows the light across the image (a photograph
///   lit unevenly).
///
/// Every pass is deterministic and bounded by [`crate::MAX_SIDE`], and none can return
/// other text than the symbol's, which Reed–Solomon checks.
///
/// The scan has a budget, so that no image costs more than seconds:
/// - work: the locator takes in a bounded number of finder-pattern crossings, and
///   the rqrr pass counts the image's finder-pattern candidates first and gives
///   up past the bounds of [`crate::screen`] (pixel noise ends here, the same way
///   on every machine);
/// - time: the passes run on a thread of their own, and a scan that has read no
///   symbol after [`SCAN_DEADLINE`] ends with [`ScanError::Budget`]. rqrr's finder
///   search cannot be stopped from outside, so that thread is left to finish on
///   its own; while [`MAX_ABANDONED`] of them still run, further scans are
///   refused at once rather than piling up.
pub fn scan(image: &Gray) -> Result<Scanned, ScanError> {
    scan_within(image, SCAN_DEADLINE)
}

/// [`scan`] with another deadline (tests use a short one).
pub fn scan_within(image: &Gray, deadline: std::time::Duration) -> Result<Scanned, ScanError> {
    use std::sync::atomic::Ordering;
    if ABANDONED.load(Ordering::SeqCst) >= MAX_ABANDONED {
        return Err(ScanError::Budget(format!(
            "the scanner is still busy with {MAX_ABANDONED} images that ran past the deadline"
        )));
    }
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    let owned = image.clone();
    let worker = std::thread::Builder::new()
        .name("c169-scan".into())
        .spawn(move || {
            let _ = tx.send(scan_passes(&owned));
        });
    if worker.is_err() {
        // No thread to spare: the scan runs here, bounded by its work alone.
        return scan_passes(image);
    }
    match rx.recv_timeout(deadline) {
        Ok(result) => result,
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            ABANDONED.fetch_add(1, Ordering::SeqCst);
            // The worker counts itself out when it ends.
            std::thread::spawn(move || {
                let _ = rx.recv();
                ABANDONED.fetch_sub(1, Ordering::SeqCst);
            });
            Err(ScanError::Budget(format!(
                "no symbol read within {:.1} s",
                deadline.as_secs_f64()
            )))
        }
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => Err(ScanError::Panicked),
    }
}

/// Scans that ran past their deadline and still run.
static ABANDONED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// How many abandoned scans may run before further scans are refused.
pub const MAX_ABANDONED: usize = 2;

/// The passes of [`scan`], in order, on the calling thread.
fn scan_passes(image: &Gray) -> Result<Scanned, ScanError> {
    let mut last = ScanError::NotFound;
    for (pass, read) in PASSES {
        match std::panic::catch_unwind(|| read(image)) {
            Ok(Ok((text, version, level))) => {
                return Ok(Scanned {
                    text,
                    version,
                    level,
                    pass,
                })
            }
            // An image over the work bound is over it in every pass.
            Ok(Err(e @ ScanError::Budget(_))) => return Err(e),
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

/// How long a scan may look for a symbol: a hundred times what the slowest image
/// of the corpus takes on a small machine.
pub const SCAN_DEADLINE: std::time::Duration = std::time::Duration::from_secs(5);

type Read = fn(&Gray) -> Result<(String, u8, EcLevel), ScanError>;

const PASSES: [(&str, Read); 2] = [("direct", read_located), ("rqrr", read_rqrr)];

/// The `direct` pass: c169's locator and decoder, at Otsu's threshold.
fn read_located(img: &Gray) -> Result<(String, u8, EcLevel), ScanError> {
    let threshold = otsu(img);
    let decode = |size: usize, modules: &[bool]| {
        crate::modules::decode(size, &|r, c| {
            modules.get(r * size + c).copied().unwrap_or(false)
        })
    };
    let mut last = None;
    let mut grids = crate::locate::candidates(img, threshold);
    while let Some((size, modules)) = grids.next() {
        let mut read = decode(size, &modules);
        if read.is_err() {
            // A version the module size misjudged: its version information says
            // which (read near the finder patterns, where a grid of the wrong
            // size is still nearly right).
            let told = crate::modules::version_info(size, &|r, c| {
                modules.get(r * size + c).copied().unwrap_or(false)
            });
            if let Some((size, modules)) = told.and_then(|v| grids.retry(v)) {
                read = decode(size, &modules);
            }
        }
        match read {
            Ok(d) => return Ok((d.text, d.version, d.level)),
            Err(e) => last = Some(e),
        }
    }
    match last {
        Some(e) => Err(ScanError::Unreadable(e)),
        None => Err(ScanError::NotFound),
    }
}

/// The `rqrr` pass: rqrr's own binarisation, finder search, grid fitting and
/// decoder, after [`crate::screen`]'s count.
fn read_rqrr(img: &Gray) -> Result<(String, u8, EcLevel), ScanError> {
    let w = img.width() as usize;
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(w, img.height() as usize, |x, y| {
            img.pixels().get(y * w + x).copied().unwrap_or(255)
        });
    let (width, height) = (prepared.width(), prepared.height());
    crate::screen::count_candidates(width, height, crate::screen::MAX_CANDIDATES, |x, y| {
        u8::from(prepared.get_pixel_at(x, y)) == 1
    })
    .map_err(|over| {
        ScanError::Budget(format!(
            "{} finder-pattern candidates and {} crossing rows counted, past the bounds of {} and {}",
            over.candidates,
            over.crossings,
            crate::screen::MAX_CANDIDATES,
            crate::screen::MAX_CROSSINGS
        ))
    })?;
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
                    1 => EcLevel::L,
                    0 => EcLevel::M,
                    3 => EcLevel::Q,
                    _ => EcLevel::H,
                };
                let version = u8::try_from(meta.version.0).unwrap_or(0);
                return Ok((text, version, level));
            }
            Err(e) => last = Some(e.to_string()),
        }
    }
    Err(ScanError::Unreadable(last.unwrap_or_default()))
}

/// Otsu's threshold of `img`'s histogram.
fn otsu(img: &Gray) -> u8 {
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
    best_t
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::{encode_png, Symbol};

    #[test]
    fn a_rendered_symbol_scans_back() {
        let text = "NCFOXN%TS3DH0YOJ58S S-C4C:HT$M*T5:C/OG5 5:6QA";
        for level in EcLevel::ALL {
            let s = Symbol::new(text, level).unwrap();
            let got = scan_png(&encode_png(&s.image(3, 4))).unwrap();
            assert_eq!(got.text, text);
            assert_eq!((got.version, got.level), (s.version, level));
        }
    }

    #[test]
    fn garbage_pixels_and_damaged_pngs_never_panic() {
        // xorshift64*: deterministic garbage.
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = move || {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            state.wrapping_mul(0x2545_F491_4F6C_DD1D)
        };
        // Noise, and symbols with modules flipped at random: found or not, read or
        // not, a scan answers.
        for _ in 0..200 {
            let (w, h) = (
                u32::try_from(next() % 120 + 1).unwrap(),
                u32::try_from(next() % 120 + 1).unwrap(),
            );
            let img = Gray::from_fn(w, h, |_, _| u8::try_from(next() % 256).unwrap());
            let _ = scan(&img);
        }
        let s = Symbol::new("6BFWTLRJ5I7PUUA", EcLevel::L).unwrap();
        let clean = s.image(3, 4);
        for _ in 0..100 {
            let mut px = clean.pixels().to_vec();
            for _ in 0..(next() % 200) {
                let i = usize::try_from(next()).unwrap() % px.len();
                px[i] = 255 - px[i];
            }
            let img = Gray::from_pixels(clean.width(), clean.height(), px).unwrap();
            if let Ok(got) = scan(&img) {
                // Reed-Solomon either corrects the flips or the symbol is not read.
                assert_eq!(got.text, "6BFWTLRJ5I7PUUA");
            }
        }
        // A valid PNG with bytes overwritten: an error or an image, never a panic.
        let png = encode_png(&clean);
        for _ in 0..300 {
            let mut bytes = png.clone();
            for _ in 0..=(next() % 8) {
                let i = usize::try_from(next()).unwrap() % bytes.len();
                bytes[i] = u8::try_from(next() % 256).unwrap();
            }
            let cut = usize::try_from(next()).unwrap() % (bytes.len() + 1);
            let _ = scan_png(&bytes[..cut.max(8).min(bytes.len())]);
            let _ = scan_png(&bytes);
        }
    }

    #[test]
    fn the_locator_never_panics_outside_catch_unwind() {
        // `scan` catches panics; the locator and decoder are called here without
        // that net, on noise, on symbols with blocks of pixels flipped, cut or
        // stretched, and on images of one or no pixel.
        let mut rng = crate::SplitMix64(0x2545_F491_4F6C_DD1D);
        let mut next = move || rng.next_u64();
        for (w, h) in [(0, 0), (1, 1), (0, 9), (9, 0), (3, 200)] {
            let _ = read_located(&Gray::from_fn(w, h, |x, y| ((x * 7 + y * 13) % 256) as u8));
        }
        let texts = [
            "6BFWTLRJ5I7PUUA",
            &"NCFOXN%TS3DH0YOJ58S S-C4C:HT$M*T5:C/OG5 5:6QA".repeat(12),
        ];
        for text in texts {
            let s = Symbol::new(text, EcLevel::L).unwrap();
            for module in [1, 2, 3] {
                let clean = s.image(module, 4);
                for _ in 0..60 {
                    let mut px = clean.pixels().to_vec();
                    let blocks = next() % 40;
                    for _ in 0..blocks {
                        let at = usize::try_from(next()).unwrap() % px.len();
                        let len = usize::try_from(next() % 64).unwrap();
                        let v = u8::try_from(next() % 256).unwrap();
                        for p in px.iter_mut().skip(at).take(len) {
                            *p = v;
                        }
                    }
                    let img = Gray::from_pixels(clean.width(), clean.height(), px).unwrap();
                    if let Ok((got, _, _)) = read_located(&img) {
                        assert_eq!(got, text, "Reed–Solomon lets no other text through");
                    }
                    // Cut to a random window, and stretched along one axis.
                    let (cw, ch) = (
                        u32::try_from(next() % u64::from(img.width() + 1)).unwrap(),
                        u32::try_from(next() % u64::from(img.height() + 1)).unwrap(),
                    );
                    let _ = read_located(&Gray::from_fn(cw, ch, |x, y| {
                        img.get(i64::from(x), i64::from(y))
                    }));
                    let k = 1 + next() % 3;
                    let _ = read_located(&Gray::from_fn(img.width(), img.height(), |x, y| {
                        img.get(i64::from(x) * i64::try_from(k).unwrap() / 2, i64::from(y))
                    }));
                }
            }
        }
        for _ in 0..40 {
            let (w, h) = (
                u32::try_from(next() % 300 + 1).unwrap(),
                u32::try_from(next() % 300 + 1).unwrap(),
            );
            let img = Gray::from_fn(w, h, |_, _| if next() % 2 == 0 { 0 } else { 255 });
            let _ = read_located(&img);
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
