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
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// One implementation of the grid.
#[derive(Debug, Clone)]
pub struct GridMember {
    pub name: String,
    pub imp: Arc<dyn Implementation>,
    /// The capability names it declared.
    pub caps: BTreeSet<String>,
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

/// One column read by every member (`read(k)` for member `k`), in member order.
/// Each adapter serves one request at a time: the column asks first a member no
/// other column is using when there is one (else the first of those left, which
/// waits its turn), starting its round at member `start`, so that columns side by
/// side seldom wait for one another. `busy` marks the members in use (a hint).
fn columns_in_turn<T>(
    busy: &[AtomicBool],
    start: usize,
    read: impl Fn(usize) -> Option<T>,
) -> Vec<T> {
    let mut column: Vec<Option<T>> = busy.iter().map(|_| None).collect();
    let mut left: Vec<usize> = (0..busy.len()).collect();
    left.rotate_left(start % busy.len().max(1));
    while !left.is_empty() {
        let free = left
            .iter()
            .position(|&k| busy.get(k).is_some_and(|b| !b.swap(true, Ordering::SeqCst)));
        let k = left.remove(free.unwrap_or(0));
        if let Some(slot) = column.get_mut(k) {
            *slot = read(k);
        }
        // Only a mark this column set is cleared.
        if let (Some(b), Some(_)) = (busy.get(k), free) {
            b.store(false, Ordering::SeqCst);
        }
    }
    column.into_iter().flatten().collect()
}

/// The grid of `members` over the encoder vectors of `corpus`, `jobs` encoders at a time.
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
    // Each (encoder, fixture) apart, `jobs` at a time: one encoding, read once by
    // the reference and then by every decoder. None: the fixture makes no request.
    // Handed out fixture by fixture, so that the columns in flight ask different
    // encoders (each adapter serves one request at a time); put back in rows.
    let tasks: Vec<(usize, &GridMember, &Vector)> = fixtures
        .iter()
        .flat_map(|f| encoders.iter().map(move |enc| (*enc, *f)))
        .enumerate()
        .map(|(i, (enc, f))| (i, enc, f))
        .collect();
    // Which members are serving a column's request (a hint: a member marked busy
    // may still be asked, and waits its turn).
    let busy: Vec<AtomicBool> = members.iter().map(|_| AtomicBool::new(false)).collect();
    let column = |(i, enc, fixture): &(usize, &GridMember, &Vector)| -> Option<Vec<GridCase>> {
        let id = fixture.id.as_str();
        let missing: Vec<&str> = needs(fixture)
            .into_iter()
            .filter(|c| !enc.caps.contains(*c))
            .map(String::as_str)
            .collect();
        let (req, _, _) = encode_request(corpus, fixture)?;
        let encoded = if missing.is_empty() {
            rt.block_on(enc.imp.encode(&req)).map_err(|e| e.reason())
        } else {
            Err(String::new())
        };
        let reference = encoded.as_ref().ok().and_then(|encoded| {
            rt.block_on(Reference.decode(&decode_request(
                corpus,
                &with_keys(fixture),
                &encoded.qr,
                &Reference::description().capability_names(),
            )))
            .ok()
            .and_then(|o| o.claim169)
        });
        let read = |dec: &GridMember| match &encoded {
            Err(why) if why.is_empty() => case(
                id,
                GridResult::Skipped,
                format!("the encoder does not declare {}", missing.join(", ")),
            ),
            Err(why) => case(id, GridResult::NotEncoded, why.clone()),
            Ok(encoded) => decode_one(corpus, dec, &encoded.qr, fixture, reference.as_ref(), rt),
        };
        Some(columns_in_turn(&busy, *i, |k| members.get(k).map(read)))
    };
    let mut by_fixture = crate::run::side_by_side(&tasks, jobs, &column).into_iter();
    // Into rows: encoder by encoder, each fixture's column of it.
    let mut columns: Vec<Vec<Option<Vec<GridCase>>>> = (0..encoders.len())
        .map(|_| Vec::with_capacity(fixtures.len()))
        .collect();
    for _ in &fixtures {
        for row in &mut columns {
            row.push(by_fixture.next().flatten());
        }
    }
    let mut columns = columns.into_iter().flatten();
    let mut cells: Vec<Cell> = Vec::new();
    for enc in &encoders {
        let mut row: Vec<Cell> = members
            .iter()
            .map(|d| Cell {
                encoder: enc.name.clone(),
                decoder: d.name.clone(),
                read: 0,
                tried: 0,
                cases: Vec::new(),
            })
            .collect();
        // The tasks are in row order: this encoder's fixtures come next.
        for column in columns.by_ref().take(fixtures.len()).flatten() {
            for (cell, result) in row.iter_mut().zip(column) {
                if result.result.is_tried() {
                    cell.tried += 1;
                }
                if result.result.is_read() {
                    cell.read += 1;
                }
                cell.cases.push(result);
            }
        }
        cells.extend(row);
    }
    Grid {
        encoders: encoders.iter().map(|m| m.name.clone()).collect(),
        decoders: members.iter().map(|m| m.name.clone()).collect(),
        fixtures: fixtures.iter().map(|v| v.id.clone()).collect(),
        cells,
    }
}
