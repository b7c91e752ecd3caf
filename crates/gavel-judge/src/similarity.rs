//! Similar submissions, found as MOSS finds them: each source becomes a
//! sequence of normalised Python tokens (names, numbers and strings lose their
//! spelling; comments and layout are dropped), its k-grams are hashed, and
//! winnowing keeps the smallest hash of every window. Two submissions of one
//! exercise share fingerprints where they share code, however identifiers were
//! renamed. Code every candidate was given (the starter) is not evidence and
//! is left out. The figure is a signal for a person, never a verdict.

use gavel_exercise::python::{TokenKind, lex};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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

/// Candidates linked by similar pairs of one exercise: a connected group,
/// so that 15 candidates who share one solution read as one cluster, not
/// as 105 pairs.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// The exercise.
    pub exercise: String,
    /// Its candidates' indices in the batch, ascending.
    pub members: Vec<usize>,
    /// Its members' names, in the same order.
    pub names: Vec<String>,
    /// How many similar pairs link them, and how many are identical.
    pub pairs: usize,
    /// Of those, the identical ones.
    pub identical: usize,
    /// The least and most similar of its pairs.
    pub range: (f64, f64),
}

/// The pairs grouped into clusters (connected components per exercise),
/// largest first, then by exercise and first member.
pub fn clusters(pairs: &[SimilarPair]) -> Vec<Cluster> {
    // Union-find over candidate indices, one forest per exercise.
    let mut parent: BTreeMap<(&str, usize), (&str, usize)> = BTreeMap::new();
    fn root<'a>(
        parent: &mut BTreeMap<(&'a str, usize), (&'a str, usize)>,
        node: (&'a str, usize),
    ) -> (&'a str, usize) {
        let mut at = node;
        while let Some(&up) = parent.get(&at) {
            if up == at {
                break;
            }
            at = up;
        }
        parent.insert(node, at);
        at
    }
    let mut names: BTreeMap<usize, &str> = BTreeMap::new();
    for pair in pairs {
        let a = (pair.exercise.as_str(), pair.indices.0);
        let b = (pair.exercise.as_str(), pair.indices.1);
        names.insert(pair.indices.0, &pair.a);
        names.insert(pair.indices.1, &pair.b);
        parent.entry(a).or_insert(a);
        parent.entry(b).or_insert(b);
        let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
        if ra != rb {
            parent.insert(ra.max(rb), ra.min(rb));
        }
    }
    let mut groups: BTreeMap<(&str, usize), Cluster> = BTreeMap::new();
    let nodes: Vec<(&str, usize)> = parent.keys().copied().collect();
    for node in nodes {
        let top = root(&mut parent, node);
        let cluster = groups.entry(top).or_insert_with(|| Cluster {
            exercise: node.0.to_owned(),
            members: Vec::new(),
            names: Vec::new(),
            pairs: 0,
            identical: 0,
            range: (1.0, 0.0),
        });
        cluster.members.push(node.1);
    }
    for pair in pairs {
        let top = root(&mut parent, (pair.exercise.as_str(), pair.indices.0));
        let cluster = groups
            .get_mut(&top)
            .expect("every pair's node is in a group");
        cluster.pairs += 1;
        cluster.identical += usize::from(pair.identical);
        cluster.range = (
            cluster.range.0.min(pair.similarity),
            cluster.range.1.max(pair.similarity),
        );
    }
    let mut clusters: Vec<Cluster> = groups.into_values().collect();
    for cluster in &mut clusters {
        cluster.members.sort_unstable();
        cluster.names = cluster
            .members
            .iter()
            .map(|i| names.get(i).copied().unwrap_or_default().to_owned())
            .collect();
    }
    clusters.sort_by(|x, y| {
        y.members
            .len()
            .cmp(&x.members.len())
            .then_with(|| x.exercise.cmp(&y.exercise))
            .then_with(|| x.members.cmp(&y.members))
    });
    clusters
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(exercise: &str, a: usize, b: usize, similarity: f64) -> SimilarPair {
        SimilarPair {
            exercise: exercise.to_owned(),
            a: format!("c{a}"),
            b: format!("c{b}"),
            similarity,
            identical: similarity == 1.0,
            indices: (a, b),
        }
    }

    #[test]
    fn pairs_that_share_candidates_form_one_cluster_per_exercise() {
        // 15 candidates with one shared solution: 105 pairs, one cluster.
        let mut pairs = Vec::new();
        for a in 0..15 {
            for b in a + 1..15 {
                pairs.push(pair("two-sum", a, b, 1.0));
            }
        }
        // Apart: a chain on another exercise, and a lone pair.
        pairs.push(pair("merge-sort", 3, 7, 0.9));
        pairs.push(pair("merge-sort", 7, 9, 0.85));
        pairs.push(pair("merge-sort", 1, 2, 0.95));
        let clusters = clusters(&pairs);
        assert_eq!(clusters.len(), 3);
        assert_eq!(clusters[0].exercise, "two-sum");
        assert_eq!(clusters[0].members, (0..15).collect::<Vec<_>>());
        assert_eq!((clusters[0].pairs, clusters[0].identical), (105, 105));
        assert_eq!(clusters[1].members, [3, 7, 9]);
        assert_eq!(clusters[1].names, ["c3", "c7", "c9"]);
        assert_eq!(clusters[1].range, (0.85, 0.9));
        assert_eq!(clusters[2].members, [1, 2]);
        assert_eq!(clusters[2].pairs, 1);
    }

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
