//! Similar submissions, found as MOSS finds them: each source becomes a
//! sequence of normalised Python tokens (names, numbers and strings lose their
//! spelling; comments and layout are dropped), its k-grams are hashed, and
//! winnowing keeps the smallest hash of every window. Two submissions of one
//! exercise share fingerprints where they share code, however identifiers were
//! renamed. Code every candidate was given (the starter) is not evidence and
//! is left out. The figure is a signal for a person, never a verdict.

use gavel_exercise::python::{TokenKind, lex};
use serde::{Deserialize, Serialize};

/// Tokens per hashed k-gram: a shared run of fewer tokens is not evidence.
const K: usize = 8;
/// Hashes per winnowing window: any shared run of at least `K + W - 1`
/// tokens is guaranteed a shared fingerprint.
const W: usize = 4;
/// Fingerprints kept per submission: the smallest ones, a consistent sample,
/// so memory stays bounded whatever the source's size.
const MAX_FINGERPRINTS: usize = 2000;
/// Pairs listed at most per batch, the most similar first.
pub const MAX_PAIRS: usize = 200;
/// The default threshold of `--similarity`.
pub const DEFAULT_THRESHOLD: f64 = 0.8;

/// A submission's fingerprints (sorted, distinct).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fingerprint {
    hashes: Vec<u64>,
}

impl Fingerprint {
    /// The fingerprints of `source`, less those of `base` (the starter).
    pub fn of(source: &str, base: Option<&Fingerprint>) -> Fingerprint {
        let tokens = normalised(source);
        let grams: Vec<u64> = tokens.windows(K).map(hash).collect();
        let mut hashes: Vec<u64> = if grams.len() <= W {
            grams.iter().copied().min().into_iter().collect()
        } else {
            // Winnowing: the rightmost smallest hash of each window.
            grams
                .windows(W)
                .map(|window| *window.iter().rev().min().expect("windows are never empty"))
                .collect()
        };
        hashes.sort_unstable();
        hashes.dedup();
        if let Some(base) = base {
            hashes.retain(|h| base.hashes.binary_search(h).is_err());
        }
        hashes.truncate(MAX_FINGERPRINTS);
        Fingerprint { hashes }
    }

