//! Running a submission against an exercise's tests: each test in a fresh
//! sandbox run, in parallel, turned into a verdict and a result under the
//! confidentiality rules.

use crate::disclose::{self, Evaluation};
use crate::evaluate::{author_failure, evaluate, evaluate_interaction, without_run};
use crate::events::{Event, Reporter};
use crate::prepare::{Prepared, ResolvedTest};
use crate::result::SubmissionResult;
use crate::scoring::score;
use bytes::Bytes;
use gavel_core::Cache;
use gavel_core::fs::write_atomically;
use gavel_core::hash::sha256_hex;
use gavel_core::limits;
use gavel_exercise::manifest::OnFailure;
use gavel_exercise::{Disclosure, TestData, Verdict, Visibility};
use gavel_sandbox::{Job, Outcome, PyError, RunReport, Sandbox, SandboxError};
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
        // Compiled once, here; every test's run loads the code.
        let program = match compile_limits(prepared) {
            Some(limits) => match self.compile(&source, limits).await {
                Compiled::Code(code) => Program { source, code },
                Compiled::Error(error) => {
                    return self.not_run(prepared, error, policy, source_sha256);
                }
            },
            None => Program {
                source,
                code: Bytes::new(),
            },
        };
        let collector = Collector::new(prepared, policy, reporter);
        if options.stop_on_first_failure {
            let all: Vec<usize> = (0..prepared.tests.len()).collect();
            self.run_in_order(prepared, &program, &all, &collector, None)
                .await;
        } else if prepared.exercise.groups.values().any(|g| g.has_rules()) {
            self.run_groups(prepared, &program, &collector).await;
        } else {
            let all: Vec<usize> = (0..prepared.tests.len()).collect();
            self.run_batch(prepared, &program, &all, &collector).await;
        }
        let evaluations = collector.finish();
        let compile_error = evaluations.iter().find_map(|e| match e.full.verdict {
            Verdict::CompileError => e.full.error.clone(),
            _ => None,
        });
        if let Some(error) = compile_error {
            return self.not_run(prepared, error, policy, source_sha256);
        }
        self.finish(prepared, evaluations, None, policy, source_sha256)
    }

    /// Compiles `source` in a run of its own (nothing of it runs), under
    /// `limits`. A compile error is the submission's, and so is compiling
    /// past a limit (a source that takes more fuel or memory to compile than
    /// any test allows, such as 300,000 nested operators): both are CE, said
    /// once. When the judge fails, the code is empty and each test's run
    /// compiles the source itself.
    pub(crate) async fn compile(&self, source: &Bytes, limits: gavel_core::Limits) -> Compiled {
        let job = Job {
            entry: gavel_sandbox::Entry::Compile,
            limits,
            source: source.clone(),
            ..Job::script(b"")
        };
        match self.run(&job).await {
            Ok(report) => match report.outcome {
                Outcome::Ok => Compiled::Code(report.code.unwrap_or_default()),
                Outcome::CompileError { error } => Compiled::Error(error),
                other => Compiled::Error(compile_failure(&other, &limits)),
            },
            Err(e) => {
                tracing::warn!("compiling a source failed; each run compiles it: {e}");
                Compiled::Code(Bytes::new())
            }
        }
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
        let mut evaluations = evaluations;
        let mut all: Vec<_> = evaluations.iter().map(|e| e.full.clone()).collect();
        let (points, max_points, groups) = score(&prepared.exercise, &mut all);
        // Tests of a group worth its own points carry none themselves.
        for (evaluation, scored) in evaluations.iter_mut().zip(&all) {
            evaluation.full.points = scored.points;
            evaluation.full.max_points = scored.max_points;
        }
        // Nothing ran when the source does not compile.
        let hidden = match compile_error {
            None => disclose::hidden_summary(&evaluations, &groups, policy),
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
            groups: disclose::groups(groups, &evaluations, policy),
            hidden,
            disclosure: policy,
            source_sha256,
            image_sha256: self.sandbox.image().sha256.clone(),
        }
    }

    /// One test, with a failed function test's call shown as Python.
    async fn run_test(
        &self,
        prepared: &Prepared,
        test: &ResolvedTest,
        program: &Program,
    ) -> Evaluation {
        let mut evaluation = self.judge_test(prepared, test, program).await;
        crate::evaluate::explain_call(&mut evaluation.full, || prepared.shown_call(test));
        evaluation
    }

    /// One test: the program's run, then the checker's judgement of its
    /// answer; or, for an interactive exercise, the program against the
    /// interactor.
    async fn judge_test(
        &self,
        prepared: &Prepared,
        test: &ResolvedTest,
        program: &Program,
    ) -> Evaluation {
        let job = prepared.job(program.source.clone(), program.code.clone(), test);
        if let Some(interactor) = prepared.interactor_job(test) {
            return match self.sandbox.interact(&job, &interactor).await {
                Ok(interaction) => evaluate_interaction(test, &interaction),
                Err(e) => internal_error(test, format!("the judge failed: {e}")),
            };
        }
        let report = match self.run(&job).await {
            Ok(report) => report,
            Err(e) => return internal_error(test, format!("the judge failed: {e}")),
        };
        let stdout = String::from_utf8_lossy(&report.stdout);
        let answer = match (&report.outcome, &test.data) {
            (Outcome::Ok, TestData::Function { .. }) => {
                report.return_json.as_deref().unwrap_or("null")
            }
            (Outcome::Ok, TestData::Stdio { .. }) => &stdout,
            _ => return evaluate(test, &report, None),
        };
        let Some(checker) = prepared.checker_job(test, answer) else {
            return evaluate(test, &report, None);
        };
        let decision = match self.run(&checker).await {
            Ok(checked) => match checked.judgement {
                Some(judgement) => Ok(judgement),
                None => Err(author_failure("checker.py", &checked.outcome)),
            },
            Err(e) => {
                return internal_error(test, format!("the judge failed running checker.py: {e}"));
            }
        };
        evaluate(test, &report, Some(decision))
    }

    /// Runs the tests at `indices` one after another; after the first that
    /// fails, the rest are skipped (SK), with `why` as their message.
    async fn run_in_order(
        &self,
        prepared: &Prepared,
        program: &Program,
        indices: &[usize],
        collector: &Collector<'_>,
        why: Option<&str>,
    ) -> bool {
        let mut passed = true;
        for &index in indices {
            let test = &prepared.tests[index];
            collector.starting(index);
            let evaluation = if passed {
                self.run_test(prepared, test, program).await
            } else {
                without_run(test, Verdict::Skipped, why.map(str::to_owned))
            };
            passed &= evaluation.full.verdict == Verdict::Accepted;
            collector.put(index, evaluation);
        }
        passed
    }

    /// Runs the tests at `indices` at once (sharing the sandbox's slots),
    /// the public ones before the hidden ones, so that no public test's
    /// timing depends on a hidden test. Whether every one was accepted.
    async fn run_batch(
        &self,
        prepared: &Arc<Prepared>,
        program: &Program,
        indices: &[usize],
        collector: &Collector<'_>,
    ) -> bool {
        let (public, hidden): (Vec<usize>, Vec<usize>) = indices
            .iter()
            .partition(|&&i| prepared.tests[i].test.visibility == Visibility::Public);
        let mut passed = true;
        for part in [public, hidden] {
            passed &= self.run_at_once(prepared, program, &part, collector).await;
        }
        passed
    }

    /// Runs the tests at `indices` at once. Whether every one was accepted.
    async fn run_at_once(
        &self,
        prepared: &Arc<Prepared>,
        program: &Program,
        indices: &[usize],
        collector: &Collector<'_>,
    ) -> bool {
        let mut tasks = tokio::task::JoinSet::new();
        for &index in indices {
            collector.starting(index);
            let judge = self.clone();
            let prepared = prepared.clone();
            let program = program.clone();
            tasks.spawn(async move {
                let test = &prepared.tests[index];
                (index, judge.run_test(&prepared, test, &program).await)
            });
        }
        let mut passed = true;
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok((index, evaluation)) => {
                    passed &= evaluation.full.verdict == Verdict::Accepted;
                    collector.put(index, evaluation);
                }
                Err(e) => {
                    passed = false;
                    tracing::error!("a test task failed: {e}");
                }
            }
        }
        passed
    }

    /// Groups with rules: tests outside them first, all at once; then each
    /// group in an order that puts its dependencies before it. A group whose
    /// dependency failed is skipped; a group that stops on failure runs its
    /// tests in order.
    async fn run_groups(
        &self,
        prepared: &Arc<Prepared>,
        program: &Program,
        collector: &Collector<'_>,
    ) {
        let exercise = &prepared.exercise;
        let members = |name: &str| -> Vec<usize> {
            prepared
                .tests
                .iter()
                .enumerate()
                .filter(|(_, t)| t.test.group.as_deref() == Some(name))
                .map(|(i, _)| i)
                .collect()
        };
        let free: Vec<usize> = prepared
            .tests
            .iter()
            .enumerate()
            .filter(|(_, t)| {
                t.test
                    .group
                    .as_ref()
                    .is_none_or(|g| !exercise.groups.contains_key(g))
            })
            .map(|(i, _)| i)
            .collect();
        self.run_batch(prepared, program, &free, collector).await;
        let mut passed: std::collections::BTreeMap<&str, bool> = std::collections::BTreeMap::new();
        for name in group_order(exercise) {
            let spec = &exercise.groups[name];
            let indices = members(name);
            let failed_dependency = spec
                .depends_on
                .iter()
                .find(|d| !passed.get(d.as_str()).copied().unwrap_or(false));
            let ok = if let Some(dependency) = failed_dependency {
                let why = format!(
                    "skipped: group `{name}` depends on `{dependency}`, which did not pass"
                );
                for &index in &indices {
                    collector.starting(index);
                    collector.put(
                        index,
                        without_run(&prepared.tests[index], Verdict::Skipped, Some(why.clone())),
                    );
                }
                false
            } else if spec.on_failure == OnFailure::Skip {
                let why = format!("skipped: an earlier test of group `{name}` failed");
                self.run_in_order(prepared, program, &indices, collector, Some(&why))
                    .await
            } else {
                self.run_batch(prepared, program, &indices, collector).await
            };
            passed.insert(name, ok);
        }
    }
}

