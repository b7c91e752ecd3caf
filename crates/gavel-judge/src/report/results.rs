//! `results.json`: everything a batch found, written one candidate at a time.

use super::ReportError;
use super::ReportMeta;
use crate::homework::Problem;
use crate::result::{SubmissionResult, points};
use crate::similarity::SimilarPair;
use crate::summary::{CandidatePlan, GradeSummary, load_results};
use serde::ser::{Error as _, SerializeSeq};
use serde::{Deserialize, Serialize, Serializer};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Whether an exercise of the assignment was graded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    /// Submitted and graded.
    Graded,
    /// Not submitted: 0 of its points.
    Missing,
}

/// One exercise of one candidate.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExerciseEntry {
    /// Graded or missing.
    pub status: EntryStatus,
    /// Points possible.
    pub max_points: u32,
    /// The submission file, relative to the homework folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The key the stored result was computed for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<SubmissionResult>,
    /// The source judged (for the HTML report; not in `results.json`).
    #[serde(skip)]
    pub source: Option<String>,
}

/// One candidate in `results.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CandidateReport {
    /// The candidate (display name).
    pub name: String,
    /// Points over the assignment.
    #[serde(serialize_with = "points::serialize")]
    pub points: f64,
    /// Points possible over the assignment.
    pub max_points: u32,
    /// Each exercise: the assignment's, and any other the candidate submitted.
    pub results: BTreeMap<String, ExerciseEntry>,
    /// Files that were not graded.
    pub problems: Vec<Problem>,
}

/// The whole of `results.json`.
#[derive(Debug, Serialize, Deserialize)]
pub struct ResultsFile<C> {
    /// gavel's version.
    pub gavel_version: String,
    /// The version of gavel's judging rules the results were computed under.
    pub judging_rules: u32,
    /// When the report was written (RFC 3339, UTC).
    pub generated_at: String,
    /// The runner image's sha256.
    pub image_sha256: String,
    /// The catalog's fingerprint.
    pub catalog_fingerprint: String,
    /// Whether hidden tests are shown in full: such a report must not be
    /// shared with candidates.
    pub reveals_hidden: bool,
    /// The homework folder.
    pub homework: PathBuf,
    /// The exercises of the assignment.
    pub exercises: Vec<String>,
    /// Each candidate.
    pub candidates: C,
    /// Problems of the homework folder itself.
    pub problems: Vec<Problem>,
    /// Pairs of candidates whose submissions of an exercise look alike (a
    /// signal for a person, never a verdict), most similar first.
    #[serde(default)]
    pub similar: Vec<SimilarPair>,
    /// The threshold `similar` was listed with.
    #[serde(default)]
    pub similarity_threshold: f64,
}

/// The report of one candidate, with its stored results read back.
pub(crate) fn candidate_report(
    plan: &CandidatePlan,
    max_points: &BTreeMap<String, u32>,
) -> Result<CandidateReport, ReportError> {
    let mut results = BTreeMap::new();
    for (id, stored) in load_results(plan) {
        let stored = stored.ok_or_else(|| ReportError::Stored {
            candidate: plan.summary.candidate.clone(),
            exercise: id.clone(),
        })?;
        results.insert(
            id,
            ExerciseEntry {
                status: EntryStatus::Graded,
                max_points: stored.result.max_points,
                file: Some(stored.file),
                key: Some(stored.key),
                result: Some(stored.result),
                source: stored.source,
            },
        );
    }
    for (id, max) in max_points {
        results.entry(id.clone()).or_insert(ExerciseEntry {
            status: EntryStatus::Missing,
            max_points: *max,
            file: None,
            key: None,
            result: None,
            source: None,
        });
    }
    Ok(CandidateReport {
        name: plan.summary.candidate.clone(),
        points: plan.summary.points,
        max_points: plan.summary.max_points,
        results,
        problems: plan.summary.problems.clone(),
    })
}

/// The candidates, read from disk one at a time as they are written.
struct Lazy<'a> {
    plans: &'a [CandidatePlan],
    max_points: &'a BTreeMap<String, u32>,
}

impl Serialize for Lazy<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.plans.len()))?;
        for plan in self.plans {
            let report = candidate_report(plan, self.max_points).map_err(S::Error::custom)?;
            seq.serialize_element(&report)?;
        }
        seq.end()
    }
}

pub(crate) fn write(
    w: &mut dyn std::io::Write,
    plans: &[CandidatePlan],
    summary: &GradeSummary,
    meta: &ReportMeta,
    similar: &[SimilarPair],
    generated_at: &str,
) -> std::io::Result<()> {
    let file = ResultsFile {
        gavel_version: env!("CARGO_PKG_VERSION").to_owned(),
        judging_rules: crate::JUDGING_RULES,
        generated_at: generated_at.to_owned(),
        image_sha256: meta.image_sha256.clone(),
        catalog_fingerprint: meta.catalog_fingerprint.clone(),
        reveals_hidden: meta.reveals_hidden,
        homework: meta.homework.clone(),
        exercises: summary.exercises.clone(),
        candidates: Lazy {
            plans,
            max_points: &meta.max_points,
        },
        problems: summary.problems.clone(),
        similar: similar.to_vec(),
        similarity_threshold: meta.options.similarity_threshold,
    };
    serde_json::to_writer_pretty(&mut *w, &file).map_err(std::io::Error::other)?;
    w.write_all(b"\n")
}
