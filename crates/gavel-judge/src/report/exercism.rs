//! A submission's result in the format of Exercism's test runners
//! (`results.json`, version 3), for platforms that consume it. Hidden tests
//! appear by name and status only, as the confidentiality rules allow.

use crate::disclose::shareable;
use crate::result::{SubmissionResult, TestResult};
use gavel_exercise::{Verdict, Visibility};
use serde::{Deserialize, Serialize};

/// Characters of a test's output the format allows.
const OUTPUT_CHARS: usize = 500;

/// The outcome of a run or a test, in Exercism's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExercismStatus {
    /// Every test passed (or this test did).
    Pass,
    /// Some test failed (or this one gave a wrong answer or hit a limit).
    Fail,
    /// The tests could not run (a compile error, the judge failing), or
    /// this test raised.
    Error,
}

/// One test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExercismTest {
    /// The test's name.
    pub name: String,
    /// Its status.
    pub status: ExercismStatus,
    /// What went wrong, when it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// What the program printed (at most 500 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    /// The code the test ran: a function test's call; a stdio test's input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_code: Option<String>,
}

/// The whole file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExercismResults {
    /// Always 3.
    pub version: u32,
    /// The submission's status.
    pub status: ExercismStatus,
    /// Why the tests could not run (with status `error`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Each test (left out when none could run).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tests: Vec<ExercismTest>,
}

fn status(verdict: Verdict) -> ExercismStatus {
    match verdict {
        Verdict::Accepted => ExercismStatus::Pass,
        Verdict::RuntimeError | Verdict::CompileError | Verdict::InternalError => {
            ExercismStatus::Error
        }
        _ => ExercismStatus::Fail,
    }
}

fn test(test: &TestResult) -> ExercismTest {
    let message = (test.verdict != Verdict::Accepted).then(|| {
        let mut message = test.verdict.name().to_owned();
        if let Some(detail) = &test.message {
            message.push_str(": ");
            message.push_str(detail);
        }
        if let Some(hint) = &test.hint {
            message.push_str("\nhint: ");
            message.push_str(hint);
        }
        message
    });
    let output = test
        .stdout
        .as_deref()
        .filter(|s| !s.is_empty() && test.visibility == Visibility::Public)
        .map(|s| gavel_core::text::clip(s, OUTPUT_CHARS).into_owned());
    ExercismTest {
        name: test.name.clone(),
        status: status(test.verdict),
        message,
        output,
        test_code: test.call.clone().or_else(|| test.input.clone()),
    }
}

/// `result` as Exercism's `results.json` (version 3).
pub fn exercism(result: &SubmissionResult) -> ExercismResults {
    let result = shareable(result);
    let whole = match result.verdict {
        Verdict::Accepted => ExercismStatus::Pass,
        Verdict::CompileError | Verdict::InternalError => ExercismStatus::Error,
        _ => ExercismStatus::Fail,
    };
    if whole == ExercismStatus::Error {
        let message = match &result.compile_error {
            Some(error) => format!("{error}\n{}", error.traceback),
            None => result
                .tests
                .iter()
                .find_map(|t| t.message.clone())
                .unwrap_or_else(|| "the judge failed".to_owned()),
        };
        return ExercismResults {
            version: 3,
            status: whole,
            message: Some(message),
            tests: Vec::new(),
        };
    }
    ExercismResults {
        version: 3,
        status: whole,
        message: None,
        tests: result.tests.iter().map(test).collect(),
    }
}
