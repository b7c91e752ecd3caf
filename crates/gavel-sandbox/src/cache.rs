//! gavel's per-user cache: built images, the build tool, compiled code.

use crate::image::ImageError;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The cache directory: `$GAVEL_CACHE_DIR`, else `$XDG_CACHE_HOME/gavel`, else
/// `~/.cache/gavel`.
#[derive(Debug, Clone)]
pub struct Cache {
    root: PathBuf,
}

/// What a cache lock protects.
#[derive(Debug, Clone, Copy)]
pub(crate) enum LockKind {
    /// Building or importing an image.
    Image,
    /// Compiling an image to native code.
    Compile,
}

/// Holds an exclusive lock on a cache file until dropped.
#[derive(Debug)]
pub(crate) struct CacheLock {
    _file: File,
}

impl Cache {
    /// The cache named by the environment (see [`Cache`]).
    pub fn from_env() -> Result<Cache, ImageError> {
        let root = if let Some(dir) = std::env::var_os("GAVEL_CACHE_DIR").filter(|d| !d.is_empty())
        {
            PathBuf::from(dir)
        } else if let Some(dir) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
            PathBuf::from(dir).join("gavel")
        } else if let Some(home) = std::env::var_os("HOME").filter(|d| !d.is_empty()) {
            PathBuf::from(home).join(".cache").join("gavel")
        } else {
            return Err(ImageError::Io {
                path: PathBuf::from("~/.cache/gavel"),
                source: std::io::Error::other(
                    "no cache directory: set GAVEL_CACHE_DIR, XDG_CACHE_HOME or HOME",
                ),
            });
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

    pub(crate) fn images_dir(&self) -> PathBuf {
        self.root.join("images")
    }

    pub(crate) fn tools_dir(&self) -> PathBuf {
        self.root.join("tools")
    }

    pub(crate) fn compiled_dir(&self) -> PathBuf {
        self.root.join("compiled")
    }

    /// Takes an exclusive lock shared by every gavel process of this user, so
    /// that parallel processes (a test suite, say) build or compile once.
    pub(crate) fn lock(&self, kind: LockKind) -> Result<CacheLock, ImageError> {
        let dir = self.root.join("locks");
        std::fs::create_dir_all(&dir).map_err(|source| ImageError::Io {
            path: dir.clone(),
            source,
        })?;
        let path = dir.join(match kind {
            LockKind::Image => "image.lock",
            LockKind::Compile => "compile.lock",
        });
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| ImageError::Io {
                path: path.clone(),
                source,
            })?;
        file.lock()
            .map_err(|source| ImageError::Io { path, source })?;
        Ok(CacheLock { _file: file })
    }
}

/// Writes `bytes` to `path` so that readers see the old file or the whole new
/// one, never a part: a temporary file beside it, synced, then renamed.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    // The rename is durable only once the directory entry is.
    if let Ok(dir) = File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_the_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested").join("file.json");
        write_atomically(&path, b"first").unwrap();
        write_atomically(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        let leftovers = std::fs::read_dir(path.parent().unwrap()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
    }
}
