//! The encoder × decoder grid of `c169 matrix`: every implementation that encodes
//! turns the identity fixtures (the encoder vectors) into QR text, and every
//! implementation decodes every output.

use crate::run::{decode_request, encode_request};
use c169_adapter::protocol::ErrorKind;
use c169_adapter::{AdapterError, Implementation, Reference};
use c169_corpus::corpus::Corpus;
use c169_model::{Vector, Verdict};
use c169_report::matrix::{Cell, Grid, GridCase, GridResult};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Starts another copy of an implementation (None: it cannot).
pub type Copier = Arc<dyn Fn() -> Option<Arc<dyn Implementation>> + Send + Sync>;

/// One implementation of the grid.
#[derive(Clone)]
pub struct GridMember {
    pub name: String,
    pub imp: Arc<dyn Implementation>,
    /// The capability names it declared.
    pub caps: BTreeSet<String>,
    /// Another copy of it, for readings side by side (None: one copy only, as for
    /// an adapter whose describe says `serial`).
    pub copy: Option<Copier>,
}

impl std::fmt::Debug for GridMember {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GridMember")
            .field("name", &self.name)
            .field("caps", &self.caps)
            .field("copy", &self.copy.is_some())
            .finish_non_exhaustive()
    }
}

fn case(fixture: &str, result: GridResult, detail: impl Into<String>) -> GridCase {
    GridCase {
        fixture: fixture.to_owned(),
        result,
        detail: detail.into(),
    }
}

/// What a fixture needs of a decoder beyond the encode op.
fn needs(fixture: &Vector) -> Vec<&String> {
    fixture
        .capabilities
        .iter()
        .filter(|c| *c != "encode")
        .collect()
}

/// The fixture as a decode vector: verified with its signing key, decrypted with
/// its content key (as named in the corpus, so the JWKs keep their kids).
fn with_keys(fixture: &Vector) -> Vector {
    let mut v = fixture.clone();
    if let Some(e) = &fixture.encode {
        v.keys.verify = vec![e.sign.key.clone()];
        v.keys.decrypt = e.encrypt.iter().map(|x| x.key.clone()).collect();
    }
    v
}

/// One decoder on one encoded output.
fn decode_one(
    corpus: &Corpus,
    dec: &GridMember,
    qr: &str,
    fixture: &Vector,
    expected: Option<&serde_json::Value>,
    rt: &tokio::runtime::Runtime,
) -> GridCase {
    let id = fixture.id.as_str();
    let all = needs(fixture).iter().all(|c| dec.caps.contains(*c));
    let unverified = !all
        && dec.caps.contains("decode_unverified")
        && fixture.encode.as_ref().is_some_and(|e| e.encrypt.is_none());
    if !all && !unverified {
        let missing: Vec<&str> = needs(fixture)
            .into_iter()
            .filter(|c| !dec.caps.contains(*c))
            .map(String::as_str)
            .collect();
        return case(
            id,
            GridResult::Skipped,
            format!("the decoder does not declare {}", missing.join(", ")),
        );
    }
    // The keys as the vector runner sends them (JWKs with their kids); none when
    // decoding unverified.
    let caps = if all {
        dec.caps.clone()
    } else {
        BTreeSet::new()
    };
    let req = decode_request(corpus, &with_keys(fixture), qr, &caps);
    match rt.block_on(dec.imp.decode(&req)) {
        Err(AdapterError::Adapter {
            kind: ErrorKind::Unsupported,
            message,
            ..
        }) => case(id, GridResult::Skipped, format!("the decoder answered unsupported: {message}")),
        Err(e) => case(id, GridResult::Error, e.reason()),
        Ok(o) if o.verdict == Verdict::Reject => case(
            id,
            GridResult::Rejected,
            format!(
                "{} ({}): {}",
                o.stage.map_or("?", c169_model::Stage::as_str),
                o.code.as_deref().unwrap_or("no code"),
                o.message.as_deref().unwrap_or_default()
            ),
        ),
        Ok(o) if o.claim169.as_ref() != expected => case(
            id,
            GridResult::Differs,
            "accepted, but claim 169 differs from what the reference reads in the same text",
        ),
        Ok(o) if all && o.verified != Some(true) => case(id, GridResult::Differs, "accepted without saying the signature verified"),
        Ok(_) if all => case(id, GridResult::Read, "accepted, signature verified, same content as the reference reads"),
        Ok(_) => case(id, GridResult::ReadUnverified, "accepted without a key (the decoder verifies nothing), same content as the reference reads"),
    }
}

/// One (encoder, fixture) of the grid: what the encoder made of the fixture, and
/// claim 169 as the reference reads it there.
struct Encoding<'a> {
    encoder: &'a GridMember,
    fixture: &'a Vector,
    /// The text, or why there is none: an empty reason when the encoder does not
    /// declare `missing`, and so was not asked.
    qr: Result<String, String>,
    missing: Vec<&'a str>,
    reference: Option<serde_json::Value>,
}

