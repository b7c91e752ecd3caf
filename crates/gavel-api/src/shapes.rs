//! The JSON the API speaks (docs/api.md, docs/openapi.json), shared by the
//! server and the client so the two cannot drift apart.
//!
//! Enums are externally tagged: results carry arbitrary-precision numbers,
//! which serde can only read back when nothing is buffered (internal tags
//! and `flatten` buffer).

use base64::Engine as _;
use gavel_exercise::Verdict;
use gavel_judge::{SubmissionResult, TestResult};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Where a submission is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionStatus {
    /// Stored, waiting for a judge.
    Queued,
    /// Being judged.
    Running,
    /// Judged; the result is final.
    Done,
}

impl SubmissionStatus {
    /// The name stored in the database and sent on the wire.
    pub fn name(self) -> &'static str {
        match self {
            SubmissionStatus::Queued => "queued",
            SubmissionStatus::Running => "running",
            SubmissionStatus::Done => "done",
        }
    }

    /// The status named `name`.
    pub fn from_name(name: &str) -> Option<SubmissionStatus> {
        match name {
            "queued" => Some(SubmissionStatus::Queued),
            "running" => Some(SubmissionStatus::Running),
            "done" => Some(SubmissionStatus::Done),
            _ => None,
        }
    }
}

/// `GET /api/v1/me`: who the token belongs to, and their limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Me {
    /// The candidate's name.
    pub name: String,
    /// Their limits.
    pub limits: Quotas,
}

/// Per-candidate limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quotas {
    /// Submissions queued or running at once.
    pub in_flight: u32,
    /// Submissions per exercise in any hour.
    pub per_exercise_per_hour: u32,
    /// The largest source accepted, in bytes.
    pub max_source_bytes: u64,
}

/// A submission, without its result (`POST …/submissions`, lists).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmissionInfo {
    /// Its id.
    pub id: i64,
    /// The exercise.
    pub exercise: String,
    /// Where it is.
    pub status: SubmissionStatus,
    /// When it was received (RFC 3339, UTC).
    pub submitted_at: String,
    /// When it was judged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
    /// Its verdict, once done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    /// Points earned, once done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<f64>,
    /// Points possible, once done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_points: Option<u32>,
}

/// `GET /api/v1/submissions/{id}`: the submission and, once done, its
/// result (the same shape as `gavel submit --json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SubmissionDetails {
    /// The submission.
    pub submission: SubmissionInfo,
    /// Its result, once done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<SubmissionResult>,
}

/// One line of `GET /api/v1/submissions/{id}/events` (NDJSON): where the
/// submission is, each test as it finishes, and the result last.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StreamLine {
    /// The submission's status when the stream starts and when it changes.
    Status(SubmissionStatus),
    /// A test finished (under the confidentiality rules).
    Test(Box<TestResult>),
    /// The final result; the stream ends.
    Done(Box<SubmissionResult>),
}

/// A file of a candidate's copy of an exercise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackFile {
    /// Its path, relative to the exercise's directory.
    pub path: String,
    /// Its content, when it is UTF-8 text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Its content in base64, when it is not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base64: Option<String>,
}

impl PackFile {
    /// A file with `bytes`, as text when they are UTF-8.
    pub fn new(path: String, bytes: &[u8]) -> PackFile {
        match std::str::from_utf8(bytes) {
            Ok(text) => PackFile {
                path,
                text: Some(text.to_owned()),
                base64: None,
            },
            Err(_) => PackFile {
                path,
                text: None,
                base64: Some(base64::engine::general_purpose::STANDARD.encode(bytes)),
            },
        }
    }

    /// Its bytes, or `None` when the base64 is broken.
    pub fn bytes(&self) -> Option<Vec<u8>> {
        match (&self.text, &self.base64) {
            (Some(text), _) => Some(text.as_bytes().to_vec()),
            (None, Some(encoded)) => base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .ok(),
            (None, None) => Some(Vec::new()),
        }
    }
}

/// `GET /api/v1/exercises/{id}/pack`: the exercise as a small catalog of
/// one, for `gavel test` offline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pack {
    /// The exercise's id (the directory to write it into).
    pub exercise: String,
    /// Its files.
    pub files: Vec<PackFile>,
}

/// Why a pack could not be written out.
#[derive(Debug, thiserror::Error)]
pub enum UnpackError {
    /// The exercise's directory exists already.
    #[error("`{}` exists already; remove it to fetch the exercise again", .0.display())]
    Exists(PathBuf),
    /// The id or a file's path would leave the directory it belongs in.
    #[error("the server sent a file outside the exercise: `{0}`")]
    Outside(String),
    /// A file's base64 does not decode.
    #[error("the server sent `{0}` damaged")]
    Damaged(String),
    /// A file could not be written.
    #[error("cannot write `{}`: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Where [`Pack::unpack`] wrote a pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unpacked {
    /// `DIR/exercises/ID`: the exercise, a catalog of one under `DIR/exercises`.
    pub exercise_dir: PathBuf,
    /// `DIR/ID.py`: the starter, for the candidate's work.
    pub starter: PathBuf,
    /// Whether the starter was written (a file there already is kept: it may
    /// be the candidate's work).
    pub wrote_starter: bool,
}

