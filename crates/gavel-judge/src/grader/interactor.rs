//! The interactor grader: the program and the exercise's interactor, each in
//! its own sandbox run, talk over pipes; the interactor judges.

use crate::evaluate::{Evaluation, evaluate_interaction, internal_error};
use crate::prepare::{Prepared, ResolvedTest};
use crate::runner::Runner;
use gavel_sandbox::Job;

pub(super) async fn grade(
    runner: &Runner,
    prepared: &Prepared,
    test: &ResolvedTest,
    job: &Job,
) -> Evaluation {
    let Some(interactor) = prepared.interactor_job(test) else {
        return internal_error(test, "an interactive test without an interactor".to_owned());
    };
    match runner.interact(job, &interactor).await {
        Ok(interaction) => evaluate_interaction(test, &interaction, "interactor.py", None),
        Err(e) => internal_error(test, format!("the judge failed: {e}")),
    }
}