impl Encoding<'_> {
    /// The encoder asked, when it declares what the fixture needs (None: the
    /// fixture makes no request).
    fn make<'a>(
        corpus: &Corpus,
        encoder: &'a GridMember,
        fixture: &'a Vector,
        rt: &tokio::runtime::Runtime,
    ) -> Option<Encoding<'a>> {
        let missing: Vec<&str> = needs(fixture)
            .into_iter()
            .filter(|c| !encoder.caps.contains(*c))
            .map(String::as_str)
            .collect();
        let (req, _, _) = encode_request(corpus, fixture)?;
        let qr = if missing.is_empty() {
            rt.block_on(encoder.imp.encode(&req))
                .map(|e| e.qr)
                .map_err(|e| e.reason())
        } else {
            Err(String::new())
        };
        let reference = qr.as_ref().ok().and_then(|qr| {
            rt.block_on(Reference.decode(&decode_request(
                corpus,
                &with_keys(fixture),
                qr,
                &Reference::description().capability_names(),
            )))
            .ok()
            .and_then(|o| o.claim169)
        });
        Some(Encoding {
            encoder,
            fixture,
            qr,
            missing,
            reference,
        })
    }

    /// `dec`'s reading of it.
    fn read(&self, corpus: &Corpus, dec: &GridMember, rt: &tokio::runtime::Runtime) -> GridCase {
        let id = self.fixture.id.as_str();
        match &self.qr {
            Err(why) if why.is_empty() => case(
                id,
                GridResult::Skipped,
                format!("the encoder does not declare {}", self.missing.join(", ")),
            ),
            Err(why) => case(id, GridResult::NotEncoded, why.clone()),
            Ok(qr) => decode_one(corpus, dec, qr, self.fixture, self.reference.as_ref(), rt),
        }
    }
}

/// A decoder's share of the grid: its readings of every encoding, handed out a
/// batch at a time, each copy of the decoder serving one batch at a time.
struct Lane {
    next: usize,
    /// Its copies, and whether a worker holds each.
    copies: Vec<(Arc<dyn Implementation>, bool)>,
    /// A worker is starting another copy, or one could not be started.
    no_copy_now: bool,
    spent: std::time::Duration,
    asked: u32,
}

impl Lane {
    /// The time its readings left will take by those so far (the most when none
    /// has been timed yet, so that each decoder is timed early).
    fn left(&self, n: usize) -> std::time::Duration {
        if self.asked == 0 {
            return std::time::Duration::MAX;
        }
        self.spent / self.asked * u32::try_from(n - self.next).unwrap_or(u32::MAX)
    }
}

/// What a worker does next.
#[derive(Debug, PartialEq, Eq)]
enum Next {
    /// Reads `batch` with copy `copy` of decoder `lane`.
    Read {
        lane: usize,
        copy: usize,
        batch: std::ops::Range<usize>,
    },
    /// Starts another copy of decoder `lane`.
    Copy(usize),
}

/// Readings handed out at once.
const BATCH: usize = 8;

/// What a worker does next: of the decoders with readings left and a copy free,
/// the one with the most time left (so that the slowest is read without a pause
/// while the others share the rest); when none has a copy free, another copy of
/// the one with the most time left, while it has fewer than `jobs`; None when
/// neither (the workers holding the decoders left go on with them).
fn take(lanes: &mut [Lane], members: &[GridMember], n: usize, jobs: usize) -> Option<Next> {
    // The most time left; of equals, the first.
    let most = |(d, l): &(usize, &Lane)| (l.left(n), std::cmp::Reverse(*d));
    let free = lanes
        .iter()
        .enumerate()
        .filter(|(_, l)| l.next < n && l.copies.iter().any(|(_, held)| !held))
        .max_by_key(most);
    if let Some((d, _)) = free {
        let lane = lanes.get_mut(d)?;
        let copy = lane.copies.iter().position(|(_, held)| !held)?;
        if let Some((_, held)) = lane.copies.get_mut(copy) {
            *held = true;
        }
        let batch = lane.next..n.min(lane.next + BATCH);
        lane.next = batch.end;
        return Some(Next::Read {
            lane: d,
            copy,
            batch,
        });
    }
    let (d, _) = lanes
        .iter()
        .enumerate()
        .filter(|(d, l)| {
            l.next < n
                && !l.no_copy_now
                && l.copies.len() < jobs
                && members.get(*d).is_some_and(|m| m.copy.is_some())
        })
        .max_by_key(most)?;
    if let Some(lane) = lanes.get_mut(d) {
        lane.no_copy_now = true;
    }
    Some(Next::Copy(d))
}

