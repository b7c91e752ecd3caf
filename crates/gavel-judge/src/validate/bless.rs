//! `gavel check --bless`: making an exercise's expectations its reference's.

use super::CheckTargets;
use crate::error::JudgeError;
use crate::judge::{Judge, Options};
use crate::prepare::{Prepared, ResolvedTest, Selection};
use crate::runner::Compiled;
use bytes::Bytes;
use gavel_exercise::{Disclosure, Exercise, TestData, TestSource, Verdict};
use gavel_sandbox::RunResult;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

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
        blessings.push(joined.map_err(JudgeError::panicked)??);
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
        Err(JudgeError::Exercise { failure, .. }) => {
            blessing.errors.push(failure.to_string());
            return Ok(blessing);
        }
        Err(e) => return Err(e),
    };
    let decides = match (&exercise.checker, &exercise.interactor, &exercise.native) {
        (Some(_), _, _) => Some("checker.py"),
        (_, Some(_), _) => Some("interactor.py"),
        (_, _, Some(native)) => Some(native.file.as_str()),
        _ => None,
    };
    if let Some(decides) = decides {
        blessing.notes.push(format!(
            "stored answers are left as they are: {decides} decides, and reads them as the author wrote them"
        ));
    } else {
        bless_stored(judge, &prepared, &reference, &mut blessing).await?;
    }
    bless_digests(&exercise, &prepared, &mut blessing);
    Ok(blessing)
}

/// A path of the exercise as the blessing shows it: relative to its directory.
fn relative(exercise: &Exercise, path: &std::path::Path) -> String {
    path.strip_prefix(&exercise.dir)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Gives each stored test the reference answers wrongly the reference's
/// output as its expected output.
async fn bless_stored(
    judge: &Judge,
    prepared: &Arc<Prepared>,
    reference: &Bytes,
    blessing: &mut Blessing,
) -> Result<(), JudgeError> {
    let exercise = &prepared.exercise;
    let options = Options {
        disclosure: Some(Disclosure::Full),
        ..Options::default()
    };
    let result = judge
        .judge(prepared, reference.clone(), options, &crate::Silent)
        .await;
    // Compiled only once a test is to be blessed (rarely).
    let mut code: Option<Bytes> = None;
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
                let compiled = match prepared.runner.compile(reference, test.limits).await {
                    Compiled::Code(compiled) => compiled,
                    Compiled::Error(_) => Bytes::new(),
                };
                code.insert(compiled).clone()
            }
        };
        let job = prepared.job(reference.clone(), code, test);
        let report = prepared.runner.run(&job).await?;
        let (old, new) = match reference_output(test, report) {
            Ok(values) => values,
            Err(why) => {
                blessing
                    .errors
                    .push(format!("test `{}`: {why}", test.test.name));
                continue;
            }
        };
        match gavel_exercise::bless::write_expected(exercise, &test.test, &new) {
            Ok(path) => blessing.changes.push(BlessedChange {
                test: test.test.name.clone(),
                kind: BlessedKind::Expected,
                file: relative(exercise, &path),
                diff: gavel_exercise::diff::diff_lines(&old, &new, Default::default()),
                old: Some(old),
                new,
            }),
            Err(e) => blessing
                .errors
                .push(format!("test `{}`: {e}", test.test.name)),
        }
    }
    Ok(())
}

/// A test's expected output and what the reference's run gave instead, as
/// its test file writes them; or why there is nothing to bless.
fn reference_output(test: &ResolvedTest, report: RunResult) -> Result<(String, String), String> {
    if !report.outcome.is_ok() {
        return Err(format!(
            "the reference's run for its output ended with {}",
            report.outcome
        ));
    }
    match (&test.data, &report.return_json) {
        (TestData::Function { expected, .. }, Some(returned)) => {
            // Both as the test file writes them, one per line.
            let shown = |value: &serde_json::Value| gavel_exercise::bless::json_text(value) + "\n";
            match serde_json::from_str::<serde_json::Value>(returned) {
                Ok(value) => Ok((shown(expected), shown(&value))),
                Err(_) => Ok((shown(expected), returned.clone())),
            }
        }
        (TestData::Stdio { expected, .. }, _) => match String::from_utf8(report.stdout) {
            Ok(stdout) => Ok((expected.to_string(), stdout)),
            Err(_) => Err("the reference printed bytes that are not UTF-8".to_owned()),
        },
        (TestData::Function { .. }, None) => {
            Err("the reference's run for its output returned nothing".to_owned())
        }
    }
}

/// Records the digest of each generated test that drifted (or has none).
fn bless_digests(exercise: &Exercise, prepared: &Prepared, blessing: &mut Blessing) {
    let mut drifted = Vec::new();
    for test in &prepared.tests {
        if let (TestSource::Generated { sha256, .. }, Some(digest)) =
            (&test.test.source, &test.digest)
            && sha256.as_deref() != Some(digest.as_str())
        {
            drifted.push((test.test.name.clone(), sha256.clone(), digest.clone()));
        }
    }
    if drifted.is_empty() {
        return;
    }
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
                    file: relative(exercise, &path),
                    old,
                    new,
                    diff: Vec::new(),
                });
            }
        }
        Err(e) => blessing.errors.push(e.to_string()),
    }
}
