//! Preparing an exercise for judging: generated tests are generated, the
//! reference solution's fuel is measured on every test, and each test's limits
//! are derived from it. Both are cached on disk, keyed by everything they
//! depend on, so preparing again costs a few file reads.

use crate::error::{ExerciseFailure, GeneratedProblem, JudgeError};
use crate::native::{Ready, convention};
use crate::runner::{Compiled, Runner, author_limits, trusted_limits};
use bytes::Bytes;
use gavel_core::hash::Key;
use gavel_core::{Limits, Shape};
use gavel_exercise::native::Role;
use gavel_exercise::{Exercise, Kind, Test, TestData, TestSource, Visibility};
use gavel_sandbox::{Call, CheckArgs, DataKind, Decision, Entry, Job, Outcome, RunResult};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tokio::sync::OnceCell;

/// What preparing compiles once and its tasks share: the reference solution
/// (only if a reference run is needed: its runs load the code as a
/// candidate's do, so the fuel a limit is derived from is measured the same
/// way), and the exercise's checker or interactor in C or C++.
#[derive(Debug, Default)]
struct Programs {
    reference: OnceCell<Compiled>,
    native: Option<Ready>,
}

type ReferenceCode = Arc<Programs>;

/// Which tests to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    /// Public tests only (`gavel test`).
    Public,
    /// Every test (`gavel submit`, `grade`, `check`).
    All,
}

impl Selection {
    fn includes(self, test: &Test) -> bool {
        self == Selection::All || test.visibility == Visibility::Public
    }
}

/// A test ready to judge submissions on: its data materialised and its limits
/// resolved.
#[derive(Debug, Clone)]
pub struct ResolvedTest {
    /// The test as loaded.
    pub test: Test,
    /// What it feeds a submission and expects back.
    pub data: TestData,
    /// The reference solution's fuel on this test, when there is a reference.
    pub reference_fuel: Option<u64>,
    /// The limits of a submission's run.
    pub limits: Limits,
    /// For generated tests: sha256 of input and expected output.
    pub digest: Option<String>,
}

/// How a function exercise's function is called, shared by every job.
#[derive(Debug, Clone)]
struct CallTemplate {
    name: Arc<str>,
    params: Arc<[Shape]>,
    returns: Shape,
    /// For a test-writing exercise: the module the implementation under
    /// test is imported as (every run is the harness's).
    suite: Option<Arc<str>>,
}

/// An exercise ready to judge submissions against.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The exercise.
    pub exercise: Arc<Exercise>,
    /// Which of its tests were prepared (and are run).
    pub selection: Selection,
    /// Its tests, resolved, in order.
    pub tests: Vec<ResolvedTest>,
    /// The inputs a complexity measurement runs on, with the reference's
    /// fuel on each (with `[complexity]`).
    pub complexity: Option<ComplexityInputs>,
    /// For a test-writing exercise with mutants: how many were made, and how
    /// many the author's suite does not catch (left out as equivalent).
    pub mutants: Option<MutantCount>,
    /// The checker or interactor in C or C++, compiled.
    pub native: Option<Ready>,
    call: Option<CallTemplate>,
    /// Runs its jobs, on the image the exercise names.
    pub(crate) runner: Runner,
}

/// The mutants of a test-writing exercise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MutantCount {
    /// Made from the implementation.
    pub generated: usize,
    /// Left out: the author's own suite does not catch them.
    pub equivalent: usize,
}

/// How much more fuel than the reference a complexity run may use: enough
/// for a slower class to show its curve over several sizes before its limit.
pub const COMPLEXITY_MARGIN: u64 = 50;

/// The inputs of a complexity measurement.
#[derive(Debug, Clone)]
pub struct ComplexityInputs {
    /// The exercise's `[complexity]`.
    pub spec: gavel_exercise::manifest::ComplexitySpec,
    /// One per size and seed, by size then seed.
    pub inputs: Vec<SizedInput>,
}

/// A generated input of one size.
#[derive(Debug, Clone)]
pub struct SizedInput {
    /// The size.
    pub n: u64,
    /// The seed.
    pub seed: u64,
    /// What a run is given (its expected output is not used).
    pub data: TestData,
    /// The reference's fuel on it.
    pub reference_fuel: u64,
    /// A submission's limits on it: [`COMPLEXITY_MARGIN`] × the reference's
    /// fuel (at least the exercise's floor).
    pub limits: Limits,
}

