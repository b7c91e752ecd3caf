//! The verdict taxonomy shared by tests, submissions and known-bad solutions.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The verdict of one test, or of a whole submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Verdict {
    /// Accepted.
    #[serde(rename = "AC")]
    Accepted,
    /// Wrong answer.
    #[serde(rename = "WA")]
    WrongAnswer,
    /// Time limit exceeded (fuel or wall clock).
    #[serde(rename = "TLE")]
    TimeLimit,
    /// Memory limit exceeded.
    #[serde(rename = "MLE")]
    MemoryLimit,
    /// Output limit exceeded.
    #[serde(rename = "OLE")]
    OutputLimit,
    /// Runtime error.
    #[serde(rename = "RE")]
    RuntimeError,
    /// Compile error: the source does not compile; no test ran.
    #[serde(rename = "CE")]
    CompileError,
    /// Skipped (after an earlier failure, with stop-on-first-failure).
    #[serde(rename = "SK")]
    Skipped,
    /// Internal error of the judge: never the candidate's fault.
    #[serde(rename = "IE")]
    InternalError,
}

impl Verdict {
    /// Every verdict, most severe first.
    pub const ALL: [Verdict; 9] = [
        Verdict::InternalError,
        Verdict::CompileError,
        Verdict::TimeLimit,
        Verdict::MemoryLimit,
        Verdict::OutputLimit,
        Verdict::RuntimeError,
        Verdict::WrongAnswer,
        Verdict::Skipped,
        Verdict::Accepted,
    ];

    /// The verdict with the code `code` (`AC`, `WA`, …).
    pub fn from_code(code: &str) -> Option<Verdict> {
        Verdict::ALL.into_iter().find(|v| v.code() == code)
    }

    /// Directory names of `submissions/<verdict>/`, in a stable order.
    pub const DIR_NAMES: [&'static str; 7] = [
        "accepted",
        "wrong_answer",
        "time_limit",
        "memory_limit",
        "output_limit",
        "runtime_error",
        "compile_error",
    ];

    /// The verdict a `submissions/<name>/` directory declares.
    pub fn from_dir_name(name: &str) -> Option<Verdict> {
        Some(match name {
            "accepted" => Verdict::Accepted,
            "wrong_answer" => Verdict::WrongAnswer,
            "time_limit" => Verdict::TimeLimit,
            "memory_limit" => Verdict::MemoryLimit,
            "output_limit" => Verdict::OutputLimit,
            "runtime_error" => Verdict::RuntimeError,
            "compile_error" => Verdict::CompileError,
            _ => return None,
        })
    }

    /// The two- or three-letter code (`AC`, `WA`, …).
    pub fn code(self) -> &'static str {
        match self {
            Verdict::Accepted => "AC",
            Verdict::WrongAnswer => "WA",
            Verdict::TimeLimit => "TLE",
            Verdict::MemoryLimit => "MLE",
            Verdict::OutputLimit => "OLE",
            Verdict::RuntimeError => "RE",
            Verdict::CompileError => "CE",
            Verdict::Skipped => "SK",
            Verdict::InternalError => "IE",
        }
    }

    /// A human name.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Accepted => "accepted",
            Verdict::WrongAnswer => "wrong answer",
            Verdict::TimeLimit => "time limit exceeded",
            Verdict::MemoryLimit => "memory limit exceeded",
            Verdict::OutputLimit => "output limit exceeded",
            Verdict::RuntimeError => "runtime error",
            Verdict::CompileError => "compile error",
            Verdict::Skipped => "skipped",
            Verdict::InternalError => "internal error",
        }
    }

    /// Precedence when verdicts of tests make one for a submission: lower
    /// wins (IE > CE > TLE > MLE > OLE > RE > WA > SK > AC).
    pub fn precedence(self) -> u8 {
        match self {
            Verdict::InternalError => 0,
            Verdict::CompileError => 1,
            Verdict::TimeLimit => 2,
            Verdict::MemoryLimit => 3,
            Verdict::OutputLimit => 4,
            Verdict::RuntimeError => 5,
            Verdict::WrongAnswer => 6,
            Verdict::Skipped => 7,
            Verdict::Accepted => 8,
        }
    }

    /// The verdict of a submission whose tests got `verdicts`: the most
    /// severe one, by [`Verdict::precedence`]; accepted when there are none.
    pub fn combine(verdicts: impl IntoIterator<Item = Verdict>) -> Verdict {
        verdicts
            .into_iter()
            .min_by_key(|v| v.precedence())
            .unwrap_or(Verdict::Accepted)
    }
}

/// How a verdict reads at a glance: what colour a terminal or a report gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Accepted.
    Good,
    /// Rejected: the submission fell short.
    Bad,
    /// Not judged (skipped).
    Muted,
    /// The judge failed: nothing is known about the submission.
    Judge,
}

impl Verdict {
    /// How it reads at a glance.
    pub fn tone(self) -> Tone {
        match self {
            Verdict::Accepted => Tone::Good,
            Verdict::Skipped => Tone::Muted,
            Verdict::InternalError => Tone::Judge,
            _ => Tone::Bad,
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_severe_verdict_wins() {
        use Verdict::*;
        assert_eq!(
            Verdict::combine([Accepted, WrongAnswer, TimeLimit]),
            TimeLimit
        );
        assert_eq!(Verdict::combine([RuntimeError, WrongAnswer]), RuntimeError);
        assert_eq!(
            Verdict::combine([InternalError, CompileError]),
            InternalError
        );
        assert_eq!(Verdict::combine([]), Accepted);
    }

    #[test]
    fn every_directory_name_round_trips() {
        for name in Verdict::DIR_NAMES {
            assert!(Verdict::from_dir_name(name).is_some(), "{name}");
        }
        assert_eq!(Verdict::from_dir_name("wrong"), None);
        assert_eq!(
            serde_json::to_string(&Verdict::TimeLimit).unwrap(),
            "\"TLE\""
        );
    }
}
