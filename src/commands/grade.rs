//! `gavel grade`: batch grading of a homework folder, in parallel, resumable,
//! with reports a hiring team can read, share and re-run.

use super::{Session, print_json};
use crate::cli::{GradeArgs, MergeArgs};
use crate::exit::Code;
use crate::render;
use anyhow::{Context as _, Result};
use gavel_core::limits;
use gavel_exercise::Disclosure;
use gavel_judge::Options;
use gavel_judge::batch::{self, GradeRequest};
use gavel_judge::stored::OutDir;
use serde::Deserialize;
use std::sync::Arc;

/// An assignment file: the exercises every candidate was given.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AssignmentFile {
    exercises: Vec<String>,
}

pub(crate) fn execute(session: &Session, args: GradeArgs) -> Result<Code> {
    // The report folder is checked before anything slow happens.
    drop(OutDir::open(&args.out)?);
    anyhow::ensure!(
        args.dir.is_dir(),
        "no homework folder at `{}` (expected DIR/<candidate>/<exercise-id>.py)",
        args.dir.display()
    );
    let assignment = match (&args.exercises, &args.assignment) {
        (Some(ids), _) => Some(ids.clone()),
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the assignment `{}`", path.display()))?;
            let file: AssignmentFile = toml::from_str(&text)
                .with_context(|| format!("`{}` is not an assignment file", path.display()))?;
            Some(file.exercises)
        }
        (None, None) => None,
    };
    let max_source = limits::check("max-source", args.max_source, limits::SOURCE_RANGE, " KiB")?;
    let catalog = session.catalog()?;
    let judge = session.judge()?;
    let request = GradeRequest {
        homework: args.dir.clone(),
        out: args.out.clone(),
        assignment,
        options: Options {
            disclosure: args.reveal_hidden.then_some(Disclosure::Full),
            max_source_bytes: limits::kib(max_source),
            ..Options::default()
        },
        report: args.report.options(),
        shard: args.shard,
    };
    let live = Arc::new(render::grade::Live::new(args.json));
    let summary = session
        .runtime
        .block_on(batch::grade(&judge, &catalog, &request, live.clone()));
    live.finish();
    let summary = summary?;
    // A shard may hold no candidate; a whole folder without one is a mistake.
    if args.shard.is_none() && summary.candidates.is_empty() && summary.problems.is_empty() {
        anyhow::bail!(
            "nothing to grade in `{}` (expected DIR/<candidate>/<exercise-id>.py)",
            args.dir.display()
        );
    }
    if args.json {
        print_json(&summary)?;
    } else {
        render::grade::summary(&summary);
    }
    Ok(Code::judged(
        summary.all_accepted(),
        summary.internal_error(),
    ))
}

/// `gavel merge`: the reports of a sharded batch, checked and written whole.
pub(crate) fn merge(session: &Session, args: MergeArgs) -> Result<Code> {
    let catalog = session.catalog()?;
    let summary = batch::merge(&catalog, &args.shards, &args.out, args.report.options())?;
    if args.json {
        print_json(&summary)?;
    } else {
        render::grade::summary(&summary);
    }
    Ok(Code::judged(
        summary.all_accepted(),
        summary.internal_error(),
    ))
}
