//! The scanner's budget: pixel noise ends at the work bound, the same way every
//! time; an image made of finder patterns, which the finder search would chew on
//! for minutes, ends at the deadline; scans that ran past it are not allowed to
//! pile up. (One test, in a process of its own: the count of abandoned scans is
//! the process's.)

#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)] // tests

use c169_qr::{scan_within, Gray, ScanError, SplitMix64, MAX_ABANDONED};
use std::time::Duration;

/// A `side`² image of black and white `block`-pixel squares drawn at random.
fn noise(side: u32, block: u32, seed: u64) -> Gray {
    let mut rng = SplitMix64(seed);
    let across = side / block + 1;
    let cells: Vec<u8> = (0..across * across)
        .map(|_| {
            if rng.next_u64().is_multiple_of(2) {
                0
            } else {
                255
            }
        })
        .collect();
    Gray::from_fn(side, side, |x, y| {
        cells[((y / block) * across + x / block) as usize]
    })
}

/// A `side`² image tiled with finder patterns of one-pixel modules, `spacing`
/// apart: thousands of true finder patterns.
fn finders(side: u32, spacing: u32) -> Gray {
    Gray::from_fn(side, side, |x, y| {
        let (mx, my) = (x % spacing, y % spacing);
        if mx > 6 || my > 6 {
            return 255;
        }
        let ring = mx.min(my).min(6 - mx).min(6 - my);
        if ring == 1 {
            255
        } else {
            0
        }
    })
}

fn budget(r: Result<c169_qr::Scanned, ScanError>) -> String {
    match r {
        Err(e @ ScanError::Budget(_)) => {
            assert_eq!(e.code(), "scan.budget");
            e.to_string()
        }
        other => panic!("expected the scan budget, got {other:?}"),
    }
}

#[test]
fn noise_ends_at_the_work_bound_and_crafted_images_at_the_deadline() {
    // Pixel noise, and noise of 2-pixel blocks: tens of thousands of candidates,
    // refused by their count (the deadline is far, so the count is what stops it).
    let far = Duration::from_mins(10);
    for block in [1, 2] {
        let first = budget(scan_within(&noise(2048, block, 7), far));
        assert!(first.contains("finder-pattern candidates"), "{first}");
        // The same count, hence the same message, every time.
        assert_eq!(budget(scan_within(&noise(2048, block, 7), far)), first);
    }

    // Three thousand true finder patterns pass the count; the deadline ends them.
    for _ in 0..MAX_ABANDONED {
        let late = budget(scan_within(&finders(2048, 37), Duration::from_millis(300)));
        assert!(late.contains("no symbol read within 0.3 s"), "{late}");
    }
    // With that many still running, a scan is refused at once, even of a blank image.
    let busy = budget(scan_within(&Gray::from_fn(64, 64, |_, _| 255), far));
    assert!(busy.contains("still busy"), "{busy}");
}
