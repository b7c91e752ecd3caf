//! gavel's per-user cache: built images, the image build tool, compiled code,
//! data derived from exercises, and the private files of runs in progress.
//! Everything in it can be deleted at any time; it is rebuilt on demand.

use crate::fs::FileLock;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// A cache directory that could not be used.
#[derive(Debug, Error)]
pub enum CacheError {
    /// No directory could be chosen.
    #[error("no cache directory: set GAVEL_CACHE_DIR, XDG_CACHE_HOME or HOME")]
    NoDirectory,
    /// A file or directory of the cache could not be used.
    #[error("cannot use the cache at `{}`: {source}", path.display())]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// What a cache lock protects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockKind {
    /// Building or importing an image.
    Image,
    /// Compiling an image to native code.
    Compile,
}

/// The cache directory: `$GAVEL_CACHE_DIR`, else `$XDG_CACHE_HOME/gavel`, else
/// `~/.cache/gavel`. It owns every subdirectory; other crates ask it for theirs.
#[derive(Debug, Clone)]
pub struct Cache {
    root: PathBuf,
}

impl Cache {
    /// The cache named by the environment (see [`Cache`]).
    pub fn from_env() -> Result<Cache, CacheError> {
        let var = |name| std::env::var_os(name).filter(|d| !d.is_empty());
        let root = if let Some(dir) = var("GAVEL_CACHE_DIR") {
            PathBuf::from(dir)
        } else if let Some(dir) = var("XDG_CACHE_HOME") {
            PathBuf::from(dir).join("gavel")
        } else if let Some(home) = var("HOME") {
            PathBuf::from(home).join(".cache").join("gavel")
        } else {
            return Err(CacheError::NoDirectory);
        };
        Ok(Cache { root })
    }

    /// A cache rooted at `root`.
    pub fn at(root: impl Into<PathBuf>) -> Cache {
        Cache { root: root.into() }
    }

    /// The cache's root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Built runner images, one slot per set of build inputs.
    pub fn images_dir(&self) -> PathBuf {
        self.root.join("images")
    }

    /// The installed image build tool.
    pub fn tools_dir(&self) -> PathBuf {
        self.root.join("tools")
    }

    /// Images compiled to native code, per image and engine configuration.
    pub fn compiled_dir(&self) -> PathBuf {
        self.root.join("compiled")
    }

    /// Data derived from exercises (a reference's fuel, generated tests), keyed
    /// by everything it depends on.
    pub fn judge_dir(&self) -> PathBuf {
        self.root.join("judge")
    }

    /// The private working directories of runs in progress; see the sandbox.
    pub fn runs_dir(&self) -> PathBuf {
        self.root.join("runs")
    }

    /// Takes an exclusive lock shared by every gavel process of this user, so
    /// that parallel processes (a test suite, say) build or compile once.
    pub fn lock(&self, kind: LockKind) -> Result<FileLock, CacheError> {
        let path = self.root.join("locks").join(match kind {
            LockKind::Image => "image.lock",
            LockKind::Compile => "compile.lock",
        });
        FileLock::exclusive(&path).map_err(|source| CacheError::Io { path, source })
    }
}
