//! Validating exercises for CI (`gavel check`): every exercise loads strictly,
//! its reference solution is accepted on every test, every known-bad solution
//! gets its declared verdict, generated tests have not drifted, every test's
//! fuel budget keeps its declared margin over the reference, and no hidden
//! test's name gives away its input.

use crate::events::{Event, Reporter, Silent};
use crate::judge::{Judge, JudgeError, Options};
use crate::prepare::{Prepared, Selection};
use crate::result::TestResult;
use gavel_exercise::{Disclosure, Exercise, TestData, TestSource, Verdict, Visibility};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// The reference solution's result.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReferenceCheck {
    /// Its verdict (AC when all is well).
    pub verdict: Verdict,
    /// The tests it failed, as `name (verdict)`.
    pub failed_tests: Vec<String>,
    /// The results of the tests it failed, in full (hidden tests included:
    /// this is for the exercise's author).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<TestResult>,
}

/// A known-bad solution's result.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KnownBadCheck {
    /// The file, relative to the exercise.
    pub file: String,
    /// The verdict it declares.
    pub expected: Verdict,
    /// The verdict it got.
    pub got: Verdict,
    /// Whether they agree.
    pub ok: bool,
}

/// A test's fuel budget against the reference's fuel on it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MarginCheck {
    /// The test.
    pub test: String,
    /// The reference's fuel.
    pub reference_fuel: u64,
    /// The budget.
    pub fuel_limit: u64,
    /// `fuel_limit / reference_fuel`.
    pub margin: f64,
}

/// A generated test's digest against the recorded one.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GeneratedCheck {
    /// The test.
    pub test: String,
    /// Its digest now.
    pub sha256: String,
    /// The digest in the manifest.
    pub recorded: Option<String>,
    /// Whether they agree (or none is recorded).
    pub ok: bool,
}

/// Everything `check` found about one exercise.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExerciseCheck {
    /// The exercise (its directory name if it did not load).
    pub id: String,
    /// Whether every check passed.
    pub ok: bool,
    /// What failed.
    pub errors: Vec<String>,
    /// What deserves a look but does not fail the check.
    pub warnings: Vec<String>,
    /// The reference's result; null when the exercise could not be prepared.
    pub reference: Option<ReferenceCheck>,
    /// Each known-bad solution.
    pub known_bad: Vec<KnownBadCheck>,
    /// Each generated test.
    pub generated: Vec<GeneratedCheck>,
    /// Each test's fuel margin.
    pub margins: Vec<MarginCheck>,
    /// How long checking it took, in seconds.
    pub seconds: f64,
}

/// The result of `gavel check`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckReport {
    /// Whether every exercise passed.
    pub ok: bool,
    /// Each exercise, by id.
    pub exercises: Vec<ExerciseCheck>,
}

impl ExerciseCheck {
    /// A check with nothing found yet.
    pub fn new(id: String) -> Self {
        ExerciseCheck {
            id,
            ok: true,
            errors: Vec::new(),
            warnings: Vec::new(),
            reference: None,
            known_bad: Vec::new(),
            generated: Vec::new(),
            margins: Vec::new(),
            seconds: 0.0,
        }
    }

    /// A check that failed because the exercise does not load.
    pub fn not_loaded(id: String, errors: Vec<String>) -> Self {
        let mut check = ExerciseCheck::new(id);
        check.ok = false;
        check.errors = errors;
        check
    }

    fn fail(&mut self, message: String) {
        self.ok = false;
        self.errors.push(message);
    }

    /// The smallest fuel margin of any test, if any test has a reference.
    pub fn min_margin(&self) -> Option<f64> {
        self.margins.iter().map(|m| m.margin).min_by(f64::total_cmp)
    }
}

/// What to check: exercises that loaded, and directories that did not (with
/// their load errors).
#[derive(Debug, Default)]
pub struct CheckTargets {
    /// Loaded exercises.
    pub exercises: Vec<Arc<Exercise>>,
    /// `(id, errors)` of exercises that did not load.
    pub broken: Vec<(String, Vec<String>)>,
}

