//! The native graders: the exercise's checker or interactor in C or C++,
//! compiled to WebAssembly, runs in a sandbox run of its own (never the
//! submission's) and decides by its convention's exit codes and files
//! (`native::convention`).

use crate::evaluate::{Evaluation, evaluate, evaluate_interaction, internal_error};
use crate::native::{Ready, convention};
use crate::prepare::{Prepared, ResolvedTest};
use crate::runner::Runner;
use gavel_exercise::TestData;
use gavel_sandbox::{Interaction, Job, Outcome};

fn not_ready(test: &ResolvedTest) -> Evaluation {
    internal_error(
        test,
        "the exercise's native program was not compiled".to_owned(),
    )
}

/// Runs the program, then the checker on its answer.
pub(super) async fn check(
    runner: &Runner,
    prepared: &Prepared,
    test: &ResolvedTest,
    job: &Job,
) -> Evaluation {
    let Some(ready) = prepared.native.as_ref() else {
        return not_ready(test);
    };
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
    let Some(checker) = prepared.native_checker_job(test, answer) else {
        return evaluate(test, &report, None);
    };
    let decision = match runner.run(&checker).await {
        Ok(checked) => convention::decide(ready, &checked, test.test.points),
        Err(e) => {
            let file = &ready.program.file;
            return internal_error(test, format!("the judge failed running {file}: {e}"));
        }
    };
    evaluate(test, &report, Some(decision))
}

/// Runs the program against the interactor, whose exit decides.
pub(super) async fn interact(
    runner: &Runner,
    prepared: &Prepared,
    test: &ResolvedTest,
    job: &Job,
) -> Evaluation {
    let Some(ready) = prepared.native.as_ref() else {
        return not_ready(test);
    };
    let Some(interactor) = prepared.interactor_job(test) else {
        return internal_error(test, "an interactive test without an interactor".to_owned());
    };
    match runner.interact(job, &interactor).await {
        Ok(interaction) => {
            let decided = decided(ready, interaction, test.test.points);
            evaluate_interaction(test, &decided.0, &ready.program.file, decided.1)
        }
        Err(e) => internal_error(test, format!("the judge failed: {e}")),
    }
}

/// The interaction, with the interactor's decision read from its
/// convention (a deadlock is the program's, and decides nothing), and the
/// author's failure when it did not decide.
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
