//! What the hiring team reads from the state: the queue's status and each
//! candidate's chosen results.

use super::{Store, StoreError, WorkerInfo};
use futures_util::TryStreamExt;
use gavel_judge::SubmissionResult;
use sqlx::Row;
use std::time::Duration;

/// The queue, the accounts and the workers, for `admin status`.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct QueueStatus {
    /// Submissions waiting.
    pub queued: i64,
    /// Submissions being judged.
    pub running: i64,
    /// Submissions judged.
    pub done: i64,
    /// Invited candidates (revoked included).
    pub candidates: i64,
    /// Candidates whose token was revoked.
    pub revoked: i64,
    /// Submissions per exercise.
    pub per_exercise: std::collections::BTreeMap<String, i64>,
    /// Runs made through the Judge0-compatible API (counted in `queued`,
    /// `running` and `done` too, never in `per_exercise`).
    pub runs: i64,
    /// Workers seen in the last minute (the server's own and `gavel worker`s).
    pub workers: Vec<WorkerInfo>,
}

/// A result chosen for a report.
#[derive(Debug, Clone)]
pub struct ChosenResult {
    /// The candidate.
    pub candidate: String,
    /// The exercise.
    pub exercise: String,
    /// The submission.
    pub submission: i64,
    /// Its result.
    pub result: SubmissionResult,
    /// Its source (lossy UTF-8), for the reports' source views and
    /// similarity.
    pub source: String,
}

/// Workers not heard from in this long are not listed as alive.
pub const WORKER_SEEN: Duration = Duration::from_secs(60);

impl Store {
    /// The queue, the accounts and the workers.
    pub async fn status(&self) -> Result<QueueStatus, StoreError> {
        let mut status = QueueStatus::default();
        for row in sqlx::query("SELECT status, COUNT(*) AS n FROM submissions GROUP BY status")
            .fetch_all(&self.pool)
            .await?
        {
            let n: i64 = row.get("n");
            match row.get::<String, _>("status").as_str() {
                "queued" => status.queued = n,
                "running" => status.running = n,
                _ => status.done = n,
            }
        }
        let row = sqlx::query("SELECT COUNT(*) AS n, COUNT(revoked_at) AS revoked FROM candidates")
            .fetch_one(&self.pool)
            .await?;
        status.candidates = row.get("n");
        status.revoked = row.get("revoked");
        for row in sqlx::query(
            "SELECT exercise, COUNT(*) AS n FROM submissions WHERE kind = 'exercise' \
             GROUP BY exercise ORDER BY exercise",
        )
        .fetch_all(&self.pool)
        .await?
        {
            status
                .per_exercise
                .insert(row.get("exercise"), row.get("n"));
        }
        status.runs = sqlx::query("SELECT COUNT(*) AS n FROM submissions WHERE kind = 'run'")
            .fetch_one(&self.pool)
            .await?
            .get("n");
        status.workers = self.workers(WORKER_SEEN).await?;
        Ok(status)
    }

    /// Each candidate's chosen judged submission per exercise: the one with
    /// the most points (the earliest of equals), or the latest.
    pub async fn chosen_results(&self, best: bool) -> Result<Vec<ChosenResult>, StoreError> {
        let query = if best {
            concat!(
                "SELECT c.name, s.exercise, s.id, s.result, s.source FROM submissions s \
                 JOIN candidates c ON c.id = s.candidate_id \
                 WHERE s.status = 'done' AND s.kind = 'exercise' ORDER BY c.name, s.exercise, ",
                "s.points DESC, s.id ASC"
            )
        } else {
            concat!(
                "SELECT c.name, s.exercise, s.id, s.result, s.source FROM submissions s \
                 JOIN candidates c ON c.id = s.candidate_id \
                 WHERE s.status = 'done' AND s.kind = 'exercise' ORDER BY c.name, s.exercise, ",
                "s.id DESC"
            )
        };
        // Streamed: only the chosen submissions are held, not every one.
        let mut rows = sqlx::query(query).fetch(&self.pool);
        let mut chosen: Vec<ChosenResult> = Vec::new();
        while let Some(row) = rows.try_next().await? {
            let candidate: String = row.get("name");
            let exercise: String = row.get("exercise");
            if chosen
                .last()
                .is_some_and(|c| c.candidate == candidate && c.exercise == exercise)
            {
                continue;
            }
            let id: i64 = row.get("id");
            let json: String = row.get("result");
            let result =
                serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(id, e.to_string()))?;
            let source: Vec<u8> = row.get("source");
            chosen.push(ChosenResult {
                candidate,
                exercise,
                submission: id,
                result,
                source: String::from_utf8_lossy(&source).into_owned(),
            });
        }
        Ok(chosen)
    }
}
