//! The checker grader: a run that ends normally has its answer judged by the
//! exercise's checker, in a sandbox run of its own that sees only the input,
//! the expected answer and the answer (never the submission's sandbox).

use crate::evaluate::{Evaluation, author_failure, evaluate, internal_error};
use crate::prepare::{Prepared, ResolvedTest};
use crate::runner::Runner;
use gavel_exercise::TestData;
use gavel_sandbox::{Job, Outcome};

pub(super) async fn grade(
    runner: &Runner,
    prepared: &Prepared,
    test: &ResolvedTest,
    job: &Job,
) -> Evaluation {
    let report = match runner.run(job).await {
        Ok(report) => report,
        Err(e) => return internal_error(test, format!("the judge failed: {e}")),
    };
    let stdout = String::from_utf8_lossy(&report.stdout);
    let answer = match (&report.outcome, &test.data) {
        (Outcome::Ok, TestData::Function { .. }) => report.return_json.as_deref().unwrap_or("null"),
        (Outcome::Ok, TestData::Stdio { .. }) => &stdout,
        // A run that did not end normally has no answer to check.
        _ => return evaluate(test, &report, None),
    };
    let Some(checker) = prepared.checker_job(test, answer) else {
        return evaluate(test, &report, None);
    };
    let decision = match runner.run(&checker).await {
        Ok(checked) => match checked.decision {
            Some(decision) => Ok(decision),
            None => Err(author_failure("checker.py", &checked.outcome)),
        },
        Err(e) => {
            return internal_error(test, format!("the judge failed running checker.py: {e}"));
        }
    };
    evaluate(test, &report, Some(decision))
}
