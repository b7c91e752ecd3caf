//! Batch grading of a homework folder (`DIR/<candidate>/<exercise-id>.py`).
//!
//! Each result is written atomically to `OUT/results/<candidate>/<exercise>.json`
//! as soon as it is known, keyed by everything that determines it (the source,
//! the exercise's files, the image). A batch that is killed and run again
//! finds those files and skips the work: nothing is lost, nothing is graded
//! twice.

use crate::result::SubmissionResult;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One submission found in the homework folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// The candidate (the directory name).
    pub candidate: String,
    /// The exercise id (the file stem).
    pub exercise: String,
    /// The file.
    pub path: PathBuf,
}

/// What was found in a homework folder: submissions, and everything that is
/// not one (reported, never silently skipped).
#[derive(Debug, Default)]
pub struct Homework {
    /// Submissions for known exercises, by candidate then exercise.
    pub submissions: Vec<Submission>,
    /// Per candidate (or `""` for the folder itself), what was not graded and why.
    pub problems: BTreeMap<String, Vec<String>>,
}

/// Scans `dir` for `<candidate>/<exercise-id>.py`, leaving out `out` (the
/// report folder, which may be inside `dir`). Symbolic links are not
/// followed: a submission folder is untrusted input.
pub fn scan(dir: &Path, exercise_ids: &[&str], out: &Path) -> std::io::Result<Homework> {
    let mut homework = Homework::default();
    let out = std::fs::canonicalize(out).ok();
    let mut candidates: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    candidates.sort_by_key(|e| e.file_name());
    for entry in candidates {
        if out.is_some() && std::fs::canonicalize(entry.path()).ok() == out {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        let kind = entry.file_type()?;
        if kind.is_symlink() {
            homework
                .problems
                .entry(String::new())
                .or_default()
                .push(format!("{name}: a symbolic link, not followed"));
            continue;
        }
        if !kind.is_dir() {
            homework
                .problems
                .entry(String::new())
                .or_default()
                .push(format!("{name}: not a candidate directory"));
            continue;
        }
        let mut files: Vec<_> = std::fs::read_dir(entry.path())?.collect::<Result<_, _>>()?;
        files.sort_by_key(|e| e.file_name());
        if files.is_empty() {
            homework
                .problems
                .entry(name.clone())
                .or_default()
                .push("no files".to_owned());
        }
        for file in files {
            let file_name = file.file_name().to_string_lossy().into_owned();
            let kind = file.file_type()?;
            let problem = if kind.is_symlink() {
                Some("a symbolic link, not followed".to_owned())
            } else if !kind.is_file() {
                Some("not a file".to_owned())
            } else {
                match file_name.strip_suffix(".py") {
                    None => Some("not a .py file".to_owned()),
                    Some(stem) if !exercise_ids.contains(&stem) => {
                        Some(format!("no exercise `{stem}` in the catalog"))
                    }
                    Some(stem) => {
                        homework.submissions.push(Submission {
                            candidate: name.clone(),
                            exercise: stem.to_owned(),
                            path: file.path(),
                        });
                        None
                    }
                }
            };
            if let Some(problem) = problem {
                homework
                    .problems
                    .entry(name.clone())
                    .or_default()
                    .push(format!("{file_name}: {problem}"));
            }
        }
    }
    Ok(homework)
}

/// A stored result, with the key it was computed for.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredResult {
    /// The candidate.
    pub candidate: String,
    /// The submission file, relative to the homework folder.
    pub file: String,
    /// sha256 over the source, the exercise's files and the image.
    pub key: String,
    /// The result.
    pub result: SubmissionResult,
}

/// The key of a result: equal keys mean an equal result.
pub fn result_key(source: &[u8], exercise_fingerprint: &str, image_sha256: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(Sha256::digest(source));
    hasher.update(exercise_fingerprint.as_bytes());
    hasher.update(image_sha256.as_bytes());
    format!("{:x}", hasher.finalize())
}

