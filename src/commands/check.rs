//! `gavel check`: validates exercises for CI (see `gavel_judge::validate`).

use super::{Session, print_json};
use crate::cli::CheckArgs;
use crate::exit::Code;
use crate::render;
use anyhow::{Context as _, Result};
use gavel_core::fs::write_atomically;
use gavel_exercise::manifest::CatalogManifest;
use gavel_judge::validate;
use std::path::PathBuf;

/// Paths as given, except that a bare name which is not a file here but an
/// exercise of the catalog means that exercise (`gavel check two-sum`).
fn resolve_ids(session: &Session, paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut dirs = Vec::with_capacity(paths.len());
    for path in paths {
        let bare = path.components().count() == 1 && !path.exists();
        if bare {
            let in_catalog = session.catalog_dir()?.path.join(path);
            if in_catalog.is_dir() {
                dirs.push(in_catalog);
                continue;
            }
        }
        dirs.push(path.clone());
    }
    Ok(dirs)
}

pub(crate) fn execute(session: &Session, args: CheckArgs) -> Result<Code> {
    let (dirs, settings) = if args.paths.is_empty() {
        let catalog = session.catalog_dir()?;
        match gavel_exercise::exercise_dirs(&catalog.path) {
            Ok(found) => found,
            Err(errors) => {
                let list: Vec<String> = errors.iter().map(|e| format!("  {e}")).collect();
                anyhow::bail!(
                    "the catalog {} is not valid:\n{}",
                    catalog.label,
                    list.join("\n")
                );
            }
        }
    } else {
        (
            resolve_ids(session, &args.paths)?,
            CatalogManifest::default(),
        )
    };
    anyhow::ensure!(!dirs.is_empty(), "no exercises to check");
    let judge = session.judge()?;
    let blessed = if args.bless {
        refuse_builtin(session, &dirs)?;
        let targets = validate::load_targets(&dirs, &settings);
        let spinner = (!args.json && render::stderr_is_tty())
            .then(|| render::spinner("{spinner:.cyan} blessing [{elapsed}]"));
        let blessed = session.runtime.block_on(validate::bless(&judge, targets));
        if let Some(spinner) = spinner {
            spinner.finish_and_clear();
        }
        let blessed = blessed?;
        if !args.json {
            render::check::blessed(&blessed);
        }
        Some(blessed)
    } else {
        None
    };
    // Loaded after blessing, so the check sees what was written.
    let targets = validate::load_targets(&dirs, &settings);
    let live = render::check::Live::new(dirs.len(), args.json);
    let report = session
        .runtime
        .block_on(validate::check(&judge, targets, &live));
    live.finish();
    let report = report?;
    if let Some(path) = &args.junit {
        let xml = validate::junit(&report)?;
        write_atomically(path, xml.as_bytes())
            .with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    if args.json {
        match blessed {
            Some(blessed) => print_json(&BlessedCheck {
                blessed,
                check: report.clone(),
            })?,
            None => print_json(&report)?,
        }
    } else {
        render::check::summary(&report);
    }
    // A broken exercise is what `check` exists to find: a failed check (1).
    Ok(Code::judged(report.ok, false))
}

/// `check --bless --json`: what was changed, then the check of the result.
#[derive(serde::Serialize)]
struct BlessedCheck {
    blessed: Vec<validate::Blessing>,
    check: validate::CatalogCheck,
}

/// `--bless` writes into exercises: never into the built-in catalog, which
/// is a copy unpacked from the binary (a change would be lost, or worse, kept
/// for one version of gavel only).
fn refuse_builtin(session: &Session, dirs: &[PathBuf]) -> Result<()> {
    let builtin = crate::catalog::builtin_root(&session.cache);
    let builtin = builtin.canonicalize().unwrap_or(builtin);
    for dir in dirs {
        let dir = dir.canonicalize().unwrap_or_else(|_| dir.clone());
        anyhow::ensure!(
            !dir.starts_with(&builtin),
            "--bless rewrites an exercise's files, and `{}` belongs to the built-in catalog, which is part of gavel; bless a catalog of your own (--catalog DIR, or its exercise directories)",
            dir.display()
        );
    }
    Ok(())
}
