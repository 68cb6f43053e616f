//! The degradations of the image corpus: what a printed card goes through between
//! the issuer's printer and a verifier's camera, made deterministic.
//!
//! Every operation uses integer arithmetic or the four IEEE operations (and square
//! roots, which IEEE 754 rounds exactly): no `sin`, `exp` or `ln`, whose results
//! differ between C libraries, so the same pixels come out on every machine. Angles
//! are given as Pythagorean triples, Gaussian noise is a sum of uniform draws, and a
//! Gaussian blur is a binomial kernel.

use crate::{Gray, MAX_SIDE};
use serde::{Deserialize, Serialize};

/// One degradation of a clean symbol image. Parameters are integers, so that a
/// degradation serialises exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Degradation {
    /// The symbol as rendered.
    Clean,
    /// Scaled to `percent` of the width and height, each pixel the area average
    /// (box filter) of the pixels it covers.
    Scale { percent: u32 },
    /// Rotated about the centre by the angle whose sine is `a / c` and cosine `b / c`,
    /// with `c² = a² + b²` (a Pythagorean triple keeps it exact: 3, 4 is 36.87°; 1, 0
    /// is 90°), bilinear sampling, on a white canvas holding the whole image.
    Rotate { a: u32, b: u32 },
    /// A keystone, as a card seen from below: the top edge narrowed by `percent` of
    /// the width, half on each side, the bottom edge kept; a homography, bilinear
    /// sampling, white outside.
    Perspective { percent: u32 },
    /// Additive, approximately Gaussian noise of standard deviation `sigma` (of 255):
    /// the sum of twelve uniform draws of a SplitMix64 generator seeded with `seed`.
    Noise { sigma: u32, seed: u32 },
    /// A defocus: the binomial kernel of `2 × radius + 1` taps (order `2 × radius`,
    /// standard deviation √(radius / 2) pixels, close to a Gaussian) along rows and
    /// along columns, in exact integers, white outside the image. `radius` is at
    /// most 12.
    Blur { radius: u32 },
    /// Black and white brought to a span of `percent` of the range, centred on
    /// mid-grey.
    Contrast { percent: u32 },
    /// The quiet zone cropped away: the symbol printed to the edge of the image.
    NoQuietZone,
}

impl Degradation {
    /// Applies the degradation to `clean`, rendered at `module` pixels a module with
    /// a four-module quiet zone.
    #[must_use]
    pub fn apply(&self, clean: &Gray, module: u32) -> Gray {
        match *self {
            Degradation::Clean => clean.clone(),
            Degradation::Scale { percent } => scale(clean, percent),
            Degradation::Rotate { a, b } => rotate(clean, a, b),
            Degradation::Perspective { percent } => perspective(clean, percent),
            Degradation::Noise { sigma, seed } => noise(clean, sigma, seed),
            Degradation::Blur { radius } => blur(clean, radius),
            Degradation::Contrast { percent } => contrast(clean, percent),
            Degradation::NoQuietZone => crop(clean, module.saturating_mul(4)),
        }
    }

    /// What the degradation does, for people: "rotated 36.9°", "scaled to 50 %".
    #[must_use]
    pub fn label(&self) -> String {
        match *self {
            Degradation::Clean => "clean".into(),
            Degradation::Scale { percent } => format!("scaled to {percent} %"),
            Degradation::Rotate { a, b } => match (a, b) {
                // atan2(a, b), worked out once: labels are not part of the pixels.
                (1, 0) => "rotated 90°".into(),
                (3, 4) => "rotated 36.9°".into(),
                (4, 3) => "rotated 53.1°".into(),
                (5, 12) => "rotated 22.6°".into(),
                (12, 5) => "rotated 67.4°".into(),
                (7, 24) => "rotated 16.3°".into(),
                (8, 15) => "rotated 28.1°".into(),
                (20, 21) => "rotated 43.6°".into(),
                (0, _) => "rotated 0°".into(),
                _ => format!("rotated by sin {a}/c, cos {b}/c"),
            },
            Degradation::Perspective { percent } => {
                format!("keystone, top edge narrowed by {percent} %")
            }
            Degradation::Noise { sigma, seed } => {
                format!("Gaussian noise σ {sigma}/255 (seed {seed})")
            }
            Degradation::Blur { radius } => format!("blurred, binomial radius {radius} px"),
            Degradation::Contrast { percent } => format!("contrast cut to {percent} %"),
            Degradation::NoQuietZone => "no quiet zone".into(),
        }
    }
}

