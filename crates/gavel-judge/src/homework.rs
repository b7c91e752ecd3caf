//! Reading a homework folder (`DIR/<candidate>/<exercise-id>.py`): untrusted
//! input that arrives from unzipped archives, with any names, modes and file
//! types. Nothing in it stops the scan: whatever is not a submission is a
//! [`Problem`] of its candidate (or of the folder), named and, where a name is
//! close to an exercise id, with a suggestion.

use serde::{Deserialize, Serialize};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// A candidate, identified by the raw bytes of their folder's name: two
/// folders whose names differ only in bytes that are not UTF-8 are two
/// candidates.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Candidate {
    raw: Vec<u8>,
}

impl Candidate {
    /// The candidate whose folder is named `name`.
    pub fn from_os(name: &OsStr) -> Candidate {
        Candidate {
            raw: name.as_encoded_bytes().to_vec(),
        }
    }

    /// The candidate whose folder's name is the bytes `raw`.
    pub fn from_raw(raw: Vec<u8>) -> Candidate {
        Candidate { raw }
    }

    /// The raw bytes of the candidate's folder's name: their identity.
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// The candidate named `name` (for tests and servers, where names are text).
    pub fn named(name: &str) -> Candidate {
        Candidate {
            raw: name.as_bytes().to_vec(),
        }
    }

    /// The name for people: UTF-8 as is, other bytes as `\xNN`, control
    /// characters and backslashes escaped. Distinct candidates have distinct
    /// display names, and none can drive a terminal.
    pub fn display(&self) -> String {
        let mut out = String::new();
        for chunk in self.raw.utf8_chunks() {
            for c in chunk.valid().chars() {
                if c == '\\' {
                    out.push_str("\\\\");
                } else {
                    out.push_str(&gavel_core::text::escape(
                        c.encode_utf8(&mut [0; 4]),
                        gavel_core::text::Lines::Join,
                    ));
                }
            }
            for b in chunk.invalid() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        }
        out
    }

    /// A name safe to use as one path component, distinct for distinct
    /// candidates: the name itself when it is plain ASCII, else a cleaned
    /// name with a digest of the raw bytes.
    pub fn key(&self) -> String {
        let plain = !self.raw.is_empty()
            && self.raw[0] != b'.'
            && self
                .raw
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if plain {
            return String::from_utf8(self.raw.clone()).expect("ASCII");
        }
        let cleaned: String = String::from_utf8_lossy(&self.raw)
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '-' | '_') {
                    c
                } else {
                    '_'
                }
            })
            .take(40)
            .collect();
        let digest = gavel_core::hash::sha256_hex(&self.raw);
        format!("{cleaned}-{}", &digest[..12])
    }
}

/// Something in the homework folder that is not graded, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// The entry, relative to the homework folder (escaped for display).
    pub file: String,
    /// Why it is not graded.
    pub reason: String,
    /// The name it was probably meant to have, when one is close.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file, self.reason)?;
        if let Some(suggestion) = &self.suggestion {
            write!(f, " (did you mean `{suggestion}`?)")?;
        }
        Ok(())
    }
}

/// One submission found in the homework folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// The exercise id (the file stem).
    pub exercise: String,
    /// The file.
    pub path: PathBuf,
    /// The file, relative to the homework folder, for people.
    pub file: String,
}

/// One candidate's folder.
#[derive(Debug, Clone)]
pub struct Folder {
    /// The candidate.
    pub candidate: Candidate,
    /// Submissions for known exercises, by exercise id.
    pub submissions: Vec<Submission>,
    /// What was not graded, and why.
    pub problems: Vec<Problem>,
}

/// What was found in a homework folder.
#[derive(Debug, Default)]
pub struct Homework {
    /// Candidates, by name.
    pub folders: Vec<Folder>,
    /// Problems of the folder itself (files at the top level, links).
    pub problems: Vec<Problem>,
}

fn display_path(parts: &[&OsStr]) -> String {
    parts
        .iter()
        .map(|p| Candidate::from_os(p).display())
        .collect::<Vec<_>>()
        .join("/")
}

