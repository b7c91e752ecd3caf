//! gavel's judge engine: runs a submission against an exercise's tests, each
//! in a fresh sandbox run and in parallel, and turns the runs into verdicts,
//! points, messages and diffs. Derived data (generated tests, the reference
//! solution's fuel) is cached on disk and keyed by everything it depends on.

pub mod batch;
mod judge;
pub mod report;
mod result;

pub use judge::{Judge, JudgeError, Options, Prepared, ResolvedTest, Selection, generated_digest};
pub use result::{SubmissionResult, TestResult};
