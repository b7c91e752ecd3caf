//! Running a submission against an exercise's tests.

use crate::result::{SubmissionResult, TestResult};
use gavel_exercise::compare::{self, Compared};
use gavel_exercise::diff::{self, DiffLimits};
use gavel_exercise::manifest::{Kind, Scoring, ShapeName};
use gavel_exercise::{Exercise, Test, TestData, Verdict, Visibility};
use gavel_sandbox::{
    Entry, Job, Limits, Outcome, RunReport, Sandbox, SandboxError, Shape, write_atomically,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;
use tokio::sync::Semaphore;

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
}

/// Limits for the exercise's own programs (reference, generator): generous,
/// since they are trusted and their fuel is what limits are derived from.
fn trusted_limits() -> Limits {
    Limits {
        fuel: 200_000_000_000,
        wall_time: Duration::from_secs(120),
        memory_bytes: 1 << 30,
        output_bytes: 256 << 20,
    }
}

/// What a test feeds a submission and expects, once generated tests are
/// generated and every limit is resolved.
#[derive(Debug, Clone)]
pub struct ResolvedTest {
    /// The test as loaded.
    pub test: Test,
    /// stdin (stdio) or the JSON argument list (function).
    pub input: Vec<u8>,
    /// Files of the run.
    pub files: Vec<(String, Vec<u8>)>,
    /// Expected stdout, or the expected value's JSON.
    pub expected: String,
    /// The reference solution's fuel on this test, when there is a reference.
    pub reference_fuel: Option<u64>,
    /// The limits of a submission's run.
    pub limits: Limits,
    /// For generated tests: sha256 of input and expected output.
    pub digest: Option<String>,
}

/// An exercise ready to judge submissions against.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The exercise.
    pub exercise: Arc<Exercise>,
    /// Its tests, resolved, in order.
    pub tests: Vec<ResolvedTest>,
}

/// Which tests to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    /// Public tests only (`gavel test`).
    Public,
    /// Every test (`gavel submit`, `grade`, `check`).
    All,
}

/// How to judge.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Which tests.
    pub selection: Selection,
    /// Stop at the first failing test; later tests are SK.
    pub stop_on_first_failure: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            selection: Selection::All,
            stop_on_first_failure: false,
        }
    }
}

/// The judge: a sandbox, a bound on parallel runs shared by everything it
/// judges, and a disk cache of derived data (reference fuel, generated tests).
#[derive(Debug, Clone)]
pub struct Judge {
    sandbox: Arc<Sandbox>,
    slots: Arc<Semaphore>,
    cache_dir: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct CachedReference {
    fuel: u64,
}

#[derive(Serialize, Deserialize)]
struct CachedGenerated {
    input: String,
    expected: String,
}

fn sha256_hex(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    format!("{:x}", hasher.finalize())
}

fn shape(name: ShapeName) -> Shape {
    match name {
        ShapeName::Json => Shape::Json,
        ShapeName::LinkedList => Shape::LinkedList,
        ShapeName::BinaryTree => Shape::BinaryTree,
    }
}

/// The digest recorded for a generated test (`sha256` in `[[generated]]`).
pub fn generated_digest(input: &[u8], expected: &str) -> String {
    sha256_hex(&[input, expected.as_bytes()])
}

impl Judge {
    /// A judge running at most `parallel` programs at once; `cache_dir` holds
    /// derived data (safe to delete).
    pub fn new(sandbox: Arc<Sandbox>, parallel: usize, cache_dir: PathBuf) -> Judge {
        Judge {
            sandbox,
            slots: Arc::new(Semaphore::new(parallel.max(1))),
            cache_dir,
        }
    }

    /// The sandbox in use.
    pub fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    async fn run(&self, job: Job) -> Result<RunReport, SandboxError> {
        let _slot = self
            .slots
            .acquire()
            .await
            .expect("the semaphore is never closed");
        self.sandbox.run(&job).await
    }

    fn cache_path(&self, kind: &str, key: &str) -> PathBuf {
        self.cache_dir.join(kind).join(format!("{key}.json"))
    }

