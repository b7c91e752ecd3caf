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
use gavel_exercise::manifest::TestSettings;
use gavel_exercise::{TestData, Visibility};
use gavel_judge::{Prepared, Selection};
use serde::Serialize;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A function test as the pack stores it.
#[derive(Serialize)]
struct FunctionTestFile<'a> {
    args: Value,
    expected: &'a Value,
}

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
    let catalog = session.catalog()?;
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

/// Writes one exercise of the pack: statement, starter, public tests and a
/// manifest with each test's fuel budget fixed. Returns how many tests.
fn write_exercise(dir: &Path, prepared: &Prepared) -> Result<usize> {
    let exercise = &prepared.exercise;
    let write = |relative: &str, bytes: &[u8]| {
        let path = dir.join(relative);
        write_atomically(&path, bytes).with_context(|| format!("cannot write `{}`", path.display()))
    };
    write("statement.md", exercise.statement.as_bytes())?;
    write("starter.py", exercise.starter.as_bytes())?;
    // The public tests cannot be judged without them; authors keep secrets
    // out of both (docs: exercises/README.md).
    if let Some(checker) = &exercise.checker {
        write("checker.py", checker)?;
    }
    if let Some(interactor) = &exercise.interactor {
        write("interactor.py", interactor)?;
    }
    let mut manifest = exercise.manifest.clone();
    manifest.generated.clear();
    manifest.tests.clear();
    keep_public_groups(&mut manifest, prepared);
    let mut max_fuel = 0;
    for test in &prepared.tests {
        debug_assert_eq!(test.test.visibility, Visibility::Public);
        let name = &test.test.name;
        // Generated public tests become plain files: the pack has no generator.
        match &test.data {
            TestData::Stdio {
                stdin,
                files,
                expected,
            } => {
                write(&format!("tests/public/{name}.in"), stdin)?;
                // An interactive test has no expected output: its interactor decides.
                if exercise.interactor.is_none() {
                    write(&format!("tests/public/{name}.out"), expected.as_bytes())?;
                }
                for (file, bytes) in files.iter() {
                    write(&format!("tests/public/{name}.files/{file}"), bytes)?;
                }
            }
            TestData::Function { args, expected } => {
                let file = FunctionTestFile {
                    args: serde_json::from_str(args)?,
                    expected,
                };
                let text = serde_json::to_string(&file)?;
                write(
                    &format!("tests/public/{name}.json"),
                    format!("{text}\n").as_bytes(),
                )?;
            }
        }
        let settings = exercise
            .manifest
            .tests
            .get(name)
            .cloned()
            .unwrap_or_default();
        manifest.tests.insert(
            name.clone(),
            TestSettings {
                fuel: Some(test.limits.fuel),
                ..settings
            },
        );
        max_fuel = max_fuel.max(test.limits.fuel);
    }
    manifest.limits.fuel = Some(max_fuel);
    let text = toml::to_string(&manifest).context("cannot write the manifest")?;
    write(
        "exercise.toml",
        format!("# Candidate pack written by `gavel export --public`: public tests only.\n{text}")
            .as_bytes(),
    )?;
    Ok(prepared.tests.len())
}

/// Drops the groups no public test belongs to, and dependencies on them: a
/// group must have tests, and the pack holds only the public ones.
fn keep_public_groups(manifest: &mut gavel_exercise::manifest::Manifest, prepared: &Prepared) {
    let used: std::collections::BTreeSet<&str> = prepared
        .tests
        .iter()
        .filter_map(|t| t.test.group.as_deref())
        .collect();
    manifest
        .groups
        .retain(|name, _| used.contains(name.as_str()));
    for spec in manifest.groups.values_mut() {
        spec.depends_on.retain(|d| used.contains(d.as_str()));
    }
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
