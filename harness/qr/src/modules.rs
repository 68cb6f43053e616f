//! Reading a QR symbol's modules: format and version information, unmasking, the
//! codewords, Reed–Solomon correction and the segments (ISO/IEC 18004 §7, §8).

use crate::EcLevel;

/// What a symbol's modules say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decoded {
    pub text: String,
    pub version: u8,
    pub level: EcLevel,
}

/// Reads the symbol whose `size` × `size` modules `dark(row, col)` gives (true = dark),
/// `size` = 17 + 4 × version. Never panics, allocates only in proportion to `size` (≤ 177).
pub(crate) fn decode(size: usize, dark: &dyn Fn(usize, usize) -> bool) -> Result<Decoded, String> {
    if !(21..=177).contains(&size) || size % 4 != 1 {
        return Err(format!("{size} modules across is no QR symbol's size"));
    }
    let version = (size - 17) / 4;
    let (level, mask) = format_info(size, dark)?;
    if version >= 7 && version_info(size, dark).is_some_and(|v| v != version) {
        return Err("version information disagrees with the size".into());
    }
    let blocks = Blocks::of(version, level);
    let mut codewords = vec![0_u8; blocks.total];
    let mut bit = 0;
    Grid::new(version).walk(|r, c| {
        // Remainder bits past the last codeword fall outside (§7.7.3).
        if let Some(byte) = codewords.get_mut(bit / 8) {
            *byte |= u8::from(dark(r, c) ^ masked(mask, r, c)) << (7 - bit % 8);
        }
        bit += 1;
    });
    let text = segments(&blocks.correct(&codewords)?, version)?;
    let version = version as u8;
    Ok(Decoded {
        text,
        version,
        level,
    })
}

/// The remainder of `value` divided by the polynomial `generator` of degree `degree`
/// over GF(2): a BCH code's check bits (ISO/IEC 18004 Annex C, Annex D).
fn bch(value: u32, generator: u32, degree: u32) -> u32 {
    (degree..32).rev().fold(value, |v, bit| {
        v ^ ((v >> bit & 1) * (generator << (bit - degree)))
    })
}

/// The value of the valid code nearest by Hamming distance to either of two read
/// copies, if within 3 bits (ISO/IEC 18004 §7.9.1, §7.10.1).
fn nearest(copies: [u32; 2], codes: impl Iterator<Item = (u32, u32)>) -> Option<u32> {
    let distance = |code: u32| copies.iter().map(|c| (c ^ code).count_ones()).min();
    let (d, value) = codes
        .map(|(v, code)| (distance(code).unwrap_or(99), v))
        .min()?;
    (d <= 3).then_some(value)
}

/// The level and mask pattern of the format information (ISO/IEC 18004 §7.9).
/// Bit i (0 the least significant) of the first copy lies in column 8 at rows
/// 0–5, 7, 8, then in row 8 at columns 7, 5–0; of the second, in row 8 from the
/// right edge leftwards (bits 0–7), then in column 8 at rows size − 7 … size − 1.
fn format_info(size: usize, dark: &dyn Fn(usize, usize) -> bool) -> Result<(EcLevel, u8), String> {
    let (mut first, mut second) = (0_u32, 0_u32);
    for i in 0..15 {
        let (r, c) = match i {
            0..=5 => (i, 8),
            6..=7 => (i + 1, 8),
            _ => (8, 15 - i - usize::from(i > 8)),
        };
        first |= u32::from(dark(r, c)) << i;
        let (r, c) = if i < 8 {
            (8, size - 1 - i)
        } else {
            (size - 15 + i, 8)
        };
        second |= u32::from(dark(r, c)) << i;
    }
    let codes = (0..32).map(|d| (d, (d << 10 | bch(d << 10, 0x537, 10)) ^ 0x5412));
    let d = nearest([first, second], codes).ok_or("format information unreadable")?;
    // The level's two bits: 00 M, 01 L, 10 H, 11 Q.
    let levels = [EcLevel::M, EcLevel::L, EcLevel::H, EcLevel::Q];
    let level = levels.get(d as usize >> 3).copied().unwrap_or(EcLevel::M);
    Ok((level, (d & 7) as u8))
}

