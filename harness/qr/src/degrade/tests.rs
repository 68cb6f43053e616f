#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::print_stdout)] // tests

use super::*;
use crate::{encode_png, scan, EcLevel, Symbol};
use std::collections::BTreeSet;

/// The clean images are rendered at this many pixels a module.
const MODULE: u32 = 4;

/// Degradations a conformant scanner should read but the reference (rqrr and the
/// passes of `scan`) does not, by vector id of the text and degradation name, with
/// the reason. Kept rather than flipping `should_read`; the test asserts exactly
/// this set, so a scanner improvement shows up as a failure to update it.
const REFERENCE_CANNOT_READ: &[(&str, &str, &str)] = &[];

/// The vector ids and QR texts of tests/degrade-texts.txt: valid Base45 texts of
/// versions 7, 18 and 36 at level M (vectors idpass-with-face,
/// alg-ed25519-a-demographics and alg-ed25519-a-all-biometrics).
fn texts() -> Vec<(&'static str, &'static str)> {
    include_str!("../../tests/degrade-texts.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| l.split_once('\t').unwrap())
        .collect()
}

/// FNV-1a, 64 bits, of the image's width, height (little-endian) and pixels.
fn fnv1a(img: &Gray) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325_u64;
    let dims = [img.width().to_le_bytes(), img.height().to_le_bytes()];
    for &b in dims.iter().flatten().chain(img.pixels()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[test]
fn the_reference_reads_what_a_conformant_scanner_should() {
    let texts = texts();
    assert_eq!(texts.len(), 3);
    let mut cannot = BTreeSet::new();
    for (id, text) in texts {
        let symbol = Symbol::new(text, EcLevel::M).unwrap();
        let clean = symbol.image(MODULE, 4);
        println!("{id}: version {} at level M", symbol.version);
        println!(
            "  {:16} {:6} {:6} {:18} {:>9} {:>8} {:>9}",
            "degradation", "should", "read", "pass", "size", "png", "scan"
        );
        for (name, d, should, _) in DEGRADATIONS {
            let img = d.apply(&clean, MODULE);
            let start = std::time::Instant::now();
            let got = scan(&img);
            let took = start.elapsed();
            let read = match &got {
                Ok(s) => {
                    // Reed–Solomon protects the text: a read is the right text.
                    assert_eq!(s.text, text, "{id} {name}: wrong text");
                    assert_eq!((s.version, s.level), (symbol.version, EcLevel::M));
                    true
                }
                Err(_) => false,
            };
            if should && !read {
                cannot.insert((id, name));
            }
            println!(
                "  {name:16} {should:6} {read:6} {:18} {:>9} {:>8} {:>7.1}ms{}",
                got.as_ref().map_or("-", |s| s.pass),
                format!("{}×{}", img.width(), img.height()),
                encode_png(&img).len(),
                took.as_secs_f64() * 1000.0,
                if !should && read {
                    "  (read anyway)"
                } else {
                    ""
                },
            );
        }
    }
    let expected: BTreeSet<_> = REFERENCE_CANNOT_READ
        .iter()
        .map(|&(id, name, _)| (id, name))
        .collect();
    assert_eq!(cannot, expected);
}

/// A small symbol (45 characters: version 3 at level M, 116 pixels a side) under
/// every degradation, hashed with [`fnv1a`], so that any change of arithmetic
/// shows.
const PINNED: &[(&str, u64)] = &[
    ("clean", 0xa846_7a21_7c82_98f5),
    ("scale-50", 0xce42_c94d_0ff0_9279),
    ("scale-30", 0xe5bc_d0e3_b0c3_ce35),
    ("rotate-90", 0xdbd9_a606_e7b5_28f5),
    ("rotate-36.9", 0x61ee_257b_8548_c3d5),
    ("rotate-22.6", 0x6010_3492_ccf7_9337),
    ("perspective-20", 0x8223_a8c9_df79_1320),
    ("perspective-60", 0x6c1b_7555_e0fa_6def),
    ("noise-25", 0x6310_50cc_89c3_0078),
    ("noise-90", 0x5301_da9e_b333_d153),
    ("blur-2", 0xd26a_31c5_da34_8e23),
    ("blur-8", 0x8af4_d373_63e8_19be),
    ("contrast-40", 0xb249_618a_4fc3_ca95),
    ("contrast-10", 0x3ec9_e82c_4d1a_6b05),
    ("no-quiet-zone", 0x3bea_1078_5852_70b5),
];

#[test]
fn degradations_are_deterministic_and_pinned() {
    let text = "NCFOXN%TS3DH0YOJ58S S-C4C:HT$M*T5:C/OG5 5:6QA";
    let symbol = Symbol::new(text, EcLevel::M).unwrap();
    assert_eq!(symbol.version, 3);
    let clean = symbol.image(MODULE, 4);
    let hashes: Vec<(&str, u64)> = DEGRADATIONS
        .iter()
        .map(|(name, d, _, _)| {
            let once = d.apply(&clean, MODULE);
            assert_eq!(once, d.apply(&clean, MODULE), "{name}");
            (*name, fnv1a(&once))
        })
        .collect();
    assert_eq!(hashes, PINNED);
}

#[test]
fn names_are_unique_and_labels_readable() {
    let names: BTreeSet<_> = DEGRADATIONS.iter().map(|e| e.0).collect();
    assert_eq!(names.len(), DEGRADATIONS.len());
    assert!(DEGRADATIONS
        .iter()
        .all(|e| !e.3.is_empty() && !e.1.label().is_empty()));
    assert_eq!(Degradation::Rotate { a: 3, b: 4 }.label(), "rotated 36.9°");
    assert_eq!(Degradation::Scale { percent: 50 }.label(), "scaled to 50 %");
}

fn sample() -> Gray {
    Gray::from_fn(23, 11, |x, y| {
        u8::try_from((x * 37 + y * 91) % 256).unwrap()
    })
}

#[test]
fn neutral_parameters_change_nothing() {
    let img = sample();
    for d in [
        Degradation::Scale { percent: 100 },
        Degradation::Rotate { a: 0, b: 1 },
        Degradation::Perspective { percent: 0 },
        Degradation::Noise { sigma: 0, seed: 1 },
        Degradation::Blur { radius: 0 },
        Degradation::Contrast { percent: 100 },
    ] {
        assert_eq!(d.apply(&img, 1), img, "{d:?}");
    }
}

#[test]
fn a_quarter_turn_is_exact() {
    let img = sample();
    let turned = Degradation::Rotate { a: 1, b: 0 }.apply(&img, 1);
    assert_eq!((turned.width(), turned.height()), (11, 23));
    for y in 0..23 {
        for x in 0..11 {
            let want = img.get(i64::from(y), i64::from(10 - x));
            assert_eq!(turned.get(i64::from(x), i64::from(y)), want);
        }
    }
}

#[test]
fn sizes_and_ranges() {
    let clean = Symbol::new("HELLO", EcLevel::M).unwrap().image(MODULE, 4);
    assert_eq!(clean.width(), 116);
    let half = Degradation::Scale { percent: 50 }.apply(&clean, MODULE);
    assert_eq!(half.width(), 58);
    // Two pixels of a module average to the module.
    assert_eq!(half.get(8, 8), clean.get(16, 16));
    assert_eq!(Degradation::NoQuietZone.apply(&clean, MODULE).width(), 84);
    // 3-4-5: the canvas is (4 + 3) / 5 of the side.
    let r = Degradation::Rotate { a: 3, b: 4 }.apply(&clean, MODULE);
    assert_eq!(r.width(), (116 * 7_u32).div_ceil(5));
    let c = Degradation::Contrast { percent: 40 }.apply(&clean, MODULE);
    let span: BTreeSet<u8> = c.pixels().iter().copied().collect();
    assert_eq!(span.into_iter().collect::<Vec<_>>(), [77, 179]);
}

#[test]
fn noise_has_about_the_asked_deviation() {
    let grey = Gray::from_fn(200, 200, |_, _| 128);
    let noisy = Degradation::Noise { sigma: 25, seed: 7 }.apply(&grey, 1);
    let n = noisy.pixels().len() as f64;
    let mean = noisy.pixels().iter().map(|&p| f64::from(p)).sum::<f64>() / n;
    let var = noisy
        .pixels()
        .iter()
        .map(|&p| (f64::from(p) - mean) * (f64::from(p) - mean))
        .sum::<f64>()
        / n;
    assert!((mean - 128.0).abs() < 0.5, "{mean}");
    assert!((var.sqrt() - 25.0).abs() < 0.5, "{}", var.sqrt());
}
