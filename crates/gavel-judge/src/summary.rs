//! What a graded batch amounts to, beside the stored results: a summary per
//! candidate and for the batch, and where each result is. Grading makes
//! them; the reports read them (so neither depends on the other).

use crate::homework::{Candidate, Problem};
use crate::similarity::SimilarPair;
use crate::stored::{StoredResult, read_stored};
use gavel_exercise::Verdict;
use serde::{Deserialize, Serialize, Serializer};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// One exercise of one candidate, in the summary and the reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExerciseStatus {
    /// Graded, with this verdict.
    Graded(Verdict),
    /// Not submitted: 0 of its points.
    Missing,
}

impl Serialize for ExerciseStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ExerciseStatus::Graded(verdict) => verdict.serialize(s),
            ExerciseStatus::Missing => s.serialize_str("missing"),
        }
    }
}

impl<'de> Deserialize<'de> for ExerciseStatus {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        if text == "missing" {
            return Ok(ExerciseStatus::Missing);
        }
        Verdict::from_code(&text)
            .map(ExerciseStatus::Graded)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown status `{text}`")))
    }
}

/// A submission's complexity in a table: its label and where it sorts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EfficiencyCell {
    /// As [`crate::Efficiency::label`] gives it.
    pub label: String,
    /// Cheaper first: twice the class's place from O(1) (plus one for "at
    /// least"), then inconclusive (100), then not measured (101).
    pub order: u32,
}

impl EfficiencyCell {
    /// The cell of a measurement.
    pub fn of(efficiency: &crate::Efficiency) -> EfficiencyCell {
        use crate::EfficiencyStatus as S;
        let place = |c| {
            gavel_exercise::complexity::Class::ALL
                .iter()
                .position(|x| *x == c)
                .unwrap_or_default() as u32
        };
        let order = match (efficiency.status, efficiency.detected) {
            (S::NotMeasured, _) => 101,
            (S::AtLeast, Some(c)) => 2 * place(c) + 1,
            (_, Some(c)) => 2 * place(c),
            (_, None) => 100,
        };
        EfficiencyCell {
            label: efficiency.label(),
            order,
        }
    }
}

/// A candidate's totals (`gavel grade --json`'s items).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CandidateSummary {
    /// The candidate (display name).
    pub candidate: String,
    /// Points over the assignment.
    #[serde(serialize_with = "crate::result::points::serialize")]
    pub points: f64,
    /// Points possible over the assignment.
    pub max_points: u32,
    /// Each exercise of the assignment: its verdict, or `missing`.
    pub verdicts: BTreeMap<String, ExerciseStatus>,
    /// The points earned on each exercise.
    pub exercise_points: BTreeMap<String, f64>,
    /// The measured complexity of each exercise with `[complexity]`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub efficiency: BTreeMap<String, EfficiencyCell>,
    /// Files that were not graded.
    pub problems: Vec<Problem>,
}

/// What a batch produced, beside the reports on disk.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GradeSummary {
    /// The report folder.
    pub out: PathBuf,
    /// The exercises of the assignment.
    pub exercises: Vec<String>,
    /// Each candidate, by name.
    pub candidates: Vec<CandidateSummary>,
    /// Problems of the homework folder itself.
    pub problems: Vec<Problem>,
    /// Pairs of similar submissions (as in `results.json`).
    #[serde(default)]
    pub similar: Vec<SimilarPair>,
}

impl GradeSummary {
    /// Whether the judge itself failed on some test: nothing can be concluded.
    pub fn internal_error(&self) -> bool {
        self.statuses()
            .any(|s| s == ExerciseStatus::Graded(Verdict::InternalError))
    }

    /// Whether every exercise of every candidate was submitted and accepted,
    /// and every file graded.
    pub fn all_accepted(&self) -> bool {
        self.problems.is_empty()
            && self.candidates.iter().all(|c| c.problems.is_empty())
            && self
                .statuses()
                .all(|s| s == ExerciseStatus::Graded(Verdict::Accepted))
    }

    fn statuses(&self) -> impl Iterator<Item = ExerciseStatus> + '_ {
        self.candidates
            .iter()
            .flat_map(|c| c.verdicts.values().copied())
    }
}

/// A candidate's part of the batch, as the reports need it.
#[derive(Debug, Clone)]
pub struct CandidatePlan {
    /// The candidate.
    pub candidate: Candidate,
    /// Where each graded exercise's result is stored, by exercise id.
    pub stored: BTreeMap<String, PathBuf>,
    /// The candidate's summary.
    pub summary: CandidateSummary,
}

/// A candidate's stored results, read back one file at a time (for reports).
pub fn load_results(plan: &CandidatePlan) -> Vec<(String, Option<StoredResult>)> {
    plan.stored
        .iter()
        .map(|(id, path)| (id.clone(), read_stored(path)))
        .collect()
}
