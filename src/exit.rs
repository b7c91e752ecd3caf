//! gavel's exit codes. They are part of the interface scripts rely on
//! (documented in the README), so they never change meaning.

use gavel_judge::SubmissionResult;
use std::process::ExitCode;

/// How a gavel command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Code {
    /// 0: everything judged was accepted (or the command judges nothing and succeeded).
    Accepted = 0,
    /// 1: something judged was rejected: a wrong answer, a limit, a failed check.
    Rejected = 1,
    /// 2: a usage error or a failure of the judge itself; nothing can be concluded.
    Error = 2,
}

impl Code {
    /// Of a judgement: an internal error anywhere means nothing can be
    /// concluded (2), else accepted (0) or not (1).
    pub(crate) fn judged(accepted: bool, internal_error: bool) -> Code {
        match (internal_error, accepted) {
            (true, _) => Code::Error,
            (false, true) => Code::Accepted,
            (false, false) => Code::Rejected,
        }
    }

    /// Of one submission's result.
    pub(crate) fn of_result(result: &SubmissionResult) -> Code {
        Code::judged(result.accepted(), result.internal_error())
    }
}

impl From<Code> for ExitCode {
    fn from(code: Code) -> ExitCode {
        ExitCode::from(code as u8)
    }
}
