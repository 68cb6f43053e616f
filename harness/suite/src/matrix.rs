//! The encoder × decoder grid of `c169 matrix`: every implementation that encodes
//! turns the identity fixtures (the encoder vectors) into QR text, and every
//! implementation decodes every output.

use crate::run::{decode_request, encode_request, shut_down};
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

/// Whether `dec` is asked to decode an output of `fixture`: when it declares what
/// the fixture needs, or decodes unverified and the fixture is signed only.
fn asks(dec: &GridMember, fixture: &Vector) -> bool {
    let all = needs(fixture).iter().all(|c| dec.caps.contains(*c));
    all || (dec.caps.contains("decode_unverified")
        && fixture.encode.as_ref().is_some_and(|e| e.encrypt.is_none()))
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
    if !asks(dec, fixture) {
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
        encoder: &GridMember,
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

/// A member's share of the grid once its own run has ended: its copies (the first
/// the one its run used), which encode its fixtures and read every encoding, a
/// batch at a time, each copy serving one worker at a time.
struct Lane {
    /// What its run's end told of it (None while its run goes on).
    member: Option<GridMember>,
    /// How far into the encodings, in the order they were made, it has read.
    next: usize,
    /// Its copies, and whether a worker holds each.
    copies: Vec<(Arc<dyn Implementation>, bool)>,
    /// A worker is starting another copy, or one could not be started.
    no_copy_now: bool,
    /// Its copies have been shut down: it has read every encoding there is.
    shut: bool,
    spent: std::time::Duration,
    asked: u32,
}

impl Lane {
    fn closed() -> Self {
        Self {
            member: None,
            next: 0,
            copies: Vec::new(),
            no_copy_now: false,
            shut: false,
            spent: std::time::Duration::ZERO,
            asked: 0,
        }
    }

    /// The time its readings left will take by those so far, of `n` in all (the
    /// most when none has been timed yet, so that each decoder is timed early).
    fn left(&self, n: usize) -> std::time::Duration {
        if self.asked == 0 {
            return std::time::Duration::MAX;
        }
        self.spent / self.asked * u32::try_from(n.saturating_sub(self.next)).unwrap_or(u32::MAX)
    }

    /// Whether a copy is free for a worker.
    fn free(&self) -> bool {
        self.copies.iter().any(|(_, held)| !held)
    }

    /// The first copy no worker holds, now held.
    fn hold(&mut self) -> Option<usize> {
        let copy = self.copies.iter().position(|(_, held)| !held)?;
        if let Some((_, held)) = self.copies.get_mut(copy) {
            *held = true;
        }
        Some(copy)
    }
}

/// What a worker does next.
#[derive(Debug, PartialEq, Eq)]
enum Job {
    /// The member's own run of the suite.
    Run(usize),
    /// Encodes fixture `fixture` with copy `copy` of member `member`.
    Encode {
        member: usize,
        fixture: usize,
        copy: usize,
    },
    /// Reads the encodings made `batch` (in the order they were made) with copy
    /// `copy` of decoder `lane`.
    Read {
        lane: usize,
        copy: usize,
        batch: std::ops::Range<usize>,
    },
    /// Starts another copy of decoder `lane`.
    Copy(usize),
    /// Shuts down every copy of a member that has read every encoding there is
    /// (while the others still read, rather than all at the end).
    Shutdown(usize),
}

/// Readings handed out at once.
const BATCH: usize = 8;

/// What the workers of a matrix share: whose run is next, the encodings to make
/// and made, every member's lane and the readings so far.
struct Board<'a, R> {
    /// Members whose run has been handed out (they go in order).
    started: usize,
    ran: Vec<Option<R>>,
    /// Encodings not yet handed out, as (member, fixture).
    to_encode: std::collections::VecDeque<(usize, usize)>,
    /// By slot (member × fixtures + fixture).
    encodings: Vec<Option<Arc<Encoding<'a>>>>,
    /// The slots of `encodings`, in the order they were made.
    made: Vec<usize>,
    lanes: Vec<Lane>,
    read: std::collections::BTreeMap<(usize, usize), GridCase>,
    /// Jobs being done, any of which may bring more.
    busy: usize,
    /// Encodings being made.
    encoding: usize,
    fixtures: usize,
}

impl<R> Board<'_, R> {
    fn new(members: usize, fixtures: usize) -> Self {
        Self {
            started: 0,
            ran: (0..members).map(|_| None).collect(),
            to_encode: std::collections::VecDeque::new(),
            encodings: (0..members * fixtures).map(|_| None).collect(),
            made: Vec::new(),
            lanes: (0..members).map(|_| Lane::closed()).collect(),
            read: std::collections::BTreeMap::new(),
            busy: 0,
            encoding: 0,
            fixtures,
        }
    }

    /// The encodings there will be, as far as can be told: those made and to be
    /// made, and a full share for each member whose run goes on.
    fn expected(&self) -> usize {
        let open = self.lanes.iter().filter(|l| l.member.is_some()).count();
        self.made.len()
            + self.to_encode.len()
            + self.encoding
            + (self.lanes.len() - open) * self.fixtures
    }

    /// A member's run has ended: its lane opens, and its fixtures are to be
    /// encoded if it encodes.
    fn opened(&mut self, i: usize, ran: R, member: GridMember) {
        if let Some(slot) = self.ran.get_mut(i) {
            *slot = Some(ran);
        }
        if member.caps.contains("encode") {
            self.to_encode.extend((0..self.fixtures).map(|f| (i, f)));
        }
        if let Some(lane) = self.lanes.get_mut(i) {
            lane.copies = vec![(Arc::clone(&member.imp), false)];
            lane.member = Some(member);
        }
    }

    /// The next job: a member's run while any is left (in order); else an
    /// encoding whose encoder has a copy free (an encoding unblocks every
    /// decoder); else, of the decoders with readings made and a copy free, the one
    /// with the most time left (so that the slowest is read without a pause while
    /// the others share the rest); else another copy of the one with the most time
    /// left, when every copy of every decoder with readings made is held and it
    /// has fewer than `jobs`; else, once every encoding there will be is made,
    /// shutting down a member that has read them all. None when there is nothing
    /// to do now.
    fn take(&mut self, jobs: usize) -> Option<Job> {
        if self.started < self.lanes.len() {
            self.started += 1;
            return Some(Job::Run(self.started - 1));
        }
        let (made, n) = (self.made.len(), self.expected());
        let lanes = &mut self.lanes;
        if let Some(at) = self
            .to_encode
            .iter()
            .position(|(m, _)| lanes.get(*m).is_some_and(Lane::free))
        {
            let (member, fixture) = self.to_encode.remove(at)?;
            let copy = lanes.get_mut(member)?.hold()?;
            self.encoding += 1;
            return Some(Job::Encode {
                member,
                fixture,
                copy,
            });
        }
        // The most time left; of equals, the first.
        let most = |(d, l): &(usize, &Lane)| (l.left(n), std::cmp::Reverse(*d));
        let free = lanes
            .iter()
            .enumerate()
            .filter(|(_, l)| l.next < made && l.free())
            .max_by_key(most);
        if let Some((d, _)) = free {
            let lane = lanes.get_mut(d)?;
            let copy = lane.hold()?;
            let batch = lane.next..made.min(lane.next + BATCH);
            lane.next = batch.end;
            return Some(Job::Read {
                lane: d,
                copy,
                batch,
            });
        }
        let copy = lanes
            .iter()
            .enumerate()
            .filter(|(_, l)| {
                l.next < made
                    && !l.no_copy_now
                    && l.copies.len() < jobs
                    && l.member.as_ref().is_some_and(|m| m.copy.is_some())
            })
            .max_by_key(most);
        if let Some((d, _)) = copy {
            if let Some(lane) = lanes.get_mut(d) {
                lane.no_copy_now = true;
            }
            return Some(Job::Copy(d));
        }
        // Every encoding there will be is made once every run has ended and
        // none is left to make.
        let all_made = self.to_encode.is_empty()
            && self.encoding == 0
            && lanes.iter().all(|l| l.member.is_some());
        let done = lanes.iter().position(|l| {
            all_made && !l.shut && l.next == made && l.copies.iter().all(|(_, held)| !held)
        })?;
        let lane = lanes.get_mut(done)?;
        lane.shut = true;
        Some(Job::Shutdown(done))
    }

    /// Lets go of copy `copy` of member `m`.
    fn release(&mut self, m: usize, copy: usize) {
        if let Some((_, held)) = self.lanes.get_mut(m).and_then(|l| l.copies.get_mut(copy)) {
            *held = false;
        }
    }

    /// Member `m` and its copy `copy`, as a worker uses it.
    fn using(&self, m: usize, copy: usize) -> Option<GridMember> {
        let lane = self.lanes.get(m)?;
        let (imp, _) = lane.copies.get(copy)?;
        let member = lane.member.as_ref()?;
        Some(GridMember {
            imp: Arc::clone(imp),
            ..member.clone()
        })
    }
}

