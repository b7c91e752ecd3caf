//! Batch grading of a homework folder (`DIR/<candidate>/<exercise-id>.py`):
//! scan, plan (reusing what an earlier run stored), prepare the exercises
//! concurrently, grade with bounded concurrency, store each result as soon as
//! it is known, and write the reports from the stored results.
//!
//! Host memory stays bounded whatever the folder holds: a submission's source
//! is read only when a slot is free to grade it (and never past the source
//! limit), every result goes to disk at once and only a summary stays in
//! memory, and the reports are written one candidate at a time.

mod external;
mod scan;
mod store;

pub use external::{ExternalBatch, ExternalCandidate, ExternalResult, write_external};
pub use scan::{Candidate, Folder, Homework, Problem, Submission, scan};
pub use store::{OutDir, OutError, StoredResult, load_stored, read_stored, result_key, store};

use crate::events::{Event, Reporter};
use crate::judge::{Judge, JudgeError, Options};
use crate::prepare::{Prepared, Selection};
use bytes::Bytes;
use gavel_core::hash::sha256_hex;
use gavel_exercise::{Exercise, Verdict};
use serde::{Deserialize, Serialize, Serializer};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use thiserror::Error;
use tokio::sync::Semaphore;

/// Why a batch could not be graded (never a submission's doing).
#[derive(Debug, Error)]
pub enum BatchError {
    /// The report folder cannot be used.
    #[error(transparent)]
    Out(#[from] OutError),
    /// The homework folder cannot be read.
    #[error("cannot read the homework folder `{}`: {source}", path.display())]
    Homework {
        /// The folder.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The assignment names an exercise the catalog does not have.
    #[error("the assignment names `{0}`, which is not an exercise of the catalog")]
    UnknownExercise(String),
    /// The judge or an exercise failed.
    #[error(transparent)]
    Judge(#[from] JudgeError),
    /// A result or report could not be written.
    #[error("cannot write `{}`: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// What to grade.
#[derive(Debug, Clone)]
pub struct GradeRequest {
    /// The homework folder.
    pub homework: PathBuf,
    /// The report folder.
    pub out: PathBuf,
    /// The exercises every candidate was given; `None`: every exercise any
    /// candidate submitted.
    pub assignment: Option<Vec<String>>,
    /// How to judge (`disclosure: Some(Full)` for `--reveal-hidden`).
    pub options: Options,
    /// How the reports are written.
    pub report: crate::report::ReportOptions,
}

/// One exercise of one candidate, in the summary and the reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Graded, with this verdict.
    Graded(Verdict),
    /// Not submitted: 0 of its points.
    Missing,
}

impl Serialize for Status {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Status::Graded(verdict) => verdict.serialize(s),
            Status::Missing => s.serialize_str("missing"),
        }
    }
}

impl<'de> Deserialize<'de> for Status {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        if text == "missing" {
            return Ok(Status::Missing);
        }
        Verdict::from_code(&text)
            .map(Status::Graded)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown status `{text}`")))
    }
}

/// A candidate's totals (`gavel grade --json`'s items).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CandidateSummary {
    /// The candidate (display name).
    pub candidate: String,
    /// Points over the assignment.
    #[serde(serialize_with = "crate::result::points::serialize")]
    pub points: f64,
    /// Points possible over the assignment.
    pub max_points: u32,
    /// Each exercise of the assignment: its verdict, or `missing`.
    pub verdicts: BTreeMap<String, Status>,
    /// The points earned on each exercise.
    pub exercise_points: BTreeMap<String, f64>,
    /// Files that were not graded.
    pub problems: Vec<Problem>,
}

/// What a batch produced, beside the reports on disk.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GradeSummary {
    /// The report folder.
    pub out: PathBuf,
    /// The exercises of the assignment.
    pub exercises: Vec<String>,
    /// Each candidate, by name.
    pub candidates: Vec<CandidateSummary>,
    /// Problems of the homework folder itself.
    pub problems: Vec<Problem>,
    /// Pairs of similar submissions (as in `results.json`).
    #[serde(default)]
    pub similar: Vec<crate::similarity::SimilarPair>,
}

impl GradeSummary {
    /// Whether the judge itself failed on some test: nothing can be concluded.
    pub fn internal_error(&self) -> bool {
        self.statuses()
            .any(|s| s == Status::Graded(Verdict::InternalError))
    }

