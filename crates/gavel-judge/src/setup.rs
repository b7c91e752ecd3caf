//! What a verdict depends on besides the submission: the runner image, the
//! catalog and the judging rules. Two judges with equal setups give every
//! submission the same verdicts and fuel on any machine, which is what lets
//! work be split (shards, remote workers) and merged.

use crate::Judge;
use gavel_exercise::Exercise;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The setup a judge judges with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setup {
    /// The runner image's sha256.
    pub image_sha256: String,
    /// The catalog's fingerprint ([`crate::catalog_fingerprint`]).
    pub catalog_fingerprint: String,
    /// [`crate::JUDGING_RULES`].
    pub judging_rules: u32,
}

/// One way two setups differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// What differs (`runner images`, `catalogs`, `judging rules`).
    pub what: &'static str,
    /// This side's value.
    pub ours: String,
    /// The other side's.
    pub theirs: String,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} here, {} there",
            self.what, self.ours, self.theirs
        )
    }
}

/// A setup's fields by name, in the order differences are told.
type Field = fn(&Setup) -> String;

impl Setup {
    /// The fields that must be equal, with the name a refusal uses.
    pub const FIELDS: [(&'static str, Field); 3] = [
        ("runner images", |s| s.image_sha256.clone()),
        ("catalogs", |s| s.catalog_fingerprint.clone()),
        ("judging rules", |s| s.judging_rules.to_string()),
    ];

    /// The setup of `judge` over `catalog`, under this version's rules.
    pub fn of(judge: &Judge, catalog: &[Arc<Exercise>]) -> Setup {
        Setup {
            image_sha256: judge.runner().image().to_owned(),
            catalog_fingerprint: crate::catalog_fingerprint(catalog),
            judging_rules: crate::JUDGING_RULES,
        }
    }

    /// How `theirs` differs from this one (nothing: they judge alike).
    pub fn differences(&self, theirs: &Setup) -> Vec<Difference> {
        Setup::FIELDS
            .iter()
            .filter_map(|(what, field)| {
                let (ours, theirs) = (field(self), field(theirs));
                (ours != theirs).then_some(Difference { what, ours, theirs })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_name_each_field_that_differs() {
        let ours = Setup {
            image_sha256: "aa".into(),
            catalog_fingerprint: "cc".into(),
            judging_rules: 6,
        };
        assert!(ours.differences(&ours.clone()).is_empty());
        let theirs = Setup {
            catalog_fingerprint: "dd".into(),
            judging_rules: 5,
            ..ours.clone()
        };
        let told: Vec<String> = ours
            .differences(&theirs)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            told,
            [
                "catalogs: cc here, dd there",
                "judging rules: 6 here, 5 there"
            ]
        );
    }
}
