//! What the engine reports while it works, for the binary's reporters (a
//! progress bar, streamed test lines, a server's live view) to render: the
//! runner/reporter split of cargo-nextest. The engine never prints.

use crate::batch::{Candidate, Problem};
use crate::result::{SubmissionResult, TestResult};
use crate::validate::ExerciseCheck;

/// One thing that happened. Results in events are already under the
/// confidentiality rules.
#[derive(Debug, Clone, Copy)]
pub enum Event<'a> {
    /// An exercise is being prepared (generated tests, reference fuel).
    Preparing {
        /// The exercise.
        exercise: &'a str,
    },
    /// Judging a submission began.
    SubmissionStarted {
        /// The candidate, in a batch.
        candidate: Option<&'a Candidate>,
        /// The exercise.
        exercise: &'a str,
        /// How many tests it will run.
        tests: usize,
    },
    /// A test of a submission finished.
    TestFinished {
        /// The candidate, in a batch.
        candidate: Option<&'a Candidate>,
        /// The exercise.
        exercise: &'a str,
        /// Its result.
        test: &'a TestResult,
    },
    /// A submission was judged (or its stored result reused).
    SubmissionFinished {
        /// The candidate, in a batch.
        candidate: Option<&'a Candidate>,
        /// The file, relative to the homework folder, in a batch.
        file: Option<&'a str>,
        /// The result.
        result: &'a SubmissionResult,
        /// Whether it was stored by an earlier run and reused.
        reused: bool,
    },
    /// A batch knows its work: what is to grade, and what an earlier run did.
    BatchPlanned {
        /// Submissions to grade now.
        to_grade: usize,
        /// Submissions whose stored result is reused.
        reused: usize,
    },
    /// Something in a homework folder that is not graded.
    ProblemFound {
        /// The candidate it belongs to, or none for the folder itself.
        candidate: Option<&'a Candidate>,
        /// What and why.
        problem: &'a Problem,
    },
    /// An exercise was checked (`gavel check`).
    ExerciseChecked {
        /// The outcome.
        check: &'a ExerciseCheck,
    },
}

/// Receives events; called from the engine's tasks, so it must be shareable.
pub trait Reporter: Send + Sync {
    /// One event.
    fn report(&self, event: Event<'_>);
}

impl<F: Fn(Event<'_>) + Send + Sync> Reporter for F {
    fn report(&self, event: Event<'_>) {
        self(event)
    }
}

/// A reporter that ignores everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Reporter for Silent {
    fn report(&self, _event: Event<'_>) {}
}
