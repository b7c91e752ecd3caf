//! How the judge fails: never because of a submission (that is a verdict),
//! only because the judge itself or an exercise's own programs do not work.

use gavel_core::limits::LimitError;
use gavel_sandbox::{Outcome, PyError, SandboxError};
use std::path::PathBuf;
use thiserror::Error;

/// A failure of the judge or of an exercise, never of a submission.
#[derive(Debug, Error)]
pub enum JudgeError {
    /// The sandbox failed.
    #[error(transparent)]
    Sandbox(#[from] SandboxError),
    /// An exercise's own programs (reference, generator, interactor) or its
    /// limits do not work.
    #[error("exercise `{exercise}`: {failure}")]
    Exercise {
        /// The exercise.
        exercise: String,
        /// What is wrong with it (boxed: it carries the run that failed).
        failure: Box<ExerciseFailure>,
    },
    /// No C/C++ toolchain builds the exercise's native program.
    #[error(transparent)]
    Toolchain(#[from] ToolchainError),
    /// The runner image an exercise names cannot be had.
    #[error("the runner image `{image}` is not available: {message}")]
    Image {
        /// The image's name.
        image: String,
        /// Why.
        message: String,
    },
    /// A task of the judge panicked (a bug of gavel).
    #[error("a task of the judge failed: {0}")]
    Panicked(String),
}

impl JudgeError {
    /// The failure of `exercise`.
    pub(crate) fn exercise(exercise: &str, failure: ExerciseFailure) -> JudgeError {
        JudgeError::Exercise {
            exercise: exercise.to_owned(),
            failure: Box::new(failure),
        }
    }

    /// A judge task that did not finish.
    pub(crate) fn panicked(e: tokio::task::JoinError) -> JudgeError {
        JudgeError::Panicked(e.to_string())
    }
}

/// What is wrong with an exercise, found while preparing it: each is the
/// author's to fix, in the file [`ExerciseFailure::file`] names.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ExerciseFailure {
    /// The reference solution does not end normally on a test.
    #[error("the reference solution fails on test `{test}`: {outcome}")]
    ReferenceFails {
        /// The test.
        test: String,
        /// How it ended.
        outcome: Outcome,
    },
    /// The reference solution does not compile.
    #[error("the reference solution does not compile: {}: {}", error.kind, error.message)]
    ReferenceDoesNotCompile {
        /// The compile error.
        error: PyError,
    },
    /// Neither a reference to derive fuel budgets from, nor a fixed budget.
    #[error("no reference solution and no fixed fuel budget")]
    NoBudget,
    /// A test's limits are out of their allowed ranges.
    #[error("test `{test}`: {error}")]
    Limits {
        /// The test.
        test: String,
        /// Which limit and why.
        error: LimitError,
    },
    /// The interactor fails against the reference solution.
    #[error("interactor.py failed against the reference solution: {outcome}")]
    InteractorFails {
        /// How it ended.
        outcome: Outcome,
    },
    /// A generated test cannot be made.
    #[error("generated test `{test}`: {problem}")]
    Generated {
        /// The test.
        test: String,
        /// Why.
        problem: GeneratedProblem,
    },
    /// A test-writing exercise's own suite (`solution.py`) does not do its
    /// job: it fails on the correct implementation, or misses a chaff.
    #[error("{0}")]
    Suite(String),
    /// The checker or interactor in C or C++ does not compile (or includes
    /// a file from outside the exercise).
    #[error("{file} does not compile to WebAssembly{}: {message}", line.map(|l| format!(" (line {l})")).unwrap_or_default())]
    NativeCompile {
        /// The file.
        file: String,
        /// The line of its first error, when the compiler names one.
        line: Option<u32>,
        /// What the compiler said.
        message: String,
    },
    /// The interactor in C or C++ does not accept the reference solution.
    #[error("{file} does not accept the reference solution: {message}")]
    NativeRejects {
        /// The file.
        file: String,
        /// What it decided, or how it failed.
        message: String,
    },
}

/// Why a generated test cannot be made.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum GeneratedProblem {
    /// The exercise has no `generator.py`.
    #[error("no generator.py")]
    NoGenerator,
    /// The exercise has no reference solution to compute the answer.
    #[error("no reference solution")]
    NoReference,
    /// The generator does not end normally.
    #[error("the generator failed: {0}")]
    GeneratorFails(Outcome),
    /// The generator printed bytes that are not text.
    #[error("the generator printed bytes that are not UTF-8")]
    NotUtf8,
    /// A function exercise's generator did not print one JSON list.
    #[error("the generator must print the arguments as one JSON list")]
    ArgumentsNotAList,
    /// The reference does not end normally on the generated input.
    #[error("the reference solution failed: {0}")]
    ReferenceFails(Outcome),
    /// The reference's return value cannot be read back.
    #[error("the reference's return value: {0}")]
    ReturnValue(gavel_exercise::compare::ReturnedError),
}

