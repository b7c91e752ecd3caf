//! What judging produces: per-test and per-submission results. These types are
//! the JSON of `gavel test/submit/grade --json` (docs/json.md).

use gavel_exercise::diff::DiffLine;
use gavel_exercise::{Verdict, Visibility, WrongReason};
use gavel_sandbox::{PyError, TimeLimit};
use serde::{Deserialize, Serialize};

/// The result of one test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestResult {
    /// The test's name.
    pub name: String,
    /// Public or hidden.
    pub visibility: Visibility,
    /// Its group, if any.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub group: Option<String>,
    /// The verdict.
    pub verdict: Verdict,
    /// For WA: what kind of difference.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reason: Option<WrongReason>,
    /// For TLE: the limit that fired.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub limit: Option<TimeLimit>,
    /// Where the answer went wrong (testlib style), or what failed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub message: Option<String>,
    /// For RE: the exception (on hidden tests only its type).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error: Option<PyError>,
    /// Expected vs actual, for public tests that failed.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub diff: Vec<DiffLine>,
    /// The program's stdout, for public tests (clipped).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub stdout: Option<String>,
    /// The program's stderr, for public tests (clipped).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub stderr: Option<String>,
    /// Points earned.
    pub points: u32,
    /// Points possible.
    pub max_points: u32,
    /// Fuel used.
    pub fuel: u64,
    /// The fuel budget of the test.
    pub fuel_limit: u64,
    /// Wall-clock time in milliseconds.
    pub wall_ms: f64,
    /// Peak linear memory in bytes.
    pub peak_memory_bytes: u64,
}

impl TestResult {
    /// Removes everything that could reveal a hidden test: its output, the
    /// diff, the message and the exception's message. Name, verdict and
    /// resources stay.
    pub fn redact(&mut self) {
        self.message = None;
        self.diff.clear();
        self.stdout = None;
        self.stderr = None;
        if let Some(error) = &mut self.error {
            error.message.clear();
            error.traceback.clear();
            error.line = None;
        }
    }
}

/// The result of judging one submission against one exercise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmissionResult {
    /// The exercise's id.
    pub exercise: String,
    /// The submission's verdict: the most severe of its tests'.
    pub verdict: Verdict,
    /// Points earned.
    pub points: u32,
    /// Points possible.
    pub max_points: u32,
    /// `points / max_points`, from 0 to 1.
    pub score: f64,
    /// For CE: the compile error, reported once before any test.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub compile_error: Option<PyError>,
    /// Per test, in the exercise's order.
    pub tests: Vec<TestResult>,
    /// sha256 of the submitted source: with the image's, replays the result.
    pub source_sha256: String,
    /// sha256 of the runner image that ran it.
    pub image_sha256: String,
}

impl SubmissionResult {
    /// Whether every test was accepted.
    pub fn accepted(&self) -> bool {
        self.verdict == Verdict::Accepted
    }

    /// Redacts every hidden test (see [`TestResult::redact`]).
    pub fn redact_hidden(&mut self) {
        for test in &mut self.tests {
            if test.visibility == Visibility::Hidden {
                test.redact();
            }
        }
    }
}
