//! Judging a submission: compiled once, then each test in a fresh sandbox
//! run by the exercise's grader, in the order the plan gives, scored, and
//! turned into a result under the confidentiality rules.

use crate::complexity;
use crate::disclose;
use crate::error::JudgeError;
use crate::evaluate::{Evaluation, internal_error, without_run};
use crate::grader::{Grader, Program};
use crate::plan::{Step, plan};
use crate::prepare::{self, Prepared, Selection};
use crate::result::{SubmissionResult, TestResult};
use crate::runner::{Compiled, Runner};
use crate::scoring::score;
use bytes::Bytes;
use gavel_core::hash::sha256_hex;
use gavel_core::{Cache, Limits, limits};
use gavel_exercise::{Disclosure, Exercise, Verdict, Visibility};
use gavel_sandbox::{PyError, Sandbox};
use std::collections::BTreeMap;
use std::sync::Arc;

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

/// What judging a submission reports while it runs, for a live view (the
/// terminal, the server's stream): only the tests the confidentiality rules
/// let a live view show, as each finishes (see [`Judge::judge`]). Called
/// from the judge's tasks, so it must be shareable.
pub trait JudgeProgress: Send + Sync {
    /// A test's result, under the confidentiality rules.
    fn test_finished(&self, test: &TestResult);
}

impl<F: Fn(&TestResult) + Send + Sync> JudgeProgress for F {
    fn test_finished(&self, test: &TestResult) {
        self(test)
    }
}

impl JudgeProgress for crate::Silent {
    fn test_finished(&self, _test: &TestResult) {}
}

/// The judge: a sandbox (whose slots bound the runs in progress, for
/// everything it judges) and a disk cache of derived data (reference fuel,
/// generated tests). Cheap to clone.
#[derive(Debug, Clone)]
pub struct Judge {
    runner: Runner,
}

impl Judge {
    /// Judges exercises that name another runner image (`image =
    /// "scientific"`) in sandboxes `make` makes, once per image, when an
    /// exercise first needs one; without it, such exercises fail to prepare.
    pub fn with_images(mut self, make: crate::runner::MakeSandbox) -> Judge {
        self.runner.set_images(make);
        self
    }

    /// Tells `setup` of the slow one-time steps of making a C/C++ toolchain
    /// ready for an exercise's native checker or interactor (installing it
    /// into the cache, building its libraries), as they start.
    pub fn with_setup_progress(
        mut self,
        setup: impl Fn(crate::native::ToolchainStep) + Send + Sync + 'static,
    ) -> Judge {
        self.runner.set_setup_progress(Arc::new(setup));
        self
    }

    /// A judge over `sandbox`, keeping derived data in the cache's judge
    /// directory (safe to delete).
    pub fn new(sandbox: Arc<Sandbox>, cache: &Cache) -> Judge {
        Judge {
            runner: Runner::new(sandbox, cache),
        }
    }

    /// The sandbox in use.
    pub fn sandbox(&self) -> &Sandbox {
        self.runner.sandbox()
    }

    /// The runner beneath (for `--bless`, which runs the reference alone).
    pub(crate) fn runner(&self) -> &Runner {
        &self.runner
    }

    /// How many programs run at once.
    pub fn parallel(&self) -> usize {
        self.runner.sandbox().slots()
    }

    /// Prepares an exercise's tests in `selection` (generated tests,
    /// reference fuel and limits, cached on disk).
    pub async fn prepare(
        &self,
        exercise: Arc<Exercise>,
        selection: Selection,
    ) -> Result<Prepared, JudgeError> {
        prepare::prepare(&self.runner, exercise, selection).await
    }