/// The degradations of the corpus, by name, each with whether a conformant scanner
/// should still read the symbol, and why. Images are rendered at 4 pixels a module
/// with a four-module quiet zone.
pub const DEGRADATIONS: [(&str, Degradation, bool, &str); 15] = [
    (
        "clean",
        Degradation::Clean,
        true,
        "the symbol as rendered, with a four-module quiet zone",
    ),
    (
        "scale-50",
        Degradation::Scale { percent: 50 },
        true,
        "two pixels a module is still two samples a module, what a scanner needs to tell modules apart",
    ),
    (
        "scale-30",
        Degradation::Scale { percent: 30 },
        false,
        "1.2 pixels a module is below the two samples a module a scanner needs: neighbouring modules blend",
    ),
    (
        "rotate-90",
        Degradation::Rotate { a: 1, b: 0 },
        true,
        "QR symbols read in any orientation (ISO/IEC 18004 §6.3.8: the finder patterns fix it)",
    ),
    (
        "rotate-36.9",
        Degradation::Rotate { a: 3, b: 4 },
        true,
        "QR symbols read at any angle; the finder patterns give the orientation",
    ),
    (
        "rotate-22.6",
        Degradation::Rotate { a: 5, b: 12 },
        true,
        "QR symbols read at any angle; the finder patterns give the orientation",
    ),
    (
        "perspective-20",
        Degradation::Perspective { percent: 20 },
        true,
        "a moderate keystone: the reference decode's grid from the finder and alignment patterns follows a homography",
    ),
    (
        "perspective-60",
        Degradation::Perspective { percent: 60 },
        false,
        "the top edge's modules come to 1.6 pixels, below the two samples a module a scanner needs (as scaled to 30 %)",
    ),
    (
        "noise-25",
        Degradation::Noise { sigma: 25, seed: 169 },
        true,
        "mild sensor noise: five standard deviations between black and mid-grey",
    ),
    (
        "noise-90",
        Degradation::Noise {
            sigma: 90,
            seed: 169,
        },
        false,
        "about one pixel in twelve lands on the wrong side of mid-grey: modulation and defects grade F under ISO/IEC 15415",
    ),
    (
        "blur-2",
        Degradation::Blur { radius: 2 },
        true,
        "a mild defocus, a kernel half a module wide each side (σ a quarter module): edges soften, modules stay apart",
    ),
    (
        "blur-8",
        Degradation::Blur { radius: 8 },
        false,
        "a kernel two modules wide each side (σ half a module): an isolated module's centre comes out near mid-grey, merged with its neighbours",
    ),
    (
        "contrast-40",
        Degradation::Contrast { percent: 40 },
        true,
        "symbol contrast of 40 % grades C under ISO/IEC 15415, still a pass",
    ),
    (
        "contrast-10",
        Degradation::Contrast { percent: 10 },
        false,
        "symbol contrast below 20 % grades F under ISO/IEC 15415",
    ),
    (
        "no-quiet-zone",
        Degradation::NoQuietZone,
        false,
        "ISO/IEC 18004 requires a four-module quiet zone; a scanner need not find a symbol without one",
    ),
];

/// A pixel value from a real one: rounded to nearest, clamped to 0–255.
fn to_u8(v: f64) -> u8 {
    (v + 0.5).floor().clamp(0.0, 255.0) as u8
}