/// Checks every target, exercises concurrently (runs share the judge's
/// slots), reporting each as it is done. A failure of the judge itself (the
/// sandbox) is an `Err`; everything wrong with an exercise is in the report.
pub async fn check(
    judge: &Judge,
    targets: CheckTargets,
    reporter: &dyn Reporter,
) -> Result<CheckReport, JudgeError> {
    let mut checks = Vec::new();
    for (id, errors) in targets.broken {
        let check = ExerciseCheck::not_loaded(id, errors);
        reporter.report(Event::ExerciseChecked { check: &check });
        checks.push(check);
    }
    let mut tasks = tokio::task::JoinSet::new();
    for exercise in targets.exercises {
        let judge = judge.clone();
        tasks.spawn(async move { check_exercise(&judge, exercise).await });
    }
    while let Some(joined) = tasks.join_next().await {
        let check = joined.map_err(|e| JudgeError::Panicked(e.to_string()))??;
        reporter.report(Event::ExerciseChecked { check: &check });
        checks.push(check);
    }
    checks.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(CheckReport {
        ok: checks.iter().all(|c| c.ok),
        exercises: checks,
    })
}

async fn check_exercise(
    judge: &Judge,
    exercise: Arc<Exercise>,
) -> Result<ExerciseCheck, JudgeError> {
    let started = Instant::now();
    let mut check = ExerciseCheck::new(exercise.id.clone());
    let prepared = match judge.prepare(exercise.clone(), Selection::All).await {
        Ok(prepared) => Arc::new(prepared),
        Err(JudgeError::Exercise { message, .. }) => {
            check.fail(message);
            check.seconds = started.elapsed().as_secs_f64();
            return Ok(check);
        }
        Err(e) => return Err(e),
    };
    // The author sees everything: hidden tests in full.
    let options = Options {
        disclosure: Some(Disclosure::Full),
        ..Options::default()
    };
    match &exercise.reference {
        Some(reference) => {
            let result = judge
                .judge(&prepared, reference.clone(), options, &Silent)
                .await;
            let failures: Vec<TestResult> = result
                .tests
                .iter()
                .filter(|t| !t.accepted())
                .cloned()
                .collect();
            let failed_tests: Vec<String> = failures
                .iter()
                .map(|t| format!("{} ({})", t.name, t.verdict))
                .collect();
            if !failed_tests.is_empty() {
                check.fail(format!(
                    "the reference is not accepted on: {}",
                    failed_tests.join(", ")
                ));
            }
            check.reference = Some(ReferenceCheck {
                verdict: result.verdict,
                failed_tests,
                failures,
            });
        }
        None => check.fail("no reference solution (solution.py)".to_owned()),
    }
    check_tests(&exercise, &prepared, &mut check);
    for bad in &exercise.known_bad {
        let result = judge
            .judge(&prepared, bad.source.clone(), options, &Silent)
            .await;
        let ok = result.verdict == bad.expected;
        if !ok {
            check.fail(format!(
                "{} must get {} but got {}",
                bad.file, bad.expected, result.verdict
            ));
        }
        check.known_bad.push(KnownBadCheck {
            file: bad.file.clone(),
            expected: bad.expected,
            got: result.verdict,
            ok,
        });
    }
    check.seconds = started.elapsed().as_secs_f64();
    Ok(check)
}

/// What `gavel check --bless` changed in one exercise.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Blessing {
    /// The exercise (its directory name if it did not load).
    pub id: String,
    /// Each change, in test order.
    pub changes: Vec<BlessedChange>,
    /// Why a test (or the whole exercise) could not be blessed.
    pub errors: Vec<String>,
    /// What was left alone on purpose, and why.
    pub notes: Vec<String>,
}

/// What a change is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlessedKind {
    /// A stored test's expected output, now the reference's output.
    Expected,
    /// A generated test's digest in `exercise.toml`.
    Sha256,
}

