//! Sharded batches: `grade --shard K/N` grades the candidates of shard K of
//! N and records what it covered in `shard.json`; `merge` checks that a set
//! of shards is complete, disjoint and graded alike, and writes the reports
//! one unsharded `grade` would have written.
//!
//! Which shard a candidate is in depends only on the candidate's identity
//! (the raw bytes of their folder's name), never on the order a directory
//! lists them, so every machine agrees without talking to the others. Since
//! verdicts and fuel are the same on every machine for the same runner
//! image, shards can be graded anywhere, retried and merged.

use crate::homework::{Candidate, Problem};
use crate::setup::Setup;
use crate::stored::OutDir;
use crate::summary::{CandidatePlan, CandidateSummary};
use gavel_core::hash::Key;
use gavel_exercise::Disclosure;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The file a shard's report folder records it in.
pub const SHARD_FILE: &str = "shard.json";

/// One shard of a batch: the `k`-th of `n` (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// Which one.
    pub k: u32,
    /// Of how many.
    pub n: u32,
}

/// Why a shard cannot be given (`--shard K/N`).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ShardSpecError {
    /// Not two numbers around a `/`.
    #[error("`{0}` is not a shard: write K/N, such as 2/5")]
    Form(String),
    /// `k` outside 1..=n.
    #[error("shard {k}/{n}: K must be between 1 and N")]
    Range {
        /// The shard.
        k: u32,
        /// Of how many.
        n: u32,
    },
}

impl std::str::FromStr for Shard {
    type Err = ShardSpecError;

    fn from_str(text: &str) -> Result<Shard, ShardSpecError> {
        let form = || ShardSpecError::Form(text.to_owned());
        let (k, n) = text.split_once('/').ok_or_else(form)?;
        let k: u32 = k.trim().parse().map_err(|_| form())?;
        let n: u32 = n.trim().parse().map_err(|_| form())?;
        if k == 0 || n == 0 || k > n {
            return Err(ShardSpecError::Range { k, n });
        }
        Ok(Shard { k, n })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

impl Shard {
    /// Whether `candidate` belongs to this shard: the first 8 bytes of the
    /// sha256 of their raw name, modulo `n`.
    pub fn holds(&self, candidate: &Candidate) -> bool {
        shard_of(candidate, self.n) == self.k
    }
}

/// The shard (1-based) of `n` that `candidate` belongs to.
pub fn shard_of(candidate: &Candidate, n: u32) -> u32 {
    let digest = Key::new().part(candidate.raw()).hex();
    let prefix = u64::from_str_radix(&digest[..16], 16).unwrap_or(0);
    (prefix % u64::from(n.max(1))) as u32 + 1
}

/// A fingerprint of every candidate of a homework folder, so that shards
/// graded from different folders are not merged.
pub fn homework_fingerprint(candidates: &[&Candidate]) -> String {
    let mut sorted: Vec<&&Candidate> = candidates.iter().collect();
    sorted.sort();
    sorted
        .into_iter()
        .fold(Key::new(), |key, c| key.part(c.raw()))
        .hex()
}

/// A candidate of a shard: who, their summary, and where their results are
/// (relative to the shard's report folder).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShardCandidate {
    /// Their folder's raw name, in hex (names need not be UTF-8).
    pub raw_hex: String,
    /// Their summary.
    pub summary: CandidateSummary,
    /// Each graded exercise's stored result, relative to the report folder.
    pub stored: BTreeMap<String, PathBuf>,
}

/// `shard.json`: what one shard covered and how it was graded — everything
/// a merge checks and needs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShardRecord {
    /// Which shard.
    pub shard: Shard,
    /// The runner image's sha256.
    pub image_sha256: String,
    /// The catalog's fingerprint.
    pub catalog_fingerprint: String,
    /// gavel's judging rules.
    pub judging_rules: u32,
    /// The exercises every candidate was given.
    pub assignment: Vec<String>,
    /// What results may say about hidden tests (`full` for
    /// `--reveal-hidden`), when set for the whole batch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disclosure: Option<Disclosure>,
    /// The source size limit.
    pub max_source_bytes: u64,
    /// The homework folder.
    pub homework: PathBuf,
    /// How many candidates the whole folder holds, and their fingerprint.
    pub homework_candidates: usize,
    /// See [`homework_fingerprint`].
    pub homework_fingerprint: String,
    /// Problems of the homework folder itself (the same in every shard).
    pub problems: Vec<Problem>,
    /// The candidates of this shard.
    pub candidates: Vec<ShardCandidate>,
}

impl ShardRecord {
    /// The setup the shard was graded with.
    pub fn setup(&self) -> Setup {
        Setup {
            image_sha256: self.image_sha256.clone(),
            catalog_fingerprint: self.catalog_fingerprint.clone(),
            judging_rules: self.judging_rules,
        }
    }

