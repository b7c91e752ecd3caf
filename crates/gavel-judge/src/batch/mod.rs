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
mod shard;
mod source;

pub use external::{ExternalBatch, ExternalCandidate, ExternalResult, write_external};
pub use shard::{
    MergeError, SHARD_FILE, Shard, ShardCandidate, ShardRecord, ShardSpecError, check_complete,
    homework_fingerprint, read_record, shard_of,
};
pub use source::{Source, read_source};

use crate::error::JudgeError;
use crate::homework::{Candidate, Folder, Homework, Problem, Submission, scan};
use crate::judge::{Judge, Options};
use crate::prepare::{Prepared, Selection};
use crate::report::ReportError;
use crate::result::SubmissionResult;
use crate::stored::{OutDir, OutError, StoredResult, load_stored, result_key, store};
use crate::summary::{CandidatePlan, CandidateSummary, ExerciseStatus, GradeSummary};
use bytes::Bytes;
use gavel_core::hash::sha256_hex;
use gavel_exercise::{Exercise, Verdict};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
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
    /// A result could not be stored.
    #[error("cannot write `{}`: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The reports could not be written.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// Shards cannot be merged.
    #[error(transparent)]
    Merge(#[from] MergeError),
}

/// What grading a batch reports while it runs, for a progress display.
pub trait GradeProgress: Send + Sync {
    /// An exercise is being prepared (generated tests, reference fuel).
    fn preparing(&self, exercise: &str);
    /// The batch knows its work: submissions to grade now, and those whose
    /// stored result an earlier run left and that are reused.
    fn planned(&self, to_grade: usize, reused: usize);
    /// A submission (`file`, relative to the homework folder) was graded.
    fn graded(&self, file: &str, result: &SubmissionResult);
}

impl GradeProgress for crate::Silent {
    fn preparing(&self, _exercise: &str) {}
    fn planned(&self, _to_grade: usize, _reused: usize) {}
    fn graded(&self, _file: &str, _result: &SubmissionResult) {}
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
    /// Grade only this shard of the candidates (and record it in
    /// `shard.json` for `merge`).
    pub shard: Option<Shard>,
}