/// Every decoder's readings of `encodings`, `jobs` workers at a time: by decoder,
/// in the order of `encodings`. A decoder gets another copy only when a worker
/// would otherwise wait (at most `jobs` copies); those are shut down at the end.
fn read_all(
    corpus: &Corpus,
    members: &[GridMember],
    encodings: &[Encoding<'_>],
    rt: &tokio::runtime::Runtime,
    jobs: usize,
) -> Vec<Vec<GridCase>> {
    let n = encodings.len();
    let lanes: std::sync::Mutex<Vec<Lane>> = std::sync::Mutex::new(
        members
            .iter()
            .map(|m| Lane {
                next: 0,
                copies: vec![(Arc::clone(&m.imp), false)],
                no_copy_now: false,
                spent: std::time::Duration::ZERO,
                asked: 0,
            })
            .collect(),
    );
    let lock = || {
        lanes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    };
    let worker = |_: &usize| {
        let mut mine: Vec<(usize, usize, GridCase)> = Vec::new();
        loop {
            // Taken apart from the loop's test, so that the lock is let go at once.
            let next = take(&mut lock(), members, n, jobs);
            match next {
                None => break,
                Some(Next::Copy(d)) => {
                    let copy = members
                        .get(d)
                        .and_then(|m| m.copy.as_ref())
                        .and_then(|c| c());
                    if let Some(lane) = lock().get_mut(d) {
                        // One that could not be started is not tried again.
                        if let Some(copy) = copy {
                            lane.copies.push((copy, false));
                            lane.no_copy_now = false;
                        }
                    }
                }
                Some(Next::Read {
                    lane: d,
                    copy,
                    batch,
                }) => {
                    let imp = lock()
                        .get(d)
                        .and_then(|l| l.copies.get(copy))
                        .map(|(imp, _)| Arc::clone(imp));
                    let started = std::time::Instant::now();
                    let mut asked = 0;
                    if let (Some(m), Some(imp)) = (members.get(d), imp) {
                        let dec = GridMember { imp, ..m.clone() };
                        for e in batch {
                            if let Some(encoding) = encodings.get(e) {
                                asked += u32::from(encoding.qr.is_ok());
                                mine.push((d, e, encoding.read(corpus, &dec, rt)));
                            }
                        }
                    }
                    if let Some(lane) = lock().get_mut(d) {
                        lane.spent += started.elapsed();
                        lane.asked += asked;
                        if let Some((_, held)) = lane.copies.get_mut(copy) {
                            *held = false;
                        }
                    }
                }
            }
        }
        mine
    };
    let workers: Vec<usize> = (0..jobs.max(1)).collect();
    let mut read: Vec<(usize, usize, GridCase)> = crate::run::side_by_side(&workers, jobs, &worker)
        .into_iter()
        .flatten()
        .collect();
    for lane in lock().iter() {
        for (copy, _) in lane.copies.iter().skip(1) {
            rt.block_on(copy.shutdown());
        }
    }
    read.sort_by_key(|(d, e, _)| (*d, *e));
    let mut by_decoder: Vec<Vec<GridCase>> =
        members.iter().map(|_| Vec::with_capacity(n)).collect();
    for (d, _, case) in read {
        if let Some(cases) = by_decoder.get_mut(d) {
            cases.push(case);
        }
    }
    by_decoder
}

/// The grid of `members` over the encoder vectors of `corpus`, `jobs` at a time.
#[must_use]
pub fn grid(
    corpus: &Corpus,
    members: &[GridMember],
    rt: &tokio::runtime::Runtime,
    jobs: usize,
) -> Grid {
    let mut fixtures: Vec<&Vector> = corpus
        .vectors
        .iter()
        .map(|(_, v)| v)
        .filter(|v| v.encode.is_some())
        .collect();
    fixtures.sort_by(|a, b| a.id.cmp(&b.id));
    let encoders: Vec<&GridMember> = members
        .iter()
        .filter(|m| m.caps.contains("encode"))
        .collect();
    // First every (encoder, fixture) apart, `jobs` at a time: one encoding each,
    // read once by the reference. Handed out fixture by fixture, so that those in
    // flight ask different encoders; kept encoder by encoder.
    let pairs: Vec<(usize, usize)> = (0..fixtures.len())
        .flat_map(|f| (0..encoders.len()).map(move |e| (e, f)))
        .collect();
    let make = |&(e, f): &(usize, usize)| {
        let (enc, fixture) = (*encoders.get(e)?, *fixtures.get(f)?);
        Encoding::make(corpus, enc, fixture, rt).map(|made| ((e, f), made))
    };
    let mut encodings: Vec<((usize, usize), Encoding<'_>)> =
        crate::run::side_by_side(&pairs, jobs, &make)
            .into_iter()
            .flatten()
            .collect();
    // Encoder by encoder, each in the order of the fixtures.
    encodings.sort_by_key(|(at, _)| *at);
    let encodings: Vec<Encoding<'_>> = encodings.into_iter().map(|(_, made)| made).collect();
    // Then every decoder reads every encoding.
    let by_decoder = read_all(corpus, members, &encodings, rt, jobs);
    let mut cells: Vec<Cell> = Vec::new();
    for enc in &encoders {
        for (dec, cases) in members.iter().zip(&by_decoder) {
            let cases: Vec<GridCase> = encodings
                .iter()
                .zip(cases)
                .filter(|(e, _)| std::ptr::eq(e.encoder, *enc))
                .map(|(_, c)| c.clone())
                .collect();
            cells.push(Cell {
                encoder: enc.name.clone(),
                decoder: dec.name.clone(),
                read: cases.iter().filter(|c| c.result.is_read()).count(),
                tried: cases.iter().filter(|c| c.result.is_tried()).count(),
                cases,
            });
        }
    }
    Grid {
        encoders: encoders.iter().map(|m| m.name.clone()).collect(),
        decoders: members.iter().map(|m| m.name.clone()).collect(),
        fixtures: fixtures.iter().map(|v| v.id.clone()).collect(),
        cells,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)] // tests
    use super::*;
    use std::time::Duration;

    fn member(name: &str, copies: bool) -> GridMember {
        GridMember {
            name: name.into(),
            imp: Arc::new(Reference),
            caps: BTreeSet::new(),
            copy: copies.then(|| -> Copier {
                Arc::new(|| Some(Arc::new(Reference) as Arc<dyn Implementation>))
            }),
        }
    }

    fn lane(next: usize, spent_ms: u64, asked: u32) -> Lane {
        Lane {
            next,
            copies: vec![(Arc::new(Reference), false)],
            no_copy_now: false,
            spent: Duration::from_millis(spent_ms),
            asked,
        }
    }

    #[test]
    fn a_decoder_never_timed_comes_first_then_the_most_time_left() {
        let members = [member("a", false), member("b", false), member("c", false)];
        // a: 10 ms a reading, 90 left (900 ms); b: untimed; c: 1 ms, 92 left.
        let mut lanes = vec![lane(10, 100, 10), lane(0, 0, 0), lane(8, 8, 8)];
        assert_eq!(
            take(&mut lanes, &members, 100, 2),
            Some(Next::Read {
                lane: 1,
                copy: 0,
                batch: 0..8
            })
        );
        assert_eq!(
            take(&mut lanes, &members, 100, 2),
            Some(Next::Read {
                lane: 0,
                copy: 0,
                batch: 10..18
            })
        );
        // b's copy is still held: c, the only one with a copy free.
        assert_eq!(
            take(&mut lanes, &members, 100, 2),
            Some(Next::Read {
                lane: 2,
                copy: 0,
                batch: 8..16
            })
        );
        assert_eq!(
            take(&mut lanes, &members, 100, 2),
            None,
            "every copy is held"
        );
    }

    #[test]
    fn another_copy_only_when_every_copy_is_held_and_for_fewer_than_jobs() {
        let members = [member("slow", true), member("alone", false)];
        let mut lanes = vec![lane(8, 800, 8), lane(96, 10, 8)];
        lanes[0].copies[0].1 = true;
        lanes[1].copies[0].1 = true;
        // Both held: the slow one (a copier) gets a second copy, once at a time.
        assert_eq!(take(&mut lanes, &members, 100, 2), Some(Next::Copy(0)));
        assert_eq!(
            take(&mut lanes, &members, 100, 2),
            None,
            "a copy is being started"
        );
        lanes[0].copies.push((Arc::new(Reference), false));
        lanes[0].no_copy_now = false;
        assert_eq!(
            take(&mut lanes, &members, 100, 2),
            Some(Next::Read {
                lane: 0,
                copy: 1,
                batch: 8..16
            })
        );
        // Two copies of two jobs: no third; "alone" never gets one.
        assert_eq!(take(&mut lanes, &members, 100, 2), None);
        assert_eq!(take(&mut lanes, &members, 100, 3), Some(Next::Copy(0)));
    }

    #[test]
    fn the_last_batch_ends_at_the_last_reading_and_a_finished_lane_is_not_taken() {
        let members = [member("a", true)];
        let mut lanes = vec![lane(95, 5, 5)];
        assert_eq!(
            take(&mut lanes, &members, 100, 2),
            Some(Next::Read {
                lane: 0,
                copy: 0,
                batch: 95..100
            })
        );
        lanes[0].copies[0].1 = false;
        assert_eq!(take(&mut lanes, &members, 100, 2), None);
    }
}
