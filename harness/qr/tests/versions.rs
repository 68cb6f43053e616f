//! The locator and decoder across the versions the corpus does not hold: every
//! degradation a conformant scanner should read, and a few more turns and
//! keystones, on symbols of versions 1 to 40, read by the `direct` pass (c169's
//! own), so that the rqrr pass behind it cannot hide a regression.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)] // tests

use c169_qr::{
    scan, smallest_version, Degradation, EcLevel, QrMode, Symbol, DEGRADATIONS, V40_ALPHANUMERIC,
};

/// A Base45 text (the alphabet of a credential) that fills a symbol of `version`
/// at level M: the shortest cut of a repeated sample that reaches it.
fn text_of(version: u8) -> (String, Symbol) {
    let sample = "NCFOXN%TS3DH0YOJ58S S-C4C:HT$M*T5:C/OG5 5:6QA6BFWTLRJ5I7PUUA";
    let cut = |len: usize| -> String { sample.chars().cycle().take(len).collect() };
    let fits = |len: usize| {
        smallest_version(&cut(len), QrMode::Alphanumeric, EcLevel::M).is_some_and(|v| v >= version)
    };
    // The shortest length that needs `version` or more (by bisection: the
    // version grows with the length).
    let (mut lo, mut hi) = (1, V40_ALPHANUMERIC[1]);
    while lo < hi {
        let mid = usize::midpoint(lo, hi);
        if fits(mid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    let text = cut(lo);
    let symbol = Symbol::new(&text, EcLevel::M).unwrap();
    assert_eq!(symbol.version, version, "no cut lands on version {version}");
    (text, symbol)
}

#[test]
fn the_locator_reads_every_version_turned_keystoned_blurred_and_noisy() {
    // Turns of other angles than the corpus's (sin, cos as Pythagorean triples:
    // 16.3°, 28.1°, 43.6°, 53.1°, 67.4°), milder and stronger keystones than its
    // 20 %, a wider blur and stronger noise than its readable ones.
    let mut extra: Vec<(String, Degradation)> = [(7, 24), (8, 15), (20, 21), (4, 3), (12, 5)]
        .into_iter()
        .map(|(a, b)| (format!("rotate {a}/{b}"), Degradation::Rotate { a, b }))
        .collect();
    extra.push((
        "keystone 10 %".into(),
        Degradation::Perspective { percent: 10 },
    ));
    extra.push((
        "keystone 30 %".into(),
        Degradation::Perspective { percent: 30 },
    ));
    extra.push(("blur 3".into(), Degradation::Blur { radius: 3 }));
    extra.push(("noise 40".into(), Degradation::Noise { sigma: 40, seed: 3 }));
    let should: Vec<(String, Degradation)> = DEGRADATIONS
        .iter()
        .filter(|(_, _, should, _)| *should)
        .map(|(name, d, _, _)| ((*name).to_owned(), *d))
        .chain(extra)
        .collect();
    let mut missed = Vec::new();
    let mut images = 0;
    for version in [1, 2, 5, 7, 10, 14, 20, 27, 32, 36, 40] {
        let (text, symbol) = text_of(version);
        let clean = symbol.image(4, 4);
        for (name, d) in &should {
            images += 1;
            match scan(&d.apply(&clean, 4)) {
                Ok(s) => {
                    assert_eq!(s.text, text, "version {version}, {name}: wrong text");
                    assert_eq!((s.version, s.level), (version, EcLevel::M));
                    if s.pass != "direct" {
                        missed.push(format!("version {version}, {name}: read by {}", s.pass));
                    }
                }
                Err(e) => missed.push(format!("version {version}, {name}: {e}")),
            }
        }
    }
    assert_eq!(images, 11 * should.len());
    assert!(missed.is_empty(), "not read by the locator: {missed:#?}");
}