/// `img` sampled at (x, y), in coordinates where pixel (i, j) covers [i, i + 1) ×
/// [j, j + 1): bilinear between the four nearest pixel centres, white outside.
fn bilinear(img: &Gray, x: f64, y: f64) -> u8 {
    if !x.is_finite() || !y.is_finite() {
        return 255;
    }
    let (fx, fy) = (x - 0.5, y - 0.5);
    let (x0, y0) = (fx.floor(), fy.floor());
    let (tx, ty) = (fx - x0, fy - y0);
    // Saturating casts; anything outside the image reads white.
    let (ix, iy) = (x0 as i64, y0 as i64);
    let p = |dx: i64, dy: i64| f64::from(img.get(ix.saturating_add(dx), iy.saturating_add(dy)));
    let top = (1.0 - tx) * p(0, 0) + tx * p(1, 0);
    let bottom = (1.0 - tx) * p(0, 1) + tx * p(1, 1);
    to_u8((1.0 - ty) * top + ty * bottom)
}

/// The overlap, along one axis, of each of `to` destination pixels with the `from`
/// source pixels: for destination `d`, the source pixels and their weights, in units
/// where a source pixel is `to` long and a destination pixel `from` long.
fn box_weights(from: u32, to: u32) -> Vec<Vec<(u32, u64)>> {
    let (from64, to64) = (u64::from(from), u64::from(to));
    (0..to64)
        .map(|d| {
            let (start, end) = (d * from64, (d + 1) * from64);
            let first = start / to64;
            let last = end.div_ceil(to64).min(from64);
            (first..last)
                .filter_map(|i| {
                    let lo = start.max(i * to64);
                    let hi = end.min((i + 1) * to64);
                    (hi > lo).then(|| (i as u32, hi - lo))
                })
                .collect()
        })
        .collect()
}

/// Scaled to `percent` by area averaging, exactly in integers.
fn scale(img: &Gray, percent: u32) -> Gray {
    let side = |s: u32| {
        let v = (u64::from(s) * u64::from(percent) + 50) / 100;
        v.clamp(1, u64::from(MAX_SIDE)) as u32
    };
    let (w, h) = (img.width(), img.height());
    if w == 0 || h == 0 {
        return img.clone();
    }
    let (nw, nh) = (side(w), side(h));
    let (wx, wy) = (box_weights(w, nw), box_weights(h, nh));
    // Horizontal sums, not yet divided: each is at most 255 × w.
    let mut rows = Vec::with_capacity(nw as usize * h as usize);
    for y in 0..h {
        for weights in &wx {
            rows.push(
                weights
                    .iter()
                    .map(|&(x, wt)| u64::from(img.get(i64::from(x), i64::from(y))) * wt)
                    .sum::<u64>(),
            );
        }
    }
    let total = u64::from(w) * u64::from(h);
    let mut pixels = Vec::with_capacity(nw as usize * nh as usize);
    for weights in &wy {
        for x in 0..nw as usize {
            let sum: u64 = weights
                .iter()
                .map(|&(y, wt)| rows.get(y as usize * nw as usize + x).copied().unwrap_or(0) * wt)
                .sum();
            pixels.push(((sum + total / 2) / total).min(255) as u8);
        }
    }
    Gray::from_pixels(nw, nh, pixels).unwrap_or_else(|| img.clone())
}

/// Rotated by the angle of sine `a / c`, cosine `b / c`, about the centre.
pub(crate) fn rotate(img: &Gray, a: u32, b: u32) -> Gray {
    let (a, b) = (f64::from(a), f64::from(b));
    let c = (a * a + b * b).sqrt();
    if c == 0.0 {
        return img.clone();
    }
    let (sin, cos) = (a / c, b / c);
    let (width, height) = (f64::from(img.width()), f64::from(img.height()));
    let nw = (cos * width + sin * height).ceil().min(f64::from(MAX_SIDE)) as u32;
    let nh = (sin * width + cos * height).ceil().min(f64::from(MAX_SIDE)) as u32;
    let (ncx, ncy) = (f64::from(nw) / 2.0, f64::from(nh) / 2.0);
    let (cx, cy) = (width / 2.0, height / 2.0);
    Gray::from_fn(nw, nh, |x, y| {
        let dx = f64::from(x) + 0.5 - ncx;
        let dy = f64::from(y) + 0.5 - ncy;
        // The inverse rotation takes each output pixel back into the image.
        let sx = cos * dx + sin * dy + cx;
        let sy = cos * dy - sin * dx + cy;
        bilinear(img, sx, sy)
    })
}

