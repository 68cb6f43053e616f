//! The scan's budget: a count of finder-pattern candidates, made before the
//! finder search runs, that refuses an image no phone would take for a symbol.
//!
//! The finder search (rqrr's `detect_grids`) cannot be stopped once started, and
//! its work grows faster than the number of finder-pattern candidates it meets:
//! on a 2048² image of noise, with thousands of them, it ran for minutes. So the
//! scanner counts them first, on the same black-and-white image the search will
//! read, with the test of ISO/IEC 18004 (a row crossing a finder pattern's centre
//! reads dark, light, dark, light, dark in the ratio 1:1:3:1:1), and merges the
//! rows that cross one pattern into one candidate. Past [`MAX_CANDIDATES`] the
//! image is refused with `scan.budget`: the count is work done in one pass over
//! the pixels, the same on every machine. A symbol has three finder patterns; the
//! bound leaves room for a dozen symbols and the false candidates a photograph
//! gives, and every image of the corpus stays far below it (see the tests).

/// The most finder-pattern candidates a pass of the scanner takes on.
pub const MAX_CANDIDATES: usize = 4_000;

/// The most rows crossing a candidate's centre a pass takes on (a symbol of
/// 80-pixel modules, enlarged twice, has about 1,500).
pub const MAX_CROSSINGS: usize = 1_000_000;

/// A pass over an image found more finder-pattern candidates than the budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverBudget {
    /// Candidates counted when the count stopped.
    pub candidates: usize,
    /// Crossing rows counted when the count stopped.
    pub crossings: usize,
}

/// A candidate: rows that cross one pattern, by the centre and half-width of the
/// last one.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    centre: usize,
    half: usize,
    last_row: usize,
}

/// Counts the finder-pattern candidates of a `width` × `height` image whose pixel
/// `(x, y)` is dark when `dark(x, y)`; stops past `limit`.
pub fn count_candidates(
    width: usize,
    height: usize,
    limit: usize,
    dark: impl Fn(usize, usize) -> bool,
) -> Result<usize, OverBudget> {
    let mut open: Vec<Candidate> = Vec::new();
    let mut total = 0_usize;
    let mut crossed = 0_usize;
    let mut runs: Vec<(bool, usize, usize)> = Vec::with_capacity(64);
    for y in 0..height {
        row_runs(width, |x| dark(x, y), &mut runs);
        // Candidates no row has crossed since the last one are closed.
        open.retain(|c| c.last_row + 1 >= y);
        for (centre, half) in crossings(&runs) {
            crossed += 1;
            if crossed > MAX_CROSSINGS {
                return Err(OverBudget {
                    candidates: total,
                    crossings: crossed,
                });
            }
            let near = open
                .iter_mut()
                .find(|c| centre.abs_diff(c.centre) <= c.half.max(half));
            if let Some(c) = near {
                *c = Candidate {
                    centre,
                    half,
                    last_row: y,
                };
                continue;
            }
            total += 1;
            if total > limit {
                return Err(OverBudget {
                    candidates: total,
                    crossings: crossed,
                });
            }
            open.push(Candidate {
                centre,
                half,
                last_row: y,
            });
        }
    }
    Ok(total)
}

/// The runs of one row: (dark, start, length).
fn row_runs(width: usize, dark: impl Fn(usize) -> bool, runs: &mut Vec<(bool, usize, usize)>) {
    runs.clear();
    let mut start = 0;
    let mut colour = width > 0 && dark(0);
    for x in 1..=width {
        let here = x < width && dark(x);
        if x == width || here != colour {
            runs.push((colour, start, x - start));
            start = x;
            colour = here;
        }
    }
}

/// Where a row crosses a finder pattern's centre: five runs, dark first, in the
/// ratio 1:1:3:1:1; (centre, half-width). The module is the mean of the four
/// one-module runs, and each run may be off by three quarters of it: as lenient
/// as the finder search the count stands for, so that it counts every row that
/// search would take up.
fn crossings(runs: &[(bool, usize, usize)]) -> impl Iterator<Item = (usize, usize)> + '_ {
    runs.windows(5).filter_map(|w| {
        let [(dark, _, r1), (_, _, r2), (_, mid, stone), (_, _, r4), (_, _, r5)] = *w else {
            return None;
        };
        if !dark {
            return None;
        }
        // Four modules' worth, to stay in integers: a run of k modules is
        // 4·run against k·four, within 3/4 of a module (3·four/4).
        let four = r1 + r2 + r4 + r5;
        let fits = |run: usize, k: usize| (16 * run).abs_diff(4 * k * four) <= 3 * four;
        (fits(r1, 1) && fits(r2, 1) && fits(stone, 3) && fits(r4, 1) && fits(r5, 1))
            .then_some((mid + stone / 2, usize::midpoint(four, stone).max(1)))
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    /// A finder pattern of `m`-pixel modules at (`x0`, `y0`) on white: 7 × 7
    /// modules, a dark ring, a light ring, a dark 3 × 3 centre.
    fn finder(x: usize, y: usize, x0: usize, y0: usize, m: usize) -> bool {
        if x < x0 || y < y0 {
            return false;
        }
        let (mx, my) = ((x - x0) / m, (y - y0) / m);
        if mx > 6 || my > 6 {
            return false;
        }
        let ring = mx.min(my).min(6 - mx).min(6 - my);
        ring != 1
    }

    #[test]
    fn three_finder_patterns_are_three_candidates_at_any_module_size() {
        for m in [1, 2, 5, 13] {
            let side = 40 * m;
            let n = count_candidates(side, side, MAX_CANDIDATES, |x, y| {
                finder(x, y, m, m, m) || finder(x, y, 30 * m, m, m) || finder(x, y, m, 30 * m, m)
            })
            .unwrap();
            assert_eq!(n, 3, "module {m}");
        }
    }

    #[test]
    fn a_blank_image_has_none_and_a_checkerboard_none() {
        assert_eq!(count_candidates(300, 300, 5, |_, _| false).unwrap(), 0);
        assert_eq!(
            count_candidates(300, 300, 5, |x, y| (x + y) % 2 == 0).unwrap(),
            0
        );
    }

    #[test]
    fn the_count_stops_one_past_the_bound() {
        // A grid of finder patterns: far more than the bound.
        let e = count_candidates(800, 800, 10, |x, y| finder(x % 20, y % 20, 2, 2, 2)).unwrap_err();
        assert_eq!(e.candidates, 11);
    }
}