/// The version information of version 7 on (ISO/IEC 18004 §7.10): bit i lies at
/// row i / 3, column size − 11 + i % 3 (top right) and transposed (bottom left).
pub(crate) fn version_info(size: usize, dark: &dyn Fn(usize, usize) -> bool) -> Option<usize> {
    let (mut top, mut left) = (0_u32, 0_u32);
    for i in 0..18 {
        let (r, c) = (i / 3, size - 11 + i % 3);
        top |= u32::from(dark(r, c)) << i;
        left |= u32::from(dark(c, r)) << i;
    }
    let codes = (7..=40).map(|v| (v, v << 12 | bch(v << 12, 0x1F25, 12)));
    nearest([top, left], codes).map(|v| v as usize)
}

/// Whether mask pattern `mask` inverts the module at row `i`, column `j`
/// (ISO/IEC 18004 §7.8.2, Table 10).
fn masked(mask: u8, i: usize, j: usize) -> bool {
    match mask {
        0 => (i + j).is_multiple_of(2),
        1 => i.is_multiple_of(2),
        2 => j.is_multiple_of(3),
        3 => (i + j).is_multiple_of(3),
        4 => (i / 2 + j / 3).is_multiple_of(2),
        5 => (i * j) % 2 + (i * j) % 3 == 0,
        6 => ((i * j) % 2 + (i * j) % 3).is_multiple_of(2),
        _ => ((i + j) % 2 + (i * j) % 3).is_multiple_of(2),
    }
}

/// The function patterns of a version (ISO/IEC 18004 §6.3).
struct Grid {
    size: usize,
    version: usize,
    /// By row (or column): the index of the alignment centre within 2, if any.
    near: [Option<u8>; 177],
    last: u8,
}

impl Grid {
    /// The function areas of `version`, with its alignment centres
    /// ([`crate::locate::alignment_positions`], Annex E).
    fn new(version: usize) -> Grid {
        let size = 17 + 4 * version;
        let centres = crate::locate::alignment_positions(version);
        let n = centres.len();
        let mut near = [None; 177];
        for (k, &centre) in centres.iter().enumerate() {
            near.iter_mut()
                .skip(centre - 2)
                .take(5)
                .for_each(|x| *x = Some(k as u8));
        }
        let last = n.saturating_sub(1) as u8;
        Grid {
            size,
            version,
            near,
            last,
        }
    }

    /// Whether (`r`, `c`) is a function module: finders with separators and format
    /// areas (and the dark module), timing, version areas, alignment patterns.
    fn is_function(&self, r: usize, c: usize) -> bool {
        let size = self.size;
        if r == 6 || c == 6 || (r < 9 && (c < 9 || c + 8 >= size)) || (r + 8 >= size && c < 9) {
            return true;
        }
        if self.version >= 7 && ((r < 6 && c + 11 >= size) || (c < 6 && r + 11 >= size)) {
            return true;
        }
        let (last, at) = (self.last, |x: usize| self.near.get(x).copied().flatten());
        match (at(r), at(c)) {
            (Some(i), Some(j)) => !(i == 0 && (j == 0 || j == last)) && !(i == last && j == 0),
            _ => false,
        }
    }

    /// Calls `f(row, col)` for each data module in placement order (§7.7.3):
    /// two-column strips from the right, up then down, skipping column 6.
    fn walk(&self, mut f: impl FnMut(usize, usize)) {
        let (mut right, mut upward) = (self.size - 1, true);
        loop {
            for k in 0..self.size {
                let r = if upward { self.size - 1 - k } else { k };
                for c in [right, right - 1] {
                    if !self.is_function(r, c) {
                        f(r, c);
                    }
                }
            }
            upward = !upward;
            match right {
                1 => return,
                8 => right = 5,
                _ => right -= 2,
            }
        }
    }
}

/// Blocks by level (L, M, Q, H) and version 1–40 (ISO/IEC 18004 Table 9).
#[rustfmt::skip]
const BLOCKS: [[u8; 40]; 4] = [
    [1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25],
    [1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49],
    [1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68],
    [1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25, 25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81],
];

