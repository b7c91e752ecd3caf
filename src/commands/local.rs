//! `gavel test` (public tests, full diffs) and `gavel submit` (every test;
//! hidden ones as the exercise's confidentiality rules allow).

use super::Session;
use crate::cli::JudgeArgs;
use crate::exit::Code;
use crate::render;
use anyhow::{Context as _, Result};
use bytes::Bytes;
use gavel_judge::{Options, Selection, Silent};
use std::sync::Arc;

pub(crate) fn execute(session: &Session, args: JudgeArgs, submit: bool) -> Result<Code> {
    let exercise = session.exercise(&args.id)?;
    let source = std::fs::read(&args.file)
        .with_context(|| format!("cannot read the solution `{}`", args.file.display()))?;
    let judge = session.judge()?;
    let selection = if submit {
        Selection::All
    } else {
        Selection::Public
    };
    let options = Options {
        stop_on_first_failure: args.stop_on_first_failure,
        ..Options::default()
    };
    let catalog = session.catalog_dir()?.label.clone();
    let result = session.runtime.block_on(async {
        let prepared = Arc::new(judge.prepare(exercise.clone(), selection).await?);
        if args.json {
            return anyhow::Ok(
                judge
                    .judge(&prepared, Bytes::from(source), options, &Silent)
                    .await,
            );
        }
        let names: Vec<&str> = prepared
            .tests
            .iter()
            .map(|t| t.test.name.as_str())
            .collect();
        let live = render::submission::Live::new(&exercise.title, &exercise.id, &catalog, &names);
        let result = judge
            .judge(&prepared, Bytes::from(source), options, &live)
            .await;
        live.finish(&result);
        anyhow::Ok(result)
    })?;
    let code = super::finish_result(&result, args.json, args.exercism.as_deref())?;
    // A candidate pack holds no hidden tests (and no reference): this verdict
    // is the public tests' only, which the candidate must not mistake for the
    // final one.
    let in_pack = exercise.reference.is_none()
        && exercise
            .tests
            .iter()
            .all(|t| t.visibility == gavel_exercise::Visibility::Public);
    if submit && in_pack && !args.json {
        render::submission::pack_note();
    }
    Ok(code)
}