/// A submission's source and the code compiled from it (empty when each run
/// compiles the source itself). Cheap to clone.
#[derive(Debug, Clone)]
struct Program {
    source: Bytes,
    code: Bytes,
}

/// What compiling a source gave.
pub(crate) enum Compiled {
    /// The code for [`Job::code`] (empty: each run compiles the source).
    Code(Bytes),
    /// The source does not compile.
    Error(PyError),
}

/// The declared groups, each after the groups it depends on (the loader
/// refuses cycles).
fn group_order(exercise: &gavel_exercise::Exercise) -> Vec<&str> {
    let mut order: Vec<&str> = Vec::new();
    while order.len() < exercise.groups.len() {
        let before = order.len();
        for (name, spec) in &exercise.groups {
            if !order.contains(&name.as_str())
                && spec.depends_on.iter().all(|d| order.contains(&d.as_str()))
            {
                order.push(name);
            }
        }
        if order.len() == before {
            break;
        }
    }
    order
}

/// Evaluations as they come in, and which of them are reported while the
/// submission is judged.
///
/// A test is reported live only when it is public and finished before any
/// hidden test of the submission started; live tests are reported in the
/// exercise's order among themselves. Every other test is reported only with
/// the result. So nothing a live view shows can depend on when a hidden test
/// finished, or how long it ran (docs/confidentiality.md): public tests run
/// before hidden ones, and a public test judged after a hidden one waits for
/// the result like the hidden ones.
struct Collector<'a> {
    prepared: &'a Prepared,
    policy: Disclosure,
    reporter: &'a dyn Reporter,
    state: std::sync::Mutex<Collected>,
}