/// Error-correction codewords per block, by level and version (Table 9).
#[rustfmt::skip]
const EC_PER_BLOCK: [[u8; 40]; 4] = [
    [7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
    [10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28],
    [13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30, 28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
    [17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28, 30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
];

/// A symbol's codewords in blocks (ISO/IEC 18004 §7.5.2, §7.6): `count` blocks of
/// `ec` error-correction codewords, the first `short` of them with one data
/// codeword fewer than the rest.
struct Blocks {
    count: usize,
    ec: usize,
    total: usize,
    short: usize,
    short_len: usize,
}

impl Blocks {
    /// The blocks of (`version`, `level`). The codewords are the data modules over 8
    /// (§7.7.3): size² less 3 × 64 (finders, separators), 31 (format areas, dark
    /// module), the timing, 25 per alignment pattern less the timing they cross,
    /// and 36 (version areas).
    fn of(version: usize, level: EcLevel) -> Blocks {
        let at = |t: &[[u8; 40]; 4]| t.get(level.index())?.get(version.wrapping_sub(1)).copied();
        let (count, ec) = (
            usize::from(at(&BLOCKS).unwrap_or(1).max(1)),
            at(&EC_PER_BLOCK),
        );
        let (size, n) = (
            17 + 4 * version,
            crate::locate::alignment_positions(version).len(),
        );
        let mut modules = size * size - 192 - 31 - 2 * (size - 16) - 36 * usize::from(version >= 7);
        if n >= 2 {
            modules -= 25 * (n * n - 3) - 10 * (n - 2);
        }
        let total = modules / 8;
        let (short, short_len) = (count - total % count, total / count);
        let ec = usize::from(ec.unwrap_or(0));
        Blocks {
            count,
            ec,
            total,
            short,
            short_len,
        }
    }

    fn data_total(&self) -> usize {
        self.total - self.count * self.ec
    }

    fn data_len(&self, b: usize) -> usize {
        self.short_len - self.ec + usize::from(b >= self.short)
    }

    fn start(&self, b: usize) -> usize {
        b * self.short_len + b.saturating_sub(self.short)
    }

    /// Where the `k`-th codeword placed lies among the blocks laid end to end, each
    /// data then error correction: the interleaving of §7.6 undone.
    fn place(&self, k: usize) -> usize {
        let (short_data, data) = (self.short_len - self.ec, self.data_total());
        let (b, offset) = if k < short_data * self.count {
            (k % self.count, k / self.count)
        } else if k < data {
            (self.short + k - short_data * self.count, short_data)
        } else {
            let (b, i) = ((k - data) % self.count, (k - data) / self.count);
            (b, self.data_len(b) + i)
        };
        self.start(b) + offset
    }

    /// The corrected data codewords, block after block.
    fn correct(&self, placed: &[u8]) -> Result<Vec<u8>, String> {
        let mut laid = vec![0_u8; self.total];
        for (k, &byte) in placed.iter().enumerate() {
            if let Some(slot) = laid.get_mut(self.place(k)) {
                *slot = byte;
            }
        }
        let mut data = Vec::with_capacity(self.data_total());
        for b in 0..self.count {
            let (start, len) = (self.start(b), self.data_len(b));
            let block = laid
                .get_mut(start..start + len + self.ec)
                .unwrap_or(&mut []);
            if !correct(block, self.ec) {
                return Err(format!(
                    "too many errors in block {} of {}",
                    b + 1,
                    self.count
                ));
            }
            data.extend(block.iter().take(len));
        }
        Ok(data)
    }
}

/// Exponentials (twice over: sums of two logarithms index them) and logarithms of
/// GF(256) with the polynomial 0x11D (ISO/IEC 18004 §7.5.2), built at compile time.
struct Gf {
    exp: [u8; 512],
    log: [u8; 256],
}

#[allow(clippy::indexing_slicing)] // Run at compile time: out of range fails the build.
const fn gf() -> Gf {
    let (mut exp, mut log, mut x, mut i) = ([0; 512], [0; 256], 1_u16, 0);
    while i < 255 {
        (exp[i], exp[i + 255], log[x as usize]) = (x as u8, x as u8, i as u8);
        x = (x << 1) ^ if x & 0x80 == 0 { 0 } else { 0x11D };
        i += 1;
    }
    Gf { exp, log }
}

static GF: Gf = gf();

fn exp(i: usize) -> u8 {
    GF.exp.get(i).copied().unwrap_or(0)
}

fn log(a: u8) -> usize {
    usize::from(GF.log.get(usize::from(a)).copied().unwrap_or(0))
}

fn mul(a: u8, b: u8) -> u8 {
    match (a, b) {
        (0, _) | (_, 0) => 0,
        _ => exp(log(a) + log(b)),
    }
}

fn div(a: u8, b: u8) -> u8 {
    match (a, b) {
        (0, _) | (_, 0) => 0,
        _ => exp(log(a) + 255 - log(b)),
    }
}

/// A polynomial's value at `x`, coefficients from the constant term up.
fn eval(p: &[u8], x: u8) -> u8 {
    p.iter().rev().fold(0, |acc, &c| mul(acc, x) ^ c)
}

/// x · α^j for every x and j < 30: a Horner step of the syndromes in one lookup.
static TIMES_ALPHA: [[u8; 256]; 30] = times_alpha();

#[allow(clippy::indexing_slicing)] // Run at compile time: out of range fails the build.
const fn times_alpha() -> [[u8; 256]; 30] {
    let (mut table, mut j) = ([[0; 256]; 30], 0);
    while j < 30 {
        let mut x = 1;
        while x < 256 {
            table[j][x] = GF.exp[GF.log[x] as usize + j];
            x += 1;
        }
        j += 1;
    }
    table
}

/// The syndromes S_j = c(α^j), j < `ec` (at most 30), of a block (its first
/// codeword the highest power's coefficient), and whether any is nonzero.
fn syndromes(block: &[u8], ec: usize) -> ([u8; 32], bool) {
    let mut s = [0_u8; 32];
    let steps = TIMES_ALPHA.get(..ec).unwrap_or(&TIMES_ALPHA);
    for &c in block {
        for (sj, times) in s.iter_mut().zip(steps) {
            *sj = times.get(usize::from(*sj)).copied().unwrap_or(0) ^ c;
        }
    }
    (s, s.iter().any(|&v| v != 0))
}

/// Corrects up to ⌊ec / 2⌋ wrong codewords of a block in place (Reed–Solomon with
/// generator roots α^0 … α^(ec − 1), §7.5.2): Berlekamp–Massey, Chien search,
/// Forney. False when the block cannot be corrected.
fn correct(block: &mut [u8], ec: usize) -> bool {
    let len = block.len();
    if ec == 0 || ec > 30 || len > 255 || len < ec {
        return false;
    }
    let (syn, any) = syndromes(block, ec);
    if !any {
        return true;
    }
    // Berlekamp–Massey: the error locator Λ (constant term first) of degree `deg`,
    // from the last locator before a length change, its discrepancy and the shift.
    let (mut lambda, mut prev) = ([0_u8; 32], [0_u8; 32]);
    (lambda[0], prev[0]) = (1, 1);
    let (mut deg, mut shift, mut prev_disc) = (0, 1, 1_u8);
    for k in 0..ec {
        let window = syn.get(..=k).unwrap_or(&[]).iter().rev();
        let disc = lambda
            .iter()
            .zip(window)
            .take(deg + 1)
            .fold(0, |a, (&c, &v)| a ^ mul(c, v));
        if disc == 0 {
            shift += 1;
            continue;
        }
        let before = lambda;
        for (c, &p) in lambda.iter_mut().skip(shift).zip(prev.iter()) {
            *c ^= mul(div(disc, prev_disc), p);
        }
        if 2 * deg <= k {
            (deg, prev, prev_disc, shift) = (k + 1 - deg, before, disc, 1);
        } else {
            shift += 1;
        }
    }
    if 2 * deg > ec {
        return false;
    }
    // Ω = S Λ mod x^ec, and Λ' (its odd terms, in characteristic 2).
    let (mut omega, mut deriv) = ([0_u8; 32], [0_u8; 32]);
    for (i, &li) in lambda.iter().enumerate().take(deg + 1) {
        for (o, &sj) in omega.iter_mut().skip(i).zip(syn.iter().take(ec)) {
            *o ^= mul(li, sj);
        }
    }
    for (i, d) in deriv.iter_mut().enumerate().step_by(2) {
        *d = lambda.get(i + 1).copied().unwrap_or(0);
    }
    let lambda = lambda.get(..=deg).unwrap_or(&[]);
    let omega = omega.get(..ec).unwrap_or(&[]);
    let mut found = 0;
    for e in 0..len {
        // An error at x^e (codeword len − 1 − e) has locator X = α^e, Λ(X⁻¹) = 0,
        // and magnitude X Ω(X⁻¹) / Λ'(X⁻¹).
        let x_inv = exp(255 - e % 255);
        if eval(lambda, x_inv) == 0 {
            found += 1;
            let magnitude = mul(exp(e % 255), div(eval(omega, x_inv), eval(&deriv, x_inv)));
            if let Some(c) = block.get_mut(len - 1 - e) {
                *c ^= magnitude;
            }
        }
    }
    found == deg && !syndromes(block, ec).1
}

/// A reader of bits, most significant first.
struct BitReader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl BitReader<'_> {
    fn left(&self) -> usize {
        self.data.len() * 8 - self.pos
    }

    fn read(&mut self, n: usize) -> Result<u32, String> {
        if n > self.left() || n > 32 {
            return Err("segment runs past the data".into());
        }
        let (mut v, mut n) = (0_u32, n);
        while n > 0 {
            let byte = u32::from(self.data.get(self.pos / 8).copied().unwrap_or(0));
            let (avail, take) = (8 - self.pos % 8, (8 - self.pos % 8).min(n));
            v = v << take | (byte >> (avail - take)) & ((1 << take) - 1);
            (self.pos, n) = (self.pos + take, n - take);
        }
        Ok(v)
    }
}

/// The 45 characters of alphanumeric mode by value (ISO/IEC 18004 Table 5).
const ALPHANUMERIC: &[u8; 45] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/// The text of the data codewords' segments (ISO/IEC 18004 §7.4): numeric,
/// alphanumeric and byte segments, ECI designators skipped; the whole must be UTF-8.
fn segments(data: &[u8], version: usize) -> Result<String, String> {
    let mut bits = BitReader { data, pos: 0 };
    let mut out = Vec::new();
    // Count widths for versions 1–9, 10–26, 27–40 (Table 3).
    let group = usize::from(version >= 10) + usize::from(version >= 27);
    while bits.left() >= 4 {
        // Characters go in groups of `per`: base-`radix` digits in `width[k - 1]`
        // bits for a group of k (§7.4.3–§7.4.5).
        let (counts, per, width, radix): ([usize; 3], usize, [usize; 3], u32) =
            match bits.read(4)? {
                0b0000 => break,
                0b0001 => ([10, 12, 14], 3, [4, 7, 10], 10),
                0b0010 => ([9, 11, 13], 2, [6, 11, 0], 45),
                0b0100 => ([8, 16, 16], 1, [8, 0, 0], 256),
                0b0111 => {
                    // ECI (§7.4.2): a designator of 1, 2 or 3 bytes, by its first bits.
                    match bits.read(8)? {
                        0..=0x7F => 0,
                        0x80..=0xBF => bits.read(8)?,
                        0xC0..=0xDF => bits.read(16)?,
                        _ => return Err("bad ECI designator".into()),
                    };
                    continue;
                }
                0b1000 => return Err("kanji segment".into()),
                mode => return Err(format!("bad segment mode 0b{mode:04b}")),
            };
        let width_of = |k: usize| width.get(k.wrapping_sub(1)).copied().unwrap_or(0);
        let mut left = bits.read(counts.get(group).copied().unwrap_or(16))? as usize;
        if left / per * width_of(per) + width_of(left % per) > bits.left() {
            return Err("segment runs past the data".into());
        }
        while left > 0 {
            let k = left.min(per);
            let v = bits.read(width_of(k))?;
            if v >= radix.pow(k as u32) {
                return Err(format!("segment value {v} out of range"));
            }
            for digit in (0..k as u32).rev().map(|p| v / radix.pow(p) % radix) {
                out.push(match radix {
                    10 => b'0' + digit as u8,
                    45 => ALPHANUMERIC.get(digit as usize).copied().unwrap_or(b'?'),
                    _ => digit as u8,
                });
            }
            left -= k;
        }
    }
    String::from_utf8(out).map_err(|_| "text is not UTF-8".into())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::Symbol;
    use qrcode::{bits::Bits, QrCode, Version};

    const BASE: &str = "NCFOXN%TS3DH0YOJ58S S-C4C:HT$M*T5:C/OG5 5:6QA";

    /// The crate's seeded generator, with a bound.
    struct Rng(crate::SplitMix64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0.next_u64()
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
    }

    fn cut(base: &str, n: usize) -> String {
        base.chars().cycle().take(n).collect()
    }

    fn read(width: usize, modules: &[bool]) -> Result<Decoded, String> {
        decode(width, &|r, c| modules[r * width + c])
    }

    fn read_code(code: &QrCode) -> Result<Decoded, String> {
        let colors = code.to_colors();
        let modules: Vec<bool> = colors.iter().map(|&c| c == qrcode::Color::Dark).collect();
        read(code.width(), &modules)
    }

    /// Alphanumeric characters version `v` holds at `level` (ISO/IEC 18004 Table 7).
    fn capacity(v: usize, level: EcLevel) -> usize {
        let count = [9, 11, 13][usize::from(v >= 10) + usize::from(v >= 27)];
        let bits = Blocks::of(v, level).data_total() * 8 - 4 - count;
        bits / 11 * 2 + usize::from(bits % 11 >= 6)
    }

    #[test]
    fn round_trips_every_version_and_level() {
        let mut hit = std::collections::BTreeSet::new();
        for level in EcLevel::ALL {
            // The least and the most characters of each version.
            for v in 1..=40 {
                let least = if v == 1 {
                    1
                } else {
                    capacity(v - 1, level) + 1
                };
                for text in [cut(BASE, least), cut(BASE, capacity(v, level))] {
                    let sym = Symbol::new(&text, level).unwrap();
                    assert_eq!(usize::from(sym.version), v, "{} at {level}", text.len());
                    let d = read(sym.width, &sym.modules).unwrap();
                    assert_eq!((d.text, d.version, d.level), (text, sym.version, level));
                    hit.insert(v);
                }
            }
            for base in [
                "the quick brown fox, ",
                "Grüße, 世界! ✓ ",
                "3141592653589793",
            ] {
                for n in [1, 7, 40, 150, 400, 900, 1500] {
                    let text = cut(base, n);
                    let Ok(sym) = Symbol::new(&text, level) else {
                        continue;
                    };
                    let d = read(sym.width, &sym.modules).unwrap();
                    assert_eq!((d.text, d.version, d.level), (text, sym.version, level));
                    hit.insert(usize::from(sym.version));
                }
            }
        }
        assert!([1, 2, 6, 7, 10, 27, 36, 40].iter().all(|v| hit.contains(v)));
    }

    #[test]
    fn reads_eci_numeric_and_mixed_segments() {
        let l = qrcode::EcLevel::L;
        for v in [1, 10, 27] {
            let cases = [
                (0, 3),
                (1, 26),
                (2, 127),
                (3, 128),
                (4, 16383),
                (5, 16384),
                (7, 999_999),
            ];
            for (digits, eci) in cases {
                let mut bits = Bits::new(Version::Normal(v));
                bits.push_eci_designator(eci).unwrap();
                bits.push_numeric_data(&b"31415926"[..digits]).unwrap();
                bits.push_alphanumeric_data(b"AB:C").unwrap();
                bits.push_byte_data("é!".as_bytes()).unwrap();
                bits.push_terminator(l).unwrap();
                let text = read_code(&QrCode::with_bits(bits, l).unwrap())
                    .unwrap()
                    .text;
                assert_eq!(text, format!("{}AB:Cé!", &"31415926"[..digits]));
            }
        }
        let mut bits = Bits::new(Version::Normal(1));
        bits.push_kanji_data(b"\x93\x5f").unwrap();
        bits.push_terminator(l).unwrap();
        let code = QrCode::with_bits(bits, l).unwrap();
        assert_eq!(read_code(&code), Err("kanji segment".into()));
    }

    /// Fields (value, bits) packed most significant bit first, zero-padded.
    fn pack(fields: &[(u32, usize)]) -> Vec<u8> {
        let bits: Vec<bool> = fields
            .iter()
            .flat_map(|&(value, n)| (0..n).rev().map(move |i| value >> i & 1 == 1))
            .collect();
        let byte = |c: &[bool]| {
            c.iter()
                .enumerate()
                .fold(0, |b, (i, &x)| b | u8::from(x) << (7 - i))
        };
        bits.chunks(8).map(byte).collect()
    }

    #[test]
    fn segments_are_checked() {
        let bad: [(&[(u32, usize)], &str); 10] = [
            (&[(0b1101, 4)], "bad segment mode 0b1101"),
            (&[(1, 4), (3, 10), (1000, 10)], "out of range"),
            (&[(1, 4), (2, 10), (100, 7)], "out of range"),
            (&[(1, 4), (1, 10), (10, 4)], "out of range"),
            (&[(2, 4), (2, 9), (2025, 11)], "out of range"),
            (&[(2, 4), (1, 9), (45, 6)], "out of range"),
            (&[(4, 4), (5, 8), (0x41, 8)], "runs past the data"),
            (&[(4, 4), (1, 8), (0xFF, 8)], "text is not UTF-8"),
            (&[(8, 4)], "kanji segment"),
            (&[(7, 4), (0xE0, 8)], "bad ECI designator"),
        ];
        for (fields, want) in bad {
            let e = segments(&pack(fields), 1).unwrap_err();
            assert!(e.contains(want), "{fields:?}: {e}");
        }
        let eci = pack(&[
            (7, 4),
            (0xC0, 8),
            (0, 16),
            (4, 4),
            (2, 8),
            (0xC3, 8),
            (0xA9, 8),
        ]);
        assert_eq!(segments(&eci, 1).unwrap(), "é");
        let wide = pack(&[
            (1, 4),
            (5, 14),
            (123, 10),
            (45, 7),
            (2, 4),
            (1, 13),
            (44, 6),
        ]);
        assert_eq!(segments(&wide, 27).unwrap(), "12345:");
        assert_eq!(segments(&[], 40).unwrap(), "");
    }

    /// All 160 entries: the data codewords against the encoder's capacity, and the
    /// encoder's interleaved codewords, laid out by our blocks, as the data in
    /// order and each block a Reed–Solomon codeword.
    #[test]
    fn block_table_matches_the_encoder() {
        let mut rng = Rng(crate::SplitMix64(7));
        for (v, level) in (1..=40).flat_map(|v| EcLevel::ALL.map(|level| (v, level))) {
            let (b, version, ec) = (
                Blocks::of(v, level),
                Version::Normal(v as i16),
                crate::ec(level),
            );
            assert_eq!(b.data_total() * 8, Bits::new(version).max_len(ec).unwrap());
            let data: Vec<u8> = (0..b.data_total()).map(|_| rng.next() as u8).collect();
            let (d, e) = qrcode::ec::construct_codewords(&data, version, ec).unwrap();
            assert_eq!((d.len(), e.len()), (b.data_total(), b.count * b.ec));
            let mut laid = vec![None; b.total];
            for (k, &x) in d.iter().chain(&e).enumerate() {
                assert_eq!(laid[b.place(k)].replace(x), None);
            }
            let laid: Vec<u8> = laid.into_iter().map(Option::unwrap).collect();
            let mut ours: Vec<u8> = Vec::new();
            for blk in 0..b.count {
                let block = &laid[b.start(blk)..b.start(blk) + b.data_len(blk) + b.ec];
                assert!(!syndromes(block, b.ec).1, "v{v} {level} block {blk}");
                ours.extend(&block[..b.data_len(blk)]);
            }
            assert_eq!(ours, data, "v{v} {level}");
        }
    }

    #[test]
    fn function_modules_match_the_encoder() {
        for v in 1..=40 {
            let grid = Grid::new(v);
            let w = grid.size;
            let mut free = 0;
            for (r, c) in (0..w).flat_map(|r| (0..w).map(move |c| (r, c))) {
                let version_area = v >= 7 && ((r < 6 && c + 11 >= w) || (c < 6 && r + 11 >= w));
                let (x, y, w16) = (c as i16, r as i16, w as i16);
                let theirs = qrcode::canvas::is_functional(Version::Normal(v as i16), w16, x, y);
                assert_eq!(
                    grid.is_function(r, c),
                    theirs || version_area,
                    "v{v} ({r}, {c})"
                );
                free += usize::from(!grid.is_function(r, c));
            }
            let mut seen = vec![false; w * w];
            grid.walk(|r, c| assert!(!std::mem::replace(&mut seen[r * w + c], true)));
            assert_eq!(seen.iter().filter(|&&x| x).count(), free);
            assert_eq!(free / 8, Blocks::of(v, EcLevel::M).total, "v{v}");
        }
    }

    #[test]
    fn reed_solomon_corrects_half_the_ec() {
        let mut rng = Rng(crate::SplitMix64(11));
        for ec in [7, 10, 13, 16, 22, 26, 28, 30] {
            for round in 0..60 {
                let data: Vec<u8> = (0..=rng.below(120)).map(|_| rng.next() as u8).collect();
                let mut clean = data.clone();
                clean.extend(qrcode::ec::create_error_correction_code(&data, ec));
                for errors in [round % (ec / 2 + 1), ec / 2 + 1 + rng.below(ec)] {
                    let mut block = clean.clone();
                    let mut at: Vec<usize> = (0..block.len()).collect();
                    for i in 0..errors.min(at.len()) {
                        let j = i + rng.below(at.len() - i);
                        at.swap(i, j);
                        block[at[i]] ^= 1 + rng.below(255) as u8;
                    }
                    let fixed = correct(&mut block, ec);
                    if errors <= ec / 2 {
                        assert!(fixed && block == clean, "ec {ec}, {errors} errors");
                    } else if fixed {
                        assert!(!syndromes(&block, ec).1);
                    }
                }
            }
        }
    }

    /// The modules of each codeword of each block.
    fn codeword_cells(v: usize, level: EcLevel) -> Vec<Vec<Vec<(usize, usize)>>> {
        let (grid, b) = (Grid::new(v), Blocks::of(v, level));
        let mut cells = Vec::new();
        grid.walk(|r, c| cells.push((r, c)));
        let mut blocks = vec![Vec::new(); b.count];
        for k in 0..b.total {
            let blk = (0..b.count).rfind(|&x| b.start(x) <= b.place(k)).unwrap();
            blocks[blk].push(cells[k * 8..k * 8 + 8].to_vec());
        }
        blocks
    }

    /// ⌊ec / 2⌋ codewords of each block damaged, each in 1 to 8 of its modules, and
    /// 3 bits of the first format copy and of a version block: the text. Random
    /// modules anywhere, up to half of them: the text or an error, no other text.
    #[test]
    fn corrects_what_the_level_allows_and_no_more() {
        let mut rng = Rng(crate::SplitMix64(3));
        for level in EcLevel::ALL {
            for v in [1, 2, 5, 7, 10, 15, 22, 27, 36, 40] {
                let text = cut(BASE, capacity(v, level));
                let sym = Symbol::new(&text, level).unwrap();
                let (w, mut bad) = (sym.width, sym.modules.clone());
                for mut block in codeword_cells(v, level) {
                    for i in 0..Blocks::of(v, level).ec / 2 {
                        let pick = i + rng.below(block.len() - i);
                        block.swap(i, pick);
                        for _ in 0..=rng.below(8) {
                            let (r, c) = block[i][rng.below(8)];
                            bad[r * w + c] ^= true;
                        }
                    }
                }
                for (r, c) in [(8, 0), (8, 1), (2, 8), (0, w - 11), (1, w - 10), (5, w - 9)] {
                    bad[r * w + c] ^= v >= 7 || r == 8 || c == 8;
                }
                assert_eq!(read(w, &bad).unwrap().text, text, "v{v} {level}");
                for round in 0..8 {
                    let mut bad = sym.modules.clone();
                    for _ in 0..=rng.below(w * w / (2 + round)) {
                        bad[rng.below(w * w)] ^= true;
                    }
                    assert!(
                        read(w, &bad).map_or(true, |d| d.text == text),
                        "v{v} {level}"
                    );
                }
            }
        }
    }

    #[test]
    fn random_input_never_panics() {
        let mut rng = Rng(crate::SplitMix64(9));
        let noise = |seed: u64| {
            move |r: usize, c: usize| {
                (seed ^ (r as u64) << 32 ^ c as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 63 == 1
            }
        };
        let sizes = (21..=177).step_by(4).flat_map(|s| [s; 20]);
        for size in sizes.chain(0..400).chain([usize::MAX, 1 << 40, 181]) {
            let _ = decode(size, &noise(rng.next()));
        }
        // Real format information over random data modules.
        for (v, level) in [
            (1, EcLevel::L),
            (7, EcLevel::M),
            (20, EcLevel::Q),
            (40, EcLevel::H),
        ] {
            let sym = Symbol::new(&cut(BASE, capacity(v, level)), level).unwrap();
            let (w, mut m) = (sym.width, sym.modules.clone());
            for _ in 0..20 {
                Grid::new(v).walk(|r, c| m[r * w + c] = rng.next() & 1 == 1);
                assert!(read(w, &m).is_err());
            }
        }
        for _ in 0..5000 {
            let data: Vec<u8> = (0..rng.below(200)).map(|_| rng.next() as u8).collect();
            let _ = segments(&data, 1 + rng.below(40));
            let _ = correct(&mut data.clone(), rng.below(40));
        }
    }
}
