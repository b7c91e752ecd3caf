//! Submissions as candidates make and see them: quotas, and the release rule
//! applied to every read.

use super::{Store, StoreError, rfc3339};
use gavel_api::shapes::{Quotas, SubmissionInfo, SubmissionStatus};
use gavel_exercise::Verdict;
use gavel_judge::SubmissionResult;
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;

/// Why a submission was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Too many queued or running.
    InFlight(u32),
    /// Too many for this exercise in the last hour; the oldest of them leaves
    /// the window in this many seconds.
    Hourly {
        /// The limit.
        limit: u32,
        /// Seconds until one more is allowed.
        retry_after: u64,
    },
    /// The queue of runs (the Judge0-compatible API) is full, for everyone.
    QueueFull,
}

/// A submission as its candidate may see it, with what the live view needs.
#[derive(Debug, Clone)]
pub struct Visible {
    /// The submission.
    pub info: SubmissionInfo,
    /// Its result, once released.
    pub result: Option<SubmissionResult>,
    /// When a judged submission is released (ms since the epoch), while it
    /// is not yet.
    pub release_at: Option<i64>,
}

/// The columns [`info`] reads (a macro, so queries stay static strings).
macro_rules! submission_columns {
    () => {
        "id, exercise, status, submitted_at, finished_at, verdict, points, max_points"
    };
}

/// Whether a row's result may be shown at `now`: judged and released.
fn released(row: &AnyRow, now: i64) -> bool {
    let status: String = row.get("status");
    let finished: Option<i64> = row.get("finished_at");
    status == "done" && finished.is_some_and(|f| f <= now)
}

/// A submission as its candidate may see it at `now`: one judged but not
/// yet released is still `running`, without a verdict.
fn info(row: &AnyRow, now: i64) -> SubmissionInfo {
    let status: String = row.get("status");
    let status = SubmissionStatus::from_name(&status).unwrap_or(SubmissionStatus::Queued);
    let base = SubmissionInfo {
        id: row.get("id"),
        exercise: row.get("exercise"),
        status: SubmissionStatus::Running,
        submitted_at: rfc3339(row.get("submitted_at")),
        finished_at: None,
        verdict: None,
        points: None,
        max_points: None,
    };
    if status == SubmissionStatus::Done && !released(row, now) {
        return base;
    }
    let verdict: Option<String> = row.get("verdict");
    SubmissionInfo {
        status,
        finished_at: row.get::<Option<i64>, _>("finished_at").map(rfc3339),
        verdict: verdict.as_deref().and_then(Verdict::from_code),
        points: row.get("points"),
        max_points: row
            .get::<Option<i64>, _>("max_points")
            .and_then(|m| u32::try_from(m).ok()),
        ..base
    }
}

impl Store {
    /// Stores a submission as `queued`, unless it is over `quotas`. The
    /// caller serialises calls (the quota check and the insert belong
    /// together).
    pub async fn submit(
        &self,
        candidate: i64,
        exercise: &str,
        source: &[u8],
        quotas: &Quotas,
    ) -> Result<Result<SubmissionInfo, Refusal>, StoreError> {
        let result = async {
            let now = self.now();
            let mut tx = self.begin_write().await?;
            // A judged submission holds its slot until it is released: freeing
            // it earlier would tell, through a refusal, when judging ended.
            let in_flight: i64 = sqlx::query(
                "SELECT COUNT(*) AS n FROM submissions WHERE candidate_id = $1 \
                 AND kind = 'exercise' AND (status <> 'done' OR finished_at > $2)",
            )
            .bind(candidate)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?
            .get("n");
            if in_flight >= i64::from(quotas.in_flight) {
                return Ok(Err(Refusal::InFlight(quotas.in_flight)));
            }
            let hour_ago = now - 3_600_000;
            let recent = sqlx::query(
                "SELECT COUNT(*) AS n, MIN(submitted_at) AS oldest FROM submissions \
                 WHERE candidate_id = $1 AND kind = 'exercise' AND exercise = $2 AND submitted_at > $3",
            )
            .bind(candidate)
            .bind(exercise)
            .bind(hour_ago)
            .fetch_one(&mut *tx)
            .await?;
            let count: i64 = recent.get("n");
            if count >= i64::from(quotas.per_exercise_per_hour) {
                let oldest: Option<i64> = recent.get("oldest");
                let retry_ms = oldest.map_or(0, |o| o - hour_ago).max(1000);
                return Ok(Err(Refusal::Hourly {
                    limit: quotas.per_exercise_per_hour,
                    retry_after: (retry_ms as u64).div_ceil(1000),
                }));
            }
            let digest = Sha256::digest(source);
            let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            let row = sqlx::query(concat!(
                "INSERT INTO submissions (candidate_id, exercise, source, source_sha256, submitted_at, status) \
                 VALUES ($1, $2, $3, $4, $5, 'queued') RETURNING ",
                submission_columns!()
            ))
            .bind(candidate)
            .bind(exercise)
            .bind(source.to_vec())
            .bind(hex)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(Ok(info(&row, now)))
        }
        .await;
        if let Ok(Ok(_)) = result {
            self.notify(super::Heard::Queued).await;
        }
        self.track(result)
    }

    /// A candidate's submission as they may see it now: its result once
    /// released.
    pub async fn submission(&self, candidate: i64, id: i64) -> Result<Option<Visible>, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            submission_columns!(),
            ", result FROM submissions WHERE id = $1 AND candidate_id = $2 AND kind = 'exercise'"
        ))
        .bind(id)
        .bind(candidate)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let now = self.now();
        let info = info(&row, now);
        let judged = row.get::<String, _>("status") == "done";
        let (result, release_at) = if released(&row, now) {
            let json: Option<String> = row.get("result");
            let result = match json {
                Some(json) => Some(
                    serde_json::from_str(&json)
                        .map_err(|e| StoreError::Corrupt(id, e.to_string()))?,
                ),
                None => None,
            };
            (result, None)
        } else if judged {
            (None, row.get::<Option<i64>, _>("finished_at"))
        } else {
            (None, None)
        };
        Ok(Some(Visible {
            info,
            result,
            release_at,
        }))
    }

    /// A candidate's submissions, newest first.
    pub async fn submissions_of(&self, candidate: i64) -> Result<Vec<SubmissionInfo>, StoreError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            submission_columns!(),
            " FROM submissions WHERE candidate_id = $1 AND kind = 'exercise' ORDER BY id DESC"
        ))
        .bind(candidate)
        .fetch_all(&self.pool)
        .await?;
        let now = self.now();
        Ok(rows.iter().map(|row| info(row, now)).collect())
    }

    /// The test rows of a submission after `position`, in order.
    pub async fn tests_after(
        &self,
        id: i64,
        position: i64,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT position, result FROM submission_tests \
             WHERE submission_id = $1 AND position > $2 ORDER BY position",
        )
        .bind(id)
        .bind(position)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| (r.get("position"), r.get("result")))
            .collect())
    }
}
