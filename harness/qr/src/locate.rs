//! Finding a QR symbol in an image and sampling its modules: c169's own locator.
//!
//! The steps are those ISO/IEC 18004 §12 describes for a reference decode, made
//! fit for the corpus's degradations (turns, keystones, blur, noise, low
//! contrast), which all map the printed symbol onto the image by a homography:
//! 1. black and white at Otsu's threshold of the image's histogram;
//! 2. the finder patterns: rows that read dark, light, dark, light, dark in the
//!    ratio 1:1:3:1:1 (§6.3.3), checked across the column and the row again
//!    through the middle, and the checks that meet at one centre merged;
//! 3. three of them that make a right angle with two equal legs, named top left,
//!    top right and bottom left by the turn from one leg to the other;
//! 4. the module size along each leg, measured across the finder patterns, gives
//!    the version (and that version's neighbours, and the one the version
//!    information reads, are tried after it); a first homography is fitted to the
//!    three centres and the finder patterns' outer edges along the legs (a
//!    keystone shows in how their spacing changes from one end to the other);
//!    then the alignment patterns (§6.3.6), out from the top left square by
//!    square, each looked for around where the map so far puts it, and the
//!    homography fitted again to every point found (least squares);
//! 5. each module read at its centre through that homography (bilinear), against
//!    the same threshold.
//!
//! Every step is bounded by the image's size, uses only the four IEEE operations
//! and square roots (so every machine finds the same), and never panics.

use crate::Gray;

/// A point in pixels: x to the right, y down; pixel (i, j) covers [i, i + 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Pt {
    pub x: f64,
    pub y: f64,
}

impl Pt {
    fn sub(self, o: Pt) -> Pt {
        Pt {
            x: self.x - o.x,
            y: self.y - o.y,
        }
    }
    fn len(self) -> f64 {
        (self.x * self.x + self.y * self.y).sqrt()
    }
}

/// The most finder-pattern crossings a search takes in (beyond: not a symbol).
const MAX_CROSSINGS: usize = 50_000;
/// The most finder-pattern centres kept, and tried in threes.
const MAX_CENTRES: usize = 12;
/// The most centres kept while the search runs.
const MAX_OPEN: usize = 512;
/// The most triples of centres tried as a symbol.
const MAX_TRIPLES: usize = 4;

/// An image seen in black and white at a threshold: dark is `<= threshold`.
struct Bw<'a> {
    img: &'a Gray,
    threshold: u8,
}

impl Bw<'_> {
    fn dark(&self, x: i64, y: i64) -> bool {
        self.img.get(x, y) <= self.threshold
    }

    /// Dark at a point in pixels (the pixel that covers it).
    fn dark_at(&self, p: Pt) -> bool {
        if !(p.x.is_finite() && p.y.is_finite()) {
            return false;
        }
        self.dark(floor(p.x), floor(p.y))
    }

    /// The grey level at a point, bilinear between the four nearest pixel centres.
    fn grey_at(&self, p: Pt) -> f64 {
        if !(p.x.is_finite() && p.y.is_finite()) {
            return 255.0;
        }
        let (fx, fy) = (p.x - 0.5, p.y - 0.5);
        let (x0, y0) = (floor(fx), floor(fy));
        let (ax, ay) = (fx - x0 as f64, fy - y0 as f64);
        let g = |x: i64, y: i64| f64::from(self.img.get(x, y));
        (g(x0, y0) * (1.0 - ax) + g(x0 + 1, y0) * ax) * (1.0 - ay)
            + (g(x0, y0 + 1) * (1.0 - ax) + g(x0 + 1, y0 + 1) * ax) * ay
    }
}

/// The greatest integer not above `v` (finite), without a call into libm.
fn floor(v: f64) -> i64 {
    let i = v as i64;
    if (i as f64) > v {
        i - 1
    } else {
        i
    }
}

/// A finder pattern's centre, its size across (a seventh of its width on the row
/// and column through it), and how many crossings met there.
#[derive(Debug, Clone, Copy)]
struct Centre {
    at: Pt,
    module: f64,
    count: usize,
}

/// Whether five run lengths read 1:1:3:1:1.
fn finder_ratio(runs: [f64; 5]) -> bool {
    let total: f64 = runs.iter().sum();
    if total < 7.0 {
        return false;
    }
    let m = total / 7.0;
    let near = |len: f64, n: f64| (len - n * m).abs() <= n.max(1.5) * m * 0.5;
    near(runs[0], 1.0)
        && near(runs[1], 1.0)
        && near(runs[2], 3.0)
        && near(runs[3], 1.0)
        && near(runs[4], 1.0)
}

