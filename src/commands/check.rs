//! `gavel check`: validates exercises for CI. Every exercise loads strictly,
//! its reference solution is accepted on every test, every known-bad solution
//! gets its declared verdict, generated tests have not drifted, and every
//! test's fuel budget keeps its declared margin over the reference.

use super::Context;
use crate::cli::CheckArgs;
use crate::exit::Code;
use anyhow::Result;
use console::style;
use gavel_exercise::{Exercise, TestData, Verdict};
use gavel_judge::report::junit;
use gavel_judge::{Judge, JudgeError, Options, Selection};
use serde::Serialize;
use std::sync::Arc;

#[derive(Debug, Serialize)]
struct ReferenceCheck {
    verdict: Verdict,
    failed_tests: Vec<String>,
}

#[derive(Debug, Serialize)]
struct KnownBadCheck {
    file: String,
    expected: Verdict,
    got: Verdict,
    ok: bool,
}

#[derive(Debug, Serialize)]
struct MarginCheck {
    test: String,
    reference_fuel: u64,
    fuel_limit: u64,
    margin: f64,
}

#[derive(Debug, Serialize)]
struct GeneratedCheck {
    test: String,
    sha256: String,
    recorded: Option<String>,
    ok: bool,
}

#[derive(Debug, Serialize)]
struct ExerciseCheck {
    id: String,
    ok: bool,
    errors: Vec<String>,
    warnings: Vec<String>,
    reference: Option<ReferenceCheck>,
    known_bad: Vec<KnownBadCheck>,
    generated: Vec<GeneratedCheck>,
    margins: Vec<MarginCheck>,
}

impl ExerciseCheck {
    fn new(id: String) -> Self {
        ExerciseCheck {
            id,
            ok: true,
            errors: Vec::new(),
            warnings: Vec::new(),
            reference: None,
            known_bad: Vec::new(),
            generated: Vec::new(),
            margins: Vec::new(),
        }
    }

    fn fail(&mut self, message: String) {
        self.ok = false;
        self.errors.push(message);
    }
}

pub fn execute(context: &Context, args: CheckArgs) -> Result<Code> {
    let dirs = if args.paths.is_empty() {
        gavel_exercise::exercise_dirs(&context.catalog_dir())?
    } else {
        args.paths.clone()
    };
    let judge = context.judge()?;
    let progress = crate::ui::Progress::new(dirs.len() as u64, "checking");
    let mut checks = Vec::new();
    for dir in &dirs {
        let id = dir.file_name().map_or_else(
            || dir.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        progress.set_message(&id);
        let check = match gavel_exercise::load(dir) {
            Ok(exercise) => context
                .runtime
                .block_on(check_exercise(&judge, Arc::new(exercise)))?,
            Err(e) => {
                let mut check = ExerciseCheck::new(id);
                check.fail(format!("does not load: {e}"));
                check
            }
        };
        if !args.json {
            progress.println(&line(&check));
        }
        progress.inc();
        checks.push(check);
    }
    progress.finish();
    let ok = checks.iter().all(|c| c.ok);
    if let Some(path) = &args.junit {
        let suites: Vec<junit::Case> = checks
            .iter()
            .map(|c| junit::Case {
                class: "gavel.check".to_owned(),
                name: c.id.clone(),
                failure: (!c.ok).then(|| c.errors.join("\n")),
                time_s: 0.0,
            })
            .collect();
        junit::write(path, "gavel check", &suites)?;
    }
    if args.json {
        let value = serde_json::json!({ "ok": ok, "exercises": checks });
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        let failed = checks.iter().filter(|c| !c.ok).count();
        let summary = format!("{} exercises checked, {} failed", checks.len(), failed);
        if ok {
            eprintln!("{}", style(summary).green().bold());
        } else {
            eprintln!("{}", style(summary).red().bold());
        }
    }
    Ok(Code::from_accepted(ok))
}

fn line(check: &ExerciseCheck) -> String {
    let mark = if check.ok {
        style("ok  ").green().bold()
    } else {
        style("FAIL").red().bold()
    };
    let reference = check
        .reference
        .as_ref()
        .map_or("-".to_owned(), |r| r.verdict.code().to_owned());
    let bad_ok = check.known_bad.iter().filter(|k| k.ok).count();
    let min_margin = check
        .margins
        .iter()
        .map(|m| m.margin)
        .fold(f64::INFINITY, f64::min);
    let margin = if min_margin.is_finite() {
        format!("{min_margin:.1}x")
    } else {
        "-".to_owned()
    };
    let mut text = format!(
        "{mark} {:<28} reference {reference:<3} known-bad {bad_ok}/{} as declared · min fuel margin {margin}",
        check.id,
        check.known_bad.len(),
    );
    for error in &check.errors {
        text.push_str(&format!("\n       {} {error}", style("error:").red()));
    }
    for warning in &check.warnings {
        text.push_str(&format!(
            "\n       {} {warning}",
            style("warning:").yellow()
        ));
    }
    text
}

async fn check_exercise(judge: &Judge, exercise: Arc<Exercise>) -> Result<ExerciseCheck> {
    let mut check = ExerciseCheck::new(exercise.id.clone());
    let prepared = match judge.prepare(exercise.clone(), Selection::All).await {
        Ok(prepared) => prepared,
        Err(JudgeError::Exercise { message, .. }) => {
            check.fail(message);
            return Ok(check);
        }
        Err(e) => return Err(e.into()),
    };
    let Some(reference) = &exercise.reference else {
        check.fail("no reference solution (solution.py)".to_owned());
        return Ok(check);
    };
    let result = judge.judge(&prepared, reference, Options::default()).await;
    let failed_tests: Vec<String> = result
        .tests
        .iter()
        .filter(|t| t.verdict != Verdict::Accepted)
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
    });

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
            TestData::Generated {
                sha256: recorded, ..
            },
            Some(digest),
        ) = (&test.test.data, &test.digest)
        {
            let ok = recorded.as_deref().is_none_or(|r| r == digest);
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
                ok,
            });
        }
    }

    for bad in &exercise.known_bad {
        let source = std::fs::read(&bad.path)?;
        let result = judge.judge(&prepared, &source, Options::default()).await;
        let file = bad
            .path
            .strip_prefix(&exercise.dir)
            .unwrap_or(&bad.path)
            .display()
            .to_string();
        let ok = result.verdict == bad.expected;
        if !ok {
            check.fail(format!(
                "{file} must get {} but got {}",
                bad.expected, result.verdict
            ));
        }
        check.known_bad.push(KnownBadCheck {
            file,
            expected: bad.expected,
            got: result.verdict,
            ok,
        });
    }
    Ok(check)
}
