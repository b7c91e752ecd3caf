//! The grader of test-writing exercises: the candidate's suite runs (in
//! gavel's harness) against one implementation. On the correct one every
//! test must pass; a buggy one (a chaff or a mutant) is caught when some
//! test fails or raises — or when the run exceeds a limit, as mutation tools
//! count a timeout.

use crate::evaluate::{Evaluation, evaluate, internal_error};
use crate::prepare::{Prepared, ResolvedTest};
use crate::runner::Runner;
use crate::suite::SuiteReport;
use gavel_exercise::Verdict;
use gavel_exercise::suite::CORRECT;
use gavel_sandbox::{Decision, Job, Outcome, RunResult};

pub(super) async fn grade(
    runner: &Runner,
    prepared: &Prepared,
    test: &ResolvedTest,
    job: &Job,
) -> Evaluation {
    match runner.run(job).await {
        Ok(report) => judge(prepared, test, &report),
        Err(e) => internal_error(test, format!("the judge failed: {e}")),
    }
}

fn judge(prepared: &Prepared, test: &ResolvedTest, report: &RunResult) -> Evaluation {
    let correct = test.test.name == CORRECT;
    let described = prepared
        .exercise
        .suite
        .as_ref()
        .and_then(|s| s.chaff_of(&test.test.name))
        .map(|c| c.description.clone());
    let suite = SuiteReport::parse(report.return_json.as_deref());
    let decision = match (&report.outcome, suite) {
        (Outcome::Ok, None) => Err("the suite harness returned nothing".to_owned()),
        (Outcome::Ok, Some(suite)) if correct => Ok(on_correct(&suite)),
        (Outcome::Ok, Some(suite)) => Ok(on_bug(&suite, described.as_deref())),
        // Not Ok: the run's own end decides (below).
        _ => Ok(Decision::Accepted {
            feedback: String::new(),
        }),
    };
    let mut evaluation = evaluate(test, report, Some(decision));
    let result = &mut evaluation.full;
    // The harness's call and return value are not the candidate's business.
    result.expected = None;
    result.returned = None;
    result.hint = None;
    result.reason = None;
    let past_limit = matches!(
        result.verdict,
        Verdict::RuntimeError | Verdict::TimeLimit | Verdict::MemoryLimit | Verdict::OutputLimit
    );
    if !correct && past_limit {
        let why = format!(
            "caught: your tests ended it with {} (a run that fails or exceeds a limit catches the bug)",
            result.verdict.name()
        );
        result.verdict = Verdict::Accepted;
        result.points = f64::from(result.max_points);
        result.limit = None;
        result.error = None;
        result.message = Some(match &described {
            Some(bug) => format!("{why} — {bug}"),
            None => why,
        });
    }
    evaluation
}

fn on_correct(suite: &SuiteReport) -> Decision {
    if suite.tests == 0 {
        return Decision::Wrong {
            message: "no tests found: write unittest.TestCase classes or test_* functions"
                .to_owned(),
        };
    }
    match suite.failures.as_slice() {
        [] => Decision::Accepted {
            feedback: format!("all {} tests pass on a correct implementation", suite.tests),
        },
        failures => {
            let shown: Vec<String> = failures
                .iter()
                .map(|f| format!("`{}`: {}", f.test, f.message))
                .collect();
            Decision::Wrong {
                message: format!(
                    "{} of your {} tests fail on a correct implementation: {}",
                    failures.len(),
                    suite.tests,
                    shown.join("; ")
                ),
            }
        }
    }
}

fn on_bug(suite: &SuiteReport, described: Option<&str>) -> Decision {
    let bug = described.map(|d| format!(" — {d}")).unwrap_or_default();
    match suite.failures.first() {
        Some(first) => Decision::Accepted {
            feedback: format!("caught by `{}`{bug}", first.test),
        },
        None => Decision::Wrong {
            message: format!("not caught: all {} tests pass{bug}", suite.tests),
        },
    }
}