/// Across a finder pattern through (x, y), a dark pixel of its core, along the
/// step (dx, dy): the core's middle as an offset in steps from (x, y), and the
/// pattern's width in steps; `None` unless the runs read 1:1:3:1:1.
fn cross(bw: &Bw<'_>, x: i64, y: i64, dx: i64, dy: i64, limit: i64) -> Option<(f64, f64)> {
    if !bw.dark(x, y) {
        return None;
    }
    // Runs on each side: the core (dark), the gap (light), the ring (dark).
    let side = |sign: i64| -> Option<[i64; 3]> {
        let mut lens = [0_i64; 3];
        let mut k = 0_i64;
        for (i, want_dark) in [true, false, true].into_iter().enumerate() {
            let mut n = 0;
            while k <= limit && bw.dark(x + sign * k * dx, y + sign * k * dy) == want_dark {
                n += 1;
                k += 1;
            }
            if n == 0 || k > limit {
                return None;
            }
            *lens.get_mut(i)? = n;
        }
        Some(lens)
    };
    let a = side(1)?;
    let b = side(-1)?;
    // The core counted (x, y) on both sides.
    let core = a[0] + b[0] - 1;
    let runs = [b[2], b[1], core, a[1], a[2]].map(|v| v as f64);
    if !finder_ratio(runs) {
        return None;
    }
    // The core spans steps -(b0 - 1) ..= a0 - 1.
    let mid = ((a[0] - 1) - (b[0] - 1)) as f64 / 2.0;
    Some((mid, runs.iter().sum()))
}

/// The finder-pattern centres of `bw`, the most crossed first.
fn finders(bw: &Bw<'_>) -> Vec<Centre> {
    let (w, h) = (i64::from(bw.img.width()), i64::from(bw.img.height()));
    let mut centres: Vec<Centre> = Vec::new();
    let mut crossings = 0_usize;
    let mut runs: Vec<(i64, i64)> = Vec::new(); // (start, length) of alternating runs
    for y in 0..h {
        runs.clear();
        let mut x = 0;
        // Runs from the first dark pixel on.
        while x < w && !bw.dark(x, y) {
            x += 1;
        }
        while x < w {
            let start = x;
            let d = bw.dark(x, y);
            while x < w && bw.dark(x, y) == d {
                x += 1;
            }
            runs.push((start, x - start));
        }
        // Dark runs are the even ones.
        for i in (0..runs.len().saturating_sub(4)).step_by(2) {
            let Some(five) = runs.get(i..i + 5) else {
                break;
            };
            let lens = [0, 1, 2, 3, 4].map(|k| five.get(k).map_or(0.0, |r| r.1 as f64));
            if !finder_ratio(lens) {
                continue;
            }
            crossings += 1;
            if crossings > MAX_CROSSINGS {
                return Vec::new();
            }
            let total: f64 = lens.iter().sum();
            let limit = (total * 2.0) as i64 + 2;
            let core = five.get(2).copied().unwrap_or((0, 0));
            let cx = core.0 + core.1 / 2;
            // Down the column, then along the row through the column's middle.
            let Some((dy, vtotal)) = cross(bw, cx, y, 0, 1, limit) else {
                continue;
            };
            let cy = (y as f64 + 0.5 + dy).floor() as i64;
            let Some((dx, htotal)) = cross(bw, cx, cy, 1, 0, limit) else {
                continue;
            };
            // And along both diagonals, which a turned pattern also passes.
            let (hx, vy) = ((cx as f64 + 0.5 + dx).floor() as i64, cy);
            if cross(bw, hx, vy, 1, 1, limit).is_none() || cross(bw, hx, vy, 1, -1, limit).is_none()
            {
                continue;
            }
            let at = Pt {
                x: cx as f64 + 0.5 + dx,
                y: y as f64 + 0.5 + dy,
            };
            let module = (vtotal + htotal) / 14.0;
            if let Some(c) = centres
                .iter_mut()
                .find(|c| at.sub(c.at).len() <= 1.5 * c.module.max(module))
            {
                let n = c.count as f64;
                c.at = Pt {
                    x: (c.at.x * n + at.x) / (n + 1.0),
                    y: (c.at.y * n + at.y) / (n + 1.0),
                };
                c.module = (c.module * n + module) / (n + 1.0);
                c.count += 1;
            } else if centres.len() < MAX_OPEN {
                centres.push(Centre {
                    at,
                    module,
                    count: 1,
                });
            }
        }
    }
    centres.sort_by_key(|c| std::cmp::Reverse(c.count));
    // A finder pattern is crossed by every row through its core: centres met
    // by far fewer rows than the best are chance patterns in the data.
    let most = centres.first().map_or(0, |c| c.count);
    centres.retain(|c| 4 * c.count >= most);
    centres.truncate(MAX_CENTRES);
    centres
}

