//! Running test-writing exercises (`kind = "tests"`, see
//! `gavel_exercise::suite`): every run's program is gavel's harness
//! (`suite_harness.py`), called with the implementation under test, the
//! suite (a candidate's, or the author's `solution.py`) and the module name;
//! it returns how many tests ran and which failed. The harness also makes
//! the mutants of an implementation.

use crate::error::{ExerciseFailure, JudgeError};
use crate::runner::{Runner, trusted_limits};
use bytes::Bytes;
use gavel_core::hash::Key;
use gavel_core::{Limits, Shape};
use gavel_exercise::Exercise;
use gavel_sandbox::{Call, Entry, Job, Outcome};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The harness's source.
pub(crate) const HARNESS: &str = include_str!("suite_harness.py");

/// At most this many mutants per exercise.
pub(crate) const MAX_MUTANTS: usize = 40;

/// What one run of a suite returned.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub(crate) struct SuiteReport {
    /// How many tests ran.
    pub(crate) tests: usize,
    /// Those that failed (or raised), in definition order.
    pub(crate) failures: Vec<Failure>,
}

/// A failed test of a suite.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub(crate) struct Failure {
    /// `test_name`, or `Class.test_name`.
    pub(crate) test: String,
    /// Its assertion or exception, clipped.
    pub(crate) message: String,
}

impl SuiteReport {
    /// Reads a run's return value.
    pub(crate) fn parse(return_json: Option<&str>) -> Option<SuiteReport> {
        serde_json::from_str(return_json?).ok()
    }
}

/// The harness's call of `function` with `args` (a JSON list).
pub(crate) fn harness_job(function: &str, args_json: String, limits: Limits) -> Job {
    Job {
        source: Bytes::from_static(HARNESS.as_bytes()),
        code: Bytes::new(),
        entry: Entry::Function(Call {
            name: function.into(),
            args_json: args_json.into(),
            params: Arc::new([]),
            returns: Shape::Json,
        }),
        stdin: Bytes::new(),
        files: Arc::new([]),
        limits,
    }
}

/// The arguments of a suite's run: the implementation, the suite, the module.
pub(crate) fn suite_args(implementation: &str, suite: &[u8], module: &str) -> String {
    serde_json::json!([implementation, String::from_utf8_lossy(suite), module]).to_string()
}

#[derive(Serialize, Deserialize)]
struct CachedMutants {
    mutants: Vec<String>,
}

/// The exercise's mutants (none unless `[suite] mutants`), made once and
/// cached by the implementation, the harness and the image.
pub(crate) async fn mutants(
    runner: &Runner,
    exercise: &Exercise,
) -> Result<Vec<String>, JudgeError> {
    let Some(suite) = exercise.suite.as_ref().filter(|s| s.spec.mutants) else {
        return Ok(Vec::new());
    };
    let key = Key::new()
        .part(runner.image())
        .part(HARNESS)
        .part(&suite.implementation)
        .part(MAX_MUTANTS.to_string())
        .hex();
    if let Some(cached) = runner.read_cache::<CachedMutants>("mutants", &key) {
        return Ok(cached.mutants);
    }
    let implementation = String::from_utf8_lossy(&suite.implementation);
    let args = serde_json::json!([implementation, MAX_MUTANTS]).to_string();
    let job = harness_job("mutants", args, trusted_limits());
    let report = runner.run(&job).await?;
    let made = match (&report.outcome, report.return_json.as_deref()) {
        (Outcome::Ok, Some(json)) => serde_json::from_str::<Vec<String>>(json).ok(),
        _ => None,
    };
    let Some(mutants) = made else {
        return Err(JudgeError::exercise(
            &exercise.id,
            ExerciseFailure::Suite(format!(
                "implementation.py: no mutants could be made of it ({})",
                report.outcome
            )),
        ));
    };
    runner.write_cache(
        "mutants",
        &key,
        &CachedMutants {
            mutants: mutants.clone(),
        },
    );
    Ok(mutants)
}
