//! gavel's judge engine and everything built on it: preparing exercises,
//! judging a submission (each test in a fresh sandbox run, in parallel),
//! the confidentiality rules for hidden tests, batch grading of a homework
//! folder, validating a catalog, and the reports people read.
//!
//! The engine never prints: each operation takes a narrow progress trait
//! ([`JudgeProgress`], [`batch::GradeProgress`], [`validate::CheckProgress`])
//! that the binary implements. Results are data; an `Err` always means the
//! judge itself (or an exercise) failed.
//!
//! Inside the crate, modules depend only on those listed before them:
//! `result`, `error`, `runner` (sandbox, compiling, the judge cache),
//! `suite` (the harness of test-writing exercises), `prepare`, `complexity`, `evaluate`, `grader` (one per kind of test), `plan`,
//! `scoring`, `disclose`, `judge`, `program`, `setup`; then the batch's data (`homework`,
//! `stored`, `summary`), `similarity`, `report`, and on top `batch`,
//! `validate`, `stress` and `pack`. See docs/architecture.md.

pub mod batch;
pub mod complexity;
pub mod disclose;
mod error;
mod evaluate;
mod grader;
pub mod homework;
mod judge;
pub mod native;
pub mod pack;
mod plan;
mod prepare;
pub mod program;
pub mod report;
mod result;
mod runner;
mod scoring;
pub mod setup;
pub mod similarity;
pub mod stored;
pub mod stress;
mod suite;
pub mod summary;
pub mod validate;

pub use error::{ExerciseFailure, GeneratedProblem, JudgeError};
pub use gavel_sandbox::{Message, Side};
pub use judge::{Judge, JudgeProgress, Options};
pub use prepare::{
    COMPLEXITY_MARGIN, ComplexityInputs, MutantCount, Prepared, ResolvedTest, Selection,
    SizedInput, generated_digest,
};
pub use result::{
    Efficiency, EfficiencyStatus, GroupResult, HiddenSummary, Performance, SizeFuel,
    SubmissionResult, TestResult, points,
};
pub use runner::MakeSandbox;

use gavel_core::hash::Key;
use gavel_exercise::Exercise;
use std::sync::Arc;

/// The version of gavel's judging rules: comparison, scoring, verdicts and
/// what results reveal. It is part of every stored result's key, and goes up
/// whenever a change could judge the same submission differently, so a batch
/// resumed after an upgrade never reuses an old verdict.
pub const JUDGING_RULES: u32 = 6;

/// A progress display that shows nothing (implements every operation's
/// progress trait).
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

/// A fingerprint of a whole catalog: its exercises' fingerprints, in order.
pub fn catalog_fingerprint(exercises: &[Arc<Exercise>]) -> String {
    exercises
        .iter()
        .fold(Key::new(), |key, e| key.part(&e.id).part(&e.fingerprint))
        .hex()
}
