//! What a run produced. A program failing is an [`Outcome`], never an error.

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Which limit ended a run that ran out of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeLimit {
    /// The instruction budget ran out (deterministic).
    Fuel,
    /// The program waited (slept) longer than its wall-time limit.
    WallTime,
    /// The program and an interactor each waited for the other to write.
    Idle,
}

impl fmt::Display for TimeLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeLimit::Fuel => "fuel",
            TimeLimit::WallTime => "wall_time",
            TimeLimit::Idle => "idle",
        })
    }
}

/// A Python exception (or a trap) that ended a program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PyError {
    /// The exception's type name (`ZeroDivisionError`), or for a trap of the
    /// interpreter itself a name of ours such as `StackOverflow`.
    pub kind: String,
    /// The exception's message.
    pub message: String,
    /// The traceback, without the runner's own frames; may be empty.
    pub traceback: String,
    /// The line of the submission where it happened; `None` when unknown.
    pub line: Option<u32>,
}

impl fmt::Display for PyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.message.is_empty() {
            f.write_str(&self.kind)
        } else {
            write!(f, "{}: {}", self.kind, self.message)
        }
    }
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    /// The program ran to its end, or called `sys.exit(0)`.
    Ok,
    /// The program raised, exited with a non-zero code, or trapped.
    RuntimeError {
        /// The exception, when Python raised one or the interpreter trapped.
        error: Option<PyError>,
    },
    /// The source does not compile; none of it ran.
    CompileError {
        /// The `SyntaxError` (or similar) that `compile()` raised.
        error: PyError,
    },
    /// A time limit ended the run.
    TimeLimit {
        /// The limit that fired.
        limit: TimeLimit,
    },
    /// The program tried to use more memory than allowed.
    MemoryLimit,
    /// The program wrote more than allowed to stdout and stderr.
    OutputLimit,
}

impl Outcome {
    /// The stable snake_case name of the outcome, as in the JSON `status` field.
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::RuntimeError { .. } => "runtime_error",
            Outcome::CompileError { .. } => "compile_error",
            Outcome::TimeLimit { .. } => "time_limit",
            Outcome::MemoryLimit => "memory_limit",
            Outcome::OutputLimit => "output_limit",
        }
    }

    /// Whether the program ran to its end.
    pub fn is_ok(&self) -> bool {
        matches!(self, Outcome::Ok)
    }
}

/// How a run ended, for people: `ok`, `time limit (fuel)`,
/// `runtime error: ZeroDivisionError: division by zero`.
impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Ok => f.write_str("ok"),
            Outcome::RuntimeError { error: Some(e) } => write!(f, "runtime error: {e}"),
            Outcome::RuntimeError { error: None } => f.write_str("runtime error"),
            Outcome::CompileError { error } => write!(f, "compile error: {error}"),
            Outcome::TimeLimit { limit } => write!(f, "time limit ({limit})"),
            Outcome::MemoryLimit => f.write_str("memory limit"),
            Outcome::OutputLimit => f.write_str("output limit"),
        }
    }
}

/// What a checker or an interactor decided (written with serde's default,
/// externally tagged, so every format can carry it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The answer is right.
    Accepted {
        /// Feedback (may be empty).
        feedback: String,
    },
    /// The answer is wrong.
    Wrong {
        /// Why.
        message: String,
    },
    /// Part of the points.
    Partial {
        /// A fraction from 0 to 1.
        points: f64,
        /// Why.
        message: String,
    },
}

/// Everything observed about one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    /// How the run ended.
    pub outcome: Outcome,
    /// The exit code: 0 for a normal end, the `sys.exit` code, or 1 for an
    /// uncaught exception like the interpreter would; `None` when a limit
    /// ended the run.
    pub exit_code: Option<i32>,
    /// What the program wrote to stdout (clipped at the output limit).
    pub stdout: Vec<u8>,
    /// What the program wrote to stderr (clipped at the output limit).
    pub stderr: Vec<u8>,
    /// For a function call that returned: the JSON encoding of the value.
    pub return_json: Option<String>,
    /// For a checker or an interactor that decided: what it decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
    /// For a compile run that succeeded: the compiled code, for
    /// [`crate::Job::code`] (`None` when the source must be compiled by each
    /// run, e.g. because compiling it printed warnings).
    #[serde(skip)]
    pub code: Option<Bytes>,
    /// Fuel consumed, instantiation included.
    pub fuel: u64,
    /// Wall-clock time of the run in milliseconds, instantiation included.
    pub wall_ms: f64,
    /// Peak total size of the guest's linear memories, in bytes.
    pub peak_memory_bytes: u64,
    /// What a native program wrote into its scratch directory: each plain
    /// file by name (anything else is ignored), at most the output limit in
    /// all ([`crate::NativeArgs::scratch`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub written: Vec<(String, Bytes)>,
}