/// A submission whose result must be computed.
struct Pending {
    folder: usize,
    submission: Submission,
    key: String,
    path: PathBuf,
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

/// Grades a homework folder against `exercises` (the catalog) and writes the
/// reports. Problems of single entries are reported, never fatal; only a
/// failure of the judge, the catalog or the report folder is an `Err`.
pub async fn grade(
    judge: &Judge,
    exercises: &[Arc<Exercise>],
    request: &GradeRequest,
    progress: Arc<dyn GradeProgress>,
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
    let everyone: Vec<&Candidate> = folders.iter().map(|f| &f.candidate).collect();
    let (homework_candidates, fingerprint) = (everyone.len(), homework_fingerprint(&everyone));
    if let Some(shard) = request.shard {
        folders.retain(|f| shard.holds(&f.candidate));
    }
    let (done, pending) = plan(&mut folders, &out, &by_id, options, &image);
    progress.planned(pending.len(), done.len());
    let needed: BTreeSet<&str> = pending
        .iter()
        .map(|p| p.submission.exercise.as_str())
        .collect();
    let prepared =
        prepare_all(judge, needed.iter().map(|id| by_id[id].clone()), &*progress).await?;
    let graded = grade_pending(
        judge,
        &folders,
        pending,
        &prepared,
        options,
        progress.clone(),
        &image,
    )
    .await?;

    let results = by_folder(folders.len(), done, graded);
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
    let meta = report_meta(
        exercises,
        &plans,
        &summary,
        &request.homework,
        options.disclosure,
        image,
        request.report,
    );
    if let Some(shard) = request.shard {
        let common = ShardRecord {
            shard,
            image_sha256: meta.image_sha256.clone(),
            catalog_fingerprint: meta.catalog_fingerprint.clone(),
            judging_rules: crate::JUDGING_RULES,
            assignment: summary.exercises.clone(),
            disclosure: options.disclosure,
            max_source_bytes: options.max_source_bytes,
            homework: request.homework.clone(),
            homework_candidates,
            homework_fingerprint: fingerprint,
            problems: summary.problems.clone(),
            candidates: Vec::new(),
        };
        let record = shard::record(shard, &out, &plans, common);
        let path = out.path().join(SHARD_FILE);
        let text = serde_json::to_vec_pretty(&record).expect("a shard record serialises");
        gavel_core::fs::write_atomically(&path, &text)
            .map_err(|source| BatchError::Write { path, source })?;
    }
    let mut summary = summary;
    summary.similar = crate::report::write_all(&out, &plans, &summary, &meta)?;
    Ok(summary)
}

/// Each folder's graded exercises, reused or graded now: summaries only
/// stay in memory (the results are on disk).
fn by_folder(
    folders: usize,
    done: Vec<Reused>,
    graded: Vec<Graded>,
) -> Vec<BTreeMap<String, Graded>> {
    let mut results: Vec<BTreeMap<String, Graded>> = vec![BTreeMap::new(); folders];
    let reused = done.into_iter().map(|reused| Graded {
        folder: reused.folder,
        exercise: reused.exercise,
        verdict: reused.stored.result.verdict,
        points: reused.stored.result.points,
        efficiency: reused
            .stored
            .result
            .complexity
            .as_ref()
            .map(crate::summary::EfficiencyCell::of),
        path: reused.path,
    });
    for graded in reused.chain(graded) {
        results[graded.folder].insert(graded.exercise.clone(), graded);
    }
    results
}

/// Writes the reports of a batch graded as shards (each folder of `dirs` one
/// `grade --shard K/N`) into `out`: exactly those one unsharded `grade` would
/// write, the results copied in. Refuses, naming what differs, shards that
/// are not all of one batch graded alike; writes nothing then.
pub fn merge(
    exercises: &[Arc<Exercise>],
    dirs: &[PathBuf],
    out: &std::path::Path,
    report: crate::report::ReportOptions,
) -> Result<GradeSummary, BatchError> {
    let shards: Vec<(PathBuf, ShardRecord)> = dirs
        .iter()
        .map(|dir| Ok((dir.clone(), read_record(dir)?)))
        .collect::<Result<_, MergeError>>()?;
    check_complete(&shards)?;
    let first = &shards[0].1;
    let given = crate::catalog_fingerprint(exercises);
    if given != first.catalog_fingerprint {
        return Err(MergeError::Catalog {
            graded: first.catalog_fingerprint.clone(),
            given,
        }
        .into());
    }
    let out_dir = OutDir::open(out)?;
    let mut plans = Vec::new();
    for (dir, record) in &shards {
        for mut plan in record.plans(dir)? {
            for (exercise, path) in &mut plan.stored {
                let merged = out_dir.result_path(&plan.candidate, exercise);
                copy_result(path, &merged)?;
                *path = merged;
            }
            plans.push(plan);
        }
    }
    // The order an unsharded batch scans its folder in.
    plans.sort_by(|a, b| a.candidate.cmp(&b.candidate));
    let summary = GradeSummary {
        out: out.to_owned(),
        exercises: first.assignment.clone(),
        candidates: plans.iter().map(|p| p.summary.clone()).collect(),
        problems: first.problems.clone(),
        similar: Vec::new(),
    };
    let meta = report_meta(
        exercises,
        &plans,
        &summary,
        &first.homework,
        first.disclosure,
        first.image_sha256.clone(),
        report,
    );
    let mut summary = summary;
    summary.similar = crate::report::write_all(&out_dir, &plans, &summary, &meta)?;
    Ok(summary)
}

/// Copies a stored result into a merged report folder (atomically).
fn copy_result(from: &std::path::Path, to: &std::path::Path) -> Result<(), BatchError> {
    let bytes = std::fs::read(from).map_err(|source| BatchError::Write {
        path: from.to_owned(),
        source,
    })?;
    gavel_core::fs::write_atomically(to, &bytes).map_err(|source| BatchError::Write {
        path: to.to_owned(),
        source,
    })
}

fn report_meta(
    exercises: &[Arc<Exercise>],
    plans: &[CandidatePlan],
    summary: &GradeSummary,
    homework: &std::path::Path,
    disclosure: Option<gavel_exercise::Disclosure>,
    image: String,
    options: crate::report::ReportOptions,
) -> crate::report::ReportMeta {
    use gavel_exercise::Disclosure;
    let by_id: HashMap<&str, &Arc<Exercise>> =
        exercises.iter().map(|e| (e.id.as_str(), e)).collect();
    crate::report::ReportMeta {
        image_sha256: image,
        catalog_fingerprint: crate::catalog_fingerprint(exercises),
        homework: homework.to_owned(),
        max_points: summary
            .exercises
            .iter()
            .filter_map(|id| Some((id.clone(), by_id.get(id.as_str())?.max_points())))
            .collect(),
        reveals_hidden: disclosure == Some(Disclosure::Full)
            || plans.iter().flat_map(|p| p.stored.keys()).any(|id| {
                by_id
                    .get(id.as_str())
                    .is_some_and(|e| e.disclosure == Disclosure::Full)
            }),
        starters: starters(&summary.exercises, &by_id),
        options,
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
    progress: &dyn GradeProgress,
) -> Result<HashMap<String, Arc<Prepared>>, JudgeError> {
    let mut tasks = tokio::task::JoinSet::new();
    for exercise in exercises {
        progress.preparing(&exercise.id);
        let judge = judge.clone();
        tasks.spawn(async move { judge.prepare(exercise, Selection::All).await });
    }
    let mut prepared = HashMap::new();
    while let Some(joined) = tasks.join_next().await {
        let p = joined.map_err(JudgeError::panicked)??;
        prepared.insert(p.exercise.id.clone(), Arc::new(p));
    }
    Ok(prepared)
}

/// A submission graded (or reused), as the summary needs it.
#[derive(Debug, Clone)]
struct Graded {
    /// Its candidate's folder (an index).
    folder: usize,
    /// The exercise.
    exercise: String,
    /// Its verdict and points.
    verdict: Verdict,
    points: f64,
    /// Its complexity's label, when measured.
    efficiency: Option<crate::summary::EfficiencyCell>,
    /// Where its result is stored.
    path: PathBuf,
}

async fn grade_pending(
    judge: &Judge,
    folders: &[Folder],
    pending: Vec<Pending>,
    prepared: &HashMap<String, Arc<Prepared>>,
    options: Options,
    progress: Arc<dyn GradeProgress>,
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
        let progress = progress.clone();
        let slots = slots.clone();
        let image = image.to_owned();
        tasks.spawn(async move {
            let _slot = slots.acquire_owned().await.expect("never closed");
            grade_one(
                &judge, &prepared, &candidate, item, options, &*progress, &image,
            )
            .await
        });
    }
    let mut graded = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        graded.push(joined.map_err(JudgeError::panicked)??);
    }
    Ok(graded)
}