/// How an entry of the folder is, without following links.
enum Kind {
    Dir,
    File,
    Link,
    Special,
}

fn kind_of(entry: &std::fs::DirEntry) -> std::io::Result<Kind> {
    let kind = entry.file_type()?;
    Ok(if kind.is_symlink() {
        Kind::Link
    } else if kind.is_dir() {
        Kind::Dir
    } else if kind.is_file() {
        Kind::File
    } else {
        Kind::Special
    })
}

fn sorted_entries(dir: &Path) -> std::io::Result<Vec<std::fs::DirEntry>> {
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        entries.push(entry?);
    }
    entries.sort_by_key(|e| e.file_name());
    Ok(entries)
}

/// Scans `dir` for `<candidate>/<exercise-id>.py`, leaving out `out` (the
/// report folder, which may be inside `dir`). Links are never followed and
/// special files never opened. Only an unreadable `dir` itself is an error.
pub fn scan(dir: &Path, exercise_ids: &[&str], out: &Path) -> std::io::Result<Homework> {
    let mut homework = Homework::default();
    let out = std::fs::canonicalize(out).ok();
    for entry in sorted_entries(dir)? {
        let name = entry.file_name();
        if out.is_some() && std::fs::canonicalize(entry.path()).ok() == out {
            continue;
        }
        let problem = |reason: &str| Problem {
            file: display_path(&[&name]),
            reason: reason.to_owned(),
            suggestion: None,
        };
        match kind_of(&entry) {
            Ok(Kind::Dir) => {
                homework
                    .folders
                    .push(scan_candidate(&entry.path(), &name, exercise_ids))
            }
            Ok(Kind::Link) => homework
                .problems
                .push(problem("a symbolic link, not followed")),
            Ok(Kind::File) => {
                let text = name.to_string_lossy();
                let mut problem = problem(if text.ends_with(".zip") || text.ends_with(".tar.gz") {
                    "an archive: unpack it into a candidate folder"
                } else {
                    "a file at the top level: submissions go in <candidate>/<exercise-id>.py"
                });
                problem.suggestion =
                    suggest(&text, exercise_ids).map(|s| format!("<candidate>/{s}"));
                homework.problems.push(problem);
            }
            Ok(Kind::Special) => homework
                .problems
                .push(problem("not a file or folder (a FIFO, socket or device)")),
            Err(e) => homework
                .problems
                .push(problem(&format!("cannot be read: {e}"))),
        }
    }
    Ok(homework)
}

fn scan_candidate(path: &Path, name: &OsStr, exercise_ids: &[&str]) -> Folder {
    let mut folder = Folder {
        candidate: Candidate::from_os(name),
        submissions: Vec::new(),
        problems: Vec::new(),
    };
    let entries = match sorted_entries(path) {
        Ok(entries) => entries,
        Err(e) => {
            folder.problems.push(Problem {
                file: display_path(&[name]),
                reason: format!("the folder cannot be read: {e}"),
                suggestion: None,
            });
            return folder;
        }
    };
    if entries.is_empty() {
        folder.problems.push(Problem {
            file: display_path(&[name]),
            reason: "an empty folder".to_owned(),
            suggestion: None,
        });
    }
    for entry in entries {
        let file_name = entry.file_name();
        let file = display_path(&[name, &file_name]);
        let reason = match kind_of(&entry) {
            Ok(Kind::Link) => "a symbolic link, not followed".to_owned(),
            Ok(Kind::Dir) => {
                "a folder: submissions are files directly in the candidate's folder".to_owned()
            }
            Ok(Kind::Special) => "not a file (a FIFO, socket or device)".to_owned(),
            Err(e) => format!("cannot be read: {e}"),
            Ok(Kind::File) => {
                let stem = file_name
                    .to_str()
                    .and_then(|n| n.strip_suffix(".py"))
                    .filter(|stem| exercise_ids.contains(stem));
                match stem {
                    Some(stem) => {
                        folder.submissions.push(Submission {
                            exercise: stem.to_owned(),
                            path: entry.path(),
                            file,
                        });
                        continue;
                    }
                    None => match file_name.to_str() {
                        Some(n) if n.ends_with(".py") => {
                            format!("no exercise `{}` in the catalog", &n[..n.len() - 3])
                        }
                        _ => "not a .py file".to_owned(),
                    },
                }
            }
        };
        let suggestion = file_name.to_str().and_then(|n| suggest(n, exercise_ids));
        folder.problems.push(Problem {
            file,
            reason,
            suggestion,
        });
    }
    folder
}

