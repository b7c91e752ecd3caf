//! The files a run may read, in a private directory that lives no longer than
//! the run: a hidden test's files must be readable by nobody but gavel.
//!
//! Each process keeps its runs' directories under `runs/<id>/` in the cache
//! (0700), holding `runs/<id>.lock` for as long as it lives. A run's directory
//! (0700, files 0600) is removed when the run ends; the directories of a
//! process that was killed are removed by the next process to start, which can
//! take the dead process's lock.

use crate::error::SandboxError;
use bytes::Bytes;
use gavel_core::fs::FileLock;
use std::path::{Component, Path, PathBuf};

/// This process's directory for the files of its runs.
#[derive(Debug)]
pub(crate) struct RunFiles {
    dir: PathBuf,
    _lock: FileLock,
}

fn files_error(path: &Path) -> impl FnOnce(std::io::Error) -> SandboxError + '_ {
    move |source| SandboxError::Files {
        path: path.to_owned(),
        source,
    }
}

#[cfg(unix)]
fn private_dir(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    match std::fs::DirBuilder::new().mode(0o700).create(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))
        }
        Err(e) => Err(e),
    }
}

#[cfg(not(unix))]
fn private_dir(path: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(path)
}

impl RunFiles {
    /// Claims a directory under `root` for this process, after removing what
    /// killed processes left there.
    pub(crate) fn new(root: &Path) -> Result<RunFiles, SandboxError> {
        if let Some(parent) = root.parent() {
            std::fs::create_dir_all(parent).map_err(files_error(parent))?;
        }
        private_dir(root).map_err(files_error(root))?;
        remove_leftovers(root);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let id = format!("p{}-{nanos:08x}", std::process::id());
        let lock_path = root.join(format!("{id}.lock"));
        let lock = FileLock::try_exclusive(&lock_path)
            .map_err(files_error(&lock_path))?
            .ok_or_else(|| SandboxError::Files {
                path: lock_path.clone(),
                source: std::io::Error::other("the lock is held by another process"),
            })?;
        let dir = root.join(id);
        private_dir(&dir).map_err(files_error(&dir))?;
        Ok(RunFiles { dir, _lock: lock })
    }

    /// Writes `files` into a new private directory, removed when the returned
    /// guard is dropped. File names must stay inside the directory.
    pub(crate) fn write(
        &self,
        files: &[(String, Bytes)],
    ) -> Result<tempfile::TempDir, SandboxError> {
        let mut builder = tempfile::Builder::new();
        builder.prefix("run-");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o700));
        }
        let dir = builder
            .tempdir_in(&self.dir)
            .map_err(files_error(&self.dir))?;
        for (name, bytes) in files {
            let valid = !name.is_empty()
                && Path::new(name)
                    .components()
                    .all(|c| matches!(c, Component::Normal(_)));
            if !valid {
                return Err(SandboxError::FileName(name.clone()));
            }
            let path = dir.path().join(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(files_error(parent))?;
            }
            write_private(&path, bytes).map_err(files_error(&path))?;
        }
        Ok(dir)
    }
}

impl Drop for RunFiles {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::File::options();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(bytes)
}

/// Removes the directories of processes that are gone: their lock is free.
fn remove_leftovers(root: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("lock") {
            continue;
        }
        if let Ok(Some(_free)) = FileLock::try_exclusive(&path) {
            tracing::debug!(path = %path.display(), "removing the run files of a process that is gone");
            let _ = std::fs::remove_dir_all(path.with_extension(""));
            let _ = std::fs::remove_file(&path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_files_are_private_and_removed_when_the_run_ends() {
        let root = tempfile::tempdir().unwrap();
        let runs = RunFiles::new(&root.path().join("runs")).unwrap();
        let dir = runs
            .write(&[("data.txt".to_owned(), Bytes::from_static(b"secret"))])
            .unwrap();
        let path = dir.path().to_owned();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&path), 0o700);
            assert_eq!(mode(&path.join("data.txt")) & 0o077, 0);
        }
        drop(dir);
        assert!(!path.exists());
        assert!(runs.write(&[("../x".to_owned(), Bytes::new())]).is_err());
    }

    #[test]
    fn leftovers_of_a_dead_process_are_removed_at_the_next_start() {
        let root = tempfile::tempdir().unwrap();
        let runs_root = root.path().join("runs");
        // What a killed process leaves: its directory with a run in it, and its
        // lock file, which nobody holds any more.
        std::fs::create_dir_all(runs_root.join("p1-dead/run-x")).unwrap();
        std::fs::write(runs_root.join("p1-dead/run-x/secret.in"), b"x").unwrap();
        std::fs::write(runs_root.join("p1-dead.lock"), b"").unwrap();
        let alive = RunFiles::new(&runs_root).unwrap();
        assert!(!runs_root.join("p1-dead").exists());
        assert!(!runs_root.join("p1-dead.lock").exists());
        // A live process's directory is left alone.
        let other = RunFiles::new(&runs_root).unwrap();
        assert!(alive.dir.exists() && other.dir.exists());
    }
}