async fn grade_one(
    judge: &Judge,
    prepared: &Arc<Prepared>,
    candidate: &Candidate,
    item: Pending,
    options: Options,
    progress: &dyn GradeProgress,
    image: &str,
) -> Result<Graded, BatchError> {
    let exercise = &prepared.exercise;
    let policy = options.disclosure.unwrap_or(exercise.disclosure);
    let silent = crate::Silent;
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
            (judge.judge(prepared, bytes, options, &silent).await, key)
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
                judge.judge(prepared, Bytes::new(), options, &silent).await,
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
    progress.graded(&stored.file, &stored.result);
    Ok(Graded {
        folder: item.folder,
        exercise: item.submission.exercise,
        verdict: stored.result.verdict,
        points: stored.result.points,
        efficiency: stored
            .result
            .complexity
            .as_ref()
            .map(crate::summary::EfficiencyCell::of),
        path: item.path,
    })
}

fn plan_candidate(
    folder: Folder,
    results: BTreeMap<String, Graded>,
    assignment: &[String],
    by_id: &HashMap<&str, &Arc<Exercise>>,
) -> CandidatePlan {
    let mut verdicts = BTreeMap::new();
    let mut exercise_points = BTreeMap::new();
    let mut efficiency = BTreeMap::new();
    let mut stored = BTreeMap::new();
    let mut points = 0.0;
    let mut max_points = 0;
    for id in assignment {
        max_points += by_id[id.as_str()].max_points();
        match results.get(id) {
            Some(graded) => {
                points += graded.points;
                exercise_points.insert(id.clone(), graded.points);
                verdicts.insert(id.clone(), ExerciseStatus::Graded(graded.verdict));
                stored.insert(id.clone(), graded.path.clone());
            }
            None => {
                verdicts.insert(id.clone(), ExerciseStatus::Missing);
                exercise_points.insert(id.clone(), 0.0);
            }
        }
    }
    for (id, graded) in &results {
        if let Some(cell) = &graded.efficiency {
            efficiency.insert(id.clone(), cell.clone());
        }
    }
    // Work on exercises outside the assignment is graded and shown, but not counted.
    for (id, graded) in results {
        if !assignment.contains(&id) {
            verdicts.insert(id.clone(), ExerciseStatus::Graded(graded.verdict));
            exercise_points.insert(id.clone(), graded.points);
            stored.insert(id, graded.path);
        }
    }
    CandidatePlan {
        summary: CandidateSummary {
            candidate: folder.candidate.display(),
            points,
            max_points,
            verdicts,
            exercise_points,
            efficiency,
            problems: folder.problems,
        },
        candidate: folder.candidate,
        stored,
    }
}

