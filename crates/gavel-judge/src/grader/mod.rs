//! How one test is judged, by the kind of exercise: each grader owns run →
//! check → explanation for a single test, as DMOJ's graders do. The judge
//! chooses one per exercise ([`Grader::of`]) and hands it every test; a new
//! kind of test (a native checker, a test-writing exercise) is a new grader
//! here, not a change to the judge.

mod checker;
mod compare;
mod interactor;
mod native;
mod suite;

use crate::evaluate::{Evaluation, explain_call};
use crate::prepare::{Prepared, ResolvedTest};
use crate::runner::Runner;
use bytes::Bytes;
use gavel_exercise::Exercise;
use gavel_exercise::native::Role;

/// A submission's source and the code compiled from it (empty when each run
/// compiles the source itself). Cheap to clone.
#[derive(Debug, Clone)]
pub(crate) struct Program {
    pub(crate) source: Bytes,
    pub(crate) code: Bytes,
}

/// How an exercise's tests are judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Grader {
    /// The program's answer (stdout, or a function's return value) compared
    /// with the expected one by the test's comparison.
    Compare,
    /// The answer judged by the exercise's checker, in its own sandbox run.
    Checker,
    /// The program talks to the exercise's interactor over pipes, which
    /// judges.
    Interactor,
    /// The candidate's tests against one implementation (a test-writing
    /// exercise).
    Suite,
    /// The answer judged by the exercise's checker in C or C++, compiled to
    /// WebAssembly, by the convention it follows.
    NativeChecker,
    /// The program talks to the exercise's interactor in C or C++.
    NativeInteractor,
}

impl Grader {
    /// The grader `exercise` needs.
    pub(crate) fn of(exercise: &Exercise) -> Grader {
        if exercise.suite.is_some() {
            Grader::Suite
        } else if let Some(native) = &exercise.native {
            match native.role {
                Role::Checker => Grader::NativeChecker,
                Role::Interactor => Grader::NativeInteractor,
            }
        } else if exercise.interactor.is_some() {
            Grader::Interactor
        } else if exercise.checker.is_some() {
            Grader::Checker
        } else {
            Grader::Compare
        }
    }

    /// Judges `program` on `test`: the complete evaluation, with a failed
    /// function test's call shown as Python. Never fails: a failure of the
    /// judge is the test's IE.
    pub(crate) async fn grade(
        self,
        runner: &Runner,
        prepared: &Prepared,
        test: &ResolvedTest,
        program: &Program,
    ) -> Evaluation {
        let job = prepared.job(program.source.clone(), program.code.clone(), test);
        let mut evaluation = match self {
            Grader::Compare => compare::grade(runner, test, &job).await,
            Grader::Checker => checker::grade(runner, prepared, test, &job).await,
            Grader::Interactor => interactor::grade(runner, prepared, test, &job).await,
            Grader::Suite => suite::grade(runner, prepared, test, &job).await,
            Grader::NativeChecker => native::check(runner, prepared, test, &job).await,
            Grader::NativeInteractor => native::interact(runner, prepared, test, &job).await,
        };
        explain_call(&mut evaluation.full, || prepared.shown_call(test));
        evaluation
    }
}
