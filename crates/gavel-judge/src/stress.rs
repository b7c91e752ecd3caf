//! `gavel stress`, for exercise authors: the reference and a brute-force
//! solution on generated inputs of growing size until they disagree, then
//! the smallest input that still shows it.
//!
//! Inputs come from the exercise's generator with an arguments template
//! (`{n}`, `{seed}`; by default `[complexity]`'s). Sizes double from the smallest to
//! the largest asked for, every seed at each size; the first size where the
//! brute force is not accepted on the reference's answer (a different
//! answer, an exception, a limit) — or where the reference itself fails —
//! is then **shrunk**: each size between the last one that agreed and it is
//! tried, smallest first, and of the first that disagrees the shortest
//! input is kept. Everything is deterministic for the same seeds: the
//! generator's randomness comes from its arguments.
//!
//! Each round is an ordinary exercise of generated tests, prepared and
//! judged as any other (a checker decides where the exercise has one), so a
//! disagreement is a test result, shown in full: this is for the author.

use crate::error::JudgeError;
use crate::judge::{Judge, Options};
use crate::prepare::Selection;
use crate::result::TestResult;
use bytes::Bytes;
use gavel_exercise::manifest::generator_args;
use gavel_exercise::{Disclosure, Exercise, Test, TestData, TestSource, Verdict, Visibility};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// What to try.
#[derive(Debug, Clone)]
pub struct StressOptions {
    /// Seeds `1..=seeds` at each size.
    pub seeds: u64,
    /// The smallest size (a generator may need a few elements).
    pub min_size: u64,
    /// The largest size.
    pub max_size: u64,
    /// The generator's arguments (`{n}`, `{seed}`); `None`: `[complexity]`'s.
    pub args: Option<String>,
}

/// Why an exercise cannot be stress-tested.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StressRefusal {
    /// No generator.
    #[error("exercise `{0}` has no generator.py to make inputs with")]
    NoGenerator(String),
    /// No reference.
    #[error("exercise `{0}` has no reference solution to compare with")]
    NoReference(String),
    /// Interactive exercises are judged by their interactor, not an answer.
    #[error("exercise `{0}` is interactive: its interactor decides, there is no answer to compare")]
    Interactive(String),
    /// No template, or one without `{n}`.
    #[error(
        "exercise `{0}`: give the generator's arguments with --args (with `{{n}}` for the size, and `{{seed}}`), or declare [complexity]"
    )]
    NoTemplate(String),
    /// Nothing to try.
    #[error("--seeds and --min-size must be at least 1, and --max-size at least --min-size")]
    Empty,
}

/// What `gavel stress` found (`--json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StressReport {
    /// The exercise.
    pub exercise: String,
    /// The generator's arguments template used.
    pub args: String,
    /// How many inputs were tried, shrinking included.
    pub tried: usize,
    /// The largest size tried before a disagreement (or at all).
    pub largest_size: u64,
    /// The smallest disagreement, if any.
    pub found: Option<Disagreement>,
}

/// A generated input on which the brute force and the reference disagree.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Disagreement {
    /// Its size.
    pub n: u64,
    /// Its seed.
    pub seed: u64,
    /// The generator's arguments that make it.
    pub args: String,
    /// Where the growing sizes first disagreed, before shrinking.
    pub first_found: SizeSeed,
    /// The brute force's result on it, in full (`None` when the reference
    /// itself failed).
    pub brute: Option<TestResult>,
    /// When the reference (or the generator) failed on it: how.
    pub reference_failed: Option<String>,
    /// A test file to save under `tests/`, when the reference answered.
    pub test_files: Vec<TestFile>,
}

/// A size and a seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SizeSeed {
    /// The size.
    pub n: u64,
    /// The seed.
    pub seed: u64,
}

/// A file of a ready-to-save test.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TestFile {
    /// Its name (`stress-n3-s1.json`, or `.in` and `.out`).
    pub name: String,
    /// Its contents.
    pub contents: String,
}

