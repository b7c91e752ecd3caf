//! `gavel check` of exercises: the reference is accepted on every test,
//! every known-bad solution gets its declared verdict, generated tests have
//! not drifted, every test's fuel budget keeps its margin, and no hidden
//! test's name gives its input away; with `[complexity]`, the reference
//! follows the declared class.

use super::CheckTargets;
use crate::error::JudgeError;
use crate::judge::{Judge, Options};
use crate::prepare::{Prepared, Selection};
use crate::result::{Efficiency, EfficiencyStatus, TestResult};
use gavel_exercise::{Disclosure, Exercise, TestData, TestSource, Verdict, Visibility};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Instant;

/// What checking reports while it runs, for a progress display.
pub trait CheckProgress: Send + Sync {
    /// An exercise was checked.
    fn checked(&self, check: &ExerciseCheck);
}

impl CheckProgress for crate::Silent {
    fn checked(&self, _check: &ExerciseCheck) {}
}

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
    /// Its complexity, for an exercise with `[complexity]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complexity: Option<Efficiency>,
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
    /// The reference's complexity, for an exercise with `[complexity]`: it
    /// must be the declared class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complexity: Option<Efficiency>,
    /// A test-writing exercise's mutants: made, and left out as equivalent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mutants: Option<crate::MutantCount>,
    /// How long checking it took, in seconds.
    pub seconds: f64,
}

/// The result of `gavel check` over a catalog (or some of its exercises).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CatalogCheck {
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
            complexity: None,
            mutants: None,
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

/// Checks every target, exercises concurrently (runs share the judge's
/// slots), reporting each as it is done. A failure of the judge itself (the
/// sandbox) is an `Err`; everything wrong with an exercise is in the report.
pub async fn check(
    judge: &Judge,
    targets: CheckTargets,
    progress: &dyn CheckProgress,
) -> Result<CatalogCheck, JudgeError> {
    let mut checks = Vec::new();
    for (id, errors) in targets.broken {
        let check = ExerciseCheck::not_loaded(id, errors);
        progress.checked(&check);
        checks.push(check);
    }
    let mut tasks = tokio::task::JoinSet::new();
    for exercise in targets.exercises {
        let judge = judge.clone();
        tasks.spawn(async move { check_exercise(&judge, exercise).await });
    }
    while let Some(joined) = tasks.join_next().await {
        let check = joined.map_err(JudgeError::panicked)??;
        progress.checked(&check);
        checks.push(check);
    }
    checks.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(CatalogCheck {
        ok: checks.iter().all(|c| c.ok),
        exercises: checks,
    })
}

/// The reference must be accepted on every test (a fixed budget may do
/// without one, which is said).
async fn check_reference(
    judge: &Judge,
    exercise: &Exercise,
    prepared: &Arc<Prepared>,
    options: Options,
    check: &mut ExerciseCheck,
) {
    match &exercise.reference {
        Some(reference) => {
            let result = judge
                .judge(prepared, reference.clone(), options, &crate::Silent)
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
        // A budget fixed in the manifest needs no reference to measure
        // against (an imported package whose accepted solutions are not
        // Python); that nothing shows the tests can be passed is said.
        None if exercise.limits.fuel.is_some() => check.warnings.push(
            "no reference solution (solution.py): every test has the fixed budget of \
             [limits] fuel, and no known solution shows the tests can be passed"
                .to_owned(),
        ),
        None => check.fail("no reference solution (solution.py)".to_owned()),
    }
}

async fn check_exercise(
    judge: &Judge,
    exercise: Arc<Exercise>,
) -> Result<ExerciseCheck, JudgeError> {
    let started = Instant::now();
    let mut check = ExerciseCheck::new(exercise.id.clone());
    let prepared = match judge.prepare(exercise.clone(), Selection::All).await {
        Ok(prepared) => Arc::new(prepared),
        Err(JudgeError::Exercise { failure, .. }) => {
            check.fail(failure.to_string());
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
    check_reference(judge, &exercise, &prepared, options, &mut check).await;
    check_tests(&exercise, &prepared, &mut check);
    check_complexity(&prepared, &mut check);
    if let Some(mutants) = prepared.mutants {
        if mutants.equivalent > 0 {
            check.warnings.push(format!(
                "{} of {} mutants are left out as equivalent: solution.py does not catch them",
                mutants.equivalent, mutants.generated
            ));
        }
        if mutants.generated == mutants.equivalent {
            check.fail("[suite] mutants: no mutant is caught by solution.py; set `mutants = false` or strengthen it".to_owned());
        }
        check.mutants = Some(mutants);
    }
    for bad in &exercise.known_bad {
        let result = judge
            .judge(&prepared, bad.source.clone(), options, &crate::Silent)
            .await;
        let ok = result.verdict == bad.expected;
        if !ok {
            check.fail(format!(
                "{} must get {} but got {}",
                bad.file, bad.expected, result.verdict
            ));
        }
        if let Some(efficiency) = &result.complexity
            && bad.expected == Verdict::TimeLimit
            && matches!(
                efficiency.status,
                EfficiencyStatus::AsExpected | EfficiencyStatus::Better
            )
        {
            check.warnings.push(format!(
                "{} is declared too slow, but its measured class is as good as the reference's ({})",
                bad.file, efficiency.summary
            ));
        }
        check.known_bad.push(KnownBadCheck {
            file: bad.file.clone(),
            expected: bad.expected,
            got: result.verdict,
            ok,
            complexity: result.complexity,
        });
    }
    check.seconds = started.elapsed().as_secs_f64();
    Ok(check)
}

/// The reference must follow the declared class on the `[complexity]`
/// sizes, which must tell that class from its neighbours.
fn check_complexity(prepared: &Prepared, check: &mut ExerciseCheck) {
    let Some(inputs) = &prepared.complexity else {
        return;
    };
    let measured = crate::complexity::reference(inputs);
    match measured.status {
        EfficiencyStatus::AsExpected => {}
        EfficiencyStatus::Inconclusive => check.fail(format!(
            "[complexity]: the sizes cannot tell the reference's class apart ({}); widen or add sizes",
            measured.summary
        )),
        _ => check.fail(format!(
            "[complexity]: the reference does not follow the declared class ({})",
            measured.summary
        )),
    }
    check.complexity = Some(measured);
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