    /// Its candidates' plans, their results in `root`.
    pub(crate) fn plans(&self, root: &Path) -> Result<Vec<CandidatePlan>, MergeError> {
        self.candidates
            .iter()
            .map(|c| {
                let raw = hex_decode(&c.raw_hex).ok_or_else(|| MergeError::Corrupt {
                    path: root.join(SHARD_FILE),
                    reason: format!("`{}` is not a candidate's name in hex", c.raw_hex),
                })?;
                Ok(CandidatePlan {
                    candidate: Candidate::from_raw(raw),
                    stored: c
                        .stored
                        .iter()
                        .map(|(id, p)| (id.clone(), root.join(p)))
                        .collect(),
                    summary: c.summary.clone(),
                })
            })
            .collect()
    }
}

/// The record of `plans`, graded as `shard` in `out`.
pub(crate) fn record(
    shard: Shard,
    out: &OutDir,
    plans: &[CandidatePlan],
    common: ShardRecord,
) -> ShardRecord {
    let candidates = plans
        .iter()
        .map(|plan| ShardCandidate {
            raw_hex: hex(plan.candidate.raw()),
            summary: plan.summary.clone(),
            stored: plan
                .stored
                .iter()
                .map(|(id, path)| {
                    let relative = path.strip_prefix(out.path()).unwrap_or(path).to_owned();
                    (id.clone(), relative)
                })
                .collect(),
        })
        .collect();
    ShardRecord {
        shard,
        candidates,
        ..common
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hex_decode(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Why shards cannot be merged (or a shard's record read).
#[derive(Debug, Error)]
pub enum MergeError {
    /// A folder has no `shard.json`.
    #[error("`{}` is not a shard of a graded batch: it has no {SHARD_FILE} (grade it with `gavel grade --shard K/N`)", .0.display())]
    NotAShard(PathBuf),
    /// A record cannot be read.
    #[error("cannot read `{}`: {reason}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// Shards disagree on how many shards there are.
    #[error("the shards split the batch differently: {0}")]
    Counts(String),
    /// A shard is given twice.
    #[error("shard {shard} is given twice: `{}` and `{}`", first.display(), second.display())]
    Twice {
        /// The shard.
        shard: Shard,
        /// Where first.
        first: PathBuf,
        /// Where again.
        second: PathBuf,
    },
    /// Shards are missing.
    #[error("shard(s) {missing} of {n} are missing: a merge writes the whole batch or nothing")]
    Missing {
        /// Which (`2, 5`).
        missing: String,
        /// Of how many.
        n: u32,
    },
    /// The shards were graded differently.
    #[error("the shards were graded with different {what}: {values}; grade them all alike")]
    Differ {
        /// What differs (`runner images`, `catalogs`, …).
        what: &'static str,
        /// The values, per shard.
        values: String,
    },
    /// A candidate is in two shards.
    #[error("candidate `{candidate}` is in shards {first} and {second}: shards must not overlap")]
    Overlap {
        /// The candidate.
        candidate: String,
        /// One shard.
        first: Shard,
        /// The other.
        second: Shard,
    },
    /// A candidate is in a shard their name does not hash to.
    #[error(
        "candidate `{candidate}` is in shard {found}, but their name puts them in shard {expected}: the shard's record was not written by `gavel grade --shard`"
    )]
    Misplaced {
        /// The candidate.
        candidate: String,
        /// Where they are.
        found: Shard,
        /// Where they belong.
        expected: Shard,
    },
    /// The shards cover fewer or more candidates than the homework holds.
    #[error(
        "the shards cover {covered} candidate(s), but the homework folder they were graded from holds {expected}: a merge writes the whole batch or nothing"
    )]
    Incomplete {
        /// Candidates in the shards.
        covered: usize,
        /// Candidates in the homework folder.
        expected: usize,
    },
    /// The catalog given to the merge is not the one the shards used.
    #[error(
        "the shards were graded with catalog {graded}, but this catalog is {given}: merge with the catalog they were graded with"
    )]
    Catalog {
        /// The shards' fingerprint.
        graded: String,
        /// This catalog's.
        given: String,
    },
}

/// Reads a shard's record.
pub fn read_record(dir: &Path) -> Result<ShardRecord, MergeError> {
    let path = dir.join(SHARD_FILE);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(MergeError::NotAShard(dir.to_owned()));
        }
        Err(e) => {
            return Err(MergeError::Corrupt {
                path,
                reason: e.to_string(),
            });
        }
    };
    serde_json::from_slice(&bytes).map_err(|e| MergeError::Corrupt {
        path,
        reason: e.to_string(),
    })
}