    fn read_cache<T: for<'de> Deserialize<'de>>(&self, kind: &str, key: &str) -> Option<T> {
        let bytes = std::fs::read(self.cache_path(kind, key)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    fn write_cache<T: Serialize>(&self, kind: &str, key: &str, value: &T) {
        let path = self.cache_path(kind, key);
        let bytes = serde_json::to_vec(value).expect("cache entries serialise");
        if let Err(e) = write_atomically(&path, &bytes) {
            tracing::warn!(path = %path.display(), "cannot write the judge cache: {e}");
        }
    }

    fn job(
        &self,
        exercise: &Exercise,
        source: Vec<u8>,
        input: &[u8],
        files: &[(String, Vec<u8>)],
        limits: Limits,
    ) -> Job {
        let entry = match (&exercise.kind, &exercise.function) {
            (Kind::Function, Some(function)) => Entry::Function {
                name: function.name.clone(),
                args_json: String::from_utf8_lossy(input).into_owned(),
                params: function.params.iter().map(|&p| shape(p)).collect(),
                returns: shape(function.returns),
            },
            _ => Entry::Script,
        };
        let stdin = match exercise.kind {
            Kind::Stdio => input.to_vec(),
            Kind::Function => Vec::new(),
        };
        Job {
            source,
            entry,
            stdin,
            files: files.to_vec(),
            limits,
        }
    }

    /// Resolves an exercise's tests: generates generated tests (cached),
    /// measures the reference's fuel on each test (cached) and derives each
    /// test's limits from it. Tests not in `selection` are left out.
    pub async fn prepare(
        &self,
        exercise: Arc<Exercise>,
        selection: Selection,
    ) -> Result<Prepared, JudgeError> {
        let image = self.sandbox.image().sha256.clone();
        let tasks: Vec<_> = exercise
            .tests
            .iter()
            .filter(|t| selection == Selection::All || t.visibility == Visibility::Public)
            .cloned()
            .map(|test| {
                let judge = self.clone();
                let exercise = exercise.clone();
                let image = image.clone();
                tokio::spawn(async move { judge.resolve(&exercise, test, &image).await })
            })
            .collect();
        let mut tests = Vec::with_capacity(tasks.len());
        for task in tasks {
            tests.push(task.await.expect("resolving a test does not panic")?);
        }
        Ok(Prepared { exercise, tests })
    }

    async fn resolve(
        &self,
        exercise: &Exercise,
        test: Test,
        image: &str,
    ) -> Result<ResolvedTest, JudgeError> {
        let fail = |message: String| JudgeError::Exercise {
            exercise: exercise.id.clone(),
            message,
        };
        let (input, files, expected, digest) = match &test.data {
            TestData::Stdio {
                input,
                expected,
                files,
            } => (input.clone(), files.clone(), expected.clone(), None),
            TestData::Function { args, expected } => (
                args.to_string().into_bytes(),
                Vec::new(),
                expected.to_string(),
                None,
            ),
            TestData::Generated { args, .. } => {
                let (input, expected) = self.generate(exercise, &test.name, args, image).await?;
                let digest = generated_digest(&input, &expected);
                (input, Vec::new(), expected, Some(digest))
            }
        };
        let reference_fuel = match &exercise.reference {
            Some(reference) => {
                let key = sha256_hex(&[
                    image.as_bytes(),
                    reference,
                    &input,
                    &files_key(&files),
                    exercise.id.as_bytes(),
                    function_key(exercise).as_bytes(),
                ]);
                match self.read_cache::<CachedReference>("reference", &key) {
                    Some(cached) => Some(cached.fuel),
                    None => {
                        let job = self.job(
                            exercise,
                            reference.clone(),
                            &input,
                            &files,
                            trusted_limits(),
                        );
                        let report = self.run(job).await?;
                        if !report.outcome.is_ok() {
                            return Err(fail(format!(
                                "the reference solution fails on test `{}`: {}",
                                test.name,
                                describe(&report.outcome)
                            )));
                        }
                        self.write_cache("reference", &key, &CachedReference { fuel: report.fuel });
                        Some(report.fuel)
                    }
                }
            }
            None => None,
        };
        let spec = &exercise.limits;
        let fuel = match (test.fuel, spec.fuel, reference_fuel) {
            (Some(fixed), _, _) | (None, Some(fixed), _) => fixed,
            (None, None, Some(reference)) => {
                ((reference as f64 * spec.fuel_margin).ceil() as u64).max(spec.fuel_floor)
            }
            (None, None, None) => {
                return Err(fail(
                    "no reference solution and no fixed fuel budget".to_owned(),
                ));
            }
        };
        let limits = Limits {
            fuel,
            wall_time: Duration::from_secs_f64(spec.wall_time),
            memory_bytes: spec.memory.saturating_mul(1 << 20),
            output_bytes: spec.output.saturating_mul(1 << 10),
        };
        Ok(ResolvedTest {
            test,
            input,
            files,
            expected,
            reference_fuel,
            limits,
            digest,
        })
    }

    /// Runs the generator with `args` and the reference on what it printed.
    async fn generate(
        &self,
        exercise: &Exercise,
        name: &str,
        args: &str,
        image: &str,
    ) -> Result<(Vec<u8>, String), JudgeError> {
        let fail = |message: String| JudgeError::Exercise {
            exercise: exercise.id.clone(),
            message: format!("generated test `{name}`: {message}"),
        };
        let generator = exercise
            .generator
            .as_ref()
            .ok_or_else(|| fail("no generator.py".to_owned()))?;
        let reference = exercise
            .reference
            .as_ref()
            .ok_or_else(|| fail("no reference solution".to_owned()))?;
        let key = sha256_hex(&[
            image.as_bytes(),
            generator,
            reference,
            args.as_bytes(),
            function_key(exercise).as_bytes(),
        ]);
        if let Some(cached) = self.read_cache::<CachedGenerated>("generated", &key) {
            return Ok((cached.input.into_bytes(), cached.expected));
        }
        let mut job = Job::script(generator.clone());
        job.stdin = args.as_bytes().to_vec();
        job.limits = trusted_limits();
        let report = self.run(job).await?;
        if !report.outcome.is_ok() {
            return Err(fail(format!(
                "the generator failed: {}",
                describe(&report.outcome)
            )));
        }
        let input = String::from_utf8(report.stdout)
            .map_err(|_| fail("the generator printed bytes that are not UTF-8".to_owned()))?;
        if exercise.kind == Kind::Function {
            match serde_json::from_str::<Value>(&input) {
                Ok(Value::Array(_)) => {}
                _ => {
                    return Err(fail(
                        "the generator must print the arguments as one JSON list".to_owned(),
                    ));
                }
            }
        }
        let job = self.job(
            exercise,
            reference.clone(),
            input.as_bytes(),
            &[],
            trusted_limits(),
        );
        let report = self.run(job).await?;
        let expected = match (&report.outcome, exercise.kind) {
            (Outcome::Ok, Kind::Stdio) => String::from_utf8_lossy(&report.stdout).into_owned(),
            (Outcome::Ok, Kind::Function) => report.return_json.clone().unwrap_or_default(),
            (outcome, _) => {
                return Err(fail(format!(
                    "the reference solution failed: {}",
                    describe(outcome)
                )));
            }
        };
        self.write_cache(
            "generated",
            &key,
            &CachedGenerated {
                input: input.clone(),
                expected: expected.clone(),
            },
        );
        Ok((input.into_bytes(), expected))
    }

    /// Judges `source` against a prepared exercise.
    pub async fn judge(
        &self,
        prepared: &Prepared,
        source: &[u8],
        options: Options,
    ) -> SubmissionResult {
        let exercise = &prepared.exercise;
        // The plain sha256 of the file, as `sha256sum` prints it.
        let source_sha256 = format!("{:x}", Sha256::digest(source));
        let image_sha256 = self.sandbox.image().sha256.clone();
        let tests: Vec<&ResolvedTest> = prepared
            .tests
            .iter()
            .filter(|t| {
                options.selection == Selection::All || t.test.visibility == Visibility::Public
            })
            .collect();

        // A compile error is reported once, before any test runs.
        let check = Job {
            entry: Entry::Compile,
            ..Job::script(source.to_vec())
        };
        let compile_error = match self.run(check).await {
            Ok(RunReport {
                outcome: Outcome::CompileError { error },
                ..
            }) => Some(error),
            _ => None,
        };
        let results: Vec<TestResult> = if compile_error.is_some() {
            tests
                .iter()
                .map(|t| skeleton(t, Verdict::CompileError))
                .collect()
        } else if options.stop_on_first_failure {
            let mut results = Vec::with_capacity(tests.len());
            let mut failed = false;
            for test in &tests {
                if failed {
                    results.push(skeleton(test, Verdict::Skipped));
                    continue;
                }
                let result = self.judge_test(exercise, test, source).await;
                failed = result.verdict != Verdict::Accepted;
                results.push(result);
            }
            results
        } else {
            let tasks: Vec<_> = tests
                .iter()
                .map(|&test| {
                    let judge = self.clone();
                    let exercise = exercise.clone();
                    let test = test.clone();
                    let source = source.to_vec();
                    tokio::spawn(async move { judge.judge_test(&exercise, &test, &source).await })
                })
                .collect();
            let mut results = Vec::with_capacity(tasks.len());
            for (task, test) in tasks.into_iter().zip(&tests) {
                results.push(match task.await {
                    Ok(result) => result,
                    Err(e) => internal_error(test, format!("the judge failed: {e}")),
                });
            }
            results
        };
        let points = score(exercise.scoring, &results);
        let max_points: u32 = results.iter().map(|r| r.max_points).sum();
        let verdict = if compile_error.is_some() {
            Verdict::CompileError
        } else {
            Verdict::combine(results.iter().map(|r| r.verdict))
        };
        SubmissionResult {
            exercise: exercise.id.clone(),
            verdict,
            points,
            max_points,
            score: if max_points == 0 {
                0.0
            } else {
                f64::from(points) / f64::from(max_points)
            },
            compile_error,
            tests: results,
            source_sha256,
            image_sha256,
        }
    }

    async fn judge_test(
        &self,
        exercise: &Exercise,
        test: &ResolvedTest,
        source: &[u8],
    ) -> TestResult {
        let job = self.job(
            exercise,
            source.to_vec(),
            &test.input,
            &test.files,
            test.limits,
        );
        match self.run(job).await {
            Ok(report) => evaluate(exercise, test, &report),
            Err(e) => internal_error(test, format!("the judge failed: {e}")),
        }
    }
}

fn files_key(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut key = Vec::new();
    for (name, bytes) in files {
        key.extend_from_slice(name.as_bytes());
        key.push(0);
        key.extend_from_slice(&Sha256::digest(bytes));
    }
    key
}

fn function_key(exercise: &Exercise) -> String {
    exercise
        .function
        .as_ref()
        .map(|f| format!("{}:{:?}:{:?}", f.name, f.params, f.returns))
        .unwrap_or_default()
}

fn describe(outcome: &Outcome) -> String {
    match outcome {
        Outcome::RuntimeError { error: Some(e) } => format!("runtime error: {e}"),
        Outcome::CompileError { error } => format!("compile error: {error}"),
        Outcome::TimeLimit { limit } => format!("time limit ({limit})"),
        other => other.name().replace('_', " "),
    }
}

fn skeleton(test: &ResolvedTest, verdict: Verdict) -> TestResult {
    TestResult {
        name: test.test.name.clone(),
        visibility: test.test.visibility,
        group: test.test.group.clone(),
        verdict,
        reason: None,
        limit: None,
        message: None,
        error: None,
        diff: Vec::new(),
        stdout: None,
        stderr: None,
        points: 0,
        max_points: test.test.points,
        fuel: 0,
        fuel_limit: test.limits.fuel,
        wall_ms: 0.0,
        peak_memory_bytes: 0,
    }
}

fn internal_error(test: &ResolvedTest, message: String) -> TestResult {
    tracing::error!(test = %test.test.name, "{message}");
    TestResult {
        message: Some(message),
        ..skeleton(test, Verdict::InternalError)
    }
}

const SHOWN_OUTPUT: usize = 4096;

fn clipped(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    if text.len() <= SHOWN_OUTPUT {
        return text.into_owned();
    }
    let mut end = SHOWN_OUTPUT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes cut)", &text[..end], text.len() - end)
}

/// Turns a run of one test into its verdict, with the message and diff a
/// candidate needs to see what went wrong.
fn evaluate(exercise: &Exercise, test: &ResolvedTest, report: &RunReport) -> TestResult {
    let mut result = TestResult {
        fuel: report.fuel,
        wall_ms: report.wall_ms,
        peak_memory_bytes: report.peak_memory_bytes,
        stdout: Some(clipped(&report.stdout)),
        stderr: (!report.stderr.is_empty()).then(|| clipped(&report.stderr)),
        ..skeleton(test, Verdict::Accepted)
    };
    match &report.outcome {
        Outcome::Ok => {}
        Outcome::TimeLimit { limit } => {
            result.verdict = Verdict::TimeLimit;
            result.limit = Some(*limit);
        }
        Outcome::MemoryLimit => result.verdict = Verdict::MemoryLimit,
        Outcome::OutputLimit => result.verdict = Verdict::OutputLimit,
        Outcome::CompileError { error } => {
            result.verdict = Verdict::CompileError;
            result.error = Some(error.clone());
        }
        Outcome::RuntimeError { error } => {
            result.verdict = Verdict::RuntimeError;
            result.message = error.as_ref().map(|e| e.to_string());
            result.error = error.clone();
        }
    }
    if result.verdict == Verdict::Accepted {
        // The texts a diff is drawn from, only rendered when the answer is wrong.
        let (compared, expected, actual) = match exercise.kind {
            Kind::Stdio => {
                let actual = String::from_utf8_lossy(&report.stdout).into_owned();
                let compared =
                    compare::compare_text(&test.test.comparison, &test.expected, &actual);
                (compared, test.expected.clone(), actual)
            }
            Kind::Function => {
                let returned = report.return_json.as_deref().unwrap_or("null");
                match (
                    serde_json::from_str::<Value>(&test.expected),
                    serde_json::from_str::<Value>(returned),
                ) {
                    (Ok(expected), Ok(actual)) => (
                        compare::compare_json(&test.test.comparison, &expected, &actual),
                        pretty(&expected),
                        pretty(&actual),
                    ),
                    _ => {
                        return internal_error(
                            test,
                            "a JSON value could not be read back".to_owned(),
                        );
                    }
                }
            }
        };
        if let Compared::Wrong { reason, message } = compared {
            result.verdict = Verdict::WrongAnswer;
            result.reason = Some(reason);
            result.message = Some(message);
            result.diff = diff::diff_lines(&expected, &actual, DiffLimits::default());
        }
    }
    if result.verdict == Verdict::Accepted {
        result.points = result.max_points;
    }
    if test.test.visibility == Visibility::Hidden {
        result.redact();
    }
    result
}

fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// Points earned: each accepted test's, or with groups, a group's only when
/// all of its tests are accepted.
fn score(scoring: Scoring, results: &[TestResult]) -> u32 {
    match scoring {
        Scoring::Sum => results.iter().map(|r| r.points).sum(),
        Scoring::Groups => {
            let mut groups: BTreeMap<&str, (bool, u32)> = BTreeMap::new();
            let mut loose = 0;
            for r in results {
                match &r.group {
                    None => loose += r.points,
                    Some(g) => {
                        let entry = groups.entry(g).or_insert((true, 0));
                        entry.0 &= r.verdict == Verdict::Accepted;
                        entry.1 += r.max_points;
                    }
                }
            }
            loose
                + groups
                    .values()
                    .filter(|(all, _)| *all)
                    .map(|(_, p)| p)
                    .sum::<u32>()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(group: Option<&str>, verdict: Verdict, points: u32) -> TestResult {
        TestResult {
            name: "t".to_owned(),
            visibility: Visibility::Public,
            group: group.map(str::to_owned),
            verdict,
            reason: None,
            limit: None,
            message: None,
            error: None,
            diff: Vec::new(),
            stdout: None,
            stderr: None,
            points: if verdict == Verdict::Accepted {
                points
            } else {
                0
            },
            max_points: points,
            fuel: 0,
            fuel_limit: 0,
            wall_ms: 0.0,
            peak_memory_bytes: 0,
        }
    }

    #[test]
    fn groups_score_only_when_all_their_tests_pass() {
        let results = [
            result(Some("small"), Verdict::Accepted, 1),
            result(Some("small"), Verdict::Accepted, 1),
            result(Some("large"), Verdict::Accepted, 2),
            result(Some("large"), Verdict::TimeLimit, 2),
            result(None, Verdict::Accepted, 1),
        ];
        assert_eq!(score(Scoring::Groups, &results), 3);
        assert_eq!(score(Scoring::Sum, &results), 5);
    }

    #[test]
    fn redaction_keeps_only_name_verdict_and_resources() {
        let mut r = result(None, Verdict::RuntimeError, 1);
        r.visibility = Visibility::Hidden;
        r.message = Some("KeyError: 'secret input'".to_owned());
        r.stdout = Some("secret".to_owned());
        r.error = Some(gavel_sandbox::PyError {
            kind: "KeyError".to_owned(),
            message: "'secret input'".to_owned(),
            traceback: "…".to_owned(),
            line: Some(3),
        });
        r.fuel = 42;
        r.redact();
        let json = serde_json::to_string(&r).unwrap();
        assert!(!json.contains("secret"), "{json}");
        assert!(
            json.contains("KeyError") && json.contains("\"fuel\":42"),
            "{json}"
        );
    }
}
