//! gavel's exit codes. They are part of the interface scripts rely on
//! (documented in the README), so they never change meaning.

use std::process::ExitCode;

/// How a gavel command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// 0: everything judged was accepted (or the command had nothing to judge).
    Accepted = 0,
    /// 1: something judged was rejected: a wrong answer, a limit, a failed check.
    Rejected = 1,
    /// 2: a usage error or a failure of the judge itself; nothing can be concluded.
    Error = 2,
}

impl Code {
    /// `Accepted` when `accepted`, else `Rejected`.
    pub fn from_accepted(accepted: bool) -> Code {
        if accepted {
            Code::Accepted
        } else {
            Code::Rejected
        }
    }
}

impl From<Code> for ExitCode {
    fn from(code: Code) -> ExitCode {
        ExitCode::from(code as u8)
    }
}