    /// How many fingerprints it has.
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    /// Whether it has none (a source too short or all starter code).
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// The share of the smaller submission's fingerprints the other has too,
    /// from 0 to 1: a copy with code added is still a copy.
    pub fn similarity(&self, other: &Fingerprint) -> f64 {
        let smaller = self.len().min(other.len());
        if smaller == 0 {
            return 0.0;
        }
        let (mut i, mut j, mut shared) = (0, 0, 0usize);
        while i < self.hashes.len() && j < other.hashes.len() {
            match self.hashes[i].cmp(&other.hashes[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    shared += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        shared as f64 / smaller as f64
    }
}

/// The tokens that carry a program's structure, with names, numbers and
/// strings reduced to their kind.
fn normalised(source: &str) -> Vec<&str> {
    lex(source)
        .into_iter()
        .filter_map(|t| match t.kind {
            TokenKind::Space | TokenKind::Comment => None,
            TokenKind::Name => Some("N"),
            TokenKind::Number => Some("0"),
            TokenKind::String => Some("S"),
            TokenKind::Keyword | TokenKind::Builtin | TokenKind::Operator | TokenKind::Other => {
                Some(&source[t.start..t.end])
            }
        })
        .collect()
}

/// FNV-1a over the tokens, each ended by a NUL: stable across runs and
/// platforms.
fn hash(tokens: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for token in tokens {
        for b in token.bytes().chain(std::iter::once(0)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// One submission to compare.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The exercise.
    pub exercise: String,
    /// The candidate (as shown).
    pub candidate: String,
    /// The candidate's index in the batch.
    pub index: usize,
    /// The source's sha256.
    pub sha256: String,
    /// Its fingerprints.
    pub fingerprint: Fingerprint,
}

/// Two candidates' submissions of one exercise that look alike
/// (`results.json`'s `similar`, documented in docs/json.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimilarPair {
    /// The exercise.
    pub exercise: String,
    /// One candidate.
    pub a: String,
    /// The other candidate.
    pub b: String,
    /// From 0 to 1: the share of the smaller submission's fingerprints the
    /// other has too (1 for identical sources).
    pub similarity: f64,
    /// Whether the two sources are byte for byte the same.
    pub identical: bool,
    /// The candidates' indices in the batch (for the report's links).
    #[serde(skip)]
    pub indices: (usize, usize),
}

/// Every pair of different candidates' submissions of one exercise at least
/// `threshold` alike (identical ones always), most similar first, at most
/// [`MAX_PAIRS`].
pub fn similar_pairs(entries: &[Entry], threshold: f64) -> Vec<SimilarPair> {
    let mut pairs = Vec::new();
    for (i, a) in entries.iter().enumerate() {
        for b in &entries[i + 1..] {
            if a.exercise != b.exercise || a.index == b.index {
                continue;
            }
            let identical = a.sha256 == b.sha256;
            let similarity = if identical {
                1.0
            } else {
                a.fingerprint.similarity(&b.fingerprint)
            };
            if identical || similarity >= threshold {
                pairs.push(SimilarPair {
                    exercise: a.exercise.clone(),
                    a: a.candidate.clone(),
                    b: b.candidate.clone(),
                    similarity: (similarity * 100.0).round() / 100.0,
                    identical,
                    indices: (a.index, b.index),
                });
            }
        }
    }
    pairs.sort_by(|x, y| {
        y.similarity
            .total_cmp(&x.similarity)
            .then_with(|| x.exercise.cmp(&y.exercise))
            .then_with(|| x.a.cmp(&y.a))
            .then_with(|| x.b.cmp(&y.b))
    });
    pairs.truncate(MAX_PAIRS);
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORIGINAL: &str = include_str!("../../../tests/similarity/original.py");
    const RENAMED: &str = include_str!("../../../tests/similarity/renamed.py");
    const UNRELATED: &str = include_str!("../../../tests/similarity/unrelated.py");

    #[test]
    fn a_renamed_copy_is_found_and_an_unrelated_solution_is_not() {
        let original = Fingerprint::of(ORIGINAL, None);
        let renamed = Fingerprint::of(RENAMED, None);
        let unrelated = Fingerprint::of(UNRELATED, None);
        assert!(!original.is_empty());
        assert_eq!(original.similarity(&renamed), 1.0);
        let other = original.similarity(&unrelated);
        assert!(other < 0.3, "{other}");
    }

    #[test]
    fn the_starter_is_not_evidence() {
        let starter = "def two_sum(nums, target):\n    pass\n";
        let base = Fingerprint::of(starter, None);
        let a = Fingerprint::of("def two_sum(nums, target):\n    pass\n", Some(&base));
        assert!(a.is_empty());
        assert_eq!(a.similarity(&a), 0.0);
    }

    #[test]
    fn pairs_are_per_exercise_across_candidates() {
        let entry = |exercise: &str, candidate: &str, index, source: &str| Entry {
            exercise: exercise.to_owned(),
            candidate: candidate.to_owned(),
            index,
            sha256: format!("{:x}", hash(&[source])),
            fingerprint: Fingerprint::of(source, None),
        };
        let entries = [
            entry("two-sum", "ada", 0, ORIGINAL),
            entry("two-sum", "bob", 1, RENAMED),
            entry("two-sum", "cy", 2, UNRELATED),
            entry("two-sum", "dee", 3, ORIGINAL),
            entry("other", "eve", 4, ORIGINAL),
        ];
        let pairs = similar_pairs(&entries, DEFAULT_THRESHOLD);
        let shown: Vec<(&str, &str, bool)> = pairs
            .iter()
            .map(|p| (p.a.as_str(), p.b.as_str(), p.identical))
            .collect();
        assert_eq!(
            shown,
            [
                ("ada", "bob", false),
                ("ada", "dee", true),
                ("bob", "dee", false)
            ]
        );
    }
}
