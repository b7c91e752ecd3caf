//! gavel's judge engine and everything built on it: preparing exercises,
//! judging a submission (each test in a fresh sandbox run, in parallel),
//! the confidentiality rules for hidden tests, batch grading of a homework
//! folder, validating a catalog, and the reports people read.
//!
//! The engine reports progress as [`Event`]s and never prints; results are
//! data, and an `Err` always means the judge itself (or an exercise) failed.
//! See docs/architecture.md for how the pieces fit.

pub mod batch;
pub mod disclose;
mod evaluate;
pub mod events;
mod judge;
pub mod pack;
mod prepare;
pub mod report;
mod result;
mod scoring;
pub mod similarity;
pub mod validate;

pub use events::{Event, Reporter, Silent};
pub use gavel_sandbox::{Message, Side};
pub use judge::{Judge, JudgeError, Options};
pub use prepare::{Prepared, ResolvedTest, Selection, generated_digest};
pub use result::{GroupResult, HiddenSummary, SubmissionResult, TestResult, points};

use gavel_core::hash::Key;
use gavel_exercise::Exercise;
use std::sync::Arc;

/// The version of gavel's judging rules: comparison, scoring, verdicts and
/// what results reveal. It is part of every stored result's key, and goes up
/// whenever a change could judge the same submission differently, so a batch
/// resumed after an upgrade never reuses an old verdict.
pub const JUDGING_RULES: u32 = 6;

/// A fingerprint of a whole catalog: its exercises' fingerprints, in order.
pub fn catalog_fingerprint(exercises: &[Arc<Exercise>]) -> String {
    exercises
        .iter()
        .fold(Key::new(), |key, e| key.part(&e.id).part(&e.fingerprint))
        .hex()
}
