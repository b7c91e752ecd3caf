//! The reports of a graded batch, written into the report folder from the
//! stored results, one candidate at a time: `results.json` (everything,
//! documented in docs/json.md), `results.csv` (a row per candidate),
//! `junit.xml` (a case per candidate and exercise) and `report.html` (for
//! reviewers). Each is written with a maintained library (serde_json, csv,
//! quick-junit, minijinja) and replaced atomically.

mod csv;
mod exercism;
mod feedback;
mod html;
mod junit;
mod plot;
mod results;

pub use exercism::{ExercismResults, ExercismStatus, ExercismTest, exercism};
pub(crate) use junit::text as junit_text;
pub use results::{CandidateReport, EntryStatus, ExerciseEntry, ResultsFile};

use crate::similarity::{Entry, Fingerprint, SimilarPair};
use crate::stored::OutDir;
use crate::summary::{CandidatePlan, GradeSummary, load_results};
use gavel_core::fs::write_atomically_with;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What every report says about the batch as a whole.
#[derive(Debug, Clone)]
pub struct ReportMeta {
    /// The runner image's sha256.
    pub image_sha256: String,
    /// The catalog's fingerprint (see [`crate::catalog_fingerprint`]).
    pub catalog_fingerprint: String,
    /// The homework folder.
    pub homework: PathBuf,
    /// Points possible per exercise of the assignment.
    pub max_points: BTreeMap<String, u32>,
    /// Whether any result shows hidden tests in full (such reports must not
    /// be shared with candidates).
    pub reveals_hidden: bool,
    /// Each exercise's starter code (left out of similarity).
    pub starters: BTreeMap<String, String>,
    /// How the reports are written.
    pub options: ReportOptions,
}

/// Choices of whoever asks for the reports.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReportOptions {
    /// Pairs of submissions at least this similar are listed (0 to 1).
    pub similarity_threshold: f64,
    /// Whether `results.csv` starts with a UTF-8 byte-order mark (which
    /// spreadsheet programs need to read names with accents).
    pub csv_bom: bool,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            similarity_threshold: crate::similarity::DEFAULT_THRESHOLD,
            csv_bom: false,
        }
    }
}

/// The filters the HTML and Markdown templates share: a verdict's name (or
/// `missing`), a time limit's cause, points, a short hash.
fn add_common_filters(env: &mut minijinja::Environment<'static>) {
    env.add_filter("verdict_name", |code: &str| {
        if code == "missing" {
            return "missing: not submitted".to_owned();
        }
        gavel_exercise::Verdict::from_code(code)
            .map_or_else(|| code.to_owned(), |v| v.name().to_owned())
    });
    env.add_filter("limit_name", |limit: &str| match limit {
        "fuel" => "fuel budget used up",
        "wall_time" => "wall time used up",
        "idle" => "waiting for input that never came",
        _ => "limit",
    });
    env.add_filter("points", |p: f64| crate::result::points::show(p));
    env.add_filter("short", |hash: &str| {
        hash.chars().take(12).collect::<String>()
    });
}

/// The time reports are stamped with, RFC 3339 in UTC.
pub(crate) fn timestamp() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A report file could not be written.
    #[error("cannot write `{}`: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A stored result could not be read back for a candidate's report.
    #[error("the stored result of `{exercise}` for {candidate} cannot be read")]
    Stored {
        /// The candidate.
        candidate: String,
        /// The exercise.
        exercise: String,
    },
}

fn write(
    path: &Path,
    f: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<(), ReportError> {
    write_atomically_with(path, f).map_err(|source| ReportError::Write {
        path: path.to_owned(),
        source,
    })
}

/// The pairs of similar submissions of a batch, read from the stored results
/// one candidate at a time; only fingerprints are kept.
fn similar_pairs(plans: &[CandidatePlan], meta: &ReportMeta) -> Vec<SimilarPair> {
    let bases: BTreeMap<&str, Fingerprint> = meta
        .starters
        .iter()
        .map(|(id, starter)| (id.as_str(), Fingerprint::of(starter, None)))
        .collect();
    let mut entries = Vec::new();
    for (index, plan) in plans.iter().enumerate() {
        for (exercise, stored) in load_results(plan) {
            let Some(stored) = stored else { continue };
            let Some(source) = stored.source else {
                continue;
            };
            let fingerprint = Fingerprint::of(&source, bases.get(exercise.as_str()));
            entries.push(Entry {
                exercise,
                candidate: plan.summary.candidate.clone(),
                index,
                sha256: stored.result.source_sha256,
                fingerprint,
            });
        }
    }
    crate::similarity::similar_pairs(&entries, meta.options.similarity_threshold)
}

/// Writes every report of a batch into `out`: `results.json`, `results.csv`,
/// `junit.xml`, `report.html` and a feedback file per candidate in
/// `feedback/`. Returns the pairs of similar submissions it listed.
pub fn write_all(
    out: &OutDir,
    plans: &[CandidatePlan],
    summary: &GradeSummary,
    meta: &ReportMeta,
) -> Result<Vec<SimilarPair>, ReportError> {
    let generated_at = timestamp();
    let similar = similar_pairs(plans, meta);
    write(&out.path().join("results.json"), |w| {
        results::write(w, plans, summary, meta, &similar, &generated_at)
    })?;
    write(&out.path().join("results.csv"), |w| {
        csv::write(w, summary, meta.options.csv_bom)
    })?;
    write(&out.path().join("junit.xml"), |w| {
        junit::write(w, plans, summary, meta)
    })?;
    write(&out.path().join("report.html"), |w| {
        html::write(w, plans, summary, meta, &similar, &generated_at)
    })?;
    let feedback = out.path().join("feedback");
    std::fs::create_dir_all(&feedback).map_err(|source| ReportError::Write {
        path: feedback.clone(),
        source,
    })?;
    for plan in plans {
        let report = results::candidate_report(plan, &meta.max_points)?;
        let path = feedback.join(format!("{}.md", plan.candidate.key()));
        write(&path, |w| feedback::write(w, &report, &generated_at))?;
    }
    Ok(similar)
}
