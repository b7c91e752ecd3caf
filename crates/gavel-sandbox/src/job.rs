//! What a caller asks of the sandbox (a [`Job`]) and what an interaction
//! gives back: plain data, the same whichever executor runs it, so every type
//! here also crosses to worker processes.

use crate::outcome::RunResult;
use bytes::Bytes;
use gavel_core::{Limits, Shape};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// What to run of a program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Entry {
    /// Only compile it: the outcome is `Ok` or `CompileError`; with `Ok`,
    /// [`RunResult::code`] is the compiled code for [`Job::code`].
    Compile,
    /// The program as a script (`__name__ == "__main__"`), with stdin.
    Script,
    /// One function of the program, called with JSON arguments.
    Function(Call),
    /// The program is a checker: its `check(input, expected, output)` judges
    /// one answer.
    Check(CheckArgs),
    /// The program is an interactor: its `interact(input)` talks to a program
    /// over stdin and stdout (see [`crate::Sandbox::interact`]).
    Interact {
        /// The test's input.
        input: Arc<str>,
    },
    /// The program is not Python: [`Job::source`] is a WebAssembly module, a
    /// WASI preview 1 command (a C or C++ checker or interactor compiled to
    /// `wasm32-wasi`), run from `_start` with these arguments under the same
    /// limits, clocks, output capture and files as any run.
    Native(NativeArgs),
}

/// How a native program is started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NativeArgs {
    /// Its arguments, `argv[0]` included.
    pub args: Arc<[String]>,
    /// Whether it gets a writable directory, [`SCRATCH_DIR`], whose files
    /// come back in [`RunResult::written`] (a Kattis validator's feedback
    /// directory, a testlib interactor's output file). What it writes there
    /// counts against the job's output limit.
    pub scratch: bool,
}

/// Where a native program's writable directory is, relative to its working
/// directory.
pub const SCRATCH_DIR: &str = "scratch";

/// How a checker receives a test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DataKind {
    /// As texts (stdio exercises).
    Text,
    /// As JSON values (function exercises).
    Json,
}

/// What a checker judges: one test's input, expected answer and the answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckArgs {
    /// Texts or JSON.
    pub kind: DataKind,
    /// The test's input (stdin, or the argument list).
    pub input: Arc<str>,
    /// The expected answer.
    pub expected: Arc<str>,
    /// The program's answer (stdout, or the returned value).
    pub output: Arc<str>,
}

/// A call of one function of a program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Call {
    /// The function's name.
    pub name: Arc<str>,
    /// The arguments: the text of a JSON list, passed on as written (so a
    /// dict's key order and an integer's every digit arrive as the author wrote).
    pub args_json: Arc<str>,
    /// How each argument is converted (`Json` for all when empty).
    pub params: Arc<[Shape]>,
    /// How the return value is converted.
    pub returns: Shape,
}

/// One run: a program, what it reads, and its limits. Every field is shared,
/// so making a job for each test of a submission copies no data.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Job {
    /// The program's source, as bytes (a BOM or coding cookie is honoured).
    pub source: Bytes,
    /// What a compile run of this source on this image gave
    /// ([`RunResult::code`]), or empty: a run given it skips parsing and
    /// compiling the source (more than half of a small test's fuel), and is
    /// otherwise the same run, with the same output; its fuel is then the
    /// program's own work, compiling excluded.
    pub code: Bytes,
    /// What to run of it.
    pub entry: Entry,
    /// Its standard input.
    pub stdin: Bytes,
    /// Files it may read, by name, in a read-only working directory; nothing
    /// else of the host is visible.
    pub files: Arc<[(String, Bytes)]>,
    /// Its limits.
    pub limits: Limits,
}

impl Job {
    /// A script run of `source` with empty stdin and default limits.
    pub fn script(source: impl AsRef<[u8]>) -> Job {
        Job {
            source: Bytes::copy_from_slice(source.as_ref()),
            code: Bytes::new(),
            entry: Entry::Script,
            stdin: Bytes::new(),
            files: Arc::new([]),
            limits: Limits::default(),
        }
    }
}

/// Which end of an interaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The candidate's program.
    Program,
    /// The exercise's interactor.
    Interactor,
}

impl Side {
    /// The other end.
    pub(crate) fn other(self) -> Side {
        match self {
            Side::Program => Side::Interactor,
            Side::Interactor => Side::Program,
        }
    }
}

/// What one side sent the other, in order, for a transcript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// Who sent it.
    pub from: Side,
    /// What (lossy UTF-8).
    pub text: String,
}

/// A program run against an interactor.
#[derive(Debug, Clone, PartialEq)]
pub struct Interaction {
    /// The program's run; its stdout is what it sent the interactor.
    pub program: RunResult,
    /// The interactor's run, with its decision when it decided.
    pub interactor: RunResult,
    /// What each side sent, in order (clipped).
    pub transcript: Vec<Message>,
    /// Whether both waited for each other (both outcomes are then a time
    /// limit, `idle`).
    pub deadlock: bool,
    /// Whether the interactor ended before the program (whose failure may
    /// then be a consequence: its input ended).
    pub interactor_ended_first: bool,
}