/// Checks that `shards` (each with the folder it was read from) are exactly
/// shards 1..=N of one batch, graded alike, with no candidate twice.
pub fn check_complete(shards: &[(PathBuf, ShardRecord)]) -> Result<(), MergeError> {
    let Some((_, first)) = shards.first() else {
        return Err(MergeError::Missing {
            missing: "all".to_owned(),
            n: 0,
        });
    };
    let counts: BTreeSet<u32> = shards.iter().map(|(_, r)| r.shard.n).collect();
    if counts.len() > 1 {
        return Err(MergeError::Counts(per_shard(shards, |r| {
            r.shard.to_string()
        })));
    }
    let n = first.shard.n;
    let mut seen: BTreeMap<u32, &PathBuf> = BTreeMap::new();
    for (dir, record) in shards {
        if let Some(earlier) = seen.insert(record.shard.k, dir) {
            return Err(MergeError::Twice {
                shard: record.shard,
                first: earlier.clone(),
                second: dir.clone(),
            });
        }
    }
    let missing: Vec<String> = (1..=n)
        .filter(|k| !seen.contains_key(k))
        .map(|k| k.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(MergeError::Missing {
            missing: missing.join(", "),
            n,
        });
    }
    // The judging setup first (the check a remote worker makes too), then
    // what makes the shards one batch.
    for (what, field) in Setup::FIELDS {
        let values: BTreeSet<String> = shards.iter().map(|(_, r)| field(&r.setup())).collect();
        if values.len() > 1 {
            return Err(MergeError::Differ {
                what,
                values: per_shard(shards, |r| field(&r.setup())),
            });
        }
    }
    type Field = fn(&ShardRecord) -> String;
    let batch: [(&'static str, Field); 4] = [
        ("assignments", |r| r.assignment.join(",")),
        ("homework folders", |r| {
            format!(
                "{} ({} candidates)",
                r.homework_fingerprint, r.homework_candidates
            )
        }),
        ("disclosure settings", |r| format!("{:?}", r.disclosure)),
        ("source limits", |r| r.max_source_bytes.to_string()),
    ];
    for (what, field) in batch {
        let values: BTreeSet<String> = shards.iter().map(|(_, r)| field(r)).collect();
        if values.len() > 1 {
            return Err(MergeError::Differ {
                what,
                values: per_shard(shards, field),
            });
        }
    }
    check_candidates(shards, first.homework_candidates, n)
}

/// Every candidate is in exactly one shard, the one the stable rule gives,
/// and the shards cover as many as the homework folder held.
fn check_candidates(
    shards: &[(PathBuf, ShardRecord)],
    homework_candidates: usize,
    n: u32,
) -> Result<(), MergeError> {
    let mut owner: BTreeMap<&str, Shard> = BTreeMap::new();
    for (_, record) in shards {
        for candidate in &record.candidates {
            if let Some(first) = owner.insert(&candidate.raw_hex, record.shard) {
                return Err(MergeError::Overlap {
                    candidate: candidate.summary.candidate.clone(),
                    first,
                    second: record.shard,
                });
            }
            let Some(raw) = hex_decode(&candidate.raw_hex) else {
                continue; // refused with the file's name when its plans are read
            };
            let k = shard_of(&Candidate::from_raw(raw), n);
            if k != record.shard.k {
                return Err(MergeError::Misplaced {
                    candidate: candidate.summary.candidate.clone(),
                    found: record.shard,
                    expected: Shard { k, n },
                });
            }
        }
    }
    if owner.len() != homework_candidates {
        return Err(MergeError::Incomplete {
            covered: owner.len(),
            expected: homework_candidates,
        });
    }
    Ok(())
}

/// `shard 1 a32b…, shard 2 bb11…`: a field of each shard, short.
fn per_shard(shards: &[(PathBuf, ShardRecord)], field: impl Fn(&ShardRecord) -> String) -> String {
    let mut sorted: Vec<&ShardRecord> = shards.iter().map(|(_, r)| r).collect();
    sorted.sort_by_key(|r| r.shard.k);
    sorted
        .iter()
        .map(|r| {
            let value = field(r);
            let short: String = value.chars().take(16).collect();
            let ellipsis = if value.chars().count() > 16 {
                "…"
            } else {
                ""
            };
            format!("shard {} {short}{ellipsis}", r.shard)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_parsed_and_refused_clearly() {
        assert_eq!("2/5".parse::<Shard>(), Ok(Shard { k: 2, n: 5 }));
        assert!(matches!(
            "0/5".parse::<Shard>(),
            Err(ShardSpecError::Range { .. })
        ));
        assert!(matches!(
            "6/5".parse::<Shard>(),
            Err(ShardSpecError::Range { .. })
        ));
        assert!(matches!(
            "2-5".parse::<Shard>(),
            Err(ShardSpecError::Form(_))
        ));
    }

    #[test]
    fn a_candidate_is_in_one_shard_by_name_only() {
        let names: Vec<Candidate> = (0..300)
            .map(|i| Candidate::named(&format!("c{i}")))
            .collect();
        for n in [1, 2, 3, 7] {
            let mut sizes = vec![0; n as usize];
            for c in &names {
                let k = shard_of(c, n);
                assert!((1..=n).contains(&k));
                let holders = (1..=n).filter(|&k| Shard { k, n }.holds(c)).count();
                assert_eq!(holders, 1);
                sizes[(k - 1) as usize] += 1;
            }
            // Balanced enough: no shard under half its fair share.
            assert!(
                sizes.iter().all(|&s| s * 2 * n as usize >= names.len()),
                "{n}: {sizes:?}"
            );
        }
        // The same on every call (and every machine: sha256).
        assert_eq!(
            shard_of(&Candidate::named("ada"), 3),
            shard_of(&Candidate::named("ada"), 3)
        );
        assert_eq!(hex_decode(&hex(b"\xffab")), Some(b"\xffab".to_vec()));
    }
}