fn call_template(exercise: &Exercise) -> Option<CallTemplate> {
    match (exercise.kind, &exercise.function) {
        (Kind::Function, Some(function)) => Some(CallTemplate {
            name: function.name.as_str().into(),
            params: function.params.clone().into(),
            returns: function.returns,
            suite: None,
        }),
        (Kind::Tests, _) => Some(CallTemplate {
            name: "run_suite".into(),
            params: Arc::new([]),
            returns: Shape::Json,
            suite: exercise
                .suite
                .as_ref()
                .map(|s| s.spec.module.as_str().into()),
        }),
        _ => None,
    }
}

/// The job that runs `source` on `data`: a script with the test's stdin and
/// files, or a call with its arguments. Nothing is copied.
fn job(
    call: Option<&CallTemplate>,
    source: Bytes,
    code: Bytes,
    data: &TestData,
    limits: Limits,
) -> Job {
    match (call, data) {
        (
            Some(CallTemplate {
                suite: Some(module),
                ..
            }),
            TestData::Function { .. },
        ) => {
            let implementation = gavel_exercise::suite::implementation_of(data).unwrap_or_default();
            let args = crate::suite::suite_args(&implementation, &source, module);
            crate::suite::harness_job("run_suite", args, limits)
        }
        (Some(call), TestData::Function { args, .. }) => Job {
            source,
            code,
            entry: Entry::Function(Call {
                name: call.name.clone(),
                args_json: args.clone(),
                params: call.params.clone(),
                returns: call.returns,
            }),
            stdin: Bytes::new(),
            files: Arc::new([]),
            limits,
        },
        (_, TestData::Stdio { stdin, files, .. }) => Job {
            source,
            code,
            entry: Entry::Script,
            stdin: stdin.clone(),
            files: files.clone(),
            limits,
        },
        (None, TestData::Function { .. }) => {
            unreachable!("the loader gives function tests only to function exercises")
        }
    }
}

impl Prepared {
    /// A function test's call in Python syntax, for people; `None` for stdio.
    pub fn shown_call(&self, test: &ResolvedTest) -> Option<String> {
        match (&self.call, &test.data) {
            // A suite's call carries whole sources: never shown.
            (Some(CallTemplate { suite: Some(_), .. }), _) => None,
            (Some(call), TestData::Function { args, .. }) => {
                gavel_exercise::python::call(&call.name, args, &call.params)
            }
            _ => None,
        }
    }

    /// The job that runs `source` on a complexity input.
    pub fn sized_job(&self, source: Bytes, code: Bytes, input: &SizedInput) -> Job {
        job(self.call.as_ref(), source, code, &input.data, input.limits)
    }

    /// The job that runs `source` on `test`; `code` is what a compile run of
    /// it gave (or empty).
    pub fn job(&self, source: Bytes, code: Bytes, test: &ResolvedTest) -> Job {
        job(self.call.as_ref(), source, code, &test.data, test.limits)
    }

    /// The interactor's job for `test`, for an interactive exercise.
    pub fn interactor_job(&self, test: &ResolvedTest) -> Option<Job> {
        interactor_job(&self.exercise, self.native.as_ref(), &test.data)
    }

    /// The native checker's job judging `output` on `test`, for an exercise
    /// whose checker is in C or C++: the test's input (stdin, or the
    /// arguments' JSON) and expected answer as files.
    pub fn native_checker_job(&self, test: &ResolvedTest, output: &[u8]) -> Option<Job> {
        let ready = self.native.as_ref()?;
        let (input, expected) = match &test.data {
            TestData::Stdio {
                stdin, expected, ..
            } => (stdin.clone(), Bytes::copy_from_slice(expected.as_bytes())),
            TestData::Function { args, expected } => (
                Bytes::copy_from_slice(args.as_bytes()),
                Bytes::from(expected.to_string()),
            ),
        };
        Some(convention::checker_job(
            ready,
            input,
            Bytes::copy_from_slice(output),
            expected,
        ))
    }