    /// Whether every exercise of every candidate was submitted and accepted,
    /// and every file graded.
    pub fn all_accepted(&self) -> bool {
        self.problems.is_empty()
            && self.candidates.iter().all(|c| c.problems.is_empty())
            && self
                .statuses()
                .all(|s| s == Status::Graded(Verdict::Accepted))
    }

    fn statuses(&self) -> impl Iterator<Item = Status> + '_ {
        self.candidates
            .iter()
            .flat_map(|c| c.verdicts.values().copied())
    }
}

/// The starter of each exercise of `ids`: code every candidate was given is
/// not evidence of copying.
fn starters(ids: &[String], by_id: &HashMap<&str, &Arc<Exercise>>) -> BTreeMap<String, String> {
    ids.iter()
        .filter_map(|id| Some((id.clone(), by_id.get(id.as_str())?.starter.clone())))
        .collect()
}

/// A candidate's part of the batch, as the reports need it.
#[derive(Debug, Clone)]
pub struct CandidatePlan {
    /// The candidate.
    pub candidate: Candidate,
    /// Where each graded exercise's result is stored, by exercise id.
    pub stored: BTreeMap<String, PathBuf>,
    /// The candidate's summary.
    pub summary: CandidateSummary,
}

/// A submission whose result must be computed.
struct Pending {
    folder: usize,
    submission: Submission,
    key: String,
    path: PathBuf,
}

/// A submission's source, read without following links, never past the limit.
pub enum Source {
    /// Read whole.
    Read(Bytes),
    /// Larger than the limit: only hashed.
    TooLarge {
        /// Its size.
        size: u64,
        /// Its sha256.
        sha256: String,
    },
}

impl Source {
    /// Its sha256.
    pub fn sha256(&self) -> String {
        match self {
            Source::Read(bytes) => sha256_hex(bytes),
            Source::TooLarge { sha256, .. } => sha256.clone(),
        }
    }
}

/// Reads the plain file `path` as a submission (`gavel_core::fs::open_plain`:
/// never through a link, never blocking on a FIFO); a file past `max` bytes
/// is only hashed, in pieces.
pub fn read_source(path: &Path, max: u64) -> std::io::Result<Source> {
    use gavel_core::fs::{PlainFileError, open_plain, read_at_most};
    use sha2::Digest;
    use std::io::Read;
    let refused = |e: PlainFileError| match e {
        PlainFileError::Io(e) => e,
        other => std::io::Error::other(other.to_string()),
    };
    let (mut file, size) = open_plain(path).map_err(refused)?;
    match read_at_most(&mut file, size, max) {
        Ok(bytes) => return Ok(Source::Read(Bytes::from(bytes))),
        Err(PlainFileError::TooLarge { .. }) => {}
        Err(e) => return Err(refused(e)),
    }
    let (mut file, _) = open_plain(path).map_err(refused)?;
    let mut hasher = sha2::Sha256::new();
    let mut buffer = vec![0; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buffer[..n]);
    }
    Ok(Source::TooLarge {
        size,
        sha256: gavel_core::hash::hex(&hasher.finalize()),
    })
}

/// A reporter that adds the candidate and file to the engine's events.
struct ForCandidate<'a> {
    inner: &'a dyn Reporter,
    candidate: &'a Candidate,
}

impl Reporter for ForCandidate<'_> {
    fn report(&self, event: Event<'_>) {
        match event {
            Event::SubmissionStarted {
                exercise, tests, ..
            } => self.inner.report(Event::SubmissionStarted {
                candidate: Some(self.candidate),
                exercise,
                tests,
            }),
            Event::TestFinished { exercise, test, .. } => self.inner.report(Event::TestFinished {
                candidate: Some(self.candidate),
                exercise,
                test,
            }),
            other => self.inner.report(other),
        }
    }
}

/// A stored result an earlier run left, reused as is.
struct Reused {
    folder: usize,
    exercise: String,
    stored: StoredResult,
    path: PathBuf,
}

