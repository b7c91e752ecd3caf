//! "Run this code" submissions (the Judge0-compatible API): stored as
//! submissions of kind `run`, judged by the same queue, with what they ask
//! for beside the source in the `runs` table. They have no exercise and no
//! hidden data, so the release rule does not delay them, and they are kept
//! out of everything about exercises (lists, quotas, reports).

use super::submissions::Refusal;
use super::{Store, StoreError};
use gavel_api::shapes::Quotas;
use gavel_core::Limits;
use gavel_judge::program::ProgramResult;
use sha2::{Digest, Sha256};
use sqlx::Row;

/// A run to store.
#[derive(Debug, Clone)]
pub struct NewRun {
    /// The token it is known by (unique).
    pub token: String,
    /// The source.
    pub source: Vec<u8>,
    /// Its standard input.
    pub stdin: Vec<u8>,
    /// The expected output, if any.
    pub expected_output: Option<Vec<u8>>,
    /// The limits it runs under.
    pub limits: Limits,
    /// The request as the API received it (opaque here; echoed back).
    pub request: String,
}

/// A stored run, as its owner may read it.
#[derive(Debug, Clone)]
pub struct StoredRun {
    /// Its submission id (for waking on changes).
    pub id: i64,
    /// Its token.
    pub token: String,
    /// `queued`, `running` or `done`.
    pub status: String,
    /// When it was received (ms since the epoch).
    pub submitted_at: i64,
    /// When it was judged (ms since the epoch).
    pub finished_at: Option<i64>,
    /// The source.
    pub source: Vec<u8>,
    /// Its standard input.
    pub stdin: Vec<u8>,
    /// The expected output, if any.
    pub expected_output: Option<Vec<u8>>,
    /// The limits it runs under.
    pub limits: Limits,
    /// The request as received.
    pub request: String,
    /// The result, once judged.
    pub result: Option<ProgramResult>,
}

/// What a worker needs to judge a claimed run.
#[derive(Debug, Clone)]
pub struct RunSpec {
    /// Its standard input.
    pub stdin: Vec<u8>,
    /// The expected output, if any.
    pub expected_output: Option<Vec<u8>>,
    /// The limits it runs under.
    pub limits: Limits,
}

