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
    let tasks: Vec<(usize, &GridMember, &Vector)> = encoders
        .iter()
        .flat_map(|enc| fixtures.iter().map(move |f| (*enc, *f)))
        .enumerate()
        .map(|(i, (enc, f))| (i, enc, f))
        .collect();
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
        // Each column starts at another decoder, so that columns side by side
        // seldom wait for the same adapter process; kept in member order.
        let start = i % members.len().max(1);
        let mut column: Vec<Option<GridCase>> = vec![None; members.len()];
        for k in (start..members.len()).chain(0..start) {
            if let (Some(dec), Some(slot)) = (members.get(k), column.get_mut(k)) {
                *slot = Some(read(dec));
            }
        }
        Some(column.into_iter().flatten().collect())
    };
    let columns = crate::run::side_by_side(&tasks, jobs, &column);
    let mut cells: Vec<Cell> = Vec::new();
    let mut columns = columns.into_iter();
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