/// Splits the submissions into those whose stored result can be reused and
/// those to grade. A submission that cannot be read becomes a problem of its
/// candidate (and its exercise missing), never a failure of the batch.
fn plan(
    folders: &mut [Folder],
    out: &OutDir,
    by_id: &HashMap<&str, &Arc<Exercise>>,
    options: Options,
    image: &str,
) -> (Vec<Reused>, Vec<Pending>) {
    let mut done = Vec::new();
    let mut pending = Vec::new();
    for (index, folder) in folders.iter_mut().enumerate() {
        let mut readable = Vec::new();
        for submission in std::mem::take(&mut folder.submissions) {
            let exercise = by_id[submission.exercise.as_str()];
            let source = match read_source(&submission.path, options.max_source_bytes) {
                Ok(source) => source,
                Err(e) => {
                    folder.problems.push(Problem {
                        file: submission.file,
                        reason: format!("cannot be read: {e}"),
                        suggestion: None,
                    });
                    continue;
                }
            };
            let policy = options.disclosure.unwrap_or(exercise.disclosure);
            let key = result_key(
                &source.sha256(),
                &exercise.fingerprint,
                image,
                policy,
                options.max_source_bytes,
            );
            let path = out.result_path(&folder.candidate, &submission.exercise);
            match load_stored(&path, &key) {
                Some(stored) => done.push(Reused {
                    folder: index,
                    exercise: submission.exercise.clone(),
                    stored,
                    path,
                }),
                None => pending.push(Pending {
                    folder: index,
                    submission: submission.clone(),
                    key,
                    path,
                }),
            }
            readable.push(submission);
        }
        folder.submissions = readable;
    }
    (done, pending)
}

fn announce(
    reporter: &dyn Reporter,
    homework_problems: &[Problem],
    folders: &[Folder],
    done: &[Reused],
    to_grade: usize,
) {
    for problem in homework_problems {
        reporter.report(Event::ProblemFound {
            candidate: None,
            problem,
        });
    }
    for folder in folders {
        for problem in &folder.problems {
            reporter.report(Event::ProblemFound {
                candidate: Some(&folder.candidate),
                problem,
            });
        }
    }
    reporter.report(Event::BatchPlanned {
        to_grade,
        reused: done.len(),
    });
    for reused in done {
        reporter.report(Event::SubmissionFinished {
            candidate: Some(&folders[reused.folder].candidate),
            file: Some(&reused.stored.file),
            result: &reused.stored.result,
            reused: true,
        });
    }
}

/// Grades a homework folder against `exercises` (the catalog) and writes the
/// reports. Problems of single entries are reported, never fatal; only a
/// failure of the judge, the catalog or the report folder is an `Err`.
pub async fn grade(
    judge: &Judge,
    exercises: &[Arc<Exercise>],
    request: &GradeRequest,
    reporter: Arc<dyn Reporter>,
) -> Result<GradeSummary, BatchError> {
    let out = OutDir::open(&request.out)?;
    let by_id: HashMap<&str, &Arc<Exercise>> =
        exercises.iter().map(|e| (e.id.as_str(), e)).collect();
    let ids: Vec<&str> = exercises.iter().map(|e| e.id.as_str()).collect();
    let homework =
        scan(&request.homework, &ids, out.path()).map_err(|source| BatchError::Homework {
            path: request.homework.clone(),
            source,
        })?;
    let assignment = assignment(request, &homework, &by_id)?;
    let image = judge.sandbox().image().sha256.clone();
    let options = request.options;

    let mut folders = homework.folders;
    let (done, pending) = plan(&mut folders, &out, &by_id, options, &image);
    announce(
        &*reporter,
        &homework.problems,
        &folders,
        &done,
        pending.len(),
    );
    let needed: BTreeSet<&str> = pending
        .iter()
        .map(|p| p.submission.exercise.as_str())
        .collect();
    let prepared =
        prepare_all(judge, needed.iter().map(|id| by_id[id].clone()), &*reporter).await?;
    let graded = grade_pending(
        judge,
        &folders,
        pending,
        &prepared,
        options,
        reporter.clone(),
        &image,
    )
    .await?;

    // Summaries: only these stay in memory; the results are on disk.
    let mut results: Vec<BTreeMap<String, (PathBuf, Verdict, f64)>> =
        vec![BTreeMap::new(); folders.len()];
    for reused in done {
        let entry = (
            reused.path,
            reused.stored.result.verdict,
            reused.stored.result.points,
        );
        results[reused.folder].insert(reused.exercise, entry);
    }
    for (index, exercise, verdict, points, path) in graded {
        results[index].insert(exercise, (path, verdict, points));
    }
    let plans: Vec<CandidatePlan> = folders
        .into_iter()
        .zip(results)
        .map(|(folder, results)| plan_candidate(folder, results, &assignment, &by_id))
        .collect();
    let summary = GradeSummary {
        out: request.out.clone(),
        exercises: assignment,
        candidates: plans.iter().map(|p| p.summary.clone()).collect(),
        problems: homework.problems,
        similar: Vec::new(),
    };
    let meta = report_meta(exercises, &by_id, &plans, &summary, request, image);
    let mut summary = summary;
    summary.similar = crate::report::write_all(&out, &plans, &summary, &meta)?;
    Ok(summary)
}

