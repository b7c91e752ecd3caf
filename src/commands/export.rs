//! `gavel export --public OUT`: a candidate pack of the catalog. It holds the
//! statements, starter code and public tests, with every public test's fuel
//! budget resolved (candidates have no reference solution to derive it from),
//! and nothing hidden: no hidden tests, no references, no known-bad solutions,
//! no generators.

use super::Context;
use crate::cli::ExportArgs;
use crate::exit::Code;
use anyhow::{Context as _, Result};
use gavel_exercise::manifest::TestSettings;
use gavel_exercise::{Kind, Visibility};
use gavel_judge::Selection;
use gavel_sandbox::write_atomically;
use std::path::Path;

pub fn execute(context: &Context, args: ExportArgs) -> Result<Code> {
    anyhow::ensure!(args.public, "only `--public` exports exist");
    if args.out.exists() && std::fs::read_dir(&args.out)?.next().is_some() {
        anyhow::bail!(
            "`{}` is not empty; export into a new directory",
            args.out.display()
        );
    }
    let catalog = context.catalog()?;
    let judge = context.judge()?;
    let progress = crate::ui::Progress::new(catalog.len() as u64, "exporting");
    for exercise in &catalog {
        progress.set_message(&exercise.id);
        let prepared = context
            .runtime
            .block_on(judge.prepare(exercise.clone(), Selection::Public))?;
        let dir = args.out.join(&exercise.id);
        let write = |relative: &str, bytes: &[u8]| {
            let path = dir.join(relative);
            write_atomically(&path, bytes)
                .with_context(|| format!("cannot write `{}`", path.display()))
        };
        write("statement.md", exercise.statement.as_bytes())?;
        write("starter.py", exercise.starter.as_bytes())?;

        let mut manifest = exercise.manifest.clone();
        manifest.generated.clear();
        manifest.tests.clear();
        let mut max_fuel = 0;
        for test in &prepared.tests {
            debug_assert_eq!(test.test.visibility, Visibility::Public);
            let name = &test.test.name;
            // Generated public tests become plain files: the pack has no generator.
            match exercise.kind {
                Kind::Stdio => {
                    write(&format!("tests/public/{name}.in"), &test.input)?;
                    write(
                        &format!("tests/public/{name}.out"),
                        test.expected.as_bytes(),
                    )?;
                    for (file, bytes) in &test.files {
                        write(&format!("tests/public/{name}.files/{file}"), bytes)?;
                    }
                }
                Kind::Function => {
                    let args: serde_json::Value = serde_json::from_slice(&test.input)?;
                    let expected: serde_json::Value = serde_json::from_str(&test.expected)?;
                    let text = serde_json::to_string(
                        &serde_json::json!({"args": args, "expected": expected}),
                    )?;
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
            format!(
                "# Candidate pack written by `gavel export --public`: public tests only.\n{text}"
            )
            .as_bytes(),
        )?;
        progress.inc();
    }
    progress.finish();
    write_readme(&args.out, catalog.len())?;
    eprintln!(
        "wrote {} exercises to {} (public tests only)",
        catalog.len(),
        args.out.display()
    );
    Ok(Code::Accepted)
}

fn write_readme(out: &Path, count: usize) -> Result<()> {
    let text = format!(
        "# Exercises\n\n{count} exercises, each with a statement, starter code and public tests.\n\n\
         - `gavel --catalog . list` lists them, `gavel --catalog . show ID` shows one.\n\
         - `gavel --catalog . test ID FILE` runs your solution on the public tests.\n\n\
         Your submission is also judged on hidden tests.\n"
    );
    write_atomically(&out.join("README.md"), text.as_bytes())
        .with_context(|| format!("cannot write `{}`", out.join("README.md").display()))
}
