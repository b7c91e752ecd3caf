//! Running a program once on an input, and comparing its output with an
//! expected one when given: "run this code", as the Judge0-compatible API
//! asks for it. There is no exercise and nothing hidden: everything the
//! result carries came from the person who asked, or from their program.

use crate::judge::Judge;
use bytes::Bytes;
use gavel_core::Limits;
use gavel_sandbox::{Entry, Job, Outcome, TimeLimit};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// A program to run once.
#[derive(Debug, Clone)]
pub struct ProgramRun {
    /// The Python source.
    pub source: Bytes,
    /// Its standard input.
    pub stdin: Bytes,
    /// What its standard output should be, if anything is expected
    /// (compared by [`same_output`]).
    pub expected_output: Option<Bytes>,
    /// The limits it runs under.
    pub limits: Limits,
    /// A larger source is not run: it is a compile error with the reason.
    pub max_source_bytes: u64,
}

/// How a run ended, as the API reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgramStatus {
    /// It ran to its end, and wrote the expected output if one was given.
    Accepted,
    /// It ran to its end but its output is not the expected one.
    WrongAnswer,
    /// The source does not compile (nothing ran).
    CompileError,
    /// It raised, exited with a non-zero code or trapped.
    RuntimeError,
    /// A time limit ended it (fuel, or the wall-clock backstop).
    TimeLimit,
    /// It tried to use more memory than allowed.
    MemoryLimit,
    /// It wrote more than allowed.
    OutputLimit,
    /// The judge itself failed (never the program's doing).
    InternalError,
}

/// The result of a [`ProgramRun`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgramResult {
    /// How it ended.
    pub status: ProgramStatus,
    /// What it wrote to stdout (clipped at the output limit).
    #[serde(with = "base64_bytes")]
    pub stdout: Vec<u8>,
    /// What it wrote to stderr (clipped at the output limit).
    #[serde(with = "base64_bytes")]
    pub stderr: Vec<u8>,
    /// For a compile error: the error, as Python reports it.
    pub compile_output: Option<String>,
    /// One line saying why it did not pass, when it did not.
    pub message: Option<String>,
    /// The exit code, when the program ended by itself.
    pub exit_code: Option<i32>,
    /// Which time limit ended it, for [`ProgramStatus::TimeLimit`].
    pub time_limit: Option<TimeLimit>,
    /// Fuel it used (deterministic).
    pub fuel: u64,
    /// The peak size of its memory, in bytes (deterministic).
    pub peak_memory_bytes: u64,
}

impl Judge {
    /// Runs `run` once in a fresh sandbox. A failing program is a result;
    /// a sandbox failure is [`ProgramStatus::InternalError`] with the reason.
    pub async fn run_program(&self, run: &ProgramRun) -> ProgramResult {
        if run.source.len() as u64 > run.max_source_bytes {
            let reason = format!(
                "the source is {} bytes, over the limit of {} bytes",
                run.source.len(),
                run.max_source_bytes
            );
            return ProgramResult::empty(ProgramStatus::CompileError, Some(reason.clone()))
                .with_compile_output(reason);
        }
        let job = Job {
            source: run.source.clone(),
            // One run: it compiles the source itself.
            code: Bytes::new(),
            entry: Entry::Script,
            stdin: run.stdin.clone(),
            files: Arc::new([]),
            limits: run.limits,
        };
        match self.runner().run(&job).await {
            Ok(report) => judged(report, run.expected_output.as_deref()),
            Err(e) => {
                tracing::error!("a program run failed in the judge: {e}");
                ProgramResult::empty(
                    ProgramStatus::InternalError,
                    Some(format!("the judge failed: {e}")),
                )
            }
        }
    }
}

impl ProgramResult {
    fn empty(status: ProgramStatus, message: Option<String>) -> ProgramResult {
        ProgramResult {
            status,
            stdout: Vec::new(),
            stderr: Vec::new(),
            compile_output: None,
            message,
            exit_code: None,
            time_limit: None,
            fuel: 0,
            peak_memory_bytes: 0,
        }
    }

    fn with_compile_output(mut self, output: String) -> ProgramResult {
        self.compile_output = Some(output);
        self
    }
}