/// The starter of each exercise of `ids`: code every candidate was given is
/// not evidence of copying.
fn starters(ids: &[String], by_id: &HashMap<&str, &Arc<Exercise>>) -> BTreeMap<String, String> {
    ids.iter()
        .filter_map(|id| Some((id.clone(), by_id.get(id.as_str())?.starter.clone())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use gavel_exercise::Disclosure;

    fn two_sum() -> Arc<Exercise> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../exercises/two-sum");
        Arc::new(gavel_exercise::load(&dir).unwrap())
    }

    fn result(exercise: &Exercise, verdict: Verdict, points: f64) -> SubmissionResult {
        SubmissionResult {
            exercise: exercise.id.clone(),
            verdict,
            points,
            max_points: exercise.max_points(),
            score: 0.0,
            compile_error: None,
            tests: Vec::new(),
            groups: Vec::new(),
            hidden: None,
            disclosure: Disclosure::Verdicts,
            source_sha256: String::new(),
            image_sha256: "image".to_owned(),
            native_sha256: None,
            complexity: None,
        }
    }

    /// A homework folder of two candidates who both submitted two-sum; an
    /// earlier run stored Ada's result for the very same source.
    #[test]
    fn a_stored_result_of_the_same_source_is_reused_and_the_rest_planned() {
        let dir = tempfile::tempdir().unwrap();
        let exercise = two_sum();
        let by_id: HashMap<&str, &Arc<Exercise>> = [(exercise.id.as_str(), &exercise)].into();
        let homework = dir.path().join("homework");
        let mut folders = Vec::new();
        for name in ["ada", "bob"] {
            let path = homework.join(name).join("two-sum.py");
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, format!("# {name}\n")).unwrap();
            folders.push(Folder {
                candidate: Candidate::named(name),
                submissions: vec![Submission {
                    exercise: exercise.id.clone(),
                    path,
                    file: format!("{name}/two-sum.py"),
                }],
                problems: Vec::new(),
            });
        }
        let out = OutDir::open(&dir.path().join("out")).unwrap();
        let options = Options::default();
        let key = result_key(
            &sha256_hex(b"# ada\n"),
            &exercise.fingerprint,
            "image",
            exercise.disclosure,
            options.max_source_bytes,
        );
        let ada_path = out.result_path(&folders[0].candidate, &exercise.id);
        let stored = StoredResult {
            candidate: "ada".to_owned(),
            file: "ada/two-sum.py".to_owned(),
            key,
            result: result(&exercise, Verdict::Accepted, 16.0),
            source: Some("# ada\n".to_owned()),
        };
        store(&ada_path, &stored).unwrap();

        let (reused, pending) = plan(&mut folders, &out, &by_id, options, "image");
        assert_eq!(reused.len(), 1);
        assert_eq!(
            (reused[0].folder, reused[0].stored.file.as_str()),
            (0, "ada/two-sum.py")
        );
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].folder, 1);
        // Another image: nothing is reused.
        let (reused, pending) = plan(&mut folders, &out, &by_id, options, "other");
        assert_eq!((reused.len(), pending.len()), (0, 2));
    }

    #[test]
    fn a_candidates_summary_counts_the_assignment_and_marks_missing_work() {
        let exercise = two_sum();
        let by_id: HashMap<&str, &Arc<Exercise>> = [(exercise.id.as_str(), &exercise)].into();
        let folder = Folder {
            candidate: Candidate::named("ada"),
            submissions: Vec::new(),
            problems: Vec::new(),
        };
        let graded = Graded {
            folder: 0,
            exercise: "two-sum".to_owned(),
            verdict: Verdict::WrongAnswer,
            points: 12.0,
            efficiency: None,
            path: "r.json".into(),
        };
        let assignment = vec!["two-sum".to_owned()];
        let mut results = BTreeMap::new();
        results.insert("two-sum".to_owned(), graded);
        let plan = plan_candidate(folder, results, &assignment, &by_id);
        assert_eq!(
            (plan.summary.points, plan.summary.max_points),
            (12.0, exercise.max_points())
        );
        assert_eq!(
            plan.summary.verdicts["two-sum"],
            ExerciseStatus::Graded(Verdict::WrongAnswer)
        );
        let empty = Folder {
            candidate: Candidate::named("bob"),
            submissions: Vec::new(),
            problems: Vec::new(),
        };
        let plan = plan_candidate(empty, BTreeMap::new(), &assignment, &by_id);
        assert_eq!(plan.summary.verdicts["two-sum"], ExerciseStatus::Missing);
        assert!(plan.stored.is_empty());
    }
}
