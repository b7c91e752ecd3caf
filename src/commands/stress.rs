//! `gavel stress`: the reference against a brute force on growing inputs
//! (see `gavel_judge::stress`).

use super::{Session, print_json};
use crate::cli::StressArgs;
use crate::exit::Code;
use crate::render;
use anyhow::{Context as _, Result};
use bytes::Bytes;
use gavel_judge::stress::{StressOptions, StressProgress, stress};

/// Says on a terminal which size is being tried.
struct Progress(Option<indicatif::ProgressBar>);

impl StressProgress for Progress {
    fn trying(&self, n: u64, shrinking: bool) {
        if let Some(bar) = &self.0 {
            let what = if shrinking { "shrinking: n" } else { "n" };
            bar.set_message(format!("{what} = {n}"));
        }
    }
}

pub(crate) fn execute(session: &Session, args: StressArgs) -> Result<Code> {
    let exercise = session.exercise(&args.exercise)?;
    let brute = std::fs::read(&args.against)
        .with_context(|| format!("cannot read the brute force `{}`", args.against.display()))?;
    let judge = session.judge()?;
    let options = StressOptions {
        seeds: args.seeds,
        min_size: args.min_size,
        max_size: args.max_size,
        args: args.args.clone(),
    };
    let progress = Progress(
        (!args.json && render::stderr_is_tty())
            .then(|| render::spinner("{spinner:.cyan} stress {msg} [{elapsed}]")),
    );
    let outcome = session.runtime.block_on(stress(
        &judge,
        exercise,
        Bytes::from(brute),
        &options,
        &progress,
    ));
    if let Some(bar) = &progress.0 {
        bar.finish_and_clear();
    }
    let report = outcome?.map_err(anyhow::Error::new)?;
    if args.json {
        print_json(&report)?;
    } else {
        render::stress::report(&report, options.seeds);
    }
    let internal = report
        .found
        .as_ref()
        .and_then(|f| f.brute.as_ref())
        .is_some_and(|t| t.verdict == gavel_exercise::Verdict::InternalError);
    Ok(Code::judged(report.found.is_none(), internal))
}