/// The result of a run that ended (in any way), compared with `expected`.
fn judged(report: gavel_sandbox::RunResult, expected: Option<&[u8]>) -> ProgramResult {
    let mut result = ProgramResult {
        status: ProgramStatus::Accepted,
        stdout: report.stdout,
        stderr: report.stderr,
        compile_output: None,
        message: None,
        exit_code: report.exit_code,
        time_limit: None,
        fuel: report.fuel,
        peak_memory_bytes: report.peak_memory_bytes,
    };
    match report.outcome {
        Outcome::Ok => {
            if let Some(expected) = expected
                && !same_output(expected, &result.stdout)
            {
                result.status = ProgramStatus::WrongAnswer;
                result.message = Some("the output is not the expected output".to_owned());
            }
        }
        Outcome::CompileError { error } => {
            result.status = ProgramStatus::CompileError;
            // Nothing ran, so nothing exited.
            result.exit_code = None;
            result.compile_output = Some(error.to_string());
            result.message = Some("the source does not compile".to_owned());
        }
        Outcome::RuntimeError { error } => {
            result.status = ProgramStatus::RuntimeError;
            // On stderr, as the interpreter prints it (the sandbox keeps
            // the traceback apart, already clipped).
            if let Some(error) = &error {
                result.stderr.extend_from_slice(error.traceback.as_bytes());
            }
            result.message = Some(match (error, result.exit_code) {
                (Some(error), _) => error.to_string(),
                (None, Some(code)) => format!("exited with status {code}"),
                (None, None) => "the program failed".to_owned(),
            });
        }
        Outcome::TimeLimit { limit } => {
            result.status = ProgramStatus::TimeLimit;
            result.time_limit = Some(limit);
            result.message = Some(format!("time limit exceeded ({limit})"));
        }
        Outcome::MemoryLimit => {
            result.status = ProgramStatus::MemoryLimit;
            result.message = Some("memory limit exceeded".to_owned());
        }
        Outcome::OutputLimit => {
            result.status = ProgramStatus::OutputLimit;
            result.message = Some("output limit exceeded".to_owned());
        }
    }
    result
}

/// Whether `actual` is `expected` as Judge0 compares outputs: each line
/// without its trailing whitespace, then the whole without whitespace at
/// either end.
pub fn same_output(expected: &[u8], actual: &[u8]) -> bool {
    normalised(expected) == normalised(actual)
}

fn normalised(text: &[u8]) -> Vec<u8> {
    let lines: Vec<&[u8]> = text.split(|&b| b == b'\n').map(trim_end).collect();
    let joined = lines.join(&b'\n');
    let start = joined
        .iter()
        .position(|b| !is_space(*b))
        .unwrap_or(joined.len());
    trim_end(&joined[start..]).to_vec()
}

fn trim_end(line: &[u8]) -> &[u8] {
    let end = line
        .iter()
        .rposition(|b| !is_space(*b))
        .map_or(0, |at| at + 1);
    &line[..end]
}

/// Ruby's whitespace for `strip`: space, \t, \n, \v, \f, \r and NUL.
fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | 0)
}

/// Bytes as a base64 string in JSON (outputs need not be UTF-8).
mod base64_bytes {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        STANDARD.decode(text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_compare_as_judge0_compares_them() {
        assert!(same_output(b"1 2\n3\n", b"1 2   \n3"));
        assert!(same_output(b"a\n", b"\n\na\r\n\n"));
        assert!(same_output(b"", b"  \n\t"));
        assert!(!same_output(b"1 2\n3\n", b"1  2\n3\n"));
        assert!(!same_output(b"a\nb", b"a\n\nb"));
        assert!(!same_output(b"x", b"X"));
    }

    #[test]
    fn a_result_keeps_bytes_that_are_not_text() {
        let mut result = ProgramResult::empty(ProgramStatus::Accepted, None);
        result.stdout = vec![0xff, 0xfe, b'\n'];
        let json = serde_json::to_string(&result).unwrap();
        let back: ProgramResult = serde_json::from_str(&json).unwrap();
        assert_eq!(back, result);
    }
}