fn report_meta(
    exercises: &[Arc<Exercise>],
    by_id: &HashMap<&str, &Arc<Exercise>>,
    plans: &[CandidatePlan],
    summary: &GradeSummary,
    request: &GradeRequest,
    image: String,
) -> crate::report::ReportMeta {
    use gavel_exercise::Disclosure;
    crate::report::ReportMeta {
        image_sha256: image,
        catalog_fingerprint: crate::catalog_fingerprint(exercises),
        homework: request.homework.clone(),
        max_points: summary
            .exercises
            .iter()
            .map(|id| (id.clone(), by_id[id.as_str()].max_points()))
            .collect(),
        reveals_hidden: request.options.disclosure == Some(Disclosure::Full)
            || plans
                .iter()
                .flat_map(|p| p.stored.keys())
                .any(|id| by_id[id.as_str()].disclosure == Disclosure::Full),
        starters: starters(&summary.exercises, by_id),
        options: request.report,
    }
}

fn assignment(
    request: &GradeRequest,
    homework: &Homework,
    by_id: &HashMap<&str, &Arc<Exercise>>,
) -> Result<Vec<String>, BatchError> {
    let ids: Vec<String> = match &request.assignment {
        Some(ids) => {
            for id in ids {
                if !by_id.contains_key(id.as_str()) {
                    return Err(BatchError::UnknownExercise(id.clone()));
                }
            }
            ids.clone()
        }
        None => homework
            .folders
            .iter()
            .flat_map(|f| f.submissions.iter().map(|s| s.exercise.clone()))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect(),
    };
    let mut unique = Vec::new();
    for id in ids {
        if !unique.contains(&id) {
            unique.push(id);
        }
    }
    Ok(unique)
}

/// Prepares every exercise at once (runs share the judge's slots).
pub async fn prepare_all(
    judge: &Judge,
    exercises: impl Iterator<Item = Arc<Exercise>>,
    reporter: &dyn Reporter,
) -> Result<HashMap<String, Arc<Prepared>>, JudgeError> {
    let mut tasks = tokio::task::JoinSet::new();
    for exercise in exercises {
        reporter.report(Event::Preparing {
            exercise: &exercise.id,
        });
        let judge = judge.clone();
        tasks.spawn(async move { judge.prepare(exercise, Selection::All).await });
    }
    let mut prepared = HashMap::new();
    while let Some(joined) = tasks.join_next().await {
        let p = joined.map_err(|e| JudgeError::Panicked(e.to_string()))??;
        prepared.insert(p.exercise.id.clone(), Arc::new(p));
    }
    Ok(prepared)
}

type Graded = (usize, String, Verdict, f64, PathBuf);

async fn grade_pending(
    judge: &Judge,
    folders: &[Folder],
    pending: Vec<Pending>,
    prepared: &HashMap<String, Arc<Prepared>>,
    options: Options,
    reporter: Arc<dyn Reporter>,
    image: &str,
) -> Result<Vec<Graded>, BatchError> {
    // A submission takes its source only when it has a slot: at most this many
    // sources and results are in memory at once.
    let slots = Arc::new(Semaphore::new(judge.parallel()));
    let mut tasks = tokio::task::JoinSet::new();
    for item in pending {
        let judge = judge.clone();
        let prepared = prepared[&item.submission.exercise].clone();
        let candidate = folders[item.folder].candidate.clone();
        let reporter = reporter.clone();
        let slots = slots.clone();
        let image = image.to_owned();
        tasks.spawn(async move {
            let _slot = slots.acquire_owned().await.expect("never closed");
            grade_one(
                &judge, &prepared, &candidate, item, options, &*reporter, &image,
            )
            .await
        });
    }
    let mut graded = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        graded.push(joined.map_err(|e| JudgeError::Panicked(e.to_string()))??);
    }
    Ok(graded)
}