/// The solution of the 8 × 8 system whose augmented rows are `m`, by Gauss–Jordan
/// elimination with partial pivoting; `None` when it is singular.
fn solve(mut m: [[f64; 9]; 8]) -> Option<[f64; 8]> {
    for col in 0..8 {
        let mut pivot = col;
        let mut best = 0.0;
        for r in col..8 {
            let v = m.get(r)?.get(col)?.abs();
            if v > best {
                best = v;
                pivot = r;
            }
        }
        if best < 1e-12 {
            return None;
        }
        m.swap(col, pivot);
        let pivot_row = *m.get(col)?;
        let p = *pivot_row.get(col)?;
        for (r, row) in m.iter_mut().enumerate() {
            if r == col {
                continue;
            }
            let f = *row.get(col)? / p;
            for (x, q) in row.iter_mut().zip(pivot_row.iter()) {
                *x -= f * q;
            }
        }
    }
    let mut h = [0.0; 8];
    for (i, hi) in h.iter_mut().enumerate() {
        let row = m.get(i)?;
        *hi = row.get(8)? / row.get(i)?;
    }
    Some(h)
}

/// The homography taking each `from` point to its `to` point:
/// `u = (h0 x + h1 y + h2) / (h6 x + h7 y + 1)`, `v = (h3 x + h4 y + h5) / (…)`.
fn homography(from: [(f64, f64); 4], to: [(f64, f64); 4]) -> Option<[f64; 8]> {
    let mut m = [[0.0; 9]; 8];
    for (rows, ((x, y), (u, v))) in m.chunks_exact_mut(2).zip(from.into_iter().zip(to)) {
        if let [ru, rv] = rows {
            *ru = [x, y, 1.0, 0.0, 0.0, 0.0, -x * u, -y * u, u];
            *rv = [0.0, 0.0, 0.0, x, y, 1.0, -x * v, -y * v, v];
        }
    }
    solve(m)
}

/// A keystone: the top edge narrowed by `percent` of the width, symmetrically.
fn perspective(img: &Gray, percent: u32) -> Gray {
    let (width, height) = (f64::from(img.width()), f64::from(img.height()));
    let inset = width * f64::from(percent.min(99)) / 200.0;
    let corners = [(0.0, 0.0), (width, 0.0), (width, height), (0.0, height)];
    let keystone = [
        (inset, 0.0),
        (width - inset, 0.0),
        (width, height),
        (0.0, height),
    ];
    // Output to input: each output pixel is sampled where it came from.
    let Some([h0, h1, h2, h3, h4, h5, h6, h7]) = homography(keystone, corners) else {
        return img.clone();
    };
    Gray::from_fn(img.width(), img.height(), |x, y| {
        let (x, y) = (f64::from(x) + 0.5, f64::from(y) + 0.5);
        let d = h6 * x + h7 * y + 1.0;
        if d <= 0.0 {
            return 255;
        }
        bilinear(img, (h0 * x + h1 * y + h2) / d, (h3 * x + h4 * y + h5) / d)
    })
}

/// SplitMix64 (Steele, Lea and Flood 2014): a small, fast, well-mixed generator
/// whose stream is fixed by its seed on every machine (also the differential
/// fuzzer's, whose cases are reproduced from their seed).
#[derive(Debug, Clone)]
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    /// The next 64 bits of the stream.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// The next `n` bytes of the stream (little-endian words).
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(n + 8);
        while out.len() < n {
            out.extend_from_slice(&self.next_u64().to_le_bytes());
        }
        out.truncate(n);
        out
    }

    /// An approximately standard normal draw, in units of 1/65 536: the sum of
    /// twelve uniform 16-bit draws, centred (Irwin–Hall; variance (2³² − 1)/2³²).
    fn normal_65536(&mut self) -> i64 {
        let mut sum = 0_i64;
        for _ in 0..3 {
            let r = self.next_u64();
            for k in 0..4 {
                sum += ((r >> (16 * k)) & 0xFFFF) as i64;
            }
        }
        // Twelve draws of mean 32 767.5: the sum's mean is 393 210.
        sum - 393_210
    }
}

