//! Loading exercises from disk, strictly: every problem is an error naming the
//! file (and line where there is one), all of them are reported at once, and
//! nothing is silently skipped.
//!
//! The loader reads only inside the exercise's directory: a symbolic link, a
//! FIFO or a device anywhere in it is an error, and files are opened without
//! following links, so nothing outside the catalog is ever opened.
//!
//! `reader` is the only part that touches the disk; `exercise` runs the
//! checks of each part of an exercise (`manifest`, `sources`, `test_files`,
//! `known_bad`) and `catalog` loads every exercise of a catalog.

mod catalog;
mod error;
mod exercise;
mod known_bad;
mod layout;
mod manifest;
mod reader;
mod sources;
mod suite;
mod test_files;

pub use catalog::{Catalog, exercise_dirs, load_catalog};
pub use error::{ComparisonMismatch, LoadError, LoadErrors, LoadProblem};
pub use exercise::{load, load_with};
pub(crate) use layout::valid_name;

/// A valid exercise to damage, shared by the tests of every part.
#[cfg(test)]
mod fixture {
    use super::load;
    use std::path::{Path, PathBuf};

    pub(super) const MANIFEST_TEXT: &str =
        "id = \"hello\"\ntitle = \"Hello\"\ndifficulty = \"easy\"\nkind = \"stdio\"\n";

    /// A valid stdio exercise `hello` in a temporary catalog.
    pub(super) fn fixture() -> (tempfile::TempDir, PathBuf) {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("hello");
        std::fs::create_dir_all(dir.join("tests/public")).unwrap();
        std::fs::create_dir_all(dir.join("tests/hidden")).unwrap();
        for (file, text) in [
            ("exercise.toml", MANIFEST_TEXT),
            ("statement.md", "# Hello\n"),
            ("starter.py", "# your code\n"),
            ("solution.py", "print(input())\n"),
            ("tests/public/01.in", "a\n"),
            ("tests/public/01.out", "a\n"),
            ("tests/hidden/02.in", "b\n"),
            ("tests/hidden/02.out", "b\n"),
        ] {
            std::fs::write(dir.join(file), text).unwrap();
        }
        (root, dir)
    }

    #[track_caller]
    pub(super) fn errors(dir: &Path) -> String {
        load(dir).unwrap_err().to_string()
    }

    pub(super) fn write(dir: &Path, file: &str, text: &str) {
        let path = dir.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[cfg(unix)]
    pub(super) fn link(target: &str, dir: &Path, file: &str) {
        std::os::unix::fs::symlink(target, dir.join(file)).unwrap();
    }

    #[cfg(unix)]
    pub(super) fn fifo(dir: &Path, file: &str) {
        let path = std::ffi::CString::new(dir.join(file).to_str().unwrap()).unwrap();
        // SAFETY: mkfifo only creates a file at a valid, NUL-terminated path.
        #[allow(unsafe_code)]
        let made = unsafe { libc::mkfifo(path.as_ptr(), 0o644) };
        assert_eq!(made, 0);
    }
}