/// Three centres that can be a symbol's, as top left, top right, bottom left, best
/// first: a right angle at the top left, legs of about one length, sizes alike.
#[allow(clippy::many_single_char_names)] // points and their sides, as in geometry
fn triples(centres: &[Centre]) -> Vec<[Centre; 3]> {
    let mut found: Vec<(f64, [Centre; 3])> = Vec::new();
    let n = centres.len();
    for i in 0..n {
        for j in i + 1..n {
            for k in j + 1..n {
                let (Some(&a), Some(&b), Some(&c)) =
                    (centres.get(i), centres.get(j), centres.get(k))
                else {
                    continue;
                };
                // The corner is opposite the longest side.
                let (ab, bc, ca) = (
                    b.at.sub(a.at).len(),
                    c.at.sub(b.at).len(),
                    a.at.sub(c.at).len(),
                );
                let [tl, p, q] = if bc >= ab && bc >= ca {
                    [a, b, c]
                } else if ca >= ab {
                    [b, c, a]
                } else {
                    [c, a, b]
                };
                let (u, v) = (p.at.sub(tl.at), q.at.sub(tl.at));
                let (lu, lv) = (u.len(), v.len());
                if lu < 7.0 * tl.module || lv < 7.0 * tl.module {
                    continue;
                }
                let cos = (u.x * v.x + u.y * v.y) / (lu * lv);
                let legs = (lu - lv).abs() / lu.max(lv);
                let sizes = [tl.module, p.module, q.module];
                let (lo, hi) = sizes
                    .iter()
                    .fold((f64::MAX, 0.0_f64), |(lo, hi), &s| (lo.min(s), hi.max(s)));
                if cos.abs() > 0.35 || legs > 0.4 || hi > 2.0 * lo {
                    continue;
                }
                // Turning from the top right to the bottom left is clockwise on
                // the page (y down): a positive cross product.
                let cross = u.x * v.y - u.y * v.x;
                let [tr, bl] = if cross > 0.0 { [p, q] } else { [q, p] };
                // Centres crossed by as many rows as their core is high (three
                // modules) first: chance patterns in the data are crossed by few.
                let whole = |c: &Centre| (c.count as f64 / (3.0 * c.module)).min(1.0);
                let least = whole(&tl).min(whole(&p)).min(whole(&q));
                let score = cos.abs() + legs + (hi / lo - 1.0) / 4.0 + (1.0 - least);
                found.push((score, [tl, tr, bl]));
            }
        }
    }
    found.sort_by(|a, b| a.0.total_cmp(&b.0));
    found.truncate(MAX_TRIPLES);
    found.into_iter().map(|(_, t)| t).collect()
}

/// How far a finder pattern's outer edges lie from its centre along a
/// direction, forward and back (pixels): walks half-pixel steps out to the third
/// change of colour on each side (core, gap, ring). Its width over 7 is the
/// module size along that direction.
fn edges_along(bw: &Bw<'_>, c: &Centre, dir: Pt, limit: f64) -> Option<(f64, f64)> {
    let l = dir.len();
    if l <= 0.0 || !l.is_finite() {
        return None;
    }
    let (ux, uy) = (dir.x / l * 0.5, dir.y / l * 0.5);
    let edge = |sign: f64| -> Option<f64> {
        let mut colour = true;
        let mut changes = 0;
        let mut k = 0.0;
        while k * 0.5 <= limit {
            let p = Pt {
                x: c.at.x + sign * k * ux,
                y: c.at.y + sign * k * uy,
            };
            if bw.dark_at(p) != colour {
                colour = !colour;
                changes += 1;
                if changes == 3 {
                    // The edge lies between this step and the one before.
                    return Some((k - 0.5) * 0.5);
                }
            }
            k += 1.0;
        }
        None
    };
    Some((edge(1.0)?, edge(-1.0)?))
}