/// A job a worker is doing: when it ends, however it ends (a panic included), the
/// board no longer counts it, and the workers waiting for work look again.
struct Doing<'b, 'a, R> {
    board: &'b std::sync::Mutex<Board<'a, R>>,
    changed: &'b std::sync::Condvar,
}

impl<R> Drop for Doing<'_, '_, R> {
    fn drop(&mut self) {
        lock(self.board).busy -= 1;
        self.changed.notify_all();
    }
}

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The board the workers share, and what they work with.
struct Workers<'a, 'm, T, R> {
    board: std::sync::Mutex<Board<'a, R>>,
    /// Told whenever a job ends: there may be more to do, or nothing left.
    changed: std::sync::Condvar,
    corpus: &'a Corpus,
    fixtures: Vec<&'a Vector>,
    members: &'m [T],
    run: &'m (dyn Fn(&T) -> (R, GridMember) + Sync),
    rt: &'m tokio::runtime::Runtime,
    jobs: usize,
}

impl<T: Sync, R: Send> Workers<'_, '_, T, R> {
    /// A worker: jobs until there is nothing left to do nor anything going on
    /// that could bring more.
    fn work(&self) {
        loop {
            let job = {
                let mut b = lock(&self.board);
                loop {
                    if let Some(job) = b.take(self.jobs) {
                        b.busy += 1;
                        break Some(job);
                    }
                    if b.busy == 0 {
                        break None;
                    }
                    b = self
                        .changed
                        .wait(b)
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                }
            };
            let Some(job) = job else {
                self.changed.notify_all();
                return;
            };
            let _doing = Doing {
                board: &self.board,
                changed: &self.changed,
            };
            match job {
                Job::Run(i) => {
                    if let Some(m) = self.members.get(i) {
                        let (ran, member) = (self.run)(m);
                        lock(&self.board).opened(i, ran, member);
                    }
                }
                Job::Encode {
                    member,
                    fixture,
                    copy,
                } => self.encode(member, fixture, copy),
                Job::Read { lane, copy, batch } => self.read(lane, copy, batch),
                Job::Copy(d) => self.copy(d),
                Job::Shutdown(d) => {
                    let copies: Vec<Arc<dyn Implementation>> = lock(&self.board)
                        .lanes
                        .get(d)
                        .map(|l| l.copies.iter().map(|(c, _)| Arc::clone(c)).collect())
                        .unwrap_or_default();
                    shut_down(copies, self.rt);
                }
            }
        }
    }