impl ExerciseFailure {
    /// The file of the exercise to fix.
    pub fn file(&self) -> &'static str {
        match self {
            ExerciseFailure::ReferenceFails { .. }
            | ExerciseFailure::ReferenceDoesNotCompile { .. } => "solution.py",
            ExerciseFailure::NoBudget | ExerciseFailure::Limits { .. } => "exercise.toml",
            ExerciseFailure::InteractorFails { .. } => "interactor.py",
            ExerciseFailure::Suite(_) => "solution.py",
            ExerciseFailure::NativeCompile { file, .. }
            | ExerciseFailure::NativeRejects { file, .. } => native_file(file),
            ExerciseFailure::Generated { problem, .. } => match problem {
                GeneratedProblem::NoGenerator
                | GeneratedProblem::GeneratorFails(_)
                | GeneratedProblem::NotUtf8
                | GeneratedProblem::ArgumentsNotAList => "generator.py",
                GeneratedProblem::NoReference
                | GeneratedProblem::ReferenceFails(_)
                | GeneratedProblem::ReturnValue(_) => "solution.py",
            },
        }
    }

    /// The line of [`ExerciseFailure::file`] at fault, when known.
    pub fn line(&self) -> Option<u32> {
        let error = match self {
            ExerciseFailure::ReferenceDoesNotCompile { error } => Some(error),
            ExerciseFailure::ReferenceFails { outcome, .. }
            | ExerciseFailure::InteractorFails { outcome }
            | ExerciseFailure::Generated {
                problem:
                    GeneratedProblem::GeneratorFails(outcome)
                    | GeneratedProblem::ReferenceFails(outcome),
                ..
            } => outcome_error(outcome),
            ExerciseFailure::NativeCompile { line, .. } => return *line,
            _ => None,
        };
        error.and_then(|e| e.line)
    }
}

/// The file name of a native program, as the format spells it.
fn native_file(file: &str) -> &'static str {
    gavel_exercise::native::FILES
        .iter()
        .find(|(name, ..)| *name == file)
        .map_or("checker.cpp", |(name, ..)| name)
}

/// The exception a run ended with, if it did.
fn outcome_error(outcome: &Outcome) -> Option<&PyError> {
    match outcome {
        Outcome::RuntimeError { error } => error.as_ref(),
        Outcome::CompileError { error } => Some(error),
        _ => None,
    }
}

/// What to install when no toolchain is found or it cannot build for WASI.
const PACKAGES: &str = "install Debian's clang, lld, wasi-libc, libc++-dev-wasm32 and libclang-rt-dev-wasm32 (apt-get install clang lld wasi-libc libc++-dev-wasm32 libclang-rt-dev-wasm32), or set GAVEL_WASI_SDK to a wasi-sdk";

/// Why a native program could not be made ready.
#[derive(Debug, Error)]
pub enum ToolchainError {
    /// No compiler was found.
    #[error("no C/C++ compiler for WebAssembly: {0}; {PACKAGES}")]
    Missing(String),
    /// The compiler cannot build a WASI program.
    #[error("{compiler} cannot build C and C++ for wasm32-wasi: {message}; {PACKAGES}")]
    Unusable {
        /// The compiler tried.
        compiler: String,
        /// What it said.
        message: String,
    },
    /// What an earlier attempt of this process found (said once, in full).
    #[error("{0}")]
    Found(String),
    /// The cache could not be written.
    #[error("cannot write {path}: {source}")]
    Cache {
        /// Where.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_name_the_file_to_fix_and_read_as_before() {
        let failure = ExerciseFailure::Generated {
            test: "90-large".to_owned(),
            problem: GeneratedProblem::ArgumentsNotAList,
        };
        assert_eq!(failure.file(), "generator.py");
        assert_eq!(
            JudgeError::exercise("two-sum", failure).to_string(),
            "exercise `two-sum`: generated test `90-large`: the generator must print the arguments as one JSON list"
        );
        let failure = ExerciseFailure::ReferenceDoesNotCompile {
            error: PyError {
                kind: "SyntaxError".to_owned(),
                message: "invalid syntax".to_owned(),
                traceback: String::new(),
                line: Some(3),
            },
        };
        assert_eq!((failure.file(), failure.line()), ("solution.py", Some(3)));
    }
}
