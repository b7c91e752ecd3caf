//! Running a submission against an exercise's tests: each test in a fresh
//! sandbox run, in parallel, turned into a verdict and a result under the
//! confidentiality rules.

use crate::disclose::{self, Evaluation};
use crate::evaluate::{evaluate, without_run};
use crate::events::{Event, Reporter};
use crate::prepare::{Prepared, ResolvedTest};
use crate::result::SubmissionResult;
use crate::scoring::score;
use bytes::Bytes;
use gavel_core::Cache;
use gavel_core::fs::write_atomically;
use gavel_core::hash::sha256_hex;
use gavel_core::limits;
use gavel_exercise::{Disclosure, Verdict};
use gavel_sandbox::{Job, PyError, RunReport, Sandbox, SandboxError};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::Arc;
use thiserror::Error;

/// A failure of the judge or of an exercise, never of a submission.
#[derive(Debug, Error)]
pub enum JudgeError {
    /// The sandbox failed.
    #[error(transparent)]
    Sandbox(#[from] SandboxError),
    /// The exercise's reference solution or generator does not work.
    #[error("exercise `{exercise}`: {message}")]
    Exercise {
        /// The exercise.
        exercise: String,
        /// What went wrong.
        message: String,
    },
    /// A task of the judge panicked (a bug of gavel).
    #[error("a task of the judge failed: {0}")]
    Panicked(String),
}

/// How to judge.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Stop at the first failing test; later tests are SK.
    pub stop_on_first_failure: bool,
    /// Show hidden tests as this says instead of as the exercise says
    /// (`grade --reveal-hidden` passes `Full`).
    pub disclosure: Option<Disclosure>,
    /// A larger source is not run: it gets CE with the reason.
    pub max_source_bytes: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            stop_on_first_failure: false,
            disclosure: None,
            max_source_bytes: limits::kib(limits::DEFAULT_SOURCE_KIB),
        }
    }
}

/// The judge: a sandbox (whose slots bound the runs in progress, for
/// everything it judges) and a disk cache of derived data (reference fuel,
/// generated tests).
#[derive(Debug, Clone)]
pub struct Judge {
    sandbox: Arc<Sandbox>,
    cache_dir: PathBuf,
}

impl Judge {
    /// A judge over `sandbox`, keeping derived data in the cache's judge
    /// directory (safe to delete).
    pub fn new(sandbox: Arc<Sandbox>, cache: &Cache) -> Judge {
        Judge {
            sandbox,
            cache_dir: cache.judge_dir(),
        }
    }

    /// The sandbox in use.
    pub fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    /// How many programs run at once.
    pub fn parallel(&self) -> usize {
        self.sandbox.slots()
    }

    /// Runs one job when a slot is free.
    pub(crate) async fn run(&self, job: &Job) -> Result<RunReport, SandboxError> {
        self.sandbox.run(job).await
    }

    fn cache_path(&self, kind: &str, key: &str) -> PathBuf {
        self.cache_dir.join(kind).join(format!("{key}.json"))
    }