/// One file changed by `--bless`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BlessedChange {
    /// The test.
    pub test: String,
    /// What changed.
    pub kind: BlessedKind,
    /// The file written, relative to the exercise's directory.
    pub file: String,
    /// The old value: the expected output, or the recorded digest (null when
    /// none was recorded).
    pub old: Option<String>,
    /// The new value.
    pub new: String,
    /// Old against new, line by line (for an expected output).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diff: Vec<gavel_exercise::diff::DiffLine>,
}

/// Makes the exercises' expectations the reference's: a stored test the
/// reference answers wrongly gets the reference's output as its expected
/// output, and a generated test whose digest drifted (or was never recorded)
/// gets its digest recorded. Only a wrong answer is blessed: a reference that
/// crashes or runs out of a limit is an error to fix, not an expectation.
/// Exercises with a checker or an interactor keep their stored answers (the
/// author's own, which the checker reads). A failure of the judge itself is
/// an `Err`.
pub async fn bless(judge: &Judge, targets: CheckTargets) -> Result<Vec<Blessing>, JudgeError> {
    let mut blessings: Vec<Blessing> = targets
        .broken
        .into_iter()
        .map(|(id, errors)| Blessing {
            id,
            changes: Vec::new(),
            errors,
            notes: Vec::new(),
        })
        .collect();
    let mut tasks = tokio::task::JoinSet::new();
    for exercise in targets.exercises {
        let judge = judge.clone();
        tasks.spawn(async move { bless_exercise(&judge, exercise).await });
    }
    while let Some(joined) = tasks.join_next().await {
        blessings.push(joined.map_err(|e| JudgeError::Panicked(e.to_string()))??);
    }
    blessings.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(blessings)
}

