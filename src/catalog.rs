//! Which catalog a command uses, said plainly: `--catalog DIR`, else a local
//! `./exercises` that holds exercises (an author's catalog, even a broken one,
//! whose problems are then reported), else the catalog built into gavel.

use anyhow::{Context as _, Result};
use gavel_core::Cache;
use gavel_core::fs::FileLock;
use std::path::{Path, PathBuf};

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin_catalog.rs"));
}

/// A catalog directory and how it was chosen.
#[derive(Debug, Clone)]
pub(crate) struct CatalogDir {
    /// The directory.
    pub(crate) path: PathBuf,
    /// How it was chosen, for people: `./exercises`, `the built-in catalog`.
    pub(crate) label: String,
}

/// Whether `dir` holds at least one exercise (a directory with a manifest):
/// a candidate's own folder named `exercises` does not.
fn holds_exercises(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.path().join("exercise.toml").is_file())
    })
}

/// The catalog to use (see the module's documentation).
pub(crate) fn resolve(explicit: Option<&Path>, cache: &Cache) -> Result<CatalogDir> {
    if let Some(dir) = explicit {
        anyhow::ensure!(
            dir.is_dir(),
            "no exercise catalog at `{}` (--catalog or GAVEL_CATALOG must name a directory of exercises)",
            dir.display()
        );
        return Ok(CatalogDir {
            path: dir.to_owned(),
            label: format!("`{}`", dir.display()),
        });
    }
    let local = Path::new("exercises");
    if holds_exercises(local) {
        return Ok(CatalogDir {
            path: local.to_owned(),
            label: "`./exercises`".to_owned(),
        });
    }
    Ok(CatalogDir {
        path: unpack_builtin(cache)?,
        label: "the built-in catalog".to_owned(),
    })
}

/// Where the built-in catalog is unpacked (one folder per version of it):
/// gavel's own files, never a user's to change.
pub(crate) fn builtin_root(cache: &Cache) -> PathBuf {
    cache.root().join("catalog")
}

/// The built-in catalog, unpacked into the cache once per version of it.
fn unpack_builtin(cache: &Cache) -> Result<PathBuf> {
    let root = builtin_root(cache);
    let dir = root.join(builtin::KEY);
    let done = root.join(format!("{}.complete", builtin::KEY));
    if done.is_file() {
        return Ok(dir);
    }
    let _lock = FileLock::exclusive(&root.join("unpack.lock"))
        .with_context(|| format!("cannot lock `{}`", root.display()))?;
    if done.is_file() {
        return Ok(dir);
    }
    tracing::info!(dir = %dir.display(), "unpacking the built-in catalog");
    let work = tempfile::Builder::new()
        .prefix(gavel_core::fs::TEMP_PREFIX)
        .tempdir_in(&root)
        .with_context(|| {
            format!(
                "cannot unpack the built-in catalog into `{}`",
                root.display()
            )
        })?;
    for (relative, bytes) in builtin::FILES {
        let path = work.path().join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, bytes)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::rename(work.keep(), &dir)?;
    std::fs::write(&done, builtin::KEY)?;
    Ok(dir)
}
