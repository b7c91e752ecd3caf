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
    let targets = validate::load_targets(&dirs, &settings);
    let judge = session.judge()?;
    let live = render::check::Live::new(dirs.len(), args.json);
    let report = session
        .runtime
        .block_on(validate::check(&judge, targets, &live));
    live.finish();
    let report = report?;
    if let Some(path) = &args.junit {
        let xml = gavel_judge::report::check_junit(&report).map_err(anyhow::Error::msg)?;
        write_atomically(path, xml.as_bytes())
            .with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    if args.json {
        print_json(&report)?;
    } else {
        render::check::summary(&report);
    }
    // A broken exercise is what `check` exists to find: a failed check (1).
    Ok(Code::judged(report.ok, false))
}