/// Each pixel plus `sigma` × an approximately normal draw, rounded and clamped.
fn noise(img: &Gray, sigma: u32, seed: u32) -> Gray {
    let mut rng = SplitMix64(u64::from(seed));
    let pixels = img
        .pixels()
        .iter()
        .map(|&p| {
            let n = i64::from(sigma) * rng.normal_65536();
            // Rounded to nearest, halves up.
            let delta = (n + 32_768).div_euclid(65_536);
            (i64::from(p) + delta).clamp(0, 255) as u8
        })
        .collect();
    Gray::from_pixels(img.width(), img.height(), pixels).unwrap_or_else(|| img.clone())
}

/// The largest blur radius: the kernel's sum, 4^radius, squared and times 255 still
/// fits 64 bits.
const MAX_BLUR_RADIUS: u32 = 12;

/// The binomial kernel of order `2 × radius` along rows, then columns, summed
/// exactly and rounded once; white beyond the edges.
fn blur(img: &Gray, radius: u32) -> Gray {
    let r = radius.min(MAX_BLUR_RADIUS);
    let order = 2 * r;
    // C(order, k), built row by row of Pascal's triangle.
    let mut kernel = vec![1_u64];
    for _ in 0..order {
        let mut next = vec![1_u64];
        next.extend(kernel.windows(2).map(|p| p.iter().sum::<u64>()));
        next.push(1);
        kernel = next;
    }
    let (w, h) = (img.width(), img.height());
    let r = i64::from(r);
    let taps = |x: i64| (-r..=r).zip(kernel.iter()).map(move |(d, &k)| (x + d, k));
    // Along rows: sums up to 255 × 4^radius.
    let white_row = 255 * (1_u64 << order);
    let mut rows = Vec::with_capacity(w as usize * h as usize);
    for y in 0..i64::from(h) {
        for x in 0..i64::from(w) {
            rows.push(
                taps(x)
                    .map(|(sx, k)| u64::from(img.get(sx, y)) * k)
                    .sum::<u64>(),
            );
        }
    }
    let row = |x: i64, y: i64| {
        if y < 0 || y >= i64::from(h) {
            white_row
        } else {
            rows.get((y * i64::from(w) + x) as usize)
                .copied()
                .unwrap_or(white_row)
        }
    };
    let total = 1_u64 << (2 * order);
    let pixels = (0..i64::from(h))
        .flat_map(|y| (0..i64::from(w)).map(move |x| (x, y)))
        .map(|(x, y)| {
            let sum: u64 = taps(y).map(|(sy, k)| row(x, sy) * k).sum();
            ((sum + total / 2) / total).min(255) as u8
        })
        .collect();
    Gray::from_pixels(w, h, pixels).unwrap_or_else(|| img.clone())
}

/// Black to white mapped onto `percent` of the range around mid-grey (127.5).
fn contrast(img: &Gray, percent: u32) -> Gray {
    let p = i64::from(percent.min(100));
    let pixels = img
        .pixels()
        .iter()
        .map(|&v| {
            // 127.5 + (v − 127.5) p / 100, rounded: (25 500 − 255 p + 2 v p) / 200.
            let num = 25_500 - 255 * p + 2 * i64::from(v) * p;
            (num + 100).div_euclid(200).clamp(0, 255) as u8
        })
        .collect();
    Gray::from_pixels(img.width(), img.height(), pixels).unwrap_or_else(|| img.clone())
}

/// `img` without `by` pixels on every side.
fn crop(img: &Gray, by: u32) -> Gray {
    let (w, h) = (img.width(), img.height());
    if 2 * u64::from(by) >= u64::from(w.min(h)) {
        return img.clone();
    }
    Gray::from_fn(w - 2 * by, h - 2 * by, |x, y| {
        img.get(i64::from(x + by), i64::from(y + by))
    })
}

#[cfg(test)]
mod tests;