async fn bless_exercise(judge: &Judge, exercise: Arc<Exercise>) -> Result<Blessing, JudgeError> {
    let mut blessing = Blessing {
        id: exercise.id.clone(),
        changes: Vec::new(),
        errors: Vec::new(),
        notes: Vec::new(),
    };
    let Some(reference) = exercise.reference.clone() else {
        blessing
            .errors
            .push("no reference solution (solution.py) to bless from".to_owned());
        return Ok(blessing);
    };
    let prepared = match judge.prepare(exercise.clone(), Selection::All).await {
        Ok(prepared) => Arc::new(prepared),
        Err(JudgeError::Exercise { message, .. }) => {
            blessing.errors.push(message);
            return Ok(blessing);
        }
        Err(e) => return Err(e),
    };
    let relative = |path: &std::path::Path| {
        path.strip_prefix(&exercise.dir)
            .unwrap_or(path)
            .display()
            .to_string()
    };
    if exercise.checker.is_some() || exercise.interactor.is_some() {
        let decides = if exercise.checker.is_some() {
            "checker.py"
        } else {
            "interactor.py"
        };
        blessing.notes.push(format!(
            "stored answers are left as they are: {decides} decides, and reads them as the author wrote them"
        ));
    } else {
        let options = Options {
            disclosure: Some(Disclosure::Full),
            ..Options::default()
        };
        let result = judge
            .judge(&prepared, reference.clone(), options, &Silent)
            .await;
        // Compiled only once a test is to be blessed (rarely).
        let mut code: Option<bytes::Bytes> = None;
        for test in &prepared.tests {
            let Some(tested) = result.tests.iter().find(|t| t.name == test.test.name) else {
                continue;
            };
            if tested.accepted() || matches!(test.test.source, TestSource::Generated { .. }) {
                continue;
            }
            if tested.verdict != Verdict::WrongAnswer {
                blessing.errors.push(format!(
                    "test `{}`: the reference gets {}; only a wrong answer can be blessed",
                    test.test.name,
                    tested.verdict.code()
                ));
                continue;
            }
            let code = match &code {
                Some(code) => code.clone(),
                None => {
                    let compiled = match judge.compile(&reference, test.limits).await {
                        crate::judge::Compiled::Code(compiled) => compiled,
                        crate::judge::Compiled::Error(_) => bytes::Bytes::new(),
                    };
                    code.insert(compiled).clone()
                }
            };
            let job = prepared.job(reference.clone(), code, test);
            let report = judge.run(&job).await?;
            if !report.outcome.is_ok() {
                blessing.errors.push(format!(
                    "test `{}`: the reference's run for its output ended with {}",
                    test.test.name, report.outcome
                ));
                continue;
            }
            let (old, new) = match (&test.data, &report.return_json) {
                (TestData::Function { expected, .. }, Some(returned)) => {
                    // Both as the test file writes them, one per line.
                    let shown =
                        |value: &serde_json::Value| gavel_exercise::bless::json_text(value) + "\n";
                    match serde_json::from_str(returned) {
                        Ok(value) => (shown(expected), shown(&value)),
                        Err(_) => (shown(expected), returned.clone()),
                    }
                }
                (TestData::Stdio { expected, .. }, _) => match String::from_utf8(report.stdout) {
                    Ok(stdout) => (expected.to_string(), stdout),
                    Err(_) => {
                        blessing.errors.push(format!(
                            "test `{}`: the reference printed bytes that are not UTF-8",
                            test.test.name
                        ));
                        continue;
                    }
                },
                (TestData::Function { .. }, None) => {
                    blessing.errors.push(format!(
                        "test `{}`: the reference's run for its output returned nothing",
                        test.test.name
                    ));
                    continue;
                }
            };
            match gavel_exercise::bless::write_expected(&exercise, &test.test, &new) {
                Ok(path) => blessing.changes.push(BlessedChange {
                    test: test.test.name.clone(),
                    kind: BlessedKind::Expected,
                    file: relative(&path),
                    diff: gavel_exercise::diff::diff_lines(&old, &new, Default::default()),
                    old: Some(old),
                    new,
                }),
                Err(e) => blessing
                    .errors
                    .push(format!("test `{}`: {e}", test.test.name)),
            }
        }
    }
    let mut drifted = Vec::new();
    for test in &prepared.tests {
        if let (TestSource::Generated { sha256, .. }, Some(digest)) =
            (&test.test.source, &test.digest)
            && sha256.as_deref() != Some(digest.as_str())
        {
            drifted.push((test.test.name.clone(), sha256.clone(), digest.clone()));
        }
    }
    if !drifted.is_empty() {
        let digests: Vec<(String, String)> = drifted
            .iter()
            .map(|(name, _, digest)| (name.clone(), digest.clone()))
            .collect();
        match gavel_exercise::bless::record_digests(&exercise.dir, &digests) {
            Ok(path) => {
                for (test, old, new) in drifted {
                    blessing.changes.push(BlessedChange {
                        test,
                        kind: BlessedKind::Sha256,
                        file: relative(&path),
                        old,
                        new,
                        diff: Vec::new(),
                    });
                }
            }
            Err(e) => blessing.errors.push(e.to_string()),
        }
    }
    Ok(blessing)
}

/// Margins, generated tests' drift, and hidden tests' names.
fn check_tests(exercise: &Exercise, prepared: &Prepared, check: &mut ExerciseCheck) {
    for test in &prepared.tests {
        if let Some(reference_fuel) = test.reference_fuel {
            let margin = test.limits.fuel as f64 / reference_fuel.max(1) as f64;
            if margin < exercise.limits.fuel_margin {
                check.warnings.push(format!(
                    "test `{}`: fuel budget {} is only {margin:.2}x the reference's {reference_fuel} (declared margin {}x)",
                    test.test.name, test.limits.fuel, exercise.limits.fuel_margin
                ));
            }
            check.margins.push(MarginCheck {
                test: test.test.name.clone(),
                reference_fuel,
                fuel_limit: test.limits.fuel,
                margin,
            });
        }
        if let (
            TestSource::Generated {
                sha256: recorded, ..
            },
            Some(digest),
        ) = (&test.test.source, &test.digest)
        {
            match recorded {
                None => check.warnings.push(format!(
                    "generated test `{}` has no recorded digest; add `sha256 = \"{digest}\"` to its [[generated]] entry",
                    test.test.name
                )),
                Some(r) if r != digest => check.fail(format!(
                    "generated test `{}` drifted: it now hashes to {digest}, but {r} is recorded (did the generator or the reference change?)",
                    test.test.name
                )),
                Some(_) => {}
            }
            check.generated.push(GeneratedCheck {
                test: test.test.name.clone(),
                sha256: digest.clone(),
                recorded: recorded.clone(),
                ok: recorded.as_deref().is_none_or(|r| r == digest),
            });
        }
        if test.test.visibility == Visibility::Hidden
            && let Some(token) = name_reveals_input(&test.test.name, &test.data)
        {
            check.warnings.push(format!(
                "hidden test `{}`: its name contains `{token}`, which is in its input; a name a candidate sees must not give the input away",
                test.test.name
            ));
        }
    }
}