struct Collected {
    evaluations: Vec<Option<Evaluation>>,
    /// Whether each finished public test may be reported live.
    live: Vec<bool>,
    /// The public tests, in order, and how many of them are settled
    /// (reported, or known to wait for the result).
    public: Vec<usize>,
    settled: usize,
    hidden_started: bool,
}

impl<'a> Collector<'a> {
    fn new(prepared: &'a Prepared, policy: Disclosure, reporter: &'a dyn Reporter) -> Self {
        let count = prepared.tests.len();
        Collector {
            prepared,
            policy,
            reporter,
            state: std::sync::Mutex::new(Collected {
                evaluations: vec![None; count],
                live: vec![false; count],
                public: (0..count)
                    .filter(|&i| prepared.tests[i].test.visibility == Visibility::Public)
                    .collect(),
                settled: 0,
                hidden_started: false,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Collected> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Called before the test at `index` is run (or skipped): from the first
    /// hidden test on, nothing more is reported live.
    fn starting(&self, index: usize) {
        if self.prepared.tests[index].test.visibility == Visibility::Hidden {
            self.lock().hidden_started = true;
        }
    }

    fn put(&self, index: usize, evaluation: Evaluation) {
        let mut state = self.lock();
        let public = evaluation.full.visibility == Visibility::Public;
        state.live[index] = public && !state.hidden_started;
        state.evaluations[index] = Some(evaluation);
        while let Some(&next) = state.public.get(state.settled) {
            let Some(evaluation) = &state.evaluations[next] else {
                break;
            };
            if state.live[next] {
                report_test(
                    self.reporter,
                    &self.prepared.exercise.id,
                    evaluation,
                    self.policy,
                );
            }
            state.settled += 1;
        }
    }

    fn finish(self) -> Vec<Evaluation> {
        let state = self.state.into_inner().unwrap_or_else(|e| e.into_inner());
        state
            .evaluations
            .into_iter()
            .zip(&self.prepared.tests)
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

/// The limits a submission is compiled under: the most generous of its
/// tests' (compiling is not part of any test's fuel), or `None` without tests.
fn compile_limits(prepared: &Prepared) -> Option<gavel_core::Limits> {
    prepared
        .tests
        .iter()
        .map(|t| t.limits)
        .reduce(|a, b| gavel_core::Limits {
            fuel: a.fuel.max(b.fuel),
            wall_time: a.wall_time.max(b.wall_time),
            memory_bytes: a.memory_bytes.max(b.memory_bytes),
            output_bytes: a.output_bytes.max(b.output_bytes),
        })
}

/// The compile error of a source whose compiling itself ended badly: out of
/// fuel or memory, or an exception the compiler raised (a `RecursionError`
/// or `MemoryError` on absurdly nested code).
fn compile_failure(outcome: &Outcome, limits: &gavel_core::Limits) -> PyError {
    let message = match outcome {
        Outcome::TimeLimit { .. } => format!(
            "compiling the source alone used more than the {} fuel any test allows; no test ran",
            crate::report::human_fuel(limits.fuel)
        ),
        Outcome::MemoryLimit => format!(
            "compiling the source alone used more than the {} MiB of memory any test allows; no test ran",
            limits.memory_bytes >> 20
        ),
        Outcome::RuntimeError { error: Some(error) } => {
            format!("compiling the source failed ({error}); no test ran")
        }
        other => format!("compiling the source failed ({other}); no test ran"),
    };
    PyError {
        kind: "CompileLimit".to_owned(),
        message,
        traceback: String::new(),
        line: None,
    }
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
