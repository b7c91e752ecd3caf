//! The report folder of a batch: one lock per folder, each result stored
//! atomically as soon as it is known, keyed by everything that determines it,
//! so that a batch killed half-way and run again reuses what was done.

use crate::homework::Candidate;
use crate::result::SubmissionResult;
use gavel_core::fs::{FileLock, remove_stale_temp_files, write_atomically};
use gavel_core::hash::Key;
use gavel_exercise::Disclosure;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// A report folder that cannot be used.
#[derive(Debug, Error)]
pub enum OutError {
    /// `--out` names something that is not a directory.
    #[error("`{}` is not a directory; --out needs a directory for the reports", path.display())]
    NotADirectory {
        /// The path.
        path: PathBuf,
    },
    /// Another `gavel grade` is writing to it.
    #[error("another `gavel grade` is writing to `{}`; wait for it to finish, or use another --out", path.display())]
    Busy {
        /// The folder.
        path: PathBuf,
    },
    /// It cannot be created, locked or cleaned.
    #[error("cannot use the report folder `{}`: {source}", path.display())]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// A report folder held by this process: nobody else writes to it while this
/// lives, and what a killed writer left half-written is gone.
#[derive(Debug)]
pub struct OutDir {
    path: PathBuf,
    _lock: FileLock,
}

const LOCK: &str = ".gavel-grade.lock";

impl OutDir {
    /// Opens (creating it) the report folder `path`: refused if it is a file
    /// or another `gavel grade` holds it.
    pub fn open(path: &Path) -> Result<OutDir, OutError> {
        let io = |source| OutError::Io {
            path: path.to_owned(),
            source,
        };
        match std::fs::metadata(path) {
            Ok(meta) if !meta.is_dir() => {
                return Err(OutError::NotADirectory {
                    path: path.to_owned(),
                });
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(path).map_err(io)?
            }
            Err(e) => return Err(io(e)),
        }
        let lock = FileLock::try_exclusive(&path.join(LOCK))
            .map_err(io)?
            .ok_or_else(|| OutError::Busy {
                path: path.to_owned(),
            })?;
        let removed = remove_stale_temp_files(path).map_err(io)?;
        if removed > 0 {
            tracing::info!(
                removed,
                "removed temporary files a killed run left in the report folder"
            );
        }
        Ok(OutDir {
            path: path.to_owned(),
            _lock: lock,
        })
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where the result of `candidate` on `exercise` is stored.
    pub fn result_path(&self, candidate: &Candidate, exercise: &str) -> PathBuf {
        self.path
            .join("results")
            .join(candidate.key())
            .join(format!("{exercise}.json"))
    }
}

/// A stored result, with the key it was computed for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredResult {
    /// The candidate (display name).
    pub candidate: String,
    /// The submission file, relative to the homework folder.
    pub file: String,
    /// What the result was computed from (see [`result_key`]).
    pub key: String,
    /// The result.
    pub result: SubmissionResult,
    /// The source judged (lossy UTF-8; absent when it was too large or
    /// unreadable), for the reports' source views and similarity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// The key of a result: equal keys mean an equal result. It covers the
/// source, the exercise as loaded, the image, what hidden tests reveal, the
/// source limit, and the version of gavel's judging rules, so an upgrade that
/// judges differently never reuses an old verdict.
pub fn result_key(
    source_sha256: &str,
    exercise_fingerprint: &str,
    image_sha256: &str,
    disclosure: Disclosure,
    max_source_bytes: u64,
) -> String {
    Key::new()
        .part(crate::JUDGING_RULES.to_le_bytes())
        .part(source_sha256)
        .part(exercise_fingerprint)
        .part(image_sha256)
        .part(disclosure.name())
        .part(max_source_bytes.to_le_bytes())
        .hex()
}

/// The stored result at `path` for `key`, if one is there and intact.
pub fn load_stored(path: &Path, key: &str) -> Option<StoredResult> {
    let stored = read_stored(path)?;
    (stored.key == key).then_some(stored)
}

/// The stored result at `path`, whatever its key.
pub fn read_stored(path: &Path) -> Option<StoredResult> {
    let bytes = std::fs::read(path).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Stores a result atomically.
pub fn store(path: &Path, stored: &StoredResult) -> std::io::Result<()> {
    let bytes = serde_json::to_vec_pretty(stored).map_err(std::io::Error::other)?;
    write_atomically(path, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_depends_on_everything_that_decides_a_result() {
        let k = result_key("src", "ex", "img", Disclosure::Verdicts, 1024);
        assert_eq!(
            k,
            result_key("src", "ex", "img", Disclosure::Verdicts, 1024)
        );
        assert_ne!(
            k,
            result_key("src2", "ex", "img", Disclosure::Verdicts, 1024)
        );
        assert_ne!(
            k,
            result_key("src", "ex2", "img", Disclosure::Verdicts, 1024)
        );
        assert_ne!(
            k,
            result_key("src", "ex", "img2", Disclosure::Verdicts, 1024)
        );
        assert_ne!(k, result_key("src", "ex", "img", Disclosure::Full, 1024));
        assert_ne!(
            k,
            result_key("src", "ex", "img", Disclosure::Verdicts, 2048)
        );
    }

    #[test]
    fn a_folder_is_refused_when_it_is_a_file_or_held() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        std::fs::write(&file, "").unwrap();
        assert!(matches!(
            OutDir::open(&file),
            Err(OutError::NotADirectory { .. })
        ));
        let out = dir.path().join("out");
        let held = OutDir::open(&out).unwrap();
        assert!(matches!(OutDir::open(&out), Err(OutError::Busy { .. })));
        drop(held);
        let leftover = out
            .join("results/x")
            .join(format!("{}1", gavel_core::fs::TEMP_PREFIX));
        std::fs::create_dir_all(leftover.parent().unwrap()).unwrap();
        std::fs::write(&leftover, "half").unwrap();
        let _again = OutDir::open(&out).unwrap();
        assert!(
            !leftover.exists(),
            "a killed run's temporary file is removed"
        );
    }
}
