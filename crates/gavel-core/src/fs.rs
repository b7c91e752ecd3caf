//! Files that are never seen half-written, locks between gavel processes, and
//! the one way gavel opens a file someone else gave it (a catalog's, a
//! homework folder's): never through a link, never blocking on a FIFO, never
//! reading more than it may hold.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Why a file given to gavel was not read.
#[derive(Debug, thiserror::Error)]
pub enum PlainFileError {
    /// It is a symbolic link (never followed: it could lead anywhere).
    #[error("a symbolic link (links are not followed)")]
    Link,
    /// It is a FIFO, a socket, a device or a directory.
    #[error("not a plain file (a FIFO, socket, device or directory)")]
    NotPlain,
    /// It is larger than the caller may hold.
    #[error("{size} bytes, more than the {max} allowed")]
    TooLarge {
        /// Its size.
        size: u64,
        /// The most the caller reads.
        max: u64,
    },
    /// Opening or reading it failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Opens `path` for reading if it is a plain file: without following a link
/// (`O_NOFOLLOW`) and without blocking on a FIFO (`O_NONBLOCK`), so neither a
/// link out of the folder nor a FIFO can make gavel read elsewhere or hang.
/// Returns the file and its size.
pub fn open_plain(path: &Path) -> Result<(File, u64), PlainFileError> {
    let mut options = File::options();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| {
        #[cfg(unix)]
        if e.raw_os_error() == Some(libc::ELOOP) {
            return PlainFileError::Link;
        }
        PlainFileError::Io(e)
    })?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(PlainFileError::NotPlain);
    }
    Ok((file, metadata.len()))
}

/// Reads `file` (of `size` bytes, as [`open_plain`] found) whole if it holds
/// at most `max` bytes. Reads through `take`, so a file that grows meanwhile
/// is still bounded.
pub fn read_at_most(file: &mut File, size: u64, max: u64) -> Result<Vec<u8>, PlainFileError> {
    if size > max {
        return Err(PlainFileError::TooLarge { size, max });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(max.saturating_add(1)).read_to_end(&mut bytes)?;
    let read = bytes.len() as u64;
    if read > max {
        return Err(PlainFileError::TooLarge { size: read, max });
    }
    Ok(bytes)
}

/// Reads the plain file `path` of at most `max` bytes ([`open_plain`],
/// [`read_at_most`]).
pub fn read_plain(path: &Path, max: u64) -> Result<Vec<u8>, PlainFileError> {
    let (mut file, size) = open_plain(path)?;
    read_at_most(&mut file, size, max)
}

/// Every temporary file gavel writes starts with this, so that leftovers of a
/// killed process can be recognised and removed ([`remove_stale_temp_files`]).
pub const TEMP_PREFIX: &str = ".gavel-tmp-";

/// Writes `bytes` to `path` so that readers see the old file or the whole new
/// one, never a part: a temporary file beside it, synced, then renamed. The new
/// file gets the permissions the process's umask allows for a normal file
/// (reports are meant to be shared), never more.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomically_with_mode(path, bytes, 0o666)
}

/// Like [`write_atomically`], but readable by the owner only (0600 before the
/// umask), for data that must not be shared, such as a hidden test's files.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomically_with_mode(path, bytes, 0o600)
}

/// Like [`write_atomically`], for a file written piece by piece by `fill`
/// (through a buffer), so that a large report never has to be held in memory.
pub fn write_atomically_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = parent_dir(path);
    std::fs::create_dir_all(dir)?;
    let mut file = temp_file(dir, 0o666)?;
    {
        let mut writer = std::io::BufWriter::new(file.as_file_mut());
        fill(&mut writer)?;
        writer.flush()?;
    }
    finish(file, path, dir)
}

fn temp_file(dir: &Path, mode: u32) -> std::io::Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // The mode is given to open(2), so the umask applies as for any new file.
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = mode;
    builder.tempfile_in(dir)
}