/// sha256 over every file of an exercise directory (names and contents), so
/// a changed test, limit or reference invalidates stored results.
pub fn exercise_fingerprint(dir: &Path) -> std::io::Result<String> {
    fn walk(dir: &Path, base: &Path, hasher: &mut Sha256) -> std::io::Result<()> {
        let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                walk(&path, base, hasher)?;
            } else {
                let relative = path.strip_prefix(base).unwrap_or(&path);
                hasher.update(relative.to_string_lossy().as_bytes());
                hasher.update([0]);
                hasher.update(Sha256::digest(std::fs::read(&path)?));
            }
        }
        Ok(())
    }
    let mut hasher = Sha256::new();
    walk(dir, dir, &mut hasher)?;
    Ok(format!("{:x}", hasher.finalize()))
}

/// A name safe to use as one path component, whatever the candidate folder
/// was called; distinct names stay distinct.
pub fn safe_component(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if cleaned == name && !name.starts_with('.') {
        return cleaned;
    }
    let digest = format!("{:x}", Sha256::digest(name.as_bytes()));
    format!("{}-{}", cleaned.trim_start_matches('.'), &digest[..8])
}

/// Where the result of a submission is stored under `out`.
pub fn result_path(out: &Path, submission: &Submission) -> PathBuf {
    out.join("results")
        .join(safe_component(&submission.candidate))
        .join(format!("{}.json", submission.exercise))
}

/// The stored result for `key`, if one is there and intact.
pub fn load_stored(path: &Path, key: &str) -> Option<StoredResult> {
    let bytes = std::fs::read(path).ok()?;
    let stored: StoredResult = serde_json::from_slice(&bytes).ok()?;
    (stored.key == key).then_some(stored)
}

/// Stores a result atomically.
pub fn store(path: &Path, stored: &StoredResult) -> std::io::Result<()> {
    let bytes = serde_json::to_vec_pretty(stored).map_err(std::io::Error::other)?;
    gavel_sandbox::write_atomically(path, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scanning_reports_everything_that_is_not_a_submission() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("alice")).unwrap();
        std::fs::create_dir_all(root.join("bob")).unwrap();
        std::fs::write(root.join("alice/two-sum.py"), "").unwrap();
        std::fs::write(root.join("alice/notes.txt"), "").unwrap();
        std::fs::write(root.join("alice/unknown.py"), "").unwrap();
        std::fs::write(root.join("README"), "").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink("/etc/passwd", root.join("bob/two-sum.py")).unwrap();
        std::fs::create_dir_all(root.join("report/results")).unwrap();
        let homework = scan(root, &["two-sum"], &root.join("report")).unwrap();
        assert_eq!(homework.submissions.len(), 1);
        assert_eq!(homework.submissions[0].candidate, "alice");
        let alice = &homework.problems["alice"];
        assert!(
            alice.iter().any(|p| p == "notes.txt: not a .py file"),
            "{alice:?}"
        );
        assert!(
            alice
                .iter()
                .any(|p| p == "unknown.py: no exercise `unknown` in the catalog")
        );
        assert!(
            homework.problems[""]
                .iter()
                .any(|p| p.starts_with("README"))
        );
        #[cfg(unix)]
        assert!(homework.problems["bob"][0].contains("symbolic link"));
    }

    #[test]
    fn odd_candidate_names_become_distinct_safe_components() {
        assert_eq!(safe_component("alice"), "alice");
        let a = safe_component("../evil");
        let b = safe_component("__evil");
        assert!(!a.contains('/') && !a.starts_with('.'), "{a}");
        assert_ne!(a, b);
        assert_ne!(safe_component("a b"), safe_component("a_b"));
    }

    #[test]
    fn the_key_depends_on_source_exercise_and_image() {
        let k = result_key(b"x", "ex", "img");
        assert_eq!(k, result_key(b"x", "ex", "img"));
        assert_ne!(k, result_key(b"y", "ex", "img"));
        assert_ne!(k, result_key(b"x", "ex2", "img"));
        assert_ne!(k, result_key(b"x", "ex", "img2"));
    }
}
