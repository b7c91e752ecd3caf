//! How one test is judged, by the kind of exercise: each grader owns run →
//! check → explanation for a single test, as DMOJ's graders do. The judge
//! chooses one per exercise ([`Grader::of`]) and hands it every test; a new
//! kind of test (a test-writing exercise) is a new grader here, not a change
//! to the judge, and a new kind of program that decides (a checker or an
//! interactor in C or C++) is a variant of [`By`].

mod checker;
mod compare;
mod interactor;
mod suite;

use crate::evaluate::{Evaluation, explain_call, internal_error};
use crate::native::Ready;
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

/// Which program of the exercise decides: its Python checker or
/// interactor, or one in C or C++ (compiled, with its convention).
#[derive(Debug, Clone, Copy)]
pub(crate) enum By<'a> {
    /// `checker.py` or `interactor.py`.
    Python,
    /// `checker.c`, `interactor.cpp`, …
    Native(&'a Ready),
}

impl By<'_> {
    /// The decider's file name (`python` for a Python one).
    fn file<'a>(&'a self, python: &'a str) -> &'a str {
        match self {
            By::Python => python,
            By::Native(ready) => &ready.program.file,
        }
    }
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
        let native = prepared.native.as_ref().map(By::Native);
        let not_compiled = || {
            internal_error(
                test,
                "the exercise's native program was not compiled".to_owned(),
            )
        };
        let mut evaluation = match self {
            Grader::Compare => compare::grade(runner, test, &job).await,
            Grader::Checker => checker::grade(runner, prepared, test, &job, By::Python).await,
            Grader::Interactor => interactor::grade(runner, prepared, test, &job, By::Python).await,
            Grader::Suite => suite::grade(runner, prepared, test, &job).await,
            Grader::NativeChecker => match native {
                Some(by) => checker::grade(runner, prepared, test, &job, by).await,
                None => not_compiled(),
            },
            Grader::NativeInteractor => match native {
                Some(by) => interactor::grade(runner, prepared, test, &job, by).await,
                None => not_compiled(),
            },
        };
        explain_call(&mut evaluation.full, || prepared.shown_call(test));
        evaluation
    }
}
