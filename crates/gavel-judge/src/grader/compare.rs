//! The default grader: the answer compared with the expected one.

use crate::evaluate::{Evaluation, evaluate, internal_error};
use crate::prepare::ResolvedTest;
use crate::runner::Runner;
use gavel_sandbox::Job;

pub(super) async fn grade(runner: &Runner, test: &ResolvedTest, job: &Job) -> Evaluation {
    match runner.run(job).await {
        Ok(report) => evaluate(test, &report, None),
        Err(e) => internal_error(test, format!("the judge failed: {e}")),
    }
}