/// The submission file name `name` was probably meant to be: the same up to
/// case, `_` or spaces for `-`, an extra extension, or a typo or two.
fn suggest(name: &str, exercise_ids: &[&str]) -> Option<String> {
    let lower = name.to_lowercase();
    let stem = lower
        .split_once(".py")
        .map_or(lower.as_str(), |(stem, _)| stem)
        .trim_end_matches(".txt");
    let normalised: String = stem
        .chars()
        .map(|c| if c == '_' || c == ' ' { '-' } else { c })
        .collect();
    let best = exercise_ids
        .iter()
        .map(|id| (distance(&normalised, id), *id))
        .min()?;
    (best.0 <= 2 && name != format!("{}.py", best.1)).then(|| format!("{}.py", best.1))
}

/// Levenshtein distance between two short strings.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            current.push(
                (previous[j] + cost)
                    .min(previous[j + 1] + 1)
                    .min(current[j] + 1),
            );
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_close_to_an_exercise_get_a_suggestion() {
        let ids = ["two-sum", "fibonacci-series", "merge-sort"];
        assert_eq!(suggest("two_sum.py", &ids).as_deref(), Some("two-sum.py"));
        assert_eq!(
            suggest("Fibonacci-Series.py", &ids).as_deref(),
            Some("fibonacci-series.py")
        );
        assert_eq!(
            suggest("merge-sort.py.txt", &ids).as_deref(),
            Some("merge-sort.py")
        );
        assert_eq!(suggest("two-sun.py", &ids).as_deref(), Some("two-sum.py"));
        assert_eq!(suggest("README.txt", &ids), None);
        assert_eq!(suggest("two-sum.py", &ids), None);
    }

    #[test]
    fn candidates_differing_only_in_invalid_bytes_stay_distinct() {
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let a = Candidate::from_os(OsStr::from_bytes(b"Jos\xe9"));
            let b = Candidate::from_os(OsStr::from_bytes(b"Jos\xe8"));
            assert_ne!(a, b);
            assert_eq!(a.display(), "Jos\\xe9");
            assert_ne!(a.display(), b.display());
            assert_ne!(a.key(), b.key());
        }
        let evil = Candidate::named("\u{1b}]0;pwned\u{7}\u{1b}[2J");
        assert!(!evil.display().contains('\u{1b}'), "{}", evil.display());
        assert_eq!(Candidate::named("alice").key(), "alice");
        assert_ne!(
            Candidate::named("../evil").key(),
            Candidate::named("__evil").key()
        );
        assert!(!Candidate::named("../evil").key().contains('/'));
        assert_ne!(Candidate::named("a b").key(), Candidate::named("a_b").key());
    }

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
        let alice = &homework.folders[0];
        assert_eq!(alice.candidate.display(), "alice");
        assert_eq!(alice.submissions.len(), 1);
        let problems: Vec<String> = alice.problems.iter().map(|p| p.to_string()).collect();
        assert!(
            problems.contains(&"alice/notes.txt: not a .py file".to_owned()),
            "{problems:?}"
        );
        assert!(
            problems.contains(&"alice/unknown.py: no exercise `unknown` in the catalog".to_owned())
        );
        assert!(homework.problems.iter().any(|p| p.file == "README"));
        #[cfg(unix)]
        assert!(
            homework.folders[1].problems[0]
                .reason
                .contains("symbolic link")
        );
    }
}
