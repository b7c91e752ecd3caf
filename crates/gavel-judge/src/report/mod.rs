//! The reports of a graded batch, written into the report folder from the
//! stored results, one candidate at a time: `results.json` (everything,
//! documented in docs/json.md), `results.csv` (a row per candidate),
//! `junit.xml` (a case per candidate and exercise) and `report.html` (for
//! reviewers). Each is written with a maintained library (serde_json, csv,
//! quick-junit, minijinja) and replaced atomically.

mod csv;
mod html;
mod junit;
mod results;

pub use junit::check_report as check_junit;
pub use results::{CandidateReport, EntryStatus, ExerciseEntry, ResultsFile};

use crate::batch::{BatchError, CandidatePlan, GradeSummary, OutDir};
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
}

/// Fuel for people: `668.1M`, `17.2G`, `950`.
pub fn human_fuel(fuel: u64) -> String {
    match fuel {
        f if f >= 1_000_000_000 => format!("{:.1}G", f as f64 / 1e9),
        f if f >= 1_000_000 => format!("{:.1}M", f as f64 / 1e6),
        f if f >= 1_000 => format!("{:.1}k", f as f64 / 1e3),
        f => f.to_string(),
    }
}

/// The time reports are stamped with, RFC 3339 in UTC.
pub(crate) fn timestamp() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn write(
    path: &Path,
    f: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<(), BatchError> {
    write_atomically_with(path, f).map_err(|source| BatchError::Write {
        path: path.to_owned(),
        source,
    })
}

/// Writes every report of a batch into `out`.
pub fn write_all(
    out: &OutDir,
    plans: &[CandidatePlan],
    summary: &GradeSummary,
    meta: &ReportMeta,
) -> Result<(), BatchError> {
    let generated_at = timestamp();
    write(&out.path().join("results.json"), |w| {
        results::write(w, plans, summary, meta, &generated_at)
    })?;
    write(&out.path().join("results.csv"), |w| {
        csv::write(w, summary, false)
    })?;
    write(&out.path().join("junit.xml"), |w| {
        junit::write(w, plans, summary, meta)
    })?;
    write(&out.path().join("report.html"), |w| {
        html::write(w, plans, summary, meta, &generated_at)
    })?;
    Ok(())
}
