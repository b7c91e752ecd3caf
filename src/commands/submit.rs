//! `gavel test` (public tests, full diffs) and `gavel submit` (every test;
//! hidden ones show only name, verdict and resources).

use super::Context;
use crate::cli::JudgeArgs;
use crate::exit::Code;
use crate::ui;
use anyhow::{Context as _, Result};
use gavel_judge::{Options, Selection};

pub fn execute(context: &Context, args: JudgeArgs, submit: bool) -> Result<Code> {
    let exercise = context.exercise(&args.id)?;
    let source = std::fs::read(&args.file)
        .with_context(|| format!("cannot read the solution `{}`", args.file.display()))?;
    let judge = context.judge()?;
    let selection = if submit {
        Selection::All
    } else {
        Selection::Public
    };
    let options = Options {
        selection,
        stop_on_first_failure: args.stop_on_first_failure,
    };
    let mut result = context.runtime.block_on(async {
        let prepared = judge.prepare(exercise.clone(), selection).await?;
        anyhow::Ok(judge.judge(&prepared, &source, options).await)
    })?;
    // Redacted by the engine already; kept here so no later change to the
    // engine can leak a hidden test through this command.
    result.redact_hidden();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&result)?);
    } else {
        ui::print_submission(&exercise.title, &result);
    }
    Ok(Code::from_accepted(result.accepted()))
}
