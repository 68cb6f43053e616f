//! Splitting a run across machines (`--shard K/N`) and merging the parts
//! (`c169 report merge`).
//!
//! A case belongs to shard `1 + fnv1a64(id) mod N`: the assignment depends on the
//! case id alone, so it is the same on every machine, in every order, and adding a
//! vector moves no other case. Merging all N parts gives the report the unsharded
//! run gives (times apart).

use crate::{ParseError, Report, RequirementInfo, ShardId};
use std::collections::BTreeSet;

impl std::str::FromStr for ShardId {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        let bad = || ParseError {
            expected: "K/N with 1 ≤ K ≤ N (like 2/4)",
            given: s.to_owned(),
        };
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u32 = k.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index == 0 || index > count {
            return Err(bad());
        }
        Ok(ShardId { index, count })
    }
}

impl std::fmt::Display for ShardId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

impl ShardId {
    /// Whether the case with this id belongs to this shard.
    #[must_use]
    pub fn holds(&self, case_id: &str) -> bool {
        fnv1a64(case_id.as_bytes()) % u64::from(self.count) == u64::from(self.index - 1)
    }
}

/// Why the parts of a sharded run do not merge: the part (by the name the caller
/// gave it) and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MergeError {
    #[error("no report to merge")]
    NoParts,
    #[error("{part}: field `run.shards`: expected one shard (a report written with --shard K/N), found {found}")]
    NotOneShard { part: String, found: usize },
    #[error(
        "{part}: field `run.shards`: shard {shard} is not of the same split as {first} (/{count})"
    )]
    OtherSplit {
        part: String,
        shard: ShardId,
        first: String,
        count: u32,
    },
    #[error("{part}: shard {shard} is given twice")]
    GivenTwice { part: String, shard: ShardId },
    #[error("{part}: field `{field}` differs from {first}: the parts are not of one run")]
    NotOneRun {
        part: String,
        field: &'static str,
        first: String,
    },
    #[error("shards missing: {}", missing.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))]
    Missing { missing: Vec<ShardId> },
    #[error("{part}: case {case} is in two parts")]
    CaseTwice { part: String, case: String },
}

/// Merges the parts of a sharded run into one report. Every part must come from
/// the same suite, implementation and options, and together they must be shards
/// 1..N of one N, each once.
pub fn merge(mut parts: Vec<(String, Report)>) -> Result<Report, MergeError> {
    parts.sort_by_key(|(_, r)| r.run.shards.first().map(|s| s.index));
    let (first_name, first) = parts.first().cloned().ok_or(MergeError::NoParts)?;
    let mut seen = BTreeSet::new();
    let mut count = None;
    for (name, r) in &parts {
        let [shard] = r.run.shards.as_slice() else {
            return Err(MergeError::NotOneShard {
                part: name.clone(),
                found: r.run.shards.len(),
            });
        };
        let split = *count.get_or_insert(shard.count);
        if split != shard.count {
            return Err(MergeError::OtherSplit {
                part: name.clone(),
                shard: *shard,
                first: first_name,
                count: split,
            });
        }
        if !seen.insert(shard.index) {
            return Err(MergeError::GivenTwice {
                part: name.clone(),
                shard: *shard,
            });
        }
        for (field, same) in [
            ("suite", r.suite == first.suite),
            ("implementation", r.implementation == first.implementation),
            ("run.options", r.run.options == first.run.options),
            (
                "run.expectations",
                r.run.expectations == first.run.expectations,
            ),
            ("gate.fail_on", r.gate.fail_on == first.gate.fail_on),
        ] {
            if !same {
                return Err(MergeError::NotOneRun {
                    part: name.clone(),
                    field,
                    first: first_name,
                });
            }
        }
    }
    let count = count.unwrap_or(1);
    let missing: Vec<ShardId> = (1..=count)
        .filter(|i| !seen.contains(i))
        .map(|index| ShardId { index, count })
        .collect();
    if !missing.is_empty() {
        return Err(MergeError::Missing { missing });
    }
    let catalogue: Vec<RequirementInfo> = first
        .requirements
        .iter()
        .map(|r| r.requirement.clone())
        .collect();
    let mut merged = first.clone();
    merged.cases.clear();
    let mut ids = BTreeSet::new();
    for (name, r) in parts {
        for c in r.cases {
            if !ids.insert(c.id.clone()) {
                return Err(MergeError::CaseTwice {
                    part: name,
                    case: c.id,
                });
            }
            merged.cases.push(c);
        }
        merged.run.duration_ms = merged.run.duration_ms.max(r.run.duration_ms);
        if r.run.started < merged.run.started {
            merged.run.started = r.run.started;
        }
        merged.run.complete &= r.run.complete;
        if merged.run.interrupted.is_none() {
            merged.run.interrupted = r.run.interrupted;
        }
        if merged.run.rig_failure.is_none() {
            merged.run.rig_failure = r.run.rig_failure;
        }
    }
    merged.run.shards.clear();
    merged.cases.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    merged.recompute(&catalogue);
    Ok(merged)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn shard_ids_parse_strictly() {
        assert_eq!(
            "2/4".parse::<ShardId>().unwrap(),
            ShardId { index: 2, count: 4 }
        );
        for bad in ["0/4", "5/4", "1/0", "x/2", "2", "1/2/3"] {
            assert!(bad.parse::<ShardId>().is_err(), "{bad}");
        }
    }

    #[test]
    fn every_id_is_in_exactly_one_shard() {
        for n in 1..6 {
            for id in ["a", "b45-x", "scenario-zlib-y-12", ""] {
                let holders = (1..=n)
                    .filter(|k| {
                        ShardId {
                            index: *k,
                            count: n,
                        }
                        .holds(id)
                    })
                    .count();
                assert_eq!(holders, 1, "{id} in /{n}");
            }
        }
    }
}