    pub(crate) fn read_cache<T: for<'de> Deserialize<'de>>(
        &self,
        kind: &str,
        key: &str,
    ) -> Option<T> {
        let bytes = std::fs::read(self.cache_path(kind, key)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    pub(crate) fn write_cache<T: Serialize>(&self, kind: &str, key: &str, value: &T) {
        let path = self.cache_path(kind, key);
        let bytes = serde_json::to_vec(value).expect("cache entries serialise");
        if let Err(e) = write_atomically(&path, &bytes) {
            tracing::warn!(path = %path.display(), "cannot write the judge cache: {e}");
        }
    }

    /// Judges `source` against a prepared exercise, reporting each test as it
    /// finishes. A failing submission is a result, never an `Err`; a failure
    /// of the judge on a test is that test's IE.
    pub async fn judge(
        &self,
        prepared: &Arc<Prepared>,
        source: Bytes,
        options: Options,
        reporter: &dyn Reporter,
    ) -> SubmissionResult {
        let exercise = &prepared.exercise;
        let policy = options.disclosure.unwrap_or(exercise.disclosure);
        let source_sha256 = sha256_hex(&source);
        reporter.report(Event::SubmissionStarted {
            candidate: None,
            exercise: &exercise.id,
            tests: prepared.tests.len(),
        });
        if source.len() as u64 > options.max_source_bytes {
            let error = source_too_large(source.len() as u64, options.max_source_bytes);
            return self.not_run(prepared, error, policy, source_sha256);
        }
        // Every run compiles the source first, so a compile error comes back
        // from each (and at once): there is no separate compile run.
        let evaluations = if options.stop_on_first_failure {
            self.run_in_order(prepared, &source, policy, reporter).await
        } else {
            self.run_all(prepared, &source, policy, reporter).await
        };
        let compile_error = evaluations.iter().find_map(|e| match e.full.verdict {
            Verdict::CompileError => e.full.error.clone(),
            _ => None,
        });
        if let Some(error) = compile_error {
            return self.not_run(prepared, error, policy, source_sha256);
        }
        self.finish(prepared, evaluations, None, policy, source_sha256)
    }

    /// The result of a source that did not compile (or was not run): CE on
    /// every test, the error once.
    fn not_run(
        &self,
        prepared: &Prepared,
        error: PyError,
        policy: Disclosure,
        source_sha256: String,
    ) -> SubmissionResult {
        let evaluations = prepared
            .tests
            .iter()
            .map(|t| without_run(t, Verdict::CompileError, None))
            .collect();
        self.finish(prepared, evaluations, Some(error), policy, source_sha256)
    }

    /// Judges a source of `size` bytes that is too large to read, without
    /// reading it (its hash is given).
    pub fn too_large(
        &self,
        prepared: &Prepared,
        size: u64,
        source_sha256: String,
        options: Options,
    ) -> SubmissionResult {
        let policy = options.disclosure.unwrap_or(prepared.exercise.disclosure);
        let error = source_too_large(size, options.max_source_bytes);
        self.not_run(prepared, error, policy, source_sha256)
    }

    fn finish(
        &self,
        prepared: &Prepared,
        evaluations: Vec<Evaluation>,
        compile_error: Option<PyError>,
        policy: Disclosure,
        source_sha256: String,
    ) -> SubmissionResult {
        let all: Vec<_> = evaluations.iter().map(|e| e.full.clone()).collect();
        let points = score(prepared.exercise.scoring, &all);
        let max_points: u32 = all.iter().map(|r| r.max_points).sum();
        // Nothing ran when the source does not compile.
        let hidden = match compile_error {
            None => disclose::hidden_summary(&evaluations, policy),
            Some(_) => None,
        };
        let verdict = if compile_error.is_some() {
            Verdict::CompileError
        } else {
            Verdict::combine(all.iter().map(|r| r.verdict))
        };
        SubmissionResult {
            exercise: prepared.exercise.id.clone(),
            verdict,
            points,
            max_points,
            score: if max_points == 0 {
                0.0
            } else {
                points / f64::from(max_points)
            },
            compile_error,
            tests: evaluations
                .iter()
                .filter_map(|e| disclose::test_result(e, policy))
                .collect(),
            hidden,
            disclosure: policy,
            source_sha256,
            image_sha256: self.sandbox.image().sha256.clone(),
        }
    }

    async fn run_test(
        &self,
        prepared: &Prepared,
        test: &ResolvedTest,
        source: Bytes,
    ) -> Evaluation {
        match self.run(&prepared.job(source, test)).await {
            Ok(report) => evaluate(test, &report),
            Err(e) => internal_error(test, format!("the judge failed: {e}")),
        }
    }

    async fn run_in_order(
        &self,
        prepared: &Prepared,
        source: &Bytes,
        policy: Disclosure,
        reporter: &dyn Reporter,
    ) -> Vec<Evaluation> {
        let mut evaluations = Vec::with_capacity(prepared.tests.len());
        let mut failed = false;
        for test in &prepared.tests {
            let evaluation = if failed {
                without_run(test, Verdict::Skipped, None)
            } else {
                self.run_test(prepared, test, source.clone()).await
            };
            failed |= evaluation.full.verdict != Verdict::Accepted;
            report_test(reporter, &prepared.exercise.id, &evaluation, policy);
            evaluations.push(evaluation);
        }
        evaluations
    }

    async fn run_all(
        &self,
        prepared: &Arc<Prepared>,
        source: &Bytes,
        policy: Disclosure,
        reporter: &dyn Reporter,
    ) -> Vec<Evaluation> {
        let mut tasks = tokio::task::JoinSet::new();
        for index in 0..prepared.tests.len() {
            let judge = self.clone();
            let prepared = prepared.clone();
            let source = source.clone();
            tasks.spawn(async move {
                let test = &prepared.tests[index];
                (index, judge.run_test(&prepared, test, source).await)
            });
        }
        // Tests finish in any order; they are reported in the exercise's order,
        // each as soon as every test before it has finished.
        let mut evaluations: Vec<Option<Evaluation>> = vec![None; prepared.tests.len()];
        let mut reported = 0;
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok((index, evaluation)) => evaluations[index] = Some(evaluation),
                Err(e) => tracing::error!("a test task failed: {e}"),
            }
            while let Some(Some(evaluation)) = evaluations.get(reported) {
                report_test(reporter, &prepared.exercise.id, evaluation, policy);
                reported += 1;
            }
        }
        evaluations
            .into_iter()
            .zip(&prepared.tests)
            .map(|(evaluation, test)| {
                evaluation.unwrap_or_else(|| internal_error(test, "a test task failed".to_owned()))
            })
            .collect()
    }
}

fn report_test(
    reporter: &dyn Reporter,
    exercise: &str,
    evaluation: &Evaluation,
    policy: Disclosure,
) {
    // A compile error is reported once, with the submission's result.
    if evaluation.full.verdict == Verdict::CompileError {
        return;
    }
    if let Some(test) = disclose::test_result(evaluation, policy) {
        reporter.report(Event::TestFinished {
            candidate: None,
            exercise,
            test: &test,
        });
    }
}

fn internal_error(test: &ResolvedTest, message: String) -> Evaluation {
    tracing::error!(test = %test.test.name, "{message}");
    without_run(test, Verdict::InternalError, Some(message))
}

fn source_too_large(size: u64, limit: u64) -> PyError {
    PyError {
        kind: "SourceTooLarge".to_owned(),
        message: format!(
            "the source is {} bytes; the limit is {} KiB",
            size,
            limit / 1024
        ),
        traceback: String::new(),
        line: None,
    }
}