    /// Judges `source` against a prepared exercise. A failing submission is a
    /// result, never an `Err`; a failure of the judge on a test is that
    /// test's IE.
    ///
    /// `progress` hears of a test while judging only when the test is public
    /// and finished before any hidden test started (public tests run first);
    /// every other test is known only from the result. So no live view can
    /// show when a hidden test finished (docs/confidentiality.md).
    pub async fn judge(
        &self,
        prepared: &Arc<Prepared>,
        source: Bytes,
        options: Options,
        progress: &dyn JudgeProgress,
    ) -> SubmissionResult {
        let policy = options.disclosure.unwrap_or(prepared.exercise.disclosure);
        let source_sha256 = sha256_hex(&source);
        if source.len() as u64 > options.max_source_bytes {
            let error = source_too_large(source.len() as u64, options.max_source_bytes);
            return self.not_run(prepared, error, policy, source_sha256);
        }
        // Compiled once, here; every test's run loads the code.
        let program = match compile_limits(prepared) {
            Some(limits) => match prepared.runner.compile(&source, limits).await {
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
        let collector = Collector::new(
            prepared.tests.iter().map(|t| t.test.visibility).collect(),
            policy,
            progress,
        );
        let tests: Vec<&gavel_exercise::Test> = prepared.tests.iter().map(|t| &t.test).collect();
        let steps = plan(
            &tests,
            &prepared.exercise.groups,
            options.stop_on_first_failure,
        );
        self.run_steps(prepared, &program, steps, &collector).await;
        let evaluations: Vec<Evaluation> = collector
            .finish()
            .into_iter()
            .zip(&prepared.tests)
            .map(|(evaluation, test)| {
                evaluation.unwrap_or_else(|| internal_error(test, "a test task failed".to_owned()))
            })
            .collect();
        let compile_error = evaluations.iter().find_map(|e| match e.full.verdict {
            Verdict::CompileError => e.full.error.clone(),
            _ => None,
        });
        if let Some(error) = compile_error {
            return self.not_run(prepared, error, policy, source_sha256);
        }
        // After every test: the measurement's runs never share a moment with
        // a hidden test's, and it reads no test's input.
        let complexity = match &prepared.complexity {
            Some(inputs) => {
                let runs =
                    complexity::run_all(&prepared.runner, prepared, &program.source, &program.code)
                        .await;
                Some(complexity::measure(inputs, &runs))
            }
            None => None,
        };
        let mut result = self.finish(prepared, evaluations, None, policy, source_sha256);
        result.complexity = complexity.map(|mut efficiency| {
            let points = prepared.complexity.as_ref().map_or(0, |c| c.spec.points);
            complexity::score(&mut efficiency, points, result.accepted());
            efficiency
        });
        result
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

    /// Carries out the plan's steps. A group whose dependency did not pass
    /// is skipped; a step in order stops at its first failure.
    async fn run_steps(
        &self,
        prepared: &Arc<Prepared>,
        program: &Program,
        steps: Vec<Step>,
        collector: &Collector<'_>,
    ) {
        let grader = Grader::of(&prepared.exercise);
        let mut passed: BTreeMap<String, bool> = BTreeMap::new();
        for step in steps {
            match step {
                Step::AtOnce(tests) => {
                    self.run_at_once(grader, prepared, program, &tests, collector)
                        .await;
                }
                Step::InOrder { tests, why } => {
                    self.run_in_order(grader, prepared, program, &tests, collector, why)
                        .await;
                }
                Step::Group {
                    name,
                    depends_on,
                    tests,
                    in_order,
                } => {
                    let failed = depends_on
                        .iter()
                        .find(|d| !passed.get(d.as_str()).copied().unwrap_or(false));
                    let ok = if let Some(dependency) = failed {
                        let why = format!(
                            "skipped: group `{name}` depends on `{dependency}`, which did not pass"
                        );
                        for &index in &tests {
                            collector.starting(index);
                            let test = &prepared.tests[index];
                            collector.put(
                                index,
                                without_run(test, Verdict::Skipped, Some(why.clone())),
                            );
                        }
                        false
                    } else if in_order {
                        let why = format!("skipped: an earlier test of group `{name}` failed");
                        self.run_in_order(grader, prepared, program, &tests, collector, Some(why))
                            .await
                    } else {
                        self.run_at_once(grader, prepared, program, &tests, collector)
                            .await
                    };
                    passed.insert(name, ok);
                }
            }
        }
    }

    /// Runs the tests at `indices` one after another; after the first that
    /// fails, the rest are skipped (SK), with `why` as their message. Whether
    /// every one was accepted.
    async fn run_in_order(
        &self,
        grader: Grader,
        prepared: &Prepared,
        program: &Program,
        indices: &[usize],
        collector: &Collector<'_>,
        why: Option<String>,
    ) -> bool {
        let mut passed = true;
        for &index in indices {
            let test = &prepared.tests[index];
            collector.starting(index);
            let evaluation = if passed {
                grader
                    .grade(&prepared.runner, prepared, test, program)
                    .await
            } else {
                without_run(test, Verdict::Skipped, why.clone())
            };
            passed &= evaluation.full.verdict == Verdict::Accepted;
            collector.put(index, evaluation);
        }
        passed
    }

    /// Runs the tests at `indices` at once (sharing the sandbox's slots).
    /// Whether every one was accepted.
    async fn run_at_once(
        &self,
        grader: Grader,
        prepared: &Arc<Prepared>,
        program: &Program,
        indices: &[usize],
        collector: &Collector<'_>,
    ) -> bool {
        let mut tasks = tokio::task::JoinSet::new();
        for &index in indices {
            collector.starting(index);
            let runner = prepared.runner.clone();
            let prepared = prepared.clone();
            let program = program.clone();
            tasks.spawn(async move {
                let test = &prepared.tests[index];
                (
                    index,
                    grader.grade(&runner, &prepared, test, &program).await,
                )
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

    fn finish(
        &self,
        prepared: &Prepared,
        mut evaluations: Vec<Evaluation>,
        compile_error: Option<PyError>,
        policy: Disclosure,
        source_sha256: String,
    ) -> SubmissionResult {
        let (points, max_points, groups) = score(&prepared.exercise, &mut evaluations);
        // Nothing ran when the source does not compile.
        let (verdict, hidden) = match compile_error {
            None => (
                Verdict::combine(evaluations.iter().map(|e| e.full.verdict)),
                disclose::hidden_summary(&evaluations, &groups, policy),
            ),
            Some(_) => (Verdict::CompileError, None),
        };
        SubmissionResult {
            exercise: prepared.exercise.id.clone(),
            verdict,
            points,
            max_points,
            score: if max_points == 0 {
                0.0
            } else {
                crate::result::points::round(points / f64::from(max_points))
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
            image_sha256: prepared.runner.image().to_owned(),
            native_sha256: prepared.native.as_ref().map(|n| n.compiled.sha256.clone()),
            complexity: None,
        }
    }
}

/// Evaluations as they come in, and which of them a live view hears of.
///
/// A test is reported live only when it is public and finished before any
/// hidden test of the submission started; live tests are reported in the
/// exercise's order among themselves. Every other test is reported only with
/// the result. So nothing a live view shows can depend on when a hidden test
/// finished, or how long it ran.
struct Collector<'a> {
    visibility: Vec<Visibility>,
    policy: Disclosure,
    progress: &'a dyn JudgeProgress,
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
    fn new(
        visibility: Vec<Visibility>,
        policy: Disclosure,
        progress: &'a dyn JudgeProgress,
    ) -> Self {
        let count = visibility.len();
        let public = (0..count)
            .filter(|&i| visibility[i] == Visibility::Public)
            .collect();
        Collector {
            visibility,
            policy,
            progress,
            state: std::sync::Mutex::new(Collected {
                evaluations: vec![None; count],
                live: vec![false; count],
                public,
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
        if self.visibility[index] == Visibility::Hidden {
            self.lock().hidden_started = true;
        }
    }

    fn put(&self, index: usize, evaluation: Evaluation) {
        let mut state = self.lock();
        state.live[index] = self.visibility[index] == Visibility::Public && !state.hidden_started;
        state.evaluations[index] = Some(evaluation);
        while let Some(&next) = state.public.get(state.settled) {
            let Some(evaluation) = &state.evaluations[next] else {
                break;
            };
            // A compile error is reported once, with the submission's result.
            if state.live[next]
                && evaluation.full.verdict != Verdict::CompileError
                && let Some(test) = disclose::test_result(evaluation, self.policy)
            {
                self.progress.test_finished(&test);
            }
            state.settled += 1;
        }
    }

    /// Every evaluation, in the exercise's order (`None` for a test whose
    /// task failed).
    fn finish(self) -> Vec<Option<Evaluation>> {
        self.state
            .into_inner()
            .unwrap_or_else(|e| e.into_inner())
            .evaluations
    }
}

/// The limits a submission is compiled under: the most generous of its
/// tests' (compiling is not part of any test's fuel), or `None` without tests.
fn compile_limits(prepared: &Prepared) -> Option<Limits> {
    prepared
        .tests
        .iter()
        .map(|t| t.limits)
        .reduce(|a, b| Limits {
            fuel: a.fuel.max(b.fuel),
            wall_time: a.wall_time.max(b.wall_time),
            memory_bytes: a.memory_bytes.max(b.memory_bytes),
            output_bytes: a.output_bytes.max(b.output_bytes),
        })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::TestResult;

    fn evaluation(name: &str, visibility: Visibility) -> Evaluation {
        Evaluation {
            full: TestResult::bare(name.to_owned(), visibility, None, Verdict::Accepted, 1.0, 1),
            memory_limit: 1,
        }
    }

    /// Runs `events` (a test starting, or finishing) through a collector of
    /// tests with `visibility`; the names reported live, in order.
    fn live(visibility: &[Visibility], events: &[(bool, usize)]) -> Vec<String> {
        let heard = std::sync::Mutex::new(Vec::new());
        let progress = |test: &TestResult| heard.lock().unwrap().push(test.name.clone());
        let collector = Collector::new(visibility.to_vec(), Disclosure::Verdicts, &progress);
        for &(finished, index) in events {
            if finished {
                collector.put(index, evaluation(&index.to_string(), visibility[index]));
            } else {
                collector.starting(index);
            }
        }
        assert!(collector.finish().iter().all(Option::is_some));
        heard.into_inner().unwrap()
    }

    use Visibility::{Hidden, Public};

    #[test]
    fn public_tests_are_reported_in_order_as_they_finish() {
        let tests = [Public, Hidden, Public, Public];
        // 3 finishes first: held until 2 is there, hidden 1 not waited for.
        let heard = live(
            &tests,
            &[
                (false, 0),
                (false, 2),
                (false, 3),
                (true, 3),
                (true, 0),
                (true, 2),
                (false, 1),
                (true, 1),
            ],
        );
        assert_eq!(heard, ["0", "2", "3"]);
    }

    #[test]
    fn nothing_is_reported_live_once_a_hidden_test_has_started() {
        let tests = [Public, Hidden, Public];
        // In order (stop on first failure): the public test after the
        // hidden one waits for the result.
        let heard = live(
            &tests,
            &[
                (false, 0),
                (true, 0),
                (false, 1),
                (true, 1),
                (false, 2),
                (true, 2),
            ],
        );
        assert_eq!(heard, ["0"]);
        // A public test still running when a hidden one starts is held too.
        let heard = live(
            &tests,
            &[(false, 0), (false, 1), (true, 0), (true, 1), (true, 2)],
        );
        assert!(heard.is_empty(), "{heard:?}");
    }
}