/// Whether `path` is relative and goes only down (no `..`, no root).
fn stays_inside(path: &Path) -> bool {
    path.components()
        .all(|c| matches!(c, std::path::Component::Normal(_)))
}

impl Pack {
    /// Writes the pack into `dir`: the exercise as `DIR/exercises/ID/` and its
    /// starter as `DIR/ID.py` (unless that file exists). Nothing the server
    /// sends can write outside those: every path is checked first.
    pub fn unpack(&self, dir: &Path) -> Result<Unpacked, UnpackError> {
        if !stays_inside(Path::new(&self.exercise)) || self.exercise.contains('/') {
            return Err(UnpackError::Outside(self.exercise.clone()));
        }
        let exercise_dir = dir.join("exercises").join(&self.exercise);
        if exercise_dir.exists() {
            return Err(UnpackError::Exists(exercise_dir));
        }
        let mut files = Vec::with_capacity(self.files.len());
        for file in &self.files {
            let bytes = file
                .bytes()
                .ok_or_else(|| UnpackError::Damaged(file.path.clone()))?;
            if !stays_inside(Path::new(&file.path)) {
                return Err(UnpackError::Outside(file.path.clone()));
            }
            files.push((exercise_dir.join(&file.path), bytes));
        }
        let write = |path: &Path, bytes: &[u8]| {
            gavel_core::fs::write_atomically(path, bytes).map_err(|source| UnpackError::Write {
                path: path.to_owned(),
                source,
            })
        };
        for (path, bytes) in &files {
            write(path, bytes)?;
        }
        let starter = dir.join(format!("{}.py", self.exercise));
        let text = files
            .iter()
            .find(|(path, _)| *path == exercise_dir.join("starter.py"))
            .map(|(_, bytes)| bytes);
        let wrote_starter = match text {
            Some(bytes) if !starter.exists() => {
                write(&starter, bytes)?;
                true
            }
            _ => false,
        };
        Ok(Unpacked {
            exercise_dir,
            starter,
            wrote_starter,
        })
    }
}

/// Every error's body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// A stable code: `bad_request`, `unauthorized`, `revoked`,
    /// `not_found`, `too_large`, `too_many_in_flight`, `hourly_limit`,
    /// `internal`.
    pub error: String,
    /// What happened, for people.
    pub message: String,
}

/// `GET /api/v1/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// Always true when the server answers.
    pub ok: bool,
    /// gavel's version.
    pub version: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pack_files_keep_bytes_that_are_not_text() {
        let text = PackFile::new("a".into(), b"hello\n");
        assert_eq!(text.text.as_deref(), Some("hello\n"));
        let binary = PackFile::new("b".into(), &[0xff, 0, 1]);
        assert!(binary.text.is_none());
        assert_eq!(binary.bytes().unwrap(), vec![0xff, 0, 1]);
    }

    #[test]
    fn a_pack_is_written_only_inside_its_directory() {
        let dir = tempfile::tempdir().unwrap();
        let pack = |exercise: &str, path: &str| Pack {
            exercise: exercise.to_owned(),
            files: vec![
                PackFile::new("starter.py".into(), b"def f():\n    pass\n"),
                PackFile::new(path.into(), b"x"),
            ],
        };
        let unpacked = pack("two-sum", "tests/public/01.in")
            .unpack(dir.path())
            .unwrap();
        assert!(unpacked.wrote_starter);
        assert_eq!(
            std::fs::read(dir.path().join("two-sum.py")).unwrap(),
            b"def f():\n    pass\n"
        );
        assert!(unpacked.exercise_dir.join("tests/public/01.in").is_file());
        // Again: the exercise exists, refused; the starter is the candidate's.
        assert!(matches!(
            pack("two-sum", "a").unpack(dir.path()),
            Err(UnpackError::Exists(_))
        ));
        for (exercise, path) in [("other", "../evil"), ("other", "/etc/x"), ("../up", "a")] {
            assert!(
                matches!(
                    pack(exercise, path).unpack(dir.path()),
                    Err(UnpackError::Outside(_))
                ),
                "{exercise} {path}"
            );
        }
        assert!(!dir.path().join("evil").exists());
    }

    #[test]
    fn stream_lines_read_back_with_exact_numbers() {
        let line = StreamLine::Status(SubmissionStatus::Running);
        let json = serde_json::to_string(&line).unwrap();
        assert_eq!(json, r#"{"status":"running"}"#);
        let back: StreamLine = serde_json::from_str(&json).unwrap();
        assert!(matches!(
            back,
            StreamLine::Status(SubmissionStatus::Running)
        ));
    }
}