    /// The checker's job judging `output` (stdout, or a returned value's
    /// JSON) on `test`, for an exercise with a checker.
    pub fn checker_job(&self, test: &ResolvedTest, output: &str) -> Option<Job> {
        let checker = self.exercise.checker.as_ref()?;
        let (kind, input, expected) = match &test.data {
            TestData::Stdio {
                stdin, expected, ..
            } => (
                DataKind::Text,
                String::from_utf8_lossy(stdin).into(),
                expected.clone(),
            ),
            TestData::Function { args, expected } => {
                (DataKind::Json, args.clone(), expected.to_string().into())
            }
        };
        Some(Job {
            entry: Entry::Check(CheckArgs {
                kind,
                input,
                expected,
                output: output.into(),
            }),
            limits: author_limits(),
            ..Job::script(checker)
        })
    }
}

fn interactor_job(exercise: &Exercise, native: Option<&Ready>, data: &TestData) -> Option<Job> {
    let TestData::Stdio {
        stdin, expected, ..
    } = data
    else {
        return None;
    };
    if let Some(ready) = native.filter(|r| r.program.role == Role::Interactor) {
        let answer = Bytes::copy_from_slice(expected.as_bytes());
        return Some(convention::interactor_job(ready, stdin.clone(), answer));
    }
    let interactor = exercise.interactor.as_ref()?;
    Some(Job {
        entry: Entry::Interact {
            input: String::from_utf8_lossy(stdin).into(),
        },
        limits: author_limits(),
        ..Job::script(interactor)
    })
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

/// The digest recorded for a generated test (`sha256` in `[[generated]]`):
/// over the generated input and the expected output as the reference wrote it.
pub fn generated_digest(input: &[u8], expected: &str) -> String {
    Key::new().part(input).part(expected).hex()
}

fn input_bytes(data: &TestData) -> &[u8] {
    match data {
        TestData::Stdio { stdin, .. } => stdin,
        TestData::Function { args, .. } => args.as_bytes(),
    }
}

fn files_key(data: &TestData) -> Key {
    let mut key = Key::new();
    if let TestData::Stdio { files, .. } = data {
        for (name, bytes) in files.iter() {
            key.push(name);
            key.push(bytes);
        }
    }
    key
}

fn function_key(exercise: &Exercise) -> String {
    if let Some(suite) = &exercise.suite {
        // Every run is the harness's: it is part of what a run means.
        let harness = gavel_core::hash::sha256_hex(crate::suite::HARNESS.as_bytes());
        return format!("suite:{}:{harness}", suite.spec.module);
    }
    exercise
        .function
        .as_ref()
        .map(|f| {
            let params: Vec<&str> = f.params.iter().map(|p| p.name()).collect();
            format!("{}:{}:{}", f.name, params.join(","), f.returns.name())
        })
        .unwrap_or_default()
}

/// Resolves an exercise's tests in `selection`: generates generated tests
/// (cached), measures the reference's fuel on each test (cached) and derives
/// each test's limits from it, all tests at once.
pub(crate) async fn prepare(
    runner: &Runner,
    exercise: Arc<Exercise>,
    selection: Selection,
) -> Result<Prepared, JudgeError> {
    let runner = &runner.on(exercise.manifest.image)?;
    let call = call_template(&exercise);
    let native = crate::native::ready(runner.cache(), runner.setup_progress(), &exercise).await?;
    let reference_code = Arc::new(Programs {
        reference: OnceCell::new(),
        native: native.clone(),
    });
    let mut selected: Vec<Test> = exercise
        .tests
        .iter()
        .filter(|t| selection.includes(t))
        .cloned()
        .collect();
    let mutants = match (&exercise.suite, selection) {
        (Some(suite), Selection::All) => {
            let made = crate::suite::mutants(runner, &exercise).await?;
            for (at, source) in made.iter().enumerate() {
                selected.push(suite.mutant_test(at + 1, source));
            }
            made.len()
        }
        _ => 0,
    };
    // A test-writing exercise's budgets all come from the author's suite on
    // the correct implementation: on a buggy one it may fail, raise or never
    // end (all of which catch the bug).
    let (selected, suite_tests) = if exercise.suite.is_some() {
        let (correct, bugs): (Vec<Test>, Vec<Test>) = selected
            .into_iter()
            .partition(|t| t.name == gavel_exercise::suite::CORRECT);
        (correct, bugs)
    } else {
        (selected, Vec::new())
    };
    let tasks: Vec<_> = selected
        .into_iter()
        .map(|test| {
            let runner = runner.clone();
            let exercise = exercise.clone();
            let call = call.clone();
            let code = reference_code.clone();
            tokio::spawn(
                async move { resolve(&runner, &exercise, call.as_ref(), test, &code).await },
            )
        })
        .collect();
    let mut tests = Vec::with_capacity(tasks.len());
    for task in tasks {
        tests.push(task.await.map_err(JudgeError::panicked)??);
    }
    if exercise.suite.is_some() {
        add_suite_tests(&mut tests, suite_tests);
    }
    let mutants = match &exercise.suite {
        Some(suite) => {
            let equivalent = author_suite(
                runner,
                &exercise,
                call.as_ref(),
                &reference_code,
                &mut tests,
            )
            .await?;
            (suite.spec.mutants && selection == Selection::All).then_some(MutantCount {
                generated: mutants,
                equivalent,
            })
        }
        None => None,
    };
    // Its inputs are generated, public by construction: measured whichever
    // tests are selected.
    let complexity = match &exercise.manifest.complexity {
        Some(spec) => {
            Some(complexity_inputs(runner, &exercise, call.as_ref(), spec, &reference_code).await?)
        }
        None => None,
    };
    Ok(Prepared {
        exercise,
        selection,
        tests,
        complexity,
        mutants,
        native,
        call,
        runner: runner.clone(),
    })
}

/// A test-writing exercise's chaffs and mutants, each with the budget of
/// the author's suite on the correct implementation (the first test).
fn add_suite_tests(tests: &mut Vec<ResolvedTest>, suite_tests: Vec<Test>) {
    let Some(correct) = tests.first().cloned() else {
        return;
    };
    for test in suite_tests {
        let TestSource::Stored(data) = &test.source else {
            continue;
        };
        tests.push(ResolvedTest {
            data: data.clone(),
            reference_fuel: correct.reference_fuel,
            limits: correct.limits,
            digest: None,
            test,
        });
    }
}

/// A test-writing exercise's own suite (`solution.py`) must pass on the
/// correct implementation and catch every chaff; the mutants it does not
/// catch are equivalent to the implementation as far as anyone can tell,
/// and are left out. Returns how many were.
async fn author_suite(
    runner: &Runner,
    exercise: &Exercise,
    call: Option<&CallTemplate>,
    reference_code: &ReferenceCode,
    tests: &mut Vec<ResolvedTest>,
) -> Result<usize, JudgeError> {
    let fail =
        |message: String| JudgeError::exercise(&exercise.id, ExerciseFailure::Suite(message));
    let reference = exercise
        .reference
        .clone()
        .ok_or_else(|| fail("no solution.py: the author's own suite".to_owned()))?;
    let mut caught = Vec::with_capacity(tests.len());
    for test in tests.iter() {
        caught
            .push(author_catches(runner, exercise, call, &reference, reference_code, test).await?);
    }
    let mut equivalent = 0;
    let mut kept = Vec::with_capacity(tests.len());
    for (test, caught) in std::mem::take(tests).into_iter().zip(caught) {
        let correct = test.test.name == gavel_exercise::suite::CORRECT;
        let mutant = test.test.group.as_deref() == Some(gavel_exercise::suite::MUTANTS_GROUP);
        match (caught || correct, mutant) {
            (true, _) => kept.push(test),
            (false, true) => equivalent += 1,
            (false, false) => {
                let chaff = exercise
                    .suite
                    .as_ref()
                    .and_then(|s| s.chaff_of(&test.test.name))
                    .map_or(test.test.name.clone(), |c| {
                        format!("{} ({})", c.name, c.description)
                    });
                return Err(fail(format!(
                    "solution.py does not catch the chaff {chaff}"
                )));
            }
        }
    }
    *tests = kept;
    Ok(equivalent)
}

#[derive(Serialize, Deserialize)]
struct CachedCaught {
    caught: bool,
}

/// Whether the author's suite catches the implementation of `test` (on
/// the correct one: `false`, or the failure that says why the suite is
/// wrong). Cached by everything it depends on, as reference fuel is.
async fn author_catches(
    runner: &Runner,
    exercise: &Exercise,
    call: Option<&CallTemplate>,
    reference: &Bytes,
    reference_code: &ReferenceCode,
    test: &ResolvedTest,
) -> Result<bool, JudgeError> {
    let fail =
        |message: String| JudgeError::exercise(&exercise.id, ExerciseFailure::Suite(message));
    let key = Key::new()
        .part(runner.image())
        .part(reference)
        .part(input_bytes(&test.data))
        .part(&exercise.id)
        .part(function_key(exercise))
        .part(test.limits.fuel.to_string())
        .part(&test.test.name)
        .hex();
    if let Some(cached) = runner.read_cache::<CachedCaught>("suite", &key) {
        return Ok(cached.caught);
    }
    let code = reference_compiled(runner, exercise, reference, reference_code).await?;
    let job = job(call, reference.clone(), code, &test.data, test.limits);
    let report = runner.run(&job).await?;
    let suite = crate::suite::SuiteReport::parse(report.return_json.as_deref());
    let caught = match (&report.outcome, suite) {
        (Outcome::Ok, Some(suite)) => {
            if test.test.name == gavel_exercise::suite::CORRECT && !suite.failures.is_empty() {
                let first = &suite.failures[0];
                return Err(fail(format!(
                    "solution.py fails on the correct implementation: `{}`: {}",
                    first.test, first.message
                )));
            }
            if test.test.name == gavel_exercise::suite::CORRECT && suite.tests == 0 {
                return Err(fail("solution.py holds no tests".to_owned()));
            }
            !suite.failures.is_empty()
        }
        (Outcome::Ok, None) => {
            return Err(fail("the suite harness returned nothing".to_owned()));
        }
        (outcome, _) if test.test.name == gavel_exercise::suite::CORRECT => {
            return Err(fail(format!(
                "solution.py fails on the correct implementation: {outcome}"
            )));
        }
        _ => true,
    };
    runner.write_cache("suite", &key, &CachedCaught { caught });
    Ok(caught)
}

/// Generates the inputs of `[complexity]` and measures the reference on
/// each (both cached, as for generated tests), all at once.
async fn complexity_inputs(
    runner: &Runner,
    exercise: &Arc<Exercise>,
    call: Option<&CallTemplate>,
    spec: &gavel_exercise::manifest::ComplexitySpec,
    reference_code: &ReferenceCode,
) -> Result<ComplexityInputs, JudgeError> {
    let mut tasks = Vec::new();
    for &n in &spec.sizes {
        for &seed in &spec.seeds {
            let runner = runner.clone();
            let exercise = exercise.clone();
            let call = call.cloned();
            let code = reference_code.clone();
            let args = spec.args_for(n, seed);
            tasks.push(tokio::spawn(async move {
                let name = format!("[complexity] n = {n}, seed = {seed}");
                let (data, _) =
                    generate(&runner, &exercise, call.as_ref(), &name, &args, &code).await?;
                let reference = exercise
                    .reference
                    .clone()
                    .ok_or_else(|| JudgeError::exercise(&exercise.id, ExerciseFailure::NoBudget))?;
                let fuel = reference_fuel(
                    &runner,
                    &exercise,
                    call.as_ref(),
                    &reference,
                    &name,
                    &data,
                    &code,
                )
                .await?;
                let spec = &exercise.limits;
                let budget = spec
                    .fuel_floor
                    .max(fuel.saturating_mul(COMPLEXITY_MARGIN))
                    .min(gavel_core::limits::FUEL_RANGE.1);
                let limits = spec.limits(budget).map_err(|error| {
                    JudgeError::exercise(
                        &exercise.id,
                        ExerciseFailure::Limits { test: name, error },
                    )
                })?;
                Ok::<_, JudgeError>(SizedInput {
                    n,
                    seed,
                    data,
                    reference_fuel: fuel,
                    limits,
                })
            }));
        }
    }
    let mut inputs = Vec::with_capacity(tasks.len());
    for task in tasks {
        inputs.push(task.await.map_err(JudgeError::panicked)??);
    }
    Ok(ComplexityInputs {
        spec: spec.clone(),
        inputs,
    })
}

async fn resolve(
    runner: &Runner,
    exercise: &Exercise,
    call: Option<&CallTemplate>,
    test: Test,
    reference_code: &ReferenceCode,
) -> Result<ResolvedTest, JudgeError> {
    let fail = |failure| JudgeError::exercise(&exercise.id, failure);
    let (data, digest) = match &test.source {
        TestSource::Stored(data) => (data.clone(), None),
        TestSource::Generated { args, .. } => {
            let (data, digest) =
                generate(runner, exercise, call, &test.name, args, reference_code).await?;
            (data, Some(digest))
        }
    };
    let reference_fuel = match &exercise.reference {
        Some(reference) => Some(
            reference_fuel(
                runner,
                exercise,
                call,
                reference,
                &test.name,
                &data,
                reference_code,
            )
            .await?,
        ),
        None => None,
    };
    let spec = &exercise.limits;
    let fuel = match (test.fuel.or(spec.fuel), reference_fuel) {
        (Some(fixed), _) => fixed,
        (None, Some(reference)) => spec
            .fuel_floor
            .max((reference as f64 * spec.fuel_margin).ceil() as u64),
        (None, None) => return Err(fail(ExerciseFailure::NoBudget)),
    };
    let limits = spec.limits(fuel).map_err(|error| {
        fail(ExerciseFailure::Limits {
            test: test.name.clone(),
            error,
        })
    })?;
    Ok(ResolvedTest {
        test,
        data,
        reference_fuel,
        limits,
        digest,
    })
}

/// The reference's fuel on a test: cached by everything it depends on, else
/// measured in a run of the reference (which must end well).
async fn reference_fuel(
    runner: &Runner,
    exercise: &Exercise,
    call: Option<&CallTemplate>,
    reference: &Bytes,
    test_name: &str,
    data: &TestData,
    reference_code: &ReferenceCode,
) -> Result<u64, JudgeError> {
    let key = Key::new()
        .part(runner.image())
        .part(reference)
        .part(input_bytes(data))
        .part(files_key(data).hex())
        .part(&exercise.id)
        .part(function_key(exercise))
        .hex();
    if let Some(cached) = runner.read_cache::<CachedReference>("reference", &key) {
        return Ok(cached.fuel);
    }
    let code = reference_compiled(runner, exercise, reference, reference_code).await?;
    let job = job(call, reference.clone(), code, data, trusted_limits());
    let report = reference_run(runner, exercise, reference_code, &job, data).await?;
    if !report.outcome.is_ok() {
        return Err(JudgeError::exercise(
            &exercise.id,
            ExerciseFailure::ReferenceFails {
                test: test_name.to_owned(),
                outcome: report.outcome,
            },
        ));
    }
    runner.write_cache("reference", &key, &CachedReference { fuel: report.fuel });
    Ok(report.fuel)
}

/// The reference's compiled code, from its one compile run.
async fn reference_compiled(
    runner: &Runner,
    exercise: &Exercise,
    reference: &Bytes,
    cell: &ReferenceCode,
) -> Result<Bytes, JudgeError> {
    match cell
        .reference
        .get_or_init(|| runner.compile(reference, trusted_limits()))
        .await
    {
        Compiled::Code(code) => Ok(code.clone()),
        Compiled::Error(error) => Err(JudgeError::exercise(
            &exercise.id,
            ExerciseFailure::ReferenceDoesNotCompile {
                error: error.clone(),
            },
        )),
    }
}

/// Runs the reference: alone, or against the interactor (its fuel is the
/// program's side).
async fn reference_run(
    runner: &Runner,
    exercise: &Exercise,
    programs: &Programs,
    job: &Job,
    data: &TestData,
) -> Result<RunResult, JudgeError> {
    let native = programs.native.as_ref();
    match interactor_job(exercise, native, data) {
        None => Ok(runner.run(job).await?),
        Some(interactor) => {
            let interaction = runner.interact(job, &interactor).await?;
            if let Some(ready) = native.filter(|r| r.program.role == Role::Interactor) {
                let rejected = match convention::decide(ready, &interaction.interactor, 1) {
                    Ok(Decision::Accepted { .. }) => None,
                    Ok(decision) => Some(format!("{decision:?}")),
                    Err(failure) => Some(failure),
                };
                if let Some(message) = rejected {
                    return Err(JudgeError::exercise(
                        &exercise.id,
                        ExerciseFailure::NativeRejects {
                            file: ready.program.file.clone(),
                            message,
                        },
                    ));
                }
                return Ok(interaction.program);
            }
            if !interaction.interactor.outcome.is_ok() {
                return Err(JudgeError::exercise(
                    &exercise.id,
                    ExerciseFailure::InteractorFails {
                        outcome: interaction.interactor.outcome,
                    },
                ));
            }
            Ok(interaction.program)
        }
    }
}

/// Runs the generator with `args` and the reference on what it printed.
async fn generate(
    runner: &Runner,
    exercise: &Exercise,
    call: Option<&CallTemplate>,
    name: &str,
    args: &str,
    reference_code: &ReferenceCode,
) -> Result<(TestData, String), JudgeError> {
    let fail = |problem| {
        JudgeError::exercise(
            &exercise.id,
            ExerciseFailure::Generated {
                test: name.to_owned(),
                problem,
            },
        )
    };
    let generator = exercise
        .generator
        .as_ref()
        .ok_or_else(|| fail(GeneratedProblem::NoGenerator))?;
    let reference = exercise
        .reference
        .as_ref()
        .ok_or_else(|| fail(GeneratedProblem::NoReference))?;
    let key = Key::new()
        .part(runner.image())
        .part(generator)
        .part(reference)
        .part(args)
        .part(function_key(exercise))
        .hex();
    let cached = match runner.read_cache::<CachedGenerated>("generated", &key) {
        Some(cached) => cached,
        None => {
            let generate = Job {
                stdin: Bytes::copy_from_slice(args.as_bytes()),
                limits: trusted_limits(),
                ..Job::script(generator)
            };
            let report = runner.run(&generate).await?;
            if !report.outcome.is_ok() {
                return Err(fail(GeneratedProblem::GeneratorFails(report.outcome)));
            }
            let input =
                String::from_utf8(report.stdout).map_err(|_| fail(GeneratedProblem::NotUtf8))?;
            let data = data_of(exercise.kind, &input, "").map_err(fail)?;
            let code = reference_compiled(runner, exercise, reference, reference_code).await?;
            let job = job(call, reference.clone(), code, &data, trusted_limits());
            let report = reference_run(runner, exercise, reference_code, &job, &data).await?;
            let expected = match (report.outcome, exercise.kind) {
                (Outcome::Ok, Kind::Stdio) => String::from_utf8_lossy(&report.stdout).into_owned(),
                (Outcome::Ok, Kind::Function | Kind::Tests) => {
                    report.return_json.clone().unwrap_or_default()
                }
                (outcome, _) => return Err(fail(GeneratedProblem::ReferenceFails(outcome))),
            };
            let cached = CachedGenerated { input, expected };
            runner.write_cache("generated", &key, &cached);
            cached
        }
    };
    let digest = generated_digest(cached.input.as_bytes(), &cached.expected);
    let data = data_of(exercise.kind, &cached.input, &cached.expected).map_err(fail)?;
    Ok((data, digest))
}

/// A generated test's data from the generator's output and the reference's
/// answer (stdout, or a return value's JSON; empty while not known yet).
fn data_of(kind: Kind, input: &str, expected: &str) -> Result<TestData, GeneratedProblem> {
    match kind {
        Kind::Stdio => Ok(TestData::Stdio {
            stdin: Bytes::copy_from_slice(input.as_bytes()),
            files: Arc::new([]),
            expected: expected.into(),
        }),
        Kind::Function | Kind::Tests => {
            let args = match serde_json::from_str::<serde_json::Value>(input) {
                Ok(serde_json::Value::Array(_)) => input.trim(),
                _ => return Err(GeneratedProblem::ArgumentsNotAList),
            };
            let expected = if expected.is_empty() {
                serde_json::Value::Null
            } else {
                gavel_exercise::compare::parse_returned(expected)
                    .map_err(GeneratedProblem::ReturnValue)?
            };
            Ok(TestData::Function {
                args: args.into(),
                expected: Arc::new(expected),
            })
        }
    }
}