/// The finder patterns of a candidate symbol, with their edges along the top
/// row (top left and top right, along `u`) and down the left column (top left
/// and bottom left, along `v`).
#[derive(Debug, Clone, Copy)]
struct Placed {
    t: [Centre; 3],
    u: Pt,
    v: Pt,
    /// (forward, back) along `u` of the top left and the top right.
    eu: [Option<(f64, f64)>; 2],
    /// (forward, back) along `v` of the top left and the bottom left.
    ev: [Option<(f64, f64)>; 2],
}

impl Placed {
    fn new(bw: &Bw<'_>, t: [Centre; 3]) -> Placed {
        let [tl, tr, bl] = t;
        let (u, v) = (tr.at.sub(tl.at), bl.at.sub(tl.at));
        let limit = 6.0 * tl.module.max(tr.module).max(bl.module);
        Placed {
            t,
            u,
            v,
            eu: [
                edges_along(bw, &tl, u, limit),
                edges_along(bw, &tr, u, limit),
            ],
            ev: [
                edges_along(bw, &tl, v, limit),
                edges_along(bw, &bl, v, limit),
            ],
        }
    }

    /// The module size along `u` and along `v`.
    fn modules(&self) -> (f64, f64) {
        let avg = |m: [Option<(f64, f64)>; 2]| {
            let w: Vec<f64> = m.iter().flatten().map(|(a, b)| (a + b) / 7.0).collect();
            (!w.is_empty()).then(|| w.iter().sum::<f64>() / w.len() as f64)
        };
        let fallback = self.t[0].module;
        (
            avg(self.eu).unwrap_or(fallback),
            avg(self.ev).unwrap_or(fallback),
        )
    }

    /// Pairs of (module point, pixel point): the three centres, and the outer
    /// edges of the finder patterns on the lines between them (a keystone shows
    /// in how the edges' spacing changes along each line).
    fn pairs(&self, s: f64) -> Vec<(Pt, Pt)> {
        let [tl, tr, bl] = self.t;
        let m = |x: f64, y: f64| Pt { x, y };
        let along = |c: Pt, dir: Pt, d: f64| {
            let l = dir.len();
            Pt {
                x: c.x + dir.x / l * d,
                y: c.y + dir.y / l * d,
            }
        };
        let mut pairs = vec![
            (m(3.5, 3.5), tl.at),
            (m(s - 3.5, 3.5), tr.at),
            (m(3.5, s - 3.5), bl.at),
        ];
        let ends = [
            (self.eu[0], tl.at, self.u, m(7.0, 3.5), m(0.0, 3.5)),
            (self.eu[1], tr.at, self.u, m(s, 3.5), m(s - 7.0, 3.5)),
            (self.ev[0], tl.at, self.v, m(3.5, 7.0), m(3.5, 0.0)),
            (self.ev[1], bl.at, self.v, m(3.5, s), m(3.5, s - 7.0)),
        ];
        for (e, c, dir, fwd, back) in ends {
            if let Some((f, b)) = e {
                pairs.push((fwd, along(c, dir, f)));
                pairs.push((back, along(c, dir, -b)));
            }
        }
        pairs
    }
}

/// Where the modules of a symbol lie: an affine map or a homography from module
/// coordinates (x along a row, y down a column; module (c, r) covers
/// [c, c + 1) × [r, r + 1)) to pixels.
#[derive(Debug, Clone, Copy)]
enum Model {
    /// x = a0 X + a1 Y + a2, y = a3 X + a4 Y + a5.
    Affine([f64; 6]),
    /// x = (h0 X + h1 Y + h2) / w, y = (h3 X + h4 Y + h5) / w, w = h6 X + h7 Y + 1.
    Homography([f64; 8]),
}

impl Model {
    fn map(&self, mx: f64, my: f64) -> Pt {
        match *self {
            Model::Affine(a) => Pt {
                x: a[0] * mx + a[1] * my + a[2],
                y: a[3] * mx + a[4] * my + a[5],
            },
            Model::Homography(h) => {
                let w = h[6] * mx + h[7] * my + 1.0;
                Pt {
                    x: (h[0] * mx + h[1] * my + h[2]) / w,
                    y: (h[3] * mx + h[4] * my + h[5]) / w,
                }
            }
        }
    }