/// The words of a test's name after its leading ordinal (`07-20` → `20`).
fn name_words(name: &str) -> Vec<String> {
    let mut words: Vec<String> = name
        .split(['-', '_', '.'])
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    if words.len() > 1 && words[0].bytes().all(|b| b.is_ascii_digit()) {
        words.remove(0);
    }
    words
}

fn input_words(data: &TestData) -> Vec<String> {
    fn scalars(value: &serde_json::Value, out: &mut Vec<String>) {
        match value {
            serde_json::Value::Array(items) => items.iter().for_each(|v| scalars(v, out)),
            serde_json::Value::Object(map) => map.iter().for_each(|(k, v)| {
                out.push(k.to_lowercase());
                scalars(v, out);
            }),
            serde_json::Value::String(s) => out.extend(s.split_whitespace().map(str::to_lowercase)),
            other => out.push(other.to_string()),
        }
    }
    match data {
        TestData::Stdio { stdin, .. } => String::from_utf8_lossy(stdin)
            .split_whitespace()
            .map(str::to_lowercase)
            .collect(),
        TestData::Function { args, .. } => {
            let mut out = Vec::new();
            if let Ok(value) = serde_json::from_str(args) {
                scalars(&value, &mut out);
            }
            out
        }
    }
}

/// A word of the test's name that is also a word of its input, if any.
pub fn name_reveals_input(name: &str, data: &TestData) -> Option<String> {
    let input: std::collections::HashSet<String> = input_words(data).into_iter().collect();
    name_words(name).into_iter().find(|w| input.contains(w))
}

/// `gavel check`'s directories: every exercise of a catalog, or given paths.
pub fn load_targets(
    dirs: &[PathBuf],
    settings: &gavel_exercise::manifest::CatalogManifest,
) -> CheckTargets {
    let mut targets = CheckTargets::default();
    for dir in dirs {
        match gavel_exercise::load_with(dir, settings) {
            Ok(exercise) => targets.exercises.push(Arc::new(exercise)),
            Err(errors) => {
                let id = dir.file_name().map_or_else(
                    || dir.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                );
                targets.broken.push((
                    id,
                    errors
                        .0
                        .iter()
                        .map(|e| format!("does not load: {e}"))
                        .collect(),
                ));
            }
        }
    }
    targets
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn stdio(input: &str) -> TestData {
        TestData::Stdio {
            stdin: Bytes::copy_from_slice(input.as_bytes()),
            files: Arc::new([]),
            expected: "".into(),
        }
    }

    #[test]
    fn a_name_made_of_its_input_is_found() {
        assert_eq!(
            name_reveals_input("07-20", &stdio("20\n")),
            Some("20".to_owned())
        );
        assert_eq!(name_reveals_input("04-negative", &stdio("-3 4\n")), None);
        // The leading ordinal is not a word of the name.
        assert_eq!(name_reveals_input("20-large", &stdio("20\n")), None);
        let call = TestData::Function {
            args: "[[2, 7], \"Racecar\"]".into(),
            expected: Arc::new(serde_json::Value::Null),
        };
        assert_eq!(
            name_reveals_input("05-racecar", &call),
            Some("racecar".to_owned())
        );
        assert_eq!(name_reveals_input("05-pair", &call), None);
    }
}