    fn encode(&self, member: usize, fixture: usize, copy: usize) {
        let encoder = lock(&self.board).using(member, copy);
        let made = encoder.and_then(|encoder| {
            Encoding::make(self.corpus, &encoder, self.fixtures.get(fixture)?, self.rt)
        });
        let mut b = lock(&self.board);
        b.release(member, copy);
        b.encoding -= 1;
        if let Some(made) = made {
            let slot = member * b.fixtures + fixture;
            if let Some(s) = b.encodings.get_mut(slot) {
                *s = Some(Arc::new(made));
                b.made.push(slot);
            }
        }
    }

    fn read(&self, lane: usize, copy: usize, batch: std::ops::Range<usize>) {
        let (dec, todo) = {
            let b = lock(&self.board);
            let todo: Vec<(usize, Arc<Encoding<'_>>)> = b
                .made
                .get(batch)
                .unwrap_or_default()
                .iter()
                .filter_map(|&slot| Some((slot, Arc::clone(b.encodings.get(slot)?.as_ref()?))))
                .collect();
            (b.using(lane, copy), todo)
        };
        let started = std::time::Instant::now();
        let mut read = Vec::with_capacity(todo.len());
        let mut asked = 0;
        if let Some(dec) = dec {
            for (slot, encoding) in todo {
                asked += u32::from(encoding.qr.is_ok() && asks(&dec, encoding.fixture));
                read.push((slot, encoding.read(self.corpus, &dec, self.rt)));
            }
        }
        let mut b = lock(&self.board);
        b.release(lane, copy);
        if let Some(l) = b.lanes.get_mut(lane) {
            l.spent += started.elapsed();
            l.asked += asked;
        }
        b.read
            .extend(read.into_iter().map(|(slot, case)| ((lane, slot), case)));
    }

    /// Another copy of member `d`, used only once it has answered describe with
    /// the capabilities the first declared: a copy that cannot start, or says
    /// otherwise, would make the grid depend on `jobs`.
    fn copy(&self, d: usize) {
        let (copier, caps) = lock(&self.board)
            .lanes
            .get(d)
            .and_then(|l| l.member.as_ref())
            .map(|m| (m.copy.clone(), m.caps.clone()))
            .unwrap_or_default();
        let copy =
            copier
                .and_then(|c| c())
                .and_then(|copy| match self.rt.block_on(copy.describe()) {
                    Ok(said) if said.capability_names() == caps => Some(copy),
                    _ => {
                        shut_down([copy], self.rt);
                        None
                    }
                });
        if let Some(lane) = lock(&self.board).lanes.get_mut(d) {
            // One that could not be started is not tried again.
            if let Some(copy) = copy {
                lane.copies.push((copy, false));
                lane.no_copy_now = false;
            }
        }
    }
}

/// The runs of a matrix's members and its encoder × decoder grid, `jobs` workers
/// at a time. `run(m)` is member `m`'s own run of the suite; it returns what the
/// run gave and the member as the grid uses it (its capabilities as it declared
/// them after the run). A member takes part in the grid once its run has ended,
/// so that nothing else speaks to it while it runs: its encodings are made, and it
/// reads those made so far, while the other members' runs go on. Reading and
/// encoding, a member gets another copy only when a worker would otherwise wait
/// (at most `jobs` copies); those are shut down at the end.
///
/// The runs come back in the order of the members, and the grid is the same
/// whatever `jobs` is and whatever order the work was done in.
pub fn matrix<T: Sync, R: Send>(
    corpus: &Corpus,
    members: &[T],
    run: &(dyn Fn(&T) -> (R, GridMember) + Sync),
    rt: &tokio::runtime::Runtime,
    jobs: usize,
) -> (Vec<Option<R>>, Grid) {
    let mut fixtures: Vec<&Vector> = corpus
        .vectors
        .iter()
        .map(|(_, v)| v)
        .filter(|v| v.encode.is_some())
        .collect();
    fixtures.sort_by(|a, b| a.id.cmp(&b.id));
    let workers = Workers {
        board: std::sync::Mutex::new(Board::new(members.len(), fixtures.len())),
        changed: std::sync::Condvar::new(),
        corpus,
        fixtures,
        members,
        run,
        rt,
        jobs,
    };
    let each: Vec<usize> = (0..jobs.max(1)).collect();
    crate::run::side_by_side(&each, jobs, &|_| workers.work());
    let board = workers
        .board
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    shut_down(
        board
            .lanes
            .iter()
            .flat_map(|l| l.copies.iter().skip(1).map(|(copy, _)| Arc::clone(copy))),
        rt,
    );
    let grid = board.grid(&workers.fixtures);
    (board.ran, grid)
}

impl<R> Board<'_, R> {
    /// The grid of what was made and read: encoders in the order of the members,
    /// each with the fixtures in order.
    fn grid(&self, fixtures: &[&Vector]) -> Grid {
        let members: Vec<(usize, &GridMember)> = self
            .lanes
            .iter()
            .enumerate()
            .filter_map(|(i, l)| Some((i, l.member.as_ref()?)))
            .collect();
        let encoders: Vec<&(usize, &GridMember)> = members
            .iter()
            .filter(|(_, m)| m.caps.contains("encode"))
            .collect();
        let mut cells: Vec<Cell> = Vec::new();
        for (e, enc) in &encoders {
            let made: Vec<(usize, &Encoding<'_>)> = (0..self.fixtures)
                .filter_map(|f| {
                    let slot = e * self.fixtures + f;
                    Some((slot, self.encodings.get(slot)?.as_deref()?))
                })
                .collect();
            for (d, dec) in &members {
                let cases: Vec<GridCase> = made
                    .iter()
                    .map(|(slot, encoding)| {
                        self.read.get(&(*d, *slot)).cloned().unwrap_or_else(|| {
                            case(
                                &encoding.fixture.id,
                                GridResult::Error,
                                "the rig lost this reading: no worker reported it",
                            )
                        })
                    })
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
            encoders: encoders.iter().map(|(_, m)| m.name.clone()).collect(),
            decoders: members.iter().map(|(_, m)| m.name.clone()).collect(),
            fixtures: fixtures.iter().map(|v| v.id.clone()).collect(),
            cells,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)] // tests
    use super::*;
    use std::time::Duration;

    fn member(name: &str, copies: bool, caps: &[&str]) -> GridMember {
        GridMember {
            name: name.into(),
            imp: Arc::new(Reference),
            caps: caps.iter().map(|c| (*c).to_owned()).collect(),
            copy: copies.then(|| -> Copier {
                Arc::new(|| Some(Arc::new(Reference) as Arc<dyn Implementation>))
            }),
        }
    }

    fn lane(next: usize, spent_ms: u64, asked: u32, copies: bool) -> Lane {
        Lane {
            member: Some(member("m", copies, &[])),
            next,
            copies: vec![(Arc::new(Reference), false)],
            no_copy_now: false,
            shut: false,
            spent: Duration::from_millis(spent_ms),
            asked,
        }
    }

    /// A board whose runs have all ended, with `made` encodings made.
    fn board(lanes: Vec<Lane>, made: usize) -> Board<'static, ()> {
        let mut b = Board::new(lanes.len(), 1);
        b.started = lanes.len();
        b.lanes = lanes;
        b.made = (0..made).collect();
        b
    }

    #[test]
    fn a_decoder_never_timed_comes_first_then_the_most_time_left() {
        // a: 10 ms a reading, 90 left (900 ms); b: untimed; c: 1 ms, 92 left.
        let mut b = board(
            vec![
                lane(10, 100, 10, false),
                lane(0, 0, 0, false),
                lane(8, 8, 8, false),
            ],
            100,
        );
        let read = |lane, batch| {
            Some(Job::Read {
                lane,
                copy: 0,
                batch,
            })
        };
        assert_eq!(b.take(2), read(1, 0..8));
        assert_eq!(b.take(2), read(0, 10..18));
        // b's copy is still held: c, the only one with a copy free.
        assert_eq!(b.take(2), read(2, 8..16));
        assert_eq!(b.take(2), None, "every copy is held");
    }

    #[test]
    fn another_copy_only_when_every_copy_is_held_and_for_fewer_than_jobs() {
        let mut b = board(vec![lane(8, 800, 8, true), lane(96, 10, 8, false)], 100);
        b.lanes[0].copies[0].1 = true;
        b.lanes[1].copies[0].1 = true;
        // Both held: the slow one (a copier) gets a second copy, once at a time.
        assert_eq!(b.take(2), Some(Job::Copy(0)));
        assert_eq!(b.take(2), None, "a copy is being started");
        b.lanes[0].copies.push((Arc::new(Reference), false));
        b.lanes[0].no_copy_now = false;
        assert_eq!(
            b.take(2),
            Some(Job::Read {
                lane: 0,
                copy: 1,
                batch: 8..16
            })
        );
        // Two copies of two jobs: no third; the one without a copier never gets one.
        assert_eq!(b.take(2), None);
        assert_eq!(b.take(3), Some(Job::Copy(0)));
    }

    #[test]
    fn the_last_batch_ends_at_the_last_reading_made_and_a_lane_that_read_all_is_not_taken() {
        let mut b = board(vec![lane(95, 5, 5, true)], 100);
        assert_eq!(
            b.take(2),
            Some(Job::Read {
                lane: 0,
                copy: 0,
                batch: 95..100
            })
        );
        b.release(0, 0);
        b.to_encode.push_back((0, 0));
        b.lanes[0].copies[0].1 = true;
        assert_eq!(b.take(2), None, "an encoding is still to be made");
        b.lanes[0].copies[0].1 = false;
        b.to_encode.clear();
        // More made: read from where it stopped.
        b.made.extend(100..103);
        assert_eq!(
            b.take(2),
            Some(Job::Read {
                lane: 0,
                copy: 0,
                batch: 100..103
            })
        );
        b.release(0, 0);
        // Every encoding made and read: its copies are shut down, once.
        assert_eq!(b.take(2), Some(Job::Shutdown(0)));
        assert_eq!(b.take(2), None);
    }

    #[test]
    fn runs_come_first_and_nothing_speaks_to_a_member_while_its_run_goes_on() {
        let mut b: Board<'static, &str> = Board::new(3, 2);
        assert_eq!(b.take(2), Some(Job::Run(0)));
        assert_eq!(b.take(2), Some(Job::Run(1)));
        assert_eq!(b.take(2), Some(Job::Run(2)));
        assert_eq!(b.take(2), None, "every run is going");
        // Member 1's run ends while 0 and 2 go on: its fixtures are encoded by
        // its one copy, one at a time; nothing is asked of 0 or 2.
        b.opened(1, "one", member("one", true, &["encode"]));
        assert_eq!(
            b.take(2),
            Some(Job::Encode {
                member: 1,
                fixture: 0,
                copy: 0
            })
        );
        assert_eq!(b.take(2), None, "its copy is held, no other lane is open");
        b.release(1, 0);
        b.made.push(2);
        assert_eq!(
            b.take(2),
            Some(Job::Encode {
                member: 1,
                fixture: 1,
                copy: 0
            })
        );
        b.release(1, 0);
        b.made.push(3);
        // Then it reads what is made; the members still running are not read
        // with, nor copied.
        assert_eq!(
            b.take(2),
            Some(Job::Read {
                lane: 1,
                copy: 0,
                batch: 0..2
            })
        );
        assert_eq!(b.take(2), None);
        assert!(b.lanes[0].copies.is_empty() && b.lanes[2].copies.is_empty());
        assert_eq!(b.ran, [None, Some("one"), None]);
    }

    #[test]
    fn a_member_that_does_not_encode_has_no_encodings_and_a_reading_lost_is_an_error() {
        let mut b: Board<'static, ()> = Board::new(2, 1);
        b.started = 2;
        b.opened(0, (), member("enc", false, &["encode"]));
        b.opened(1, (), member("dec", false, &[]));
        assert_eq!(b.to_encode, [(0, 0)]);
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../vectors");
        let corpus: &'static Corpus = Box::leak(Box::new(Corpus::load(&root).unwrap()));
        let fixture = corpus
            .vectors
            .iter()
            .map(|(_, v)| v)
            .find(|v| v.encode.is_some())
            .unwrap();
        b.encodings[0] = Some(Arc::new(Encoding {
            fixture,
            qr: Ok("HC1:".into()),
            missing: Vec::new(),
            reference: None,
        }));
        b.made.push(0);
        b.read.insert(
            (0, 0),
            case(&fixture.id, GridResult::Read, "read by the encoder itself"),
        );
        let grid = b.grid(&[fixture]);
        assert_eq!(grid.encoders, ["enc"]);
        assert_eq!(grid.decoders, ["enc", "dec"]);
        assert_eq!(grid.cells[0].cases[0].result, GridResult::Read);
        assert_eq!(grid.cells[1].cases[0].result, GridResult::Error);
        assert!(grid.cells[1].cases[0].detail.contains("lost"));
    }
}