impl Store {
    /// Stores `runs` as queued, all or none: none if they would take the
    /// candidate over `quotas` (counted among runs only), or the runs
    /// waiting over `max_queue`. The caller serialises calls, as for
    /// [`Store::submit`].
    pub async fn submit_runs(
        &self,
        candidate: i64,
        runs: &[NewRun],
        quotas: &Quotas,
        max_queue: u32,
    ) -> Result<Result<(), Refusal>, StoreError> {
        let result = async {
            let now = self.now();
            let mut tx = self.begin_write().await?;
            let asked = i64::try_from(runs.len()).unwrap_or(i64::MAX);
            let waiting: i64 = sqlx::query(
                "SELECT COUNT(*) AS n FROM submissions WHERE kind = 'run' AND status = 'queued'",
            )
            .fetch_one(&mut *tx)
            .await?
            .get("n");
            if waiting + asked > i64::from(max_queue) {
                return Ok(Err(Refusal::QueueFull));
            }
            let in_flight: i64 = sqlx::query(
                "SELECT COUNT(*) AS n FROM submissions WHERE candidate_id = $1 \
                 AND kind = 'run' AND status <> 'done'",
            )
            .bind(candidate)
            .fetch_one(&mut *tx)
            .await?
            .get("n");
            if in_flight + asked > i64::from(quotas.in_flight) {
                return Ok(Err(Refusal::InFlight(quotas.in_flight)));
            }
            let hour_ago = now - 3_600_000;
            let recent = sqlx::query(
                "SELECT COUNT(*) AS n, MIN(submitted_at) AS oldest FROM submissions \
                 WHERE candidate_id = $1 AND kind = 'run' AND submitted_at > $2",
            )
            .bind(candidate)
            .bind(hour_ago)
            .fetch_one(&mut *tx)
            .await?;
            let count: i64 = recent.get("n");
            if count + asked > i64::from(quotas.per_exercise_per_hour) {
                let oldest: Option<i64> = recent.get("oldest");
                let retry_ms = oldest.map_or(0, |o| o - hour_ago).max(1000);
                return Ok(Err(Refusal::Hourly {
                    limit: quotas.per_exercise_per_hour,
                    retry_after: (retry_ms as u64).div_ceil(1000),
                }));
            }
            for run in runs {
                let digest = Sha256::digest(&run.source);
                let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
                let id: i64 = sqlx::query(
                    "INSERT INTO submissions \
                       (candidate_id, exercise, source, source_sha256, submitted_at, status, kind) \
                     VALUES ($1, '', $2, $3, $4, 'queued', 'run') RETURNING id",
                )
                .bind(candidate)
                .bind(run.source.clone())
                .bind(hex)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?
                .get("id");
                let limits = serde_json::to_string(&run.limits)
                    .map_err(|e| StoreError::Corrupt(id, e.to_string()))?;
                sqlx::query(
                    "INSERT INTO runs (submission_id, token, stdin, expected_output, limits, request) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(id)
                .bind(&run.token)
                .bind(run.stdin.clone())
                .bind(run.expected_output.clone())
                .bind(limits)
                .bind(&run.request)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(Ok(()))
        }
        .await;
        if let Ok(Ok(())) = result {
            self.notify(super::Heard::Queued).await;
        }
        self.track(result)
    }

    /// The candidate's runs with these tokens, in the order asked; `None`
    /// for a token that is not one of theirs.
    pub async fn runs(
        &self,
        candidate: i64,
        tokens: &[String],
    ) -> Result<Vec<Option<StoredRun>>, StoreError> {
        let mut found = Vec::with_capacity(tokens.len());
        for token in tokens {
            let row = sqlx::query(
                "SELECT s.id, s.status, s.submitted_at, s.finished_at, s.source, s.result, \
                   r.token, r.stdin, r.expected_output, r.limits, r.request \
                 FROM runs r JOIN submissions s ON s.id = r.submission_id \
                 WHERE r.token = $1 AND s.candidate_id = $2 AND s.kind = 'run'",
            )
            .bind(token)
            .bind(candidate)
            .fetch_optional(&self.pool)
            .await?;
            let Some(row) = row else {
                found.push(None);
                continue;
            };
            let id: i64 = row.get("id");
            let corrupt = |e: serde_json::Error| StoreError::Corrupt(id, e.to_string());
            let status: String = row.get("status");
            let result = match row.get::<Option<String>, _>("result") {
                Some(json) if status == "done" => {
                    Some(serde_json::from_str(&json).map_err(corrupt)?)
                }
                _ => None,
            };
            found.push(Some(StoredRun {
                id,
                token: row.get("token"),
                status,
                submitted_at: row.get("submitted_at"),
                finished_at: row.get("finished_at"),
                source: row.get("source"),
                stdin: row.get("stdin"),
                expected_output: row.get("expected_output"),
                limits: serde_json::from_str(&row.get::<String, _>("limits")).map_err(corrupt)?,
                request: row.get("request"),
                result,
            }));
        }
        Ok(found)
    }

    /// What judging claimed run `id` needs.
    pub async fn run_spec(&self, id: i64) -> Result<Option<RunSpec>, StoreError> {
        let row =
            sqlx::query("SELECT stdin, expected_output, limits FROM runs WHERE submission_id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|row| {
            Ok(RunSpec {
                stdin: row.get("stdin"),
                expected_output: row.get("expected_output"),
                limits: serde_json::from_str(&row.get::<String, _>("limits"))
                    .map_err(|e| StoreError::Corrupt(id, e.to_string()))?,
            })
        })
        .transpose()
    }

    /// Commits the result of a run `worker` holds, released at once (a run
    /// has nothing hidden). False if the worker does not hold it.
    pub async fn finish_run(
        &self,
        id: i64,
        worker: &str,
        verdict: &str,
        result: &ProgramResult,
    ) -> Result<bool, StoreError> {
        let json =
            serde_json::to_string(result).map_err(|e| StoreError::Corrupt(id, e.to_string()))?;
        self.commit_result(id, worker, verdict, 0.0, 0, json, self.now())
            .await
    }
}
