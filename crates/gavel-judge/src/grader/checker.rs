//! The checker grader: a run that ends normally has its answer judged by the
//! exercise's checker (`checker.py`, or one in C or C++ under its
//! convention), in a sandbox run of its own that sees only the input, the
//! expected answer and the answer (never the submission's sandbox).

use super::By;
use crate::evaluate::{Evaluation, author_failure, evaluate, internal_error};
use crate::native::convention;
use crate::prepare::{Prepared, ResolvedTest};
use crate::runner::Runner;
use gavel_exercise::TestData;
use gavel_sandbox::{Job, Outcome};

pub(super) async fn grade(
    runner: &Runner,
    prepared: &Prepared,
    test: &ResolvedTest,
    job: &Job,
    by: By<'_>,
) -> Evaluation {
    let report = match runner.run(job).await {
        Ok(report) => report,
        Err(e) => return internal_error(test, format!("the judge failed: {e}")),
    };
    let answer: &[u8] = match (&report.outcome, &test.data) {
        (Outcome::Ok, TestData::Function { .. }) => {
            report.return_json.as_deref().unwrap_or("null").as_bytes()
        }
        (Outcome::Ok, TestData::Stdio { .. }) => &report.stdout,
        // A run that did not end normally has no answer to check.
        _ => return evaluate(test, &report, None),
    };
    let checker = match by {
        By::Python => prepared.checker_job(test, &String::from_utf8_lossy(answer)),
        // A native checker reads the answer's bytes as they were written.
        By::Native(_) => prepared.native_checker_job(test, answer),
    };
    let Some(checker) = checker else {
        return evaluate(test, &report, None);
    };
    let file = by.file("checker.py");
    let decision = match runner.run(&checker).await {
        Ok(checked) => match by {
            By::Python => checked
                .decision
                .ok_or_else(|| author_failure(file, &checked.outcome)),
            By::Native(ready) => convention::decide(ready, &checked, test.test.points),
        },
        Err(e) => {
            return internal_error(test, format!("the judge failed running {file}: {e}"));
        }
    };
    evaluate(test, &report, Some(decision))
}