/// What stress testing reports while it runs.
pub trait StressProgress: Send + Sync {
    /// Size `n` is being tried (`shrinking`: after a disagreement).
    fn trying(&self, n: u64, shrinking: bool);
}

impl StressProgress for crate::Silent {
    fn trying(&self, _n: u64, _shrinking: bool) {}
}

/// The sizes tried while growing: `min`, twice it, four times, … and
/// `max` itself.
pub fn growth(min: u64, max: u64) -> Vec<u64> {
    let mut sizes: Vec<u64> = std::iter::successors(Some(min.max(1)), |n| n.checked_mul(2))
        .take_while(|&n| n < max)
        .collect();
    sizes.push(max.max(min).max(1));
    sizes
}

/// The sizes tried while shrinking a disagreement found at `found`, after
/// `agreed` (the largest size that agreed, 0 if none): every size between,
/// smallest first.
pub fn shrink_sizes(agreed: u64, found: u64) -> Vec<u64> {
    (agreed + 1..found).collect()
}

/// How one size went.
enum Round {
    /// Every seed agreed.
    Agreed,
    /// Some seed did not: the one with the shortest input.
    Disagreed(Box<Disagreement>),
}

/// Runs the reference and `brute` on growing inputs until they disagree,
/// then shrinks. A failing brute force is a finding, not an `Err`; `Err`
/// is the judge's own failure.
pub async fn stress(
    judge: &Judge,
    exercise: Arc<Exercise>,
    brute: Bytes,
    options: &StressOptions,
    progress: &dyn StressProgress,
) -> Result<Result<StressReport, StressRefusal>, JudgeError> {
    let template = match check(&exercise, options) {
        Ok(template) => template,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let mut report = StressReport {
        exercise: exercise.id.clone(),
        args: template.clone(),
        tried: 0,
        largest_size: 0,
        found: None,
    };
    let mut agreed = options.min_size.saturating_sub(1);
    for n in growth(options.min_size, options.max_size) {
        progress.trying(n, false);
        report.tried += options.seeds as usize;
        report.largest_size = n;
        if let Round::Disagreed(found) =
            round(judge, &exercise, &template, &brute, n, options.seeds).await?
        {
            let first_found = SizeSeed {
                n: found.n,
                seed: found.seed,
            };
            let mut smallest = found;
            for m in shrink_sizes(agreed, n) {
                progress.trying(m, true);
                report.tried += options.seeds as usize;
                if let Round::Disagreed(shrunk) =
                    round(judge, &exercise, &template, &brute, m, options.seeds).await?
                {
                    smallest = shrunk;
                    break;
                }
            }
            smallest.first_found = first_found;
            report.found = Some(*smallest);
            return Ok(Ok(report));
        }
        agreed = n;
    }
    Ok(Ok(report))
}

fn check(exercise: &Exercise, options: &StressOptions) -> Result<String, StressRefusal> {
    let id = || exercise.id.clone();
    if options.seeds == 0 || options.min_size == 0 || options.max_size < options.min_size {
        return Err(StressRefusal::Empty);
    }
    if exercise.generator.is_none() {
        return Err(StressRefusal::NoGenerator(id()));
    }
    if exercise.reference.is_none() {
        return Err(StressRefusal::NoReference(id()));
    }
    if exercise.interactor.is_some() {
        return Err(StressRefusal::Interactive(id()));
    }
    let template = options.args.clone().or_else(|| {
        exercise
            .manifest
            .complexity
            .as_ref()
            .map(|c| c.args.clone())
    });
    match template {
        Some(template) if template.contains("{n}") => Ok(template),
        _ => Err(StressRefusal::NoTemplate(id())),
    }
}

fn test_name(n: u64, seed: u64) -> String {
    format!("stress-n{n}-s{seed}")
}

/// The exercise with only the generated tests of size `n` (one per seed),
/// public, a point each, no groups and no complexity measurement.
fn round_exercise(exercise: &Exercise, template: &str, n: u64, seeds: u64) -> Exercise {
    let comparison = exercise
        .tests
        .iter()
        .find(|t| matches!(t.source, TestSource::Generated { .. }))
        .or(exercise.tests.first())
        .map(|t| t.comparison.clone())
        .unwrap_or_default();
    let mut round = exercise.clone();
    round.groups.clear();
    round.manifest.complexity = None;
    round.tests = (1..=seeds)
        .map(|seed| Test {
            name: test_name(n, seed),
            visibility: Visibility::Public,
            points: 1,
            group: None,
            comparison: comparison.clone(),
            fuel: None,
            source: TestSource::Generated {
                args: generator_args(template, n, seed),
                sha256: None,
            },
        })
        .collect();
    round
}

async fn round(
    judge: &Judge,
    exercise: &Arc<Exercise>,
    template: &str,
    brute: &Bytes,
    n: u64,
    seeds: u64,
) -> Result<Round, JudgeError> {
    let prepared = match judge
        .prepare(
            Arc::new(round_exercise(exercise, template, n, seeds)),
            Selection::All,
        )
        .await
    {
        Ok(prepared) => Arc::new(prepared),
        Err(JudgeError::Exercise { failure, .. }) => {
            return reference_failed(judge, exercise, template, n, seeds, &failure).await;
        }
        Err(e) => return Err(e),
    };
    let options = Options {
        disclosure: Some(Disclosure::Full),
        ..Options::default()
    };
    let result = judge
        .judge(&prepared, brute.clone(), options, &crate::Silent)
        .await;
    if let Some(error) = &result.compile_error {
        // The brute force does not compile: every size disagrees alike.
        let mut brute = TestResult::bare(
            test_name(n, 1),
            Visibility::Public,
            None,
            Verdict::CompileError,
            0.0,
            1,
        );
        brute.error = Some(error.clone());
        return Ok(Round::Disagreed(Box::new(Disagreement {
            n,
            seed: 1,
            args: generator_args(template, n, 1),
            first_found: SizeSeed { n, seed: 1 },
            brute: Some(brute),
            reference_failed: None,
            test_files: Vec::new(),
        })));
    }
    let shortest = result
        .tests
        .iter()
        .zip(&prepared.tests)
        .zip(1..)
        .filter(|((test, _), _)| !test.accepted())
        .min_by_key(|((_, resolved), seed)| (resolved.data.input_text().len(), *seed));
    Ok(match shortest {
        None => Round::Agreed,
        Some(((test, resolved), seed)) => Round::Disagreed(Box::new(Disagreement {
            n,
            seed,
            args: generator_args(template, n, seed),
            first_found: SizeSeed { n, seed },
            brute: Some(test.clone()),
            reference_failed: None,
            test_files: test_files(&test.name, &resolved.data),
        })),
    })
}

/// The reference (or the generator) failed on some seed of size `n`: the
/// first seed it fails on, prepared alone.
async fn reference_failed(
    judge: &Judge,
    exercise: &Arc<Exercise>,
    template: &str,
    n: u64,
    seeds: u64,
    failure: &crate::error::ExerciseFailure,
) -> Result<Round, JudgeError> {
    for seed in 1..=seeds {
        let mut alone = round_exercise(exercise, template, n, seeds);
        alone.tests.retain(|t| t.name == test_name(n, seed));
        match judge.prepare(Arc::new(alone), Selection::All).await {
            Ok(_) => continue,
            Err(JudgeError::Exercise { failure, .. }) => {
                return Ok(Round::Disagreed(Box::new(Disagreement {
                    n,
                    seed,
                    args: generator_args(template, n, seed),
                    first_found: SizeSeed { n, seed },
                    brute: None,
                    reference_failed: Some(failure.to_string()),
                    test_files: Vec::new(),
                })));
            }
            Err(e) => return Err(e),
        }
    }
    // Only together did they fail (a limit shared by the round?): say so.
    Ok(Round::Disagreed(Box::new(Disagreement {
        n,
        seed: 1,
        args: generator_args(template, n, 1),
        first_found: SizeSeed { n, seed: 1 },
        brute: None,
        reference_failed: Some(failure.to_string()),
        test_files: Vec::new(),
    })))
}

/// The test as the exercise format stores it: `NAME.json` for a function
/// exercise, `NAME.in` and `NAME.out` for stdio.
fn test_files(name: &str, data: &TestData) -> Vec<TestFile> {
    match data {
        TestData::Function { args, expected } => {
            let args: serde_json::Value = serde_json::from_str(args)
                .unwrap_or_else(|_| serde_json::Value::String(args.to_string()));
            let test = serde_json::json!({"args": args, "expected": expected.as_ref()});
            vec![TestFile {
                name: format!("{name}.json"),
                contents: format!("{test}\n"),
            }]
        }
        TestData::Stdio {
            stdin, expected, ..
        } => vec![
            TestFile {
                name: format!("{name}.in"),
                contents: String::from_utf8_lossy(stdin).into_owned(),
            },
            TestFile {
                name: format!("{name}.out"),
                contents: expected.to_string(),
            },
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The search `stress` makes, over a predicate of (size, seed) instead
    /// of runs: growing, then shrinking between the last agreement and the
    /// first disagreement.
    fn search(max: u64, seeds: u64, fails: impl Fn(u64, u64) -> bool) -> Option<(u64, u64)> {
        let first = |n: u64| (1..=seeds).find(|&s| fails(n, s));
        let mut agreed = 0;
        for n in growth(1, max) {
            if let Some(seed) = first(n) {
                for m in shrink_sizes(agreed, n) {
                    if let Some(seed) = first(m) {
                        return Some((m, seed));
                    }
                }
                return Some((n, seed));
            }
            agreed = n;
        }
        None
    }

    #[test]
    fn sizes_double_up_to_the_largest_asked_for() {
        assert_eq!(growth(1, 1), [1]);
        assert_eq!(growth(1, 8), [1, 2, 4, 8]);
        assert_eq!(growth(1, 50), [1, 2, 4, 8, 16, 32, 50]);
        assert_eq!(growth(3, 20), [3, 6, 12, 20]);
        assert_eq!(shrink_sizes(2, 4), [3]);
        assert_eq!(shrink_sizes(16, 32), (17..32).collect::<Vec<_>>());
        assert!(shrink_sizes(0, 1).is_empty());
    }

    #[test]
    fn a_bug_from_size_three_shrinks_to_size_three() {
        assert_eq!(search(64, 3, |n, _| n >= 3), Some((3, 1)));
        assert_eq!(search(64, 3, |n, s| n >= 20 && s == 2), Some((20, 2)));
        assert_eq!(search(64, 3, |_, _| false), None);
        // Found at the largest size, where no doubling reaches.
        assert_eq!(search(50, 1, |n, _| n >= 45), Some((45, 1)));
    }

    #[test]
    fn a_stdio_disagreement_is_saved_as_in_and_out_files() {
        let data = TestData::Stdio {
            stdin: Bytes::from_static(b"3\n2 1 3\n"),
            files: Arc::new([]),
            expected: "1 2 3\n".into(),
        };
        let files = test_files("stress-n3-s1", &data);
        assert_eq!(files[0].name, "stress-n3-s1.in");
        assert_eq!(files[0].contents, "3\n2 1 3\n");
        assert_eq!(files[1].name, "stress-n3-s1.out");
        assert_eq!(files[1].contents, "1 2 3\n");
    }

    #[test]
    fn a_function_disagreement_is_saved_as_a_json_test_keeping_its_digits() {
        let data = TestData::Function {
            args: "[[1, 10000000000000000000001], 2]".into(),
            expected: Arc::new(serde_json::json!([0, 1])),
        };
        let files = test_files("stress-n2-s1", &data);
        assert_eq!(files[0].name, "stress-n2-s1.json");
        assert_eq!(
            files[0].contents,
            "{\"args\":[[1,10000000000000000000001],2],\"expected\":[0,1]}\n"
        );
    }
}