    /// Least squares over `pairs` of (module point, pixel point): a homography
    /// from six pairs on (three finders and three alignment patterns, which
    /// span both directions), an affine map from three.
    fn fit(pairs: &[(Pt, Pt)]) -> Option<Model> {
        if pairs.len() >= 6 {
            let mut ata = [[0.0_f64; 8]; 8];
            let mut atb = [0.0_f64; 8];
            for &(m, p) in pairs {
                let rows = [
                    ([m.x, m.y, 1.0, 0.0, 0.0, 0.0, -m.x * p.x, -m.y * p.x], p.x),
                    ([0.0, 0.0, 0.0, m.x, m.y, 1.0, -m.x * p.y, -m.y * p.y], p.y),
                ];
                for (row, rhs) in rows {
                    for (i, ri) in row.iter().enumerate() {
                        for (j, rj) in row.iter().enumerate() {
                            if let Some(v) = ata.get_mut(i).and_then(|r| r.get_mut(j)) {
                                *v += ri * rj;
                            }
                        }
                        if let Some(v) = atb.get_mut(i) {
                            *v += ri * rhs;
                        }
                    }
                }
            }
            solve(ata, atb).map(Model::Homography)
        } else if pairs.len() >= 3 {
            let mut ata = [[0.0_f64; 3]; 3];
            let (mut bx, mut by) = ([0.0_f64; 3], [0.0_f64; 3]);
            for &(m, p) in pairs {
                let row = [m.x, m.y, 1.0];
                for (i, ri) in row.iter().enumerate() {
                    for (j, rj) in row.iter().enumerate() {
                        if let Some(v) = ata.get_mut(i).and_then(|r| r.get_mut(j)) {
                            *v += ri * rj;
                        }
                    }
                    if let (Some(x), Some(y)) = (bx.get_mut(i), by.get_mut(i)) {
                        *x += ri * p.x;
                        *y += ri * p.y;
                    }
                }
            }
            let ax = solve(ata, bx)?;
            let ay = solve(ata, by)?;
            Some(Model::Affine([ax[0], ax[1], ax[2], ay[0], ay[1], ay[2]]))
        } else {
            None
        }
    }
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting; `None` when
/// `a` is singular.
#[allow(clippy::indexing_slicing, clippy::needless_range_loop)] // N × N arrays indexed below N, as the algorithm is written.
fn solve<const N: usize>(mut a: [[f64; N]; N], mut b: [f64; N]) -> Option<[f64; N]> {
    for col in 0..N {
        let pivot = (col..N).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 || !a[pivot][col].is_finite() {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        for row in col + 1..N {
            let f = a[row][col] / a[col][col];
            for k in col..N {
                a[row][k] -= f * a[col][k];
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = [0.0_f64; N];
    for row in (0..N).rev() {
        let mut s = b[row];
        for k in row + 1..N {
            s -= a[row][k] * x[k];
        }
        x[row] = s / a[row][row];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

/// The rows and columns of a version's alignment patterns' centres (ISO/IEC 18004
/// Annex E: from 6 to 4v + 10, evenly spaced by an even step, 26 for version 32).
pub(crate) fn alignment_positions(version: usize) -> Vec<usize> {
    if !(2..=40).contains(&version) {
        return Vec::new();
    }
    let n = version / 7 + 2;
    let step = if version == 32 {
        26
    } else {
        (version * 4 + n * 2 + 1) / (n * 2 - 2) * 2
    };
    let mut out: Vec<usize> = (0..n - 1).map(|i| version * 4 + 10 - i * step).collect();
    out.push(6);
    out.reverse();
    out
}

/// The light ring around an alignment pattern's centre, in modules.
const CORE_RING: [(i32, i32); 8] = [
    (-1, -1),
    (0, -1),
    (1, -1),
    (-1, 0),
    (1, 0),
    (-1, 1),
    (0, 1),
    (1, 1),
];
/// The dark ring around that.
const OUTER_RING: [(i32, i32); 16] = [
    (-2, -2),
    (-1, -2),
    (0, -2),
    (1, -2),
    (2, -2),
    (-2, -1),
    (2, -1),
    (-2, 0),
    (2, 0),
    (-2, 1),
    (2, 1),
    (-2, 2),
    (-1, 2),
    (0, 2),
    (1, 2),
    (2, 2),
];

/// Looks for an alignment pattern around `guess` (pixels), within `radius`
/// modules, with module steps `du` (along a row) and `dv` (down a column): the
/// middle of the positions where its 5 × 5 modules read best, if they read well.
fn find_alignment(bw: &Bw<'_>, guess: Pt, du: Pt, dv: Pt, radius: f64) -> Option<Pt> {
    let module = f64::midpoint(du.len(), dv.len());
    if !(module.is_finite() && module > 0.0) {
        return None;
    }
    let r = (radius * module).ceil().min(200.0) as i64;
    let step = if module >= 4.0 { 1.0 } else { 0.5 };
    let n = (r as f64 / step) as i64;
    let mut best = 0_u32;
    let (mut sx, mut sy, mut count) = (0.0, 0.0, 0.0);
    for j in -n..=n {
        for i in -n..=n {
            let p = Pt {
                x: guess.x + i as f64 * step,
                y: guess.y + j as f64 * step,
            };
            // The 3 × 3 core (a dark module in a light ring) must read right
            // (most places fail at its first modules); the outer ring, where a
            // wrong guess of the module size shows most, nearly.
            let at = |a: i32, b: i32| Pt {
                x: p.x + f64::from(a) * du.x + f64::from(b) * dv.x,
                y: p.y + f64::from(a) * du.y + f64::from(b) * dv.y,
            };
            if !bw.dark_at(p) || CORE_RING.iter().any(|&(a, b)| bw.dark_at(at(a, b))) {
                continue;
            }
            let outer = OUTER_RING
                .iter()
                .filter(|&&(a, b)| bw.dark_at(at(a, b)))
                .count() as u32;
            if outer < 12 {
                continue;
            }
            let score = outer;
            if score > best {
                best = score;
                (sx, sy, count) = (0.0, 0.0, 0.0);
            }
            if score == best {
                sx += p.x;
                sy += p.y;
                count += 1.0;
            }
        }
    }
    (best > 0 && count > 0.0).then(|| Pt {
        x: sx / count,
        y: sy / count,
    })
}

/// An alignment pattern centred on module point (mx, my), looked for within
/// `radius` modules of where `model` puts it.
fn look(bw: &Bw<'_>, model: &Model, mx: f64, my: f64, radius: f64) -> Option<Pt> {
    let guess = model.map(mx, my);
    let du = model.map(mx + 1.0, my).sub(guess);
    let dv = model.map(mx, my + 1.0).sub(guess);
    find_alignment(bw, guess, du, dv, radius)
}

/// The modules of a symbol of `version` whose finder patterns are `t` (top left,
/// top right, bottom left), read row by row (dark is `true`); `None` when the
/// grid cannot be placed.
fn grid(bw: &Bw<'_>, placed: &Placed, version: usize) -> Option<Vec<bool>> {
    let size = 17 + 4 * version;
    let s = size as f64;
    let module_pt = |c: f64, r: f64| Pt { x: c, y: r };
    let mut pairs = placed.pairs(s);
    let mut model = Model::fit(&pairs)?;
    let positions = alignment_positions(version);
    let last = positions.last().copied().unwrap_or(0);
    let mut centres: Vec<(usize, usize)> = Vec::new();
    for &r in &positions {
        for &c in &positions {
            // Not where a finder pattern is.
            let corner = (r == 6 && (c == 6 || c == last)) || (r == last && c == 6);
            if !corner {
                centres.push((r, c));
            }
        }
    }
    // Out from the top left, square by square: each guess is made by patterns
    // on both sides of it.
    centres.sort_by_key(|&(r, c)| (r.max(c), r.min(c), r));
    let lone = centres.len() == 1;
    let mut missed = Vec::new();
    for (r, c) in centres {
        let (mx, my) = (c as f64 + 0.5, r as f64 + 0.5);
        // How far the guess reaches from the patterns it is made from: a
        // keystone bends the grid away from a map fitted nearer the finders.
        let reach = pairs
            .iter()
            .map(|(m, _)| (m.x - mx).abs().max((m.y - my).abs()))
            .fold(f64::MAX, f64::min);
        // A version 2 to 6 symbol has one, far from the finders (a keystone
        // puts it well off where three corners put it).
        let radius = if lone {
            s / 8.0 + 3.0
        } else {
            2.5 + reach * 0.12
        };
        match look(bw, &model, mx, my, radius) {
            Some(found) => {
                pairs.push((module_pt(mx, my), found));
                if let Some(m) = Model::fit(&pairs) {
                    model = m;
                }
            }
            None => missed.push((mx, my)),
        }
    }
    // Those missed, again, where the map fitted to all the others puts them.
    if !missed.is_empty() && pairs.len() > 3 {
        let more: Vec<(Pt, Pt)> = missed
            .into_iter()
            .filter_map(|(mx, my)| Some((module_pt(mx, my), look(bw, &model, mx, my, 2.5)?)))
            .collect();
        if !more.is_empty() {
            pairs.extend(more);
            model = Model::fit(&pairs).unwrap_or(model);
        }
    }
    // A lone alignment pattern makes four pairs: the homography through them.
    if pairs.len() == 4 {
        let fourth = pairs.get(3).copied()?;
        pairs.push(fourth);
        pairs.push(fourth);
        model = Model::fit(&pairs).unwrap_or(model);
    }
    let threshold = f64::from(bw.threshold);
    let mut modules = Vec::with_capacity(size * size);
    for r in 0..size {
        for c in 0..size {
            let p = model.map(c as f64 + 0.5, r as f64 + 0.5);
            modules.push(bw.grey_at(p) <= threshold);
        }
    }
    Some(modules)
}

/// A symbol's place in an image: the candidate module grids, each with its
/// version, best first (a few finder triples, and for each the version the
/// module size gives and its neighbours).
pub(crate) fn candidates(img: &Gray, threshold: u8) -> Candidates<'_> {
    let bw = Bw { img, threshold };
    let centres = finders(&bw);
    Candidates {
        triples: triples(&centres).into_iter(),
        bw,
        current: None,
    }
}

/// The grids [`candidates`] gives, one at a time.
pub(crate) struct Candidates<'a> {
    bw: Bw<'a>,
    triples: std::vec::IntoIter<[Centre; 3]>,
    /// The finder patterns being tried, the versions still to try on them, and
    /// those tried.
    current: Option<(Placed, std::vec::IntoIter<usize>, Vec<usize>)>,
}

impl std::fmt::Debug for Candidates<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Candidates({} triples left)", self.triples.len())
    }
}

impl Candidates<'_> {
    /// The last grid's finder patterns again, at `version` (which its version
    /// information gave), unless that version was tried on them already.
    pub(crate) fn retry(&mut self, version: usize) -> Option<(usize, Vec<bool>)> {
        let (placed, _, tried) = self.current.as_mut()?;
        if tried.contains(&version) || !(7..=40).contains(&version) {
            return None;
        }
        tried.push(version);
        let modules = grid(&self.bw, placed, version)?;
        Some((17 + 4 * version, modules))
    }
}

/// The versions to try on finder patterns `placed`: the one the module size along
/// the legs gives, then one either side, within 1 to 40 (a symbol over the
/// largest is the largest).
fn versions(placed: &Placed) -> Vec<usize> {
    let (mu, mv) = placed.modules();
    let side = f64::midpoint(placed.u.len() / mu, placed.v.len() / mv) + 7.0;
    let estimate = ((side - 17.0) / 4.0).round().clamp(1.0, 40.0) as usize;
    [estimate, estimate + 1, estimate - 1]
        .into_iter()
        .filter(|v| (1..=40).contains(v))
        .collect()
}

impl Iterator for Candidates<'_> {
    /// (modules per side, modules row by row).
    type Item = (usize, Vec<bool>);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let Some((placed, left, tried)) = self.current.as_mut() else {
                let placed = Placed::new(&self.bw, self.triples.next()?);
                let left = versions(&placed).into_iter();
                self.current = Some((placed, left, Vec::new()));
                continue;
            };
            let Some(version) = left.next() else {
                self.current = None;
                continue;
            };
            if tried.contains(&version) {
                continue;
            }
            tried.push(version);
            if let Some(modules) = grid(&self.bw, placed, version) {
                return Some((17 + 4 * version, modules));
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn alignment_positions_follow_annex_e() {
        assert_eq!(alignment_positions(1), Vec::<usize>::new());
        assert_eq!(alignment_positions(2), vec![6, 18]);
        assert_eq!(alignment_positions(7), vec![6, 22, 38]);
        assert_eq!(alignment_positions(32), vec![6, 34, 60, 86, 112, 138]);
        assert_eq!(alignment_positions(36), vec![6, 24, 50, 76, 102, 128, 154]);
        assert_eq!(alignment_positions(40), vec![6, 30, 58, 86, 114, 142, 170]);
    }
}
