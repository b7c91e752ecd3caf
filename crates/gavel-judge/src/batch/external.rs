//! Reports of results judged elsewhere (by `gavel serve`, kept in its
//! database): the same four reports as a graded batch, one row per
//! candidate, missing work counted.

use super::{BatchError, Graded, plan_candidate, report_meta};
use crate::homework::{Candidate, Folder};
use crate::result::SubmissionResult;
use crate::stored::{OutDir, StoredResult, store};
use crate::summary::{CandidatePlan, GradeSummary};
use gavel_exercise::Exercise;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

/// The result chosen for one exercise of one candidate.
#[derive(Debug, Clone)]
pub struct ExternalResult {
    /// Where the result comes from (such as `submission 42`).
    pub label: String,
    /// The result.
    pub result: SubmissionResult,
    /// The source judged, for the reports' source views and similarity.
    pub source: Option<String>,
}

/// One candidate and the result chosen for each exercise they attempted.
#[derive(Debug, Clone)]
pub struct ExternalCandidate {
    /// Their name.
    pub name: String,
    /// By exercise id.
    pub results: BTreeMap<String, ExternalResult>,
}

/// What the reports are made of.
#[derive(Debug, Clone)]
pub struct ExternalBatch {
    /// The report folder.
    pub out: PathBuf,
    /// Where the results come from (shown where a graded batch shows its
    /// homework folder).
    pub origin: PathBuf,
    /// The exercises every candidate was given.
    pub assignment: Vec<String>,
    /// Every candidate, even those with no result.
    pub candidates: Vec<ExternalCandidate>,
    /// The runner image the results were judged with.
    pub image_sha256: String,
    /// How the reports are written.
    pub report: crate::report::ReportOptions,
}

/// Writes the reports of `batch` into its report folder (locked and checked
/// as for `grade`). A result for an exercise not in `exercises` is left out
/// with a warning.
pub fn write_external(
    exercises: &[Arc<Exercise>],
    batch: ExternalBatch,
) -> Result<GradeSummary, BatchError> {
    let out = OutDir::open(&batch.out)?;
    let by_id: HashMap<&str, &Arc<Exercise>> =
        exercises.iter().map(|e| (e.id.as_str(), e)).collect();
    for id in &batch.assignment {
        if !by_id.contains_key(id.as_str()) {
            return Err(BatchError::UnknownExercise(id.clone()));
        }
    }
    let mut plans: Vec<CandidatePlan> = Vec::with_capacity(batch.candidates.len());
    for external in batch.candidates {
        let candidate = Candidate::named(&external.name);
        let mut results: BTreeMap<String, Graded> = BTreeMap::new();
        for (
            exercise,
            ExternalResult {
                label,
                result,
                source,
            },
        ) in external.results
        {
            if !by_id.contains_key(exercise.as_str()) {
                tracing::warn!(candidate = %external.name, %exercise, "not in the catalog: left out");
                continue;
            }
            let path = out.result_path(&candidate, &exercise);
            let stored = StoredResult {
                candidate: external.name.clone(),
                file: label.clone(),
                key: format!("external:{label}"),
                result,
                source,
            };
            store(&path, &stored).map_err(|source| BatchError::Write {
                path: path.clone(),
                source,
            })?;
            let graded = Graded {
                folder: plans.len(),
                exercise: exercise.clone(),
                verdict: stored.result.verdict,
                points: stored.result.points,
                efficiency: stored
                    .result
                    .complexity
                    .as_ref()
                    .map(crate::summary::EfficiencyCell::of),
                path,
            };
            results.insert(exercise, graded);
        }
        let folder = Folder {
            candidate,
            submissions: Vec::new(),
            problems: Vec::new(),
        };
        plans.push(plan_candidate(folder, results, &batch.assignment, &by_id));
    }
    let summary = GradeSummary {
        out: batch.out.clone(),
        exercises: batch.assignment.clone(),
        candidates: plans.iter().map(|p| p.summary.clone()).collect(),
        problems: Vec::new(),
        similar: Vec::new(),
    };
    let meta = report_meta(
        exercises,
        &plans,
        &summary,
        &batch.origin,
        None,
        batch.image_sha256,
        batch.report,
    );
    let mut summary = summary;
    summary.similar = crate::report::write_all(&out, &plans, &summary, &meta)?;
    Ok(summary)
}
