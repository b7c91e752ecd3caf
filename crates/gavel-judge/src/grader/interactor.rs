//! The interactor grader: the program and the exercise's interactor
//! (`interactor.py`, or one in C or C++ under its convention), each in its
//! own sandbox run, talk over pipes; the interactor judges.

use super::By;
use crate::evaluate::{Evaluation, evaluate_interaction, internal_error};
use crate::native::{Ready, convention};
use crate::prepare::{Prepared, ResolvedTest};
use crate::runner::Runner;
use gavel_sandbox::{Interaction, Job};

pub(super) async fn grade(
    runner: &Runner,
    prepared: &Prepared,
    test: &ResolvedTest,
    job: &Job,
    by: By<'_>,
) -> Evaluation {
    let Some(interactor) = prepared.interactor_job(test) else {
        return internal_error(test, "an interactive test without an interactor".to_owned());
    };
    let file = by.file("interactor.py");
    match runner.interact(job, &interactor).await {
        Ok(interaction) => match by {
            By::Python => evaluate_interaction(test, &interaction, file, None),
            By::Native(ready) => {
                let (interaction, failure) = decided(ready, interaction, test.test.points);
                evaluate_interaction(test, &interaction, file, failure)
            }
        },
        Err(e) => internal_error(test, format!("the judge failed: {e}")),
    }
}

/// A native interactor's decision, read from its convention, put where a
/// Python interactor's is (a deadlock is the program's, and decides
/// nothing); the author's failure when it did not decide.
fn decided(
    ready: &Ready,
    mut interaction: Interaction,
    points: u32,
) -> (Interaction, Option<String>) {
    if interaction.deadlock {
        return (interaction, None);
    }
    match convention::decide(ready, &interaction.interactor, points) {
        Ok(decision) => {
            interaction.interactor.decision = Some(decision);
            (interaction, None)
        }
        Err(failure) => (interaction, Some(failure)),
    }
}