async fn grade_one(
    judge: &Judge,
    prepared: &Arc<Prepared>,
    candidate: &Candidate,
    item: Pending,
    options: Options,
    reporter: &dyn Reporter,
    image: &str,
) -> Result<Graded, BatchError> {
    let exercise = &prepared.exercise;
    let policy = options.disclosure.unwrap_or(exercise.disclosure);
    let scoped = ForCandidate {
        inner: reporter,
        candidate,
    };
    let mut source = None;
    let (result, key) = match read_source(&item.submission.path, options.max_source_bytes) {
        Ok(Source::Read(bytes)) => {
            source = Some(String::from_utf8_lossy(&bytes).into_owned());
            // The file may have changed since it was planned.
            let key = result_key(
                &sha256_hex(&bytes),
                &exercise.fingerprint,
                image,
                policy,
                options.max_source_bytes,
            );
            (judge.judge(prepared, bytes, options, &scoped).await, key)
        }
        Ok(Source::TooLarge { size, sha256 }) => {
            let key = result_key(
                &sha256,
                &exercise.fingerprint,
                image,
                policy,
                options.max_source_bytes,
            );
            (judge.too_large(prepared, size, sha256, options), key)
        }
        Err(e) => {
            // Gone or unreadable since the plan: judged as nothing at all.
            tracing::warn!(file = %item.submission.file, "cannot read the submission: {e}");
            (
                judge.judge(prepared, Bytes::new(), options, &scoped).await,
                item.key,
            )
        }
    };
    let stored = StoredResult {
        candidate: candidate.display(),
        file: item.submission.file.clone(),
        key,
        result,
        source,
    };
    store(&item.path, &stored).map_err(|source| BatchError::Write {
        path: item.path.clone(),
        source,
    })?;
    reporter.report(Event::SubmissionFinished {
        candidate: Some(candidate),
        file: Some(&stored.file),
        result: &stored.result,
        reused: false,
    });
    Ok((
        item.folder,
        item.submission.exercise,
        stored.result.verdict,
        stored.result.points,
        item.path,
    ))
}

fn plan_candidate(
    folder: Folder,
    results: BTreeMap<String, (PathBuf, Verdict, f64)>,
    assignment: &[String],
    by_id: &HashMap<&str, &Arc<Exercise>>,
) -> CandidatePlan {
    let mut verdicts = BTreeMap::new();
    let mut exercise_points = BTreeMap::new();
    let mut stored = BTreeMap::new();
    let mut points = 0.0;
    let mut max_points = 0;
    for id in assignment {
        max_points += by_id[id.as_str()].max_points();
        match results.get(id) {
            Some((path, verdict, earned)) => {
                points += earned;
                exercise_points.insert(id.clone(), *earned);
                verdicts.insert(id.clone(), Status::Graded(*verdict));
                stored.insert(id.clone(), path.clone());
            }
            None => {
                verdicts.insert(id.clone(), Status::Missing);
                exercise_points.insert(id.clone(), 0.0);
            }
        }
    }
    // Work on exercises outside the assignment is graded and shown, but not counted.
    for (id, (path, verdict, earned)) in results {
        if !assignment.contains(&id) {
            verdicts.insert(id.clone(), Status::Graded(verdict));
            exercise_points.insert(id.clone(), earned);
            stored.insert(id, path);
        }
    }
    CandidatePlan {
        summary: CandidateSummary {
            candidate: folder.candidate.display(),
            points,
            max_points,
            verdicts,
            exercise_points,
            problems: folder.problems,
        },
        candidate: folder.candidate,
        stored,
    }
}

/// A candidate's stored results, read back one file at a time (for reports).
pub fn load_results(plan: &CandidatePlan) -> Vec<(String, Option<StoredResult>)> {
    plan.stored
        .iter()
        .map(|(id, path)| (id.clone(), read_stored(path)))
        .collect()
}
