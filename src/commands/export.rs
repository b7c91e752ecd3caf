//! `gavel export --public OUT`: a candidate pack of the catalog. It holds the
//! statements, starter code and public tests, with every public test's fuel
//! budget resolved (candidates have no reference solution to derive it from),
//! and nothing hidden: no hidden tests, no references, no known-bad solutions,
//! no generators.

use super::{Session, print_json};
use crate::cli::ExportArgs;
use crate::exit::Code;
use crate::render::Progress;
use anyhow::{Context as _, Result};
use gavel_core::fs::write_atomically;
use gavel_judge::pack::{PublicPack, public_pack};
use gavel_judge::{Prepared, Selection};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// `gavel export --public OUT --json` (docs/json.md).
#[derive(Serialize)]
struct ExportSummary {
    out: PathBuf,
    exercises: Vec<String>,
    public_tests: usize,
}

pub(crate) fn execute(session: &Session, args: ExportArgs) -> Result<Code> {
    anyhow::ensure!(args.public, "only `--public` exports exist");
    if args.out.exists() && std::fs::read_dir(&args.out)?.next().is_some() {
        anyhow::bail!(
            "`{}` is not empty; export into a new directory",
            args.out.display()
        );
    }
    // A test-writing exercise has no pack (its implementations stay with
    // the judge).
    let catalog: Vec<_> = session
        .catalog()?
        .iter()
        .filter(|e| gavel_judge::pack::packable(e).is_ok())
        .cloned()
        .collect();
    let judge = session.judge()?;
    let progress = if args.json {
        Progress::hidden()
    } else {
        Progress::new(catalog.len() as u64, "exporting")
    };
    let mut public_tests = 0;
    for exercise in &catalog {
        progress.set_message(&exercise.id);
        let prepared = session
            .runtime
            .block_on(judge.prepare(exercise.clone(), Selection::Public))?;
        public_tests += write_exercise(&args.out.join(&exercise.id), &prepared)?;
        progress.inc();
    }
    progress.finish();
    write_readme(&args.out, catalog.len())?;
    if args.json {
        print_json(&ExportSummary {
            out: args.out.clone(),
            exercises: catalog.iter().map(|e| e.id.clone()).collect(),
            public_tests,
        })?;
    } else {
        eprintln!(
            "wrote {} exercises to {} (public tests only)",
            catalog.len(),
            args.out.display()
        );
    }
    Ok(Code::Accepted)
}

/// Writes one exercise of the pack. Returns how many tests it has.
fn write_exercise(dir: &Path, prepared: &Prepared) -> Result<usize> {
    let pack = public_pack(prepared)?;
    write_pack(dir, &pack)?;
    Ok(prepared.tests.len())
}

/// Writes the files of a candidate's copy of an exercise into `dir`.
pub(crate) fn write_pack(dir: &Path, pack: &PublicPack) -> Result<()> {
    for (relative, bytes) in &pack.files {
        let path = dir.join(relative);
        write_atomically(&path, bytes)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    Ok(())
}

fn write_readme(out: &Path, count: usize) -> Result<()> {
    let text = format!(
        "# Exercises\n\n{count} exercises, each with a statement, starter code and public tests.\n\n\
         - `gavel --catalog . list` lists them, `gavel --catalog . show ID` shows one.\n\
         - `gavel --catalog . test ID FILE` runs your solution on the public tests.\n\n\
         Your submission is also judged on hidden tests, which the hiring team keeps.\n"
    );
    write_atomically(&out.join("README.md"), text.as_bytes())
        .with_context(|| format!("cannot write `{}`", out.join("README.md").display()))
}