fn finish(file: tempfile::NamedTempFile, path: &Path, dir: &Path) -> std::io::Result<()> {
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    // The rename is durable only once the directory entry is.
    if let Ok(dir) = File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

fn write_atomically_with_mode(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    let dir = parent_dir(path);
    std::fs::create_dir_all(dir)?;
    let mut file = temp_file(dir, mode)?;
    file.write_all(bytes)?;
    finish(file, path, dir)
}

fn parent_dir(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Removes the temporary files a killed gavel process left under `dir` (at any
/// depth; symbolic links are not followed). Call it only while holding the lock
/// that keeps other writers out of `dir`. Returns how many were removed.
pub fn remove_stale_temp_files(dir: &Path) -> std::io::Result<usize> {
    let mut removed = 0;
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() {
            removed += remove_stale_temp_files(&entry.path())?;
        } else if entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
            std::fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// An exclusive advisory lock on a file, held until dropped. Locks are shared by
/// every process of the machine, and released by the kernel when a process dies,
/// so a killed holder never leaves a stale lock behind.
#[derive(Debug)]
pub struct FileLock {
    _file: File,
    path: PathBuf,
}

impl FileLock {
    fn open(path: &Path) -> std::io::Result<File> {
        std::fs::create_dir_all(parent_dir(path))?;
        File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
    }

    /// Waits until the lock on `path` (created if needed) is free, and takes it.
    pub fn exclusive(path: &Path) -> std::io::Result<FileLock> {
        let file = Self::open(path)?;
        file.lock()?;
        Ok(FileLock {
            _file: file,
            path: path.to_owned(),
        })
    }

    /// Takes the lock on `path` if it is free; `None` if another holder has it.
    pub fn try_exclusive(path: &Path) -> std::io::Result<Option<FileLock>> {
        let file = Self::open(path)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(FileLock {
                _file: file,
                path: path.to_owned(),
            })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(e),
        }
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn only_plain_files_are_read_and_never_past_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, b"12345").unwrap();
        assert_eq!(read_plain(&file, 5).unwrap(), b"12345");
        assert!(matches!(
            read_plain(&file, 4),
            Err(PlainFileError::TooLarge { size: 5, max: 4 })
        ));
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        assert!(matches!(read_plain(&link, 5), Err(PlainFileError::Link)));
        assert!(matches!(
            read_plain(dir.path(), 5),
            Err(PlainFileError::NotPlain)
        ));
        let fifo = std::ffi::CString::new(dir.path().join("fifo").to_str().unwrap()).unwrap();
        // SAFETY: mkfifo only creates a file at a valid, NUL-terminated path.
        #[allow(unsafe_code)]
        let made = unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) };
        assert_eq!(made, 0);
        assert!(matches!(
            read_plain(&dir.path().join("fifo"), 5),
            Err(PlainFileError::NotPlain)
        ));
    }

    #[test]
    fn atomic_write_replaces_the_whole_file_and_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested").join("file.json");
        write_atomically(&path, b"first").unwrap();
        write_atomically(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        let leftovers = std::fs::read_dir(path.parent().unwrap()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
    }

    #[cfg(unix)]
    #[test]
    fn shared_files_follow_the_umask_and_private_ones_stay_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        // SAFETY: umask only reads and sets the process's file-creation mask.
        #[allow(unsafe_code)]
        let umask = unsafe {
            let old = libc::umask(0o022);
            libc::umask(old);
            old
        };
        let shared = dir.path().join("shared");
        write_atomically(&shared, b"x").unwrap();
        let mode = std::fs::metadata(&shared).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o666 & !(umask as u32), "{mode:o}");
        let private = dir.path().join("private");
        write_private(&private, b"x").unwrap();
        let mode = std::fs::metadata(&private).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode & 0o077, 0, "{mode:o}");
    }

    #[test]
    fn stale_temporary_files_are_found_at_any_depth() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a/b")).unwrap();
        std::fs::write(dir.path().join(format!("a/b/{TEMP_PREFIX}x")), b"").unwrap();
        std::fs::write(dir.path().join(format!("{TEMP_PREFIX}y")), b"").unwrap();
        std::fs::write(dir.path().join("a/keep.json"), b"").unwrap();
        assert_eq!(remove_stale_temp_files(dir.path()).unwrap(), 2);
        assert!(dir.path().join("a/keep.json").exists());
    }

    #[test]
    fn a_held_lock_is_refused_and_released_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.lock");
        let held = FileLock::try_exclusive(&path).unwrap().expect("free");
        assert!(FileLock::try_exclusive(&path).unwrap().is_none());
        drop(held);
        assert!(FileLock::try_exclusive(&path).unwrap().is_some());
    }
}
